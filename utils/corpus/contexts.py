"""Where the failing code was called from: test runners, Spring MVC on Tomcat, Kafka listeners, Spring Batch,
schedulers, thread pools, Netty, `main`. Each gives the application's entry frame(s) and the library frames below.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from utils.corpus.codebase import AppClass, Codebase, test_method_name
from utils.corpus.jdk import Jdk, lib
from utils.corpus.launchers import PLAIN_JUNIT3, draw_launcher, launcher_frames, testng_frames
from utils.corpus.model import StackFrame
from utils.corpus.tables import tables


def chain(jdk: Jdk, name: str) -> list[StackFrame]:
    """The data files' frame chain `name` on `jdk`, as a fresh list the caller may extend."""
    return jdk.frames(tables().frames[name])


def _thread(kind: str, **numbers: int) -> str:
    """The name of the thread an entry context runs on, its drawn numbers filled."""
    return tables().maps["contexts.threads"][kind].format(**numbers)


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


def junit4_runner(jdk: Jdk, rng: random.Random, spring: bool, launcher: str | None = None) -> list[StackFrame]:
    old = jdk.version <= 8 and rng.random() < 0.5  # JUnit 4.11 + surefire 2.12, as older projects have
    junit = "junit4_11" if old else "junit4"
    frames = chain(jdk, f"contexts.{junit}.invoke")
    if rng.random() < 0.4:
        frames += chain(jdk, "contexts.junit4.run_befores")
    if rng.random() < 0.3:
        frames += chain(jdk, "contexts.junit4.run_afters")
    frames += chain(jdk, "contexts.junit4.spring" if spring else f"contexts.{junit}.children")
    frames += chain(jdk, f"contexts.{junit}.parent_run")
    if launcher is None and rng.random() < 0.15:  # run from the IDE
        launcher = "intellij"
    if launcher is None or launcher == "maven":
        return frames + launcher_frames("maven/junit4-old" if old else "maven/junit4", jdk)
    return frames + launcher_frames(f"{launcher}/junit4", jdk)


def junit3_runner(jdk: Jdk, rng: random.Random, launcher: str | None = None) -> list[StackFrame]:
    lines = tables().maps["contexts.junit3.lines"]
    frames = [*jdk.segment("reflect_invoke"), *(lib(method, rng.choice(lines[method])) for method in lines)]
    launcher = launcher or "maven"
    if launcher in PLAIN_JUNIT3:
        frames = frames[:-1]  # TestSuite.run called by the launcher, not through JUnit 4's JUnit38ClassRunner
    return frames + launcher_frames(f"{launcher}/junit3", jdk)


def junit5_runner(jdk: Jdk, rng: random.Random, launcher: str | None = None) -> list[StackFrame]:
    frames = chain(jdk, "contexts.junit5.method")
    for _ in range(rng.choice((2, 3)) - 1):  # the test class's node, and sometimes an enclosing (@Nested) class's
        frames += chain(jdk, "contexts.junit5.class")
    frames += chain(jdk, "contexts.junit5.engine")
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
    thread = _thread("gradle") if launcher == "gradle" else "main"
    return Entry("test", [frame], bottom, thread, runner, test_class, test_method, launcher=launcher or "")


def _draw_runner(jdk: Jdk, rng: random.Random, harness: TestHarness) -> str:
    """The configured runner weights (JUnit 5 from JDK 8 on), else the built-in ones per JDK."""
    weights = {name: w for name, w in harness.runners.items() if w > 0 and (name != "junit5" or jdk.version >= 8)}
    if not weights:
        era = "jdk6" if jdk.version == 6 else "jdk7" if jdk.version <= 8 else "jdk9"
        weights = tables().maps["contexts.runner_weights"][era]
    return rng.choices(list(weights), list(weights.values()))[0]


# ------------------------------------------------------------------------------------------------- applications


def spring_proxy(jdk: Jdk, rng: random.Random, target: AppClass, method: str) -> list[StackFrame]:
    """A Spring AOP (CGLIB) proxy with a transaction interceptor, between a caller and `target.method`."""
    frames = chain(jdk, "contexts.spring_proxy.reflective" if rng.random() < 0.5 else "contexts.spring_proxy.cglib")
    infix = rng.choice(tables().values["contexts.spring_proxy.cglib_infixes"])
    suffix = infix + (f"{rng.getrandbits(32):08x}" if rng.random() < 0.7 else "0")
    frames.append(StackFrame(f"{target.fqcn}{suffix}", method, generated=True))
    return frames


def web_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    jakarta = jdk.version >= 17 and rng.random() < 0.6  # Spring 6 on Tomcat 10, else Spring 5 on Tomcat 9
    era = "jakarta" if jakarta else "javax"
    controller = code.cls("controller")
    method = code.method("controller")
    http = rng.choice(tables().values["contexts.web.http_methods"])
    servlet, line = tables().maps["contexts.web.framework_servlet"][era]
    frames = [*chain(jdk, f"contexts.{era}.mvc"), lib(f"{servlet}.{http}", line)]
    frames += chain(jdk, f"contexts.{era}.servlet")
    if rng.random() < 0.5:
        frames += chain(jdk, f"contexts.{era}.security_filter")
    frames += chain(jdk, f"contexts.{era}.filters")
    thread = _thread("web", port=rng.choice(tables().values["contexts.web.ports"]), n=rng.randint(1, 200))
    return Entry("web", [controller.at(method, code.line())], frames, thread, jakarta=jakarta)


def kafka_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    listener = code.cls("listener")
    thread = _thread("kafka", n=rng.randint(0, 5))
    frame = listener.at(code.method("listener"), code.line())
    return Entry("kafka", [frame], chain(jdk, "contexts.kafka.listener"), thread)


def batch_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    step = code.cls("batch")
    writer = step.simple.endswith("Writer")
    frames = chain(jdk, "contexts.batch.write" if writer else "contexts.batch.process")
    launcher = code.cls("scheduler")
    frames.append(launcher.at(code.method("scheduler"), code.line()))
    frames += chain(jdk, "contexts.scheduled.task")
    n = rng.randint(1, 8)  # drawn before the name, which may not use it
    thread = rng.choice(tables().values["contexts.batch.threads"]).format(n=n)
    return Entry("batch", [step.at("write" if writer else "process", code.line())], frames, thread)


def scheduled_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    job = code.cls("scheduler")
    frames = chain(jdk, "contexts.scheduled.cron" if rng.random() < 0.4 else "contexts.scheduled.task")
    job_frame = job.at(code.method("scheduler"), code.line())
    return Entry("scheduled", [job_frame], frames, _thread("scheduled", n=rng.randint(1, 4)))


def executor_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    owner = code.cls("service") if code.is_bank else code.other_cls()
    method = f"lambda${code.method('service')}${rng.randint(0, 4)}"
    bottom = jdk.segment("submitted_task") if rng.random() < 0.6 else jdk.segment("pool_worker")
    numbers = (rng.randint(1, 9), rng.randint(1, 16), rng.randint(1, 12), rng.randint(0, 7))  # each name's, all drawn
    thread = rng.choice(tables().values["contexts.executor.threads"]).format(*numbers, project=code.project)
    return Entry("executor", [owner.at(method, code.line())], bottom, thread)


def main_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    if code.is_bank and rng.random() < 0.6:
        app = AppClass(f"{code.root}.{code.stem}Application")
        runner = code.cls("support", f"{code.stem}InitRunner")
        bottom = [*chain(jdk, "contexts.main.spring_boot"), app.at("main", rng.randint(10, 30))]
        return Entry("main", [runner.at("run", code.line())], bottom, "main")
    tool = code.cls("main", f"{code.stem.split('$')[0]}Tool" if not code.is_bank else None)
    return Entry("main", [tool.at("main", code.line(20, 200))], [], "main")


def netty_entry(code: Codebase, jdk: Jdk, rng: random.Random) -> Entry:
    handler = code.cls("gateway")
    frames = chain(jdk, "contexts.netty.pipeline")
    thread = _thread("netty", group=rng.randint(2, 4), n=rng.randint(1, 16))
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
    if kind not in _ENTRIES:
        raise ValueError(f"unknown context {kind!r}; choose from {CONTEXTS}")
    return _ENTRIES[kind](code, jdk, rng)


# The entry contexts other than tests (whose entry depends on the code under test and the runner).
_ENTRIES = {
    "web": web_entry,
    "kafka": kafka_entry,
    "batch": batch_entry,
    "scheduled": scheduled_entry,
    "executor": executor_entry,
    "main": main_entry,
    "netty": netty_entry,
}
CONTEXTS = ("test", *_ENTRIES)
