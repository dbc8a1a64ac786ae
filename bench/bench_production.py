"""End-to-end throughput (MB/s) and peak RSS of predict.py on production-like logs of 200 MB and 1 GB.

    python bench/bench_production.py                         # 200MB and 1GB, every model found in models/
    python bench/bench_production.py --sizes 200MB --model runs/cross_project/model_real

Each log is made by `build_corpus.py --production_log SIZE` (reused when it is already in --log_dir with a truth file
that today's failure signature agrees with): INFO lines and a few hundred distinct failures repeated with varying
timestamps, ids, values and threads.
predict.py then runs as a child process with --output and --groups, every stage whose model exists (stage 1, the
learned locator, stage 2; which ones were on is read back from its report and printed), and the bench reports its
wall time, MB/s and its own peak RSS (the largest process's, and the sum over predict.py and its parse process),
and checks its groups against the truth: one group per distinct failure, the
count of each exact. Targets (issue 14): >= 25 MB/s and peak RSS <= 800 MB on 1 GB. Writes
reports/bench/<name>.json and prints a table.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchlib import REPO_ROOT, machine, markdown_table, run_child, write_results
from transformers import HfArgumentParser

from utils.corpus.production_log import parse_size, truth_is_current

TARGET_MB_PER_S = 25.0
TARGET_PEAK_RSS_MB = 800.0


@dataclass
class BenchProductionArguments:
    sizes: list[str] = field(default_factory=lambda: ["200MB", "1GB"], metadata={"help": "Log sizes to run."})
    log_dir: str = field(default="runs/production", metadata={
        "help": "Where the logs are made (and reused: production_<size>.log with its .truth.json)."})
    seed: int = field(default=42, metadata={"help": "Seed of the generated logs."})
    model: str | None = field(default=None, metadata={"help": "Stage-1 model (default: predict.py's, models/stage1)."})
    locator: str | None = field(default=None, metadata={"help": "Locator model (default: models/locate)."})
    stage2: str | None = field(default=None, metadata={"help": "Stage-2 model (default: models/stage2)."})
    threads: int | None = field(default=None, metadata={"help": "torch threads for predict.py."})
    precision: str = field(default="auto", metadata={"help": "predict.py --precision (auto, fp32, bf16)."})
    keep_outputs: bool = field(default=False, metadata={"help": "Keep predict.py's outputs beside the logs."})
    name: str = field(default="production", metadata={"help": "Result file name under reports/bench/."})


def ensure_log(size: str, args: BenchProductionArguments) -> tuple[Path, dict[str, Any], float | None]:
    """(the log, its truth, seconds spent making it; None when an earlier run's log was reused: same seed and size,
    and group ids today's grouping gives)."""
    path = REPO_ROOT / args.log_dir / f"production_{size}.log"
    truth_path = Path(f"{path}.truth.json")
    if path.is_file() and truth_path.is_file():
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if truth.get("seed") == args.seed and truth.get("bytes") == path.stat().st_size:
            if truth_is_current(truth):
                return path, truth, None
            print(f"{path}: made with another failure signature; making it again", file=sys.stderr)
    made = run_child([sys.executable, "build_corpus.py", "--production_log", size, "--output", str(path),
                      "--seed", str(args.seed)])
    if made["returncode"] != 0:
        raise SystemExit(f"build_corpus.py --production_log {size} failed: {made['stderr_tail']}")
    return path, json.loads(truth_path.read_text(encoding="utf-8")), made["seconds"]


def check_groups(groups_path: Path, truth: dict[str, Any]) -> dict[str, Any]:
    """The groups predict.py wrote against the truth: one per distinct failure, each count exact."""
    rows = map(json.loads, groups_path.read_text(encoding="utf-8").splitlines())
    found = {row["group"]: row["count"] for row in rows}
    expected = {item["group"]: item["count"] for item in truth["failures"]}
    wrong = sorted(group for group in expected.keys() | found.keys() if found.get(group) != expected.get(group))
    return {"groups": len(found), "distinct_failures": truth["distinct_failures"], "groups_exact": not wrong,
            "groups_wrong": wrong[:20]}


class TreeMemory:
    """Peak of the summed RSS and PSS of predict.py and the parse process it forks while a run lasts: `run_child`'s
    peak RSS is one process's, the largest. RSS is sampled every 0.1 s, PSS every `PSS_EVERY` samples: reading PSS
    walks a process's page tables (~7 ms for a 400 MB process, holding its memory map's lock), and at every sample
    the sampler slowed the 1 GB run it measured."""

    PSS_EVERY = 10

    def __init__(self) -> None:
        self.peak_rss = self.peak_pss = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        sample = 0
        while not self.done.wait(0.1):
            rss = pss = 0
            with_pss = sample % self.PSS_EVERY == 0
            sample += 1
            for child in self._tree(psutil):
                try:
                    info = child.memory_full_info() if with_pss else child.memory_info()
                except psutil.Error:
                    continue
                rss, pss = rss + info.rss, pss + getattr(info, "pss", info.rss)
            self.peak_rss = max(self.peak_rss, rss)
            if with_pss:
                self.peak_pss = max(self.peak_pss, pss)

    @staticmethod
    def _tree(psutil: Any) -> list[Any]:
        """predict.py and its parse process: run_child's launcher is this process's child, they are the launcher's.
        A process that ends while it is listed (the launcher at the end of a run) is left out of this sample: the
        sampler must not die with it, or the peaks would stop at that sample."""
        processes = []
        for launcher in psutil.Process().children():
            try:
                processes += launcher.children(recursive=True)
            except psutil.Error:
                continue
        return processes

    def __enter__(self) -> TreeMemory:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join()


def run_size(size: str, args: BenchProductionArguments) -> dict[str, Any]:
    path, truth, generated_s = ensure_log(size, args)
    out_dir = path.parent / f"out_{size}"
    out_dir.mkdir(parents=True, exist_ok=True)
    output, groups = out_dir / "records.jsonl", out_dir / "groups.jsonl"
    command = [sys.executable, "predict.py", "--input", str(path), "--output", str(output), "--groups", str(groups),
               "--precision", args.precision]
    for flag, value in (("--model", args.model), ("--locator", args.locator), ("--stage2", args.stage2),
                        ("--threads", args.threads)):
        if value is not None:
            command += [flag, str(value)]
    with TreeMemory() as tree:
        run = run_child(command)
    row: dict[str, Any] = {"size": size, "bytes": truth["bytes"], "traces": truth["traces"],
                           "generated_s": generated_s, "seconds": run["seconds"],
                           "cpu_seconds": run.get("cpu_seconds"), "peak_rss_mb": run["peak_rss_mb"],
                           "tree_peak_rss_mb": round(tree.peak_rss / 2**20, 1),
                           "tree_peak_pss_mb": round(tree.peak_pss / 2**20, 1), "returncode": run["returncode"]}
    if run["returncode"] != 0:
        row["stderr_tail"] = run["stderr_tail"]
        return row
    report = json.loads(Path(f"{output}.report.json").read_text(encoding="utf-8"))
    models = report["models"]
    row.update(mb_per_s=round(truth["bytes"] / 1e6 / run["seconds"], 2), records=report["traces"],
               stage1=models["stage1"] or "off (no model)", stage1_precision=models.get("stage1_precision"),
               stage2_precision=models.get("stage2_precision"),
               locator=models["locator"], stage2=models["stage2"] or "off (no model)", **check_groups(groups, truth))
    row["records_exact"] = report["traces"] == truth["traces"]
    if not args.keep_outputs:
        shutil.rmtree(out_dir)
    return row


def main(argv: list[str] | None = None) -> None:
    (args,) = HfArgumentParser(BenchProductionArguments).parse_args_into_dataclasses(args=argv)
    for size in args.sizes:
        parse_size(size)  # a bad size fails before hours of work, not after
    rows = []
    for size in args.sizes:
        rows.append(run_size(size, args))
        print(json.dumps(rows[-1], default=str), file=sys.stderr)
    payload = {"machine": machine(), "arguments": asdict(args), "targets": {
        "mb_per_s": TARGET_MB_PER_S, "peak_rss_mb": TARGET_PEAK_RSS_MB}, "results": rows}
    path = write_results(args.name, payload)
    print(markdown_table(rows, ["size", "traces", "seconds", "cpu_seconds", "mb_per_s", "peak_rss_mb",
                                "tree_peak_rss_mb", "tree_peak_pss_mb", "groups", "distinct_failures", "groups_exact",
                                "records_exact", "stage1_precision", "stage2_precision", "locator", "stage2"]))
    print(f"stage 1: {rows[-1].get('stage1')}; results: {path.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
