"""What ROUGE-L an explanation gets on the corpus's held-out templates without knowing the scenario: baselines
that use no model, scored like train_stage2.py scores stage 2 (true type and location given, ROUGE-L per row).

    python scripts/stage2_baselines.py                    # corpus test split (first 1,000 rows, as stage 2 is scored)
    python scripts/stage2_baselines.py --predictions models/stage2/test_predictions.jsonl   # + a model's lines
    python scripts/stage2_baselines.py --model models/stage2 --test_file /tmp/seen/train.jsonl --max_rows 500

Each baseline keeps every row's true type and location and only chooses the cause and fix:
- fields_only: both left empty
- extractive: cause = "<method>: <root message>" read from the trace, fix empty
- class_text: per (label, language), the training row's cause/fix (its method name swapped for the row's) that
  scores best on the validation rows of that label and language (templates held out from training, like the test
  split's), applied to the test rows: the best a model can do that writes one text per type
- nearest_template: the cause/fix of the most similar training row of the same type and language (TF-IDF over
  label, root exception, message and the top frames' methods: stage 2's scenario memory), method name swapped
  in: what a retrieval-augmented model is shown, and what one that only copies it writes
- type_template: the type-level text of configs/explanations.yaml filled from the row's trace (what predict.py
  falls back to), grounded by construction
- with --oracles, two upper bounds chosen knowing each row's reference: oracle_known_text (the best training
  text of the row's type and language) and oracle_extractive (the reference's words that occur in the log)

Writes <output_dir>/report.json and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from utils.atomic import write_json_atomic  # noqa: E402
from utils.evaluation.generation_metrics import evaluate_explanations, rouge_l, rouge_l_scores, rouge_words  # noqa: E402
from utils.parsing.stacktrace import Trace, parse_log  # noqa: E402
from utils.stage1.data import read_jsonl  # noqa: E402
from utils.stage2.explanations import trace_slots  # noqa: E402
from utils.stage2.guidance import format_guidance, parse_guidance  # noqa: E402
from utils.stage2.scenarios import METHOD_SLOT, ScenarioMemory, scenario_text, with_method_slot  # noqa: E402
from utils.stage2.seq2seq import build_scenario_memory, fault_frame, row_language, select_trace  # noqa: E402


def _trace(row: dict[str, Any]) -> Trace:
    return select_trace(parse_log(row["log"]), (row.get("meta") or {}).get("root_exception"))


def _method(row: dict[str, Any], trace: Trace | None = None) -> str:
    frame = fault_frame(trace or _trace(row), (row.get("meta") or {}).get("fault"), row.get("guidance"))
    return frame.method if frame else ""


def with_text(row: dict[str, Any], cause: str, fix: str) -> str:
    """The row's guidance with its true type and location and the given cause/fix (method placeholder filled)."""
    fields = parse_guidance(row["guidance"])
    method = _method(row)
    return format_guidance(fields.get("type", row["label"]), cause.replace(METHOD_SLOT, method),
                           fields.get("location", ""), fix.replace(METHOD_SLOT, method))


def fields_only(row: dict[str, Any]) -> str:
    return with_text(row, "", "")


def extractive(row: dict[str, Any]) -> str:
    trace = _trace(row)
    root = trace.root_cause
    message = (root.message or "").strip().splitlines()[0][:160] if root and root.message else ""
    method = _method(row, trace)
    return with_text(row, f"{method}: {message}" if method else message, "")


def _template_text(row: dict[str, Any]) -> tuple[str, str]:
    """A training row's (cause, fix) with its method name replaced by the placeholder."""
    fields, method = parse_guidance(row["guidance"]), _method(row)
    return with_method_slot(fields.get("cause", ""), method), with_method_slot(fields.get("fix", ""), method)


def class_texts(train: list[dict[str, Any]], validation: list[dict[str, Any]], candidates: int = 150,
                rows_per_class: int = 40, seed: int = 0) -> dict[tuple[str, str], tuple[str, str]]:
    """Per (label, language): the training (cause, fix) with the best mean ROUGE-L on that key's validation rows."""
    pool: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for row in train:
        pool[(row["label"], row_language(row))].add(_template_text(row))
    held_out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in validation:
        held_out[(row["label"], row_language(row))].append(row)
    chooser = random.Random(seed)
    chosen = {}
    for key, texts in pool.items():
        rows = held_out.get(key, [])[:rows_per_class]
        if not rows:
            continue
        options = sorted(texts)
        chooser.shuffle(options)
        references = [row["guidance"] for row in rows]
        chosen[key] = max(options[:candidates], key=lambda text: rouge_l(
            [with_text(row, *text) for row in rows], references))
    return chosen


def nearest_template(train: list[dict[str, Any]]) -> Callable[[dict[str, Any]], str]:
    """A function row -> guidance that borrows the cause/fix of the most similar training row of the same type and
    language: stage 2's scenario memory (utils/stage2/scenarios.py), the recall a retrieval-augmented model is shown."""
    memory = build_scenario_memory(train)

    def borrow(row: dict[str, Any]) -> str:
        trace = _trace(row)
        frame = fault_frame(trace, (row.get("meta") or {}).get("fault"), row.get("guidance"))
        recall = memory.recall(scenario_text(trace, row["label"]), row["label"], row_language(row),
                               slots=trace_slots(trace, frame)[0])
        return with_text(row, recall.cause, recall.fix) if recall else fields_only(row)

    return borrow


def model_lines(model_dir: str, rows: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(what the user sees, the model's own text) for `rows` given their true type and location, as train_stage2.py
    scores its test split: a known scenario's text where its similarity reaches the model's recall threshold."""
    from utils.stage2.seq2seq import checked_explanations, load_explainer, shown_explanations, stage2_example

    model, tokenizer, metadata = load_explainer(model_dir)
    input_options, generation = metadata.input_options, metadata.generation
    memory = ScenarioMemory.load(model_dir) if input_options.retrieval else None
    examples = [stage2_example(row, max_frames=input_options.max_frames, language_tag=input_options.language_tag,
                               memory=memory) for row in rows]
    types, locations = [e.label for e in examples], [e.location for e in examples]
    own = checked_explanations(model, tokenizer, [e.source for e in examples], types, locations, batch_size=32,
                               max_new_tokens=generation.max_new_tokens,
                               max_cause_tokens=generation.max_cause_tokens)[1]
    shown = shown_explanations(own, types, locations, [e.known_similarity for e in examples],
                               [e.known_cause for e in examples], [e.known_fix for e in examples],
                               generation.recall_threshold, usable=[e.known_usable for e in examples],
                               fallbacks=[e.fallback for e in examples], groundings=[e.grounding for e in examples],
                               anchors=[e.anchors for e in examples])
    return shown, own


def type_template(row: dict[str, Any]) -> str:
    """The type-level explanation of the row's trace (utils/stage2/explanations.py): what predict.py shows when no known
    scenario fits and the model's text is rejected; grounded by construction."""
    from utils.stage2.seq2seq import stage2_example

    return stage2_example(row).fallback


def oracle_known_text(train: list[dict[str, Any]]) -> Callable[[dict[str, Any]], str]:
    """Upper bound for any writer that reuses known text: per row, the training cause/fix of its type and language
    that scores best against the row's own reference (chosen knowing the answer)."""
    pool: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for row in train:
        pool[(row["label"], row_language(row))].add(_template_text(row))

    def best(row: dict[str, Any]) -> str:
        options = [with_text(row, *text) for text in sorted(pool.get((row["label"], row_language(row)), ()))]
        if not options:
            return fields_only(row)
        scores = rouge_l_scores(options, [row["guidance"]] * len(options))
        return options[scores.index(max(scores))]

    return best


def oracle_extractive(row: dict[str, Any]) -> str:
    """Upper bound for copying from the log: the reference cause's and fix's words that occur in the log, in order."""
    in_log = set(rouge_words(row["log"]))
    fields = parse_guidance(row["guidance"])
    kept = {key: " ".join(word for word in rouge_words(fields.get(key, "")) if word in in_log)
            for key in ("cause", "fix")}
    return with_text(row, kept["cause"], kept["fix"])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train_file", default="data/corpus/train.jsonl")
    parser.add_argument("--validation_file", default="data/corpus/validation.jsonl")
    parser.add_argument("--test_file", default="data/corpus/test.jsonl")
    parser.add_argument("--max_rows", type=int, default=1000, help="Score the first N test rows (0 = all).")
    parser.add_argument("--predictions", default=None,
                        help="A test_predictions.jsonl of train_stage2.py (its `final` lines) to score alongside.")
    parser.add_argument("--model", default=None,
                        help="A stage-2 model dir to score alongside: greedy, constrained to the true type and "
                             "location, as train_stage2.py scores its test split (any --test_file, e.g. fresh rows "
                             "of training templates from `build_corpus.py --seed 7`).")
    parser.add_argument("--oracles", action="store_true",
                        help="Also score two upper bounds chosen knowing each reference: the best known text of the "
                             "row's type and language, and the reference's words that occur in the log.")
    parser.add_argument("--output_dir", default="reports/stage2-baselines")
    args = parser.parse_args(argv)

    fields = ("log", "label", "guidance")
    train, validation = read_jsonl(args.train_file, fields), read_jsonl(args.validation_file, fields)
    test = list(read_jsonl(args.test_file, fields))
    test = test[: args.max_rows] if args.max_rows else test
    references = [row["guidance"] for row in test]
    chosen = class_texts(list(train), list(validation))
    baselines: dict[str, Callable[[dict[str, Any]], str]] = {
        "fields_only": fields_only,
        "extractive": extractive,
        "class_text": lambda row: with_text(row, *chosen.get((row["label"], row_language(row)), ("", ""))),
        "nearest_template": nearest_template(list(train)),
        "type_template": type_template,
    }
    if args.oracles:
        baselines["oracle_known_text"] = oracle_known_text(list(train))
        baselines["oracle_extractive"] = oracle_extractive
    results = {name: evaluate_explanations([make(row) for row in test], references)
               for name, make in baselines.items()}
    if args.predictions:
        lines = [json.loads(line) for line in Path(args.predictions).read_text(encoding="utf-8").splitlines()]
        if [line["reference"] for line in lines] != references[: len(lines)] or len(lines) != len(references):
            raise SystemExit(f"{args.predictions}: its references are not the first {len(references)} test rows")
        results["model"] = evaluate_explanations([line["final"] for line in lines], references)

    if args.model:
        shown, own = model_lines(args.model, test)
        results[f"model {args.model}"] = evaluate_explanations(shown, references)
        results[f"model {args.model}, its own text on every row"] = evaluate_explanations(own, references)

    report = {"test_file": args.test_file, "rows": len(test), "results": results}
    write_json_atomic(Path(args.output_dir) / "report.json", report)
    print(f"| baseline ({len(test)} rows of {Path(args.test_file).name}) | ROUGE-L | cause | fix |")
    print("|---|---:|---:|---:|")
    for name, metrics in results.items():
        print(f"| {name} | {metrics['rougeL']:.3f} | {metrics['rougeL_cause']:.3f} | {metrics['rougeL_fix']:.3f} |")
    return report


if __name__ == "__main__":
    main()
