"""The human-readable summary predict.py prints when no --output is given: one block per trace (threads of a dump
that are neither blocked nor deadlocked only counted), with where an explanation came from."""

from __future__ import annotations

import textwrap
from collections import Counter
from typing import TYPE_CHECKING

from utils.stage2.guidance import frame_location, parse_guidance

if TYPE_CHECKING:
    from utils.pipeline.analyze import AnalyzedTrace, Analyzer


def match_strength(similarity: float) -> str:
    """How far to trust a recalled known scenario, in words shown beside its similarity."""
    if similarity >= 0.7:
        return "close match"
    return "partial match" if similarity >= 0.4 else "weak match: a guess, check it against the trace"


_QUIET_THREAD_STATES = ("RUNNABLE", "WAITING", "TIMED_WAITING", "NEW", "TERMINATED")


def _thread_lines(item: AnalyzedTrace, width: int) -> list[str]:
    trace = item.trace
    lines = [f"  Thread      : {trace.thread}   {trace.thread_state or '(state not printed)'}"]
    locks = {"waiting to lock": "waiting to lock", "parking to wait for": "parked on", "waiting on": "waiting on",
             "locked": "holds"}
    shown = [f"{locks[lock.action]} {lock.class_name or 'lock'} <{lock.address}>" for lock in trace.locks
             if lock.action in locks]
    if shown:
        lines.append(_wrap("  Locks       : ", "; ".join(shown), width))
    deadlock = item.deadlock
    if deadlock and deadlock.first:
        cycle = " -> ".join([*deadlock.names, deadlock.names[0]])
        lines.append(_wrap("  DEADLOCK    : ", f"{cycle} (deadlock {deadlock.cycle}: each waits for a lock the next "
                           "one holds)", width))
    elif deadlock:  # the cycle is listed once, under its first thread
        lines.append(_wrap("  DEADLOCK    : ", f"waits for {deadlock.waits_for} (deadlock {deadlock.cycle}, listed "
                           f"under {deadlock.names[0]})", width))
    return lines


def _thread_state_name(item: AnalyzedTrace) -> str:
    return (item.trace.thread_state or "unknown").split(" ")[0]


def _is_quiet_thread(item: AnalyzedTrace) -> bool:
    """A thread of a dump that the summary only counts: not in a deadlock, not blocked on a monitor."""
    return item.trace.kind == "thread" and not item.deadlock and _thread_state_name(item) in _QUIET_THREAD_STATES


def format_summary(results: list[AnalyzedTrace], analyzer: Analyzer, width: int = 110) -> str:
    """The human-readable report predict.py prints when no --output is given. Threads of a thread dump that are
    neither blocked nor deadlocked are counted per state, not listed (the JSON output has every one)."""
    quiet = [item for item in results if _is_quiet_thread(item)]
    blocks = [f"Analyzed {len(results)} trace(s) - {analyzer.describe_short()}"]
    if quiet:
        per_state = sorted(Counter(map(_thread_state_name, quiet)).items())
        counts = ", ".join(f"{state} {count}" for state, count in per_state)
        blocks.append(f"Thread dump: {len(quiet)} more thread(s), neither blocked nor deadlocked, not listed "
                      f"({counts})")
    for number, item in enumerate(results, start=1):
        if _is_quiet_thread(item):
            continue
        trace, root = item.trace, item.trace.root_cause
        where_in_log = ("" if not trace.end_line else f"line {trace.start_line}" if trace.end_line == trace.start_line
                        else f"lines {trace.start_line}-{trace.end_line}")  # a JSON event's trace is on one line
        header = " ".join(part for part in (trace.log_level, trace.timestamp, f"[{trace.thread}]" if trace.thread
                                            else None) if part)
        lines = [f"\n[{number}] {item.document.source} {where_in_log}  {header}".rstrip()]
        if root is None:
            lines.append("  No Java exception found in this input.")
            blocks.append("\n".join(lines))
            continue
        if trace.kind == "thread":
            lines += _thread_lines(item, width)
            if item.location is not None:
                lines.append(f"  Where       : {frame_location(item.location)}")
            blocks.append("\n".join(lines))
            continue
        model_view = ", ".join(f"{entry['label']} {entry['score']:.2f}" for entry in item.top_k)
        if item.label:
            lines.append(f"  What failed : {item.label}   (decided by {item.decided_by})")
        else:
            lines.append("  What failed : unknown - no readable exception name and no stage-1 model to read the rest")
        if model_view:
            lines.append(f"  Model top-{len(item.top_k)} : {model_view}")
        message = f": {_shorten(root.message, 300)}" if root.message else ""
        root_name = root.class_name or "(exception name not in the log)"
        lines.append(_wrap("  Root cause  : ", f"{root_name}{message}", width))
        if len(trace.chain) > 1:
            lines.append(_wrap("  Chain       : ", " -> ".join(exc.simple_name for exc in trace.chain), width))
        if item.location is not None:
            lines.append(f"  Where       : {frame_location(item.location)}")
            for other in item.candidates[1:3]:
                lines.append(f"      also    : {frame_location(other.frame)}  (score {other.score:.2f})")
        else:
            lines.append("  Where       : no application frame in this trace")
        if item.explanation:
            lines += _explanation_lines(item, width)
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _explanation_lines(item: AnalyzedTrace, width: int) -> list[str]:
    """The summary lines of an explanation, labelled with where it came from (docs/RESULTS.md, Stage 2); a similar known
    case that is not this failure's explanation is named apart, never as its cause."""
    fields = parse_guidance(item.explanation or "")
    known, lines = item.known_scenario, []
    if item.explanation_source == "known scenario":
        lines.append(f"  Known case  : {known.scenario} (similarity {known.similarity:.2f}, "
                     f"{match_strength(known.similarity)})")
        prefixes = ("  Its cause   : ", "  Its fix     : ")
    elif item.explanation_source == "model":
        prefixes = ("  Model cause : ", "  Model fix   : ")
    else:
        lines.append("  Explanation : read from the exception type and this trace (no known case fits)")
        prefixes = ("  Cause       : ", "  Fix         : ")
    lines += [_wrap(prefixes[0], fields.get("cause", ""), width), _wrap(prefixes[1], fields.get("fix", ""), width)]
    similar = item.similar_case
    if similar is not None:
        # the reasons without the names they list: those are the other failure's, and the summary prints none
        # (the JSON record keeps them)
        reasons = "; ".join(dict.fromkeys(reason.split(":")[0] for reason in similar["not_shown_because"]))
        lines.append(_wrap("  Similar case: ", f"{similar['scenario']} (similarity {similar['similarity']:.2f}), not "
                           f"this failure's explanation: {reasons}", width))
    return lines


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _wrap(prefix: str, text: str, width: int) -> str:
    return textwrap.fill(" ".join(text.split()), width=width, initial_indent=prefix,
                         subsequent_indent=" " * len(prefix), break_long_words=False) or prefix.rstrip()
