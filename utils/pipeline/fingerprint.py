"""Failure signatures: what makes two traces "the same failure" (stdlib only).

A signature is the root cause's class, the top application frames (class and method; line numbers only when asked,
lambda and proxy suffixes normalised) and the root message as a template, with its variable parts (numbers, ids,
UUIDs, hex, quoted values, timestamps, hosts and ports) masked. Two repeats of one failure that differ only in a
request id, a value or a timestamp share it; a failure in another method or of another type does not.

`build_corpus.py --real_logs` collapses near-duplicate real traces by it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from utils.parsing.stacktrace import Frame, Trace

_MAX_MESSAGE_CHARS = 300  # a template longer than this adds nothing that tells two failures apart
# Order matters: longer, more specific shapes first, so a UUID is not read as hex runs and numbers.
_VARIABLE_PARTS = (
    ("<uuid>", re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")),
    ("<time>", re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?")),
    ("<host>", re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b")),
    ("<host>", re.compile(r"\b[a-z][\w-]{0,62}(?:\.[a-z][\w-]{0,62}){1,8}:\d{1,5}\b")),
    ("<hex>", re.compile(r"\b0x[0-9a-fA-F]{1,32}\b|\b[0-9a-fA-F]{12,64}\b|@[0-9a-fA-F]{4,16}\b")),
    ("<str>", re.compile(r"\"[^\"\n]{0,200}\"|'[^'\n]{0,200}'")),
    ("<num>", re.compile(r"(?<![\w.])-?\d+(?:[.,]\d+)*(?![\w])")),
)
_GENERATED = re.compile(r"\$\$Lambda\$?[\w$]*(?:/0x[0-9a-fA-F]+|/\d+)?|\$\$EnhancerBy\w*|\$\$FastClassBy\w*|"
                        r"\$Proxy\d+|\$\$\w{6,}|lambda\$\w+\$\d+|\$\d+(?=\.|$)")
_WHITESPACE = re.compile(r"\s+")


def message_template(message: str | None) -> str:
    """`message` with its variable parts masked and whitespace collapsed: `Index 7 out of bounds for length 7`
    and `Index 3 out of bounds for length 5` both give `Index <num> out of bounds for length <num>`."""
    text = _WHITESPACE.sub(" ", (message or "")[: _MAX_MESSAGE_CHARS * 4]).strip()
    for placeholder, pattern in _VARIABLE_PARTS:
        text = pattern.sub(placeholder, text)
    return text[:_MAX_MESSAGE_CHARS]


def normalized_frame(frame: Frame, with_line: bool = False) -> str:
    """`pkg.Class.method` with generated-class and lambda numbering removed (`$$Lambda$12/0x..`, CGLIB, `$1`)."""
    where = _GENERATED.sub("$*", f"{frame.class_name}.{frame.method}")
    return f"{where}:{frame.line}" if with_line and frame.line is not None else where


@dataclass(frozen=True)
class Signature:
    """The parts of a failure signature and their digest."""

    exception: str
    frames: tuple[str, ...]
    message: str

    @property
    def digest(self) -> str:
        joined = "\n".join((self.exception, *self.frames, self.message))
        return hashlib.sha1(joined.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def failure_signature(trace: Trace, app_frames: int = 3, with_lines: bool = False,
                      skip_test_frames: bool = False) -> Signature:
    """The signature of `trace`: root cause class, its top `app_frames` application frames (library frames when it
    has none, so two JDK-only failures still differ by where they were thrown) and its message template.
    `skip_test_frames` (grouping): test code does not count among the application frames unless there is nothing
    else, so one failure reached from several tests is one group."""
    root = trace.root_cause
    stack = trace.full_stack() if root is not None else trace.frames
    application = [frame for frame in stack if not frame.is_library]
    if skip_test_frames:
        from utils.locate.kinds import is_test_frame  # here: the parser-only paths never load the ranker's package

        application = [frame for frame in application if not is_test_frame(frame)] or application
    chosen = application[:app_frames] or stack[:app_frames]
    return Signature(
        exception=root.class_name if root is not None else "",
        frames=tuple(normalized_frame(frame, with_lines) for frame in chosen),
        message=message_template(root.message if root is not None else " / ".join(trace.context[-1:])),
    )
