"""PNG figures for training and evaluation reports (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from utils.atomic import open_atomic  # noqa: E402


def _save_atomically(figure: Any, path: str | Path) -> Path:
    try:
        with open_atomic(path, "wb") as out:
            figure.savefig(out, format="png", dpi=120, bbox_inches="tight")
    finally:
        plt.close(figure)
    return Path(path)


def plot_confusion_matrix(
    matrix: np.ndarray, names: Sequence[str], path: str | Path, title: str = "Confusion matrix (row-normalised)"
) -> Path:
    """Row-normalised heat map over the classes that occur as gold or predicted label; counts written in cells."""
    used = [i for i in range(len(names)) if matrix[i].sum() or matrix[:, i].sum()]
    sub = matrix[np.ix_(used, used)].astype(float)
    shares = sub / np.maximum(sub.sum(axis=1, keepdims=True), 1.0)
    size = max(5.0, 0.32 * len(used) + 2.5)
    figure, axes = plt.subplots(figsize=(size, size))
    image = axes.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    labels = [names[i] for i in used]
    axes.set_xticks(range(len(used)), labels, rotation=90, fontsize=7)
    axes.set_yticks(range(len(used)), labels, fontsize=7)
    axes.set_xlabel("predicted")
    axes.set_ylabel("gold")
    axes.set_title(title)
    for row, col in zip(*np.nonzero(sub), strict=True):
        color = "white" if shares[row, col] > 0.5 else "black"
        axes.text(col, row, int(sub[row, col]), ha="center", va="center", fontsize=5, color=color)
    figure.colorbar(image, ax=axes, fraction=0.04)
    return _save_atomically(figure, path)


def plot_learning_curves(history: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Train/eval loss (left) and eval top-1/top-3/macro-F1 (right) per epoch, from `training_history` rows.

    Rows without a metric (a generation model has no top-1) simply leave that line out.
    """
    epochs = [row["epoch"] for row in history]
    figure, (loss_axes, score_axes) = plt.subplots(1, 2, figsize=(11, 4))
    for key, label in (("train_loss", "train loss"), ("eval_loss", "eval loss")):
        points = [(e, row[key]) for e, row in zip(epochs, history, strict=True) if row.get(key) is not None]
        if points:
            loss_axes.plot(*zip(*points, strict=True), marker="o", label=label)
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("loss")
    if loss_axes.get_legend_handles_labels()[0]:
        loss_axes.legend()
    for key in ("eval_top1", "eval_top3", "eval_macro_f1"):
        points = [(e, row[key]) for e, row in zip(epochs, history, strict=True) if row.get(key) is not None]
        if points:
            score_axes.plot(*zip(*points, strict=True), marker="o", label=key.replace("_", " "))
    score_axes.set_xlabel("epoch")
    score_axes.set_ylim(0.0, 1.02)
    if score_axes.get_legend_handles_labels()[0]:  # stage 2 logs no top-1/top-3: an empty legend only warns
        score_axes.legend()
    figure.suptitle("Learning curves")
    return _save_atomically(figure, path)


def plot_reliability(bins: Sequence[dict[str, float]], path: str | Path, title: str = "Reliability") -> Path:
    """Accuracy against mean confidence per confidence bin (bars), with the diagonal of perfect calibration."""
    figure, axes = plt.subplots(figsize=(5, 5))
    centers = [(row["low"] + row["high"]) / 2 for row in bins]
    widths = [row["high"] - row["low"] for row in bins]
    axes.bar(centers, [row["accuracy"] for row in bins], width=widths, edgecolor="black", alpha=0.7, label="accuracy")
    axes.plot([0, 1], [0, 1], linestyle="--", color="gray", label="perfect calibration")
    axes.set_xlabel("confidence")
    axes.set_ylabel("accuracy")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_title(title)
    axes.legend()
    return _save_atomically(figure, path)
