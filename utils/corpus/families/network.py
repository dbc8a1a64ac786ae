"""Network: SocketTimeoutException (read/connect timeouts), ConnectException (refused / unreachable), SocketException
(reset, broken pipe, closed, bind), UnknownHostException (DNS) and RestClientException (HTTP error statuses)."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template


def socket_read(c: Ctx) -> list[StackFrame]:
    if c.jdk.version <= 11:
        return [
            c.j("java.net.SocketInputStream.socketRead0", native=True),
            c.j("java.net.SocketInputStream.socketRead", (116, 115, 0, 0)),
            c.j("java.net.SocketInputStream.read", (171, 168, 0, 0)),
            c.j("java.net.SocketInputStream.read", (141, 140, 0, 0)),
        ]
    return [
        c.j("sun.nio.ch.NioSocketImpl.timedRead", (0, 0, 288, 278)),
        c.j("sun.nio.ch.NioSocketImpl.implRead", (0, 0, 314, 304)),
        c.j("sun.nio.ch.NioSocketImpl.read", (0, 0, 355, 346)),
        c.j("sun.nio.ch.NioSocketImpl$1.read", (0, 0, 808, 796)),
        c.j("java.net.Socket$SocketInputStream.read", (0, 0, 966, 1099)),
    ]


def socket_connect(c: Ctx, timed_out: bool = False) -> list[StackFrame]:
    if c.jdk.version <= 11:
        return [
            c.j("java.net.PlainSocketImpl.socketConnect", native=True),
            c.j("java.net.AbstractPlainSocketImpl.doConnect", (350, 399, 0, 0)),
            c.j("java.net.AbstractPlainSocketImpl.connectToAddress", (206, 242, 0, 0)),
            c.j("java.net.AbstractPlainSocketImpl.connect", (188, 224, 0, 0)),
            c.j("java.net.SocksSocketImpl.connect", (392, 403, 0, 0)),
            c.j("java.net.Socket.connect", (589, 609, 0, 0)),
        ]
    first = (
        c.j("sun.nio.ch.NioSocketImpl.timedFinishConnect", (0, 0, 546, 589))
        if timed_out
        else c.j("sun.nio.ch.Net.pollConnect", native=True)
    )
    frames = (
        [first]
        if timed_out
        else [
            first,
            c.j("sun.nio.ch.Net.pollConnectNow", (0, 0, 672, 682)),
            c.j("sun.nio.ch.NioSocketImpl.timedFinishConnect", (0, 0, 542, 592)),
        ]
    )
    return frames + [
        c.j("sun.nio.ch.NioSocketImpl.connect", (0, 0, 597, 632)),
        c.j("java.net.SocksSocketImpl.connect", (0, 0, 327, 330)),
        c.j("java.net.Socket.connect", (0, 0, 633, 751)),
    ]


def http_connect(c: Ctx) -> list[StackFrame]:
    return [
        c.lib("org.apache.http.conn.socket.PlainConnectionSocketFactory.connectSocket", 75),
        c.lib("org.apache.http.impl.conn.DefaultHttpClientConnectionOperator.connect", 142),
        c.lib("org.apache.http.impl.conn.PoolingHttpClientConnectionManager.connect", 376),
        c.lib("org.apache.http.impl.execchain.MainClientExec.establishRoute", 393),
        *stacks.http_client_execute(c),
    ]


def refused_message(c: Ctx) -> str:
    return "Connection refused (Connection refused)" if c.jdk.version in (8, 11) else "Connection refused"


def net_incident(
    c: Ctx,
    exception: str,
    message: str | None,
    throw: list[StackFrame],
    what_en: str,
    what_ko: str,
    fix_en: str,
    fix_ko: str,
    roles: tuple[str, ...] = ("client", "gateway", "support"),
    wraps: list | None = None,
) -> Incident:
    site = c.frame(c.pick(roles))
    return c.fail(
        exception,
        message,
        [site],
        throw,
        cause=c.t(f"{site.method}: {what_en}", f"{site.method}: {what_ko}"),
        fix=c.t(fix_en, fix_ko),
        wraps=wraps or (),
    )


# ------------------------------------------------------------------------------------------- SocketTimeoutException

STE = "java.net.SocketTimeoutException"
READ_TIMEOUT_FIX = (
    "Check the downstream's latency for this call; set connect/read timeouts to the SLA and retry idempotent calls",
    "해당 호출의 외부 시스템 지연을 확인하고 SLA에 맞게 connect/read 타임아웃과 멱등 호출 재시도를 설정",
)


@template("SocketTimeoutException", "ste.http_read")
def http_read(c: Ctx) -> Incident:
    throw = [*socket_read(c), *stacks.http_client_read(c)]
    return net_incident(
        c,
        STE,
        "Read timed out",
        throw,
        "the HTTP server accepted the connection but sent no response within the read timeout",
        "HTTP 서버가 연결은 받았지만 읽기 타임아웃 내에 응답하지 않음",
        *READ_TIMEOUT_FIX,
    )


@template("SocketTimeoutException", "ste.resttemplate_read", codebases=("bank",))
def resttemplate_read(c: Ctx) -> Incident:
    url = c.url()
    site = c.frame("client")
    stack = c.call_stack([site], [*socket_read(c), *stacks.http_client_read(c), *stacks.rest_template_http(c)])
    root = Thrown(STE, "Read timed out", stack)
    wrap = Wrap(
        "org.springframework.web.client.ResourceAccessException",
        lambda inner: (
            f'I/O error on {c.pick(("POST", "GET"))} request for "{url}": Read timed out; nested exception is '
            f"{inner.to_string()}"
        ),
        at="org.springframework.web.client.RestTemplate.doExecute",
        line_delta=9,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.t(
            f"{url} did not answer within RestTemplate's read timeout",
            f"{url}가 RestTemplate 읽기 타임아웃 내에 응답하지 않음",
        ),
        fix=c.t(*READ_TIMEOUT_FIX),
    )


@template("SocketTimeoutException", "ste.connect_timeout")
def connect_timeout(c: Ctx) -> Incident:
    message = "Connect timed out" if c.jdk.at_least(13) else "connect timed out"
    throw = (
        [*socket_connect(c, timed_out=True), *http_connect(c)] if c.chance(0.6) else socket_connect(c, timed_out=True)
    )
    return net_incident(
        c,
        STE,
        message,
        throw,
        "the TCP connection could not be established in time (firewall drop, host down)",
        "TCP 연결이 제한 시간 내에 맺어지지 않음 (방화벽 차단, 호스트 다운)",
        "Check routing/firewall rules to the host:port and its health; keep a short connect timeout",
        "대상 host:port까지의 라우팅/방화벽과 상태를 확인하고 connect 타임아웃은 짧게 유지",
    )


@template("SocketTimeoutException", "ste.jdbc_read", codebases=("bank",))
def jdbc_read(c: Ctx) -> Incident:
    site = c.frame("repository")
    mysql_io = [
        *socket_read(c),
        c.lib("com.mysql.cj.protocol.ReadAheadInputStream.fill", 107),
        c.lib("com.mysql.cj.protocol.ReadAheadInputStream.readFromUnderlyingStreamIfNecessary", 150),
        c.lib("com.mysql.cj.protocol.ReadAheadInputStream.read", 180),
        c.lib("com.mysql.cj.protocol.FullReadInputStream.readFully", 64),
        c.lib("com.mysql.cj.protocol.a.SimplePacketReader.readHeaderLocal", 81),
        c.lib("com.mysql.cj.protocol.a.SimplePacketReader.readHeader", 63),
        c.lib("com.mysql.cj.protocol.a.NativeProtocol.readMessage", 523),
        c.lib("com.mysql.cj.protocol.a.NativeProtocol.sendCommand", 644),
        c.lib("com.mysql.cj.protocol.a.NativeProtocol.sendQueryPacket", 948),
        c.lib("com.mysql.cj.NativeSession.execSQL", 1075),
        c.lib("com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal", 930),
        c.lib("com.mysql.cj.jdbc.ClientPreparedStatement.executeQuery", 1003),
        c.lib("com.zaxxer.hikari.pool.ProxyPreparedStatement.executeQuery", 52),
        c.lib("com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeQuery", None),
    ]
    stack = c.call_stack([site], mysql_io)
    millis = c.pick((30012, 60007, 10004, 5002))
    root = Thrown(STE, "Read timed out", stack)
    wraps = [
        Wrap(
            "com.mysql.cj.exceptions.CJCommunicationsException",
            f"Communications link failure\n\nThe last packet successfully received from the server was {millis:,} "
            "milliseconds ago. "
            "The last packet sent successfully to the server was 0 milliseconds ago.",
            at="com.mysql.cj.protocol.a.NativeProtocol.readMessage",
            line_delta=12,
            top=[
                c.lib("com.mysql.cj.exceptions.ExceptionFactory.createException", 61),
                c.lib("com.mysql.cj.exceptions.ExceptionFactory.createCommunicationsException", 151),
            ],
        ),
        Wrap(
            "com.mysql.cj.jdbc.exceptions.CommunicationsException",
            lambda inner: inner.message,
            at="com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal",
            line_delta=23,
            top=[
                c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException", 174),
                c.lib("com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException", 64),
            ],
        ),
    ]
    return c.incident(
        [root],
        wraps=wraps,
        top=[site],
        cause=c.t(
            f"The query in {site.method} got no answer from MySQL within socketTimeout ({millis} ms)",
            f"{site.method}의 쿼리가 socketTimeout({millis} ms) 내에 MySQL 응답을 받지 못함",
        ),
        fix=c.t(
            "Find the slow query/lock on the DB side; align socketTimeout with the query timeout",
            "DB 측의 느린 쿼리/락을 확인하고 socketTimeout을 쿼리 타임아웃과 맞춤",
        ),
    )


@template("SocketTimeoutException", "ste.feign", codebases=("bank",))
def feign(c: Ctx) -> Incident:
    site = c.frame("service")
    client = c.app("client", f"{c.pick(('Account', 'Partner', 'Ledger', 'Rate'))}Client")
    proxy = (
        f"jdk.proxy2.$Proxy{c.randint(90, 250)}" if c.jdk.at_least(17) else f"com.sun.proxy.$Proxy{c.randint(90, 250)}"
    )
    method = c.verb("client")
    feign_frames = [
        c.j("sun.net.www.http.HttpClient.parseHTTPHeader", (735, 754, 746, 759)),
        c.j("sun.net.www.http.HttpClient.parseHTTP", (678, 698, 690, 703)),
        c.j("sun.net.www.protocol.http.HttpURLConnection.getInputStream0", (1593, 1615, 1688, 1749)),
        c.j("sun.net.www.protocol.http.HttpURLConnection.getInputStream", (1498, 1520, 1589, 1665)),
        c.j("java.net.HttpURLConnection.getResponseCode", (480, 527, 529, 531)),
        c.lib("feign.Client$Default.convertResponse", 110),
        c.lib("feign.Client$Default.execute", 106),
        c.lib("feign.SynchronousMethodHandler.executeAndDecode", 119),
        c.lib("feign.SynchronousMethodHandler.invoke", 89),
        c.lib("feign.ReflectiveFeign$FeignInvocationHandler.invoke", 100),
        StackFrame(proxy, method),
    ]
    stack = c.call_stack([site], [*socket_read(c), *feign_frames])
    root = Thrown(STE, "Read timed out", stack)
    url = c.url()
    wrap = Wrap(
        "feign.RetryableException",
        lambda inner: f"Read timed out executing POST {url}",
        at="feign.SynchronousMethodHandler.executeAndDecode",
        top=[c.lib("feign.FeignException.errorExecuting", 268)],
        line_delta=10,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.t(
            f"{client.simple}.{method} ({url}) did not answer within Feign's read timeout",
            f"{client.simple}.{method}({url})가 Feign 읽기 타임아웃 내에 응답하지 않음",
        ),
        fix=c.t(*READ_TIMEOUT_FIX),
    )


@template("SocketTimeoutException", "ste.raw_socket_read")
def raw_socket_read(c: Ctx) -> Incident:
    throw = socket_read(c)
    if c.chance(0.5):
        throw += [
            c.j("java.io.DataInputStream.readFully", (195, 200, 203, 210)),
            c.j("java.io.DataInputStream.readFully", (169, 170, 173, 180)),
        ]
    return net_incident(
        c,
        STE,
        "Read timed out",
        throw,
        "waits on a raw socket (FEP/VAN/legacy TCP link) and the peer sends nothing within soTimeout",
        "원시 소켓(FEP/VAN/레거시 TCP)에서 soTimeout 내에 상대가 아무것도 보내지 않음",
        "Check the peer's status and message framing (length header); send/handle keep-alives",
        "상대 시스템 상태와 전문 길이 헤더를 확인하고 keep-alive를 송수신",
        roles=("gateway", "client"),
    )


@template("SocketTimeoutException", "ste.java_http_client", min_jdk=11)
def java_http_client(c: Ctx) -> Incident:
    exception = c.pick(("java.net.http.HttpTimeoutException", "java.net.http.HttpConnectTimeoutException"))
    message = "request timed out" if exception.endswith("HttpTimeoutException") else "HTTP connect timed out"
    throw = [
        c.j("jdk.internal.net.http.HttpClientImpl.send", (0, 565, 573, 951)),
        c.j("jdk.internal.net.http.HttpClientFacade.send", (0, 123, 123, 133)),
    ]
    return net_incident(
        c,
        exception,
        message,
        throw,
        "java.net.http.HttpClient gave up waiting (request/connect timeout)",
        "java.net.http.HttpClient의 요청/연결 타임아웃 초과",
        *READ_TIMEOUT_FIX,
    )


@template("SocketTimeoutException", "ste.okhttp", codebases=("oss",))
def okhttp(c: Ctx) -> Incident:
    throw = [
        c.lib("okio.Okio$4.newTimeoutException", 232),
        c.lib("okio.AsyncTimeout.exit", 286),
        c.lib("okio.AsyncTimeout$2.read", 241),
        c.lib("okio.RealBufferedSource.indexOf", 358),
        c.lib("okio.RealBufferedSource.readUtf8LineStrict", 230),
        c.lib("okhttp3.internal.http1.Http1Codec.readHeaderLine", 242),
        c.lib("okhttp3.internal.http1.Http1Codec.readResponseHeaders", 213),
        c.lib("okhttp3.internal.http.CallServerInterceptor.intercept", 88),
        c.lib("okhttp3.internal.http.RealInterceptorChain.proceed", 147),
        c.lib("okhttp3.RealCall.getResponseWithInterceptorChain", 250),
        c.lib("okhttp3.RealCall.execute", 93),
    ]
    return net_incident(
        c,
        STE,
        "timeout",
        throw,
        "the OkHttp call timed out reading the response headers",
        "OkHttp 호출이 응답 헤더를 읽다 타임아웃",
        *READ_TIMEOUT_FIX,
        roles=("client", "support"),
    )


# ------------------------------------------------------------------------------------------------- ConnectException

CE = "java.net.ConnectException"
REFUSED_FIX = (
    "Check that the target service is up and listening on that host:port (deploy order, wrong port/profile)",
    "대상 서비스가 해당 host:port에서 기동/리스닝 중인지 확인 (기동 순서, 잘못된 포트/프로파일)",
)


@template("ConnectException", "ce.refused_raw")
def refused_raw(c: Ctx) -> Incident:
    return net_incident(
        c,
        CE,
        refused_message(c),
        socket_connect(c),
        "nothing listens on the target port (service down or wrong port)",
        "대상 포트에서 리스닝하는 프로세스가 없음 (서비스 중지 또는 포트 오류)",
        *REFUSED_FIX,
        roles=("gateway", "client", "support"),
    )


@template("ConnectException", "ce.http_host_connect")
def http_host_connect(c: Ctx) -> Incident:
    host, port = c.host(), c.port()
    site = c.frame("client")
    stack = c.call_stack([site], [*socket_connect(c), *http_connect(c)])
    root = Thrown(CE, refused_message(c), stack)
    wrap = Wrap(
        "org.apache.http.conn.HttpHostConnectException",
        lambda inner: (
            f"Connect to {host}:{port} [{host}/{c.pick(('127.0.0.1', '10.20.3.41', '172.16.8.12'))}] failed: "
            f"{inner.message}"
        ),
        at="org.apache.http.impl.conn.DefaultHttpClientConnectionOperator.connect",
        line_delta=17,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.t(f"{host}:{port} refused the HTTP connection", f"{host}:{port}가 HTTP 연결을 거부"),
        fix=c.t(*REFUSED_FIX),
    )


@template("ConnectException", "ce.resource_access", codebases=("bank",))
def resource_access(c: Ctx) -> Incident:
    url = c.url()
    site = c.frame("client")
    stack = c.call_stack([site], [*socket_connect(c), *http_connect(c), *stacks.rest_template_http(c)])
    root = Thrown(CE, refused_message(c), stack)
    wrap = Wrap(
        "org.springframework.web.client.ResourceAccessException",
        lambda inner: f'I/O error on GET request for "{url}": {inner.message}; nested exception is {inner.to_string()}',
        at="org.springframework.web.client.RestTemplate.doExecute",
        line_delta=9,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.t(
            f"{url} refused the connection (service down or wrong port)",
            f"{url}가 연결을 거부 (서비스 중지 또는 포트 오류)",
        ),
        fix=c.t(*REFUSED_FIX),
    )


@template("ConnectException", "ce.netty_annotated", min_jdk=8)
def netty_annotated(c: Ctx) -> Incident:
    host, port = c.host(), c.pick((6379, 9092, 8080, 5672, 9200))
    site = c.frame(c.pick(("client", "config", "support")))
    throw = [
        c.j("sun.nio.ch.SocketChannelImpl.checkConnect", native=True)
        if c.jdk.version <= 11
        else c.j("sun.nio.ch.Net.pollConnect", native=True),
        c.j("sun.nio.ch.SocketChannelImpl.finishConnect", (716, 779, 946, 941)),
        c.lib("io.netty.channel.socket.nio.NioSocketChannel.doFinishConnect", 337),
        c.lib("io.netty.channel.nio.AbstractNioChannel$AbstractNioUnsafe.finishConnect", 334),
        c.lib("io.netty.channel.nio.NioEventLoop.processSelectedKey", 776),
        c.lib("io.netty.channel.nio.NioEventLoop.processSelectedKeysOptimized", 724),
        c.lib("io.netty.channel.nio.NioEventLoop.processSelectedKeys", 650),
        c.lib("io.netty.channel.nio.NioEventLoop.run", 562),
        c.lib("io.netty.util.concurrent.SingleThreadEventExecutor$4.run", 997),
        c.lib("io.netty.util.internal.ThreadExecutorMap$2.run", 74),
        c.lib("io.netty.util.concurrent.FastThreadLocalRunnable.run", 30),
        *c.jdk.thread_run(),
    ]
    annotated = Thrown(
        "io.netty.channel.AbstractChannel$AnnotatedConnectException",
        f"Connection refused: {host}/{c.pick(('127.0.0.1', '10.20.3.41'))}:{port}",
        [],
    )
    root = Thrown(CE, "Connection refused", throw)
    chain = [annotated, root] if c.chance(0.6) else [Thrown(annotated.cls, annotated.message, throw)]
    what = {6379: "Redis", 9092: "Kafka", 5672: "RabbitMQ", 9200: "Elasticsearch"}.get(port, "the service")
    return c.incident(
        chain,
        fault=StackFrame(site.cls, site.method, site.file, None, app=True),
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.t(
            f"The Netty client cannot connect to {what} at {host}:{port} (refused)",
            f"Netty 클라이언트가 {host}:{port}의 {what}에 연결 거부됨",
        ),
        fix=c.t(
            f"Start/check {what} and the configured host/port for this environment",
            f"{what} 기동 상태와 이 환경의 host/port 설정을 확인",
        ),
    )


@template("ConnectException", "ce.postgres_refused")
def postgres_refused(c: Ctx) -> Incident:
    host, port = c.host(), c.pick((5432, 5433))
    site = c.frame(c.pick(("repository", "config")))
    pg = [
        c.lib("org.postgresql.core.PGStream.createSocket", 241),
        c.lib("org.postgresql.core.PGStream.<init>", 98),
        c.lib("org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect", 109),
        c.lib("org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl", 235),
        c.lib("org.postgresql.core.ConnectionFactory.openConnection", 49),
        c.lib("org.postgresql.jdbc.PgConnection.<init>", 223),
        c.lib("org.postgresql.Driver.makeConnection", 402),
        c.lib("org.postgresql.Driver.connect", 261),
        c.lib("com.zaxxer.hikari.util.DriverDataSource.getConnection", 138),
        c.lib("com.zaxxer.hikari.pool.PoolBase.newConnection", 364),
        c.lib("com.zaxxer.hikari.pool.PoolBase.newPoolEntry", 206),
        c.lib("com.zaxxer.hikari.pool.HikariPool.createPoolEntry", 476),
        c.lib("com.zaxxer.hikari.pool.HikariPool.checkFailFast", 561),
        c.lib("com.zaxxer.hikari.pool.HikariPool.<init>", 115),
        c.lib("com.zaxxer.hikari.HikariDataSource.getConnection", 112),
    ]
    stack = c.call_stack([site], [*socket_connect(c), *pg])
    root = Thrown(CE, refused_message(c), stack)
    wrap = Wrap(
        "org.postgresql.util.PSQLException",
        f"Connection to {host}:{port} refused. Check that the hostname and port are correct and that the postmaster "
        "is accepting TCP/IP connections.",
        at="org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl",
        line_delta=84,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.t(
            f"PostgreSQL at {host}:{port} refuses connections (DB down, wrong port, listen_addresses)",
            f"{host}:{port}의 PostgreSQL이 연결을 거부 (DB 중지, 포트 오류, listen_addresses 설정)",
        ),
        fix=c.t(
            "Check the database is running and reachable from this host with the configured JDBC URL",
            "DB 기동 상태와 이 서버에서 설정된 JDBC URL로 접근 가능한지 확인",
        ),
    )


@template("ConnectException", "ce.no_route")
def no_route(c: Ctx) -> Incident:
    message = "No route to host (Host unreachable)" if c.jdk.version in (8, 11) else "No route to host"
    return net_incident(
        c,
        "java.net.NoRouteToHostException",
        message,
        socket_connect(c),
        "the network has no route to the host (wrong subnet, host down, firewall REJECT)",
        "대상 호스트로 가는 네트워크 경로가 없음 (서브넷 오류, 호스트 다운, 방화벽 REJECT)",
        "Check IP/routing and firewall rules between the hosts",
        "호스트 간 IP/라우팅과 방화벽 규칙 확인",
    )


@template("ConnectException", "ce.redis_chain", codebases=("bank",))
def redis_chain(c: Ctx) -> Incident:
    host = c.pick(("localhost", "redis-master.prod.svc.cluster.local", "10.20.3.55"))
    site = c.frame(c.pick(("support", "service", "repository")))
    io = [
        c.j("sun.nio.ch.SocketChannelImpl.checkConnect", native=True)
        if c.jdk.version <= 11
        else c.j("sun.nio.ch.Net.pollConnect", native=True),
        c.j("sun.nio.ch.SocketChannelImpl.finishConnect", (716, 779, 946, 941)),
        c.lib("io.netty.channel.socket.nio.NioSocketChannel.doFinishConnect", 337),
        c.lib("io.netty.channel.nio.AbstractNioChannel$AbstractNioUnsafe.finishConnect", 334),
        c.lib("io.netty.channel.nio.NioEventLoop.processSelectedKey", 776),
        c.lib("io.netty.channel.nio.NioEventLoop.run", 562),
        c.lib("io.netty.util.concurrent.SingleThreadEventExecutor$4.run", 997),
        *c.jdk.thread_run(),
    ]
    top_stack = c.call_stack(
        [site],
        [
            c.lib(
                "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory$SharedConnection.getNativeConnection",
                1689,
            ),
            c.lib("org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory.getConnection", 1261),
            c.lib("org.springframework.data.redis.core.RedisConnectionUtils.fetchConnection", 193),
            c.lib("org.springframework.data.redis.core.RedisTemplate.execute", 383),
            c.lib("org.springframework.data.redis.core.DefaultValueOperations.get", 58),
        ],
    )
    chain = [
        Thrown(
            "org.springframework.data.redis.RedisConnectionFailureException",
            "Unable to connect to Redis; nested exception is io.lettuce.core.RedisConnectionException: Unable to "
            "connect to " + f"{host}:6379",
            top_stack,
        ),
        Thrown(
            "io.lettuce.core.RedisConnectionException",
            f"Unable to connect to {host}:6379",
            [
                c.lib("io.lettuce.core.RedisConnectionException.create", 78),
                c.lib("io.lettuce.core.RedisConnectionException.create", 56),
                *top_stack[:3],
            ],
        ),
        Thrown(
            "io.netty.channel.AbstractChannel$AnnotatedConnectException",
            f"Connection refused: {host}/10.20.3.55:6379",
            [],
        ),
        Thrown(CE, "Connection refused", io),
    ]
    return c.incident(
        chain,
        top=[site],
        fault=site,
        cause=c.t(f"Redis at {host}:6379 refuses connections", f"{host}:6379의 Redis가 연결을 거부"),
        fix=c.t(
            "Check Redis is up and the spring.redis host/port for this environment",
            "Redis 기동 상태와 이 환경의 spring.redis host/port 확인",
        ),
    )


@template("ConnectException", "ce.connect_timeout_netty")
def connect_timeout_netty(c: Ctx) -> Incident:
    host = c.host()
    throw = [
        c.lib("io.netty.channel.nio.AbstractNioChannel$AbstractNioUnsafe$1.run", 263),
        c.lib("io.netty.util.concurrent.PromiseTask.runTask", 98),
        c.lib("io.netty.util.concurrent.ScheduledFutureTask.run", 170),
        c.lib("io.netty.util.concurrent.AbstractEventExecutor.safeExecute", 164),
        c.lib("io.netty.util.concurrent.SingleThreadEventExecutor.runAllTasks", 472),
        c.lib("io.netty.channel.nio.NioEventLoop.run", 500),
        c.lib("io.netty.util.concurrent.SingleThreadEventExecutor$4.run", 989),
        *c.jdk.thread_run(),
    ]
    owner = c.app(c.pick(("client", "gateway")))
    return c.incident(
        [
            Thrown(
                "io.netty.channel.ConnectTimeoutException",
                f"connection timed out: {host}/10.20.{c.randint(0, 9)}.{c.randint(2, 250)}:{c.port()}",
                throw,
            )
        ],
        fault=StackFrame(owner.fqcn, c.verb("client"), owner.file, None, app=True),
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.t(
            f"Netty could not open a connection to {host} within CONNECT_TIMEOUT_MILLIS",
            f"Netty가 CONNECT_TIMEOUT_MILLIS 내에 {host} 연결을 열지 못함",
        ),
        fix=c.t(
            "Check network reachability/firewall to the host and its health",
            "대상 호스트로의 네트워크/방화벽과 상태를 확인",
        ),
    )


# -------------------------------------------------------------------------------------------------- SocketException

SE = "java.net.SocketException"


@template("SocketException", "se.connection_reset")
def connection_reset(c: Ctx) -> Incident:
    if c.jdk.version <= 11:
        throw = [
            c.j("java.net.SocketInputStream.read", (210, 186, 0, 0)),
            c.j("java.net.SocketInputStream.read", (141, 140, 0, 0)),
        ]
    else:
        throw = [
            c.j("sun.nio.ch.NioSocketImpl.implRead", (0, 0, 323, 318)),
            c.j("sun.nio.ch.NioSocketImpl.read", (0, 0, 355, 346)),
            c.j("sun.nio.ch.NioSocketImpl$1.read", (0, 0, 808, 796)),
            c.j("java.net.Socket$SocketInputStream.read", (0, 0, 966, 1099)),
        ]
    if c.chance(0.5):
        throw += stacks.http_client_read(c)
    return net_incident(
        c,
        SE,
        "Connection reset",
        throw,
        "the peer (or a load balancer/firewall) reset the connection, often an idle pooled connection",
        "상대방(또는 L4/방화벽)이 연결을 리셋함, 주로 유휴 상태였던 풀 연결",
        "Evict idle connections before the LB idle timeout (validateAfterInactivity/keep-alive) and retry idempotent "
        "calls",
        "LB 유휴 타임아웃 전에 유휴 연결을 정리(validateAfterInactivity/keep-alive)하고 멱등 호출은 재시도",
    )


@template("SocketException", "se.broken_pipe")
def broken_pipe(c: Ctx) -> Incident:
    if c.jdk.version <= 11:
        throw = [
            c.j("java.net.SocketOutputStream.socketWrite0", native=True),
            c.j("java.net.SocketOutputStream.socketWrite", (111, 110, 0, 0)),
            c.j("java.net.SocketOutputStream.write", (155, 150, 0, 0)),
        ]
        message = "Broken pipe (Write failed)"
    else:
        throw = [
            c.j("sun.nio.ch.NioSocketImpl.implWrite", (0, 0, 420, 413)),
            c.j("sun.nio.ch.NioSocketImpl.write", (0, 0, 440, 433)),
            c.j("sun.nio.ch.NioSocketImpl$2.write", (0, 0, 826, 812)),
            c.j("java.net.Socket$SocketOutputStream.write", (0, 0, 1035, 1195)),
        ]
        message = "Broken pipe"
    return net_incident(
        c,
        SE,
        message,
        throw,
        "writes to a connection the peer already closed",
        "상대가 이미 닫은 연결에 데이터를 씀",
        "Detect closed connections (keep-alive/validation) and reconnect; check the peer's timeout",
        "연결 상태를 확인(keep-alive/검증)해 재연결하고 상대 타임아웃 확인",
        roles=("gateway", "client", "support"),
    )


@template("SocketException", "se.socket_closed")
def socket_closed(c: Ctx) -> Incident:
    if c.jdk.version <= 11:
        throw = [
            c.j("java.net.SocketInputStream.read", (204, 183, 0, 0)),
            c.j("java.net.SocketInputStream.read", (141, 140, 0, 0)),
        ]
        message = "Socket closed"
    else:
        throw = [
            c.j("sun.nio.ch.NioSocketImpl.endRead", (0, 0, 248, 243)),
            c.j("sun.nio.ch.NioSocketImpl.implRead", (0, 0, 327, 323)),
            c.j("sun.nio.ch.NioSocketImpl.read", (0, 0, 355, 346)),
            c.j("java.net.Socket$SocketInputStream.read", (0, 0, 966, 1099)),
        ]
        message = "Socket closed"
    return net_incident(
        c,
        SE,
        message,
        throw,
        "reads from a socket that another thread closed (shutdown/timeout handler)",
        "다른 스레드(종료/타임아웃 처리)가 닫은 소켓에서 읽음",
        "Coordinate close with readers (stop the reader first) and treat this as normal during shutdown",
        "읽는 스레드를 먼저 멈추고 소켓을 닫으며 종료 중 발생은 정상으로 처리",
        roles=("gateway", "client"),
    )


@template("SocketException", "se.bind", contexts=("main", "test"))
def bind(c: Ctx) -> Incident:
    port = c.pick((8080, 8443, 9090, 7001, 18080))
    if c.chance(0.5):
        throw = [
            c.j("sun.nio.ch.Net.bind0", native=True),
            c.j("sun.nio.ch.Net.bind", (433, 455, 555, 565)),
            c.j("sun.nio.ch.Net.bind", (425, 447, 544, 554)),
            c.j("sun.nio.ch.ServerSocketChannelImpl.bind", (223, 227, 344, 342)),
            c.j("sun.nio.ch.ServerSocketAdaptor.bind", (74, 80, 89, 88)),
        ]
        message = "Address already in use"
    else:
        throw = (
            [
                c.j("java.net.PlainSocketImpl.socketBind", native=True),
                c.j("java.net.AbstractPlainSocketImpl.bind", (387, 436, 0, 0)),
                c.j("java.net.ServerSocket.bind", (375, 386, 0, 0)),
                c.j("java.net.ServerSocket.<init>", (237, 248, 0, 0)),
            ]
            if c.jdk.version <= 11
            else [
                c.j("sun.nio.ch.Net.bind0", native=True),
                c.j("sun.nio.ch.Net.bind", (0, 0, 555, 565)),
                c.j("sun.nio.ch.NioSocketImpl.bind", (0, 0, 636, 714)),
                c.j("java.net.ServerSocket.bind", (0, 0, 391, 416)),
            ]
        )
        message = "Address already in use (Bind failed)" if c.jdk.version in (8, 11) else "Address already in use"
    return net_incident(
        c,
        "java.net.BindException",
        message,
        throw,
        f"port {port} is already taken by another process (old instance still running)",
        f"포트 {port}를 다른 프로세스가 사용 중 (이전 인스턴스 미종료)",
        "Stop the other process or configure a different port (server.port / random port in tests)",
        "다른 프로세스를 종료하거나 다른 포트(server.port, 테스트는 랜덤 포트)를 사용",
        roles=("config", "gateway", "support"),
    )


@template("SocketException", "se.unexpected_eof_server")
def unexpected_eof_server(c: Ctx) -> Incident:
    throw = [
        c.j("sun.net.www.http.HttpClient.parseHTTPHeader", (851, 866, 866, 879)),
        c.j("sun.net.www.http.HttpClient.parseHTTP", (678, 698, 690, 703)),
        c.j("sun.net.www.protocol.http.HttpURLConnection.getInputStream0", (1593, 1615, 1688, 1749)),
        c.j("sun.net.www.protocol.http.HttpURLConnection.getInputStream", (1498, 1520, 1589, 1665)),
    ]
    return net_incident(
        c,
        SE,
        "Unexpected end of file from server",
        throw,
        "the server closed the connection without sending an HTTP response",
        "서버가 HTTP 응답 없이 연결을 닫음",
        "Check the server/proxy logs (crash, TLS/plain mismatch, request too large) and retry idempotent calls",
        "서버/프록시 로그(장애, TLS/평문 불일치, 요청 크기)를 확인하고 멱등 호출은 재시도",
    )


@template("SocketException", "se.too_many_open_files")
def too_many_open_files(c: Ctx) -> Incident:
    throw = [
        c.j("sun.nio.ch.ServerSocketChannelImpl.accept0", native=True),
        c.j("sun.nio.ch.ServerSocketChannelImpl.accept", (422, 533, 424, 435)),
        c.j("sun.nio.ch.ServerSocketChannelImpl.accept", (250, 285, 391, 399)),
    ]
    return net_incident(
        c,
        SE,
        "Too many open files",
        throw,
        "the process ran out of file descriptors (leaked sockets/streams or a low ulimit)",
        "프로세스의 파일 디스크립터가 고갈됨 (소켓/스트림 누수 또는 낮은 ulimit)",
        "Close sockets/streams in finally/try-with-resources, find the leak (lsof), then raise ulimit -n if needed",
        "소켓/스트림을 try-with-resources로 닫고 누수를 찾은 뒤(lsof) 필요하면 ulimit -n 상향",
        roles=("gateway", "support"),
    )


@template("SocketException", "se.netty_reset")
def netty_reset(c: Ctx) -> Incident:
    message = c.pick(
        (
            "readAddress(..) failed: Connection reset by peer",
            "recvAddress(..) failed: Connection reset by peer",
            "syscall:read(..) failed: Connection reset by peer",
        )
    )
    owner = c.app(c.pick(("gateway", "client")))
    return c.incident(
        [Thrown("io.netty.channel.unix.Errors$NativeIoException", message, [])],
        fault=StackFrame(owner.fqcn, "channelRead0", owner.file, None, app=True),
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.t(
            "The remote side reset the connection while the epoll transport was reading",
            "epoll 전송 계층이 읽는 중 원격에서 연결을 리셋",
        ),
        fix=c.t(
            "Usually a client/LB closing idle connections: handle it in exceptionCaught and tune idle timeouts",
            "대개 클라이언트/LB의 유휴 연결 종료: exceptionCaught에서 처리하고 유휴 타임아웃을 조정",
        ),
    )


@template("SocketException", "se.network_unreachable")
def network_unreachable(c: Ctx) -> Incident:
    message = "Network is unreachable (connect failed)" if c.jdk.version in (8, 11) else "Network is unreachable"
    return net_incident(
        c,
        SE,
        message,
        socket_connect(c),
        "the host has no network route at all (IPv6 address without IPv6, interface down)",
        "네트워크 경로가 전혀 없음 (IPv6 미지원 환경의 IPv6 주소, 인터페이스 다운)",
        "Check the resolved address family (-Djava.net.preferIPv4Stack=true) and the host's network config",
        "해석된 주소 체계(-Djava.net.preferIPv4Stack=true)와 서버 네트워크 설정 확인",
    )


# ------------------------------------------------------------------------------------------- UnknownHostException

UHE = "java.net.UnknownHostException"


def dns_lookup(c: Ctx) -> list[StackFrame]:
    if c.jdk.version <= 8:
        return [
            c.j("java.net.Inet6AddressImpl.lookupAllHostAddr", native=True),
            c.j("java.net.InetAddress$2.lookupAllHostAddr", (929, 0, 0, 0)),
            c.j("java.net.InetAddress.getAddressesFromNameService", (1324, 0, 0, 0)),
            c.j("java.net.InetAddress.getAllByName0", (1277, 0, 0, 0)),
            c.j("java.net.InetAddress.getAllByName", (1193, 0, 0, 0)),
            c.j("java.net.InetAddress.getAllByName", (1127, 0, 0, 0)),
        ]
    if c.jdk.version in (11, 17):
        return [
            c.j("java.net.Inet6AddressImpl.lookupAllHostAddr", native=True),
            c.j("java.net.InetAddress$PlatformNameService.lookupAllHostAddr", (0, 929, 933, 0)),
            c.j("java.net.InetAddress.getAddressesFromNameService", (0, 1515, 1529, 0)),
            c.j("java.net.InetAddress$NameServiceAddresses.get", (0, 848, 852, 0)),
            c.j("java.net.InetAddress.getAllByName0", (0, 1505, 1519, 0)),
            c.j("java.net.InetAddress.getAllByName", (0, 1364, 1378, 0)),
            c.j("java.net.InetAddress.getAllByName", (0, 1298, 1312, 0)),
        ]
    return [
        c.j("java.net.Inet6AddressImpl.lookupAllHostAddr", native=True),
        c.j("java.net.Inet6AddressImpl.lookupAllHostAddr", 52),
        c.j("java.net.InetAddress$PlatformResolver.lookupByName", 1211),
        c.j("java.net.InetAddress.getAddressesFromNameService", 1828),
        c.j("java.net.InetAddress$NameServiceAddresses.get", 1139),
        c.j("java.net.InetAddress.getAllByName0", 1818),
        c.j("java.net.InetAddress.getAllByName", 1688),
        c.j("java.net.InetAddress.getAllByName", 1568),
    ]


def unknown_host(c: Ctx) -> str:
    return c.pick(
        (
            "core-banking.internal",
            "kftc-gw.bank.local",
            "partner-api.exmaple.com",
            "redis-master",
            "card-auth-svc.prod",
            f"{c.code.project}-server",
            "db-primary.internal",
            "mq01",
        )
    )


def dns_message(c: Ctx, host: str) -> str:
    return c.pick(
        (
            f"{host}: Name or service not known",
            f"{host}: Temporary failure in name resolution",
            host,
            f"{host}: nodename nor servname provided, or not known",
        )
    )


DNS_FIX = (
    "Check the host name in configuration (typo, environment) and DNS/hosts resolution from this server",
    "설정의 호스트명(오타, 환경별 값)과 이 서버의 DNS/hosts 해석을 확인",
)


@template("UnknownHostException", "uhe.http_client")
def uhe_http_client(c: Ctx) -> Incident:
    host = unknown_host(c)
    throw = [
        *dns_lookup(c),
        c.lib("org.apache.http.impl.conn.SystemDefaultDnsResolver.resolve", 45),
        c.lib("org.apache.http.impl.conn.DefaultHttpClientConnectionOperator.connect", 112),
        c.lib("org.apache.http.impl.conn.PoolingHttpClientConnectionManager.connect", 376),
        *stacks.http_client_execute(c),
    ]
    return net_incident(
        c,
        UHE,
        dns_message(c, host),
        throw,
        f"the host name {host} does not resolve",
        f"호스트명 {host}가 해석되지 않음",
        *DNS_FIX,
    )


@template("UnknownHostException", "uhe.socket_connect")
def uhe_socket_connect(c: Ctx) -> Incident:
    host = unknown_host(c)
    if c.jdk.version <= 11:
        throw = [
            c.j("java.net.AbstractPlainSocketImpl.connect", (184, 220, 0, 0)),
            c.j("java.net.SocksSocketImpl.connect", (392, 403, 0, 0)),
            c.j("java.net.Socket.connect", (589, 609, 0, 0)),
        ]
    else:
        throw = [
            c.j("sun.nio.ch.NioSocketImpl.connect", (0, 0, 567, 606)),
            c.j("java.net.SocksSocketImpl.connect", (0, 0, 327, 330)),
            c.j("java.net.Socket.connect", (0, 0, 633, 751)),
        ]
    return net_incident(
        c,
        UHE,
        host,
        throw,
        f"connects to the unresolved host {host}",
        f"해석되지 않은 호스트 {host}로 연결 시도",
        *DNS_FIX,
        roles=("gateway", "client"),
    )


@template("UnknownHostException", "uhe.resttemplate", codebases=("bank",))
def uhe_resttemplate(c: Ctx) -> Incident:
    host = unknown_host(c)
    url = f"https://{host}/api/v1/{c.code.module}"
    site = c.frame("client")
    stack = c.call_stack(
        [site],
        [
            *dns_lookup(c),
            c.lib("org.apache.http.impl.conn.SystemDefaultDnsResolver.resolve", 45),
            c.lib("org.apache.http.impl.conn.DefaultHttpClientConnectionOperator.connect", 112),
            *stacks.http_client_execute(c),
            *stacks.rest_template_http(c),
        ],
    )
    message = dns_message(c, host)
    root = Thrown(UHE, message, stack)
    wrap = Wrap(
        "org.springframework.web.client.ResourceAccessException",
        lambda inner: (
            f'I/O error on POST request for "{url}": {inner.message}; nested exception is {inner.to_string()}'
        ),
        at="org.springframework.web.client.RestTemplate.doExecute",
        line_delta=9,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.t(f"{host} in {url} does not resolve", f"{url}의 {host}가 해석되지 않음"),
        fix=c.t(*DNS_FIX),
    )


@template("UnknownHostException", "uhe.jdbc_url", codebases=("bank",))
def uhe_jdbc_url(c: Ctx) -> Incident:
    host = c.pick(("db-primary.internal", "ledger-db.prod.local", "mysql-master", "oracle-scan.bank.local"))
    site = c.frame(c.pick(("repository", "config")))
    stack = c.call_stack(
        [site],
        [
            *dns_lookup(c),
            c.lib("com.mysql.cj.protocol.StandardSocketFactory.connect", 130),
            c.lib("com.mysql.cj.protocol.a.NativeSocketConnection.connect", 63),
            c.lib("com.mysql.cj.NativeSession.connect", 120),
            c.lib("com.mysql.cj.jdbc.ConnectionImpl.connectOneTryOnly", 948),
            c.lib("com.mysql.cj.jdbc.ConnectionImpl.createNewIO", 818),
            c.lib("com.mysql.cj.jdbc.ConnectionImpl.<init>", 448),
            c.lib("com.mysql.cj.jdbc.NonRegisteringDriver.connect", 198),
            c.lib("com.zaxxer.hikari.util.DriverDataSource.getConnection", 138),
            c.lib("com.zaxxer.hikari.pool.PoolBase.newConnection", 364),
            c.lib("com.zaxxer.hikari.pool.HikariPool.<init>", 115),
            c.lib("com.zaxxer.hikari.HikariDataSource.getConnection", 112),
        ],
    )
    message = dns_message(c, host)
    root = Thrown(UHE, message, stack)
    wrap = Wrap(
        "com.mysql.cj.jdbc.exceptions.CommunicationsException",
        "Communications link failure\n\nThe last packet sent successfully to the server was 0 milliseconds ago. "
        "The driver has not received any packets from the server.",
        at="com.mysql.cj.jdbc.ConnectionImpl.createNewIO",
        line_delta=10,
        top=[
            c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException", 174),
            c.lib("com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException", 64),
        ],
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.t(f"The JDBC URL's host {host} does not resolve", f"JDBC URL의 호스트 {host}가 해석되지 않음"),
        fix=c.t(*DNS_FIX),
    )


@template("UnknownHostException", "uhe.netty_resolver")
def uhe_netty_resolver(c: Ctx) -> Incident:
    host = unknown_host(c)
    throw = [
        c.lib("io.netty.resolver.dns.DnsResolveContext.finishResolve", 1047),
        c.lib("io.netty.resolver.dns.DnsResolveContext.tryToFinishResolve", 1000),
        c.lib("io.netty.resolver.dns.DnsResolveContext.query", 418),
        c.lib("io.netty.resolver.dns.DnsResolveContext.onResponse", 625),
        c.lib("io.netty.resolver.dns.DnsResolveContext.access$400", 66),
        c.lib("io.netty.resolver.dns.DnsResolveContext$2.operationComplete", 482),
        c.lib("io.netty.util.concurrent.DefaultPromise.notifyListener0", 590),
        c.lib("io.netty.util.concurrent.DefaultPromise.notifyListeners", 557),
        c.lib("io.netty.channel.nio.NioEventLoop.run", 500),
        c.lib("io.netty.util.concurrent.SingleThreadEventExecutor$4.run", 989),
        *c.jdk.thread_run(),
    ]
    owner = c.app(c.pick(("client", "gateway", "support")))
    return c.incident(
        [Thrown(UHE, f"failed to resolve '{host}' after {c.pick((2, 4, 6))} queries ", throw)],
        fault=StackFrame(owner.fqcn, c.verb("client"), owner.file, None, app=True),
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.t(f"Netty's DNS resolver could not resolve {host}", f"Netty DNS 리졸버가 {host}를 해석하지 못함"),
        fix=c.t(*DNS_FIX),
    )


@template("UnknownHostException", "uhe.unresolved_address")
def unresolved_address(c: Ctx) -> Incident:
    throw = [
        c.j("sun.nio.ch.Net.checkAddress", (101, 127, 149, 156)),
        c.j("sun.nio.ch.SocketChannelImpl.connect", (622, 654, 838, 843)),
    ]
    return net_incident(
        c,
        "java.nio.channels.UnresolvedAddressException",
        None,
        throw,
        "connects a SocketChannel to an InetSocketAddress whose host did not resolve",
        "해석되지 않은 InetSocketAddress로 SocketChannel 연결",
        *DNS_FIX,
        roles=("gateway", "client", "support"),
    )


@template("UnknownHostException", "uhe.kafka_bootstrap", codebases=("bank",), contexts=("main", "kafka", "web"))
def kafka_bootstrap(c: Ctx) -> Incident:
    host = c.pick(("kafka-1.internal", "broker01.bank.local", "kafka.prod.svc"))
    throw = [
        *dns_lookup(c),
        c.lib("org.apache.kafka.clients.DefaultHostResolver.resolve", 27),
        c.lib("org.apache.kafka.clients.ClientUtils.resolve", 110),
        c.lib("org.apache.kafka.clients.ClusterConnectionStates$NodeConnectionState.currentAddress", 511),
        c.lib("org.apache.kafka.clients.ClusterConnectionStates$NodeConnectionState.access$200", 468),
        c.lib("org.apache.kafka.clients.ClusterConnectionStates.currentAddress", 173),
        c.lib("org.apache.kafka.clients.NetworkClient.initiateConnect", 984),
        c.lib("org.apache.kafka.clients.NetworkClient.ready", 301),
        c.lib("org.apache.kafka.clients.producer.internals.Sender.sendProducerData", 354),
    ]
    return net_incident(
        c,
        UHE,
        f"{host}: Name or service not known",
        throw,
        f"the Kafka bootstrap/advertised host {host} does not resolve from here",
        f"Kafka bootstrap/advertised 호스트 {host}가 이 서버에서 해석되지 않음",
        "Fix bootstrap.servers or the brokers' advertised.listeners so clients get resolvable names",
        "bootstrap.servers 또는 브로커 advertised.listeners를 클라이언트가 해석 가능한 이름으로 수정",
        roles=("config", "support"),
    )


@template("UnknownHostException", "uhe.url_connection")
def uhe_url_connection(c: Ctx) -> Incident:
    host = unknown_host(c)
    throw = [
        c.j("java.net.AbstractPlainSocketImpl.connect", (184, 220, 0, 0))
        if c.jdk.version <= 11
        else c.j("sun.nio.ch.NioSocketImpl.connect", (0, 0, 567, 606)),
        c.j("java.net.Socket.connect", (589, 609, 633, 751)),
        c.j("sun.net.NetworkClient.doConnect", (175, 177, 183, 183)),
        c.j("sun.net.www.http.HttpClient.openServer", (463, 474, 498, 533)),
        c.j("sun.net.www.http.HttpClient.openServer", (558, 569, 603, 638)),
        c.j("sun.net.www.http.HttpClient.<init>", (242, 242, 246, 280)),
        c.j("sun.net.www.http.HttpClient.New", (339, 341, 351, 386)),
        c.j("sun.net.www.protocol.http.HttpURLConnection.connect", (1023, 1025, 1162, 1246)),
    ]
    return net_incident(
        c,
        UHE,
        host,
        throw,
        f"HttpURLConnection cannot resolve {host}",
        f"HttpURLConnection이 {host}를 해석하지 못함",
        *DNS_FIX,
    )


# --------------------------------------------------------------------------------------------- RestClientException

WEB = "org.springframework.web.client"


def error_handler(c: Ctx, exception: str) -> list[StackFrame]:
    create = (
        f"{WEB}.HttpClientErrorException.create"
        if "ClientError" in exception
        else f"{WEB}.HttpServerErrorException.create"
    )
    return [
        c.lib(create, c.pick((101, 118, 139))),
        c.lib(f"{WEB}.DefaultResponseErrorHandler.handleError", c.pick((186, 168))),
        c.lib(f"{WEB}.DefaultResponseErrorHandler.handleError", c.pick((125, 122))),
        c.lib(f"{WEB}.ResponseErrorHandler.handleError", 63),
        c.lib(f"{WEB}.RestTemplate.handleResponse", c.pick((819, 825))),
        c.lib(f"{WEB}.RestTemplate.doExecute", c.pick((777, 783))),
        *stacks.rest_template(c, c.pick(("exchange", "postForObject", "getForObject", "postForEntity"))),
    ]


def status_body(c: Ctx, status: int) -> str:
    bodies = {
        400: '{"code":"INVALID_PARAMETER","message":"amount must be positive"}',
        401: '{"error":"invalid_token"}',
        403: '{"code":"FORBIDDEN"}',
        404: '{"code":"ACCOUNT_NOT_FOUND","message":"계좌가 존재하지 않습니다"}',
        409: '{"code":"DUPLICATE_REQUEST"}',
        429: '{"message":"Too Many Requests"}',
        500: "[no body]",
        502: "<html><body>Bad Gateway</body></html>",
        503: '{"status":503,"error":"Service Unavailable"}',
        504: "[no body]",
    }
    return bodies[status]


REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
INNER = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


def rest_status(c: Ctx, statuses: tuple[int, ...], what_en: str, what_ko: str, fix_en: str, fix_ko: str) -> Incident:
    status = c.pick(statuses)
    base = f"{WEB}.HttpClientErrorException" if status < 500 else f"{WEB}.HttpServerErrorException"
    exception = f"{base}${INNER[status]}" if c.chance(0.7) else base
    body = status_body(c, status)
    quoted = body if body == "[no body]" else f'"{body}"'  # Spring 5.3 quotes the body, 5.2 brackets it
    message = c.pick((f"{status} {REASONS[status]}: {quoted}", f"{status} : [{body}]", f"{status} {REASONS[status]}"))
    site = c.frame(c.pick(("client", "service")))
    return c.fail(
        exception,
        message,
        [site],
        error_handler(c, base),
        cause=c.t(
            f"{site.method}: the downstream API answered {status} {REASONS[status]} ({what_en})",
            f"{site.method}: 하위 API가 {status} {REASONS[status]}로 응답 ({what_ko})",
        ),
        fix=c.t(fix_en, fix_ko),
    )


@template("RestClientException", "rce.client_error_4xx")
def client_error_4xx(c: Ctx) -> Incident:
    return rest_status(
        c,
        (400, 409, 429),
        "the request was rejected as invalid/duplicate/throttled",
        "요청이 잘못됨/중복/호출 제한으로 거부됨",
        "Read the error body, fix the request payload/idempotency key, and back off on 429",
        "오류 본문을 보고 요청 내용/멱등키를 수정하고 429는 지연 후 재시도",
    )


@template("RestClientException", "rce.not_found")
def not_found(c: Ctx) -> Incident:
    return rest_status(
        c,
        (404,),
        "the resource or the endpoint path does not exist",
        "리소스 또는 엔드포인트 경로가 없음",
        "Check the endpoint path/version and handle 'not found' as a business case instead of an error",
        "엔드포인트 경로/버전을 확인하고 '없음'은 오류가 아닌 업무 케이스로 처리",
    )


@template("RestClientException", "rce.auth_error")
def auth_error(c: Ctx) -> Incident:
    return rest_status(
        c,
        (401, 403),
        "the credentials/token sent to the API are missing, expired or lack rights",
        "API에 보낸 자격 증명/토큰이 없거나 만료되었거나 권한이 부족",
        "Refresh the client token/API key for this environment and check its scopes",
        "이 환경의 클라이언트 토큰/API 키를 갱신하고 권한 범위 확인",
    )


@template("RestClientException", "rce.server_error_5xx")
def server_error_5xx(c: Ctx) -> Incident:
    return rest_status(
        c,
        (500, 502, 503, 504),
        "the downstream service failed or its gateway could not reach it",
        "하위 서비스 장애 또는 게이트웨이가 서비스에 도달 못함",
        "Check the downstream service's health/logs; retry idempotent calls with back-off and use a circuit breaker",
        "하위 서비스 상태/로그를 확인하고 멱등 호출은 백오프 재시도, 서킷 브레이커 적용",
    )


@template("RestClientException", "rce.feign_status", codebases=("bank",))
def feign_status(c: Ctx) -> Incident:
    status = c.pick((400, 404, 500, 503))
    client = c.app("client", f"{c.pick(('Account', 'Partner', 'Ledger', 'Card'))}Client")
    method = c.verb("client")
    url = c.url()
    kind = {400: "BadRequest", 404: "NotFound", 500: "InternalServerError", 503: "ServiceUnavailable"}[status]
    message = (
        f"[{status} {REASONS[status]}] during [POST] to [{url}] [{client.simple}#{method}(String)]: "
        f"[{status_body(c, status)}]"
    )
    proxy = (
        f"jdk.proxy2.$Proxy{c.randint(90, 250)}" if c.jdk.at_least(17) else f"com.sun.proxy.$Proxy{c.randint(90, 250)}"
    )
    throw = [
        c.lib(
            "feign.FeignException.clientErrorStatus" if status < 500 else "feign.FeignException.serverErrorStatus",
            c.pick((219, 250)),
        ),
        c.lib("feign.FeignException.errorStatus", 194),
        c.lib("feign.FeignException.errorStatus", 185),
        c.lib("feign.codec.ErrorDecoder$Default.decode", 92),
        c.lib("feign.AsyncResponseHandler.handleResponse", 98),
        c.lib("feign.SynchronousMethodHandler.executeAndDecode", 141),
        c.lib("feign.SynchronousMethodHandler.invoke", 91),
        c.lib("feign.ReflectiveFeign$FeignInvocationHandler.invoke", 100),
        StackFrame(proxy, method),
    ]
    site = c.frame("service")
    return c.fail(
        f"feign.FeignException${kind}",
        message,
        [site],
        throw,
        cause=c.t(
            f"{client.simple}.{method} got {status} from {url}",
            f"{client.simple}.{method} 호출이 {url}에서 {status} 응답을 받음",
        ),
        fix=c.t(
            "Handle the status per API contract (ErrorDecoder mapping) and check the downstream for 5xx",
            "API 규약에 따라 상태 코드를 처리(ErrorDecoder 매핑)하고 5xx는 하위 서비스 점검",
        ),
    )


@template("RestClientException", "rce.unknown_content_type")
def unknown_content_type(c: Ctx) -> Incident:
    target = c.app("domain", f"{c.type_name()}Response").fqcn
    message = (
        f"Could not extract response: no suitable HttpMessageConverter found for response type [class {target}] "
        "and content type "
        f"[{c.pick(('text/html;charset=UTF-8', 'text/plain', 'application/octet-stream', 'application/xml'))}]"
    )
    throw = [
        c.lib(f"{WEB}.HttpMessageConverterExtractor.extractData", c.pick((126, 121))),
        c.lib(f"{WEB}.RestTemplate$ResponseEntityResponseExtractor.extractData", 1037),
        c.lib(f"{WEB}.RestTemplate$ResponseEntityResponseExtractor.extractData", 1020),
        c.lib(f"{WEB}.RestTemplate.doExecute", 778),
        *stacks.rest_template(c),
    ]
    site = c.frame(c.pick(("client", "service")))
    return c.fail(
        f"{WEB}.UnknownContentTypeException",
        message,
        [site],
        throw,
        cause=c.t(
            f"{site.method}: the API answered a non-JSON content type (an HTML error page / gateway page)",
            f"{site.method}: API가 JSON이 아닌 콘텐츠 타입(HTML 오류/게이트웨이 페이지)으로 응답",
        ),
        fix=c.t(
            "Check the status and body actually returned (proxy/gateway errors) and handle non-JSON responses",
            "실제 반환된 상태/본문(프록시/게이트웨이 오류)을 확인하고 JSON이 아닌 응답을 처리",
        ),
    )


@template("RestClientException", "rce.no_converter_request")
def no_converter_request(c: Ctx) -> Incident:
    target = c.app("domain", f"{c.type_name()}Request").fqcn
    message = (
        f"No HttpMessageConverter for {target} and content type "
        f'"{c.pick(("application/x-www-form-urlencoded", "text/plain", "multipart/form-data"))}"'
    )
    throw = [
        c.lib(f"{WEB}.RestTemplate$HttpEntityRequestCallback.doWithRequest", c.pick((1000, 1013))),
        c.lib(f"{WEB}.RestTemplate.doExecute", 774),
        *stacks.rest_template(c, "postForEntity"),
    ]
    site = c.frame(c.pick(("client", "service")))
    return c.fail(
        f"{WEB}.RestClientException",
        message,
        [site],
        throw,
        cause=c.t(
            f"{site.method}: RestTemplate cannot write the request object with the chosen content type",
            f"{site.method}: RestTemplate이 지정된 콘텐츠 타입으로 요청 객체를 쓸 수 없음",
        ),
        fix=c.t(
            "Send a MultiValueMap for form posts, or set Content-Type: application/json for objects",
            "폼 전송은 MultiValueMap을 쓰고 객체는 Content-Type: application/json으로 전송",
        ),
    )


@template("RestClientException", "rce.webclient_status", min_jdk=8)
def webclient_status(c: Ctx) -> Incident:
    status = c.pick((400, 404, 500, 502, 503))
    url = c.url()
    reactive = "org.springframework.web.reactive.function.client"
    throw = [
        c.lib(f"{reactive}.WebClientResponseException.create", c.pick((217, 307))),
        c.lib(f"{reactive}.DefaultClientResponse.lambda$createException$1", 207),
        c.lib("reactor.core.publisher.FluxMap$MapSubscriber.onNext", 106),
        c.lib("reactor.core.publisher.FluxOnAssembly$OnAssemblySubscriber.onNext", 539),
        c.lib("reactor.core.publisher.Operators$MonoSubscriber.complete", 1816),
        c.lib("reactor.core.publisher.MonoCollect$CollectSubscriber.onComplete", 159),
        c.lib("reactor.netty.channel.FluxReceive.onInboundComplete", 389),
        c.lib("reactor.netty.channel.ChannelOperations.onInboundComplete", 400),
        c.lib("reactor.netty.http.client.HttpClientOperations.onInboundNext", 719),
        c.lib("reactor.netty.channel.ChannelOperationsHandler.channelRead", 93),
        c.lib("io.netty.channel.AbstractChannelHandlerContext.invokeChannelRead", 379),
        c.lib("io.netty.channel.nio.NioEventLoop.run", 562),
        c.lib("io.netty.util.concurrent.SingleThreadEventExecutor$4.run", 997),
        *c.jdk.thread_run(),
    ]
    owner = c.app(c.pick(("client", "service")))
    return c.incident(
        [
            Thrown(
                f"{reactive}.WebClientResponseException${INNER[status]}",
                f"{status} {REASONS[status]} from POST {url}",
                throw,
            )
        ],
        fault=StackFrame(owner.fqcn, c.verb("client"), owner.file, None, app=True),
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.t(
            f"The WebClient call from {owner.simple} to {url} returned {status}",
            f"{owner.simple}의 WebClient 호출이 {url}에서 {status} 응답",
        ),
        fix=c.t(
            "Handle error statuses with onStatus/onErrorResume and check the downstream service",
            "onStatus/onErrorResume로 오류 상태를 처리하고 하위 서비스 확인",
        ),
    )
