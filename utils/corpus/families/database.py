"""Relational databases: SQLException (generic vendor errors), SQLSyntaxErrorException, SQLIntegrityConstraint-
ViolationException, SQLTransientConnectionException (no connection) and SQLTransactionRollbackException
(deadlocks, lock waits), each through JdbcTemplate, JPA/Hibernate or MyBatis with their translation wrappers."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template

SQL_RETURN = "org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.executeUpdate"


def mybatis(c: Ctx, statement: str, operation: str = "update") -> list[StackFrame]:
    """MyBatis between the driver and a mapper interface (deepest first)."""
    proxy = "jdk.proxy2.$Proxy" if c.jdk.at_least(17) else "com.sun.proxy.$Proxy"
    call = "update" if operation == "update" else "selectList"
    return [
        c.lib(
            "org.apache.ibatis.executor.statement.PreparedStatementHandler."
            + ("update" if operation == "update" else "query"),
            47 if operation == "update" else 64,
        ),
        c.lib(
            "org.apache.ibatis.executor.statement.RoutingStatementHandler."
            + ("update" if operation == "update" else "query"),
            74 if operation == "update" else 79,
        ),
        c.lib(
            "org.apache.ibatis.executor.SimpleExecutor." + ("doUpdate" if operation == "update" else "doQuery"),
            50 if operation == "update" else 63,
        ),
        c.lib(
            "org.apache.ibatis.executor.BaseExecutor." + ("update" if operation == "update" else "queryFromDatabase"),
            117 if operation == "update" else 325,
        ),
        c.lib(
            "org.apache.ibatis.executor.CachingExecutor." + ("update" if operation == "update" else "query"),
            76 if operation == "update" else 109,
        ),
        c.lib(f"org.apache.ibatis.session.defaults.DefaultSqlSession.{call}", 194 if operation == "update" else 151),
        *c.jdk.reflect_invoke(),
        c.lib("org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke", 427),
        StackFrame(f"{proxy}{c.randint(80, 140)}", call, module="jdk.proxy2" if c.jdk.at_least(17) else None),
        c.lib(f"org.mybatis.spring.SqlSessionTemplate.{call}", 272 if operation == "update" else 224),
        c.lib("org.apache.ibatis.binding.MapperMethod.execute", 62 if operation == "update" else 145),
        c.lib("org.apache.ibatis.binding.MapperProxy$PlainMethodInvoker.invoke", 145),
        c.lib("org.apache.ibatis.binding.MapperProxy.invoke", 86),
        StackFrame(f"{proxy}{c.randint(141, 260)}", statement, module="jdk.proxy2" if c.jdk.at_least(17) else None),
    ]


HIBERNATE_CONVERT = (
    "org.hibernate.exception.internal.SQLStateConversionDelegate.convert",
    "org.hibernate.exception.internal.StandardSQLExceptionConverter.convert",
    "org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert",
)


def sql_text(c: Ctx, kind: str, table: str, column: str) -> str:
    if kind == "insert":
        return f"INSERT INTO {table} ({column}, CREATED_AT) VALUES (?, ?)"
    if kind == "update":
        return f"UPDATE {table} SET {column} = ? WHERE ID = ?"
    return f"SELECT * FROM {table} WHERE {column} = ?"


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
    wraps: list[Wrap] = []
    first_line = root_msg.split("\n", 1)[0].strip()
    if path == "jdbc":
        dao = c.frame("repository")
        top, lib_frames = [dao], [*driver, *stacks.jdbc_template(c, operation)]
        if jdbc_wrapper:
            callback = "PreparedStatementCallback" if operation == "update" else "StatementCallback"
            wraps.append(
                Wrap(
                    jdbc_wrapper,
                    lambda e: f"{callback}; SQL [{sql}]; {first_line}; nested exception is {e.cls}: {first_line}",
                    at="org.springframework.jdbc.core.JdbcTemplate.execute",
                    top=stacks.translator(c),
                    line_delta=16,
                )
            )
    elif path == "mybatis":
        mapper = c.app("repository", f"{c.type_name()}Mapper")
        statement = c.pick(("insert", "update", "select")) + c.type_name()
        top, lib_frames = [c.frame("service")], [*driver, *mybatis(c, statement, operation)]
        if mybatis_wrapper:
            text = (
                f"\n### Error {'updating' if operation == 'update' else 'querying'} database.  Cause: {root_cls}: "
                f"{first_line}\n"
                f"### The error may exist in mapper/{mapper.simple}.xml\n### The error may involve "
                f"{mapper.fqcn}.{statement}-Inline\n"
                f"### The error occurred while setting parameters\n### SQL: {sql}\n### Cause: {root_cls}: "
                f"{first_line}\n; {first_line}"
            )
            wraps.append(
                Wrap(
                    mybatis_wrapper,
                    lambda e: f"{text}; nested exception is {e.to_string().split(chr(10))[0]}",
                    at="org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke",
                    line_delta=12,
                    top=[
                        c.lib("org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator.doTranslate", 247),
                        c.lib("org.springframework.jdbc.support.AbstractFallbackSQLExceptionTranslator.translate", 70),
                        c.lib("org.mybatis.spring.MyBatisExceptionTranslator.translateExceptionIfPossible", 91),
                    ],
                )
            )
    elif path == "jpa":
        top = [c.frame("controller" if c.context == "web" else "service")]
        if operation == "update":
            lib_frames = [*driver, *stacks.hibernate_flush(c)]
            at = SQL_RETURN
        else:
            lib_frames = [
                *driver,
                c.lib("org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.extract", 57),
                c.lib("org.hibernate.loader.Loader.getResultSet", 2322),
                c.lib("org.hibernate.loader.Loader.doQuery", 948),
                c.lib("org.hibernate.loader.Loader.list", 2838),
                c.lib("org.hibernate.query.internal.AbstractProducedQuery.list", 1617),
                *stacks.spring_data_repository(c, c.verb("repository")),
            ]
            at = "org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.extract"
        if hibernate_wrapper:
            wraps.append(
                Wrap(
                    hibernate_wrapper,
                    "could not execute statement" if operation == "update" else "could not extract ResultSet",
                    at=at,
                    top=[
                        c.lib(HIBERNATE_CONVERT[0], 112),
                        c.lib(HIBERNATE_CONVERT[1], 42),
                        c.lib(HIBERNATE_CONVERT[2], 113),
                        c.lib(HIBERNATE_CONVERT[2], 99),
                    ],
                    line_delta=3,
                )
            )
        if jpa_wrapper:
            verb = "could not execute statement" if operation == "update" else "could not extract ResultSet"
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
                    top=[
                        c.lib(
                            "org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException",
                            276,
                        ),
                        c.lib(
                            "org.springframework.orm.jpa.vendor.HibernateJpaDialect.translateExceptionIfPossible", 233
                        ),
                    ],
                )
            )
    else:
        top, lib_frames = [c.frame(c.pick(("repository", "batch", "support")))], driver
    stack = c.call_stack(top, lib_frames)
    return c.incident([Thrown(root_cls, root_msg, stack)], wraps=wraps, top=top, cause=cause, fix=fix)


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
        jdbc_wrapper="org.springframework.jdbc.UncategorizedSQLException",
        hibernate_wrapper="org.hibernate.exception.GenericJDBCException",
        jpa_wrapper="org.springframework.orm.jpa.JpaSystemException",
        mybatis_wrapper="org.springframework.jdbc.UncategorizedSQLException",
        cause=c.t(
            f"Korean text is written into {table}.{column}, whose charset is latin1/utf8 (3-byte)",
            f"한글 텍스트를 latin1/utf8(3바이트) 문자셋인 {table}.{column}에 저장",
        ),
        fix=c.t(
            "Convert the column/table to utf8mb4 and use characterEncoding=UTF-8 on the connection",
            "컬럼/테이블을 utf8mb4로 변경하고 연결에 characterEncoding=UTF-8 설정",
        ),
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
            f'ORA-12899: value too large for column "BANK"."{c.table()}"."{column}" (actual: {actual}, '
            f"maximum: {maximum})\n"
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
        cause=c.t(
            f"A value longer than the {column} column allows is inserted", f"{column} 컬럼 길이를 넘는 값을 저장"
        ),
        fix=c.t(
            f"Validate/truncate {column} to the column size (bytes for Korean text) or widen the column",
            f"{column} 값을 컬럼 크기(한글은 바이트 기준)에 맞게 검증/자르거나 컬럼을 늘림",
        ),
    )


@template("SQLException", "sqle.oracle_plsql")
def oracle_plsql(c: Ctx) -> Incident:
    package = c.pick(("PKG_SETTLE", "PKG_LEDGER", "PKG_INTEREST", "SP_DAILY_CLOSE"))
    message = c.pick(
        (
            f'ORA-01403: no data found\nORA-06512: at "BANK.{package}", line {c.randint(20, 900)}\nORA-06512: at '
            "line 1\n",
            "ORA-04068: existing state of packages has been discarded\nORA-04061: existing state of package body "
            f'"BANK.{package}" has been invalidated\n',
            f'ORA-20001: {c.t("settlement already closed", "이미 마감된 정산입니다")}\nORA-06512: at "BANK.{package}", '
            "line "
            f"{c.randint(20, 900)}\n",
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
        cause=c.t(
            f"The stored procedure {package} raised an error (see the ORA codes)",
            f"저장 프로시저 {package}에서 오류 발생 (ORA 코드 참고)",
        ),
        fix=c.t(
            f"Check {package} at the reported line (data it expects, package recompiled after deploy)",
            f"보고된 라인에서 {package}를 점검 (기대 데이터, 배포 후 패키지 재컴파일)",
        ),
    )


@template("SQLException", "sqle.postgres")
def postgres(c: Ctx) -> Incident:
    table, column = c.table().lower(), c.column().lower()
    message, what = c.pick(
        (
            (
                f'ERROR: duplicate key value violates unique constraint "uk_{table}_{column}"\n  Detail: Key '
                f"({column})=({c.account_no()}) already exists.",
                ("a row with the same unique key already exists", "같은 고유 키의 행이 이미 존재"),
            ),
            (
                f"ERROR: value too long for type character varying({c.pick((20, 50, 100))})",
                ("a value exceeds the varchar length", "값이 varchar 길이를 초과"),
            ),
            (
                "ERROR: current transaction is aborted, commands ignored until end of transaction block",
                (
                    "an earlier statement failed and the transaction was not rolled back",
                    "앞선 문장이 실패했는데 트랜잭션을 롤백하지 않음",
                ),
            ),
            (
                f'ERROR: null value in column "{column}" violates not-null constraint\n  Detail: Failing row '
                "contains (1, null, 2024-03-12).",
                ("a NOT NULL column gets null", "NOT NULL 컬럼에 null 저장"),
            ),
            (
                f'ERROR: relation "{table}_hist" does not exist\n  Position: 15',
                ("the SQL refers to a table missing in this schema", "SQL이 이 스키마에 없는 테이블을 참조"),
            ),
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
        jdbc_wrapper="org.springframework.jdbc.UncategorizedSQLException",
        hibernate_wrapper="org.hibernate.exception.GenericJDBCException",
        jpa_wrapper="org.springframework.orm.jpa.JpaSystemException",
        mybatis_wrapper="org.springframework.jdbc.UncategorizedSQLException",
        cause=c.t(
            f"PostgreSQL rejected the statement on {table}: {what[0]}", f"PostgreSQL이 {table} 문장을 거부: {what[1]}"
        ),
        fix=c.t(
            "Fix the data/SQL per the SQLState and detail line (constraint, length, schema, rollback after errors)",
            "SQLState와 Detail에 따라 데이터/SQL을 수정 (제약, 길이, 스키마, 오류 후 롤백)",
        ),
    )


@template("SQLException", "sqle.closed_connection")
def closed_connection(c: Ctx) -> Incident:
    site = c.frame(c.pick(("repository", "batch", "support")))
    kind = c.pick(("hikari_closed", "oracle", "hikari_conn"))
    if kind == "hikari_closed":
        throw = [c.lib("com.zaxxer.hikari.HikariDataSource.getConnection", 96)]
        message = "HikariDataSource HikariDataSource (HikariPool-1) has been closed."
        what = (
            "uses the DataSource after the pool was shut down (during application shutdown)",
            "애플리케이션 종료 중 닫힌 커넥션 풀(DataSource)을 사용",
        )
    elif kind == "oracle":
        throw = [
            c.lib("oracle.jdbc.driver.PhysicalConnection.prepareStatementInternal", 1907),
            c.lib("oracle.jdbc.driver.PhysicalConnection.prepareStatement", 1861),
            c.lib("com.zaxxer.hikari.pool.ProxyConnection.prepareStatement", 337),
            c.lib("com.zaxxer.hikari.pool.HikariProxyConnection.prepareStatement", None),
        ]
        message = "Closed Connection"
        what = (
            "uses an Oracle connection the server/firewall already closed (stale pooled connection)",
            "서버/방화벽이 이미 끊은 Oracle 연결을 사용 (오래된 풀 연결)",
        )
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
        what = ("keeps using a JDBC connection after returning it to the pool", "풀에 반납한 JDBC 연결을 계속 사용")
    return c.fail(
        "java.sql.SQLException",
        message,
        [site],
        throw,
        cause=c.t(f"{site.method} {what[0]}", f"{site.method}에서 {what[1]}"),
        fix=c.t(
            "Do not cache connections; get one per unit of work, and set maxLifetime below the DB/firewall idle "
            "timeout",
            "연결을 보관하지 말고 작업 단위마다 얻고, maxLifetime을 DB/방화벽 유휴 타임아웃보다 짧게 설정",
        ),
    )


@template("SQLException", "sqle.column_or_parameter")
def column_or_parameter(c: Ctx) -> Incident:
    site = c.frame(c.pick(("repository", "support")))
    column = c.column().lower()
    kind = c.pick(("column", "parameter", "oracle_index"))
    if kind == "column":
        throw = [
            c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException", 129),
            c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException", 97),
            c.lib("com.mysql.cj.jdbc.result.ResultSetImpl.findColumn", 581),
            c.lib("com.mysql.cj.jdbc.result.ResultSetImpl.getString", 905),
            c.lib("com.zaxxer.hikari.pool.HikariProxyResultSet.getString", None),
        ]
        message, what = (
            f"Column '{column}' not found.",
            (
                f"reads column '{column}' that the SELECT does not return (alias/typo)",
                f"SELECT 결과에 없는 컬럼 '{column}'을 읽음 (별칭/오타)",
            ),
        )
    elif kind == "parameter":
        throw = [
            c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException", 129),
            c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException", 97),
            c.lib("com.mysql.cj.jdbc.ClientPreparedStatement.checkBounds", 1396),
            c.lib("com.mysql.cj.jdbc.ClientPreparedStatement.getCoreParameterIndex", 1409),
            c.lib("com.mysql.cj.jdbc.ClientPreparedStatement.setString", 1787),
            c.lib("com.zaxxer.hikari.pool.HikariProxyPreparedStatement.setString", None),
        ]
        message, what = (
            "Parameter index out of range (3 > number of parameters, which is 2).",
            ("binds more parameters than the SQL has placeholders", "SQL의 ? 개수보다 많은 파라미터를 바인딩"),
        )
    else:
        throw = [
            c.lib("oracle.jdbc.driver.OraclePreparedStatement.setStringInternal", 5300),
            c.lib("oracle.jdbc.driver.OraclePreparedStatement.setString", 5288),
            c.lib("oracle.jdbc.driver.OraclePreparedStatementWrapper.setString", 280),
            c.lib("com.zaxxer.hikari.pool.HikariProxyPreparedStatement.setString", None),
        ]
        message, what = (
            "Invalid column index",
            (
                "binds a parameter index the statement does not have (0-based or too high)",
                "문장에 없는 파라미터 인덱스를 바인딩 (0부터 시작 또는 초과)",
            ),
        )
    return c.fail(
        "java.sql.SQLException",
        message,
        [site],
        throw,
        cause=c.t(f"{site.method} {what[0]}", f"{site.method}에서 {what[1]}"),
        fix=c.t(
            "Make the SQL text and the column names/parameter indexes in the code agree (indexes start at 1)",
            "SQL 문과 코드의 컬럼명/파라미터 인덱스를 일치시킴 (인덱스는 1부터)",
        ),
    )


@template("SQLException", "sqle.batch_update")
def batch_update(c: Ctx) -> Incident:
    site = c.frame(c.pick(("batch", "repository")))
    vendor = c.pick(("mysql", "oracle"))
    if vendor == "mysql":
        throw = [
            c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createBatchUpdateException", 224),
            c.lib("com.mysql.cj.jdbc.ClientPreparedStatement.executeBatchedInserts", 755),
            c.lib("com.mysql.cj.jdbc.ClientPreparedStatement.executeBatchInternal", 426),
            c.lib("com.mysql.cj.jdbc.StatementImpl.executeBatch", 795),
        ]
        message = c.pick(
            (
                "Data truncation: Incorrect decimal value: 'N/A' for column 'amount' at row 12",
                f"Data too long for column 'memo' at row {c.randint(2, 900)}",
            )
        )
    else:
        throw = [
            c.lib("oracle.jdbc.driver.OraclePreparedStatement.executeLargeBatch", 9711),
            c.lib("oracle.jdbc.driver.T4CPreparedStatement.executeLargeBatch", 1447),
            c.lib("oracle.jdbc.driver.OraclePreparedStatement.executeBatch", 9487),
            c.lib("oracle.jdbc.driver.OracleStatementWrapper.executeBatch", 237),
        ]
        message = "ORA-01438: value larger than specified precision allowed for this column\n"
    throw += [
        c.lib("com.zaxxer.hikari.pool.ProxyStatement.executeBatch", 127),
        c.lib("com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeBatch", None),
    ]
    return c.fail(
        "java.sql.BatchUpdateException",
        message,
        [site],
        throw,
        cause=c.t(
            f"One record of the JDBC batch in {site.method} violates a column definition; the whole batch fails",
            f"{site.method}의 JDBC 배치 중 한 건이 컬럼 정의를 위반해 배치 전체가 실패",
        ),
        fix=c.t(
            "Validate records before batching and log getUpdateCounts() to find the failing record",
            "배치 전에 레코드를 검증하고 getUpdateCounts()로 실패 건을 찾아 기록",
        ),
    )


@template("SQLException", "sqle.h2_general", codebases=("oss",), contexts=("test",))
def h2_general(c: Ctx) -> Incident:
    return c.fail(
        "java.sql.SQLException",
        c.pick(("No suitable driver found for jdbc:h2:mem:testdb", "The url cannot be null")),
        [c.frame("repository")],
        [
            c.j("java.sql.DriverManager.getConnection", (689, 702, 708, 708)),
            c.j("java.sql.DriverManager.getConnection", (247, 251, 253, 253)),
        ],
        cause=c.t(
            "DriverManager finds no JDBC driver for the URL (driver jar missing in test scope or malformed URL)",
            "DriverManager가 URL에 맞는 JDBC 드라이버를 찾지 못함 (테스트 범위 드라이버 누락 또는 URL 오류)",
        ),
        fix=c.t(
            "Add the driver to the test classpath and check the JDBC URL",
            "테스트 클래스패스에 드라이버를 추가하고 JDBC URL 확인",
        ),
    )


# ---------------------------------------------------------------------------------------------- SQLSyntaxErrorException


def syntax_root(c: Ctx) -> tuple[str, str, str, tuple[str, str]]:
    table, column = c.table(), c.column()
    vendor = c.pick(("mysql", "oracle", "h2", "mysql5"))
    if vendor == "mysql":
        message, what = c.pick(
            (
                (
                    f"Table 'bank.{table.lower()}_hist' doesn't exist",
                    ("the table does not exist in this schema", "테이블이 이 스키마에 없음"),
                ),
                (
                    f"Unknown column '{column.lower()}' in 'field list'",
                    ("a column name does not exist", "컬럼명이 존재하지 않음"),
                ),
                (
                    "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server "
                    "version for the right syntax to use near 'FROM "
                    f"{table.lower()} WHERE' at line 1",
                    ("the SQL text is malformed (e.g. a trailing comma)", "SQL 문법 오류 (예: 끝 쉼표)"),
                ),
            )
        )
        return "mysql", "java.sql.SQLSyntaxErrorException", message, what
    if vendor == "mysql5":
        return (
            "mysql",
            "com.mysql.jdbc.exceptions.jdbc4.MySQLSyntaxErrorException",
            f"Table 'bank.{table.lower()}' doesn't exist",
            ("the table does not exist", "테이블이 없음"),
        )
    if vendor == "oracle":
        message, what = c.pick(
            (
                (
                    "ORA-00942: table or view does not exist\n",
                    ("the table/view is missing or not granted to this user", "테이블/뷰가 없거나 권한 없음"),
                ),
                (f'ORA-00904: "{column}": invalid identifier\n', ("a column name is invalid", "컬럼명이 잘못됨")),
                ("ORA-00933: SQL command not properly ended\n", ("the SQL text is malformed", "SQL 문법 오류")),
                (
                    "ORA-01722: invalid number\n",
                    ("a string is compared/inserted as a number", "문자열을 숫자로 비교/저장"),
                ),
            )
        )
        return "oracle", "java.sql.SQLSyntaxErrorException", message, what
    return (
        "h2",
        "org.h2.jdbc.JdbcSQLSyntaxErrorException",
        (f'Table "{table}" not found; SQL statement:\nselect * from {table.lower()} where id=? [42102-214]'),
        ("the table is not created in the embedded test database", "내장 테스트 DB에 테이블이 생성되지 않음"),
    )


def syntax_incident(c: Ctx, path: str) -> Incident:
    vendor, root_cls, message, what = syntax_root(c)
    return db_failure(
        c,
        vendor,
        root_cls,
        message,
        path=path,
        operation=c.pick(("query", "update")),
        jdbc_wrapper="org.springframework.jdbc.BadSqlGrammarException",
        hibernate_wrapper="org.hibernate.exception.SQLGrammarException",
        jpa_wrapper="org.springframework.dao.InvalidDataAccessResourceUsageException",
        mybatis_wrapper="org.springframework.jdbc.BadSqlGrammarException",
        cause=c.t(f"The database rejected the SQL: {what[0]}", f"DB가 SQL을 거부: {what[1]}"),
        fix=c.t(
            "Fix the SQL/mapping or apply the missing migration (Flyway/Liquibase) and grants for this environment",
            "SQL/매핑을 수정하거나 이 환경에 누락된 마이그레이션(Flyway/Liquibase)과 권한을 적용",
        ),
    )


@template("SQLSyntaxErrorException", "syn.jdbc_template")
def syn_jdbc_template(c: Ctx) -> Incident:
    return syntax_incident(c, "jdbc" if c.bank else c.pick(("jdbc", "raw")))


@template("SQLSyntaxErrorException", "syn.jpa", codebases=("bank",))
def syn_jpa(c: Ctx) -> Incident:
    return syntax_incident(c, "jpa")


@template("SQLSyntaxErrorException", "syn.mybatis", codebases=("bank",))
def syn_mybatis(c: Ctx) -> Incident:
    return syntax_incident(c, "mybatis")


@template("SQLSyntaxErrorException", "syn.raw_jdbc")
def syn_raw_jdbc(c: Ctx) -> Incident:
    return syntax_incident(c, "raw")


@template("SQLSyntaxErrorException", "syn.reserved_word")
def reserved_word(c: Ctx) -> Incident:
    word = c.pick(("order", "group", "desc", "key", "rank", "level"))
    message = (
        "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server "
        f"version for the right syntax to use near '{word} = 1' at line 1"
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
        cause=c.t(
            f"A column/field named '{word}' is a reserved word in MySQL and is not quoted",
            f"'{word}' 컬럼/필드명이 MySQL 예약어인데 인용되지 않음",
        ),
        fix=c.t(
            "Quote the identifier (backticks / globally_quoted_identifiers) or rename the column",
            "식별자를 인용(백틱/globally_quoted_identifiers)하거나 컬럼명 변경",
        ),
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
        cause=c.t(
            f"{column} is a VARCHAR compared to a number (implicit TO_NUMBER fails on a value like '110-234')",
            f"VARCHAR인 {column}을 숫자와 비교하여 '110-234' 같은 값에서 암묵적 TO_NUMBER 실패",
        ),
        fix=c.t(
            f"Bind {column} as a string (and compare strings) so Oracle does not convert it",
            f"{column}을 문자열로 바인딩/비교하여 숫자 변환이 일어나지 않게 함",
        ),
    )


@template("SQLSyntaxErrorException", "syn.h2_test_schema", contexts=("test",))
def h2_test_schema(c: Ctx) -> Incident:
    table = c.table()
    message = c.pick(
        (
            f'Table "{table}" not found (this database is empty); SQL statement:\nselect * from {table.lower()} '
            "[42104-214]",
            f'Column "{c.column()}" not found; SQL statement:\ninsert into {table.lower()} values (?, ?) [42122-214]',
            f'Syntax error in SQL statement "SELECT * FROM {table.lower()} LIMIT ?, ?[*]"; SQL statement:\nSELECT '
            f"* FROM {table.lower()} LIMIT ?, ? [42000-214]",
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
        cause=c.t(
            "The embedded H2 schema of the test differs from the production SQL (missing DDL or vendor syntax)",
            "테스트의 내장 H2 스키마가 운영 SQL과 다름 (DDL 누락 또는 벤더 전용 문법)",
        ),
        fix=c.t(
            "Run the same migrations in tests (or H2 compatibility mode), or test against the real DB (Testcontainers)",
            "테스트에서도 같은 마이그레이션을 실행하거나(H2 호환 모드) 실제 DB(Testcontainers)로 테스트",
        ),
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
            "foreign": f"Cannot add or update a child row: a foreign key constraint fails (`bank`.`{table.lower()}`, "
            f"CONSTRAINT `fk_{table.lower()}_account` FOREIGN KEY (`account_id`) REFERENCES `account` (`id`))",
            "null": f"Column '{column.lower()}' cannot be null",
            "child": f"Cannot delete or update a parent row: a foreign key constraint fails (`bank`.`{table.lower()}`, "
            f"CONSTRAINT `fk_{table.lower()}_account` FOREIGN KEY (`account_id`) REFERENCES `account` (`id`))",
        }[kind]
        cls = (
            "java.sql.SQLIntegrityConstraintViolationException"
            if vendor == "mysql"
            else "com.mysql.jdbc.exceptions.jdbc4.MySQLIntegrityConstraintViolationException"
        )
        return "mysql", cls, message, KIND_TEXT[kind]
    if vendor == "oracle":
        message = {
            "duplicate": f"ORA-00001: unique constraint (BANK.UK_{table}_{column}) violated\n",
            "foreign": f"ORA-02291: integrity constraint (BANK.FK_{table}_ACCOUNT) violated - parent key not found\n",
            "null": f'ORA-01400: cannot insert NULL into ("BANK"."{table}"."{column}")\n',
            "child": f"ORA-02292: integrity constraint (BANK.FK_{table}_ACCOUNT) violated - child record found\n",
        }[kind]
        return "oracle", "java.sql.SQLIntegrityConstraintViolationException", message, KIND_TEXT[kind]
    message = {
        "duplicate": f'Unique index or primary key violation: "PUBLIC.UK_{column}_INDEX_A ON PUBLIC.{table}({column} '
        f"NULLS FIRST) VALUES ( /* 1 */ '{key}' )\"; SQL statement:\ninsert into {table.lower()} ({column.lower()}) "
        "values (?) [23505-214]",
        "foreign": f'Referential integrity constraint violation: "FK_{table}_ACCOUNT: PUBLIC.{table} FOREIGN '
        'KEY(ACCOUNT_ID) REFERENCES PUBLIC.ACCOUNT(ID) (CAST(42 AS BIGINT))"; SQL statement:\ninsert into '
        f"{table.lower()} values (?, ?) [23506-214]",
        "null": f'NULL not allowed for column "{column}"; SQL statement:\ninsert into {table.lower()} values (?, '
        "?) [23502-214]",
        "child": f'Referential integrity constraint violation: "FK_{table}_ACCOUNT: PUBLIC.{table} FOREIGN '
        'KEY(ACCOUNT_ID) REFERENCES PUBLIC.ACCOUNT(ID) (CAST(42 AS BIGINT))"; SQL statement:\ndelete from account '
        "where id=? [23503-214]",
    }[kind]
    return "h2", "org.h2.jdbc.JdbcSQLIntegrityConstraintViolationException", message, KIND_TEXT[kind]


KIND_TEXT = {
    "duplicate": (
        "a row with the same unique key already exists (duplicate request/retry)",
        "같은 고유 키의 행이 이미 존재 (중복 요청/재시도)",
    ),
    "foreign": ("the referenced parent row does not exist", "참조하는 부모 행이 없음"),
    "null": ("a NOT NULL column received null", "NOT NULL 컬럼에 null이 들어감"),
    "child": ("rows still reference the row being deleted", "삭제하려는 행을 참조하는 자식 행이 남아 있음"),
}


def integrity_incident(c: Ctx, path: str) -> Incident:
    vendor, root_cls, message, what = integrity_root(c)
    duplicate = message.startswith(("Duplicate", "ORA-00001", "Unique"))
    jdbc = (
        "org.springframework.dao.DuplicateKeyException"
        if duplicate
        else "org.springframework.dao.DataIntegrityViolationException"
    )
    return db_failure(
        c,
        vendor,
        root_cls,
        message,
        path=path,
        operation="update",
        jdbc_wrapper=jdbc,
        hibernate_wrapper="org.hibernate.exception.ConstraintViolationException",
        jpa_wrapper="org.springframework.dao.DataIntegrityViolationException",
        mybatis_wrapper=jdbc,
        cause=c.t(f"The write violates a database constraint: {what[0]}", f"쓰기가 DB 제약 조건을 위반: {what[1]}"),
        fix=c.t(
            "Validate before writing (exists/unique checks, required fields) and make retries idempotent; map "
            "the error to a business response",
            "저장 전 검증(존재/중복 확인, 필수값)과 재시도 멱등성을 보장하고 오류를 업무 응답으로 변환",
        ),
    )


@template("SQLIntegrityConstraintViolationException", "sicv.jdbc_template")
def sicv_jdbc_template(c: Ctx) -> Incident:
    return integrity_incident(c, "jdbc" if c.bank else c.pick(("jdbc", "raw")))


@template("SQLIntegrityConstraintViolationException", "sicv.jpa_commit", codebases=("bank",))
def sicv_jpa_commit(c: Ctx) -> Incident:
    return integrity_incident(c, "jpa")


@template("SQLIntegrityConstraintViolationException", "sicv.mybatis", codebases=("bank",))
def sicv_mybatis(c: Ctx) -> Incident:
    return integrity_incident(c, "mybatis")


@template("SQLIntegrityConstraintViolationException", "sicv.raw_jdbc")
def sicv_raw_jdbc(c: Ctx) -> Incident:
    return integrity_incident(c, "raw")


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
        cause=c.t(
            f"The same transaction {tx} was delivered/processed twice (redelivery or client retry)",
            f"같은 거래 {tx}가 두 번 전달/처리됨 (재전송 또는 클라이언트 재시도)",
        ),
        fix=c.t(
            "Make processing idempotent: check the tx id first or treat the duplicate key as already processed",
            "처리를 멱등하게: 거래 ID를 먼저 확인하거나 중복 키를 이미 처리된 건으로 간주",
        ),
    )


@template("SQLIntegrityConstraintViolationException", "sicv.delete_parent", codebases=("bank",))
def delete_parent(c: Ctx) -> Incident:
    table = c.table()
    message = (
        f"Cannot delete or update a parent row: a foreign key constraint fails (`bank`.`{table.lower()}`, "
        f"CONSTRAINT `fk_{table.lower()}_account` FOREIGN KEY (`account_id`) REFERENCES `account` (`id`))"
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
        cause=c.t(f"Deleting an account that {table} rows still reference", f"{table} 행이 참조 중인 계좌를 삭제"),
        fix=c.t(
            "Delete/archive dependent rows first (or soft-delete the parent) and block deletion while references exist",
            "자식 행을 먼저 삭제/보관하거나 부모를 소프트 삭제하고, 참조가 있으면 삭제를 막음",
        ),
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
        cause=c.t(
            f"{table}.{column} is NOT NULL but the insert passes null (field not mapped or not set)",
            f"{table}.{column}은 NOT NULL인데 null이 저장됨 (필드 미매핑/미설정)",
        ),
        fix=c.t(
            f"Set {column} before saving (default or required validation) and check the mapper/entity mapping",
            f"저장 전 {column} 값을 설정(기본값 또는 필수 검증)하고 매퍼/엔티티 매핑을 확인",
        ),
    )


# ------------------------------------------------------------------------------------ SQLTransientConnectionException


def pool_timeout_message(c: Ctx) -> str:
    millis = c.pick((30000, 30000, 10000, 5000, 60000))
    pool = c.pick(("HikariPool-1", "HikariPool-1", "bankDS", "ledgerPool", "HikariPool-2"))
    if c.chance(0.5):
        return f"{pool} - Connection is not available, request timed out after {millis + c.randint(0, 9)}ms."
    size = c.pick((10, 20, 30, 50))
    return (
        f"{pool} - Connection is not available, request timed out after {millis + c.randint(0, 9)}ms (total={size}, "
        f"active={size}, idle=0, waiting={c.randint(1, 80)})"
    )


HIKARI_TIMEOUT = (
    "com.zaxxer.hikari.pool.HikariPool.createTimeoutException",
    "com.zaxxer.hikari.pool.HikariPool.getConnection",
)
POOL_FIX = (
    "Find what holds connections (slow queries, long transactions, leaks: leakDetectionThreshold); then size the "
    "pool for the load",
    "커넥션을 오래 점유하는 원인(느린 쿼리, 긴 트랜잭션, 누수: leakDetectionThreshold)을 찾고 부하에 맞게 풀 크기 조정",
)


def hikari_frames(c: Ctx) -> list[StackFrame]:
    return [
        c.lib(HIKARI_TIMEOUT[0], c.pick((696, 686, 723))),
        c.lib(HIKARI_TIMEOUT[1], c.pick((197, 181, 196))),
        c.lib(HIKARI_TIMEOUT[1], c.pick((162, 146, 161))),
        c.lib("com.zaxxer.hikari.HikariDataSource.getConnection", c.pick((128, 100))),
    ]


@template("SQLTransientConnectionException", "stce.jdbc_template")
def stce_jdbc_template(c: Ctx) -> Incident:
    dao = c.frame("repository")
    lib_frames = [
        *hikari_frames(c),
        c.lib("org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection", 159),
        c.lib("org.springframework.jdbc.datasource.DataSourceUtils.doGetConnection", 117),
        c.lib("org.springframework.jdbc.datasource.DataSourceUtils.getConnection", 80),
        c.lib("org.springframework.jdbc.core.JdbcTemplate.execute", 646),
        *stacks.jdbc_template(c, "query")[2:],
    ]
    stack = c.call_stack([dao], lib_frames)
    root = Thrown("java.sql.SQLTransientConnectionException", pool_timeout_message(c), stack)
    wrap = Wrap(
        "org.springframework.jdbc.CannotGetJdbcConnectionException",
        lambda e: f"Failed to obtain JDBC Connection; nested exception is {e.to_string()}",
        at="org.springframework.jdbc.datasource.DataSourceUtils.getConnection",
        line_delta=2,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[dao],
        cause=c.t(
            f"{dao.method} waited for a pooled DB connection and none was free (pool exhausted)",
            f"{dao.method}가 DB 커넥션을 기다렸지만 풀에 여유가 없음 (풀 고갈)",
        ),
        fix=c.t(*POOL_FIX),
    )


@template("SQLTransientConnectionException", "stce.jpa_transaction", codebases=("bank",))
def stce_jpa_transaction(c: Ctx) -> Incident:
    service = c.frame("service")
    lib_frames = [
        *hikari_frames(c),
        c.lib("org.hibernate.engine.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection", 122),
        c.lib("org.hibernate.internal.NonContextualJdbcConnectionAccess.obtainConnection", 38),
        c.lib("org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.acquireConnectionIfNeeded", 108),
        c.lib("org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.getPhysicalConnection", 138),
        c.lib("org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.begin", 276),
        c.lib(
            "org.hibernate.resource.transaction.backend.jdbc.internal.JdbcResourceLocalTransactionCoordinatorImpl$TransactionDriverControlImpl.begin",
            246,
        ),
        c.lib("org.hibernate.engine.transaction.internal.TransactionImpl.begin", 83),
        c.lib("org.springframework.orm.jpa.vendor.HibernateJpaDialect.beginTransaction", 164),
        c.lib("org.springframework.orm.jpa.JpaTransactionManager.doBegin", 421),
        c.lib("org.springframework.transaction.support.AbstractPlatformTransactionManager.startTransaction", 400),
        c.lib("org.springframework.transaction.support.AbstractPlatformTransactionManager.getTransaction", 373),
        c.lib("org.springframework.transaction.interceptor.TransactionAspectSupport.createTransactionIfNecessary", 595),
        c.lib("org.springframework.transaction.interceptor.TransactionAspectSupport.invokeWithinTransaction", 382),
        c.lib("org.springframework.transaction.interceptor.TransactionInterceptor.invoke", 119),
        c.lib("org.springframework.aop.framework.ReflectiveMethodInvocation.proceed", 186),
        c.lib("org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept", 708),
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
            top=[
                c.lib(HIBERNATE_CONVERT[0], 48),
                c.lib(HIBERNATE_CONVERT[1], 42),
                c.lib(HIBERNATE_CONVERT[2], 113),
                c.lib(HIBERNATE_CONVERT[2], 99),
            ],
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
        cause=c.t(
            f"Opening a transaction for {service.method} timed out waiting for a DB connection (pool exhausted)",
            f"{service.method} 트랜잭션 시작 시 DB 커넥션 대기 시간 초과 (풀 고갈)",
        ),
        fix=c.t(*POOL_FIX),
    )


@template("SQLTransientConnectionException", "stce.mybatis", codebases=("bank",))
def stce_mybatis(c: Ctx) -> Incident:
    service = c.frame("service")
    lib_frames = [
        *hikari_frames(c),
        c.lib("org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection", 159),
        c.lib("org.springframework.jdbc.datasource.DataSourceUtils.doGetConnection", 117),
        c.lib("org.springframework.jdbc.datasource.DataSourceUtils.getConnection", 80),
        c.lib("org.mybatis.spring.transaction.SpringManagedTransaction.openConnection", 80),
        c.lib("org.mybatis.spring.transaction.SpringManagedTransaction.getConnection", 67),
        c.lib("org.apache.ibatis.executor.BaseExecutor.getConnection", 337),
        c.lib("org.apache.ibatis.executor.SimpleExecutor.prepareStatement", 86),
        c.lib("org.apache.ibatis.executor.SimpleExecutor.doQuery", 62),
        *mybatis(c, "select" + c.type_name(), "query")[3:],
    ]
    stack = c.call_stack([service], lib_frames)
    root = Thrown("java.sql.SQLTransientConnectionException", pool_timeout_message(c), stack)
    wrap = Wrap(
        "org.springframework.jdbc.CannotGetJdbcConnectionException",
        lambda e: f"Failed to obtain JDBC Connection; nested exception is {e.to_string()}",
        at="org.springframework.jdbc.datasource.DataSourceUtils.getConnection",
        line_delta=2,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[service],
        cause=c.t(
            f"The MyBatis query in {service.method} could not get a pooled connection",
            f"{service.method}의 MyBatis 쿼리가 풀에서 커넥션을 얻지 못함",
        ),
        fix=c.t(*POOL_FIX),
    )


@template("SQLTransientConnectionException", "stce.too_many_connections")
def too_many_connections(c: Ctx) -> Incident:
    message = c.pick(
        (
            'Data source rejected establishment of connection,  message from server: "Too many connections"',
            "Could not create connection to database server. Attempted reconnect 3 times. Giving up.",
        )
    )
    throw = [
        c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException", 110),
        c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException", 97),
        c.lib("com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException", 122),
        c.lib("com.mysql.cj.jdbc.ConnectionImpl.createNewIO", 828),
        c.lib("com.mysql.cj.jdbc.ConnectionImpl.<init>", 448),
        c.lib("com.mysql.cj.jdbc.ConnectionImpl.getInstance", 241),
        c.lib("com.mysql.cj.jdbc.NonRegisteringDriver.connect", 198),
        c.lib("com.zaxxer.hikari.util.DriverDataSource.getConnection", 138),
        c.lib("com.zaxxer.hikari.pool.PoolBase.newConnection", 364),
        c.lib("com.zaxxer.hikari.pool.PoolBase.newPoolEntry", 206),
        c.lib("com.zaxxer.hikari.pool.HikariPool.createPoolEntry", 476),
        c.lib("com.zaxxer.hikari.pool.HikariPool.checkFailFast", 561),
        c.lib("com.zaxxer.hikari.pool.HikariPool.<init>", 115),
        c.lib("com.zaxxer.hikari.HikariDataSource.getConnection", 112),
    ]
    site = c.frame(c.pick(("repository", "config")))
    return c.fail(
        "java.sql.SQLNonTransientConnectionException",
        message,
        [site],
        throw,
        cause=c.t(
            "MySQL refused new connections: max_connections reached by all application instances' pools",
            "MySQL이 새 연결을 거부: 모든 인스턴스의 풀 합계가 max_connections에 도달",
        ),
        fix=c.t(
            "Budget pool sizes across instances below max_connections (or raise it) and close leaked connections",
            "인스턴스별 풀 크기 합을 max_connections 이하로 조정(또는 상향)하고 누수 연결을 정리",
        ),
    )


@template("SQLTransientConnectionException", "stce.public_key_retrieval", contexts=("main", "test", "web"))
def public_key_retrieval(c: Ctx) -> Incident:
    throw = [
        c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException", 108),
        c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException", 95),
        c.lib("com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException", 122),
        c.lib("com.mysql.cj.jdbc.ConnectionImpl.createNewIO", 828),
        c.lib("com.mysql.cj.jdbc.ConnectionImpl.<init>", 448),
        c.lib("com.mysql.cj.jdbc.NonRegisteringDriver.connect", 198),
        c.lib("com.zaxxer.hikari.util.DriverDataSource.getConnection", 138),
        c.lib("com.zaxxer.hikari.pool.PoolBase.newConnection", 364),
        c.lib("com.zaxxer.hikari.pool.HikariPool.<init>", 115),
        c.lib("com.zaxxer.hikari.HikariDataSource.getConnection", 112),
    ]
    site = c.frame(c.pick(("config", "repository")))
    return c.fail(
        "java.sql.SQLNonTransientConnectionException",
        "Public Key Retrieval is not allowed",
        [site],
        throw,
        cause=c.t(
            "MySQL 8 caching_sha2_password needs the server's RSA key but the URL forbids retrieving it (no SSL)",
            "MySQL 8 caching_sha2_password 인증에 서버 RSA 키가 필요한데 URL 설정이 이를 막음 (SSL 미사용)",
        ),
        fix=c.t(
            "Use SSL, or set allowPublicKeyRetrieval=true on the JDBC URL in trusted networks",
            "SSL을 사용하거나 신뢰 구간에서 JDBC URL에 allowPublicKeyRetrieval=true 설정",
        ),
    )


@template("SQLTransientConnectionException", "stce.batch_parallel", contexts=("batch", "scheduled", "executor"))
def batch_parallel(c: Ctx) -> Incident:
    step = c.frame(c.pick(("batch", "repository")))
    lib_frames = [
        *hikari_frames(c),
        c.lib("org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection", 159),
        c.lib("org.springframework.jdbc.datasource.DataSourceUtils.doGetConnection", 117),
        c.lib("org.springframework.jdbc.datasource.DataSourceUtils.getConnection", 80),
        c.lib("org.springframework.jdbc.core.JdbcTemplate.execute", 646),
        *stacks.jdbc_template(c, "update")[2:],
    ]
    stack = c.call_stack([step], lib_frames)
    root = Thrown("java.sql.SQLTransientConnectionException", pool_timeout_message(c), stack)
    wrap = Wrap(
        "org.springframework.jdbc.CannotGetJdbcConnectionException",
        lambda e: f"Failed to obtain JDBC Connection; nested exception is {e.to_string()}",
        at="org.springframework.jdbc.datasource.DataSourceUtils.getConnection",
        line_delta=2,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[step],
        cause=c.t(
            "More parallel batch threads than pooled connections (each thread holds one during its chunk)",
            "병렬 배치 스레드 수가 풀 커넥션 수보다 많음 (스레드마다 청크 동안 커넥션 점유)",
        ),
        fix=c.t(
            "Keep the step's thread count below the pool size (or give the batch its own pool)",
            "스텝의 스레드 수를 풀 크기 이하로 두거나 배치 전용 풀 사용",
        ),
    )


@template("SQLTransientConnectionException", "stce.communications_no_cause")
def communications_no_cause(c: Ctx) -> Incident:
    throw = [
        c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException", 174),
        c.lib("com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException", 64),
        c.lib("com.mysql.cj.jdbc.ConnectionImpl.createNewIO", 828),
        c.lib("com.mysql.cj.jdbc.ConnectionImpl.<init>", 448),
        c.lib("com.mysql.cj.jdbc.NonRegisteringDriver.connect", 198),
        c.lib("com.zaxxer.hikari.util.DriverDataSource.getConnection", 138),
        c.lib("com.zaxxer.hikari.pool.PoolBase.newConnection", 364),
        c.lib("com.zaxxer.hikari.pool.HikariPool.createPoolEntry", 476),
        c.lib("com.zaxxer.hikari.pool.HikariPool$PoolEntryCreator.call", 726),
        c.lib("com.zaxxer.hikari.pool.HikariPool$PoolEntryCreator.call", 712),
        *c.jdk.submitted_task(),
    ]
    owner = c.app("config", "DataSourceConfig") if c.bank else c.app("config")
    return c.incident(
        [
            Thrown(
                "com.mysql.cj.jdbc.exceptions.CommunicationsException",
                "Communications link failure\n\nThe last packet sent successfully to the server was 0 milliseconds "
                "ago. The driver has not received any packets from the server.",
                throw,
            )
        ],
        fault=StackFrame(owner.fqcn, "dataSource", owner.file, None, app=True),
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.t(
            "The pool cannot open new connections to MySQL (server down, network or wrong URL)",
            "풀이 MySQL로 새 연결을 열지 못함 (서버 중지, 네트워크, URL 오류)",
        ),
        fix=c.t(
            "Check the DB host/port in the JDBC URL and the network path; look for the nested cause in earlier logs",
            "JDBC URL의 DB 호스트/포트와 네트워크 경로를 확인하고 이전 로그에서 하위 원인을 확인",
        ),
    )


# ------------------------------------------------------------------------------------ SQLTransactionRollbackException


def rollback_root(c: Ctx) -> tuple[str, str, str, tuple[str, str]]:
    kind = c.pick(("deadlock", "lock_wait", "oracle_deadlock", "serialize"))
    if kind == "deadlock":
        return (
            "mysql",
            "com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException",
            "Deadlock found when trying to get lock; try restarting transaction",
            (
                "two transactions lock the same rows in opposite order (deadlock)",
                "두 트랜잭션이 같은 행들을 반대 순서로 잠금 (교착 상태)",
            ),
        )
    if kind == "lock_wait":
        return (
            "mysql",
            "com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException",
            "Lock wait timeout exceeded; try restarting transaction",
            (
                "a row lock was held by another (long) transaction beyond innodb_lock_wait_timeout",
                "다른 (긴) 트랜잭션이 행 잠금을 innodb_lock_wait_timeout 이상 보유",
            ),
        )
    if kind == "oracle_deadlock":
        return (
            "oracle",
            "java.sql.SQLTransactionRollbackException",
            "ORA-00060: deadlock detected while waiting for resource\n",
            (
                "two sessions wait for each other's row locks (deadlock)",
                "두 세션이 서로의 행 잠금을 기다림 (교착 상태)",
            ),
        )
    return (
        "oracle",
        "java.sql.SQLTransactionRollbackException",
        "ORA-08177: can't serialize access for this transaction\n",
        (
            "a SERIALIZABLE transaction touched rows changed concurrently",
            "SERIALIZABLE 트랜잭션이 동시에 변경된 행에 접근",
        ),
    )


ROLLBACK_FIX = (
    "Lock rows in a consistent order, keep transactions short, and retry the transaction on deadlock/lock timeout",
    "행 잠금 순서를 일정하게 하고 트랜잭션을 짧게 유지하며 교착/잠금 타임아웃 시 트랜잭션을 재시도",
)


def rollback_incident(c: Ctx, path: str) -> Incident:
    vendor, root_cls, message, what = rollback_root(c)
    deadlock = "Deadlock" in message or "ORA-00060" in message
    jdbc = (
        "org.springframework.dao.DeadlockLoserDataAccessException"
        if deadlock
        else "org.springframework.dao.CannotAcquireLockException"
    )
    return db_failure(
        c,
        vendor,
        root_cls,
        message,
        path=path,
        operation="update",
        jdbc_wrapper=jdbc,
        hibernate_wrapper="org.hibernate.exception.LockAcquisitionException",
        jpa_wrapper="org.springframework.dao.CannotAcquireLockException",
        mybatis_wrapper=jdbc,
        cause=c.t(f"The database rolled the transaction back: {what[0]}", f"DB가 트랜잭션을 롤백: {what[1]}"),
        fix=c.t(*ROLLBACK_FIX),
    )


@template("SQLTransactionRollbackException", "str.jdbc_template")
def str_jdbc_template(c: Ctx) -> Incident:
    return rollback_incident(c, "jdbc" if c.bank else c.pick(("jdbc", "raw")))


@template("SQLTransactionRollbackException", "str.jpa", codebases=("bank",))
def str_jpa(c: Ctx) -> Incident:
    return rollback_incident(c, "jpa")


@template("SQLTransactionRollbackException", "str.mybatis", codebases=("bank",))
def str_mybatis(c: Ctx) -> Incident:
    return rollback_incident(c, "mybatis")


@template("SQLTransactionRollbackException", "str.raw_jdbc")
def str_raw_jdbc(c: Ctx) -> Incident:
    return rollback_incident(c, "raw")


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
        cause=c.t(
            "SELECT ... FOR UPDATE on the account row waited behind a long-running transaction (batch vs online)",
            "계좌 행의 SELECT ... FOR UPDATE가 오래 실행 중인 트랜잭션(배치 vs 온라인) 뒤에서 대기",
        ),
        fix=c.t(
            "Shorten the lock holder (commit in chunks), avoid overlapping batch and online windows, retry on timeout",
            "잠금을 오래 쥐는 쪽을 청크 커밋으로 줄이고 배치/온라인 시간대 겹침을 피하며 타임아웃 시 재시도",
        ),
    )


@template("SQLTransactionRollbackException", "str.jpa_pessimistic", codebases=("bank",))
def jpa_pessimistic(c: Ctx) -> Incident:
    site = c.frame("repository")
    lib_frames = [
        *stacks.jdbc_driver(c, "mysql", "query"),
        c.lib("org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.extract", 57),
        c.lib("org.hibernate.loader.Loader.getResultSet", 2322),
        c.lib("org.hibernate.loader.Loader.doQuery", 948),
        c.lib("org.hibernate.loader.Loader.loadEntity", 2403),
        c.lib("org.hibernate.internal.SessionImpl.find", 3393),
        c.lib("org.hibernate.internal.SessionImpl.find", 3342),
    ]
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
            top=[c.lib("org.hibernate.dialect.MySQLDialect$3.convert", 492), c.lib(HIBERNATE_CONVERT[2], 113)],
            line_delta=3,
        ),
        Wrap(
            f"{jpa}.PessimisticLockException",
            lambda e: e.to_string(),
            at="org.hibernate.internal.SessionImpl.find",
            top=[
                c.lib("org.hibernate.internal.ExceptionConverterImpl.wrapLockException", 273),
                c.lib("org.hibernate.internal.ExceptionConverterImpl.convert", 108),
            ],
            line_delta=40,
        ),
    ]
    return c.incident(
        [root],
        wraps=wraps,
        top=[site],
        cause=c.t(
            f"find(..., PESSIMISTIC_WRITE) in {site.method} timed out waiting for a row lock",
            f"{site.method}의 find(..., PESSIMISTIC_WRITE)가 행 잠금 대기 시간 초과",
        ),
        fix=c.t(*ROLLBACK_FIX),
    )
