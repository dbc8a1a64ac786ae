"""The report as one self-contained HTML file: inline CSS and inline SVG, no script, nothing fetched, so it opens
offline and can be attached to a ticket. Everything read from the logs goes through `esc` exactly once."""

from __future__ import annotations

from html import escape

from utils.report.text import UiText
from utils.report.timeline import Timeline, bucket_name, render_svg
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

MAX_UNTIMED_SHOWN = 40  # ranks listed as having no timestamps; the rest are counted

# A Hangul-capable font comes before the generic fallback on every common desktop (macOS, Windows, Linux).
CSS = """
:root { color-scheme: light; --ink: #1d2330; --muted: #5d6675; --line: #dde2ea; --soft: #f5f7fa; --accent: #2456a6; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--ink); line-height: 1.55; font-size: 15px;
  font-family: system-ui, -apple-system, "Segoe UI", "Apple SD Gothic Neo", "Noto Sans KR", "Noto Sans CJK KR",
    "Malgun Gothic", "Helvetica Neue", Arial, sans-serif; word-break: keep-all; overflow-wrap: anywhere; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 12px; }
.subtitle, .muted { color: var(--muted); }
.subtitle { margin: 0 0 20px; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "D2Coding", "Noto Sans Mono CJK KR",
  monospace; font-size: 13px; }
code { background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; }
pre { background: #0f1520; color: #e6e9ef; padding: 14px 16px; border-radius: 6px; overflow-x: auto;
  white-space: pre; line-height: 1.45; margin: 8px 0 0; }
.card { border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px; margin: 0 0 22px; }
dl.facts { display: grid; grid-template-columns: minmax(8em, max-content) 1fr; gap: 6px 18px; margin: 0; }
dl.facts dt { color: var(--muted); font-weight: 600; }
dl.facts dd { margin: 0; min-width: 0; }
.message { white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; background: var(--soft); white-space: nowrap; }
td.when { white-space: nowrap; }
td.type { overflow-wrap: normal; word-break: normal; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.rank { display: inline-block; min-width: 2.2em; padding: 1px 8px; margin-right: 8px; border-radius: 999px;
  background: #6b7280; color: #fff; font-size: 14px; text-align: center; vertical-align: 2px; white-space: nowrap; }
.badge { float: right; font-size: 15px; font-weight: 600; color: var(--accent); }
.group h2 { margin-bottom: 2px; }
.group .id { font-size: 12px; margin: 0 0 12px; }
figure { margin: 0; }
figure svg { width: 100%; height: auto; display: block; }
figcaption, .note { color: var(--muted); font-size: 13px; margin-top: 6px; }
details { margin-top: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
summary { cursor: pointer; font-weight: 600; color: var(--accent); }
ol.chain { margin: 8px 0 0; padding-left: 1.6em; }
ul.inline { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 2px 16px; }
.explanation p { margin: 0 0 4px; }
.top { font-size: 13px; }
@media print { details { break-inside: avoid; } .top { display: none; } }
"""


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def code(value: object) -> str:
    return f"<code>{esc(value)}</code>"


def _fact(term: str, value: str) -> str:
    return f"<dt>{esc(term)}</dt><dd>{value}</dd>"


def _sources(sources: dict[str, int], text: UiText) -> str:
    items = source_items(sources, lambda source, count: f"<li>{code(source)} × {count}</li>",
                         lambda more: f"<li>{text('and_more', esc, count=more)}</li>")
    return f"<ul class=\"inline\">{''.join(items)}</ul>"


def _header(totals: Totals, shown: int, text: UiText) -> str:
    traces = text("traces_value", esc, grouped=totals.traces, analyzed=totals.analyzed)
    if totals.ignored:
        traces += "; " + text("ignored_value", esc, count=totals.ignored)
    groups = str(totals.groups) if shown == totals.groups else text("groups_shown", esc, shown=shown,
                                                                    total=totals.groups)
    if totals.first and totals.last:
        span = (f"{esc(format_time(totals.first))} – {esc(format_time(totals.last))} "
                f"({esc(format_duration(totals.first, totals.last, text))})")
    else:
        span = text("no_time_span", esc)
    facts = (_fact(text("traces"), traces) + _fact(text("groups"), groups) + _fact(text("time_span"), span)
             + _fact(text("sources"), _sources(totals.sources, text)))
    return (f"<header id=\"top\"><h1>{text('title', esc)}</h1><p class=\"subtitle\">{text('subtitle', esc)}</p>"
            f"<section class=\"card\"><h2>{text('totals', esc)}</h2><dl class=\"facts\">{facts}</dl></section>"
            "</header>")


def _location(view: GroupView, text: UiText, short: bool = False) -> str:
    """`File.java:40 · pkg.Class.method`; `short` (the overview table) drops the package: the row stays one line."""
    if not view.file_line and not view.method:
        return f"<span class=\"muted\">{text('location_unknown', esc)}</span>"
    method = ".".join(view.method.split(".")[-2:]) if short and view.method else view.method
    return " · ".join(code(part) for part in (view.file_line, method) if part)


def _summary(views: list[GroupView], timeline: Timeline | None, text: UiText) -> str:
    rows = []
    for view in views:
        color = timeline.color(view.rank) if timeline else None
        style = f" style=\"background:{color}\"" if color else ""
        rows.append(f"<tr><td><a href=\"#group-{view.rank}\"><span class=\"rank\"{style}>#{view.rank}</span></a></td>"
                    f"<td class=\"type\"><a href=\"#group-{view.rank}\">{esc(view.title or text('unknown'))}</a></td>"
                    f"<td class=\"num\">{view.count}</td>"
                    f"<td class=\"when\">{esc(format_time(view.last_seen)) or text('no_timestamp', esc)}</td>"
                    f"<td>{_location(view, text, short=True)}</td></tr>")
    head = (f"<tr><th>{text('col_rank', esc)}</th><th>{text('col_type', esc)}</th>"
            f"<th class=\"num\">{text('col_count', esc)}</th><th>{text('col_last_seen', esc)}</th>"
            f"<th>{text('col_location', esc)}</th></tr>")
    return (f"<section class=\"card\"><h2>{text('summary', esc)}</h2>"
            f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></section>")


def _timeline(views: list[GroupView], timeline: Timeline | None, text: UiText) -> str:
    if timeline is None:
        body = f"<p class=\"muted\">{text('timeline_none', esc)}</p>"
    else:
        labels = {view.rank: view.title or text("unknown") for view in views}
        caption = text("timeline_caption", esc, bucket=esc(bucket_name(timeline.bucket_minutes, text)),
                       first=esc(format_time(timeline.starts[0], seconds=False)),
                       last=esc(format_time(timeline.starts[-1], seconds=False)))
        if timeline.other is not None:
            caption += " " + text("timeline_other", esc, top=len(timeline.series))
        body = (f"<figure>{render_svg(timeline, labels, text('other_groups'))}"
                f"<figcaption>{caption}</figcaption></figure>")
        if timeline.untimed:
            shown = [rank for rank in timeline.untimed if rank <= len(views)][:MAX_UNTIMED_SHOWN]
            untimed = ", ".join(f"<a href=\"#group-{rank}\">#{rank}</a>" for rank in shown)
            if len(timeline.untimed) > len(shown):
                untimed += " " + text("and_more", esc, count=len(timeline.untimed) - len(shown))
            body += f"<p class=\"muted note\">{text('timeline_untimed', esc, groups=untimed)}</p>"
    return f"<section class=\"card\"><h2>{text('timeline', esc)}</h2>{body}</section>"


def _explanation(view: GroupView, text: UiText) -> str:
    if not view.explanation:
        return f"<span class=\"muted\">{text('explanation_none', esc)}</span>"
    fields = view.explanation_fields
    lines = [f"<p><strong>{text(key, esc)}</strong> {esc(fields[key])}</p>" for key in ("cause", "fix")
             if fields.get(key)]
    if not lines:  # a generated text that does not parse into fields is still shown, as it is
        lines = [f"<p>{esc(view.explanation)}</p>"]
    source = explained_by(view, text, esc)
    lines.append(f"<p class=\"muted\">{text('explanation_from', esc, source=source)}</p>")
    return f"<div class=\"explanation\">{''.join(lines)}</div>"


def _type_and_cause(view: GroupView, text: UiText) -> str:
    type_value = " · ".join(part for part in (f"<strong>{esc(view.label)}</strong>" if view.label else "",
                                              code(view.fqcn) if view.fqcn else "") if part)
    decided = esc(text.lookup("decided_by_values", view.decided_by, text("unknown")))
    if view.top_k:
        decided += f" <span class=\"muted\">({text('model_opinion', esc, ranking=esc(model_ranking(view)))})</span>"
    message = view.root_message if view.root_message else text("no_message")
    root = (f"{code(view.root_class)}: <span class=\"message\">{esc(message)}</span>" if view.root_class
            else f"<span class=\"message\">{esc(message)}</span>")
    return (_fact(text("type"), type_value or esc(text("unknown"))) + _fact(text("decided_by"), decided)
            + _fact(text("root_cause"), root) + _fact(text("location"), _location(view, text)))


def _group(view: GroupView, timeline: Timeline | None, text: UiText) -> str:
    color = timeline.color(view.rank) if timeline else None
    style = f" style=\"background:{color}\"" if color else ""
    seen = {key: esc(format_time(moment)) or f"<span class=\"muted\">{text('no_timestamp', esc)}</span>"
            for key, moment in (("first", view.first_seen), ("last", view.last_seen))}
    facts = (_type_and_cause(view, text) + _fact(text("explanation"), _explanation(view, text))
             + _fact(text("grouped_because"), grouped_because(view, text, esc, code))
             + _fact(text("count"), text("count_value", esc, count=view.count))
             + _fact(text("first_seen"), seen["first"]) + _fact(text("last_seen"), seen["last"])
             + _fact(text("sources"), _sources(view.sources, text)))
    chain = "".join(f"<li>{code(item.get('class') or text('unknown'))}: <span class=\"message\">"
                    f"{esc(item.get('message') or text('no_message'))}</span></li>" for item in view.chain)
    return (f"<section class=\"card group\" id=\"group-{view.rank}\">"
            f"<h2><span class=\"rank\"{style}>#{view.rank}</span>{esc(view.title or text('unknown'))}"
            f"<span class=\"badge\">×{view.count}</span></h2>"
            f"<p class=\"id muted\">{text('group_id', esc, id=esc(view.group_id))}</p>"
            f"<dl class=\"facts\">{facts}</dl>"
            f"<details><summary>{text('chain', esc, count=len(view.chain))}</summary>"
            f"<ol class=\"chain\">{chain}</ol></details>"
            f"<details><summary>{text('representative', esc, id=esc(view.trace_id), source=esc(view.trace_source))}"
            f"</summary><pre>{esc(view.trace)}</pre></details>"
            f"<p class=\"top\"><a href=\"#top\">↑ {text('back_to_top', esc)}</a></p></section>")


def render_html(views: list[GroupView], totals: Totals, timeline: Timeline | None, text: UiText) -> str:
    """`views` are the groups to show in detail (most frequent first); `totals` and `timeline` cover all groups."""
    body = (_header(totals, len(views), text) + _summary(views, timeline, text) + _timeline(views, timeline, text)
            + "".join(_group(view, timeline, text) for view in views))
    return (f"<!DOCTYPE html>\n<html lang=\"{esc(text.language)}\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{text('title', esc)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n"
            "</main>\n</body>\n</html>\n")
