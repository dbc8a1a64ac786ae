"""What the JVM and the JDK say a root cause was when its name is unreadable (missing, masked or garbled), read in
this order (stdlib and yaml only: the parse-only paths use it):

0. with the team's own code given (`--code_throws`, utils/code_throws.py): the `throw new X(...)` its top frame
   stands at;
1. its throw site: the top frame is a JDK method that throws one class and no other (configs/throw_sites.yaml);
2. its message: one the JDK itself (or Jackson, Tomcat) writes for one class, `For input string: "x"`
   (configs/jdk_messages.yaml);
3. recursion: one frame repeated RECURSION_REPEATS times in its stack is how a StackOverflowError looks;
4. no message, thrown outside the JDK: the JVM's own null check. Before JDK 14's helpful messages (and after it,
   whenever they are off) a dereferenced null throws a NullPointerException with no message, where the code ran;
   code that throws on purpose nearly always says why. A JDK frame on top is left to rules 1-2: the JDK throws
   many classes without a message; so is a masked one (`at [EXC](...)`), which may be either.

A readable name is the parser's to read: every rule stays out then.

Where no rule types it, `ruled_out` names the labels whose thrower (the JVM's linker, a JSON parser, a JDBC driver)
left none of its signs in the trace (configs/thrower_signs.yaml): the model's best label among the others answers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from utils.parsing.stacktrace import JDK_PREFIXES, MASK_TOKEN, MASKED_NAME, Frame, ThrownException, Trace

if TYPE_CHECKING:
    from utils.code_throws import CodeThrows

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
THROW_SITES_PATH = CONFIGS / "throw_sites.yaml"
JDK_MESSAGES_PATH = CONFIGS / "jdk_messages.yaml"
THROWER_SIGNS_PATH = CONFIGS / "thrower_signs.yaml"

# The `decided_by` of a label each rule gave (output records, evaluate.py's report).
CODE_THROW = "your code's throw"
THROW_SITE = "throw site"
JDK_MESSAGE = "JDK message"
RECURSION = "recursion"
NULL_CHECK = "no message, thrown outside the JDK"
RULES = (CODE_THROW, THROW_SITE, JDK_MESSAGE, RECURSION, NULL_CHECK)
# The `decided_by` where the model's best label was ruled out (`ruled_out`) and its best label left answered.
RULED_OUT = "model, its thrower's signs absent"

RECURSION_REPEATS = 8  # a frame this many times in one stack: recursion a correct program does not print
_NULL_POINTER = "java.lang.NullPointerException"
_STACK_OVERFLOW = "java.lang.StackOverflowError"
_NO_MESSAGE = frozenset({"", "null"})  # a logger prints a null message as "null"


@dataclass(frozen=True)
class Evidence:
    class_name: str  # fully qualified: it goes through configs/labels.yaml like a parsed name
    rule: str  # one of RULES


def _load_table(path: str | Path, key: str, shape: str) -> dict[Any, Any]:
    """The one mapping `key:` a config file holds; a one-line error naming the file otherwise."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict) or set(data) != {key} or not isinstance(data[key], dict):
        raise ValueError(f"{path}: expected one mapping `{key}:` of `{shape}`")
    return data[key]


def _load_mapping(path: str | Path, key: str, shape: str) -> dict[str, str]:
    table = _load_table(path, key, shape)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in table.items()):
        raise ValueError(f"{path}: expected one mapping `{key}:` of `{shape}`")
    return table


@cache
def load_throw_sites(path: str | Path = THROW_SITES_PATH) -> dict[str, str]:
    """`pkg.Class.method` -> the fully qualified class it throws."""
    return _load_mapping(path, "throw_sites", "pkg.Class.method: pkg.ExceptionClass")


@cache
def load_jdk_messages(path: str | Path = JDK_MESSAGES_PATH) -> tuple[tuple[re.Pattern[str], str], ...]:
    """(compiled message pattern, the fully qualified class whose message it is), in file order."""
    table = _load_mapping(path, "jdk_messages", "'regular expression': pkg.ExceptionClass")
    compiled = []
    for pattern, thrown in table.items():
        try:
            compiled.append((re.compile(pattern), thrown))
        except re.error as error:
            raise ValueError(f"{path}: pattern {pattern!r}: {error}") from None
    return tuple(compiled)


@dataclass(frozen=True)
class ThrowerSigns:
    """What a label's thrower leaves in a trace (configs/thrower_signs.yaml documents each field)."""

    message_empty: bool = False
    message: tuple[re.Pattern[str], ...] = ()
    frames: tuple[str, ...] = ()
    masked_frame: bool = False


_SIGN_FIELDS = frozenset(ThrowerSigns.__dataclass_fields__)


def _signs(path: str | Path, label: str, entry: object) -> ThrowerSigns:
    where = f"{path}: {label}"
    if not isinstance(entry, dict) or not entry:
        raise ValueError(f"{where}: expected a mapping of {sorted(_SIGN_FIELDS)}")
    if unknown := sorted(set(entry) - _SIGN_FIELDS):
        raise ValueError(f"{where}: unknown field(s) {unknown}; expected some of {sorted(_SIGN_FIELDS)}")
    patterns, prefixes = entry.get("message", []), entry.get("frames", [])
    flags = {key: entry.get(key, False) for key in _SIGN_FIELDS - {"message", "frames"}}
    if not all(isinstance(value, bool) for value in flags.values()) or not all(
            isinstance(item, list) and all(isinstance(value, str) for value in item) for item in (patterns, prefixes)):
        raise ValueError(f"{where}: flags are true/false, `message` and `frames` lists of strings")
    if not (patterns or prefixes or any(flags.values())):
        raise ValueError(f"{where}: no sign: the label would be ruled out on every trace")
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as error:
            raise ValueError(f"{where}: message pattern {pattern!r}: {error}") from None
    return ThrowerSigns(message=tuple(compiled), frames=tuple(prefixes), **flags)


@cache
def load_thrower_signs(path: str | Path = THROWER_SIGNS_PATH) -> dict[str, ThrowerSigns]:
    """label -> the signs its thrower leaves."""
    table = _load_table(path, "thrower_signs", "label: signs")
    return {str(label): _signs(path, str(label), entry) for label, entry in table.items()}


def _shows_thrower(signs: ThrowerSigns, message: str, classes: tuple[str, ...], masked: bool) -> bool:
    """`classes`: the trace's frames' classes as `frames` prefixes match them; `masked`: a frame is hidden."""
    return ((signs.message_empty and message in _NO_MESSAGE)
            or any(pattern.search(message) for pattern in signs.message)
            or (signs.masked_frame and masked)
            or any(name.startswith(signs.frames) for name in classes))


def ruled_out(trace: Trace) -> frozenset[str]:
    """The labels of configs/thrower_signs.yaml whose thrower left no sign in `trace`, when its root cause's name
    is unreadable; empty when the name is readable (the parser's to read)."""
    root = trace.root_cause
    if root is None or root.class_name or not trace.has_exception:
        return frozenset()
    message = root_message(trace) or ""
    frames = [frame for thrown in trace.chain for frame in _frames_within(thrown)]
    # A prefix is a package or a class ("java.lang.ClassLoader."): a frame's class is matched with its nested part
    # cut off and a dot after it, so `ClassLoader$NativeLibrary` is under `java.lang.ClassLoader.`. Read once for
    # every label.
    classes = tuple({f"{frame.class_name.split('$', 1)[0]}." for frame in frames})
    masked = any(frame.masked or MASK_TOKEN in frame.class_name for frame in frames)
    return frozenset(label for label, signs in load_thrower_signs().items()
                     if not _shows_thrower(signs, message, classes, masked))


def _frames_within(thrown: ThrownException) -> list[Frame]:
    """`thrown`'s frames and those of its suppressed exceptions and their causes."""
    inner = [frame for suppressed in thrown.suppressed for link in (suppressed, *suppressed.cause_chain)
             for frame in _frames_within(link)]
    return [*thrown.frames, *inner]


def root_message(trace: Trace) -> str | None:
    """The root cause's own message without what is left of its unreadable name; None without a root cause."""
    root = trace.root_cause
    if root is None:
        return None
    return MASKED_NAME.sub("", (root.message or "").strip(), count=1).strip()


def thrown_at(trace: Trace) -> str | None:
    """The class the root cause's top frame throws, when the root's own name is unreadable (missing, masked) and
    that frame is a listed throw site; else None."""
    root = trace.root_cause
    if root is None or root.class_name or not root.frames:
        return None
    top = root.frames[0]
    return load_throw_sites().get(f"{top.class_name}.{top.method}")


def _named_by_message(message: str) -> str | None:
    return next((thrown for pattern, thrown in load_jdk_messages() if pattern.search(message)), None)


def null_dereference_message(message: str) -> bool:
    """Whether `message` is the one the JVM writes for a null dereference (JDK 14+'s helpful message, Android's
    runtime's), by configs/jdk_messages.yaml."""
    return _named_by_message(message) == "java.lang.NullPointerException"


def _recursive(trace: Trace) -> bool:
    frames = trace.full_stack()
    counts = Counter((frame.class_name, frame.method, frame.line) for frame in frames)
    return bool(counts) and max(counts.values()) >= RECURSION_REPEATS


def _unreadable_root(trace: Trace) -> ThrownException | None:
    """The root cause the rules may type: one whose name is unreadable (a thread of a thread dump threw nothing)."""
    root = trace.root_cause
    return None if root is None or root.class_name or not trace.has_exception else root


def code_throw(trace: Trace, code: CodeThrows | None) -> Evidence | None:
    """Rule 0 alone: the team's own throw statements (`code`, where the user gave them) type the root cause."""
    root = _unreadable_root(trace)
    thrown = code.thrown_at(root) if root is not None and code is not None else None
    return Evidence(thrown, CODE_THROW) if thrown else None


def evidence(trace: Trace, code: CodeThrows | None = None) -> Evidence | None:
    """The first rule of the module's list that types the root cause, when its name is unreadable; else None.
    `code`: the team's own throw statements (rule 0), where the user gave them."""
    root = _unreadable_root(trace)
    if root is None:
        return None
    found = code_throw(trace, code)
    if found:
        return found
    thrown = thrown_at(trace)
    if thrown:
        return Evidence(thrown, THROW_SITE)
    message = root_message(trace) or ""
    thrown = _named_by_message(message) if message else None
    if thrown:
        return Evidence(thrown, JDK_MESSAGE)
    if _recursive(trace):
        return Evidence(_STACK_OVERFLOW, RECURSION)
    top = root.frames[0] if root.frames else None
    # frames with no exception line above them (a log cut there) show no message and no lack of one: no evidence
    headed = root.message is not None
    if headed and message in _NO_MESSAGE and top and not top.masked and not top.class_name.startswith(JDK_PREFIXES):
        return Evidence(_NULL_POINTER, NULL_CHECK)
    return None
