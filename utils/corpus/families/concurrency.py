"""Threads and tasks: InterruptedException, ExecutionException / CompletionException whose cause was not kept,
RejectedExecutionException (saturated or shut-down pools) and timeouts (futures, Kafka, JDBC, Netty, Reactor).

The regular templates are declared in utils/corpus/templates/concurrency.yaml; these build wrapped or cause-less
chains, proxies and timer stacks by hand."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template

TIMEOUT = "java.util.concurrent.TimeoutException"


def lost_cause(c: Ctx) -> str:
    """The toString() of the cause a task's failure dropped."""
    return str(c.pick(c.values("concurrency.lost_causes"))[0]).format(stem=c.code.stem)


REE = "java.util.concurrent.RejectedExecutionException"


@helper("pool_state")
def pool_state(c: Ctx, state: str = "Running") -> str:
    size = c.pick((4, 8, 10, 16, 20, 50, 200))
    active = size if state == "Running" else 0
    queued = c.pick((0, 100, 500, 1000, 10000)) if state == "Running" else 0
    return (
        c.message(
            "concurrency.pool_state.result",
            number=c.randint(0x10000000, 0x7FFFFFFF),
            state=state,
            active=active,
            queued=queued,
            number_2=c.randint(0, 900000),
        )
    )


@helper("task_text")
def task_text(c: Ctx) -> str:
    ident = f"{c.randint(0x10000000, 0x7FFFFFFF):x}"
    hidden = f"0x0000000800{c.randint(0x100000, 0xFFFFF0):x}"
    lam = f"{c.app('service').fqcn}$$Lambda${c.randint(100, 2000)}/{hidden}@{c.randint(0x1000000, 0x7FFFFFF):x}"
    if c.jdk.version <= 8:
        return f"java.util.concurrent.FutureTask@{ident}"
    return f"java.util.concurrent.FutureTask@{ident}[Not completed, task = {lam}]"


def abort_policy(c: Ctx) -> list[StackFrame]:
    return c.chain("concurrency.abort_policy.result")


@template("ExecutionException", "ee.completion_join", min_jdk=8)
def ee_completion_join(c: Ctx) -> Incident:
    inner = lost_cause(c)
    owner = c.app(c.pick(("service", "support")))
    lam = owner.at(f"lambda${c.verb()}${c.randint(0, 4)}", c.code.line())
    frames = [*c.jdk.completion_encode(), *c.jdk.async_supply(c.chance(0.5))]
    chain = [Thrown("java.util.concurrent.CompletionException", inner, frames)]
    return c.incident(
        chain,
        fault=lam,
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.text(".cause", owner=owner, inner_class=inner.split(':')[0].rsplit('.', 1)[-1]),
        fix=c.text(".fix"),
        extra={"cause_not_printed": True},
    )


@template("RejectedExecutionException", "ree.spring_task_executor", codebases=("bank",))
def spring_task_executor(c: Ctx) -> Incident:
    throw = [*abort_policy(c)]
    site = c.frame(c.pick(("service", "listener", "support")))
    stack = c.call_stack(
        [site], [*throw, c.lib("org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor.execute", 324)]
    )
    state = pool_state(c)
    root = Thrown(REE, f"Task {task_text(c)} rejected from {state}", stack)
    text = (
        f"Executor [{state}] did not accept task: {task_text(c)}"
        if c.chance(0.6)
        else f"ExecutorService in active state did not accept task: {task_text(c)}"
    )
    wrap = Wrap(
        "org.springframework.core.task.TaskRejectedException",
        text,
        at="org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor.execute",
        line_delta=3,
    )
    return c.incident([root], wraps=[wrap], top=[site], cause=c.text(".cause", site=site), fix=c.text(".fix"))


@template("RejectedExecutionException", "ree.scheduled_pool")
def scheduled_pool(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    message = (
        "Task java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask"
        f"@{c.randint(0x1000000, 0x7FFFFFF):x} "
        f"rejected from {pool_state(c, 'Terminated').replace('ThreadPoolExecutor@', 'ScheduledThreadPoolExecutor@')}"
    )
    roles = ("service", "support", "client", "scheduler")
    return c.fail_in_role(roles, REE, message, throw, (*c.pair(".what"), *c.pair(".fix")))


@template("RejectedExecutionException", "ree.async_method", codebases=("bank",), contexts=("web", "kafka", "scheduled"))
def async_method(c: Ctx) -> Incident:
    target = c.app("service")
    method = c.verb()
    aop = [
        *c.chain(".aop"),
        StackFrame(
            f"{target.fqcn}$$EnhancerBySpringCGLIB${c.randint(0x10000000, 0x7FFFFFFF):x}", method, generated=True
        ),
    ]
    caller = c.frame(c.pick(("controller", "listener", "scheduler")))
    stack = c.call_stack(
        [caller],
        [*abort_policy(c), c.j("java.util.concurrent.AbstractExecutorService.submit", (112, 118, 123, 123)), *aop],
        filler=0,
    )
    root = Thrown(REE, f"Task {task_text(c)} rejected from {pool_state(c)}", stack)
    wrap = Wrap(
        "org.springframework.core.task.TaskRejectedException",
        lambda inner: f"Executor [{pool_state(c)}] did not accept task: {task_text(c)}",
        at="org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor.submit",
        line_delta=4,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[caller],
        fault=StackFrame(target.fqcn, method, target.file, None, app=True),
        fault_in_trace=False,
        cause=c.text(".cause", target=target, method=method),
        fix=c.text(".fix"),
    )


@template(
    "TimeoutException",
    "to.kafka_metadata",
    contexts=("web", "kafka", "executor", "scheduled", "batch"),
    codebases=("bank",),
)
def kafka_metadata(c: Ctx) -> Incident:
    topic = c.pick(
        ("payment-events", "transfer.completed", "ledger-postings", "card-auth-requests", "notification.sms")
    )
    message = c.pick(
        (
            f"Topic {topic} not present in metadata after 60000 ms.",
            c.message(
                ".message",
                number=c.randint(1, 40),
                topic=topic,
                number_2=c.randint(0, 11),
                choice=c.pick((120000, 30002, 60001)),
            ),
        )
    )
    site = c.frame(c.pick(("service", "support", "listener")), c.pick(("publish", "sendEvent", "emit")))
    send = c.chain(".send")
    stack = c.call_stack([site], send)
    root = Thrown("org.apache.kafka.common.errors.TimeoutException", message, [])  # Kafka API exceptions carry no stack
    wrapper = Thrown(
        "org.springframework.kafka.core.KafkaProducerException",
        f"Failed to send; nested exception is {root.to_string()}",
        stack,
    )
    return c.incident(
        [wrapper, root],
        top=[site],
        fault=site,
        cause=c.text(".cause", topic=topic),
        fix=c.text(".fix", topic=topic),
    )


@template("TimeoutException", "to.sql_query_timeout", codebases=("bank",))
def sql_query_timeout(c: Ctx) -> Incident:
    site = c.frame("repository")
    stack = c.call_stack([site], [*stacks.jdbc_driver(c, "oracle", "query"), *stacks.jdbc_template(c, "query")])
    root = Thrown("java.sql.SQLTimeoutException", "ORA-01013: user requested cancel of current operation\n", stack)
    table = c.table()
    wrap = Wrap(
        "org.springframework.dao.QueryTimeoutException",
        lambda inner: (
            c.message(".wrap", table=table, column=c.column(), inner_message=inner.message.strip(), inner=inner)
        ),
        at="org.springframework.jdbc.core.JdbcTemplate.execute",
        top=stacks.translator(c),
        line_delta=16,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.text(".cause", table=table, site=site),
        fix=c.text(".fix", table=table),
    )


@template("TimeoutException", "to.netty_read_timeout", codebases=("bank",), contexts=("web", "kafka", "executor"))
def netty_read_timeout(c: Ctx) -> Incident:
    site = c.frame("client")
    url = c.url()
    root = Thrown("io.netty.handler.timeout.ReadTimeoutException", None, [])
    stack = c.call_stack([site], c.chain(".stack"))
    wrapper = Thrown(
        "org.springframework.web.reactive.function.client.WebClientRequestException",
        "nested exception is io.netty.handler.timeout.ReadTimeoutException",
        stack,
    )
    return c.incident([wrapper, root], top=[site], fault=site, cause=c.text(".cause", url=url), fix=c.text(".fix"))


@template("TimeoutException", "to.reactor_timeout", min_jdk=8)
def reactor_timeout(c: Ctx) -> Incident:
    millis = c.pick((1000, 3000, 5000, 10000, 30000))
    operator = c.pick(("flatMap", "map", "onErrorResume", "source(MonoDefer)"))
    throw = [
        *c.chain(".throw"),
        *c.jdk.future_task_run(),
        c.j("java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.run", (293, 304, 304, 358)),
        *c.jdk.pool_worker(),
    ]
    owner = c.app(c.pick(("client", "service")))
    fault = StackFrame(owner.fqcn, c.verb("client"), owner.file, None, app=True)
    return c.incident(
        [Thrown(TIMEOUT, c.message(".result", millis=millis, operator=operator), throw)],
        fault=fault,
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.text(".cause", owner=owner, millis=millis),
        fix=c.text(".fix"),
    )


@template("TimeoutException", "to.jpa_query_timeout", codebases=("bank",))
def jpa_query_timeout(c: Ctx) -> Incident:
    site = c.frame("repository")
    stack = c.call_stack(
        [site],
        [
            *stacks.jdbc_driver(c, "mysql", "query"),
            *c.chain(".stack"),
            *stacks.spring_data_repository(c, c.verb("repository")),
        ],
    )
    root = Thrown("java.sql.SQLTimeoutException", "Statement cancelled due to timeout or client request", stack)
    wraps = [
        Wrap(
            "org.hibernate.QueryTimeoutException",
            "could not extract ResultSet",
            at="org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.extract",
            top=c.chain(".top"),
        ),
        Wrap(
            "org.springframework.dao.QueryTimeoutException",
            lambda inner: f"could not extract ResultSet; SQL [n/a]; nested exception is {inner.to_string()}",
            at="org.springframework.dao.support.PersistenceExceptionTranslationInterceptor.invoke",
            top=c.chain(".top_2"),
        ),
    ]
    return c.incident([root], wraps=wraps, top=[site], cause=c.text(".cause", site=site), fix=c.text(".fix"))
