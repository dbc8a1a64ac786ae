"""What the bench scripts share: the machine they ran on, timing (median of repeats, percentiles), memory (RSS),
child processes measured with `os.wait4`, result files under reports/bench/ and markdown tables.

Not a script: `bench/bench_*.py` import it after putting the repository root on `sys.path`.
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from utils.atomic import write_json_atomic  # noqa: E402
from utils.parsing.log_sources import LogDocument, read_documents  # noqa: E402

RESULTS_DIR = REPO_ROOT / "reports" / "bench"
DEFAULT_INPUTS = sorted(str(path.relative_to(REPO_ROOT)) for path in (REPO_ROOT / "examples").glob("*.log")) + [
    "examples/logs.jsonl"
]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> list[float]:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return []


def machine() -> dict[str, Any]:
    """Where and when a bench ran; the load average says how much other work shared the cores."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    info: dict[str, Any] = {
        "date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu_model(),
        "cores": cores,
        "load_average_1_5_15": load_average(),
        "python": platform.python_version(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
    }
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        info.update(torch=torch.__version__, torch_threads=torch.get_num_threads())
    return info


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def percentiles(values: Sequence[float], points: Sequence[int] = (50, 90, 99)) -> dict[str, float]:
    """Nearest-rank percentiles (p50, p90, p99) of `values`."""
    ordered = sorted(values)
    if not ordered:
        return {f"p{point}": float("nan") for point in points}
    return {f"p{point}": ordered[min(len(ordered) - 1, max(0, -(-point * len(ordered) // 100) - 1))]
            for point in points}


def current_rss_mb() -> float:
    """Resident memory of this process now (Linux /proc; the peak where /proc is absent)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


# Runs the command and reports its own rusage. Linux keeps a process's peak RSS across fork + exec, so a child
# started straight from this (large) process would report this process's peak; one started from this small
# launcher reports its own.
_LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"seconds": time.perf_counter() - started, "maxrss": usage.ru_maxrss,
                  "cpu_seconds": usage.ru_utime + usage.ru_stime, "returncode": os.waitstatus_to_exitcode(status)}))
"""


def run_child(command: Sequence[str], timeout: float = 3600) -> dict[str, Any]:
    """Run `command` (cwd: the repository root): its wall seconds, its CPU seconds (its own and its reaped
    children's, e.g. predict.py's parse process), its own peak RSS in MB, exit status and the tail of its stderr."""
    try:
        launched = subprocess.run([sys.executable, "-c", _LAUNCHER, *command], cwd=REPO_ROOT, capture_output=True,
                                  text=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        return {"seconds": float(timeout), "peak_rss_mb": None, "returncode": -1,
                "stderr_tail": f"timed out after {timeout}s: {error}"}
    lines = launched.stdout.strip().splitlines()
    if launched.returncode != 0 or not lines:
        return {"seconds": None, "peak_rss_mb": None, "returncode": launched.returncode or -1,
                "stderr_tail": launched.stderr[-400:]}
    measured = json.loads(lines[-1])
    peak = measured["maxrss"] / 2**20 if sys.platform == "darwin" else measured["maxrss"] / 2**10
    return {"seconds": measured["seconds"], "cpu_seconds": round(measured["cpu_seconds"], 1),
            "peak_rss_mb": round(peak, 1), "returncode": measured["returncode"], "stderr_tail": launched.stderr[-400:]}


def sample_documents(inputs: Sequence[str], max_documents: int | None, seed: int = 0) -> list[LogDocument]:
    """The documents of `inputs` (JSONL rows with `log`, or plain log files), a seeded sample of at most
    `max_documents` kept in input order; skipped inputs are reported on stderr."""
    documents, report = read_documents(list(inputs))
    if report.skipped or report.warnings:
        print(report.summary(), file=sys.stderr)
    if max_documents and len(documents) > max_documents:
        chosen = sorted(random.Random(seed).sample(range(len(documents)), max_documents))
        documents = [documents[index] for index in chosen]
    return documents


def write_results(name: str, payload: dict[str, Any], output_dir: str | Path | None = None) -> Path:
    """reports/bench/<name>.json (atomic)."""
    return write_json_atomic(Path(output_dir or RESULTS_DIR) / f"{name}.json", payload)


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
        return "" if value is None else str(value)

    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(cell(row.get(column)) for column in columns) + " |" for row in rows]
    return "\n".join(lines)
