"""Relational databases: SQLException (generic vendor errors), SQLSyntaxErrorException, SQLIntegrityConstraint-
ViolationException, SQLTransientConnectionException (no connection) and SQLTransactionRollbackException
(deadlocks, lock waits), each through JdbcTemplate, JPA/Hibernate or MyBatis with their translation wrappers.

The templates are declared in utils/corpus/templates/database.yaml, those raising the driver's error on a route
through a framework with the `db_route` helper here, those timing out on the pool with the HikariCP helpers."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from utils.corpus.builder import CAUSE_TEXT, Ctx, Wrap
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.model import StackFrame, Thrown
from utils.corpus.tables import tables

TRANSLATIONS = tables().maps["database.translations"]  # an error kind -> its vendors and how frameworks wrap it
WRAPPERS = tables().maps["database.wrappers"]  # where a framework catches the driver's error, and what it throws
Route = tuple[list[StackFrame], list[StackFrame], list[Wrap]]  # application frames, library frames, wrappers


@helper("proxy_frame")
def proxy_chain(c: Ctx, method: str, low: int, high: int) -> list[StackFrame]:
    """A proxy frame without its module (HikariCP's closed-connection proxy), as a chain a declared template throws."""
    return [stacks.proxy_frame(c, method, low, high, module=False)]


@helper("lowercase")
def lowercase(c: Ctx, name: str) -> str:
    """A drawn name as lowercase SQL writes it (no draw)."""
    return name.lower()


@helper("caught")
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


@helper("mybatis")
def mybatis(c: Ctx, statement: str, operation: str = "update", start: int = 0) -> list[StackFrame]:
    """MyBatis between the driver and a mapper interface (deepest first, from frame `start`: every proxy drawn);
    `operation`: "update" or "query"."""
    return [
        *c.chain(f"mybatis.{operation}.executor"),
        *c.jdk.segment("reflect_invoke"),
        *c.chain("mybatis.session_interceptor"),
        stacks.proxy_frame(c, "update" if operation == "update" else "selectList", 80, 140),
        *c.chain(f"mybatis.{operation}.mapper"),
        stacks.proxy_frame(c, statement, 141, 260),
    ][start:]


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


@helper("vendor_error")
def vendor_error(c: Ctx, kind: str) -> dict[str, str]:
    """A vendor's error of `kind` (database.translations: errors): the vendor drawn first, then one of its message
    keys (a vendor with one draws none); a key names its text too (what went wrong)."""
    driver, cls, keys = c.pick(TRANSLATIONS[kind]["errors"])
    return {"driver": driver, "cls": cls, "key": c.pick(keys) if len(keys) > 1 else keys[0]}


# ------------------------------------------------------------------------------------ SQLTransientConnectionException


@helper("pool_timeout_message")
def pool_timeout_message(c: Ctx) -> str:
    """HikariCP's message for a borrow that timed out, with the pool's state half the time."""
    millis, pool = c.pick(c.values("database.pool_timeouts")), c.pick(c.values("database.pool_names"))
    if c.chance(0.5):
        return c.message("database.pool_timeout", pool=pool, millis=millis + c.randint(0, 9))
    size = c.pick(c.values("database.pool_sizes"))
    millis += c.randint(0, 9)
    return c.message("database.pool_timeout_state", pool=pool, millis=millis, size=size, number=c.randint(1, 80))


@helper("hikari_timeout")
def hikari_frames(c: Ctx) -> list[StackFrame]:
    """HikariCP timing out a borrow; each frame's line drawn on its own (the pool's version is not modelled)."""
    return [c.lib(method, c.pick(lines)) for method, lines in c.values("database.hikari_timeout")]
