"""A report people read, from the groups of repeated failures (utils/pipeline/grouping.py): one self-contained HTML file
(inline CSS and SVG, opens offline) or the same content as Markdown for a ticket. predict.py --report writes it.

    from utils.report import ReportMeta, choose_language, write_report
    write_report(groups, "report.html", language=choose_language(groups), meta=ReportMeta(analyzed=120))

The records given must already be redacted: the report prints what it is given (HTML- / Markdown-escaped).
No torch here: the report is rendered from records, not from models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from utils.atomic import open_atomic
from utils.report.text import LANGUAGES, choose_language, load_text
from utils.report.timeline import build_timeline
from utils.report.view import ReportMeta, group_views, totals

__all__ = ["LANGUAGES", "MAX_GROUPS", "ReportMeta", "choose_language", "redact_groups", "render_report",
           "report_format", "write_report"]

MAX_GROUPS = 200  # groups shown in detail; a long tail of one-off failures would bury the frequent ones
FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


def report_format(path: str | Path) -> str:
    """"html" or "markdown", from the file's suffix; anything else is a one-line error for the command line."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"--report {path}: the name must end in .html or .md (it chooses the format)")
    return FORMATS[suffix]


class _Redactor(Protocol):
    def redact(self, text: str) -> str: ...

    def redact_value(self, value: Any) -> Any: ...


def redact_groups(groups: list[dict[str, Any]], redactor: _Redactor | None) -> list[dict[str, Any]]:
    """The records with their strings redacted, the `sources` keys too: redact_value keeps a dict's keys, and the
    report prints these (file names, or a JSONL row's source) for people to read."""
    if redactor is None:
        return groups
    records = redactor.redact_value(groups)
    for record in records:
        sources: dict[str, int] = {}
        for source, count in (record.get("sources") or {}).items():
            key = redactor.redact(source)
            sources[key] = sources.get(key, 0) + count
        record["sources"] = sources
    return records


def render_report(groups: list[dict[str, Any]], kind: str, language: str = "en", meta: ReportMeta | None = None,
                  max_groups: int = MAX_GROUPS) -> str:
    """The report's text. Totals and the timeline cover every group; the first `max_groups` are shown in detail."""
    text = load_text(language)
    views = group_views(groups)
    summary = totals(views, meta or ReportMeta())
    timeline = build_timeline(views)
    if kind == "html":
        from utils.report.html import render_html

        return render_html(views[:max_groups], summary, timeline, text)
    from utils.report.markdown import render_markdown

    return render_markdown(views[:max_groups], summary, timeline, text)


def write_report(groups: list[dict[str, Any]], path: str | Path, language: str = "en",
                 meta: ReportMeta | None = None) -> Path:
    """Render and write atomically (a reader never sees half a report); the suffix of `path` picks the format."""
    content = render_report(groups, report_format(path), language, meta)
    with open_atomic(path, "w", encoding="utf-8") as out:
        out.write(content)
    return Path(path)
