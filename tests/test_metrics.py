"""Top-k accuracy, F1 over present classes, confusions, calibration and the report figures."""

from __future__ import annotations

import numpy as np
import pytest
from transformers import EvalPrediction

from utils.evaluation.metrics import (
    classification_metrics,
    compute_metrics,
    confusion,
    expected_calibration_error,
    most_confused_pairs,
    per_class_report,
    reliability_bins,
    softmax,
    topk_accuracy,
)
from utils.evaluation.plots import plot_confusion_matrix, plot_learning_curves, plot_reliability
from utils.models.training import training_history

SCORES = np.array(
    [
        [0.7, 0.2, 0.1, 0.0],  # gold 0: top-1
        [0.5, 0.3, 0.2, 0.0],  # gold 1: top-2
        [0.6, 0.3, 0.0, 0.1],  # gold 2: rank 4
        [0.1, 0.2, 0.3, 0.4],  # gold 3: top-1
    ]
)
GOLD = np.array([0, 1, 2, 3])


def test_topk_accuracy_by_hand() -> None:
    assert topk_accuracy(SCORES, GOLD, 1) == 0.5
    assert topk_accuracy(SCORES, GOLD, 2) == 0.75
    assert topk_accuracy(SCORES, GOLD, 3) == 0.75
    assert topk_accuracy(SCORES, GOLD, 10) == 1.0  # k beyond the label count means every label


def test_macro_f1_averages_over_gold_classes_only() -> None:
    # Gold holds classes 0 and 1; predictions also use class 3, which must not add an F1=0 term.
    scores = np.eye(4)[[0, 0, 1, 3]]
    metrics = classification_metrics(scores, np.array([0, 0, 1, 1]))
    # class 0: P=1 R=1 F1=1; class 1: P=1 R=0.5 F1=2/3
    assert metrics["macro_f1"] == pytest.approx((1 + 2 / 3) / 2)
    assert metrics["top1"] == 0.75


def test_compute_metrics_from_eval_prediction() -> None:
    metrics = compute_metrics(EvalPrediction(predictions=np.log(SCORES + 1e-9), label_ids=GOLD))
    assert metrics["top1"] == 0.5 and metrics["top3"] == 0.75 and metrics["top5"] == 1.0
    assert set(metrics) == {"top1", "top3", "top5", "macro_f1", "weighted_f1"}


def test_confusions_and_report() -> None:
    gold = [0, 0, 0, 1, 1, 2]
    predicted = [0, 1, 1, 1, 2, 2]
    matrix = confusion(gold, predicted, num_labels=4)
    assert matrix.shape == (4, 4) and matrix[0, 1] == 2
    pairs = most_confused_pairs(matrix, ["A", "B", "C", "D"], top_n=5)
    assert pairs[0] == {"gold": "A", "predicted": "B", "count": 2, "share": pytest.approx(2 / 3)}
    assert [(p["gold"], p["predicted"]) for p in pairs] == [("A", "B"), ("B", "C")]
    report = per_class_report(gold, predicted, ["A", "B", "C", "D"])
    assert "D" not in report and report["A"]["recall"] == pytest.approx(1 / 3)


def test_calibration() -> None:
    probabilities = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    gold = np.array([0, 1, 0, 0])
    # bin of 0.9: accuracy 0.5 -> gap 0.4; bin of 0.6: accuracy 1.0 -> gap 0.4
    assert expected_calibration_error(probabilities, gold, bins=10) == pytest.approx(0.4)
    assert sum(row["count"] for row in reliability_bins(probabilities, gold)) == 4
    assert np.allclose(softmax(np.array([[0.0, 0.0]])), 0.5)


def test_history_and_figures(tmp_path) -> None:
    log_history = [
        {"loss": 2.0, "epoch": 0.5, "step": 5},
        {"loss": 1.0, "epoch": 1.0, "step": 10},
        {"eval_loss": 1.2, "eval_top1": 0.4, "eval_macro_f1": 0.3, "eval_runtime": 1.0, "epoch": 1.0, "step": 10},
        {"loss": 0.5, "epoch": 2.0, "step": 20},
        {"eval_loss": 0.9, "eval_top1": 0.6, "eval_macro_f1": 0.5, "epoch": 2.0, "step": 20},
        {"train_runtime": 3.0, "epoch": 2.0, "step": 20},
    ]
    history = training_history(log_history)
    assert [row["train_loss"] for row in history] == [1.5, 0.5]
    assert history[1]["eval_top1"] == 0.6 and "eval_runtime" not in history[0]
    for path in (
        plot_learning_curves(history, tmp_path / "curves.png"),
        plot_confusion_matrix(confusion([0, 1, 1], [0, 1, 0], 3), ["A", "B", "C"], tmp_path / "cm.png"),
        plot_reliability(reliability_bins(SCORES, GOLD), tmp_path / "rel.png"),
    ):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*"))  # no temp files left behind


def test_learning_curves_of_a_loss_only_run_plot_without_a_warning(tmp_path) -> None:
    # Stage 2 logs no top-1 / macro-F1: an empty score legend made matplotlib warn on every stage-2 run.
    import warnings

    history = training_history([{"loss": 1.0, "epoch": 1.0, "step": 5}, {"eval_loss": 1.1, "epoch": 1.0, "step": 5}])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plot_learning_curves(history, tmp_path / "curves.png").is_file()


def test_binary_metrics_include_roc_auc() -> None:
    logits = np.array([[2.0, -1.0], [0.5, 0.2], [0.1, 0.4], [-1.0, 1.0], [0.3, 0.2]])
    labels = np.array([0, 1, 0, 1, 1])
    metrics = classification_metrics(logits, labels)
    # Class-1 scores by row: -3, -0.3, 0.3, 2, -0.1; of the 6 (positive, negative) pairs 4 are ordered right.
    assert metrics["roc_auc"] == pytest.approx(4 / 6)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert classification_metrics(probabilities, labels)["roc_auc"] == pytest.approx(4 / 6)
    assert np.isnan(classification_metrics(logits, np.zeros(5, dtype=int))["roc_auc"])
    assert "roc_auc" not in classification_metrics(np.zeros((2, 3)), np.array([0, 1]))


def test_b_cubed_scores_splits_and_merges() -> None:
    from utils.evaluation.metrics import b_cubed

    gold = ["a", "a", "b", "b"]
    assert b_cubed(["x", "x", "y", "y"], gold) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    split = b_cubed([1, 2, 3, 4], gold)  # every item alone: precise, half the recall
    assert split["precision"] == 1.0 and split["recall"] == 0.5
    merged = b_cubed([0, 0, 0, 0], gold)  # one cluster: full recall, half the precision
    assert merged["precision"] == 0.5 and merged["recall"] == 1.0 and abs(merged["f1"] - 2 / 3) < 1e-12


def test_softmax_is_one_function_for_raw_and_calibrated_probabilities() -> None:
    import utils.stage1.inference

    logits = np.array([[2.0, -1.0, 0.5], [0.0, 0.0, 0.0]], dtype=np.float32)
    # Temperature 1 is the raw softmax, bit for bit (x / 1.0 is exact), and keeps the input's float type.
    raw = np.exp(logits - logits.max(axis=1, keepdims=True))
    assert np.array_equal(softmax(logits), raw / raw.sum(axis=1, keepdims=True)) and softmax(logits).dtype == np.float32
    hot = softmax(logits, temperature=2.0)
    assert np.allclose(hot, softmax(logits / 2.0)) and hot[0, 0] < softmax(logits)[0, 0]
    # The ensemble path (utils.stage1.inference.combine_probabilities) uses this very function.
    assert utils.stage1.inference.softmax is softmax


def test_stage1_inference_does_not_pay_for_sklearn() -> None:
    import subprocess
    import sys

    check = "import sys, utils.stage1.inference; print('sklearn' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_top1_interval_is_wilson_s_and_brackets_the_share() -> None:
    from utils.evaluation.metrics import top1_counts

    result = top1_counts([1] * 81, [1] * 47 + [0] * 34)
    assert result["correct"] == 47 and result["top1"] == 47 / 81
    low, high = result["top1_ci95"]
    # Wilson's 95% interval of 47/81, by its formula: centre (p + z^2/2n) / (1 + z^2/n), half-width as below
    z, n, p = 1.959963984540054, 81, 47 / 81
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5 / (1 + z * z / n)
    assert low == pytest.approx(centre - half, abs=1e-9) and high == pytest.approx(centre + half, abs=1e-9)
    assert low < 0.6 < high  # 49 of 81 is within chance of 47
    assert top1_counts([], [])["correct"] == 0


def test_paired_exact_test_counts_disagreements_only() -> None:
    from utils.evaluation.metrics import paired_exact_test

    gold = [0] * 20
    first = [0] * 12 + [1] * 8   # right on rows 0-11
    second = [0] * 2 + [1] * 18  # right on rows 0-1: both right there, so those rows say nothing
    result = paired_exact_test(gold, first, second)
    assert (result["only_first"], result["only_second"]) == (10, 0)
    assert result["p_value"] == pytest.approx(2 * 0.5 ** 10)  # two-sided binomial, 10 of 10 discordant rows
    assert paired_exact_test(gold, first, first) == {"only_first": 0, "only_second": 0, "p_value": 1.0}


def test_intervals_format_once_and_an_empty_comparison_has_no_p_value() -> None:
    from utils.evaluation.metrics import format_interval, paired_exact_test, top1_counts

    assert format_interval([0.4721, 0.6822]) == "0.472-0.682"
    assert format_interval(None) == "n/a" and format_interval(top1_counts([], [])["top1_ci95"]) == "n/a"
    assert paired_exact_test([], [], [])["p_value"] != paired_exact_test([], [], [])["p_value"]  # nan
