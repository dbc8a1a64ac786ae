"""Java stack-trace parsing: log text -> list of `Trace` (exception chain, root cause, frames).

Stdlib only: parsing a large log must not pay for importing torch or transformers.

DATA MODEL CONTRACT (other modules rely on these names; the parser implementation fills them in).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Frame:
    """One `at ...` line."""

    class_name: str  # fully qualified, inner classes kept: "com.bank.ledger.Ledger$Entry"
    method: str  # "post", "<init>", "<clinit>", "lambda$run$0"
    file: str | None = None  # "Ledger.java"; None for "Native Method" / "Unknown Source"
    line: int | None = None
    module: str | None = None  # "java.base" for "java.base/java.lang.Thread.run(Thread.java:833)"
    native: bool = False
    is_library: bool = False  # JDK, test runners, reflection, proxies, common frameworks (see LIBRARY_PREFIXES)
    raw: str = ""  # the line as written, without the log prefix

    @property
    def simple_class(self) -> str:
        """Class name without package: "Ledger$Entry"."""
        return self.class_name.rsplit(".", 1)[-1]

    @property
    def package(self) -> str:
        return self.class_name.rsplit(".", 1)[0] if "." in self.class_name else ""

    @property
    def qualified_method(self) -> str:
        """"pkg.Class.method" (inner-class `$` kept), the form `fix_methods` uses."""
        return f"{self.class_name}.{self.method}"


@dataclass
class ThrownException:
    """One exception of a chain: the first line, a `Caused by:` or a `Suppressed:` block."""

    class_name: str  # as written: "java.net.SocketTimeoutException" or a bare "MyException"
    message: str | None = None  # may span several lines; None when the line has no ": message"
    frames: list[Frame] = field(default_factory=list)
    omitted_frames: int = 0  # the N of "... N more"
    relation: str = "top"  # "top" | "cause" | "suppressed"
    suppressed: list[ThrownException] = field(default_factory=list)

    @property
    def simple_name(self) -> str:
        return self.class_name.rsplit(".", 1)[-1]


@dataclass
class Trace:
    """One stack trace found in a log (or a record saying none was found)."""

    chain: list[ThrownException] = field(default_factory=list)  # top first, then each `Caused by:` in order
    context: list[str] = field(default_factory=list)  # non-trace log lines kept near this trace (prefix stripped)
    log_level: str | None = None  # from the log-line prefix that introduced the trace, if any
    logger: str | None = None
    thread: str | None = None
    timestamp: str | None = None
    start_line: int = 0  # 1-based line numbers in the parsed text
    end_line: int = 0
    text: str = ""  # the trace's own lines, log prefixes removed

    @property
    def has_exception(self) -> bool:
        return bool(self.chain)

    @property
    def root_cause(self) -> ThrownException | None:
        """The deepest `Caused by:` (or the top exception when there is no cause)."""
        return self.chain[-1] if self.chain else None

    @property
    def frames(self) -> list[Frame]:
        """All frames of the chain, top exception first (suppressed blocks excluded)."""
        return [f for exc in self.chain for f in exc.frames]


def parse_log(text: str) -> list[Trace]:
    """Every trace in `text`; never raises. Text with no trace gives one `Trace` with an empty chain."""
    raise NotImplementedError("parser being written")


def parse_trace(text: str) -> Trace:
    """The first trace of `text` (the whole text is expected to be one trace); never raises."""
    traces = parse_log(text)
    return traces[0]
