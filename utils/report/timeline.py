"""The report's timeline: occurrences per group over the log's time span, in buckets whose size follows the span.

HTML gets a stacked bar chart as inline SVG (matplotlib, text drawn as paths, so it needs no font and no file);
Markdown gets one sparkline row per group, which pastes into any ticket as text.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from utils.report.text import UiText
from utils.report.view import GroupView

BUCKET_MINUTES = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 10080)
MAX_BUCKETS = 60  # more bars than this stop reading as a shape on a page-wide chart
TOP_GROUPS = 8
# tab10 without its grey, which stands for "other groups"
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf")
OTHER_COLOR = "#9a9a9a"
_WEEK_ORIGIN = datetime(1970, 1, 5)  # a Monday: weekly buckets start on Mondays, shorter ones at midnight


@dataclass(frozen=True)
class Timeline:
    bucket_minutes: int
    starts: list[datetime]  # every bucket from the first to the last occurrence, empty ones included
    series: list[tuple[int, list[int]]]  # (group rank, count per bucket) of the most frequent timed groups
    other: list[int] | None  # the remaining timed groups together; None when there are none
    untimed: list[int]  # ranks of the groups without any timestamp

    def color(self, rank: int) -> str | None:
        ranks = [series_rank for series_rank, _ in self.series]
        return COLORS[ranks.index(rank) % len(COLORS)] if rank in ranks else None


def choose_bucket(first: datetime, last: datetime) -> int:
    """The smallest bucket (minutes) that keeps the span under MAX_BUCKETS bars; whole weeks beyond a year."""
    span = (last - first).total_seconds() / 60
    for minutes in BUCKET_MINUTES:
        if span / minutes < MAX_BUCKETS:
            return minutes
    return 10080 * math.ceil(span / 10080 / MAX_BUCKETS)


def bucket_start(moment: datetime, minutes: int) -> datetime:
    elapsed = int((moment - _WEEK_ORIGIN).total_seconds() // 60)
    return _WEEK_ORIGIN + timedelta(minutes=elapsed - elapsed % minutes)


def _minutes(view: GroupView) -> dict[datetime, int]:
    counts: dict[datetime, int] = {}
    for key, count in view.timeline.items():
        try:
            counts[datetime.strptime(key, "%Y-%m-%dT%H:%M")] = int(count)
        except (TypeError, ValueError):  # a malformed key is left out of the plot, not a failed report
            continue
    return counts


def build_timeline(views: list[GroupView], top: int = TOP_GROUPS) -> Timeline | None:
    """None when no group has a timestamp; `views` are most frequent first, so the top ones are plotted."""
    per_group = [(view.rank, _minutes(view)) for view in views]
    timed = [(rank, counts) for rank, counts in per_group if counts]
    untimed = [rank for rank, counts in per_group if not counts]
    if not timed:
        return None
    moments = [moment for _, counts in timed for moment in counts]
    minutes = choose_bucket(min(moments), max(moments))
    first, last = bucket_start(min(moments), minutes), bucket_start(max(moments), minutes)
    starts = [first + timedelta(minutes=minutes * index)
              for index in range(int((last - first).total_seconds() // 60) // minutes + 1)]
    index = {start: position for position, start in enumerate(starts)}

    def bucketed(counts: dict[datetime, int]) -> list[int]:
        row = [0] * len(starts)
        for moment, count in counts.items():
            row[index[bucket_start(moment, minutes)]] += count
        return row

    series = [(rank, bucketed(counts)) for rank, counts in timed[:top]]
    rest = [bucketed(counts) for _, counts in timed[top:]]
    other = [sum(column) for column in zip(*rest)] if rest else None
    return Timeline(minutes, starts, series, other, untimed)


def bucket_name(minutes: int, text: UiText) -> str:
    """"5 minutes" / "5분": the caption's unit (several weeks read as days)."""
    units = text.table["bucket_units"]
    if minutes == 10080:
        return units["week"]
    if minutes % 1440 == 0:
        return units["day"] if minutes == 1440 else units["days"].format(n=minutes // 1440)
    if minutes % 60 == 0:
        return units["hour"] if minutes == 60 else units["hours"].format(n=minutes // 60)
    return units["minute"] if minutes == 1 else units["minutes"].format(n=minutes)


def _plain(label: str) -> str:
    """matplotlib reads `$...$` as math: a `$` of an inner class name (Outer$Inner) must stay a dollar sign."""
    return re.sub(r"([$\\])", r"\\\1", label)


def render_svg(timeline: Timeline, labels: dict[int, str], other_label: str) -> str:
    """The stacked bar chart as an `<svg>` element (no XML prolog, no metadata), ready to inline in HTML."""
    import matplotlib.dates as mdates
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with rc_context({"svg.fonttype": "path", "svg.hashsalt": "report", "font.size": 9}):
        figure = Figure(figsize=(11, 3.4))
        axes = figure.add_subplot()
        x = mdates.date2num(timeline.starts)
        width = timeline.bucket_minutes / 1440 * 0.85
        bottom = [0] * len(timeline.starts)
        rows = [(f"#{rank} {labels.get(rank, '')}", counts, timeline.color(rank)) for rank, counts in timeline.series]
        if timeline.other is not None:
            rows.append((other_label, timeline.other, OTHER_COLOR))
        for label, counts, color in rows:
            axes.bar(x, counts, width=width, bottom=bottom, color=color, label=_plain(label), align="edge")
            bottom = [below + count for below, count in zip(bottom, counts)]
        locator = mdates.AutoDateLocator(minticks=3, maxticks=10)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        axes.set_xlim(x[0] - width * 0.2, x[-1] + timeline.bucket_minutes / 1440 + width * 0.2)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", color="#e5e5e5", linewidth=0.8)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight",
                       metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):].strip()


SPARKS = " ▁▂▃▄▅▆▇█"


def sparkline(counts: list[int]) -> str:
    """One character per bucket, scaled to the row's own peak; `·` marks an empty bucket (not a small one)."""
    peak = max(counts, default=0)
    if not peak:
        return "·" * len(counts)
    return "".join("·" if count == 0 else SPARKS[max(1, round(count / peak * 8))] for count in counts)
