"""Train the frame ranker ("where to fix"): a listwise linear model over frame features, pulled towards the rules.

    python train_locator.py configs/locate.yaml
    python train_locator.py configs/locate.yaml --real_file none          # synthetic corpus only

Training data: the synthetic corpus (`meta.fault` is the true faulty frame) and, when present, real failing-test
rows with `fix_methods` (Bugs.jar dev set) of the *tuning* projects only. The projects in `held_out_projects`
never inform any choice: the L2 strength and the synthetic weight are picked by cross-validation over the tuning
projects' bugs, and the held-out projects are scored once, at the end, next to the naive baseline and the rules.
Everything runs on CPU in well under a minute; the saved ranker is a small JSON file (no torch at prediction time).
"""

from __future__ import annotations

import logging
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from transformers import HfArgumentParser

from utils.checkpoints import file_sha256, write_json_atomic
from utils.data import read_jsonl
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
from utils.training import parse_args_with_config

logger = logging.getLogger("train_locator")


@dataclass
class LocatorArguments:
    corpus_file: str | None = field(
        default="data/corpus/train.jsonl",
        metadata={"help": "Synthetic corpus JSONL whose meta.fault names the faulty frame ('none': do not use)."},
    )
    real_file: str | None = field(
        default="../shared/data/bugsjar_dev.jsonl",
        metadata={"help": "Real JSONL with fix_methods/project/bug_id ('none' or missing: synthetic only)."},
    )
    held_out_projects: list[str] = field(
        default_factory=lambda: ["commons-math", "flink", "wicket"],
        metadata={"help": "Projects of real_file never used for training or selection; scored apart at the end."},
    )
    include_assertions: bool = field(
        default=False,
        metadata={
            "help": "Also use failing tests that are assertion failures (off: their trace "
            "shows the test's check, not the faulty code)."
        },
    )
    l2_grid: list[float] = field(
        default_factory=lambda: [0.01, 0.03, 0.1, 0.3, 1.0, 100.0],
        metadata={"help": "L2 pulls towards the rule weights to choose from (large = the rules)."},
    )
    synthetic_weight_grid: list[float] = field(
        default_factory=lambda: [0.0, 0.3, 1.0],
        metadata={"help": "Total weight of synthetic rows relative to the real training bugs, to choose from."},
    )
    default_l2: float = field(default=0.1, metadata={"help": "L2 used when there is no real data to select with."})
    folds: int = field(default=5, metadata={"help": "Cross-validation folds over the tuning projects' bugs."})
    max_corpus_rows: int | None = field(default=5000, metadata={"help": "Use at most N corpus rows."})
    output_dir: str = field(default="models/locate", metadata={"help": "Where ranker.json and metadata go."})
    seed: int = field(default=42, metadata={"help": "Seed of the fold assignment and corpus subsampling."})


def optional_path(value: str | None) -> Path | None:
    return None if value in (None, "", "none", "None") else Path(value)


def weighted(examples: list[RankingExample], total: float) -> list[RankingExample]:
    """Copies whose weights sum to `total` (keeping their proportions)."""
    current = sum(example.weight for example in examples) or 1.0
    return [RankingExample(e.features, e.hits, e.group, e.weight * total / current) for e in examples]


def fold_accuracy(ranker: LinearRanker, examples: list[RankingExample]) -> tuple[float, float]:
    """(acc@1, MRR) over the examples, each bug counting once."""
    total = sum(example.weight for example in examples)
    ranks = [(first_hit_rank(example, ranker), example.weight) for example in examples]
    return (
        sum(weight for rank, weight in ranks if rank == 0) / total,
        sum(weight / (rank + 1) for rank, weight in ranks) / total,
    )


def select(args: LocatorArguments, real: list[RankingExample], synthetic: list[RankingExample]) -> list[dict]:
    """Cross-validated (l2, synthetic weight) grid over the tuning bugs, plus the rules; best first."""
    groups = sorted({example.group for example in real})
    random.Random(args.seed).shuffle(groups)
    fold_of = {group: index % args.folds for index, group in enumerate(groups)}
    rules_scores = [fold_accuracy(RULES, [e for e in real if fold_of[e.group] == k]) for k in range(args.folds)]
    table = [
        {"config": "rules", "acc@1": mean([s[0] for s in rules_scores]), "mrr": mean([s[1] for s in rules_scores])}
    ]
    synthetic_grid = args.synthetic_weight_grid if synthetic else [0.0]
    for synthetic_weight in synthetic_grid:
        for l2 in args.l2_grid:
            scores = []
            for fold in range(args.folds):
                train = [e for e in real if fold_of[e.group] != fold]
                train_weight = sum(e.weight for e in train)
                if synthetic_weight > 0:
                    train = train + weighted(synthetic, synthetic_weight * train_weight)
                ranker = fit_ranker(train, l2=l2)
                scores.append(fold_accuracy(ranker, [e for e in real if fold_of[e.group] == fold]))
            table.append(
                {
                    "config": f"l2={l2} synthetic={synthetic_weight}",
                    "l2": l2,
                    "synthetic_weight": synthetic_weight,
                    "acc@1": mean([s[0] for s in scores]),
                    "mrr": mean([s[1] for s in scores]),
                }
            )
    # Ties go to the rules, then to the stronger pull towards them (the simpler model).
    order = {id(row): index for index, row in enumerate(table)}
    return sorted(table, key=lambda row: (-round(row["acc@1"], 6), -round(row["mrr"], 6), order[id(row)]))


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def main() -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    (args,) = parse_args_with_config(HfArgumentParser(LocatorArguments))
    started = time.time()
    data_files: dict[str, str] = {}

    synthetic: list[RankingExample] = []
    corpus_path = optional_path(args.corpus_file)
    if corpus_path is not None and corpus_path.is_file():
        corpus_rows = select_locate_rows(read_jsonl(corpus_path, required_fields=("log",)), include_assertions=True)
        random.Random(args.seed).shuffle(corpus_rows)
        corpus_rows = corpus_rows[: args.max_corpus_rows] if args.max_corpus_rows else corpus_rows
        synthetic, unreachable = ranking_examples(corpus_rows, group_field="id")
        logger.info(
            "%s: %d rows with a fault frame, %d used, %d whose fault is not a candidate",
            corpus_path,
            len(corpus_rows),
            len(synthetic),
            unreachable,
        )
        data_files["corpus_file"] = f"{corpus_path} sha256:{file_sha256(corpus_path)[:16]}"
    elif corpus_path is not None:
        logger.warning("%s: not found; training without synthetic rows", corpus_path)

    real_path = optional_path(args.real_file)
    tuning_rows: list[dict] = []
    real_rows: list[dict] = []
    if real_path is not None and real_path.is_file():
        real_rows = select_locate_rows(read_jsonl(real_path), include_assertions=args.include_assertions)
        tuning_rows = [row for row in real_rows if row.get("project") not in set(args.held_out_projects)]
        logger.info(
            "%s: %d usable rows, %d from tuning projects (held out: %s)",
            real_path,
            len(real_rows),
            len(tuning_rows),
            ", ".join(args.held_out_projects),
        )
        data_files["real_file"] = f"{real_path} sha256:{file_sha256(real_path)[:16]}"
    elif real_path is not None:
        logger.warning("%s: not found; selecting without real data", real_path)
    real, _ = ranking_examples(tuning_rows)

    if not real and not synthetic:
        raise SystemExit(
            "No training data: neither the corpus nor the real file gave a row whose trace contains "
            "its faulty method (build the corpus first: make corpus-quick)."
        )
    if real:
        table = select(args, real, synthetic)
        for row in table:
            logger.info("cv %-28s reachable bugs: acc@1 %.3f  mrr %.3f", row["config"], row["acc@1"], row["mrr"])
        best = table[0]
    else:
        table = []
        best = {"config": f"l2={args.default_l2} synthetic=1.0", "l2": args.default_l2, "synthetic_weight": 1.0}
    logger.info("chosen: %s", best["config"])

    if best["config"] == "rules":
        ranker = LinearRanker(dict(RULES.weights), {"kind": "rules"})
    else:
        train = list(real)
        if synthetic and best["synthetic_weight"] > 0:
            total_real = sum(e.weight for e in real) or float(len(synthetic))
            train += weighted(synthetic, best["synthetic_weight"] * total_real)
        ranker = fit_ranker(train, l2=best["l2"])

    metrics: dict = {"selection": table, "chosen": best["config"], "train_seconds": round(time.time() - started, 1)}
    if real_rows:
        report = evaluate_locate(real_rows, ranker, held_out_projects=args.held_out_projects)
        rules_report = evaluate_locate(real_rows, None, held_out_projects=args.held_out_projects)
        print(f"\nRanker ({best['config']}) on {real_path}:\n{format_locate_report(report)}")
        print(f"\nRules alone:\n{format_locate_report(rules_report)}\n")
        for name in ("tuning", "held_out"):
            block = report[name]
            print(
                f"{name}: acc@1 naive {block['naive']['acc@1']:.3f} -> ranker {block['ranker']['acc@1']:.3f} "
                f"(ceiling {block['reachable']:.3f}, gap closed {gap_closed(block):.0%}; rules alone "
                f"{rules_report[name]['ranker']['acc@1']:.3f}); acc@3 {block['naive']['acc@3']:.3f} -> "
                f"{block['ranker']['acc@3']:.3f}"
            )
        metrics["real"] = report
        metrics["real_rules_only"] = rules_report

    save_ranker(
        ranker,
        args.output_dir,
        {
            "base_model": "linear listwise ranker over frame features (utils/locate.py)",
            "feature_names": list(FEATURE_NAMES),
            "held_out_projects": list(args.held_out_projects),
            "training": {"real_examples": len(real), "synthetic_examples": len(synthetic), **data_files},
            "arguments": vars(args),
            "metrics": {key: value for key, value in metrics.items() if key != "real_rules_only"},
        },
    )
    write_json_atomic(Path(args.output_dir) / "locate_results.json", metrics)
    logger.info("saved the ranker to %s (%.1fs)", args.output_dir, time.time() - started)


if __name__ == "__main__":
    sys.exit(main())
