"""The model card (README.md) written into every saved model directory, and pushing a directory to the Hub.

The card is built from `analyzer_metadata.json` alone (stage 1 or stage 2), so it says exactly what the directory
holds: task, labels, base model, data, metrics, calibration, limitations and how to call `predict.py` /
`evaluate.py` on it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from utils.atomic import open_atomic
from utils.models.checkpoints import CHECKPOINT_PREFIX
from utils.models.metadata import ModelMetadata, Stage1Metadata, Stage2Metadata

CARD_FILE = "README.md"


class HubPushError(RuntimeError):
    """Pushing a saved model directory to the Hugging Face Hub failed (offline, no token, no rights)."""


def _number(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def model_card(metadata: ModelMetadata, model_dir: str | Path, hub_model_id: str | None = None) -> str:
    """Markdown card with a YAML header (library, tags, base model) from the metadata of a stage-1 or stage-2 model
    dir: the one card writer of both trainers."""
    reference = hub_model_id or str(model_dir)
    if isinstance(metadata, Stage2Metadata):
        lines = _stage2_card(metadata, reference)
    elif isinstance(metadata, Stage1Metadata):
        lines = _stage1_card(metadata, reference)
    else:
        raise TypeError(f"no model card for {metadata.task} metadata")
    return "\n".join([*lines, *_versions(metadata)]) + "\n"


def _header(pipeline_tag: str, base_model: str | None, tags: str) -> list[str]:
    return ["---", "library_name: transformers", f"pipeline_tag: {pipeline_tag}", f"base_model: {base_model}",
            f"tags: [{tags}]", "---", ""]


def _stage1_card(metadata: Stage1Metadata, reference: str) -> list[str]:
    labels = list(metadata.label_names)
    binary = len(labels) == 2
    return [
        *_header("text-classification", metadata.base_model,
                 "java, stack-trace, exception-classification, log-analysis"),
        f"# {Path(str(reference)).name}: {'binary text' if binary else 'Java exception'} classifier",
        "",
        f"Task `{metadata.task}`: {len(labels)} labels"
        + (f" (label source: {metadata.label_source})" if labels else "")
        + f", input format `{metadata.input_format}`, base model `{metadata.base_model}` "
        f"({metadata.architecture}, pooling {metadata.pooling}), "
        f"max length {metadata.max_length}.",
        "",
        "## Labels",
        "",
        ", ".join(f"`{name}`" for name in labels) or "none",
        "",
        *_stage1_training(metadata),
        "## Metrics (validation split)",
        "",
        *_metrics_table(metadata.metrics),
        "",
        "## Calibration",
        "",
        *_calibration(metadata),
        "",
        *_stage1_limitations(metadata),
        *_usage([f"python predict.py --model {reference} --input app.log",
                 f"python evaluate.py --model {reference} --input labelled.jsonl"],
                "Loading goes through `utils.models.checkpoints.load_model`, which checks task, architecture and "
                "label set."),
    ]


def _stage1_training(metadata: Stage1Metadata) -> list[str]:
    data = metadata.training_data or {}
    training = metadata.training or {}
    return [
        "## Training data",
        "",
        f"- train: `{data.get('train_file')}` ({data.get('train_rows')} rows, sha256 "
        f"`{str(data.get('train_sha256'))[:16]}`); validation: `{data.get('validation_file')}` "
        f"({data.get('validation_rows')} rows)",
        f"- loss {training.get('loss')} (gamma {training.get('focal_gamma')}, alpha {training.get('alpha')}), "
        f"frozen encoder: {training.get('freeze_encoder')}, epochs {training.get('epochs')}, "
        f"seed {training.get('seed')}"
        + (f", fold {metadata.fold} of {metadata.num_folds}" if metadata.fold is not None else ""),
        _neighbours(metadata.neighbours),
        "",
    ]


def _neighbours(settings: dict[str, Any] | None) -> str:
    if not settings:
        return "- neighbour memory: none (the model's own probabilities)"
    return (f"- neighbour memory (`neighbours.npz`): {settings.get('rows')} real training rows as vectors, no text; "
            f"the {settings.get('k')} nearest vote (softmax of cosine / {settings.get('temperature')}) and the vote "
            f"is {settings.get('weight')} of each prediction; the validation metrics and the temperature are the "
            "model's own, without the vote")


def _metrics_table(metrics: dict[str, Any]) -> list[str]:
    numbers = {key: value for key, value in metrics.items() if isinstance(value, (int, float))}
    rows = [f"| {key} | {_number(value)} |" for key, value in sorted(numbers.items())]
    return ["| metric | value |", "|---|---:|", *rows]


def _calibration(metadata: Stage1Metadata) -> list[str]:
    calibration = metadata.calibration or {}
    if calibration:
        lines = [
            f"Temperature {calibration.get('temperature')} fitted on the validation split (NLL "
            f"{calibration.get('nll_before')} -> {calibration.get('nll_after')}, expected calibration error "
            f"{calibration.get('ece_before')} -> {calibration.get('ece_after')}); predict.py and evaluate.py apply it.",
        ]
    else:
        lines = ["No temperature was fitted: probabilities are the raw softmax."]
    return lines + [f"\n> Warning at training time: {warning}" for warning in metadata.prediction_warnings]


def _stage1_limitations(metadata: Stage1Metadata) -> list[str]:
    return [
        "## Limitations",
        "",
        "- Trained on the data named above; scores on other applications' logs can be much lower, above all for "
        "labels that are rare in training. Evaluate on your own labelled logs with `evaluate.py` before relying on it.",
        "- The label comes from the root cause the parser finds (deepest `Caused by:`); logs without a parsable "
        "trace get no model label." if metadata.input_format == "trace" else
        "- Raw text input: the model sees the first max-length tokens of each text only.",
        "- Probabilities are calibrated on the validation split only; treat them as rough confidence.",
        "",
    ]


def _usage(commands: list[str], loading: str) -> list[str]:
    """The "Use" section both cards end with: the commands that run the model, then how loading checks it."""
    return ["## Use", "", "```bash", *commands, "```", "", loading, ""]


def _stage2_card(metadata: Stage2Metadata, reference: str) -> list[str]:
    options, data = metadata.input_options, metadata.training_data or {}
    splits = metadata.metrics or {}
    return [
        *_header("text2text-generation", metadata.base_model, "java, stack-trace, explanation"),
        f"# {Path(str(reference)).name}: Java exception explainer",
        "",
        f"Task `{metadata.task}`: writes the guidance line (type, cause, location, fix) of one trace. Base model "
        f"`{metadata.base_model}` ({metadata.architecture}), tokenizer: {metadata.tokenizer}; source built by "
        f"`{options.builder}` ({options.max_frames} frames, language tag {options.language_tag}, retrieval "
        f"{options.retrieval}), max source length {options.max_source_length}, max target length "
        f"{options.max_target_length}" + (", LoRA adapters merged" if metadata.lora else "") + ".",
        "",
        "## Training data",
        "",
        f"- train: `{data.get('train_file')}` ({data.get('train_rows')} rows); validation: "
        f"`{data.get('validation_file')}` ({data.get('validation_rows')} rows)",
        "",
        *(line for split in ("eval", "test") if splits.get(split)
          for line in (f"## Metrics ({split})", "", *_metrics_table(splits[split]), "")),
        *_usage([f"python predict.py --stage2 {reference} --input app.log"],
                "Loading goes through `utils.stage2.seq2seq.load_explainer`, which checks the task."),
    ]


def _versions(metadata: ModelMetadata) -> list[str]:
    return [
        "<details><summary>analyzer_metadata.json (library versions)</summary>",
        "",
        "```json",
        json.dumps(metadata.library_versions or {}, indent=1),
        "```",
        "</details>",
    ]


def write_model_card(model_dir: str | Path, metadata: ModelMetadata, hub_model_id: str | None = None) -> Path:
    """README.md of a model dir, from its metadata (`model_card`)."""
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
            ignore_patterns=[f"{CHECKPOINT_PREFIX}*", f"{CHECKPOINT_PREFIX}*/**", ".saving-*", ".neighbours-*",
                             "runs/**"],
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
