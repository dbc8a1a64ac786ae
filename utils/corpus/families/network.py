"""Network: SocketTimeoutException (read/connect timeouts), ConnectException (refused / unreachable), SocketException
(reset, broken pipe, closed, bind), UnknownHostException (DNS) and RestClientException (HTTP error statuses).

The regular templates are declared in utils/corpus/templates/network.yaml (through the socket, DNS and HTTP client
helpers here); these build wrapped client exceptions, Netty/Redis chains and HTTP status errors by hand."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template
from utils.corpus.tables import tables

helper("http_client_read")(stacks.http_client_read)
helper("http_client_execute")(stacks.http_client_execute)


@helper("socket_read")
def socket_read(c: Ctx) -> list[StackFrame]:
    if c.jdk.version <= 11:
        return c.chain("network.socket_read.result_2")
    return c.chain("network.socket_read.result")


@helper("socket_connect")
def socket_connect(c: Ctx, timed_out: bool = False) -> list[StackFrame]:
    if c.jdk.version <= 11:
        return c.chain("network.socket_connect.result")
    first = (
        c.j("sun.nio.ch.NioSocketImpl.timedFinishConnect", (0, 0, 546, 589))
        if timed_out
        else c.j("sun.nio.ch.Net.pollConnect", native=True)
    )
    frames = (
        [first]
        if timed_out
        else [first, *c.chain("network.socket_connect.frames")]
    )
    return frames + c.chain("network.socket_connect.result_2")


@helper("http_connect")
def http_connect(c: Ctx) -> list[StackFrame]:
    return [*c.chain("network.http_connect.result"), *stacks.http_client_execute(c)]


@helper("refused_message")
def refused_message(c: Ctx) -> str:
    return "Connection refused (Connection refused)" if c.jdk.version in (8, 11) else "Connection refused"


# ------------------------------------------------------------------------------------------- SocketTimeoutException

STE = "java.net.SocketTimeoutException"


@template("SocketTimeoutException", "ste.resttemplate_read", codebases=("bank",))
def resttemplate_read(c: Ctx) -> Incident:
    url = c.url()
    site = c.frame("client")
    stack = c.call_stack([site], [*socket_read(c), *stacks.http_client_read(c), *stacks.rest_template_http(c)])
    root = Thrown(STE, "Read timed out", stack)
    wrap = Wrap(
        "org.springframework.web.client.ResourceAccessException",
        lambda inner: (
            c.message(".wrap", choice=c.pick(("POST", "GET")), url=url, inner_to_string=inner.to_string())
        ),
        at="org.springframework.web.client.RestTemplate.doExecute",
        line_delta=9,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.text(".cause", url=url),
        fix=c.text("network.read_timeout_fix"),
    )


@template("SocketTimeoutException", "ste.jdbc_read", codebases=("bank",))
def jdbc_read(c: Ctx) -> Incident:
    site = c.frame("repository")
    mysql_io = [*socket_read(c), *c.chain(".mysql_io")]
    stack = c.call_stack([site], mysql_io)
    millis = c.pick((30012, 60007, 10004, 5002))
    root = Thrown(STE, "Read timed out", stack)
    wraps = [
        Wrap(
            "com.mysql.cj.exceptions.CJCommunicationsException",
            c.message(".wraps", millis=millis),
            at="com.mysql.cj.protocol.a.NativeProtocol.readMessage",
            line_delta=12,
            top=c.chain(".top"),
        ),
        Wrap(
            "com.mysql.cj.jdbc.exceptions.CommunicationsException",
            lambda inner: inner.message,
            at="com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal",
            line_delta=23,
            top=c.chain("uhe.jdbc_url.top"),
        ),
    ]
    return c.incident(
        [root],
        wraps=wraps,
        top=[site],
        cause=c.text(".cause", site=site, millis=millis),
        fix=c.text(".fix"),
    )


@template("SocketTimeoutException", "ste.feign", codebases=("bank",))
def feign(c: Ctx) -> Incident:
    site = c.frame("service")
    client = c.app("client", f"{c.pick(('Account', 'Partner', 'Ledger', 'Rate'))}Client")
    proxy = (
        f"jdk.proxy2.$Proxy{c.randint(90, 250)}" if c.jdk.at_least(17) else f"com.sun.proxy.$Proxy{c.randint(90, 250)}"
    )
    method = c.verb("client")
    feign_frames = [*c.chain(".feign_frames"), StackFrame(proxy, method)]
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
        cause=c.text(".cause", client=client, method=method, url=url),
        fix=c.text("network.read_timeout_fix"),
    )


# ------------------------------------------------------------------------------------------------- ConnectException

CE = "java.net.ConnectException"


@template("ConnectException", "ce.http_host_connect")
def http_host_connect(c: Ctx) -> Incident:
    host, port = c.host(), c.port()
    site = c.frame("client")
    stack = c.call_stack([site], [*socket_connect(c), *http_connect(c)])
    root = Thrown(CE, refused_message(c), stack)
    wrap = Wrap(
        "org.apache.http.conn.HttpHostConnectException",
        lambda inner: (
            c.message(
                ".wrap",
                host=host,
                port=port,
                choice=c.pick(('127.0.0.1', '10.20.3.41', '172.16.8.12')),
                inner=inner,
            )
        ),
        at="org.apache.http.impl.conn.DefaultHttpClientConnectionOperator.connect",
        line_delta=17,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.text(".cause", host=host, port=port),
        fix=c.text("network.refused_fix"),
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
        cause=c.text(".cause", url=url),
        fix=c.text("network.refused_fix"),
    )


@template("ConnectException", "ce.netty_annotated", min_jdk=8)
def netty_annotated(c: Ctx) -> Incident:
    host, port = c.host(), c.pick((6379, 9092, 8080, 5672, 9200))
    site = c.frame(c.pick(("client", "config", "support")))
    throw = [
        c.j("sun.nio.ch.SocketChannelImpl.checkConnect", native=True)
        if c.jdk.version <= 11
        else c.j("sun.nio.ch.Net.pollConnect", native=True),
        *c.chain(".throw"),
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
        cause=c.text(".cause", what=what, host=host, port=port),
        fix=c.text(".fix", what=what),
    )


@template("ConnectException", "ce.postgres_refused")
def postgres_refused(c: Ctx) -> Incident:
    host, port = c.host(), c.pick((5432, 5433))
    site = c.frame(c.pick(("repository", "config")))
    pg = c.chain(".pg")
    stack = c.call_stack([site], [*socket_connect(c), *pg])
    root = Thrown(CE, refused_message(c), stack)
    wrap = Wrap(
        "org.postgresql.util.PSQLException",
        c.message(".wrap", host=host, port=port),
        at="org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl",
        line_delta=84,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.text(".cause", host=host, port=port),
        fix=c.text(".fix"),
    )


@template("ConnectException", "ce.redis_chain", codebases=("bank",))
def redis_chain(c: Ctx) -> Incident:
    host = c.pick(("localhost", "redis-master.prod.svc.cluster.local", "10.20.3.55"))
    site = c.frame(c.pick(("support", "service", "repository")))
    io = [
        c.j("sun.nio.ch.SocketChannelImpl.checkConnect", native=True)
        if c.jdk.version <= 11
        else c.j("sun.nio.ch.Net.pollConnect", native=True),
        *c.chain(".io"),
        *c.jdk.thread_run(),
    ]
    top_stack = c.call_stack([site], c.chain(".top_stack"))
    chain = [
        Thrown(
            "org.springframework.data.redis.RedisConnectionFailureException",
            c.message(".chain_2") + f"{host}:6379",
            top_stack,
        ),
        Thrown(
            "io.lettuce.core.RedisConnectionException",
            f"Unable to connect to {host}:6379",
            [*c.chain(".chain"), *top_stack[:3]],
        ),
        Thrown(
            "io.netty.channel.AbstractChannel$AnnotatedConnectException",
            f"Connection refused: {host}/10.20.3.55:6379",
            [],
        ),
        Thrown(CE, "Connection refused", io),
    ]
    return c.incident(chain, top=[site], fault=site, cause=c.text(".cause", host=host), fix=c.text(".fix"))


@template("ConnectException", "ce.connect_timeout_netty")
def connect_timeout_netty(c: Ctx) -> Incident:
    host = c.host()
    throw = [*c.chain(".throw"), *c.jdk.thread_run()]
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
        cause=c.text(".cause", host=host),
        fix=c.text(".fix"),
    )


# -------------------------------------------------------------------------------------------------- SocketException


@template("SocketException", "se.netty_reset")
def netty_reset(c: Ctx) -> Incident:
    message = c.pick(c.values(".message"))
    owner = c.app(c.pick(("gateway", "client")))
    return c.incident(
        [Thrown("io.netty.channel.unix.Errors$NativeIoException", message, [])],
        fault=StackFrame(owner.fqcn, "channelRead0", owner.file, None, app=True),
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


# ------------------------------------------------------------------------------------------- UnknownHostException

UHE = "java.net.UnknownHostException"


@helper("dns_lookup")
def dns_lookup(c: Ctx) -> list[StackFrame]:
    if c.jdk.version <= 8:
        return c.chain("network.dns_lookup.result_2")
    if c.jdk.version in (11, 17):
        return c.chain("network.dns_lookup.result_3")
    return c.chain("network.dns_lookup.result")


@helper("unknown_host")
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


@helper("dns_message")
def dns_message(c: Ctx, host: str) -> str:
    return c.pick(
        (
            f"{host}: Name or service not known",
            f"{host}: Temporary failure in name resolution",
            host,
            f"{host}: nodename nor servname provided, or not known",
        )
    )


@template("UnknownHostException", "uhe.resttemplate", codebases=("bank",))
def uhe_resttemplate(c: Ctx) -> Incident:
    host = unknown_host(c)
    url = f"https://{host}/api/v1/{c.code.module}"
    site = c.frame("client")
    stack = c.call_stack(
        [site],
        [*dns_lookup(c), *c.chain(".stack"), *stacks.http_client_execute(c), *stacks.rest_template_http(c)],
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
        cause=c.text(".cause", host=host, url=url),
        fix=c.text("network.dns_fix"),
    )


@template("UnknownHostException", "uhe.jdbc_url", codebases=("bank",))
def uhe_jdbc_url(c: Ctx) -> Incident:
    host = c.pick(("db-primary.internal", "ledger-db.prod.local", "mysql-master", "oracle-scan.bank.local"))
    site = c.frame(c.pick(("repository", "config")))
    stack = c.call_stack([site], [*dns_lookup(c), *c.chain(".stack")])
    message = dns_message(c, host)
    root = Thrown(UHE, message, stack)
    wrap = Wrap(
        "com.mysql.cj.jdbc.exceptions.CommunicationsException",
        c.message(".wrap"),
        at="com.mysql.cj.jdbc.ConnectionImpl.createNewIO",
        line_delta=10,
        top=c.chain(".top"),
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.text(".cause", host=host),
        fix=c.text("network.dns_fix"),
    )


@template("UnknownHostException", "uhe.netty_resolver")
def uhe_netty_resolver(c: Ctx) -> Incident:
    host = unknown_host(c)
    throw = [*c.chain(".throw"), *c.jdk.thread_run()]
    owner = c.app(c.pick(("client", "gateway", "support")))
    return c.incident(
        [Thrown(UHE, f"failed to resolve '{host}' after {c.pick((2, 4, 6))} queries ", throw)],
        fault=StackFrame(owner.fqcn, c.verb("client"), owner.file, None, app=True),
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.text(".cause", host=host),
        fix=c.text("network.dns_fix"),
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


REASONS = tables().maps["http.reason_phrase"]
INNER = tables().maps["http.status_exception"]


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
        cause=c.text(
            "network.rest_status.cause",
            site=site,
            status=status,
            REASONS_status=REASONS[status],
            what_en=what_en,
            what_ko=what_ko,
        ),
        fix=c.t(fix_en, fix_ko),
    )


@template("RestClientException", "rce.client_error_4xx")
def client_error_4xx(c: Ctx) -> Incident:
    return rest_status(c, (400, 409, 429), *c.pair(".what"), *c.pair(".fix"))


@template("RestClientException", "rce.not_found")
def not_found(c: Ctx) -> Incident:
    return rest_status(c, (404,), *c.pair(".what"), *c.pair(".fix"))


@template("RestClientException", "rce.auth_error")
def auth_error(c: Ctx) -> Incident:
    return rest_status(c, (401, 403), *c.pair(".what"), *c.pair(".fix"))


@template("RestClientException", "rce.server_error_5xx")
def server_error_5xx(c: Ctx) -> Incident:
    return rest_status(c, (500, 502, 503, 504), *c.pair(".what"), *c.pair(".fix"))


@template("RestClientException", "rce.feign_status", codebases=("bank",))
def feign_status(c: Ctx) -> Incident:
    status = c.pick((400, 404, 500, 503))
    client = c.app("client", f"{c.pick(('Account', 'Partner', 'Ledger', 'Card'))}Client")
    method = c.verb("client")
    url = c.url()
    kind = {400: "BadRequest", 404: "NotFound", 500: "InternalServerError", 503: "ServiceUnavailable"}[status]
    message = (
        c.message(
            ".message",
            status=status,
            REASONS_status=REASONS[status],
            url=url,
            client=client,
            method=method,
            status_body=status_body(c, status),
        )
    )
    proxy = (
        f"jdk.proxy2.$Proxy{c.randint(90, 250)}" if c.jdk.at_least(17) else f"com.sun.proxy.$Proxy{c.randint(90, 250)}"
    )
    throw = [
        c.lib(
            "feign.FeignException.clientErrorStatus" if status < 500 else "feign.FeignException.serverErrorStatus",
            c.pick((219, 250)),
        ),
        *c.chain(".throw"),
        StackFrame(proxy, method),
    ]
    site = c.frame("service")
    return c.fail(
        f"feign.FeignException${kind}",
        message,
        [site],
        throw,
        cause=c.text(".cause", client=client, method=method, status=status, url=url),
        fix=c.text(".fix"),
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
        *c.chain(".throw"),
        *stacks.rest_template(c),
    ]
    site = c.frame(c.pick(("client", "service")))
    return c.fail(
        f"{WEB}.UnknownContentTypeException",
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site),
        fix=c.text(".fix"),
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
        cause=c.text(".cause", site=site),
        fix=c.text(".fix"),
    )


@template("RestClientException", "rce.webclient_status", min_jdk=8)
def webclient_status(c: Ctx) -> Incident:
    status = c.pick((400, 404, 500, 502, 503))
    url = c.url()
    reactive = "org.springframework.web.reactive.function.client"
    throw = [
        c.lib(f"{reactive}.WebClientResponseException.create", c.pick((217, 307))),
        c.lib(f"{reactive}.DefaultClientResponse.lambda$createException$1", 207),
        *c.chain(".throw"),
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
        cause=c.text(".cause", owner=owner, url=url, status=status),
        fix=c.text(".fix"),
    )

