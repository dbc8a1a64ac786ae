"""What runs a test suite below the test framework: Maven Surefire (current and pre-2.12 `SurefireBooter`), Gradle's
test worker, Ant's `<junit>` task (JUnitTestRunner) or `<junitlauncher>`, IntelliJ IDEA and Eclipse, for JUnit 3, 4,
5 and TestNG; and TestNG's own runner frames.

`LAUNCHER_STACKS["gradle/junit4"]` holds the frames below the framework's outermost frame (JUnit 4's
`ParentRunner.run`, JUnit 3's `TestSuite.run` / `JUnit38ClassRunner.run`, the JUnit Platform's `Launcher.execute`,
TestNG's `TestNG.run`), deepest first, as utils/corpus/launchers.yaml writes them (its head says how an item reads).
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from utils.corpus.jdk import Jdk
from utils.corpus.model import StackFrame
from utils.corpus.tables import FrameSpec, parse_frame

STACKS_FILE = Path(__file__).with_name("launchers.yaml")
_TABLES = yaml.safe_load(STACKS_FILE.read_text(encoding="utf-8"))

TEST_RUNNERS: tuple[str, ...] = tuple(_TABLES["runners"])
TEST_LAUNCHERS: tuple[str, ...] = tuple(_TABLES["launchers"])
PLAIN_JUNIT3: tuple[str, ...] = tuple(_TABLES["plain_junit3"])
_MAX_JDK: dict[str, int] = _TABLES["max_jdk"]


def _spec(items: list[str]) -> list[FrameSpec]:
    """A chain as written in launchers.yaml, `@part` spliced in."""
    spec: list[FrameSpec] = []
    for item in items:
        spec += _spec(_TABLES["parts"][item[1:]]) if item.startswith("@") else [parse_frame(item, STACKS_FILE)]
    return spec


# "launcher/runner" -> the frames below the framework (a pair not listed does not exist); TestNG's own runner frames.
LAUNCHER_STACKS = {key: _spec(items) for key, items in _TABLES["stacks"].items()}
_TESTNG = {version: _spec(items) for version, items in _TABLES["testng"].items()}


def launcher_frames(key: str, jdk: Jdk) -> list[StackFrame]:
    """The frames of LAUNCHER_STACKS[key] on `jdk`."""
    return jdk.frames(LAUNCHER_STACKS[key])


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
    return jdk.frames(_TESTNG["6" if jdk.version <= 8 else "7"])
