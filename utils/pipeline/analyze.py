"""The analysis pipeline shared by predict.py and evaluate.py: trace -> type, root cause, location, explanation.

Parsing and locating are pure Python; the stage-1 / stage-2 models are optional and imported only when used, so
a parser-only run starts in well under a second. What is made of the results lives apart: the output record in
utils/pipeline/record.py, the printed summary in utils/report/summary.py, end-to-end scoring in
utils/evaluation/explanation_scoring.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from utils.code_throws import CodeThrows, load_code_throws
from utils.jvm_evidence import RULED_OUT, code_throw, evidence, ruled_out
from utils.labels import LabelSet, load_label_set
from utils.native_memory import limit_kernel_cache, release_freed_memory
from utils.parsing.log_sources import LogDocument
from utils.parsing.stacktrace import Frame, Trace, find_deadlocks, parse_log
from utils.stage1.wording import WordingMemory, memory_for
from utils.stage2.guidance import format_guidance, frame_location

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
DEFAULT_STAGE1_DIR = MODELS_DIR / "stage1"
DEFAULT_LOCATOR_DIR = MODELS_DIR / "locate"
DEFAULT_STAGE2_DIR = MODELS_DIR / "stage2"

# How the final label was decided (the `decided_by` field of an output record).
DECIDED_BY_PARSER = "parser"  # the root cause's class name maps to a known label; no model was given
DECIDED_BY_MODEL = "model"  # no readable exception name; the model decides
DECIDED_BY_AGREE = "parser+model agree"
DECIDED_BY_PARSER_OVER_MODEL = "parser (model disagrees)"
# No readable name, but the JVM's evidence types it (utils/jvm_evidence.py): its rule is the `decided_by`
# ("throw site", "JDK message", "recursion", "no message, thrown outside the JDK"); where the model's best label's
# thrower left no sign in the trace, the best label left answers (`RULED_OUT`).


# Stage 2 decodes step by step, and a step costs little more for 128 sources than for 32 with a small T5 on CPU: 77,
# 51, 45, 34 and 2 new failures took 11.4 s in batches of 32, 8.3 s in one batch each (200 MB production log, the
# same explanations); 128 peaked ~22 MB higher than 32 on that log, so a batch holds 64.
GENERATE_BATCH = 64


@dataclass
class DeadlockMember:
    """A thread's place in one deadlock cycle. `names` is one list shared by every member of the cycle, so a cycle
    of N threads costs N names, not N copies of them (N x N once made a 1 MB dump 223 MB of output)."""

    cycle: int  # 1-based number of the cycle within its document
    names: list[str]  # the cycle's threads in wait order: each waits for a lock the next one holds
    position: int  # this thread's index in `names`

    @property
    def first(self) -> bool:
        """The member whose record and summary list the whole cycle."""
        return self.position == 0

    @property
    def waits_for(self) -> str:
        return self.names[(self.position + 1) % len(self.names)]


@dataclass
class AnalyzedTrace:
    """One trace with everything predict.py reports for it."""

    document: LogDocument
    index: int  # position of the trace within its document
    trace: Trace
    parser_label: str | None = None  # label read from the root cause's class name, None if unreadable
    # with no readable name: the label the JVM's evidence gives (utils/jvm_evidence.py) and the rule that gave it
    evidence_label: str | None = None
    evidence_rule: str | None = None
    top_k: list[dict[str, Any]] = field(default_factory=list)  # [{label, score}] from stage 1
    label: str | None = None
    decided_by: str | None = None
    candidates: list[Any] = field(default_factory=list)  # ranked frames (utils.locate.RankedFrame)
    explanation: str | None = None  # what the user sees (type and location agree with the fields above)
    explanation_raw: str | None = None  # the generation before the agreement post-check
    explanation_agreed: bool | None = None
    # the utils.stage2.scenarios.Recall of the most similar known scenario (the stage-2 model sees it)
    recall: Any = None
    known_scenario: Any = None  # that Recall when it is the explanation shown (its slots filled, grounded)
    similar_case: dict[str, Any] | None = None  # a recall not shown as this failure's explanation, and why not
    explanation_source: str | None = None  # "known scenario", "model" (generated) or "type template"
    explanation_rejected: list[dict[str, Any]] = field(default_factory=list)  # texts not shown, and why
    deadlock: DeadlockMember | None = None  # set for a thread in a deadlock
    # its utils.pipeline.grouping.GroupKey, when the side that parsed it computed it (predict.parsed_batches)
    group: Any = None

    @property
    def id(self) -> str:
        return self.document.id if self.index == 0 else f"{self.document.id}#{self.index + 1}"

    @property
    def location(self) -> Frame | None:
        return self.candidates[0].frame if self.candidates else None


@dataclass
class StreamState:
    """What analysing a stream of documents carries from one batch to the next: each group's first trace (so a
    failure is analysed once per run, not once per batch) and the numbering within the file being read (the regions
    of one streamed plain log share one trace and deadlock numbering). Memory grows with the groups, not the input."""

    leaders: dict[str, AnalyzedTrace] = field(default_factory=dict)
    # utils.pipeline.repeat_cache.FrameBlocks: parses (and redacts) documents, runs of frames once
    frame_blocks: Any = None
    source: str | None = None  # the file whose regions are being read
    traces: int = 0  # traces of `source` so far
    cycles: int = 0  # deadlock cycles of `source` so far

    def enter(self, source: str) -> None:
        if source != self.source:
            self.source, self.traces, self.cycles = source, 0, 0


def parse_documents(documents: list[LogDocument], label_set: LabelSet,
                    state: StreamState | None = None) -> list[AnalyzedTrace]:
    """Every trace of every document, with the parser's label; a document with no trace yields one record.

    With `state` (a streamed run), a document may be one region of a plain log: its traces are numbered and placed
    (lines) in the whole file, a region without a trace yields nothing, and the file's `no_trace_head` yields its
    record only when no region of the file held a trace; `state.frame_blocks` parses (and redacts) them."""
    analyzed: list[AnalyzedTrace] = []
    for document in documents:
        first_index, first_cycle, line_offset = 0, 0, document.line_offset
        if state is not None:
            state.enter(document.source)
            if document.no_trace_head and state.traces:
                continue
            first_index, first_cycle = state.traces, state.cycles
        if state is not None and state.frame_blocks is not None:
            document, traces = state.frame_blocks.parse(document)
        else:
            traces = parse_log(document.text, cut=document.cut)
        if state is not None and document.region and not traces[0].chain:
            continue  # a region with no trace in it (parse_log's "none found" record)
        for trace in traces if line_offset else ():
            trace.start_line += line_offset
            trace.end_line += line_offset
        in_deadlock: dict[int, DeadlockMember] = {}
        cycles = find_deadlocks(traces)
        for number, cycle in enumerate(cycles, start=first_cycle + 1):
            names = [member.thread or "?" for member in cycle]
            for position, thread in enumerate(cycle):
                in_deadlock[id(thread)] = DeadlockMember(number, names, position)
        for index, trace in enumerate(traces, start=first_index):
            root = trace.root_cause
            # No readable class name (a cut or masked trace gives ""): the model decides, not the parser.
            parser_label = label_set.to_label(root.class_name) if root and root.class_name else None
            found = evidence(trace) if parser_label is None else None
            analyzed.append(AnalyzedTrace(document=document, index=index, trace=trace, parser_label=parser_label,
                                          evidence_label=label_set.to_label(found.class_name) if found else None,
                                          evidence_rule=found.rule if found else None,
                                          deadlock=in_deadlock.get(id(trace))))
        if state is not None:
            state.traces += len(traces)
            state.cycles += len(cycles)
    return analyzed


# What the repeats of a group take from its first trace: everything the models and the ranker decide.
GROUP_SHARED_FIELDS = ("top_k", "label", "decided_by", "candidates", "explanation", "explanation_raw",
                       "explanation_agreed", "recall", "known_scenario", "similar_case", "explanation_source",
                       "explanation_rejected")


def _leaders_and_repeats(
    results: list[AnalyzedTrace], group_of: Callable[[Trace], str | None] | None,
    first: dict[str, AnalyzedTrace] | None = None,
) -> tuple[list[AnalyzedTrace], list[tuple[AnalyzedTrace, AnalyzedTrace]]]:
    """(the traces to analyse, (repeat, its group's first trace) pairs). Threads and traces without a group are
    analysed each on their own. `first` (group -> its first trace) carries the groups of earlier batches."""
    if group_of is None:
        return results, []
    first = first if first is not None else {}
    leaders, repeats = [], []
    for item in results:
        group = group_of(item.trace) if item.trace.has_exception else None
        if group is not None and group in first:
            repeats.append((item, first[group]))
            continue
        if group is not None:
            first[group] = item
        leaders.append(item)
    return leaders, repeats


def decide_label(parser_label: str | None, model_label: str | None,
                 evidence_label: str | None = None, evidence_rule: str | None = None) -> tuple[str | None, str | None]:
    """Hybrid typing: a class name the parser can read wins; without one, the JVM's evidence (a throw site, a JDK
    message, recursion, no message outside the JDK; its top_k still shows what the model thought); the model
    decides only when there is neither."""
    if parser_label is None and evidence_label is not None:
        return evidence_label, evidence_rule
    if parser_label is None:
        return (model_label, DECIDED_BY_MODEL) if model_label else (None, None)
    if model_label is None:
        return parser_label, DECIDED_BY_PARSER
    return parser_label, DECIDED_BY_AGREE if model_label == parser_label else DECIDED_BY_PARSER_OVER_MODEL


def best_allowed(probabilities: Sequence[float], names: Sequence[str], out: frozenset[str]) -> str:
    """The most probable label not in `out` (the labels a trace's thrower signs rule out); the most probable one
    if `out` holds them all, as evaluate.py's `with_jvm_evidence` leaves such a row."""
    allowed = [index for index in range(len(names)) if names[index] not in out] or range(len(names))
    return names[max(allowed, key=lambda index: probabilities[index])]


def expand_model_dirs(paths: list[str]) -> list[str]:
    """Model dirs as given, a folds dir (subdirs holding config.json) expanded to its members; Hub ids kept. A
    Trainer's `checkpoint-*` folder is no member: a run interrupted mid-training left it, and its model is half
    trained (the directory then fails to load, saying so)."""
    from utils.models.checkpoints import is_checkpoint  # numpy and the neighbours: only when models are named

    expanded: list[str] = []
    for path in paths:
        local = Path(path)
        if local.is_dir() and not (local / "config.json").is_file():
            members = sorted(str(child) for child in local.iterdir()
                             if (child / "config.json").is_file() and not is_checkpoint(child))
            if members:
                expanded.extend(members)
                continue
        expanded.append(path)
    return expanded


def _has_model(path: Path) -> bool:
    return path.is_dir() and any(path.iterdir())


# The options a script's argument names otherwise (`--model`, `--locator`, `--stage2`); every other option has the
# name of its argument.
_ARGUMENT_NAMES = {"model_dirs": "model", "locator_dir": "locator", "stage2_dir": "stage2"}


@dataclass
class AnalyzerOptions:
    model_dirs: list[str] | None = None  # stage 1; None: DEFAULT_STAGE1_DIR when present
    ensemble_weights: list[float] | None = None
    locator_dir: str | None = None  # None: DEFAULT_LOCATOR_DIR when present, else the built-in rules
    stage2_dir: str | None = None  # None: DEFAULT_STAGE2_DIR when present
    no_model: bool = False
    no_stage1: bool = False  # type from the parser only, still with a stage-2 model
    no_stage2: bool = False
    top_k: int = 3
    max_candidates: int = 5
    batch_size: int = 32
    num_beams: int = 1
    max_new_tokens: int = 96
    explanation_language: str = "auto"  # en | ko | auto (ko when the log contains Hangul); a document's own wins
    recall_threshold: float | None = None  # similarity from which a known scenario's text is used; None: the model's
    threads: int | None = None
    # cores the run keeps busy besides the models (predict.py's parse process): no torch thread goes there unless
    # `threads` says so (the load average does not show a process that has just started)
    reserved_cores: int = 0
    quantize: bool = False
    precision: str = "auto"  # stage 1 and 2 inference: auto (bf16 where the CPU runs it natively), fp32 or bf16
    no_wording: bool = False  # stage 1 without the vote of how open-source code words its throws
    wording_statements: str | None = None  # that vote's throw statements; None: data/throw_statements.jsonl.gz
    code_throws: str | None = None  # the throw statements of the code that wrote the logs (utils/code_throws.py)

    @classmethod
    def from_arguments(cls, arguments: Any, **overrides: Any) -> AnalyzerOptions:
        """The options a script's parsed arguments give (predict.py, evaluate.py, the Ray engine): each option from
        the argument of its name, the default where the script has no such argument; `overrides` win."""
        values = {option.name: getattr(arguments, _ARGUMENT_NAMES.get(option.name, option.name))
                  for option in fields(cls) if hasattr(arguments, _ARGUMENT_NAMES.get(option.name, option.name))}
        return cls(**{**values, **overrides})


def stage1_dirs(options: AnalyzerOptions) -> list[str]:
    """The stage-1 model dirs an Analyzer with `options` loads: those named, else models/stage1 where it holds a
    model; none with no_model or no_stage1."""
    if options.no_model or options.no_stage1:
        return []
    return options.model_dirs or ([str(DEFAULT_STAGE1_DIR)] if _has_model(DEFAULT_STAGE1_DIR) else [])


class Analyzer:
    """Loads the models once; `analyze(documents)` runs every step over all traces, batched."""

    def __init__(self, options: AnalyzerOptions, label_set: LabelSet | None = None) -> None:
        from utils.locate import load_ranker

        self.options = options
        self.label_set = label_set or load_label_set()
        model_dirs = stage1_dirs(options)
        locator_dir = options.locator_dir or (str(DEFAULT_LOCATOR_DIR) if _has_model(DEFAULT_LOCATOR_DIR) else None)
        stage2_dir = options.stage2_dir or (str(DEFAULT_STAGE2_DIR) if _has_model(DEFAULT_STAGE2_DIR) else None)
        if options.no_model:
            locator_dir, stage2_dir = None, None
        if options.no_stage2:
            stage2_dir = None
        self.ranker = load_ranker(locator_dir) if locator_dir else None
        self.locator_dir = locator_dir
        self.stage1: list[Any] = []
        self.explainer: tuple[Any, Any, dict[str, Any]] | None = None
        self.scenario_memory: Any = None  # utils.stage2.scenarios.ScenarioMemory of a retrieval-augmented stage 2
        self.stage2_dir = stage2_dir
        self.stage1_bf16 = self.stage2_bf16 = False
        self.wording: WordingMemory | None = None  # with stage-1 models that read traces
        self.code_throws: CodeThrows | None = load_code_throws(options.code_throws) if options.code_throws else None
        if model_dirs or stage2_dir:
            self._load_models(expand_model_dirs(model_dirs), stage2_dir)

    @property
    def runs_models(self) -> bool:
        """Whether a call of `analyze_items` runs a model (stage 1 or 2), whose cost is per call more than per trace."""
        return bool(self.stage1 or self.explainer)

    def _load_models(self, model_dirs: list[str], stage2_dir: str | None) -> None:
        limit_kernel_cache()  # before any model runs: oneDNN reads it at its first kernel (utils/native_memory.py)
        # utils.stage1.inference first: it sets the OpenMP wait policy, which only takes effect before torch loads.
        from utils.models.checkpoints import TASK_CLASSIFY, load_model
        from utils.stage1.inference import (
            check_same_labels,
            configure_threads,
            inference_bf16,
            quantize_int8,
            stage1_bf16,
            to_bf16_weights,
        )

        self.threads = configure_threads(self.options.threads, self.options.reserved_cores)
        self.stage1 = [load_model(path, expected_task=TASK_CLASSIFY) for path in model_dirs]
        if self.stage1:
            self.stage1_labels = check_same_labels(self.stage1)
        if self.options.quantize:
            for member in self.stage1:
                member.model = quantize_int8(member.model)
        # bf16 weights where the hardware runs bf16 natively (utils/stage1/precision.py); int8 weights stay as they are.
        self.stage1_bf16 = stage1_bf16(self.stage1, self.options.precision, self.options.quantize)
        to_bf16_weights([member.model for member in self.stage1], self.stage1_bf16)
        self.wording = memory_for(self.stage1, self.label_set, self.options.no_wording,
                                  self.options.wording_statements, self.options.precision)
        if stage2_dir:
            from utils.stage2.seq2seq import load_explainer

            self.explainer = load_explainer(stage2_dir)
            # Stage 2 by the same rule, in bf16 weights: on the demo corpus's test split the same ROUGE-L (0.5301),
            # sources and grounding as fp32, at 22.3 logs/s against 16.6 end to end (evaluate.py --task explain)
            self.stage2_bf16 = inference_bf16(self.options.precision, self.explainer[0].device.type)
            to_bf16_weights([self.explainer[0]], self.stage2_bf16)
            if self.explainer[2].input_options.retrieval:
                from utils.stage2.scenarios import ScenarioMemory

                self.scenario_memory = ScenarioMemory.load(stage2_dir)
                if self.scenario_memory is None:
                    raise SystemExit(f"{stage2_dir}: the stage-2 model was trained with a scenario memory, but its "
                                     f"scenarios.json is missing")

    def describe(self) -> dict[str, Any]:
        return {"stage1": [member.path for member in self.stage1], "ensemble_weights": self.options.ensemble_weights,
                "stage1_precision": ("bf16" if self.stage1_bf16 else "fp32") if self.stage1 else None,
                "stage2_precision": ("bf16" if self.stage2_bf16 else "fp32") if self.explainer else None,
                "wording_memory": self.wording.describe() if self.wording else None,
                "code_throws": self.code_throws.describe() if self.code_throws else None,
                "locator": self.locator_dir or "built-in rules", "stage2": self.stage2_dir}

    def describe_short(self) -> str:
        stage1 = f"stage 1: {len(self.stage1)} model(s)" if self.stage1 else "parser only (no stage-1 model)"
        return f"{stage1}; locator: {self.locator_dir or 'rules'}; stage 2: {self.stage2_dir or 'none'}"

    def analyze(
        self, documents: list[LogDocument], progress: bool = False,
        group_of: Callable[[Trace], str | None] | None = None, state: StreamState | None = None,
    ) -> list[AnalyzedTrace]:
        """Every trace of `documents`, analysed. With `group_of` (a trace's group id, utils.pipeline.grouping), the
        repeats of one failure are analysed once: the group's first trace is classified, located and explained, and the
        others get its analysis (a thousand repeats cost one model pass, not a thousand). With `state`, documents
        come in batches of a stream (`parse_documents`) and a group analysed in an earlier batch is not again."""
        results = parse_documents(documents, self.label_set, state)
        return self.analyze_items(results, group_of, state.leaders if state is not None else None)

    def analyze_items(
        self, results: list[AnalyzedTrace], group_of: Callable[[Trace], str | None] | None = None,
        first: dict[str, AnalyzedTrace] | None = None,
    ) -> list[AnalyzedTrace]:
        """`analyze` on traces already parsed (`parse_documents`), in place: an engine that parses elsewhere (Ray's
        parse stage) analyses them without parsing again. `first` (group -> its first trace) carries earlier groups."""
        leaders, repeats = _leaders_and_repeats(results, group_of, first)
        if self.code_throws is not None:
            self._type_by_code(leaders)
        # threads of a thread dump are not failures: no type, no explanation (their frames are still ranked)
        with_exception = [item for item in leaders
                          if item.trace.kind != "thread" and (item.trace.has_exception or item.trace.frames)]
        if self.stage1:
            # A raw-text model (input_format "text", e.g. a binary text detector) classifies every text.
            text_models = any(member.metadata.input_format == "text" for member in self.stage1)
            self._classify(leaders if text_models else with_exception)
        for item in leaders:
            if not self.stage1:
                item.label, item.decided_by = decide_label(item.parser_label, None, item.evidence_label,
                                                            item.evidence_rule)
            item.candidates = rank_frames_for(item, self.ranker)[: self.options.max_candidates]
        if self.explainer:
            self._explain([item for item in with_exception if item.label])
        if self.runs_models and leaders:
            release_freed_memory()  # what the passes freed leaves the process (utils/native_memory.py)
        for item, leader in repeats:
            for name in GROUP_SHARED_FIELDS:
                setattr(item, name, getattr(leader, name))
        return results

    def _type_by_code(self, items: list[AnalyzedTrace]) -> None:
        """Rule 0 of utils/jvm_evidence.py, the one that needs the user's code: parsing (in another process, or a
        Ray worker) ran the others without it."""
        for item in items:
            found = code_throw(item.trace, self.code_throws) if item.parser_label is None else None
            if found is not None:
                item.evidence_label, item.evidence_rule = self.label_set.to_label(found.class_name), found.rule

    def _classify(self, items: list[AnalyzedTrace]) -> None:
        from utils.inputs import build_model_input
        from utils.stage1.inference import ensemble_probabilities, top_k_labels

        if not items:
            return
        texts_per_model = [
            [item.document.text if member.metadata.input_format == "text"
             else build_model_input(item.trace, **member.metadata.input_options.as_kwargs()) for item in items]
            for member in self.stage1
        ]
        probabilities = ensemble_probabilities(self.stage1, texts_per_model, self.options.ensemble_weights,
                                               self.options.batch_size, bf16=self.stage1_bf16)
        if self.wording:
            probabilities = self.wording.mix(probabilities, [item.trace for item in items], self.label_set,
                                             self.stage1_labels)
        for item, row, top in zip(items, probabilities,
                                  top_k_labels(probabilities, self.stage1_labels, self.options.top_k)):
            item.top_k = top  # what the model thought, as for a label the JVM's evidence gave
            out = ruled_out(item.trace)
            model_label = best_allowed(row, self.stage1_labels, out) if top[0]["label"] in out else top[0]["label"]
            item.label, item.decided_by = decide_label(item.parser_label, model_label, item.evidence_label,
                                                        item.evidence_rule)
            if item.decided_by == DECIDED_BY_MODEL and top[0]["label"] in out:
                item.decided_by = RULED_OUT

    def _language(self, item: AnalyzedTrace) -> str:
        """The language to explain in: the document's own, else the option, where "auto" reads the trace's own
        lines (its log record, messages and frames): one Korean record must not make a whole file Korean."""
        from utils.inputs import detect_language

        chosen = item.document.language or self.options.explanation_language
        if chosen != "auto":
            return chosen
        trace = item.trace
        return detect_language("\n".join([*trace.context, trace.text, *(exc.message or "" for exc in trace.chain)]))

    def _explain(self, items: list[AnalyzedTrace]) -> None:
        """Grounded or silent: each item is explained by the first source whose text passes the checks (a recalled
        known scenario, re-filled from this trace and grounded in its log; the model's text, grounded, not
        repeating itself, well formed; else the type-level text, grounded by construction)."""
        from utils.stage2.explanations import load_type_explanations, trace_grounding, trace_slots
        from utils.stage2.scenarios import scenario_text
        from utils.stage2.seq2seq import enforce_agreement, explanation_problems

        if not items:
            return
        metadata = self.explainer[2]  # type: ignore[index]
        templates = load_type_explanations()
        locations = [frame_location(item.location) for item in items]
        languages = [self._language(item) for item in items]
        slots = [trace_slots(item.trace, item.location) for item in items]
        for item, (values, _) in zip(items, slots):
            method = _slot_method(item)
            if method:  # without one a text says "the failing method" (an empty slot printed "in : whether ...")
                values.setdefault("method", method)
        groundings = [trace_grounding(item.trace, item.label, item.location, templates)
                      for item in items]
        if self.scenario_memory is not None:
            for item, language, (values, _) in zip(items, languages, slots):
                item.recall = self.scenario_memory.recall(scenario_text(item.trace, item.label), item.label, language,
                                                          slots=values)
        # A known scenario similar enough (threshold chosen at training, see train_stage2.calibrate_recall) gives
        # its own text when it fits this trace; the model writes the rest.
        threshold = self.options.recall_threshold
        if threshold is None:
            threshold = metadata.generation.recall_threshold
        to_generate = [index for index, item in enumerate(items)
                       if not self._show_recall(item, threshold, groundings[index], locations[index])]
        explanations = self._generate(*([values[index] for index in to_generate]
                                        for values in (items, languages, locations)))
        for index, explanation in zip(to_generate, explanations):
            item = items[index]
            item.explanation_raw = explanation
            text, agreed = enforce_agreement(explanation, item.label, locations[index])
            problems = explanation_problems(text, groundings[index])
            if not problems:
                item.explanation, item.explanation_agreed, item.explanation_source = text, agreed, "model"
                continue
            item.explanation_rejected.append({"source": "model", "text": text, "problems": problems})
            fallback = templates.explain(item.label, languages[index], *slots[index])
            item.explanation = format_guidance(item.label, fallback.cause, locations[index], fallback.fix)
            item.explanation_agreed, item.explanation_source = True, "type template"

    def _show_recall(self, item: AnalyzedTrace, threshold: float | None, grounding: Any, location: str) -> bool:
        """Whether the item's recalled known scenario is its explanation (then set); one that is not is kept as
        `similar_case`, with why it is not this failure's explanation."""
        from utils.stage2.seq2seq import recall_problems, use_recall

        known = item.recall
        if known is None:
            return False
        if not use_recall(known.similarity, threshold):
            why = [f"similarity {known.similarity:.2f} is below the recall threshold {threshold}"]
        else:
            why = recall_problems(known, grounding)
        if why:
            item.similar_case = {**known.as_dict(), "not_shown_because": why}
            return False
        item.known_scenario = known
        item.explanation = item.explanation_raw = format_guidance(item.label, known.cause, location, known.fix)
        item.explanation_agreed, item.explanation_source = True, "known scenario"
        return True

    def _generate(self, items: list[AnalyzedTrace], languages: list[str], locations: list[str]) -> list[str]:
        """The stage-2 model's explanations of `items`, constrained to their types and locations."""
        from utils.stage2.scenarios import format_recall
        from utils.stage2.seq2seq import build_source, generate_explanations

        if not items:
            return []
        model, tokenizer, metadata = self.explainer  # type: ignore[misc]
        input_options = metadata.input_options  # as the model was trained
        sources = [build_source(item.trace, item.label, item.location, input_options.max_frames,
                                language if input_options.language_tag else None,
                                format_recall(item.recall) if self.scenario_memory is not None else None)
                   for item, language in zip(items, languages)]
        return generate_explanations(model, tokenizer, sources, batch_size=GENERATE_BATCH,
                                     num_beams=self.options.num_beams, max_new_tokens=self.options.max_new_tokens,
                                     types=[item.label for item in items], locations=locations)


def _slot_method(item: AnalyzedTrace) -> str | None:
    """The method a recalled text names: the located frame's, else the top frame's (library code included)."""
    if item.location is not None:
        return item.location.method
    stack = item.trace.full_stack()
    return stack[0].method if stack else None


def rank_frames_for(item: AnalyzedTrace, ranker: Any) -> list[Any]:
    from utils.locate import rank_frames

    return rank_frames(item.trace, item.label, ranker)
