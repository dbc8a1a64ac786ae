"""Threads and tasks: InterruptedException, ExecutionException / CompletionException whose cause was not kept,
RejectedExecutionException (saturated or shut-down pools) and timeouts (futures, Kafka, JDBC, Netty, Reactor).

The regular templates are declared in utils/corpus/templates/concurrency.yaml, through the pool and task helpers
here; these build stackless causes, wrappers whose messages draw and proxies by hand."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template

helper("jdbc_driver")(stacks.jdbc_driver)
REE = "java.util.concurrent.RejectedExecutionException"


@helper("pool_state")
def pool_state(c: Ctx, state: str = "Running", executor: str = "ThreadPoolExecutor") -> str:
    """An executor's toString(): its state and counts (a running pool that rejects is full)."""
    size = c.pick((4, 8, 10, 16, 20, 50, 200))
    active = size if state == "Running" else 0
    queued = c.pick((0, 100, 500, 1000, 10000)) if state == "Running" else 0
    return c.message(
        "concurrency.pool_state.result",
        executor=executor,
        number=c.randint(0x10000000, 0x7FFFFFFF),
        state=state,
        active=active,
        queued=queued,
        number_2=c.randint(0, 900000),
    )


@helper("task_text")
def task_text(c: Ctx) -> str:
    """A rejected FutureTask's toString() (from JDK 9 it names the task: an application lambda)."""
    slots = {
        "ident": c.randint(0x10000000, 0x7FFFFFFF),
        "hidden": c.randint(0x100000, 0xFFFFF0),
        "service": c.app("service"),
        "number": c.randint(100, 2000),
        "address": c.randint(0x1000000, 0x7FFFFFF),
    }
    return c.message("concurrency.task_text.jdk8" if c.jdk.version <= 8 else "concurrency.task_text", **slots)


@template("RejectedExecutionException", "ree.async_method", codebases=("bank",), contexts=("web", "kafka", "scheduled"))
def async_method(c: Ctx) -> Incident:
    target = c.app("service")
    method = c.verb()
    proxy = f"{target.fqcn}$$EnhancerBySpringCGLIB${c.randint(0x10000000, 0x7FFFFFFF):x}"
    aop = [*c.chain(".aop"), StackFrame(proxy, method, generated=True)]
    caller = c.frame(c.pick(("controller", "listener", "scheduler")))
    stack = c.call_stack([caller], [*c.chain("concurrency.submit"), *aop], filler=0)
    root = Thrown(REE, c.message("concurrency.rejected", task=task_text(c), pool=pool_state(c)), stack)
    wrap = Wrap(  # the wrapper's message draws again when it is built
        "org.springframework.core.task.TaskRejectedException",
        lambda inner: c.message("concurrency.not_accepted", pool=pool_state(c), task=task_text(c)),
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
    topic = c.pick(c.values(".topic"))
    absent = c.message(".absent", topic=topic)
    expired = c.message(
        ".message",
        number=c.randint(1, 40),
        topic=topic,
        number_2=c.randint(0, 11),
        choice=c.pick((120000, 30002, 60001)),
    )
    root = Thrown("org.apache.kafka.common.errors.TimeoutException", c.pick((absent, expired)), [])  # no stack
    site = c.frame(c.pick(("service", "support", "listener")), c.pick(c.values(".method")))
    wrapper = Thrown(
        "org.springframework.kafka.core.KafkaProducerException",
        c.message(".wrapper", inner=root.to_string()),
        c.call_stack([site], c.chain(".send")),
    )
    return c.incident(
        [wrapper, root], top=[site], fault=site, cause=c.text(".cause", topic=topic), fix=c.text(".fix", topic=topic)
    )


@template("TimeoutException", "to.sql_query_timeout", codebases=("bank",))
def sql_query_timeout(c: Ctx) -> Incident:
    site = c.frame("repository")
    stack = c.call_stack([site], [*stacks.jdbc_driver(c, "oracle", "query"), *stacks.jdbc_template(c, "query")])
    root = Thrown("java.sql.SQLTimeoutException", c.message(".message"), stack)
    table = c.table()
    wrap = Wrap(  # the column is drawn when the wrapper is built
        "org.springframework.dao.QueryTimeoutException",
        lambda inner: c.message(
            ".wrap", table=table, column=c.column(), inner_message=inner.message.strip(), inner=inner
        ),
        at="org.springframework.jdbc.core.JdbcTemplate.execute",
        top=stacks.translator(c),
        line_delta=16,
    )
    cause = c.text(".cause", table=table, site=site)
    return c.incident([root], wraps=[wrap], top=[site], cause=cause, fix=c.text(".fix", table=table))


@template("TimeoutException", "to.netty_read_timeout", codebases=("bank",), contexts=("web", "kafka", "executor"))
def netty_read_timeout(c: Ctx) -> Incident:
    site = c.frame("client")
    url = c.url()
    root = Thrown("io.netty.handler.timeout.ReadTimeoutException", None, [])  # a singleton: no stack
    stack = c.call_stack([site], c.chain(".stack"))
    wrapper = Thrown(
        "org.springframework.web.reactive.function.client.WebClientRequestException", c.message(".message"), stack
    )
    return c.incident([wrapper, root], top=[site], fault=site, cause=c.text(".cause", url=url), fix=c.text(".fix"))
