"""Incident -> log text: the JVM's stack-trace printing, then the way logs carry it (bare, Surefire report,
`Exception in thread`, Spring Boot / logback / log4j2 / JUL prefixes, Tomcat's "with root cause", per-line prefixes
of container logs, the server logs of Elasticsearch, Tomcat's catalina.out and Kafka), plus unrelated lines,
repeated traces, truncation and message-only error lines.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from utils.corpus.model import Incident, StackFrame, Thrown
from utils.corpus.tables import frozen
from utils.parsing.stacktrace import JDK_PREFIXES

LOG_STYLES_FILE = Path(__file__).with_name("log_styles.yaml")
# The styles and what is printed around a trace (jar names, record wordings, the values a document draws from).
_TABLES = frozen(yaml.safe_load(LOG_STYLES_FILE.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class LogStyle:
    """One row of log_styles.yaml: whether the trace follows a prefixed log record, and how omitted frames read."""

    prefixed: bool
    omitted: str  # a key of `omitted:` in log_styles.yaml


def load_log_styles(path: str | Path = LOG_STYLES_FILE) -> dict[str, LogStyle]:
    """The style table, in file order; a malformed row fails in one sentence naming the file."""
    rows = (yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}).get("styles")
    if not isinstance(rows, dict) or not rows:
        raise ValueError(f"{path}: expected a `styles:` mapping of style name to its row")
    table: dict[str, LogStyle] = {}
    for name, row in rows.items():
        shaped = isinstance(row, dict) and set(row) == {"prefixed", "omitted"}
        if not shaped or not isinstance(row["prefixed"], bool) or row["omitted"] not in _TABLES["omitted"]:
            raise ValueError(f"{path}: style {name!r} needs `prefixed: true|false` and `omitted: more|common`")
        if row["prefixed"] and name not in _TABLES["records"]:
            raise ValueError(f"{path}: style {name!r} is prefixed: {LOG_STYLES_FILE.name} needs its `records` layout")
        table[str(name)] = LogStyle(row["prefixed"], row["omitted"])
    return table


LOG_STYLE_TABLE = load_log_styles()
LOG_STYLES = tuple(LOG_STYLE_TABLE)
# Styles whose records carry a prefix (the trace lines follow unprefixed, except k8s).
PREFIXED_STYLES = tuple(name for name, style in LOG_STYLE_TABLE.items() if style.prefixed)


@dataclass
class PrintOptions:
    omitted: str = "more"  # "more" (Throwable.printStackTrace) or "common" (logback: "... N common frames omitted")
    jar_suffix: bool = False  # log4j2 %xEx
    root_first: bool = False  # logback %rEx: root cause first, "Wrapped by:" for each wrapper
    jdk: int = 8
    app_jar: str = "classes/"


def _jar(frame: StackFrame, options: PrintOptions) -> str:
    """log4j2's %xEx after a frame: ` ~[jar:version]`; nothing without it."""
    if not options.jar_suffix:
        return ""
    if frame.cls.startswith(JDK_PREFIXES):
        return f" ~[?:{_TABLES['jdk_runtimes'].get(options.jdk, '?')}]"
    if frame.app:
        return f" ~[{options.app_jar}:?]"
    for prefix, (artifact, version) in _TABLES["jars"].items():
        if frame.cls.startswith(prefix):
            return f" ~[{artifact}-{version}.jar:{version}]"
    return " ~[?:?]"


def _common_suffix(frames: list[StackFrame], enclosing: list[StackFrame]) -> int:
    """Frames at the bottom of `frames` equal to those of `enclosing` (Throwable.printEnclosedStackTrace)."""
    m, n = len(frames) - 1, len(enclosing) - 1
    while m >= 0 and n >= 0 and frames[m] == enclosing[n]:
        m, n = m - 1, n - 1
    return len(frames) - 1 - m


def chain_lines(chain: list[Thrown], options: PrintOptions, rng: random.Random) -> list[str]:
    """The chain as the JVM (or logback / log4j2) prints it, one list item per line."""
    ordered = list(reversed(chain)) if options.root_first else chain
    lines: list[str] = []
    previous: list[StackFrame] = []
    for position, exc in enumerate(ordered):
        head = exc.to_string()
        if position:
            head = ("Wrapped by: " if options.root_first else "Caused by: ") + head
        lines.extend(head.split("\n"))
        common = _common_suffix(exc.frames, previous)
        shown = exc.frames[: len(exc.frames) - common]
        lines.extend(f"\t{frame.render()}{_jar(frame, options)}" for frame in shown)
        if common:
            lines.append(_TABLES["omitted"][options.omitted].format(n=common))
        previous = exc.frames
    return lines


def initials_logger(name: str) -> str:
    """log4j2's %c{1.} (Elasticsearch's layout): every package segment shortened to its first letter."""
    parts = name.split(".")
    return ".".join([part[:1] for part in parts[:-1]] + parts[-1:])


def abbreviate_logger(name: str, width: int) -> str:
    """logback's %logger{width}: package segments shortened to their first letter, left to right."""
    parts = name.split(".")
    for index in range(len(parts) - 1):
        if len(".".join(parts)) <= width:
            break
        parts[index] = parts[index][:1]
    return ".".join(parts)


@dataclass
class Clock:
    """Timestamps for one document, moving forward."""

    rng: random.Random
    year: int = 0
    month: int = 0
    day: int = 0
    seconds: int = 0
    millis: int = 0

    def __post_init__(self) -> None:
        self.year, self.month, self.day = self.rng.randint(2019, 2024), self.rng.randint(1, 12), self.rng.randint(1, 28)
        self.seconds = self.rng.randint(0, 86399)
        self.millis = self.rng.randint(0, 999)

    def tick(self) -> None:
        self.millis += self.rng.randint(1, 900)
        self.seconds = (self.seconds + self.millis // 1000) % 86400
        self.millis %= 1000

    @property
    def hms(self) -> str:
        return f"{self.seconds // 3600:02d}:{self.seconds // 60 % 60:02d}:{self.seconds % 60:02d}"

    def iso(self, sep: str = " ", millis_sep: str = ".") -> str:
        return f"{self.year}-{self.month:02d}-{self.day:02d}{sep}{self.hms}{millis_sep}{self.millis:03d}"

    def jul(self) -> str:
        hour = self.seconds // 3600
        twelve = hour % 12 or 12
        return (
            f"{_TABLES['months'][self.month - 1]} {self.day:02d}, {self.year} {twelve}:{self.seconds // 60 % 60:02d}:"
            f"{self.seconds % 60:02d} {'AM' if hour < 12 else 'PM'}"
        )

    def tomcat(self) -> str:
        return f"{self.day:02d}-{_TABLES['months'][self.month - 1]}-{self.year} {self.hms}.{self.millis:03d}"


@dataclass
class LogLine:
    level: str
    logger: str
    message: str
    thread: str
    method: str = ""  # the logging method where a layout prints it (catalina.out); drawn when empty


@dataclass
class Document:
    """A rendered log and what the corpus row records about it."""

    text: str
    style: str
    variant: str  # "full" | "truncated" | "message_only"
    n_traces: int


class _Drawn:
    """A record slot drawn from the document's randomness only when a layout prints it (so only its rows draw)."""

    def __init__(self, draw: Callable[[], Any]) -> None:
        self.draw = draw

    def __format__(self, spec: str) -> str:
        return format(self.draw(), spec)


class Formatter:
    """One log format: how a record's first line looks (the trace lines follow unprefixed, except `k8s`)."""

    def __init__(self, style: str, rng: random.Random, clock: Clock, pid: int, boot3: bool) -> None:
        self.style = style
        self.rng = rng
        self.clock = clock
        self.pid = pid
        self.boot3 = boot3
        self.log4j_layout = rng.choice(tuple(_TABLES["records"]["log4j2"]))
        self.logback_with_date = rng.random() < 0.6
        self.node = ""  # Elasticsearch: the node name of every record
        if style == "elasticsearch":
            self.node = rng.choice(_TABLES["elasticsearch_nodes"])

    def record(self, line: LogLine) -> list[str]:
        """The record's line(s) in the style's layout (log_styles.yaml `records`, which names the slots)."""
        self.clock.tick()
        c, rng, logger = self.clock, self.rng, line.logger
        slots = {
            "level": line.level,
            "logger": logger,
            "message": line.message,
            "thread": line.thread,
            "thread_tail": line.thread[-15:],
            "pid": self.pid,
            "node": self.node,
            "iso": c.iso(" "),
            "iso_comma": c.iso(" ", ","),
            "iso_t_comma": c.iso("T", ","),
            "boot_stamp": c.iso("T") + "+09:00" if self.boot3 else c.iso(" "),
            "logback_stamp": c.iso(" ") if self.logback_with_date else f"{c.hms}.{c.millis:03d}",
            "jul_stamp": c.jul(),
            "tomcat_stamp": c.tomcat(),
            "jul_level": _TABLES["jul_levels"][line.level],
            **{f"logger{width}": abbreviate_logger(logger, width) for width in (39, 36, 30)},
            "logger_initials": initials_logger(logger),
            "simple": logger.rsplit(".", 1)[-1],
            "source_line": _Drawn(lambda: rng.randint(30, 600)),
            "method": _Drawn(lambda: line.method or rng.choice(_TABLES["logging_methods"])),
            "kafka_context": _Drawn(lambda: self._kafka_context(line)),
        }
        layouts = _TABLES["records"].get(self.style, _TABLES["records"]["default"])
        if isinstance(layouts, dict):  # log4j2: the document's layout
            layouts = layouts[self.log4j_layout]
        return [layout.format_map(slots) for layout in layouts]

    def records(self, lines: list[LogLine]) -> list[str]:
        return [text for line in lines for text in self.record(line)]

    def _kafka_context(self, line: LogLine) -> str:
        """Kafka clients put `[Consumer clientId=..., groupId=...]` before their own messages."""
        if line.level not in ("ERROR", "WARN") or self.rng.random() < 0.4:
            return ""
        group = self.rng.choice(_TABLES["kafka_groups"])
        wording = "kafka_consumer" if "-C-" in line.thread or self.rng.random() < 0.5 else "kafka_producer"
        return _TABLES[wording].format(group=group, n=self.rng.randint(1, 9))

    def k8s_prefix(self) -> str:
        """`kubectl logs --timestamps`: an RFC 3339 timestamp before every line of the container's output."""
        self.clock.tick()
        return f"{self.clock.iso('T')}{self.rng.randint(0, 999999):06d}Z "


@dataclass
class RenderPlan:
    """What the generator decided for one document; `render_document` executes it."""

    style: str
    variant: str  # "full" | "truncated" | "message_only"
    record: LogLine  # the record that carries the trace
    before: list[LogLine] = field(default_factory=list)
    after: list[LogLine] = field(default_factory=list)
    retry: LogLine | None = None  # a WARN record with the same trace before the final one (n_traces 2)
    trim_at_test: bool = False  # Surefire's trimStackTrace: frames below the test method dropped
    surefire_null_message: bool = False  # ...and its trimmed first line says "X: null" when there is no message
    test_frame: StackFrame | None = None
    jar_suffix: bool = False
    root_first: bool = False
    surefire_header: tuple[str, str] | None = None  # (test class, test method)
    surefire_footer: bool = False
    failure_kind: str = "FAILURE"  # Surefire: FAILURE for assertion errors, ERROR otherwise
    outer_for_root_cause: Thrown | None = None  # tomcat_root: the exception named in "threw exception [...]"
    jdk: int = 8
    pid: int = 1
    boot3: bool = False
    app_jar: str = "classes/"

    @property
    def names_outer(self) -> bool:
        """Tomcat's record says "threw exception [outer] with root cause": only the root's trace follows it."""
        return self.outer_for_root_cause is not None and self.style in ("tomcat_root", "catalina")


def trim_chain(chain: list[Thrown], test_frame: StackFrame) -> list[Thrown]:
    """Surefire's trimmed traces: each exception's frames end at the test method."""
    trimmed = []
    for exc in chain:
        frames = exc.frames
        for index, frame in enumerate(frames):
            if frame == test_frame or (frame.cls == test_frame.cls and frame.method == test_frame.method):
                frames = frames[: index + 1]
                break
        trimmed.append(Thrown(exc.cls, exc.message, frames))
    return trimmed


def _truncate(lines: list[str], root_first: bool, rng: random.Random) -> list[str] | None:
    """The trace cut after a random line, keeping the root cause's header and one frame; None if too short."""
    root_index = 0
    if not root_first:
        for index, line in enumerate(lines):
            if line.startswith("Caused by: "):
                root_index = index
    frames_after = [i for i in range(root_index + 1, len(lines)) if lines[i].startswith("\tat ")]
    if len(frames_after) < 3:
        return None
    cut = rng.randint(frames_after[0] + 1, frames_after[-1])
    return lines[:cut]


def render_document(incident: Incident, plan: RenderPlan, rng: random.Random) -> Document:
    options = PrintOptions(
        omitted=LOG_STYLE_TABLE[plan.style].omitted,
        jar_suffix=plan.jar_suffix,
        root_first=plan.root_first,
        jdk=plan.jdk,
        app_jar=plan.app_jar,
    )
    chain = incident.chain
    if plan.trim_at_test and plan.test_frame is not None:
        chain = trim_chain(chain, plan.test_frame)
        if chain[0].message is None and plan.surefire_null_message:  # Surefire writes getMessage() even when null
            chain[0] = Thrown(chain[0].cls, "null", chain[0].frames)
    if plan.style == "tomcat_root" or plan.names_outer:
        chain = [chain[-1]]
    trace = chain_lines(chain, options, rng)
    variant = plan.variant
    if variant == "truncated":
        cut = _truncate(trace, plan.root_first, rng)
        if cut is None:
            variant = "full"
        else:
            trace = cut
    formatter = Formatter(plan.style, rng, Clock(rng), plan.pid, plan.boot3)
    n_traces = 1
    if variant == "message_only":
        out = _message_only_lines(incident, plan, formatter, rng)
    elif plan.style not in PREFIXED_STYLES:
        out = _unprefixed_lines(incident, plan, trace, rng)
    else:
        out, n_traces = _record_lines(plan, trace, formatter, rng)
    if plan.style == "k8s":
        out = [formatter.k8s_prefix() + line for line in out]
    return Document(text="\n".join(out), style=plan.style, variant=variant, n_traces=n_traces)


def _message_only_lines(incident: Incident, plan: RenderPlan, formatter: Formatter, rng: random.Random) -> list[str]:
    """An error record that names the exception in its message, with no trace."""
    out = formatter.records(plan.before)
    root = incident.root
    first = next((part for part in (root.message or "").split("\n") if part.strip()), "").strip()
    shown = f"{root.cls}: {first}" if root.message is not None else root.cls
    shapes = _TABLES["message_only"] + (_TABLES["message_only_with_text"] if root.message is not None else ())
    message = rng.choice(shapes).format(message=plan.record.message, shown=shown)
    out += formatter.record(LogLine(plan.record.level, plan.record.logger, message, plan.record.thread))
    return out + formatter.records(plan.after)


def _unprefixed_lines(incident: Incident, plan: RenderPlan, trace: list[str], rng: random.Random) -> list[str]:
    """The trace as printed to a console: bare, after a Surefire report header, or `Exception in thread`."""
    out: list[str] = []
    if plan.style == "surefire" and plan.surefire_header:
        test_class, test_method = plan.surefire_header
        elapsed = f"{rng.randint(1, 900) / 1000:.3f}"
        if rng.random() < 0.5:  # Surefire 2.x's header; 3.x's prints no skipped count
            header, slots = _TABLES["surefire_header_2"], {"tests": rng.randint(1, 40), "skipped": rng.randint(0, 2)}
        else:
            header, slots = _TABLES["surefire_header_3"], {"tests": rng.randint(1, 40)}
        slots |= {"time": f"{rng.randint(5, 4000) / 1000:.3f}", "elapsed": elapsed, "kind": plan.failure_kind}
        out += [line.format(test_class=test_class, test_method=test_method, **slots) for line in header]
    if plan.style == "thread":
        trace = [f'Exception in thread "{plan.record.thread}" {trace[0]}', *trace[1:]]
    out += trace
    if plan.style == "surefire" and plan.surefire_footer and plan.surefire_header:
        test_class, test_method = plan.surefire_header
        slots = {
            "kind": _TABLES["surefire_footer_kinds"][plan.failure_kind],
            "test": f"{test_class.rsplit('.', 1)[-1]}.{test_method}",
            "line": rng.randint(20, 400),
            "first": (incident.chain[0].message or "").split("\n", 1)[0][:80],
            "tests": rng.randint(2, 60),
        }
        out += [line.format(**slots).rstrip() for line in _TABLES["surefire_footer"]]
    return out


def _record_lines(
    plan: RenderPlan, trace: list[str], formatter: Formatter, rng: random.Random
) -> tuple[list[str], int]:
    """Log records around the one that carries the trace (and a retry's earlier copy); the number of traces."""
    out = formatter.records(plan.before)
    if plan.retry is not None:
        out += formatter.record(plan.retry) + trace
    if plan.names_outer:
        out += formatter.record(_root_cause_record(plan, rng))
        if plan.style == "tomcat_root":
            out.append("")
    else:
        out += formatter.record(plan.record)
    out += trace + formatter.records(plan.after)
    return out, 1 if plan.retry is None else 2


def _root_cause_record(plan: RenderPlan, rng: random.Random) -> LogLine:
    """Tomcat's record for an exception a servlet threw: it names the outer exception, the root's trace follows."""
    assert plan.outer_for_root_cause is not None
    outer = plan.outer_for_root_cause.to_string().split("\n", 1)[0]
    nested = _TABLES["request_failed_boot3" if plan.boot3 else "request_failed"].format(outer=outer)
    logger = _TABLES["servlet_loggers"][plan.style]
    if plan.style == "tomcat_root":  # embedded Tomcat under Spring Boot: the logger names the servlet
        message = _TABLES["servlet_threw"].format(servlet="dispatcherServlet", path="", nested=nested)
        return LogLine("ERROR", logger, message, plan.record.thread)
    servlet, path = rng.choice(_TABLES["servlets"]), rng.choice(_TABLES["context_paths"])
    message = _TABLES["servlet_threw"].format(servlet=servlet, path=path, nested=nested)
    return LogLine("ERROR", logger, message, plan.record.thread, method="invoke")
