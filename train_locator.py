"""Train the frame ranker ("where to fix"): a listwise linear model over frame features, pulled towards the rules.

    python train_locator.py configs/locate.yaml
    python train_locator.py configs/locate.yaml --selection_file ../shared/data/bugsjar_dev.jsonl --output_dir /tmp/x

Weights are fitted on the synthetic corpus only (`meta.fault` is the true faulty frame). Real failing-test rows
(`--selection_file`, rows with `fix_methods`, `project`, `bug_id`) are never training rows: the rows of the tuning
projects only choose among a few configurations (the rules, or a ranker fitted with each L2 pull of `l2_grid`), and
the projects in `held_out_projects` are scored once, at the end, next to the naive baseline and the rules. Without
a selection file the ranker is fitted with `l2`. Runs on CPU in about a minute; the saved ranker is a small JSON file.
"""

from __future__ import annotations

import logging
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from transformers import HfArgumentParser

from utils.args import corpus_split, parse_args_with_config
from utils.atomic import check_output_folder
from utils.console import configure_console
from utils.locate import (
    FEATURE_NAMES,
    RULES,
    LinearRanker,
    RankingExample,
    evaluate_locate,
    first_hit_rank,
    fit_ranker,
    format_locate_report,
    gap_closed,
    ranking_examples,
    save_ranker,
    select_locate_rows,
)
from utils.models.checkpoints import file_sha256, write_json_atomic
from utils.stage1.data import read_jsonl

logger = logging.getLogger("train_locator")


@dataclass
class LocatorArguments:
    corpus_file: str = field(
        default=corpus_split("train"),
        metadata={"help": "Synthetic corpus JSONL whose meta.fault names the faulty frame: the training rows."},
    )
    max_corpus_rows: int | None = field(default=5000, metadata={"help": "Use at most N corpus rows (seeded sample)."})
    l2: float = field(
        default=10.0,
        metadata={
            "help": "L2 pull towards the rule weights when there is no selection file (synthetic faults sit where "
            "the generator put them, so they may only nudge the rules)."
        },
    )
    selection_file: str | None = field(
        default=None,
        metadata={
            "help": "Optional real JSONL with fix_methods/project/bug_id (e.g. ../shared/data/bugsjar_dev.jsonl): "
            "its tuning projects choose the configuration, its held-out projects are scored at the end."
        },
    )
    held_out_projects: list[str] = field(
        default_factory=lambda: ["commons-math", "flink", "wicket"],
        metadata={"help": "Projects of selection_file that never inform a choice; scored apart at the end."},
    )
    l2_grid: list[float] = field(
        default_factory=lambda: [0.1, 0.3, 1.0, 3.0, 10.0],
        metadata={"help": "L2 pulls to choose from with a selection file (the rules are always a candidate)."},
    )
    include_assertions: bool = field(
        default=False,
        metadata={
            "help": "Also select and score with failing tests that are assertion failures (off: their trace "
            "shows the test's check, not the faulty code)."
        },
    )
    app_packages: list[str] = field(
        default_factory=list,
        metadata={
            "help": "The application's packages (e.g. com.acme) when the ranker serves one application: saved with "
            "the weights, they override the packages read from each trace at prediction and on the selection "
            "file (not on the corpus, whose synthetic applications vary). Empty: read from each trace."
        },
    )
    output_dir: str = field(default="models/locate", metadata={"help": "Where ranker.json and metadata go."})
    seed: int = field(default=42, metadata={"help": "Seed of the corpus subsample."})


def optional_path(value: str | None) -> Path | None:
    return None if value in (None, "", "none", "None") else Path(value)


def bug_accuracy(ranker: LinearRanker, examples: list[RankingExample]) -> tuple[float, float]:
    """(acc@1, MRR) over the examples (traces that contain their fix), each bug counting once."""
    total = sum(example.weight for example in examples) or 1.0
    ranks = [(first_hit_rank(example, ranker), example.weight) for example in examples]
    return (
        sum(weight for rank, weight in ranks if rank == 0) / total,
        sum(weight / (rank + 1) for rank, weight in ranks) / total,
    )


def load_corpus_examples(args: LocatorArguments) -> tuple[list[RankingExample], dict]:
    corpus_path = Path(args.corpus_file)
    if not corpus_path.is_file():
        raise SystemExit(f"{corpus_path}: corpus not found (build it first: make corpus-quick)")
    rows = select_locate_rows(read_jsonl(corpus_path, required_fields=("log",)), include_assertions=True)
    random.Random(args.seed).shuffle(rows)
    rows = rows[: args.max_corpus_rows] if args.max_corpus_rows else rows
    examples, unreachable = ranking_examples(rows, group_field="id")
    logger.info(
        "%s: %d rows with a fault frame used, %d train, %d skipped (fault frame not among the candidates)",
        corpus_path, len(rows), len(examples), unreachable,
    )
    if not examples:
        raise SystemExit(f"{corpus_path}: no row whose trace contains its meta.fault frame")
    info = {
        "corpus_file": f"{corpus_path} sha256:{file_sha256(corpus_path)[:16]}",
        "corpus_rows": len(rows),
        "corpus_examples": len(examples),
        "corpus_skipped_fault_not_candidate": unreachable,
    }
    return examples, info


def select_configuration(
    args: LocatorArguments, corpus: list[RankingExample], tuning: list[RankingExample]
) -> tuple[LinearRanker, list[dict]]:
    """Scores the rules and one corpus-fitted ranker per L2 on the tuning bugs; best first. Ties go to the rules,
    then to the stronger pull towards them (the simpler model)."""
    candidates: list[tuple[dict, LinearRanker]] = [({"config": "rules", "l2": None}, RULES)]
    for l2 in sorted(args.l2_grid, reverse=True):
        candidates.append(({"config": f"corpus l2={l2}", "l2": l2}, fit_ranker(corpus, l2=l2)))
    table = []
    for order, (row, ranker) in enumerate(candidates):
        accuracy, mrr = bug_accuracy(ranker, tuning)
        table.append({**row, "tuning_acc@1": round(accuracy, 4), "tuning_mrr": round(mrr, 4), "order": order})
    table.sort(key=lambda row: (-row["tuning_acc@1"], -row["tuning_mrr"], row["order"]))
    chosen = next(ranker for row, ranker in candidates if row["config"] == table[0]["config"])
    return chosen, [{key: value for key, value in row.items() if key != "order"} for row in table]


def print_evaluation(report: dict, chosen: str, path: Path) -> None:
    print(f"\nFrame ranking on {path} (ranker: {chosen}; held out: {', '.join(report['held_out_projects'])})\n")
    print(format_locate_report(report) + "\n")
    for name in ("tuning", "held_out"):
        for unit, block in (("per row", report[name]), ("once per bug", report[name]["bugs"])):
            print(
                f"{name} {unit}: acc@1 naive {block['naive']['acc@1']:.3f}, rules {block['rules']['acc@1']:.3f} "
                f"(gap closed {gap_closed(block, 'rules'):.0%}), ranker {block['ranker']['acc@1']:.3f} "
                f"(gap closed {gap_closed(block):.0%}); ceiling {block['reachable']:.3f}"
            )


def select_on_real_rows(
    args: LocatorArguments, corpus: list[RankingExample], selection_path: Path, training_info: dict
) -> tuple[LinearRanker, str, dict]:
    """(ranker, chosen configuration, metrics): the tuning projects' bugs choose among the rules and one
    corpus-fitted ranker per L2; the held-out projects are scored once, at the end."""
    if not selection_path.is_file():
        raise SystemExit(f"{selection_path}: selection file not found")
    real_rows = select_locate_rows(read_jsonl(selection_path), include_assertions=args.include_assertions)
    held_out = set(args.held_out_projects)
    tuning_rows = [row for row in real_rows if row.get("project") not in held_out]
    tuning, unreachable = ranking_examples(tuning_rows, app_packages=args.app_packages)
    logger.info(
        "%s: %d usable rows; %d tuning rows contain their fix (%d do not); held out: %s",
        selection_path, len(real_rows), len(tuning), unreachable, ", ".join(sorted(held_out)),
    )
    if not tuning:
        raise SystemExit(f"{selection_path}: no tuning-project row whose trace contains its fixed method")
    ranker, table = select_configuration(args, corpus, tuning)
    chosen = table[0]["config"]
    for row in table:
        logger.info("tuning bugs %-17s acc@1 %.3f mrr %.3f", row["config"], row["tuning_acc@1"], row["tuning_mrr"])
    app_packages = args.app_packages or None  # None: each trace's own packages
    report = evaluate_locate(real_rows, ranker, args.held_out_projects, app_packages)
    print_evaluation(report, chosen, selection_path)
    training_info["selection_file"] = f"{selection_path} sha256:{file_sha256(selection_path)[:16]}"
    return ranker, chosen, {"selection": table, "real": {name: report[name] for name in ("tuning", "held_out", "all")}}


def main(argv: list[str] | None = None) -> None:
    # 1. Build: arguments (config file < command line) and logging. (No resume rule: a ranker has no checkpoints
    # and trains in about a minute.)
    configure_console()  # progress bars on a terminal only; no library chatter (utils/console.py)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    (args,) = parse_args_with_config(HfArgumentParser(LocatorArguments), argv)
    if not args.l2 >= 0:  # a negative pull diverges: weights of 1e158 were saved as a ranker
        raise SystemExit(f"--l2 must be 0 or more, got {args.l2}")
    check_output_folder(args.output_dir)
    started = time.time()

    # 2. Data: the corpus rows whose trace contains their fault frame.
    corpus, training_info = load_corpus_examples(args)

    # 3.-5. Train (fit with --l2) or, with a selection file, choose a configuration and evaluate it on real bugs.
    selection_path = optional_path(args.selection_file)
    metrics: dict = {}
    if selection_path is None:
        ranker = fit_ranker(corpus, l2=args.l2)
        chosen = f"corpus l2={args.l2}"
    else:
        ranker, chosen, metrics = select_on_real_rows(args, corpus, selection_path, training_info)
    logger.info("chosen: %s", chosen)

    # 6. Save: ranker.json and analyzer_metadata.json (utils/models/metadata.py LocatorMetadata), the results.
    metrics.update({"chosen": chosen, "train_seconds": round(time.time() - started, 1)})
    kind = "rules" if chosen == "rules" else "learned"
    metadata = {"kind": kind, "l2": ranker.metadata.get("l2")}
    ranker = LinearRanker(dict(ranker.weights), metadata, tuple(args.app_packages))
    save_ranker(
        ranker,
        args.output_dir,
        {
            "base_model": "linear listwise ranker over frame features (utils/locate.py)",
            "feature_names": list(FEATURE_NAMES),
            "held_out_projects": list(args.held_out_projects),
            "training": training_info,
            "arguments": vars(args),
            "metrics": metrics,
        },
    )
    write_json_atomic(Path(args.output_dir) / "locate_results.json", metrics)
    logger.info("saved the ranker to %s (%.1fs)", args.output_dir, time.time() - started)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
