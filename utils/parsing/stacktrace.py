"""Java stack-trace parsing: log text -> list of `Trace` (exception chain, root cause, frames).

Stdlib only (plus pyyaml, read lazily for the library-package list): parsing a large log must not pay for importing
torch or transformers.

What the parser understands:
- the first exception line (`pkg.FooException: message`, `Exception in thread "main" ...`, a bare class name),
  every `Caused by:`, `Suppressed:` blocks (nested by indentation, attached to their owner, kept out of the main
  chain), logback's root-cause-first `Wrapped by:`, `... N more` / `... N common frames omitted`, messages spanning
  several lines (a message runs until the first frame / `Caused by:` line or the end of the text; when a new log
  record or another exception comes first, only the first line is the message); `...` / `[...]` lines where a pasted
  trace was shortened; `class com.x.FooException: message` (`Class.toString()`); Elasticsearch's one-line chain
  `Top[msg]; nested: Cause[msg2]; nested: Root[msg3];` (the deepest `nested:` is the root cause); Tomcat's
  `Servlet.service() ... threw exception [...] with root cause` line, which becomes the context of the trace after it;
- frames with module / class-loader prefixes (`java.base@17/`, `app//`), jar suffixes (`~[x.jar:1.0]`), `Native
  Method`, `Unknown Source`, files without a line, lambda / proxy / CGLIB classes;
- log files: each line's prefix (timestamp, level, thread, logger: logback, log4j, JUL, Spring Boot, maven
  `[ERROR]`, ...) is removed before the line is read, whether every trace line carries it or only the first; an
  exception named inside a log message (`ERROR ... - Unexpected error: java.net.SocketTimeoutException: Read timed
  out`) is a message-only trace; the lines of the record that introduced a trace are kept as its `context`;
  traces inside JSON log lines (`"stack_trace":"...\\n\\tat ..."`) are unescaped first, and traces a logging
  pattern folded onto one line (`... settled | at a.B.c(B.java:1) | at ...`) unfolded (line numbers then count
  the lines made);
- thread dumps (jstack, `kill -3`, JDK 21's `#1 [4242]` headers and `jcmd Thread.dump_to_file` text with virtual
  threads): each thread (`"name" ... tid=...`, `java.lang.Thread.State: ...`, frames, `- locked <0x..>` / `- waiting
  to lock <0x..>` lines, `Locked ownable synchronizers:`) is a `Trace` of kind "thread" with its state and locks;
  `find_deadlocks` finds threads waiting on each other's monitors or ReentrantLocks.

A class name is only believed when it looks like one: a dotted name whose last part starts upper case, or a
CamelCase name ending in Exception / Error / Failure / Throwable / Fault. Names of the first kind that do not end
that way (`com.bank.rules.RuleViolation`) only start a trace when frames follow, unless their package says what they
are (`org.mockito.exceptions.verification.TooLittleActualInvocations`).
Every step is one pass over the lines with precompiled regexes; nothing here raises on any input text. Time is
linear in the text and memory bounded by a small multiple of it (tests/test_adversarial.py): patterns are anchored
or bounded so that none backtracks more than linearly, repeated groups are capped (each repetition costs the regex
engine stack memory), and caches are per signature, not one slot that two interleaved shapes evict.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

LIBRARY_PACKAGES_PATH = Path(__file__).resolve().parents[2] / "configs" / "library_packages.yaml"
NAME_PLACEHOLDERS_PATH = Path(__file__).resolve().parents[2] / "configs" / "name_placeholders.yaml"


@dataclass
class Frame:
    """One `at ...` line."""

    class_name: str  # fully qualified, inner classes kept: "com.bank.ledger.Ledger$Entry"
    method: str  # "post", "<init>", "<clinit>", "lambda$run$0"
    file: str | None = None  # "Ledger.java"; None for "Native Method" / "Unknown Source"
    line: int | None = None
    module: str | None = None  # "java.base" for "java.base/java.lang.Thread.run(Thread.java:833)" (version dropped)
    native: bool = False
    is_library: bool = (
        False  # JDK, test runners, reflection, proxies, common frameworks (configs/library_packages.yaml)
    )
    raw: str = ""  # the line as written, without the log prefix
    class_loader: str | None = None  # "app" for "app//com.x.Y.z(Y.java:1)"
    jar: str | None = (
        None  # logback/log4j2 packaging suffix: "spring-web-5.3.jar:5.3.20" of "~[spring-web-5.3.jar:5.3.20]"
    )

    @property
    def simple_class(self) -> str:
        """Class name without package: "Ledger$Entry"."""
        return self.class_name.rsplit(".", 1)[-1]

    @property
    def package(self) -> str:
        return self.class_name.rsplit(".", 1)[0] if "." in self.class_name else ""

    @property
    def masked(self) -> bool:
        """Method hidden by masking, with its class (`at [EXC](File.java:12)`: masking hides a dotted name whole):
        the frame is there, unreadable."""
        return self.method == MASK_TOKEN

    @property
    def place(self) -> str:
        """ "Ledger.java:42": what names a frame the log shows by its file and line only (Gradle's short report)."""
        return f"{self.file}:{self.line}" if self.file and self.line is not None else self.file or ""

    @property
    def qualified_method(self) -> str:
        """ "pkg.Class.method" (inner-class `$` kept), the form `fix_methods` uses; "" for a frame whose class and
        method the log does not show (Gradle's short report: a file and line only)."""
        return f"{self.class_name}.{self.method}" if self.class_name or self.method else ""


@dataclass
class ThrownException:
    """One exception of a chain: the first line, a `Caused by:` or a `Suppressed:` block."""

    class_name: str  # as written: "java.net.SocketTimeoutException" or a bare "MyException"
    message: str | None = None  # may span several lines; None when the line has no ": message"
    frames: list[Frame] = field(default_factory=list)
    omitted_frames: int = 0  # the N of "... N more"
    relation: str = "top"  # "top" | "cause" | "suppressed"
    suppressed: list[ThrownException] = field(default_factory=list)
    # For a suppressed exception only: its own `Caused by:` chain (the main chain lives in `Trace.chain`).
    cause_chain: list[ThrownException] = field(default_factory=list)

    @property
    def simple_name(self) -> str:
        return self.class_name.rsplit(".", 1)[-1]

    @property
    def message_exception(self) -> str | None:
        """The throwable class a message starts with, if any: "java.net.ConnectException" for an
        `ExecutionException: java.net.ConnectException: Connection refused` logged without its `Caused by:`."""
        match = _HEADER.match(self.message.lstrip()[:_MAX_LINE_CHARS]) if self.message else None
        if match and _is_throwable_name(match.group("cls")):
            return match.group("cls")
        return None


@dataclass
class LockEvent:
    """A lock line of a thread dump (`- locked <0x..> (a com.x.Account)`) under a thread's frame."""

    # "locked", "waiting to lock", "waiting on", "parking to wait for", "eliminated", or "owns": a java.util.concurrent
    # lock (ReentrantLock, ...) listed under `Locked ownable synchronizers:`
    action: str
    address: str
    class_name: str
    frame_index: int  # the frame it is printed under (-1: before any frame, or an ownable synchronizer)


@dataclass
class Trace:
    """One stack trace found in a log (or a record saying none was found), or one thread of a thread dump
    (`kind` "thread": no exception; `thread`, `thread_state`, its frames in chain[0] and its `locks`)."""

    chain: list[ThrownException] = field(default_factory=list)  # top first, then each `Caused by:` in order
    context: list[str] = field(default_factory=list)  # non-trace log lines kept near this trace (prefix stripped)
    log_level: str | None = None  # from the log-line prefix that introduced the trace, if any
    logger: str | None = None
    thread: str | None = None
    timestamp: str | None = None
    start_line: int = 0  # 1-based line numbers in the text given to parse_log (a decoded trace: the line it was on)
    end_line: int = 0
    text: str = ""  # the trace's own lines, log prefixes removed
    kind: str = "exception"  # or "thread": a thread of a thread dump (jstack, kill -3)
    thread_state: str | None = None  # "BLOCKED (on object monitor)" for a thread
    locks: list[LockEvent] = field(default_factory=list)
    virtual_thread: bool = False  # a JDK 21+ virtual thread (`#31 "" virtual` in `jcmd Thread.dump_to_file`)
    # For a thread: which dump of the parsed text holds it, counted by the `Full thread dump` lines before it (ops
    # keep several dumps, taken seconds apart, in one file; 0: none above it); a lock is held and awaited within one
    # dump only.
    dump: int = 0

    @property
    def has_exception(self) -> bool:
        return bool(self.chain) and self.kind != "thread"

    @property
    def root_cause(self) -> ThrownException | None:
        """The deepest `Caused by:` (or the top exception when there is no cause)."""
        return self.chain[-1] if self.chain else None

    @property
    def frames(self) -> list[Frame]:
        """All frames of the chain, top exception first (suppressed blocks excluded)."""
        return [f for exc in self.chain for f in exc.frames]

    def full_stack(self, index: int = -1) -> list[Frame]:
        """The frames of `chain[index]` with its `... N more` restored: Java omits the last N frames of a cause
        because they equal the last N of the enclosing exception's stack, so they are taken from there."""
        if not self.chain:
            return []
        index = index % len(self.chain)
        stack = list(self.chain[0].frames)
        for position in range(1, index + 1):
            exc = self.chain[position]
            shared = stack[-exc.omitted_frames :] if exc.omitted_frames > 0 else []  # all there is, if the log was cut
            stack = [*exc.frames, *shared]
        return stack


# ---------------------------------------------------------------------------------------------------------------
# The JDK's own packages (a subset of the library list): the ranker and the corpus tell JDK frames from other
# library frames with this one tuple.
JDK_PREFIXES = ("java.", "javax.", "jdk.", "sun.", "com.sun.")

# Library frames: one list, in configs/library_packages.yaml.


@dataclass(frozen=True)
class LibraryRules:
    prefixes: tuple[str, ...]
    generated_markers: tuple[str, ...]


@lru_cache(maxsize=8)
def load_library_rules(path: str | Path = LIBRARY_PACKAGES_PATH) -> LibraryRules:
    """The library prefixes and generated-class markers of `path` (read once per path)."""
    import yaml  # lazily: the parser itself needs no third-party module

    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle) or {}
    return LibraryRules(
        prefixes=tuple(str(p) for p in config.get("prefixes", [])),
        generated_markers=tuple(str(m) for m in config.get("generated_markers", [])),
    )


def is_library_class(class_name: str, extra_prefixes: Iterable[str] = (), rules: LibraryRules | None = None) -> bool:
    """True for JDK, reflection, test-runner, mock, proxy / generated and common framework classes.

    `extra_prefixes` adds package prefixes (e.g. an in-house framework: "com.bank.platform.").
    """
    rules = rules or load_library_rules()
    if class_name.startswith(rules.prefixes) or any(marker in class_name for marker in rules.generated_markers):
        return True
    extra = tuple(extra_prefixes)
    return bool(extra) and class_name.startswith(extra)


def mark_library_frames(traces: Iterable[Trace], extra_prefixes: Iterable[str] = ()) -> None:
    """Recompute `Frame.is_library` of every frame (suppressed blocks included) with extra prefixes."""
    extra = tuple(extra_prefixes)
    rules = load_library_rules()

    def visit(exceptions: list[ThrownException]) -> None:
        for exc in exceptions:
            for frame in exc.frames:
                frame.is_library = is_library_class(frame.class_name, extra, rules)
            visit(exc.suppressed)
            visit(exc.cause_chain)

    for trace in traces:
        visit(trace.chain)


# ---------------------------------------------------------------------------------------------------------------
# Line shapes.

_IDENT = r"[A-Za-z_$][\w$]*"
# Each repetition of a group costs the regex engine stack memory (~170 bytes per `a.` of `a.a.a...A!`), so the
# package depth is capped: real names have a dozen parts, and a longer dotted run is not believed to be a class.
_MAX_CLASS_PARTS = 64
_MAX_CLASS_CHARS = 1_000  # longer names are junk; also keeps them out of the lru caches below
_CLASS = rf"(?:{_IDENT}\.){{0,{_MAX_CLASS_PARTS}}}{_IDENT}"
_CLASS_AT_START = re.compile(_CLASS)
# What `utils.inputs.mask_exception_names` writes for a hidden class name. An exception line left with it names no
# class ("[EXC]: msg", `[EXC] in thread "main" [EXC]: msg`), yet its message, like any, may run over several lines.
MASK_TOKEN = "[EXC]"
_MASKED = rf'(?:{re.escape(MASK_TOKEN)} in thread "[^"]*" )?{re.escape(MASK_TOKEN)}'
MASKED_NAME = re.compile(rf"^{_MASKED}(?::\s?|(?=\n)|$)")


# Names hidden by another tool: its placeholders (configs/name_placeholders.yaml) are read as `[EXC]` where an
# exception line, a `Caused by:` or a frame names a class, so the JVM-evidence rules and the model see one text.
@dataclass(frozen=True)
class NamePlaceholders:
    """Another tool's marks for a hidden exception name: `pattern` matches one at the start of a text, followed by
    ": " or the text's end; `qualified_words` are the simple names the class pattern would otherwise read as a
    class (`java.lang.MASKED`), `runs` the characters whose runs are placeholders (`***`)."""

    pattern: re.Pattern[str]
    qualified_words: frozenset[str]
    runs: frozenset[str]
    anywhere: re.Pattern[str]  # the bracketed words that say "exception", unambiguous inside a message too
    frame: re.Pattern[str]  # `at <MASKED>(File.java:12)`: a frame whose method and class were hidden together
    frame_class: re.Pattern[str]  # a frame's class that is one (`<MASKED>` of `at <MASKED>.evaluate(...)`)
    embedded: re.Pattern[str]  # a bracketed one inside a log message (after prose, where `_EMBEDDED` finds a name)


def _bracketed(words: Sequence[object]) -> str:
    """A regex of `words` in <...>, [...], {...} or {{...}}, any case, a space in a word also matching "_", "-" or
    nothing; one that matches nothing for no words."""
    alternatives = "|".join(r"[ _-]?".join(map(re.escape, str(word).split())) for word in words)
    return rf"(?:\{{\{{|[<\[{{])\s*(?i:{alternatives})\s*(?:\}}\}}|[>\]}}])" if alternatives else "(?!)"


_PLACEHOLDER_KEYS = ("bracketed_words", "bracketed_words_at_name", "runs", "qualified_words")


def _placeholder_config(path: str | Path) -> dict[str, list[str]]:
    import yaml  # lazily, as for the library list

    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle) or {}
    for key, value in config.items():
        if key not in _PLACEHOLDER_KEYS or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{path}: {key!r} must be one of {', '.join(_PLACEHOLDER_KEYS)}, a list of strings")
    if any(len(char) != 1 for char in config.get("runs", [])):
        raise ValueError(f"{path}: each of 'runs' is one character (a run of three or more of it is a placeholder)")
    return {key: list(config.get(key, [])) for key in _PLACEHOLDER_KEYS}


@lru_cache(maxsize=8)
def load_name_placeholders(path: str | Path = NAME_PLACEHOLDERS_PATH) -> NamePlaceholders:
    config = _placeholder_config(path)
    package = rf"(?:{_IDENT}\.){{0,{_MAX_CLASS_PARTS}}}"
    # a bracketed word that says "exception" (`<EXCEPTION>`, with its package or not); no word character after it, so
    # an XML element (`<exception>java.io.IOException</exception>`) is no placeholder
    anywhere = rf"{package}{_bracketed(config['bracketed_words'])}(?![\w$])"
    # where a name stands, also words that hide any value (`[REDACTED]`), runs (`***`) and `java.lang.MASKED`
    runs = "".join(f"|{re.escape(char)}{{3,}}" for char in config["runs"])
    at_name = _bracketed(config["bracketed_words"] + config["bracketed_words_at_name"])
    shape = f"{package}(?:{at_name}{runs})"
    qualified = "|".join(map(re.escape, config["qualified_words"])) or "(?!)"
    name = rf"(?:{shape}|(?:{_IDENT}\.){{1,{_MAX_CLASS_PARTS}}}(?:{qualified})(?![\w$]))"
    return NamePlaceholders(
        # `Exception in thread "main" <MASKED>: msg` (or the thread's word hidden too) reads `[EXC] in thread ...`
        pattern=re.compile(rf"(?:(?:Exception|{name}) in thread (?P<thread>\"[^\"]*\") )?{name}(?=:\s|:$|\s*$)"),
        qualified_words=frozenset(config["qualified_words"]),
        runs=frozenset(config["runs"]),
        anywhere=re.compile(rf"(?<![\w$.])(?:{anywhere})"),
        frame=re.compile(rf"at\s+(?:[^\s/()]*/){{0,2}}?(?P<name>{shape})(?=\s*\()"),
        frame_class=re.compile(shape),
        embedded=re.compile(rf"{_bracketed(config['bracketed_words'])}(?=:\s|:$|\s*$)"),
    )


def canonical_placeholders(text: str) -> str:
    """`text` with every bracketed placeholder that says "exception" (`<EXCEPTION>`, `{{exception}}`) read as
    `[EXC]`, wherever it stands: what the stage-1 model reads of a message naming an exception hidden by another
    tool. Words and runs that hide any value (`[MASKED]`, `[REDACTED]`, `***`) and upper-case words (`State.MASK`)
    are left."""
    return load_name_placeholders().anywhere.sub(MASK_TOKEN, text)


def placeholder_as_mask(text: str) -> str | None:
    """`text` (an exception line's text, or what follows `Caused by:`) with the placeholder another tool wrote for
    the exception's name at its start (`<MASKED>: msg`, `***`, `java.lang.<MASK>: msg`) replaced by `[EXC]`;
    None when it starts with none, or when a throwable's name follows it (`***: java.io.IOException: disk`: the
    name the log does give is read)."""
    stripped = text.strip()
    match = load_name_placeholders().pattern.match(stripped, 0, min(len(stripped), _MAX_LINE_CHARS))
    if match is None:
        return None
    rest = stripped[match.end() :]
    named = _Parser.header_at_start(rest[1:]) if rest.startswith(":") else None
    if named is not None and named[3]:
        return None
    thread = f"{MASK_TOKEN} in thread {match.group('thread')} " if match.group("thread") else ""
    return f"{thread}{MASK_TOKEN}{rest}"


def _placeholder_frame(stripped: str) -> re.Match[str] | None:
    """The frame match of a line `at <MASKED>(File.java:12)`, read as `at [EXC](File.java:12)` (`_FRAME`'s masked
    frame); None for any other line. Only lines `_FRAME` did not match come here, so frames pay nothing."""
    found = load_name_placeholders().frame.match(stripped)
    if found is None:
        return None
    return _FRAME.match(f"{stripped[: found.start('name')]}{MASK_TOKEN}{stripped[found.end('name') :]}")


def _frame_class(class_name: str) -> str:
    """A frame's class, another tool's placeholder for it (`<MASKED>.evaluate`, `org.x.<MASK>.evaluate`,
    `***.evaluate`) read as `[EXC]`, as masking here hides a class named like a throwable (`[EXC].evaluate`)."""
    if class_name[-1:] not in _PLACEHOLDER_ENDS:  # cheap first: most classes end in a letter or digit
        return class_name
    return MASK_TOKEN if load_name_placeholders().frame_class.fullmatch(class_name) else class_name


_PLACEHOLDER_ENDS = frozenset(">]}*#?")


def _is_placeholder_class(class_name: str) -> bool:
    """`java.lang.MASKED`, `java.lang.XXXXX`: a qualified name whose simple name is a placeholder."""
    simple = class_name.rpartition(".")[2]
    if "." not in class_name or not simple.isupper():  # cheap first: an upper-case simple name is rare
        return False
    placeholders = load_name_placeholders()
    return simple in placeholders.qualified_words or (len(simple) >= 3 and simple[0] in placeholders.runs
                                                      and simple == simple[0] * len(simple))


# A masked name where an exception line names its class: at the start of a line's text or inside it after prose,
# followed by ":" or the line's end, as `_EMBEDDED` finds a qualified one ("Error converting x. [EXC]: bad level",
# "An exception occurred processing Appender a [EXC]").
_MASKED_HEADER = re.compile(rf"(?:^|(?<=[\s:=\[(\"']))(?P<name>{_MASKED})(?=:\s|:$|\s*$)")
# The one rule for what ends a throwable's simple name; inputs.py (masking) and locate (the `exception_class`
# feature) build their patterns from it, so the parser, the model input and the ranker agree on what is an exception.
THROWABLE_SUFFIXES = ("Exception", "Error", "Failure", "Throwable", "Fault")
THROWABLE_SUFFIX = "(?:" + "|".join(THROWABLE_SUFFIXES) + ")"
# CamelCase simple names that are surely throwables: "SocketTimeoutException", "Foo$BarError", "ComparisonFailure".
_THROWABLE_SIMPLE = re.compile(rf"(?:[\w$]*\$)?[A-Z]\w*{THROWABLE_SUFFIX}(?:\$[\w$]+)?")
_DOTTED_CLASS = re.compile(rf"(?:[a-z_$][\w$]*\.){{1,{_MAX_CLASS_PARTS}}}[A-Z_$][\w$]*")
# Packages that hold only throwables: "org.mockito.exceptions.verification.TooLittleActualInvocations".
_THROWABLE_PACKAGE = re.compile(r"(?:^|\.)(?:exceptions?|errors?)\.", re.IGNORECASE)
# What every name `_is_throwable_name` accepts contains, lower-cased (a suffix, ThreadDeath, an `exceptions` /
# `errors` package): an ASCII line holding none of them names no throwable (most lines of a log), which substring
# tests tell ~10x faster than the embedded-header regex. A non-ASCII line always gets the regex: the package test
# ignores case as `re` folds it, which is not `str.lower` (`EXCEPTİON`).
_THROWABLE_WORDS = tuple(word.lower() for word in (*THROWABLE_SUFFIXES, "ThreadDeath"))

# A frame whose class and method were masked together: masking hides a method named like a throwable
# ("FilterParser.syntaxError", "ReentrantReadWriteLock$Sync.unmatchedUnlockException"), and what is left,
# `at [EXC](FilterParser.java:88)`, is still a frame of the stack, not words of the message above it.
_FRAME_BODY = (
    r"(?P<prefix>(?:[^\s/()]*/){0,2}?)"  # class loader and module: "java.base@17.0.2/", "app//"
    # a JVM method name holds no "/" (so `java.base/[EXC](...)` is a module and a masked frame, not class `java`)
    r"(?:(?P<cls>[^\s()/]+?(?:/(?:0x[0-9a-fA-F]+|\d+))?)\.(?P<method>[^\s()./]+)"  # hidden classes: "$$Lambda$12/0x..."
    # masked: only with a frame's own source, so words of a message (`at [EXC](field=name)`) stay words
    rf"|(?P<masked>{re.escape(MASK_TOKEN)})(?=\s*\((?:[^\s():]+\.\w+(?::\d+)?|Native Method|Unknown Source)\)))"
    r"\s*\((?P<source>[^()]*)\)?\s*(?P<suffix>.*)"
)
_FRAME = re.compile(rf"at\s+{_FRAME_BODY}")
# A frame as `StackTraceElement.toString()` prints it, without `at ` (JDK 21's `jcmd <pid> Thread.dump_to_file`).
_BARE_FRAME = re.compile(_FRAME_BODY)
_MORE = re.compile(r"\.\.\.\s*(\d+)\s+(?:more|common frames omitted)\b")
_CAUSE = re.compile(r"(?P<word>Caused\s+by|Wrapped\s+by|Suppressed):\s*(?P<rest>.*)", re.IGNORECASE)
# `class ` in front of the name: `Class.toString()`, as in a logged `e.getClass() + ": " + e.getMessage()`.
_HEADER = re.compile(
    rf"(?:Exception in thread \"(?P<thread>[^\"]*)\"\s+)?(?:class\s+)?(?P<cls>{_CLASS})"
    r"(?:(?P<colon>[:;])\s?(?P<msg>.*)|\s*)$"
)
# A class-like token inside a log message, followed by ": " or the line end; `_is_throwable_name` then decides.
_EMBEDDED = re.compile(rf"(?:^|(?<=[\s:=\[(\"']))(?P<cls>{_CLASS})(?=:\s|:$|\s*$)")
_LOCK = re.compile(r"-\s+(?P<action>locked|waiting to lock|waiting on|parking to wait for|eliminated)\s+"
                   r"<(?P<address>[^>]*)>(?:\s*\(a (?P<cls>[^)]*)\))?")
# `"pool-1-thread-2" #14 prio=5 os_prio=0 tid=0x.. nid=0x2b03 waiting for monitor entry [0x..]` (JDK 19+ adds the
# OS thread id: `#14 [11011] prio=5`), or, in the JVM's "Java stack information for the threads listed above",
# just `"pool-1-thread-2":`
_THREAD_HEADER = re.compile(
    r'"(?P<name>[^"]{1,200})"(?:(?:\s+#\d+)?(?:\s+\[\d+\])?(?:\s+daemon)?\s+(?:prio=|os_prio=|tid=|nid=).*|:)$'
)
# JDK 21+: a carrier thread prints the virtual thread it runs where other threads print their state.
_CARRYING = re.compile(r"Carrying virtual thread #\d+$")
# JDK 21's `jcmd <pid> Thread.dump_to_file` (plain text): `#23 "worker-1"` or `#31 "" virtual`, then its frames
# without `at `; later JDKs write `Thread #23 "worker-1" virtual WAITING ...`.
_DUMP_THREAD_HEADER = re.compile(
    r'(?:Thread )?#(?P<tid>\d{1,19}) "(?P<name>[^"]{0,200})"(?P<virtual> virtual)?(?: (?P<state>[A-Z_]{3,20})\b.*)?$'
)
# `jstack -l`: after a thread's frames, `Locked ownable synchronizers:` then `- <0x..> (a ...ReentrantLock$Sync)`
# for each java.util.concurrent lock it holds, or `- None`.
_OWNABLE_HEADER = "Locked ownable synchronizers:"
# A dump's header, as HotSpot prints it (`Full thread dump %s (%s %s):`), after a log prefix if any; not a thread
# named so (its quoted header), nor a line that only mentions one (`Full thread dump requested (SIGQUIT)`).
_DUMP_HEADER_WORDS = "Full thread dump "
_DUMP_HEADER = re.compile(r"(?:^|\s)Full thread dump [^\n]*\):\s*$")
_OWNABLE = re.compile(r"-\s+<(?P<address>[^>]*)>(?:\s*\(a (?P<cls>[^)]*)\))?")
_THREAD_STATE = re.compile(r"java\.lang\.Thread\.State:\s*(?P<state>.+)$")
_JAR_SUFFIX = re.compile(r"~?\[(?P<jar>[^\]]*)\]")
_SOURCE_LINE = re.compile(r"(?P<file>.*?):(?P<line>\d+)$")

# Log-line prefixes. A prefix needs a timestamp or a level word at the line start; then optional thread, pid,
# logger and `(File.java:42)` tokens up to a separator (" - ", " : ", ": ", " | ").
_LEVEL = r"(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|SEVERE|CRITICAL|CONFIG|FINE|FINER|FINEST)"
# JUL's level names in a Korean locale (`Level.getLocalizedName`: Tomcat's `13-Oct-2022 21:46:13.061 심각 [main] ...`,
# JUL's second line `심각: ...`), read as the English ones. Common words too, so one counts only where those write
# it: right after a time and before `[thread]`, or before a colon on the line after JUL's time line (`_Parser.line`).
_LOCALIZED_LEVELS = {"심각": "SEVERE", "경고": "WARNING", "정보": "INFO", "구성": "CONFIG", "미세": "FINE",
                     "보다 미세": "FINER", "가장 미세": "FINEST"}
_LEVEL_KO = "(?:" + "|".join(sorted(_LOCALIZED_LEVELS, key=len, reverse=True)) + ")"
_TIMESTAMP = re.compile(
    r"\[?(?:"
    r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,9})?(?:\s?(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT))?"
    r"|\d{4}/\d{2}/\d{2}[ T]\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
    r"|(?P<jeus>\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?)"  # JEUS: [2026.12.07 10:00:00][0]
    r"|(?P<weblogic>####<[A-Z][a-z]{2} \d{1,2}, \d{4},? \d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?(?: [AP]M)?"  # WebLogic
    r"(?: (?:[A-Z]{2,5}|GMT[+-]\d{1,2}:?\d{2}))?>)"
    r"|\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"  # Tomcat: 01-Mar-2024 10:15:30.123
    r"|\d{1,2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?"  # access-log style
    # JUL: Mar 01, 2024 10:15:30 AM; in a Korean locale 3월 01, 2024 10:15:30 오전
    r"|(?P<jul>(?:[A-Z][a-z]{2}|\d{1,2}월) \d{1,2}, \d{4},? \d{1,2}:\d{2}:\d{2}(?:\s?(?:[AP]M|오전|오후))?)"
    r"|(?:[A-Z][a-z]{2} )?[A-Z][a-z]{2}\s{1,2}\d{1,2} \d{2}:\d{2}:\d{2}(?: \d{4})?"  # syslog: Mar  1 10:15:30
    # WebSphere's SystemOut.log: [12/7/26 10:00:00:123 KST], in a Korean locale [26. 12. 7   10:00:00:123 KST]
    r"|(?P<websphere>(?:\d{1,2}/\d{1,2}/\d{2}|\d{2}\. \d{1,2}\. \d{1,2}\.?) +\d{1,2}:\d{2}:\d{2}:\d{3} [A-Z]{2,5})"
    r"|\d{2}/\d{2}/\d{2,4} \d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
    r"|\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"  # logback default: 10:15:30.123
    r")\]?(?:(?=[\s|]|$)|(?(jeus)(?<=\])(?=\[)|(?!)))"  # JEUS glues its next bracket on
)
_LEAD_LEVEL = re.compile(rf"(?:\[(?P<thread>[^\]]{{1,120}})\]\s+)?(?:\[?(?P<level>{_LEVEL})\]?(?::|(?=\s)|$)"
                         rf"|(?P<level_ko>{_LEVEL_KO}):)")
# After a timestamp: up to three tokens (thread, pid, ...) before the level.
_LEVEL_AFTER_TS = re.compile(
    rf"\s*(?:[|]\s*)?(?:(?P<before>(?:(?:\[[^\]]{{0,120}}\]|[^\s\[\]]{{1,80}})\s+){{0,3}}?)"
    rf"\[?(?P<level>{_LEVEL})\]?(?::|(?=\s)|$)|(?P<level_ko>{_LEVEL_KO})(?= \[))"  # Tomcat's `정보 [main]`
)
# After the level: thread, pid, "---", logger, "(File.java:42)" tokens, then a separator; the message follows.
# (Spring Boot abbreviates Tomcat's logger to "o.a.c.c.C.[.[.[/].[dispatcherServlet]".)
# (The dotted logger's parts are capped like `_CLASS`'s: each repetition costs the regex engine stack memory.)
_TAIL_TOKEN = (
    rf"(?:\d+|---|\[[^\]]{{0,200}}\]|\([^)]{{0,200}}\)|\{{[^}}]{{0,200}}\}}|[\w$]+(?:\.[\w$\[\]/]+){{1,{_MAX_CLASS_PARTS}}}"
    r"(?::\d+)?)"
)
_TAIL_TOKENS = re.compile(_TAIL_TOKEN)
_TAIL = re.compile(rf"(?P<tokens>(?:\s+{_TAIL_TOKEN}){{0,6}})(?:\s+(?P<bare>[\w$]+))?\s*(?:-{{1,3}}>?|:|\|)(?:\s|$)")
_THREAD_THEN_LOGGER = re.compile(
    rf"\s+\[(?P<thread>[^\]]{{0,120}})\](?:\s+(?P<logger>[\w$]+(?:\.[\w$]+){{2,{_MAX_CLASS_PARTS}}}))?(?:\s|$)"
)
# WebLogic's fields after its time: `<Error> <HTTP> <host> <server> <[ACTIVE] ExecuteThread: '0' for queue: '...'>
# <<WLS Kernel>> <> <> <1796637600123> <BEA-101020> <message`: the severity, the subsystem (read as the logger), the
# thread; the message follows the last `<`.
_WEBLOGIC_SEVERITIES = {"Emergency": "CRITICAL", "Alert": "CRITICAL", "Critical": "CRITICAL", "Error": "ERROR",
                        "Warning": "WARNING", "Notice": "NOTICE", "Info": "INFO", "Debug": "DEBUG", "Trace": "TRACE"}
_WEBLOGIC_FIELDS = re.compile(
    r" <(?P<level>" + "|".join(_WEBLOGIC_SEVERITIES) + r")> <(?P<logger>[^<>]{0,80})> <[^<>]{0,200}> <[^<>]{0,200}> "
    r"<(?P<thread>[^<>]{0,300})> <(?:<[^<>]{0,120}>|[^<>]{0,120})> <[^<>]{0,200}> <[^<>]{0,300}> <\d*> "
    r"(?:<\[[^<>]{0,400}> )?<[^<>]{0,40}> <")  # 12.2.1+: `<[severity-value: 8] [rid: 0] ... >` before the id
# WebSphere's fields after its time: the thread id, the logger's short name, the event type (`E`, `W`, `I`, ...; `O`
# and `R` are System.out and System.err, no level), then the message.
_WEBSPHERE_TYPES = {"F": "FATAL", "E": "ERROR", "W": "WARNING", "A": "INFO", "I": "INFO", "C": "CONFIG", "D": "FINE",
                    "1": "FINE", "2": "FINER", "3": "FINEST", "O": None, "R": None, "Z": None}
_WEBSPHERE_FIELDS = re.compile(r" (?P<thread>[0-9a-fA-F]{8}) (?P<logger>\S{1,60}) +(?P<type>[FEWAICD123ORZ])(?: +|$)")
_JUL_TAIL = re.compile(r"\s*(?P<logger>[\w$.]+)\s+(?P<method>[\w$<>]+)\s*$")
_BRACKET = re.compile(r"\[([^\]]*)\]")
_PREFIX_FIRST_CHARS = frozenset("0123456789[ACDEFIJMNOSTW#") | {name[0] for name in _LOCALIZED_LEVELS}


@dataclass(slots=True)  # one per log line: slots keep the per-line cache small
class _Prefix:
    timestamp: str | None = None
    level: str | None = None
    thread: str | None = None
    logger: str | None = None
    localized: bool = False  # a Korean level word alone before a colon: JUL's second line only (`_Parser.line`)

    def signature(self) -> tuple[str | None, str | None, str | None]:
        return (self.level, self.thread, self.logger)


def _split_prefix(line: str) -> tuple[_Prefix | None, str]:
    """(prefix fields, message body) of one log line; (None, line) when the line has no log prefix."""
    if not line or line[0] not in _PREFIX_FIRST_CHARS:
        return None, line
    prefix = _Prefix()
    match = _TIMESTAMP.match(line)
    if match:
        prefix.timestamp = match.group(0).strip("[]#<>")  # WebLogic's `####<...>` too
        pos, kind = match.end(), match.lastgroup  # the named stamp it is, if any (one lookup, not one per name)
        if kind == "weblogic" and (fields := _WEBLOGIC_FIELDS.match(line, pos)):
            prefix.level = _WEBLOGIC_SEVERITIES[fields.group("level")]
            prefix.thread, prefix.logger = fields.group("thread") or None, fields.group("logger") or None
            return prefix, line[fields.end():]
        if kind == "websphere" and (fields := _WEBSPHERE_FIELDS.match(line, pos)):
            prefix.level, prefix.thread = _WEBSPHERE_TYPES[fields.group("type")], fields.group("thread")
            prefix.logger = fields.group("logger")
            return prefix, line[fields.end():]
        if kind == "jul":
            jul = _JUL_TAIL.match(line, pos)
            if jul:  # JUL header line "Mar 01, 2024 10:15:30 AM com.bank.App main": the message is on the next line
                prefix.logger = jul.group("logger")
                return prefix, line[pos:].strip()
        level = _LEVEL_AFTER_TS.match(line, pos)
        if level:
            prefix.level = level.group("level") or _LOCALIZED_LEVELS[level.group("level_ko")]
            before = level.group("before") or ""
            thread = _BRACKET.search(before)
            prefix.thread = thread.group(1) if thread else (before.split()[0] if before.strip() else None)
            pos = level.end()
    else:
        level = _LEAD_LEVEL.match(line)
        if not level:
            return None, line
        named = level.group("level")
        prefix.level = named if named is not None else _LOCALIZED_LEVELS[level.group("level_ko")]
        prefix.thread, prefix.localized = level.group("thread"), named is None
        pos = level.end()
    # JBoss's `] (` looked for first: the regex is tried only on lines that hold it
    jboss = _CATEGORY_THEN_THREAD.match(line, pos) if line.find("] (", pos, pos + 260) >= 0 else None
    tail = _TAIL.match(line, pos) if jboss is None else None
    if jboss is not None:  # its message may start with an id: `UT005023: ...`
        prefix.logger, prefix.thread = jboss.group("category"), jboss.group("thread")
        body = line[jboss.end() + 1 :] if line.startswith(" ", jboss.end()) else line[jboss.end() :]
    elif tail:
        body = line[_read_tail(line, tail, prefix) :]
    elif bracketed := _THREAD_THEN_LOGGER.match(line, pos):  # Tomcat: "SEVERE [main] o.a.c.Foo.start message"
        prefix.thread = prefix.thread or bracketed.group("thread").strip()
        prefix.logger = bracketed.group("logger")
        body = line[bracketed.end() :]
    else:
        body = line[pos:]
        body = body[1:] if body.startswith(" ") else body
    return prefix, body


def _read_tail(line: str, tail: re.Match[str], prefix: _Prefix) -> int:
    """Thread and logger of the tokens after the level (`_TAIL`) into `prefix`; returns where the body starts."""
    body_start = tail.end()
    after_dashes: list[str] | None = None  # Spring Boot's bracket tokens after its `---`
    for token_match in _TAIL_TOKENS.finditer(line, tail.start("tokens"), tail.end("tokens")):
        token = token_match.group(0)
        if (_is_exception_token(token) or token == MASK_TOKEN) and _colon_follows(line, token_match.end(), tail.end()):
            # "12:00:00 ERROR java.lang.IllegalStateException: boom": no logger; the ": " after the name is the
            # exception's own, so the body (the exception line) starts at the name.
            body_start = token_match.start()
            break
        if token == "---":
            after_dashes = []
        elif after_dashes is not None and token.startswith("["):
            after_dashes.append(token.strip("[] "))
        if token.startswith("[") and prefix.thread is None:
            prefix.thread = token.strip("[] ")
        elif "." in token and token[0] not in "([{":
            prefix.logger = token.split(":", 1)[0]
    else:
        bare = tail.group("bare")
        if bare and _is_exception_token(bare) and _colon_follows(line, tail.end("bare"), tail.end()):
            body_start = tail.start("bare")
        elif bare:
            prefix.logger = bare
    if after_dashes and len(after_dashes) > 1:
        # Spring Boot 3.2+: `--- [myapp] [exec-1] [traceId-spanId] logger`: the application's name comes first and
        # the correlation id (hex, or blank when there is no trace) last, so the thread is the last other one.
        named = [token for token in after_dashes if not _CORRELATION_ID.fullmatch(token)] or after_dashes
        prefix.thread = named[-1]
    return body_start


_CORRELATION_ID = re.compile(r"[0-9a-fA-F]*-?[0-9a-fA-F]*")
# JBoss / WildFly (`%-5p [%c] (%t) %s%e`): the logger's category in brackets (a dotted name, or stdout / stderr: not
# a thread such as log4j's `[%t]`; JBoss 4-6 write `[STDERR]`), then the thread in parentheses (EAP 6's
# `(http-/0.0.0.0:8080-1)`; no source location, `(Foo:42)`, `(?:?)`, nor a dotted class name, as other patterns'
# parentheses hold)
_CATEGORY_THEN_THREAD = re.compile(
    r"\s+\[(?P<category>[\w$-]+(?:\.[\w$-]+)+|(?i:stdout|stderr))\]\s+"
    r"\((?P<thread>(?![\w$]+(?:\.[\w$]+)+\)|Unknown Source\)|Native Method\)|(?:[\w$.]+|\?):(?:\d+|\?)\))"
    r"[^()]{1,200})\)")


def _is_throwable_name(class_name: str) -> bool:
    """A name that surely denotes a throwable: CamelCase ...Exception/Error/..., a class in an `exceptions`
    package, or dotted `java.lang.Error` / `java.lang.Throwable`. A name over `_MAX_CLASS_CHARS` is none (checked
    before the cache, which would otherwise keep huge junk strings alive)."""
    return len(class_name) <= _MAX_CLASS_CHARS and _is_throwable_name_cached(class_name)


@lru_cache(maxsize=8192)
def _is_throwable_name_cached(class_name: str) -> bool:
    simple = class_name.rsplit(".", 1)[-1]
    if _THROWABLE_SIMPLE.fullmatch(simple):
        return True
    if "." not in class_name or not simple[:1].isupper():
        return False
    return simple in ("Error", "Exception", "Throwable", "ThreadDeath") or bool(_THROWABLE_PACKAGE.search(class_name))


def _colon_follows(line: str, start: int, end: int) -> bool:
    """Only spaces, then the `:` separator, between `start` and `end` (the end of the prefix)."""
    return line[start:end].lstrip().startswith(":")


def _is_exception_token(token: str) -> bool:
    """A logger-like token of a log prefix that is really an exception's class name: its simple name ends in
    Exception / Error / ... (stricter than `_is_throwable_name`: a logger `com.x.errors.Reporter` stays a logger)."""
    return len(token) <= _MAX_CLASS_CHARS and _is_exception_token_cached(token)


@lru_cache(maxsize=8192)
def _is_exception_token_cached(token: str) -> bool:
    return token[:1] not in "([{" and bool(_THROWABLE_SIMPLE.fullmatch(token.rsplit(".", 1)[-1]))


def _is_plausible_class(class_name: str) -> bool:
    """Throwable names, or a dotted name with a capitalised last part (believed only when frames follow)."""
    return len(class_name) <= _MAX_CLASS_CHARS and _is_plausible_class_cached(class_name)


@lru_cache(maxsize=8192)
def _is_plausible_class_cached(class_name: str) -> bool:
    return _is_throwable_name(class_name) or bool(_DOTTED_CLASS.fullmatch(class_name))


def _is_elided(body: str) -> bool:
    """`...` / `[...]` alone on a line (indentation allowed; long lines are surely something else)."""
    return len(body) < 40 and body.strip() in _ELIDED_LINES


_NO_LISTING = 1 << 30  # a `header_width` no indentation exceeds: no throwable line continues the message
_JUL_LEVELS = frozenset(("SEVERE", "WARNING", "INFO", "CONFIG", "FINE", "FINER", "FINEST"))


def _listing_width(width: int, message: str | None) -> int:
    """The `continuation` width under which an exception line (indented `width`) lists failures: its indentation,
    except after RMI's "...; nested exception is:", whose indented throwable lines are its causes (the last one the
    root cause when no `Caused by:` follows), each read as a trace of its own as before."""
    if message is not None and message.rstrip().endswith("nested exception is:"):
        return _NO_LISTING
    return width


def _jul_named_record(prefix: _Prefix | None, level_line: _Prefix | None) -> bool:
    """`_jul_record_start` whose first line names the logger and whose second is a JUL level line."""
    return (_jul_record_start(prefix, level_line) and bool(prefix.logger)
            and level_line.level in _JUL_LEVELS)


_NAMING_LINES = 3  # lines naming an exception that may stand above its trace


def _other_thread(prefix: _Prefix | None, own: _Prefix | None) -> bool:
    """Whether `prefix` and `own` are both stamped lines with a thread, and the threads differ."""
    return (prefix is not None and own is not None and prefix.timestamp is not None and own.timestamp is not None
            and prefix.thread is not None and own.thread is not None and prefix.thread != own.thread)


def _stream_after_record(prefix: _Prefix | None, own: _Prefix) -> bool:
    """Whether `prefix` is a record with a level of the thread whose unlevelled stream line (WebSphere's `R`, what
    `printStackTrace` wrote to System.err) `own` is."""
    return (prefix is not None and prefix.level is not None and own.level is None and own.thread is not None
            and prefix.thread == own.thread)


def _jul_record_start(prefix: _Prefix | None, level_line: _Prefix | None) -> bool:
    """Whether `prefix` can be JUL's first record line (a time, no level) before the `level_line` prefix of its
    second ("SEVERE: message": no time)."""
    return (prefix is not None and prefix.timestamp is not None and prefix.level is None
            and level_line is not None and level_line.timestamp is None)


def _indent_width(body: str) -> int:
    stripped = body.lstrip(" \t")
    indent = body[: len(body) - len(stripped)]
    return indent.count(" ") + 4 * indent.count("\t")


def _parse_frame(match: re.Match[str], raw: str, rules: LibraryRules, extra: tuple[str, ...]) -> Frame:
    parts = match.group("prefix").split("/")[:-1]
    class_loader = module = None
    if len(parts) == 2:  # "loader/module@ver/" or "app//"
        class_loader, module = parts[0] or None, parts[1] or None
    elif len(parts) == 1:
        module = parts[0] or None
    if module:
        module = module.split("@", 1)[0] or None
    source = match.group("source").strip()
    file: str | None = None
    line: int | None = None
    native = source == "Native Method"
    if source and not native:
        with_line = _SOURCE_LINE.match(source)
        if with_line:
            file, line = with_line.group("file") or None, int(with_line.group("line")[:9])
        else:
            file = source
        if file in ("Unknown Source", "<generated>", "Unknown"):
            file = None
    jar = _JAR_SUFFIX.search(match.group("suffix"))
    masked = match.group("masked") is not None
    class_name = MASK_TOKEN if masked else _frame_class(match.group("cls"))
    return Frame(
        class_name=class_name,
        method=MASK_TOKEN if masked else match.group("method"),
        file=file,
        line=line,
        module=module,
        native=native,
        # an unreadable frame is nobody's place to look: library-like, so locating and grouping pass over it
        is_library=masked or is_library_class(class_name, extra, rules),
        raw=raw,
        class_loader=class_loader,
        jar=jar.group("jar") if jar else None,
    )


_DIGITS_AT_END = tuple("0123456789")


def _gradle_exception(match: re.Match[str], relation: str) -> ThrownException:
    frames = [Frame(class_name="", method="", file=match["file"], line=int(match["line"]), raw=match.group(0).strip())
              ] if match["file"] else []
    return ThrownException(class_name=match["cls"], frames=frames, relation=relation)


def _cause_text(line: _Line) -> str:
    """What follows a `Caused by:` / `Suppressed:` / `Wrapped by:`, another tool's placeholder for the name read as
    `[EXC]`."""
    rest = line.match.group("rest").strip()
    return placeholder_as_mask(rest) or rest


def _split_exception_line(text: str) -> tuple[str, str | None]:
    """(class, message) of the text after `Caused by:`; odd lines ("Foo(detail)") keep the leading name,
    Elasticsearch's `FooException[message]; nested: ...` gives the name and the message without the brackets."""
    header = _HEADER.match(text)
    if header:
        return header.group("cls"), header.group("msg") if header.group("colon") else None
    name = _CLASS_AT_START.match(text)
    if not name:
        return "", text or None
    if text.startswith("[", name.end()) and _is_throwable_name(name.group(0)):
        nested = _nested_segment(text.split(_NESTED, 1)[0])
        if nested is not None:
            return nested
    return name.group(0), text[name.end() :].lstrip(" :;") or None


# Elasticsearch's one-line chain (`ExceptionsHelper.detailedMessage`): `Top[msg]; nested: Cause[msg2]; nested: Root;`
# (a cause without a message has no brackets; the top one may be printed `pkg.Top: msg` by its own toString).
_NESTED = "; nested: "
_MAX_NESTED = 50  # causes read from one line
_NESTED_TOP = re.compile(rf"(?:^|(?<=[\s:\]]))(?P<cls>{_CLASS})(?=\[|:\s|:$|$)")
_THROWABLE_WORD = re.compile(THROWABLE_SUFFIX)


def _is_nested_name(name: str) -> bool:
    """A throwable's name, or a capitalised one with a throwable word inside ("NotSerializableExceptionWrapper"):
    prose such as "Options; nested: True" names no exception."""
    return _is_plausible_class(name) or (name[:1].isupper() and bool(_THROWABLE_WORD.search(name)))


def _nested_segment(segment: str) -> tuple[str, str | None] | None:
    """(class, message) of one `Name[message]` / `Name: message` / `Name` part of an Elasticsearch chain."""
    segment = segment.strip().removesuffix(";").rstrip()
    name = _CLASS_AT_START.match(segment)
    if name is None or not _is_nested_name(name.group(0)):
        return None
    rest = segment[name.end() :]
    if rest.startswith("["):
        close = rest.rfind("]")  # the message's own brackets ("failed to parse [field]") stay in it
        return name.group(0), rest[1:close] if close > 0 else rest[1:]
    return name.group(0), rest.lstrip(" :") or None


def _nested_chain(body: str) -> tuple[int, list[ThrownException]] | None:
    """(column where the chain starts, its exceptions) of a line holding an Elasticsearch one-line chain; None when
    no `; nested:` part names an exception."""
    segments = body[:_MAX_LINE_CHARS].split(_NESTED, _MAX_NESTED)
    chain: list[ThrownException] = []
    for segment in segments[1:]:
        read = _nested_segment(segment)
        if read is None:
            break
        chain.append(ThrownException(class_name=read[0], message=read[1], relation="cause"))
    if not chain:
        return None
    column = len(segments[0]) + len(_NESTED)  # no exception before the first `nested:`: the chain starts there
    for match in _NESTED_TOP.finditer(segments[0]):
        if _is_throwable_name(match.group("cls")):
            top = _nested_segment(segments[0][match.start() :])
            if top is not None:
                column = match.start()
                chain.insert(0, ThrownException(class_name=top[0], message=top[1]))
            break
    chain[0].relation = "top"
    return column, chain


# ---------------------------------------------------------------------------------------------------------------
# The parser: one pass over the lines; each line is split and classified once (cached).

# a message longer than this (without reaching a frame) is not taken as one message; a validation error listing
# every field runs to hundreds of lines (at 200 such a message was cut, and its frames made a second trace)
MAX_CONTINUATION_LINES = 1000
_MAX_CONTINUATION_CHARS = 50_000
_MAX_DEAD_ENDS = 64  # continuation scans remembered (one per header signature)
_CACHE_BEHIND = 256  # split lines kept cached behind the parse position
_MAX_CONTEXT_LINES = 3  # non-trace lines kept before a trace
_MAX_CONTEXT_CHARS = 500  # per context line
_MAX_NO_TRACE_CONTEXT_LINES = 50
_MAX_LINE_CHARS = 20_000  # longer lines are only searched this far for an exception line
_BLANK_RUN_INSIDE_TRACE = 2  # blank lines tolerated between frames
_ELIDED_RUN_INSIDE_TRACE = 2  # elided lines (`...`, `[...]`) tolerated between frames / before a `Caused by:`
# A line that says "frames were cut here" when a trace is pasted shortened.
_ELIDED_LINES = frozenset(("...", "[...]", "\u2026", "[\u2026]", "(...)"))

# Tomcat's "Servlet.service() for servlet [x] in context with path [] threw exception [Request processing failed;
# nested exception is java.lang.IllegalStateException: boom] with root cause", then the root cause's own trace.
# That trace is the one kept, with this line as its context: the wrapper (NestedServletException / ServletException)
# is printed only through its message, without its class name, so a chain holding it would have to invent a name,
# and the root cause, the one thing the line promises, is what follows.
_WITH_ROOT_CAUSE = " with root cause"
# Gradle's default report of a failed test (`testLogging.exceptionFormat` SHORT): under `FooTest > bar() FAILED`, one
# line per exception, `    java.lang.IllegalStateException at Ledger.java:42`, its causes below it, each further
# indented, `Caused by: java.io.IOException at Journal.java:17`: no message, and the one frame's file and line (the
# test class's first frame, else the top one), not its class or method.
_GRADLE_SHORT = re.compile(r"(?P<indent>[ \t]*)(?P<cause>Caused by: )?(?P<cls>[\w$]+(?:\.[\w$]+)+)"
                           r"(?: at (?P<file>[\w$.-]{1,200}\.(?:java|kt|groovy|scala)):(?P<line>\d{1,9}))?[ \t]*")

_BLANK, _FRAME_LINE, _MORE_LINE, _CAUSE_LINE, _TEXT, _LOCK_LINE, _CIRCULAR_LINE = range(7)
# `Throwable.printStackTrace` prints `\t[CIRCULAR REFERENCE: <the exception>]` where a cause or suppressed exception
# is one already printed: a line of the trace (not a new trace, which its exception name made it), nothing else.
_CIRCULAR_REFERENCE = "[CIRCULAR REFERENCE:"
_STRUCTURAL = (_FRAME_LINE, _MORE_LINE, _CAUSE_LINE, _LOCK_LINE)


_UNSET: Any = object()


@dataclass(slots=True)  # one per line of the text, cached while it is parsed
class _Line:
    prefix: _Prefix | None
    body: str  # the line without its log prefix
    kind: int
    match: re.Match[str] | None
    header: Any = _UNSET  # header_at_start(body), computed on first use


_BLANK_LINE = _Line(None, "", _BLANK, None, None)


def _read_line(raw: str, prefixed: bool = True) -> _Line:
    """One line of a text: its log prefix (none read when not `prefixed`), its body and what the body is (blank,
    frame, `... N more`, cause, lock line or text)."""
    if not raw:
        return _BLANK_LINE
    prefix, body = _split_prefix(raw) if prefixed else (None, raw)
    stripped = body.strip()
    kind, match = _TEXT, None
    if not stripped:
        kind = _BLANK
    elif stripped.startswith("at") and (match := _FRAME.match(stripped) or _placeholder_frame(stripped)):
        kind = _FRAME_LINE
    elif stripped.startswith("...") and (match := _MORE.match(stripped)):
        kind = _MORE_LINE
    elif stripped[0] in "CcWwSs" and (match := _CAUSE.match(stripped)):
        # JDK 17+ prints a circular one after its caption: `Caused by: [CIRCULAR REFERENCE: ...]`
        kind = _CIRCULAR_LINE if match.group("rest").startswith(_CIRCULAR_REFERENCE) else _CAUSE_LINE
    elif stripped[0] == "-" and (match := _LOCK.match(stripped)):
        kind = _LOCK_LINE
    elif stripped[0] == "[" and stripped.startswith(_CIRCULAR_REFERENCE) and stripped.endswith("]"):
        kind = _CIRCULAR_LINE
    return _Line(prefix, body, kind, match)


def _as_parsed(raw: str) -> str:
    # what parse_log reads of a line besides its prefix: byte-order marks and NULs removed
    return raw.replace("\ufeff", "").replace("\x00", "") if "\ufeff" in raw or "\x00" in raw else raw


def is_record_with_message(raw: str) -> bool:
    """A line that starts a log record with a message: a timestamped prefix and a text body that is not blank nor
    `...`. Such a line before an exception line is where the parser's look back for that trace's context stops
    (`_Parser.attach_context`)."""
    if _RFC3339_STAMP.match(raw):  # a collector's stamp, which parse_log may strip (strip_repeated_line_prefixes)
        return False
    line = _read_line(_as_parsed(raw))
    return (line.prefix is not None and line.prefix.timestamp is not None and line.kind == _TEXT
            and not _is_elided(line.body))


def starts_trace_alone(raw: str) -> bool:
    """A line with no log prefix that begins with a throwable's name (`java.lang.X: msg`): the parser starts a trace
    there whatever the lines before it hold (a message continuation ends at it), and keeps as context the record line
    before it, if that line is one, and nothing earlier."""
    line = _read_line(_as_parsed(raw))
    if line.prefix is not None or line.kind != _TEXT or _NESTED in line.body:
        return False
    header = _Parser.header_at_start(line.body)
    return header is not None and header[3]


def trace_ends_before(last: str, following: str) -> bool:
    """Whether a trace whose line `last` is a frame (or `... N more`) ends there, and no trace starts in the lines
    `following` it (their text, "" for none): the first is a text line that is not blank, `...` or the `Locked
    ownable synchronizers:` a thread's trace goes on with, and none is a lock line (a trace of its own, which no
    candidate needle finds) or a thread dump's header."""
    if (not following or _RFC3339_STAMP.match(last)
            or _read_line(_as_parsed(last)).kind not in (_FRAME_LINE, _MORE_LINE)):
        return False  # collector stamps: see is_record_with_message
    for number, raw in enumerate(following.split("\n")):
        if _RFC3339_STAMP.match(raw):
            return False
        line = _read_line(_as_parsed(raw))
        body = line.body.strip()
        if line.kind in _STRUCTURAL or body.startswith(('"', "#", "Thread #")):
            return False
        if number == 0 and (line.kind != _TEXT or _is_elided(line.body) or body == _OWNABLE_HEADER):
            return False
    return True


def masked_header(body: str) -> tuple[int, str, str, bool] | None:
    """(column, "", message, believed without frames) of a masked exception line: a log whose names were hidden
    before it was read (`utils.inputs.mask_exception_names`) still says where an exception line is, so it starts an
    unnamed exception where a named line would start one. The message keeps the masked name (`[EXC]: msg`), which
    is how `utils.inputs` tells a masked exception from an unrecognised line. Masking hides any ...Error /
    ...Exception word ("Connection Error", "shouldThrowException"), so only an exception line's own shape, `[EXC]:
    msg` or `[EXC] in thread` starting the text, is believed without frames under it."""
    if MASK_TOKEN not in body:
        return _placeholder_header(body)
    match = _MASKED_HEADER.search(body, 0, min(len(body), _MAX_LINE_CHARS))
    if match is None:
        return None
    column, message = match.start(), body[match.start() :].strip()
    alone = not body[:column].strip() and message.startswith((f"{MASK_TOKEN}:", f"{MASK_TOKEN} in thread "))
    if body.endswith("class ", 0, column) and (column == 6 or not body[column - 7].isalnum()):
        column -= 6  # "failed: class [EXC]: bad" (`Class.toString()`), as embedded_header reads a named one
    return column, "", message, alone


def _placeholder_header(body: str) -> tuple[int, str, str, bool] | None:
    """`masked_header` for another tool's placeholder: at the start of the text (`<MASKED>: msg`, `***`), or a
    bracketed word that says "exception" after prose (`Could not register mbeans <EXCEPTION>`); its message reads
    `[EXC]: msg`. Never believed alone, and only right above its frames (`_Parser.trace_at_exception_line`): such
    marks (`***`, `[MASKED]`) also stand for other hidden text, and a streamed log looks for no line of them."""
    stripped = body.lstrip()
    # cheap first (every text line of a log comes here): what a placeholder at the start can begin with, or end its
    # first word with after a package (`java.lang.<MASK>:`)
    head = stripped[:1]
    if (head in _PLACEHOLDER_STARTS or (head == "E" and stripped.startswith("Exception in thread "))
            or (head.islower() and _placeholder_after_package(stripped))):
        canonical = placeholder_as_mask(stripped)
        if canonical is not None:
            return len(body) - len(stripped), "", canonical, False
    if not any(word in body for word in _BRACKETED_HINTS):  # what every bracketed word holds, in the usual cases
        return None
    for match in load_name_placeholders().embedded.finditer(body, 0, min(len(body), _MAX_LINE_CHARS)):
        if match.start() and body[match.start() - 1] in " \t:=[(\"'":  # after prose, as `_EMBEDDED` reads a name
            return match.start(), "", f"{MASK_TOKEN}{body[match.end() :].rstrip()}", False
    return None


def _placeholder_after_package(stripped: str) -> bool:
    """Whether the first word of `stripped` may be a placeholder after a package (`java.lang.<MASK>:`,
    `java.lang.MASKED:`): a cheap look, `placeholder_as_mask` decides."""
    end = stripped.find(" ", 0, _FIRST_WORD_CHARS)
    first = stripped[: end if end >= 0 else _FIRST_WORD_CHARS].rstrip(":")
    return "." in first and (first[-1:] in _PLACEHOLDER_ENDS or first.rpartition(".")[2].isupper())


_PLACEHOLDER_STARTS = frozenset("<[{*#?Xx")
_FIRST_WORD_CHARS = 200  # a package before a placeholder (`java.lang.<MASK>`) is in the first word
# `embedded`'s bracketed words (configs/name_placeholders.yaml `bracketed_words`) hold one of these as usually cased
_BRACKETED_HINTS = ("ask", "ASK", "xc", "XC", "hrowable", "HROWABLE")


def starts_masked_exception(body: str) -> bool:
    """`body` is a masked exception line in an exception line's own shape (`[EXC]: msg` starting the text)."""
    found = masked_header(body)
    return found is not None and found[3]


class _Parser:
    def __init__(self, text: str, extra_library_prefixes: tuple[str, ...], cut: bool = False,
                 json_events: dict[int, _Prefix] | None = None) -> None:
        self.raw_lines = text.split("\n")
        self.json_events = json_events or {}  # a decoded JSON event's fields, by its line (`_decoded_inline_lines`)
        self.cut = cut  # the text's end is not its log's end (`parse_log`)
        self.count = len(self.raw_lines)
        self.cache: list[_Line | None] = [None] * self.count
        self.forgotten = 0  # cache entries before this index were dropped (`forget_before`)
        self.rules = load_library_rules()
        self.extra = extra_library_prefixes
        # Continuation scans that found no frame, per header signature: (first line, line where the scan stopped).
        # One entry per signature: with a single entry, lines alternating two signatures (a prefixed and a bare
        # dotted name) evicted each other and every line rescanned up to `MAX_CONTINUATION_LINES` lines.
        self.dead_ends: dict[object, tuple[int, int]] = {}

    def forget_before(self, stop: int) -> None:
        """Drops the cached lines before `stop`. The parse looks back only a few context lines, and a dropped line is
        just split again if it does; keeping every line's split for the whole text cost ~250 bytes a line (20x a
        short line's own size)."""
        self.cache[self.forgotten : stop] = [None] * (stop - self.forgotten)
        self.forgotten = stop

    def raw_line(self, index: int) -> str:
        return self.raw_lines[index]

    def line(self, index: int) -> _Line:
        cached = self.cache[index]
        if cached is None:
            cached = self.cache[index] = _read_line(self.raw_lines[index])
            if cached.prefix is not None and cached.prefix.localized and not (
                    index > 0 and _jul_named_record(self.line(index - 1).prefix, cached.prefix)):
                # `경고: 수량이 음수입니다`: a Korean word before a colon, in a message, not JUL's level line
                cached = self.cache[index] = _read_line(self.raw_lines[index], prefixed=False)
        return cached

    # -- exception lines --
    @staticmethod
    def header_of(line: _Line) -> tuple[str, str | None, str | None, bool] | None:
        if line.header is _UNSET:
            line.header = _Parser.header_at_start(line.body) if line.kind == _TEXT else None
        return line.header

    @staticmethod
    def header_at_start(body: str) -> tuple[str, str | None, str | None, bool] | None:
        """(class, message, thread, strong) when `body` is an exception line."""
        match = _HEADER.match(body.strip()[:_MAX_LINE_CHARS])
        if not match or not _is_plausible_class(match.group("cls")) or _is_placeholder_class(match.group("cls")):
            return None  # `java.lang.MASKED: msg` is a masked name (masked_header)
        class_name = match.group("cls")
        message = match.group("msg") if match.group("colon") else None
        return class_name, message, match.group("thread"), _is_throwable_name(class_name)

    @staticmethod
    def embedded_header(body: str) -> tuple[int, str, str | None] | None:
        """(column, class, message) of the first throwable named inside a log message."""
        searched = body[:_MAX_LINE_CHARS]
        if searched.isascii():
            lowered = searched.lower()  # once, not once per word
            if not any(word in lowered for word in _THROWABLE_WORDS):
                return None
        for match in _EMBEDDED.finditer(body, 0, min(len(body), _MAX_LINE_CHARS)):
            if _is_throwable_name(match.group("cls")):
                rest = body[match.end() :]
                message = rest[1:].strip() if rest.startswith(":") else None
                column = match.start()
                # "failed: class com.x.FooException: bad" (`Class.toString()`): `class ` is part of the exception line
                if body.endswith("class ", 0, column) and (column == 6 or not body[column - 7].isalnum()):
                    column -= 6
                return column, match.group("cls"), message
        return None

    def header_in_text(self, body: str) -> tuple[int, str, str | None, bool, bool] | None:
        """(column, class, message, believed without frames, starts the text) of the leftmost exception named in a
        log record's text: a qualified throwable name (`embedded_header`, always believed) or a masked one."""
        embedded = self.embedded_header(body)
        masked = masked_header(body)
        # leftmost wins, but a name the log gives wins over another tool's placeholder before it (`Failed to render
        # <exception>: java.io.IOException: disk`)
        if masked is not None and (embedded is None or (masked[0] < embedded[0] and MASK_TOKEN in body)):
            column, class_name, message, alone = masked
            return column, class_name, message, alone, not body[:column].strip()
        return (*embedded, True, False) if embedded is not None else None

    def continuation(self, start: int, header_prefix: _Prefix | None, header_width: int = 0) -> tuple[list[str], int]:
        """Lines continuing a message from `start`: those up to a frame / cause line or the end of the text.

        Takes nothing (returns ([], start)) when a throwable line or a new log record (a line with a timestamped
        prefix of another level, thread or logger) comes first: a message-only exception in a log is its first
        line. Under an exception line without prefix, a bare level word ("ERROR: ...", as PostgreSQL messages
        start) is message text, not a new record. Throwable lines right under the exception line, indented deeper
        than it (`header_width`), are message text too: JUnit 5's `MultipleFailuresError` (assertAll) lists each
        failure as "\t<class>: <message>" under its heading, before its own frames. After any other line such a
        line starts a trace of its own (Gradle prints a failed test's trace indented, after the task lines).
        """
        signature = header_prefix.signature() if header_prefix else None
        first, stop = self.dead_ends.get((signature, header_width), (-1, -1))
        if first <= start <= stop:
            return [], start  # a scan over these lines already found no frame
        collected: list[str] = []
        chars = 0
        index = start
        listing = True  # every line so far lists a failure (a throwable line indented under the exception line)
        while len(collected) < MAX_CONTINUATION_LINES and chars < _MAX_CONTINUATION_CHARS:
            line = self.line(index) if index < self.count else None
            if line is None and self.cut:
                break  # what follows the region decides, and a region ends where no trace line follows
            if line is None or line.kind in _STRUCTURAL or line.kind == _CIRCULAR_LINE:
                while collected and not collected[-1].strip():
                    collected.pop()
                return collected, index
            record = line.prefix is not None and (line.prefix.timestamp is not None or header_prefix is not None)
            if record and line.prefix.signature() != signature:
                break
            may_start = line.kind == _TEXT and (record or line.prefix is None)
            header = self.header_of(line) if may_start else None
            # an exception line ends the message above; a masked one as a named one does
            if header[3] if header is not None else may_start and starts_masked_exception(line.body):
                if not (listing and _indent_width(line.body) > header_width):
                    break
            else:
                listing = False
            collected.append((line.body if record else self.raw_line(index)).rstrip())
            chars += len(collected[-1])
            index += 1
        if len(self.dead_ends) >= _MAX_DEAD_ENDS:
            self.dead_ends.clear()  # many thread / logger signatures: keep the cache small, not the scans complete
        self.dead_ends[(signature, header_width)] = (start, index)
        return [], start

    # -- traces --
    def parse(self) -> list[Trace]:
        traces: list[Trace] = []
        context: list[int] = []  # indexes of non-blank, non-trace lines since the last trace
        index = 0
        while index < self.count:
            if index - self.forgotten > 2 * _CACHE_BEHIND:
                self.forget_before(index - _CACHE_BEHIND)
            line = self.line(index)
            trace: Trace | None = None
            if line.kind == _TEXT:
                trace = (self.trace_at_thread_header(index, line) or self.trace_at_gradle_short(index, line)
                         or self.trace_at_exception_line(index, line))
            elif line.kind == _CAUSE_LINE:
                trace = self.trace_at_cause_line(index, line)
            elif line.kind in _STRUCTURAL:
                # Frames with no exception line before them (a log cut mid-trace, an unrecognised first line): the
                # line just before, if any, is taken as the message of an unnamed exception (class name "").
                message_index = context[-1] if context and context[-1] == index - 1 and not _other_thread(
                    self.line(index - 1).prefix, self.line(index).prefix) else None  # not another thread's line
                if message_index is not None:
                    context.pop()
                trace = self.trace_without_exception_line(index, message_index)
            if trace is not None:
                self.attach_context(trace, context)
                traces.append(trace)
                context = []
                index = max(trace.end_line, index + 1)  # end_line is 1-based: the index of the next line
                continue
            if line.kind != _BLANK:
                context.append(index)
                if len(context) > 2 * _MAX_NO_TRACE_CONTEXT_LINES:
                    del context[_MAX_NO_TRACE_CONTEXT_LINES:-_MAX_CONTEXT_LINES]
            index += 1
        if traces:
            self.number_dumps(traces)
            return traces
        kept = context[:_MAX_NO_TRACE_CONTEXT_LINES]
        return [
            Trace(
                context=[self.line(i).body.strip()[:_MAX_CONTEXT_CHARS] for i in kept],
                start_line=kept[0] + 1 if kept else 0,
                end_line=kept[-1] + 1 if kept else 0,
            )
        ]

    def number_dumps(self, traces: list[Trace]) -> None:
        """Sets each thread's `dump`: the `Full thread dump` lines above it (one pass over the lines, made only
        where there are threads)."""
        if not any(trace.kind == "thread" for trace in traces):
            return
        headers = [number for number, line in enumerate(self.raw_lines)
                   if _DUMP_HEADER_WORDS in line and _DUMP_HEADER.search(line)]
        for trace in traces:
            if trace.kind == "thread":
                trace.dump = bisect.bisect_right(headers, trace.start_line - 1)

    def attach_context(self, trace: Trace, context: list[int]) -> None:
        """Keeps the lines of the log record that introduced the trace (at most `_MAX_CONTEXT_LINES`, no line of an
        earlier record) and takes level, logger, thread and time from that record's prefix."""
        start = trace.start_line - 1
        own = self.line(start).prefix if 0 <= start < self.count else None
        event = self.json_events.get(start)
        if event is not None:  # a trace decoded from a line: its record is that line, not a line above it
            context = [index for index in context if self.json_events.get(index) is event]
        kept: list[int] = []
        for index in reversed(context[-_MAX_CONTEXT_LINES:]):
            prefix = self.line(index).prefix
            # When the trace line is itself a record, only earlier lines of the same record (every line prefixed).
            if own is not None and (
                prefix is None or (prefix.signature(), prefix.timestamp) != (own.signature(), own.timestamp)
            ):
                # JUL's record starts a line earlier ("<time> <logger> <method>", then "SEVERE: <message>"); a
                # trace WebSphere's SystemErr printed right after its thread's record belongs to that record
                if (_jul_named_record(prefix, own) or _stream_after_record(prefix, own)) and index == (
                        kept[-1] if kept else start) - 1:
                    kept.append(index)
                break
            kept.append(index)
            if own is None and prefix is not None:
                # The start of the record that introduced the trace; JUL puts it on two lines (time + logger, then
                # "SEVERE: message"), so a level-only line right after a time-only line does not end the record.
                before = self.line(index - 1).prefix if index > 0 else None
                if not _jul_record_start(before, prefix):
                    break
        kept.reverse()
        trace.context = [self.line(i).body.strip()[:_MAX_CONTEXT_CHARS] for i in kept] + trace.context
        # A JUL record names its logger on its first line; the word before a colon on its "SEVERE: ..." line is
        # the message's ("SEVERE: Failed: java.io.IOException"), not a logger.
        trace.logger = trace.logger or self.jul_logger([*kept, start])
        prefixes = [self.line(index).prefix if 0 <= index < self.count else None for index in [start, *reversed(kept)]]
        if event is not None and not any(prefixes):  # no record prefix: the JSON event's fields
            prefixes = [event]
        for prefix in prefixes:
            if prefix is not None:
                trace.log_level = trace.log_level or prefix.level
                trace.logger = trace.logger or prefix.logger
                trace.thread = trace.thread or prefix.thread
                trace.timestamp = trace.timestamp or prefix.timestamp

    def jul_logger(self, lines: list[int]) -> str | None:
        """The logger of a JUL record's first line among `lines` (in order), where the next one is its level line."""
        for index, following in zip(lines, lines[1:]):
            prefix = self.line(index).prefix if 0 <= index < self.count else None
            level_line = self.line(following).prefix if 0 <= following < self.count else None
            if _jul_named_record(prefix, level_line):
                return prefix.logger
        return None

    def trace_at_exception_line(self, index: int, line: _Line) -> Trace | None:
        """The trace whose first exception line is line `index`, or None when that line starts none."""
        if _NESTED in line.body and (nested := self.trace_at_nested_line(index, line)) is not None:
            return nested
        header = self.header_of(line)
        at_start, in_event = False, None
        lead_context: list[str] = []
        thread: str | None = None
        if header is not None:
            class_name, message, thread, strong = header
            header_text = line.body.strip()
        else:
            found = self.header_in_text(line.body)
            if found is None:
                return None
            column, class_name, message, strong, at_start = found
            if (in_event := self.event_message(index, line.body, class_name)) is not None:
                message = in_event[1]  # the message ends with its JSON string, not the line
            if line.body.rstrip().endswith(_WITH_ROOT_CAUSE):
                if self.exception_line_after_gap(index + 1):
                    return None  # the header of the root cause's trace that follows: that trace's context
                message = message.removesuffix(f"]{_WITH_ROOT_CAUSE}") if message else message
            elif self.names_next_exception(index, class_name) or self.event_above_its_trace(index):
                return None  # `failed: java.lang.X: m` above X's own trace (`log.error("failed: " + e, e)`), a JSON
                # event's line above its decoded trace: that trace's context, not a second failure
            before = line.body[:column].strip() if in_event is None else in_event[0]
            if before:  # "Unexpected error:" of "... - Unexpected error: java.net.SocketTimeoutException: ..."
                lead_context.append(before[:_MAX_CONTEXT_CHARS])
            header_text = line.body[column:].strip() if in_event is None else f"{class_name}: {message}"
        # failures listed under it only for an exception line (an exception named inside a message: "child failed:
        # java.io.IOException: exit 1" then an indented trace, is followed by a trace of its own)
        listed_under = (_listing_width(_indent_width(line.body), message) if header is not None or at_start
                        else _NO_LISTING)
        more, next_index = ([], index + 1) if in_event is not None else self.continuation(  # a JSON event's field
            index + 1, line.prefix, listed_under)  # holds its whole message: the lines below are other events
        if not strong and not (next_index < self.count and self.line(next_index).kind in _STRUCTURAL):
            return None  # a dotted name not followed by frames is not believed to be an exception
        if more and not class_name and MASK_TOKEN not in line.body:
            # another tool's placeholder is believed only right above its frames: it is no candidate of the streamed
            # reader, whose region reaches the line above its first frame, not a message's first line (a chunk's
            # edge, a log prefix or a message line holding a candidate word all cut a longer look back short)
            return None
        if more:
            message = "\n".join([message or "", *more]) if message is not None else "\n".join(more)
        top = ThrownException(class_name=class_name, message=message, relation="top")
        trace = Trace(chain=[top], context=lead_context, thread=thread, start_line=index + 1)
        self.read_trace_body(trace, next_index, _indent_width(line.body), [header_text, *more])
        return trace

    def event_message(self, index: int, body: str, class_name: str) -> tuple[str, str | None] | None:
        """(the field's text up to the name, its message) where line `index` is a JSON event whose string field names
        `class_name` (`"message":"retrying after java.net.SocketTimeoutException: Read timed out"`), read from that
        field: read from the line, the message ran on through the event's other fields (`Read timed out"}`). The
        event's time, level, thread and logger become the line's (`json_events`). None for any other line."""
        if not body.startswith("{", len(body) - len(body.lstrip())):
            return None
        try:
            _, event, _ = _event_in(body)
        except (ValueError, RecursionError):
            return None
        for value in _string_values(event, depth=2):
            if (at := value.find(class_name)) >= 0:
                if (fields := _json_event_prefix(event)) is not None:
                    self.json_events.setdefault(index, fields)
                rest = value[at + len(class_name):]
                return value[:at].strip(), rest[1:].strip() if rest.startswith(":") else None
        return None

    def event_above_its_trace(self, index: int) -> bool:
        """Whether line `index` is a JSON event's line with the trace decoded from it below (`_decoded_inline_lines`
        marks each line an event became): whatever exception its message names, the trace below is the event's."""
        event = self.json_events.get(index)
        return event is not None and index + 1 < self.count and self.json_events.get(index + 1) is event

    def names_next_exception(self, index: int, class_name: str) -> bool:
        """Whether an exception line of `class_name` followed by a frame (its own trace) of line `index`'s record
        is below it, right away or below lines of the record that name it too (a record's message repeated)."""
        own, event = self.line(index).prefix, self.json_events.get(index)
        for cursor in range(index + 1, min(index + 1 + _NAMING_LINES, self.count - 1)) if class_name else ():
            line = self.line(cursor)
            record = own is not None and line.prefix is not None and (line.prefix.signature(), line.prefix.timestamp
                                                                      ) == (own.signature(), own.timestamp)
            if self.json_events.get(cursor) is not event or line.prefix is not None and not record:
                return False  # another record's line (another thread's, a later one's, another JSON event's)
            if (header := self.header_of(line)) is not None:
                return header[0] == class_name and self.line(cursor + 1).kind in _STRUCTURAL
            found = self.header_in_text(line.body) if line.kind == _TEXT else None
            if found is None or found[1] != class_name:
                return False
        return False

    def exception_line_after_gap(self, index: int) -> bool:
        """An exception line (or a `Caused by:`) at line `index`, after at most `_BLANK_RUN_INSIDE_TRACE` blanks."""
        for cursor in range(index, min(index + _BLANK_RUN_INSIDE_TRACE + 1, self.count)):
            line = self.line(cursor)
            if line.kind != _BLANK:
                return line.kind == _CAUSE_LINE or (line.kind == _TEXT and (
                    self.header_of(line) is not None or starts_masked_exception(line.body)))
        return False

    def trace_at_nested_line(self, index: int, line: _Line) -> Trace | None:
        """A trace whose first line is an Elasticsearch one-line chain (`Top[msg]; nested: Root[msg2];`); None when
        the line holds none. The deepest `nested:` is the root cause, unless `Caused by:` lines follow (ES 2.x
        prints the summary as the first line of a full trace): they print each cause once, with its frames."""
        found = _nested_chain(line.body)
        if found is None:
            return None
        column, chain = found
        before = line.body[:column].strip()
        trace = Trace(chain=chain[:1], context=[before[:_MAX_CONTEXT_CHARS]] if before else [], start_line=index + 1)
        self.read_trace_body(trace, index + 1, _indent_width(line.body), [line.body.strip()])
        if len(trace.chain) == 1:
            trace.chain.extend(chain[1:])
        return trace

    def trace_at_thread_header(self, index: int, line: _Line) -> Trace | None:
        """A thread of a thread dump: its `"name" ... tid=...` line, then `java.lang.Thread.State: ...` and/or
        frames and lock lines, and `jstack -l`'s ownable synchronizers; None when line `index` is not such a header
        or no state or frame follows. JDK 21's `jcmd Thread.dump_to_file` threads are read too."""
        body = line.body.strip()
        if body.startswith(("#", "Thread #")):
            return self.trace_at_dump_thread(index, body)
        if not body.startswith('"') or not (header := _THREAD_HEADER.match(body)):
            return None
        cursor, state, lines = index + 1, None, [body]
        after = self.line(cursor).body.strip() if cursor < self.count else ""
        if match := _THREAD_STATE.match(after):
            state, cursor = match.group("state").strip(), cursor + 1
            lines.append(f"java.lang.Thread.State: {state}")
        elif _CARRYING.match(after):
            cursor += 1
            lines.append(after)
        if len(lines) == 1 and not (cursor < self.count and self.line(cursor).kind in _STRUCTURAL):
            return None
        trace = Trace(chain=[ThrownException(class_name="", message=None)], thread=header.group("name"),
                      start_line=index + 1, kind="thread", thread_state=state)
        self.read_trace_body(trace, cursor, _indent_width(line.body), lines)
        self.read_ownable_synchronizers(trace)
        return trace

    def read_ownable_synchronizers(self, trace: Trace) -> None:
        """`jstack -l`'s `Locked ownable synchronizers:` block after a thread's frames (one blank line between):
        each `- <0x..> (a ...ReentrantLock$NonfairSync)` is a lock the thread holds ("owns"), which another
        thread `parking to wait for` it waits on. Extends the trace over the block."""
        cursor = trace.end_line  # the line after the trace
        if cursor < self.count and self.line(cursor).kind == _BLANK:
            cursor += 1
        if cursor >= self.count or self.line(cursor).body.strip() != _OWNABLE_HEADER:
            return
        lines = [_OWNABLE_HEADER]
        cursor += 1
        while cursor < self.count:
            item = self.line(cursor).body.strip()
            owned = _OWNABLE.fullmatch(item)
            if owned is None and item != "- None":
                break
            if owned is not None:
                trace.locks.append(LockEvent("owns", owned.group("address"), owned.group("cls") or "", -1))
            lines.append(item)
            cursor += 1
        trace.end_line = cursor
        trace.text = "\n".join([trace.text, *lines])

    def trace_at_dump_thread(self, index: int, body: str) -> Trace | None:
        """A thread of JDK 21's `jcmd <pid> Thread.dump_to_file` text: `#23 "name"` (` virtual` after a virtual
        thread's name), then its frames six spaces in, without `at ` (lock lines of later JDKs too); None unless
        a frame follows. An unnamed thread (virtual threads usually are) is named by its id: "#31"."""
        header = _DUMP_THREAD_HEADER.match(body)
        if header is None:
            return None
        top = ThrownException(class_name="", message=None)
        trace = Trace(chain=[top], thread=header.group("name") or f"#{header.group('tid')}", start_line=index + 1,
                      kind="thread", thread_state=header.group("state"), virtual_thread=bool(header.group("virtual")))
        lines = [body]
        cursor = index + 1
        while cursor < self.count:
            item = self.raw_line(cursor).strip()
            if (frame := _BARE_FRAME.fullmatch(item)) and not frame.group("suffix") and item.endswith(")"):
                top.frames.append(_parse_frame(frame, item, self.rules, self.extra))
            elif lock := _LOCK.fullmatch(item):
                trace.locks.append(LockEvent(lock.group("action"), lock.group("address"), lock.group("cls") or "",
                                             len(top.frames) - 1))
            else:
                break
            lines.append(item)
            cursor += 1
        if not top.frames:
            return None
        trace.end_line, trace.text = cursor, "\n".join(lines)
        return trace

    def trace_at_gradle_short(self, index: int, line: _Line) -> Trace | None:
        """The trace of Gradle's short report of a failed test (`_GRADLE_SHORT`) whose first line is line `index`:
        its exception, then each `Caused by:` line indented further, each with its one frame (file and line, no
        class or method: the log shows none). Read as an exception line, its ` at File.java:N` was a message that
        went on into the next test's lines."""
        head = _GRADLE_SHORT.fullmatch(line.body) if line.body.endswith(_DIGITS_AT_END, -1) else None
        if head is None or head["cause"] or head["file"] is None or not _is_throwable_name(head["cls"]):
            return None
        chain, lines = [_gradle_exception(head, "top")], [line.body.strip()]
        width, cursor = len(head["indent"].expandtabs(4)), index + 1
        while cursor < self.count and (below := _GRADLE_SHORT.fullmatch(self.line(cursor).body)) is not None:
            if not below["cause"] or len(below["indent"].expandtabs(4)) <= width:
                break
            chain.append(_gradle_exception(below, "cause"))
            lines.append(below.group(0).strip())
            width, cursor = len(below["indent"].expandtabs(4)), cursor + 1
        return Trace(chain=chain, start_line=index + 1, end_line=cursor, text="\n".join(lines))

    def trace_at_cause_line(self, index: int, line: _Line) -> Trace | None:
        """A `Caused by:` / `Suppressed:` line with no trace before it (a log cut mid-trace) becomes the top of a
        trace, if it names a plausible class; prose such as "Caused by: network outage" is left as text."""
        rest = _cause_text(line)
        class_name, message = _split_exception_line(rest)
        if not class_name and MASKED_NAME.match(rest):
            message = rest  # a masked cause keeps its masked name, as a masked exception line does
        elif not _is_plausible_class(class_name):
            return None
        more, next_index = self.continuation(index + 1, line.prefix, _listing_width(_indent_width(line.body), message))
        if more:
            message = "\n".join([message or "", *more])
        top = ThrownException(class_name=class_name, message=message, relation="cause")
        trace = Trace(chain=[top], start_line=index + 1)
        self.read_trace_body(trace, next_index, _indent_width(line.body), [rest, *more])
        return trace

    def trace_without_exception_line(self, index: int, message_index: int | None) -> Trace:
        message = self.line(message_index).body.strip() if message_index is not None else None
        start = message_index if message_index is not None else index
        trace = Trace(chain=[ThrownException(class_name="", message=message)], start_line=start + 1)
        self.read_trace_body(trace, index, 0, [message] if message else [])
        return trace

    def structural_after_gap(self, cursor: int) -> int | None:
        """The first trace line after a short gap that starts at `cursor` (at most `_BLANK_RUN_INSIDE_TRACE` blank
        and `_ELIDED_RUN_INSIDE_TRACE` elided lines), or None when something else comes first: the trace ended."""
        blanks = elided = 0
        for index in range(cursor, self.count):
            line = self.line(index)
            if line.kind in _STRUCTURAL:
                return index
            if line.kind == _BLANK:
                blanks += 1
            elif line.kind == _TEXT and _is_elided(line.body):
                elided += 1
            else:
                return None
            if blanks > _BLANK_RUN_INSIDE_TRACE or elided > _ELIDED_RUN_INSIDE_TRACE:
                return None
        return None

    def read_trace_body(self, trace: Trace, cursor: int, base_width: int, trace_lines: list[str]) -> None:
        """Frames, `... N more`, `Caused by:` and `Suppressed:` blocks from line `cursor` on; sets end_line/text."""
        current = trace.chain[0]
        # Open exceptions by indentation: [width, exception, list that a `Caused by:` at this width extends].
        open_blocks: list[list] = [[base_width, current, trace.chain]]
        wrapped = False
        last = cursor - 1
        own = self.line(trace.start_line - 1).prefix if trace.start_line else None
        while cursor < self.count:
            line = self.line(cursor)
            if own is not None and line.prefix is not None and _other_thread(line.prefix, own):
                # every line stamped with its thread (WebSphere's SystemErr): another thread's line ends this trace
                # (its own lines after it are read as a trace cut short): read on, threads that interleave took
                # each other's frames and causes
                break
            if line.kind == _BLANK or (line.kind == _TEXT and _is_elided(line.body)):
                # A few blank lines, or a `...` / `[...]` where someone cut frames out of a pasted trace, are skipped
                # when the trace goes on after them: the `Caused by:` after them still belongs to this trace.
                resume = self.structural_after_gap(cursor)
                if resume is None:
                    break
                trace_lines.extend(self.line(i).body.strip() for i in range(cursor, resume) if self.line(i).body)
                cursor = resume
                continue
            if line.kind == _TEXT:
                break
            trace_lines.append(line.body.rstrip())
            if line.kind == _LOCK_LINE:
                trace.locks.append(LockEvent(line.match.group("action"), line.match.group("address"),
                                             line.match.group("cls") or "", len(current.frames) - 1))
            elif line.kind == _FRAME_LINE:
                current.frames.append(_parse_frame(line.match, line.body.strip(), self.rules, self.extra))
            elif line.kind == _MORE_LINE:
                current.omitted_frames = int(line.match.group(1)[:9])
            elif line.kind == _CIRCULAR_LINE:
                pass  # kept in the trace's text, read as nothing more
            else:
                current, after = self.read_cause_line(cursor, line, open_blocks, trace_lines)
                wrapped = wrapped or line.match.group("word").lower().startswith("wrapped")
                last = after - 1
                cursor = after
                continue
            last = cursor
            cursor += 1
        if wrapped:  # logback root-cause-first (%rEx): the root is printed first, each "Wrapped by:" is its wrapper
            trace.chain.reverse()
            for position, exc in enumerate(trace.chain):
                exc.relation = "top" if position == 0 else "cause"
        trace.end_line = max(last + 1, trace.start_line)
        trace.text = "\n".join(trace_lines)

    def read_cause_line(
        self, cursor: int, line: _Line, open_blocks: list[list], trace_lines: list[str]
    ) -> tuple[ThrownException, int]:
        """The exception of a `Caused by:` / `Wrapped by:` / `Suppressed:` line (with its message's continuation
        lines), attached to its owner by indentation; returns it and the index of the line after it."""
        word = line.match.group("word").lower()
        class_name, message = _split_exception_line(_cause_text(line))
        width = _indent_width(line.body)
        more, after = self.continuation(cursor + 1, line.prefix, _listing_width(width, message))
        if more:
            message = "\n".join([message or "", *more])
            trace_lines.extend(more)
        if word.startswith("suppressed"):
            current = ThrownException(class_name=class_name, message=message, relation="suppressed")
            while len(open_blocks) > 1 and open_blocks[-1][0] >= width:
                open_blocks.pop()
            owner = open_blocks[-1]
            owner[1].suppressed.append(current)
            # Indentation lost (not deeper than the owner): keep the block virtually deeper, so that a later
            # `Caused by:` at the owner's width goes to the main chain, the likelier reading.
            open_blocks.append([max(width, owner[0] + 1), current, current.cause_chain])
        else:
            current = ThrownException(class_name=class_name, message=message, relation="cause")
            while len(open_blocks) > 1 and open_blocks[-1][0] > width:
                open_blocks.pop()
            open_blocks[-1][2].append(current)
            open_blocks[-1][1] = current
        return current, after


_ESCAPED_TRACE_LINE = re.compile(r"^.*\\n\\tat .*$", re.MULTILINE)
_JSON_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|[nrt\"\\/bf])")
_JSON_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "/": "/", "b": "", "f": ""}


def _unescape_json_text(line: str) -> str:
    """A JSON log line whose string holds a whole trace, with `\\n`, `\\t`, `\\"` and `\\uXXXX` decoded. A
    surrogate escape becomes U+FFFD (pairs too: a lone one could not be written or printed, and a message's emoji
    tells nothing about the failure)."""
    return _JSON_ESCAPE.sub(lambda m: _decoded_escape(m.group(1)), line)


# log4j2's JsonLayout writes a trace as an object, `"thrown":{"name":...,"message":...,"extendedStackTrace":[{"class":
# ...,"method":...,"file":...,"line":...}],"cause":{...}}`: such a line is rewritten as the event without it, then
# the trace's lines (its record line, then its trace, as a plain log prints them). Only an event on one line
# (`compact="true" eventEol="true"`, how JSON logs are shipped); a pretty-printed event is not read.
STRUCTURED_TRACE_MARKER = '"extendedStackTrace"'
_STRUCTURED_TRACE_LINE = re.compile(r'^.*"extendedStackTrace"\s*:\s*\[.*$', re.MULTILINE)


# A trace folded onto one line, as a logging pattern writes it to keep one event per line (logback's
# `%replace(%ex){'[\r\n]+', ' '}`, or `' | '`, or U+2028): two frames in a row on a line, with nothing between them
# but blanks, `|`, a line or paragraph separator and the frame's packaging data (`~[app.jar:1.0]`).
# Bounded repeats: a long line of unclosed `(` or `[` must not cost time quadratic in its length.
_FRAME_CALL = r"at [\w$./@<>+-]+\((?:[^()\n]|\([^()\n]{0,80}\)){0,300}\)"  # IBM's `(Foo.java:12(Compiled Code))`
_FOLD_SEPARATOR = "[ \t|\u2028\u2029]"
_FRAME_FOLLOWS = rf"(?:[ \t]*~?\[[^\[\]\n]{{0,200}}\])?{_FOLD_SEPARATOR}+at [\w$./@<>+-]+\("  # on the same line
_FOLDED_FRAMES = re.compile(_FRAME_CALL + _FRAME_FOLLOWS)
_FOLDED_HINT = re.compile(r"\)" + _FRAME_FOLLOWS)  # the same from a frame's last `)`: ~9x faster over a whole text
# Where such a line is unfolded, from its first frame on: the separator before a frame, a `Caused by:` /
# `Suppressed:` or a `... N more`.
# (possessive runs after no separator: a long run of blanks is tried once, not from each of its characters)
_FOLD_POINT = re.compile(rf"(?<!{_FOLD_SEPARATOR}){_FOLD_SEPARATOR}++(?=at [\w$./@<>+-]+\(|Caused by: |Suppressed: |"
                         r"\.\.\. \d+ (?:more|common frames omitted)\b)")
_FOLD_BEFORE_FIRST_FRAME = re.compile(rf"(?<!{_FOLD_SEPARATOR}){_FOLD_SEPARATOR}++$")
# The first exception line of a folded trace: unfolding starts at the first frame after it (a record's message
# before it may say `retry at Scheduler.tick(5s)`), else at the first folded run.
_FOLDED_HEADER = re.compile(
    rf"(?<![\w$.])(?:(?:[\w$]+\.)+[\w$]*{THROWABLE_SUFFIX}[\w$]*|{re.escape(MASK_TOKEN)})(?=:|[ \t|]|$)")
# A frame whose parentheses name a source (`Foo.java:12`, `Unknown Source`, `Native Method`): not `tick(5s)`.
_FRAME_START = re.compile(r"at [\w$./@<>+-]+\((?:[^()\n]{0,200}?\.(?:java|kt|scala|groovy|clj)\b|Unknown Source"
                          r"|Native Method)")


def has_inline_traces(text: str) -> bool:
    """Whether `text` holds a trace written inside one line (in a JSON log line, or folded onto one line), which
    `decode_inline_traces` turns into several lines."""
    return "\\n\\tat " in text or STRUCTURED_TRACE_MARKER in text or (
        (hint := _FOLDED_HINT.search(text)) is not None and _has_folded_line(text, hint.start()))


def decode_inline_traces(text: str) -> str:
    """`text` with the traces written inside its lines made trace lines: log4j2's structured `thrown` objects in
    JSON lines, every JSON-escaped trace (`"stack_trace":"java.lang.X: m\\n\\tat ..."`), and traces folded onto one
    line (`java.lang.X: m | at a.B.c(B.java:1) | at ...`)."""
    return _decoded_inline_lines(text)[0]


def _has_folded_line(text: str, position: int) -> bool:
    """Whether a line of `text` from the one `position` is on holds two frames in a row (`_FOLDED_FRAMES`)."""
    start = text.rfind("\n", 0, position) + 1
    return _FOLDED_FRAMES.search(text, start) is not None


def _unfolded(line: str, run: re.Match[str]) -> str:
    """A line holding a folded trace, as `printStackTrace` wrote it: each frame, `... N more`, `Caused by:` and
    `Suppressed:` on a line of its own, indented by the tabs its separator kept, else as the JVM indents it. What
    comes before the first frame of the first folded run (the record, its message, the exception line) stays one
    line: a message may itself say `at x(` or `... 3 messages`. `run`: its first two frames in a row."""
    def broken(match: re.Match[str]) -> str:
        tabs = match.group(0).strip(" |\u2028\u2029")
        kept = tabs if tabs and not tabs.strip("\t") else ""
        follows = match.string[match.end():match.end() + 3]
        return "\n" + (kept or ("" if follows == "Cau" else "\t"))

    body_start = len(line) - len(_split_prefix(line)[1])  # a logger named `...ExceptionHandler` is no header
    header = _FOLDED_HEADER.search(line, body_start, run.start())
    first = _FRAME_START.search(line, header.end()) if header is not None else run
    start = first.start() if first is not None else run.start()
    head, frames = line[:start], line[start:]
    before = _FOLD_BEFORE_FIRST_FRAME.search(head)
    if before is None:  # the frame starts the line: nothing to break before it
        return head + _FOLD_POINT.sub(broken, frames)
    return head[:before.start()] + broken(before) + _FOLD_POINT.sub(broken, frames)


@dataclass
class LineOrigins:
    """Where each line of a decoded text (`_decoded_inline_lines`) was in the text as given: a decoded trace's
    lines are all on the line that held it, so a trace is placed by the lines a reader of the file sees."""

    starts: list[int] = field(default_factory=list)  # each grown line's first decoded index, in order
    ends: list[int] = field(default_factory=list)  # the decoded index after its last
    given: list[int] = field(default_factory=list)  # its index in the given text

    def given_line(self, number: int) -> int:
        """The given text's 1-based line number of the decoded text's line `number` (1-based)."""
        index = number - 1
        grown = bisect.bisect_right(self.starts, index) - 1
        if grown < 0:
            return number
        if index < self.ends[grown]:
            return self.given[grown] + 1
        return self.given[grown] + 1 + index - self.ends[grown] + 1


def _decoded_inline_lines(text: str) -> tuple[str, dict[int, _Prefix], LineOrigins]:
    """(`decode_inline_traces(text)`, the time, level, thread and logger of each event whose trace it decoded, by
    the decoded text's index of each line the event's line became, where its lines were in `text`). The fields are
    read from the line before decoding: after it, a message quoting JSON (`"message":"replied {\\"level\\":
    \\"info\\"}"`) is no JSON any more."""
    out: list[str] = []
    events: dict[int, _Prefix] = {}
    origins = LineOrigins()
    index = 0
    for given, line in enumerate(text.split("\n")):
        decoded, event = line, None
        if STRUCTURED_TRACE_MARKER in line and _STRUCTURED_TRACE_LINE.match(line):
            written, event = _event_as_lines(line, _structured_trace)
            decoded = written or line
        if "\\n\\tat " in decoded:
            decoded = _event_as_lines(decoded, _escaped_trace)[0] or _ESCAPED_TRACE_LINE.sub(
                lambda match: _unescape_json_text(match.group(0)), decoded)
        elif _FOLDED_HINT.search(decoded) and (run := _FOLDED_FRAMES.search(decoded)):
            decoded = _unfolded(decoded, run)
        out.append(decoded)
        lines = 1 + decoded.count("\n") + decoded.count("\r") - decoded.count("\r\n")
        if decoded != line and (fields := _json_event_prefix(event if event is not None else line)) is not None:
            events.update(dict.fromkeys(range(index, index + lines), fields))  # each line the event became
        if lines > 1:
            origins.starts.append(index)
            origins.ends.append(index + lines)
            origins.given.append(given)
        index += lines
    return "\n".join(out), events, origins


def _event_as_lines(line: str, as_trace: Callable[[Any], str | None]) -> tuple[str | None, dict[str, Any] | None]:
    """(A JSON log line whose event holds a trace, at its top or in an object of it as a shipper nests the event,
    written as the event without it, then the trace's lines as `printStackTrace` writes them; the event). The trace
    is what `as_trace` reads: log4j2's structured `thrown` object (`_structured_trace`), or escaped text
    (`_escaped_trace`: `"stack_trace":"java.lang.X: m\\n\\tat ..."`, GELF's `full_message`; decoded in place, the
    event's other fields stayed on the trace's first line, and an exception named in its `message` took them as its
    message). (None, the event) where it holds no such trace, (None, None) where the line holds no event; text
    around the event (a container runtime's prefix) stays on its line."""
    traces: list[str] = []
    try:
        start, event, end = _event_in(line)
        kept = _without_traces(event, traces, 2, as_trace)
    except (ValueError, RecursionError):  # no event; a cause chain nested deeper than the JSON reader goes
        return None, None
    if not traces:
        return None, event
    tail, newline, below = line[end:].partition("\n")  # below: a structured trace already written out
    written = "\n".join([line[:start] + json.dumps(kept, ensure_ascii=False) + tail, *traces]) + newline + below
    # a lone surrogate (a message cut inside an emoji) could not be written or printed
    return LONE_SURROGATE.sub("\ufffd", written), event


def _string_values(value: Any, depth: int) -> Iterator[str]:
    """The string values of a JSON object, at its top and `depth` objects below."""
    for item in value.values() if isinstance(value, dict) else ():
        if isinstance(item, str):
            yield item
        elif depth and isinstance(item, dict):
            yield from _string_values(item, depth - 1)


def _escaped_trace(item: Any) -> str | None:
    """The trace a JSON string field holds (`stack_trace`, GELF's `full_message`), None for any other value."""
    return item.rstrip("\n") if isinstance(item, str) and "\n\tat " in item else None


def _structured_trace(item: Any) -> str | None:
    """The lines of log4j2's structured `thrown` object, None for any other value."""
    return "\n".join(_thrown_lines(item)) if _is_structured_thrown(item) else None


_JSON_DECODER = json.JSONDecoder()
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a JSON `\\ud800` escape decodes to one; no writer takes it
_EVENT_STARTS_TRIED = 8  # '{'s of a prefix (`[{main}] {...}`) tried before the event's


def _event_in(line: str) -> tuple[int, dict[str, Any], int]:
    """(start, the JSON object, end) of the first '{' of `line` that starts a whole object; ValueError if none."""
    start = -1
    for _ in range(_EVENT_STARTS_TRIED):
        start = line.find("{", start + 1)
        if start < 0:
            break
        try:
            event, end = _JSON_DECODER.raw_decode(line, start)
        except ValueError:
            continue
        if isinstance(event, dict):
            return start, event, end
    raise ValueError("no JSON object")


def _without_traces(value: Any, traces: list[str], depth: int, as_trace: Callable[[Any], str | None]) -> Any:
    """`value` without the fields that `as_trace` reads a trace from (at its top, or `depth` objects below), whose
    traces are appended to `traces`."""
    if not isinstance(value, dict):
        return value
    kept = {}
    for key, item in value.items():
        if (trace := as_trace(item)) is not None:
            traces.append(trace)
        else:
            kept[key] = _without_traces(item, traces, depth - 1, as_trace) if depth else item
    return kept


# A JSON log event's time, level, thread and logger, by the keys logstash-logback-encoder, ECS, log4j2 and GELF's
# Java appenders (logback-gelf's `_thread_name`, logstash-gelf's `_Thread`, log4j2 GelfLayout's `_thread`) write
# (a dotted ECS key flat or nested). A time is taken only when it reads as one; log4j2's `instant` and
# `timeMillis`, and GELF's `timestamp` in seconds, are written as ISO 8601 UTC; GELF's numeric level is a syslog
# severity.
JSON_EVENT_KEYS = {"timestamp": ("@timestamp", "timestamp", "time", "date"),
                    "level": ("level", "log.level", "severity", "levelname", "_level_name", "_Severity"),
                    "thread": ("thread_name", "thread", "threadName", "process.thread.name", "_thread_name",
                               "_Thread", "_thread"),
                    "logger": ("logger_name", "loggerName", "logger", "log.logger", "_logger_name", "_LoggerName",
                               "_logger")}
_SYSLOG_SEVERITIES = ("CRITICAL", "CRITICAL", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG")
_LEVEL_WORD = re.compile(_LEVEL)
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d")


def _json_event_prefix(line_or_event: str | dict[str, Any]) -> _Prefix | None:
    """The time, level, thread and logger of a JSON log event (or of the one on a line); None where there is none
    or it names no time and no level."""
    event = line_or_event
    if isinstance(line_or_event, str):
        try:
            event = _event_in(line_or_event)[1]
        except (ValueError, RecursionError):
            return None
    found = {field: next((value for key in keys if isinstance(value := event_value(event, key), str)), None)
             for field, keys in JSON_EVENT_KEYS.items()}
    stamp = found["timestamp"] if found["timestamp"] and _DATE_TIME.match(found["timestamp"]) else _epoch_time(event)
    number = event.get("level")
    syslog = _SYSLOG_SEVERITIES[number] if type(number) is int and 0 <= number < len(_SYSLOG_SEVERITIES) else None
    level = (found["level"] or syslog or "").upper()
    level = level if _LEVEL_WORD.fullmatch(level) else None
    if stamp is None and level is None:
        return None
    return _Prefix(timestamp=stamp, level=level, thread=found["thread"], logger=found["logger"])


def event_value(event: dict[str, Any], key: str) -> Any:
    """`event[key]`, or for a dotted key its nested value (ECS's `{"log":{"level":...}}`)."""
    if key in event:
        return event[key]
    value: Any = event
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _epoch_time(event: dict[str, Any]) -> str | None:
    """log4j2's `instant` (`{"epochSecond":..,"nanoOfSecond":..}`) or `timeMillis`, or GELF's `timestamp` (seconds,
    a fraction after the point), as ISO 8601 UTC; else None."""
    import datetime  # only JSON events with a trace come here

    instant, millis, gelf = event.get("instant"), event.get("timeMillis"), event.get("timestamp")
    if isinstance(instant, dict) and isinstance(instant.get("epochSecond"), int):
        seconds = instant["epochSecond"] + (instant.get("nanoOfSecond") or 0) / 1e9
    elif isinstance(millis, int):
        seconds = millis / 1000
    elif type(gelf) in (int, float) and "short_message" in event:
        seconds = gelf
    else:
        return None
    try:
        moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _is_structured_thrown(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("name"), str) and isinstance(
        value.get("extendedStackTrace"), list)


def _thrown_lines(thrown: dict[str, Any], header: str = "", indent: str = "") -> list[str]:
    """`thrown` (log4j2's ThrowableProxy as JSON) as the lines `printStackTrace` writes."""
    message = thrown.get("message") if isinstance(thrown.get("message"), str) else thrown.get("localizedMessage")
    lines = [f"{indent}{header}{thrown['name']}" + (f": {message}" if isinstance(message, str) else "")]
    for element in thrown.get("extendedStackTrace") or []:
        if isinstance(element, dict):
            file, number = element.get("file"), element.get("line")
            where = ("Native Method" if number == -2 else f"{file}:{number}" if file and isinstance(number, int)
                     and number >= 0 else file or "Unknown Source")
            lines.append(f"{indent}\tat {element.get('class')}.{element.get('method')}({where})")
    suppressed_list = thrown.get("suppressed")
    for suppressed in suppressed_list if isinstance(suppressed_list, list) else []:
        if _is_structured_thrown(suppressed):
            lines += _thrown_lines(suppressed, "Suppressed: ", indent + "\t")
    if _is_structured_thrown(thrown.get("cause")):
        lines += _thrown_lines(thrown["cause"], "Caused by: ", indent)
    return lines


def _decoded_escape(escape: str) -> str:
    if escape[0] != "u":
        return _JSON_ESCAPES[escape]
    code = int(escape[1:], 16)
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)


# A trace line ("at x.Y.m(", "Caused by: ", "... 3 more") preceded on its line by something else: the per-line
# prefix of container runtimes and collectors (CRI "<time> stderr F ", `kubectl logs --prefix` "[pod/x/c] ",
# syslog "Mar  1 10:15:00 host java[12]: ", docker compose "api-1  | ").
_TRACE_MARKER = r"at\s+[\w$./@<>+-]+\(|Caused by: |Suppressed: |\.\.\. \d+ more"
# A space or tab right before a trace marker: where a collector's prefix may end. Lines are found from these
# markers: a lazy `^\S[^\n]*?[ \t]+(?=marker)` tried from each line start is quadratic in a line's blank runs.
_BLANK_BEFORE_TRACE_MARKER = re.compile(rf"[ \t](?={_TRACE_MARKER})")
_NON_BLANK = re.compile(r"\S")
_TRACE_LINE_START = re.compile(rf"\s*(?:{_TRACE_MARKER})")
_DIGITS = re.compile(r"\d+")
_RFC3339_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)")


def _shape(tokens: Sequence[str]) -> tuple[str, ...]:
    return tuple(_DIGITS.sub("0", token) for token in tokens)


def _stamp_shapes(text: str) -> set[tuple[str, ...]]:
    """For an exception printed without frames behind `kubectl logs --timestamps` stamps, where no trace line shows
    the prefix: the stamps' shapes when every non-empty line starts with an RFC 3339 stamp and the rest of some line
    is an exception header; else none."""
    split = [line.split(maxsplit=1) for line in text.split("\n") if line.strip()]
    if len(split) < 2 or not all(_RFC3339_STAMP.fullmatch(parts[0]) for parts in split):
        return set()
    for parts in split:
        header = _HEADER.match(parts[1]) if len(parts) == 2 else None
        if header and _is_throwable_name(header.group("cls")):
            return {_shape(parts[:1]) for parts in split}
    return set()


def _prefixed_trace_lines(text: str) -> Iterator[tuple[str, str]]:
    """(line, prefix) of each line that holds a trace marker after a space or tab with something other than blanks
    before it; the prefix is what comes before the blanks in front of the line's first such marker. A prefix may
    itself be indented: Ant prints each task's output as `    [junit] ` + the line. One pass: a line is located
    (`rfind`) once, at its first marker, and its later markers are skipped."""
    line_end = -1
    for match in _BLANK_BEFORE_TRACE_MARKER.finditer(text):
        blank = match.start()
        if blank < line_end:
            continue  # a later marker of a line already seen
        start = text.rfind("\n", 0, blank) + 1
        line_end = text.find("\n", blank)
        line_end = len(text) if line_end < 0 else line_end
        if _NON_BLANK.search(text, start, blank):
            line = text[start:line_end]
            yield line, line[: blank - start].rstrip(" \t")


def _prefix_trie(shapes: set[tuple[str, ...]]) -> dict[Any, Any]:
    """The shapes as a trie of nested dicts; a node that ends a shape holds the key `_END`. A line is then matched
    in one walk over its first tokens, however many widths the shapes have (a loop over the widths, each
    splitting the line again, is quadratic when a log has prefixes of many widths)."""
    root: dict[Any, Any] = {}
    for shape in shapes:
        node = root
        for token in shape:
            node = node.setdefault(token, {})
        node[_END] = True
    return root


_END: Any = object()  # not a string, so no token of a line can be mistaken for it


def _strip_known_prefix(line: str, trie: dict[Any, Any], depth: int) -> str | None:
    """`line` without the longest prefix whose token shape is in `trie` (shapes of at most `depth` tokens), or
    None when none is."""
    tokens = line.split(maxsplit=depth)[:depth]
    if not tokens or _DIGITS.sub("0", tokens[0]) not in trie:
        return None  # the usual line: its first token starts no prefix
    node, width = trie, 0
    for position, token in enumerate(_DIGITS.sub("0", " ".join(tokens)).split(" "), start=1):
        node = node.get(token)
        if node is None:
            break
        if _END in node:
            width = position
    if not width:
        return None
    parts = line.split(maxsplit=width)
    body = parts[width] if len(parts) > width else ""
    return "\t" + body if body.startswith(("at ", "... ")) else body


def strip_repeated_line_prefixes(text: str) -> str:
    """`text` without a prefix that a collector put on every line, so traces read as written.

    A prefix is the whitespace-separated tokens before a trace line's `at ...` / `Caused by:` / `... N more`; one
    counts when at least two trace lines carry it with the same shape (digits ignored: times, pids) and it is not a
    logging-framework prefix the parser reads itself (those keep their level, thread and logger). Every line
    that starts with a counted shape loses it (the longest, when several fit); other lines are kept as they are.
    A log whose frames start their lines (the usual case, with a logback/log4j prefix on the first line only) comes
    back unchanged.
    """
    counts: dict[tuple[str, ...], int] = {}
    for line, raw_prefix in _prefixed_trace_lines(text):
        prefix, body = _split_prefix(line)
        if prefix is not None and (prefix.level or prefix.thread) and _TRACE_LINE_START.match(body):
            continue  # a logback/log4j prefix with a level, WebSphere's with its thread: the parser reads it itself
        shape = tuple(_DIGITS.sub("0", raw_prefix).split())  # = _shape(raw_prefix.split()), one regex call
        counts[shape] = counts.get(shape, 0) + 1
    shapes = {shape for shape, count in counts.items() if count >= 2} or _stamp_shapes(text)
    if not shapes:
        return text
    shapes |= _grep_twins(shapes)
    trie, depth = _prefix_trie(shapes), max(map(len, shapes))
    glued = _glued_prefix(shapes)
    lines = text.split("\n")
    for number, line in enumerate(lines):
        stripped = _strip_known_prefix(line, trie, depth)
        if stripped is None and glued is not None and (match := glued.match(line)):
            stripped = line[match.end():]
        if stripped is not None:
            lines[number] = stripped
    return "\n".join(lines)


def _glued_prefix(shapes: set[tuple[str, ...]]) -> re.Pattern[str] | None:
    """`grep -n` / `grep -A` output prefixes each line with `N:` or `N-` (`file:N:` with `-H`), glued to it: a frame
    keeps a tab after it, so the prefix is learned there, but a `Caused by:`, `Suppressed:` or `... N more` line
    starts at the first column, right after the prefix, and kept it (it then read as text, and the cause as a
    second trace); so did an exception line (`grep -A ERROR` prints it as a context line). The learned one-token
    prefixes that end in `-` or `:`, followed by such a line start."""
    glued = sorted({_digit_runs(shape[0]) for shape in shapes if len(shape) == 1 and shape[0][-1:] in "-:"})
    if not glued:
        return None
    return re.compile(rf"\s*(?:{'|'.join(glued)})(?=\s*(?:Caused by: |Suppressed: |Wrapped by: |\.\.\. \d+ |"
                      rf"(?:[\w$]+\.)+[\w$]*{THROWABLE_SUFFIX}[\w$]*(?::|\s*$)))")


def _grep_twins(shapes: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """grep writes `12:` before a matching line and `13-` before a context line (`file:12:` / `file-13-` with
    `-H`): a one-token prefix of that shape learned from either counts as the other too."""
    return {(shape[0].translate(_SWAP_SEPARATORS),) for shape in shapes
            if len(shape) == 1 and _GREP_SHAPE.fullmatch(shape[0])}


_GREP_SHAPE = re.compile(r"(?:[^\s:-]*[-:])?0[-:]")
_SWAP_SEPARATORS = str.maketrans("-:", ":-")


def _digit_runs(shape: str) -> str:
    """A learned shape (digits made `0`) as a pattern of the prefixes it stands for (a grep shape's twin with the
    other separator is among the shapes already: `_grep_twins`)."""
    return "".join(r"\d+" if part == "0" else re.escape(part) for part in re.split(r"(0)", shape) if part)


_WAITS_FOR_LOCK = ("waiting to lock", "parking to wait for")
_HOLDS_LOCK = ("locked", "owns")


def reads_as_written(text: str) -> bool:
    """Whether `parse_log` reads `text`'s lines as they are written: no trace inside a JSON line to decode, no
    collector stamp, and no trace line (`at ...`, `Caused by:`, `... N more`) behind a prefix other than a logging
    framework's, which the parser reads itself, so `strip_repeated_line_prefixes` learns no prefix from it. A
    streamed region is cut only where the text before the cut reads so (utils.parsing.log_sources): what a piece
    learns from its own lines could differ from what the whole region learns."""
    if has_inline_traces(text) or _RFC3339_STAMP.match(text):
        return False
    for line, _ in _prefixed_trace_lines(text):
        prefix, body = _split_prefix(line)
        if prefix is None or not prefix.level or not _TRACE_LINE_START.match(body):
            return False
    return True


def names_locks(text: str) -> bool:
    """Whether `text` has a line a deadlock is read from (a thread's `- locked <..>`, `- parking to wait for <..>`,
    a `Locked ownable synchronizers:` list): `find_deadlocks` relates the threads of one parsed text, so a streamed
    region is not cut after such a line (utils.parsing.log_sources)."""
    return _LOCK.search(text) is not None or _OWNABLE_HEADER in text


def find_deadlocks(traces: Sequence[Trace]) -> list[list[Trace]]:
    """Cycles of threads of one thread dump each waiting for a lock another one holds, each cycle once, in the
    order of the wait: [A, B] means A waits for a lock B holds and B for one A holds. Monitors (`waiting to lock`
    / `locked`) and `java.util.concurrent` locks (`parking to wait for` a ReentrantLock's sync, held as a `Locked
    ownable synchronizer`) both count. A monitor the thread is `waiting on` (Object.wait) was released, so it is not
    held even though a `locked` line names it too. When two records name the same lock (the JVM repeats the
    deadlocked threads under "Java stack information for the threads listed above"), the first one holds it.
    Threads of different dumps (`Trace.dump`) never wait for each other: a dump taken seconds later shows the same
    lock held by someone else, and the same threads, so each dump's cycles are found among its own threads, dump
    after dump.

    Linear in the number of threads: each waits for at most one other, so every thread is walked once."""
    dumps: dict[int, list[Trace]] = {}
    for trace in traces:
        if trace.kind == "thread":
            dumps.setdefault(trace.dump, []).append(trace)
    return [cycle for dump in sorted(dumps) for cycle in _cycles(dumps[dump])]


def _cycles(threads: list[Trace]) -> list[list[Trace]]:
    """`find_deadlocks` within one dump's threads."""
    holder: dict[str, int] = {}
    for position, thread in enumerate(threads):
        released = {lock.address for lock in thread.locks if lock.action == "waiting on"}
        for lock in thread.locks:
            if lock.action in _HOLDS_LOCK and lock.address not in released:
                holder.setdefault(lock.address, position)
    waits_for = [-1] * len(threads)
    for position, thread in enumerate(threads):
        awaited = next((lock.address for lock in thread.locks if lock.action in _WAITS_FOR_LOCK), None)
        owner = holder.get(awaited, -1) if awaited is not None else -1
        if owner != position:
            waits_for[position] = owner
    cycles: list[list[Trace]] = []
    state = [_UNSEEN] * len(threads)
    for first in range(len(threads)):
        walk: list[int] = []
        current = first
        while current >= 0 and state[current] == _UNSEEN:
            state[current] = _ON_WALK
            walk.append(current)
            current = waits_for[current]
        if current >= 0 and state[current] == _ON_WALK:  # the walk came back to itself: a new cycle
            cycles.append([threads[member] for member in walk[walk.index(current) :]])
        for member in walk:
            state[member] = _DONE  # in a cycle already listed, or leading to one / to a running thread
    return cycles


_UNSEEN, _ON_WALK, _DONE = range(3)


def parse_log(text: str, extra_library_prefixes: Iterable[str] = (), cut: bool = False) -> list[Trace]:
    """Every trace in `text`, in order; never raises. Text with no trace gives one `Trace` with an empty chain.

    `extra_library_prefixes`: package prefixes to treat as library code besides configs/library_packages.yaml.
    `cut`: the text is a region of a longer log and its end is not the log's end, so a message does not end there
    (a message-only exception whose loose text lines reach the end keeps its first line, as the whole log would
    when a record follows). Bytes are decoded as UTF-8 with replacement.
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = "" if text is None else str(text)
    if "\ufeff" in text:  # byte-order marks (one per file, more when files were concatenated) hide the first name
        text = text.replace("\ufeff", "")
    text = _unix_line_ends(text)  # Windows and old-Mac ones: before the JSON lines are counted
    events: dict[int, _Prefix] = {}
    origins = None
    if has_inline_traces(text):  # traces inside JSON log lines, or folded onto one line
        text, events, origins = _decoded_inline_lines(text)
        text = _unix_line_ends(text)  # and after: `\\r` escapes
    if "at " in text or "Caused by: " in text or _RFC3339_STAMP.match(text):
        text = strip_repeated_line_prefixes(text)
    extra = (extra_library_prefixes,) if isinstance(extra_library_prefixes, str) else tuple(extra_library_prefixes)
    traces = _Parser(text.replace("\x00", ""), extra, cut, events).parse()
    for trace in traces if origins is not None and origins.starts else ():
        trace.start_line, trace.end_line = origins.given_line(trace.start_line), origins.given_line(trace.end_line)
    return traces


def _unix_line_ends(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def parse_trace(text: str, extra_library_prefixes: Iterable[str] = ()) -> Trace:
    """The first trace of `text` (the whole text is expected to be one trace); never raises."""
    return parse_log(text, extra_library_prefixes)[0]
