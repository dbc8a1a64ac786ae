"""Library call stacks several families share (deepest frame first): Spring context start-up, JdbcTemplate,
Hibernate flush, Jackson ObjectMapper, RestTemplate, JDBC drivers behind HikariCP; the frames are data
(utils/corpus/templates/stacks.yaml). Also the incident of an exception thrown off the application's call stack."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.declared import helper
from utils.corpus.model import Incident, StackFrame, Thrown


def detached(
    c: Ctx, chain: list[Thrown], fault: StackFrame, /, wraps: Sequence[Wrap] = (), extra: Any = None, **slots: Any
) -> Incident:
    """An incident whose chain (top first) was thrown where no application frame is: a pool's or timer's thread,
    the framework's dispatch or start-up. No context wraps it, and the fault (the application code that handed the
    work over) is not in the trace; the texts `.cause` and `.fix` are filled with `slots`."""
    return c.incident(
        chain,
        wraps=wraps,
        fault=fault,
        fault_in_trace=False,
        auto_wrap=False,
        extra=extra,
        cause=c.text(".cause", **slots),
        fix=c.text(".fix", **slots),
    )


@helper("jdk_proxy")
def proxy_class(c: Ctx, low: int = 90, high: int = 250) -> str:
    """A JDK dynamic proxy class, its number drawn (the package moved in JDK 17)."""
    package = "jdk.proxy2" if c.jdk.at_least(17) else "com.sun.proxy"
    return f"{package}.$Proxy{c.randint(low, high)}"


def proxy_frame(c: Ctx, method: str, low: int = 90, high: int = 250, module: bool = True) -> StackFrame:
    """A frame of a JDK dynamic proxy; `module`: it prints its module on JDK 17+ (some proxies print none)."""
    return StackFrame(proxy_class(c, low, high), method, module="jdk.proxy2" if module and c.jdk.at_least(17) else None)


@helper("bean_creation")
def bean_creation(c: Ctx, depth: int = 1) -> list[StackFrame]:
    """AbstractAutowireCapableBeanFactory creating a bean (`depth` nested getBean levels)."""
    level = c.chain("spring.bean_creation")
    frames: list[StackFrame] = []
    for index in range(depth):
        if index:
            frames += c.chain("spring.autowire_argument")
        frames += level
    return frames


@helper("context_refresh")
def context_refresh(c: Ctx) -> list[StackFrame]:
    """Below the first getBean of a Spring Boot start-up, down to the application's main()."""
    app = c.app("main", f"{c.code.stem}Application") if c.bank else c.app("main")
    return [
        *c.chain("spring_boot.start"),
        app.at("main", c.randint(10, 30)),
    ]


def jdbc_driver(c: Ctx, vendor: str, operation: str = "update") -> list[StackFrame]:
    """Driver frames (mysql, oracle, postgres, h2) that raise a database error, through HikariCP's proxy (deepest
    first); `operation`: "update" or "query"."""
    return c.chain(f"jdbc.{vendor}.{operation}")


def jdbc_template(c: Ctx, operation: str = "update") -> list[StackFrame]:
    """Spring's JdbcTemplate between a DAO and the driver (deepest first)."""
    return c.chain(f"spring.jdbc_template.{operation}")


def translator(c: Ctx) -> list[StackFrame]:
    """Spring's SQLException translation, on top of JdbcTemplate.execute's catch block."""
    return c.chain("spring.sql_exception_translator")


def hibernate_flush(c: Ctx) -> list[StackFrame]:
    """A JPA commit that flushes pending inserts/updates (deepest first, below the JDBC call)."""
    return c.chain("hibernate.flush_on_commit")


def spring_data_repository(c: Ctx, method: str) -> list[StackFrame]:
    """A Spring Data JPA repository call through its JDK proxy (deepest first, below the query)."""
    return [*c.chain("spring_data.repository_call"), proxy_frame(c, method, 90, 240)]


def jackson_read(c: Ctx, tree: bool = False) -> list[StackFrame]:
    """ObjectMapper.readValue below the deserializer frames (deepest first)."""
    return c.chain("jackson.read_tree" if tree else "jackson.read_value")


def message_converter(c: Ctx) -> list[StackFrame]:
    """Spring MVC reading a @RequestBody with Jackson (deepest first), above the controller invocation."""
    return c.chain("spring_mvc.read_request_body")


def rest_template(c: Ctx, verb: str = "exchange") -> list[StackFrame]:
    """RestTemplate's `verb` (exchange, postForObject, getForObject, postForEntity) down to the application."""
    return c.chain(f"spring.rest_template.{verb}")


def rest_template_http(c: Ctx) -> list[StackFrame]:
    """RestTemplate over HttpComponentsClientHttpRequestFactory (deepest first), between HttpClient and the app."""
    return [
        *c.chain("spring.rest_template_http"),
        *rest_template(c, c.pick(("exchange", "postForObject", "getForObject"))),
    ]
