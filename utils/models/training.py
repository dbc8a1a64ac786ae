"""Training plumbing shared by the training scripts: the focal-loss Trainer, the per-epoch history read back from
the Trainer's log, the one rule for resuming a run in an output dir, and what a run cannot start from.
(Config-file argument parsing is torch-free in utils/args.py.)
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from transformers import Trainer
from transformers.trainer_utils import get_last_checkpoint

from utils.atomic import check_output_folder, write_json_atomic
from utils.console import one_line
from utils.models.checkpoints import CHECKPOINT_PREFIX, cache_only_if_hub_unreachable, names_a_path
from utils.models.metadata import METADATA_FILE
from utils.stage1.losses import focal_loss

RUN_ARGUMENTS_FILE = "run_arguments.json"
# Arguments that do not change what a run trains (where it writes, whether checkpoints stay, Hub upload, how many
# worker processes read the data, what the launcher sets), so a run may resume with another value of them.
_NOT_COMPARED = frozenset({
    "output_dir", "overwrite_output_dir", "resume_from_checkpoint", "keep_checkpoints", "push_to_hub",
    "hub_model_id", "hub_strategy", "hub_private_repo", "hub_always_push", "hub_revision", "report_to", "run_name",
    "local_rank", "dataloader_num_workers", "preprocessing_num_workers", "feature_cache_dir",
})


@dataclass
class ResumeArguments:
    """The arguments of the resume rule (`may_resume`), one group of each trainer's argument dataclasses: whether
    a run in output_dir may be replaced, and whether its checkpoints stay."""

    keep_checkpoints: bool = field(
        default=False, metadata={"help": "Keep the Trainer's checkpoint-* dirs (for resuming) after the final save."}
    )
    overwrite_output_dir: bool = field(
        default=False,
        metadata={"help": "Start afresh even if output_dir holds a run with other arguments (without it: a run with "
                          "the same arguments resumes from its last checkpoint-*, one with other arguments is "
                          "refused)."},
    )

    def may_resume(self, output_dir: str | Path, arguments: dict[str, Any]) -> bool:
        """The resume rule (`may_resume`) for a run with `arguments` in `output_dir`, per --overwrite_output_dir."""
        return may_resume(output_dir, arguments, self.overwrite_output_dir)

    def remove_checkpoints(self, run_dir: str | Path) -> None:
        """Once `run_dir` holds its final model: the Trainer's checkpoint-* dirs go, unless --keep_checkpoints."""
        if not self.keep_checkpoints:
            for checkpoint in Path(run_dir).glob(f"{CHECKPOINT_PREFIX}*"):
                shutil.rmtree(checkpoint, ignore_errors=True)


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


def run_arguments(*groups: Any) -> dict[str, Any]:
    """The arguments of a run (its parsed argument dataclasses, merged) as JSON values, without those that do not
    change what it trains and without credentials (any name holding "token")."""
    merged: dict[str, Any] = {}
    for group in groups:
        merged.update(json.loads(json.dumps(dataclasses.asdict(group), default=str)))
    return {key: merged[key] for key in sorted(merged) if key not in _NOT_COMPARED and "token" not in key}


def _trained(output_dir: Path) -> bool:
    """Whether `output_dir` holds what a run trained: a saved model, checkpoints or folds. Its arguments alone are
    a run that stopped before training (a model path that did not load, Ctrl-C while encoding): nothing to keep."""
    return any(path.exists() for path in (output_dir / METADATA_FILE, output_dir / "fold_0")) or any(
        output_dir.glob(f"{CHECKPOINT_PREFIX}*"))


def check_output_dir(output_dir: Path, overwrite: bool) -> None:
    """SystemExit, in one line, before anything is read: `output_dir` is a file, or a folder holding files no
    training run left (a project's folder given by mistake, whose files the model's would replace without a word)
    unless --overwrite_output_dir."""
    check_output_folder(output_dir)
    if overwrite or not output_dir.is_dir() or (output_dir / RUN_ARGUMENTS_FILE).exists() or _trained(output_dir):
        return
    present = sorted(child.name for child in output_dir.iterdir() if not child.name.startswith("."))  # .gitkeep
    if present:
        shown = ", ".join(present[:3]) + (", ..." if len(present) > 3 else "")
        raise SystemExit(f"--output_dir {output_dir}: holds files no training run left ({shown}); choose another "
                         "--output_dir, or pass --overwrite_output_dir to write the model among them")


def may_resume(output_dir: str | Path, arguments: dict[str, Any], overwrite: bool) -> bool:
    """The one resume rule of every trainer: True when `output_dir` holds a run with the same `arguments` that
    trained (resume from its last checkpoint-*, if any); False when it holds nothing trained or `overwrite`
    (--overwrite_output_dir) says start afresh; otherwise SystemExit, in one sentence, so a run with other
    arguments never replaces a model. First `check_output_dir`."""
    output_dir = Path(output_dir)
    check_output_dir(output_dir, overwrite)
    if overwrite or not _trained(output_dir):
        return False
    record = output_dir / RUN_ARGUMENTS_FILE
    if not record.is_file():
        raise SystemExit(f"{output_dir} holds a model or checkpoints of a run whose arguments were not recorded; pass "
                         "--overwrite_output_dir to replace it, or choose another --output_dir.")
    saved = json.loads(record.read_text(encoding="utf-8"))
    differing = [key for key in sorted(set(saved) | set(arguments)) if saved.get(key, "<unset>") !=
                 arguments.get(key, "<unset>")]
    if differing:
        shown = ", ".join(f"--{key} {arguments.get(key, '<unset>')} (saved run: {saved.get(key, '<unset>')})"
                          for key in differing[:3]) + (", ..." if len(differing) > 3 else "")
        raise SystemExit(f"{output_dir} holds a run with other arguments ({shown}); pass --overwrite_output_dir to "
                         "replace it, or choose another --output_dir.")
    return True


def resume_checkpoint(run_dir: str | Path, allowed: bool) -> str | None:
    """The last checkpoint-* in `run_dir` when resuming is `allowed` (see `may_resume`), else None."""
    run_dir = Path(run_dir)
    return get_last_checkpoint(str(run_dir)) if allowed and run_dir.is_dir() else None


def write_run_arguments(output_dir: str | Path, arguments: dict[str, Any]) -> Path:
    """Records the run's arguments before it trains, so an interrupted run can tell whether it may resume."""
    return write_json_atomic(Path(output_dir) / RUN_ARGUMENTS_FILE, arguments)


def check_training(training_args: Any, base_model: str | None, learning_rate: float | None = None) -> None:
    """SystemExit, in one line, before anything is read, for what a run cannot start from: a
    --resume_from_checkpoint that is not there, no epoch and no step to train (the run saved an untrained model as
    a success), a negative learning rate (`learning_rate`: the one the run uses, where it is not the Trainer's),
    and a base model named by a local path that is not there (a Hub id is tried, see `base_model_errors`)."""
    resume = training_args.resume_from_checkpoint
    if resume and not Path(resume).is_dir():
        raise SystemExit(f"--resume_from_checkpoint {resume}: no such checkpoint directory")
    if training_args.max_steps <= 0 and not training_args.num_train_epochs > 0:
        raise SystemExit(f"--num_train_epochs must be above 0 (or --max_steps set), "
                         f"got {training_args.num_train_epochs}")
    rate = training_args.learning_rate if learning_rate is None else learning_rate
    if not rate >= 0:  # 0 is a control run (tests/test_learning_controls.py); below, nonsense
        option = "--learning_rate" if learning_rate is None else "--head_learning_rate"
        raise SystemExit(f"{option} must be 0 or more, got {rate}")
    if base_model and names_a_path(base_model) and not Path(base_model).expanduser().exists():
        raise SystemExit(f"--model_name_or_path {base_model}: no such file or directory")


@contextmanager
def base_model_errors(name: str, option: str = "--model_name_or_path") -> Iterator[None]:
    """A base model (or tokenizer) that does not load (not a directory here, not a Hub id reachable from here) as
    one line naming it, not the loader's traceback (and at once where the Hub cannot be reached)."""
    try:
        with cache_only_if_hub_unreachable(name):
            yield
    except OSError as error:
        raise SystemExit(f"{option} {name}: not a model directory here and not a Hub model reachable "
                         f"from here ({one_line(error)})") from None
