"""Parser throughput (MB/s) on a synthetic multi-megabyte application log, against reading its lines.

    python bench/bench_parser.py                    # a 10 MB log built from examples/*.log
    python bench/bench_parser.py --size_mb 50 --repeats 5

The log is the example traces (ours, in examples/) interleaved with ordinary log lines, numbered so no two blocks
are identical, until it reaches --size_mb. Timed (median of --repeats, interleaved): splitting the text into lines
and finding the frame lines with a regex (the floor any parser pays), `parse_log`, `parse_log` + building every
trace's stage-1 input, and the model-free analysis predict.py --no_model runs (parse, type from the class name,
ranked frames). Peak Python memory of `parse_log` comes from tracemalloc, and predict.py --no_model on the file
runs as a child process (wall time and its own peak RSS). Writes reports/bench/<name>.json and prints a table.
"""

from __future__ import annotations

import re
import sys
import tempfile
import tracemalloc
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchlib import REPO_ROOT, RESULTS_DIR, machine, markdown_table, median, run_child, timed, write_results
from transformers import HfArgumentParser

from utils.inputs import build_model_input
from utils.parsing.log_sources import LogDocument
from utils.parsing.stacktrace import parse_log
from utils.pipeline.analyze import Analyzer, AnalyzerOptions

FRAME_LINE = re.compile(r"^\s*at\s+\S+\(", re.MULTILINE)
FILLER = [
    "{stamp} INFO  [http-nio-8080-exec-{n}] c.b.core.RequestLogger - GET /api/accounts/{n} 200 {ms}ms",
    "{stamp} DEBUG [scheduler-{n}] c.b.batch.SettlementJob - processed batch {n} ({ms} rows)",
    "{stamp} WARN  [pool-2-thread-{n}] c.b.cache.CacheWarmer - slow cache refresh: {ms}ms for region r{n}",
]


@dataclass
class BenchParserArguments:
    size_mb: float = field(default=10.0, metadata={"help": "Size of the synthetic log in MB."})
    examples: list[str] = field(default_factory=lambda: sorted(str(p) for p in (REPO_ROOT / "examples").glob("*.log")),
                                metadata={"help": "Plain logs whose traces are repeated into the synthetic log."})
    filler_lines: int = field(default=20, metadata={"help": "Ordinary log lines between two pasted logs."})
    repeats: int = field(default=3, metadata={"help": "Timed runs per measure; the median is reported."})
    cli: bool = field(default=True, metadata={"help": "Also run predict.py --no_model on the file."})
    output_dir: str = field(default=str(RESULTS_DIR), metadata={"help": "Where the JSON results go."})
    name: str = field(default="parser", metadata={"help": "Results file name (without .json)."})


def synthetic_log(examples: list[str], size_mb: float, filler_lines: int) -> str:
    """Example logs and filler lines, numbered block by block, until `size_mb` is reached."""
    texts = [Path(path).read_text(encoding="utf-8").rstrip("\n") for path in examples]
    if not texts:
        raise SystemExit("no example logs to build the synthetic log from (--examples)")
    target = int(size_mb * 2**20)
    parts: list[str] = []
    size = block = 0
    while size < target:
        day, clock = 1 + block // 86400 % 28, f"{block // 3600 % 24:02d}:{block // 60 % 60:02d}:{block % 60:02d}"
        lines = [FILLER[(block + i) % len(FILLER)].format(stamp=f"2026-01-{day:02d} {clock}.{i:03d}", n=block + i,
                                                          ms=(block * 7 + i) % 997) for i in range(filler_lines)]
        # The block number inside the trace text keeps every block distinct (messages carry it).
        trace = texts[block % len(texts)].replace("Exception:", f"Exception: [req {block}]", 1)
        piece = "\n".join(lines + [trace]) + "\n"
        parts.append(piece)
        size += len(piece.encode("utf-8"))
        block += 1
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    args = HfArgumentParser(BenchParserArguments).parse_args_into_dataclasses(args=argv)[0]
    started_on = machine()
    text = synthetic_log(args.examples, args.size_mb, args.filler_lines)
    megabytes = len(text.encode("utf-8")) / 2**20
    analyzer = Analyzer(AnalyzerOptions(no_model=True))
    document = LogDocument(id="synthetic", source="synthetic", text=text)

    def lines_and_frames() -> int:
        text.splitlines()
        return len(FRAME_LINE.findall(text))

    def parse_and_build() -> int:
        return sum(len(build_model_input(trace)) for trace in parse_log(text))

    measures = {
        "lines + frame regex (floor)": lines_and_frames,
        "parse_log": lambda: len(parse_log(text)),
        "parse_log + stage-1 inputs": parse_and_build,
        "analysis without models (--no_model)": lambda: len(analyzer.analyze([document])),
    }
    seconds: dict[str, list[float]] = {name: [] for name in measures}
    counts: dict[str, int] = {}
    for _ in range(args.repeats):
        for name, measure in measures.items():
            elapsed, counts[name] = timed(measure)
            seconds[name].append(elapsed)
    floor = median(seconds["lines + frame regex (floor)"])
    rows = [{"measure": name, "mb": megabytes, "median_s": median(values), "mb_per_s": megabytes / median(values),
             "count": counts[name], "time_vs_floor": median(values) / floor} for name, values in seconds.items()]

    tracemalloc.start()
    traces = parse_log(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    memory = {"parse_log_peak_python_mb": round(peak / 2**20, 1), "traces": len(traces),
              "frames": sum(len(trace.frames) for trace in traces)}
    del traces
    cli = None
    if args.cli:
        with tempfile.TemporaryDirectory() as scratch:
            log_path = Path(scratch) / "synthetic.log"
            log_path.write_text(text, encoding="utf-8")
            runs = [run_child([sys.executable, str(REPO_ROOT / "predict.py"), "--input", str(log_path), "--output",
                               str(Path(scratch) / "out.jsonl"), "--no_model"]) for _ in range(args.repeats)]
        failed = [run for run in runs if run["returncode"] != 0]
        if failed:
            raise SystemExit(f"predict.py --no_model failed: {failed[0]['stderr_tail']}")
        wall = median([run["seconds"] for run in runs])
        cli = {"run": "predict.py --no_model (child process)", "mb": megabytes, "wall_s": wall,
               "mb_per_s": megabytes / wall, "peak_rss_mb": max(run["peak_rss_mb"] for run in runs)}
    results = {"machine": started_on, "settings": asdict(args), "log_mb": megabytes, "throughput": rows,
               "memory": memory, "cli": cli,
               "machine_after": {"load_average_1_5_15": machine()["load_average_1_5_15"]}}
    path = write_results(args.name, results, args.output_dir)
    print(f"\n## parser: {started_on['cpu']}, {started_on['cores']} cores, {started_on['date_utc']} UTC, load "
          f"{started_on['load_average_1_5_15']}; synthetic log {megabytes:.1f} MB, {memory['traces']} traces, "
          f"{memory['frames']} frames; parse_log peak Python memory {memory['parse_log_peak_python_mb']} MB\n")
    print(markdown_table(rows, ["measure", "median_s", "mb_per_s", "time_vs_floor"]))
    if cli:
        print()
        print(markdown_table([cli], ["run", "mb", "wall_s", "mb_per_s", "peak_rss_mb"]))
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
