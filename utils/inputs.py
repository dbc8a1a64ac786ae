"""Model input text built from a parsed `Trace` (stdlib only).

Stage 1 (`build_model_input`) reads the root cause first: the earlier tool read the trace top down and answered with
the outer wrapper (`SQLException`) when the cause was a `SocketTimeoutException`. Then come the root cause's top
frames (its `... N more` restored from the enclosing exception), the outer chain in brief and the log message that
introduced the trace. Packages of application frames are dropped and line numbers left out so that the text stays
within ~128-256 WordPiece tokens (measured on real traces: docs/RESULTS.md).

Stage 2 (`build_stage2_input`) is a one-line summary: type, root cause, location, frames.

`mask_exception_names` hides every exception class name (`[EXC]`), so a model can be trained and evaluated on what
the frames and messages say rather than on the name.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from utils.parsing.stacktrace import (
    MASK_TOKEN,
    MASKED_NAME,
    THROWABLE_SUFFIX,
    Frame,
    ThrownException,
    Trace,
    canonical_placeholders,
)
from utils.stage2.guidance import format_location

# Any Java-like name ending in Exception / Error / Failure / Throwable / Fault, with its package and inner classes:
# "java.net.SocketTimeoutException", "HttpClientErrorException$NotFound", "Outer$InnerError", also a bare "Error".
EXCEPTION_NAME_PATTERN = re.compile(
    rf"(?<![\w$.])(?:[A-Za-z_$][\w$]*\.)*[\w$]*{THROWABLE_SUFFIX}(?:\$[\w$]+)*(?![\w$])"
)
_WHITESPACE = re.compile(r"\s+")
_GENERATED_NOISE = re.compile(r"/(?:0x[0-9a-fA-F]+|\d+)|\$\$[0-9a-f]{4,}\b|(?<=\$\$Lambda)\$\d+")
_GENERIC_TOP_LEVEL = frozenset({"org", "com", "net", "io", "de", "edu", "gov"})

_TOP_LIBRARY_FRAMES = 2  # library frames kept at the top of the stack: where it was thrown (ArrayList.rangeCheck)
_OUTER_MESSAGE_SHARE = 3  # each outer exception's message gets max_message_chars // this
_CONTEXT_LINES = 2
_CONTEXT_CHARS = 160


@dataclass
class InputOptions:
    """How stage-1 input text is built; saved in a model's metadata so prediction rebuilds it the same way.

    mask_exception_names: replace every exception class name by `[EXC]` (chain, messages, context, frames).
    max_frames: frames of the root cause's stack shown (application frames favoured).
    max_message_chars: characters of the root-cause message kept (outer messages get a third of it each).
    structure_hints: say in words what a masked trace shows only by absence or position: "(no message)" after a
        root cause without one, and where it was thrown ("thrown in application code" / "thrown in java.util").
        A frozen, mean-pooled encoder barely feels a missing ": message"; an old-JDK NullPointerException is
        exactly that. Off for models trained before the option (their metadata lacks it).
    """

    mask_exception_names: bool = False
    max_frames: int = 8
    max_message_chars: int = 300
    structure_hints: bool = False


def mask_exception_names(text: str) -> str:
    """`text` with every exception class name (qualified or simple, inner classes included) replaced by `[EXC]`."""
    return _mask_names(text)


def _mask_names(text: str) -> str:  # reachable inside build_model_input, whose flag shadows the public name
    return EXCEPTION_NAME_PATTERN.sub(MASK_TOKEN, text)


def _mask_chain_names(text: str, exceptions: list[ThrownException]) -> str:
    """Also hides the chain's own class names that carry no telltale suffix (`...TooLittleActualInvocations`)."""
    names = {name for exc in exceptions for name in (exc.class_name, exc.simple_name) if len(name) > 2}
    if not names:
        return text
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.sub(rf"(?<![\w$.])(?:{alternatives})(?![\w$])", MASK_TOKEN, text)


def _all_exceptions(trace: Trace) -> list[ThrownException]:
    found: list[ThrownException] = []
    pending = list(trace.chain)
    while pending:
        exc = pending.pop()
        found.append(exc)
        pending.extend(exc.suppressed)
        pending.extend(exc.cause_chain)
    return found


def _one_line(text: str | None, limit: int) -> str:
    # a name another tool hid (`<EXCEPTION>`) reads as one hidden here, before the cut, so the cut falls alike
    flat = _WHITESPACE.sub(" ", canonical_placeholders(text or "")).strip()
    return flat if len(flat) <= limit else flat[: max(limit - 3, 0)].rstrip() + "..."


def _name_and_message(exc: ThrownException) -> tuple[str, str | None]:
    """(the name to show, the exception's own message). A log whose names were masked before it was read leaves the
    parser an unnamed exception whose message still starts with the masked name (`[EXC]: msg`, `[EXC] in thread
    "main" [EXC]: msg`): it is shown as masking a named exception shows it (`[EXC]: msg`), so a model reads the same
    text whether the names were hidden before parsing (predict.py on a masked log) or after (training, evaluate.py)."""
    if not exc.class_name and exc.message:
        rest, masked = MASKED_NAME.subn("", exc.message.lstrip(), count=1)
        if masked:
            return MASK_TOKEN, rest or None
    # no readable name at all (a log whose names were cut off, frames under a line the parser could not read as an
    # exception line): shown as a hidden one, the text the model learnt for an unreadable name
    return exc.class_name or MASK_TOKEN, exc.message


def _exception_text(exc: ThrownException, message_chars: int) -> str:
    name, message = _name_and_message(exc)
    message = _one_line(message, message_chars)
    return f"{name}: {message}" if message else name


def _library_name(package: str) -> str:
    """The part of a library package that names the library: "java.util", "springframework.orm", "zaxxer.hikari"."""
    parts = package.split(".")
    if parts[0] in _GENERIC_TOP_LEVEL and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts[:2])


def _short_frame(frame: Frame, with_line: bool = False) -> str:
    """`PaymentService.pay` for application code; library frames keep the library's name: `java.util ArrayList.get`.
    Generated-class noise (`$$Lambda$12/0x0000000800c0b440`, CGLIB hashes) is cut. A masked frame shows as `[EXC]`,
    as masking the short form of its named frame shows it."""
    where = MASK_TOKEN if frame.masked else _GENERATED_NOISE.sub("", f"{frame.simple_class}.{frame.method}")
    if frame.is_library and frame.package:
        where = f"{_library_name(frame.package)} {where}"
    if with_line and frame.line is not None:
        where = f"{where}:{frame.line}"
    return where


def select_frames(frames: list[Frame], max_frames: int) -> list[int]:
    """Indexes of the frames worth showing, in stack order: the throw site (the top frame, and the next one when
    both are library code: `ArrayList.rangeCheck`, `ArrayList.get`), the library call the application made (the
    frame just above the first application frame), then application frames. A stack without application frames
    shows its top frames. Runner and framework frames below are left out."""
    if max_frames <= 0 or not frames:
        return []
    app = [index for index, frame in enumerate(frames) if not frame.is_library]
    if not app:
        return list(range(min(max_frames, len(frames))))
    chosen: list[int] = [0]
    if len(frames) > 1 and frames[0].is_library and frames[1].is_library:
        chosen.append(1)
    if app[0] - 1 not in chosen and app[0] > 0:
        chosen.append(app[0] - 1)
    # app indexes are distinct, so only the throw-site picks above can repeat one; only max_frames are kept (a
    # StackOverflowError's stack can hold 100,000 application frames)
    taken = set(chosen)
    chosen.extend(itertools.islice((index for index in app if index not in taken), max(0, max_frames - len(chosen))))
    return sorted(chosen[:max_frames])


def _frames_text(frames: list[Frame], max_frames: int, with_line: bool = False) -> str:
    """Selected frames joined by ", "; a gap in the stack shows as "...", library-only gaps included."""
    parts: list[str] = []
    previous = -1
    for index in select_frames(frames, max_frames):
        if index != previous + 1:
            parts.append("...")
        parts.append(_short_frame(frames[index], with_line))
        previous = index
    if frames and previous < len(frames) - 1:
        parts.append("...")
    return ", ".join(parts)


def _as_named(stack: list[Frame]) -> list[Frame]:
    """The stack as masking after parsing shows it to the model. A masked frame (`at [EXC](File.java:12)`: a method
    named like a throwable, hidden with its class) reads as its class would: library code of the frame right below it
    when that frame comes from the same source file (`ReentrantReadWriteLock$Sync.unmatchedUnlockException` above
    `...$Sync.tryReleaseShared`), else application code (a parser's `syntaxError`, a test method
    `testThrowsException`), as most are. The parser keeps it library-like: nobody's place to look."""
    if not any(frame.masked for frame in stack):
        return stack
    shown = list(stack)
    for index, frame in enumerate(stack):
        if not frame.masked:
            continue
        below = next((other for other in stack[index + 1:] if not other.masked), None)
        if below is not None and frame.file and below.file == frame.file and below.is_library and below.package:
            shown[index] = replace(frame, class_name=f"{below.package}.{MASK_TOKEN}", is_library=True)
        else:
            shown[index] = replace(frame, is_library=False)
    return shown


def _throw_site(stack: list[Frame]) -> str:
    """Where the root cause was thrown, in words: a library's name or "application code"."""
    top = stack[0]
    return f"thrown in {_library_name(top.package)}" if top.is_library and top.package else "thrown in application code"


def build_model_input(
    trace: Trace, mask_exception_names: bool = False, max_frames: int = 8, max_message_chars: int = 300,
    structure_hints: bool = False,
) -> str:
    """The stage-1 text for one trace, root cause first:

        <root class>: <root message>
        at <top frames of the root cause, application frames favoured>
        wrapped by <each enclosing exception, innermost first>: <message>
        log: <the log message that introduced the trace>

    `mask_exception_names` replaces every exception class name by `[EXC]` (also in messages, context and frames of
    exception constructors); `max_frames` caps the frames shown; `max_message_chars` caps the root-cause message
    (each outer message gets a third of it); `structure_hints` adds "(no message)" and the throw site (see
    `InputOptions`). A trace without an exception gives its context lines.
    """
    lines: list[str] = []
    root = trace.root_cause
    if root is not None:
        root_text = _exception_text(root, max_message_chars)
        has_message = bool(_one_line(_name_and_message(root)[1], max_message_chars))
        lines.append(root_text if has_message or not structure_hints else f"{root_text} (no message)")
        stack = _as_named(trace.full_stack())
        if stack and structure_hints:
            lines.append(_throw_site(stack))
        if stack:
            lines.append(f"at {_frames_text(stack, max_frames)}")
        outer_chars = max(max_message_chars // _OUTER_MESSAGE_SHARE, 0)
        for exc in reversed(trace.chain[:-1]):
            lines.append(f"wrapped by {_exception_text(exc, outer_chars)}")
    context = [_one_line(line, _CONTEXT_CHARS) for line in trace.context[-_CONTEXT_LINES:] if line.strip()]
    if context:
        lines.append("log: " + " / ".join(context))
    text = "\n".join(lines)
    if mask_exception_names:
        text = _mask_chain_names(_mask_names(text), _all_exceptions(trace))
    return text


_HANGUL = re.compile("[\uac00-\ud7a3]")


def detect_language(text: str) -> str:
    """The explanation language a log suggests when the user chose none: "ko" when it contains Hangul, else "en"."""
    return "ko" if _HANGUL.search(text) else "en"


def build_stage2_input(
    trace: Trace, predicted_label: str, location: Frame | None, max_frames: int = 5, language: str | None = None,
    known: str | None = None,
) -> str:
    """The stage-2 encoder text, root cause first, on one line:

    `[language: <en|ko> | ]type: <label> | root cause: <class>: <message> | location: <File.java:line
    (pkg.Class.method)> | [<known scenario> | ]frames: ...`

    The language is the one the explanation is to be written in: a reader's choice, not something a trace says
    (most Korean-team traces carry no Hangul at all), so it is given, like the type and location. `known` is the
    recalled scenario (utils.stage2.scenarios.format_recall), placed before the frames so truncation cuts frames first.
    """
    root = trace.root_cause
    root_text = _exception_text(root, 200) if root is not None else "none"
    where = format_location(location.file, location.line, location.qualified_method) if location else "unknown"
    frames = _frames_text(trace.full_stack(), max_frames, with_line=True) if root is not None else ""
    prefix = f"language: {language} | " if language else ""
    known_part = f"{known} | " if known else ""
    return (f"{prefix}type: {predicted_label} | root cause: {root_text} | location: {where} | {known_part}"
            f"frames: {frames or 'none'}")
