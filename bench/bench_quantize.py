"""What int8 dynamic quantization (predict.py --quantize) costs in accuracy and gains in speed and size.

    python bench/bench_quantize.py --model models/stage1
    python bench/bench_quantize.py --model models/stage1 --test_file data/corpus/test.jsonl \
        --dev_file ../shared/data/bugsjar_dev.jsonl --max_rows 1000

For each labelled set the fp32 model and its int8 copy (`utils.stage1.inference.quantize_int8`) classify the same
inputs: top-1 and macro-F1 of each, the share of rows where the two predict the same label, the largest probability
change, and texts/s of each (median of --repeats). The corpus test split is read as it is (names visible); the
dev set is read with every exception name masked, its label being the row's `root_exception` merged through
labels.yaml (rows without one are skipped and counted). Writes reports/bench/<name>.json and prints a table.
"""

from __future__ import annotations

import copy
import io
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from benchlib import RESULTS_DIR, machine, markdown_table, median, timed, write_results
from datasets import Dataset
from transformers import HfArgumentParser

from utils.evaluation.metrics import f1_scores, softmax
from utils.labels import load_label_set
from utils.models.checkpoints import TASK_CLASSIFY, load_model
from utils.stage1.data import member_inputs, read_jsonl
from utils.stage1.inference import configure_threads, predict_logits, quantize_int8, temperature_of

DEV_SET = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bugsjar_dev.jsonl"


@dataclass
class BenchQuantizeArguments:
    model: str = field(default="models/stage1", metadata={"help": "Stage-1 model directory."})
    test_file: str | None = field(default="data/corpus/test.jsonl",
                                  metadata={"help": "Labelled JSONL (`log`, `label`), read unmasked; 'none' skips."})
    dev_file: str | None = field(default=str(DEV_SET), metadata={
        "help": "JSONL with `log` and `root_exception`, read with exception names masked ('none' or absent: skip)."})
    max_rows: int | None = field(default=None, metadata={"help": "First N rows of each file (default all)."})
    repeats: int = field(default=1, metadata={"help": "Timed runs per model; the median is reported."})
    batch_size: int = field(default=32, metadata={"help": "Inference batch size."})
    threads: int | None = field(default=None, metadata={"help": "torch threads (default: the free cores)."})
    output_dir: str = field(default=str(RESULTS_DIR), metadata={"help": "Where the JSON results go."})
    name: str = field(default="quantize", metadata={"help": "Results file name (without .json)."})


def labelled_texts(path: str, label_field: str, masked: bool, member: Any, label_set: Any,
                   max_rows: int | None) -> tuple[list[str], np.ndarray, int]:
    """(model inputs built as the member was trained, gold label ids, rows skipped for want of a label)."""
    rows = read_jsonl(path, required_fields=("log",))[: max_rows or None]
    usable = [row for row in rows if isinstance(row.get(label_field), str) and row[label_field].strip()]
    texts = member_inputs(member.metadata, Dataset.from_dict({"log": [row["log"] for row in usable]}), masked)
    model_ids = {name: index for index, name in enumerate(member.label_names)}  # the model's own label order
    label_ids = np.array([model_ids.get(label_set.to_label(row[label_field]), model_ids.get(label_set.other, -1))
                          for row in usable])
    return texts, label_ids, len(rows) - len(usable)


def serialized_mb(model: torch.nn.Module) -> float:
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.tell() / 2**20


def compare(name: str, texts: list[str], label_ids: np.ndarray, fp32: Any, int8: Any, args: BenchQuantizeArguments,
            skipped: int) -> dict[str, Any]:
    outputs: dict[str, np.ndarray] = {}
    seconds: dict[str, list[float]] = {"fp32": [], "int8": []}
    for _ in range(args.repeats):
        for key, member in (("fp32", fp32), ("int8", int8)):
            elapsed, logits = timed(lambda member=member: predict_logits(member, texts, args.batch_size))
            seconds[key].append(elapsed)
            outputs[key] = softmax(logits, temperature_of(member))
    row: dict[str, Any] = {"set": name, "rows": len(texts), "skipped": skipped}
    for key, probabilities in outputs.items():
        predicted = probabilities.argmax(axis=-1)
        row[f"{key}_top1"] = float((predicted == label_ids).mean())
        row[f"{key}_macro_f1"] = f1_scores(label_ids.tolist(), predicted.tolist())["macro_f1"]
        row[f"{key}_texts_per_s"] = len(texts) / median(seconds[key])
    row["top1_change"] = row["int8_top1"] - row["fp32_top1"]
    row["macro_f1_change"] = row["int8_macro_f1"] - row["fp32_macro_f1"]
    row["same_prediction"] = float((outputs["fp32"].argmax(-1) == outputs["int8"].argmax(-1)).mean())
    row["max_probability_change"] = float(np.abs(outputs["fp32"] - outputs["int8"]).max())
    row["int8_speed_vs_fp32"] = row["int8_texts_per_s"] / row["fp32_texts_per_s"]
    return row


def main(argv: list[str] | None = None) -> int:
    args = HfArgumentParser(BenchQuantizeArguments).parse_args_into_dataclasses(args=argv)[0]
    started_on = machine()
    threads = configure_threads(args.threads)
    label_set = load_label_set()
    fp32 = load_model(args.model, expected_task=TASK_CLASSIFY)
    int8 = copy.copy(fp32)
    int8.model = quantize_int8(copy.deepcopy(fp32.model))
    sets = []
    if args.test_file and args.test_file.lower() != "none":
        sets.append((f"{Path(args.test_file).name} (names visible)", args.test_file, "label", False))
    if args.dev_file and args.dev_file.lower() != "none" and Path(args.dev_file).is_file():
        sets.append((f"{Path(args.dev_file).name} (names masked)", args.dev_file, "root_exception", True))
    if not sets:
        raise SystemExit("no labelled file to measure: give --test_file and/or --dev_file")
    rows = []
    for name, path, label_field, masked in sets:
        texts, label_ids, skipped = labelled_texts(path, label_field, masked, fp32, label_set, args.max_rows)
        print(f"{name}: {len(texts)} rows ({skipped} without a label skipped)", file=sys.stderr)
        rows.append(compare(name, texts, label_ids, fp32, int8, args, skipped))
    results = {
        "machine": started_on, "settings": {**asdict(args), "threads": threads},
        "size_mb": {"fp32": round(serialized_mb(fp32.model), 1), "int8": round(serialized_mb(int8.model), 1)},
        "sets": rows, "machine_after": {"load_average_1_5_15": machine()["load_average_1_5_15"]},
    }
    path = write_results(args.name, results, args.output_dir)
    print(f"\n## quantize: {started_on['cpu']}, {started_on['cores']} cores, {started_on['date_utc']} UTC, "
          f"{threads} thread(s), load {started_on['load_average_1_5_15']}; "
          f"state dict {results['size_mb']['fp32']} MB fp32 -> {results['size_mb']['int8']} MB int8\n")
    print(markdown_table(rows, ["set", "rows", "fp32_top1", "int8_top1", "top1_change", "fp32_macro_f1",
                                "int8_macro_f1", "same_prediction", "int8_speed_vs_fp32"]))
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
