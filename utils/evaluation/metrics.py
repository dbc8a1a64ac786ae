"""Classification metrics: top-k accuracy, macro/weighted F1 (ROC-AUC when binary), per-class report, confusions,
calibration.

Macro and weighted F1 average over the classes present in the gold labels: a class the evaluation set never holds
has no recall to measure, and counting it as F1=0 would make scores on subsets (e.g. "rows not labelled Other")
depend on which classes the model happened to predict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

# sklearn is imported inside the functions that use it: `softmax` is on predict.py's path (via utils.stage1.inference),
# and `import sklearn.metrics` costs ~1.6 s there for nothing.

TOP_KS = (1, 3, 5)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Probabilities from logits (rows, labels) divided by a fitted `temperature` (1.0: the raw softmax)."""
    scaled = logits / max(float(temperature), 1e-6)
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=-1, keepdims=True)


def topk_accuracy(scores: np.ndarray, label_ids: np.ndarray, k: int) -> float:
    """Share of rows whose gold label is among the k highest scores (logits or probabilities)."""
    if len(label_ids) == 0:
        return float("nan")
    k = min(k, scores.shape[-1])
    top = np.argpartition(-scores, k - 1, axis=-1)[:, :k]
    return float((top == np.asarray(label_ids)[:, None]).any(axis=-1).mean())


def top1_counts(label_ids: Sequence[int], predicted_ids: Sequence[int], confidence: float = 0.95) -> dict[str, Any]:
    """Top-1 of a one-label-per-row answer, the rows it got right, and the Wilson score interval of that share at
    `confidence` (scipy's `binomtest`): on a few dozen distinct failures a point or two is within chance, and a
    figure read against a target needs its interval beside it. The interval treats rows as independent draws, which
    repeats of one failure are not: it is meant for the once-per-signature slice."""
    from scipy.stats import binomtest

    gold, guess = np.asarray(label_ids), np.asarray(predicted_ids)
    if not len(gold):
        return {"top1": float("nan"), "correct": 0, "top1_ci95": [float("nan"), float("nan")]}
    correct = int((gold == guess).sum())
    interval = binomtest(correct, len(gold)).proportion_ci(confidence_level=confidence, method="wilson")
    return {"top1": correct / len(gold), "correct": correct, "top1_ci95": [float(interval.low), float(interval.high)]}


def paired_exact_test(gold: Sequence[int], first: Sequence[int], second: Sequence[int]) -> dict[str, Any]:
    """McNemar's exact test of two answers on the same rows: the rows only `first` gets right, those only `second`
    gets right, and the two-sided p-value of that split under "equally good" (a binomial test on the discordant
    rows; 1.0 when there are none). Two scorers on the same rows are compared by their disagreements, which a
    difference of two accuracies with separate intervals overstates."""
    from scipy.stats import binomtest

    gold, first, second = np.asarray(gold), np.asarray(first), np.asarray(second)
    only_first = int(((first == gold) & (second != gold)).sum())
    only_second = int(((second == gold) & (first != gold)).sum())
    discordant = only_first + only_second
    if not len(gold):  # nothing compared: not "equally good"
        p_value = float("nan")
    elif not discordant:  # the same answer right on every row either gets right
        p_value = 1.0
    else:
        p_value = float(binomtest(only_first, discordant).pvalue)
    return {"only_first": only_first, "only_second": only_second, "p_value": p_value}


def rows_right(metrics: dict[str, Any]) -> int:
    """The rows a report's subset got right: reports since 2026-12-06 say so (`correct`); earlier ones give top-1
    and rows."""
    return int(metrics["correct"]) if "correct" in metrics else round(metrics["top1"] * metrics["rows"])


def format_interval(bounds: Sequence[float] | None) -> str:
    """`low-high` of a `top1_ci95`; "n/a" for none (a report written before intervals) or an empty subset."""
    return "n/a" if not bounds or bounds[0] != bounds[0] else f"{bounds[0]:.3f}-{bounds[1]:.3f}"


def f1_scores(label_ids: Sequence[int], predicted_ids: Sequence[int]) -> dict[str, float]:
    from sklearn.metrics import f1_score

    present = sorted(set(int(x) for x in label_ids))
    if not present:
        return {"macro_f1": float("nan"), "weighted_f1": float("nan")}
    return {
        "macro_f1": float(f1_score(label_ids, predicted_ids, labels=present, average="macro", zero_division=0)),
        "weighted_f1": float(f1_score(label_ids, predicted_ids, labels=present, average="weighted", zero_division=0)),
    }


def classification_metrics(scores: np.ndarray, label_ids: np.ndarray) -> dict[str, float]:
    """top1/top3/top5 accuracy, macro and weighted F1 from a (rows, labels) score matrix."""
    scores = np.asarray(scores)
    label_ids = np.asarray(label_ids)
    metrics = {f"top{k}": topk_accuracy(scores, label_ids, k) for k in TOP_KS}
    metrics.update(f1_scores(label_ids, scores.argmax(axis=-1)))
    if scores.ndim == 2 and scores.shape[1] == 2:
        metrics["roc_auc"] = binary_roc_auc(scores, label_ids)
    return metrics


def binary_roc_auc(scores: np.ndarray, label_ids: np.ndarray) -> float:
    """ROC-AUC of class 1 from two-column logits or probabilities (nan when only one class is present)."""
    from sklearn.metrics import roc_auc_score

    label_ids = np.asarray(label_ids)
    if len(set(label_ids.tolist())) < 2:
        return float("nan")
    # The score difference orders rows like the class-1 probability for logits and probabilities alike.
    return float(roc_auc_score(label_ids, scores[:, 1] - scores[:, 0]))


def compute_metrics(eval_prediction: Any) -> dict[str, float]:
    """`Trainer(compute_metrics=...)`: the metrics above from an `EvalPrediction`."""
    logits = eval_prediction.predictions
    if isinstance(logits, tuple):
        logits = logits[0]
    return classification_metrics(logits, eval_prediction.label_ids)


def per_class_report(label_ids: Sequence[int], predicted_ids: Sequence[int], names: Sequence[str]) -> dict[str, Any]:
    """sklearn's classification_report (as a dict) over the classes that occur as gold or predicted labels."""
    from sklearn.metrics import classification_report

    used = sorted(set(int(x) for x in label_ids) | set(int(x) for x in predicted_ids))
    return classification_report(
        label_ids, predicted_ids, labels=used, target_names=[names[i] for i in used], output_dict=True, zero_division=0
    )


def confusion(label_ids: Sequence[int], predicted_ids: Sequence[int], num_labels: int) -> np.ndarray:
    """Counts, rows = gold label id, columns = predicted label id."""
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(label_ids, predicted_ids, labels=list(range(num_labels)))


def most_confused_pairs(matrix: np.ndarray, names: Sequence[str], top_n: int = 20) -> list[dict[str, Any]]:
    """The off-diagonal cells with the most rows: gold, predicted, count, share of that gold class."""
    pairs = []
    row_totals = matrix.sum(axis=1)
    for gold, predicted in zip(*np.nonzero(matrix), strict=True):
        if gold != predicted:
            count = int(matrix[gold, predicted])
            share = count / row_totals[gold]
            pairs.append({"gold": names[gold], "predicted": names[predicted], "count": count, "share": float(share)})
    pairs.sort(key=lambda pair: (-pair["count"], pair["gold"], pair["predicted"]))
    return pairs[:top_n]


def reliability_bins(probabilities: np.ndarray, label_ids: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Per-bin mean confidence, accuracy and row count, for a reliability diagram."""
    confidence = probabilities.max(axis=-1)
    correct = probabilities.argmax(axis=-1) == np.asarray(label_ids)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    rows = []
    for b in range(bins):
        in_bin = index == b
        if in_bin.any():
            rows.append(
                {
                    "low": float(edges[b]),
                    "high": float(edges[b + 1]),
                    "confidence": float(confidence[in_bin].mean()),
                    "accuracy": float(correct[in_bin].mean()),
                    "count": int(in_bin.sum()),
                }
            )
    return rows


def expected_calibration_error(probabilities: np.ndarray, label_ids: np.ndarray, bins: int = 15) -> float:
    """ECE of the top-1 confidence over equal-width bins."""
    if len(label_ids) == 0:
        return float("nan")
    bin_rows = reliability_bins(probabilities, label_ids, bins)
    gaps = [row["count"] * abs(row["accuracy"] - row["confidence"]) for row in bin_rows]
    return float(sum(gaps) / len(label_ids))


def b_cubed(predicted: Sequence[Any], gold: Sequence[Any]) -> dict[str, float]:
    """B-cubed precision, recall and F1 of a clustering (`predicted` cluster ids) against `gold` clusters: each
    item scores the share of its cluster that shares its gold group (precision) and the share of its gold group
    that shares its cluster (recall), averaged over items."""
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} predicted cluster ids for {len(gold)} gold ones")
    if not len(gold):
        return {"precision": float("nan"), "recall": float("nan"), "f1": float("nan")}
    clusters: dict[Any, set[int]] = {}
    groups: dict[Any, set[int]] = {}
    for index, (cluster, group) in enumerate(zip(predicted, gold)):
        clusters.setdefault(cluster, set()).add(index)
        groups.setdefault(group, set()).add(index)
    precision = recall = 0.0
    for cluster, group in zip(predicted, gold):
        shared = len(clusters[cluster] & groups[group])
        precision += shared / len(clusters[cluster])
        recall += shared / len(groups[group])
    precision, recall = precision / len(gold), recall / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
