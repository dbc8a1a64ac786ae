"""How much generated logs look like real ones: simple statistics of parsed traces, side by side.

stats = log_statistics(log_texts)                     # one dict of rates / frame counts
print(format_comparison({"real": a, "synthetic": b}))  # a small text table
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any

from utils.stacktrace import parse_log

STATISTICS = (
    ("logs", "logs measured"),
    ("frames_median", "frames per trace (median)"),
    ("frames_mean", "frames per trace (mean)"),
    ("frames_p90", "frames per trace (90th pct)"),
    ("caused_by_rate", "traces with a Caused by"),
    ("top_message_rate", "top exception has a message"),
    ("root_message_rate", "root cause has a message"),
    ("library_frame_fraction", "share of library frames"),
    ("omitted_rate", "traces with '... N more'"),
    ("log_prefix_rate", "trace introduced by a log prefix"),
    ("multi_trace_rate", "logs with 2+ traces"),
    ("no_frames_rate", "exception without frames"),
    ("no_trace_rate", "logs without any exception"),
    ("lines_median", "lines per log (median)"),
)


def _rate(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def log_statistics(logs: Iterable[str]) -> dict[str, Any]:
    """Statistics of the first trace of every log (what the classifier reads), plus log-level rates."""
    frames: list[int] = []
    lines: list[int] = []
    counts = dict.fromkeys(("caused", "top_msg", "root_msg", "omitted", "prefix", "multi", "no_frames", "no_trace"), 0)
    library_shares: list[float] = []
    total = 0
    for text in logs:
        total += 1
        lines.append(text.count("\n") + 1)
        traces = [trace for trace in parse_log(text) if trace.chain]
        if not traces:
            counts["no_trace"] += 1
            continue
        counts["multi"] += len(traces) > 1
        trace = traces[0]
        trace_frames = trace.frames
        frames.append(len(trace_frames))
        counts["caused"] += len(trace.chain) > 1
        counts["top_msg"] += _has_message(trace.chain[0].message)
        counts["root_msg"] += _has_message(trace.root_cause.message)
        counts["omitted"] += any(exc.omitted_frames for exc in trace.chain)
        counts["prefix"] += trace.log_level is not None or trace.timestamp is not None
        counts["no_frames"] += not trace_frames
        if trace_frames:
            library_shares.append(sum(frame.is_library for frame in trace_frames) / len(trace_frames))
    with_trace = total - counts["no_trace"]
    return {
        "logs": total,
        "frames_median": statistics.median(frames) if frames else 0,
        "frames_mean": round(statistics.mean(frames), 2) if frames else 0,
        "frames_p90": statistics.quantiles(frames, n=10)[-1] if len(frames) > 1 else (frames[0] if frames else 0),
        "caused_by_rate": _rate(counts["caused"], with_trace),
        "top_message_rate": _rate(counts["top_msg"], with_trace),
        "root_message_rate": _rate(counts["root_msg"], with_trace),
        "library_frame_fraction": round(statistics.mean(library_shares), 4) if library_shares else 0.0,
        "omitted_rate": _rate(counts["omitted"], with_trace),
        "log_prefix_rate": _rate(counts["prefix"], with_trace),
        "multi_trace_rate": _rate(counts["multi"], total),
        "no_frames_rate": _rate(counts["no_frames"], with_trace),
        "no_trace_rate": _rate(counts["no_trace"], total),
        "lines_median": statistics.median(lines) if lines else 0,
    }


def _has_message(message: str | None) -> bool:
    return bool(message and message.strip() and message.strip() != "null")


def format_comparison(columns: dict[str, dict[str, Any]]) -> str:
    """A text table: one row per statistic, one column per named set."""
    names = list(columns)
    width = max(len(label) for _, label in STATISTICS)
    header = f"{'statistic':<{width}}  " + "  ".join(f"{name:>14}" for name in names)
    rows = [header, "-" * len(header)]
    for key, label in STATISTICS:
        cells = "  ".join(f"{columns[name].get(key, ''):>14}" for name in names)
        rows.append(f"{label:<{width}}  {cells}")
    return "\n".join(rows)
