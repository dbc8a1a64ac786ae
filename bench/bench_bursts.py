"""Logs where traces come back to back: an outage's burst of errors, a jstack dump of many threads.

    python bench/bench_bursts.py                        # 2,500 and 10,000 traces / threads
    python bench/bench_bursts.py --counts 5000 20000
    python bench/bench_bursts.py --counts 80000 320000 --shapes burst

Such traces fall in one candidate region of the streamed reader (fewer lines than its look-back between them), so
the work per region must not grow with the square of its traces: on 2026-12-06 a burst of 10,000 five-frame traces
took 29.5 s and a dump of 20,000 threads 43 s, where 2.8 s and 8.4 s is linear. Nor may a burst's memory grow with
its size: past `log_sources.REGION_MAX_CHARS` its region is cut where a trace ends (80,000 traces peaked at 607 MB,
320,000 at 2,060 MB before 2026-12-06's cut, 178 MB both after); a thread dump is not cut (its peak grows, its time
no longer with the square: 320,000 threads 171 s before the reader stopped scanning an undecided region again with
every chunk, 92.6 s after). For each
shape and count the bench
runs `predict.py --no-model` on a generated log (a child process: wall and CPU seconds, peak RSS) and reports
seconds per 1,000 traces; `growth` is that figure at the largest count over the smallest (1.0: linear). The
stage-1 input of a StackOverflowError with that many application frames is timed in process too
(`utils.inputs.select_frames`: 24 s for 80,000 frames until 2026-12-06), and so are the words of a message that
holds a whole JSON payload, which the grounding check of an explanation reads (`utils.grounding.log_words`: 13.6 s
and 137 MB of Python memory for a 37 MB payload until 2026-12-06, a one-off comparison). Writes
reports/bench/<name>.json and prints a table.
"""

from __future__ import annotations

import json
import sys
import tempfile
import tracemalloc
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchlib import machine, markdown_table, run_child, timed, write_results
from transformers import HfArgumentParser

from utils.grounding import log_words
from utils.inputs import select_frames
from utils.parsing.stacktrace import Frame

SHAPES = ("burst", "thread dump", "frames", "json message")


@dataclass
class BenchBurstsArguments:
    counts: list[int] = field(default_factory=lambda: [2500, 10000], metadata={
        "help": "Traces (burst) and threads (dump) per generated log, smallest first."})
    name: str = field(default="bursts", metadata={"help": "Results file name under reports/bench/."})
    shapes: list[str] = field(default_factory=lambda: list(SHAPES), metadata={
        "help": f"Which to time, of {', '.join(SHAPES)}."})


def burst_log(count: int) -> str:
    """`count` traces of one failure, one INFO line and the ERROR record before each (values vary)."""
    lines = []
    for n in range(count):
        lines += [f"2026-11-30 12:00:{n % 60:02d},000 INFO  [main] com.acme.App - tick {n}",
                  f"2026-11-30 12:00:{n % 60:02d},100 ERROR [exec-{n % 8}] com.acme.Pay - failed req-{n}",
                  f"java.lang.IllegalStateException: pool closed after {n} calls",
                  *(f"\tat com.acme.pay.Layer{f}.call(Layer{f}.java:{10 + f})" for f in range(5))]
    return "\n".join(lines) + "\n"


def thread_dump(count: int) -> str:
    """A jstack dump of `count` threads, each waiting in the same five frames."""
    lines = ["2026-11-30 12:00:00", "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):", ""]
    for n in range(count):
        lines += [f'"worker-{n}" #{n + 20} prio=5 os_prio=0 cpu=1.00ms elapsed=9.00s tid=0x{n:016x} '
                  f"nid=0x{n + 100:x} waiting on condition  [0x{n:016x}]",
                  "   java.lang.Thread.State: WAITING (parking)",
                  "\tat jdk.internal.misc.Unsafe.park(java.base@17.0.9/Native Method)",
                  "\tat java.util.concurrent.locks.LockSupport.park(java.base@17.0.9/LockSupport.java:341)",
                  "\tat java.util.concurrent.LinkedBlockingQueue.take(java.base@17.0.9/LinkedBlockingQueue.java:435)",
                  "\tat com.acme.pay.Worker.next(Worker.java:42)",
                  "\tat com.acme.pay.Worker.run(Worker.java:20)", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    (args,) = HfArgumentParser(BenchBurstsArguments).parse_args_into_dataclasses(args=argv)
    unknown = sorted(set(args.shapes) - set(SHAPES))
    if unknown:
        raise SystemExit(f"--shapes: unknown {', '.join(unknown)} (there are: {', '.join(SHAPES)})")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for shape, write in (("burst", burst_log), ("thread dump", thread_dump)):
            if shape not in args.shapes:
                continue
            for count in sorted(args.counts):
                log = Path(scratch) / f"{shape.replace(' ', '_')}-{count}.log"
                log.write_text(write(count), encoding="utf-8")
                measured = run_child([sys.executable, "predict.py", "--no-model", "--input", str(log), "--output",
                                      str(Path(scratch) / "out.jsonl")])
                seconds = measured.get("seconds")
                rows.append({"shape": shape, "traces": count, "mb": round(log.stat().st_size / 2**20, 1),
                             **measured, "s_per_1k": round(seconds / count * 1000, 3) if seconds else None})
    for count in sorted(args.counts) if "frames" in args.shapes else ():  # a recursion's frames, all application code
        frames = [Frame("com.acme.tree.Node", "visit", "Node.java", 42)] * count
        seconds, _ = timed(lambda frames=frames: select_frames(frames, 32))
        rows.append({"shape": "stage-1 frames of a deep stack", "traces": count, "seconds": round(seconds, 4),
                     "returncode": 0, "s_per_1k": round(seconds / count * 1000, 5)})
    for count in sorted(args.counts) if "json message" in args.shapes else ():  # a JSON payload in one message
        payload = json.dumps([{"accountNumber": f"A-{n}", "customerName": "alphaBeta", "isActive": n % 2 == 0,
                               "merchantCategoryCode": "GAMMA", "txnAmount": n * 1.5} for n in range(count * 10)])
        tracemalloc.start()
        seconds, _ = timed(lambda payload=payload: log_words(payload))
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        rows.append({"shape": "grounding words of a JSON message", "traces": count * 10,
                     "mb": round(len(payload) / 2**20, 1), "seconds": round(seconds, 3), "returncode": 0,
                     "python_peak_mb": round(peak, 1), "s_per_1k": round(seconds / count * 100, 5)})
    for row in rows:
        same = [other for other in rows if other["shape"] == row["shape"] and other["s_per_1k"]]
        smallest = min(same, key=lambda other: other["traces"]) if same else None
        row["growth"] = (round(row["s_per_1k"] / smallest["s_per_1k"], 2)
                         if smallest and row["s_per_1k"] else None)
    path = write_results(args.name, {"machine": machine(), "arguments": asdict(args), "results": rows})
    print(markdown_table(rows, ["shape", "traces", "mb", "seconds", "cpu_seconds", "peak_rss_mb", "python_peak_mb",
                                "s_per_1k", "growth", "returncode"]))
    print(f"results: {path}")
    return 0 if all(row["returncode"] == 0 for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
