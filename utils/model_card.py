"""The model card (README.md) written into every saved model directory, and pushing a directory to the Hub.

The card is built from `analyzer_metadata.json` alone, so it says exactly what the directory holds: task, labels,
base model, data, metrics, calibration, limitations and how to call `predict.py` / `evaluate.py` on it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from utils.atomic import open_atomic

CARD_FILE = "README.md"


class HubPushError(RuntimeError):
    """Pushing a saved model directory to the Hugging Face Hub failed (offline, no token, no rights)."""


def _number(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def model_card(metadata: dict[str, Any], model_dir: str | Path, hub_model_id: str | None = None) -> str:
    """Markdown card with a YAML header (library, tags, base model) from the metadata of a stage-1 model dir."""
    labels = list(metadata.get("label_names") or [])
    metrics = {key: value for key, value in (metadata.get("metrics") or {}).items() if isinstance(value, (int, float))}
    calibration = metadata.get("calibration") or {}
    data = metadata.get("training_data") or {}
    training = metadata.get("training") or {}
    binary = len(labels) == 2
    reference = hub_model_id or str(model_dir)
    lines = [
        "---",
        "library_name: transformers",
        "pipeline_tag: text-classification",
        f"base_model: {metadata.get('base_model')}",
        "tags: [java, stack-trace, exception-classification, log-analysis]",
        "---",
        "",
        f"# {Path(str(reference)).name}: {'binary text' if binary else 'Java exception'} classifier",
        "",
        f"Task `{metadata.get('task')}`: {len(labels)} labels"
        + (f" (label source: {metadata.get('label_source', 'labels_yaml')})" if labels else "")
        + f", input format `{metadata.get('input_format', 'trace')}`, base model `{metadata.get('base_model')}` "
        f"({metadata.get('architecture')}, pooling {metadata.get('pooling')}), "
        f"max length {metadata.get('max_length')}.",
        "",
        "## Labels",
        "",
        ", ".join(f"`{name}`" for name in labels) or "none",
        "",
        "## Training data",
        "",
        f"- train: `{data.get('train_file')}` ({data.get('train_rows')} rows, sha256 "
        f"`{str(data.get('train_sha256'))[:16]}`); validation: `{data.get('validation_file')}` "
        f"({data.get('validation_rows')} rows)",
        f"- loss {training.get('loss')} (gamma {training.get('focal_gamma')}, alpha {training.get('alpha')}), "
        f"frozen encoder: {training.get('freeze_encoder')}, epochs {training.get('epochs')}, "
        f"seed {training.get('seed')}"
        + (f", fold {metadata['fold']} of {metadata['num_folds']}" if "fold" in metadata else ""),
        "",
        "## Metrics (validation split)",
        "",
        "| metric | value |",
        "|---|---:|",
        *(f"| {key} | {_number(value)} |" for key, value in sorted(metrics.items())),
        "",
        "## Calibration",
        "",
    ]
    if calibration:
        lines += [
            f"Temperature {calibration.get('temperature')} fitted on the validation split (NLL "
            f"{calibration.get('nll_before')} -> {calibration.get('nll_after')}, expected calibration error "
            f"{calibration.get('ece_before')} -> {calibration.get('ece_after')}); predict.py and evaluate.py apply it.",
        ]
    else:
        lines.append("No temperature was fitted: probabilities are the raw softmax.")
    for warning in metadata.get("prediction_warnings") or []:
        lines.append(f"\n> Warning at training time: {warning}")
    lines += [
        "",
        "## Limitations",
        "",
        "- Trained on the data named above; scores on other applications' logs can be much lower, above all for "
        "labels that are rare in training. Evaluate on your own labelled logs with `evaluate.py` before relying on it.",
        "- The label comes from the root cause the parser finds (deepest `Caused by:`); logs without a parsable "
        "trace get no model label." if metadata.get("input_format", "trace") == "trace" else
        "- Raw text input: the model sees the first max-length tokens of each text only.",
        "- Probabilities are calibrated on the validation split only; treat them as rough confidence.",
        "",
        "## Use",
        "",
        "```bash",
        f"python predict.py --model {reference} --input app.log",
        f"python evaluate.py --model {reference} --input labelled.jsonl",
        "```",
        "",
        "Loading goes through `utils.checkpoints.load_model`, which checks task, architecture and label set.",
        "",
        "<details><summary>analyzer_metadata.json (library versions)</summary>",
        "",
        "```json",
        json.dumps(metadata.get("library_versions") or {}, indent=1),
        "```",
        "</details>",
    ]
    return "\n".join(lines) + "\n"


def write_model_card(model_dir: str | Path, metadata: dict[str, Any], hub_model_id: str | None = None) -> Path:
    path = Path(model_dir) / CARD_FILE
    with open_atomic(path) as out:
        out.write(model_card(metadata, model_dir, hub_model_id))
    return path


def push_model_dir(model_dir: str | Path, hub_model_id: str, token: str | None = None, private: bool = True) -> str:
    """Upload a saved model directory (weights, tokenizer, metadata, card) to `hub_model_id`; returns the URL.

    Any failure (offline, HF_HUB_OFFLINE, no token, no rights) is one HubPushError sentence that says the local
    copy is complete.
    """
    try:
        from huggingface_hub import HfApi

        api = HfApi(token=token)
        api.create_repo(hub_model_id, private=private, exist_ok=True)
        commit = api.upload_folder(
            repo_id=hub_model_id,
            folder_path=str(model_dir),
            ignore_patterns=["checkpoint-*", "checkpoint-*/**", ".saving-*", "runs/**"],
            commit_message="Upload Java exception analyzer model",
        )
    except Exception as error:  # noqa: BLE001 - every hub failure becomes the same clear sentence
        first_line = (str(error).splitlines() or [type(error).__name__])[0]
        raise HubPushError(
            f"Pushing {model_dir} to the Hub as {hub_model_id} failed ({type(error).__name__}: {first_line}); the "
            f"model and its card are saved locally in {model_dir}: push later with `huggingface-cli upload "
            f"{hub_model_id} {model_dir}` where the Hub is reachable."
        ) from error
    return str(getattr(commit, "commit_url", commit))
