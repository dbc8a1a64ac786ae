"""Files and streams: IOException (closed streams, full disks, EOF, malformed input, zip, permissions, processes),
FileNotFoundException (java.io opens) and NoSuchFileException (java.nio.file).

The regular templates are declared in utils/corpus/templates/files.yaml (their file paths drawn by `path`); these
three build chains by hand."""

from __future__ import annotations

from utils.corpus.builder import CAUSE_TEXT, Ctx, Wrap
from utils.corpus.declared import helper
from utils.corpus.model import Incident, Thrown, template

IOE = "java.io.IOException"


@helper("file_path")
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
