"""Real JVM traces of a codebase's own throws, for measuring what the analyzer types with names hidden, with and
without that code's throw statements (`--code_throws`). Needs a JDK (`javac`, `java`) on PATH.

    python scripts/harness_traces.py SRC_DIR --package org.apache.commons.io --project commons-io \\
        --output runs/code_throws/rows.jsonl

Compiles SRC_DIR's .java files (nothing else on the class path, so a codebase with dependencies needs them in
SRC_DIR), calls the public static methods and public constructors of the package's public classes with edge
arguments (scripts/harness/CallWithEdgeArguments.java) in a scratch directory that is deleted afterwards, and writes
one JSONL row per distinct trace whose root cause was thrown in the package's own code (its top frame there): `id`,
`log`, `root_exception` (the class the JVM printed), `project`. Helpful NPE messages are off where the JVM has them
(JDK 14+), as a service on JDK 8-11 prints them. Score the rows with `python evaluate.py --model M --input ROWS
--label_field root_exception --mask_exception_names --projects PROJECT`, with and without `--code_throws
STATEMENTS` (`scripts/mine_throw_statements.py SRC_DIR --output STATEMENTS`). The output is never overwritten.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: `utils` is beside scripts/
    sys.path.insert(0, str(ROOT))

from utils.atomic import write_jsonl_atomic  # noqa: E402  (after the path is set)
from utils.parsing.stacktrace import parse_log  # noqa: E402

HARNESS = ROOT / "scripts" / "harness" / "CallWithEdgeArguments.java"
MARK = "=== "  # the harness's line before each trace: "=== <the method it called>"
NO_HELPFUL_NPE = "-XX:-ShowCodeDetailsInExceptionMessages"


def rows_from_output(text: str, package: str, project: str) -> tuple[list[dict[str, str]], Counter]:
    """The harness's printed traces as rows (distinct texts whose root cause's top frame is in `package`), and how
    many traces were printed, thrown in the package, and kept."""
    counts: Counter = Counter()
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for block in ("\n" + text).split("\n" + MARK)[1:]:
        log = block.split("\n", 1)[1].rstrip("\n") if "\n" in block else ""  # the last one ends the output
        counts["printed"] += 1
        traces = parse_log(log)
        root = traces[0].root_cause if traces else None
        top = root.frames[0] if root is not None and root.frames else None
        if top is None or not root.class_name or not top.class_name.startswith(package + "."):
            continue
        counts["thrown in the package"] += 1
        if log in seen:
            continue
        seen.add(log)
        rows.append({"id": f"{project}-{len(rows)}", "log": log, "root_exception": root.class_name,
                     "project": project})
    counts["kept (distinct)"] = len(rows)
    return rows, counts


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    except FileNotFoundError:
        raise SystemExit(f"harness_traces.py: error: {command[0]} not found: a JDK must be on PATH") from None


def _compile(sources: list[Path], classes: Path, class_path: Path | None = None) -> None:
    command = ["javac", "-nowarn", "-encoding", "UTF-8", "-d", str(classes)]
    done = _run([*command, *(["-cp", str(class_path)] if class_path else []), *map(str, sources)])
    if done.returncode != 0:
        raise SystemExit(f"harness_traces.py: error: javac failed: {done.stderr.strip().splitlines()[-1:]}")


def harness_output(source: Path, package: str, timeout: int) -> str:
    """What the harness printed, calling the package's classes compiled from `source`."""
    with tempfile.TemporaryDirectory(prefix="harness-") as scratch:
        work = Path(scratch)
        classes, harness, box = work / "classes", work / "harness", work / "box"
        for folder in (classes, harness, box):
            folder.mkdir()
        _compile(sorted(source.rglob("*.java")), classes)
        _compile([HARNESS], harness, classes)
        names = sorted(".".join(path.relative_to(classes).with_suffix("").parts)
                       for path in (classes / package.replace(".", "/")).rglob("*.class") if "$" not in path.name)
        flags = [NO_HELPFUL_NPE] if _run(["java", NO_HELPFUL_NPE, "-version"]).returncode == 0 else []
        (box / "box-file").write_text("hi\n", encoding="utf-8")  # an existing file among the arguments
        done = _run(["java", *flags, "-cp", f"{classes}:{harness}", HARNESS.stem], input="\n".join(names) + "\n",
                    cwd=box, timeout=timeout)
        if done.returncode != 0:
            raise SystemExit(f"harness_traces.py: error: the harness stopped: {done.stderr.strip()[-300:]}")
        return done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="the codebase's Java sources (a directory)")
    parser.add_argument("--package", required=True, help="its package: traces thrown there are kept")
    parser.add_argument("--project", required=True, help="the rows' `project` (evaluate.py --projects)")
    parser.add_argument("--output", required=True, help="the rows (JSONL); never overwritten")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds the harness may run")
    args = parser.parse_args(argv)
    if Path(args.output).exists():
        parser.error(f"{args.output} exists; name another file")
    if not Path(args.source).is_dir():
        parser.error(f"{args.source}: not a directory")
    rows, counts = rows_from_output(harness_output(Path(args.source), args.package, args.timeout), args.package,
                                    args.project)
    if not rows:
        parser.error(f"no trace thrown in {args.package} ({dict(counts)})")
    write_jsonl_atomic(args.output, rows)
    print(", ".join(f"{name} {count}" for name, count in counts.items()) + f" -> {args.output}")
    labels = Counter(row["root_exception"].rsplit(".", 1)[-1] for row in rows)
    print("root causes: " + ", ".join(f"{name} {count}" for name, count in labels.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
