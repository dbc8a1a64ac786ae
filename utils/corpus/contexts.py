"""Where the failing code was called from: test runners, Spring MVC on Tomcat, Kafka listeners, Spring Batch,
schedulers, thread pools, Netty, `main`. Each gives the application's entry frame(s) and the library frames below.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from utils.corpus.codebase import AppClass, Codebase, test_method_name
from utils.corpus.jdk import Jdk
from utils.corpus.launchers import PLAIN_JUNIT3, draw_launcher, launcher_frames, testng_frames
from utils.corpus.model import StackFrame

CONTEXTS = ("test", "web", "kafka", "batch", "scheduled", "executor", "main", "netty")


def lib(qualified_method: str, line: int | None, file: str | None = None) -> StackFrame:
    """A library (non-JDK) frame; the file defaults to the outer class's name."""
    cls, method = qualified_method.rsplit(".", 1)
    if file is None and line is not None:
        file = cls.rsplit(".", 1)[-1].split("$", 1)[0] + ".java"
    return StackFrame(cls, method, file, line)


@dataclass(frozen=True)
class TestHarness:
    """Configured weights of test runners and of the launchers below them (launchers.TEST_RUNNERS / TEST_LAUNCHERS);
    empty: the built-in draw (per JDK, Surefire with some IDE and Gradle), which configs/corpus.yaml uses."""

    runners: dict[str, float] = field(default_factory=dict)
    launchers: dict[str, float] = field(default_factory=dict)


@dataclass
class Entry:
    kind: str  # one of CONTEXTS
    app_frames: list[StackFrame]  # the application's entry frame(s), deepest first
    bottom: list[StackFrame]  # library frames below them
    thread: str
    runner: str = ""  # "junit3" | "junit4" | "junit5" | "testng" for tests
    test_class: AppClass | None = None
    test_method: str | None = None
    proxy: list[StackFrame] = field(default_factory=list)  # frames between the entry frame and the code it calls
    jakarta: bool = False  # Spring 6 / Tomcat 10 (jakarta.servlet) rather than Spring 5 (javax.servlet)
    launcher: str = ""  # tests: the launcher drawn from configured weights ("": the built-in draw)


# ---------------------------------------------------------------------------------------------------------- tests


# JUnit 4's reflective call of a test method: (method, line in JUnit 4.11, line in 4.12+).
_JUNIT4_INVOKE = (
    ("org.junit.runners.model.FrameworkMethod$1.runReflectiveCall", 47, 59),
    ("org.junit.internal.runners.model.ReflectiveCallable.run", 12, 12),
    ("org.junit.runners.model.FrameworkMethod.invokeExplosively", 44, 56),
    ("org.junit.internal.runners.statements.InvokeMethod.evaluate", 17, 17),
)


def junit4_runner(jdk: Jdk, rng: random.Random, spring: bool, launcher: str | None = None) -> list[StackFrame]:
    old = jdk.version <= 8 and rng.random() < 0.5  # JUnit 4.11 + surefire 2.12, as older projects have
    frames = [*jdk.reflect_invoke()]
    frames += [lib(method, old_line if old else new_line) for method, old_line, new_line in _JUNIT4_INVOKE]
    if rng.random() < 0.4:
        frames.append(lib("org.junit.internal.runners.statements.RunBefores.evaluate", 26))
    if rng.random() < 0.3:
        frames.append(lib("org.junit.internal.runners.statements.RunAfters.evaluate", 27))
    if spring:
        frames += [
            lib("org.springframework.test.context.junit4.statements.RunBeforeTestExecutionCallbacks.evaluate", 74),
            lib("org.springframework.test.context.junit4.statements.RunAfterTestExecutionCallbacks.evaluate", 84),
            lib("org.springframework.test.context.junit4.statements.RunBeforeTestMethodCallbacks.evaluate", 75),
            lib("org.springframework.test.context.junit4.statements.RunAfterTestMethodCallbacks.evaluate", 86),
            lib("org.springframework.test.context.junit4.statements.SpringRepeat.evaluate", 84),
            lib("org.junit.runners.ParentRunner.runLeaf", 366),
            lib("org.springframework.test.context.junit4.SpringJUnit4ClassRunner.runChild", 251),
            lib("org.springframework.test.context.junit4.SpringJUnit4ClassRunner.runChild", 97),
        ]
    elif old:
        frames += [
            lib("org.junit.runners.ParentRunner.runLeaf", 271),
            lib("org.junit.runners.BlockJUnit4ClassRunner.runChild", 70),
            lib("org.junit.runners.BlockJUnit4ClassRunner.runChild", 50),
        ]
    else:
        frames += [
            lib("org.junit.runners.ParentRunner$3.evaluate", 306),
            lib("org.junit.runners.BlockJUnit4ClassRunner$1.evaluate", 100),
            lib("org.junit.runners.ParentRunner.runLeaf", 366),
            lib("org.junit.runners.BlockJUnit4ClassRunner.runChild", 103),
            lib("org.junit.runners.BlockJUnit4ClassRunner.runChild", 63),
        ]
    frames += [
        lib("org.junit.runners.ParentRunner$3.run", 238 if old else 331),
        lib("org.junit.runners.ParentRunner$1.schedule", 63 if old else 79),
        lib("org.junit.runners.ParentRunner.runChildren", 236 if old else 329),
        lib(
            "org.junit.runners.ParentRunner.access$000" if old else "org.junit.runners.ParentRunner.access$100",
            53 if old else 66,
        ),
        lib("org.junit.runners.ParentRunner$2.evaluate", 229 if old else 293),
        lib("org.junit.runners.ParentRunner.run", 309 if old else 413),
    ]
    if launcher is None and rng.random() < 0.15:  # run from the IDE
        launcher = "intellij"
    if launcher is None or launcher == "maven":
        return frames + launcher_frames("maven/junit4-old" if old else "maven/junit4", jdk)
    return frames + launcher_frames(f"{launcher}/junit4", jdk)


def junit3_runner(jdk: Jdk, rng: random.Random, launcher: str | None = None) -> list[StackFrame]:
    frames = [
        *jdk.reflect_invoke(),
        lib("junit.framework.TestCase.runTest", rng.choice((154, 168, 176))),
        lib("junit.framework.TestCase.runBare", rng.choice((127, 134, 141))),
        lib("junit.framework.TestResult$1.protect", rng.choice((106, 110, 122))),
        lib("junit.framework.TestResult.runProtected", rng.choice((124, 128, 142))),
        lib("junit.framework.TestResult.run", rng.choice((109, 113, 125))),
        lib("junit.framework.TestCase.run", rng.choice((118, 124, 129))),
        lib("junit.framework.TestSuite.runTest", rng.choice((208, 243, 252))),
        lib("junit.framework.TestSuite.run", rng.choice((203, 238, 247))),
        lib("org.junit.internal.runners.JUnit38ClassRunner.run", rng.choice((83, 86))),
    ]
    launcher = launcher or "maven"
    if launcher in PLAIN_JUNIT3:
        frames = frames[:-1]  # TestSuite.run called by the launcher, not through JUnit 4's JUnit38ClassRunner
    return frames + launcher_frames(f"{launcher}/junit3", jdk)


def junit5_runner(jdk: Jdk, rng: random.Random, launcher: str | None = None) -> list[StackFrame]:
    engine = "org.junit.jupiter.engine"
    hierarchical = "org.junit.platform.engine.support.hierarchical"
    node_levels = rng.choice((2, 3))
    frames = [
        *jdk.reflect_invoke(),
        lib("org.junit.platform.commons.util.ReflectionUtils.invokeMethod", 727),
        lib(f"{engine}.execution.MethodInvocation.proceed", 60),
        lib(f"{engine}.execution.InvocationInterceptorChain$ValidatingInvocation.proceed", 131),
        lib(f"{engine}.extension.TimeoutExtension.intercept", 156),
        lib(f"{engine}.extension.TimeoutExtension.interceptTestableMethod", 147),
        lib(f"{engine}.extension.TimeoutExtension.interceptTestMethod", 86),
        lib(f"{engine}.execution.InterceptingExecutableInvoker$ReflectiveInterceptorCall.lambda$ofVoidMethod$0", 103),
        lib(f"{engine}.execution.InterceptingExecutableInvoker.lambda$invoke$0", 93),
        lib(f"{engine}.execution.InvocationInterceptorChain$InterceptedInvocation.proceed", 106),
        lib(f"{engine}.execution.InvocationInterceptorChain.proceed", 64),
        lib(f"{engine}.execution.InvocationInterceptorChain.chainAndInvoke", 45),
        lib(f"{engine}.execution.InvocationInterceptorChain.invoke", 37),
        lib(f"{engine}.execution.InterceptingExecutableInvoker.invoke", 92),
        lib(f"{engine}.execution.InterceptingExecutableInvoker.invoke", 86),
        lib(f"{engine}.descriptor.TestMethodTestDescriptor.lambda$invokeTestMethod$7", 217),
        lib(f"{hierarchical}.ThrowableCollector.execute", 73),
        lib(f"{engine}.descriptor.TestMethodTestDescriptor.invokeTestMethod", 213),
        lib(f"{engine}.descriptor.TestMethodTestDescriptor.execute", 138),
        lib(f"{engine}.descriptor.TestMethodTestDescriptor.execute", 68),
    ]
    for _ in range(node_levels):
        frames += [
            lib(f"{hierarchical}.NodeTestTask.lambda$executeRecursively$6", 151),
            lib(f"{hierarchical}.ThrowableCollector.execute", 73),
            lib(f"{hierarchical}.NodeTestTask.lambda$executeRecursively$8", 141),
            lib(f"{hierarchical}.Node.around", 137),
            lib(f"{hierarchical}.NodeTestTask.lambda$executeRecursively$9", 139),
            lib(f"{hierarchical}.ThrowableCollector.execute", 73),
            lib(f"{hierarchical}.NodeTestTask.executeRecursively", 138),
            lib(f"{hierarchical}.NodeTestTask.execute", 95),
        ]
        if _ < node_levels - 1:
            frames += [
                jdk.f("java.util.ArrayList.forEach", (1259, 1541, 1511, 1596)),
                lib(f"{hierarchical}.SameThreadHierarchicalTestExecutorService.invokeAll", 41),
            ]
    frames += [
        lib(f"{hierarchical}.SameThreadHierarchicalTestExecutorService.submit", 35),
        lib(f"{hierarchical}.HierarchicalTestExecutor.execute", 57),
        lib(f"{hierarchical}.HierarchicalTestEngine.execute", 54),
        lib("org.junit.platform.launcher.core.EngineExecutionOrchestrator.execute", 147),
        lib("org.junit.platform.launcher.core.EngineExecutionOrchestrator.execute", 127),
        lib("org.junit.platform.launcher.core.EngineExecutionOrchestrator.execute", 90),
        lib("org.junit.platform.launcher.core.DefaultLauncher.execute", 102),
        lib("org.junit.platform.launcher.core.SessionPerRequestLauncher.execute", 54),
    ]
    if launcher is None:  # the built-in draw: Gradle's worker (its short stack) or Surefire
        launcher = "gradle/junit5-short" if rng.random() < 0.4 else "maven/junit5"
        return frames + launcher_frames(launcher, jdk)
    return frames + launcher_frames(f"{launcher}/junit5", jdk)


def test_entry(
    code: Codebase,
    jdk: Jdk,
    rng: random.Random,
    under_test: AppClass | None,
    method_under_test: str | None,
    runner: str | None = None,
    harness: TestHarness | None = None,
) -> Entry:
    """A test method calling the code under test, and the runner (and launcher) below it."""
    harness = harness or TestHarness()
    if runner is None:
        runner = _draw_runner(jdk, rng, harness)
    if runner == "junit5" and jdk.version < 7:  # JUnit 5 needs Java 8 (JDK 7 keeps the draws corpus.yaml has made)
        runner = "junit4"
    test_class = code.test_class(under_test)
    test_method = test_method_name(method_under_test or code.method("service"), rng, runner == "junit5")
    launcher = draw_launcher(harness.launchers, runner, jdk, rng) if harness.launchers else None
    if runner == "junit3":
        bottom = junit3_runner(jdk, rng, launcher)
    elif runner == "junit5":
        bottom = junit5_runner(jdk, rng, launcher)
    elif runner == "testng":
        bottom = testng_frames(jdk) + launcher_frames(f"{launcher or 'maven'}/testng", jdk)
    else:
        bottom = junit4_runner(jdk, rng, spring=code.is_bank and rng.random() < 0.4, launcher=launcher)
    frame = test_class.at(test_method, code.line(30, 640))
    thread = "Test worker" if launcher == "gradle" else "main"
    return Entry("test", [frame], bottom, thread, runner, test_class, test_method, launcher=launcher or "")


def _draw_runner(jdk: Jdk, rng: random.Random, harness: TestHarness) -> str:
    """The configured runner weights (JUnit 5 from JDK 8 on), else the built-in ones per JDK."""
    weights = {name: w for name, w in harness.runners.items() if w > 0 and (name != "junit5" or jdk.version >= 8)}
    if not weights and jdk.version == 6:
        weights = {"junit3": 0.25, "junit4": 0.75}
    elif not weights:
        weights = (
            {"junit3": 0.12, "junit4": 0.6, "junit5": 0.28} if jdk.version <= 8 else {"junit4": 0.35, "junit5": 0.65}
        )
    return rng.choices(list(weights), list(weights.values()))[0]


# ------------------------------------------------------------------------------------------------- applications


def spring_proxy(jdk: Jdk, rng: random.Random, target: AppClass, method: str) -> list[StackFrame]:
    """A Spring AOP (CGLIB) proxy with a transaction interceptor, between a caller and `target.method`."""
    aop = "org.springframework.aop.framework"
    frames: list[StackFrame] = []
    if rng.random() < 0.5:
        frames += [
            *jdk.reflect_invoke(),
            lib("org.springframework.aop.support.AopUtils.invokeJoinpointUsingReflection", 344),
        ]
        frames.append(lib(f"{aop}.ReflectiveMethodInvocation.invokeJoinpoint", 198))
    else:
        frames += [
            lib("org.springframework.cglib.proxy.MethodProxy.invoke", 218),
            lib(f"{aop}.CglibAopProxy$CglibMethodInvocation.invokeJoinpoint", 793),
        ]
    frames += [
        lib(f"{aop}.ReflectiveMethodInvocation.proceed", 163),
        lib(f"{aop}.CglibAopProxy$CglibMethodInvocation.proceed", 763),
        lib("org.springframework.transaction.interceptor.TransactionInterceptor$1.proceedWithInvocation", 123),
        lib("org.springframework.transaction.interceptor.TransactionAspectSupport.invokeWithinTransaction", 388),
        lib("org.springframework.transaction.interceptor.TransactionInterceptor.invoke", 119),
        lib(f"{aop}.ReflectiveMethodInvocation.proceed", 186),
        lib(f"{aop}.CglibAopProxy$CglibMethodInvocation.proceed", 763),
        lib(f"{aop}.CglibAopProxy$DynamicAdvisedInterceptor.intercept", 708),
    ]
    suffix = rng.choice(("$$EnhancerBySpringCGLIB$$", "$$SpringCGLIB$$")) + (
        f"{rng.getrandbits(32):08x}" if rng.random() < 0.7 else "0"
    )
    frames.append(StackFrame(f"{target.fqcn}{suffix}", method, generated=True))
    return frames


def web_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    jakarta = jdk.version >= 17 and rng.random() < 0.6
    servlet = "jakarta.servlet" if jakarta else "javax.servlet"
    mvc = "org.springframework.web.servlet"
    controller = code.cls("controller")
    method = code.method("controller")
    http = rng.choice(("doPost", "doGet", "doPost", "doPut"))
    frames = [
        *jdk.reflect_invoke(),
        lib("org.springframework.web.method.support.InvocableHandlerMethod.doInvoke", 205 if not jakarta else 243),
        lib(
            "org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest",
            150 if not jakarta else 181,
        ),
        lib(f"{mvc}.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle", 117 if not jakarta else 118),
        lib(
            f"{mvc}.mvc.method.annotation.RequestMappingHandlerAdapter.invokeHandlerMethod", 895 if not jakarta else 920
        ),
        lib(f"{mvc}.mvc.method.annotation.RequestMappingHandlerAdapter.handleInternal", 808 if not jakarta else 830),
        lib(f"{mvc}.mvc.method.AbstractHandlerMethodAdapter.handle", 87),
        lib(f"{mvc}.DispatcherServlet.doDispatch", 1067 if not jakarta else 1089),
        lib(f"{mvc}.DispatcherServlet.doService", 963 if not jakarta else 979),
        lib(f"{mvc}.FrameworkServlet.processRequest", 1006 if not jakarta else 1014),
        lib(f"{mvc}.FrameworkServlet.{http}", 909 if not jakarta else 914),
        lib(f"{servlet}.http.HttpServlet.service", 681 if not jakarta else 590),
        lib(f"{mvc}.FrameworkServlet.service", 883 if not jakarta else 885),
        lib(f"{servlet}.http.HttpServlet.service", 764 if not jakarta else 658),
        lib("org.apache.catalina.core.ApplicationFilterChain.internalDoFilter", 227 if not jakarta else 205),
        lib("org.apache.catalina.core.ApplicationFilterChain.doFilter", 162 if not jakarta else 149),
        lib("org.apache.tomcat.websocket.server.WsFilter.doFilter", 53 if not jakarta else 51),
        lib("org.apache.catalina.core.ApplicationFilterChain.internalDoFilter", 189 if not jakarta else 174),
        lib("org.apache.catalina.core.ApplicationFilterChain.doFilter", 162 if not jakarta else 149),
    ]
    filters = ["RequestContextFilter", "FormContentFilter", "CharacterEncodingFilter"]
    if rng.random() < 0.5:
        filters.insert(0, "security")
    for name in filters:
        if name == "security":
            frames += [
                lib("org.springframework.security.web.FilterChainProxy.doFilterInternal", 219 if not jakarta else 233),
                lib("org.springframework.security.web.FilterChainProxy.doFilter", 191 if not jakarta else 191),
                lib("org.springframework.web.filter.DelegatingFilterProxy.invokeDelegate", 354 if not jakarta else 352),
                lib("org.springframework.web.filter.DelegatingFilterProxy.doFilter", 267 if not jakarta else 268),
            ]
        else:
            line = {"RequestContextFilter": 100, "FormContentFilter": 93, "CharacterEncodingFilter": 201}[name]
            frames += [
                lib(f"org.springframework.web.filter.{name}.doFilterInternal", line),
                lib("org.springframework.web.filter.OncePerRequestFilter.doFilter", 117 if not jakarta else 116),
            ]
        frames += [
            lib("org.apache.catalina.core.ApplicationFilterChain.internalDoFilter", 189 if not jakarta else 174),
            lib("org.apache.catalina.core.ApplicationFilterChain.doFilter", 162 if not jakarta else 149),
        ]
    frames += [
        lib("org.apache.catalina.core.StandardWrapperValve.invoke", 197 if not jakarta else 167),
        lib("org.apache.catalina.core.StandardContextValve.invoke", 97 if not jakarta else 90),
        lib("org.apache.catalina.authenticator.AuthenticatorBase.invoke", 541 if not jakarta else 482),
        lib("org.apache.catalina.core.StandardHostValve.invoke", 135 if not jakarta else 115),
        lib("org.apache.catalina.valves.ErrorReportValve.invoke", 92 if not jakarta else 93),
        lib("org.apache.catalina.core.StandardEngineValve.invoke", 78 if not jakarta else 74),
        lib("org.apache.catalina.connector.CoyoteAdapter.service", 360 if not jakarta else 341),
        lib("org.apache.coyote.http11.Http11Processor.service", 399 if not jakarta else 391),
        lib("org.apache.coyote.AbstractProcessorLight.process", 65 if not jakarta else 63),
        lib("org.apache.coyote.AbstractProtocol$ConnectionHandler.process", 890 if not jakarta else 894),
        lib("org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun", 1789 if not jakarta else 1740),
        lib("org.apache.tomcat.util.net.SocketProcessorBase.run", 49 if not jakarta else 52),
        lib("org.apache.tomcat.util.threads.ThreadPoolExecutor.runWorker", 1191),
        lib("org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run", 659),
        lib("org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run", 61 if not jakarta else 63),
        *jdk.thread_run(),
    ]
    thread = f"http-nio-{rng.choice((8080, 8080, 8443, 9090))}-exec-{rng.randint(1, 200)}"
    return Entry("web", [controller.at(method, code.line())], frames, thread, jakarta=jakarta)


def kafka_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    listener = code.cls("listener")
    kafka = "org.springframework.kafka.listener"
    consumer = f"{kafka}.KafkaMessageListenerContainer$ListenerConsumer"
    frames = [
        *jdk.reflect_invoke(),
        lib("org.springframework.messaging.handler.invocation.InvocableHandlerMethod.doInvoke", 169),
        lib("org.springframework.messaging.handler.invocation.InvocableHandlerMethod.invoke", 119),
        lib(f"{kafka}.adapter.HandlerAdapter.invoke", 56),
        lib(f"{kafka}.adapter.MessagingMessageListenerAdapter.invokeHandler", 347),
        lib(f"{kafka}.adapter.RecordMessagingMessageListenerAdapter.onMessage", 92),
        lib(f"{kafka}.adapter.RecordMessagingMessageListenerAdapter.onMessage", 53),
        lib(f"{consumer}.doInvokeOnMessage", 2622),
        lib(f"{consumer}.invokeOnMessage", 2603),
        lib(f"{consumer}.doInvokeRecordListener", 2521),
        lib(f"{consumer}.doInvokeWithRecords", 2392),
        lib(f"{consumer}.invokeRecordListener", 2270),
        lib(f"{consumer}.invokeListener", 1941),
        lib(f"{consumer}.invokeIfHaveRecords", 1336),
        lib(f"{consumer}.pollAndInvoke", 1297),
        lib(f"{consumer}.run", 1200),
        *jdk.runnable_adapter(),
        *jdk.future_task_run(),
        *jdk.thread_run(),
    ]
    thread = f"org.springframework.kafka.KafkaListenerEndpointContainer#{rng.randint(0, 5)}-0-C-1"
    return Entry("kafka", [listener.at(code.method("listener"), code.line())], frames, thread)


def batch_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    batch = "org.springframework.batch"
    step = code.cls("batch")
    writer = step.simple.endswith("Writer")
    method = "write" if writer else "process"
    frames = (
        [
            lib(f"{batch}.core.step.item.SimpleChunkProcessor.writeItems", 193),
            lib(f"{batch}.core.step.item.SimpleChunkProcessor.doWrite", 159),
            lib(f"{batch}.core.step.item.SimpleChunkProcessor.write", 294),
            lib(f"{batch}.core.step.item.SimpleChunkProcessor.process", 217),
        ]
        if writer
        else [
            lib(f"{batch}.core.step.item.SimpleChunkProcessor.doProcess", 134),
            lib(f"{batch}.core.step.item.SimpleChunkProcessor.transform", 319),
            lib(f"{batch}.core.step.item.SimpleChunkProcessor.process", 210),
        ]
    )
    frames += [
        lib(f"{batch}.core.step.item.ChunkOrientedTasklet.execute", 77),
        lib(f"{batch}.core.step.tasklet.TaskletStep$ChunkTransactionCallback.doInTransaction", 407),
        lib(f"{batch}.core.step.tasklet.TaskletStep$ChunkTransactionCallback.doInTransaction", 331),
        lib("org.springframework.transaction.support.TransactionTemplate.execute", 140),
        lib(f"{batch}.core.step.tasklet.TaskletStep$2.doInChunkContext", 273),
        lib(f"{batch}.core.scope.context.StepContextRepeatCallback.doInIteration", 82),
        lib(f"{batch}.repeat.support.RepeatTemplate.getNextResult", 375),
        lib(f"{batch}.repeat.support.RepeatTemplate.executeInternal", 215),
        lib(f"{batch}.repeat.support.RepeatTemplate.iterate", 145),
        lib(f"{batch}.core.step.tasklet.TaskletStep.doExecute", 258),
        lib(f"{batch}.core.step.AbstractStep.execute", 208),
        lib(f"{batch}.core.job.SimpleStepHandler.handleStep", 152),
        lib(f"{batch}.core.job.AbstractJob.handleStep", 413),
        lib(f"{batch}.core.job.SimpleJob.doExecute", 136),
        lib(f"{batch}.core.job.AbstractJob.execute", 320),
        lib(f"{batch}.core.launch.support.SimpleJobLauncher$1.run", 149),
        lib("org.springframework.core.task.SyncTaskExecutor.execute", 50),
        lib(f"{batch}.core.launch.support.SimpleJobLauncher.run", 140),
    ]
    launcher = code.cls("scheduler")
    frames.append(launcher.at(code.method("scheduler"), code.line()))
    frames += [
        *jdk.reflect_invoke(),
        lib("org.springframework.scheduling.support.ScheduledMethodRunnable.run", 84),
        lib("org.springframework.scheduling.support.DelegatingErrorHandlingRunnable.run", 54),
        *jdk.scheduled_task(),
    ]
    thread = rng.choice(("scheduling-1", "batch-settle-1", f"task-{rng.randint(1, 8)}"))
    return Entry("batch", [step.at(method, code.line())], frames, thread)


def scheduled_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    job = code.cls("scheduler")
    frames = [
        *jdk.reflect_invoke(),
        lib("org.springframework.scheduling.support.ScheduledMethodRunnable.run", 84),
        lib("org.springframework.scheduling.support.DelegatingErrorHandlingRunnable.run", 54),
    ]
    if rng.random() < 0.4:  # a trigger-based task (cron): ReschedulingRunnable on the scheduler's pool
        frames += [
            lib("org.springframework.scheduling.concurrent.ReschedulingRunnable.run", 93),
            *jdk.runnable_adapter(),
            *jdk.future_task_run(),
            jdk.f("java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.run", (293, 304, 304, 358)),
            *jdk.pool_worker(),
        ]
    else:
        frames += jdk.scheduled_task()
    return Entry(
        "scheduled", [job.at(code.method("scheduler"), code.line())], frames, f"scheduling-{rng.randint(1, 4)}"
    )


def executor_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    owner = code.cls("service") if code.is_bank else code.other_cls()
    method = f"lambda${code.method('service')}${rng.randint(0, 4)}"
    bottom = jdk.submitted_task() if rng.random() < 0.6 else jdk.pool_worker()
    thread = rng.choice(
        (
            f"pool-{rng.randint(1, 9)}-thread-{rng.randint(1, 16)}",
            f"async-exec-{rng.randint(1, 12)}",
            f"{code.project}-worker-{rng.randint(0, 7)}",
        )
    )
    return Entry("executor", [owner.at(method, code.line())], bottom, thread)


def main_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    if code.is_bank and rng.random() < 0.6:
        app = AppClass(f"{code.root}.{code.stem}Application")
        runner = code.cls("support", f"{code.stem}InitRunner")
        bottom = [
            lib("org.springframework.boot.SpringApplication.callRunner", 771),
            lib("org.springframework.boot.SpringApplication.callRunners", 755),
            lib("org.springframework.boot.SpringApplication.run", 315),
            lib("org.springframework.boot.SpringApplication.run", 1237),
            lib("org.springframework.boot.SpringApplication.run", 1226),
            app.at("main", rng.randint(10, 30)),
        ]
        return Entry("main", [runner.at("run", code.line())], bottom, "main")
    tool = code.cls("main", f"{code.stem.split('$')[0]}Tool" if not code.is_bank else None)
    return Entry("main", [tool.at("main", code.line(20, 200))], [], "main")


def netty_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    handler = code.cls("gateway")
    context = "io.netty.channel.AbstractChannelHandlerContext"
    frames = [
        lib("io.netty.channel.SimpleChannelInboundHandler.channelRead", 99),
        lib(f"{context}.invokeChannelRead", 379),
        lib(f"{context}.invokeChannelRead", 365),
        lib(f"{context}.fireChannelRead", 357),
        lib("io.netty.handler.codec.ByteToMessageDecoder.fireChannelRead", 324),
        lib("io.netty.handler.codec.ByteToMessageDecoder.channelRead", 296),
        lib(f"{context}.invokeChannelRead", 379),
        lib(f"{context}.invokeChannelRead", 365),
        lib(f"{context}.fireChannelRead", 357),
        lib("io.netty.channel.DefaultChannelPipeline$HeadContext.channelRead", 1410),
        lib(f"{context}.invokeChannelRead", 379),
        lib(f"{context}.invokeChannelRead", 365),
        lib("io.netty.channel.DefaultChannelPipeline.fireChannelRead", 919),
        lib("io.netty.channel.nio.AbstractNioByteChannel$NioByteUnsafe.read", 166),
        lib("io.netty.channel.nio.NioEventLoop.processSelectedKey", 719),
        lib("io.netty.channel.nio.NioEventLoop.processSelectedKeysOptimized", 655),
        lib("io.netty.channel.nio.NioEventLoop.processSelectedKeys", 581),
        lib("io.netty.channel.nio.NioEventLoop.run", 493),
        lib("io.netty.util.concurrent.SingleThreadEventExecutor$4.run", 989),
        lib("io.netty.util.internal.ThreadExecutorMap$2.run", 74),
        lib("io.netty.util.concurrent.FastThreadLocalRunnable.run", 30),
        *jdk.thread_run(),
    ]
    thread = f"nioEventLoopGroup-{rng.randint(2, 4)}-{rng.randint(1, 16)}"
    return Entry("netty", [handler.at("channelRead0", code.line())], frames, thread)


def build_entry(
    kind: str,
    code: Codebase,
    jdk: Jdk,
    rng: random.Random,
    under_test: AppClass | None = None,
    method_under_test: str | None = None,
    runner: str | None = None,
    harness: TestHarness | None = None,
) -> Entry:
    if kind == "test":
        return test_entry(code, jdk, rng, under_test, method_under_test, runner, harness)
    builders = {
        "web": web_entry,
        "kafka": kafka_entry,
        "batch": batch_entry,
        "scheduled": scheduled_entry,
        "executor": executor_entry,
        "main": main_entry,
        "netty": netty_entry,
    }
    if kind not in builders:
        raise ValueError(f"unknown context {kind!r}; choose from {CONTEXTS}")
    return builders[kind](code, jdk, rng)
