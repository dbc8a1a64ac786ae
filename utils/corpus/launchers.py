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
from pathlib import Path

import yaml

from utils.corpus.jdk import Jdk
from utils.corpus.model import StackFrame

TEST_RUNNERS = ("junit3", "junit4", "junit5", "testng")
TEST_LAUNCHERS = ("maven", "maven_legacy", "gradle", "ant", "intellij", "eclipse")

REFLECT = "<reflect>"
POOL_WORKER = "<pool worker>"
THREAD = "<thread>"
PROXY_PREFIX = "<proxy>"

Spec = tuple[tuple[str, int] | str, ...]

# The chains are data: utils/corpus/launchers.yaml (its head says how an item reads).
STACKS_FILE = Path(__file__).with_name("launchers.yaml")


def _spec(items: list[str], parts: dict[str, list[str]]) -> Spec:
    """A chain as written in launchers.yaml: markers kept, `@part` spliced in, `method:line` as (method, line)."""
    spec: list[tuple[str, int] | str] = []
    for item in items:
        if item.startswith("@"):
            spec += _spec(parts[item[1:]], parts)
        elif item.startswith("<"):
            spec.append(item)
        else:
            method, line = item.rsplit(":", 1)
            spec.append((method, int(line)))
    return tuple(spec)


def _load_stacks() -> tuple[dict[str, Spec], dict[str, Spec]]:
    data = yaml.safe_load(STACKS_FILE.read_text(encoding="utf-8"))
    parts = data["parts"]
    return ({key: _spec(items, parts) for key, items in data["stacks"].items()},
            {key: _spec(items, parts) for key, items in data["testng"].items()})


# "launcher/runner" -> the frames below the framework (a pair not listed does not exist); TestNG's own runner frames.
LAUNCHER_STACKS, _TESTNG = _load_stacks()

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
        return _expand(_TESTNG["6"], jdk)
    for_each = jdk.f("java.util.ArrayList.forEach", (1259, 1541, 1511, 1596))
    return [*_expand(_TESTNG["7_head"], jdk), for_each, *_expand(_TESTNG["7_tail"], jdk)]
