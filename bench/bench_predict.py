"""Inference speed of predict.py's pipeline on CPU, each figure next to its obvious baseline from the same run.

    python bench/bench_predict.py --model models/stage1 --input examples/*.log examples/logs.jsonl
    python bench/bench_predict.py --model models/stage1 --input ../shared/data/bugsjar_dev.jsonl --max_documents 300

- Stage-1 throughput, logs/s over parse + input building + tokenization + forward, median of --repeats with the
  variants interleaved (a change in machine load hits all of them alike): the default path (built input,
  length-sorted batches under a token budget, fp32, threads from the free cores) against unsorted batches,
  row-count-only batches, the raw trace text at 512 tokens, int8 dynamic quantization, 1 thread and all cores.
- Single-log latency p50/p90/p99 (one `Analyzer.analyze` call per log, models loaded): fp32, int8, fp32 without the
  wording memory's vote, and with stage-2 generation.
- End to end with generation (`Analyzer` with the stage-2 model) against stage 1 alone on the same logs.
- predict.py as users run it (a child process: start-up, loading, output file): --no_model, fp32, --quantize and
  with stage 2; wall seconds and the child's peak RSS.

Writes reports/bench/<name>.json and prints a markdown table.
"""

from __future__ import annotations

import copy
import json
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchlib import (
    DEFAULT_INPUTS,
    REPO_ROOT,
    RESULTS_DIR,
    machine,
    markdown_table,
    median,
    peak_rss_mb,
    percentiles,
    run_child,
    sample_documents,
    timed,
    write_results,
)
from transformers import HfArgumentParser

from utils.inputs import build_model_input
from utils.labels import load_label_set
from utils.pipeline.analyze import DEFAULT_STAGE2_DIR, Analyzer, AnalyzerOptions, parse_documents
from utils.stage1.inference import configure_threads, free_cores, predict_logits, quantize_int8

VARIANTS = ("default", "unsorted", "rows_only", "raw_512", "int8", "threads_1", "threads_all")
CLI_RUNS = ("no_model", "fp32", "int8", "stage2")


@dataclass
class BenchPredictArguments:
    model: str = field(default="models/stage1", metadata={"help": "Stage-1 model directory."})
    input: list[str] = field(default_factory=lambda: list(DEFAULT_INPUTS),
                             metadata={"help": "Logs: .jsonl with a `log` field, or plain log files."})
    stage2: str | None = field(default=None, metadata={
        "help": "Stage-2 model dir (default: models/stage2 when present; 'none' skips the generation parts)."})
    locator: str | None = field(default=None, metadata={"help": "Frame-ranker dir (default as predict.py)."})
    max_documents: int = field(default=300, metadata={"help": "Seeded sample of this many documents (0 = all)."})
    latency_documents: int = field(default=100, metadata={"help": "Documents timed one by one for latency."})
    e2e_documents: int = field(default=100, metadata={"help": "Documents for the runs with generation and the CLI."})
    repeats: int = field(default=3, metadata={"help": "Timed runs per variant; the median is reported."})
    batch_size: int = field(default=32, metadata={"help": "Stage-1 batch size (rows), as predict.py."})
    threads: int | None = field(default=None, metadata={"help": "torch threads (default: the free cores at start)."})
    variants: list[str] = field(default_factory=lambda: list(VARIANTS),
                                metadata={"help": f"Stage-1 variants to time, of {', '.join(VARIANTS)}."})
    cli: bool = field(default=True, metadata={"help": "Also time predict.py as a child process."})
    cli_runs: list[str] = field(default_factory=lambda: list(CLI_RUNS),
                                metadata={"help": f"predict.py runs to time, of {', '.join(CLI_RUNS)}."})
    output_dir: str = field(default=str(RESULTS_DIR), metadata={"help": "Where the JSON results go."})
    name: str = field(default="predict", metadata={"help": "Results file name (without .json)."})
    seed: int = field(default=0, metadata={"help": "Seed of the document sample."})


def stage1_pass(member: Any, documents: list, label_set: Any, raw_text: bool = False, **predict_options: Any) -> int:
    """What stage 1 costs per log: parse, build the model input (or take the trace's raw text), predict."""
    items = [item for item in parse_documents(documents, label_set) if item.trace.has_exception or item.trace.frames]
    options = member.metadata.input_options.as_kwargs()
    texts = [item.trace.text if raw_text else build_model_input(item.trace, **options) for item in items]
    predict_logits(member, texts, **predict_options)
    return len(texts)


def time_stage1_variants(args: BenchPredictArguments, analyzer: Analyzer, documents: list, threads: int,
                         cores: int) -> list[dict[str, Any]]:
    member = analyzer.stage1[0]
    quantized = copy.copy(member)
    if "int8" in args.variants:
        quantized.model = quantize_int8(copy.deepcopy(member.model))
    settings: dict[str, tuple[Any, dict[str, Any], int]] = {  # variant: (model, predict options, threads)
        "default": (member, {}, threads),
        "unsorted": (member, {"sort_by_length": False}, threads),
        "rows_only": (member, {"max_batch_tokens": None}, threads),
        "raw_512": (member, {"raw_text": True, "max_length": 512}, threads),
        "int8": (quantized, {}, threads),
        "threads_1": (member, {}, 1),
        "threads_all": (member, {}, cores),
    }
    chosen = [name for name in VARIANTS if name in args.variants]
    unknown = sorted(set(args.variants) - set(VARIANTS))
    if unknown:
        raise SystemExit(f"unknown variant(s) {unknown}; choose from {', '.join(VARIANTS)}")
    seconds: dict[str, list[float]] = {name: [] for name in chosen}
    traces = 0
    for name in chosen:  # warm-up: first-call allocations and lazy initialisation stay out of the timings
        model, options, count = settings[name]
        configure_threads(count)
        stage1_pass(model, documents[:8], analyzer.label_set, batch_size=args.batch_size, **options)
    for _ in range(args.repeats):
        for name in chosen:
            model, options, count = settings[name]
            configure_threads(count)
            elapsed, traces = timed(lambda model=model, options=options: stage1_pass(
                model, documents, analyzer.label_set, batch_size=args.batch_size, **options))
            seconds[name].append(elapsed)
    configure_threads(threads)
    baseline = median(seconds["default"]) if "default" in seconds else None
    rows = []
    for name in chosen:
        middle = median(seconds[name])
        rows.append({
            "variant": name, "threads": settings[name][2], "logs": len(documents), "traces": traces,
            "logs_per_s": len(documents) / middle, "median_s": middle, "runs_s": [round(s, 3) for s in seconds[name]],
            "speed_vs_default": baseline / middle if baseline else None,
        })
    return rows


def latency(analyzer: Analyzer, documents: list) -> dict[str, Any]:
    analyzer.analyze(documents[:2])  # warm-up
    seconds = [timed(lambda document=document: analyzer.analyze([document]))[0] for document in documents]
    milliseconds = {key: round(value * 1000, 1) for key, value in percentiles(seconds).items()}
    return {"logs": len(documents), **milliseconds, "mean_ms": round(1000 * sum(seconds) / len(seconds), 1)}


def time_cli(args: BenchPredictArguments, documents: list, stage2: str | None, threads: int) -> list[dict[str, Any]]:
    """predict.py in a child process on the e2e documents, as a user runs it; median wall time, peak RSS."""
    with tempfile.TemporaryDirectory() as scratch:
        logs = Path(scratch) / "logs.jsonl"
        logs.write_text("".join(json.dumps({"id": d.id, "log": d.text}) + "\n" for d in documents), encoding="utf-8")
        base = [sys.executable, str(REPO_ROOT / "predict.py"), "--input", str(logs), "--output",
                str(Path(scratch) / "out.jsonl"), "--threads", str(threads), "--precision", "fp32"]
        model = ["--model", args.model] + (["--locator", args.locator] if args.locator else [])
        every = {"no_model": ("parser only (--no_model)", base + ["--no_model"]),
                 "fp32": ("stage 1 fp32", base + model + ["--no_stage2"]),
                 "int8": ("stage 1 int8 (--quantize)", base + model + ["--no_stage2", "--quantize"]),
                 "stage2": ("stage 1 + stage 2", base + model + ["--stage2", str(stage2)])}
        commands = dict(every[key] for key in CLI_RUNS if key in args.cli_runs and (key != "stage2" or stage2))
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in commands}
        for _ in range(args.repeats):
            for name, command in commands.items():
                result = run_child(command)
                if result["returncode"] != 0:
                    raise SystemExit(f"predict.py failed ({name}): {result['stderr_tail']}")
                runs[name].append(result)
    rows = []
    for name, results in runs.items():
        wall = median([result["seconds"] for result in results])
        rows.append({"run": name, "logs": len(documents), "wall_s": wall, "logs_per_s": len(documents) / wall,
                     "peak_rss_mb": max(result["peak_rss_mb"] for result in results)})
    return rows


def main(argv: list[str] | None = None) -> int:
    args = HfArgumentParser(BenchPredictArguments).parse_args_into_dataclasses(args=argv)[0]
    started_on = machine()
    cores = started_on["cores"]
    threads = args.threads or free_cores()  # decided before this process adds its own load
    stage2 = None if (args.stage2 or "").lower() == "none" else (
        args.stage2 or (str(DEFAULT_STAGE2_DIR) if (DEFAULT_STAGE2_DIR / "config.json").is_file() else None))
    documents = sample_documents(args.input, args.max_documents, args.seed)
    if not documents:
        raise SystemExit("no documents to time")
    label_set = load_label_set()
    # fp32 weights: the variants compare against fp32 (and int8 quantizes them); predict.py's bf16 is
    # bench/bench_precision.py's
    stage1_options = {"model_dirs": [args.model], "locator_dir": args.locator, "no_stage2": True,
                      "batch_size": args.batch_size, "threads": threads, "precision": "fp32"}
    fp32 = Analyzer(AnalyzerOptions(**stage1_options), label_set)
    results: dict[str, Any] = {"machine": started_on, "settings": {**asdict(args), "threads": threads,
                                                                   "stage2": stage2}}
    load = started_on["load_average_1_5_15"]
    print(f"timing stage 1 on {len(documents)} documents, {threads} thread(s), load {load}", file=sys.stderr)
    results["stage1_throughput"] = time_stage1_variants(args, fp32, documents, threads, cores)

    few = documents[: args.latency_documents]
    int8 = Analyzer(AnalyzerOptions(**stage1_options, quantize=True), label_set)
    results["latency"] = [{"run": "stage 1 fp32", **latency(fp32, few)}, {"run": "stage 1 int8", **latency(int8, few)}]
    del int8
    # what the wording memory's vote (utils/stage1/wording.py: one sentence-encoder pass per message) adds to a log
    unworded = Analyzer(AnalyzerOptions(**stage1_options, no_wording=True), label_set)
    results["latency"].append({"run": "stage 1 fp32, without the wording memory", **latency(unworded, few)})
    del unworded

    e2e = documents[: args.e2e_documents]
    if stage2 and e2e:  # --e2e_documents 0: no stage-2 runs
        full = Analyzer(AnalyzerOptions(**{**stage1_options, "no_stage2": False}, stage2_dir=stage2), label_set)
        results["latency"].append({"run": "stage 1 + stage 2", **latency(full, e2e[: args.latency_documents])})
        rows = []
        for name, analyzer in (("stage 1 only", fp32), ("stage 1 + stage 2", full)):
            seconds = [timed(lambda analyzer=analyzer: analyzer.analyze(e2e))[0] for _ in range(args.repeats)]
            rows.append({"run": name, "logs": len(e2e), "median_s": median(seconds),
                         "logs_per_s": len(e2e) / median(seconds), "runs_s": [round(s, 3) for s in seconds]})
        results["end_to_end"] = rows
        del full
    results["bench_peak_rss_mb"] = round(peak_rss_mb(), 1)
    if args.cli:
        results["cli"] = time_cli(args, e2e, stage2, threads)
    results["machine_after"] = {"load_average_1_5_15": machine()["load_average_1_5_15"]}
    path = write_results(args.name, results, args.output_dir)

    print(f"\n## predict: {started_on['cpu']}, {cores} cores, {started_on['date_utc']} UTC, "
          f"load {started_on['load_average_1_5_15']} -> {results['machine_after']['load_average_1_5_15']}\n")
    print(markdown_table(results["stage1_throughput"],
                         ["variant", "threads", "logs", "traces", "logs_per_s", "speed_vs_default"]))
    print()
    print(markdown_table(results["latency"], ["run", "logs", "p50", "p90", "p99", "mean_ms"]))
    if "end_to_end" in results:
        print()
        print(markdown_table(results["end_to_end"], ["run", "logs", "median_s", "logs_per_s"]))
    if "cli" in results:
        print()
        print(markdown_table(results["cli"], ["run", "logs", "wall_s", "logs_per_s", "peak_rss_mb"]))
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
