"""The ranker's features of each candidate frame, and the feature table (utils/locate/features.yaml): each
feature's name, hand-set rule weight and the reason shown for it, written once."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from utils.jvm_evidence import null_dereference_message
from utils.locate.kinds import AppScope, infer_scope
from utils.locate.names import camel_tokens, frame_key, outer_simple_class
from utils.parsing.stacktrace import THROWABLE_SUFFIX, Frame, Trace

FEATURES_PATH = Path(__file__).with_name("features.yaml")


@dataclass(frozen=True)
class Feature:
    """One row of the feature table: `weight` is the hand-set rule (the rules' ranker, and a learned ranker's prior);
    `reason` the words a candidate shows when this feature raised its score (None: never shown)."""

    name: str
    weight: float
    reason: str | None = None


@lru_cache(maxsize=4)
def load_features(path: str | Path = FEATURES_PATH) -> tuple[Feature, ...]:
    """The feature table of `path`, in column order; a malformed row fails in one sentence naming the file."""
    import yaml

    rows = (yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}).get("features")
    if not isinstance(rows, list) or not rows:
        raise ValueError(f"{path}: expected a non-empty `features:` list")
    table: list[Feature] = []
    for number, row in enumerate(rows, start=1):
        if not _is_feature_row(row):
            raise ValueError(f"{path}: feature {number} needs a `name` and a numeric `weight` (and may have a `reason`)"
                             f", got {row!r}")
        table.append(Feature(row["name"], float(row["weight"]), row.get("reason")))
    names = [feature.name for feature in table]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: features named twice: {sorted({n for n in names if names.count(n) > 1})}")
    return tuple(table)


def _is_feature_row(row: object) -> bool:
    if not isinstance(row, dict) or set(row) - {"name", "weight", "reason"} or not isinstance(row.get("name"), str):
        return False
    weight, reason = row.get("weight"), row.get("reason")
    return isinstance(weight, (int, float)) and not isinstance(weight, bool) and isinstance(reason, (str, type(None)))


FEATURES = load_features()
FEATURE_NAMES = tuple(feature.name for feature in FEATURES)
RULE_WEIGHTS: dict[str, float] = {feature.name: feature.weight for feature in FEATURES}
REASONS: dict[str, str] = {feature.name: feature.reason for feature in FEATURES if feature.reason}

_VALIDATOR_METHOD = re.compile(
    r"^(?:check|validate|verify|require|ensure|assert|fail|throw|unsupported|illegal|invalid|reject|raise|"
    r"error|not[A-Z]|is[A-Z]\w*Valid|precondition)|(?:Error|Exception|Failure|Syntax\w*|Unsupported)$"
)
# Exception translation and wrapping: Spring's `convertHibernateAccessException`, `translateExceptionIfPossible`,
# `PersistenceExceptionTranslationInterceptor`, `DataAccessUtils`, Guava's `Throwables.propagate`, commons-lang's
# `ExceptionUtils.rethrow`, the JDK's `FutureTask.report` / `CompletableFuture.reportGet`.
_TRANSLATOR_METHOD = re.compile(
    r"^(?:convert|translate|wrap|rethrow|reThrow|propagate|launder|sneaky|unwrap|report(?:Get|Join)?$|"
    r"handle\w*(?:Exception|Error|Failure|Throwable)$)|(?:IfPossible|IfNecessary)$"
)
_TRANSLATOR_CLASS = re.compile(r"Exception(?:Translat|Convert|Mapp|Utils)|Translator|Throwables|DataAccessUtils")
_PARSER_METHOD = re.compile(r"^(?:parse|fromString|valueOf|decode|convert|resolve|lookup|forName|of$|from[A-Z])")
VALIDATION_LIBRARY_CLASSES = {
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

# A class that is an exception, or a helper that builds them: the parser's throwable suffixes
# (utils/parsing/stacktrace.py), singular or plural (`Exceptions`, `Errors`).
_EXCEPTION_CLASS = re.compile(rf"{THROWABLE_SUFFIX}s?$")


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


def _context(trace: Trace, label: str | None, app_packages: Iterable[str] = ()) -> _Context:
    scope, anchor = infer_scope(trace, app_packages)
    context = _Context(scope=scope)
    root = trace.root_cause
    context.exception_names = {name for name in (label, root.simple_name if root else None) if name}
    context.stack_overflow = root is not None and root.simple_name == "StackOverflowError"
    context.implicit_npe = (
        root is not None
        and root.simple_name == "NullPointerException"
        and (not root.message or null_dereference_message(root.message))  # no message: JDK 6-13's dereference
    )
    if anchor is not None:
        simple = outer_simple_class(anchor.class_name)
        context.test_stem = re.sub(r"^Test(?=[A-Z0-9_])|(?:Tests?|TestCase|IT)$", "", simple)
        context.test_class_tokens = camel_tokens(context.test_stem)
        context.test_method_tokens = camel_tokens(anchor.method) - {"test", "should", "when", "then", "with"}
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
    if frame.class_name in VALIDATION_LIBRARY_CLASSES:
        return True
    if position > 0:
        callee = frames[position - 1]
        if callee.class_name in VALIDATION_LIBRARY_CLASSES:
            return True
        if kinds[position - 1] not in ("library", "jdk") or wraps_cause or is_translator_frame(callee):
            return False
        return bool(_VALIDATOR_METHOD.search(callee.method))
    return not implicit_npe and bool(_VALIDATOR_METHOD.search(frame.method))


def is_translator_frame(frame: Frame) -> bool:
    """A frame that turns one exception into another (translation, wrapping, rethrowing), not one that checks input."""
    simple_class = outer_simple_class(frame.class_name)
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
    simple = outer_simple_class(frame.class_name)
    class_tokens = camel_tokens(simple)
    method_tokens = camel_tokens(frame.method if not frame.method.startswith("<") else simple)
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
        "exception_class": float(bool(_EXCEPTION_CLASS.search(simple))),
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
