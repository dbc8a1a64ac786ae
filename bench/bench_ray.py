"""predict.py --engine ray against the local path: MB/s with 1 and 2 workers, Ray's start-up and per-stage cost.

    python bench/bench_ray.py                         # 8 MB in 4 generated plain logs, the models in models/
    python bench/bench_ray.py --size_mb 20 --files 8 --no_model

The input is generated (utils/corpus/generate.py): --distinct failures, each log pasted again and again with a
numbered timestamp line, spread over --files plain logs; the same files go to every run. Measured:
- local: `predict.py --output --groups` as a child process (wall seconds, peak RSS);
- ray CLI: `predict.py --engine ray` the same way (Ray started and stopped inside: the end-to-end overhead; its
  peak RSS is the driver's only, not that of Ray's worker processes);
- ray in process, for each --workers count: `ray.init(num_cpus=w)` timed on its own, then the pipeline with w
  analyse actors, --repeats times (the first run starts Ray's worker processes); the stage seconds of the last run.
Every run's records and groups are compared byte for byte with the local path's. Writes reports/bench/ray.json.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchlib import REPO_ROOT, RESULTS_DIR, machine, markdown_table, median, run_child, write_results
from transformers import HfArgumentParser

from predict import PredictArguments
from utils.corpus.generate import generate_corpus


@dataclass
class BenchRayArguments:
    size_mb: float = field(default=8.0, metadata={"help": "Total size of the generated logs in MB."})
    files: int = field(default=4, metadata={"help": "How many plain log files the input is spread over."})
    distinct: int = field(default=200, metadata={"help": "Distinct generated failures (at most this many groups)."})
    workers: list[int] = field(default_factory=lambda: [1, 2], metadata={"help": "Ray worker counts to measure."})
    repeats: int = field(default=2, metadata={"help": "Pipeline runs per worker count; the median is reported."})
    no_model: bool = field(default=False, metadata={"help": "Parser and frame rules only (else the models in "
                                                            "models/, as predict.py finds them)."})
    output_dir: str = field(default=str(RESULTS_DIR), metadata={"help": "Where the JSON results go."})
    name: str = field(default="ray", metadata={"help": "Results file name (without .json)."})


def generated_logs(directory: Path, size_mb: float, files: int, distinct: int) -> list[str]:
    """--files plain logs of about size_mb in all: generated failures repeated in a seeded order, each after a
    numbered log line, so groups repeat within and across files."""
    logs = [row["log"] for split in generate_corpus(distinct, seed=5).values() for row in split]
    chooser, target = random.Random(5), int(size_mb * 2**20 / files)
    paths = []
    for number in range(files):
        parts, size, block = [], 0, 0
        while size < target:
            line = f"2026-12-0{1 + number % 9} {block // 3600 % 24:02d}:{block // 60 % 60:02d}:{block % 60:02d} " \
                   f"INFO [main] c.b.App - request {number}-{block} served\n"
            text = line + chooser.choice(logs).rstrip("\n") + "\n"
            parts.append(text)
            size, block = size + len(text.encode()), block + 1
        path = directory / f"app-{number}.log"
        path.write_text("".join(parts), encoding="utf-8")
        paths.append(str(path))
    return paths


def _argv(inputs: list[str], out: Path, name: str, no_model: bool) -> list[str]:
    return ["--input", *inputs, "--output", str(out / f"{name}.jsonl"), "--groups", str(out / f"{name}-groups.jsonl"),
            *(["--no-model"] if no_model else [])]


def _same_as_local(out: Path, name: str) -> bool:
    return all((out / f"{name}{suffix}").read_bytes() == (out / f"local{suffix}").read_bytes()
               for suffix in (".jsonl", "-groups.jsonl"))


def ray_in_process(inputs: list[str], out: Path, options: BenchRayArguments, workers: int) -> dict[str, Any]:
    import ray

    from utils.pipeline.engine_ray import init_ray, run_predict

    started = time.perf_counter()
    init_ray(num_cpus=workers)
    init_seconds = time.perf_counter() - started
    name, seconds = f"ray-{workers}", []
    args = HfArgumentParser(PredictArguments).parse_args_into_dataclasses(
        args=_argv(inputs, out, name, options.no_model))[0]
    for _ in range(options.repeats):
        started = time.perf_counter()
        if run_predict(args, log=lambda line: None, workers=workers) != 0:
            raise SystemExit(f"--engine ray with {workers} worker(s) failed")
        seconds.append(time.perf_counter() - started)
    ray.shutdown()
    report = json.loads((out / f"{name}.jsonl.report.json").read_text(encoding="utf-8"))
    return {"run": f"ray, {workers} worker(s), in process", "ray_init_s": round(init_seconds, 2),
            "seconds": median(seconds), "first_run_s": seconds[0], "same_as_local": _same_as_local(out, name),
            **report["stage_seconds"]}


def main(argv: list[str] | None = None) -> None:
    options = HfArgumentParser(BenchRayArguments).parse_args_into_dataclasses(args=argv)[0]
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as temp:
        out = Path(temp)
        inputs = generated_logs(out, options.size_mb, options.files, options.distinct)
        megabytes = sum(Path(path).stat().st_size for path in inputs) / 2**20
        predict = [sys.executable, str(REPO_ROOT / "predict.py")]
        local = run_child(predict + _argv(inputs, out, "local", options.no_model))
        rows = [{"run": "local predict.py (child)", **local}]
        cli = run_child(predict + _argv(inputs, out, "ray-cli", options.no_model) + ["--engine", "ray"])
        rows.append({"run": "predict.py --engine ray (child, Ray started inside)", **cli,
                     "same_as_local": _same_as_local(out, "ray-cli")})
        rows += [ray_in_process(inputs, out, options, workers) for workers in options.workers]
        groups = sum(1 for _ in (out / "local-groups.jsonl").open(encoding="utf-8"))
    local_seconds = rows[0]["seconds"]
    for row in rows:
        row["mb_per_s"] = megabytes / row["seconds"] if row.get("seconds") else None
        row["x_local_time"] = row["seconds"] / local_seconds if row.get("seconds") and local_seconds else None
    command = "python bench/bench_ray.py " + " ".join(sys.argv[1:])
    payload = {"command": command.strip(), "machine": machine(), "options": asdict(options),
               "input_mb": round(megabytes, 2), "groups": groups, "runs": rows}
    path = write_results(options.name, payload, options.output_dir)
    print(f"{megabytes:.1f} MB in {options.files} files, {groups} groups; {command}")
    print(markdown_table(rows, ["run", "seconds", "mb_per_s", "x_local_time", "peak_rss_mb", "ray_init_s",
                                "first_run_s", "read_parse_s", "group_s", "analyse_s", "finish_write_s",
                                "same_as_local"]))
    print(f"results: {path}")


if __name__ == "__main__":
    main()
