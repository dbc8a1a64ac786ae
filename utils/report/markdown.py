"""The report as Markdown to paste into a ticket: the same groups and facts as the HTML, the timeline as
sparklines in a code block (a ticket takes text, not an image). Log text is put in code spans / code blocks, whose
fences are chosen longer than any backtick run inside, or escaped, so a log cannot inject markup or HTML."""

from __future__ import annotations

import re
from html import escape

from utils.report.text import UiText
from utils.report.timeline import Timeline, bucket_name, sparkline
from utils.report.view import (
    GroupView,
    Totals,
    explained_by,
    format_duration,
    format_time,
    grouped_because,
    model_ranking,
    source_items,
)

# `$` opens math on GitHub; `#` only matters at a line's start, where log text never is.
_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")


def md_text(value: object) -> str:
    """Plain text on one line: HTML-escaped (ticket renderers pass raw HTML), Markdown specials backslashed."""
    flat = " ".join(str(value).split())
    return _SPECIAL.sub(r"\\\1", escape(flat, quote=False))


def md_code(value: object, in_table: bool = False) -> str:
    flat = " ".join(str(value).split())
    if in_table:  # GFM splits table cells at every `|`, even inside code
        flat = flat.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def code_block(value: str, info: str = "text") -> str:
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    return f"{fence}{info}\n{value.rstrip()}\n{fence}"


def _details(summary: str, body: str) -> str:
    """GitHub / GitLab fold this; elsewhere it reads as a heading line and its body."""
    return f"<details><summary>{escape(summary)}</summary>\n\n{body}\n\n</details>"


def _sources(sources: dict[str, int], text: UiText) -> str:
    return ", ".join(source_items(sources, lambda source, count: f"{md_code(source)} × {count}",
                                  lambda more: text("and_more", md_text, count=more)))


def _header(totals: Totals, shown: int, text: UiText) -> list[str]:
    traces = text("traces_value", md_text, grouped=totals.traces, analyzed=totals.analyzed)
    if totals.ignored:
        traces += "; " + text("ignored_value", md_text, count=totals.ignored)
    groups = str(totals.groups) if shown == totals.groups else text("groups_shown", md_text, shown=shown,
                                                                    total=totals.groups)
    span = (f"{format_time(totals.first)} – {format_time(totals.last)} "
            f"({format_duration(totals.first, totals.last, text)})" if totals.first and totals.last
            else text("no_time_span", md_text))
    return [f"# {text('title', md_text)}", "", f"_{text('subtitle', md_text)}_", "",
            f"- **{text('traces', md_text)}**: {traces}", f"- **{text('groups', md_text)}**: {groups}",
            f"- **{text('time_span', md_text)}**: {span}",
            f"- **{text('sources', md_text)}**: {_sources(totals.sources, text)}", ""]


def _location(view: GroupView, text: UiText, in_table: bool = False) -> str:
    """As in the HTML: the overview table names the class without its package, the group's section in full."""
    method = ".".join(view.method.split(".")[-2:]) if in_table and view.method else view.method
    parts = [md_code(part, in_table) for part in (view.file_line, method) if part]
    return " · ".join(parts) or text("location_unknown", md_text)


def _summary(views: list[GroupView], text: UiText) -> list[str]:
    lines = [f"## {text('summary', md_text)}", "",
             f"| {text('col_rank', md_text)} | {text('col_type', md_text)} | {text('col_count', md_text)} "
             f"| {text('col_last_seen', md_text)} | {text('col_location', md_text)} |", "|---:|---|---:|---|---|"]
    for view in views:
        last = format_time(view.last_seen) or text("no_timestamp", md_text)
        lines.append(f"| {view.rank} | {md_text(view.title or text('unknown'))} | {view.count} | {last} "
                     f"| {_location(view, text, in_table=True)} |")
    return [*lines, ""]


def _timeline(views: list[GroupView], timeline: Timeline | None, text: UiText) -> list[str]:
    lines = [f"## {text('timeline', md_text)}", ""]
    if timeline is None:
        return [*lines, text("timeline_none", md_text), ""]
    titles = {view.rank: view.title or text("unknown") for view in views}
    rows = [(f"#{rank} {titles.get(rank, '')}", counts) for rank, counts in timeline.series]
    if timeline.other is not None:
        rows.append((text("other_groups"), timeline.other))
    width = max(len(label) for label, _ in rows)
    plot = "\n".join(f"{label:<{width}}  {sparkline(counts)}  {sum(counts)}" for label, counts in rows)
    lines += [text("markdown_timeline_note", md_text, bucket=md_text(bucket_name(timeline.bucket_minutes, text)),
                   first=format_time(timeline.starts[0], seconds=False),
                   last=format_time(timeline.starts[-1], seconds=False)), "", code_block(plot), ""]
    if timeline.untimed:
        untimed = ", ".join(f"#{rank}" for rank in timeline.untimed[:40])
        lines += [text("timeline_untimed", md_text, groups=untimed), ""]
    return lines


def _explanation(view: GroupView, text: UiText) -> list[str]:
    label = f"- **{text('explanation', md_text)}**:"
    if not view.explanation:
        return [f"{label} {text('explanation_none', md_text)}"]
    fields = view.explanation_fields
    lines = [f"  - **{text(key, md_text)}**: {md_text(fields[key])}" for key in ("cause", "fix") if fields.get(key)]
    if not lines:
        lines = [f"  - {md_text(view.explanation)}"]
    source = explained_by(view, text, md_text)
    return [label, *lines, f"  - _{text('explanation_from', md_text, source=source)}_"]


def _group(view: GroupView, text: UiText) -> list[str]:
    type_value = " · ".join(part for part in (f"**{md_text(view.label)}**" if view.label else "",
                                              md_code(view.fqcn) if view.fqcn else "") if part)
    decided = md_text(text.lookup("decided_by_values", view.decided_by, text("unknown")))
    if view.top_k:
        decided += f" ({text('model_opinion', md_text, ranking=md_text(model_ranking(view)))})"
    message = md_text(view.root_message or text("no_message"))
    root = f"{md_code(view.root_class)}: {message}" if view.root_class else message
    seen = {key: format_time(moment) or text("no_timestamp", md_text)
            for key, moment in (("first", view.first_seen), ("last", view.last_seen))}
    chain = "\n".join(f"{number}. {md_code(item.get('class') or text('unknown'))}: "
                      f"{md_text(item.get('message') or text('no_message'))}"
                      for number, item in enumerate(view.chain, start=1))
    return [f"## #{view.rank} {md_text(view.title or text('unknown'))} — ×{view.count}", "",
            f"- **{text('type', md_text)}**: {type_value or text('unknown', md_text)}",
            f"- **{text('decided_by', md_text)}**: {decided}", f"- **{text('root_cause', md_text)}**: {root}",
            f"- **{text('location', md_text)}**: {_location(view, text)}", *_explanation(view, text),
            f"- **{text('grouped_because', md_text)}**: {grouped_because(view, text, md_text, md_code)}",
            f"- **{text('count', md_text)}**: {text('count_value', md_text, count=view.count)}",
            f"- **{text('first_seen', md_text)}**: {seen['first']}",
            f"- **{text('last_seen', md_text)}**: {seen['last']}",
            f"- **{text('sources', md_text)}**: {_sources(view.sources, text)}",
            f"- {text('group_id', md_text, id=md_code(view.group_id))}", "",
            _details(text("chain", count=len(view.chain)), chain or text("no_message", md_text)), "",
            _details(text("representative", id=view.trace_id, source=view.trace_source), code_block(view.trace,
                                                                                                   "java")), ""]


def render_markdown(views: list[GroupView], totals: Totals, timeline: Timeline | None, text: UiText) -> str:
    lines = [*_header(totals, len(views), text), *_summary(views, text), *_timeline(views, timeline, text)]
    for view in views:
        lines += _group(view, text)
    return "\n".join(lines).rstrip() + "\n"
