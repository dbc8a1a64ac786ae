"""Stage-2 metrics: ROUGE-L, per-field exact match of the guidance line, agreement with stage 1 / the ranker,
and the end-to-end rate (type right AND explanation right on the same row).

No torch import: evaluate.py can score saved predictions without loading a model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from utils.stage2.guidance import GUIDANCE_FIELDS, parse_guidance

_WORD = re.compile(r"\w+")


def rouge_words(text: str) -> list[str]:
    """The words ROUGE-L compares: lower-cased `\\w+` runs."""
    return _WORD.findall(text.lower())


class _UnicodeWordTokenizer:
    """rouge-score's default tokenizer keeps only [a-z0-9] and would score Korean text as empty; words are `\\w+`."""

    def tokenize(self, text: str) -> list[str]:
        return rouge_words(text)


@cache
def _scorer() -> Any:
    # Imported on first use: rouge-score pulls in nltk (~120 MB resident), which predict.py never needs (it reads
    # only `field_agreement` from here) and which would count against its memory on every run.
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"], tokenizer=_UnicodeWordTokenizer())


def _normalize(value: str | None) -> str:
    return " ".join((value or "").split())


def rouge_l_scores(predictions: Sequence[str], references: Sequence[str]) -> list[float]:
    """ROUGE-L F-measure of each row."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    scorer = _scorer()
    return [scorer.score(ref, pred)["rougeL"].fmeasure for pred, ref in zip(predictions, references)]


def rouge_l(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Mean ROUGE-L F-measure; 0.0 for no rows."""
    scores = rouge_l_scores(predictions, references)
    return sum(scores) / len(scores) if scores else 0.0


def field_agreement(explanation: str, label: str, location: str) -> tuple[bool, bool]:
    """Whether the explanation's `type` and `location` fields equal what the user is shown (whitespace-normalized)."""
    fields = parse_guidance(explanation)
    return (
        _normalize(fields.get("type")) == _normalize(label),
        _normalize(fields.get("location")) == _normalize(location),
    )


def _mean(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def evaluate_explanations(
    predictions: Sequence[str],
    references: Sequence[str],
    *,
    raw_predictions: Sequence[str] | None = None,
    types: Sequence[str] | None = None,
    locations: Sequence[str] | None = None,
    type_correct: Sequence[bool] | None = None,
    rouge_threshold: float = 0.6,
) -> dict[str, float]:
    """Scores of generated guidance lines against the references.

    predictions: what the user sees (after the agreement post-check); raw_predictions: the generations before it
    (default: `predictions`). types / locations: the stage-1 label and ranker location shown for each row; with
    them the agreement rates are reported raw and final. type_correct: per row, whether stage 1's type was right;
    with it the end-to-end rates are reported: `end_to_end_exact` (type right and cause, location and fix exactly
    right) and `end_to_end_rouge` (type right and ROUGE-L >= rouge_threshold).
    """
    count = len(predictions)
    if len(references) != count:
        raise ValueError(f"{count} predictions but {len(references)} references")
    raw = list(raw_predictions) if raw_predictions is not None else list(predictions)
    for name, values in (
        ("raw_predictions", raw),
        ("types", types),
        ("locations", locations),
        ("type_correct", type_correct),
    ):
        if values is not None and len(values) != count:
            raise ValueError(f"{count} predictions but {len(values)} {name}")

    predicted_fields = [parse_guidance(text) for text in predictions]
    reference_fields = [parse_guidance(text) for text in references]
    row_rouge = rouge_l_scores(predictions, references)
    exact = {
        key: [_normalize(p.get(key)) == _normalize(r.get(key)) for p, r in zip(predicted_fields, reference_fields)]
        for key in GUIDANCE_FIELDS
    }
    metrics: dict[str, float] = {
        "count": float(count),
        "rougeL": _mean(row_rouge) if count else 0.0,
        "well_formed": _mean([all(key in fields for key in GUIDANCE_FIELDS) for fields in predicted_fields]),
        "exact_all": _mean([all(exact[key][i] for key in GUIDANCE_FIELDS) for i in range(count)]),
    }
    for key in ("cause", "fix"):
        metrics[f"rougeL_{key}"] = rouge_l(
            [p.get(key, "") for p in predicted_fields], [r.get(key, "") for r in reference_fields]
        )
    for key in GUIDANCE_FIELDS:
        metrics[f"exact_{key}"] = _mean(exact[key])

    if types is not None and locations is not None:
        for prefix, texts in (("agreement_raw", raw), ("agreement", predictions)):
            pairs = [field_agreement(text, label, where) for text, label, where in zip(texts, types, locations)]
            metrics[f"{prefix}_type"] = _mean([type_ok for type_ok, _ in pairs])
            metrics[f"{prefix}_location"] = _mean([location_ok for _, location_ok in pairs])
            metrics[prefix] = _mean([type_ok and location_ok for type_ok, location_ok in pairs])

    if type_correct is not None:
        explanation_exact = [exact["cause"][i] and exact["location"][i] and exact["fix"][i] for i in range(count)]
        metrics["stage1_accuracy"] = _mean([bool(flag) for flag in type_correct])
        metrics["end_to_end_exact"] = _mean([bool(t) and e for t, e in zip(type_correct, explanation_exact)])
        metrics["end_to_end_rouge"] = _mean(
            [bool(t) and score >= rouge_threshold for t, score in zip(type_correct, row_rouge)]
        )
    return metrics
