"""Stage-1 top-1 and speed in fp32, under bf16 autocast and with bf16 weights (what predict.py runs where bf16 is
native, `to_bf16_weights`), on the same rows and inputs (issue 14: bf16 must stay within 0.5 top-1 points of fp32).

    python bench/bench_precision.py --model runs/cross_project/model_real \
        --input ../shared/data/bugsjar_dev.jsonl --label_field root_exception --mask_exception_names

The inputs are built as evaluate.py builds them (the model's input options, names masked when asked); the logits
of each pass come from utils.stage1.inference.predict_logits, the forward pass predict.py's stage 1 runs (its
`predict_member` then mixes in the vote of a model with a neighbour memory, which this bench leaves out). Reports
top-1 in each precision on all rows and on the rows whose gold is not `Other`, the share of rows whose top-1 differs
from fp32's, and logs/s of each pass. bf16 is only worth it where the CPU runs it natively (utils/stage1/precision.py
says whether this one does; the result records it). Writes reports/bench/<name>.json (or --output_dir).
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass, field

import numpy as np
from benchlib import RESULTS_DIR, machine, markdown_table, write_results
from transformers import HfArgumentParser

from utils.labels import load_label_set
from utils.models.checkpoints import TASK_CLASSIFY, load_model
from utils.stage1.data import load_labeled_dataset, member_inputs, merge_labels
from utils.stage1.inference import configure_threads, predict_logits, to_bf16_weights
from utils.stage1.precision import cpu_has_native_bf16


@dataclass
class BenchPrecisionArguments:
    model: str = field(metadata={"help": "Stage-1 model directory."})
    input: str = field(metadata={"help": "JSONL with a `log` field and the label field."})
    label_field: str = field(default="label", metadata={"help": "Gold label field (root_exception on the dev set)."})
    mask_exception_names: bool = field(default=False, metadata={"help": "Hide exception names, as evaluate.py does."})
    batch_size: int = field(default=32, metadata={"help": "Stage-1 batch size."})
    threads: int | None = field(default=None, metadata={"help": "torch threads (default: free cores)."})
    name: str = field(default="precision", metadata={"help": "Result file name, without .json."})
    output_dir: str = field(default=str(RESULTS_DIR), metadata={"help": "Where the JSON results go."})


def main(argv: list[str] | None = None) -> int:
    (args,) = HfArgumentParser(BenchPrecisionArguments).parse_args_into_dataclasses(args=argv)
    threads = configure_threads(args.threads)
    member = load_model(args.model, expected_task=TASK_CLASSIFY)
    label_set = load_label_set()
    dataset, skipped = load_labeled_dataset(args.input, "log", args.label_field, True)
    dataset, _ = merge_labels(dataset, label_set, "other")
    texts = member_inputs(member.metadata, dataset, args.mask_exception_names)
    gold = np.asarray(dataset["labels"])
    not_other = gold != label_set.label2id[label_set.other]
    rows, predicted = [], {}
    for precision in ("fp32", "bf16 autocast", "bf16 weights"):
        if precision == "bf16 weights":  # last: the cast is in place
            to_bf16_weights([member.model], True)
        started = time.perf_counter()
        logits = predict_logits(member, texts, args.batch_size, bf16=precision != "fp32")
        seconds = time.perf_counter() - started
        predicted[precision] = logits.argmax(axis=-1)
        rows.append({"precision": precision, "rows": len(texts), "top1": float((predicted[precision] == gold).mean()),
                     "top1_gold_not_other": float((predicted[precision] == gold)[not_other].mean()),
                     "top1_minus_fp32_points": round(100 * float((predicted[precision] == gold).mean()
                                                                 - (predicted["fp32"] == gold).mean()), 2),
                     "changed_share": float((predicted[precision] != predicted["fp32"]).mean()),
                     "seconds": round(seconds, 2), "logs_per_s": round(len(texts) / seconds, 1)})
    payload = {"machine": machine() | {"threads": threads, "native_bf16": cpu_has_native_bf16()},
               "arguments": asdict(args), "skipped_rows": len(skipped), "results": rows}
    path = write_results(args.name, payload, args.output_dir)
    print(markdown_table(rows, ["precision", "rows", "top1", "top1_gold_not_other", "top1_minus_fp32_points",
                                "changed_share", "seconds", "logs_per_s"]))
    print(f"native bf16: {payload['machine']['native_bf16']}; {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
