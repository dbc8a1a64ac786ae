"""Files and streams: IOException (closed streams, full disks, EOF, malformed input, zip, permissions, processes),
FileNotFoundException (java.io opens) and NoSuchFileException (java.nio.file)."""

from __future__ import annotations

from utils.corpus.builder import CAUSE_TEXT, Ctx, Wrap
from utils.corpus.model import Incident, StackFrame, Thrown, template
from utils.corpus.tables import tables

IOE = "java.io.IOException"


def path(c: Ctx, windows: bool = False) -> str:
    if windows:
        return c.pick(
            ("C:\\batch\\in\\KFTC_20240312.dat", "D:\\app\\conf\\bank.properties", "C:\\data\\export\\report.csv")
        )
    if c.bank:
        return c.pick(
            (
                f"/data/settlement/in/KFTC_{c.date('')}.dat",
                "/app/conf/bank.properties",
                f"/var/log/bank/tx-{c.date()}.log",
                f"/data/export/statement_{c.account_no()}.pdf",
                "/app/keys/hsm-client.p12",
                f"/nas/clearing/out/CLR{c.date('')}.txt",
            )
        )
    return c.pick(
        (
            "conf/settings.yaml",
            f"/tmp/{c.code.project}/segments/00042.seg",
            f"target/test-classes/{c.code.module}/input.csv",
            f"/var/lib/{c.code.project}/wal/000123.log",
            "data/index/_0.cfs",
            "src/test/resources/fixtures/sample.json",
        )
    )


def file_incident(
    c: Ctx, exception: str, message: str | None, throw: list[StackFrame], roles: tuple[str, ...], *texts: str
) -> Incident:
    """`texts`: what the frame did and the fix, each in English then Korean."""
    return c.fail_in_role(roles, exception, message, throw, texts, "site.what")


ROLES = ("batch", "support", "util", "repository", "client")


# ----------------------------------------------------------------------------------------------------- IOException


@template("IOException", "ioe.stream_closed")
def stream_closed(c: Ctx) -> Incident:
    throw = c.pick((c.chain(".throw"), c.chain(".throw_2"), c.chain(".throw_3")))
    return file_incident(c, IOE, "Stream closed", throw, ROLES, *c.pair(".what"), *c.pair(".fix"))


@template("IOException", "ioe.no_space")
def no_space(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return file_incident(
        c,
        IOE,
        "No space left on device",
        throw,
        ("batch", "support", "util"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("IOException", "ioe.eof")
def eof(c: Ctx) -> Incident:
    if c.chance(0.5):
        throw = c.chain(".throw")
        what = c.pair(".what")
    else:
        throw = c.chain(".throw_2")
        what = c.pair(".what_2")
    return file_incident(c, "java.io.EOFException", None, throw, ROLES + ("gateway",), *what, *c.pair(".what_ko"))


@template("IOException", "ioe.malformed_input")
def malformed_input(c: Ctx) -> Incident:
    site = c.frame(c.pick(("batch", "support", "util")))
    decoder = c.chain(".decoder")
    if c.jdk.at_least(8) and c.chance(0.5):
        stack = c.call_stack([site], [*decoder, c.j("java.io.BufferedReader$1.hasNext", (571, 574, 574, 581))])
        root = Thrown("java.nio.charset.MalformedInputException", f"Input length = {c.randint(1, 3)}", stack)
        wrap = Wrap(
            "java.io.UncheckedIOException",
            lambda inner: inner.to_string(),
            at="java.io.BufferedReader$1.hasNext",
            line_delta=3,
        )
        return c.incident([root], wraps=[wrap], top=[site], cause=c.text(".cause_2", site=site), fix=c.text(".fix_2"))
    return c.fail(
        "java.nio.charset.MalformedInputException",
        f"Input length = {c.randint(1, 3)}",
        [site],
        decoder,
        cause=c.text(".cause", site=site),
        fix=c.text(".fix"),
    )


@template("IOException", "ioe.zip")
def zip_file(c: Ctx) -> Incident:
    message = c.pick(c.values(".message"))
    throw = c.chain(".throw") if c.jdk.version <= 8 else c.chain(".throw_2")
    return file_incident(
        c,
        "java.util.zip.ZipException",
        message,
        throw,
        ("batch", "support", "util"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("IOException", "ioe.access_denied_nio", min_jdk=7)
def access_denied_nio(c: Ctx) -> Incident:
    target = path(c)
    throw = [
        *c.chain(".throw"),
        c.j("java.nio.file.Files.createFile", (632, 648, 658, 647))
        if c.chance(0.5)
        else c.j("java.nio.file.Files.newByteChannel", (407, 422, 432, 431)),
    ]
    return file_incident(
        c,
        "java.nio.file.AccessDeniedException",
        target,
        throw,
        ("batch", "support", "util"),
        *c.pair(".what", target=target),
        *c.pair(".fix"),
    )


@template("IOException", "ioe.file_exists", min_jdk=7)
def file_exists(c: Ctx) -> Incident:
    target = path(c)
    throw = c.chain(".throw")
    return file_incident(
        c,
        "java.nio.file.FileAlreadyExistsException",
        target,
        throw,
        ("batch", "support"),
        *c.pair(".what", target=target),
        *c.pair(".fix"),
    )


@template("IOException", "ioe.http_response_code")
def http_response_code(c: Ctx) -> Incident:
    status = c.pick((500, 502, 503, 401, 403))
    throw = c.chain(".throw")
    if c.chance(0.5):
        throw.append(c.j("sun.net.www.protocol.https.HttpsURLConnectionImpl.getInputStream", (268, 250, 224, 223)))
    url = c.url()
    return file_incident(
        c,
        IOE,
        f"Server returned HTTP response code: {status} for URL: {url}",
        throw,
        ("client", "support"),
        *c.pair(".what", status=status),
        *c.pair(".fix"),
    )


@template("IOException", "ioe.cannot_run_program")
def cannot_run_program(c: Ctx) -> Incident:
    program = c.pick(("gpg", "/opt/bank/bin/encrypt.sh", "sftp", "pdftotext", "7z"))
    site = c.frame(c.pick(("batch", "support", "util")))
    stack = c.call_stack([site], [c.j("java.lang.ProcessBuilder.start", (1048, 1128, 1143, 1170))])
    forked = [
        c.j(
            "java.lang.UNIXProcess.forkAndExec" if c.jdk.version <= 8 else "java.lang.ProcessImpl.forkAndExec",
            native=True,
        ),
        c.j(
            "java.lang.UNIXProcess.<init>" if c.jdk.version <= 8 else "java.lang.ProcessImpl.<init>",
            (247, 340, 314, 295),
        ),
        *c.chain(".forked"),
        *stack[1:],
    ]
    chain = [
        Thrown(IOE, f'Cannot run program "{program}": error=2, No such file or directory', stack),
        Thrown(IOE, "error=2, No such file or directory", forked),
    ]
    return c.incident(
        chain,
        top=[site],
        fault=site,
        cause=c.text(".cause", site=site, program=program),
        fix=c.text(".fix"),
    )


@template("IOException", "ioe.stream_corrupted")
def stream_corrupted(c: Ctx) -> Incident:
    header = c.pick(("7B226964", "3C3F786D", "00000000", "1F8B0800"))
    throw = c.chain(".throw")
    return file_incident(
        c,
        "java.io.StreamCorruptedException",
        f"invalid stream header: {header}",
        throw,
        ("support", "util", "repository"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("IOException", "ioe.broken_pipe_client_abort", contexts=("web",))
def broken_pipe_client_abort(c: Ctx) -> Incident:
    site = c.frame("controller")
    write = c.chain(".write")
    stack = c.call_stack([site], write)
    root = Thrown(IOE, "Broken pipe", stack)
    wrap = Wrap(
        "org.apache.catalina.connector.ClientAbortException",
        CAUSE_TEXT,
        at="org.apache.catalina.connector.OutputBuffer.doFlush",
        line_delta=16,
    )
    return c.incident([root], wraps=[wrap], top=[site], cause=c.text(".cause", site=site), fix=c.text(".fix"))


# ----------------------------------------------------------------------------------------- FileNotFoundException

FNF = "java.io.FileNotFoundException"


def file_input(c: Ctx) -> list[StackFrame]:
    return c.chain("files.file_input.result")


@template("FileNotFoundException", "fnf.missing_input")
def missing_input(c: Ctx) -> Incident:
    target = path(c)
    throw = file_input(c)
    if c.chance(0.4):
        throw.append(c.j("java.io.FileReader.<init>", (58, 60, 75, 75)))
    return file_incident(
        c,
        FNF,
        f"{target} (No such file or directory)",
        throw,
        ROLES,
        *c.pair(".what", target=target),
        *c.pair(".fix"),
    )


@template("FileNotFoundException", "fnf.permission_or_directory")
def permission_or_directory(c: Ctx) -> Incident:
    target = path(c)
    reason = c.pick(("Permission denied", "Is a directory"))
    throw = c.pick((file_input(c), c.chain(".throw")))
    return file_incident(
        c,
        FNF,
        f"{target} ({reason})",
        throw,
        ROLES,
        *c.pair(".what", target=target, reason=reason),
        *c.pair(".fix"),
    )


@template("FileNotFoundException", "fnf.classpath_resource")
def classpath_resource(c: Ctx) -> Incident:
    name = c.pick(c.values(".name"))
    throw = [c.lib("org.springframework.core.io.ClassPathResource.getInputStream", c.pick((180, 199, 211)))]
    return file_incident(
        c,
        FNF,
        f"class path resource [{name}] cannot be opened because it does not exist",
        throw,
        ("config", "support", "util"),
        *c.pair(".what", name=name),
        *c.pair(".fix"),
    )


@template("FileNotFoundException", "fnf.http_404")
def http_404(c: Ctx) -> Incident:
    url = c.url()
    throw = c.chain(".throw")
    return file_incident(c, FNF, url, throw, ("client", "support"), *c.pair(".what", url=url), *c.pair(".fix"))


WINDOWS_REASONS = tables().values["files.windows_reasons"]


@template("FileNotFoundException", "fnf.windows_path")
def windows_path(c: Ctx) -> Incident:
    target = path(c, windows=True)
    return file_incident(
        c,
        FNF,
        f"{target} ({c.pick(WINDOWS_REASONS)})",
        file_input(c),
        ROLES,
        *c.pair(".what", target=target),
        *c.pair(".fix"),
    )


@template("FileNotFoundException", "fnf.jar_entry")
def jar_entry(c: Ctx) -> Incident:
    entry = c.pick(("templates/mail/notice.html", "META-INF/resources/rates.csv", "static/terms_ko.pdf"))
    throw = c.chain(".throw")
    return file_incident(
        c,
        FNF,
        f"JAR entry {entry} not found in /app/{c.code.project}.jar",
        throw,
        ("support", "util", "config"),
        *c.pair(".what", entry=entry),
        *c.pair(".fix"),
    )


@template("FileNotFoundException", "fnf.config_file", contexts=("main", "test", "batch", "scheduled"))
def config_file(c: Ctx) -> Incident:
    target = c.pick(("conf/application.properties", "./config/batch.yml", "/etc/bank/app.conf", "log4j2-test.xml"))
    throw = file_input(c)
    site = c.frame("config", c.pick(("load", "loadProperties", "init", "readConfig")))
    return c.fail(
        FNF,
        f"{target} (No such file or directory)",
        [site],
        throw,
        cause=c.text(".cause", site=site, target=target),
        fix=c.text(".fix"),
    )


# --------------------------------------------------------------------------------------------- NoSuchFileException

NSFE = "java.nio.file.NoSuchFileException"


def unix_fs(c: Ctx) -> list[StackFrame]:
    return c.chain("files.unix_fs.result")


@template("NoSuchFileException", "nsfe.read_all_lines", min_jdk=7)
def read_all_lines(c: Ctx) -> Incident:
    target = path(c)
    throw = [*unix_fs(c), *c.chain(".throw")]
    if c.chance(0.6):
        throw += c.chain(".throw_2")
    return file_incident(c, NSFE, target, throw, ROLES, *c.pair(".what", target=target), *c.pair(".fix"))


@template("NoSuchFileException", "nsfe.move", min_jdk=7)
def move(c: Ctx) -> Incident:
    source, target = path(c), path(c)
    throw = [*unix_fs(c), *c.chain(".throw")]
    return file_incident(
        c,
        NSFE,
        c.pick((f"{source} -> {target}", source)),
        throw,
        ("batch", "support"),
        *c.pair(".what", source=source),
        *c.pair(".fix"),
    )


@template("NoSuchFileException", "nsfe.delete", min_jdk=7)
def delete(c: Ctx) -> Incident:
    target = path(c)
    throw = [*unix_fs(c), *c.chain(".throw")]
    return file_incident(
        c,
        NSFE,
        target,
        throw,
        ("batch", "support", "util"),
        *c.pair(".what", target=target),
        *c.pair(".fix"),
    )


@template("NoSuchFileException", "nsfe.size_attributes", min_jdk=7)
def size_attributes(c: Ctx) -> Incident:
    target = path(c)
    throw = [*unix_fs(c), *c.chain(".throw")]
    if c.chance(0.5):
        throw.append(c.j("java.nio.file.Files.size", (2332, 2380, 2468, 2570)))
    return file_incident(c, NSFE, target, throw, ROLES, *c.pair(".what", target=target), *c.pair(".fix"))


@template("NoSuchFileException", "nsfe.list_directory", min_jdk=7)
def list_directory(c: Ctx) -> Incident:
    target = c.pick(("/data/inbound", "/nas/clearing/in", "/tmp/upload", "build/generated"))
    throw = [*unix_fs(c), *c.chain(".throw")]
    if c.chance(0.5):
        throw.append(c.j("java.nio.file.Files.list", (3451, 3699, 3785, 3882)))
    return file_incident(
        c,
        NSFE,
        target,
        throw,
        ("batch", "scheduler", "support"),
        *c.pair(".what", target=target),
        *c.pair(".fix"),
    )


@template("NoSuchFileException", "nsfe.copy_target_dir", min_jdk=7)
def copy_target_dir(c: Ctx) -> Incident:
    target = path(c)
    throw = [*unix_fs(c), *c.chain(".throw")]
    return file_incident(c, NSFE, target, throw, ("batch", "support"), *c.pair(".what", target=target), *c.pair(".fix"))


@template("NoSuchFileException", "nsfe.windows", min_jdk=7)
def windows(c: Ctx) -> Incident:
    target = path(c, windows=True)
    throw = c.chain(".throw")
    return file_incident(c, NSFE, target, throw, ROLES, *c.pair(".what", target=target), *c.pair(".fix"))


@template("NoSuchFileException", "nsfe.walk_temp", codebases=("oss",), min_jdk=7)
def walk_temp(c: Ctx) -> Incident:
    target = f"/tmp/{c.code.project}-{c.randint(1000, 99999)}/part-{c.randint(0, 9)}"
    throw = [*unix_fs(c), *c.chain(".throw")]
    return file_incident(c, NSFE, target, throw, ("util", "support", "domain"), *c.pair(".what"), *c.pair(".fix"))
