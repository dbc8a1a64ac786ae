"""Analyze Java error logs: what failed, the root cause, where to look, and how to fix it.

    python predict.py --input logs.jsonl                     # JSONL rows with a `log` field
    python predict.py --input app.log other.log --output analysis.jsonl
    cat app.log | python predict.py --input -
    python predict.py --input app.log --no-model             # parser and frame rules only

Models are found in their default places (models/stage1, models/locate, models/stage2) when present; each can be
given explicitly (a directory, a folds directory, several directories for an ensemble, or a Hub id).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field, replace
from typing import Literal

from transformers import HfArgumentParser

from utils.analyze import Analyzer, AnalyzerOptions, format_summary, to_record
from utils.atomic import write_json_atomic, write_jsonl_atomic
from utils.grouping import GroupKey, GroupTable, group_key, load_fingerprint_rules
from utils.log_sources import InputError, read_documents
from utils.redact import RedactOptions, Redactor
from utils.report import ReportMeta, choose_language, redact_groups, report_format, write_report
from utils.stacktrace import Trace


@dataclass
class PredictArguments:
    input: list[str] = field(metadata={"help": "Log files (.jsonl with a `log` field, or plain logs); `-` is stdin."})
    output: str | None = field(default=None, metadata={"help": "Write one JSON object per trace here (atomic). "
                                                               "Without it a readable summary is printed."})
    model: list[str] | None = field(default=None, metadata={
        "help": "Stage-1 model dir(s) or Hub id(s); several (or a folds dir) form an ensemble. "
                "Default: models/stage1 when it exists."})
    ensemble_weights: list[float] | None = field(default=None, metadata={
        "help": "One weight per ensemble member (default: OOF macro-F1 from metadata when known, else equal)."})
    locator: str | None = field(default=None, metadata={
        "help": "Frame-ranker dir (default: models/locate when it exists, else the built-in rules)."})
    stage2: str | None = field(default=None, metadata={
        "help": "Stage-2 explanation model dir or Hub id (default: models/stage2 when it exists)."})
    no_model: bool = field(default=False, metadata={"help": "Parser and frame rules only: load no model."})
    no_stage2: bool = field(default=False, metadata={"help": "Skip explanations even if a stage-2 model exists."})
    top_k: int = field(default=3, metadata={"help": "How many labels (with probabilities) to report."})
    max_candidates: int = field(default=5, metadata={"help": "How many ranked frames to report per trace."})
    batch_size: int = field(default=32, metadata={"help": "Stage-1 batch size."})
    num_beams: int = field(default=1, metadata={"help": "Beam size for explanations."})
    max_new_tokens: int = field(default=96, metadata={"help": "Longest explanation, in tokens."})
    explanation_language: Literal["auto", "en", "ko"] = field(default="auto", metadata={
        "help": "Language of the explanations: en, ko, or auto (ko when the log contains Hangul). A JSONL row's "
                "own `language` field wins."})
    recall_threshold: float | None = field(default=None, metadata={
        "help": "Similarity (0-1) from which a known scenario's cause and fix are shown instead of the stage-2 "
                "model's text (default: the value chosen when the model was trained; 1.01: always the model)."})
    text_field: str = field(default="log", metadata={"help": "JSONL field that holds the log text."})
    id_field: str = field(default="id", metadata={"help": "JSONL field that holds the row id."})
    strict: bool = field(default=False, metadata={"help": "Stop at the first bad input line instead of skipping "
                                                          "and counting it."})
    threads: int | None = field(default=None, metadata={"help": "torch CPU threads (default: all cores)."})
    quantize: bool = field(default=False, metadata={"help": "int8 dynamic quantization of stage 1 on CPU."})
    redact: bool = field(default=True, metadata={
        "help": "Replace PII (cards, RRNs, accounts, e-mails, phones, tokens, passwords) in everything written or "
                "printed (utils/redact.py, configs/redact.yaml); --redact false keeps the log's text as it is."})
    redact_ip_addresses: bool = field(default=False, metadata={"help": "Also replace IP addresses by <IP>."})
    groups: str | None = field(default=None, metadata={
        "help": "Also write one JSON object per group of repeated failures here (count, first/last seen, sources, "
                "reason, representative trace and its analysis); every trace record gets its `group`."})
    fingerprint_rules: str | None = field(default=None, metadata={
        "help": "YAML of user grouping rules (group as / ignore), see configs/fingerprint_rules.yaml."})
    report: str | None = field(default=None, metadata={
        "help": "Also write a report of the groups for people: report.html (one self-contained file that opens "
                "offline) or report.md (to paste into a ticket); the suffix chooses."})
    report_language: Literal["auto", "en", "ko"] = field(default="auto", metadata={
        "help": "Language of the report's labels; auto: the --explanation_language when given, else ko when most "
                "explanations (or, without any, most traces) are Korean."})
    app_packages: list[str] | None = field(default=None, metadata={
        "help": "The application's packages (e.g. com.acme): where to fix is chosen among them, overriding what "
                "is read from each trace (framework-list packages included)."})


def main() -> int:
    args = HfArgumentParser(PredictArguments).parse_args_into_dataclasses()[0]
    started = time.perf_counter()
    try:
        documents, input_report = read_documents(args.input, args.text_field, args.id_field, strict=args.strict)
        rules = load_fingerprint_rules(args.fingerprint_rules) if args.fingerprint_rules else []
        if args.report:  # a bad name fails before the analysis, not after it
            report_format(args.report)
        analyzer = Analyzer(AnalyzerOptions(
            model_dirs=args.model, ensemble_weights=args.ensemble_weights, locator_dir=args.locator,
            stage2_dir=args.stage2, no_model=args.no_model, no_stage2=args.no_stage2, top_k=args.top_k,
            max_candidates=args.max_candidates, batch_size=args.batch_size, num_beams=args.num_beams,
            max_new_tokens=args.max_new_tokens, explanation_language=args.explanation_language,
            recall_threshold=args.recall_threshold, threads=args.threads, quantize=args.quantize,
        ))
        if args.app_packages:  # the ranker (or the rules) carries the packages to every trace it ranks
            from utils.locate import with_app_packages

            analyzer.ranker = with_app_packages(analyzer.ranker, args.app_packages)
    except (InputError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    # Redacted before analysis, as training data is (utils/data.py): the models see what they were trained on.
    redactor = Redactor(RedactOptions(ip_addresses=args.redact_ip_addresses)) if args.redact else None
    if redactor is not None:
        documents = [replace(document, text=redactor.redact(document.text)) for document in documents]
    keys: dict[int, GroupKey] = {}  # by trace identity: each trace's key is computed once

    def group_of(trace: Trace) -> str | None:
        if id(trace) not in keys:
            keys[id(trace)] = group_key(trace, rules)
        return keys[id(trace)].id

    # Repeats of one failure are analysed once (stage 1, locator, stage 2) and share that analysis.
    results = analyzer.analyze(documents, progress=args.output is not None, group_of=group_of)
    records = [to_record(result) for result in results]
    table = GroupTable()
    for result, record in zip(results, records):
        if result.trace.has_exception:
            key = keys[id(result.trace)]
            record["group"] = key.id
            table.add(key, record, result.trace.text)
    if redactor is not None:  # ids and sources too: nothing of the input leaves the process unredacted
        records = redactor.redact_value(records)
    elapsed = time.perf_counter() - started
    groups = redact_groups(table.records(), redactor) if args.groups or args.report else []
    if args.groups:
        write_jsonl_atomic(args.groups, groups)
        print(f"wrote {len(groups)} group(s) of {sum(group['count'] for group in groups)} trace(s) to {args.groups}"
              + (f" ({table.ignored} ignored by fingerprint rules)" if table.ignored else ""), file=sys.stderr)
    if args.report:
        language = choose_language(groups, args.report_language, args.explanation_language)
        write_report(groups, args.report, language, ReportMeta(analyzed=len(records), ignored=table.ignored))
        print(f"wrote a report of {len(groups)} group(s) to {args.report} ({language})", file=sys.stderr)
    if args.output:
        write_jsonl_atomic(args.output, records)
        report = {"inputs": args.input, "traces": len(records), "documents": len(documents),
                  "skipped": input_report.skipped, "warnings": input_report.warnings, "models": analyzer.describe(),
                  "seconds": round(elapsed, 3), "redacted": dict(redactor.counts) if redactor else "off"}
        write_json_atomic(f"{args.output}.report.json", report)
        print(f"wrote {len(records)} trace(s) from {len(documents)} document(s) to {args.output} "
              f"in {elapsed:.1f}s ({analyzer.describe_short()})", file=sys.stderr)
    else:
        summary = format_summary(results, analyzer)
        print(redactor.redact(summary) if redactor is not None else summary)
    if input_report.skipped or input_report.warnings:
        print(input_report.summary(), file=sys.stderr)
    if not documents:
        # Every input was skipped or unreadable: nothing was analyzed, which a calling script must not take for a
        # clean run (the reasons are listed above and in the report file).
        print("error: no input could be analyzed", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
