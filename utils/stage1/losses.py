"""Focal loss (Lin et al. 2017) with per-class alpha and label smoothing, and class weights from frequencies.

    ce_i   = cross-entropy of row i (label smoothing applied, no class weight)
    pt_i   = exp(-ce_i)
    loss_i = alpha[y_i] * (1 - pt_i) ** gamma * ce_i

pt comes from the UNWEIGHTED cross-entropy so alpha scales a row's loss without changing how "easy" the row looks.
At gamma=0 and alpha=None this is exactly `F.cross_entropy` (with the same label smoothing).
The sum over rows is divided by `num_items_in_batch` when given (the labelled rows of the whole accumulated batch),
so gradient accumulation over uneven micro-batches gives the same gradient as one big batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import torch
import torch.nn.functional as F

IGNORE_INDEX = -100


def focal_loss(
    logits: torch.Tensor,
    labels: torch.Tensor,
    gamma: float = 2.0,
    alpha: torch.Tensor | None = None,
    label_smoothing: float = 0.0,
    num_items_in_batch: torch.Tensor | int | None = None,
) -> torch.Tensor:
    """Focal loss summed over the labelled rows, divided by `num_items_in_batch` (default: labelled rows here)."""
    labels = labels.view(-1)
    logits = logits.view(labels.numel(), -1).float()
    keep = labels != IGNORE_INDEX
    logits, labels = logits[keep], labels[keep]
    ce = F.cross_entropy(logits, labels, reduction="none", label_smoothing=label_smoothing)
    loss = ce if gamma == 0 else (1.0 - torch.exp(-ce)).clamp(min=0.0) ** gamma * ce
    if alpha is not None:
        loss = alpha.to(device=loss.device, dtype=loss.dtype)[labels] * loss
    if num_items_in_batch is None:
        num_items_in_batch = labels.numel()
    if torch.is_tensor(num_items_in_batch):
        num_items_in_batch = num_items_in_batch.to(loss.device)
    # An all-ignored batch contributes a zero loss that still keeps the graph connected.
    return loss.sum() / (num_items_in_batch if labels.numel() else 1)


def class_alpha_from_counts(label_ids: Sequence[int], num_labels: int) -> list[float]:
    """Balanced per-class weights n_rows / (n_present_classes * n_class) (sklearn's "balanced").

    The row-weighted mean of alpha over the training set is 1, so the loss keeps its scale; a class with no training
    row gets 1.0 (its weight never applies during training, and 1.0 is neutral if it ever does).
    """
    counts = Counter(int(label) for label in label_ids)
    total = sum(counts.values())
    present = len(counts)
    return [total / (present * counts[index]) if counts.get(index) else 1.0 for index in range(num_labels)]


def resolve_alpha(alpha: str | Sequence[float] | None, label_ids: Sequence[int], num_labels: int) -> list[float] | None:
    """`--alpha`: "none" (no weighting), "auto" (from class frequencies) or one float per label, in label-id order."""
    if alpha is None or (isinstance(alpha, str) and alpha.strip().lower() in ("", "none")):
        return None
    if isinstance(alpha, str) and alpha.strip().lower() == "auto":
        return class_alpha_from_counts(label_ids, num_labels)
    values = [float(v) for v in (alpha.split(",") if isinstance(alpha, str) else alpha)]
    if len(values) != num_labels:
        raise ValueError(f"--alpha has {len(values)} values but the label set has {num_labels} labels")
    if any(v < 0 for v in values):
        raise ValueError("--alpha values must be >= 0")
    return values
