"""JUnit XML test reports (`TEST-*.xml`, as Maven Surefire / Failsafe, Gradle, Ant and most CI tools write them):
the failed tests' stack traces, read as the log text they were before the report escaped them.

Read as a plain log, a report's traces were mangled: a trace's first line sits behind its `<failure ...>` tag, so the
exception lost its name, and `&lt;`, `&apos;` stayed in messages. Stdlib only (expat, fed chunk by chunk, so a report
of any size is read in bounded memory; only the failures' own texts are kept, not `<system-out>`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.parsers import expat

# The elements whose text is a failed test's trace: JUnit's `failure` and `error`, and the reruns Surefire records
# (`rerunFailure`, `flakyError`, ...), whose trace is their `stackTrace` child.
_TRACE_ELEMENTS = {"failure": "FAILED", "error": "Caused an ERROR"}
_RERUN_ELEMENTS = {"rerunFailure": "FAILED (rerun)", "rerunError": "Caused an ERROR (rerun)",
                   "flakyFailure": "FAILED (flaky)", "flakyError": "Caused an ERROR (flaky)"}
_VERDICTS = _TRACE_ELEMENTS | _RERUN_ELEMENTS
_REPORT_START = re.compile(r"\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<testsuites?[\s>/]", re.DOTALL)
_LOOKED_AT = 4096  # a report's root element comes right after its declaration and comments


class ReportError(Exception):
    """A report that is not well-formed XML (cut short by a killed build, say): `line` is where expat stopped."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


@dataclass
class FailedTest:
    """One failed test's trace. `line`: the report's line where the trace text starts. `lines_match`: the text's
    lines are the report's lines from there (false where the writer escaped its newlines as `&#10;`)."""

    header: str  # Ant's plain formatter's line for it: `Testcase: <method>(<class>): FAILED`
    text: str
    line: int
    lines_match: bool


def is_junit_report(text: str) -> bool:
    """Whether `text` (a file's first chunk) starts as a JUnit XML report: `<testsuite>` or `<testsuites>` as its
    root, after an optional declaration and comments."""
    return _REPORT_START.match(text[:_LOOKED_AT]) is not None


def failed_tests(chunks: Iterable[str]) -> Iterator[FailedTest]:
    """The failed tests of a report given as text chunks, in report order; `ReportError` where it is malformed
    (the failures before that point have been yielded)."""
    reader = _Reader()
    parser = expat.ParserCreate(encoding="utf-8")  # the text is decoded already, whatever its declaration said
    # no buffer_text: each piece of text comes with the line it starts on, the first one's is the trace's line
    parser.StartElementHandler = lambda name, attributes: reader.start(name, attributes)
    parser.EndElementHandler = lambda name: reader.end(name, parser.CurrentLineNumber)
    parser.CharacterDataHandler = lambda data: reader.data(data, parser.CurrentLineNumber)
    try:
        for chunk in chunks:
            parser.Parse(chunk.encode("utf-8"), False)
            yield from reader.take()
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        yield from reader.take()
        raise ReportError(error.lineno, expat.ErrorString(error.code)) from None
    yield from reader.take()


class _Reader:
    """The handlers' state: the test case read, the trace element open, and its text so far."""

    def __init__(self) -> None:
        self.case = ""
        self.suites: list[str] = []  # the suites open (an aggregate nests them)
        self.open: tuple[str, dict[str, str]] | None = None  # (the header's verdict, the element's attributes)
        self.parts: list[str] = []
        self.first_line = self.last_line = 0
        self.reading = False  # inside the text of a trace
        self.done: list[FailedTest] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == "testsuite":  # a failure outside any test case (a class's setup, as Ant writes it) is the suite's
            self.suites.append(attributes.get("name", "?"))
        elif name == "testcase":
            method, owner = attributes.get("name", "?"), attributes.get("classname", "")
            self.case = f"{method}({owner})" if owner else method
        elif self.open is None and name in _VERDICTS:
            self.open, self.parts, self.first_line = (_VERDICTS[name], attributes), [], 0
            self.reading = name in _TRACE_ELEMENTS  # a rerun's trace is its `stackTrace` child, not its own text
        elif self.open is not None:
            self.reading = name == "stackTrace"

    def data(self, data: str, line: int) -> None:
        if self.reading:
            if not self.parts:
                self.first_line = line
            self.parts.append(data)
            self.last_line = line + data.count("\n")  # where the text ends, if its newlines are the file's

    def end(self, name: str, line: int) -> None:
        if name == "testcase":
            self.case = ""
        elif name == "testsuite" and self.suites and self.open is None:
            self.suites.pop()
        if self.open is None or name not in _VERDICTS:
            self.reading = False  # a rerun's `stackTrace` or `system-out` ended
            return
        verdict, attributes = self.open
        text = "".join(self.parts)
        self.open, self.reading = None, False
        if not text.strip():  # a writer that kept only the attributes: the trace's first line from them
            kind, message = attributes.get("type", ""), attributes.get("message", "")
            text = f"{kind}: {message}" if kind and message else kind or message
            self.first_line = line
        matches = bool(self.parts) and self.last_line - self.first_line == text.count("\n")
        case = self.case or f"(suite {self.suites[-1] if self.suites else '?'})"
        self.done.append(FailedTest(f"Testcase: {case}: {verdict}", text, self.first_line or line, matches))

    def take(self) -> list[FailedTest]:
        done, self.done = self.done, []
        return done
