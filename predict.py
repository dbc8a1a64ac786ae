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
from dataclasses import dataclass, field
from typing import Literal

from transformers import HfArgumentParser

from utils.analyze import Analyzer, AnalyzerOptions, format_summary, to_record
from utils.atomic import write_json_atomic, write_jsonl_atomic
from utils.log_sources import InputError, read_documents


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


def main() -> int:
    args = HfArgumentParser(PredictArguments).parse_args_into_dataclasses()[0]
    started = time.perf_counter()
    try:
        documents, input_report = read_documents(args.input, args.text_field, args.id_field, strict=args.strict)
        analyzer = Analyzer(AnalyzerOptions(
            model_dirs=args.model, ensemble_weights=args.ensemble_weights, locator_dir=args.locator,
            stage2_dir=args.stage2, no_model=args.no_model, no_stage2=args.no_stage2, top_k=args.top_k,
            max_candidates=args.max_candidates, batch_size=args.batch_size, num_beams=args.num_beams,
            max_new_tokens=args.max_new_tokens, explanation_language=args.explanation_language,
            recall_threshold=args.recall_threshold, threads=args.threads, quantize=args.quantize,
        ))
    except (InputError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    results = analyzer.analyze(documents, progress=args.output is not None)
    records = [to_record(result) for result in results]
    elapsed = time.perf_counter() - started
    if args.output:
        write_jsonl_atomic(args.output, records)
        report = {"inputs": args.input, "traces": len(records), "documents": len(documents),
                  "skipped": input_report.skipped, "warnings": input_report.warnings, "models": analyzer.describe(),
                  "seconds": round(elapsed, 3)}
        write_json_atomic(f"{args.output}.report.json", report)
        print(f"wrote {len(records)} trace(s) from {len(documents)} document(s) to {args.output} "
              f"in {elapsed:.1f}s ({analyzer.describe_short()})", file=sys.stderr)
    else:
        print(format_summary(results, analyzer))
    if input_report.skipped or input_report.warnings:
        print(input_report.summary(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
