"""Evaluate a trained model on labelled logs and write a markdown + JSON report.

    python evaluate.py --model models/stage1 --input data/corpus/test.jsonl
    python evaluate.py --model models/stage1 --input data/corpus/test.jsonl --mask-exception-names
    python evaluate.py --model models/stage1 --input ../shared/data/bugsjar_dev.jsonl --label-field root_exception
    python evaluate.py --model models/stage1_folds --input data/corpus/test.jsonl     # a folds dir: an ensemble
    python evaluate.py --task locate --input ../shared/data/bugsjar_dev.jsonl        # where to fix (fix_methods)
    python evaluate.py --task explain --input data/corpus/test.jsonl --stage2 models/stage2   # stage 2, end to end

--task classify (stage 1): top-1/3/5 accuracy, macro/weighted F1 on all rows and on rows whose gold label is not
Other, per-class precision/recall/F1, the most confused pairs, calibration, a confusion matrix PNG, and the same
scores for the parser baseline (the type read from the parsed root cause through labels.yaml, no model). With
--mask-exception-names every exception class name is hidden from the model and from the parser baseline alike,
so the baseline shows what remains readable without names. Raw class names in the label field (a fully qualified
root_exception) are merged through labels.yaml like training labels.

--task locate: method-level acc@1, acc@3 and MRR of the frame ranker (--locator, default models/locate; the rules
when absent) against the naive first-application-frame rule, on all rows, on rows whose trace holds a fixed method,
once per bug, per project, and for --held_out_projects apart. Rows need `fix_methods` (real) or `meta.fault` (corpus).

--task explain: the whole pipeline (stage-1 type from --model, ranked location, grounded stage-2 explanation from
--stage2) on any JSONL of logs: the share of explanations whose cause / fix names what the log does not show
(utils/grounding.py) with examples, and where a row has a reference `guidance`: ROUGE-L, exact match of each field,
agreement of the generated type/location with what the user is shown (raw and after the post-check), and the
measured end-to-end rate (stage-1 type right AND explanation fields right on the same rows).

Several --model dirs (or a folds dir) are evaluated as one ensemble through utils.stage1.inference (each member's stored
temperature, weights from --ensemble_weights or the members' validation macro-F1). The report shows calibration
(ECE and NLL before/after the temperature, a reliability diagram), the per-class predicted vs. true rate, top-score
mean/std/min/max and a warning when predictions are degenerate. Binary models report ROC-AUC; a model trained on raw
text (input_format text) or on labels taken from its data gets its inputs and labels the same way, without the
parser baseline.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from transformers import HfArgumentParser

from utils.args import parse_args_with_config
from utils.atomic import check_output_folder, open_atomic, write_json_atomic, write_jsonl_atomic
from utils.code_throws import CODE_THROWS_HELP, CodeThrows, StatementsFileError, load_code_throws
from utils.console import configure_console
from utils.evaluation.explanation_scoring import score_explanations
from utils.evaluation.metrics import (
    b_cubed,
    classification_metrics,
    confusion,
    expected_calibration_error,
    f1_scores,
    format_interval,
    most_confused_pairs,
    paired_exact_test,
    per_class_report,
    reliability_bins,
    top1_counts,
)
from utils.evaluation.plots import plot_confusion_matrix, plot_reliability
from utils.inputs import mask_exception_names
from utils.jvm_evidence import CODE_THROW, RULED_OUT, RULES, evidence, ruled_out
from utils.labels import ASSERTION_LABEL, LabelSet, load_label_set
from utils.locate import evaluate_locate_file, format_locate_report
from utils.models.checkpoints import TASK_CLASSIFY, ModelLoadError, check_labels, file_sha256, load_model
from utils.parsing.stacktrace import Trace, parse_trace
from utils.pipeline.analyze import DEFAULT_LOCATOR_DIR, Analyzer, AnalyzerOptions, expand_model_dirs
from utils.pipeline.fingerprint import failure_signature
from utils.pipeline.grouping import group_key
from utils.stage1.calibration import (
    degenerate_warnings,
    format_distribution,
    negative_log_likelihood,
    prediction_distribution,
)
from utils.stage1.data import load_labeled_dataset, member_inputs, merge_labels, read_jsonl
from utils.stage1.inference import (
    MemberOutputs,
    check_same_labels,
    combine_probabilities,
    predict_member,
    score_weights,
    stage1_bf16,
    temperature_of,
    to_bf16_weights,
)
from utils.stage1.wording import (
    NO_WORDING_HELP,
    STATEMENTS_HELP,
    WordingMemory,
    WordingVote,
    memory_for,
    wording_applies,
)
from utils.yaml_files import ConfigFileError

logger = logging.getLogger("evaluate")
DEFAULT_MODEL = "models/stage1"  # what `make stage1-quick` writes


@dataclass
class EvaluateArguments:
    input: str = field(metadata={"help": "Labelled JSONL to evaluate on (a log text and a label per row)."})
    model: list[str] = field(
        default_factory=lambda: [DEFAULT_MODEL],
        metadata={"help": "Model dir(s) or Hub id(s); several (or a folds dir) are evaluated as one ensemble."},
    )
    ensemble_weights: list[float] | None = field(
        default=None, metadata={"help": "One weight per member (default: each member's validation macro-F1)."}
    )
    task: Literal["classify", "locate", "explain", "group"] = field(
        default="classify", metadata={"help": "classify (stage 1), locate (frame ranker), explain (stage 2) or "
                                               "group (B-cubed of failure grouping against --group_field)."}
    )
    group_field: str = field(default="bug_id", metadata={"help": "group: the field that says which traces belong "
                                                                 "together (one bug)."})
    # failure by default: a bug that fails with two root-cause types is two failures to the person reading the page,
    # and no grouping should merge types, so against bugs even a perfect grouping scores under 1 (0.940 on the dev set)
    group_gold: Literal["bug", "failure"] = field(
        default="failure", metadata={"help": "group: failure (the traces of one --group_field value and one root-cause "
                                             "type, as the parser reads it, belong together; the ceiling is 1) or bug "
                                             "(those of one value: issue 14's first measure, with a ceiling column)."})
    locator: str | None = field(
        default=None, metadata={"help": "locate/explain: ranker dir or 'rules' (default models/locate when present)."}
    )
    held_out_projects: list[str] = field(
        default_factory=lambda: ["commons-math", "flink", "wicket"],
        metadata={"help": "locate: projects never used to tune the ranker, reported apart."},
    )
    app_packages: list[str] | None = field(default=None, metadata={
        "help": "locate: the application's packages (e.g. com.acme); overrides what is read from each trace."})
    stage2: str = field(default="models/stage2", metadata={"help": "explain: the stage-2 model dir or Hub id."})
    no_stage1: bool = field(default=False, metadata={"help": "explain: read the type with the parser, no stage 1."})
    recall_threshold: float | None = field(default=None, metadata={
        "help": "explain: similarity from which a known scenario's text is used (default: the stage-2 model's "
                "own; 1.01: the model's text on every row)."})
    explain_examples: int = field(default=10, metadata={
        "help": "explain: examples of ungrounded causes and fixes listed in the report (per field)."})
    text_field: str = field(default="log", metadata={"help": "JSON field holding the log text."})
    label_field: str = field(
        default="label", metadata={"help": "JSON field holding the gold label (canonical or a raw class name)."}
    )
    labels_file: str | None = field(default=None, metadata={"help": "Label set yaml (default configs/labels.yaml)."})
    unknown_labels: Literal["other", "drop", "error"] = field(
        default="other", metadata={"help": "Gold labels matching no alias: count as Other, drop the row, or stop."}
    )
    mask_exception_names: bool = field(
        default=False, metadata={"help": "Hide every exception class name from the model and the parser baseline: "
                                          "each log is masked, then parsed, as predict.py reads a log whose names "
                                          "were hidden before it came."}
    )
    projects: list[str] | None = field(
        default=None, metadata={"help": "classify: only rows whose --project_field is one of these (e.g. the test "
                                         "projects of configs/cross_project.yaml)."}
    )
    project_field: str = field(default="project", metadata={"help": "JSON field naming a row's project."})
    output_dir: str | None = field(
        default=None, metadata={"help": "Report directory (default reports/<model>-<input>[-masked])."}
    )
    batch_size: int = field(default=32, metadata={"help": "Inference batch size."})
    skip_invalid_rows: bool = field(default=False, metadata={"help": "Skip and count malformed JSONL lines."})
    max_rows: int | None = field(default=None, metadata={"help": "Evaluate only the first N rows."})
    device: str | None = field(default=None, metadata={"help": "torch device (default: cuda when available)."})
    precision: Literal["auto", "fp32", "bf16"] = field(default="auto", metadata={
        "help": "classify and explain: stage-1 (and stage-2) inference precision, as predict.py chooses it "
                "(utils/inference.stage1_bf16): auto is bf16 where the hardware runs bf16 natively "
                "(AVX512-BF16, AMX, bf16 CUDA) and fp32 elsewhere; fp32 and bf16 force one."})
    no_wording: bool = field(default=False, metadata={"help": NO_WORDING_HELP})
    wording_statements: str | None = field(default=None, metadata={"help": STATEMENTS_HELP})
    code_throws: str | None = field(default=None, metadata={"help": CODE_THROWS_HELP})


def parsed_rows(logs: list[str], masked: bool) -> list[Trace]:
    """Each row's trace as the parser reads it (names masked when the model's were): read once, for the parser
    baseline and the JVM-evidence rules."""
    return [parse_trace(mask_exception_names(log) if masked else log) for log in logs]


def with_jvm_evidence(probabilities: np.ndarray, traces: list[Trace], label_set: LabelSet,
                      code: CodeThrows | None = None) -> tuple[np.ndarray, dict[str, int], np.ndarray, list[str]]:
    """The model's scores with predict.py's JVM-evidence rules (utils/jvm_evidence.py) applied: where the root
    cause's name is unreadable (masked) and a rule types it (throw site, JDK message, recursion, no message outside
    the JDK), that label ranks first (the model's order follows it for top-3); where none does, the labels whose
    thrower left no sign (`ruled_out`) rank last. Also how many rows each rule decided (and on how many the model's
    top label was ruled out), each row's evidence label id (-1 where no rule typed it) and what decided each row's
    answer (a rule, RULED_OUT, or "model"). `code`: the throw statements of --code_throws (rule 0)."""
    rules = [rule for rule in RULES if code is not None or rule != CODE_THROW]  # rule 0 counted where it can fire
    scores, decided = probabilities.copy(), dict.fromkeys((*rules, RULED_OUT), 0)
    evidence_ids, deciders = np.full(len(traces), -1), ["model"] * len(traces)
    for row, trace in enumerate(traces):
        found = evidence(trace, code)
        label = label_set.to_label(found.class_name) if found else None
        if label in label_set.label2id:
            evidence_ids[row] = label_set.label2id[label]
            scores[row, evidence_ids[row]] = scores[row].max() + 1.0
            decided[found.rule] += 1
            deciders[row] = found.rule
            continue
        out = [label_set.label2id[name] for name in ruled_out(trace) if name in label_set.label2id]
        if 0 < len(out) < scores.shape[1]:  # every label ruled out: the model's order stands, as in predict.py
            top = scores[row].argmax()
            scores[row, out] = -1.0  # below every probability: the best label left answers
            decided[RULED_OUT] += int(top in out)
            deciders[row] = RULED_OUT if top in out else "model"
    return scores, decided, evidence_ids, deciders


def without_neighbours(outputs: list[MemberOutputs], ensemble: tuple[list[float], list[float]], traces: list[Trace],
                       label_set: LabelSet, gold: tuple[np.ndarray, dict[str, np.ndarray]],
                       vote: WordingVote | None, code: CodeThrows | None = None) -> dict[str, dict] | None:
    """Model + JVM evidence scored without the neighbours' vote (None when no member has a memory), the wording
    memory's vote kept: the figure the neighbours' vote has to beat, in the same report."""
    if all(output.votes is None for output in outputs):
        return None
    plain = combine_probabilities([output.logits for output in outputs], *ensemble)
    if vote:
        plain = vote.apply(plain)
    return score_subsets(with_jvm_evidence(plain, traces, label_set, code)[0], *gold)


def rows_traces(args: EvaluateArguments, members: list[Any], dataset: Any, label_set: LabelSet) -> list[Trace] | None:
    """Each row's parsed trace where the members read traces and the labels are exception classes (the parser
    reads those, not arbitrary labels): what the JVM-evidence rules and the wording memory need; else None."""
    if not wording_applies(members, label_set):  # the same rule: trace inputs, exception-class labels
        return None
    return parsed_rows(list(dataset["log"]), args.mask_exception_names)


def scored_with_rules(
    probabilities: tuple[np.ndarray, np.ndarray], ensemble: tuple[list[MemberOutputs], list[float], list[float]],
    traces: list[Trace] | None, wording: tuple[WordingMemory | None, WordingVote | None], label_set: LabelSet,
    gold: tuple[np.ndarray, dict[str, np.ndarray]], code: CodeThrows | None = None,
) -> tuple[np.ndarray | None, tuple | None, dict | None, dict | None]:
    """The parser baseline's answers, the model + JVM evidence (`with_jvm_evidence`'s tuple), and the latter scored
    without the neighbours' vote and without the wording memory (None where it had none); all None without traces.
    `probabilities`: the answer's and the same before the wording memory's vote; `code`: --code_throws."""
    if traces is None:
        return None, None, None, None
    answered, unworded = probabilities
    outputs, temperatures, weights = ensemble
    baseline = np.asarray([label_set.label2id[name] for name in parser_baseline(traces, label_set)])
    plain = without_neighbours(outputs, (temperatures, weights), traces, label_set, gold, wording[1], code)
    unworded_scores = (score_subsets(with_jvm_evidence(unworded, traces, label_set, code)[0], *gold)
                       if wording[0] else None)
    return baseline, with_jvm_evidence(answered, traces, label_set, code), plain, unworded_scores


def evidence_or_majority(evidence_ids: np.ndarray, label_ids: np.ndarray,
                         masks: dict[str, np.ndarray]) -> dict[str, dict]:
    """The rules without a model: the JVM evidence's label where a rule fires, else the subset's most common gold
    class (what the model has to beat to be worth running)."""
    results = {}
    for name, mask in masks.items():
        gold = label_ids[mask]
        guess = np.where(evidence_ids[mask] >= 0, evidence_ids[mask], most_common(gold))
        results[name] = {"rows": int(mask.sum()), **top1_counts(gold, guess), **f1_scores(gold, guess)}
    return results


def most_common(gold: np.ndarray) -> int:
    """The most common gold label id (-1 when there is none): the majority baseline's answer."""
    return Counter(gold.tolist()).most_common(1)[0][0] if len(gold) else -1


def parser_baseline(traces: list[Trace], label_set: LabelSet) -> list[str]:
    """The label a parser alone reads: the parsed root cause's class through labels.yaml (Other when none)."""
    return [label_set.to_label(trace.root_cause.class_name if trace.root_cause else None) for trace in traces]


SUBSETS = {
    "all": "all rows",
    "not_other": "gold not Other",
    "non_assertion": "non-assertion (gold not AssertionError, not Other)",
    "non_assertion_unique": "non-assertion, once per failure signature",
}


def subset_masks(label_ids: np.ndarray, label_set: LabelSet, signatures: list[str]) -> dict[str, np.ndarray]:
    """Row masks of each reported subset. Assertion failures are read off `org.junit` frames whatever the model,
    so the non-assertion slice is where typing is really tested; counted once per failure signature (project and
    `utils.pipeline.fingerprint` digest), one bug failing many tests with the same trace counts once."""
    other_id = label_set.label2id.get(label_set.other, -1)
    assertion_id = label_set.label2id.get(ASSERTION_LABEL, -1)
    not_other = label_ids != other_id
    non_assertion = not_other & (label_ids != assertion_id)
    unique = np.zeros_like(non_assertion)
    seen: set[str] = set()
    for index in np.flatnonzero(non_assertion):
        if signatures[index] not in seen:
            seen.add(signatures[index])
            unique[index] = True
    return {"all": np.ones_like(not_other), "not_other": not_other, "non_assertion": non_assertion,
            "non_assertion_unique": unique}


def score_subsets(scores: np.ndarray, label_ids: np.ndarray, masks: dict[str, np.ndarray]) -> dict[str, dict]:
    """Metrics of the model on each subset, top-1 with its interval and count of rows right."""
    return {name: {"rows": int(mask.sum()), **classification_metrics(scores[mask], label_ids[mask]),
                   **top1_counts(label_ids[mask], scores[mask].argmax(axis=-1))}
            for name, mask in masks.items()}


def baseline_subsets(predicted: np.ndarray, label_ids: np.ndarray, masks: dict[str, np.ndarray]) -> dict[str, dict]:
    """Top-1 and F1 of a one-label-per-row baseline (top-k does not apply) on each subset."""
    results = {}
    for name, mask in masks.items():
        gold, guess = label_ids[mask], predicted[mask]
        results[name] = {"rows": int(mask.sum()), **top1_counts(gold, guess), **f1_scores(gold, guess)}
    return results


def majority_subsets(label_ids: np.ndarray, masks: dict[str, np.ndarray], names: list[str]) -> dict[str, dict]:
    """Always answering the subset's own most common gold class (chosen knowing the answers: an upper bound on
    any constant answer)."""
    results = {}
    for name, mask in masks.items():
        gold = label_ids[mask]
        if not len(gold):
            results[name] = {"rows": 0, **top1_counts(gold, gold), "label": None}
            continue
        label = most_common(gold)
        constant = np.full_like(gold, label)
        results[name] = {"rows": int(len(gold)), **top1_counts(gold, constant), "label": names[label],
                         **f1_scores(gold, constant)}
    return results


def against_majority(scores: np.ndarray, label_ids: np.ndarray, masks: dict[str, np.ndarray]) -> dict[str, dict]:
    """What is answered (`scores`' top label) against the subset's most common class, row by row on the same rows:
    McNemar's exact test (utils/evaluation/metrics.paired_exact_test), so "beats a constant" has a p-value."""
    results = {}
    for name, mask in masks.items():
        gold = label_ids[mask]
        constant = np.full_like(gold, most_common(gold)) if len(gold) else gold
        results[name] = paired_exact_test(gold, scores[mask].argmax(axis=-1), constant)
    return results


def row_signatures(dataset: Any, project_field: str) -> list[str]:
    """`project:digest` of each row's labelled trace (the one whose failure the row is about)."""
    projects = dataset[project_field] if project_field in dataset.column_names else [""] * len(dataset)
    return [f"{project}:{failure_signature(parse_trace(log)).digest}"
            for project, log in zip(projects, dataset["log"], strict=True)]


def load_members(args: EvaluateArguments) -> tuple[list[Any], LabelSet]:
    """The model(s) to evaluate (a folds dir expands to its members) and the label set they must all share.

    Models trained on labels.yaml are checked against it; a model whose labels came from its data
    (`label_source: data`) brings its own label set.
    """
    if list(args.model) == [DEFAULT_MODEL] and not Path(DEFAULT_MODEL).exists():  # not a Hub id to try for ~25 s
        raise ModelLoadError(f"No model at {DEFAULT_MODEL} (the default --model): train one (make stage1-quick) or "
                             "pass --model DIR")
    paths = expand_model_dirs(list(args.model))
    first = load_model(paths[0], expected_task=TASK_CLASSIFY, device=args.device)
    if first.metadata.label_source == "data":
        label_set = LabelSet.from_names(first.label_names)
    else:
        label_set = load_label_set(args.labels_file)
    members = [first, *(load_model(path, expected_task=TASK_CLASSIFY, device=args.device) for path in paths[1:])]
    for member in members:
        check_labels(member.path, member.label_names, label_set)
    check_same_labels(members)
    return members, label_set


def load_classify_rows(args: EvaluateArguments, label_set: LabelSet) -> tuple[Any, list[Any], Any]:
    """(the labelled rows to score, the skipped lines, the label-merge report): --projects and --max_rows applied."""
    dataset, skipped = load_labeled_dataset(args.input, args.text_field, args.label_field, args.skip_invalid_rows,
                                            extra_fields=(args.project_field,))
    if skipped:
        logger.warning("%s: skipped %d invalid line(s), first: %s", args.input, len(skipped), skipped[0])
    if args.projects:
        wanted = set(args.projects)
        dataset = dataset.filter(lambda row: row[args.project_field] in wanted)
        if not len(dataset):
            raise SystemExit(f"{args.input}: no labelled row whose {args.project_field!r} is one of {sorted(wanted)}")
    if args.max_rows:
        dataset = dataset.select(range(min(args.max_rows, len(dataset))))
    dataset, merge_report = merge_labels(dataset, label_set, args.unknown_labels)
    logger.info("%s\n%s", args.input, merge_report.format())
    return dataset, skipped, merge_report


def check_projects(args: EvaluateArguments) -> None:
    """Before any model loads: every --projects name is some row's project (a misspelt one would be scored as if it
    were there, on fewer rows)."""
    if not args.projects:
        return
    present = {row.get(args.project_field) for row in read_jsonl(args.input, skip_invalid=True)}
    missing = sorted(set(args.projects) - present)
    if missing:
        there = sorted(str(project) for project in present if project is not None)
        raise SystemExit(f"{args.input}: no row whose {args.project_field!r} is {', '.join(missing)} "
                         f"(there: {', '.join(there[:20])})")


def trace_readers(args: EvaluateArguments, members: list[Any], label_set: LabelSet,
                  traces: list[Trace] | None) -> tuple[WordingMemory | None, CodeThrows | None]:
    """The wording memory and --code_throws' statements, as predict.py reads them (None where they do not apply)."""
    wording = memory_for(members, label_set, args.no_wording, args.wording_statements, args.precision)
    return wording, load_code_throws(args.code_throws) if args.code_throws and traces is not None else None


def evaluate_classifier(args: EvaluateArguments) -> dict[str, Any]:
    check_projects(args)
    members, label_set = load_members(args)
    dataset, skipped, merge_report = load_classify_rows(args, label_set)
    traces = rows_traces(args, members, dataset, label_set)
    wording, code = trace_readers(args, members, label_set, traces)  # a bad statements file stops it here
    # One pass of batched inference per member, in predict.py's precision; the same outputs give raw and
    # temperature-scaled probabilities (with the neighbours' vote of a model that has a memory, as in predict.py).
    bf16 = stage1_bf16(members, args.precision)
    to_bf16_weights([member.model for member in members], bf16)
    outputs = [predict_member(member, member_inputs(member.metadata, dataset, args.mask_exception_names),
                              args.batch_size, bf16=bf16) for member in members]
    weights = list(args.ensemble_weights) if args.ensemble_weights else score_weights(members)
    temperatures = [temperature_of(member) for member in members]
    raw_probabilities = combine_probabilities(outputs, [1.0] * len(members), weights)
    probabilities = combine_probabilities(outputs, temperatures, weights)
    label_ids, names = np.asarray(dataset["labels"]), label_set.names
    signatures = row_signatures(dataset, args.project_field)
    masks = subset_masks(label_ids, label_set, signatures)
    vote = wording.vote(traces, label_set, names) if wording else None  # each message encoded once, then mixed
    unworded, (probabilities, raw_probabilities) = probabilities, [  # into each scoring (predict.py mixes it so)
        vote.apply(scores) if vote else scores for scores in (probabilities, raw_probabilities)]
    predicted = probabilities.argmax(axis=-1)
    matrix = confusion(label_ids, predicted, len(label_set))
    baseline, jvm_evidence, plain, unworded_scores = scored_with_rules((probabilities, unworded), (
        outputs, temperatures, weights), traces, (wording, vote), label_set, (label_ids, masks), code)
    distribution = prediction_distribution(probabilities, label_ids, names)
    warnings = degenerate_warnings(distribution)
    for warning in warnings:
        logger.warning("%s", warning)

    report = {
        "task": "classify",
        "model": args.model[0] if len(args.model) == 1 else list(args.model),
        "members": [member.path for member in members],
        "ensemble_weights": weights,
        "temperatures": temperatures,
        "precision": "bf16" if bf16 else "fp32",
        "input": args.input,
        "input_sha256": file_sha256(args.input),
        "label_field": args.label_field,
        "masked_exception_names": args.mask_exception_names,
        "rows": len(dataset),
        "skipped_lines": len(skipped),
        "projects": list(args.projects or []),
        "model_metrics": score_subsets(probabilities, label_ids, masks),
        # what predict.py answers: the model, except where the JVM's evidence names the class (names unreadable)
        "model_with_jvm_evidence": score_subsets(jvm_evidence[0], label_ids, masks) if jvm_evidence else None,
        "jvm_evidence_rows": jvm_evidence[1] if jvm_evidence else {},
        "neighbour_memory": [member.neighbours.describe() if member.neighbours else None for member in members],
        "model_with_jvm_evidence_without_neighbours": plain,
        "wording_memory": wording.describe() if wording else None,
        "code_throws": code.describe() if code else None,
        "model_with_jvm_evidence_without_wording": unworded_scores,
        "jvm_evidence_or_majority": evidence_or_majority(jvm_evidence[2], label_ids, masks) if jvm_evidence else None,
        "majority_baseline": majority_subsets(label_ids, masks, names),
        # what predict.py answers, row by row against the majority class on the same rows
        "answered_against_majority": against_majority(jvm_evidence[0] if jvm_evidence else probabilities,
                                                      label_ids, masks),
        "parser_baseline": baseline_subsets(baseline, label_ids, masks) if baseline is not None else None,
        "calibration": calibration_summary(probabilities, raw_probabilities, label_ids),
        "prediction_distribution": distribution,
        "prediction_distribution_before_temperature": prediction_distribution(raw_probabilities, label_ids, names),
        "warnings": warnings,
        "per_class": per_class_report(label_ids, predicted, names),
        "most_confused": most_confused_pairs(matrix, names, top_n=20),
        "label_merge": merge_report.to_dict(),
    }
    output_dir = Path(args.output_dir or default_output_dir(args))
    earlier = earlier_report(output_dir, CLASSIFY_FILES)
    write_json_atomic(output_dir / "report.json", report)
    with open_atomic(output_dir / "report.md") as out:
        out.write(markdown_report(report))
    plot_confusion_matrix(matrix, names, output_dir / "confusion_matrix.png", f"{Path(args.input).name}")
    plot_reliability(reliability_bins(probabilities, label_ids), output_dir / "reliability.png")
    write_predictions(output_dir / "predictions.jsonl", dataset["id"], label_ids, probabilities, names, baseline,
                      answered=(jvm_evidence[0], jvm_evidence[3]) if jvm_evidence else None,
                      signatures=(signatures, masks["non_assertion_unique"]))
    logger.info("report written to %s%s", output_dir, replaced_note(*earlier))
    return report


def calibration_summary(probabilities: np.ndarray, raw_probabilities: np.ndarray,
                        label_ids: np.ndarray) -> dict[str, float]:
    """Expected calibration error and NLL with the fitted temperature(s) and before them."""
    # log-probabilities are logits whose softmax is those probabilities
    return {
        "ece": expected_calibration_error(probabilities, label_ids),
        "ece_before_temperature": expected_calibration_error(raw_probabilities, label_ids),
        "nll": negative_log_likelihood(np.log(np.clip(probabilities, 1e-12, 1.0)), label_ids),
        "nll_before_temperature": negative_log_likelihood(np.log(np.clip(raw_probabilities, 1e-12, 1.0)), label_ids),
    }


def write_predictions(path: Path, ids: list[str], label_ids: np.ndarray, probabilities: np.ndarray,
                      names: list[str], baseline: np.ndarray | None, *,
                      answered: tuple[np.ndarray, list[str]] | None = None,
                      signatures: tuple[list[str], np.ndarray] | None = None) -> None:
    """One line per row: gold, the model's prediction and top-3 with scores, the parser baseline's guess; where the
    JVM-evidence rules ran, what predict.py answers and what decided it; the row's failure signature and whether it
    is the row the once-per-signature figures count."""

    def extra(index: int) -> dict[str, Any]:
        row: dict[str, Any] = {}
        if baseline is not None:
            row["parser_baseline"] = names[baseline[index]]
        if answered is not None:
            row["answered"] = names[int(answered[0][index].argmax())]
            row["decided_by"] = answered[1][index]
        if signatures is not None:
            row["signature"] = signatures[0][index]
            row["counted_once"] = bool(signatures[1][index])
        return row

    predicted = probabilities.argmax(axis=-1)
    top3 = np.argsort(-probabilities, axis=-1)[:, :3]
    write_jsonl_atomic(
        path,
        (
            {
                "id": row_id,
                "gold": names[gold],
                "predicted": names[guess],
                "top3": [[names[i], round(float(p[i]), 4)] for i in top],
                **extra(index),
            }
            for index, (row_id, gold, guess, top, p) in enumerate(
                zip(ids, label_ids, predicted, top3, probabilities, strict=True)
            )
        ),
    )


def default_output_dir(args: EvaluateArguments) -> str:
    masked = "-masked" if args.mask_exception_names else ""
    return f"reports/{Path(args.model[0]).name}-{Path(args.input).stem}{masked}"


def _neighbour_cell(settings: dict[str, Any] | None) -> str:
    if not settings:
        return "none"
    return (f"{settings['rows']} real training rows, k {settings['k']}, temperature {settings['temperature']}, "
            f"weight {settings['weight']}")


def _wording_cell(memory: dict[str, Any]) -> str:
    return (f"{memory['rows']} exception and message pairs of {Path(memory['statements']).name}, k {memory['k']}, "
            f"temperature {memory['temperature']}, weight {memory['weight']}")


def _cell(value: float) -> str:
    return "n/a" if value is None or value != value else f"{value:.4f}"


def _against_majority_lines(report: dict[str, Any]) -> list[str]:
    """The answer against the majority class, row by row (McNemar's exact test)."""
    paired = report.get("answered_against_majority")
    if not paired:
        return []
    answered = "model + JVM evidence" if report.get("model_with_jvm_evidence") else "model"
    lines = [f"## {answered} against the majority class, on the same rows", "",
             "| subset | rows only it gets right | rows only the majority class gets right | two-sided p |",
             "|---|---:|---:|---:|"]
    lines += [f"| {SUBSETS[name]} | {m['only_first']} | {m['only_second']} | {m['p_value']:.3g} |"
              for name, m in paired.items()]
    return [*lines, ""]


def markdown_report(report: dict[str, Any]) -> str:
    models = report["model"] if isinstance(report["model"], str) else f"ensemble of {len(report['members'])}"
    calibration = report["calibration"]
    lines = [
        f"# Stage-1 evaluation: {Path(models).name} on {Path(report['input']).name}",
        "",
        f"- rows: {report['rows']} (skipped lines: {report['skipped_lines']}), gold labels from "
        f"`{report['label_field']}`, exception names {'hidden' if report['masked_exception_names'] else 'visible'}",
        f"- input sha256: `{report['input_sha256'][:16]}`; temperature(s) {report['temperatures']}, "
        f"ensemble weights {[round(w, 4) for w in report['ensemble_weights']]}",
        f"- expected calibration error: {_cell(calibration['ece_before_temperature'])} raw, "
        f"{_cell(calibration['ece'])} with temperature; NLL {_cell(calibration['nll_before_temperature'])} -> "
        f"{_cell(calibration['nll'])}",
        "- rows the JVM's evidence typed, or where it ruled out the model's top label (names unreadable; "
        "utils/jvm_evidence.py): "
        + (", ".join(f"{rule} {count}" for rule, count in report.get("jvm_evidence_rows", {}).items()) or "none"),
        "- neighbour memory (utils/stage1/neighbours.py; the model's rows include its vote): "
        + ("; ".join(_neighbour_cell(settings) for settings in report.get("neighbour_memory", [])) or "none"),
        "- wording memory (utils/stage1/wording.py; the model's rows include its vote): "
        + (_wording_cell(report["wording_memory"]) if report.get("wording_memory") else "none"),
        *([f"- your code's throw statements (--code_throws, utils/code_throws.py): {report['code_throws']['file']}, "
           f"{report['code_throws']['statements']} statements"] if report.get("code_throws") else []),
        "",
        "| scorer | rows | top-1 | right | top-1, 95% interval | top-3 | top-5 | macro-F1 | weighted-F1 | ROC-AUC |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    scorers = [("model", "model_metrics"),
               (f"model + JVM evidence ({sum(report.get('jvm_evidence_rows', {}).values())} rows)",
                "model_with_jvm_evidence"),
               ("model + JVM evidence, without the neighbours' vote", "model_with_jvm_evidence_without_neighbours"),
               ("model + JVM evidence, without the wording memory", "model_with_jvm_evidence_without_wording"),
               ("JVM evidence, else the most common class (no model)", "jvm_evidence_or_majority"),
               ("majority class", "majority_baseline"), ("parser baseline", "parser_baseline")]
    for subset, label in SUBSETS.items():
        for scorer, key in scorers:
            if not report.get(key) or subset not in report[key]:
                continue
            m = report[key][subset]
            if key == "majority_baseline":
                scorer = f"majority class ({m['label']})"
            lines.append(
                f"| {scorer}, {label} | {m['rows']} | {_cell(m['top1'])} | {m.get('correct', 'n/a')} | "
                f"{format_interval(m.get('top1_ci95'))} | {_cell(m.get('top3'))} | "
                f"{_cell(m.get('top5'))} | {_cell(m['macro_f1'])} | {_cell(m['weighted_f1'])} | "
                f"{_cell(m.get('roc_auc'))} |"
            )
    lines += ["", "Macro/weighted F1 average over the classes present in the gold labels of each subset. The "
              "interval is Wilson's for the share right; it takes rows as independent, which repeats of one "
              "failure are not, so read it on the once-per-signature slice.", ""]
    lines += _against_majority_lines(report)
    if report["warnings"]:
        lines += ["## Warnings", "", *(f"- {warning}" for warning in report["warnings"]), ""]
    lines += ["## Prediction distribution (with temperature)", ""]
    lines.append(format_distribution(report["prediction_distribution"]))
    lines += ["", "## Most confused pairs", "", "| gold | predicted | rows | share of gold |", "|---|---|---:|---:|"]
    lines += [f"| {p['gold']} | {p['predicted']} | {p['count']} | {p['share']:.2f} |" for p in report["most_confused"]]
    lines += ["", "## Per class", "", "| class | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for name, row in report["per_class"].items():
        if isinstance(row, dict) and "support" in row and name not in ("macro avg", "weighted avg", "micro avg"):
            scores = f"{row['precision']:.3f} | {row['recall']:.3f} | {row['f1-score']:.3f}"
            lines.append(f"| {name} | {scores} | {int(row['support'])} |")
    return "\n".join(lines) + "\n"


def default_locator(args: EvaluateArguments) -> str | None:
    """The ranker dir to use; None means the built-in rules (`--locator rules`, or no trained ranker)."""
    if args.locator == "rules":
        return None
    return args.locator or (str(DEFAULT_LOCATOR_DIR) if (DEFAULT_LOCATOR_DIR / "ranker.json").is_file() else None)


REPORT_FILES = ("report.json", "report.md")
CLASSIFY_FILES = (*REPORT_FILES, "confusion_matrix.png", "reliability.png", "predictions.jsonl")


def earlier_report(output_dir: Path, writes: tuple[str, ...]) -> tuple[bool, list[Path]]:
    """Before a report is written into `output_dir`: whether one is there, and the files of an earlier classify
    report this one does not write (its predictions beside a group report would read as this run's). Only a
    classify report's own files: a model directory holds training's plots of the same names."""
    path = output_dir / "report.json"
    if not path.is_file():
        return False, []
    try:
        task = json.loads(path.read_text(encoding="utf-8")).get("task")
    except (ValueError, AttributeError):  # not a report of ours: its neighbours are not ours either
        task = None
    stale = [output_dir / name for name in CLASSIFY_FILES if name not in writes and (output_dir / name).exists()]
    return True, stale if task == "classify" else []


def replaced_note(replaced: bool, stale: list[Path]) -> str:
    """Removes `stale` (after the new report is written) and says what the "report written" line adds."""
    for path in stale:
        path.unlink()
    notes = (["it replaced the report that was there"] if replaced else []) + (
        [f"removed {', '.join(path.name for path in stale)} of the earlier classify report"] if stale else [])
    return f" ({'; '.join(notes)})" if notes else ""


def write_report(output_dir: str, report: dict[str, Any], markdown: str) -> None:
    earlier = earlier_report(Path(output_dir), REPORT_FILES)
    write_json_atomic(Path(output_dir) / "report.json", report)
    with open_atomic(Path(output_dir) / "report.md") as handle:
        handle.write(markdown)
    logger.info("report written to %s%s", output_dir, replaced_note(*earlier))


def evaluate_locator(args: EvaluateArguments) -> dict[str, Any]:
    locator = default_locator(args)
    report = evaluate_locate_file(args.input, locator, args.held_out_projects, app_packages=args.app_packages)
    report = {"task": "locate", "input": args.input, "locator": locator or "rules", **report}
    output_dir = args.output_dir or f"reports/locate-{Path(args.input).stem}"
    write_report(output_dir, report, locate_markdown(report))
    return report


def locate_markdown(report: dict[str, Any]) -> str:
    return (f"# Frame ranking: {report['locator']} on {Path(report['input']).name}\n\n"
            f"Held-out projects: {', '.join(report.get('held_out_projects') or []) or 'none'}\n\n"
            f"{format_locate_report(report)}\n")


def evaluate_explainer(args: EvaluateArguments) -> dict[str, Any]:
    """Stage 2 end to end on any JSONL of logs: rows need only the log; a `guidance` reference adds ROUGE-L and
    exact matches, a label adds the type's accuracy. Every explanation is checked with the grounding rule."""
    rows = read_jsonl(args.input, required_fields=(args.text_field,), skip_invalid=args.skip_invalid_rows)
    rows = rows[: args.max_rows] if args.max_rows else list(rows)
    analyzer = Analyzer(AnalyzerOptions.from_arguments(args, locator_dir=default_locator(args)))
    started = time.perf_counter()
    metrics = score_explanations(rows, analyzer, args.text_field, args.label_field,
                                 max_examples=args.explain_examples)
    seconds = time.perf_counter() - started
    report = {"task": "explain", "input": args.input, "models": analyzer.describe(), "rows": len(rows),
              "seconds": round(seconds, 2), "logs_per_second": round(len(rows) / seconds, 2), **metrics}
    output_dir = args.output_dir or f"reports/explain-{Path(args.input).stem}"
    write_report(output_dir, report, explain_markdown(report))
    return report


def explain_markdown(report: dict[str, Any]) -> str:
    keys = ["ungrounded_cause", "ungrounded_fix", "ungrounded_in_trace_cause", "ungrounded_in_trace_fix", "rougeL",
            "rougeL_cause", "rougeL_fix", "exact_type",
            "exact_location", "exact_cause", "exact_fix", "agreement_raw", "agreement", "stage1_type_accuracy",
            "end_to_end_exact", "end_to_end_rouge", "known_scenario_share", "similar_case_share"]
    lines = [f"# Stage-2 evaluation on {Path(report['input']).name}", "",
             f"- rows: {report['rows']}; explained {report.get('explained', 'n/a')}, with a reference "
             f"{report.get('rows_with_reference', 'n/a')} (ROUGE-L and exact matches on those only); "
             f"{report['logs_per_second']} logs/s end to end ({report['seconds']} s)",
             f"- explanation sources: {report.get('explanation_sources')}; model texts rejected by the checks: "
             f"{report.get('model_texts_rejected', 'n/a')}",
             f"- models: {report['models']}", "", "| metric | value |", "|---|---:|"]
    lines += [f"| {key} | {_cell(report[key])} |" for key in keys if key in report]
    for key, where in (("ungrounded_examples", "the log"), ("ungrounded_in_trace_examples", "the trace's record")):
        for field_name, examples in (report.get(key) or {}).items():
            if examples:
                lines += ["", f"## Ungrounded {field_name} (not in {where}): examples", "",
                          f"| id | source | {field_name} | not in {where} |", "|---|---|---|---|"]
                lines += [f"| {example['id']} | {example['source']} | {_md(example[field_name])} | "
                          f"{_md(', '.join(example['ungrounded']))} |" for example in examples]
    return "\n".join(lines) + "\n"


def _md(text: str | None) -> str:
    """`text` safe inside a markdown table cell."""
    return " ".join((text or "").split()).replace("|", "\\|")


# --task choices: each takes the arguments and returns the report; the second item renders it as markdown.
CEILING = "ceiling: gold split by root type"


def group_keys(rows: list[dict[str, Any]], text_field: str, project_field: str,
               group_field: str) -> dict[str, list[str]]:
    """Each grouping's key per row, within its project: the whole text, the naive rule (root type and first
    application frame), predict.py's group (utils.pipeline.grouping.group_key), and a ceiling: the gold groups split by
    root type, the best any grouping can score that never puts two root-cause types in one group."""
    keys: dict[str, list[str]] = {"exact text": [], "root type + first application frame": [],
                                  "failure signature": [], CEILING: []}
    for row in rows:
        project, trace = str(row.get(project_field, "")), parse_trace(row[text_field])
        root = trace.root_cause
        stack = trace.full_stack() if root is not None else trace.frames
        first_app = next((f"{frame.class_name}.{frame.method}" for frame in stack if not frame.is_library), "")
        keys["exact text"].append(f"{project}\n{row[text_field]}")
        keys["root type + first application frame"].append(f"{project}\n{root.class_name if root else ''}\n"
                                                           f"{first_app}")
        keys["failure signature"].append(f"{project}\n{group_key(trace).id}")
        keys[CEILING].append(f"{project}\n{row[group_field]}\n{root.class_name if root else ''}")
    return keys


def group_row_left_out(row: dict[str, Any], args: EvaluateArguments, label_set: LabelSet) -> str | None:
    """Why a row is not scored by --task group (None: it is), so that nothing is left out uncounted."""
    if row.get("kind", "test_failure") != "test_failure":
        return "not a failing test"
    label = row.get(args.label_field)
    if not isinstance(label, str) or not label.strip():
        return f"no {args.label_field!r} text"
    if label_set.to_label(label) == ASSERTION_LABEL:
        return "an assertion failure"
    if not isinstance(row.get(args.text_field), str):
        return f"{args.text_field!r} is not text"
    return None if row.get(args.group_field) else f"no {args.group_field!r}"


def evaluate_grouping(args: EvaluateArguments) -> dict[str, Any]:
    """B-cubed precision/recall/F1 of each grouping against `--group_field`: by default (`--group_gold failure`) the
    traces of one bug and one root-cause type should share a group, with `--group_gold bug` those of one bug; on
    failing-test rows whose root cause is not an assertion failure; all rows, the held-out projects, and each project
    apart."""
    label_set = load_label_set(args.labels_file)
    read = read_jsonl(args.input, required_fields=(args.text_field,), skip_invalid=args.skip_invalid_rows)
    rows, left_out = [], Counter({"an invalid JSONL line": len(read.skipped)} if read.skipped else {})
    if read.skipped:
        logger.warning("%s: skipped %d invalid line(s), first: %s", args.input, len(read.skipped), read.skipped[0])
    for row in read:
        reason = group_row_left_out(row, args, label_set)
        if reason:
            left_out[reason] += 1
        else:
            rows.append(row)
    if not rows:
        raise SystemExit(f"{args.input}: no failing-test, non-assertion row with {args.group_field!r} "
                         f"(left out: {dict(left_out)})")
    keys = group_keys(rows, args.text_field, args.project_field, args.group_field)
    # one bug often fails with several root-cause types: split by type, the gold is the ceiling's own key
    gold = keys.pop(CEILING) if args.group_gold == "failure" else [
        f"{row.get(args.project_field, '')}:{row[args.group_field]}" for row in rows]
    project_of = [str(row.get(args.project_field, "")) for row in rows]
    slices = {"all": [True] * len(rows), "held_out": [project in args.held_out_projects for project in project_of],
              **{project: [name == project for name in project_of] for project in sorted(set(project_of))}}
    results = {}
    for name, chosen in slices.items():
        indexes = [index for index, keep in enumerate(chosen) if keep]
        if not indexes:  # no held-out project in the data: no slice (its F1 would be NaN)
            continue
        results[name] = {"rows": len(indexes), "groups": len({gold[i] for i in indexes}), **{
            system: b_cubed([values[i] for i in indexes], [gold[i] for i in indexes])
            for system, values in keys.items()}}
    report = {"task": "group", "input": args.input, "group_field": args.group_field, "group_gold": args.group_gold,
              "held_out_projects": list(args.held_out_projects), "rows_left_out": dict(sorted(left_out.items())),
              "results": results}
    write_report(args.output_dir or "reports/group", report, group_markdown(report))
    return report


def group_markdown(report: dict[str, Any]) -> str:
    systems = [name for name in next(iter(report["results"].values())) if name not in ("rows", "groups")]
    gold = f"`{report['group_field']}`" + (" and root-cause type" if report.get("group_gold") == "failure" else "")
    lines = [f"# Grouping on {Path(report['input']).name}: B-cubed F1 (precision / recall) against {gold}", "",
             "| rows | n | gold groups | " + " | ".join(systems) + " |",
             "|---|---:|---:|" + "---:|" * len(systems)]
    for name, result in report["results"].items():
        cells = [f"{result[s]['f1']:.3f} ({result[s]['precision']:.3f} / {result[s]['recall']:.3f})" for s in systems]
        lines.append(f"| {name} | {result['rows']} | {result['groups']} | " + " | ".join(cells) + " |")
    left_out = report.get("rows_left_out") or {}
    if left_out:
        lines += ["", "Rows not scored: " + ", ".join(f"{reason} {count}" for reason, count in left_out.items())]
    return "\n".join(lines) + "\n"


TASKS = {
    "classify": (evaluate_classifier, lambda report: markdown_report(report).split("## Prediction distribution")[0]),
    "locate": (evaluate_locator, locate_markdown),
    "explain": (evaluate_explainer, explain_markdown),
    "group": (evaluate_grouping, group_markdown),
}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    configure_console()  # progress bars on a terminal only; no library chatter (utils/console.py)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    (args,) = parse_args_with_config(HfArgumentParser(EvaluateArguments), argv)
    if args.output_dir:
        check_output_folder(args.output_dir)  # before any model loads
    if args.max_rows is not None and args.max_rows < 1:  # 0 read as "no limit" before
        raise SystemExit(f"--max_rows must be at least 1, got {args.max_rows}")
    evaluate_task, render = TASKS[args.task]
    try:
        report = evaluate_task(args)
    except (ModelLoadError, ConfigFileError, StatementsFileError) as error:  # one sentence naming it, no traceback
        raise SystemExit(f"evaluate.py: error: {error}") from None
    print(render(report))
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
