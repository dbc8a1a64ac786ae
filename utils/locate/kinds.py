"""Frame kinds ("plumbing", "jdk", "library", "test", "app") and the application's scope read from a trace."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from utils.locate.names import outer_class, outer_simple_class
from utils.parsing.stacktrace import JDK_PREFIXES, MASK_TOKEN, Frame, Trace, load_library_rules

# Frames nobody fixes: how the call got there, not what it did. Library membership and generated-class markers come
# from the parser's list (configs/library_packages.yaml); test runners, launchers, reflection and bootstrap come from
# configs/test_runners.yaml and are never offered as a candidate (a plain library frame is a last-resort candidate).
TEST_RUNNERS_PATH = Path(__file__).resolve().parents[2] / "configs" / "test_runners.yaml"
_SYNTHETIC_ACCESSOR = re.compile(r"^access\$\d+$")


@dataclass(frozen=True)
class RunnerRules:
    """Prefixes of test runners (they call test methods), of launchers (build tools, IDEs: they start the runners)
    and of other plumbing (reflection, proxies, bootstrap). None of them is ever a candidate."""

    runners: tuple[str, ...]
    launchers: tuple[str, ...]
    plumbing: tuple[str, ...]

    @property
    def never_candidates(self) -> tuple[str, ...]:
        return self.runners + self.launchers + self.plumbing


@lru_cache(maxsize=4)
def load_runner_rules(path: str | Path = TEST_RUNNERS_PATH) -> RunnerRules:
    """The runner and launcher families (flattened) and plumbing prefixes of `path`, read once per path."""
    import yaml  # read when first needed, like the parser's library list

    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle) or {}

    def flattened(key: str) -> tuple[str, ...]:
        families = config.get(key) or {}
        return tuple(str(prefix) for prefixes in families.values() for prefix in prefixes or ())

    plumbing = tuple(str(prefix) for prefix in config.get("plumbing") or ())
    return RunnerRules(flattened("runners"), flattened("launchers"), plumbing)


# JDK frames are library frames too; they are told apart only to be the very last resort as candidates.
_TEST_CLASS = re.compile(r"(?:^Test[A-Z0-9_]|Tests?$|TestCase$|TestBase$|TestSupport$|TestUtils?$|IT$)")
_TEST_PACKAGE_PARTS = {"test", "tests", "testing", "testutil", "testutils"}
_ANCHOR_SKIP_METHODS = {"run", "runBare", "runTest", "evaluate", "invoke", "call", "main"}


def is_test_frame(frame: Frame) -> bool:
    """A frame of test code: a test-named class (`FooTest`, `TestFoo`, `FooIT`, `...TestSupport`) or a test package."""
    return _is_test_class(frame.class_name)


@lru_cache(maxsize=65536)
def _is_test_class(class_name: str) -> bool:
    if _TEST_CLASS.search(outer_simple_class(class_name)):
        return True
    return any(part in _TEST_PACKAGE_PARTS for part in class_name.split(".")[:-1])


def is_plumbing_frame(frame: Frame) -> bool:
    """Reflection, test runners, proxies, generated classes, synthetic accessors: never where a fix goes."""
    return _is_plumbing(frame.class_name, frame.method)


@lru_cache(maxsize=65536)
def _is_plumbing(class_name: str, method: str) -> bool:
    generated = load_library_rules().generated_markers
    never = load_runner_rules().never_candidates
    if class_name.startswith(never) or any(marker in class_name for marker in generated):
        return True
    # a masked frame (`at [EXC](File.java:12)`) names no method to look at
    return bool(_SYNTHETIC_ACCESSOR.match(method)) or method.startswith("$") or method == MASK_TOKEN


def frame_kind(frame: Frame) -> str:
    """ "plumbing" | "jdk" | "library" | "test" | "app"."""
    return _kind(frame.class_name, frame.method, frame.is_library)


@lru_cache(maxsize=65536)
def _kind(class_name: str, method: str, is_library: bool) -> str:
    if _is_plumbing(class_name, method):
        return "plumbing"
    if class_name.startswith(JDK_PREFIXES):
        return "jdk"
    if is_library:
        return "library"
    if _is_test_class(class_name):
        return "test"
    return "app"


def is_runner_class(class_name: str) -> bool:
    """A test framework that calls test methods (JUnit, TestNG, Spock; configs/test_runners.yaml `runners`)."""
    return class_name.startswith(load_runner_rules().runners)


@lru_cache(maxsize=65536)
def _framework_prefix(class_name: str) -> str:
    """The longest framework-list prefix that covers the class ("com.fasterxml.jackson."), or ""."""
    return max((p for p in load_library_rules().prefixes if class_name.startswith(p)), key=len, default="")


def _package_prefixes(packages: Iterable[str]) -> tuple[str, ...]:
    """User-given packages ("com.acme", "com.acme.") as prefixes that do not match "com.acmeX"."""
    cleaned = (package.strip().rstrip(".") for package in packages)
    return tuple(f"{package}." for package in cleaned if package)


@dataclass(frozen=True)
class AppScope:
    """Which code is the log's own application, read from the trace (or given with `--app_packages`).

    `own` are the application's package prefixes (the `in_namespace` feature; empty: every application frame is
    its own). `promoted` are prefixes of the framework list that are the application here: the trace is a
    framework's own test suite (its test class is in `org.mockito.`) or the user said so. `explicit` (given
    packages) also turns frames outside `own` into library code. `test_classes` are the classes a test runner
    invoked: test code whatever they are called (TestNG `CheckoutSpec`, `*ITCase`, `*Should`).
    """

    own: tuple[str, ...] = ()
    promoted: tuple[str, ...] = ()
    explicit: bool = False
    test_classes: frozenset[str] = frozenset()

    def owns(self, class_name: str) -> bool:
        return not self.own or class_name.startswith(self.own)

    def kind(self, frame: Frame) -> str:
        """`frame_kind`, relative to this application: runners, reflection and the JDK never change."""
        kind = frame_kind(frame)
        if kind in ("plumbing", "jdk"):
            return kind
        if outer_class(frame.class_name) in self.test_classes:
            return "test"
        if kind == "library" and self.promoted and frame.class_name.startswith(self.promoted):
            return "test" if _is_test_class(frame.class_name) else "app"
        if kind == "app" and self.explicit and not self.owns(frame.class_name):
            return "library"
        return kind


def _runner_invoked_classes(trace: Trace) -> frozenset[str]:
    """Classes of the frames a test runner called, directly or through reflection: the test classes. Only when the
    caller is a runner: Spring MVC's reflective call of a controller does not make the controller a test."""
    found: set[str] = set()
    for exc in trace.chain:
        below_is_runner = False
        for frame in reversed(exc.frames):
            if is_runner_class(frame.class_name):
                below_is_runner = True
                continue
            kind = frame_kind(frame)
            if kind in ("plumbing", "jdk"):  # Method.invoke, proxies, FutureTask under a timeout rule
                continue
            # A framework's own test (`com.fasterxml.jackson.databind.TestFoo`) counts; Spring's test support
            # classes (`SpringJUnit4ClassRunner`, not test-named) do not.
            test_named = bool(_TEST_CLASS.search(outer_simple_class(frame.class_name)))
            if below_is_runner and (kind != "library" or test_named):
                found.add(outer_class(frame.class_name))
            below_is_runner = False
    return frozenset(found)


def _test_anchor(trace: Trace, test_classes: frozenset[str] = frozenset()) -> Frame | None:
    """The test method the runner called: the bottom-most test frame, preferring real test methods over helpers.

    A test of the application's code wins over a test-named class of the framework list; the latter anchors a
    framework's own test suite (jackson-databind's `TestCreatorsDelegating`)."""
    app_tests: list[Frame] = []
    framework_tests: list[Frame] = []
    for frame in (frame for exc in trace.chain for frame in exc.frames):
        kind = frame_kind(frame)
        invoked = outer_class(frame.class_name) in test_classes
        if kind == "test" or (kind == "app" and invoked):
            app_tests.append(frame)
        elif kind == "library" and (invoked or _TEST_CLASS.search(outer_simple_class(frame.class_name))):
            framework_tests.append(frame)
    test_frames = app_tests or framework_tests
    preferred = [
        frame
        for frame in test_frames
        if frame.method not in _ANCHOR_SKIP_METHODS
        and not outer_simple_class(frame.class_name).startswith("Abstract")
        and (
            _TEST_CLASS.search(outer_simple_class(frame.class_name)) or outer_class(frame.class_name) in test_classes
        )
    ]
    return (preferred or test_frames)[-1] if test_frames else None


def _package_root(package: str) -> str:
    """The application's root below a test's package: at most three parts, cut before a test part
    ("com.acme.tests.billing" -> "com.acme."), so the tests' own package does not hide the code they test."""
    parts = package.split(".") if package else []
    cut = next((i for i, part in enumerate(parts) if i >= 2 and part in _TEST_PACKAGE_PARTS), len(parts))
    kept = parts[: min(3, cut)]
    return ".".join(kept) + "." if kept else ""


def _entry_family(trace: Trace) -> str:
    """Without a test: the family (two package parts) of the program's own entry point, the bottom-most frame of the
    outermost exception that is neither JDK nor plumbing, when it is application code (`com.acme.Main.main`);
    else the commonest family of the application frames, so one app's modules stay together."""
    outer = trace.chain[0].frames if trace.chain else []
    entry = next((f for f in reversed(outer) if frame_kind(f) not in ("jdk", "plumbing")), None)
    if entry is not None and frame_kind(entry) == "app" and entry.package:
        return ".".join(entry.package.split(".")[:2]) + "."
    counts: Counter[str] = Counter(
        ".".join(frame.package.split(".")[:2]) + "."
        for frame in trace.frames
        if frame_kind(frame) == "app" and frame.package
    )
    return counts.most_common(1)[0][0] if counts else ""


def infer_scope(trace: Trace, app_packages: Iterable[str] = ()) -> tuple[AppScope, Frame | None]:
    """The application's scope and the test anchor (None without a test). `app_packages` overrides the inference:
    those packages are the application, framework-list ones included, and nothing else is."""
    test_classes = _runner_invoked_classes(trace)
    anchor = _test_anchor(trace, test_classes)
    given = _package_prefixes(app_packages)
    if given:
        return AppScope(given, given, True, test_classes), anchor
    if anchor is None:
        family = _entry_family(trace)
        return AppScope((family,) if family else (), (), False, test_classes), None
    framework = _framework_prefix(anchor.class_name)
    if framework:  # the trace is about the framework's own code: its test suite is running
        return AppScope((framework,), (framework,), False, test_classes), anchor
    root = _package_root(anchor.package)
    return AppScope((root,) if root else (), (), False, test_classes), anchor
