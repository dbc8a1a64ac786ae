"""Where to look: rank the frames of a trace by how likely the developer's fix lies in that method.

One linear scorer over per-frame features serves two roles: `RULE_WEIGHTS` (hand-set, always available) and a
learned `LinearRanker` (a listwise softmax model fitted by train_locator.py, pulled towards the rules, saved as
JSON). Scoring is plain Python: ranking a trace costs under a millisecond, and this module imports neither torch
nor numpy (`fit_ranker` imports numpy/scipy when called).

Method names are compared after `normalize_method` (see there), the same way for frames and for `fix_methods`.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from utils.checkpoints import METADATA_FILE, read_metadata, write_json_atomic, write_metadata
from utils.guidance import format_location
from utils.stacktrace import JDK_PREFIXES, Frame, Trace, load_library_rules, parse_trace

LOCATE_TASK = "locate"
RANKER_FILE = "ranker.json"

# ---------------------------------------------------------------------------------------------------------------
# Method-name normalization
# ---------------------------------------------------------------------------------------------------------------

_LAMBDA = re.compile(r"^lambda\$(.*?)\$\d+$")
_SYNTHETIC_ACCESSOR = re.compile(r"^access\$\d+$")
_GENERATED_CLASS_PART = re.compile(r"\$\$.*$")  # Foo$$EnhancerByCGLIB$$1a2b, Foo$$Lambda$12/0x...


@lru_cache(maxsize=65536)
def normalize_method(qualified_method: str) -> str:
    """Canonical "pkg.Outer.Inner.method" used to compare trace frames with `fix_methods`.

    - inner classes: `$` and `.` are the same separator (`Outer$Inner.m` == `Outer.Inner.m`);
    - anonymous classes (`Outer$1.run`) drop their numeric segment: the method is credited to `Outer.run`;
    - generated suffixes (`Foo$$EnhancerByCGLIB$$ab12.m`, `$$Lambda$3/0x..`) are cut back to `Foo`;
    - lambdas `lambda$foo$0` -> `foo` (the enclosing method), `lambda$new$0` -> the constructor;
    - constructors `<init>` -> the simple name of the (innermost named) class, as `pkg.Class.Class` in fix lists.
    `<clinit>` and synthetic accessors (`access$000`) are kept as written: they match no developer-written method.
    """
    text = qualified_method.strip()
    if "(" in text:  # a signature was given: "pkg.C.m(int)"
        text = text.split("(", 1)[0]
    class_name, _, method = text.rpartition(".")
    if not class_name:
        return text
    class_name = _GENERATED_CLASS_PART.sub("", class_name.split("/", 1)[0])
    segments = [part for part in class_name.replace("$", ".").split(".") if part and not part.isdigit()]
    if not segments:
        return text
    lambda_match = _LAMBDA.match(method)
    if lambda_match:
        method = lambda_match.group(1) or method
        if method == "new":
            method = "<init>"
        elif method == "static":
            method = "<clinit>"
    if method == "<init>":
        method = segments[-1]
    return ".".join(segments) + "." + method


def frame_key(frame: Frame) -> str:
    return normalize_method(f"{frame.class_name}.{frame.method}")


# ---------------------------------------------------------------------------------------------------------------
# Frame kinds
# ---------------------------------------------------------------------------------------------------------------

# Frames nobody fixes: how the call got there, not what it did. Library membership and generated-class markers come
# from the parser's list (configs/library_packages.yaml); test runners, launchers, reflection and bootstrap come from
# configs/test_runners.yaml and are never offered as a candidate (a plain library frame is a last-resort candidate).
TEST_RUNNERS_PATH = Path(__file__).resolve().parent.parent / "configs" / "test_runners.yaml"


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
    import yaml  # lazily, like the parser's library list: ranking itself needs no third-party module

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
_VALIDATOR_METHOD = re.compile(
    r"^(?:check|validate|verify|require|ensure|assert|fail|throw|unsupported|illegal|invalid|reject|raise|"
    r"error|not[A-Z]|is[A-Z]\w*Valid|precondition)|(?:Error|Exception|Failure|Syntax\w*|Unsupported)$"
)
# JDK 14+ "helpful" NullPointerException messages describe a dereference: `Cannot invoke "X.y()" because ...`.
_HELPFUL_NPE = re.compile(r"Cannot (?:invoke|read|load|store|assign|throw|enter|exit|use)\b")
# Exception translation and wrapping: Spring's `convertHibernateAccessException`, `translateExceptionIfPossible`,
# `PersistenceExceptionTranslationInterceptor`, `DataAccessUtils`, Guava's `Throwables.propagate`, commons-lang's
# `ExceptionUtils.rethrow`, the JDK's `FutureTask.report` / `CompletableFuture.reportGet`.
_TRANSLATOR_METHOD = re.compile(
    r"^(?:convert|translate|wrap|rethrow|reThrow|propagate|launder|sneaky|unwrap|report(?:Get|Join)?$|"
    r"handle\w*(?:Exception|Error|Failure|Throwable)$)|(?:IfPossible|IfNecessary)$"
)
_TRANSLATOR_CLASS = re.compile(r"Exception(?:Translat|Convert|Mapp|Utils)|Translator|Throwables|DataAccessUtils")
_PARSER_METHOD = re.compile(r"^(?:parse|fromString|valueOf|decode|convert|resolve|lookup|forName|of$|from[A-Z])")
_VALIDATION_LIBRARY_CLASSES = {
    "java.util.Objects",
    "com.google.common.base.Preconditions",
    "com.google.common.base.Verify",
    "org.apache.commons.lang.Validate",
    "org.apache.commons.lang3.Validate",
    "org.springframework.util.Assert",
    "org.junit.Assert",
    "org.junit.jupiter.api.Assertions",
}
_ARGUMENT_ERRORS = {
    "IllegalArgumentException",
    "IllegalStateException",
    "UnsupportedOperationException",
    "IndexOutOfBoundsException",
    "ArrayIndexOutOfBoundsException",
    "StringIndexOutOfBoundsException",
    "NumberFormatException",
    "NoSuchElementException",
}


def _outer_simple_class(class_name: str) -> str:
    return _GENERATED_CLASS_PART.sub("", class_name.rsplit(".", 1)[-1]).split("$", 1)[0]


def is_test_frame(frame: Frame) -> bool:
    """A frame of test code: a test-named class (`FooTest`, `TestFoo`, `FooIT`, `...TestSupport`) or a test package."""
    return _is_test_class(frame.class_name)


@lru_cache(maxsize=65536)
def _is_test_class(class_name: str) -> bool:
    if _TEST_CLASS.search(_outer_simple_class(class_name)):
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
    return bool(_SYNTHETIC_ACCESSOR.match(method)) or method.startswith("$")


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


def _outer_class(class_name: str) -> str:
    """ "com.acme.FooTest$Fixture$$Lambda$3" -> "com.acme.FooTest": the class a source file declares."""
    return _GENERATED_CLASS_PART.sub("", class_name).split("$", 1)[0]


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
        if _outer_class(frame.class_name) in self.test_classes:
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
            test_named = bool(_TEST_CLASS.search(_outer_simple_class(frame.class_name)))
            if below_is_runner and (kind != "library" or test_named):
                found.add(_outer_class(frame.class_name))
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
        invoked = _outer_class(frame.class_name) in test_classes
        if kind == "test" or (kind == "app" and invoked):
            app_tests.append(frame)
        elif kind == "library" and (invoked or _TEST_CLASS.search(_outer_simple_class(frame.class_name))):
            framework_tests.append(frame)
    test_frames = app_tests or framework_tests
    preferred = [
        frame
        for frame in test_frames
        if frame.method not in _ANCHOR_SKIP_METHODS
        and not _outer_simple_class(frame.class_name).startswith("Abstract")
        and (
            _TEST_CLASS.search(_outer_simple_class(frame.class_name)) or _outer_class(frame.class_name) in test_classes
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


def _camel_tokens(name: str) -> set[str]:
    name = _GENERATED_CLASS_PART.sub("", name)
    return {token.lower() for token in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name) if len(token) > 1}


# ---------------------------------------------------------------------------------------------------------------
# Features
# ---------------------------------------------------------------------------------------------------------------

FEATURE_NAMES = (
    # what kind of code
    "library",
    "test",
    "foreign",
    "in_namespace",
    # where in the chain
    "root_section",
    "wrapper_section",
    "sections_above_root",
    # where in its exception's frames (ranks count distinct application methods, top = 0)
    "thrower",
    "first_app",
    "second_app",
    "third_app",
    "app_rank_log",
    "first_own",
    "second_own",
    "own_rank_log",
    "entry",
    "entry_distance_log",
    # what the neighbours did
    "callee_outside",
    "calls_checker",
    "checker",
    "parser_name",
    "exception_class",
    "constructor",
    "static_init",
    "recursive",
    "overflow_recursion",
    "in_several_sections",
    # the test (or entry point) as a cue
    "tested_class",
    "first_tested_class",
    "class_token_overlap",
    "method_token_overlap",
    "package_overlap",
    # exception type
    "npe_first_app",
    "argument_error_thrower",
)

# Hand-set weights: the rules, used when no learned ranker is given. Chosen by looking at the tuning projects only
# (configs/locate.yaml names them); the held-out projects never informed a weight.
RULE_WEIGHTS: dict[str, float] = {
    "library": -4.0,
    "test": -5.0,
    "foreign": -1.0,
    "in_namespace": 0.5,
    "root_section": 1.0,
    "wrapper_section": 0.5,
    "sections_above_root": -0.5,
    "thrower": 0.0,
    "first_app": 1.0,
    "second_app": 0.4,
    "third_app": 0.2,
    "app_rank_log": -0.3,
    "first_own": 1.0,
    "second_own": 0.4,
    "own_rank_log": -0.2,
    "entry": 0.8,
    "entry_distance_log": -0.2,
    "callee_outside": 0.3,
    "calls_checker": 1.0,
    "checker": -1.8,
    "parser_name": -0.6,
    "exception_class": -2.0,
    "constructor": -0.2,
    "static_init": -0.5,
    "recursive": 0.5,
    "overflow_recursion": 2.0,
    "in_several_sections": 0.5,
    "tested_class": 1.0,
    "first_tested_class": 1.0,
    "class_token_overlap": 0.8,
    "method_token_overlap": 1.2,
    "package_overlap": 0.5,
    "npe_first_app": 0.5,
    "argument_error_thrower": -0.5,
}

REASONS = {
    "in_namespace": "in the application's own packages",
    "root_section": "in the root cause",
    "wrapper_section": "where the root cause was caught and wrapped",
    "thrower": "the exception was raised in this method",
    "first_app": "first application frame of its exception",
    "second_app": "second application frame of its exception",
    "first_own": "first frame of the application's own packages",
    "second_own": "second frame of the application's own packages",
    "entry": "the method the test / entry point called",
    "callee_outside": "called library code that failed",
    "calls_checker": "passed input to a check that rejected it",
    "recursive": "recursion",
    "overflow_recursion": "repeats in the recursion that overflowed the stack",
    "in_several_sections": "appears in several exceptions of the chain",
    "tested_class": "class under test",
    "first_tested_class": "first frame of the class under test",
    "class_token_overlap": "class name shares words with the test",
    "method_token_overlap": "method name shares words with the test",
    "package_overlap": "same package as the test",
    "npe_first_app": "dereferenced null here",
}


@dataclass
class _Context:
    """What the whole trace says about every frame: the test anchor, the application's scope, the root exception."""

    test_stem: str = ""
    test_class_tokens: set[str] = field(default_factory=set)
    test_method_tokens: set[str] = field(default_factory=set)
    test_package: list[str] = field(default_factory=list)
    scope: AppScope = field(default_factory=AppScope)
    exception_names: set[str] = field(default_factory=set)  # root cause simple name and the given label
    implicit_npe: bool = False  # the root cause is a null dereference, not a deliberate `throw`
    # A StackOverflowError's top frames are wherever the stack ran out; the repeating cycle is the bug.
    stack_overflow: bool = False


@dataclass
class Candidate:
    """One distinct method of the trace, at its first (topmost) frame in chain order."""

    frame: Frame
    key: str
    section: int  # index in trace.chain
    index: int  # index of the frame in that exception's frames
    features: dict[str, float]
    kind: str = "app"  # relative to the log's application (`AppScope.kind`)


@dataclass
class RankedFrame:
    frame: Frame
    score: float  # probability-like, 0..1
    reasons: list[str]
    section: int = 0
    index: int = 0

    @property
    def qualified_method(self) -> str:
        return self.frame.qualified_method

    @property
    def key(self) -> str:
        return frame_key(self.frame)

    @property
    def location(self) -> str:
        return format_location(self.frame.file, self.frame.line, self.frame.qualified_method)

    def to_dict(self) -> dict:
        return {
            "location": self.location,
            "class": self.frame.class_name,
            "method": self.frame.method,
            "file": self.frame.file,
            "line": self.frame.line,
            "score": round(self.score, 4),
            "reasons": self.reasons,
        }


def _context(trace: Trace, label: str | None, app_packages: Iterable[str] = ()) -> _Context:
    scope, anchor = infer_scope(trace, app_packages)
    context = _Context(scope=scope)
    root = trace.root_cause
    context.exception_names = {name for name in (label, root.simple_name if root else None) if name}
    context.stack_overflow = root is not None and root.simple_name == "StackOverflowError"
    context.implicit_npe = (
        root is not None
        and root.simple_name == "NullPointerException"
        and (not root.message or bool(_HELPFUL_NPE.match(root.message)))
    )
    if anchor is not None:
        simple = _outer_simple_class(anchor.class_name)
        context.test_stem = re.sub(r"^Test(?=[A-Z0-9_])|(?:Tests?|TestCase|IT)$", "", simple)
        context.test_class_tokens = _camel_tokens(context.test_stem)
        context.test_method_tokens = _camel_tokens(anchor.method) - {"test", "should", "when", "then", "with"}
        context.test_package = anchor.package.split(".")
    return context


def _is_checker(frames: list[Frame], position: int, kinds: list[str], implicit_npe: bool, wraps_cause: bool) -> bool:
    """A method that rejects its input on purpose: it called a `Preconditions`/`Objects.requireNonNull`-style helper,
    or it has a checking name (`check*`, `validate*`, `*Error`, ...) and threw the exception itself. A null that was
    dereferenced (`implicit_npe`) is a bug of the method that dereferenced it, whatever its name.

    A library callee that translates or wraps a failure (`convertHibernateAccessException`, `translateException*`,
    Spring's `DataAccessUtils`, Guava's `Throwables`) is no check: it reports what went wrong further down. Nor is a
    library callee in an exception that carries a cause (`wraps_cause`): it caught that cause and rethrew it."""
    frame = frames[position]
    if frame.class_name in _VALIDATION_LIBRARY_CLASSES:
        return True
    if position > 0:
        callee = frames[position - 1]
        if callee.class_name in _VALIDATION_LIBRARY_CLASSES:
            return True
        if kinds[position - 1] not in ("library", "jdk") or wraps_cause or is_translator_frame(callee):
            return False
        return bool(_VALIDATOR_METHOD.search(callee.method))
    return not implicit_npe and bool(_VALIDATOR_METHOD.search(frame.method))


def is_translator_frame(frame: Frame) -> bool:
    """A frame that turns one exception into another (translation, wrapping, rethrowing), not one that checks input."""
    simple_class = _outer_simple_class(frame.class_name)
    return bool(_TRANSLATOR_METHOD.search(frame.method) or _TRANSLATOR_CLASS.search(simple_class))


def _distinct_ranks(positions: list[int], keys: list[str]) -> dict[int, int]:
    """Rank of each position among distinct methods (recursion does not push the callers down)."""
    ranks: dict[int, int] = {}
    seen: set[str] = set()
    for position in positions:
        if keys[position] not in seen:
            seen.add(keys[position])
            ranks[position] = len(ranks)
    return ranks


def candidates(trace: Trace, label: str | None = None, app_packages: Iterable[str] = ()) -> list[Candidate]:
    """Every distinct method of the trace that could hold the fix (plumbing excluded), with its features.

    Offered in tiers (`_offered`): library frames only when the trace has no frame of the application or its tests,
    JDK frames only when it has nothing else, so a trace with frames always yields candidates. `app_packages`
    overrides the application's packages that are otherwise read from the trace (`infer_scope`).
    """
    context = _context(trace, label, app_packages)
    chain = trace.chain
    root_index = len(chain) - 1
    sections_of_key: dict[str, set[int]] = defaultdict(set)
    for section, exc in enumerate(chain):
        for frame in exc.frames:
            sections_of_key[frame_key(frame)].add(section)

    found: dict[str, Candidate] = {}
    for section, exc in enumerate(chain):
        frames = exc.frames
        keys = [frame_key(frame) for frame in frames]
        repeats = Counter(keys)
        kinds = [context.scope.kind(frame) for frame in frames]
        own = [kind == "app" and _in_namespace(frame, context) for frame, kind in zip(frames, kinds)]
        app_ranks = _distinct_ranks([i for i, kind in enumerate(kinds) if kind == "app"], keys)
        own_ranks = _distinct_ranks([i for i, is_own in enumerate(own) if is_own], keys)
        implicit_npe = section == root_index and context.implicit_npe
        first_test = next((i for i, kind in enumerate(kinds) if kind == "test"), len(frames))
        before_test = [i for i in own_ranks if i < first_test] or [i for i in app_ranks if i < first_test]
        entry_position = before_test[-1] if before_test else -1
        entry_rank = own_ranks.get(entry_position, app_ranks.get(entry_position, 0))
        for position, frame in enumerate(frames):
            kind = kinds[position]
            if kind == "plumbing" or keys[position] in found:
                continue
            app_rank = app_ranks.get(position, -1)
            own_rank = own_ranks.get(position, -1)
            features = _frame_features(frames, position, kinds, context, implicit_npe, section < root_index)
            features.update(
                {
                    "foreign": float(kind == "app" and not own[position]),
                    "in_namespace": float(own[position]),
                    "root_section": float(section == root_index),
                    "wrapper_section": float(section == 0 and root_index > 0),
                    "sections_above_root": float(min(root_index - section, 3)),
                    "thrower": float(position == 0),
                    "first_app": float(app_rank == 0),
                    "second_app": float(app_rank == 1),
                    "third_app": float(app_rank == 2),
                    "app_rank_log": math.log1p(app_rank if app_rank >= 0 else len(app_ranks)),
                    "first_own": float(own_rank == 0),
                    "second_own": float(own_rank == 1),
                    "own_rank_log": math.log1p(own_rank if own_rank >= 0 else len(own_ranks)),
                    "entry": float(position == entry_position),
                    "entry_distance_log": math.log1p(abs(entry_rank - max(own_rank, app_rank, 0))),
                    "recursive": float(repeats[keys[position]] >= 3),
                    "overflow_recursion": float(context.stack_overflow and repeats[keys[position]] >= 3),
                    "in_several_sections": float(len(sections_of_key[keys[position]]) > 1),
                    "npe_first_app": float(
                        section == root_index and app_rank == 0 and "NullPointerException" in context.exception_names
                    ),
                    "argument_error_thrower": float(
                        section == root_index and position == 0 and bool(context.exception_names & _ARGUMENT_ERRORS)
                    ),
                }
            )
            found[keys[position]] = Candidate(frame, keys[position], section, position, features, kind)
    result = list(found.values())
    _mark_first_tested_class(result, root_index)
    return _offered(result)


# Candidate tiers: a lower tier is offered only when no higher one has a frame. The location is the application's
# code (or its tests') whenever the trace shows any: a library frame's fix is out of the user's reach, and the
# application frame that called the library is where its input or use can change.
_OFFER_TIERS = (("app", "test"), ("library",), ("jdk",))


def _offered(found: list[Candidate]) -> list[Candidate]:
    for tier in _OFFER_TIERS:
        offered = [candidate for candidate in found if candidate.kind in tier]
        if offered:
            return offered
    return found


def _mark_first_tested_class(found: list[Candidate], root_index: int) -> None:
    """The class under test's topmost frame, looking in the root cause first, then in each enclosing exception.

    One pass: the deepest section (at most `root_index`) holding such a frame, and its lowest frame index (a scan of
    `found` per section was quadratic in the number of `Caused by:` levels)."""
    best: Candidate | None = None
    for candidate in found:
        candidate.features.setdefault("first_tested_class", 0.0)
        if not (candidate.features["tested_class"] and candidate.features["in_namespace"]):
            continue
        if candidate.section > root_index:
            continue
        if best is None or (candidate.section, -candidate.index) > (best.section, -best.index):
            best = candidate
    if best is not None:
        best.features["first_tested_class"] = 1.0


def _in_namespace(frame: Frame, context: _Context) -> bool:
    return context.scope.owns(frame.class_name)


def _frame_features(
    frames: list[Frame], position: int, kinds: list[str], context: _Context, implicit_npe: bool, wraps_cause: bool
) -> dict[str, float]:
    frame = frames[position]
    callee = frames[position - 1] if position > 0 else None
    callee_kind = kinds[position - 1] if position > 0 else ""
    simple = _outer_simple_class(frame.class_name)
    class_tokens = _camel_tokens(simple)
    method_tokens = _camel_tokens(frame.method if not frame.method.startswith("<") else simple)
    package = frame.package.split(".")
    shared_package = 0
    for mine, theirs in zip(package, context.test_package):
        if mine != theirs:
            break
        shared_package += 1
    return {
        "library": float(kinds[position] in ("library", "jdk")),
        "test": float(kinds[position] == "test"),
        "callee_outside": float(
            callee is not None
            and (callee_kind in ("library", "jdk") or (callee_kind == "app" and not _in_namespace(callee, context)))
        ),
        "calls_checker": float(
            callee_kind == "app" and _is_checker(frames, position - 1, kinds, implicit_npe, wraps_cause)
        ),
        "checker": float(_is_checker(frames, position, kinds, implicit_npe, wraps_cause)),
        "parser_name": float(bool(_PARSER_METHOD.search(frame.method))),
        "exception_class": float(bool(re.search(r"(?:Exception|Error|Exceptions|Errors)$", simple))),
        "constructor": float(frame.method == "<init>"),
        "static_init": float(frame.method == "<clinit>"),
        "tested_class": float(bool(context.test_stem) and simple == context.test_stem),
        "class_token_overlap": _overlap(class_tokens, context.test_class_tokens),
        "method_token_overlap": _overlap(method_tokens, context.test_method_tokens),
        "package_overlap": shared_package / len(context.test_package) if context.test_package else 0.0,
    }


def _overlap(mine: set[str], theirs: set[str]) -> float:
    """Share of this frame's name words that also name the test: 1.0 when every word is covered."""
    return len(mine & theirs) / len(mine) if mine and theirs else 0.0


# ---------------------------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class LinearRanker:
    """logit = sum(weight * feature); a trace's candidates are scored by the softmax of their logits.

    `app_packages`, when set, are the application's packages for every trace it ranks (train_locator's
    `app_packages`, saved with the weights): they override what `infer_scope` reads from each trace."""

    weights: dict[str, float]
    metadata: dict = field(default_factory=dict)
    app_packages: tuple[str, ...] = ()

    def logit(self, features: dict[str, float]) -> float:
        return sum(self.weights.get(name, 0.0) * value for name, value in features.items())

    def contributions(self, features: dict[str, float]) -> dict[str, float]:
        return {name: self.weights.get(name, 0.0) * value for name, value in features.items() if value}


RULES = LinearRanker(dict(RULE_WEIGHTS), {"kind": "rules"})


def rank_frames(
    trace: Trace,
    label: str | None = None,
    ranker: LinearRanker | None = None,
    app_packages: Iterable[str] | None = None,
) -> list[RankedFrame]:
    """The trace's distinct candidate methods, best first; `score` is the softmax share among the candidates.

    `label` (the canonical exception type, when stage 1 or the parser decided it) adds exception-type cues;
    with `ranker=None` the hand-set rules score the frames. `app_packages` (else the ranker's own) overrides the
    application's packages read from the trace.
    """
    scorer = ranker or RULES
    found = candidates(trace, label, scorer.app_packages if app_packages is None else app_packages)
    if not found:
        return []
    logits = [scorer.logit(candidate.features) for candidate in found]
    top = max(logits)
    exps = [math.exp(logit - top) for logit in logits]
    total = sum(exps)
    ranked = []
    for candidate, weight in zip(found, exps):
        contributions = scorer.contributions(candidate.features)
        kind = candidate.kind
        reasons = [f"{kind} code"] if kind in ("library", "jdk", "test") else []
        reasons += [
            REASONS[name]
            for name, value in sorted(contributions.items(), key=lambda item: -item[1])
            if value > 0 and name in REASONS
        ][: 3 - len(reasons)]
        ranked.append(RankedFrame(candidate.frame, weight / total, reasons, candidate.section, candidate.index))
    ranked.sort(key=lambda item: -item.score)  # stable: ties keep chain order
    return ranked


def locate(
    trace: Trace,
    label: str | None = None,
    ranker: LinearRanker | None = None,
    app_packages: Iterable[str] | None = None,
) -> RankedFrame | None:
    """The best candidate, or None for a trace without frames."""
    ranked = rank_frames(trace, label, ranker, app_packages)
    return ranked[0] if ranked else None


def naive_frames(trace: Trace) -> list[Frame]:
    """Baseline order: frames outside library and test code, root cause first, then each enclosing exception."""
    ordered: list[Frame] = []
    seen: set[str] = set()
    for exc in reversed(trace.chain):
        for frame in exc.frames:
            key = frame_key(frame)
            if frame_kind(frame) == "app" and key not in seen:
                seen.add(key)
                ordered.append(frame)
    return ordered


# ---------------------------------------------------------------------------------------------------------------
# Save / load
# ---------------------------------------------------------------------------------------------------------------


def save_ranker(ranker: LinearRanker, output_dir: str | Path, metadata: dict | None = None) -> Path:
    """Writes `ranker.json` (feature weights) and `analyzer_metadata.json` (task, features, metrics, versions)."""
    output_dir = Path(output_dir)
    payload: dict = {"feature_names": list(FEATURE_NAMES), "weights": ranker.weights}
    if ranker.app_packages:
        payload["app_packages"] = list(ranker.app_packages)
    write_json_atomic(output_dir / RANKER_FILE, payload)
    write_metadata(output_dir, {**ranker.metadata, **(metadata or {}), "task": LOCATE_TASK})
    return output_dir


def load_ranker(model_dir: str | Path) -> LinearRanker:
    """A ranker saved by `save_ranker`; a one-line error when the directory holds something else."""
    model_dir = Path(model_dir)
    weights_path = model_dir / RANKER_FILE
    if not weights_path.is_file():
        raise FileNotFoundError(f"{weights_path}: no frame ranker here (train one with train_locator.py)")
    metadata = read_metadata(model_dir) or {}
    if metadata.get("task", LOCATE_TASK) != LOCATE_TASK:
        raise ValueError(f"{model_dir / METADATA_FILE}: task is {metadata['task']!r}, not {LOCATE_TASK!r}")
    try:
        payload = json.loads(weights_path.read_text(encoding="utf-8"))
        weights = {str(name): float(value) for name, value in payload["weights"].items()}
        app_packages = tuple(str(package) for package in payload.get("app_packages") or ())
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{weights_path}: not a ranker file ({error})") from error
    unknown = sorted(set(weights) - set(FEATURE_NAMES))
    if unknown:
        raise ValueError(f"{weights_path}: weights for features this code does not compute: {unknown}")
    return LinearRanker(weights, metadata, app_packages)


def with_app_packages(ranker: LinearRanker | None, app_packages: Iterable[str]) -> LinearRanker:
    """The ranker (the rules for None) applied to one application's packages (`--app_packages`)."""
    base = ranker or RULES
    return LinearRanker(dict(base.weights), dict(base.metadata), tuple(app_packages))


# ---------------------------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------------------------

ASSERTION_FAILURES = {
    "AssertionError",
    "AssertionFailedError",
    "ComparisonFailure",
    "ArrayComparisonFailure",
    "MultipleFailuresError",
    "AssertJMultipleFailuresError",
}


def row_fix_methods(row: dict) -> list[str]:
    """What a row says was fixed: `fix_methods` (real data) or the corpus `meta.fault` frame (synthetic data)."""
    if row.get("fix_methods"):
        return list(row["fix_methods"])
    fault = (row.get("meta") or {}).get("fault")
    if isinstance(fault, dict) and fault.get("class") and fault.get("method"):
        return [f"{fault['class']}.{fault['method']}"]
    return []


def is_assertion_failure(row: dict) -> bool:
    top = row.get("top_exception")
    if top is None:
        root = parse_trace(row.get("log", "")).chain
        top = root[0].class_name if root else ""
    return top.rsplit(".", 1)[-1] in ASSERTION_FAILURES


def select_locate_rows(rows: Iterable[dict], include_assertions: bool = False) -> list[dict]:
    """Rows that can score a ranker: they name a fix and are failing tests or corpus rows (not `logged_trace`);
    assertion failures are left out by default (their trace shows the test's check, not the faulty code)."""
    selected = []
    for row in rows:
        if not row_fix_methods(row) or row.get("kind", "test_failure") != "test_failure":
            continue
        if not include_assertions and is_assertion_failure(row):
            continue
        selected.append(row)
    return selected


def _first_hit(keys: list[str], fixes: set[str]) -> int | None:
    return next((rank for rank, key in enumerate(keys) if key in fixes), None)


def _summary(ranks: list[int | None]) -> dict[str, float]:
    total = len(ranks)
    if not total:
        return {"n": 0, "acc@1": 0.0, "acc@3": 0.0, "mrr": 0.0}
    return {
        "n": total,
        "acc@1": sum(rank is not None and rank < 1 for rank in ranks) / total,
        "acc@3": sum(rank is not None and rank < 3 for rank in ranks) / total,
        "mrr": sum(1.0 / (rank + 1) for rank in ranks if rank is not None) / total,
    }


SYSTEMS = ("naive", "rules", "ranker")


def _block(results: list[tuple]) -> dict:
    """Metrics of (project, bug, reachable, naive rank, rules rank, ranker rank) tuples; `bugs` counts each bug once
    (its first row: one bug often fails several tests with the same trace)."""
    reachable = [item for item in results if item[2]]
    first_of_bug: dict[str, tuple] = {}
    for item in results:
        first_of_bug.setdefault(item[1], item)
    bugs = list(first_of_bug.values())
    block: dict = {"n": len(results), "reachable": len(reachable) / len(results) if results else 0.0}
    for offset, system in enumerate(SYSTEMS, start=3):
        block[system] = _summary([item[offset] for item in results])
        block[f"{system}_reachable"] = _summary([item[offset] for item in reachable])
    block["bugs"] = {"n": len(bugs), "reachable": sum(item[2] for item in bugs) / len(bugs) if bugs else 0.0}
    for offset, system in enumerate(SYSTEMS, start=3):
        block["bugs"][system] = _summary([item[offset] for item in bugs])
    return block


def evaluate_locate(
    rows: Iterable[dict],
    ranker: LinearRanker | None = None,
    held_out_projects: Iterable[str] = (),
    app_packages: Iterable[str] | None = None,
) -> dict:
    """Method-level acc@1, acc@3 and MRR of the ranker, of the hand-set rules and of the naive baseline (the first
    application frame, root cause first).

    Reported on all rows, on "reachable" rows (a fixed method appears among the trace's frames), once per bug
    (`bugs`: the first row of each `bug_id`), per project, and, when `held_out_projects` is given, on held-out and
    tuning projects apart. Rows are used as given (see `select_locate_rows`); rows that name no fix are counted in
    `skipped_without_fix`. With `ranker=None` the "ranker" figures are the rules'. `app_packages` (else the
    ranker's own) overrides the application's packages for the rules and the ranker; the naive rule ignores it.
    """
    held_out = set(held_out_projects)
    packages = None if app_packages is None else tuple(app_packages)
    results = []
    skipped = 0
    for number, row in enumerate(rows):
        fixes = {normalize_method(method) for method in row_fix_methods(row)}
        if not fixes:
            skipped += 1
            continue
        trace = parse_trace(row.get("log", ""))
        naive_keys = [frame_key(frame) for frame in naive_frames(trace)]
        rules_keys = [item.key for item in rank_frames(trace, None, None, packages)]
        ranker_keys = (
            rules_keys if ranker is None else [item.key for item in rank_frames(trace, None, ranker, packages)]
        )
        reachable = any(frame_key(frame) in fixes for frame in trace.frames)
        project = row.get("project") or "unknown"
        bug = str(row.get("bug_id") or row.get("id") or number)
        results.append(
            (
                project,
                bug,
                reachable,
                _first_hit(naive_keys, fixes),
                _first_hit(rules_keys, fixes),
                _first_hit(ranker_keys, fixes),
            )
        )

    report = {"all": _block(results), "skipped_without_fix": skipped, "projects": {}}
    for project in sorted({item[0] for item in results}):
        report["projects"][project] = _block([item for item in results if item[0] == project])
    if held_out:
        report["held_out_projects"] = sorted(held_out)
        report["held_out"] = _block([item for item in results if item[0] in held_out])
        report["tuning"] = _block([item for item in results if item[0] not in held_out])
    return report


def evaluate_locate_file(
    input_path: str | Path,
    ranker_dir: str | Path | None = None,
    held_out_projects: Iterable[str] = (),
    include_assertions: bool = False,
    app_packages: Iterable[str] | None = None,
) -> dict:
    """`evaluate_locate` on a JSONL file of rows with `log` and `fix_methods` (real, with `project`/`bug_id`) or
    `meta.fault` (the synthetic corpus); `ranker_dir=None` scores the rules. Bad lines raise naming file and line."""
    from utils.data import read_jsonl  # evaluation only: keeps ranking free of numpy/datasets

    rows = read_jsonl(input_path, required_fields=("log",))
    selected = select_locate_rows(rows, include_assertions=include_assertions)
    ranker = load_ranker(ranker_dir) if ranker_dir else None
    report = evaluate_locate(selected, ranker, held_out_projects, app_packages)
    report.update(
        {
            "input": str(input_path),
            "ranker_dir": str(ranker_dir) if ranker_dir else None,
            "rows_read": len(rows),
            "rows_used": len(selected),
            "include_assertions": include_assertions,
            "app_packages": None if app_packages is None else list(app_packages),
        }
    )
    return report


def gap_closed(block: dict, system: str = "ranker") -> float:
    """Share of the gap between the naive acc@1 and the ceiling (reachable share) that `system` closed."""
    naive, ceiling = block["naive"]["acc@1"], block["reachable"]
    return (block[system]["acc@1"] - naive) / (ceiling - naive) if ceiling > naive else 0.0


def share_of_ceiling(block: dict, system: str = "ranker") -> float:
    """acc@1 of `system` over the ceiling (the share of rows whose trace contains a fixed method)."""
    return block[system]["acc@1"] / block["reachable"] if block["reachable"] else 0.0


def format_locate_report(report: dict) -> str:
    """Two markdown tables: per row and once per bug for all rows, tuning and held-out projects, then each project;
    then each project once per bug (one bug often fails many tests with one trace), the unit bars are set in.

    "ceiling" is the share of rows whose fixed method appears in the trace at all; "gap" is the share of the
    distance from the naive acc@1 to that ceiling that the ranker closed (the rules when no ranker was given);
    "of ceiling" is the ranker's acc@1 over the ceiling."""
    header = (
        "| rows | n | ceiling | naive acc@1 | rules acc@1 | ranker acc@1 | gap closed | of ceiling | naive acc@3 "
        "| ranker acc@3 | naive MRR | ranker MRR |"
    )
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]

    def line(name: str, block: dict) -> str:
        naive, rules, ranked = block["naive"], block["rules"], block["ranker"]
        return (
            f"| {name} | {block['n']} | {block['reachable']:.3f} | {naive['acc@1']:.3f} | {rules['acc@1']:.3f} | "
            f"{ranked['acc@1']:.3f} | {gap_closed(block):.0%} | {share_of_ceiling(block):.0%} | "
            f"{naive['acc@3']:.3f} | {ranked['acc@3']:.3f} | {naive['mrr']:.3f} | {ranked['mrr']:.3f} |"
        )

    for name in ("all", "tuning", "held_out"):
        if name in report:
            lines.append(line(f"{name}, per row", report[name]))
            lines.append(line(f"{name}, once per bug", report[name]["bugs"]))
    for project, block in report["projects"].items():
        lines.append(line(f"{project}, per row", block))
    held_out = set(report.get("held_out_projects") or ())
    lines += [
        "",
        "| project, once per bug | bugs | ceiling | naive acc@1 | rules acc@1 | ranker acc@1 | of ceiling "
        "| ranker >= naive |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for project, block in report["projects"].items():
        bugs = block["bugs"]
        name = f"{project} (held out)" if project in held_out else project
        lines.append(
            f"| {name} | {bugs['n']} | {bugs['reachable']:.3f} | {bugs['naive']['acc@1']:.3f} | "
            f"{bugs['rules']['acc@1']:.3f} | {bugs['ranker']['acc@1']:.3f} | {share_of_ceiling(bugs):.0%} | "
            f"{'yes' if bugs['ranker']['acc@1'] >= bugs['naive']['acc@1'] else 'NO'} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# Learning
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class RankingExample:
    """The candidates of one trace whose fix is among them."""

    features: list[list[float]]  # one row per candidate, columns in FEATURE_NAMES order
    hits: list[bool]
    group: str  # rows of one group (bug) share a weight of 1 in total
    weight: float = 1.0


def ranking_examples(
    rows: Iterable[dict], group_field: str = "bug_id", app_packages: Iterable[str] = ()
) -> tuple[list[RankingExample], int]:
    """One example per row whose trace reaches a fixed method, and the number of rows that did not.

    Rows sharing `group_field` (one bug failing many tests) split a weight of 1, so a bug counts once.
    `app_packages` overrides the application's packages of every row (rows of one application only).
    """
    app_packages = tuple(app_packages)
    examples: list[RankingExample] = []
    unreachable = 0
    for number, row in enumerate(rows):
        fixes = {normalize_method(method) for method in row_fix_methods(row)}
        found = candidates(parse_trace(row.get("log", "")), None, app_packages)
        hits = [candidate.key in fixes for candidate in found]
        if not any(hits):
            unreachable += 1
            continue
        matrix = [[candidate.features.get(name, 0.0) for name in FEATURE_NAMES] for candidate in found]
        examples.append(RankingExample(matrix, hits, str(row.get(group_field) or row.get("id") or number)))
    sizes: dict[str, int] = defaultdict(int)
    for example in examples:
        sizes[example.group] += 1
    for example in examples:
        example.weight = 1.0 / sizes[example.group]
    return examples, unreachable


def fit_ranker(
    examples: list[RankingExample], l2: float = 1.0, prior: dict[str, float] | None = None, max_iter: int = 500
) -> LinearRanker:
    """Listwise logistic ranking (softmax over a trace's candidates; the hits share the target mass), fitted by
    L-BFGS with an L2 pull of strength `l2` towards `prior` (the rules by default): small data moves the rules
    only as far as it has evidence to.
    """
    import numpy as np  # training only: ranking needs neither numpy nor scipy
    from scipy.optimize import minimize

    prior_vector = np.array([(RULE_WEIGHTS if prior is None else prior).get(name, 0.0) for name in FEATURE_NAMES])
    if not examples:
        raise ValueError("no training example: no row's trace contains its fixed method")
    matrix = np.concatenate([np.asarray(example.features, dtype=float) for example in examples])
    hits = np.concatenate([np.asarray(example.hits, dtype=bool) for example in examples])
    sizes = [len(example.hits) for example in examples]
    group_of = np.repeat(np.arange(len(examples)), sizes)
    example_weights = np.array([example.weight for example in examples])
    total_weight = example_weights.sum()

    starts = np.cumsum([0, *sizes[:-1]])

    def log_sum_exp(logits: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-example log(sum(exp)) over the masked candidates, and each candidate's share of it."""
        masked = np.where(mask, logits, -np.inf)
        peak = np.maximum.reduceat(masked, starts)
        exps = np.where(mask, np.exp(masked - peak[group_of]), 0.0)
        sums = np.bincount(group_of, exps, len(examples))
        return np.log(sums) + peak, exps / sums[group_of]

    everything = np.ones_like(hits)

    def loss_and_gradient(weights: np.ndarray) -> tuple[float, np.ndarray]:
        logits = matrix @ weights
        log_all, share_all = log_sum_exp(logits, everything)
        log_hits, share_hits = log_sum_exp(logits, hits)
        loss = float(example_weights @ (log_all - log_hits)) / total_weight
        gradient = matrix.T @ ((share_all - share_hits) * example_weights[group_of]) / total_weight
        difference = weights - prior_vector
        return loss + 0.5 * l2 * float(difference @ difference), gradient + l2 * difference

    result = minimize(
        loss_and_gradient, prior_vector.copy(), jac=True, method="L-BFGS-B", options={"maxiter": max_iter}
    )
    weights = {name: round(float(value), 6) for name, value in zip(FEATURE_NAMES, result.x)}
    return LinearRanker(weights, {"kind": "learned", "l2": l2, "train_examples": len(examples)})


def first_hit_rank(example: RankingExample, ranker: LinearRanker) -> int:
    """Where the first fixed method lands in the ranker's order of the example's candidates (0 = top)."""
    weights = [ranker.weights.get(name, 0.0) for name in FEATURE_NAMES]
    logits = [sum(weight * value for weight, value in zip(weights, row)) for row in example.features]
    order = sorted(range(len(logits)), key=lambda index: -logits[index])  # stable, like rank_frames
    return next(rank for rank, index in enumerate(order) if example.hits[index])
