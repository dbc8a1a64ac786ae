"""The report's UI strings (configs/report_text.yaml) and the choice of the report's language."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from utils.pipeline.fingerprint import (
    APPLICATION,
    FRAMELESS_TYPES,
    LIBRARY,
    LIBRARY_MESSAGE,
    NO_FRAMES,
    NOT_COMPARED,
    TEST_CLASS,
    TEST_CLASS_MARK,
)

TEXT_FILE = Path(__file__).resolve().parents[2] / "configs" / "report_text.yaml"
LANGUAGES = ("en", "ko")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


@lru_cache(maxsize=4)
def load_tables(path: str | Path = TEXT_FILE) -> dict[str, dict[str, Any]]:
    """Every language's table; a language missing a key of `en` falls back to the English string (never a
    KeyError in front of a reader), and tests/test_report.py checks that none is missing."""
    tables = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(tables, dict) or "en" not in tables:
        raise ValueError(f"{path}: expected a table per language with at least `en`")
    return {language: {**tables["en"], **(table or {})} for language, table in tables.items()}


@dataclass(frozen=True)
class UiText:
    """One language's strings. `escape` is applied to the template only: values are given already escaped (and
    formatted: wrapped in <code> or backticks) by the renderer, so log text is escaped exactly once."""

    language: str
    table: dict[str, Any]

    def __call__(self, key: str, escape: Callable[[str], str] = str, **values: Any) -> str:
        return escape(str(self.table[key])).format(**values)

    def lookup(self, table: str, value: str | None, default: str) -> str:
        """A value of a translated vocabulary (decided_by, explanation source); unknown values are shown as they
        are, so a new value in utils/pipeline/analyze.py still reads (in English) instead of failing."""
        return str(self.table.get(table, {}).get("none" if value is None else value, value or default))


_WHERE_KEYS = {APPLICATION: "reason_top_frame", TEST_CLASS: "reason_test_class", LIBRARY: "reason_library_frame",
               NOT_COMPARED: "reason_frames_not_compared", LIBRARY_MESSAGE: "reason_library_message",
               NO_FRAMES: "reason_no_frames"}


def grouping_reason(parts: dict[str, Any], text: UiText, escape: Callable[[str], str],
                    code: Callable[[Any], str]) -> str | None:
    """Why traces were grouped, from a group's fingerprint parts (utils/pipeline/grouping.py), in `text`'s language:
    the user rule, else each part of the failure signature; None for parts of another shape. `escape` is for the
    words, `code` for what the log says. It makes predict.py's English `reason` and both report formats' text."""
    if parts.get("group_as"):
        return text("reason_rule", escape, rule=escape(str(parts.get("rule", ""))), name=code(parts["group_as"]))
    if "exception" not in parts:
        return None
    frames = list(parts.get("frames") or [])
    frames_are = parts.get("frames_are")
    if frames_are is None:  # a record of an earlier version: up to three frames, none for an OutOfMemoryError
        frames_are = NOT_COMPARED if parts["exception"] in FRAMELESS_TYPES and not frames else None
    key = _WHERE_KEYS.get(frames_are, "reason_frames" if frames else "reason_no_frames")
    shown = [frame.removesuffix(TEST_CLASS_MARK) for frame in frames] if frames_are == TEST_CLASS else frames
    where = text(key, escape, frames=", ".join(code(frame) for frame in shown))
    message = (text("reason_message", escape, message=code(parts["message"])) if parts.get("message")
               else text("reason_no_message", escape))
    return text("reason_signature", escape, exception=code(parts["exception"] or text("unknown")), frames=where,
                message=message)


def load_text(language: str) -> UiText:
    tables = load_tables()
    if language not in tables:
        raise ValueError(f"report language must be one of {sorted(tables)}, got {language!r}")
    return UiText(language, tables[language])


def has_hangul(text: str | None) -> bool:
    return bool(text and _HANGUL.search(text))


def choose_language(groups: Iterable[dict[str, Any]], requested: str = "auto",
                    explanation_language: str = "auto") -> str:
    """`requested` when it names a language; else the explanation language when one was asked for; else ko when
    most explanations are Korean. Without explanations (no stage-2 model), most representative traces decide,
    as the analyzer's own `auto` picks Korean explanations for logs that contain Hangul."""
    if requested in LANGUAGES:
        return requested
    if explanation_language in LANGUAGES:
        return explanation_language
    groups = list(groups)
    texts = [(group.get("analysis") or {}).get("explanation") for group in groups]
    texts = [text for text in texts if text] or [(group.get("representative") or {}).get("trace") for group in groups]
    korean = sum(has_hangul(text) for text in texts)
    return "ko" if texts and korean * 2 > len(texts) else "en"
