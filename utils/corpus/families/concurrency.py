"""Threads and tasks: InterruptedException, ExecutionException / CompletionException whose cause was not kept,
RejectedExecutionException (saturated or shut-down pools) and timeouts (futures, Kafka, JDBC, Netty, Reactor)."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template

INTERRUPTED = "java.lang.InterruptedException"
TIMEOUT = "java.util.concurrent.TimeoutException"


def blocked(
    c: Ctx,
    exception: str,
    message: str | None,
    throw: list[StackFrame],
    what_en: str,
    what_ko: str,
    fix_en: str,
    fix_ko: str,
    roles: tuple[str, ...] = ("service", "support", "client", "scheduler"),
) -> Incident:
    return c.fail_in_role(roles, exception, message, throw, (what_en, what_ko, fix_en, fix_ko))


# -------------------------------------------------------------------------------------------- InterruptedException


@template("InterruptedException", "int.sleep")
def sleep(c: Ctx) -> Incident:
    throw = c.chain(".throw") if c.jdk.version == 21 else [c.j("java.lang.Thread.sleep", native=True)]
    if c.chance(0.4):
        throw.append(c.j("java.util.concurrent.TimeUnit.sleep", (386, 446, 446, 446)))
    return blocked(c, INTERRUPTED, "sleep interrupted", throw, *c.pair(".what"), *c.pair("concurrency.interrupt_fix"))


@template("InterruptedException", "int.latch_await")
def latch_await(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return blocked(c, INTERRUPTED, None, throw, *c.pair(".what"), *c.pair("concurrency.interrupt_fix"))


@template("InterruptedException", "int.queue_take")
def queue_take(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return blocked(
        c,
        INTERRUPTED,
        None,
        throw,
        *c.pair(".what"),
        *c.pair("concurrency.interrupt_fix"),
        roles=("listener", "support", "gateway", "batch"),
    )


@template("InterruptedException", "int.future_get")
def future_get(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return blocked(c, INTERRUPTED, None, throw, *c.pair(".what"), *c.pair("concurrency.interrupt_fix"))


@template("InterruptedException", "int.join_wait")
def join_wait(c: Ctx) -> Incident:
    throw = [c.j("java.lang.Object.wait", native=True)]
    if c.chance(0.5):
        throw += c.chain(".throw")
        what = c.pair(".what")
    else:
        throw.append(c.j("java.lang.Object.wait", (502, 328, 338, 366)))
        what = c.pair(".what_2")
    return blocked(c, INTERRUPTED, None, throw, *what, *c.pair("concurrency.interrupt_fix"))


@template("InterruptedException", "int.closed_by_interrupt")
def closed_by_interrupt(c: Ctx) -> Incident:
    throw = [
        *c.chain(".throw"),
        c.j("java.nio.channels.Channels.access$000", (61, 0, 0, 0))
        if c.jdk.version <= 8
        else c.j("java.nio.channels.Channels$1.write", (0, 172, 172, 172)),
    ]
    return blocked(
        c,
        "java.nio.channels.ClosedByInterruptException",
        None,
        throw,
        *c.pair(".what"),
        *c.pair(".fix"),
        roles=("batch", "support", "util"),
    )


@template("InterruptedException", "int.semaphore")
def semaphore(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return blocked(c, INTERRUPTED, None, throw, *c.pair(".what"), *c.pair("concurrency.interrupt_fix"))


# --------------------------------------------------------------------------------------------- ExecutionException


def lost_cause(c: Ctx) -> str:
    return c.pick(
        (
            "java.net.SocketTimeoutException: Read timed out",
            "java.lang.NullPointerException",
            "java.lang.IllegalStateException: Connection pool shut down",
            f"java.lang.RuntimeException: {c.code.stem} task failed",
            "java.io.IOException: Broken pipe",
            "java.lang.IllegalArgumentException: Invalid account",
        )
    )


def task_failed(
    c: Ctx, exception: str, throw: list[StackFrame], top: list[StackFrame] | None = None, message: str | None = None
) -> Incident:
    site = c.frame(c.pick(("service", "support", "batch", "scheduler")))
    inner = lost_cause(c)
    return c.fail(
        exception,
        message if message is not None else inner,
        [*(top or []), site],
        throw,
        fault=len(top or []),
        cause=c.text(
            "concurrency.task_failed.cause",
            site=site,
            inner_class=inner.split(':')[0].rsplit('.', 1)[-1],
        ),
        fix=c.text("concurrency.task_failed.fix"),
        extra={"cause_not_printed": True},
    )


@template("ExecutionException", "ee.future_get")
def ee_future_get(c: Ctx) -> Incident:
    return task_failed(c, "java.util.concurrent.ExecutionException", c.jdk.future_get())


@template("ExecutionException", "ee.completable_get", min_jdk=8)
def ee_completable_get(c: Ctx) -> Incident:
    return task_failed(c, "java.util.concurrent.ExecutionException", c.jdk.completable_get())


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


@template("ExecutionException", "ee.guava_future")
def ee_guava_future(c: Ctx) -> Incident:
    throw = [
        c.lib("com.google.common.util.concurrent.AbstractFuture.getDoneValue", c.pick((564, 566, 588))),
        c.lib("com.google.common.util.concurrent.AbstractFuture.get", c.pick((525, 545))),
        c.lib("com.google.common.util.concurrent.FluentFuture$TrustedFuture.get", 88),
    ]
    return task_failed(c, "java.util.concurrent.ExecutionException", throw)


@template("ExecutionException", "ee.invoke_any")
def ee_invoke_any(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return task_failed(c, "java.util.concurrent.ExecutionException", throw)


@template("ExecutionException", "ee.fork_join_get", min_jdk=8)
def ee_fork_join_get(c: Ctx) -> Incident:
    throw = [c.j("java.util.concurrent.ForkJoinTask.get", (1006, 1006, 1006, 1018))]
    return task_failed(c, "java.util.concurrent.ExecutionException", throw)


@template("ExecutionException", "ee.custom_message")
def ee_custom_message(c: Ctx) -> Incident:
    owner = c.app(
        c.pick(("batch", "support", "scheduler")), c.pick(("ChunkExecutor", "ParallelRunner", "TaskGroup", None))
    )
    site = owner.at(c.pick(("awaitAll", "collect", "join", "waitFor")), c.code.line())
    message = c.pick(
        (
            f"Chunk {c.randint(1, 80)} failed",
            f"{c.randint(1, 9)} of {c.randint(10, 40)} tasks failed",
            c.text(".message"),
        )
    )
    return task_failed(c, "java.util.concurrent.ExecutionException", [], top=[site], message=message)


# ------------------------------------------------------------------------------------- RejectedExecutionException

REE = "java.util.concurrent.RejectedExecutionException"


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


def task_text(c: Ctx) -> str:
    ident = f"{c.randint(0x10000000, 0x7FFFFFFF):x}"
    hidden = f"0x0000000800{c.randint(0x100000, 0xFFFFF0):x}"
    lam = f"{c.app('service').fqcn}$$Lambda${c.randint(100, 2000)}/{hidden}@{c.randint(0x1000000, 0x7FFFFFF):x}"
    if c.jdk.version <= 8:
        return f"java.util.concurrent.FutureTask@{ident}"
    return f"java.util.concurrent.FutureTask@{ident}[Not completed, task = {lam}]"


def abort_policy(c: Ctx) -> list[StackFrame]:
    return c.chain("concurrency.abort_policy.result")


@template("RejectedExecutionException", "ree.pool_saturated")
def pool_saturated(c: Ctx) -> Incident:
    throw = [*abort_policy(c), c.j("java.util.concurrent.AbstractExecutorService.submit", (112, 118, 123, 123))]
    return blocked(
        c,
        REE,
        f"Task {task_text(c)} rejected from {pool_state(c)}",
        throw,
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("RejectedExecutionException", "ree.after_shutdown")
def after_shutdown(c: Ctx) -> Incident:
    state = c.pick(("Shutting down", "Terminated"))
    throw = [*abort_policy(c), c.j("java.util.concurrent.AbstractExecutorService.submit", (112, 118, 123, 123))]
    return blocked(
        c,
        REE,
        f"Task {task_text(c)} rejected from {pool_state(c, state)}",
        throw,
        *c.pair(".what"),
        *c.pair(".fix"),
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
    return blocked(c, REE, message, throw, *c.pair(".what"), *c.pair(".fix"))


@template("RejectedExecutionException", "ree.netty_terminated")
def netty_terminated(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return blocked(
        c,
        REE,
        "event executor terminated",
        throw,
        *c.pair(".what"),
        *c.pair(".fix"),
        roles=("client", "gateway"),
    )


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


@template("RejectedExecutionException", "ree.completable_closed_executor", min_jdk=8)
def completable_closed_executor(c: Ctx) -> Incident:
    throw = [*abort_policy(c), *c.chain(".throw")]
    return blocked(
        c,
        REE,
        c.message(
            ".result",
            number=c.randint(0x1000000, 0x7FFFFFF),
            pool_state=pool_state(c, c.pick(('Running', 'Terminated'))),
        ),
        throw,
        *c.pair(".what"),
        *c.pair(".fix"),
    )


# ------------------------------------------------------------------------------------------------- TimeoutException


@template("TimeoutException", "to.future_get")
def to_future_get(c: Ctx) -> Incident:
    throw = [c.j("java.util.concurrent.FutureTask.get", (205, 204, 203, 203))]
    return blocked(c, TIMEOUT, None, throw, *c.pair(".what"), *c.pair(".fix"))


@template("TimeoutException", "to.completable_get", min_jdk=8)
def to_completable_get(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return blocked(c, TIMEOUT, None, throw, *c.pair(".what"), *c.pair(".fix"))


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


@template("TimeoutException", "to.app_deadline")
def app_deadline(c: Ctx) -> Incident:
    millis = c.pick((1000, 3000, 5000, 30000))
    what = c.pick(("approval response", "ACK from FEP", "lock release", "replica sync", "batch completion signal"))
    owner = c.app(
        c.pick(("client", "gateway", "support")),
        c.pick(("ResponseWaiter", "PendingRequestRegistry", "AckTracker", None)),
    )
    site = owner.at(c.pick(("await", "waitFor", "get")), c.code.line())
    caller = c.frame(c.pick(("service", "client")))
    return c.fail(
        TIMEOUT,
        c.pick((f"{what} not received within {millis} ms", f"Timed out after {millis}ms waiting for {what}")),
        [site, caller],
        fault=1,
        cause=c.text(".cause", caller=caller, millis=millis, what=what),
        fix=c.text(".fix"),
    )
