"""Network: SocketTimeoutException (read/connect timeouts), ConnectException (refused / unreachable), SocketException
(reset, broken pipe, closed, bind), UnknownHostException (DNS) and RestClientException (HTTP error statuses).

The regular templates are declared in utils/corpus/templates/network.yaml (through the socket, DNS, HTTP client
and wrapper helpers here); these draw after the call stack is built, chain several exceptions, fail on an event loop
thread whose stack holds no application frame, or wrap at a catch site a declared `wrap` draw cannot name yet."""

from __future__ import annotations

from typing import Any

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.codebase import AppClass
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template
from utils.corpus.tables import tables

STE = "java.net.SocketTimeoutException"
CE = "java.net.ConnectException"
UHE = "java.net.UnknownHostException"
ANNOTATED = "io.netty.channel.AbstractChannel$AnnotatedConnectException"
WEB = "org.springframework.web.client"
HTTP = tables().maps["http.status"]  # status -> reason phrase, exception suffix, error body

helper("rest_template_http")(stacks.rest_template_http)


@helper("socket_read")
def socket_read(c: Ctx) -> list[StackFrame]:
    return c.chain("network.socket_read.plain" if c.jdk.version <= 11 else "network.socket_read.nio")


@helper("socket_connect")
def socket_connect(c: Ctx, timed_out: bool = False) -> list[StackFrame]:
    if c.jdk.version <= 11:
        return c.chain("network.socket_connect.plain")
    return c.chain("network.socket_connect.timed_out" if timed_out else "network.socket_connect.refused")


@helper("refused_message")
def refused_message(c: Ctx) -> str:
    return "Connection refused (Connection refused)" if c.jdk.version in (8, 11) else "Connection refused"


@helper("dns_lookup")
def dns_lookup(c: Ctx) -> list[StackFrame]:
    if c.jdk.version <= 8:
        return c.chain("network.dns_lookup.jdk8")
    return c.chain("network.dns_lookup.jdk11" if c.jdk.version in (11, 17) else "network.dns_lookup.jdk21")


@helper("unknown_host")
def unknown_host(c: Ctx) -> str:
    return c.pick(c.values("network.unknown_host")).format(project=c.code.project)


@helper("dns_message")
def dns_message(c: Ctx, host: str) -> str:
    return c.pick(c.values("network.dns_message")).format(host=host)


def finish_connect(c: Ctx, loop: str) -> list[StackFrame]:
    """A non-blocking connect that failed (deepest first): the JDK's check, the event `loop` chain, Thread.run."""
    check = "network.check_connect" if c.jdk.version <= 11 else "network.poll_connect"
    return [*c.chain(check), *c.chain(loop), *c.jdk.segment("thread_run")]


@helper("resource_access")
def resource_access(c: Ctx, address: str, method: str | list[str]) -> Wrap:
    """RestTemplate's ResourceAccessException around an I/O error on the request to `address`; a `method` list is
    drawn from when the wrapper is built (after the call stack)."""

    def message(inner: Thrown) -> str:
        verb = c.pick(method) if isinstance(method, list) else method
        return c.message("network.resource_access", verb=verb, url=address, inner=inner, inner_string=inner.to_string())

    return Wrap(f"{WEB}.ResourceAccessException", message, at=f"{WEB}.RestTemplate.doExecute", line_delta=9)


@helper("host_connect_wrap")
def host_connect_wrap(c: Ctx, hostname: str, tcp_port: int) -> Wrap:
    """HttpClient's HttpHostConnectException; the address it names is drawn when the wrapper is built."""

    def message(inner: Thrown) -> str:
        address = c.pick(c.values("ce.http_host_connect.address"))
        return c.message("ce.http_host_connect.wrap", host=hostname, port=tcp_port, address=address, inner=inner)

    return Wrap(
        "org.apache.http.conn.HttpHostConnectException",
        message,
        at="org.apache.http.impl.conn.DefaultHttpClientConnectionOperator.connect",
        line_delta=17,
    )


@helper("http_status")
def http_status(c: Ctx, status: int) -> dict[str, Any]:
    """What Spring and Feign print for the HTTP error `status` (no draw)."""
    reason, kind, body = HTTP[status]
    quoted = body if body == "[no body]" else f'"{body}"'  # Spring 5.3 quotes the body, 5.2 brackets it
    side = "Client" if status < 500 else "Server"
    return {"status": status, "reason": reason, "kind": kind, "body": body, "quoted": quoted, "side": side}


@helper("http_error")
def http_error(c: Ctx, statuses: list[int]) -> dict[str, Any]:
    """RestTemplate's error for one of `statuses`: its exception (the status's subclass or the base) and message."""
    http = http_status(c, c.pick(statuses))
    base = f"{WEB}.Http{http['side']}ErrorException"
    exception = f"{base}${http['kind']}" if c.chance(0.7) else base
    return {**http, "exception": exception, "message": c.pick(c.values("network.http_error")).format(**http)}


@helper("error_handler")
def error_handler(c: Ctx, side: str) -> list[StackFrame]:
    """RestTemplate's DefaultResponseErrorHandler throwing for a `side` ("Client" or "Server") error status."""
    return [
        c.lib(f"{WEB}.Http{side}ErrorException.create", c.pick((101, 118, 139))),
        c.lib(f"{WEB}.DefaultResponseErrorHandler.handleError", c.pick((186, 168))),
        c.lib(f"{WEB}.DefaultResponseErrorHandler.handleError", c.pick((125, 122))),
        c.lib(f"{WEB}.ResponseErrorHandler.handleError", 63),
        c.lib(f"{WEB}.RestTemplate.handleResponse", c.pick((819, 825))),
        c.lib(f"{WEB}.RestTemplate.doExecute", c.pick((777, 783))),
        *stacks.rest_template(c, c.pick(c.values("network.rest_template_verb"))),
    ]


@helper("feign_error")
def feign_error(c: Ctx, status: int, method: str) -> list[StackFrame]:
    """Feign's decoder throwing for `status` (deepest first), down to the client's proxy (drawn first)."""
    proxy = StackFrame(stacks.proxy_class(c), method)
    side = "client" if status < 500 else "server"
    return [
        c.lib(f"feign.FeignException.{side}ErrorStatus", c.pick((219, 250))),
        *c.chain("rce.feign_status.throw"),
        proxy,
    ]


def off_stack(c: Ctx, chain: list[Thrown], caller: AppClass, method: str, fix: str = ".fix", **slots: Any) -> Incident:
    """A failure on an event loop thread (Netty, Reactor): the application's call ({caller}.{method}) that started
    the work is not on its stack."""
    return c.incident(
        chain,
        fault=StackFrame(caller.fqcn, method, caller.file, None, app=True),
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.text(".cause", **slots),
        fix=c.text(fix, **slots),
    )


# ------------------------------------------------------------------------------------------- SocketTimeoutException


@template("SocketTimeoutException", "ste.jdbc_read", codebases=("bank",))
def jdbc_read(c: Ctx) -> Incident:
    site = c.frame("repository")
    stack = c.call_stack([site], [*socket_read(c), *c.chain(".mysql_io")])
    millis = c.pick((30012, 60007, 10004, 5002))  # socketTimeout: drawn after the stack
    wraps = [
        Wrap(
            "com.mysql.cj.exceptions.CJCommunicationsException",
            c.message(".wrap", millis=millis),
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
        [Thrown(STE, "Read timed out", stack)],
        wraps=wraps,
        top=[site],
        cause=c.text(".cause", site=site, millis=millis),
        fix=c.text(".fix"),
    )


@template("SocketTimeoutException", "ste.feign", codebases=("bank",))
def feign(c: Ctx) -> Incident:
    site = c.frame("service")
    client = c.app("client", f"{c.pick(c.values('.client'))}Client")
    proxy = stacks.proxy_class(c)
    method = c.verb("client")
    stack = c.call_stack([site], [*socket_read(c), *c.chain(".feign_frames"), StackFrame(proxy, method)])
    url = c.url()  # drawn after the stack
    wrap = Wrap(
        "feign.RetryableException",
        c.message(".wrap", url=url),
        at="feign.SynchronousMethodHandler.executeAndDecode",
        top=c.chain(".wrap_top"),
        line_delta=10,
    )
    return c.incident(
        [Thrown(STE, "Read timed out", stack)],
        wraps=[wrap],
        top=[site],
        cause=c.text(".cause", client=client, method=method, url=url),
        fix=c.text("network.read_timeout_fix"),
    )


# ------------------------------------------------------------------------------------------------- ConnectException


@template("ConnectException", "ce.netty_annotated", min_jdk=8)
def netty_annotated(c: Ctx) -> Incident:
    host, port = c.host(), c.pick((6379, 9092, 8080, 5672, 9200))
    site = c.frame(c.pick(("client", "config", "support")))
    throw = finish_connect(c, ".throw")
    message = c.message(".message", host=host, address=c.pick(c.values(".address")), port=port)
    if c.chance(0.6):  # Netty 4.1: no stack of its own, the JDK's exception its cause; older: the stack copied
        chain = [Thrown(ANNOTATED, message, []), Thrown(CE, "Connection refused", throw)]
    else:
        chain = [Thrown(ANNOTATED, message, throw)]
    what = tables().maps["network.port_service"].get(port, "the service")
    return off_stack(c, chain, AppClass(site.cls), site.method, what=what, host=host, port=port)


@template("ConnectException", "ce.redis_chain", codebases=("bank",))
def redis_chain(c: Ctx) -> Incident:
    host = c.pick(c.values(".host"))
    site = c.frame(c.pick(("support", "service", "repository")))
    io = finish_connect(c, ".io")
    stack = c.call_stack([site], c.chain(".top_stack"))
    chain = [
        Thrown(
            "org.springframework.data.redis.RedisConnectionFailureException", c.message(".failure", host=host), stack
        ),
        Thrown(
            "io.lettuce.core.RedisConnectionException",
            c.message(".lettuce", host=host),
            [*c.chain(".chain"), *stack[:3]],
        ),
        Thrown(ANNOTATED, c.message(".annotated", host=host), []),
        Thrown(CE, "Connection refused", io),
    ]
    return c.incident(chain, top=[site], fault=site, cause=c.text(".cause", host=host), fix=c.text(".fix"))


@template("ConnectException", "ce.connect_timeout_netty")
def connect_timeout_netty(c: Ctx) -> Incident:
    host = c.host()
    throw = [*c.chain(".throw"), *c.jdk.segment("thread_run")]
    owner = c.app(c.pick(("client", "gateway")))
    message = c.message(".message", host=host, subnet=c.randint(0, 9), node=c.randint(2, 250), port=c.port())
    chain = [Thrown("io.netty.channel.ConnectTimeoutException", message, throw)]
    return off_stack(c, chain, owner, c.verb("client"), host=host)


# -------------------------------------------------------------------------------------------------- SocketException


@template("SocketException", "se.netty_reset")
def netty_reset(c: Ctx) -> Incident:
    message = c.pick(c.values(".message"))
    owner = c.app(c.pick(("gateway", "client")))
    return off_stack(c, [Thrown("io.netty.channel.unix.Errors$NativeIoException", message, [])], owner, "channelRead0")


# ------------------------------------------------------------------------------------------- UnknownHostException


@template("UnknownHostException", "uhe.resttemplate", codebases=("bank",))
def uhe_resttemplate(c: Ctx) -> Incident:
    host = unknown_host(c)
    url = f"https://{host}/api/v1/{c.code.module}"
    site = c.frame("client")
    throw = [*dns_lookup(c), *c.chain(".stack"), *c.chain("httpclient.execute"), *stacks.rest_template_http(c)]
    stack = c.call_stack([site], throw)
    return c.incident(
        [Thrown(UHE, dns_message(c, host), stack)],  # the message is drawn after the stack
        wraps=[resource_access(c, url, "POST")],
        top=[site],
        cause=c.text(".cause", host=host, url=url),
        fix=c.text("network.dns_fix"),
    )


@template("UnknownHostException", "uhe.jdbc_url", codebases=("bank",))
def uhe_jdbc_url(c: Ctx) -> Incident:
    host = c.pick(c.values(".host"))
    site = c.frame(c.pick(("repository", "config")))
    stack = c.call_stack([site], [*dns_lookup(c), *c.chain(".stack")])
    wrap = Wrap(
        "com.mysql.cj.jdbc.exceptions.CommunicationsException",
        c.message(".wrap"),
        at="com.mysql.cj.jdbc.ConnectionImpl.createNewIO",
        line_delta=10,
        top=c.chain(".top"),
    )
    return c.incident(
        [Thrown(UHE, dns_message(c, host), stack)],  # the message is drawn after the stack
        wraps=[wrap],
        top=[site],
        cause=c.text(".cause", host=host),
        fix=c.text("network.dns_fix"),
    )


@template("UnknownHostException", "uhe.netty_resolver")
def uhe_netty_resolver(c: Ctx) -> Incident:
    host = unknown_host(c)
    throw = [*c.chain(".throw"), *c.jdk.segment("thread_run")]
    owner = c.app(c.pick(("client", "gateway", "support")))
    chain = [Thrown(UHE, c.message(".message", host=host, queries=c.pick((2, 4, 6))), throw)]
    return off_stack(c, chain, owner, c.verb("client"), "network.dns_fix", host=host)


# --------------------------------------------------------------------------------------------- RestClientException


@template("RestClientException", "rce.webclient_status", min_jdk=8)
def webclient_status(c: Ctx) -> Incident:
    status = c.pick((400, 404, 500, 502, 503))
    url = c.url()
    reactive = "org.springframework.web.reactive.function.client"
    throw = [
        c.lib(f"{reactive}.WebClientResponseException.create", c.pick((217, 307))),
        *c.chain(".throw"),
        *c.jdk.segment("thread_run"),
    ]
    owner = c.app(c.pick(("client", "service")))
    http = http_status(c, status)
    message = c.message(".message", http=http, url=url)
    chain = [Thrown(f"{reactive}.WebClientResponseException${http['kind']}", message, throw)]
    return off_stack(c, chain, owner, c.verb("client"), owner=owner, url=url, status=status)
