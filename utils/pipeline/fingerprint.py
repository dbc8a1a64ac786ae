"""Failure signatures: what makes two traces "the same failure" (stdlib only).

A signature is the root cause's class, the top application frames (class and method; line numbers only when asked,
lambda and proxy suffixes normalised) and the root message as a template, with its variable parts (numbers, ids,
UUIDs, hex, quoted values, timestamps, hosts and ports) masked. Two repeats of one failure that differ only in a
request id, a value or a timestamp share it; a failure in another method or of another type does not.

`build_corpus.py --real_logs` collapses near-duplicate real traces by it (three frames, test code included);
predict.py's groups key the top application frame outside test code (`grouping=True`), and no frame where the frames
say nothing of the failure: an OutOfMemoryError, and a library's failure whose message names it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from utils.parsing.stacktrace import Frame, ThrownException, Trace

_MAX_MESSAGE_CHARS = 300  # a template longer than this adds nothing that tells two failures apart
# Units a number is written with (time, size, money and counters in Korean): units only, so `5xx` and `4xx`, `2FA`
# and `3DS` stay apart.
_UNITS = ("(?i:[nuµm]?s|secs?|mins?|h|hrs?|d|days?|[kmgt]i?b|b|bytes|[kmg]|px)(?!\\w)"
          # a Korean counter takes its particle right after it: `3회를`, `50000원이`
          "|(?:원|만원|억원|건|개|초|분|시간|일|회|명|번|바이트|줄|행|자|배)(?![0-9A-Za-z_])")
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:[.,]\d+)*(?![\w])")  # a number a template masks: what repeats may vary
# Order matters: longer, more specific shapes first, so a UUID is not read as hex runs and numbers. Each shape is
# tried only when the characters every match of it holds are in the message (most messages have no '-' or quote);
# the last field: a shape masked for grouping only (`mask_paths`).
_VARIABLE_PARTS = (
    ("<uuid>", "-", re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
     False),
    ("<time>", "-:", re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
                                r"(?:Z|[+-]\d{2}:?\d{2})?"), False),
    ("<host>", ".", re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b"), False),
    ("<host>", ".:", re.compile(r"\b[a-z][\w-]{0,62}(?:\.[a-z][\w-]{0,62}){1,8}:\d{1,5}\b"), False),
    ("<hex>", "", re.compile(r"\b0x[0-9a-fA-F]{1,32}\b|\b[0-9a-fA-F]{12,64}\b|@[0-9a-fA-F]{4,16}\b"), False),
    ("<str>", "", re.compile(r"\"[^\"\n]{0,200}\"|'[^'\n]{0,200}'"), False),
    # grouping only: a path of two or more segments (`/data/in/batch-17.csv`, a JCR node), not a URL's (its host
    # is masked before) nor `/ by zero`; real_logs' near-duplicates and evaluate's once-per-failure count keep them
    ("<path>", "/", re.compile(r"(?<![\w:/])(?:/[\w.:-]+){2,}/?"), True),
    ("<num>", "", NUMBER, False),
    # grouping only: a number with its unit glued on (`3000ms`, `512MB`, `50000원`, `3건`), the unit kept
    ("<num>", "", re.compile(rf"(?<![\w.])-?\d+(?:[.,]\d+)*(?={_UNITS})"), True),
)
_GENERATED = re.compile(r"\$\$Lambda\$?[\w$]*(?:/0x[0-9a-fA-F]+|/\d+)?|\$\$EnhancerBy\w*|\$\$FastClassBy\w*|"
                        r"\$Proxy\d+|\$\$\w{6,}|lambda\$\w+\$\d+|\$\d+(?=\.|$)")
_WHITESPACE = re.compile(r"\s+")
# Thrown by whichever allocation found the memory gone, so its frames say where the heap ran out, not why: grouping
# keys it by type and message alone (`Java heap space`, `Metaspace`, ...).
FRAMELESS_TYPES = frozenset({"java.lang.OutOfMemoryError"})
# What a signature's frames are (Signature.frames_are); the reason in words says it (utils/report/text.py).
APPLICATION, TEST_CLASS, LIBRARY = "application", "test class", "library"
NOT_COMPARED, NO_FRAMES = "not compared", "none"
LIBRARY_MESSAGE = "library message"
TEST_CLASS_MARK = ".*"  # a test class's key, `com.acme.FooTest.*`: no method, so never a frame's key
# A lambda's body is named after the method that wrote it (`lambda$settle$0`): grouping keeps that method, since one
# frame must tell two lambdas of one class apart (the other signatures drop it with the number).
_LAMBDA_OWNER = re.compile(r"lambda\$(\w+)\$\d+")
# Grouping keys a failure by its top application frame, as Datadog keys it by the "top meaningful frame": the frames
# below are the path that reached it, and one failure reached by several paths is one failure (chosen on the dev
# set's five tuning projects, README "Group repeated failures").
GROUPING_APP_FRAMES = 1
# A root cause thrown inside library code whose message template keeps this many words and a qualified name names what
# failed (JAXB's `... error loading class <str> listed in org/acme/model/jaxb.index ...`): grouping keys it by type and
# message alone, since the application frame above the library is only the caller that reached it, and one failure
# reached from several callers is one failure; its quoted values stay in the key, since without the caller they may
# be all that tells two failures apart (`No qualifying bean of type 'A'`). A shorter message (`null`, `Connection
# refused`) or one without a qualified name (a wrapper's `Exchange[Message: Hello]`) keeps the caller.
SPECIFIC_MESSAGE_WORDS = 8
_QUALIFIED_NAME = re.compile(r"(?<![\w<$])[A-Za-z_$][\w$]*(?:[./][A-Za-z_$][\w$-]*){2,}")
_PLACEHOLDERS = re.compile("|".join(sorted({re.escape(name) for name, *_ in _VARIABLE_PARTS})))
_CUT_PLACEHOLDER = re.compile(r"<\w*$")  # the 300-character cut can leave `<nu`
_LETTER = re.compile(r"[^\W\d_]")
# Two messages the JVM writes for one failure: the garbage collector gives up (`GC overhead limit exceeded`) when the
# heap is as full as when an allocation fails (`Java heap space`). Grouping gives both one template that names both.
_HEAP_FULL = "Java heap space / GC overhead limit exceeded"
SAME_FAILURE_MESSAGES = {("java.lang.OutOfMemoryError", "GC overhead limit exceeded"): _HEAP_FULL,
                         ("java.lang.OutOfMemoryError", "Java heap space"): _HEAP_FULL}


def message_template(message: str | None, mask_paths: bool = False, keep_quoted: bool = False) -> str:
    """`message` with its variable parts masked and whitespace collapsed: `Index 7 out of bounds for length 7` and
    `Index 3 out of bounds for length 5` both give `Index <num> out of bounds for length <num>`. Paths and
    numbers with a unit glued on (`3000ms`) are masked only when `mask_paths` (grouping); a quoted name
    (`'com.acme.Foo'`, `"cardToken"`: no space, no punctuation of a value) is kept when `keep_quoted`, a quoted
    value or document still masked."""
    text = _WHITESPACE.sub(" ", (message or "")[: _MAX_MESSAGE_CHARS * 4]).strip()
    for placeholder, needed, pattern, grouping_only in _VARIABLE_PARTS:
        if grouping_only and not mask_paths:
            continue
        if all(character in text for character in needed):
            text = pattern.sub(_keep_quoted_name if placeholder == "<str>" and keep_quoted else placeholder, text)
    return text[:_MAX_MESSAGE_CHARS]


_QUOTED_NAME = re.compile(r"[\w.$/-]{1,100}")


def _keep_quoted_name(match: re.Match[str]) -> str:
    return match.group() if _QUOTED_NAME.fullmatch(match.group()[1:-1]) else "<str>"


def normalized_frame(frame: Frame, with_line: bool = False) -> str:
    """`pkg.Class.method` with generated-class and lambda numbering removed (`$$Lambda$12/0x..`, CGLIB, `$1`)."""
    if not frame.qualified_method:  # a frame shown by its file and line only
        return frame.place
    where = _normalized_name(frame.class_name, frame.method)
    return f"{where}:{frame.line}" if with_line and frame.line is not None else where


@lru_cache(maxsize=65536)  # a production log's repeats name the same few thousand methods
def _normalized_name(class_name: str, method: str) -> str:
    return _GENERATED.sub("$*", f"{class_name}.{method}")


def _top_frames(stack: list[Frame], count: int, skip_test_frames: bool) -> list[Frame]:
    """The first `count` application frames (without test code when `skip_test_frames` and any is left), else the
    first `count` frames: read only as far down the stack as that needs."""
    if count <= 0:
        return []
    if skip_test_frames:  # here: the paths that do not skip test code never load the ranker's package
        from utils.locate.kinds import is_test_frame
    application: list[Frame] = []
    non_test: list[Frame] = []
    for frame in stack:
        if frame.is_library:
            continue
        if len(application) < count:
            application.append(frame)
        if not skip_test_frames:
            if len(application) == count:
                break
        elif not is_test_frame(frame):
            non_test.append(frame)
            if len(non_test) == count:
                break
    return non_test or application or stack[:count]


def _grouping_frames(stack: list[Frame], count: int) -> tuple[tuple[str, ...], str]:
    """The top `count` application frames outside test code, with what they are (Signature.frames_are). Where all
    application code is test code: the outer class of the top test frame (one failure seen from several test methods
    of a class is one failure; it may be a shared base such as `...TestSupport`, which is where the failure was
    then). Else the top library frames the trace names (a masked frame names none)."""
    from utils.locate.kinds import is_test_frame
    from utils.locate.names import outer_class

    chosen = _top_frames(stack, count, skip_test_frames=True)
    if chosen and not chosen[0].is_library and is_test_frame(chosen[0]):
        return tuple(dict.fromkeys(outer_class(frame.class_name) + TEST_CLASS_MARK for frame in chosen)), TEST_CLASS
    if chosen and chosen[0].is_library:  # no application frame at all
        chosen = [frame for frame in stack if not frame.masked][:count]
    return tuple(_grouping_name(frame.class_name, frame.method) if frame.qualified_method else frame.place
                 for frame in chosen), _kind(chosen)


@lru_cache(maxsize=65536)
def _grouping_name(class_name: str, method: str) -> str:
    return _normalized_name(class_name, _LAMBDA_OWNER.sub(r"lambda$\1$*", method))


def _message_names_failure(root: ThrownException, template: str) -> bool:
    """The root cause was thrown in library code and its message template names the failure: SPECIFIC_MESSAGE_WORDS
    words once placeholders are taken out, and a qualified name. The thrower is the root cause's own top frame (a
    masked frame is not known to be a library's; without frames of its own the thrower is unknown). Not where the
    message is the application's or the test's: a validation helper (`Objects.requireNonNull(x, "...")`), a test
    framework, an assertion failure, or a name unread (a masked log hides which it is)."""
    thrower = root.frames[0] if root.frames else None
    # most roots are thrown in application code: they stop here, before the tables below are looked up
    if thrower is None or not thrower.is_library or thrower.masked or not root.class_name:
        return False
    from utils.locate.evaluation import is_assertion_class
    from utils.locate.features import VALIDATION_LIBRARY_CLASSES
    from utils.locate.kinds import load_runner_rules

    if (is_assertion_class(root.class_name) or thrower.class_name in VALIDATION_LIBRARY_CLASSES
            or thrower.class_name.startswith(load_runner_rules().runners)):
        return False
    text = _CUT_PLACEHOLDER.sub("", _PLACEHOLDERS.sub(" ", template))
    words = sum(1 for word in text.split() if _LETTER.search(word))
    return words >= SPECIFIC_MESSAGE_WORDS and bool(_QUALIFIED_NAME.search(text))


def _kind(chosen: list[Frame]) -> str:
    return NO_FRAMES if not chosen else LIBRARY if chosen[0].is_library else APPLICATION


@dataclass(frozen=True)
class Signature:
    """The parts of a failure signature and their digest; `frames_are` says what the frames are (application, test
    class, library, not compared, library message, none) for the reason in words, and is not part of the digest."""

    exception: str
    frames: tuple[str, ...]
    message: str
    frames_are: str

    @property
    def digest(self) -> str:
        joined = "\n".join((self.exception, *self.frames, self.message))
        return hashlib.sha1(joined.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def failure_signature(trace: Trace, app_frames: int = 3, with_lines: bool = False,
                      grouping: bool = False) -> Signature:
    """The signature of `trace`: root cause class, its top `app_frames` application frames (library frames when it
    has none, so two JDK-only failures still differ by where they were thrown) and its message template.
    `grouping` (predict.py's groups): GROUPING_APP_FRAMES frames chosen by `_grouping_frames`, without line numbers
    (`app_frames` and `with_lines` do not apply); a FRAMELESS_TYPES root keeps no frames, nor does a library-thrown
    root whose message names the failure (`_message_names_failure`); paths in the message are masked, and
    SAME_FAILURE_MESSAGES read as one."""
    root = trace.root_cause
    exception = root.class_name if root is not None else ""
    stack = trace.full_stack() if root is not None else trace.frames
    message = message_template(root.message if root is not None else " / ".join(trace.context[-1:]), grouping)
    if grouping and exception in FRAMELESS_TYPES:
        frames, frames_are = (), NOT_COMPARED
    elif grouping and root is not None and _message_names_failure(root, message):
        # without the caller to tell them apart, a quoted name is the failure's (`No qualifying bean of type 'A'`)
        frames, frames_are = (), LIBRARY_MESSAGE
        message = message_template(root.message, mask_paths=True, keep_quoted=True)
    elif grouping:
        frames, frames_are = _grouping_frames(stack, GROUPING_APP_FRAMES)
    else:
        chosen = _top_frames(stack, app_frames, False)
        frames, frames_are = tuple(normalized_frame(frame, with_lines) for frame in chosen), _kind(chosen)
    if grouping:
        message = SAME_FAILURE_MESSAGES.get((exception, message), message)
    return Signature(exception=exception, frames=frames, message=message, frames_are=frames_are)
