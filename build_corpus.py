"""Build the training corpus: synthetic Java failure logs for every label, split by held-out templates (with
`--real_logs`, real rows split by source, the synthetic training rows drawn from every template by default).

    python build_corpus.py                                   # ~20k rows -> data/corpus/{train,validation,test}.jsonl
    python build_corpus.py --quick                           # ~2k rows (demo, tests)
    python build_corpus.py --size 50000 --seed 7 --language ko
    python build_corpus.py --compare_with ../shared/data/bugsjar_dev.jsonl   # + realism statistics side by side
    python build_corpus.py --import_bugsjar ~/bugs-dot-jar/accumulo          # -> data/corpus/bugsjar.jsonl
    python build_corpus.py --import_defects4j ~/defects4j                     # -> data/corpus/defects4j.jsonl
    python build_corpus.py my_corpus.yaml                    # options from a yaml/json file; CLI options override
    python build_corpus.py --real_logs logs/ app.jsonl       # + your own logs, labelled by the parser, mixed in
    python build_corpus.py --production_log 200MB --output runs/production/app.log   # + app.log.truth.json

What is drawn and how often (class balance, code bases, contexts, JDKs, log styles, variants) lives in
configs/corpus.yaml (`--generator_config`). Output is deterministic for a given config, size, seed and language.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from transformers import HfArgumentParser

from utils.args import CORPUS_DIR, parse_args_with_config
from utils.atomic import check_output_folder, check_output_paths, write_json_atomic, write_jsonl_atomic
from utils.console import configure_console
from utils.corpus.generate import GeneratorConfig, corpus_stats, generate_corpus, write_corpus
from utils.corpus.importers import import_bugsjar, import_defects4j
from utils.corpus.real_logs import (
    REAL_LOGS_REPORT,
    SYNTHETIC_TEMPLATES,
    RealLogsOptions,
    import_real_logs,
    mix_with_synthetic,
    templates_used,
)
from utils.corpus.realism import format_comparison, log_statistics
from utils.labels import LabelSet, load_label_set
from utils.parsing.log_sources import InputError
from utils.pipeline.outputs import replacing
from utils.stage1.data import JsonlError, read_jsonl
from utils.yaml_files import ConfigFileError

logger = logging.getLogger("build_corpus")
QUICK_SIZE = 2000


@dataclass
class CorpusArguments:
    output_dir: str = field(
        default=CORPUS_DIR, metadata={"help": "Where train/validation/test.jsonl and stats.json go."}
    )
    size: int = field(default=20000, metadata={"help": "Rows to generate (all splits together)."})
    quick: bool = field(
        default=False, metadata={"help": f"Generate {QUICK_SIZE} rows (demo and tests), whatever --size says."}
    )
    seed: int = field(
        default=42, metadata={"help": "Seed: the same seed, size, language and config give the same corpus."}
    )
    language: Literal["mixed", "en", "ko"] = field(
        default="mixed",
        metadata={"help": "Language of guidance and application log messages (mixed: ko_fraction Korean)."},
    )
    generator_config: str = field(
        default="configs/corpus.yaml", metadata={"help": "The generator's tables (class weights, mixes)."}
    )
    import_bugsjar: str | None = field(
        default=None, metadata={"help": "Import a Bugs.jar checkout (dirs with .bugs-dot-jar/) instead of generating."}
    )
    import_defects4j: str | None = field(
        default=None,
        metadata={"help": "Import a Defects4J checkout (framework/projects/*/trigger_tests) instead of generating."},
    )
    compare_with: str | None = field(
        default=None,
        metadata={"help": "A JSONL of real logs (field `log`): print and save realism statistics side by side."},
    )
    compare_rows: int = field(default=2000, metadata={"help": "Rows of each side used for --compare_with."})
    real_logs: list[str] | None = field(
        default=None,
        metadata={"help": "Real logs (JSONL with `log`, log files, directories): every trace whose root-cause class "
                          "the parser reads becomes a row labelled through configs/labels.yaml, repeats collapsed, "
                          "split by source (`project`/`source` field, else file), mixed with the synthetic rows."},
    )
    synthetic_per_real: float = field(
        default=6.0,
        metadata={"help": "Synthetic rows kept per real row in each split that has real rows (-1: all of them). 6 "
                          "beat 0.5 and 2 on the validation projects of the cross-project protocol (docs/RESULTS.md)."},
    )
    real_repeat: int = field(
        default=1,
        metadata={"help": "With --real_logs, each real training row that is not an assertion failure appears this "
                          "many times (training masks each copy by its own draw)."},
    )
    synthetic_templates: str = field(
        default="all",
        metadata={"help": "With --real_logs, which templates' synthetic rows train beside the real ones: all (every "
                          "template; the other splits keep the rows training did not draw, so with "
                          "--synthetic_per_real -1 only their real rows) or held_out (the training templates only, "
                          "as without --real_logs). all typed 87 of 124 distinct failures of unseen training "
                          "projects against 77 (docs/measurements/stage1.md).",
                  "choices": list(SYNTHETIC_TEMPLATES)},
    )
    real_validation_fraction: float = field(
        default=RealLogsOptions.validation_fraction,
        metadata={"help": "Share of real rows (whole sources) put in the validation split."},
    )
    real_test_fraction: float = field(
        default=0.0, metadata={"help": "Share of real rows (whole sources) put in the test split."}
    )
    exclude_sources: list[str] | None = field(
        default=None, metadata={"help": "Real-log sources (projects) left out entirely, e.g. a protocol's tests."}
    )
    redact: bool = field(
        default=True,
        metadata={"help": "Replace PII (cards, RRNs, accounts, e-mails, phones, tokens, passwords) in real logs "
                          "before anything is written (--redact false to keep them)."},
    )
    redact_ip_addresses: bool = field(default=False, metadata={"help": "Also replace IP addresses by <IP>."})
    production_log: str | None = field(
        default=None,
        metadata={"help": "Write a production-like log of this size (e.g. 200MB, 1GB) to --output instead of a "
                          "corpus: INFO lines and a few hundred distinct failures repeated with varying timestamps, "
                          "ids, values and threads, plus <output>.truth.json with the true per-failure counts "
                          "(configs/production_log.yaml)."},
    )
    production_config: str = field(
        default="configs/production_log.yaml", metadata={"help": "Tables of --production_log's lines."}
    )
    output: str | None = field(default=None, metadata={"help": "The log file --production_log writes."})


def run_production_log(args: CorpusArguments) -> None:
    from utils.corpus.production_log import ProductionLogConfig, parse_size, write_production_log

    if not args.output:
        raise SystemExit("--production_log needs --output PATH (the log file to write)")
    outputs = {"--output": args.output, "--output's truth": f"{args.output}.truth.json"}
    try:  # before the minutes a large log takes: a directory, or a file where the folder would be, fails now
        replaced = check_output_paths(outputs)
        size = parse_size(args.production_log)
        config = ProductionLogConfig.from_yaml(args.production_config)
    except (ValueError, OSError) as error:
        raise SystemExit(str(error)) from error
    start = time.perf_counter()
    truth = write_production_log(args.output, size, seed=args.seed, config=config)
    logger.info("wrote %s: %d bytes, %d lines, %d traces of %d distinct failures in %.1f s (truth: %s.truth.json)%s",
                args.output, truth["bytes"], truth["lines"], truth["traces"], truth["distinct_failures"],
                time.perf_counter() - start, args.output,
                f" (it replaced what was there: {', '.join(replaced)})" if replaced else "")


def run_imports(args: CorpusArguments) -> None:
    label_set = load_label_set()
    for name, path, importer in (
        ("bugsjar", args.import_bugsjar, import_bugsjar),
        ("defects4j", args.import_defects4j, import_defects4j),
    ):
        if not path:
            continue
        try:
            report = importer(path, label_set)
        except FileNotFoundError as error:
            raise SystemExit(str(error)) from error
        if not report.rows:  # a wrong directory: say so, and leave an earlier import's file as it was
            first = f"; first: {report.skipped[0]}" if report.skipped else ""
            raise SystemExit(f"--import_{name} {path}: no row could be imported ({len(report.skipped)} skipped"
                             f"{first}); nothing written")
        target = str(Path(args.output_dir) / f"{name}.jsonl")
        replaced = check_output_paths({f"--import_{name}'s rows": target})
        write_jsonl_atomic(target, report.rows)
        logger.info("%s: %s -> %s%s", name, json.dumps(report.summary(), ensure_ascii=False), target,
                    replacing(target, replaced))
        for reason in report.skipped[:20]:
            logger.warning("skipped %s", reason)
        if len(report.skipped) > 20:
            logger.warning("... and %d more skipped (see the counts above)", len(report.skipped) - 20)


def comparison_logs(path: str) -> tuple[list[str], list[str]]:
    """`--compare_with`'s logs and its skipped lines (`file:line: reason`), read before the corpus is built: a file
    that cannot be compared stops the run before it replaces anything."""
    try:
        rows = read_jsonl(path, required_fields=("log",), skip_invalid=True)
    except JsonlError as error:
        raise SystemExit(f"--compare_with {error}") from error
    skipped = list(rows.skipped)
    logs = []
    for row, number in zip(rows, rows.line_numbers, strict=True):
        if isinstance(row["log"], str) and row["log"].strip():
            logs.append(row["log"])
        else:
            skipped.append(f"{path}:{number}: field 'log' is not a non-empty string")
    if not logs:
        raise SystemExit(f"--compare_with {path}: no row with a log ({len(skipped)} invalid line(s) skipped)")
    if skipped:
        logger.warning("--compare_with: skipped %d invalid line(s), first: %s", len(skipped), skipped[0])
    return logs, skipped


def compare(args: CorpusArguments, splits: dict[str, list[dict]], real: tuple[list[str], list[str]]) -> None:
    logs, skipped = real
    sample = random.Random(args.seed).sample(
        [row["log"] for rows in splits.values() for row in rows],
        k=min(args.compare_rows, sum(len(rows) for rows in splits.values())),
    )
    columns = {
        "real": log_statistics(logs[: args.compare_rows]),
        "synthetic": log_statistics(sample),
    }
    print(format_comparison(columns))
    write_json_atomic(Path(args.output_dir) / REALISM_REPORT,
                      {"compared_with": str(args.compare_with), "skipped_lines": skipped, **columns})


def add_real_logs(args: CorpusArguments, splits: dict[str, list[dict]],
                  label_set: LabelSet) -> tuple[dict[str, list[dict]], dict[str, Any]]:
    """`splits` mixed with the parser-labelled rows of `--real_logs`, and the report of what was read and skipped
    (printed here; saved beside the corpus once the corpus is written)."""
    redactor = None
    if args.redact:
        from utils.redact import RedactOptions, Redactor

        redactor = Redactor(RedactOptions(ip_addresses=args.redact_ip_addresses))
    options = RealLogsOptions(
        validation_fraction=args.real_validation_fraction, test_fraction=args.real_test_fraction,
        exclude_sources=tuple(args.exclude_sources or ()), seed=args.seed,
    )
    try:
        real = import_real_logs(args.real_logs, label_set, options, redactor.redact if redactor else None,
                                leave_out=[str(Path(args.output_dir) / name) for name in CORPUS_FILES])
    except InputError as error:
        raise SystemExit(str(error)) from error
    if not any(real.splits.values()):  # why: every skip and its reason, before the one-line error
        print(real.skips.summary(), file=sys.stderr)
        raise SystemExit(f"--real_logs: no trace with a readable exception class in {', '.join(args.real_logs)}")
    print(real.format())
    try:
        mixed = mix_with_synthetic(splits, real.splits, args.synthetic_per_real, args.seed, args.synthetic_templates,
                                   args.real_repeat)
    except ValueError as error:
        raise SystemExit(f"--real_logs: {error}") from error
    report = {**real.summary(), "redacted": dict(redactor.counts) if redactor else "off",
              "synthetic_per_real": args.synthetic_per_real, "real_repeat": args.real_repeat,
              "synthetic_templates": templates_used(args.synthetic_templates, real.splits),
              "real_validation_fraction": args.real_validation_fraction}
    return mixed, report


# what a run writes into --output_dir (never read back as real logs)
REALISM_REPORT = "realism.json"
CORPUS_FILES = ("train.jsonl", "validation.jsonl", "test.jsonl", "stats.json", REAL_LOGS_REPORT, REALISM_REPORT)


def remove_stale_reports(args: CorpusArguments) -> None:
    """An earlier build's reports, before the corpus is replaced: they describe a corpus that is going, and those
    this build writes again come after the corpus (a run that fails between would leave the old ones beside it)."""
    for name, written in ((REAL_LOGS_REPORT, bool(args.real_logs)), (REALISM_REPORT, bool(args.compare_with))):
        stale = Path(args.output_dir) / name
        if stale.exists():
            stale.unlink()
            if not written:
                logger.info("removed %s: it described the corpus this build replaces", stale)


def check_arguments(args: CorpusArguments) -> None:
    """What can be wrong with the arguments, said before anything is read or generated (one line)."""
    check_output_folder(args.output_dir)
    if not args.real_logs:
        return
    fractions = (args.real_validation_fraction, args.real_test_fraction)
    if not all(0 <= fraction < 1 for fraction in fractions) or sum(fractions) >= 1:
        raise SystemExit(f"--real_validation_fraction and --real_test_fraction must each be in [0, 1) and leave rows "
                         f"to train on, got {fractions[0]} and {fractions[1]}")
    ratio = args.synthetic_per_real
    if not math.isfinite(ratio) or not (ratio >= 0 or ratio == -1):
        raise SystemExit(f"--synthetic_per_real must be 0 or more, or -1 (all of them), got {ratio}")
    if args.real_repeat < 1:
        raise SystemExit(f"--real_repeat must be at least 1, got {args.real_repeat}")


def main(argv: list[str] | None = None) -> None:
    configure_console()  # progress bars on a terminal only; no library chatter (utils/console.py)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    (args,) = parse_args_with_config(HfArgumentParser(CorpusArguments), argv)
    modes = [option for option, given in (("--production_log", args.production_log), ("--import_bugsjar / "
             "--import_defects4j", args.import_bugsjar or args.import_defects4j), ("--real_logs", args.real_logs))
             if given]
    if len(modes) > 1:  # each writes something else: one would be ignored without a word
        raise SystemExit(f"{' and '.join(modes)} are separate runs of build_corpus.py; give one of them")
    if args.production_log:
        run_production_log(args)
        return
    if args.import_bugsjar or args.import_defects4j:
        run_imports(args)
        return
    check_arguments(args)
    comparison = comparison_logs(args.compare_with) if args.compare_with else None
    config_path = Path(args.generator_config)
    if not config_path.is_file():
        raise SystemExit(f"{config_path}: generator config not found")
    try:
        config = GeneratorConfig.from_yaml(config_path)
    except ConfigFileError as error:
        raise SystemExit(str(error)) from None
    label_set = load_label_set()
    size = QUICK_SIZE if args.quick else args.size
    if size < 1:
        raise SystemExit(f"--size must be positive, got {size}")
    start = time.perf_counter()
    splits = generate_corpus(size=size, seed=args.seed, language=args.language, config=config, label_set=label_set)
    real_report = None
    if args.real_logs:
        splits, real_report = add_real_logs(args, splits, label_set)
    stats = corpus_stats(splits, label_set)
    stats["build"] = {
        "size": size,
        "seed": args.seed,
        "language": args.language,
        "generator_config": str(config_path),
        "generator_config_sha256": hashlib.sha256(config_path.read_bytes()).hexdigest(),
        "label_set_fingerprint": label_set.fingerprint(),
        "seconds": round(time.perf_counter() - start, 2),
    }
    replaced = (Path(args.output_dir) / "train.jsonl").exists()
    remove_stale_reports(args)
    paths = write_corpus(args.output_dir, splits, stats)
    if real_report is not None:  # after the corpus: a run that fails leaves no report beside an earlier corpus
        write_json_atomic(Path(args.output_dir) / REAL_LOGS_REPORT, real_report)
    for split, rows in splits.items():
        held = stats["splits"][split]["templates_per_class"]
        logger.info(
            "%-10s %6d rows, %3d templates, %d/%d classes present",
            split,
            len(rows),
            len(stats["splits"][split]["templates"]),
            sum(1 for n in held.values() if n),
            len(held),
        )
    logger.info("built %d rows in %.1f s -> %s%s", sum(len(rows) for rows in splits.values()),
                stats["build"]["seconds"], paths["stats"].parent, " (it replaced the corpus that was there)"
                if replaced else "")
    if comparison is not None:
        compare(args, splits, comparison)


if __name__ == "__main__":
    main(sys.argv[1:])
