"""The dev set's cross-project protocol for stage 1 (configs/cross_project.yaml), end to end.

    python scripts/cross_project.py                          # synthetic only vs synthetic + real, one table
    python scripts/cross_project.py --arms real              # only the synthetic + real arm
    python scripts/cross_project.py --train_config configs/stage1_quick.yaml --work_dir runs/xp
    python scripts/cross_project.py --arms real --generator_config configs/corpus_wide.yaml --work_dir runs/xp_wide
    python scripts/cross_project.py --arms --folds           # each training project left out in turn

Both arms train `train_stage1.py <train_config>`; the "real" arm adds the parser-labelled traces of the protocol's
train projects (`build_corpus.py --real_logs <dev set> --exclude_sources <test projects>`). Each model is scored
with `evaluate.py --mask_exception_names --projects <test projects>` on the test projects' rows, and the table
shows every subset with the majority-class baseline on the same rows beside it. Each step runs as its own command
(printed), exactly as a user would run it; a step whose output exists is reused.

`--folds [PROJECT ...]` adds one arm per training project (all of them when none is named): trained like "real"
without that project (`--exclude_sources <test projects> <project>`) and scored on it alone, so a choice can be
judged on every training project's distinct failures, not only on the validation split's few, and still never on
the test projects. Its table sums them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: `utils` is beside scripts/
    sys.path.insert(0, str(ROOT))

from utils.corpus.real_logs import (  # noqa: E402  (after the path is set)
    REAL_LOGS_REPORT,
    SYNTHETIC_TEMPLATES,
    RealLogsOptions,
)
from utils.evaluation.metrics import format_interval, rows_right  # noqa: E402

SUBSETS = ("non_assertion", "non_assertion_unique", "not_other", "all")


def run(command: list[str]) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)


def count_lines(path: Path) -> int:
    with open(ROOT / path, encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())


FOLD = "fold-"  # an arm that leaves one training project out and is scored on it: "fold-camel"


def arm_commands(arm: str, protocol: dict, args: argparse.Namespace) -> tuple[list[list[str]], Path, Path]:
    """The commands of one arm, its model dir and its report dir. "real" and "synthetic" are scored on the test
    projects; a fold arm trains like "real" without one training project and is scored on that project only."""
    work = Path(args.work_dir)
    corpus, model, report = work / f"corpus_{arm}", work / f"model_{arm}", work / f"report_{arm}"
    held_out = arm.removeprefix(FOLD) if arm.startswith(FOLD) else None
    scored = [held_out] if held_out else protocol["test_projects"]
    python = sys.executable
    build = [python, "build_corpus.py", "--output_dir", str(corpus), "--seed", str(args.seed)]
    if args.generator_config:
        build += ["--generator_config", args.generator_config]
    if arm != "synthetic":
        build += ["--real_logs", protocol["dev_set"], "--exclude_sources", *protocol["test_projects"],
                  *([held_out] if held_out else []), "--synthetic_per_real", str(args.synthetic_per_real),
                  "--synthetic_templates", args.synthetic_templates, "--real_repeat", str(args.real_repeat),
                  "--real_validation_fraction", str(args.real_validation_fraction)]
    train = [python, "train_stage1.py", args.train_config, "--train_file", str(corpus / "train.jsonl"),
             "--validation_file", str(corpus / "validation.jsonl"), "--output_dir", str(model)]
    if arm == "synthetic":  # as many rows as the real arm trains and validates on: only their kind differs
        real = work / "corpus_real"
        train += ["--max_train_samples", str(count_lines(real / "train.jsonl")),
                  "--max_eval_samples", str(count_lines(real / "validation.jsonl"))]
    evaluate = [python, "evaluate.py", "--model", str(model), "--input", protocol["dev_set"], "--label_field",
                "root_exception", "--mask_exception_names", "--projects", *scored,
                "--project_field", protocol["source_field"], "--output_dir", str(report)]
    commands = []
    if not (corpus / "train.jsonl").is_file():
        commands.append(build)
    elif arm != "synthetic":
        check_reused_corpus(corpus, args)
    if not (model / "analyzer_metadata.json").is_file():
        commands.append(train)
    commands.append(evaluate)
    return commands, model, report


def check_reused_corpus(corpus: Path, args: argparse.Namespace) -> None:
    """Refuses a corpus built with another synthetic mix than the one asked for: a step whose output exists is
    reused, and a corpus of an older recipe would otherwise be scored as the new one. A report without the
    templates key was written before `--synthetic_templates` existed, when training drew from held-out templates;
    one without the validation fraction, before it was recorded, with the default fraction."""
    report_path = ROOT / corpus / REAL_LOGS_REPORT
    if not report_path.is_file():
        return
    report = json.loads(report_path.read_text(encoding="utf-8"))
    built = (report.get("synthetic_templates", "held_out"), float(report["synthetic_per_real"]),
             int(report.get("real_repeat", 1)),
             float(report.get("real_validation_fraction", RealLogsOptions.validation_fraction)))
    asked = (args.synthetic_templates, float(args.synthetic_per_real), args.real_repeat,
             float(args.real_validation_fraction))
    if built != asked:
        raise SystemExit(f"{corpus}: built with --synthetic_templates {built[0]} --synthetic_per_real {built[1]:g} "
                         f"--real_repeat {built[2]} --real_validation_fraction {built[3]:g}, not "
                         f"{' / '.join(f'{value:g}' if isinstance(value, float) else str(value) for value in asked)}; "
                         "use another --work_dir or remove it")


def table(reports: dict[str, dict]) -> str:
    lines = ["| arm | subset | rows | model top-1 | model + JVM evidence top-1 | its 95% interval | top-3 | macro-F1 | "
             "JVM evidence, else majority (no model) | majority class | majority top-1 | ratio (with JVM evidence) |",
             "|---|---|---:|---:|---:|---|---:|---:|---:|---|---:|---:|"]
    for arm, report in reports.items():
        for subset in SUBSETS:
            model, majority = report["model_metrics"][subset], report["majority_baseline"][subset]
            answered = (report.get("model_with_jvm_evidence") or report["model_metrics"])[subset]
            rules = (report.get("jvm_evidence_or_majority") or {}).get(subset, {}).get("top1", float("nan"))
            ratio = answered["top1"] / majority["top1"] if majority["top1"] else float("nan")
            interval = format_interval(answered.get("top1_ci95"))  # reports before 2026-12-06 have none
            lines.append(f"| {arm} | {subset} | {model['rows']} | {model['top1']:.3f} | {answered['top1']:.3f} | "
                         f"{interval} | {model['top3']:.3f} | {model['macro_f1']:.3f} | {rules:.3f} | "
                         f"{majority['label']} | {majority['top1']:.3f} | {ratio:.2f}x |")
    return "\n".join(lines)


def run_arm(arm: str, protocol: dict, args: argparse.Namespace) -> dict:
    """Runs one arm's commands (those whose output exists are skipped) and returns its evaluation report."""
    commands, _, report_dir = arm_commands(arm, protocol, args)
    for command in commands:
        run(command)
    return json.loads((ROOT / report_dir / "report.json").read_text(encoding="utf-8"))


def fold_table(reports: dict[str, dict]) -> str:
    """Each held-out training project's distinct non-assertion failures typed right (model, model + JVM evidence,
    the rules else the project's most common class, the most common class alone), and their sum: more signatures
    than the validation split has, to tell close variants apart without the test projects."""
    columns = ("model_metrics", "model_with_jvm_evidence", "jvm_evidence_or_majority", "majority_baseline")
    lines = ["| held-out training project | non-assertion failures (once per signature) | model | "
             "model + JVM evidence | JVM evidence, else majority (no model) | majority class |",
             "|---|---:|---:|---:|---:|---:|"]
    totals = [0] * (len(columns) + 1)
    for arm, report in reports.items():
        rows = report["model_metrics"]["non_assertion_unique"]["rows"]
        # a model without trace inputs has no JVM-evidence figures: the model's own stand in, as in table()
        counts = [rows, *(rows_right((report.get(column) or report["model_metrics"])["non_assertion_unique"])
                          for column in columns)]
        totals = [total + count for total, count in zip(totals, counts, strict=True)]
        lines.append(f"| {arm.removeprefix(FOLD)} | " + " | ".join(map(str, counts)) + " |")
    shares = " | ".join(f"{count} ({count / (totals[0] or 1):.3f})" for count in totals[1:])
    lines.append(f"| **all** | {totals[0]} | {shares} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, dict]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--protocol", default="configs/cross_project.yaml")
    parser.add_argument("--train_config", default="configs/stage1_quick.yaml")
    parser.add_argument("--work_dir", default="runs/cross_project")
    parser.add_argument("--arms", nargs="*", default=["real", "synthetic"], choices=["synthetic", "real"])
    parser.add_argument("--folds", nargs="*", default=None, metavar="PROJECT",
                        help="also train once per training project left out and score it on that project (no "
                             "names: every training project): 11-16 minutes of a 2-core machine each")
    parser.add_argument("--synthetic_per_real", type=float, default=6.0)
    parser.add_argument("--synthetic_templates", default="all", choices=list(SYNTHETIC_TEMPLATES),
                        help="build_corpus.py's: which templates' synthetic rows train beside the real ones")
    parser.add_argument("--real_repeat", type=int, default=1,
                        help="build_corpus.py --real_repeat: copies of each real non-assertion training row")
    parser.add_argument("--real_validation_fraction", type=float, default=RealLogsOptions.validation_fraction,
                        help="build_corpus.py --real_validation_fraction (0: every training project's real rows "
                             "train, the synthetic rows training did not draw validate)")
    parser.add_argument("--seed", type=int, default=42,
                        help="build_corpus.py's seed: the synthetic draw and which training projects' real rows "
                             "validate (training keeps its config's seed)")
    parser.add_argument("--generator_config", default=None,
                        help="the synthetic part's generator tables (build_corpus.py's default when not given); "
                             "configs/corpus_wide.yaml adds the generator beyond the bank domain")
    args = parser.parse_args(argv)
    protocol = yaml.safe_load((ROOT / args.protocol).read_text(encoding="utf-8"))
    if not (ROOT / protocol["dev_set"]).is_file():
        raise SystemExit(f"{protocol['dev_set']}: dev set not found (it lives in ../shared/data)")
    reports = {}
    for arm in sorted(args.arms):  # "real" first: the synthetic arm is matched to its size
        if arm == "synthetic" and not (Path(args.work_dir) / "corpus_real" / "train.jsonl").is_file():
            run(arm_commands("real", protocol, args)[0][0])  # the real corpus, to count its rows
        reports[arm] = run_arm(arm, protocol, args)
    if reports:
        print(f"\ntest projects {', '.join(protocol['test_projects'])}; names masked\n")
        print(table(reports))
    if args.folds is not None:
        folds = {}
        for project in args.folds or protocol["train_projects"]:
            if project not in protocol["train_projects"]:
                raise SystemExit(f"--folds: {project!r} is not one of the protocol's train projects")
            folds[FOLD + project] = run_arm(FOLD + project, protocol, args)
        print("\ntraining projects, each left out of training and scored alone; names masked\n")
        print(fold_table(folds))
        reports.update(folds)
    return reports


if __name__ == "__main__":
    main()
