"""Scoring candidates: a linear ranker (the hand-set rules or a learned one), softmax shares, the naive baseline."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from utils.locate.features import REASONS, RULE_WEIGHTS, candidates
from utils.locate.kinds import frame_kind
from utils.locate.names import frame_key
from utils.parsing.stacktrace import Frame, Trace
from utils.stage2.guidance import format_location


@dataclass
class RankedFrame:
    frame: Frame
    score: float  # probability-like, 0..1
    reasons: list[str]
    section: int = 0
    index: int = 0

    @property
    def qualified_method(self) -> str:
        return self.frame.qualified_method

    @property
    def key(self) -> str:
        return frame_key(self.frame)

    @property
    def location(self) -> str:
        return format_location(self.frame.file, self.frame.line, self.frame.qualified_method)

    def to_dict(self) -> dict:
        return {
            "location": self.location,
            "class": self.frame.class_name,
            "method": self.frame.method,
            "file": self.frame.file,
            "line": self.frame.line,
            "score": round(self.score, 4),
            "reasons": self.reasons,
        }


@dataclass
class LinearRanker:
    """logit = sum(weight * feature); a trace's candidates are scored by the softmax of their logits.

    `app_packages`, when set, are the application's packages for every trace it ranks (train_locator's
    `app_packages`, saved with the weights): they override what `infer_scope` reads from each trace."""

    weights: dict[str, float]
    metadata: dict = field(default_factory=dict)
    app_packages: tuple[str, ...] = ()

    def logit(self, features: dict[str, float]) -> float:
        return sum(self.weights.get(name, 0.0) * value for name, value in features.items())

    def contributions(self, features: dict[str, float]) -> dict[str, float]:
        return {name: self.weights.get(name, 0.0) * value for name, value in features.items() if value}


RULES = LinearRanker(dict(RULE_WEIGHTS), {"kind": "rules"})


def rank_frames(
    trace: Trace,
    label: str | None = None,
    ranker: LinearRanker | None = None,
    app_packages: Iterable[str] | None = None,
) -> list[RankedFrame]:
    """The trace's distinct candidate methods, best first; `score` is the softmax share among the candidates.

    `label` (the canonical exception type, when stage 1 or the parser decided it) adds exception-type cues;
    with `ranker=None` the hand-set rules score the frames. `app_packages` (else the ranker's own) overrides the
    application's packages read from the trace.
    """
    scorer = ranker or RULES
    found = candidates(trace, label, scorer.app_packages if app_packages is None else app_packages)
    if not found:
        return []
    logits = [scorer.logit(candidate.features) for candidate in found]
    top = max(logits)
    exps = [math.exp(logit - top) for logit in logits]
    total = sum(exps)
    ranked = []
    for candidate, weight in zip(found, exps):
        contributions = scorer.contributions(candidate.features)
        kind = candidate.kind
        reasons = [f"{kind} code"] if kind in ("library", "jdk", "test") else []
        reasons += [
            REASONS[name]
            for name, value in sorted(contributions.items(), key=lambda item: -item[1])
            if value > 0 and name in REASONS
        ][: 3 - len(reasons)]
        ranked.append(RankedFrame(candidate.frame, weight / total, reasons, candidate.section, candidate.index))
    ranked.sort(key=lambda item: -item.score)  # stable: ties keep chain order
    return ranked


def locate(
    trace: Trace,
    label: str | None = None,
    ranker: LinearRanker | None = None,
    app_packages: Iterable[str] | None = None,
) -> RankedFrame | None:
    """The best candidate, or None for a trace without frames."""
    ranked = rank_frames(trace, label, ranker, app_packages)
    return ranked[0] if ranked else None


def naive_frames(trace: Trace) -> list[Frame]:
    """Baseline order: frames outside library and test code, root cause first, then each enclosing exception."""
    ordered: list[Frame] = []
    seen: set[str] = set()
    for exc in reversed(trace.chain):
        for frame in exc.frames:
            key = frame_key(frame)
            if frame_kind(frame) == "app" and key not in seen:
                seen.add(key)
                ordered.append(frame)
    return ordered
