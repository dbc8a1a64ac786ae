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
    site = c.frame(c.pick(roles))
    return c.fail(
        exception,
        message,
        [site],
        throw,
        cause=c.t(f"{site.method} {what_en}", f"{site.method}에서 {what_ko}"),
        fix=c.t(fix_en, fix_ko),
    )


INTERRUPT_FIX = (
    "Restore the interrupt flag (Thread.currentThread().interrupt()) and stop the work cleanly instead of failing",
    "인터럽트 플래그를 복원(Thread.currentThread().interrupt())하고 작업을 정상 종료하도록 처리",
)


# -------------------------------------------------------------------------------------------- InterruptedException


@template("InterruptedException", "int.sleep")
def sleep(c: Ctx) -> Incident:
    if c.jdk.version == 21:
        throw = [c.j("java.lang.Thread.sleep0", native=True), c.j("java.lang.Thread.sleep", 509)]
    else:
        throw = [c.j("java.lang.Thread.sleep", native=True)]
    if c.chance(0.4):
        throw.append(c.j("java.util.concurrent.TimeUnit.sleep", (386, 446, 446, 446)))
    return blocked(
        c,
        INTERRUPTED,
        "sleep interrupted",
        throw,
        "was interrupted while sleeping in a retry/back-off loop (shutdown or cancel)",
        "재시도/대기 중 sleep 상태에서 인터럽트됨 (종료 또는 취소)",
        *INTERRUPT_FIX,
    )


@template("InterruptedException", "int.latch_await")
def latch_await(c: Ctx) -> Incident:
    throw = [
        c.j(
            "java.util.concurrent.locks.AbstractQueuedSynchronizer.acquireSharedInterruptibly", (1302, 1343, 1048, 1099)
        ),
        c.j("java.util.concurrent.CountDownLatch.await", (231, 232, 230, 276)),
    ]
    return blocked(
        c,
        INTERRUPTED,
        None,
        throw,
        "was interrupted while waiting on a CountDownLatch for worker results",
        "작업 결과를 CountDownLatch로 기다리는 중 인터럽트됨",
        *INTERRUPT_FIX,
    )


@template("InterruptedException", "int.queue_take")
def queue_take(c: Ctx) -> Incident:
    throw = [
        c.j(
            "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.reportInterruptAfterWait",
            (2014, 2056, 1661, 1743),
        ),
        c.j("java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await", (2048, 2090, 1698, 1778)),
        c.j("java.util.concurrent.LinkedBlockingQueue.take", (442, 433, 435, 435)),
    ]
    return blocked(
        c,
        INTERRUPTED,
        None,
        throw,
        "was interrupted while blocked in queue.take() (consumer stopped on shutdown)",
        "queue.take()에서 대기 중 인터럽트됨 (종료 시 소비자 중단)",
        *INTERRUPT_FIX,
        roles=("listener", "support", "gateway", "batch"),
    )


@template("InterruptedException", "int.future_get")
def future_get(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.concurrent.FutureTask.awaitDone", (404, 418, 418, 444)),
        c.j("java.util.concurrent.FutureTask.get", (191, 190, 190, 191)),
    ]
    return blocked(
        c,
        INTERRUPTED,
        None,
        throw,
        "was interrupted while waiting for Future.get()",
        "Future.get() 대기 중 인터럽트됨",
        *INTERRUPT_FIX,
    )


@template("InterruptedException", "int.join_wait")
def join_wait(c: Ctx) -> Incident:
    throw = [c.j("java.lang.Object.wait", native=True)]
    if c.chance(0.5):
        throw += [
            c.j("java.lang.Thread.join", (1252, 1305, 1304, 2072)),
            c.j("java.lang.Thread.join", (1326, 1379, 1378, 2033)),
        ]
        what = (
            "was interrupted in Thread.join() waiting for a worker thread",
            "작업 스레드를 Thread.join()으로 기다리는 중 인터럽트됨",
        )
    else:
        throw.append(c.j("java.lang.Object.wait", (502, 328, 338, 366)))
        what = (
            "was interrupted in Object.wait() waiting for a signal",
            "Object.wait()로 신호를 기다리는 중 인터럽트됨",
        )
    return blocked(c, INTERRUPTED, None, throw, *what, *INTERRUPT_FIX)


@template("InterruptedException", "int.closed_by_interrupt")
def closed_by_interrupt(c: Ctx) -> Incident:
    throw = [
        c.j("java.nio.channels.spi.AbstractInterruptibleChannel.end", (202, 199, 199, 199)),
        c.j("sun.nio.ch.FileChannelImpl.write", (216, 285, 288, 309)),
        c.j("java.nio.channels.Channels.writeFullyImpl", (78, 74, 74, 74)),
        c.j("java.nio.channels.Channels.writeFully", (101, 97, 97, 97)),
        c.j("java.nio.channels.Channels.access$000", (61, 0, 0, 0))
        if c.jdk.version <= 8
        else c.j("java.nio.channels.Channels$1.write", (0, 172, 172, 172)),
    ]
    return blocked(
        c,
        "java.nio.channels.ClosedByInterruptException",
        None,
        throw,
        "was interrupted during file channel I/O, which closes the channel",
        "파일 채널 입출력 중 인터럽트되어 채널이 닫힘",
        "Do not interrupt threads doing NIO file I/O (cancel with a flag), or reopen the channel after interrupts",
        "NIO 파일 입출력 중인 스레드는 인터럽트 대신 플래그로 취소하거나 인터럽트 후 채널을 다시 열기",
        roles=("batch", "support", "util"),
    )


@template("InterruptedException", "int.semaphore")
def semaphore(c: Ctx) -> Incident:
    throw = [
        c.j(
            "java.util.concurrent.locks.AbstractQueuedSynchronizer.acquireSharedInterruptibly", (1302, 1343, 1048, 1099)
        ),
        c.j("java.util.concurrent.Semaphore.acquire", (312, 318, 318, 318)),
    ]
    return blocked(
        c,
        INTERRUPTED,
        None,
        throw,
        "was interrupted waiting for a Semaphore permit (rate limiter / connection guard)",
        "Semaphore 허가를 기다리는 중 인터럽트됨 (요청 제한/연결 보호)",
        *INTERRUPT_FIX,
    )


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
        cause=c.t(
            f"A task that {site.method} waited for failed ({inner.split(':')[0].rsplit('.', 1)[-1]}); the cause "
            "is not in this log",
            f"{site.method}가 기다린 비동기 작업이 실패({inner.split(':')[0].rsplit('.', 1)[-1]}) - 원인 스택은 "
            "로그에 없음",
        ),
        fix=c.t(
            "Log the task's exception with its cause (getCause()) and fix that failure; handle task errors in "
            "the task itself",
            "작업 예외를 cause와 함께 기록(getCause())하여 실제 원인을 수정하고 작업 내부에서 오류를 처리",
        ),
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
        cause=c.t(
            f"The async stage run by {owner.simple} failed with {inner.split(':')[0].rsplit('.', 1)[-1]}; the "
            "log keeps only the wrapper",
            f"{owner.simple}의 비동기 단계가 {inner.split(':')[0].rsplit('.', 1)[-1]}로 실패했고 로그에는 래퍼만 남음",
        ),
        fix=c.t(
            "Handle failures in the stage (exceptionally/handle) and log getCause() so the real error is visible",
            "비동기 단계에서 exceptionally/handle로 오류를 처리하고 getCause()를 기록",
        ),
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
    throw = [
        c.j("java.util.concurrent.AbstractExecutorService.doInvokeAny", (193, 199, 199, 199)),
        c.j("java.util.concurrent.AbstractExecutorService.invokeAny", (215, 221, 221, 221)),
    ]
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
            c.t("Partition processing failed", "파티션 처리 실패"),
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
        f"java.util.concurrent.ThreadPoolExecutor@{c.randint(0x10000000, 0x7FFFFFFF):x}[{state}, pool size = {active}, "
        f"active threads = {active}, queued tasks = {queued}, completed tasks = {c.randint(0, 900000)}]"
    )


def task_text(c: Ctx) -> str:
    ident = f"{c.randint(0x10000000, 0x7FFFFFFF):x}"
    hidden = f"0x0000000800{c.randint(0x100000, 0xFFFFF0):x}"
    lam = f"{c.app('service').fqcn}$$Lambda${c.randint(100, 2000)}/{hidden}@{c.randint(0x1000000, 0x7FFFFFF):x}"
    if c.jdk.version <= 8:
        return f"java.util.concurrent.FutureTask@{ident}"
    return f"java.util.concurrent.FutureTask@{ident}[Not completed, task = {lam}]"


def abort_policy(c: Ctx) -> list[StackFrame]:
    return [
        c.j("java.util.concurrent.ThreadPoolExecutor$AbortPolicy.rejectedExecution", (2063, 2055, 2065, 2081)),
        c.j("java.util.concurrent.ThreadPoolExecutor.reject", (830, 825, 833, 841)),
        c.j("java.util.concurrent.ThreadPoolExecutor.execute", (1379, 1355, 1365, 1376)),
    ]


@template("RejectedExecutionException", "ree.pool_saturated")
def pool_saturated(c: Ctx) -> Incident:
    throw = [*abort_policy(c), c.j("java.util.concurrent.AbstractExecutorService.submit", (112, 118, 123, 123))]
    return blocked(
        c,
        REE,
        f"Task {task_text(c)} rejected from {pool_state(c)}",
        throw,
        "submits work to a pool whose threads and bounded queue are all full",
        "스레드와 대기 큐가 모두 찬 풀에 작업을 제출",
        "Size the pool/queue for the load, apply back-pressure (CallerRunsPolicy) or shed load upstream",
        "부하에 맞게 풀/큐 크기를 조정하거나 CallerRunsPolicy 등으로 역압을 적용",
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
        "submits a task to an executor that was already shut down (during shutdown or after close)",
        "이미 종료(shutdown)된 Executor에 작업을 제출 (종료 중 또는 close 이후)",
        "Stop producers before shutting the executor down, and do not reuse a closed executor",
        "Executor 종료 전에 작업 생성자를 먼저 멈추고 종료된 Executor를 재사용하지 않음",
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
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.t(
            f"The Spring task executor used by {site.method} is saturated (all threads busy, queue full)",
            f"{site.method}가 사용하는 Spring TaskExecutor가 포화 상태 (스레드 모두 사용 중, 큐 가득 참)",
        ),
        fix=c.t(
            "Raise core/max pool and queue capacity for the measured load or set a rejection policy",
            "측정된 부하에 맞게 core/max 스레드와 queueCapacity를 늘리거나 거부 정책을 설정",
        ),
    )


@template("RejectedExecutionException", "ree.scheduled_pool")
def scheduled_pool(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.concurrent.ThreadPoolExecutor$AbortPolicy.rejectedExecution", (2063, 2055, 2065, 2081)),
        c.j("java.util.concurrent.ThreadPoolExecutor.reject", (830, 825, 833, 841)),
        c.j("java.util.concurrent.ScheduledThreadPoolExecutor.delayedExecute", (326, 339, 340, 340)),
        c.j("java.util.concurrent.ScheduledThreadPoolExecutor.schedule", (533, 562, 562, 562)),
    ]
    message = (
        "Task java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask"
        f"@{c.randint(0x1000000, 0x7FFFFFF):x} "
        f"rejected from {pool_state(c, 'Terminated').replace('ThreadPoolExecutor@', 'ScheduledThreadPoolExecutor@')}"
    )
    return blocked(
        c,
        REE,
        message,
        throw,
        "schedules a retry/timeout on a scheduler that was already shut down",
        "이미 종료된 스케줄러에 재시도/타임아웃 작업을 예약",
        "Check the scheduler's lifecycle (close it last) or skip scheduling when shutting down",
        "스케줄러 종료 순서를 확인하거나 종료 중에는 예약을 건너뜀",
    )


@template("RejectedExecutionException", "ree.netty_terminated")
def netty_terminated(c: Ctx) -> Incident:
    throw = [
        c.lib("io.netty.util.concurrent.SingleThreadEventExecutor.reject", 926),
        c.lib("io.netty.util.concurrent.SingleThreadEventExecutor.offerTask", 353),
        c.lib("io.netty.util.concurrent.SingleThreadEventExecutor.addTask", 346),
        c.lib("io.netty.util.concurrent.SingleThreadEventExecutor.execute", 828),
        c.lib("io.netty.util.concurrent.SingleThreadEventExecutor.execute", 818),
    ]
    return blocked(
        c,
        REE,
        "event executor terminated",
        throw,
        "uses a Netty channel/event loop after its group was shut down",
        "종료된 Netty 이벤트 루프 그룹의 채널을 사용",
        "Close clients/channels before shutting the EventLoopGroup down, and do not reuse it",
        "EventLoopGroup 종료 전에 클라이언트/채널을 닫고 종료된 그룹을 재사용하지 않음",
        roles=("client", "gateway"),
    )


@template("RejectedExecutionException", "ree.async_method", codebases=("bank",), contexts=("web", "kafka", "scheduled"))
def async_method(c: Ctx) -> Incident:
    target = c.app("service")
    method = c.verb()
    aop = [
        c.lib("org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor.submit", 344),
        c.lib("org.springframework.aop.interceptor.AsyncExecutionAspectSupport.doSubmit", 286),
        c.lib("org.springframework.aop.interceptor.AsyncExecutionInterceptor.invoke", 129),
        c.lib("org.springframework.aop.framework.ReflectiveMethodInvocation.proceed", 186),
        c.lib("org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept", 708),
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
        cause=c.t(
            f"Calls to the @Async method {target.simple}.{method} arrive faster than its executor can run them",
            f"@Async 메서드 {target.simple}.{method} 호출이 실행기의 처리 속도보다 빠르게 들어옴",
        ),
        fix=c.t(
            "Give @Async a dedicated, sized executor (pool/queue) and a rejection policy suited to the flow",
            "@Async 전용 실행기의 풀/큐 크기와 거부 정책을 업무 흐름에 맞게 설정",
        ),
    )


@template("RejectedExecutionException", "ree.completable_closed_executor", min_jdk=8)
def completable_closed_executor(c: Ctx) -> Incident:
    throw = [
        *abort_policy(c),
        c.j("java.util.concurrent.CompletableFuture.asyncSupplyStage", (1618, 1714, 1782, 1783)),
        c.j("java.util.concurrent.CompletableFuture.supplyAsync", (1843, 1931, 2005, 2024)),
    ]
    return blocked(
        c,
        REE,
        f"Task java.util.concurrent.CompletableFuture$AsyncSupply@{c.randint(0x1000000, 0x7FFFFFF):x} rejected "
        f"from {pool_state(c, c.pick(('Running', 'Terminated')))}",
        throw,
        "calls supplyAsync with an executor that is full or closed",
        "포화되었거나 종료된 Executor로 supplyAsync 호출",
        "Use a properly sized, application-scoped executor for async stages",
        "애플리케이션 범위의 적절한 크기 Executor를 사용",
    )


# ------------------------------------------------------------------------------------------------- TimeoutException


@template("TimeoutException", "to.future_get")
def to_future_get(c: Ctx) -> Incident:
    throw = [c.j("java.util.concurrent.FutureTask.get", (205, 204, 203, 203))]
    return blocked(
        c,
        TIMEOUT,
        None,
        throw,
        "waits on Future.get(timeout) and the task does not finish in time",
        "Future.get(timeout)으로 기다렸지만 작업이 제한 시간 내에 끝나지 않음",
        "Find why the task is slow (downstream latency, pool starvation); tune the timeout only if the SLA allows",
        "작업 지연 원인(외부 지연, 스레드 고갈)을 찾고 SLA가 허용할 때만 타임아웃을 조정",
    )


@template("TimeoutException", "to.completable_get", min_jdk=8)
def to_completable_get(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.concurrent.CompletableFuture.timedGet", (1771, 1886, 1960, 1950)),
        c.j("java.util.concurrent.CompletableFuture.get", (1915, 2021, 2095, 2117)),
    ]
    return blocked(
        c,
        TIMEOUT,
        None,
        throw,
        "waits on CompletableFuture.get(timeout) for a slow downstream call",
        "느린 외부 호출의 CompletableFuture.get(timeout) 대기 시간 초과",
        "Check the downstream latency and the executor; cancel the future and degrade gracefully on timeout",
        "외부 지연과 실행기를 확인하고 타임아웃 시 future 취소 및 대체 처리",
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
            f"Expiring {c.randint(1, 40)} record(s) for {topic}-{c.randint(0, 11)}:{c.pick((120000, 30002, 60001))} "
            "ms has passed since batch creation",
        )
    )
    site = c.frame(c.pick(("service", "support", "listener")), c.pick(("publish", "sendEvent", "emit")))
    send = [
        c.lib("org.apache.kafka.clients.producer.KafkaProducer$FutureFailure.<init>", 1314),
        c.lib("org.apache.kafka.clients.producer.KafkaProducer.doSend", 970),
        c.lib("org.apache.kafka.clients.producer.KafkaProducer.send", 870),
        c.lib("org.springframework.kafka.core.DefaultKafkaProducerFactory$CloseSafeProducer.send", 1032),
        c.lib("org.springframework.kafka.core.KafkaTemplate.doSend", 649),
        c.lib("org.springframework.kafka.core.KafkaTemplate.send", 409),
    ]
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
        cause=c.t(
            f"The producer could not deliver to {topic} in time (topic missing or brokers unreachable)",
            f"프로듀서가 제한 시간 내에 {topic}으로 전송하지 못함 (토픽 없음 또는 브로커 연결 불가)",
        ),
        fix=c.t(
            f"Check that {topic} exists and the brokers/bootstrap.servers are reachable; review delivery.timeout.ms",
            f"{topic} 토픽 존재 여부와 브로커(bootstrap.servers) 연결을 확인하고 delivery.timeout.ms 검토",
        ),
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
            f"PreparedStatementCallback; SQL [SELECT * FROM {table} WHERE {c.column()} = ?]; "
            f"{inner.message.strip()}; nested exception is {inner.cls}: {inner.message.strip()}"
        ),
        at="org.springframework.jdbc.core.JdbcTemplate.execute",
        top=stacks.translator(c),
        line_delta=16,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.t(
            f"The query on {table} in {site.method} ran past the statement timeout and Oracle cancelled it",
            f"{site.method}의 {table} 조회가 statement timeout을 넘어 Oracle이 취소함",
        ),
        fix=c.t(
            f"Tune the query/index on {table} (check the plan, locks); raise the timeout only for known long queries",
            f"{table} 쿼리/인덱스를 튜닝(실행 계획, 락 확인)하고 긴 쿼리에 한해 타임아웃 조정",
        ),
    )


@template("TimeoutException", "to.netty_read_timeout", codebases=("bank",), contexts=("web", "kafka", "executor"))
def netty_read_timeout(c: Ctx) -> Incident:
    site = c.frame("client")
    url = c.url()
    root = Thrown("io.netty.handler.timeout.ReadTimeoutException", None, [])
    stack = c.call_stack(
        [site],
        [
            c.lib("reactor.core.publisher.BlockingSingleSubscriber.blockingGet", 123),
            c.lib("reactor.core.publisher.Mono.block", 1727),
        ],
    )
    wrapper = Thrown(
        "org.springframework.web.reactive.function.client.WebClientRequestException",
        "nested exception is io.netty.handler.timeout.ReadTimeoutException",
        stack,
    )
    return c.incident(
        [wrapper, root],
        top=[site],
        fault=site,
        cause=c.t(
            f"No response bytes arrived from {url} within the WebClient read timeout",
            f"WebClient 읽기 타임아웃 내에 {url}에서 응답이 오지 않음",
        ),
        fix=c.t(
            "Check the downstream latency; set responseTimeout/ReadTimeoutHandler to the SLA and add retry/fallback",
            "외부 시스템 지연을 확인하고 SLA에 맞게 responseTimeout/ReadTimeoutHandler와 재시도/대체 처리 설정",
        ),
    )


@template("TimeoutException", "to.reactor_timeout", min_jdk=8)
def reactor_timeout(c: Ctx) -> Incident:
    millis = c.pick((1000, 3000, 5000, 10000, 30000))
    operator = c.pick(("flatMap", "map", "onErrorResume", "source(MonoDefer)"))
    throw = [
        c.lib("reactor.core.publisher.FluxTimeout$TimeoutMainSubscriber.handleTimeout", 295),
        c.lib("reactor.core.publisher.FluxTimeout$TimeoutMainSubscriber.doTimeout", 280),
        c.lib("reactor.core.publisher.FluxTimeout$TimeoutTimeoutSubscriber.onNext", 419),
        c.lib("reactor.core.publisher.MonoDelay$MonoDelayRunnable.propagateDelay", 271),
        c.lib("reactor.core.publisher.MonoDelay$MonoDelayRunnable.run", 286),
        c.lib("reactor.core.scheduler.SchedulerTask.call", 68),
        c.lib("reactor.core.scheduler.SchedulerTask.call", 28),
        *c.jdk.future_task_run(),
        c.j("java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.run", (293, 304, 304, 358)),
        *c.jdk.pool_worker(),
    ]
    owner = c.app(c.pick(("client", "service")))
    fault = StackFrame(owner.fqcn, c.verb("client"), owner.file, None, app=True)
    return c.incident(
        [
            Thrown(
                TIMEOUT,
                f"Did not observe any item or terminal signal within {millis}ms in '{operator}' (and no fallback "
                "has been configured)",
                throw,
            )
        ],
        fault=fault,
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.t(
            f"The reactive call in {owner.simple} emitted nothing within .timeout({millis}ms)",
            f"{owner.simple}의 리액티브 호출이 .timeout({millis}ms) 내에 아무 신호도 내보내지 않음",
        ),
        fix=c.t(
            "Find the slow upstream; add a fallback (timeout(d, fallback)/onErrorResume) where a default answer "
            "is acceptable",
            "느린 상위 호출을 찾고 허용되면 timeout(d, fallback)/onErrorResume으로 대체 응답 지정",
        ),
    )


@template("TimeoutException", "to.jpa_query_timeout", codebases=("bank",))
def jpa_query_timeout(c: Ctx) -> Incident:
    site = c.frame("repository")
    stack = c.call_stack(
        [site],
        [
            *stacks.jdbc_driver(c, "mysql", "query"),
            c.lib("org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.extract", 57),
            c.lib("org.hibernate.loader.Loader.getResultSet", 2322),
            c.lib("org.hibernate.loader.Loader.doQuery", 948),
            c.lib("org.hibernate.loader.Loader.list", 2838),
            c.lib("org.hibernate.query.internal.AbstractProducedQuery.list", 1617),
            *stacks.spring_data_repository(c, c.verb("repository")),
        ],
    )
    root = Thrown("java.sql.SQLTimeoutException", "Statement cancelled due to timeout or client request", stack)
    wraps = [
        Wrap(
            "org.hibernate.QueryTimeoutException",
            "could not extract ResultSet",
            at="org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.extract",
            top=[
                c.lib("org.hibernate.exception.internal.SQLStateConversionDelegate.convert", 140),
                c.lib("org.hibernate.exception.internal.StandardSQLExceptionConverter.convert", 42),
                c.lib("org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert", 113),
            ],
        ),
        Wrap(
            "org.springframework.dao.QueryTimeoutException",
            lambda inner: f"could not extract ResultSet; SQL [n/a]; nested exception is {inner.to_string()}",
            at="org.springframework.dao.support.PersistenceExceptionTranslationInterceptor.invoke",
            top=[
                c.lib("org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException", 259),
                c.lib("org.springframework.orm.jpa.vendor.HibernateJpaDialect.translateExceptionIfPossible", 233),
            ],
        ),
    ]
    return c.incident(
        [root],
        wraps=wraps,
        top=[site],
        cause=c.t(
            f"The JPA query behind {site.method} exceeded javax.persistence.query.timeout",
            f"{site.method}의 JPA 쿼리가 쿼리 타임아웃을 초과",
        ),
        fix=c.t(
            "Optimise the query (index, fetch plan, pagination) or adjust the query timeout hint for this query",
            "쿼리 최적화(인덱스, 페치 전략, 페이징) 또는 해당 쿼리의 타임아웃 힌트 조정",
        ),
    )


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
        cause=c.t(
            f"{caller.method} waited {millis} ms for the {what}, which never came",
            f"{caller.method}가 {what}을(를) {millis}ms 기다렸지만 오지 않음",
        ),
        fix=c.t(
            "Check the counterpart system/correlation ids; handle the timeout (retry, inquiry, compensation)",
            "상대 시스템과 거래 식별자 매칭을 확인하고 타임아웃 시 재조회/보상 처리",
        ),
    )
