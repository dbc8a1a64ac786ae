"""Temperature scaling and the prediction-distribution report that makes a degenerate model visible.

The temperature T divides the logits before the softmax; it is fitted on validation data by minimising the negative
log-likelihood (a golden-section search over log T: one parameter, convex enough, no torch needed). It never changes
which class wins, only how sure the model says it is. `prediction_distribution` compares what the model predicts
with the truth (per-class predicted vs. true rate, top-score statistics, ECE) and `degenerate_warnings` turns the
failures seen in earlier work (a focal-loss model whose scores sat around 0.17 while it was right far more often,
a class predicted at a fraction of its true rate) into sentences printed at the end of training and evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from utils.evaluation.metrics import expected_calibration_error

# A warning fires when the mean top score is this far from the accuracy, or a class is predicted at less than
# RATE_RATIO of its true rate (only for classes with at least MIN_SUPPORT gold rows: rarer ones are noise).
CONFIDENCE_GAP = 0.15
RATE_RATIO = 0.2
MIN_SUPPORT = 5


def log_softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    return scaled - np.log(np.exp(scaled).sum(axis=-1, keepdims=True))


def negative_log_likelihood(logits: np.ndarray, label_ids: np.ndarray, temperature: float = 1.0) -> float:
    log_probabilities = log_softmax(logits, temperature)
    return float(-log_probabilities[np.arange(len(label_ids)), np.asarray(label_ids)].mean())


def fit_temperature(
    logits: np.ndarray, label_ids: np.ndarray, low: float = 0.05, high: float = 20.0, iterations: int = 60
) -> float:
    """The temperature in [low, high] minimising validation NLL (golden-section search over log T)."""
    if len(label_ids) == 0:
        return 1.0
    ratio = (math.sqrt(5) - 1) / 2
    a, b = math.log(low), math.log(high)
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc = negative_log_likelihood(logits, label_ids, math.exp(c))
    fd = negative_log_likelihood(logits, label_ids, math.exp(d))
    for _ in range(iterations):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = negative_log_likelihood(logits, label_ids, math.exp(c))
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = negative_log_likelihood(logits, label_ids, math.exp(d))
    return float(math.exp((a + b) / 2))


def calibrate(logits: np.ndarray, label_ids: np.ndarray) -> dict[str, float]:
    """`{temperature, ece_before, ece_after, nll_before, nll_after}` for the metadata's `calibration` field."""
    label_ids = np.asarray(label_ids)
    temperature = fit_temperature(logits, label_ids)
    before, after = np.exp(log_softmax(logits)), np.exp(log_softmax(logits, temperature))
    return {
        "temperature": round(temperature, 4),
        "ece_before": round(expected_calibration_error(before, label_ids), 4),
        "ece_after": round(expected_calibration_error(after, label_ids), 4),
        "nll_before": round(negative_log_likelihood(logits, label_ids), 4),
        "nll_after": round(negative_log_likelihood(logits, label_ids, temperature), 4),
        "rows": int(len(label_ids)),
    }


def prediction_distribution(
    probabilities: np.ndarray, label_ids: np.ndarray, names: Sequence[str]
) -> dict[str, Any]:
    """Predicted vs. true rate per class, top-score statistics, accuracy and ECE of a (rows, labels) matrix."""
    probabilities, label_ids = np.asarray(probabilities), np.asarray(label_ids)
    rows = len(label_ids)
    predicted = probabilities.argmax(axis=-1)
    top_score = probabilities.max(axis=-1)
    true_counts = np.bincount(label_ids, minlength=len(names))
    predicted_counts = np.bincount(predicted, minlength=len(names))
    per_class = {
        names[index]: {
            "true_rate": float(true_counts[index] / rows),
            "predicted_rate": float(predicted_counts[index] / rows),
            "true_rows": int(true_counts[index]),
            "mean_probability": float(probabilities[:, index].mean()),
        }
        for index in range(len(names))
        if true_counts[index] or predicted_counts[index]
    }
    return {
        "rows": rows,
        "accuracy": float((predicted == label_ids).mean()) if rows else float("nan"),
        "top_score": {
            "mean": float(top_score.mean()),
            "std": float(top_score.std()),
            "min": float(top_score.min()),
            "max": float(top_score.max()),
        }
        if rows
        else {},
        "ece": expected_calibration_error(probabilities, label_ids),
        "per_class": per_class,
    }


def degenerate_warnings(distribution: dict[str, Any], per_class: bool = True) -> list[str]:
    """Sentences for predictions that are too (un)sure or (with `per_class`) that starve a class; empty when none
    applies."""
    warnings = []
    if not distribution["rows"]:
        return warnings
    accuracy, mean_top = distribution["accuracy"], distribution["top_score"]["mean"]
    if abs(mean_top - accuracy) > CONFIDENCE_GAP:
        direction = "under-confident (too conservative)" if mean_top < accuracy else "over-confident"
        warnings.append(
            f"Predictions are {direction}: mean top score {mean_top:.3f} (range {distribution['top_score']['min']:.3f}"
            f"-{distribution['top_score']['max']:.3f}) vs. accuracy {accuracy:.3f}; apply the fitted temperature or "
            "check the loss (focal loss lowers scores)."
        )
    for name, row in distribution["per_class"].items() if per_class else ():
        if row["true_rows"] >= MIN_SUPPORT and row["predicted_rate"] < RATE_RATIO * row["true_rate"]:
            warnings.append(
                f"Class {name!r} is predicted for {row['predicted_rate']:.1%} of rows but is the truth for "
                f"{row['true_rate']:.1%} (under 1/{round(1 / RATE_RATIO)} of its rate)."
            )
    return warnings


def format_distribution(distribution: dict[str, Any], max_classes: int = 60) -> str:
    """Markdown: top-score statistics and the per-class predicted vs. true rate table."""
    top = distribution["top_score"]
    lines = [
        f"- rows {distribution['rows']}, accuracy {distribution['accuracy']:.4f}, ECE {distribution['ece']:.4f}",
        f"- top score: mean {top.get('mean', float('nan')):.4f}, std {top.get('std', float('nan')):.4f}, "
        f"min {top.get('min', float('nan')):.4f}, max {top.get('max', float('nan')):.4f}",
        "",
        "| class | true rate | predicted rate | mean probability |",
        "|---|---:|---:|---:|",
    ]
    ordered = sorted(distribution["per_class"].items(), key=lambda item: -item[1]["true_rate"])[:max_classes]
    for name, row in ordered:
        lines.append(
            f"| {name} | {row['true_rate']:.4f} | {row['predicted_rate']:.4f} | {row['mean_probability']:.4f} |"
        )
    return "\n".join(lines)
