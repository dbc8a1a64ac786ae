"""Training plumbing shared by the training scripts: the focal-loss Trainer and the per-epoch history read back from
the Trainer's log. (Config-file argument parsing is torch-free in utils/args.py.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from transformers import Trainer

from utils.losses import focal_loss


class FocalLossTrainer(Trainer):
    """`Trainer` whose loss is focal loss (`loss="focal"`) or cross-entropy (`loss="ce"`), both with optional
    per-class alpha and label smoothing.

    The loss is a sum over rows divided by `num_items_in_batch` (all labelled rows of the accumulated batch), so
    gradient accumulation gives the gradient of one big batch even when micro-batches differ in size.
    """

    def __init__(
        self,
        *args: Any,
        loss: str = "focal",
        gamma: float = 2.0,
        alpha: Sequence[float] | None = None,
        label_smoothing: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if loss not in ("focal", "ce"):
            raise ValueError(f"loss must be 'focal' or 'ce', got {loss!r}")
        self.gamma = gamma if loss == "focal" else 0.0
        self.alpha = torch.tensor(alpha, dtype=torch.float32) if alpha is not None else None
        self.label_smoothing = label_smoothing
        # Makes the Trainer count the labelled rows of each accumulated batch and pass them as
        # `num_items_in_batch`; our compute_loss never forwards it to the model. With the count present the Trainer
        # treats the loss as already scaled for gradient accumulation (and divides by the steps when it is absent).
        self.model_accepts_loss_kwargs = True

    def compute_loss(
        self,
        model: torch.nn.Module,
        inputs: dict[str, Any],
        return_outputs: bool = False,
        num_items_in_batch: torch.Tensor | int | None = None,
    ) -> torch.Tensor | tuple[torch.Tensor, Any]:
        inputs = dict(inputs)
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        logits = outputs["logits"] if isinstance(outputs, dict) else outputs[0]
        loss = focal_loss(
            logits,
            labels,
            gamma=self.gamma,
            alpha=self.alpha,
            label_smoothing=self.label_smoothing,
            num_items_in_batch=num_items_in_batch,
        )
        if self.args.average_tokens_across_devices and num_items_in_batch is not None:
            # num_items_in_batch was summed over processes while DDP averages gradients: undo the average.
            loss = loss * self.accelerator.num_processes
        return (loss, outputs) if return_outputs else loss


_TIMING_KEYS = {"eval_runtime", "eval_samples_per_second", "eval_steps_per_second"}


def training_history(log_history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per evaluation: epoch, step, mean train loss since the previous evaluation, every `eval_*` metric."""
    history: list[dict[str, Any]] = []
    pending_losses: list[float] = []
    for entry in log_history:
        if "loss" in entry:
            pending_losses.append(float(entry["loss"]))
        if any(key.startswith("eval_") for key in entry):
            row = {"epoch": round(float(entry.get("epoch", 0.0)), 4), "step": entry.get("step")}
            row["train_loss"] = sum(pending_losses) / len(pending_losses) if pending_losses else None
            row.update(
                {key: value for key, value in entry.items() if key.startswith("eval_") and key not in _TIMING_KEYS}
            )
            history.append(row)
            pending_losses = []
    return history
