"""Reading what users give predict.py: JSONL files (field `log`), plain log files, or stdin.

Stdlib only. Bad input never raises a traceback: each problem is either one clear `path:line: reason` error
(`InputError`) or a counted skip that the caller reports at the end of the run.
"""

from __future__ import annotations

import json
import os
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


def _decode(raw: bytes) -> tuple[str, bool]:
    """Text of `raw`; invalid UTF-8 bytes become U+FFFD (logs are often mixed encodings) and are flagged."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


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
        yield LogDocument(id=str(row.get(id_field) or f"{Path(source).name}:{line_number}"), source=where,
                          text=row[text_field], language=language)


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
        if b"\x00" in raw[:8192]:
            if strict:
                raise InputError(f"{source}: binary file (NUL bytes), not a text log")
            skips.add(source, "binary file (NUL bytes), not a text log")
            continue
        text, had_bad_bytes = _decode(raw)
        if had_bad_bytes:
            skips.warn(source, "invalid UTF-8 bytes replaced with U+FFFD")
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
