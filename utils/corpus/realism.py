"""How much generated logs look like real ones: simple statistics of parsed traces, side by side.

stats = log_statistics(log_texts)                     # one dict of rates / frame counts
print(format_comparison({"real": a, "synthetic": b}))  # a small text table
word_coverage(app_class_words(real), app_class_words(synthetic))  # how much of real code's vocabulary is drawn
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from utils.corpus.codebase import BANK_ROOTS
from utils.corpus.tables import tables
from utils.parsing.stacktrace import JDK_PREFIXES, Frame, Trace, parse_log

TEST_RUNNERS_PATH = Path(__file__).resolve().parents[2] / "configs" / "test_runners.yaml"

# The statistics' labels and how some facts are recognized are data: utils/corpus/templates/realism.yaml.
STATISTICS = tuple(tables().maps["realism.statistics"].items())  # (statistic, label) in format_comparison's order
_SERVER_STYLES = {name: re.compile(pattern, re.M) for name, pattern in tables().maps["realism.server_styles"].items()}


@cache
def _families() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(family, prefixes) of test runners and launchers (configs/test_runners.yaml), launchers first."""
    config = yaml.safe_load(TEST_RUNNERS_PATH.read_text(encoding="utf-8")) or {}
    return tuple(
        (name, tuple(prefixes or ()))
        for key in ("launchers", "runners")
        for name, prefixes in (config.get(key) or {}).items()
    )


def _rate(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def log_statistics(logs: Iterable[str]) -> dict[str, Any]:
    """Statistics of the first trace of every log (what the classifier reads), plus log-level rates."""
    frames: list[int] = []
    lines: list[int] = []
    counts: Counter[str] = Counter()
    library_shares: list[float] = []
    app_classes: set[str] = set()
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
        counts.update(_wide_facts(trace, text))
        app_classes.update(frame.simple_class for frame in trace_frames if not frame.is_library)
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
        "npe_bare_rate": _rate(counts["npe_bare"], counts["npe"]),
        "jdk_le8_style_rate": _rate(counts["jdk_le8_style"], counts["jdk_frames"]),
        **{f"{key}_rate": _rate(counts[key], with_trace) for key in tables().values["realism.wide_rates"]},
        "app_class_names_per_100": round(100 * len(app_classes) / with_trace, 1) if with_trace else 0.0,
    }


def _wide_facts(trace: Trace, text: str) -> list[str]:
    """The counters one trace adds for the statistics of configs/corpus_wide.yaml's settings."""
    facts = []
    root = trace.root_cause
    if root is not None and root.class_name.endswith("NullPointerException"):
        facts += ["npe"] + (["npe_bare"] if not _has_message(root.message) else [])
    jdk_frames = [frame for frame in trace.frames if frame.class_name.startswith(JDK_PREFIXES)]
    if jdk_frames:
        facts.append("jdk_frames")
        facts += ["jdk_le8_style"] if not any(frame.module for frame in jdk_frames) else []
        facts += [_jdk_version(jdk_frames)]
    families = {_family(frame) for frame in trace.frames} - {None}
    launchers, ide = tables().values["realism.launchers"], tables().values["realism.ide_launchers"]
    facts += [f"launcher_{'ide' if name in ide else name}" for name in families.intersection(launchers)]
    facts += ["launcher_any"] if families else []
    classes = {frame.class_name for frame in trace.frames}
    facts += [fact for fact, marker in tables().maps["realism.marker_classes"].items() if marker in classes]
    facts += ["runner_testng"] if "testng" in families else []
    head = text[:4000]
    facts += [f"style_{name}" for name, pattern in _SERVER_STYLES.items() if pattern.search(head)]
    if any(frame.class_name.startswith(BANK_ROOTS) for frame in trace.frames):
        facts.append("bank_package")
    return facts


def _jdk_version(frames: list[Frame]) -> str:
    if any(frame.module or frame.class_name.startswith("jdk.internal.") for frame in frames):
        return "jdk9plus"
    for frame in frames:
        version = tables().maps["realism.jdk_fingerprints"].get(f"{frame.qualified_method}:{frame.line}")
        if version:
            return f"jdk{version}"
    return "jdk_unknown"


def _family(frame: Frame) -> str | None:
    for name, prefixes in _families():
        if frame.class_name.startswith(prefixes):
            return name
    return None


_CAMEL_WORD = re.compile(r"[A-Z][a-z0-9]+|[A-Z]+(?![a-z])")


def app_class_words(logs: Iterable[str]) -> Counter[str]:
    """CamelCase words of the application (non-library) class names in the first trace of every log."""
    words: Counter[str] = Counter()
    for text in logs:
        traces = [trace for trace in parse_log(text) if trace.chain]
        for frame in traces[0].frames if traces else ():
            if not frame.is_library:
                words.update(_CAMEL_WORD.findall(frame.simple_class.split("$", 1)[0]))
    return words


def word_coverage(reference: Counter[str], candidate: Counter[str]) -> float:
    """Share of the reference's word occurrences whose word the candidate also uses (1.0: nothing unseen)."""
    total = sum(reference.values())
    return round(sum(count for word, count in reference.items() if word in candidate) / total, 4) if total else 0.0


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
