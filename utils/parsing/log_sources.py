"""Reading what users give predict.py: JSONL files (field `log`), plain log files, JUnit XML reports, or stdin.

Stdlib only. Bad input never raises a traceback: each problem is either one clear `path:line: reason` error
(`InputError`) or a counted skip that the caller reports at the end of the run.
"""

from __future__ import annotations

import codecs
import io
import itertools
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from utils.literal_scan import literal_database, scan
from utils.parsing.compressed import DECOMPRESSION_ERRORS, Compression, UntilDamaged, compression
from utils.parsing.junit_xml import ReportError, failed_tests, is_junit_report
from utils.parsing.stacktrace import (
    JSON_EVENT_KEYS,
    LONE_SURROGATE,
    MASK_TOKEN,
    MAX_CONTINUATION_LINES,
    event_value,
)

EXPLANATION_LANGUAGES = ("en", "ko")  # the languages the corpus guidance is written in
MAX_LOG_BYTES = 64 * 1024 * 1024  # one document larger than this is refused, not parsed


class InputError(Exception):
    """A problem with the user's input, reported as one line (no traceback)."""


class NothingAnalyzed(Exception):
    """Every input was skipped or unreadable (`skips` says why). A run writes no output file then: an earlier run's
    files are not replaced by empty ones, and the exit status says the run failed."""

    def __init__(self, skips: SkipReport) -> None:
        super().__init__("no input could be analyzed; no output file was written")
        self.skips = skips

    def lines(self) -> str:
        """The skips with their reasons, then the one-line error."""
        summary = self.skips.summary()
        return f"{summary}\nerror: {self}" if summary else f"error: {self}"


@dataclass
class LogDocument:
    """One log to analyze: a JSONL row's `log`, or a whole plain log file."""

    id: str
    source: str  # "path:line" for JSONL rows, "path" for plain files, "<stdin>"
    text: str
    language: str | None = None  # explanation language a JSONL row asks for (`language` field); None: the default
    group: str | None = None  # a JSONL row's `project` (else `source`) field: what real-log splits keep together
    region: bool = False  # one region of a streamed plain log (`DocumentStream`), not a whole document
    line_offset: int = 0  # lines of the file before `text` (a region's place in its file)
    no_trace_head: bool = False  # a streamed plain log's first lines: analysed only when the file has no trace
    cut: bool = False  # a region that ends before its log does (`parse_log(cut=True)`)


@dataclass
class SkipReport:
    """Inputs skipped (not analyzed) and warnings (analyzed with a caveat), each with where and why.

    Printed at the end of a run and saved beside the output, so nothing is dropped silently.
    """

    skipped: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def add(self, source: str, reason: str) -> None:
        self.skipped.append({"source": source, "reason": reason})

    def warn(self, source: str, reason: str) -> None:
        self.warnings.append({"source": source, "reason": reason})

    def __len__(self) -> int:
        return len(self.skipped)

    def summary(self, limit: int = 50) -> str:
        lines: list[str] = []
        for title, items in (("skipped", self.skipped), ("warnings for", self.warnings)):
            if not items:
                continue
            lines.append(f"{title} {len(items)} input(s):")
            lines += [f"  {item['source']}: {item['reason']}" for item in items[:limit]]
            if len(items) > limit:
                lines.append(f"  ... and {len(items) - limit} more")
        return "\n".join(lines)


# A terminal's colour and style codes (ESC [ ... m, and the other CSI sequences), as a console captured with colour
# on writes them (Spring Boot's `spring.output.ansi.enabled=always`, `docker logs` of such a container): between
# them a record's time and level were not read. They hold no line end, so lines keep their numbers.
_TERMINAL_CODE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_TERMINAL_CODE_START = re.compile(r"\x1b(?:\[[0-?]*[ -/]*)?$")  # one cut at a chunk's end


def without_terminal_codes(text: str) -> str:
    """`text` without the terminal's colour and style codes (`_TERMINAL_CODE`)."""
    return _TERMINAL_CODE.sub("", text) if "\x1b" in text else text


def _decode(raw: bytes, encoding: str = "utf-8") -> tuple[str, int | None]:
    """Text of `raw` without terminal codes; invalid bytes become U+FFFD (logs are often mixed encodings), and the
    line of the first of them (None when there was none)."""
    try:
        return without_terminal_codes(raw.decode(encoding)), None
    except UnicodeDecodeError as error:
        return without_terminal_codes(raw.decode(encoding, errors="replace")), _line_of(raw, error.start, encoding)


def _line_of(raw: bytes, position: int, encoding: str) -> int:
    """The line (from 1) holding byte `position` of `raw`, line ends counted as the parser counts them."""
    text = raw[:position].decode(encoding, errors="replace")
    return text.count("\n") + text.count("\r") - text.count("\r\n") + 1


def bad_bytes_warning(encoding: str, line: int) -> str:
    return f"invalid {encoding.upper()} bytes replaced with U+FFFD (the first on line {line})"


# Longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF_BYTES = 8192


_HOLE_MIN_BYTES = 16  # UTF-16/32 big-endian text starts with 1-3 NULs; a truncation hole is thousands
HOLE_WARNING = ("{count} NUL bytes at its start skipped: the hole a log keeps when it is truncated while its "
                "writer goes on at the old offset (logrotate's copytruncate)")


def not_text(raw: bytes) -> str | None:
    """Why an input whose first bytes are a compressed file's that is not read here (zstd, zip), or hold NUL bytes,
    is skipped; None for text (the caller has ruled out UTF-16/32, whose NUL bytes are text, and has opened gzip,
    bzip2 and xz)."""
    kind = compression(raw)
    if kind is None:
        return "binary file (NUL bytes), not a text log" if b"\x00" in raw[:_SNIFF_BYTES] else None
    return f"{kind.name}-compressed, not a text log: decompress it first (`{kind.tool} FILE`)"


def without_leading_hole(raw: bytes, more: Callable[[], bytes] = lambda: b"") -> tuple[bytes, int]:
    """`raw` (and what `more` reads after it, while all of it is NUL) without a leading run of NUL bytes, and the
    run's length. A log truncated while its writer kept its offset starts with such a hole, then text; read as a
    whole it looked binary, and every trace in it was skipped."""
    if not raw.startswith(b"\x00" * min(_HOLE_MIN_BYTES, max(len(raw), 1))):
        return raw, 0
    skipped = 0
    while raw and not raw.strip(b"\x00"):  # the hole may run on for megabytes: read past it a chunk at a time
        skipped += len(raw)
        raw = more()
    text = raw.lstrip(b"\x00")
    run = skipped + len(raw) - len(text)
    # UTF-16 big-endian text starts with a NUL byte of its own (a file of it is even-sized, so is its hole): an odd
    # run before text that reads as UTF-16-BE with that byte back is one byte shorter
    if run % 2 and sniff_encoding(b"\x00" + text[:_SNIFF_BYTES])[0] == "utf-16-be":
        text, run = b"\x00" + text, run - 1
    return text, run


def _share_of_nuls(sample: bytes) -> float:
    return sample.count(0) / len(sample) if sample else 0.0


_HANGUL = re.compile("[\uac00-\ud7a3]")
_HANGUL_WORD = re.compile("[\uac00-\ud7a3]{2,}")
_HANGUL_SHARE = 0.8  # of the characters outside ASCII
_HANGUL_AT_LEAST = 2


@lru_cache(maxsize=1)
def _common_hangul() -> frozenset[str]:
    """The 2,350 Hangul syllables of KS X 1001, EUC-KR's two-byte rows 0xB0-0xC8: the Korean text writes. CP949
    adds the other 8,822, whose bytes (a lead of 0x81-0xC6, then an ASCII letter) are also what a Windows-1252 or
    Latin-1 byte before a letter looks like (`Can’t`, `25°C`)."""
    return frozenset(bytes((lead, trail)).decode("euc_kr") for lead in range(0xB0, 0xC9) for trail in range(0xA1, 0xFF))


def _korean_legacy(raw: bytes) -> bool:
    """Whether `raw` is Korean text in CP949 (EUC-KR and its superset, what Korean Windows and many banks' older
    systems write) rather than UTF-8: not UTF-8, CP949 without an error, and its characters outside ASCII nearly all
    common Hangul syllables (KS X 1001's, at least two). Read as UTF-8, every Korean message became U+FFFD."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)  # a chunk may end inside a character
        return False
    except UnicodeDecodeError:
        pass
    try:
        text = codecs.getincrementaldecoder("cp949")().decode(raw, final=False)
    except UnicodeDecodeError:
        return False
    wide = sum(1 for character in text if ord(character) > 127)
    common = _common_hangul()
    hangul = sum(1 for syllable in _HANGUL.findall(text) if syllable in common)
    # words of two syllables or more: an accented pair in upper case (`OPERAÇÃO`) makes one syllable, alone
    words = sum(1 for word in _HANGUL_WORD.findall(text) if all(syllable in common for syllable in word))
    return hangul >= max(_HANGUL_AT_LEAST, _HANGUL_SHARE * wide) and words >= _HANGUL_AT_LEAST


def sniff_encoding(raw: bytes) -> tuple[str, int, str | None]:
    """(encoding, length of its byte-order mark, how it was recognised) of a log's bytes.

    Windows tools (PowerShell's `>`, Notepad's "Unicode") write UTF-16, with or without a byte-order mark; its NUL
    bytes once had such a log skipped as binary. Without a mark the NULs' places tell: in UTF-16 text that is
    mostly ASCII every other byte is NUL (the odd ones little-endian, the even ones big-endian), in UTF-32 three
    bytes of four. Korean text that is not UTF-8 is CP949 (`_korean_legacy`). "How" is None for plain UTF-8, which
    needs no note in the report.
    """
    for mark, encoding in _BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            return encoding, len(mark), None if encoding == "utf-8" else "byte-order mark"
    sample = raw[:_SNIFF_BYTES]
    if b"\x00" not in sample:
        return ("cp949", 0, "Hangul in bytes that are not UTF-8") if _korean_legacy(raw) else ("utf-8", 0, None)
    units = sample[: len(sample) - len(sample) % 4]
    if units and _share_of_nuls(units[2::4] + units[3::4]) > 0.95 and _share_of_nuls(units[0::4]) < 0.05:
        return "utf-32-le", 0, "NUL bytes"
    if units and _share_of_nuls(units[0::4] + units[1::4]) > 0.95 and _share_of_nuls(units[3::4]) < 0.05:
        return "utf-32-be", 0, "NUL bytes"
    pairs = sample[: len(sample) - len(sample) % 2]
    if _share_of_nuls(pairs[1::2]) > 0.7 and _share_of_nuls(pairs[0::2]) < 0.05:
        return "utf-16-le", 0, "NUL bytes"
    if _share_of_nuls(pairs[0::2]) > 0.7 and _share_of_nuls(pairs[1::2]) < 0.05:
        return "utf-16-be", 0, "NUL bytes"
    return "utf-8", 0, None


_ROW_SUFFIX = re.compile(r":\d+$")


def source_file(source: str) -> str:
    """The file a document came from: a JSONL row's `path:line` without its line; a plain file's path as it is
    (a `:` inside a path is kept)."""
    return _ROW_SUFFIX.sub("", source)


def without_lone_surrogates(text: str) -> tuple[str, int]:
    """(`text` with each lone surrogate replaced by U+FFFD, how many there were). A JSON `\\ud800` escape decodes
    to one, and no UTF-8 writer or terminal can encode it: left in, it crashes the output step."""
    return LONE_SURROGATE.subn("\ufffd", text)


_DOCKER_KEYS = frozenset({"log", "stream", "time", "attrs"})


_NOT_JSON = object()  # the first line of a text that is no JSON object
# An application's JSON log event (logstash-logback-encoder, ECS, log4j2's JsonLayout / JsonTemplateLayout, GELF): a
# trace field, or a message with a level. Exported as `.ndjson` (Kibana's export) or `.jsonl`, such a file is still a
# log.
_EVENT_TRACE_KEYS = frozenset({"stack_trace", "error.stack_trace", "thrown", "exception", "full_message",
                               "_StackTrace"})  # the last two GELF's (Graylog), whose `level` is a number
_EVENT_MESSAGE_KEYS = frozenset({"message", "msg", "short_message"})


def _first_json_row(text: str) -> Any:
    """The JSON value of `text`'s first non-blank line when that line looks like an object (`{...}`), None when it
    does not parse, `_NOT_JSON` when it does not look like one."""
    first = next((line for line in text.split("\n") if line.strip()), "").strip()  # U+2028 may be inside a row
    if not (first.startswith("{") and first.endswith("}")):
        return _NOT_JSON
    try:
        return json.loads(first)
    except json.JSONDecodeError:
        return None


def _reading(path: str, text: str, text_field: str, skips: SkipReport) -> str:
    """How to read a file that starts with `text`: "junit", "docker", "jsonl" or "plain".

    - junit: a JUnit XML test report (`TEST-*.xml`): its failed tests' traces (`junit_report_documents`).

    - docker: Docker's json-file log (`/var/lib/docker/containers/<id>/<id>-json.log`), one `{"log": "<a line the
      container wrote>\\n", "stream": "stderr", "time": ...}` per line: read as what the container wrote.
    - jsonl: rows of JSON, each a document, by the file's name, else when its first line is a JSON object with
      `text_field` (or is a malformed one: counted as such, not read as log text).
    - plain: anything else. An application's own JSON log (logstash-logback-encoder, ECS, log4j2's JsonLayout: a
      `stack_trace` or `thrown` field, or a message and a level; no `log` text, though ECS's `log` object may be
      there) is a plain log whose traces sit in its lines, whatever its name (`.ndjson`, `.jsonl`), unless one of
      its first rows has `text_field` (a file of rows); read as rows, every event was a skip for its missing
      `log`. A file named `.jsonl` / `.ndjson` none of whose first lines is a JSON object is a plain log too, with
      a warning in `skips`: read as rows, each of its lines was a skip for malformed JSON."""
    if is_junit_report(text):
        return "junit"
    row = _first_json_row(text)
    if isinstance(row, dict) and {"log", "stream"} <= set(row) <= _DOCKER_KEYS and isinstance(row["log"], str):
        return "docker"
    if isinstance(row, dict) and not isinstance(row.get(text_field), str) and _log_event(row) and not _rows_among(
            text, text_field):
        return "plain"
    named_rows = path.endswith((".jsonl", ".ndjson"))
    if named_rows and row is _NOT_JSON and not _objects_among(text):
        skips.warn(path, "named like JSON lines, but no line it starts with is a JSON object: read as a plain log")
        return "plain"
    if named_rows or row is None or isinstance(row, dict) and text_field in row:
        return "jsonl"
    return "plain"


def _log_event(row: dict[str, Any]) -> bool:
    """An application's JSON log event: a trace field, or a message and a level (the parser's level keys, ECS's
    nested `log.level` too); at its top or in an object of it (ECS's `error.stack_trace`, an event a shipper nests
    under `json`)."""
    return any(_event_fields(fields) for fields in (row, *row.values()) if isinstance(fields, dict))


def _event_fields(fields: dict[str, Any]) -> bool:
    if not _EVENT_TRACE_KEYS.isdisjoint(fields):
        return True
    has_level = any(event_value(fields, key) is not None for key in JSON_EVENT_KEYS["level"])
    return has_level and not _EVENT_MESSAGE_KEYS.isdisjoint(fields)


_ROWS_LOOKED_AT = 20  # a file whose first row is an event but whose next rows are rows is rows: it is looked at so far


def _first_lines(text: str) -> Iterator[str]:
    """The first `_ROWS_LOOKED_AT` non-blank lines of `text`, stripped, read lazily (`text` may be a 2 MiB chunk)."""
    return itertools.islice((line.strip() for line in io.StringIO(text) if line.strip()), _ROWS_LOOKED_AT)


def _objects_among(text: str) -> bool:
    """Whether one of the first non-blank lines of `text` starts like a JSON object."""
    return any(line.startswith("{") for line in _first_lines(text))


def _rows_among(text: str, text_field: str) -> bool:
    """Whether one of the first rows of `text` has `text_field` as text: a file of rows, whatever its first."""
    for line in _first_lines(text):
        try:
            row = json.loads(line) if line.startswith("{") else None
        except ValueError:
            continue
        if isinstance(row, dict) and isinstance(row.get(text_field), str):
            return True
    return False


def _docker_log_texts(texts: Iterable[str], source: str, skips: SkipReport) -> Iterator[str]:
    """What the container wrote, from the text of its json-file log, chunk by chunk: each row's `log`. Read as rows,
    every line of a trace was a document of its own. A row that is no such object is a counted skip and stays an
    empty line, so line numbers are the file's."""
    carry, number = "", 0
    for text in itertools.chain(texts, ["\n"]):  # the closing newline ends a last row without one
        lines = (carry + text).split("\n")
        carry = lines.pop()
        out = []
        for line in lines:
            number += 1
            try:
                row = json.loads(line) if line.strip() else {"log": "\n"}
            except json.JSONDecodeError:
                row = None
            if not isinstance(row, dict) or not isinstance(row.get("log"), str):
                skips.add(f"{source}:{number}", "not a row of a Docker json-file log")
                row = {"log": "\n"}
            out.append(without_terminal_codes(row["log"]))  # JSON-escaped (`\\u001b[31m`): they come back here
        yield "".join(out)


def iter_jsonl_documents(
    text: str, source: str, text_field: str, id_field: str, skips: SkipReport, strict: bool
) -> Iterator[LogDocument]:
    """Rows of a JSONL text; malformed rows raise (strict) or are counted in `skips`."""
    for line_number, line in enumerate(text.split("\n"), start=1):  # as the stream splits: U+2028 stays in its row
        document = jsonl_row_document(line, line_number, source, text_field, id_field, skips, strict)
        if document is not None:
            yield document


def jsonl_row_document(
    line: str, line_number: int, source: str, text_field: str, id_field: str, skips: SkipReport, strict: bool
) -> LogDocument | None:
    """The document of one JSONL line (None for a blank line or a counted skip; `InputError` when strict)."""
    if not line.strip():
        return None
    where = f"{source}:{line_number}"
    problem, row = None, {}
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:  # its message may end in "at": the column is given apart
        problem = f"malformed JSON: {error.msg} (column {error.colno})"
    if problem is None and not isinstance(row, dict):  # `null`, a list, a string, a number
        problem = "a JSON object was expected"
    elif problem is None and not isinstance(row.get(text_field), str):
        problem = f"missing or non-text field {text_field!r}"
    elif problem is None and not row[text_field].strip():
        problem = f"empty {text_field!r}"
    if problem:
        if strict:
            raise InputError(f"{where}: {problem}")
        skips.add(where, problem)
        return None
    language = row.get("language")
    if language is not None and language not in EXPLANATION_LANGUAGES:
        skips.warn(where, f"language {language!r} is not one of {', '.join(EXPLANATION_LANGUAGES)}; "
                          "the default is used")
        language = None
    text, surrogates = without_lone_surrogates(without_terminal_codes(row[text_field]))
    if surrogates:
        skips.warn(where, f"{surrogates} lone surrogate escape(s) replaced with U+FFFD")
    named = [row.get(key) for key in ("project", "source") if row.get(key)]
    group = next((name for name in named if isinstance(name, str)), None)
    if any(not isinstance(name, str) for name in named):  # a list or a number would name a source by its repr
        skips.warn(where, "its `project` / `source` is not text; " + ("its other field" if group else "the file")
                   + " names its source")
    return LogDocument(id=str(row.get(id_field) or f"{Path(source).name}:{line_number}"), source=where,
                       text=text, language=language, group=str(group) if group else None)


def read_documents(
    inputs: list[str],
    text_field: str = "log",
    id_field: str = "id",
    strict: bool = False,
    skips: SkipReport | None = None,
) -> tuple[list[LogDocument], SkipReport]:
    """All documents of the given paths (`-` is stdin). Missing paths and directories raise `InputError`."""
    skips = skips if skips is not None else SkipReport()
    documents: list[LogDocument] = []
    for path in inputs:
        if path == "-":
            raw, source = sys.stdin.buffer.read(), "<stdin>"
        else:
            if not os.path.exists(path):
                raise InputError(f"{path}: no such file")
            if os.path.isdir(path):
                raise InputError(f"{path}: is a directory; give the log files inside it (e.g. {path}/*.log)")
            if os.path.getsize(path) > MAX_LOG_BYTES:
                raise InputError(f"{path}: larger than {MAX_LOG_BYTES // 2**20} MiB; split it first")
            raw, source = Path(path).read_bytes(), path
        packed = compression(raw)
        if packed is not None and packed.opener is not None:
            try:
                text = packed.decompress(raw, MAX_LOG_BYTES)
            except DECOMPRESSION_ERRORS as error:
                if strict:
                    raise InputError(f"{source}: {packed.name} data cut short or damaged ({error})") from None
                skips.add(source, f"{packed.name} data cut short or damaged ({error})")
                continue
            if text is None:
                raise InputError(f"{path}: larger than {MAX_LOG_BYTES // 2**20} MiB decompressed; split it first")
            raw = text
        raw, hole = without_leading_hole(raw)
        if hole:
            skips.warn(source, HOLE_WARNING.format(count=hole))
        encoding, mark, recognised_by = sniff_encoding(raw)
        binary = not_text(raw) if recognised_by is None else None
        if binary:
            if strict:
                raise InputError(f"{source}: {binary}")
            skips.add(source, binary)
            continue
        if recognised_by is not None:
            skips.warn(source, f"decoded as {encoding.upper()} (found by its {recognised_by}), not UTF-8")
        text, bad_line = _decode(raw[mark:], encoding)
        if bad_line is not None:
            skips.warn(source, bad_bytes_warning(encoding, bad_line))
        if not text.strip():
            if strict:
                raise InputError(f"{source}: empty input")
            skips.add(source, "empty input")
            continue
        reading = _reading(source, text, text_field, skips)
        if reading == "docker":
            text = "".join(_docker_log_texts([text], source, skips))
        if reading == "jsonl":
            documents.extend(iter_jsonl_documents(text, source, text_field, id_field, skips, strict))
        elif reading == "junit":
            documents.extend(junit_report_documents([text], source, skips, strict))
        else:
            documents.append(LogDocument(id=Path(source).name, source=source, text=text))
    return documents, skips


# ---------------------------------------------------------------------------------------------------------------
# Streaming: predict.py reads a log of any size in chunks, in bounded memory, and hands the parser only the regions
# around lines that can start or continue a trace (a production log is mostly INFO lines).

CHUNK_BYTES = 2 * 2**20  # bytes read (and scanned) at a time: 8 MiB was no faster and peaked ~100 MB higher
# A line that can start or continue a trace holds one of these strings: a frame (`at x.Y.m(`, or a bare one with a
# `.java:` source reference), a `... N more`, a `Caused by:` / `Suppressed:` / `Wrapped by:`, a throwable's name
# (...Exception / ...Error / ..., or a class in an `exceptions` / `errors` package, or its masked name) or a
# thread's state. Lines near
# one (a thread header, lock lines, Spring's "with root cause", a JSON line's escaped trace) come with its region.
# Deliberately wider than the parser: a false candidate costs a little parsing, a missed one a trace. Plain
# substrings, each found with `str.find` (C speed: one pass costs ~0.6 ms per MB; one regex alternation of them ran at
# 10 MB/s), as few as cover every line the parser starts or continues a trace on.
_CANDIDATE_NEEDLES = (  # besides "at ", which only a frame's counts
    "xception", "rror", "Throwable", "Failure", "Fault", "aused by", "AUSED BY", "uppressed", "UPPRESSED",
    "rapped by", "...", ".java:", "Thread.State", "ThreadDeath", MASK_TOKEN,
)
_FRAME_AT = re.compile(r"at\s+[\w$./@<>+-]+\(")  # "at " is common in prose: only a frame's counts
_FRAME_LINES_AFTER = re.compile(r"(?:\n[ \t]+at [^\n]*)*")  # the frame lines that follow one (indented `at `)
# Lines kept around the candidate lines: the parser looks back at most `_MAX_CONTEXT_LINES` (3) non-blank lines of
# the record that introduced a trace (one more for JUL's two-line records), and looks ahead over at most two blank
# or elided lines inside a trace (`_BLANK_RUN_INSIDE_TRACE`); candidates closer than both windows share one region.
REGION_LINES_BEFORE = 4
REGION_LINES_AFTER = 3
# An exception line without frames makes the parser read up to MAX_CONTINUATION_LINES lines of message
# continuation, stopping at the next log record: a region reaches on to the next line with a timestamp (at most this
# many lines).
REGION_MAX_EXTENSION = MAX_CONTINUATION_LINES + 2
# Lines a region must have after it in the text read so far before it is final (a later candidate can no longer
# join it or extend it).
_DECIDED_MARGIN = REGION_MAX_EXTENSION + REGION_LINES_BEFORE + REGION_LINES_AFTER + 2
NO_TRACE_CONTEXT_LINES = 50  # a log without any trace is reported with its first non-blank lines (as the parser does)
# Traces that come back to back (an outage's burst, a loop printing to stderr) are one region, which would be held
# and parsed at once whatever its size: past this many characters an undecided region is cut where one trace ends
# and the next line begins anew (`_cut_point`), so memory stays bounded. A cut piece is parsed as the whole region
# would be (no trace and no trace's context reaches across the cut), but for one case: a collector prefix that the
# whole region learns from trace lines after the cut and that lines before it carry only on text lines
# (`strip_repeated_line_prefixes`; README, "Known limitations").
REGION_MAX_CHARS = 4 * 2**20
_CUT_SCAN_CHARS = 2**20  # how far back from the decided text a cut is looked for: bounded work per chunk


def _is_log_record(line: str) -> bool:
    """A line that starts a timestamped log record, read with the parser's own prefix reader."""
    from utils.parsing.stacktrace import _split_prefix  # the one definition of a log prefix

    prefix, _ = _split_prefix(line)
    return prefix is not None and prefix.timestamp is not None


def candidate_lines(text: str) -> list[tuple[int, int]]:
    """(first, last) line start positions of the runs of lines of `text` that can start or continue a trace, in
    order. A frame's run (the frame lines right after it) is taken in one regex step and not searched again by the
    other strings: most of a trace's lines are frames."""
    spans: dict[int, int] = {}
    runs: list[tuple[int, int]] = []  # (start, end) of the frame runs, in order
    found = text.find("at ")
    while found >= 0:
        if not _FRAME_AT.match(text, found):
            found = text.find("at ", found + 1)
            continue
        start = text.rfind("\n", 0, found) + 1
        end = _FRAME_LINES_AFTER.match(text, _line_end(text, found)).end()
        spans[start] = max(spans.get(start, start), text.rfind("\n", 0, end) + 1 if end > found else start)
        runs.append((start, end))
        found = text.find("at ", end)
    scanner = _needle_scanner()
    if scanner is not None and _scanned_needle_lines(scanner, text, runs, spans):
        _found_needle_lines(text, runs, spans, _FOUND_NEEDLES)
    else:
        _found_needle_lines(text, runs, spans, _CANDIDATE_NEEDLES)
    return sorted(spans.items())


def _found_needle_lines(text: str, runs: list[tuple[int, int]], spans: dict[int, int],
                        needles: tuple[str, ...]) -> None:
    """Adds to `spans` the lines outside `runs` that hold one of `needles`: one `str.find` pass per needle."""
    for needle in needles:
        run = 0
        found = text.find(needle)
        while found >= 0:
            while run < len(runs) and runs[run][1] < found:
                run += 1
            if run < len(runs) and runs[run][0] <= found:
                found = text.find(needle, runs[run][1])  # inside a frame run: taken already
                continue
            start = text.rfind("\n", 0, found) + 1
            spans.setdefault(start, start)
            found = text.find(needle, _line_end(text, found))


# Needles in nearly every frame line (`.java:`): left to a `str.find` pass, which jumps over the frame runs, where
# Hyperscan would report them line by line (30,628 of a 20 MB slice's 35,788 matches, each a Python call).
_FOUND_NEEDLES = (".java:",)
_SCANNED_NEEDLES = tuple(needle for needle in _CANDIDATE_NEEDLES if needle not in _FOUND_NEEDLES)


@lru_cache(maxsize=1)
def _needle_scanner() -> Any:
    """A Hyperscan database of `_SCANNED_NEEDLES` (all of them in one pass over the text: with the lines worked out,
    0.65 s per 100 MB of the production log against 1.39 s for the `str.find` passes), or None where it is not
    available (utils/literal_scan.py)."""
    return literal_database([needle.encode() for needle in _SCANNED_NEEDLES])


# Matches a scan may report per byte before it stops and the `str.find` passes do the text instead: Hyperscan
# reports every overlapping match (a line of 2 MB of dots is 2 M matches of "...", each a Python call), where
# `str.find` jumps to the line's end. The production log has one match per ~4 KB (frame lines left to `str.find`).
_MAX_MATCHES_PER_BYTE = 1 / 32


def _scanned_needle_lines(scanner: Any, text: str, runs: list[tuple[int, int]], spans: dict[int, int]) -> bool:
    """`_found_needle_lines` of `_SCANNED_NEEDLES` with one Hyperscan pass over the text's UTF-8 bytes: the lines of
    their matches (byte positions, turned into character positions by decoding the bytes between them) outside
    `runs`. False (nothing added) when the text has too many matches for the pass to pay."""
    data = text.encode("utf-8", "surrogatepass")
    ends: list[int] = []
    limit = int(len(data) * _MAX_MATCHES_PER_BYTE) + 1024

    def found(_id: int, _start: int, end: int, _flags: int, _context: Any) -> bool:
        ends.append(end)
        return len(ends) > limit  # True stops the scan

    if not scan(scanner, data, found):  # the handler stopped it: too many matches
        return False
    ends.sort()
    same_width, view = len(data) == len(text), memoryview(data)
    line_end = -1  # bytes: the end of the last line taken
    byte, character = 0, 0  # a byte position and its character position
    run = 0
    for end in ends:
        if end <= line_end:  # another needle of a line taken already
            continue
        start = data.rfind(b"\n", 0, end - 1) + 1  # needles hold no newline: the line of the match's last byte
        line_end = data.find(b"\n", end - 1)
        line_end = len(data) if line_end < 0 else line_end
        if not same_width:
            character += len(str(view[byte:start], "utf-8", "surrogatepass"))
            byte = start
        line = start if same_width else character
        while run < len(runs) and runs[run][1] < line:
            run += 1
        if run < len(runs) and runs[run][0] <= line:  # a line of a frame run: taken already
            continue
        spans.setdefault(line, line)
    return True


def _lines_back(text: str, position: int, count: int, skip_blank: bool = False) -> int:
    """The start of the line `count` lines before the line that starts at `position` (0 at the text's start); with
    `skip_blank`, blank lines are not counted (at most `_MAX_BLANKS_BACK` of them): the parser's look back for a
    trace's context counts non-blank lines only."""
    blanks = 0
    while count > 0 and position > 0:
        start = text.rfind("\n", 0, position - 1) + 1
        if skip_blank and blanks < _MAX_BLANKS_BACK and not text[start:position - 1].strip():
            blanks += 1
        else:
            count -= 1
        position = start
    return position


_MAX_BLANKS_BACK = 32  # blank lines a region's look back steps over besides its lines (the work stays bounded)


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end < 0 else end


@dataclass
class _Region:
    start: int  # position of its first line
    last_candidate: int  # position of its last candidate line
    end: int = 0  # position just after its last line (its newline excluded)
    # The part of it that is parsed: the lines before its first candidate and after its last one that can change no
    # trace of it are left out (`_text_start`, `_finish`). Regions join by `start` and `end`, as if none were.
    text_start: int = -1
    text_end: int = -1


def _lines_looked_back(text: str, line: int) -> int:
    """Lines a region starts before its first candidate line at `line`: `REGION_LINES_BEFORE`, and one more when
    that line is a frame. The exception line right above such a frame is no candidate (another tool's placeholder,
    `<MASKED>: msg`, or a line the parser reads as an unnamed exception's message), so the region reaches it and
    the record lines the parser keeps as its context, as it does above a candidate exception line. Named exception
    lines are candidates themselves: most regions start at one and pay nothing."""
    return REGION_LINES_BEFORE + (1 if _FRAME_AT.search(text, line, _line_end(text, line)) else 0)


def _text_start(text: str, start: int, line: int) -> int:
    """Where the parsed text of a region starting at `start`, whose first candidate line starts at `line`, begins:
    at the line just before the candidate when the candidate starts a trace whatever precedes it and that line is a
    log record with a message (`ERROR ... - request failed` over `java.lang.X: ...`): the parser keeps that record
    as the trace's context and looks no further back (`is_record_with_message`, `starts_trace_alone`). The INFO lines
    around the traces were most of a production log's region text."""
    from utils.parsing.stacktrace import is_record_with_message, starts_trace_alone  # the parser's reading

    if line > 0:
        previous = text.rfind("\n", 0, line - 1) + 1
        if (previous >= start and is_record_with_message(text[previous:line - 1])
                and starts_trace_alone(text[line:_line_end(text, line)])):
            return previous
    return start


def _finish(text: str, region: _Region) -> None:
    """Sets the region's end: `REGION_LINES_AFTER` lines after its last candidate, then on to a log record line;
    and the end of its parsed text: its last candidate line when that is a frame whose trace the next line ends and
    no line after it in the region starts a trace (`trace_ends_before`), else its end."""
    from utils.parsing.stacktrace import trace_ends_before

    last = _line_end(text, region.last_candidate)
    end = last
    for _ in range(REGION_LINES_AFTER):
        if end >= len(text):
            break
        end = _line_end(text, end + 1)
    for _ in range(REGION_MAX_EXTENSION - REGION_LINES_AFTER):
        if end >= len(text) or _is_log_record(text[text.rfind("\n", 0, end) + 1:end]):
            break
        end = _line_end(text, end + 1)
    region.end = end
    region.text_end = last if trace_ends_before(text[region.last_candidate:last], text[last + 1:end]) else end


@dataclass
class _Built:
    """The regions of a text, built and not yet finished (`_finish`): what a call of `candidate_regions` that
    decided nothing hands the next one, whose text starts with the same characters, so that only the lines from
    `rescan` on are scanned (an undecided region is not scanned again with every chunk)."""

    regions: list[_Region]
    last_span: int  # the start of the last candidate span (-1: none)
    rescan: int  # where the next call's scan starts: a frame run or a frame's `at` can begin before the text's end


def _last_line_with_text(text: str) -> int:
    """The start of `text`'s last line that is not blank (0 where none is)."""
    end = len(text)
    while end > 0:
        start = text.rfind("\n", 0, end - 1) + 1
        if text[start:end].strip():
            return start
        end = start
    return 0


def _has_frame(text: str, line: int) -> bool:
    """Whether a frame starts in the line at `line`, as `candidate_lines` finds one (`at ` and `_FRAME_AT`)."""
    end = _line_end(text, line)
    found = text.find("at ", line, end)
    while found >= 0:
        if _FRAME_AT.match(text, found):
            return True
        found = text.find("at ", found + 1, end)
    return False


def _rescan_start(text: str, last_span: int) -> int:
    """Where a later scan of a longer text that starts with `text` must start to find what one scan of it would:
    at `text`'s last line with text in it (a frame's `at` may end it: `_FRAME_AT` spans blanks), or, where that
    line is an indented `at` line (a frame run's extension takes such lines after a frame, frames or not), at the
    last line before it that starts a frame: the run may go on. Back at most `_RESCAN_LINES_BACK` lines, then at
    the last span (`last_span`)."""
    line = _last_line_with_text(text)
    probe = line
    for _ in range(_RESCAN_LINES_BACK):
        if _has_frame(text, probe):
            return probe
        if not _INDENTED_AT.match(text, probe) or probe == 0:
            return line  # no run reaches the last line from a frame before it
        probe = text.rfind("\n", 0, probe - 1) + 1
    return min(line, last_span) if last_span >= 0 else line


_INDENTED_AT = re.compile(r"[ \t]+at ")  # a line `_FRAME_LINES_AFTER` takes into a frame run
_RESCAN_LINES_BACK = 1000


def candidate_regions(text: str, final: bool, cut_before: bool = False,
                      built: _Built | None = None) -> tuple[list[_Region], int, bool, _Built]:
    """(the regions of `text` around its candidate lines, the position from which nothing is decided yet, whether
    that position is a cut, what was built for the next call). A region that a later candidate could still join or
    extend is undecided unless `final` (the text is the input's end); one longer than REGION_MAX_CHARS is cut where
    a trace ends (`_cut_point`). `cut_before`: `text` starts at a cut, so a region starts at its first line, as the
    cut region went on there. `built`: the previous call's, when it decided nothing (its text is this one's start)."""
    gap = REGION_LINES_BEFORE + REGION_LINES_AFTER
    if built is None:
        regions: list[_Region] = []
        lines = candidate_lines(text)
        if cut_before and (not lines or lines[0][0] > 0):
            lines.insert(0, (0, 0))
    else:  # from `_rescan_start`: a span found again joins its region, as the whole scan's one span would
        regions = [replace(region) for region in built.regions]
        lines = [(line + built.rescan, last + built.rescan) for line, last in candidate_lines(text[built.rescan:])]
    for line, last in lines:
        if regions and line <= regions[-1].last_candidate:  # within the previous span
            regions[-1].last_candidate = max(regions[-1].last_candidate, last)
        elif regions and text.count("\n", regions[-1].last_candidate, line) <= gap:
            regions[-1].last_candidate = last
        else:
            start = _lines_back(text, line, _lines_looked_back(text, line), skip_blank=True)
            regions.append(_Region(start, last, text_start=_text_start(text, start, line)))
    last_span = lines[-1][0] if lines else built.last_span if built else -1
    # copies: finishing and merging below change the regions
    handed = _Built([replace(region) for region in regions], last_span, _rescan_start(text, last_span))
    merged: list[_Region] = []
    for region in regions:
        _finish(text, region)
        if merged and region.start <= merged[-1].end + 1:  # adjacent or overlapping (the extension reached it)
            joined = merged[-1]
            # the parsed text ends where the later of the two ends does; inside the other one, at its end
            joined.text_end = region.text_end if region.end >= joined.end else joined.end
            joined.end = max(joined.end, region.end)
        else:
            merged.append(region)
    if final:
        return merged, len(text), False, handed
    tail = _lines_back(text, len(text), REGION_LINES_BEFORE + 2, skip_blank=True)  # `text` ends with a newline
    limit = _lines_back(text, len(text), _DECIDED_MARGIN)
    for index, region in enumerate(merged):
        if region.end >= limit:
            cut = _cut_point(text, region, limit) if _cut_due(limit - region.text_start) else None
            if cut is None:
                return merged[:index], min(region.start, tail), False, handed
            # the part before the cut is decided: nothing after it can join or change its traces
            decided = _Region(region.start, cut - 1, end=cut - 1, text_start=region.text_start, text_end=cut - 1)
            return [*merged[:index], decided], cut, True, handed
    return merged, tail, False, handed


def _cut_due(size: int) -> bool:
    """Whether an undecided region of `size` characters is tried for a cut now: past REGION_MAX_CHARS on every
    chunk up to twice it, then once per doubling, so the checks of a region that cannot be cut (a thread dump, a
    collector prefix) cost O(its size) in all rather than O(its size) per chunk."""
    if size <= REGION_MAX_CHARS:
        return False
    if size < 2 * REGION_MAX_CHARS:
        return True
    return (size // REGION_MAX_CHARS).bit_length() != (max(size - CHUNK_BYTES, 0) // REGION_MAX_CHARS).bit_length()


def _cut_point(text: str, region: _Region, limit: int) -> int | None:
    """The start of the last line before `limit` (and within `_CUT_SCAN_CHARS` of it) where the parser ends a trace
    on the line before and reads nothing before it into what follows: that line is a frame or `... N more`, and
    this one ends the trace (`trace_ends_before`) and starts a trace or a log record whatever the lines before it
    hold; a trace's context is only the lines since the last trace. None where there is no such line (one huge
    trace: the region goes on growing), and where the text before it is not read as written (`reads_as_written`: a
    collector prefix or a JSON-escaped trace, which `parse_log` learns from all the text it is given) or has a
    thread that names a lock (`names_locks`: a deadlock's threads are found among one parsed text's threads)."""
    from utils.parsing.stacktrace import (  # the parser's reading
        is_record_with_message,
        names_locks,
        reads_as_written,
        starts_trace_alone,
        trace_ends_before,
    )

    floor = max(region.text_start, limit - _CUT_SCAN_CHARS)
    line = text.rfind("\n", 0, limit - 1) + 1  # the start of the line that ends before `limit`
    while line > floor:
        previous = text.rfind("\n", 0, line - 1) + 1
        if previous < floor:
            return None
        first = text[line:_line_end(text, line)]
        if (trace_ends_before(text[previous:line - 1], first)
                and (starts_trace_alone(first) or is_record_with_message(first))):
            before = text[region.text_start:line]
            return None if names_locks(before) or not reads_as_written(before) else line
        line = previous
    return None


class _CountedDecodeErrors:
    """A codec error handler that replaces invalid bytes with U+FFFD, counts that it had to, and keeps the line of
    the first. `_decoded_texts` keeps `lines_before` (the line ends of the chunks decoded before the one being
    decoded) and `pending_cr` (a `\\r` it held back from the last one's end) up to date."""

    def __init__(self, encoding: str) -> None:
        self.count, self.lines_before, self.first_line, self.pending_cr = 0, 0, 0, False
        self.encoding = encoding
        self.legacy_from: int | None = None  # the line from which a UTF-8 log was read as CP949 (`_legacy_switch`)
        self.name = f"log_sources_count_{id(self)}"
        codecs.register_error(self.name, self)

    def __call__(self, error: UnicodeError) -> tuple[str, int]:
        self.count += 1
        if self.count == 1:
            chunk: bytes = error.object  # type: ignore[attr-defined]
            # a held-back "\r" ends a line of its own unless this chunk's "\n" ends it (counted in the chunk)
            lone_cr = self.pending_cr and not chunk[:4].decode(self.encoding, errors="ignore").startswith("\n")
            self.first_line = self.lines_before + lone_cr + _line_of(chunk, error.start,  # type: ignore[attr-defined]
                                                                     self.encoding)
        return "\ufffd", error.end  # type: ignore[attr-defined]


@dataclass
class StreamStats:
    """What a stream has read: documents (plain files and JSONL rows, not regions) and bytes."""

    documents: int = 0
    bytes_read: int = 0


SAME_FILE = "the same file as {}, already read"


def named_again(paths: list[str]) -> dict[int, str]:
    """The index of each of `paths` that names a file an earlier one named (overlapping globs, a file beside its
    directory's listing), with that earlier path: read twice, each of its failures would count twice."""
    first: dict[str, int] = {}
    again: dict[int, str] = {}
    for index, path in enumerate(paths):
        if path == "-":
            continue
        earlier = first.setdefault(os.path.realpath(path), index)
        if earlier != index:
            again[index] = paths[earlier]
    return again


def _unreadable_directory(skips: SkipReport, path: str) -> Callable[[OSError], None]:
    """os.walk's `onerror`: a directory it cannot list (permission) is a counted skip, not left out without a word."""
    def skip(error: OSError) -> None:
        skips.add(error.filename or path, f"a directory that cannot be read ({error.strerror})")
    return skip


def expand_paths(paths: Iterable[str], skips: SkipReport | None = None, leave_out: Iterable[str] = ()) -> list[str]:
    """Files of `paths` (`-`, stdin, as it is), directories walked recursively in sorted order. Counted in `skips`,
    not read: hidden entries, links to directories (a link may loop), pipes and sockets met in a directory (one
    named is read: a shell's `<(zstdcat day.log.zst)`), broken links, files and directories this user cannot read,
    a file already listed (the same file named twice, or a file in a directory also given) and the files
    `leave_out` (the corpus this run writes: written into a log directory, it would come back as real logs on the
    next run)."""
    skips = skips if skips is not None else SkipReport()
    listed: list[str] = []
    for path in paths:
        if path == "-":
            listed.append(path)
            continue
        if not os.path.isdir(path):
            if not os.path.exists(path):
                raise InputError(f"{path}: no such file or directory")
            listed.append(path)
            continue
        found = len(listed)
        for root, dirs, names in os.walk(path, onerror=_unreadable_directory(skips, path)):
            for name in sorted(dirs):
                where = os.path.join(root, name)
                if name.startswith(".") or os.path.islink(where):
                    skips.add(where, "a hidden directory" if name.startswith(".") else "a link to a directory, "
                              "not followed (give its target)")
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(root, d)))
            for name in sorted(names):
                where = os.path.join(root, name)
                if name.startswith("."):
                    skips.add(where, "a hidden file")
                elif not os.path.exists(where):
                    skips.add(where, "a broken link")
                elif not os.path.isfile(where):  # a pipe or socket in a log folder would block the run
                    skips.add(where, "not a regular file (a pipe, socket or device)")
                elif not os.access(where, os.R_OK):
                    skips.add(where, "a file this user cannot read (permission denied)")
                else:
                    listed.append(where)
        unlisted = any(item["source"] == path for item in skips.skipped[-1:])  # it could not be listed: said
        if len(listed) == found and not unlisted:  # else the run's only word would be "no trace" in a file it never had
            skips.add(path, "a directory with no file to read in it")
    again, written = named_again(listed), {os.path.realpath(path) for path in leave_out}
    files: list[str] = []
    for index, file in enumerate(listed):
        if index in again:
            skips.add(file, SAME_FILE.format(again[index]))
        elif os.path.realpath(file) in written:
            skips.add(file, "a file this run writes (--output_dir)")
        else:
            files.append(file)
    return files


class DocumentStream:
    """The documents of `inputs` (`-` is stdin), read as a stream in bounded memory, whatever the size.

    A JSONL row is one document. A plain log is read `CHUNK_BYTES` at a time and yields one document per candidate
    region (`LogDocument.line_offset` says where it starts in the file), then its head (`no_trace_head`): the
    document to report when the file holds no trace at all. `on_bytes(n)` is called as bytes are read. A directory
    is read as its files (`expand_paths`); a missing path raises `InputError` before anything is read; other
    problems are skipped and counted in `skips` (or raise when `strict`), as `read_documents` does.
    """

    def __init__(self, inputs: list[str], text_field: str = "log", id_field: str = "id", strict: bool = False,
                 skips: SkipReport | None = None, on_bytes: Callable[[int], None] | None = None) -> None:
        self.skips = skips if skips is not None else SkipReport()
        self.inputs = expand_paths(inputs, self.skips)  # a directory's files; a file named twice is read once
        self.text_field, self.id_field, self.strict = text_field, id_field, strict
        self.on_bytes = on_bytes
        self.stats = StreamStats()

    def total_bytes(self) -> int | None:
        """Bytes of all inputs, None when one is stdin (its size is not known in advance)."""
        return None if "-" in self.inputs else sum(map(_size_or_zero, self.inputs))

    def __iter__(self) -> Iterator[LogDocument]:
        for path in self.inputs:
            if path == "-":
                yield from self._read(sys.stdin.buffer, "<stdin>")
            else:
                try:
                    handle = open(path, "rb")  # noqa: SIM115 - closed below; an error opening it is a skip
                except OSError as error:  # gone or unreadable since it was listed
                    self._skip(path, f"cannot be opened ({error.strerror})")
                    continue
                with handle:
                    yield from self._read(handle, path)

    def _skip(self, source: str, reason: str) -> None:
        if self.strict:
            raise InputError(f"{source}: {reason}")
        self.skips.add(source, reason)

    def _read_bytes(self, handle: BinaryIO) -> bytes:
        raw = handle.read(CHUNK_BYTES)
        self.stats.bytes_read += len(raw)
        if self.on_bytes is not None and raw:
            self.on_bytes(len(raw))
        return raw

    def read(self, handle: BinaryIO, source: str) -> Iterator[LogDocument]:
        """The documents of one input opened by the caller (a pyarrow stream of an `s3://` object, a file a Ray task
        opened): the same decoding, skips and regions as a path given to the constructor."""
        yield from self._read(handle, source)

    def _read(self, handle: BinaryIO, source: str, read: Callable[[BinaryIO], bytes] | None = None,
              rest: Callable[[], None] | None = None) -> Iterator[LogDocument]:
        """The documents of `handle`, read with `read` (default: counted as read); `rest` reads what is left of an
        input that is skipped (default: the rest of `handle`), so progress counts it."""
        read = read or self._read_bytes
        raw, hole = without_leading_hole(read(handle), lambda: read(handle))
        if hole:
            self.skips.warn(source, HOLE_WARNING.format(count=hole))
        while len(raw) < _SNIFF_BYTES and (more := read(handle)):
            raw += more
        encoding, mark, recognised_by = sniff_encoding(raw)
        packed = compression(raw) if recognised_by is None else None
        if packed is not None and packed.opener is not None:
            yield from self._read_decompressed(packed, raw, handle, read, source)
            return
        binary = not_text(raw) if recognised_by is None else None
        if binary:
            self._skip(source, binary)
            (rest or (lambda: _read_to_end(handle, read)))()  # the bytes still count as read (progress)
            return
        if recognised_by is not None:
            self.skips.warn(source, f"decoded as {encoding.upper()} (found by its {recognised_by}), not UTF-8")
        errors = _CountedDecodeErrors(encoding)
        texts = _decoded_texts(raw[mark:], handle, codecs.getincrementaldecoder(encoding)(errors.name), read, errors)
        first = next(texts, "")
        while not first.strip() and (more := next(texts, None)) is not None:
            first += more  # a long run of blank lines: read on until there is text (or the input ends)
        if not first.strip():  # or a compressed stream that broke before any text
            damage = read.reason() if isinstance(read, UntilDamaged) and read.error is not None else None
            self._skip(source, damage or "empty input")
        else:
            chained = _chain_first(first, texts)
            reading = _reading(source, first, self.text_field, self.skips)
            if reading == "docker":
                self.stats.documents += 1
                yield from _plain_log_regions(_docker_log_texts(chained, source, self.skips), source)
            elif reading == "jsonl":
                yield from self._jsonl_rows(chained, source)
            elif reading == "junit":
                self.stats.documents += 1
                yield from junit_report_documents(chained, source, self.skips, self.strict)
            else:
                self.stats.documents += 1
                yield from _plain_log_regions(chained, source)
        if errors.legacy_from is not None:
            self.skips.warn(source, f"decoded as CP949 from line {errors.legacy_from} (Hangul in bytes that are not "
                                    "UTF-8; the lines before it are ASCII), not UTF-8")
        if errors.count:
            self.skips.warn(source, bad_bytes_warning(errors.encoding, errors.first_line))

    def _read_decompressed(self, packed: Compression, head: bytes, handle: BinaryIO,
                           read: Callable[[BinaryIO], bytes], source: str) -> Iterator[LogDocument]:
        """A gzip, bzip2 or xz input read as the text it holds: the compressed bytes count as read (progress, as
        `total_bytes` counts the files), the decompressed ones do not. A stream cut short or damaged is a counted
        skip after what was read before it."""
        until_damaged = UntilDamaged(CHUNK_BYTES, packed.name)
        # a skipped content (a tar archive's) is not decompressed to its end: the compressed rest is read as it is
        yield from self._read(packed.open(head, handle, read), source, until_damaged,
                              lambda: _read_to_end(handle, read))
        if until_damaged.error is not None and not until_damaged.reported:
            self._skip(source, until_damaged.reason())

    def _jsonl_rows(self, texts: Iterator[str], source: str) -> Iterator[LogDocument]:
        carry, number = "", 0
        for text in texts:
            lines = (carry + text).split("\n")
            carry = lines.pop()
            for line in lines:
                number += 1
                document = jsonl_row_document(line, number, source, self.text_field, self.id_field, self.skips,
                                              self.strict)
                if document is not None:
                    self.stats.documents += 1
                    yield document
        document = jsonl_row_document(carry, number + 1, source, self.text_field, self.id_field, self.skips,
                                      self.strict)
        if document is not None:
            self.stats.documents += 1
            yield document


def junit_report_documents(texts: Iterable[str], source: str, skips: SkipReport,
                           strict: bool) -> Iterator[LogDocument]:
    """A JUnit XML report's failed tests, one document each: Ant's plain-formatter line for the test
    (`Testcase: <method>(<class>): FAILED`), then its trace as written before the report escaped it. A document is a
    region of the file, numbered by the report's lines where the trace kept its newlines (else it names its line:
    `path:line`); then the report's head (`no_trace_head`), reported when no test failed. A malformed report (a
    build killed while writing it) is a counted skip at the line where it breaks, after the failures before it."""
    name, head = Path(source).name, _Head()

    def collected(chunks: Iterable[str]) -> Iterator[str]:
        for number, chunk in enumerate(chunks):
            if not number:  # a report without failures is shown by its first lines
                head.collect(chunk, chunk.rfind("\n") + 1 or len(chunk))
            yield chunk

    try:
        for failed in failed_tests(collected(texts)):
            text = f"{failed.header}\n{failed.text}"
            if failed.lines_match and failed.line > 1:  # the test's line goes on the line above the trace
                yield LogDocument(id=name, source=source, text=text, region=True, line_offset=max(failed.line - 2, 0))
            else:
                yield LogDocument(id=name, source=f"{source}:{failed.line}", text=text, region=True)
    except ReportError as error:
        if strict:
            raise InputError(f"{source}:{error.line}: malformed JUnit XML report: {error}") from None
        skips.add(f"{source}:{error.line}", f"malformed JUnit XML report ({error}); the failures before it are read")
    yield LogDocument(id=name, source=source, text="\n".join(head.lines), no_trace_head=True)


def _size_or_zero(path: str) -> int:
    """A file's size; 0 for one gone since it was listed (its reading counts it as a skip)."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _read_to_end(handle: BinaryIO, read: Callable[[BinaryIO], bytes]) -> None:
    while read(handle):
        pass


def _chain_first(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _decoded_texts(first: bytes, handle: BinaryIO, decoder: codecs.IncrementalDecoder,
                   read: Callable[[BinaryIO], bytes], errors: _CountedDecodeErrors) -> Iterator[str]:
    """The text of `first` and the rest of `handle`, chunk by chunk, line ends made `\\n` (as the parser makes
    them: `\\r\\n` and a lone `\\r`) and terminal codes dropped; a `\\r` (or a terminal code) at a chunk's end
    waits for the next chunk's first character(s).
    `errors.lines_before` follows the lines decoded (for the line of the first invalid byte)."""
    pending_cr, held, ascii_so_far = False, "", errors.encoding == "utf-8"
    raw = first
    while True:
        final = not raw
        if ascii_so_far and not raw.isascii() and (switched := _legacy_switch(decoder, raw, final, errors)):
            decoder, decoded = switched
        else:
            decoded = decoder.decode(raw, final=final)
        ascii_so_far = ascii_so_far and decoded.isascii()
        text = held + ("\r" if pending_cr else "") + decoded  # in the order they came
        held = ""
        pending_cr = text.endswith("\r") and not final
        if pending_cr:
            text = text[:-1]
        if "\x1b" in text:  # a terminal code cut at the chunk's end waits for its rest
            cut = None if final else _TERMINAL_CODE_START.search(text, max(0, len(text) - 64))
            if cut is not None:
                text, held = text[:cut.start()], text[cut.start():]
            text = without_terminal_codes(text)
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        errors.lines_before += text.count("\n")
        errors.pending_cr = pending_cr
        if text:
            yield text
        if final:
            return
        raw = read(handle)


def _legacy_switch(decoder: codecs.IncrementalDecoder, raw: bytes, final: bool,
                   errors: _CountedDecodeErrors) -> tuple[codecs.IncrementalDecoder, str] | None:
    """(a CP949 decoder, `raw` decoded by it) where a log read as UTF-8, all ASCII so far, meets Korean in CP949
    (`_korean_legacy`) past the bytes its encoding was chosen on (an English start-up, then the first Korean
    message); None where it does not. `errors.legacy_from` gets the line of its first such byte."""
    data = decoder.getstate()[0] + raw  # a lead byte the UTF-8 decoder held back from the last chunk's end
    if not _korean_legacy(data):
        return None
    legacy = codecs.getincrementaldecoder("cp949")(errors.name)
    errors.encoding = "cp949"
    first_wide = next(index for index, byte in enumerate(data) if byte > 127)
    errors.legacy_from = errors.lines_before + data.count(b"\n", 0, first_wide) + 1
    return legacy, legacy.decode(data, final=final)


def _plain_log_regions(texts: Iterator[str], source: str) -> Iterator[LogDocument]:
    """The candidate regions of a plain log's text chunks, then its head (see `DocumentStream`)."""
    name = Path(source).name
    carry, carry_line, head = "", 0, _Head()
    cut_before = False  # the carried text starts at a cut of a region (REGION_MAX_CHARS)
    built: _Built | None = None
    chunks = iter(texts)
    text = next(chunks, None)
    while text is not None:
        following = next(chunks, None)
        final = following is None
        text = carry + text
        body = text if final else text[: text.rfind("\n") + 1]
        regions, undecided, cut, built = candidate_regions(body, final, cut_before, built)
        cut_before = cut or (cut_before and undecided == 0)
        built = built if undecided == 0 else None  # the next text starts with this one: its regions stand
        head.collect(body, undecided)  # the carried (undecided) lines come again with the next chunk
        counted, line = 0, carry_line
        for number, region in enumerate(regions, 1):
            line += body.count("\n", counted, region.text_start)
            counted = region.text_start
            # only the last region of the last chunk can reach the log's end (blank lines after it aside)
            ends_log = final and number == len(regions) and not body[region.text_end:].strip()
            yield LogDocument(id=name, source=source, text=body[region.text_start:region.text_end], region=True,
                              line_offset=line, cut=not ends_log)
        carry, carry_line = text[undecided:], line + body.count("\n", counted, undecided)
        text = following
    yield LogDocument(id=name, source=source, text="\n".join(head.lines), no_trace_head=True)


class _Head:
    """A log's first lines, up to its `NO_TRACE_CONTEXT_LINES`-th non-blank one: what the parser reports for a
    log without any trace."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.non_blank = 0

    def collect(self, body: str, stop: int) -> None:
        position = 0
        while self.non_blank < NO_TRACE_CONTEXT_LINES and position < stop:
            end = _line_end(body, position)
            line = body[position:end][:_MAX_HEAD_LINE_CHARS]
            self.lines.append(line)
            self.non_blank += bool(line.strip())
            position = end + 1


_MAX_HEAD_LINE_CHARS = 20_000  # the parser keeps 500 characters of a context line; the rest need not be held
