"""Single-log stage-1 latency under OpenMP wait policies and thread counts, each in a fresh process.

    python bench/bench_threads.py --model models/stage1 --input examples/logs.jsonl

libgomp reads OMP_WAIT_POLICY once, when torch loads, so every setting runs in its own child process that imports
torch before anything else: the libgomp default (threads spin at barriers), PASSIVE (what utils/stage1/inference.py sets
unless the user chose a policy), each with 1 thread and with every core. On idle cores spinning costs little; on
cores shared with other work it made one log's latency ~15x longer (p50 1,687 against 111 ms: README.md, "Speed").
Reports p50/p90 over --documents logs per setting (model loaded, one `predict_logits` call per log, parse and input
building included).
Writes reports/bench/<name>.json and prints a markdown table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field

from benchlib import DEFAULT_INPUTS, REPO_ROOT, RESULTS_DIR, machine, markdown_table, write_results
from transformers import HfArgumentParser

# The child: torch first (so the policy in its environment is the one libgomp reads), then the project code.
CHILD = """
import json, sys, time
import torch
sys.path.insert(0, {repo!r}); sys.path.insert(0, {bench!r})
from benchlib import percentiles, sample_documents
from utils.pipeline.analyze import parse_documents
from utils.models.checkpoints import TASK_CLASSIFY, load_model
from utils.stage1.inference import predict_logits
from utils.inputs import build_model_input
from utils.labels import load_label_set
torch.set_num_threads({threads})
member = load_model({model!r}, expected_task=TASK_CLASSIFY)
documents = sample_documents({inputs!r}, {documents})
options = member.metadata.input_options.as_kwargs()
def one(document):
    items = parse_documents([document], load_label_set())
    texts = [build_model_input(item.trace, **options) for item in items if item.trace.has_exception]
    return predict_logits(member, texts or [document.text[:1000]])
one(documents[0])
seconds = []
for document in documents:
    started = time.perf_counter(); one(document); seconds.append(time.perf_counter() - started)
print(json.dumps({{"ms": {{k: round(v * 1000, 1) for k, v in percentiles(seconds).items()}},
                  "threads": torch.get_num_threads(), "logs": len(seconds)}}))
"""


@dataclass
class BenchThreadsArguments:
    model: str = field(default="models/stage1", metadata={"help": "Stage-1 model directory."})
    input: list[str] = field(default_factory=lambda: list(DEFAULT_INPUTS), metadata={"help": "Logs to time."})
    documents: int = field(default=30, metadata={"help": "Logs timed one by one per setting."})
    thread_counts: list[int] | None = field(default=None, metadata={"help": "Thread counts (default: 1 and all)."})
    output_dir: str = field(default=str(RESULTS_DIR), metadata={"help": "Where the JSON results go."})
    name: str = field(default="threads", metadata={"help": "Results file name (without .json)."})


def main(argv: list[str] | None = None) -> int:
    args = HfArgumentParser(BenchThreadsArguments).parse_args_into_dataclasses(args=argv)[0]
    started_on = machine()
    cores = started_on["cores"]
    counts = sorted(set(args.thread_counts or [1, cores]))
    settings = [(policy, threads) for policy in ("default", "PASSIVE") for threads in counts]
    rows = []
    for policy, threads in settings:
        environment = {key: value for key, value in os.environ.items() if key != "OMP_WAIT_POLICY"}
        if policy != "default":
            environment["OMP_WAIT_POLICY"] = policy
        code = CHILD.format(repo=str(REPO_ROOT), bench=str(REPO_ROOT / "bench"), threads=threads, model=args.model,
                            inputs=list(args.input), documents=args.documents)
        child = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=environment, capture_output=True,
                               text=True, timeout=3600)
        if child.returncode != 0:
            raise SystemExit(f"child ({policy}, {threads} threads) failed: {child.stderr[-2000:]}")
        measured = json.loads(child.stdout.strip().splitlines()[-1])
        rows.append({"omp_wait_policy": policy, "threads": measured["threads"], "logs": measured["logs"],
                     **measured["ms"]})
    best = min(row["p50"] for row in rows)
    for row in rows:
        row["p50_vs_best"] = row["p50"] / best
    results = {"machine": started_on, "settings": asdict(args), "latency_ms": rows,
               "machine_after": {"load_average_1_5_15": machine()["load_average_1_5_15"]}}
    path = write_results(args.name, results, args.output_dir)
    print(f"\n## threads: {started_on['cpu']}, {cores} cores, {started_on['date_utc']} UTC, load "
          f"{started_on['load_average_1_5_15']} -> {results['machine_after']['load_average_1_5_15']}\n")
    print(markdown_table(rows, ["omp_wait_policy", "threads", "logs", "p50", "p90", "p99", "p50_vs_best"]))
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
