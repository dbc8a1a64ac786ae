"""Temperature scaling and the degenerate-prediction warnings (utils/stage1/calibration.py)."""

from __future__ import annotations

import numpy as np
import pytest

from utils.evaluation.metrics import softmax
from utils.stage1.calibration import (
    calibrate,
    degenerate_warnings,
    fit_temperature,
    format_distribution,
    negative_log_likelihood,
    prediction_distribution,
)


def _sampled(temperature_true: float, rows: int = 4000, labels: int = 5, seed: int = 0):
    """Logits whose labels were drawn from softmax(logits / temperature_true): the fit must find that temperature."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 3.0, size=(rows, labels))
    probabilities = softmax(logits / temperature_true)
    label_ids = np.array([rng.choice(labels, p=row) for row in probabilities])
    return logits, label_ids


@pytest.mark.parametrize("temperature_true", [0.5, 1.0, 3.0])
def test_fit_recovers_the_temperature(temperature_true: float) -> None:
    logits, label_ids = _sampled(temperature_true)
    fitted = fit_temperature(logits, label_ids)
    assert fitted == pytest.approx(temperature_true, rel=0.12)
    # It is the NLL minimum: nudging it either way is worse.
    best = negative_log_likelihood(logits, label_ids, fitted)
    assert best <= negative_log_likelihood(logits, label_ids, fitted * 1.3)
    assert best <= negative_log_likelihood(logits, label_ids, fitted / 1.3)


def test_calibrate_lowers_ece_and_nll_of_an_overconfident_model() -> None:
    logits, label_ids = _sampled(3.0)  # the "model" reports logits 3x too sharp
    result = calibrate(logits, label_ids)
    assert result["temperature"] > 2.0
    assert result["ece_after"] < result["ece_before"] / 2 and result["nll_after"] < result["nll_before"]
    assert result["rows"] == len(label_ids)


def test_too_conservative_predictions_are_flagged() -> None:
    # Right on 90% of rows but the top score stays around 0.17: the focal-loss failure this project must not repeat.
    rows, labels = 200, 8
    label_ids = np.arange(rows) % labels
    logits = np.zeros((rows, labels))
    predicted = label_ids.copy()
    predicted[:20] = (label_ids[:20] + 1) % labels
    logits[np.arange(rows), predicted] = 0.4
    distribution = prediction_distribution(softmax(logits), label_ids, [f"C{i}" for i in range(labels)])
    assert distribution["accuracy"] == pytest.approx(0.9) and distribution["top_score"]["mean"] < 0.25
    warnings = degenerate_warnings(distribution)
    assert len(warnings) == 1 and "under-confident" in warnings[0]
    # The temperature repairs it: the same argmax, scores close to the accuracy.
    temperature = fit_temperature(logits, label_ids)
    repaired = prediction_distribution(softmax(logits / temperature), label_ids, [f"C{i}" for i in range(labels)])
    assert repaired["accuracy"] == distribution["accuracy"] and degenerate_warnings(repaired) == []


def test_a_starved_class_is_flagged() -> None:
    names = ["A", "B", "C"]
    label_ids = np.array([0] * 40 + [1] * 40 + [2] * 20)
    predicted = np.array([0] * 40 + [1] * 40 + [0] * 19 + [2])  # C: true 20%, predicted 1%
    probabilities = np.full((100, 3), 0.05)
    probabilities[np.arange(100), predicted] = 0.9
    distribution = prediction_distribution(probabilities, label_ids, names)
    assert distribution["per_class"]["C"]["predicted_rate"] == pytest.approx(0.01)
    assert distribution["per_class"]["A"]["predicted_rate"] == pytest.approx(0.59)
    warnings = degenerate_warnings(distribution)
    assert len(warnings) == 1 and "'C'" in warnings[0] and "20.0%" in warnings[0]
    table = format_distribution(distribution)
    assert "| C | 0.2000 | 0.0100 |" in table and "top score: mean 0.9000" in table
