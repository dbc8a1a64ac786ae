"""Relational databases: SQLException (generic vendor errors), SQLSyntaxErrorException, SQLIntegrityConstraint-
ViolationException, SQLTransientConnectionException (no connection) and SQLTransactionRollbackException
(deadlocks, lock waits), each through JdbcTemplate, JPA/Hibernate or MyBatis with their translation wrappers."""

from __future__ import annotations

import re
from collections.abc import Callable

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template
from utils.corpus.tables import tables

SQL_RETURN = "org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.executeUpdate"


def mybatis(c: Ctx, statement: str, operation: str = "update") -> list[StackFrame]:
    """MyBatis between the driver and a mapper interface (deepest first)."""
    proxy = "jdk.proxy2.$Proxy" if c.jdk.at_least(17) else "com.sun.proxy.$Proxy"
    module = "jdk.proxy2" if c.jdk.at_least(17) else None
    call, kind = ("update", "update") if operation == "update" else ("selectList", "query")
    return [
        *c.chain(f"mybatis.{kind}.executor"),
        *c.jdk.reflect_invoke(),
        c.lib("org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke", 427),
        StackFrame(f"{proxy}{c.randint(80, 140)}", call, module=module),
        *c.chain(f"mybatis.{kind}.mapper"),
        StackFrame(f"{proxy}{c.randint(141, 260)}", statement, module=module),
    ]


def sql_text(c: Ctx, kind: str, table: str, column: str) -> str:
    if kind == "insert":
        return f"INSERT INTO {table} ({column}, CREATED_AT) VALUES (?, ?)"
    if kind == "update":
        return f"UPDATE {table} SET {column} = ? WHERE ID = ?"
    return f"SELECT * FROM {table} WHERE {column} = ?"


Route = tuple[list[StackFrame], list[StackFrame], list[Wrap]]  # application frames, library frames, wrappers


def jdbc_route(c: Ctx, driver: list[StackFrame], operation: str, wrapper: str | None, sql: str, line: str) -> Route:
    """Through Spring's JdbcTemplate, whose translator wraps the driver's error."""
    dao = c.frame("repository")
    wraps: list[Wrap] = []
    if wrapper:
        callback = "PreparedStatementCallback" if operation == "update" else "StatementCallback"
        wraps.append(
            Wrap(
                wrapper,
                lambda e: f"{callback}; SQL [{sql}]; {line}; nested exception is {e.cls}: {line}",
                at="org.springframework.jdbc.core.JdbcTemplate.execute",
                top=stacks.translator(c),
                line_delta=16,
            )
        )
    return [dao], [*driver, *stacks.jdbc_template(c, operation)], wraps


def mybatis_route(
    c: Ctx, driver: list[StackFrame], operation: str, wrapper: str | None, sql: str, root_cls: str, line: str
) -> Route:
    """Through a MyBatis mapper, whose SqlSessionTemplate translates the error with the mapper's details."""
    mapper = c.app("repository", f"{c.type_name()}Mapper")
    statement = c.pick(("insert", "update", "select")) + c.type_name()
    top, lib_frames = [c.frame("service")], [*driver, *mybatis(c, statement, operation)]
    wraps: list[Wrap] = []
    if wrapper:
        action = "updating" if operation == "update" else "querying"
        text = c.message(
            "mybatis.error_message",
            action=action, root_cls=root_cls, first_line=line, mapper=mapper, statement=statement, sql=sql
        )
        wraps.append(
            Wrap(
                wrapper,
                lambda e: f"{text}; nested exception is {e.to_string().split(chr(10))[0]}",
                at="org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke",
                line_delta=12,
                top=c.chain("mybatis.exception_translator"),
            )
        )
    return top, lib_frames, wraps


def jpa_route(
    c: Ctx, driver: list[StackFrame], operation: str, hibernate_wrapper: str | None, jpa_wrapper: str | None
) -> Route:
    """Through Hibernate (flush on update, a query on select), translated by Hibernate and then by Spring."""
    top = [c.frame("controller" if c.context == "web" else "service")]
    if operation == "update":
        lib_frames = [*driver, *stacks.hibernate_flush(c)]
        at = SQL_RETURN
    else:
        lib_frames = [
            *driver,
            *c.chain("hibernate.query_extract"),
            *stacks.spring_data_repository(c, c.verb("repository")),
        ]
        at = "org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.extract"
    verb = "could not execute statement" if operation == "update" else "could not extract ResultSet"
    wraps: list[Wrap] = []
    if hibernate_wrapper:
        top_frames = c.chain("hibernate.exception_conversion")
        wraps.append(Wrap(hibernate_wrapper, verb, at=at, top=top_frames, line_delta=3))
    if jpa_wrapper:
        constraint = (
            f"; constraint [{c.pick(('uk_account_no', 'fk_transfer_account', 'pk_ledger_entry', 'null'))}]"
            if "Integrity" in jpa_wrapper
            else ""
        )
        translate_at = (
            "org.springframework.orm.jpa.JpaTransactionManager.doCommit"
            if operation == "update"
            else "org.springframework.dao.support.PersistenceExceptionTranslationInterceptor.invoke"
        )
        wraps.append(
            Wrap(
                jpa_wrapper,
                lambda e: f"{verb}; SQL [n/a]{constraint}; nested exception is {e.to_string()}",
                at=translate_at,
                line_delta=4,
                top=c.chain("spring.hibernate_jpa_dialect"),
            )
        )
    return top, lib_frames, wraps


def db_failure(
    c: Ctx,
    vendor: str,
    root_cls: str,
    root_msg: str,
    *,
    path: str,
    operation: str,
    cause: str,
    fix: str,
    jdbc_wrapper: str | None = None,
    hibernate_wrapper: str | None = None,
    jpa_wrapper: str | None = None,
    mybatis_wrapper: str | None = None,
    table: str | None = None,
    column: str | None = None,
) -> Incident:
    """A database error through `path` ("raw" JDBC, "jdbc" JdbcTemplate, "jpa" Hibernate, "mybatis")."""
    table, column = table or c.table(), column or c.column()
    sql = sql_text(c, "insert" if operation == "update" else "select", table, column)
    driver = stacks.jdbc_driver(c, vendor, operation)
    first_line = root_msg.split("\n", 1)[0].strip()
    if path == "jdbc":
        top, lib_frames, wraps = jdbc_route(c, driver, operation, jdbc_wrapper, sql, first_line)
    elif path == "mybatis":
        top, lib_frames, wraps = mybatis_route(c, driver, operation, mybatis_wrapper, sql, root_cls, first_line)
    elif path == "jpa":
        top, lib_frames, wraps = jpa_route(c, driver, operation, hibernate_wrapper, jpa_wrapper)
    else:
        top, lib_frames, wraps = [c.frame(c.pick(("repository", "batch", "support")))], driver, []
    stack = c.call_stack(top, lib_frames)
    return c.incident([Thrown(root_cls, root_msg, stack)], wraps=wraps, top=top, cause=cause, fix=fix)


def register_routes(label: str, build: Callable[[Ctx, str], Incident], names: tuple[str, str, str, str]) -> None:
    """One database error's four templates, one per route: JdbcTemplate (raw JDBC too in OSS code), JPA and MyBatis
    (bank code only), raw JDBC."""

    def jdbc_route(c: Ctx) -> Incident:
        return build(c, "jdbc" if c.bank else c.pick(("jdbc", "raw")))

    template(label, names[0])(jdbc_route)
    template(label, names[1], codebases=("bank",))(lambda c: build(c, "jpa"))
    template(label, names[2], codebases=("bank",))(lambda c: build(c, "mybatis"))
    template(label, names[3])(lambda c: build(c, "raw"))


TRANSLATIONS = tables().maps["database.translations"]  # an error kind -> how Spring/Hibernate/JPA wrap it


def translated_incident(
    c: Ctx, path: str, root: Callable[[Ctx], tuple[str, str, str, tuple[str, str]]], kind: str
) -> Incident:
    """A vendor error (`root` draws it) raised on `path`, wrapped the way the route's framework translates it
    (database.yaml: database.translations)."""
    spec = TRANSLATIONS[kind]
    vendor, root_cls, message, what = root(c)
    operations = spec["operation"]
    operation = c.pick(operations) if isinstance(operations, tuple) else operations
    special = spec.get("special")  # messages Spring translates to a more specific wrapper (duplicate key, deadlock)
    return db_failure(
        c,
        vendor,
        root_cls,
        message,
        path=path,
        operation=operation,
        **wrappers(kind, bool(special and re.search(special, message))),
        cause=c.text(spec["cause"], what=what),
        fix=c.text(spec["fix"]),
    )


def wrappers(kind: str, special: bool = False) -> dict[str, str]:
    """`db_failure`'s wrapper per route for an error kind (database.yaml: database.translations); MyBatis wraps
    through Spring's JDBC translator."""
    spec = TRANSLATIONS[kind]
    jdbc = spec["special_wrapper"] if special else spec["jdbc"]
    return {
        "jdbc_wrapper": jdbc,
        "hibernate_wrapper": spec["hibernate"],
        "jpa_wrapper": spec["jpa"],
        "mybatis_wrapper": jdbc,
    }


def path_of(c: Ctx, bank_paths: tuple[str, ...] = ("jdbc", "jpa", "mybatis", "raw")) -> str:
    return c.pick(bank_paths) if c.bank else c.pick(("raw", "raw", "jdbc"))


# ---------------------------------------------------------------------------------------------------- SQLException


@template("SQLException", "sqle.incorrect_string")
def incorrect_string(c: Ctx) -> Incident:
    column = c.pick(("memo", "customer_name", "address", "description"))
    table = c.table().lower()
    message = f"Incorrect string value: '\\xED\\x95\\x9C\\xEA\\xB8\\x80' for column '{column}' at row 1"
    return db_failure(
        c,
        "mysql",
        "java.sql.SQLException",
        message,
        path=path_of(c),
        operation="update",
        table=table,
        column=column,
        **wrappers("generic"),
        cause=c.text(".cause", table=table, column=column),
        fix=c.text(".fix"),
    )


@template("SQLException", "sqle.data_too_long")
def data_too_long(c: Ctx) -> Incident:
    column = c.column()
    if c.chance(0.5):
        vendor, exception = "mysql", "com.mysql.cj.jdbc.exceptions.MysqlDataTruncation"
        message = f"Data truncation: Data too long for column '{column.lower()}' at row 1"
    else:
        vendor, exception = "oracle", "java.sql.SQLException"
        actual, maximum = c.randint(101, 400), c.pick((20, 50, 100))
        message = (
            c.message(".message", table=c.table(), column=column, actual=actual, maximum=maximum)
        )
    return db_failure(
        c,
        vendor,
        exception,
        message,
        path=path_of(c),
        operation="update",
        column=column,
        jdbc_wrapper="org.springframework.dao.DataIntegrityViolationException",
        hibernate_wrapper="org.hibernate.exception.DataException",
        jpa_wrapper="org.springframework.dao.DataIntegrityViolationException",
        mybatis_wrapper="org.springframework.dao.DataIntegrityViolationException",
        cause=c.text(".cause", column=column),
        fix=c.text(".fix", column=column),
    )


@template("SQLException", "sqle.oracle_plsql")
def oracle_plsql(c: Ctx) -> Incident:
    package = c.pick(("PKG_SETTLE", "PKG_LEDGER", "PKG_INTEREST", "SP_DAILY_CLOSE"))
    message = c.pick(
        (
            c.message(".message_2", package=package, number=c.randint(20, 900)),
            c.message(".message_3", package=package),
            c.message(".message_4", text=c.text(".message"), package=package, number=c.randint(20, 900)),
        )
    )
    return db_failure(
        c,
        "oracle",
        "java.sql.SQLException",
        message,
        path=c.pick(("raw", "jdbc", "mybatis")) if c.bank else "raw",
        operation="update",
        jdbc_wrapper="org.springframework.jdbc.UncategorizedSQLException",
        mybatis_wrapper="org.springframework.jdbc.UncategorizedSQLException",
        cause=c.text(".cause", package=package),
        fix=c.text(".fix", package=package),
    )


@template("SQLException", "sqle.postgres")
def postgres(c: Ctx) -> Incident:
    table, column = c.table().lower(), c.column().lower()
    message, what = c.pick(
        (
            (
                c.message(".message_what_6", table=table, column=column, account_no=c.account_no()),
                c.pair(".message_what"),
            ),
            (f"ERROR: value too long for type character varying({c.pick((20, 50, 100))})", c.pair(".message_what_2")),
            (
                "ERROR: current transaction is aborted, commands ignored until end of transaction block",
                c.pair(".message_what_3"),
            ),
            (c.message(".message_what_7", column=column), c.pair(".message_what_4")),
            (f'ERROR: relation "{table}_hist" does not exist\n  Position: 15', c.pair(".message_what_5")),
        )
    )
    return db_failure(
        c,
        "postgres",
        "org.postgresql.util.PSQLException",
        message,
        path=path_of(c),
        operation="update",
        table=table,
        column=column,
        **wrappers("generic"),
        cause=c.text(".cause", table=table, what=what),
        fix=c.text(".fix"),
    )


@template("SQLException", "sqle.closed_connection")
def closed_connection(c: Ctx) -> Incident:
    site = c.frame(c.pick(("repository", "batch", "support")))
    kind = c.pick(("hikari_closed", "oracle", "hikari_conn"))
    if kind == "hikari_closed":
        throw = [c.lib("com.zaxxer.hikari.HikariDataSource.getConnection", 96)]
        message = "HikariDataSource HikariDataSource (HikariPool-1) has been closed."
        what = c.pair(".what")
    elif kind == "oracle":
        throw = c.chain(".throw")
        message = "Closed Connection"
        what = c.pair(".what_2")
    else:
        throw = [
            c.lib("com.zaxxer.hikari.pool.ProxyConnection$ClosedConnection.lambda$getClosedConnection$0", 515),
            StackFrame(
                "com.sun.proxy.$Proxy" + str(c.randint(60, 90))
                if not c.jdk.at_least(17)
                else f"jdk.proxy2.$Proxy{c.randint(60, 90)}",
                "prepareStatement",
            ),
            c.lib("com.zaxxer.hikari.pool.ProxyConnection.prepareStatement", 337),
        ]
        message = "Connection is closed"
        what = c.pair(".what_3")
    return c.fail(
        "java.sql.SQLException",
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site, what=what),
        fix=c.text(".fix"),
    )


@template("SQLException", "sqle.column_or_parameter")
def column_or_parameter(c: Ctx) -> Incident:
    site = c.frame(c.pick(("repository", "support")))
    column = c.column().lower()
    kind = c.pick(("column", "parameter", "oracle_index"))
    if kind == "column":
        throw = c.chain(".throw")
        message, what = (f"Column '{column}' not found.", c.pair(".message_what", column=column))
    elif kind == "parameter":
        throw = c.chain(".throw_2")
        message, what = (
            "Parameter index out of range (3 > number of parameters, which is 2).",
            c.pair(".message_what_2"),
        )
    else:
        throw = c.chain(".throw_3")
        message, what = ("Invalid column index", c.pair(".message_what_3"))
    return c.fail(
        "java.sql.SQLException",
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site, what=what),
        fix=c.text(".fix"),
    )


@template("SQLException", "sqle.batch_update")
def batch_update(c: Ctx) -> Incident:
    site = c.frame(c.pick(("batch", "repository")))
    vendor = c.pick(("mysql", "oracle"))
    if vendor == "mysql":
        throw = c.chain(".throw_2")
        message = c.pick(
            (
                "Data truncation: Incorrect decimal value: 'N/A' for column 'amount' at row 12",
                f"Data too long for column 'memo' at row {c.randint(2, 900)}",
            )
        )
    else:
        throw = c.chain(".throw_3")
        message = "ORA-01438: value larger than specified precision allowed for this column\n"
    throw += c.chain(".throw")
    return c.fail(
        "java.sql.BatchUpdateException",
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site),
        fix=c.text(".fix"),
    )


@template("SQLException", "sqle.h2_general", codebases=("oss",), contexts=("test",))
def h2_general(c: Ctx) -> Incident:
    return c.fail(
        "java.sql.SQLException",
        c.pick(("No suitable driver found for jdbc:h2:mem:testdb", "The url cannot be null")),
        [c.frame("repository")],
        c.chain(".result"),
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


# ---------------------------------------------------------------------------------------------- SQLSyntaxErrorException


def syntax_root(c: Ctx) -> tuple[str, str, str, tuple[str, str]]:
    table, column = c.table(), c.column()
    vendor = c.pick(("mysql", "oracle", "h2", "mysql5"))
    if vendor == "mysql":
        message, what = c.pick(
            (
                (f"Table 'bank.{table.lower()}_hist' doesn't exist", c.pair("database.syntax_root.message_what")),
                (f"Unknown column '{column.lower()}' in 'field list'", c.pair("database.syntax_root.message_what_2")),
                (
                    c.message("database.syntax_root.message_what_8", table=table.lower()),
                    c.pair("database.syntax_root.message_what_3"),
                ),
            )
        )
        return "mysql", "java.sql.SQLSyntaxErrorException", message, what
    if vendor == "mysql5":
        return (
            "mysql",
            "com.mysql.jdbc.exceptions.jdbc4.MySQLSyntaxErrorException",
            f"Table 'bank.{table.lower()}' doesn't exist",
            c.pair("database.syntax_root.result_2"),
        )
    if vendor == "oracle":
        message, what = c.pick(
            (
                ("ORA-00942: table or view does not exist\n", c.pair("database.syntax_root.message_what_4")),
                (f'ORA-00904: "{column}": invalid identifier\n', c.pair("database.syntax_root.message_what_5")),
                ("ORA-00933: SQL command not properly ended\n", c.pair("database.syntax_root.message_what_6")),
                ("ORA-01722: invalid number\n", c.pair("database.syntax_root.message_what_7")),
            )
        )
        return "oracle", "java.sql.SQLSyntaxErrorException", message, what
    return (
        "h2",
        "org.h2.jdbc.JdbcSQLSyntaxErrorException",
        (f'Table "{table}" not found; SQL statement:\nselect * from {table.lower()} where id=? [42102-214]'),
        c.pair("database.syntax_root.result"),
    )


register_routes(
    "SQLSyntaxErrorException",
    lambda c, path: translated_incident(c, path, syntax_root, "syntax"),
    ("syn.jdbc_template", "syn.jpa", "syn.mybatis", "syn.raw_jdbc"),
)


@template("SQLSyntaxErrorException", "syn.reserved_word")
def reserved_word(c: Ctx) -> Incident:
    word = c.pick(("order", "group", "desc", "key", "rank", "level"))
    message = (
        c.message(".message", word=word)
    )
    return db_failure(
        c,
        "mysql",
        "java.sql.SQLSyntaxErrorException",
        message,
        path=path_of(c),
        operation="query",
        jdbc_wrapper="org.springframework.jdbc.BadSqlGrammarException",
        hibernate_wrapper="org.hibernate.exception.SQLGrammarException",
        jpa_wrapper="org.springframework.dao.InvalidDataAccessResourceUsageException",
        mybatis_wrapper="org.springframework.jdbc.BadSqlGrammarException",
        cause=c.text(".cause", word=word),
        fix=c.text(".fix"),
    )


@template("SQLSyntaxErrorException", "syn.invalid_number", codebases=("bank",))
def invalid_number(c: Ctx) -> Incident:
    column = c.pick(("ACCOUNT_NO", "BRANCH_CD", "CUST_ID"))
    return db_failure(
        c,
        "oracle",
        "java.sql.SQLSyntaxErrorException",
        "ORA-01722: invalid number\n",
        path=c.pick(("jdbc", "mybatis", "raw")),
        operation="query",
        column=column,
        jdbc_wrapper="org.springframework.jdbc.BadSqlGrammarException",
        mybatis_wrapper="org.springframework.jdbc.BadSqlGrammarException",
        cause=c.text(".cause", column=column),
        fix=c.text(".fix", column=column),
    )


@template("SQLSyntaxErrorException", "syn.h2_test_schema", contexts=("test",))
def h2_test_schema(c: Ctx) -> Incident:
    table = c.table()
    message = c.pick(
        (
            c.message(".message", table=table, table_2=table.lower()),
            f'Column "{c.column()}" not found; SQL statement:\ninsert into {table.lower()} values (?, ?) [42122-214]',
            c.message(".message_2", table=table.lower()),
        )
    )
    return db_failure(
        c,
        "h2",
        "org.h2.jdbc.JdbcSQLSyntaxErrorException",
        message,
        path=c.pick(("raw", "jdbc")),
        operation="query",
        table=table,
        jdbc_wrapper="org.springframework.jdbc.BadSqlGrammarException",
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


# ------------------------------------------------------------------------------------ SQLIntegrityConstraintViolation


def integrity_root(c: Ctx) -> tuple[str, str, str, tuple[str, str]]:
    table, column = c.table(), c.column()
    key = c.account_no() if c.bank else str(c.randint(1, 99999))
    kind = c.pick(("duplicate", "duplicate", "foreign", "null", "child"))
    vendor = c.pick(("mysql", "oracle", "h2", "mysql5"))
    if vendor in ("mysql", "mysql5"):
        message = {
            "duplicate": f"Duplicate entry '{key}' for key '{table.lower()}.uk_{column.lower()}'",
            "foreign": c.message("database.integrity_root.message_5", table=table.lower()),
            "null": f"Column '{column.lower()}' cannot be null",
            "child": c.message("database.integrity_root.message_6", table=table.lower()),
        }[kind]
        cls = (
            "java.sql.SQLIntegrityConstraintViolationException"
            if vendor == "mysql"
            else "com.mysql.jdbc.exceptions.jdbc4.MySQLIntegrityConstraintViolationException"
        )
        return "mysql", cls, message, c.pair(f"sicv.kind.{kind}")
    if vendor == "oracle":
        message = {
            "duplicate": f"ORA-00001: unique constraint (BANK.UK_{table}_{column}) violated\n",
            "foreign": f"ORA-02291: integrity constraint (BANK.FK_{table}_ACCOUNT) violated - parent key not found\n",
            "null": f'ORA-01400: cannot insert NULL into ("BANK"."{table}"."{column}")\n',
            "child": f"ORA-02292: integrity constraint (BANK.FK_{table}_ACCOUNT) violated - child record found\n",
        }[kind]
        return "oracle", "java.sql.SQLIntegrityConstraintViolationException", message, c.pair(f"sicv.kind.{kind}")
    message = {
        "duplicate": c.message(
            "database.integrity_root.message",
            column=column,
            table=table,
            key=key,
            table_2=table.lower(),
            column_2=column.lower(),
        ),
        "foreign": c.message("database.integrity_root.message_2", table=table, table_2=table.lower()),
        "null": c.message("database.integrity_root.message_3", column=column, table=table.lower()),
        "child": c.message("database.integrity_root.message_4", table=table),
    }[kind]
    return "h2", "org.h2.jdbc.JdbcSQLIntegrityConstraintViolationException", message, c.pair(f"sicv.kind.{kind}")


register_routes(
    "SQLIntegrityConstraintViolationException",
    lambda c, path: translated_incident(c, path, integrity_root, "integrity"),
    ("sicv.jdbc_template", "sicv.jpa_commit", "sicv.mybatis", "sicv.raw_jdbc"),
)


@template(
    "SQLIntegrityConstraintViolationException",
    "sicv.duplicate_message",
    contexts=("kafka", "batch", "web"),
    codebases=("bank",),
)
def duplicate_message(c: Ctx) -> Incident:
    tx = c.tx_id()
    message = f"Duplicate entry '{tx}' for key '{c.table().lower()}.uk_tx_id'"
    return db_failure(
        c,
        "mysql",
        "java.sql.SQLIntegrityConstraintViolationException",
        message,
        path=c.pick(("jdbc", "mybatis", "jpa")),
        operation="update",
        jdbc_wrapper="org.springframework.dao.DuplicateKeyException",
        hibernate_wrapper="org.hibernate.exception.ConstraintViolationException",
        jpa_wrapper="org.springframework.dao.DataIntegrityViolationException",
        mybatis_wrapper="org.springframework.dao.DuplicateKeyException",
        cause=c.text(".cause", tx=tx),
        fix=c.text(".fix"),
    )


@template("SQLIntegrityConstraintViolationException", "sicv.delete_parent", codebases=("bank",))
def delete_parent(c: Ctx) -> Incident:
    table = c.table()
    message = (
        c.message(".message", table=table.lower())
    )
    return db_failure(
        c,
        "mysql",
        "java.sql.SQLIntegrityConstraintViolationException",
        message,
        path=c.pick(("jdbc", "jpa")),
        operation="update",
        table=table,
        jdbc_wrapper="org.springframework.dao.DataIntegrityViolationException",
        hibernate_wrapper="org.hibernate.exception.ConstraintViolationException",
        jpa_wrapper="org.springframework.dao.DataIntegrityViolationException",
        cause=c.text(".cause", table=table),
        fix=c.text(".fix"),
    )


@template("SQLIntegrityConstraintViolationException", "sicv.oracle_not_null", codebases=("bank",))
def oracle_not_null(c: Ctx) -> Incident:
    column = c.pick(("BRANCH_CD", "VALUE_DATE", "CURRENCY_CD", "APPROVAL_NO"))
    table = c.table()
    return db_failure(
        c,
        "oracle",
        "java.sql.SQLIntegrityConstraintViolationException",
        f'ORA-01400: cannot insert NULL into ("BANK"."{table}"."{column}")\n',
        path=c.pick(("jdbc", "mybatis", "jpa")),
        operation="update",
        table=table,
        column=column,
        jdbc_wrapper="org.springframework.dao.DataIntegrityViolationException",
        hibernate_wrapper="org.hibernate.exception.ConstraintViolationException",
        jpa_wrapper="org.springframework.dao.DataIntegrityViolationException",
        mybatis_wrapper="org.springframework.dao.DataIntegrityViolationException",
        cause=c.text(".cause", table=table, column=column),
        fix=c.text(".fix", column=column),
    )


# ------------------------------------------------------------------------------------ SQLTransientConnectionException


def pool_timeout_message(c: Ctx) -> str:
    millis = c.pick((30000, 30000, 10000, 5000, 60000))
    pool = c.pick(("HikariPool-1", "HikariPool-1", "bankDS", "ledgerPool", "HikariPool-2"))
    if c.chance(0.5):
        return f"{pool} - Connection is not available, request timed out after {millis + c.randint(0, 9)}ms."
    size = c.pick((10, 20, 30, 50))
    return (
        c.message(
            "database.pool_timeout_message.result",
            pool=pool,
            millis_later=millis + c.randint(0, 9),
            size=size,
            number=c.randint(1, 80),
        )
    )


HIKARI_TIMEOUT = (
    "com.zaxxer.hikari.pool.HikariPool.createTimeoutException",
    "com.zaxxer.hikari.pool.HikariPool.getConnection",
)


def hikari_frames(c: Ctx) -> list[StackFrame]:
    return [
        c.lib(HIKARI_TIMEOUT[0], c.pick((696, 686, 723))),
        c.lib(HIKARI_TIMEOUT[1], c.pick((197, 181, 196))),
        c.lib(HIKARI_TIMEOUT[1], c.pick((162, 146, 161))),
        c.lib("com.zaxxer.hikari.HikariDataSource.getConnection", c.pick((128, 100))),
    ]


def no_pooled_connection(c: Ctx, site: StackFrame, lib_frames: list[StackFrame]) -> Incident:
    """The pool timed out below Spring's DataSourceUtils, which wraps it in CannotGetJdbcConnectionException."""
    stack = c.call_stack([site], lib_frames)
    root = Thrown("java.sql.SQLTransientConnectionException", pool_timeout_message(c), stack)
    wrap = Wrap(
        "org.springframework.jdbc.CannotGetJdbcConnectionException",
        lambda e: f"Failed to obtain JDBC Connection; nested exception is {e.to_string()}",
        at="org.springframework.jdbc.datasource.DataSourceUtils.getConnection",
        line_delta=2,
    )
    cause = c.text(".cause", site=site)
    return c.incident([root], wraps=[wrap], top=[site], cause=cause, fix=c.text("database.pool_fix"))


@template("SQLTransientConnectionException", "stce.jdbc_template")
def stce_jdbc_template(c: Ctx) -> Incident:
    dao = c.frame("repository")
    return no_pooled_connection(
        c, dao, [*hikari_frames(c), *c.chain(".lib_frames"), *stacks.jdbc_template(c, "query")[2:]]
    )


@template("SQLTransientConnectionException", "stce.jpa_transaction", codebases=("bank",))
def stce_jpa_transaction(c: Ctx) -> Incident:
    service = c.frame("service")
    lib_frames = [
        *hikari_frames(c),
        *c.chain(".lib_frames"),
        StackFrame(
            f"{service.cls}$$EnhancerBySpringCGLIB${c.randint(0x10000000, 0x7FFFFFFF):x}",
            service.method,
            generated=True,
        ),
    ]
    caller = c.frame("controller" if c.context == "web" else c.pick(("listener", "batch", "scheduler")))
    stack = c.call_stack([caller], lib_frames)
    root = Thrown("java.sql.SQLTransientConnectionException", pool_timeout_message(c), stack)
    wraps = [
        Wrap(
            "org.hibernate.exception.JDBCConnectionException",
            "Unable to acquire JDBC Connection",
            at="org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.acquireConnectionIfNeeded",
            top=c.chain(".top"),
            line_delta=4,
        ),
        Wrap(
            "org.springframework.transaction.CannotCreateTransactionException",
            lambda e: f"Could not open JPA EntityManager for transaction; nested exception is {e.to_string()}",
            at="org.springframework.orm.jpa.JpaTransactionManager.doBegin",
            line_delta=46,
        ),
    ]
    return c.incident(
        [root],
        wraps=wraps,
        top=[caller],
        fault=StackFrame(service.cls, service.method, service.file, None, app=True),
        fault_in_trace=False,
        cause=c.text(".cause", service=service),
        fix=c.text("database.pool_fix"),
    )


@template("SQLTransientConnectionException", "stce.mybatis", codebases=("bank",))
def stce_mybatis(c: Ctx) -> Incident:
    service = c.frame("service")
    lib_frames = [*hikari_frames(c), *c.chain(".lib_frames"), *mybatis(c, "select" + c.type_name(), "query")[3:]]
    return no_pooled_connection(c, service, lib_frames)


@template("SQLTransientConnectionException", "stce.too_many_connections")
def too_many_connections(c: Ctx) -> Incident:
    message = c.pick(c.values(".message"))
    throw = c.chain(".throw")
    site = c.frame(c.pick(("repository", "config")))
    return c.fail(
        "java.sql.SQLNonTransientConnectionException",
        message,
        [site],
        throw,
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


@template("SQLTransientConnectionException", "stce.public_key_retrieval", contexts=("main", "test", "web"))
def public_key_retrieval(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    site = c.frame(c.pick(("config", "repository")))
    return c.fail(
        "java.sql.SQLNonTransientConnectionException",
        "Public Key Retrieval is not allowed",
        [site],
        throw,
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


@template("SQLTransientConnectionException", "stce.batch_parallel", contexts=("batch", "scheduled", "executor"))
def batch_parallel(c: Ctx) -> Incident:
    step = c.frame(c.pick(("batch", "repository")))
    lib_frames = [*hikari_frames(c), *c.chain("stce.jdbc_template.lib_frames"), *stacks.jdbc_template(c, "update")[2:]]
    stack = c.call_stack([step], lib_frames)
    root = Thrown("java.sql.SQLTransientConnectionException", pool_timeout_message(c), stack)
    wrap = Wrap(
        "org.springframework.jdbc.CannotGetJdbcConnectionException",
        lambda e: f"Failed to obtain JDBC Connection; nested exception is {e.to_string()}",
        at="org.springframework.jdbc.datasource.DataSourceUtils.getConnection",
        line_delta=2,
    )
    return c.incident([root], wraps=[wrap], top=[step], cause=c.text(".cause"), fix=c.text(".fix"))


@template("SQLTransientConnectionException", "stce.communications_no_cause")
def communications_no_cause(c: Ctx) -> Incident:
    throw = [*c.chain(".throw"), *c.jdk.submitted_task()]
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


def rollback_root(c: Ctx) -> tuple[str, str, str, tuple[str, str]]:
    kind = c.pick(("deadlock", "lock_wait", "oracle_deadlock", "serialize"))
    if kind == "deadlock":
        return (
            "mysql",
            "com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException",
            "Deadlock found when trying to get lock; try restarting transaction",
            c.pair("database.rollback_root.result_2"),
        )
    if kind == "lock_wait":
        return (
            "mysql",
            "com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException",
            "Lock wait timeout exceeded; try restarting transaction",
            c.pair("database.rollback_root.result_3"),
        )
    if kind == "oracle_deadlock":
        return (
            "oracle",
            "java.sql.SQLTransactionRollbackException",
            "ORA-00060: deadlock detected while waiting for resource\n",
            c.pair("database.rollback_root.result_4"),
        )
    return (
        "oracle",
        "java.sql.SQLTransactionRollbackException",
        "ORA-08177: can't serialize access for this transaction\n",
        c.pair("database.rollback_root.result"),
    )


register_routes(
    "SQLTransactionRollbackException",
    lambda c, path: translated_incident(c, path, rollback_root, "rollback"),
    ("str.jdbc_template", "str.jpa", "str.mybatis", "str.raw_jdbc"),
)


@template(
    "SQLTransactionRollbackException", "str.select_for_update", codebases=("bank",), contexts=("web", "batch", "kafka")
)
def select_for_update(c: Ctx) -> Incident:
    return db_failure(
        c,
        "mysql",
        "com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException",
        "Lock wait timeout exceeded; try restarting transaction",
        path=c.pick(("jdbc", "mybatis")),
        operation="query",
        jdbc_wrapper="org.springframework.dao.CannotAcquireLockException",
        mybatis_wrapper="org.springframework.dao.CannotAcquireLockException",
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


@template("SQLTransactionRollbackException", "str.jpa_pessimistic", codebases=("bank",))
def jpa_pessimistic(c: Ctx) -> Incident:
    site = c.frame("repository")
    lib_frames = [*stacks.jdbc_driver(c, "mysql", "query"), *c.chain(".lib_frames")]
    stack = c.call_stack([site], lib_frames)
    root = Thrown(
        "com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException",
        "Lock wait timeout exceeded; try restarting transaction",
        stack,
    )
    jpa = c.pick(("jakarta.persistence", "javax.persistence")) if c.jdk.at_least(17) else "javax.persistence"
    wraps = [
        Wrap(
            "org.hibernate.PessimisticLockException",
            "could not extract ResultSet",
            at="org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.extract",
            top=c.chain(".top"),
            line_delta=3,
        ),
        Wrap(
            f"{jpa}.PessimisticLockException",
            lambda e: e.to_string(),
            at="org.hibernate.internal.SessionImpl.find",
            top=c.chain(".top_2"),
            line_delta=40,
        ),
    ]
    return c.incident(
        [root],
        wraps=wraps,
        top=[site],
        cause=c.text(".cause", site=site),
        fix=c.text("database.rollback_fix"),
    )
