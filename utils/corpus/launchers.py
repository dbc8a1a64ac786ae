"""What runs a test suite below the test framework: Maven Surefire (current and pre-2.12 `SurefireBooter`), Gradle's
test worker, Ant's `<junit>` task (JUnitTestRunner) or `<junitlauncher>`, IntelliJ IDEA and Eclipse, for JUnit 3, 4,
5 and TestNG; and TestNG's own runner frames.

`LAUNCHER_STACKS["gradle/junit4"]` holds the frames below the framework's outermost frame (JUnit 4's
`ParentRunner.run`, JUnit 3's `TestSuite.run` / `JUnit38ClassRunner.run`, the JUnit Platform's `Launcher.execute`,
TestNG's `TestNG.run`), deepest first. Markers expand to JDK segments: REFLECT (a reflective call), POOL_WORKER
(ThreadPoolExecutor's worker), THREAD (Thread.run), PROXY_PREFIX + method (a JDK dynamic proxy).
"""

from __future__ import annotations

import random

from utils.corpus.jdk import Jdk
from utils.corpus.model import StackFrame

TEST_RUNNERS = ("junit3", "junit4", "junit5", "testng")
TEST_LAUNCHERS = ("maven", "maven_legacy", "gradle", "ant", "intellij", "eclipse")

REFLECT = "<reflect>"
POOL_WORKER = "<pool worker>"
THREAD = "<thread>"
PROXY_PREFIX = "<proxy>"

Spec = tuple[tuple[str, int] | str, ...]

_SUREFIRE = "org.apache.maven.surefire"
_GRADLE = "org.gradle.api.internal.tasks.testing"
_ANT = "org.apache.tools.ant.taskdefs.optional"
_ECLIPSE = "org.eclipse.jdt.internal.junit"

# Surefire 2.4-2.11 (SurefireBooter), the shape of many older open-source builds.
_SUREFIRE_LEGACY_TAIL: Spec = (
    (f"{_SUREFIRE}.suite.AbstractDirectoryTestSuite.executeTestSet", 140),
    (f"{_SUREFIRE}.suite.AbstractDirectoryTestSuite.execute", 127),
    (f"{_SUREFIRE}.Surefire.run", 177),
    REFLECT,
    (f"{_SUREFIRE}.booter.SurefireBooter.runSuitesInProcess", 345),
    (f"{_SUREFIRE}.booter.SurefireBooter.main", 1009),
)
# Surefire 2.12-2.18 running JUnit 3/4 tests through the JUnit 4 provider.
_SUREFIRE_OLD_JUNIT4: Spec = (
    (f"{_SUREFIRE}.junit4.JUnit4Provider.execute", 252),
    (f"{_SUREFIRE}.junit4.JUnit4Provider.executeTestSet", 141),
    (f"{_SUREFIRE}.junit4.JUnit4Provider.invoke", 112),
    REFLECT,
    (f"{_SUREFIRE}.util.ReflectionUtils.invokeMethodWithArray", 189),
    (f"{_SUREFIRE}.booter.ProviderFactory$ProviderProxy.invoke", 165),
    (f"{_SUREFIRE}.booter.ProviderFactory.invokeProvider", 85),
    (f"{_SUREFIRE}.booter.ForkedBooter.runSuitesInProcess", 115),
    (f"{_SUREFIRE}.booter.ForkedBooter.main", 75),
)
# Gradle's worker process: a test class dispatched to the "Test worker" thread through the message hub.
_GRADLE_PROCESS_TEST_CLASS: Spec = (
    (f"{_GRADLE}.SuiteTestClassProcessor.processTestClass", 51),
    REFLECT,
    ("org.gradle.internal.dispatch.ReflectionDispatch.dispatch", 36),
    ("org.gradle.internal.dispatch.ReflectionDispatch.dispatch", 24),
    ("org.gradle.internal.dispatch.ContextClassLoaderDispatch.dispatch", 33),
    ("org.gradle.internal.dispatch.ProxyDispatchAdapter$DispatchingInvocationHandler.invoke", 94),
    f"{PROXY_PREFIX}processTestClass",
    (f"{_GRADLE}.worker.TestWorker.processTestClass", 118),
    REFLECT,
    ("org.gradle.internal.dispatch.ReflectionDispatch.dispatch", 36),
    ("org.gradle.internal.dispatch.ReflectionDispatch.dispatch", 24),
    ("org.gradle.internal.remote.internal.hub.MessageHubBackedObjectConnection$DispatchWrapper.dispatch", 175),
    ("org.gradle.internal.remote.internal.hub.MessageHubBackedObjectConnection$DispatchWrapper.dispatch", 157),
    ("org.gradle.internal.remote.internal.hub.MessageHub$Handler.run", 404),
    ("org.gradle.internal.concurrent.ExecutorPolicy$CatchAndRecordFailures.onExecute", 63),
    ("org.gradle.internal.concurrent.ManagedExecutorImpl$1.run", 46),
    POOL_WORKER,
    ("org.gradle.internal.concurrent.ThreadFactoryImpl$ManagedThreadRunnable.run", 55),
    THREAD,
)
# Gradle running the collected classes when the processor stops (JUnit Platform, TestNG).
_GRADLE_STOP: Spec = (
    (f"{_GRADLE}.SuiteTestClassProcessor.stop", 61),
    REFLECT,
    ("org.gradle.internal.dispatch.ReflectionDispatch.dispatch", 36),
    ("org.gradle.internal.dispatch.ReflectionDispatch.dispatch", 24),
    ("org.gradle.internal.dispatch.ContextClassLoaderDispatch.dispatch", 33),
    ("org.gradle.internal.dispatch.ProxyDispatchAdapter$DispatchingInvocationHandler.invoke", 94),
    f"{PROXY_PREFIX}stop",
    (f"{_GRADLE}.worker.TestWorker$3.run", 193),
    (f"{_GRADLE}.worker.TestWorker.executeAndMaintainThreadName", 129),
    (f"{_GRADLE}.worker.TestWorker.execute", 100),
    (f"{_GRADLE}.worker.TestWorker.execute", 60),
    ("org.gradle.process.internal.worker.child.ActionExecutionWorker.execute", 56),
    ("org.gradle.process.internal.worker.child.SystemApplicationClassLoaderWorker.call", 133),
    ("org.gradle.process.internal.worker.child.SystemApplicationClassLoaderWorker.call", 71),
    ("worker.org.gradle.process.internal.worker.GradleWorkerMain.run", 69),
    ("worker.org.gradle.process.internal.worker.GradleWorkerMain.main", 74),
)
_ANT_JUNIT_RUNNER: Spec = (
    (f"{_ANT}.junit.JUnitTestRunner.run", 535),
    (f"{_ANT}.junit.JUnitTestRunner.launch", 1182),
    (f"{_ANT}.junit.JUnitTestRunner.main", 1033),
)
_INTELLIJ_STARTER: Spec = (
    ("com.intellij.rt.junit.IdeaTestRunner$Repeater.startRunnerWithArgs", 33),
    ("com.intellij.rt.junit.JUnitStarter.prepareStreamsAndStart", 235),
    ("com.intellij.rt.junit.JUnitStarter.main", 54),
)
_ECLIPSE_REMOTE: Spec = (
    (f"{_ECLIPSE}.runner.TestExecution.run", 41),
    (f"{_ECLIPSE}.runner.RemoteTestRunner.runTests", 541),
    (f"{_ECLIPSE}.runner.RemoteTestRunner.runTests", 763),
    (f"{_ECLIPSE}.runner.RemoteTestRunner.run", 463),
    (f"{_ECLIPSE}.runner.RemoteTestRunner.main", 209),
)

# "launcher/runner" -> the frames below the framework. A pair not listed does not exist (no Ant for ... is missing
# only where no such setup is common); `junit3` pairs with a launcher of its own where JUnit 3 runs without JUnit 4's
# JUnit38ClassRunner (see PLAIN_JUNIT3).
LAUNCHER_STACKS: dict[str, Spec] = {
    "maven/junit4": (
        (f"{_SUREFIRE}.junit4.JUnit4Provider.execute", 365),
        (f"{_SUREFIRE}.junit4.JUnit4Provider.executeWithRerun", 273),
        (f"{_SUREFIRE}.junit4.JUnit4Provider.executeTestSet", 238),
        (f"{_SUREFIRE}.junit4.JUnit4Provider.invoke", 159),
        (f"{_SUREFIRE}.booter.ForkedBooter.runSuitesInProcess", 377),
        (f"{_SUREFIRE}.booter.ForkedBooter.execute", 138),
        (f"{_SUREFIRE}.booter.ForkedBooter.run", 465),
        (f"{_SUREFIRE}.booter.ForkedBooter.main", 451),
    ),
    "maven/junit4-old": _SUREFIRE_OLD_JUNIT4,
    "maven/junit3": _SUREFIRE_OLD_JUNIT4,
    "maven/junit5": (
        (f"{_SUREFIRE}.junitplatform.JUnitPlatformProvider.execute", 188),
        (f"{_SUREFIRE}.junitplatform.JUnitPlatformProvider.invokeAllTests", 154),
        (f"{_SUREFIRE}.junitplatform.JUnitPlatformProvider.invoke", 128),
        (f"{_SUREFIRE}.booter.ForkedBooter.runSuitesInProcess", 428),
        (f"{_SUREFIRE}.booter.ForkedBooter.execute", 162),
        (f"{_SUREFIRE}.booter.ForkedBooter.run", 562),
        (f"{_SUREFIRE}.booter.ForkedBooter.main", 548),
    ),
    "maven/testng": (
        (f"{_SUREFIRE}.testng.TestNGExecutor.run", 135),
        (f"{_SUREFIRE}.testng.TestNGDirectoryTestSuite.executeSingleClass", 112),
        (f"{_SUREFIRE}.testng.TestNGDirectoryTestSuite.execute", 99),
        (f"{_SUREFIRE}.testng.TestNGProvider.invoke", 146),
        (f"{_SUREFIRE}.booter.ForkedBooter.invokeProviderInSameClassLoader", 373),
        (f"{_SUREFIRE}.booter.ForkedBooter.runSuitesInProcess", 334),
        (f"{_SUREFIRE}.booter.ForkedBooter.execute", 119),
        (f"{_SUREFIRE}.booter.ForkedBooter.main", 407),
    ),
    "maven_legacy/junit4": ((f"{_SUREFIRE}.junit4.JUnit4TestSet.execute", 62), *_SUREFIRE_LEGACY_TAIL),
    "maven_legacy/junit3": ((f"{_SUREFIRE}.junit.JUnitTestSet.execute", 213), *_SUREFIRE_LEGACY_TAIL),
    "gradle/junit4": (
        (f"{_GRADLE}.junit.JUnitTestClassExecutor.runTestClass", 110),
        (f"{_GRADLE}.junit.JUnitTestClassExecutor.execute", 58),
        (f"{_GRADLE}.junit.JUnitTestClassExecutor.execute", 38),
        (f"{_GRADLE}.junit.AbstractJUnitTestClassProcessor.processTestClass", 62),
        *_GRADLE_PROCESS_TEST_CLASS,
    ),
    "gradle/junit3": (
        (f"{_GRADLE}.junit.JUnitTestClassExecutor.runTestClass", 110),
        (f"{_GRADLE}.junit.JUnitTestClassExecutor.execute", 58),
        (f"{_GRADLE}.junit.JUnitTestClassExecutor.execute", 38),
        (f"{_GRADLE}.junit.AbstractJUnitTestClassProcessor.processTestClass", 62),
        *_GRADLE_PROCESS_TEST_CLASS,
    ),
    # The shorter stack corpus.yaml has always drawn for Gradle + JUnit 5 (kept so that its rows stay as they are).
    "gradle/junit5-short": (
        (
            f"{_GRADLE}.junitplatform.JUnitPlatformTestClassProcessor$CollectAllTestClassesExecutor"
            ".processAllTestClasses",
            119,
        ),
        (f"{_GRADLE}.junitplatform.JUnitPlatformTestClassProcessor.stop", 94),
        (f"{_GRADLE}.SuiteTestClassProcessor.stop", 63),
        REFLECT,
        ("org.gradle.internal.dispatch.ReflectionDispatch.dispatch", 36),
        ("worker.org.gradle.process.internal.worker.GradleWorkerMain.main", 74),
    ),
    "gradle/junit5": (
        (
            f"{_GRADLE}.junitplatform.JUnitPlatformTestClassProcessor$CollectAllTestClassesExecutor"
            ".processAllTestClasses",
            99,
        ),
        (f"{_GRADLE}.junitplatform.JUnitPlatformTestClassProcessor$CollectAllTestClassesExecutor.access$000", 79),
        (f"{_GRADLE}.junitplatform.JUnitPlatformTestClassProcessor.stop", 75),
        *_GRADLE_STOP,
    ),
    "gradle/testng": (
        (f"{_GRADLE}.testng.TestNGTestClassProcessor.runTests", 141),
        (f"{_GRADLE}.testng.TestNGTestClassProcessor.stop", 90),
        *_GRADLE_STOP,
    ),
    "ant/junit4": (("junit.framework.JUnit4TestAdapter.run", 38), *_ANT_JUNIT_RUNNER),
    "ant/junit3": _ANT_JUNIT_RUNNER,
    "ant/junit5": (
        (f"{_ANT}.junitlauncher.LauncherSupport.execute", 145),
        (f"{_ANT}.junitlauncher.StandaloneLauncher.launch", 129),
        (f"{_ANT}.junitlauncher.StandaloneLauncher.main", 56),
    ),
    "ant/testng": (("org.testng.TestNG.privateMain", 1354), ("org.testng.TestNG.main", 1323)),  # <testng> forks it
    "intellij/junit4": (
        ("org.junit.runner.JUnitCore.run", 137),
        ("com.intellij.junit4.JUnit4IdeaTestRunner.startRunnerWithArgs", 69),
        *_INTELLIJ_STARTER,
    ),
    "intellij/junit3": (
        ("org.junit.runner.JUnitCore.run", 137),
        ("com.intellij.junit4.JUnit4IdeaTestRunner.startRunnerWithArgs", 69),
        *_INTELLIJ_STARTER,
    ),
    "intellij/junit5": (
        ("com.intellij.junit5.JUnit5IdeaTestRunner.startRunnerWithArgs", 57),
        ("com.intellij.rt.junit.IdeaTestRunner$Repeater$1.execute", 38),
        ("com.intellij.rt.execution.junit.TestsRepeater.repeat", 11),
        ("com.intellij.rt.junit.IdeaTestRunner$Repeater.startRunnerWithArgs", 35),
        ("com.intellij.rt.junit.JUnitStarter.prepareStreamsAndStart", 232),
        ("com.intellij.rt.junit.JUnitStarter.main", 55),
    ),
    "intellij/testng": (
        ("com.intellij.rt.testng.IDEARemoteTestNG.run", 65),
        ("com.intellij.rt.testng.RemoteTestNGStarter.main", 105),
    ),
    "eclipse/junit4": ((f"{_ECLIPSE}4.runner.JUnit4TestReference.run", 89), *_ECLIPSE_REMOTE),
    "eclipse/junit3": ((f"{_ECLIPSE}.runner.junit3.JUnit3TestReference.run", 130), *_ECLIPSE_REMOTE),
    "eclipse/junit5": ((f"{_ECLIPSE}5.runner.JUnit5TestReference.run", 98), *_ECLIPSE_REMOTE),
    "eclipse/testng": (
        ("org.testng.remote.AbstractRemoteTestNG.run", 115),
        ("org.testng.remote.RemoteTestNG.initAndRun", 251),
        ("org.testng.remote.RemoteTestNG.main", 77),
    ),
}
# Launchers that call JUnit 3's TestSuite directly (no JUnit38ClassRunner between).
PLAIN_JUNIT3 = ("maven_legacy", "ant", "eclipse")
# Launchers of another era: Surefire's SurefireBooter ran on JDK 8 at the latest.
_MAX_JDK = {"maven_legacy": 8}


def launcher_frames(key: str, jdk: Jdk) -> list[StackFrame]:
    """The frames of LAUNCHER_STACKS[key] on `jdk`."""
    return _expand(LAUNCHER_STACKS[key], jdk)


def _expand(spec: Spec, jdk: Jdk) -> list[StackFrame]:
    frames: list[StackFrame] = []
    for item in spec:
        if item == REFLECT:
            frames += jdk.reflect_invoke()
        elif item == POOL_WORKER:
            frames += jdk.pool_worker()[:2]
        elif item == THREAD:
            frames += jdk.thread_run()
        elif isinstance(item, str):
            frames.append(_proxy_frame(item[len(PROXY_PREFIX) :], jdk))
        else:
            cls, method = item[0].rsplit(".", 1)
            frames.append(StackFrame(cls, method, cls.rsplit(".", 1)[-1].split("$", 1)[0] + ".java", item[1]))
    return frames


def _proxy_frame(method: str, jdk: Jdk) -> StackFrame:
    if jdk.at_least(17):
        return StackFrame("jdk.proxy1.$Proxy2", method, module="jdk.proxy1")
    return StackFrame("com.sun.proxy.$Proxy2", method)


def draw_launcher(weights: dict[str, float], runner: str, jdk: Jdk, rng: random.Random) -> str | None:
    """A launcher for `runner` from the configured weights (those that exist for it on this JDK); None if none."""
    usable = {
        name: weight
        for name, weight in weights.items()
        if weight > 0 and f"{name}/{runner}" in LAUNCHER_STACKS and jdk.version <= _MAX_JDK.get(name, 99)
    }
    if not usable:
        return None
    return rng.choices(list(usable), list(usable.values()))[0]


def testng_frames(jdk: Jdk) -> list[StackFrame]:
    """TestNG calling a test method, down to `TestNG.run`: 6.x on JDK 6-8, 7.x (invokers package) later."""
    if jdk.version <= 8:
        internal = "org.testng.internal"
        spec: Spec = (
            REFLECT,
            (f"{internal}.MethodInvocationHelper.invokeMethod", 124),
            (f"{internal}.Invoker.invokeMethod", 583),
            (f"{internal}.Invoker.invokeTestMethod", 719),
            (f"{internal}.Invoker.invokeTestMethods", 989),
            (f"{internal}.TestMethodWorker.invokeTestMethods", 125),
            (f"{internal}.TestMethodWorker.run", 109),
            ("org.testng.TestRunner.privateRun", 648),
            ("org.testng.TestRunner.run", 505),
            ("org.testng.SuiteRunner.runTest", 455),
            ("org.testng.SuiteRunner.runSequentially", 450),
            ("org.testng.SuiteRunner.privateRun", 415),
            ("org.testng.SuiteRunner.run", 364),
            ("org.testng.SuiteRunnerWorker.runSuite", 52),
            ("org.testng.SuiteRunnerWorker.run", 86),
            ("org.testng.TestNG.runSuitesSequentially", 1208),
            ("org.testng.TestNG.runSuitesLocally", 1137),
            ("org.testng.TestNG.runSuites", 1049),
            ("org.testng.TestNG.run", 1017),
        )
        return _expand(spec, jdk)
    invokers = "org.testng.internal.invokers"
    head: Spec = (
        REFLECT,
        (f"{invokers}.MethodInvocationHelper.invokeMethod", 139),
        (f"{invokers}.TestInvoker.invokeMethod", 677),
        (f"{invokers}.TestInvoker.invokeTestMethod", 221),
        (f"{invokers}.MethodRunner.runInSequence", 50),
        (f"{invokers}.TestInvoker$MethodInvocationAgent.invoke", 969),
        (f"{invokers}.TestInvoker.invokeTestMethods", 194),
        (f"{invokers}.TestMethodWorker.invokeTestMethods", 148),
        (f"{invokers}.TestMethodWorker.run", 128),
    )
    tail: Spec = (
        ("org.testng.TestRunner.privateRun", 829),
        ("org.testng.TestRunner.run", 602),
        ("org.testng.SuiteRunner.runTest", 437),
        ("org.testng.SuiteRunner.runSequentially", 431),
        ("org.testng.SuiteRunner.privateRun", 391),
        ("org.testng.SuiteRunner.run", 330),
        ("org.testng.SuiteRunnerWorker.runSuite", 52),
        ("org.testng.SuiteRunnerWorker.run", 95),
        ("org.testng.TestNG.runSuitesSequentially", 1256),
        ("org.testng.TestNG.runSuitesLocally", 1176),
        ("org.testng.TestNG.runSuites", 1099),
        ("org.testng.TestNG.run", 1067),
    )
    for_each = jdk.f("java.util.ArrayList.forEach", (1259, 1541, 1511, 1596))
    return [*_expand(head, jdk), for_each, *_expand(tail, jdk)]
