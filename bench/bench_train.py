"""Stage-1 training cost: --freeze_encoder with cached features against the plain Trainer loop.

    python bench/bench_train.py                                   # default corpus, max_length 256, MiniLM
    python bench/bench_train.py --end_to_end --end_to_end_rows 0  # plus a real cached run of train_stage1.py

Ten epochs of the plain loop over the default corpus take hours on 2 CPU cores, so each path is timed on a seeded
sample of the training rows, per row, and extrapolated to `--epochs` over the full train + validation files:

    cached       = encode/row * (train + validation)             once: the frozen encoder's forward pass
                 + epochs * (head step/row * train + head eval/row * validation)
    plain frozen = epochs * (frozen Trainer step/row * train + encode/row * validation)
    plain full   = epochs * (full fine-tuning Trainer step/row * train + encode/row * validation)

Every per-row figure is a Trainer (or `utils.stage1.features.encoder_features`) run as train_stage1.py does it: inputs
built with half the rows masked, group-by-length batches, focal loss, batch 16 (eval 64). A plain epoch's validation
costs what encoding the validation rows costs (the same forward pass). Duplicate inputs, which the cache encodes once,
are not credited to the cached path. With --end_to_end, train_stage1.py runs the cached path for real (a fresh
feature cache, `--epochs` epochs, no early stopping) and its wall time is reported beside the extrapolation.
Writes reports/bench/<name>.json and prints a markdown table.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from benchlib import REPO_ROOT, RESULTS_DIR, machine, markdown_table, run_child, timed, write_results
from transformers import AutoConfig, AutoTokenizer, DataCollatorWithPadding, HfArgumentParser, TrainingArguments

from utils.labels import load_label_set
from utils.models.checkpoints import default_encoder_path
from utils.models.training import FocalLossTrainer
from utils.stage1.classifier import MeanPoolingForSequenceClassification
from utils.stage1.data import add_model_inputs, load_labeled_dataset, merge_labels, read_jsonl, tokenize_dataset
from utils.stage1.features import FeatureDataset, FeatureHead, encoder_features
from utils.stage1.features import freeze_encoder as freeze_encoder_of
from utils.stage1.inference import configure_threads


@dataclass
class BenchTrainArguments:
    train_file: str = field(default="data/corpus/train.jsonl", metadata={"help": "Training JSONL (sampled)."})
    validation_file: str = field(default="data/corpus/validation.jsonl",
                                 metadata={"help": "Validation JSONL (only its row count is used)."})
    model_name_or_path: str | None = field(default=None,
                                           metadata={"help": "Encoder (default: the offline all-MiniLM-L6-v2)."})
    max_length: int = field(default=256, metadata={"help": "Token limit (train_stage1.py's default is 256)."})
    sample_rows: int = field(default=512, metadata={"help": "Rows encoded and used for the cached head."})
    plain_rows: int = field(default=256, metadata={"help": "Rows of one timed plain-Trainer epoch (each path)."})
    epochs: int = field(default=10, metadata={"help": "Epochs the extrapolation is for."})
    head_epochs: int = field(default=3, metadata={"help": "Epochs of the timed cached-head training."})
    batch_size: int = field(default=16, metadata={"help": "Train batch size (train_stage1.py's default)."})
    eval_batch_size: int = field(default=64, metadata={"help": "Encoding / eval batch size."})
    full_finetune: bool = field(default=True, metadata={"help": "Also time full fine-tuning steps."})
    end_to_end: bool = field(default=False, metadata={"help": "Also run train_stage1.py's cached path for real."})
    end_to_end_rows: int = field(default=2048, metadata={"help": "Training rows of that run (0 = all)."})
    threads: int | None = field(default=None, metadata={"help": "torch threads (default: the free cores)."})
    output_dir: str = field(default=str(RESULTS_DIR), metadata={"help": "Where the JSON results go."})
    name: str = field(default="train", metadata={"help": "Results file name (without .json)."})
    seed: int = field(default=42, metadata={"help": "Sample and training seed."})


def training_arguments(scratch: str, args: BenchTrainArguments, **overrides: Any) -> TrainingArguments:
    values: dict[str, Any] = {
        "output_dir": scratch, "per_device_train_batch_size": args.batch_size,
        "per_device_eval_batch_size": args.eval_batch_size, "num_train_epochs": 1, "learning_rate": 5e-5,
        "weight_decay": 0.01, "train_sampling_strategy": "group_by_length", "eval_strategy": "no",
        "save_strategy": "no", "logging_strategy": "no", "report_to": "none", "disable_tqdm": True,
        "seed": args.seed, "dataloader_pin_memory": False, "use_cpu": not torch.cuda.is_available(),
    }
    return TrainingArguments(**{**values, **overrides})


def new_model(model_path: str, label_set: Any) -> MeanPoolingForSequenceClassification:
    config = AutoConfig.from_pretrained(model_path, num_labels=len(label_set), id2label=label_set.id2label,
                                        label2id=label_set.label2id)
    return MeanPoolingForSequenceClassification.from_pretrained(model_path, config=config)


def plain_epoch_seconds(model: Any, tokens: Any, tokenizer: Any, scratch: str, args: BenchTrainArguments) -> float:
    """Wall seconds of one plain Trainer epoch over `tokens` (the Trainer's own train_runtime)."""
    columns = [c for c in ("input_ids", "attention_mask", "token_type_ids", "labels") if c in tokens.column_names]
    trainer = FocalLossTrainer(model=model, args=training_arguments(scratch, args), loss="focal", gamma=2.0,
                               train_dataset=tokens.select_columns(columns), processing_class=tokenizer,
                               data_collator=DataCollatorWithPadding(tokenizer))
    return float(trainer.train().metrics["train_runtime"])


def count_rows(path: str) -> int:
    return len(read_jsonl(path, required_fields=("log",)))


def end_to_end(args: BenchTrainArguments, scratch: str) -> dict[str, Any]:
    """train_stage1.py --freeze_encoder for real, with a fresh feature cache; wall time and its own timings."""
    output_dir = Path(scratch) / "end_to_end"
    command = [sys.executable, str(REPO_ROOT / "train_stage1.py"), "--train_file", args.train_file,
               "--validation_file", args.validation_file, "--output_dir", str(output_dir), "--freeze_encoder", "true",
               "--cache_features", "true", "--feature_cache_dir", str(Path(scratch) / "cache"),
               "--max_length", str(args.max_length), "--num_train_epochs", str(args.epochs),
               "--early_stopping_patience", "0", "--mask_exception_names", "true", "--seed", str(args.seed)]
    if args.model_name_or_path:
        command += ["--model_name_or_path", args.model_name_or_path]
    eval_rows = count_rows(args.validation_file)
    if args.end_to_end_rows:  # a fifth as many validation rows, the corpus's own proportion
        eval_rows = min(eval_rows, max(args.end_to_end_rows // 5, 1))
        command += ["--max_train_samples", str(args.end_to_end_rows), "--max_eval_samples", str(eval_rows)]
    result = run_child(command, timeout=6 * 3600)  # inherits OMP_WAIT_POLICY as utils.stage1.inference set it
    if result["returncode"] != 0:
        raise SystemExit(f"train_stage1.py failed: {result['stderr_tail']}")
    train_results = json.loads((output_dir / "train_results.json").read_text(encoding="utf-8"))
    return {"command": " ".join(command[1:]), "wall_s": result["seconds"], "peak_rss_mb": result["peak_rss_mb"],
            "encode_s": train_results.get("encode_seconds"), "head_train_s": train_results.get("train_runtime"),
            "train_rows": train_results.get("train_samples"), "validation_rows": eval_rows,
            "epochs": train_results.get("epoch")}


def main(argv: list[str] | None = None) -> int:
    args = HfArgumentParser(BenchTrainArguments).parse_args_into_dataclasses(args=argv)[0]
    started_on = machine()
    threads = configure_threads(args.threads)
    torch.manual_seed(args.seed)
    label_set = load_label_set()
    model_path = args.model_name_or_path or default_encoder_path()
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    train_rows, validation_rows = count_rows(args.train_file), count_rows(args.validation_file)

    dataset, _ = load_labeled_dataset(args.train_file)
    dataset, _ = merge_labels(dataset, label_set)
    sample = dataset.shuffle(seed=args.seed).select(range(min(args.sample_rows, len(dataset))))
    sample = add_model_inputs(sample, 0.5, args.seed)
    tokens = tokenize_dataset(sample, tokenizer, args.max_length)
    plain_tokens = tokens.select(range(min(args.plain_rows, len(tokens))))
    rows: dict[str, float] = {}
    model = new_model(model_path, label_set)
    freeze_encoder_of(model)

    with tempfile.TemporaryDirectory() as scratch:
        # Warm-up: the first forward passes pay one-off allocations that would otherwise be extrapolated ~30x.
        encoder_features(model, tokens.select(range(min(16, len(tokens)))), args.eval_batch_size)
        # Cached path: encode once, then the head trains and evaluates on the cached features.
        encode_s, features = timed(lambda: encoder_features(model, tokens, args.eval_batch_size))
        rows["encode"] = encode_s / len(tokens)
        head = FeatureHead(model)
        labels = sample["labels"]
        trainer = FocalLossTrainer(
            model=head, args=training_arguments(scratch, args, num_train_epochs=args.head_epochs,
                                                learning_rate=2e-3, train_sampling_strategy="random"),
            loss="focal", gamma=2.0, train_dataset=FeatureDataset(features, labels),
            eval_dataset=FeatureDataset(features, labels))
        rows["head_step"] = float(trainer.train().metrics["train_runtime"]) / (len(tokens) * args.head_epochs)
        rows["head_eval"] = timed(trainer.evaluate)[0] / len(tokens)

        # Plain path, frozen encoder: every step runs the encoder forward again.
        rows["frozen_step"] = plain_epoch_seconds(model, plain_tokens, tokenizer, scratch, args) / len(plain_tokens)
        if args.full_finetune:
            full = new_model(model_path, label_set)
            rows["full_step"] = plain_epoch_seconds(full, plain_tokens, tokenizer, scratch, args) / len(plain_tokens)
            del full
        # Encode again at the end: the drift between the two says how much the machine's load changed.
        encode_again_s = timed(lambda: encoder_features(model, tokens, args.eval_batch_size))[0]
        rows["encode_end"] = encode_again_s / len(tokens)
        encode = (rows["encode"] + rows["encode_end"]) / 2
        real = end_to_end(args, scratch) if args.end_to_end else None

    epochs = args.epochs
    extrapolated = extrapolate(rows, encode, epochs, train_rows, validation_rows)
    per_row_ms = [{"measure": key, "ms_per_row": value * 1000} for key, value in rows.items()]
    results = {"machine": started_on, "settings": {**asdict(args), "threads": threads},
               "corpus_rows": {"train": train_rows, "validation": validation_rows},
               "per_row_ms": per_row_ms, "extrapolated": extrapolated, "end_to_end": real,
               "machine_after": {"load_average_1_5_15": machine()["load_average_1_5_15"]}}
    if real:
        results["end_to_end_vs_extrapolation"] = {
            "extrapolated_cached_s_for_these_rows": encode * (real["train_rows"] + real["validation_rows"]) + epochs
            * (rows["head_step"] * real["train_rows"] + rows["head_eval"] * real["validation_rows"])}
    path = write_results(args.name, results, args.output_dir)
    print_summary(results, args)
    print(f"\nwrote {path}")
    return 0


def extrapolate(rows: dict[str, float], encode: float, epochs: int, train_rows: int,
                validation_rows: int) -> list[dict[str, Any]]:
    """Seconds (and hours) of a whole training per path, from the per-row measurements."""
    cached = encode * (train_rows + validation_rows) + epochs * (
        rows["head_step"] * train_rows + rows["head_eval"] * validation_rows)
    extrapolated = [{"path": "cached features (--freeze_encoder)", "seconds": cached, "speedup_of_cached": 1.0}]
    for name, key in (("plain Trainer, frozen encoder", "frozen_step"), ("plain Trainer, full fine-tuning",
                                                                       "full_step")):
        if key in rows:
            plain = epochs * (rows[key] * train_rows + encode * validation_rows)
            extrapolated.append({"path": name, "seconds": plain, "speedup_of_cached": plain / cached})
    for row in extrapolated:
        row["hours"] = row["seconds"] / 3600
    return extrapolated


def print_summary(results: dict[str, Any], args: BenchTrainArguments) -> None:
    started_on, real = results["machine"], results["end_to_end"]
    corpus = results["corpus_rows"]
    print(f"\n## train: {started_on['cpu']}, {started_on['cores']} cores, {started_on['date_utc']} UTC, "
          f"{results['settings']['threads']} thread(s), load {started_on['load_average_1_5_15']} -> "
          f"{results['machine_after']['load_average_1_5_15']}; max_length {args.max_length}; "
          f"{args.epochs} epochs over {corpus['train']} + {corpus['validation']} rows\n")
    print(markdown_table(results["per_row_ms"], ["measure", "ms_per_row"]))
    print()
    print(markdown_table(results["extrapolated"], ["path", "hours", "speedup_of_cached"]))
    if real:
        print()
        print(markdown_table([real], ["train_rows", "epochs", "encode_s", "head_train_s", "wall_s", "peak_rss_mb"]))
        print(f"extrapolated cached time for the same rows: "
              f"{results['end_to_end_vs_extrapolation']['extrapolated_cached_s_for_these_rows']:.0f}s")


if __name__ == "__main__":
    sys.exit(main())
