"""What the report shows, read once from the group records (utils/pipeline/grouping.py `Group.to_record`) into plain
values; utils/report/html.py and markdown.py only lay these out (and escape them), so the two formats say the same."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from utils.report.text import UiText, grouping_reason


@dataclass(frozen=True)
class ReportMeta:
    """What the group records do not know: how many traces the run analyzed in all, how many rules ignored."""

    analyzed: int | None = None
    ignored: int = 0


@dataclass(frozen=True)
class GroupView:
    rank: int  # 1 = most frequent; the timeline's legend uses the same numbers
    group_id: str
    count: int
    title: str  # the label, else the root cause's simple name
    label: str | None
    fqcn: str | None
    decided_by: str | None
    top_k: list[dict[str, Any]]
    root_class: str | None
    root_message: str | None
    file_line: str | None  # "PaymentService.java:142"
    method: str | None  # "com.bank.payments.service.PaymentService.settle"
    explanation: str | None
    explanation_fields: dict[str, str]
    explanation_source: str | None
    known_scenario: dict[str, Any] | None
    fingerprint: dict[str, Any]
    reason: str
    first_seen: datetime | None
    last_seen: datetime | None
    sources: dict[str, int]
    chain: list[dict[str, Any]]
    trace_id: str
    trace_source: str
    trace: str
    timeline: dict[str, int] = field(default_factory=dict)


# One rule for both formats: a run over many log files lists the busiest few, so a group's facts stay readable.
MAX_SOURCES_SHOWN = 12


def source_items(sources: dict[str, int], item: Callable[[str, int], str], more: Callable[[int], str]) -> list[str]:
    """The report's source list in the records' order, laid out by the format: `item(source, traces)` for each one
    shown, then `more(left_out)` when some are left out."""
    items = [item(source, count) for source, count in list(sources.items())[:MAX_SOURCES_SHOWN]]
    if len(sources) > MAX_SOURCES_SHOWN:
        items.append(more(len(sources) - MAX_SOURCES_SHOWN))
    return items



def explained_by(view: GroupView, text: UiText, escape: Callable[[Any], str]) -> str:
    """Where a group's explanation came from, escaped by the format: the source and, for a known scenario, which one
    matched and how closely."""
    source = escape(text.lookup("explanation_sources", view.explanation_source, text("unknown")))
    if view.known_scenario:
        scenario = view.known_scenario
        source += " " + text("known_scenario", escape, name=escape(scenario.get("scenario", "")),
                             similarity=escape(scenario.get("similarity", "")))
    return source


def grouped_because(view: GroupView, text: UiText, escape: Callable[[Any], str], code: Callable[[Any], str]) -> str:
    """Why a group's traces were grouped, in the report's language (utils/report/text.grouping_reason); a record of
    another shape shows its reason as written."""
    return grouping_reason(view.fingerprint, text, escape, code) or escape(view.reason)


def parse_time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:  # a record written by another version: show "no timestamp" rather than fail the report
        return None


def format_time(moment: datetime | None, seconds: bool = True) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") if moment else ""


def format_duration(first: datetime, last: datetime, text: UiText) -> str:
    """"3 d 4 h" / "3일 4시간": the two largest non-zero units are enough to read a span."""
    units = text.table["duration_units"]
    seconds = int((last - first).total_seconds())
    parts = [(seconds // 86400, units["d"]), (seconds % 86400 // 3600, units["h"]),
             (seconds % 3600 // 60, units["m"]), (seconds % 60, units["s"])]
    shown = [f"{amount} {unit}" if text.language == "en" else f"{amount}{unit}" for amount, unit in parts if amount]
    return " ".join(shown[:2]) or f"0 {units['s']}"


def _location(location: dict[str, Any] | None) -> tuple[str | None, str | None]:
    if not location:
        return None, None
    file, line = location.get("file"), location.get("line")
    file_line = f"{file}:{line}" if file and line is not None else file
    klass, method = location.get("class"), location.get("method")
    qualified = f"{klass}.{method}" if klass and method else klass
    return file_line, qualified


def group_view(rank: int, record: dict[str, Any]) -> GroupView:
    analysis = record.get("analysis") or {}
    root = analysis.get("root_cause") or {}
    representative = record.get("representative") or {}
    fqcn = analysis.get("exception_fqcn") or root.get("class") or None
    title = analysis.get("label") or (fqcn.rsplit(".", 1)[-1] if fqcn else "")
    file_line, method = _location(analysis.get("location"))
    return GroupView(
        rank=rank, group_id=str(record.get("group") or ""), count=int(record.get("count") or 0), title=title,
        label=analysis.get("label"), fqcn=fqcn, decided_by=analysis.get("decided_by"),
        top_k=list(analysis.get("top_k") or []), root_class=root.get("class") or None,
        root_message=root.get("message"), file_line=file_line, method=method,
        explanation=analysis.get("explanation"), explanation_fields=dict(analysis.get("explanation_fields") or {}),
        explanation_source=analysis.get("explanation_source"), known_scenario=analysis.get("known_scenario"),
        fingerprint=dict(record.get("fingerprint") or {}), reason=str(record.get("reason") or ""),
        first_seen=parse_time(record.get("first_seen")), last_seen=parse_time(record.get("last_seen")),
        sources=dict(record.get("sources") or {}), chain=list(analysis.get("chain") or []),
        trace_id=str(representative.get("id") or ""), trace_source=str(representative.get("source") or ""),
        trace=str(representative.get("trace") or ""), timeline=dict(record.get("timeline") or {}),
    )


def group_views(records: list[dict[str, Any]]) -> list[GroupView]:
    """Most frequent first, whatever order the records came in (ties keep their order: first seen first)."""
    ordered = sorted(records, key=lambda record: -int(record.get("count") or 0))
    return [group_view(rank, record) for rank, record in enumerate(ordered, start=1)]


@dataclass(frozen=True)
class Totals:
    traces: int
    analyzed: int
    ignored: int
    groups: int
    first: datetime | None
    last: datetime | None
    sources: dict[str, int]


def totals(views: list[GroupView], meta: ReportMeta) -> Totals:
    firsts = [view.first_seen for view in views if view.first_seen]
    lasts = [view.last_seen for view in views if view.last_seen]
    sources: dict[str, int] = {}
    for view in views:
        for source, count in view.sources.items():
            sources[source] = sources.get(source, 0) + count
    traces = sum(view.count for view in views)
    return Totals(traces=traces, analyzed=meta.analyzed if meta.analyzed is not None else traces,
                  ignored=meta.ignored, groups=len(views), first=min(firsts, default=None),
                  last=max(lasts, default=None),
                  sources=dict(sorted(sources.items(), key=lambda item: (-item[1], item[0]))))


def model_ranking(view: GroupView) -> str:
    """"NullPointerException 0.91, IllegalStateException 0.05": the model's opinion beside the decided type."""
    return ", ".join(f"{item.get('label')} {float(item.get('score') or 0):.2f}" for item in view.top_k[:3])
