"""Network: SocketTimeoutException (read/connect timeouts), ConnectException (refused / unreachable), SocketException
(reset, broken pipe, closed, bind), UnknownHostException (DNS) and RestClientException (HTTP error statuses).

The templates are declared in utils/corpus/templates/network.yaml (through the socket, DNS, HTTP client and
wrapper helpers here) but two: Netty's and Lettuce's connect failures chain exceptions of stacks of their own."""

from __future__ import annotations

from typing import Any

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template
from utils.corpus.tables import tables

CE = "java.net.ConnectException"
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


# ------------------------------------------------------------------------------------------------- ConnectException


@template("ConnectException", "ce.netty_annotated", min_jdk=8)
def netty_annotated(c: Ctx) -> Incident:
    """On Netty's event loop thread: the application's call that started the connect (the fault) is not on its
    stack."""
    host, port = c.host(), c.pick((6379, 9092, 8080, 5672, 9200))
    site = c.frame(c.pick(("client", "config", "support")))
    throw = finish_connect(c, ".throw")
    message = c.message(".message", host=host, address=c.pick(c.values(".address")), port=port)
    if c.chance(0.6):  # Netty 4.1: no stack of its own, the JDK's exception its cause; older: the stack copied
        chain = [Thrown(ANNOTATED, message, []), Thrown(CE, "Connection refused", throw)]
    else:
        chain = [Thrown(ANNOTATED, message, throw)]
    slots = {"what": tables().maps["network.port_service"].get(port, "the service"), "host": host, "port": port}
    return c.incident(
        chain,
        fault=StackFrame(site.cls, site.method, site.file, None, app=True),
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.text(".cause", **slots),
        fix=c.text(".fix", **slots),
    )


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
