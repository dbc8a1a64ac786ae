"""Library call stacks several families share (deepest frame first): Spring context start-up, JdbcTemplate,
Hibernate flush, Jackson ObjectMapper, RestTemplate, Apache HttpClient, JDBC drivers behind HikariCP."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.model import StackFrame

SPRING_BEANS = "org.springframework.beans.factory.support"


def bean_creation(c: Ctx, depth: int = 1) -> list[StackFrame]:
    """AbstractAutowireCapableBeanFactory creating a bean (`depth` nested getBean levels)."""
    level = [
        c.lib(f"{SPRING_BEANS}.AbstractAutowireCapableBeanFactory.doCreateBean", 620),
        c.lib(f"{SPRING_BEANS}.AbstractAutowireCapableBeanFactory.createBean", 542),
        c.lib(f"{SPRING_BEANS}.AbstractBeanFactory.lambda$doGetBean$0", 335),
        c.lib(f"{SPRING_BEANS}.DefaultSingletonBeanRegistry.getSingleton", 234),
        c.lib(f"{SPRING_BEANS}.AbstractBeanFactory.doGetBean", 333),
        c.lib(f"{SPRING_BEANS}.AbstractBeanFactory.getBean", 208),
    ]
    frames: list[StackFrame] = []
    for index in range(depth):
        if index:
            frames += [
                c.lib("org.springframework.beans.factory.config.DependencyDescriptor.resolveCandidate", 276),
                c.lib(f"{SPRING_BEANS}.DefaultListableBeanFactory.doResolveDependency", 1380),
                c.lib(f"{SPRING_BEANS}.DefaultListableBeanFactory.resolveDependency", 1300),
                c.lib(f"{SPRING_BEANS}.ConstructorResolver.resolveAutowiredArgument", 887),
                c.lib(f"{SPRING_BEANS}.ConstructorResolver.createArgumentArray", 791),
                c.lib(f"{SPRING_BEANS}.ConstructorResolver.autowireConstructor", 229),
                c.lib(f"{SPRING_BEANS}.AbstractAutowireCapableBeanFactory.autowireConstructor", 1372),
                c.lib(f"{SPRING_BEANS}.AbstractAutowireCapableBeanFactory.createBeanInstance", 1222),
            ]
        frames += level
    return frames


def context_refresh(c: Ctx) -> list[StackFrame]:
    """Below the first getBean of a Spring Boot start-up, down to the application's main()."""
    boot = "org.springframework.boot"
    app = c.app("main", f"{c.code.stem}Application") if c.bank else c.app("main")
    return [
        c.lib(f"{SPRING_BEANS}.DefaultListableBeanFactory.preInstantiateSingletons", 955),
        c.lib("org.springframework.context.support.AbstractApplicationContext.finishBeanFactoryInitialization", 918),
        c.lib("org.springframework.context.support.AbstractApplicationContext.refresh", 583),
        c.lib(f"{boot}.web.servlet.context.ServletWebServerApplicationContext.refresh", 147),
        c.lib(f"{boot}.SpringApplication.refresh", 731),
        c.lib(f"{boot}.SpringApplication.refreshContext", 408),
        c.lib(f"{boot}.SpringApplication.run", 307),
        c.lib(f"{boot}.SpringApplication.run", 1303),
        c.lib(f"{boot}.SpringApplication.run", 1292),
        app.at("main", c.randint(10, 30)),
    ]


def jdbc_driver(c: Ctx, vendor: str, operation: str = "update") -> list[StackFrame]:
    """Driver frames that raise a database error, through HikariCP's proxy (deepest first)."""
    if vendor == "mysql":
        frames = [
            c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException", 121),
            c.lib("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException", 97),
            c.lib("com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException", 122),
            c.lib("com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal", 916),
        ]
        if operation == "update":
            frames += [
                c.lib("com.mysql.cj.jdbc.ClientPreparedStatement.executeUpdateInternal", 1061),
                c.lib("com.mysql.cj.jdbc.ClientPreparedStatement.executeUpdateInternal", 1009),
                c.lib("com.mysql.cj.jdbc.ClientPreparedStatement.executeLargeUpdate", 1320),
                c.lib("com.mysql.cj.jdbc.ClientPreparedStatement.executeUpdate", 994),
            ]
        else:
            frames.append(c.lib("com.mysql.cj.jdbc.ClientPreparedStatement.executeQuery", 972))
    elif vendor == "oracle":
        frames = [
            c.lib("oracle.jdbc.driver.T4CTTIoer11.processError", 494),
            c.lib("oracle.jdbc.driver.T4CTTIoer11.processError", 446),
            c.lib("oracle.jdbc.driver.T4C8Oall.processError", 1052),
            c.lib("oracle.jdbc.driver.T4CTTIfun.receive", 537),
            c.lib("oracle.jdbc.driver.T4CTTIfun.doRPC", 255),
            c.lib("oracle.jdbc.driver.T4C8Oall.doOALL", 610),
            c.lib("oracle.jdbc.driver.T4CPreparedStatement.doOall8", 253),
            c.lib("oracle.jdbc.driver.T4CPreparedStatement.executeForRows", 1066),
            c.lib("oracle.jdbc.driver.OracleStatement.doExecuteWithTimeout", 1531),
            c.lib("oracle.jdbc.driver.OraclePreparedStatement.executeInternal", 4209),
        ]
        if operation == "update":
            frames += [
                c.lib("oracle.jdbc.driver.OraclePreparedStatement.executeUpdate", 4594),
                c.lib("oracle.jdbc.driver.OraclePreparedStatementWrapper.executeUpdate", 1000),
            ]
        else:
            frames += [
                c.lib("oracle.jdbc.driver.OraclePreparedStatement.executeQuery", 4489),
                c.lib("oracle.jdbc.driver.OraclePreparedStatementWrapper.executeQuery", 1103),
            ]
    elif vendor == "postgres":
        frames = [
            c.lib("org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse", 2675),
            c.lib("org.postgresql.core.v3.QueryExecutorImpl.processResults", 2365),
            c.lib("org.postgresql.core.v3.QueryExecutorImpl.execute", 355),
            c.lib("org.postgresql.jdbc.PgStatement.executeInternal", 490),
            c.lib("org.postgresql.jdbc.PgStatement.execute", 408),
            c.lib("org.postgresql.jdbc.PgPreparedStatement.executeWithFlags", 166),
        ]
        frames.append(
            c.lib("org.postgresql.jdbc.PgPreparedStatement.executeUpdate", 134)
            if operation == "update"
            else c.lib("org.postgresql.jdbc.PgPreparedStatement.executeQuery", 118)
        )
    else:  # h2
        frames = [
            c.lib("org.h2.message.DbException.getJdbcSQLException", 508),
            c.lib("org.h2.message.DbException.getJdbcSQLException", 477),
            c.lib("org.h2.message.DbException.get", 223),
            c.lib("org.h2.message.DbException.get", 199),
            c.lib(
                "org.h2.command.Command.executeUpdate"
                if operation == "update"
                else "org.h2.command.Command.executeQuery",
                256,
            ),
            c.lib(
                "org.h2.jdbc.JdbcPreparedStatement.executeUpdateInternal"
                if operation == "update"
                else "org.h2.jdbc.JdbcPreparedStatement.executeQuery",
                199,
            ),
        ]
        if operation == "update":
            frames.append(c.lib("org.h2.jdbc.JdbcPreparedStatement.executeUpdate", 153))
    method = "executeUpdate" if operation == "update" else "executeQuery"
    frames += [
        c.lib(f"com.zaxxer.hikari.pool.ProxyPreparedStatement.{method}", 61 if operation == "update" else 52),
        c.lib(f"com.zaxxer.hikari.pool.HikariProxyPreparedStatement.{method}", None),
    ]
    return frames


def jdbc_template(c: Ctx, operation: str = "update") -> list[StackFrame]:
    """Spring's JdbcTemplate between a DAO and the driver (deepest first)."""
    core = "org.springframework.jdbc.core.JdbcTemplate"
    if operation == "update":
        return [
            c.lib(f"{core}.lambda$update$2", 965),
            c.lib(f"{core}.execute", 651),
            c.lib(f"{core}.update", 960),
            c.lib(f"{core}.update", 1015),
            c.lib(f"{core}.update", 1025),
        ]
    return [
        c.lib(f"{core}$1.doInPreparedStatement", 723),
        c.lib(f"{core}.execute", 651),
        c.lib(f"{core}.query", 713),
        c.lib(f"{core}.query", 763),
        c.lib(f"{core}.queryForObject", 859),
    ]


def translator(c: Ctx) -> list[StackFrame]:
    """Spring's SQLException translation, on top of JdbcTemplate.execute's catch block."""
    return [
        c.lib("org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator.doTranslate", 247),
        c.lib("org.springframework.jdbc.support.AbstractFallbackSQLExceptionTranslator.translate", 70),
        c.lib("org.springframework.jdbc.core.JdbcTemplate.translateException", 1541),
    ]


def hibernate_flush(c: Ctx) -> list[StackFrame]:
    """A JPA commit that flushes pending inserts/updates (deepest first, below the JDBC call)."""
    return [
        c.lib("org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.executeUpdate", 197),
        c.lib("org.hibernate.engine.jdbc.batch.internal.NonBatchingBatch.addToBatch", 46),
        c.lib("org.hibernate.persister.entity.AbstractEntityPersister.insert", 3375),
        c.lib("org.hibernate.persister.entity.AbstractEntityPersister.insert", 3908),
        c.lib("org.hibernate.action.internal.EntityInsertAction.execute", 107),
        c.lib("org.hibernate.engine.spi.ActionQueue.executeActions", 604),
        c.lib("org.hibernate.engine.spi.ActionQueue.executeActions", 478),
        c.lib("org.hibernate.event.internal.AbstractFlushingEventListener.performExecutions", 356),
        c.lib("org.hibernate.event.internal.DefaultFlushEventListener.onFlush", 39),
        c.lib("org.hibernate.internal.SessionImpl.doFlush", 1407),
        c.lib("org.hibernate.internal.SessionImpl.managedFlush", 489),
        c.lib("org.hibernate.internal.SessionImpl.flushBeforeTransactionCompletion", 3303),
        c.lib("org.hibernate.internal.SessionImpl.beforeTransactionCompletion", 2438),
        c.lib("org.hibernate.engine.jdbc.internal.JdbcCoordinatorImpl.beforeTransactionCompletion", 449),
        c.lib(
            "org.hibernate.resource.transaction.backend.jdbc.internal.JdbcResourceLocalTransactionCoordinatorImpl.beforeCompletionCallback",
            183,
        ),
        c.lib(
            "org.hibernate.resource.transaction.backend.jdbc.internal.JdbcResourceLocalTransactionCoordinatorImpl$TransactionDriverControlImpl.commit",
            281,
        ),
        c.lib("org.hibernate.engine.transaction.internal.TransactionImpl.commit", 101),
        c.lib("org.springframework.orm.jpa.JpaTransactionManager.doCommit", 562),
        c.lib("org.springframework.transaction.support.AbstractPlatformTransactionManager.processCommit", 743),
        c.lib("org.springframework.transaction.support.AbstractPlatformTransactionManager.commit", 711),
        c.lib(
            "org.springframework.transaction.interceptor.TransactionAspectSupport.commitTransactionAfterReturning", 654
        ),
        c.lib("org.springframework.transaction.interceptor.TransactionAspectSupport.invokeWithinTransaction", 407),
        c.lib("org.springframework.transaction.interceptor.TransactionInterceptor.invoke", 119),
        c.lib("org.springframework.aop.framework.ReflectiveMethodInvocation.proceed", 186),
        c.lib("org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept", 708),
    ]


def spring_data_repository(c: Ctx, method: str) -> list[StackFrame]:
    """A Spring Data JPA repository call through its JDK proxy (deepest first, below the query)."""
    proxy = "jdk.proxy2.$Proxy" if c.jdk.at_least(17) else "com.sun.proxy.$Proxy"
    repo = "org.springframework.data.repository.core.support"
    return [
        c.lib(f"{repo}.QueryExecutorMethodInterceptor$QueryMethodInvoker.invoke", 137),
        c.lib(f"{repo}.QueryExecutorMethodInterceptor.doInvoke", 152),
        c.lib(f"{repo}.QueryExecutorMethodInterceptor.invoke", 131),
        c.lib("org.springframework.aop.framework.ReflectiveMethodInvocation.proceed", 186),
        c.lib("org.springframework.transaction.interceptor.TransactionInterceptor.invoke", 119),
        c.lib("org.springframework.aop.framework.ReflectiveMethodInvocation.proceed", 186),
        c.lib("org.springframework.dao.support.PersistenceExceptionTranslationInterceptor.invoke", 137),
        c.lib("org.springframework.aop.framework.ReflectiveMethodInvocation.proceed", 186),
        c.lib("org.springframework.aop.framework.JdkDynamicAopProxy.invoke", 215),
        StackFrame(f"{proxy}{c.randint(90, 240)}", method, module="jdk.proxy2" if c.jdk.at_least(17) else None),
    ]


def jackson_read(c: Ctx, tree: bool = False) -> list[StackFrame]:
    """ObjectMapper.readValue below the deserializer frames (deepest first)."""
    db = "com.fasterxml.jackson.databind"
    if tree:
        return [c.lib(f"{db}.ObjectMapper._readTreeAndClose", 4635), c.lib(f"{db}.ObjectMapper.readTree", 3079)]
    return [
        c.lib(f"{db}.deser.DefaultDeserializationContext.readRootValue", 323),
        c.lib(f"{db}.ObjectMapper._readMapAndClose", 4674),
        c.lib(f"{db}.ObjectMapper.readValue", 3629),
        c.lib(f"{db}.ObjectMapper.readValue", 3597),
    ]


def message_converter(c: Ctx) -> list[StackFrame]:
    """Spring MVC reading a @RequestBody with Jackson (deepest first), above the controller invocation."""
    mvc = "org.springframework.web.servlet.mvc.method.annotation"
    return [
        c.lib("org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.readJavaType", 386),
        c.lib("org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.read", 354),
        c.lib(f"{mvc}.AbstractMessageConverterMethodArgumentResolver.readWithMessageConverters", 183),
        c.lib(f"{mvc}.RequestResponseBodyMethodProcessor.readWithMessageConverters", 160),
        c.lib(f"{mvc}.RequestResponseBodyMethodProcessor.resolveArgument", 133),
        c.lib("org.springframework.web.method.support.HandlerMethodArgumentResolverComposite.resolveArgument", 122),
        c.lib("org.springframework.web.method.support.InvocableHandlerMethod.getMethodArgumentValues", 179),
        c.lib("org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest", 146),
    ]


def rest_template(c: Ctx, verb: str = "exchange") -> list[StackFrame]:
    web = "org.springframework.web.client.RestTemplate"
    tail = {
        "exchange": (c.lib(f"{web}.exchange", 602),),
        "postForObject": (c.lib(f"{web}.postForObject", 468),),
        "getForObject": (c.lib(f"{web}.getForObject", 334),),
        "postForEntity": (c.lib(f"{web}.postForEntity", 484),),
    }
    return [c.lib(f"{web}.execute", 711), *tail.get(verb, tail["exchange"])]


def http_client_execute(c: Ctx) -> list[StackFrame]:
    """Apache HttpClient 4 executing a request (deepest first), below the connection/socket frames."""
    impl = "org.apache.http.impl"
    return [
        c.lib(f"{impl}.execchain.MainClientExec.execute", 236),
        c.lib(f"{impl}.execchain.ProtocolExec.execute", 186),
        c.lib(f"{impl}.execchain.RetryExec.execute", 89),
        c.lib(f"{impl}.execchain.RedirectExec.execute", 110),
        c.lib(f"{impl}.client.InternalHttpClient.doExecute", 185),
        c.lib(f"{impl}.client.CloseableHttpClient.execute", 83),
        c.lib(f"{impl}.client.CloseableHttpClient.execute", 56),
    ]


def http_client_read(c: Ctx) -> list[StackFrame]:
    """Apache HttpClient 4 reading the response head (deepest first), above `http_client_execute`."""
    impl = "org.apache.http.impl"
    return [
        c.lib(f"{impl}.io.SessionInputBufferImpl.streamRead", 137),
        c.lib(f"{impl}.io.SessionInputBufferImpl.fillBuffer", 153),
        c.lib(f"{impl}.io.SessionInputBufferImpl.readLine", 280),
        c.lib(f"{impl}.conn.DefaultHttpResponseParser.parseHead", 138),
        c.lib(f"{impl}.conn.DefaultHttpResponseParser.parseHead", 56),
        c.lib(f"{impl}.io.AbstractMessageParser.parse", 259),
        c.lib(f"{impl}.DefaultBHttpClientConnection.receiveResponseHeader", 163),
        c.lib(f"{impl}.conn.CPoolProxy.receiveResponseHeader", 157),
        c.lib("org.apache.http.protocol.HttpRequestExecutor.doReceiveResponse", 273),
        c.lib("org.apache.http.protocol.HttpRequestExecutor.execute", 125),
        c.lib(f"{impl}.execchain.MainClientExec.execute", 272),
        *http_client_execute(c)[1:],
    ]


def rest_template_http(c: Ctx) -> list[StackFrame]:
    """RestTemplate over HttpComponentsClientHttpRequestFactory (deepest first), between HttpClient and the app."""
    http = "org.springframework.http.client"
    return [
        c.lib(f"{http}.HttpComponentsClientHttpRequest.executeInternal", 87),
        c.lib(f"{http}.AbstractBufferingClientHttpRequest.executeInternal", 48),
        c.lib(f"{http}.AbstractClientHttpRequest.execute", 66),
        c.lib("org.springframework.web.client.RestTemplate.doExecute", 776),
        *rest_template(c, c.pick(("exchange", "postForObject", "getForObject"))),
    ]
