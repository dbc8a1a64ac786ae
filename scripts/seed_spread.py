"""One recipe's figures over several retrainings, and their mean: what the recipe, not one draw of it, scores.

    python scripts/seed_spread.py runs/cross_project/report_real_s28 runs/xp_proto_s43/report_real \
        runs/xp_proto_s44/report_real

Each argument is an `evaluate.py` classify report (its directory or its report.json) of one retraining (e.g.
`scripts/cross_project.py --arms real --seed 43 --work_dir runs/xp_proto_s43`), all scored on the same rows: the
same input file, projects, label field and masking, else the command stops and says which differs. It prints,
per report and their mean, top-1 with JVM evidence on each subset (the rows right in brackets once per
signature), the model alone once per signature, and the majority class on the same rows, which is the same for
every report. 81 failures give each report an interval of about +-0.10 (`evaluate.py` prints it); the spread
between retrainings is the other half of the noise a recipe change must beat.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: `utils` is beside scripts/
    sys.path.insert(0, str(ROOT))

from utils.evaluation.metrics import rows_right  # noqa: E402  (after the path is set)

# what must agree for reports to be averaged: the rows they scored
SAME_ROWS = ("input_sha256", "projects", "label_field", "masked_exception_names", "rows")
# (subset, its column title); once per signature first, the headline
SUBSETS = (("non_assertion_unique", "once per signature"), ("non_assertion", "every non-assertion row"),
           ("not_other", "gold not `Other`"), ("all", "all rows"))


def load_report(path: Path) -> dict:
    file = path / "report.json" if path.is_dir() else path
    if not file.is_file():
        raise SystemExit(f"{path}: no report.json (an evaluate.py classify report dir or its report.json)")
    report = json.loads(file.read_text(encoding="utf-8"))
    if report.get("task") != "classify" or "model_with_jvm_evidence" not in report:
        raise SystemExit(f"{file}: not a classify report with JVM-evidence figures (evaluate.py on a trace model)")
    return report


def check_same_rows(reports: dict[str, dict]) -> None:
    (first_name, first), *others = reports.items()
    for name, report in others:
        for key in SAME_ROWS:
            if report.get(key) != first.get(key):
                raise SystemExit(f"{name}: scored other rows than {first_name} ({key}: {report.get(key)!r} against "
                                 f"{first.get(key)!r}); only reports of the same rows are averaged")


def spread_table(reports: dict[str, dict]) -> str:
    heads = [title for _, title in SUBSETS]
    lines = [f"| report | {' | '.join(heads)} | model alone, once per signature |",
             "|---|" + "---:|" * (len(SUBSETS) + 1)]
    columns: list[list[float]] = [[] for _ in range(len(SUBSETS) + 1)]
    counts: list[int] = []
    for name, report in reports.items():
        answered = report["model_with_jvm_evidence"]
        cells = []
        for index, (subset, _) in enumerate(SUBSETS):
            columns[index].append(answered[subset]["top1"])
            cells.append(f"{answered[subset]['top1']:.3f}")
        unique = answered["non_assertion_unique"]
        counts.append(rows_right(unique))
        cells[0] += f" ({counts[-1]})"
        alone = report["model_metrics"]["non_assertion_unique"]
        columns[-1].append(alone["top1"])
        cells.append(f"{alone['top1']:.3f} ({rows_right(alone)})")
        lines.append(f"| {name} | {' | '.join(cells)} |")
    means = [f"{mean(column):.3f}" for column in columns]
    means[0] = f"**{means[0]}** ({mean(counts):.1f})"
    lines.append(f"| mean of {len(reports)} | {' | '.join(means)} |")
    majority = next(iter(reports.values()))["majority_baseline"]
    lines.append("| majority class, the same rows | "
                 + " | ".join(f"{majority[subset]['top1']:.3f} ({majority[subset]['label']})" for subset, _ in SUBSETS)
                 + " | |")
    lowest, highest = min(counts), max(counts)
    rows = next(iter(reports.values()))["model_with_jvm_evidence"]["non_assertion_unique"]["rows"]
    ratio = mean(counts) / rows / majority["non_assertion_unique"]["top1"]
    lines.append(f"\nonce per signature: {lowest}-{highest} of {rows} across the reports (a spread of "
                 f"{highest - lowest}); the mean is {ratio:.2f}x the majority class")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reports", nargs="+", type=Path, help="evaluate.py classify report dirs (or report.json)")
    args = parser.parse_args(argv)
    reports = {str(path): load_report(path) for path in args.reports}
    if len(reports) < 2:
        raise SystemExit("give two reports or more: a spread needs retrainings to compare")
    check_same_rows(reports)
    text = spread_table(reports)
    print(text)
    return text


if __name__ == "__main__":
    main()
