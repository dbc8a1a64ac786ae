"""Reading what users give predict.py: JSONL files (field `log`), plain log files, or stdin.

Stdlib only. Bad input never raises a traceback: each problem is either one clear `path:line: reason` error
(`InputError`) or a counted skip that the caller reports at the end of the run.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

EXPLANATION_LANGUAGES = ("en", "ko")  # the languages the corpus guidance is written in
MAX_LOG_BYTES = 64 * 1024 * 1024  # one document larger than this is refused, not parsed


class InputError(Exception):
    """A problem with the user's input, reported as one line (no traceback)."""


@dataclass
class LogDocument:
    """One log to analyze: a JSONL row's `log`, or a whole plain log file."""

    id: str
    source: str  # "path:line" for JSONL rows, "path" for plain files, "<stdin>"
    text: str
    language: str | None = None  # explanation language a JSONL row asks for (`language` field); None: the default
    group: str | None = None  # a JSONL row's `project` (else `source`) field: what real-log splits keep together


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


def _decode(raw: bytes, encoding: str = "utf-8") -> tuple[str, bool]:
    """Text of `raw`; invalid bytes become U+FFFD (logs are often mixed encodings) and are flagged."""
    try:
        return raw.decode(encoding), False
    except UnicodeDecodeError:
        return raw.decode(encoding, errors="replace"), True


# Longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF_BYTES = 8192


def _share_of_nuls(sample: bytes) -> float:
    return sample.count(0) / len(sample) if sample else 0.0


def sniff_encoding(raw: bytes) -> tuple[str, int, str | None]:
    """(encoding, length of its byte-order mark, how it was recognised) of a log's bytes.

    Windows tools (PowerShell's `>`, Notepad's "Unicode") write UTF-16, with or without a byte-order mark; its NUL
    bytes once had such a log skipped as binary. Without a mark the NULs' places tell: in UTF-16 text that is
    mostly ASCII every other byte is NUL (the odd ones little-endian, the even ones big-endian), in UTF-32 three
    bytes of four. "How" is None for plain UTF-8, which needs no note in the report.
    """
    for mark, encoding in _BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            return encoding, len(mark), None if encoding == "utf-8" else "byte-order mark"
    sample = raw[:_SNIFF_BYTES]
    if b"\x00" not in sample:
        return "utf-8", 0, None
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


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> tuple[str, int]:
    """(`text` with each lone surrogate replaced by U+FFFD, how many there were). A JSON `\\ud800` escape decodes
    to one, and no UTF-8 writer or terminal can encode it: left in, it crashes the output step."""
    return _LONE_SURROGATE.subn("\ufffd", text)


def _looks_like_jsonl(path: str, text: str) -> bool:
    if path.endswith((".jsonl", ".ndjson")):
        return True
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first.lstrip().startswith("{") and first.rstrip().endswith("}")


def iter_jsonl_documents(
    text: str, source: str, text_field: str, id_field: str, skips: SkipReport, strict: bool
) -> Iterator[LogDocument]:
    """Rows of a JSONL text; malformed rows raise (strict) or are counted in `skips`."""
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{line_number}"
        problem = None
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            row, problem = None, f"malformed JSON ({error.msg} at column {error.colno})"
        if row is not None and not isinstance(row, dict):
            problem = "a JSON object was expected"
        elif row is not None and not isinstance(row.get(text_field), str):
            problem = f"missing or non-text field {text_field!r}"
        elif row is not None and not row[text_field].strip():
            problem = f"empty {text_field!r}"
        if problem:
            if strict:
                raise InputError(f"{where}: {problem}")
            skips.add(where, problem)
            continue
        language = row.get("language")
        if language is not None and language not in EXPLANATION_LANGUAGES:
            skips.warn(where, f"language {language!r} is not one of {', '.join(EXPLANATION_LANGUAGES)}; "
                              "the default is used")
            language = None
        text, surrogates = without_lone_surrogates(row[text_field])
        if surrogates:
            skips.warn(where, f"{surrogates} lone surrogate escape(s) replaced with U+FFFD")
        group = row.get("project") or row.get("source")
        yield LogDocument(id=str(row.get(id_field) or f"{Path(source).name}:{line_number}"), source=where,
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
        encoding, mark, recognised_by = sniff_encoding(raw)
        if recognised_by is None and b"\x00" in raw[:_SNIFF_BYTES]:
            if strict:
                raise InputError(f"{source}: binary file (NUL bytes), not a text log")
            skips.add(source, "binary file (NUL bytes), not a text log")
            continue
        if recognised_by is not None:
            skips.warn(source, f"decoded as {encoding.upper()} (found by its {recognised_by}), not UTF-8")
        text, had_bad_bytes = _decode(raw[mark:], encoding)
        if had_bad_bytes:
            skips.warn(source, f"invalid {encoding.upper()} bytes replaced with U+FFFD")
        if not text.strip():
            if strict:
                raise InputError(f"{source}: empty input")
            skips.add(source, "empty input")
            continue
        if _looks_like_jsonl(source, text):
            documents.extend(iter_jsonl_documents(text, source, text_field, id_field, skips, strict))
        else:
            documents.append(LogDocument(id=Path(source).name, source=source, text=text))
    return documents, skips
