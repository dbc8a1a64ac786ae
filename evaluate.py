"""Evaluate a trained model on labelled logs and write a markdown + JSON report.

    python evaluate.py --model models/stage1 --input data/corpus/test.jsonl
    python evaluate.py --model models/stage1 --input data/corpus/test.jsonl --mask-exception-names
    python evaluate.py --model models/stage1 --input ../shared/data/bugsjar_dev.jsonl --label-field root_exception

--task classify (stage 1): top-1/3/5 accuracy, macro/weighted F1 on all rows and on rows whose gold label is not
Other, per-class precision/recall/F1, the most confused pairs, calibration, a confusion matrix PNG, and the same
scores for the parser baseline (the type read from the parsed root cause through labels.yaml, no model). With
--mask-exception-names every exception class name is hidden from the model and from the parser baseline alike,
so the baseline shows what remains readable without names. Raw class names in the label field (a fully qualified
root_exception) are merged through labels.yaml like training labels.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from transformers import HfArgumentParser

from utils.atomic import open_atomic, write_json_atomic, write_jsonl_atomic
from utils.checkpoints import TASK_CLASSIFY, file_sha256, load_model
from utils.data import add_model_inputs, load_labeled_dataset, merge_labels
from utils.inference import predict_logits
from utils.inputs import mask_exception_names
from utils.labels import LabelSet, load_label_set
from utils.metrics import (
    classification_metrics,
    confusion,
    expected_calibration_error,
    f1_scores,
    most_confused_pairs,
    per_class_report,
    reliability_bins,
    softmax,
)
from utils.plots import plot_confusion_matrix, plot_reliability
from utils.stacktrace import parse_trace
from utils.training import parse_args_with_config

logger = logging.getLogger("evaluate")


@dataclass
class EvaluateArguments:
    input: str = field(metadata={"help": "Labelled JSONL to evaluate on (a log text and a label per row)."})
    model: str = field(default="models/stage1", metadata={"help": "Model directory (or hub id available offline)."})
    task: Literal["classify"] = field(default="classify", metadata={"help": "What to evaluate: stage-1 classify."})
    text_field: str = field(default="log", metadata={"help": "JSON field holding the log text."})
    label_field: str = field(
        default="label", metadata={"help": "JSON field holding the gold label (canonical or a raw class name)."}
    )
    labels_file: str | None = field(default=None, metadata={"help": "Label set yaml (default configs/labels.yaml)."})
    unknown_labels: Literal["other", "drop", "error"] = field(
        default="other", metadata={"help": "Gold labels matching no alias: count as Other, drop the row, or stop."}
    )
    mask_exception_names: bool = field(
        default=False, metadata={"help": "Hide every exception class name from the model and the parser baseline."}
    )
    output_dir: str | None = field(
        default=None, metadata={"help": "Report directory (default reports/<model>-<input>[-masked])."}
    )
    batch_size: int = field(default=32, metadata={"help": "Inference batch size."})
    skip_invalid_rows: bool = field(default=False, metadata={"help": "Skip and count malformed JSONL lines."})
    max_rows: int | None = field(default=None, metadata={"help": "Evaluate only the first N rows."})
    device: str | None = field(default=None, metadata={"help": "torch device (default: cuda when available)."})


def parser_baseline(logs: list[str], label_set: LabelSet, masked: bool) -> list[str]:
    """The label a parser alone reads: the parsed root cause's class through labels.yaml (Other when none)."""
    labels = []
    for log in logs:
        root = parse_trace(mask_exception_names(log) if masked else log).root_cause
        labels.append(label_set.to_label(root.class_name if root else None))
    return labels


def score_subsets(scores: np.ndarray, label_ids: np.ndarray, other_id: int) -> dict[str, dict[str, float]]:
    """Metrics on all rows and on the rows whose gold label is not Other."""
    not_other = label_ids != other_id
    subsets = {"all": np.ones_like(not_other), "not_other": not_other}
    return {
        name: {"rows": int(mask.sum()), **classification_metrics(scores[mask], label_ids[mask])}
        for name, mask in subsets.items()
    }


def baseline_subsets(predicted: np.ndarray, label_ids: np.ndarray, other_id: int) -> dict[str, dict[str, float]]:
    """Top-1 and F1 of the parser baseline (one label per row: top-k does not apply)."""
    not_other = label_ids != other_id
    results = {}
    for name, mask in {"all": np.ones_like(not_other), "not_other": not_other}.items():
        gold, guess = label_ids[mask], predicted[mask]
        top1 = float((gold == guess).mean()) if len(gold) else float("nan")
        results[name] = {"rows": int(mask.sum()), "top1": top1, **f1_scores(gold, guess)}
    return results


def evaluate_classifier(args: EvaluateArguments) -> dict[str, Any]:
    label_set = load_label_set(args.labels_file)
    loaded = load_model(args.model, expected_task=TASK_CLASSIFY, expected_labels=label_set, device=args.device)
    dataset, skipped = load_labeled_dataset(args.input, args.text_field, args.label_field, args.skip_invalid_rows)
    if skipped:
        logger.warning("%s: skipped %d invalid line(s), first: %s", args.input, len(skipped), skipped[0])
    if args.max_rows:
        dataset = dataset.select(range(min(args.max_rows, len(dataset))))
    dataset, merge_report = merge_labels(dataset, label_set, args.unknown_labels)
    logger.info("%s\n%s", args.input, merge_report.format())
    input_options = {
        key: value for key, value in loaded.metadata.get("input_options", {}).items() if key != "mask_exception_names"
    }
    dataset = add_model_inputs(dataset, 1.0 if args.mask_exception_names else 0.0, input_options=input_options)

    texts, logs = list(dataset["text"]), list(dataset["log"])
    label_ids = np.asarray(dataset["labels"])
    logits = predict_logits(loaded, texts, args.batch_size)
    probabilities = softmax(logits)
    predicted = probabilities.argmax(axis=-1)
    baseline = np.asarray(
        [label_set.label2id[name] for name in parser_baseline(logs, label_set, args.mask_exception_names)]
    )
    other_id = label_set.label2id[label_set.other]
    matrix = confusion(label_ids, predicted, len(label_set))

    report = {
        "task": "classify",
        "model": args.model,
        "input": args.input,
        "input_sha256": file_sha256(args.input),
        "label_field": args.label_field,
        "masked_exception_names": args.mask_exception_names,
        "rows": len(dataset),
        "skipped_lines": len(skipped),
        "model_metrics": score_subsets(probabilities, label_ids, other_id),
        "parser_baseline": baseline_subsets(baseline, label_ids, other_id),
        "calibration": {"ece": expected_calibration_error(probabilities, label_ids)},
        "per_class": per_class_report(label_ids, predicted, label_set.names),
        "most_confused": most_confused_pairs(matrix, label_set.names, top_n=20),
        "label_merge": merge_report.to_dict(),
    }
    output_dir = Path(args.output_dir or default_output_dir(args))
    write_json_atomic(output_dir / "report.json", report)
    with open_atomic(output_dir / "report.md") as out:
        out.write(markdown_report(report))
    plot_confusion_matrix(matrix, label_set.names, output_dir / "confusion_matrix.png", f"{Path(args.input).name}")
    plot_reliability(reliability_bins(probabilities, label_ids), output_dir / "reliability.png")
    names = label_set.names
    top3 = np.argsort(-probabilities, axis=-1)[:, :3]
    write_jsonl_atomic(
        output_dir / "predictions.jsonl",
        (
            {
                "id": row_id,
                "gold": names[gold],
                "predicted": names[guess],
                "top3": [[names[i], round(float(p[i]), 4)] for i in top],
                "parser_baseline": names[base],
            }
            for row_id, gold, guess, top, p, base in zip(
                dataset["id"], label_ids, predicted, top3, probabilities, baseline, strict=True
            )
        ),
    )
    logger.info("report written to %s", output_dir)
    return report


def default_output_dir(args: EvaluateArguments) -> str:
    masked = "-masked" if args.mask_exception_names else ""
    return f"reports/{Path(args.model).name}-{Path(args.input).stem}{masked}"


def _cell(value: float) -> str:
    return "n/a" if value is None or value != value else f"{value:.4f}"


def markdown_report(report: dict[str, Any]) -> str:
    lines = [
        f"# Stage-1 evaluation: {Path(report['model']).name} on {Path(report['input']).name}",
        "",
        f"- rows: {report['rows']} (skipped lines: {report['skipped_lines']}), gold labels from "
        f"`{report['label_field']}`, exception names {'hidden' if report['masked_exception_names'] else 'visible'}",
        f"- input sha256: `{report['input_sha256'][:16]}`; expected calibration error: "
        f"{_cell(report['calibration']['ece'])}",
        "",
        "| scorer | rows | top-1 | top-3 | top-5 | macro-F1 | weighted-F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for scorer, key in (("model", "model_metrics"), ("parser baseline", "parser_baseline")):
        for subset, label in (("all", "all rows"), ("not_other", "gold not Other")):
            m = report[key][subset]
            lines.append(
                f"| {scorer}, {label} | {m['rows']} | {_cell(m['top1'])} | {_cell(m.get('top3'))} | "
                f"{_cell(m.get('top5'))} | {_cell(m['macro_f1'])} | {_cell(m['weighted_f1'])} |"
            )
    lines += ["", "Macro/weighted F1 average over the classes present in the gold labels of each subset.", ""]
    lines += ["## Most confused pairs", "", "| gold | predicted | rows | share of gold |", "|---|---|---:|---:|"]
    lines += [f"| {p['gold']} | {p['predicted']} | {p['count']} | {p['share']:.2f} |" for p in report["most_confused"]]
    lines += ["", "## Per class", "", "| class | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for name, row in report["per_class"].items():
        if isinstance(row, dict) and "support" in row and name not in ("macro avg", "weighted avg", "micro avg"):
            scores = f"{row['precision']:.3f} | {row['recall']:.3f} | {row['f1-score']:.3f}"
            lines.append(f"| {name} | {scores} | {int(row['support'])} |")
    return "\n".join(lines) + "\n"


TASKS = {"classify": evaluate_classifier}  # --task choices; each takes the arguments and returns the report


def main(argv: list[str] | None = None) -> dict[str, Any]:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    (args,) = parse_args_with_config(HfArgumentParser(EvaluateArguments), argv)
    report = TASKS[args.task](args)
    print(markdown_report(report).split("## Most confused")[0])
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
