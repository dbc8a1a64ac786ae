"""Relational databases: SQLException (generic vendor errors), SQLSyntaxErrorException, SQLIntegrityConstraint-
ViolationException, SQLTransientConnectionException (no connection) and SQLTransactionRollbackException
(deadlocks, lock waits), each through JdbcTemplate, JPA/Hibernate or MyBatis with their translation wrappers.

Most templates are declared in utils/corpus/templates/database.yaml, those raising the driver's error on a route
through a framework with the `db_route` helper; these build a template per route of an error kind
(`register_routes`) or draw the pool's message after the stack."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

from utils.corpus.builder import CAUSE_TEXT, Ctx, Wrap
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template
from utils.corpus.tables import tables

TRANSLATIONS = tables().maps["database.translations"]  # an error kind -> its vendors and how frameworks wrap it
WRAPPERS = tables().maps["database.wrappers"]  # where a framework catches the driver's error, and what it throws
Route = tuple[list[StackFrame], list[StackFrame], list[Wrap]]  # application frames, library frames, wrappers
Root = tuple[str, str, str, tuple[str, str]]  # driver vendor, exception class, message, what went wrong (en, ko)


@helper("proxy_frame")
def proxy_chain(c: Ctx, method: str, low: int, high: int) -> list[StackFrame]:
    """A proxy frame without its module (HikariCP's closed-connection proxy), as a chain a declared template throws."""
    return [stacks.proxy_frame(c, method, low, high, module=False)]


@helper("lowercase")
def lowercase(c: Ctx, name: str) -> str:
    """A drawn name as lowercase SQL writes it (no draw)."""
    return name.lower()


def caught(c: Ctx, name: str, cls: str | None = None, **slots: Any) -> Wrap:
    """The wrapper `name` (database.yaml: database.wrappers), of class `cls` when the error kind decides it. Its
    message (a `messages:` key; none: the cause's toString()) is filled with `slots` and the caught exception."""
    spec = WRAPPERS[name]

    def message(inner: Thrown) -> str:
        text = inner.to_string()
        return c.message(spec["message"], inner=inner, inner_string=text, inner_line=text.split("\n")[0], **slots)

    top = c.chain(spec["top"]) if "top" in spec else []
    text = message if "message" in spec else CAUSE_TEXT
    return Wrap(cls or spec["cls"], text, at=spec["at"], top=top, line_delta=spec["line_delta"])


def mybatis(c: Ctx, statement: str, operation: str = "update") -> list[StackFrame]:
    """MyBatis between the driver and a mapper interface (deepest first); `operation`: "update" or "query"."""
    return [
        *c.chain(f"mybatis.{operation}.executor"),
        *c.jdk.segment("reflect_invoke"),
        *c.chain("mybatis.session_interceptor"),
        stacks.proxy_frame(c, "update" if operation == "update" else "selectList", 80, 140),
        *c.chain(f"mybatis.{operation}.mapper"),
        stacks.proxy_frame(c, statement, 141, 260),
    ]


def jdbc_route(c: Ctx, driver: list[StackFrame], operation: str, wrapper: str, sql: str, line: str) -> Route:
    """Through Spring's JdbcTemplate, whose translator wraps the driver's error."""
    dao = c.frame("repository")
    callback = "PreparedStatementCallback" if operation == "update" else "StatementCallback"
    wrap = caught(c, "jdbc_template", wrapper, callback=callback, sql=sql, line=line)
    return [dao], [*driver, *stacks.jdbc_template(c, operation)], [wrap]


def mybatis_route(
    c: Ctx, driver: list[StackFrame], operation: str, wrapper: str, sql: str, root_cls: str, line: str
) -> Route:
    """Through a MyBatis mapper, whose SqlSessionTemplate translates the error with the mapper's details."""
    mapper = c.app("repository", f"{c.type_name()}Mapper")
    statement = c.pick(c.values("mybatis.statement_verbs")) + c.type_name()
    top, lib_frames = [c.frame("service")], [*driver, *mybatis(c, statement, operation)]
    action = "updating" if operation == "update" else "querying"
    slots = {"action": action, "root_cls": root_cls, "first_line": line, "mapper": mapper, "statement": statement}
    return top, lib_frames, [caught(c, "mybatis", wrapper, sql=sql, **slots)]


def jpa_route(c: Ctx, driver: list[StackFrame], operation: str, wrappers: dict[str, str]) -> Route:
    """Through Hibernate (flush on update, a query on select), translated by Hibernate and then by Spring."""
    top = [c.frame("controller" if c.context == "web" else "service")]
    if operation == "update":
        lib_frames = [*driver, *stacks.hibernate_flush(c)]
    else:
        repository = stacks.spring_data_repository(c, c.verb("repository"))
        lib_frames = [*driver, *c.chain("hibernate.query_extract"), *repository]
    constraint = ""
    if "Integrity" in wrappers["jpa"]:  # Spring names the violated constraint
        constraint = c.message("database.jpa_constraint", name=c.pick(c.values("database.jpa_constraints")))
    verb = c.message(f"database.hibernate_{operation}")
    wraps = [
        caught(c, f"hibernate_{operation}", wrappers["hibernate"]),
        caught(c, f"jpa_{operation}", wrappers["jpa"], verb=verb, constraint=constraint),
    ]
    return top, lib_frames, wraps


def translation(kind: str, message: str) -> dict[str, str]:
    """The wrapper class per framework for an error kind (database.yaml: database.translations); Spring's JDBC
    translator maps a message matching the kind's `special` pattern (duplicate key, deadlock) to a more specific
    class. MyBatis translates as JdbcTemplate."""
    spec = TRANSLATIONS[kind]
    jdbc = spec["special_wrapper"] if "special" in spec and re.search(spec["special"], message) else spec["jdbc"]
    return {"jdbc": jdbc, "hibernate": spec["hibernate"], "jpa": spec["jpa"]}


def route(c: Ctx, paths: Any) -> str:
    """A route of `paths` (a list, or one per code base); a single route draws nothing."""
    options = paths["bank" if c.bank else "oss"] if isinstance(paths, dict) else paths
    return c.pick(options) if len(options) > 1 else options[0]


class DbRoute(NamedTuple):
    """The row's database error on its route: the exception class, application frames, library frames, wrappers."""

    cls: str
    top: list[StackFrame]
    lib: list[StackFrame]
    wraps: list[Wrap]


@helper("db_route")
def db_route(
    c: Ctx,
    message: str,
    *,
    cls: str,
    driver: str,
    operation: str,
    kind: str,
    paths: Any = None,
    path: str | None = None,
    table: str | None = None,
    column: str | None = None,
) -> DbRoute:
    """The driver's error `cls` raised on `path` (drawn from `paths` first when not given): "raw" JDBC, "jdbc"
    JdbcTemplate, "jpa" Hibernate, "mybatis"; each framework wraps it as it translates an error of its `kind`."""
    path = path or route(c, paths)
    table, column = table or c.table(), column or c.column()
    statement = "insert" if operation == "update" else "select"
    sql = c.message(f"database.sql_{statement}", table=table, column=column)
    driver_frames = stacks.jdbc_driver(c, driver, operation)
    line = message.split("\n", 1)[0].strip()
    wrappers = translation(kind, message)
    if path == "jdbc":
        top, lib_frames, wraps = jdbc_route(c, driver_frames, operation, wrappers["jdbc"], sql, line)
    elif path == "mybatis":
        top, lib_frames, wraps = mybatis_route(c, driver_frames, operation, wrappers["jdbc"], sql, cls, line)
    elif path == "jpa":
        top, lib_frames, wraps = jpa_route(c, driver_frames, operation, wrappers)
    else:
        top, lib_frames, wraps = [c.frame(c.pick(("repository", "batch", "support")))], driver_frames, []
    return DbRoute(cls, top, lib_frames, wraps)


@helper("route_part")
def route_part(c: Ctx, route: DbRoute, part: str) -> Any:
    """A part of a drawn route (`top`, `lib`, `wraps`): a declared template's top frames, throw and wrappers."""
    return getattr(route, part)


def vendor_error(c: Ctx, kind: str, **slots: Any) -> Root:
    """A vendor's error of `kind` (database.translations: errors), the vendor drawn first, then one of its
    messages; a message's key names its text too (what went wrong)."""
    driver, cls, keys = c.pick(TRANSLATIONS[kind]["errors"])
    key = c.pick(keys) if len(keys) > 1 else keys[0]  # a vendor with one message draws none
    return driver, cls, c.message(key, **slots), c.pair(key)


def syntax_root(c: Ctx) -> Root:
    table, column = c.table(), c.column()
    return vendor_error(c, "syntax", table=table, column=column, table_lower=table.lower(), column_lower=column.lower())


def integrity_root(c: Ctx) -> Root:
    table, column = c.table(), c.column()
    key = c.account_no() if c.bank else str(c.randint(1, 99999))
    kind = c.pick(c.values("database.integrity_kinds"))
    driver, cls = c.pick(TRANSLATIONS["integrity"]["errors"])
    slots = {"table": table, "column": column, "table_lower": table.lower(), "column_lower": column.lower()}
    return driver, cls, c.message(f"database.integrity.{driver}.{kind}", key=key, **slots), c.pair(f"sicv.kind.{kind}")


def translated_incident(c: Ctx, path: str, root: Callable[[Ctx], Root], kind: str) -> Incident:
    """A vendor error (`root` draws it) raised on `path`, wrapped the way the route's framework translates it."""
    spec = TRANSLATIONS[kind]
    driver, root_cls, message, what = root(c)
    operation = spec["operation"] if isinstance(spec["operation"], str) else c.pick(spec["operation"])
    error = db_route(c, message, path=path, driver=driver, cls=root_cls, operation=operation, kind=kind)
    cause, fix = c.text(spec["cause"], what=what), c.text(spec["fix"])
    return c.fail(error.cls, message, error.top, error.lib, wraps=error.wraps, cause=cause, fix=fix)


def register_routes(kind: str, root: Callable[[Ctx], Root]) -> None:
    """An error kind's four templates (database.translations: label, templates), one per route: JdbcTemplate (raw
    JDBC too in OSS code), JPA and MyBatis (bank code only), raw JDBC."""
    label, names = TRANSLATIONS[kind]["label"], TRANSLATIONS[kind]["templates"]

    def on(path: str) -> Callable[[Ctx], Incident]:
        return lambda c: translated_incident(c, path, root, kind)

    def jdbc_or_raw(c: Ctx) -> Incident:
        return translated_incident(c, "jdbc" if c.bank else c.pick(("jdbc", "raw")), root, kind)

    template(label, names["jdbc"])(jdbc_or_raw)
    template(label, names["jpa"], codebases=("bank",))(on("jpa"))
    template(label, names["mybatis"], codebases=("bank",))(on("mybatis"))
    template(label, names["raw"])(on("raw"))


register_routes("syntax", syntax_root)
register_routes("integrity", integrity_root)
register_routes("rollback", partial(vendor_error, kind="rollback"))


# ------------------------------------------------------------------------------------ SQLTransientConnectionException


def pool_timeout_message(c: Ctx) -> str:
    millis, pool = c.pick(c.values("database.pool_timeouts")), c.pick(c.values("database.pool_names"))
    if c.chance(0.5):
        return c.message("database.pool_timeout", pool=pool, millis=millis + c.randint(0, 9))
    size = c.pick(c.values("database.pool_sizes"))
    millis += c.randint(0, 9)
    return c.message("database.pool_timeout_state", pool=pool, millis=millis, size=size, number=c.randint(1, 80))


def hikari_frames(c: Ctx) -> list[StackFrame]:
    """HikariCP timing out a borrow; each frame's line drawn on its own (the pool's version is not modelled)."""
    return [c.lib(method, c.pick(lines)) for method, lines in c.values("database.hikari_timeout")]


def no_pooled_connection(c: Ctx, site: StackFrame, lib_frames: list[StackFrame], fix: str) -> Incident:
    """The pool timed out below Spring's DataSourceUtils, which wraps it in CannotGetJdbcConnectionException; the
    message is drawn after the stack."""
    stack = c.call_stack([site], lib_frames)
    root = Thrown("java.sql.SQLTransientConnectionException", pool_timeout_message(c), stack)
    wraps = [caught(c, "datasource_utils")]
    return c.incident([root], wraps=wraps, top=[site], cause=c.text(".cause", site=site), fix=c.text(fix))


def jdbc_template_borrow(c: Ctx, operation: str) -> list[StackFrame]:
    """The pool timing out below JdbcTemplate.execute, which asked DataSourceUtils for the connection."""
    return [*hikari_frames(c), *c.chain("stce.jdbc_template.lib_frames"), *stacks.jdbc_template(c, operation)[2:]]


@template("SQLTransientConnectionException", "stce.jdbc_template")
def stce_jdbc_template(c: Ctx) -> Incident:
    dao = c.frame("repository")
    return no_pooled_connection(c, dao, jdbc_template_borrow(c, "query"), "database.pool_fix")


@template("SQLTransientConnectionException", "stce.mybatis", codebases=("bank",))
def stce_mybatis(c: Ctx) -> Incident:
    service = c.frame("service")
    lib_frames = [*hikari_frames(c), *c.chain(".lib_frames"), *mybatis(c, "select" + c.type_name(), "query")[3:]]
    return no_pooled_connection(c, service, lib_frames, "database.pool_fix")


@template("SQLTransientConnectionException", "stce.batch_parallel", contexts=("batch", "scheduled", "executor"))
def batch_parallel(c: Ctx) -> Incident:
    step = c.frame(c.pick(("batch", "repository")))
    return no_pooled_connection(c, step, jdbc_template_borrow(c, "update"), ".fix")


@template("SQLTransientConnectionException", "stce.jpa_transaction", codebases=("bank",))
def stce_jpa_transaction(c: Ctx) -> Incident:
    """The pool timed out opening the transaction of a @Transactional service: the service's CGLIB proxy is in the
    trace, the service method itself never ran."""
    service = c.frame("service")
    lib_frames = [*hikari_frames(c), *c.chain(".lib_frames")]
    enhancer = f"{service.cls}$$EnhancerBySpringCGLIB${c.randint(0x10000000, 0x7FFFFFFF):x}"
    lib_frames.append(StackFrame(enhancer, service.method, generated=True))
    caller = c.frame("controller" if c.context == "web" else c.pick(("listener", "batch", "scheduler")))
    stack = c.call_stack([caller], lib_frames)
    root = Thrown("java.sql.SQLTransientConnectionException", pool_timeout_message(c), stack)
    return c.incident(
        [root],
        wraps=[caught(c, "hibernate_connection"), caught(c, "jpa_begin")],
        top=[caller],
        fault=StackFrame(service.cls, service.method, service.file, None, app=True),
        fault_in_trace=False,
        cause=c.text(".cause", service=service),
        fix=c.text("database.pool_fix"),
    )


@template("SQLTransientConnectionException", "stce.communications_no_cause")
def communications_no_cause(c: Ctx) -> Incident:
    """The pool's creator thread logs the failure: no application frame in the trace."""
    throw = [*c.chain(".throw"), *c.jdk.segment("submitted_task")]
    owner = c.app("config", "DataSourceConfig") if c.bank else c.app("config")
    return c.incident(
        [Thrown("com.mysql.cj.jdbc.exceptions.CommunicationsException", c.message(".result"), throw)],
        fault=StackFrame(owner.fqcn, "dataSource", owner.file, None, app=True),
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


# ------------------------------------------------------------------------------------ SQLTransactionRollbackException


@template("SQLTransactionRollbackException", "str.jpa_pessimistic", codebases=("bank",))
def jpa_pessimistic(c: Ctx) -> Incident:
    """The JPA API's package is drawn after the stack (jakarta or javax from JDK 17 on)."""
    site = c.frame("repository")
    stack = c.call_stack([site], [*stacks.jdbc_driver(c, "mysql", "query"), *c.chain(".lib_frames")])
    lock_wait = c.message("database.rollback.lock_wait")
    root = Thrown("com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException", lock_wait, stack)
    jpa = c.pick(c.values(".jpa")) if c.jdk.at_least(17) else "javax.persistence"
    wraps = [caught(c, "hibernate_lock"), caught(c, "jpa_find", f"{jpa}.PessimisticLockException")]
    return c.incident(
        [root], wraps=wraps, top=[site], cause=c.text(".cause", site=site), fix=c.text("database.rollback_fix")
    )
