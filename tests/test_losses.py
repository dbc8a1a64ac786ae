"""Focal loss against F.cross_entropy, class weights, and the loss scale under gradient accumulation."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from transformers import TrainingArguments
from transformers.modeling_outputs import SequenceClassifierOutput

from utils.models.training import FocalLossTrainer
from utils.stage1.losses import class_alpha_from_counts, focal_loss, resolve_alpha


def _batch(rows: int = 9, classes: int = 5, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(rows, classes, generator=generator) * 3, torch.randint(0, classes, (rows,), generator=generator)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_gamma_zero_without_alpha_is_cross_entropy(smoothing: float) -> None:
    logits, labels = _batch()
    expected = F.cross_entropy(logits, labels, label_smoothing=smoothing)
    assert torch.allclose(focal_loss(logits, labels, gamma=0.0, label_smoothing=smoothing), expected, atol=1e-6)


def test_gamma_zero_with_alpha_is_weighted_ce_sum_over_rows() -> None:
    logits, labels = _batch()
    alpha = torch.tensor([0.5, 2.0, 1.0, 3.0, 0.25])
    expected = F.cross_entropy(logits, labels, weight=alpha, reduction="sum") / len(labels)
    assert torch.allclose(focal_loss(logits, labels, gamma=0.0, alpha=alpha), expected, atol=1e-6)


def test_focal_term_uses_unweighted_probability() -> None:
    logits, labels = _batch()
    alpha = torch.tensor([0.5, 2.0, 1.0, 3.0, 0.25])
    ce = F.cross_entropy(logits, labels, reduction="none")
    p_true = torch.softmax(logits, dim=-1).gather(1, labels[:, None]).squeeze(1)
    expected = (alpha[labels] * (1 - p_true) ** 2 * ce).mean()
    assert torch.allclose(focal_loss(logits, labels, gamma=2.0, alpha=alpha), expected, atol=1e-6)


def test_focal_loss_down_weights_easy_rows() -> None:
    easy = torch.tensor([[8.0, 0.0, 0.0]])
    hard = torch.tensor([[0.5, 0.0, 0.0]])
    label = torch.tensor([0])
    ce_ratio = F.cross_entropy(easy, label) / F.cross_entropy(hard, label)
    focal_ratio = focal_loss(easy, label, gamma=2.0) / focal_loss(hard, label, gamma=2.0)
    assert focal_ratio < ce_ratio / 100


def test_ignored_rows_and_num_items() -> None:
    logits, labels = _batch(rows=6)
    labels[[1, 4]] = -100
    kept = labels != -100
    expected_sum = F.cross_entropy(logits[kept], labels[kept], reduction="sum")
    assert torch.allclose(focal_loss(logits, labels, gamma=0.0), expected_sum / 4, atol=1e-6)
    assert torch.allclose(focal_loss(logits, labels, gamma=0.0, num_items_in_batch=10), expected_sum / 10, atol=1e-6)


def test_alpha_auto_is_balanced_and_keeps_mean_weight_one() -> None:
    label_ids = [0, 0, 0, 1, 2, 2]
    alpha = class_alpha_from_counts(label_ids, num_labels=4)
    assert alpha == pytest.approx([6 / 9, 6 / 3, 6 / 6, 1.0])
    assert sum(alpha[i] for i in label_ids) / len(label_ids) == pytest.approx(1.0)
    assert resolve_alpha("auto", label_ids, 4) == alpha
    assert resolve_alpha("none", label_ids, 4) is None
    assert resolve_alpha("1,2,3,4", label_ids, 4) == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(ValueError, match="3 values but the label set has 4"):
        resolve_alpha([1, 2, 3], label_ids, 4)


class _LinearClassifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = nn.Linear(4, 3)

    def forward(self, features: torch.Tensor, labels: torch.Tensor | None = None) -> SequenceClassifierOutput:
        return SequenceClassifierOutput(logits=self.linear(features))


def test_gradient_accumulation_over_uneven_batches_matches_one_batch(tmp_path) -> None:
    """Micro-batches of 3 and 5 rows with num_items_in_batch=8 give the gradient of one 8-row batch."""
    features = torch.randn(8, 4, generator=torch.Generator().manual_seed(1))
    labels = torch.tensor([0, 1, 2, 0, 1, 2, 2, 1])
    args = TrainingArguments(output_dir=str(tmp_path), use_cpu=True, report_to=[], gradient_accumulation_steps=2)
    model = _LinearClassifier()
    trainer = FocalLossTrainer(model=model, args=args, loss="focal", gamma=2.0, alpha=[1.0, 2.0, 0.5])
    trainer.create_optimizer_and_scheduler(num_training_steps=1)
    trainer.current_gradient_accumulation_steps = 2
    # The Trainer counts labelled rows over the accumulated batch and passes the count to every micro-batch.
    num_items = trainer._get_num_items_in_batch([{"labels": labels[:3]}, {"labels": labels[3:]}], torch.device("cpu"))
    assert int(num_items) == 8
    model.zero_grad()
    trainer.training_step(model, {"features": features[:3], "labels": labels[:3]}, num_items)
    trainer.training_step(model, {"features": features[3:], "labels": labels[3:]}, num_items)
    accumulated = model.linear.weight.grad.clone()

    model.zero_grad()
    focal_loss(model(features).logits, labels, gamma=2.0, alpha=torch.tensor([1.0, 2.0, 0.5])).backward()
    assert torch.allclose(accumulated, model.linear.weight.grad, atol=1e-6)


def test_plain_ce_option_and_rejects_unknown_loss(tmp_path) -> None:
    args = TrainingArguments(output_dir=str(tmp_path), use_cpu=True, report_to=[])
    model = _LinearClassifier()
    trainer = FocalLossTrainer(model=model, args=args, loss="ce", gamma=5.0)
    features, labels = torch.randn(5, 4), torch.tensor([0, 1, 2, 1, 0])
    loss = trainer.compute_loss(model, {"features": features, "labels": labels})
    assert torch.allclose(loss, F.cross_entropy(model(features).logits, labels), atol=1e-6)
    with pytest.raises(ValueError, match="'focal' or 'ce'"):
        FocalLossTrainer(model=model, args=args, loss="hinge")
