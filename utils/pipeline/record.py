"""The output record of one analysed trace: one JSON object per line of predict.py's output (and the analysis a
group record carries). The record format is stable: tests/test_pinned_outputs.py pins it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from utils.parsing.stacktrace import Frame
from utils.stage2.guidance import parse_guidance

if TYPE_CHECKING:
    from utils.pipeline.analyze import AnalyzedTrace


def frame_dict(frame: Frame | None) -> dict[str, Any] | None:
    if frame is None:
        return None
    return {"class": frame.class_name, "method": frame.method, "file": frame.file, "line": frame.line}


# The fields of `to_record` made only from what a repeat takes from its group's first trace
# (utils.pipeline.analyze.GROUP_SHARED_FIELDS): every record of one group has the same values there (a writer may redact
# them once per group).
GROUP_RECORD_FIELDS = ("label", "decided_by", "top_k", "location", "candidates", "explanation", "explanation_fields",
                       "explanation_agreed", "explanation_source", "known_scenario", "similar_case",
                       "explanation_rejected")


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)  # one encoder: json.dumps with options made one a call


def record_json(value: Any) -> str:
    """A record (or one of its values) as predict.py writes it: one line of JSON, non-ASCII kept."""
    return _ENCODER.encode(value)


def to_record(item: AnalyzedTrace, shared: bool = True) -> dict[str, Any]:
    """The stable output record of one trace (one JSON object per line in predict.py's output). `shared` False: the
    `GROUP_RECORD_FIELDS` made from a list or a parse are None (their keys kept, in order), for a writer that has
    its group's values already (a repeat's cost is its own fields)."""
    trace = item.trace
    root = trace.root_cause if trace.has_exception else None  # a thread of a dump has frames but no exception
    record: dict[str, Any] = {
        "id": item.id,
        "source": item.document.source,
        "kind": trace.kind,
        "has_exception": trace.has_exception,
        "exception": root.simple_name if root else None,
        "exception_fqcn": root.class_name if root else None,
        "label": item.label,
        "decided_by": item.decided_by,
        "parser_label": item.parser_label,
        "top_k": item.top_k,
        "chain": [{"class": exc.class_name, "message": exc.message} for exc in trace.chain] if root else [],
        "root_cause": {"class": root.class_name, "message": root.message} if root else None,
        "location": frame_dict(item.location) if shared else None,
        "candidates": [
            {**(frame_dict(candidate.frame) or {}), "score": round(float(candidate.score), 4)}
            for candidate in item.candidates
        ] if shared else None,
        "log": {
            "level": trace.log_level,
            "timestamp": trace.timestamp,
            "thread": trace.thread,
            "logger": trace.logger,
            "lines": [trace.start_line, trace.end_line],
        },
    }
    if trace.kind == "thread":
        # Each cycle is listed once, in its first thread's record; every member names its cycle and whom it waits for.
        deadlock = item.deadlock
        record["thread"] = {"name": trace.thread, "state": trace.thread_state, "virtual": trace.virtual_thread,
                            "deadlock": {"cycle": deadlock.cycle, "waits_for": deadlock.waits_for,
                                         "threads": deadlock.names if deadlock.first else None} if deadlock else None,
                            "locks": [{"action": lock.action, "address": lock.address, "class": lock.class_name}
                                      for lock in trace.locks]}
    if item.explanation is not None:
        record["explanation"] = item.explanation
        record["explanation_fields"] = parse_guidance(item.explanation) if shared else None
        record["explanation_agreed"] = item.explanation_agreed
        record["explanation_source"] = item.explanation_source
        record["known_scenario"] = item.known_scenario.as_dict() if shared and item.known_scenario else None
        record["similar_case"] = item.similar_case
        record["explanation_rejected"] = item.explanation_rejected
    return record
