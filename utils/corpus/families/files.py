"""Files and streams: IOException (closed streams, full disks, EOF, malformed input, zip, permissions, processes),
FileNotFoundException (java.io opens) and NoSuchFileException (java.nio.file)."""

from __future__ import annotations

from utils.corpus.builder import CAUSE_TEXT, Ctx, Wrap
from utils.corpus.model import Incident, StackFrame, Thrown, template

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
    c: Ctx,
    exception: str,
    message: str | None,
    throw: list[StackFrame],
    roles: tuple[str, ...],
    what_en: str,
    what_ko: str,
    fix_en: str,
    fix_ko: str,
) -> Incident:
    site = c.frame(c.pick(roles))
    return c.fail(
        exception,
        message,
        [site],
        throw,
        cause=c.t(f"{site.method}: {what_en}", f"{site.method}: {what_ko}"),
        fix=c.t(fix_en, fix_ko),
    )


ROLES = ("batch", "support", "util", "repository", "client")


# ----------------------------------------------------------------------------------------------------- IOException


@template("IOException", "ioe.stream_closed")
def stream_closed(c: Ctx) -> Incident:
    throw = c.pick(
        (
            [
                c.j("java.io.BufferedInputStream.getBufIfOpen", (170, 168, 168, 192)),
                c.j("java.io.BufferedInputStream.read", (336, 334, 334, 366)),
            ],
            [
                c.j("java.io.BufferedReader.ensureOpen", (122, 122, 123, 132)),
                c.j("java.io.BufferedReader.readLine", (317, 330, 332, 349)),
                c.j("java.io.BufferedReader.readLine", (389, 396, 398, 415)),
            ],
            [
                c.j("java.io.BufferedWriter.ensureOpen", (116, 107, 107, 129)),
                c.j("java.io.BufferedWriter.write", (221, 224, 224, 268)),
            ],
        )
    )
    return file_incident(
        c,
        IOE,
        "Stream closed",
        throw,
        ROLES,
        "reads/writes a stream that was already closed (closed by try-with-resources or a helper)",
        "이미 닫힌 스트림을 읽거나 씀 (try-with-resources나 다른 메서드가 먼저 닫음)",
        "Keep the stream open for the whole use, or reopen it; let one owner close it",
        "사용이 끝날 때까지 스트림을 열어 두고 닫는 주체를 하나로 정리",
    )


@template("IOException", "ioe.no_space")
def no_space(c: Ctx) -> Incident:
    throw = [
        c.j("java.io.FileOutputStream.writeBytes", native=True),
        c.j("java.io.FileOutputStream.write", (326, 354, 349, 367)),
        c.j("java.io.BufferedOutputStream.flushBuffer", (82, 81, 81, 125)),
        c.j("java.io.BufferedOutputStream.flush", (140, 142, 142, 203)),
    ]
    return file_incident(
        c,
        IOE,
        "No space left on device",
        throw,
        ("batch", "support", "util"),
        "the disk/volume is full while writing the file",
        "파일을 쓰는 중 디스크/볼륨이 가득 참",
        "Free or extend the volume (log rotation, old batch files) and alert on disk usage",
        "볼륨 정리/증설(로그 순환, 오래된 배치 파일) 및 디스크 사용량 알림 설정",
    )


@template("IOException", "ioe.eof")
def eof(c: Ctx) -> Incident:
    if c.chance(0.5):
        throw = [
            c.j("java.io.DataInputStream.readFully", (197, 202, 203, 210)),
            c.j("java.io.DataInputStream.readInt", (392, 381, 381, 385)),
        ]
        what = (
            "expects more bytes than the stream holds (length header larger than the data, truncated transfer)",
            "스트림에 남은 것보다 많은 바이트를 기대 (길이 헤더 불일치, 전송 잘림)",
        )
    else:
        throw = [
            c.j("java.io.ObjectInputStream$PeekInputStream.readFully", (2681, 2860, 2911, 3087)),
            c.j("java.io.ObjectInputStream$BlockDataInputStream.readShort", (3156, 3355, 3406, 3582)),
            c.j("java.io.ObjectInputStream.readStreamHeader", (862, 959, 983, 985)),
            c.j("java.io.ObjectInputStream.<init>", (358, 397, 393, 395)),
        ]
        what = (
            "deserializes an empty/truncated payload (cache entry or file written only partly)",
            "비어 있거나 잘린 직렬화 데이터를 읽음 (부분 기록된 캐시/파일)",
        )
    return file_incident(
        c,
        "java.io.EOFException",
        None,
        throw,
        ROLES + ("gateway",),
        *what,
        "Validate lengths/checksums and handle incomplete data (retry the transfer, skip corrupt entries)",
        "길이/체크섬을 검증하고 불완전한 데이터를 처리 (재전송, 손상 항목 건너뛰기)",
    )


@template("IOException", "ioe.malformed_input")
def malformed_input(c: Ctx) -> Incident:
    site = c.frame(c.pick(("batch", "support", "util")))
    decoder = [
        c.j("java.nio.charset.CoderResult.throwException", (281, 274, 274, 303)),
        c.j("sun.nio.cs.StreamDecoder.implRead", (339, 339, 339, 393)),
        c.j("sun.nio.cs.StreamDecoder.read", (178, 178, 188, 200)),
        c.j("java.io.InputStreamReader.read", (184, 185, 177, 188)),
        c.j("java.io.BufferedReader.fill", (161, 161, 162, 160)),
        c.j("java.io.BufferedReader.readLine", (324, 326, 329, 346)),
        c.j("java.io.BufferedReader.readLine", (389, 392, 396, 413)),
    ]
    if c.jdk.at_least(8) and c.chance(0.5):
        stack = c.call_stack([site], [*decoder, c.j("java.io.BufferedReader$1.hasNext", (571, 574, 574, 581))])
        root = Thrown("java.nio.charset.MalformedInputException", f"Input length = {c.randint(1, 3)}", stack)
        wrap = Wrap(
            "java.io.UncheckedIOException",
            lambda inner: inner.to_string(),
            at="java.io.BufferedReader$1.hasNext",
            line_delta=3,
        )
        return c.incident(
            [root],
            wraps=[wrap],
            top=[site],
            cause=c.t(
                f"{site.method} reads an EUC-KR/MS949 file as UTF-8 (Files.lines)",
                f"{site.method}에서 EUC-KR/MS949 파일을 UTF-8로 읽음 (Files.lines)",
            ),
            fix=c.t(
                'Read with the file\'s real charset (Charset.forName("MS949")) or agree on UTF-8 with the sender',
                "파일의 실제 문자셋(MS949 등)으로 읽거나 송신측과 UTF-8로 합의",
            ),
        )
    return c.fail(
        "java.nio.charset.MalformedInputException",
        f"Input length = {c.randint(1, 3)}",
        [site],
        decoder,
        cause=c.t(
            f"{site.method} decodes bytes with the wrong charset (Korean EUC-KR text read as UTF-8)",
            f"{site.method}에서 잘못된 문자셋으로 디코딩 (EUC-KR 한글을 UTF-8로 읽음)",
        ),
        fix=c.t(
            "Use the file's actual charset or convert the file to UTF-8",
            "실제 파일 문자셋을 사용하거나 파일을 UTF-8로 변환",
        ),
    )


@template("IOException", "ioe.zip")
def zip_file(c: Ctx) -> Incident:
    message = c.pick(
        (
            "invalid LOC header (bad signature)",
            "zip END header not found",
            "invalid CEN header (bad signature)",
            "invalid stored block lengths",
        )
    )
    if c.jdk.version <= 8:
        throw = [
            c.j("java.util.zip.ZipFile.open", native=True),
            c.j("java.util.zip.ZipFile.<init>", 225),
            c.j("java.util.zip.ZipFile.<init>", 155),
        ]
    else:
        throw = [
            c.j("java.util.zip.ZipFile$Source.zerror", (0, 1567, 1598, 1686)),
            c.j("java.util.zip.ZipFile$Source.findEND", (0, 1422, 1506, 1593)),
            c.j("java.util.zip.ZipFile$Source.initCEN", (0, 1439, 1517, 1604)),
            c.j("java.util.zip.ZipFile$Source.<init>", (0, 1264, 1319, 1403)),
            c.j("java.util.zip.ZipFile$Source.get", (0, 1226, 1277, 1359)),
            c.j("java.util.zip.ZipFile$CleanableResource.<init>", (0, 743, 703, 737)),
            c.j("java.util.zip.ZipFile.<init>", (0, 250, 251, 262)),
        ]
    return file_incident(
        c,
        "java.util.zip.ZipException",
        message,
        throw,
        ("batch", "support", "util"),
        "opens an archive that is corrupt or only partly uploaded/downloaded",
        "손상되었거나 일부만 업로드/다운로드된 압축 파일을 엶",
        "Verify the archive (size/checksum) after transfer and re-fetch it; write files atomically",
        "전송 후 크기/체크섬을 검증해 다시 받고 파일은 원자적으로 기록",
    )


@template("IOException", "ioe.access_denied_nio", min_jdk=7)
def access_denied_nio(c: Ctx) -> Incident:
    target = path(c)
    throw = [
        c.j("sun.nio.fs.UnixException.translateToIOException", (84, 90, 90, 90)),
        c.j("sun.nio.fs.UnixException.rethrowAsIOException", (102, 111, 106, 106)),
        c.j("sun.nio.fs.UnixException.rethrowAsIOException", (107, 116, 111, 111)),
        c.j("sun.nio.fs.UnixFileSystemProvider.newByteChannel", (214, 219, 218, 261)),
        c.j("java.nio.file.Files.newByteChannel", (361, 371, 380, 379)),
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
        f"the process user may not create/open {target} (directory permissions or owner)",
        f"프로세스 사용자에게 {target} 생성/열기 권한이 없음 (디렉터리 권한/소유자)",
        "Fix the owner/permissions of the directory for the service account",
        "서비스 계정에 맞게 디렉터리 소유자/권한을 수정",
    )


@template("IOException", "ioe.file_exists", min_jdk=7)
def file_exists(c: Ctx) -> Incident:
    target = path(c)
    throw = [
        c.j("sun.nio.fs.UnixException.translateToIOException", (88, 94, 94, 94)),
        c.j("sun.nio.fs.UnixException.rethrowAsIOException", (102, 111, 106, 106)),
        c.j("sun.nio.fs.UnixException.rethrowAsIOException", (107, 116, 111, 111)),
        c.j("sun.nio.fs.UnixFileSystemProvider.newByteChannel", (214, 219, 218, 261)),
        c.j("java.nio.file.Files.newByteChannel", (361, 371, 380, 379)),
        c.j("java.nio.file.Files.createFile", (632, 648, 658, 647)),
    ]
    return file_incident(
        c,
        "java.nio.file.FileAlreadyExistsException",
        target,
        throw,
        ("batch", "support"),
        f"creates {target}, which a previous (re)run already produced",
        f"이전 실행(재실행)이 이미 만든 {target}를 다시 생성",
        "Make the job idempotent: overwrite deliberately (REPLACE_EXISTING) or skip/rename existing output",
        "잡을 멱등하게: 의도적으로 덮어쓰기(REPLACE_EXISTING)하거나 기존 결과를 건너뛰기/이름 변경",
    )


@template("IOException", "ioe.http_response_code")
def http_response_code(c: Ctx) -> Incident:
    status = c.pick((500, 502, 503, 401, 403))
    throw = [
        c.j("sun.net.www.protocol.http.HttpURLConnection.getInputStream0", (1900, 1924, 1997, 2058)),
        c.j("sun.net.www.protocol.http.HttpURLConnection.getInputStream", (1498, 1520, 1589, 1665)),
    ]
    if c.chance(0.5):
        throw.append(c.j("sun.net.www.protocol.https.HttpsURLConnectionImpl.getInputStream", (268, 250, 224, 223)))
    url = c.url()
    return file_incident(
        c,
        IOE,
        f"Server returned HTTP response code: {status} for URL: {url}",
        throw,
        ("client", "support"),
        f"the server answered HTTP {status} and HttpURLConnection turns it into an IOException",
        f"서버가 HTTP {status}로 응답해 HttpURLConnection이 IOException을 던짐",
        "Check getResponseCode() and read getErrorStream() to handle error statuses explicitly",
        "getResponseCode()를 확인하고 getErrorStream()으로 오류 응답을 명시적으로 처리",
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
        c.j("java.lang.ProcessImpl.start", (134, 271, 244, 225)),
        c.j("java.lang.ProcessBuilder.start", (1029, 1107, 1110, 1126)),
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
        cause=c.t(
            f'{site.method} runs "{program}", which is not installed / not on PATH on this host',
            f'{site.method}에서 실행하는 "{program}"가 이 서버에 없거나 PATH에 없음',
        ),
        fix=c.t(
            "Install the tool on every host (or configure its absolute path) and check the PATH of the service",
            "모든 서버에 도구를 설치하거나 절대 경로를 설정하고 서비스의 PATH를 확인",
        ),
    )


@template("IOException", "ioe.stream_corrupted")
def stream_corrupted(c: Ctx) -> Incident:
    header = c.pick(("7B226964", "3C3F786D", "00000000", "1F8B0800"))
    throw = [
        c.j("java.io.ObjectInputStream.readStreamHeader", (866, 963, 987, 989)),
        c.j("java.io.ObjectInputStream.<init>", (358, 397, 393, 395)),
    ]
    return file_incident(
        c,
        "java.io.StreamCorruptedException",
        f"invalid stream header: {header}",
        throw,
        ("support", "util", "repository"),
        "reads JSON/XML/gzip bytes as Java serialization (producer and consumer disagree on the format)",
        "JSON/XML/gzip 바이트를 Java 직렬화로 읽음 (생산자/소비자 형식 불일치)",
        "Use the same serializer on both sides (e.g. the JSON serializer configured for the cache)",
        "양쪽에서 같은 직렬화기(캐시에 설정한 JSON 직렬화기 등) 사용",
    )


@template("IOException", "ioe.broken_pipe_client_abort", contexts=("web",))
def broken_pipe_client_abort(c: Ctx) -> Incident:
    site = c.frame("controller")
    write = [
        c.j("sun.nio.ch.FileDispatcherImpl.write0", native=True),
        c.j("sun.nio.ch.SocketDispatcher.write", (47, 47, 62, 62)),
        c.j("sun.nio.ch.IOUtil.writeFromNativeBuffer", (93, 113, 132, 132)),
        c.j("sun.nio.ch.IOUtil.write", (65, 79, 97, 97)),
        c.j("sun.nio.ch.SocketChannelImpl.write", (471, 468, 516, 530)),
        c.lib("org.apache.tomcat.util.net.NioChannel.write", 135),
        c.lib("org.apache.tomcat.util.net.NioEndpoint$NioSocketWrapper.doWrite", 1424),
        c.lib("org.apache.tomcat.util.net.SocketWrapperBase.doWrite", 768),
        c.lib("org.apache.tomcat.util.net.SocketWrapperBase.flushBlocking", 732),
        c.lib("org.apache.catalina.connector.OutputBuffer.doFlush", 305),
        c.lib("org.apache.catalina.connector.OutputBuffer.flush", 273),
        c.lib("org.apache.catalina.connector.CoyoteOutputStream.flush", 118),
    ]
    stack = c.call_stack([site], write)
    root = Thrown(IOE, "Broken pipe", stack)
    wrap = Wrap(
        "org.apache.catalina.connector.ClientAbortException",
        CAUSE_TEXT,
        at="org.apache.catalina.connector.OutputBuffer.doFlush",
        line_delta=16,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.t(
            f"The client closed the connection while {site.method} was still streaming the response",
            f"{site.method}가 응답을 보내는 중에 클라이언트가 연결을 끊음",
        ),
        fix=c.t(
            "Usually harmless (client timeout/cancel): log at WARN; speed up slow downloads or raise the client "
            "timeout",
            "대개 무해(클라이언트 타임아웃/취소)하므로 WARN으로 기록하고 느린 다운로드를 개선하거나 클라이언트 "
            "타임아웃 조정",
        ),
    )


# ----------------------------------------------------------------------------------------- FileNotFoundException

FNF = "java.io.FileNotFoundException"


def file_input(c: Ctx) -> list[StackFrame]:
    return [
        c.j("java.io.FileInputStream.open0", native=True),
        c.j("java.io.FileInputStream.open", (195, 219, 216, 213)),
        c.j("java.io.FileInputStream.<init>", (138, 157, 157, 152)),
        c.j("java.io.FileInputStream.<init>", (93, 112, 111, 106)),
    ]


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
        f"{target} does not exist (not yet delivered, wrong date in the name, or wrong working directory)",
        f"{target}가 없음 (아직 미수신, 파일명의 날짜 오류, 작업 디렉터리 오류)",
        "Check the path/name pattern and wait for or report the missing file instead of failing blindly",
        "경로/파일명 패턴을 확인하고 파일 미도착 시 대기하거나 명확히 보고",
    )


@template("FileNotFoundException", "fnf.permission_or_directory")
def permission_or_directory(c: Ctx) -> Incident:
    target = path(c)
    reason = c.pick(("Permission denied", "Is a directory"))
    throw = c.pick(
        (
            file_input(c),
            [
                c.j("java.io.FileOutputStream.open0", native=True),
                c.j("java.io.FileOutputStream.open", (270, 298, 293, 289)),
                c.j("java.io.FileOutputStream.<init>", (213, 237, 235, 230)),
                c.j("java.io.FileOutputStream.<init>", (101, 126, 123, 118)),
            ],
        )
    )
    return file_incident(
        c,
        FNF,
        f"{target} ({reason})",
        throw,
        ROLES,
        f"opening {target} fails: {reason}",
        f"{target} 열기 실패: {reason}",
        "Fix permissions for the service user, or the path if it points to a directory",
        "서비스 사용자 권한을 수정하거나 디렉터리를 가리키는 경로를 수정",
    )


@template("FileNotFoundException", "fnf.classpath_resource")
def classpath_resource(c: Ctx) -> Incident:
    name = c.pick(
        (
            "keys/hsm.properties",
            "templates/statement.ftl",
            "sql/settlement.sql",
            "certs/partner-ca.pem",
            "application-prod.yml",
        )
    )
    throw = [c.lib("org.springframework.core.io.ClassPathResource.getInputStream", c.pick((180, 199, 211)))]
    return file_incident(
        c,
        FNF,
        f"class path resource [{name}] cannot be opened because it does not exist",
        throw,
        ("config", "support", "util"),
        f"{name} is not packaged on the classpath (wrong folder or excluded from the jar)",
        f"{name}가 클래스패스에 포함되지 않음 (위치 오류 또는 jar에서 제외)",
        "Put the file under src/main/resources with that path (or load it from an external location)",
        "파일을 src/main/resources의 해당 경로에 두거나 외부 경로에서 로드",
    )


@template("FileNotFoundException", "fnf.http_404")
def http_404(c: Ctx) -> Incident:
    url = c.url()
    throw = [
        c.j("sun.net.www.protocol.http.HttpURLConnection.getInputStream0", (1896, 1920, 1993, 2054)),
        c.j("sun.net.www.protocol.http.HttpURLConnection.getInputStream", (1498, 1520, 1589, 1665)),
    ]
    return file_incident(
        c,
        FNF,
        url,
        throw,
        ("client", "support"),
        f"HttpURLConnection got 404 for {url} (it reports 404 as FileNotFoundException)",
        f"{url}에 대해 404 응답 (HttpURLConnection은 404를 FileNotFoundException으로 보고)",
        "Check the endpoint URL/path and handle 404 via getResponseCode()",
        "엔드포인트 URL/경로를 확인하고 getResponseCode()로 404 처리",
    )


WINDOWS_REASONS = (
    "The system cannot find the path specified",
    "The system cannot find the file specified",
    "Access is denied",
)


@template("FileNotFoundException", "fnf.windows_path")
def windows_path(c: Ctx) -> Incident:
    target = path(c, windows=True)
    return file_incident(
        c,
        FNF,
        f"{target} ({c.pick(WINDOWS_REASONS)})",
        file_input(c),
        ROLES,
        f"{target} cannot be opened on this Windows host",
        f"이 Windows 서버에서 {target}를 열 수 없음",
        "Make the path configurable per environment and create the folder/file it expects",
        "경로를 환경별 설정으로 분리하고 필요한 폴더/파일을 생성",
    )


@template("FileNotFoundException", "fnf.jar_entry")
def jar_entry(c: Ctx) -> Incident:
    entry = c.pick(("templates/mail/notice.html", "META-INF/resources/rates.csv", "static/terms_ko.pdf"))
    throw = [
        c.j("sun.net.www.protocol.jar.JarURLConnection.connect", (142, 142, 133, 132)),
        c.j("sun.net.www.protocol.jar.JarURLConnection.getInputStream", (150, 150, 175, 174)),
        c.j("java.net.URL.openStream", (1045, 1167, 1161, 1249)),
    ]
    return file_incident(
        c,
        FNF,
        f"JAR entry {entry} not found in /app/{c.code.project}.jar",
        throw,
        ("support", "util", "config"),
        f"{entry} is missing from the deployed jar",
        f"배포된 jar에 {entry}가 없음",
        "Package the resource (check the build's resource includes) or load it from outside the jar",
        "빌드 리소스 포함 설정을 확인해 패키징하거나 jar 외부에서 로드",
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
        cause=c.t(
            f"{site.method} resolves {target} against the current working directory, which differs here",
            f"{site.method}가 {target}를 현재 작업 디렉터리 기준으로 찾는데 실행 위치가 다름",
        ),
        fix=c.t(
            "Pass an absolute path/-D option for the config, or load it from the classpath",
            "설정 파일을 절대 경로/-D 옵션으로 지정하거나 클래스패스에서 로드",
        ),
    )


# --------------------------------------------------------------------------------------------- NoSuchFileException

NSFE = "java.nio.file.NoSuchFileException"


def unix_fs(c: Ctx) -> list[StackFrame]:
    return [
        c.j("sun.nio.fs.UnixException.translateToIOException", (86, 92, 92, 92)),
        c.j("sun.nio.fs.UnixException.rethrowAsIOException", (102, 111, 106, 106)),
        c.j("sun.nio.fs.UnixException.rethrowAsIOException", (107, 116, 111, 111)),
    ]


@template("NoSuchFileException", "nsfe.read_all_lines", min_jdk=7)
def read_all_lines(c: Ctx) -> Incident:
    target = path(c)
    throw = [
        *unix_fs(c),
        c.j("sun.nio.fs.UnixFileSystemProvider.newByteChannel", (214, 219, 218, 261)),
        c.j("java.nio.file.Files.newByteChannel", (361, 371, 380, 379)),
        c.j("java.nio.file.Files.newByteChannel", (407, 422, 432, 431)),
        c.j("java.nio.file.spi.FileSystemProvider.newInputStream", (384, 420, 420, 420)),
        c.j("java.nio.file.Files.newInputStream", (152, 156, 160, 159)),
    ]
    if c.chance(0.6):
        throw += [
            c.j("java.nio.file.Files.newBufferedReader", (2784, 2838, 2922, 3025)),
            c.j("java.nio.file.Files.readAllLines", (3202, 3330, 3412, 3515)),
        ]
    return file_incident(
        c,
        NSFE,
        target,
        throw,
        ROLES,
        f"{target} does not exist when it is read",
        f"읽으려는 {target}가 존재하지 않음",
        "Check the expected file name/date and the mount; report a missing input clearly",
        "예상 파일명/날짜와 마운트를 확인하고 입력 파일 누락을 명확히 보고",
    )


@template("NoSuchFileException", "nsfe.move", min_jdk=7)
def move(c: Ctx) -> Incident:
    source, target = path(c), path(c)
    throw = [
        *unix_fs(c),
        c.j("sun.nio.fs.UnixCopyFile.move", (409, 478, 478, 491)),
        c.j("sun.nio.fs.UnixFileSystemProvider.move", (262, 267, 266, 309)),
        c.j("java.nio.file.Files.move", (1395, 1421, 1432, 1431)),
    ]
    return file_incident(
        c,
        NSFE,
        c.pick((f"{source} -> {target}", source)),
        throw,
        ("batch", "support"),
        f"moves {source}, which another node/process already moved or deleted",
        f"다른 노드/프로세스가 이미 옮기거나 삭제한 {source}를 이동",
        "Claim files atomically (one processor per file, e.g. rename-to-lock) and tolerate already-processed files",
        "파일 처리 주체를 원자적으로 정하고(이름 변경 잠금 등) 이미 처리된 파일은 허용",
    )


@template("NoSuchFileException", "nsfe.delete", min_jdk=7)
def delete(c: Ctx) -> Incident:
    target = path(c)
    throw = [
        *unix_fs(c),
        c.j("sun.nio.fs.UnixFileSystemProvider.implDelete", (244, 249, 247, 288)),
        c.j("sun.nio.fs.AbstractFileSystemProvider.delete", (103, 105, 105, 104)),
        c.j("java.nio.file.Files.delete", (1126, 1141, 1152, 1152)),
    ]
    return file_incident(
        c,
        NSFE,
        target,
        throw,
        ("batch", "support", "util"),
        f"deletes {target}, which is already gone (cleanup run twice)",
        f"이미 없는 {target}를 삭제 (정리 작업 중복 실행)",
        "Use Files.deleteIfExists for cleanup",
        "정리 작업에는 Files.deleteIfExists 사용",
    )


@template("NoSuchFileException", "nsfe.size_attributes", min_jdk=7)
def size_attributes(c: Ctx) -> Incident:
    target = path(c)
    throw = [
        *unix_fs(c),
        c.j("sun.nio.fs.UnixFileAttributeViews$Basic.readAttributes", (55, 55, 55, 72)),
        c.j("sun.nio.fs.UnixFileSystemProvider.readAttributes", (144, 149, 148, 171)),
        c.j("java.nio.file.Files.readAttributes", (1737, 1763, 1851, 1853)),
    ]
    if c.chance(0.5):
        throw.append(c.j("java.nio.file.Files.size", (2332, 2380, 2468, 2570)))
    return file_incident(
        c,
        NSFE,
        target,
        throw,
        ROLES,
        f"reads the size/attributes of {target}, which is absent",
        f"없는 {target}의 크기/속성을 읽음",
        "Check Files.exists first (or catch NoSuchFileException) and report which input is missing",
        "Files.exists로 먼저 확인하거나 예외를 잡아 누락 파일을 보고",
    )


@template("NoSuchFileException", "nsfe.list_directory", min_jdk=7)
def list_directory(c: Ctx) -> Incident:
    target = c.pick(("/data/inbound", "/nas/clearing/in", "/tmp/upload", "build/generated"))
    throw = [
        *unix_fs(c),
        c.j("sun.nio.fs.UnixFileSystemProvider.newDirectoryStream", (427, 432, 431, 456)),
        c.j("java.nio.file.Files.newDirectoryStream", (457, 472, 482, 481)),
    ]
    if c.chance(0.5):
        throw.append(c.j("java.nio.file.Files.list", (3451, 3699, 3785, 3882)))
    return file_incident(
        c,
        NSFE,
        target,
        throw,
        ("batch", "scheduler", "support"),
        f"lists {target}, which is not mounted/created on this node",
        f"이 노드에 마운트/생성되지 않은 {target}를 조회",
        "Create the directory at start-up or check the NAS mount before polling",
        "시작 시 디렉터리를 만들거나 폴링 전에 NAS 마운트를 확인",
    )


@template("NoSuchFileException", "nsfe.copy_target_dir", min_jdk=7)
def copy_target_dir(c: Ctx) -> Incident:
    target = path(c)
    throw = [
        *unix_fs(c),
        c.j("sun.nio.fs.UnixCopyFile.copyFile", (252, 257, 257, 260)),
        c.j("sun.nio.fs.UnixCopyFile.copy", (581, 603, 603, 621)),
        c.j("sun.nio.fs.UnixFileSystemProvider.copy", (253, 258, 257, 300)),
        c.j("java.nio.file.Files.copy", (1274, 1295, 1305, 1304)),
    ]
    return file_incident(
        c,
        NSFE,
        target,
        throw,
        ("batch", "support"),
        f"copies into {target} whose parent directory does not exist",
        f"상위 디렉터리가 없는 {target}로 복사",
        "Create the parent directories first (Files.createDirectories)",
        "먼저 상위 디렉터리를 생성 (Files.createDirectories)",
    )


@template("NoSuchFileException", "nsfe.windows", min_jdk=7)
def windows(c: Ctx) -> Incident:
    target = path(c, windows=True)
    throw = [
        c.j("sun.nio.fs.WindowsException.translateToIOException", (79, 85, 85, 85)),
        c.j("sun.nio.fs.WindowsException.rethrowAsIOException", (97, 103, 103, 103)),
        c.j("sun.nio.fs.WindowsException.rethrowAsIOException", (102, 108, 108, 108)),
        c.j("sun.nio.fs.WindowsFileSystemProvider.newByteChannel", (230, 235, 236, 234)),
        c.j("java.nio.file.Files.newByteChannel", (361, 371, 380, 379)),
        c.j("java.nio.file.Files.newByteChannel", (407, 422, 432, 431)),
        c.j("java.nio.file.Files.readAllBytes", (3152, 3205, 3288, 3304)),
    ]
    return file_incident(
        c,
        NSFE,
        target,
        throw,
        ROLES,
        f"{target} does not exist on this Windows host",
        f"이 Windows 서버에 {target}가 없음",
        "Externalise the path per environment and verify the drive/share is mapped for the service account",
        "경로를 환경별로 분리하고 서비스 계정에 드라이브/공유 폴더가 연결되어 있는지 확인",
    )


@template("NoSuchFileException", "nsfe.walk_temp", codebases=("oss",), min_jdk=7)
def walk_temp(c: Ctx) -> Incident:
    target = f"/tmp/{c.code.project}-{c.randint(1000, 99999)}/part-{c.randint(0, 9)}"
    throw = [
        *unix_fs(c),
        c.j("sun.nio.fs.UnixFileAttributeViews$Basic.readAttributes", (55, 55, 55, 72)),
        c.j("sun.nio.fs.UnixFileSystemProvider.readAttributes", (144, 149, 148, 171)),
        c.j("java.nio.file.Files.readAttributes", (1737, 1763, 1851, 1853)),
        c.j("java.nio.file.FileTreeWalker.getAttributes", (219, 219, 220, 219)),
        c.j("java.nio.file.FileTreeWalker.visit", (276, 276, 277, 276)),
        c.j("java.nio.file.FileTreeWalker.next", (372, 373, 374, 373)),
        c.j("java.nio.file.Files.walkFileTree", (2706, 2760, 2828, 2825)),
    ]
    return file_incident(
        c,
        NSFE,
        target,
        throw,
        ("util", "support", "domain"),
        "walks a directory while another thread/test deletes files in it",
        "다른 스레드/테스트가 파일을 지우는 중에 디렉터리를 순회",
        "Isolate temp directories per test/task and handle files vanishing during the walk",
        "테스트/작업별 임시 디렉터리를 분리하고 순회 중 삭제된 파일을 허용",
    )
