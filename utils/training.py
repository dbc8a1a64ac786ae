"""Training plumbing shared by the training scripts: the focal-loss Trainer, config-file argument parsing and the
per-epoch history read back from the Trainer's log.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import torch
import yaml
from transformers import HfArgumentParser, Trainer

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


def parse_args_with_config(
    parser: HfArgumentParser, argv: list[str] | None = None, defaults: dict[str, Any] | None = None
) -> tuple[Any, ...]:
    """Dataclasses from `[config.yaml|config.json] [--option value ...]`.

    Precedence: built-in `defaults` < the config file (when the first argument ends in .yaml/.yml/.json) < the
    command line. Unknown keys in the config file are an error naming the file and the key.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    known = {f.name for dtype in parser.dataclass_types for f in fields(dtype) if f.init}
    merged: dict[str, Any] = dict(defaults or {})
    if argv and argv[0].endswith((".yaml", ".yml", ".json")) and not argv[0].startswith("-"):
        config_path = Path(argv.pop(0))
        if not config_path.is_file():
            raise SystemExit(f"{config_path}: config file not found")
        with open(config_path, encoding="utf-8") as handle:
            config = json.load(handle) if config_path.suffix == ".json" else yaml.safe_load(handle)
        if not isinstance(config, dict):
            raise SystemExit(f"{config_path}: expected a mapping of option: value")
        unknown = sorted(set(config) - known)
        if unknown:
            raise SystemExit(f"{config_path}: unknown option(s) {', '.join(unknown)}")
        merged.update(config)
    parser.set_defaults(**merged)
    return parser.parse_args_into_dataclasses(args=argv, look_for_args_file=False)


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
