"""The analysis pipeline shared by predict.py and evaluate.py: trace -> type, root cause, location, explanation.

Parsing and locating are pure Python; the stage-1 / stage-2 models are optional and imported only when used, so
a parser-only run starts in well under a second.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from utils.guidance import format_guidance, frame_location, parse_guidance
from utils.labels import LabelSet, load_label_set
from utils.log_sources import LogDocument, parser_line_growth
from utils.stacktrace import Frame, Trace, find_deadlocks, parse_log

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_STAGE1_DIR = MODELS_DIR / "stage1"
DEFAULT_LOCATOR_DIR = MODELS_DIR / "locate"
DEFAULT_STAGE2_DIR = MODELS_DIR / "stage2"

# How the final label was decided (the `decided_by` field of an output record).
DECIDED_BY_PARSER = "parser"  # the root cause's class name maps to a known label; no model was given
DECIDED_BY_MODEL = "model"  # no readable exception name; the model decides
DECIDED_BY_AGREE = "parser+model agree"
DECIDED_BY_PARSER_OVER_MODEL = "parser (model disagrees)"


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
    top_k: list[dict[str, Any]] = field(default_factory=list)  # [{label, score}] from stage 1
    label: str | None = None
    decided_by: str | None = None
    candidates: list[Any] = field(default_factory=list)  # ranked frames (utils.locate.RankedFrame)
    explanation: str | None = None  # what the user sees (type and location agree with the fields above)
    explanation_raw: str | None = None  # the generation before the agreement post-check
    explanation_agreed: bool | None = None
    recall: Any = None  # the utils.scenarios.Recall of the most similar known scenario (the stage-2 model sees it)
    known_scenario: Any = None  # that Recall when it is the explanation shown (its slots filled, grounded)
    similar_case: dict[str, Any] | None = None  # a recall not shown as this failure's explanation, and why not
    explanation_source: str | None = None  # "known scenario", "model" (generated) or "type template"
    explanation_rejected: list[dict[str, Any]] = field(default_factory=list)  # texts not shown, and why
    deadlock: DeadlockMember | None = None  # set for a thread in a deadlock

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
    frame_blocks: Any = None  # utils.repeat_cache.FrameBlocks: parses (and redacts) documents, runs of frames once
    source: str | None = None  # the file whose regions are being read
    traces: int = 0  # traces of `source` so far
    cycles: int = 0  # deadlock cycles of `source` so far
    extra_lines: int = 0  # lines the parser added to earlier regions of `source` (escaped traces it decoded)

    def enter(self, source: str) -> None:
        if source != self.source:
            self.source, self.traces, self.cycles, self.extra_lines = source, 0, 0, 0


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
            traces = parse_log(document.text)
        if state is not None:
            line_offset += state.extra_lines
            state.extra_lines += parser_line_growth(document.text)
            if document.region and not traces[0].chain:
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
            analyzed.append(AnalyzedTrace(document=document, index=index, trace=trace, parser_label=parser_label,
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


def decide_label(parser_label: str | None, model_label: str | None) -> tuple[str | None, str | None]:
    """Hybrid typing: a class name the parser can read wins; the model decides only when there is none."""
    if parser_label is None:
        return (model_label, DECIDED_BY_MODEL) if model_label else (None, None)
    if model_label is None:
        return parser_label, DECIDED_BY_PARSER
    return parser_label, DECIDED_BY_AGREE if model_label == parser_label else DECIDED_BY_PARSER_OVER_MODEL


def frame_dict(frame: Frame | None) -> dict[str, Any] | None:
    if frame is None:
        return None
    return {"class": frame.class_name, "method": frame.method, "file": frame.file, "line": frame.line}


# The fields of `to_record` made only from what a repeat takes from its group's first trace (GROUP_SHARED_FIELDS):
# every record of one group has the same values there (a writer may redact them once per group).
GROUP_RECORD_FIELDS = ("label", "decided_by", "top_k", "location", "candidates", "explanation", "explanation_fields",
                       "explanation_agreed", "explanation_source", "known_scenario", "similar_case",
                       "explanation_rejected")


def to_record(item: AnalyzedTrace) -> dict[str, Any]:
    """The stable output record of one trace (one JSON object per line in predict.py's output)."""
    trace = item.trace
    root = trace.root_cause if trace.has_exception else None  # a thread of a dump has frames but no exception
    record: dict[str, Any] = {
        "id": item.id,
        "source": item.document.source,
        "kind": trace.kind,
        "has_exception": trace.has_exception,
        "exception": root.simple_name if root else None,
        "exception_fqcn": root.class_name if root else None,
        "label": item.label,
        "decided_by": item.decided_by,
        "parser_label": item.parser_label,
        "top_k": item.top_k,
        "chain": [{"class": exc.class_name, "message": exc.message} for exc in trace.chain] if root else [],
        "root_cause": {"class": root.class_name, "message": root.message} if root else None,
        "location": frame_dict(item.location),
        "candidates": [
            {**(frame_dict(candidate.frame) or {}), "score": round(float(candidate.score), 4)}
            for candidate in item.candidates
        ],
        "log": {
            "level": trace.log_level,
            "timestamp": trace.timestamp,
            "thread": trace.thread,
            "logger": trace.logger,
            "lines": [trace.start_line, trace.end_line],
        },
    }
    if trace.kind == "thread":
        # Each cycle is listed once, in its first thread's record; every member names its cycle and whom it waits for.
        deadlock = item.deadlock
        record["thread"] = {"name": trace.thread, "state": trace.thread_state, "virtual": trace.virtual_thread,
                            "deadlock": {"cycle": deadlock.cycle, "waits_for": deadlock.waits_for,
                                         "threads": deadlock.names if deadlock.first else None} if deadlock else None,
                            "locks": [{"action": lock.action, "address": lock.address, "class": lock.class_name}
                                      for lock in trace.locks]}
    if item.explanation is not None:
        record["explanation"] = item.explanation
        record["explanation_fields"] = parse_guidance(item.explanation)
        record["explanation_agreed"] = item.explanation_agreed
        record["explanation_source"] = item.explanation_source
        record["known_scenario"] = item.known_scenario.as_dict() if item.known_scenario else None
        record["similar_case"] = item.similar_case
        record["explanation_rejected"] = item.explanation_rejected
    return record


def expand_model_dirs(paths: list[str]) -> list[str]:
    """Model dirs as given, a folds dir (subdirs holding config.json) expanded to its members; Hub ids kept."""
    expanded: list[str] = []
    for path in paths:
        local = Path(path)
        if local.is_dir() and not (local / "config.json").is_file():
            members = sorted(str(child) for child in local.iterdir() if (child / "config.json").is_file())
            if members:
                expanded.extend(members)
                continue
        expanded.append(path)
    return expanded


def _has_model(path: Path) -> bool:
    return path.is_dir() and any(path.iterdir())


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
    quantize: bool = False
    precision: str = "auto"  # stage-1 inference: auto (bf16 where the CPU runs it natively), fp32 or bf16


class Analyzer:
    """Loads the models once; `analyze(documents)` runs every step over all traces, batched."""

    def __init__(self, options: AnalyzerOptions, label_set: LabelSet | None = None) -> None:
        from utils.locate import load_ranker

        self.options = options
        self.label_set = label_set or load_label_set()
        model_dirs = options.model_dirs or ([str(DEFAULT_STAGE1_DIR)] if _has_model(DEFAULT_STAGE1_DIR) else [])
        locator_dir = options.locator_dir or (str(DEFAULT_LOCATOR_DIR) if _has_model(DEFAULT_LOCATOR_DIR) else None)
        stage2_dir = options.stage2_dir or (str(DEFAULT_STAGE2_DIR) if _has_model(DEFAULT_STAGE2_DIR) else None)
        if options.no_model:
            model_dirs, locator_dir, stage2_dir = [], None, None
        if options.no_stage1:
            model_dirs = []
        if options.no_stage2:
            stage2_dir = None
        self.ranker = load_ranker(locator_dir) if locator_dir else None
        self.locator_dir = locator_dir
        self.stage1: list[Any] = []
        self.explainer: tuple[Any, Any, dict[str, Any]] | None = None
        self.scenario_memory: Any = None  # utils.scenarios.ScenarioMemory of a retrieval-augmented stage 2
        self.stage2_dir = stage2_dir
        self.stage1_bf16 = False
        if model_dirs or stage2_dir:
            self._load_models(expand_model_dirs(model_dirs), stage2_dir)

    def _load_models(self, model_dirs: list[str], stage2_dir: str | None) -> None:
        # utils.inference first: it sets the OpenMP wait policy, which only takes effect before torch loads.
        from utils.checkpoints import TASK_CLASSIFY, load_model
        from utils.inference import check_same_labels, configure_threads, quantize_int8, stage1_bf16

        self.threads = configure_threads(self.options.threads)
        self.stage1 = [load_model(path, expected_task=TASK_CLASSIFY) for path in model_dirs]
        if self.stage1:
            self.stage1_labels = check_same_labels(self.stage1)
        if self.options.quantize:
            for member in self.stage1:
                member.model = quantize_int8(member.model)
        # bf16 autocast where the hardware runs it natively (utils/precision.py); int8 weights stay as they are.
        self.stage1_bf16 = stage1_bf16(self.stage1, self.options.precision, self.options.quantize)
        if stage2_dir:
            from utils.seq2seq import load_explainer

            self.explainer = load_explainer(stage2_dir)
            if (self.explainer[2].get("input_options") or {}).get("retrieval"):
                from utils.scenarios import ScenarioMemory

                self.scenario_memory = ScenarioMemory.load(stage2_dir)
                if self.scenario_memory is None:
                    raise SystemExit(f"{stage2_dir}: the stage-2 model was trained with a scenario memory, but its "
                                     f"scenarios.json is missing")

    def describe(self) -> dict[str, Any]:
        return {"stage1": [member.path for member in self.stage1], "ensemble_weights": self.options.ensemble_weights,
                "stage1_precision": ("bf16" if self.stage1_bf16 else "fp32") if self.stage1 else None,
                "locator": self.locator_dir or "built-in rules", "stage2": self.stage2_dir}

    def describe_short(self) -> str:
        stage1 = f"stage 1: {len(self.stage1)} model(s)" if self.stage1 else "parser only (no stage-1 model)"
        return f"{stage1}; locator: {self.locator_dir or 'rules'}; stage 2: {self.stage2_dir or 'none'}"

    def analyze(
        self, documents: list[LogDocument], progress: bool = False,
        group_of: Callable[[Trace], str | None] | None = None, state: StreamState | None = None,
    ) -> list[AnalyzedTrace]:
        """Every trace of `documents`, analysed. With `group_of` (a trace's group id, utils.grouping), the repeats
        of one failure are analysed once: the group's first trace is classified, located and explained, and the
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
        # threads of a thread dump are not failures: no type, no explanation (their frames are still ranked)
        with_exception = [item for item in leaders
                          if item.trace.kind != "thread" and (item.trace.has_exception or item.trace.frames)]
        if self.stage1:
            # A raw-text model (input_format "text", e.g. a binary text detector) classifies every text.
            text_models = any(member.metadata.get("input_format") == "text" for member in self.stage1)
            self._classify(leaders if text_models else with_exception)
        for item in leaders:
            if not self.stage1:
                item.label, item.decided_by = decide_label(item.parser_label, None)
            item.candidates = rank_frames_for(item, self.ranker)[: self.options.max_candidates]
        if self.explainer:
            self._explain([item for item in with_exception if item.label])
        for item, leader in repeats:
            for name in GROUP_SHARED_FIELDS:
                setattr(item, name, getattr(leader, name))
        return results

    def _classify(self, items: list[AnalyzedTrace]) -> None:
        from utils.inference import ensemble_probabilities, top_k_labels
        from utils.inputs import build_model_input

        if not items:
            return
        texts_per_model = [
            [item.document.text if member.metadata.get("input_format") == "text"
             else build_model_input(item.trace, **(member.metadata.get("input_options") or {})) for item in items]
            for member in self.stage1
        ]
        probabilities = ensemble_probabilities(self.stage1, texts_per_model, self.options.ensemble_weights,
                                               self.options.batch_size, bf16=self.stage1_bf16)
        for item, top in zip(items, top_k_labels(probabilities, self.stage1_labels, self.options.top_k)):
            item.top_k = top
            item.label, item.decided_by = decide_label(item.parser_label, top[0]["label"])

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
        from utils.explanations import load_type_explanations, trace_grounding, trace_slots
        from utils.scenarios import scenario_text
        from utils.seq2seq import enforce_agreement, explanation_problems

        if not items:
            return
        metadata = self.explainer[2]  # type: ignore[index]
        templates = load_type_explanations()
        locations = [frame_location(item.location) for item in items]
        languages = [self._language(item) for item in items]
        slots = [trace_slots(item.trace, item.location) for item in items]
        for item, (values, _) in zip(items, slots):
            values.setdefault("method", _slot_method(item) or "")
        groundings = [trace_grounding(item.document.text, item.trace, item.label, item.location, templates)
                      for item in items]
        if self.scenario_memory is not None:
            for item, language, (values, _) in zip(items, languages, slots):
                item.recall = self.scenario_memory.recall(scenario_text(item.trace, item.label), item.label, language,
                                                          slots=values)
        # A known scenario similar enough (threshold chosen at training, see train_stage2.calibrate_recall) gives
        # its own text when it fits this trace; the model writes the rest.
        threshold = self.options.recall_threshold
        if threshold is None:
            threshold = (metadata.get("generation") or {}).get("recall_threshold")
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
        from utils.seq2seq import recall_problems, use_recall

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
        from utils.scenarios import format_recall
        from utils.seq2seq import build_source, generate_explanations

        if not items:
            return []
        model, tokenizer, metadata = self.explainer  # type: ignore[misc]
        input_options = metadata.get("input_options") or {}
        max_frames = input_options.get("max_frames", 5)  # as the model was trained
        sources = [build_source(item.trace, item.label, item.location, max_frames,
                                language if input_options.get("language_tag") else None,
                                format_recall(item.recall) if self.scenario_memory is not None else None)
                   for item, language in zip(items, languages)]
        return generate_explanations(model, tokenizer, sources, num_beams=self.options.num_beams,
                                     max_new_tokens=self.options.max_new_tokens,
                                     types=[item.label for item in items], locations=locations)


def _slot_method(item: AnalyzedTrace) -> str | None:
    """The method a recalled text names: the located frame's, else the top frame's (library code included)."""
    if item.location is not None:
        return item.location.method
    stack = item.trace.full_stack()
    return stack[0].method if stack else None


def match_strength(similarity: float) -> str:
    """How far to trust a recalled known scenario, in words shown beside its similarity."""
    if similarity >= 0.7:
        return "close match"
    return "partial match" if similarity >= 0.4 else "weak match: a guess, check it against the trace"


def labelled_trace(results: list[AnalyzedTrace], root_exception: str | None) -> AnalyzedTrace | None:
    """The trace a labelled row is about: the one whose root cause is `root_exception`, else the first with one."""
    with_exception = [item for item in results if item.trace.has_exception]
    for item in with_exception:
        if root_exception and item.trace.root_cause and item.trace.root_cause.class_name == root_exception:
            return item
    return with_exception[0] if with_exception else (results[0] if results else None)


def score_explanations(rows: list[dict[str, Any]], analyzer: Analyzer, text_field: str = "log",
                       label_field: str = "label", guidance_field: str = "guidance",
                       max_examples: int = 10) -> dict[str, Any]:
    """The full pipeline (stage-1 type, ranked location, grounded explanation) on JSONL rows of logs, with or
    without references: every explained row is checked with the grounding rule (`ungrounded_cause` /
    `ungrounded_fix`: the share of explained rows whose field names what the log does not show, with up to
    `max_examples` examples each); ROUGE-L and exact matches are scored on the rows that have a reference
    (`guidance_field`), the type on rows that have a label.

    `end_to_end_exact` counts rows where stage 1's type is right AND cause, location and fix are exactly right;
    `end_to_end_rouge` rows where the type is right and the explanation's ROUGE-L reaches 0.6.
    """
    # Each reference was written in its row's language: that is the language the user asks for.
    documents = [LogDocument(id=str(row.get("id", index)), source=f"row {index + 1}", text=row[text_field],
                             language=(row.get("meta") or {}).get("language") or row.get("language"))
                 for index, row in enumerate(rows)]
    results = analyzer.analyze(documents)
    by_document: dict[str, list[AnalyzedTrace]] = {}
    for item in results:
        by_document.setdefault(item.document.source, []).append(item)
    chosen = [labelled_trace(by_document.get(document.source, []),
                             (row.get("meta") or {}).get("root_exception") or row.get("root_exception"))
              for document, row in zip(documents, rows)]
    scored = [(item, row) for item, row in zip(chosen, rows) if item is not None and item.explanation]
    metrics: dict[str, Any] = {"explained": len(scored), "rows_without_trace": sum(item is None for item in chosen)}
    metrics.update(_grounding_report(scored, text_field, max_examples))
    sources = Counter(item.explanation_source for item, _ in scored)
    metrics["explanation_sources"] = {source: count / max(len(scored), 1) for source, count in sorted(sources.items())}
    metrics["known_scenario_share"] = sources.get("known scenario", 0) / max(len(scored), 1)
    metrics["similar_case_share"] = sum(item.similar_case is not None for item, _ in scored) / max(len(scored), 1)
    metrics["model_texts_rejected"] = sum(bool(item.explanation_rejected) for item, _ in scored)
    labelled = [(item, row) for item, row in scored if row.get(label_field)]
    if labelled:
        metrics["stage1_type_accuracy"] = sum(item.label == analyzer.label_set.to_label(row[label_field])
                                              for item, row in labelled) / len(labelled)
    referenced = [(item, row) for item, row in scored if row.get(guidance_field)]
    metrics["rows_with_reference"] = len(referenced)
    if referenced:
        from utils.generation_metrics import evaluate_explanations

        metrics.update(evaluate_explanations(
            [item.explanation or "" for item, _ in referenced], [row[guidance_field] for _, row in referenced],
            raw_predictions=[item.explanation_raw or "" for item, _ in referenced],
            types=[item.label or "" for item, _ in referenced],
            locations=[frame_location(item.location) for item, _ in referenced],
            type_correct=[item.label == analyzer.label_set.to_label(row.get(label_field)) for item, row in referenced]
            if all(row.get(label_field) for _, row in referenced) else None,
        ))
    return metrics


def _grounding_report(scored: list[tuple[AnalyzedTrace, dict[str, Any]]], text_field: str,
                      max_examples: int) -> dict[str, Any]:
    """Ungrounded rate of the shown cause and fix (utils/grounding.py; a fix may name the general API names) and
    examples of each, from the row's log and the facts the pipeline derived from it. A known scenario's text was
    written for another failure and is judged in the strict form, as when it was chosen."""
    from utils.explanations import load_type_explanations, trace_grounding

    templates = load_type_explanations()
    counts = {"cause": 0, "fix": 0}
    examples: dict[str, list[dict[str, Any]]] = {"cause": [], "fix": []}
    for item, row in scored:
        grounding = trace_grounding(row[text_field], item.trace, item.label, item.location, templates)
        fields = parse_guidance(item.explanation or "")
        for name in counts:
            strict = item.known_scenario.names if item.explanation_source == "known scenario" else None
            missing = grounding.ungrounded(fields.get(name, ""), allow_api=name == "fix", strict_names=strict)
            if not missing:
                continue
            counts[name] += 1
            if len(examples[name]) < max_examples:
                root = item.trace.root_cause
                examples[name].append({"id": row.get("id"), "source": item.explanation_source, name: fields.get(name),
                                       "ungrounded": missing, "root_cause": f"{root.class_name}: {root.message or ''}"
                                       [:200] if root else None})
    total = max(len(scored), 1)
    return {"ungrounded_cause": counts["cause"] / total, "ungrounded_fix": counts["fix"] / total,
            "ungrounded_examples": examples}


def rank_frames_for(item: AnalyzedTrace, ranker: Any) -> list[Any]:
    from utils.locate import rank_frames

    return rank_frames(item.trace, item.label, ranker)


_QUIET_THREAD_STATES = ("RUNNABLE", "WAITING", "TIMED_WAITING", "NEW", "TERMINATED")


def _thread_lines(item: AnalyzedTrace, width: int) -> list[str]:
    trace = item.trace
    lines = [f"  Thread      : {trace.thread}   {trace.thread_state or '(state not printed)'}"]
    locks = {"waiting to lock": "waiting to lock", "parking to wait for": "parked on", "waiting on": "waiting on",
             "locked": "holds"}
    shown = [f"{locks[lock.action]} {lock.class_name or 'lock'} <{lock.address}>" for lock in trace.locks
             if lock.action in locks]
    if shown:
        lines.append(_wrap("  Locks       : ", "; ".join(shown), width))
    deadlock = item.deadlock
    if deadlock and deadlock.first:
        cycle = " -> ".join([*deadlock.names, deadlock.names[0]])
        lines.append(_wrap("  DEADLOCK    : ", f"{cycle} (deadlock {deadlock.cycle}: each waits for a lock the next "
                           "one holds)", width))
    elif deadlock:  # the cycle is listed once, under its first thread
        lines.append(_wrap("  DEADLOCK    : ", f"waits for {deadlock.waits_for} (deadlock {deadlock.cycle}, listed "
                           f"under {deadlock.names[0]})", width))
    return lines


def _thread_state_name(item: AnalyzedTrace) -> str:
    return (item.trace.thread_state or "unknown").split(" ")[0]


def _is_quiet_thread(item: AnalyzedTrace) -> bool:
    """A thread of a dump that the summary only counts: not in a deadlock, not blocked on a monitor."""
    return item.trace.kind == "thread" and not item.deadlock and _thread_state_name(item) in _QUIET_THREAD_STATES


def format_summary(results: list[AnalyzedTrace], analyzer: Analyzer, width: int = 110) -> str:
    """The human-readable report predict.py prints when no --output is given. Threads of a thread dump that are
    neither blocked nor deadlocked are counted per state, not listed (the JSON output has every one)."""
    quiet = [item for item in results if _is_quiet_thread(item)]
    blocks = [f"Analyzed {len(results)} trace(s) - {analyzer.describe_short()}"]
    if quiet:
        per_state = sorted(Counter(map(_thread_state_name, quiet)).items())
        counts = ", ".join(f"{state} {count}" for state, count in per_state)
        blocks.append(f"Thread dump: {len(quiet)} more thread(s), neither blocked nor deadlocked, not listed "
                      f"({counts})")
    for number, item in enumerate(results, start=1):
        if _is_quiet_thread(item):
            continue
        trace, root = item.trace, item.trace.root_cause
        where_in_log = f"lines {trace.start_line}-{trace.end_line}" if trace.end_line else ""
        header = " ".join(part for part in (trace.log_level, trace.timestamp, f"[{trace.thread}]" if trace.thread
                                            else None) if part)
        lines = [f"\n[{number}] {item.document.source} {where_in_log}  {header}".rstrip()]
        if root is None:
            lines.append("  No Java exception found in this input.")
            blocks.append("\n".join(lines))
            continue
        if trace.kind == "thread":
            lines += _thread_lines(item, width)
            if item.location is not None:
                lines.append(f"  Where       : {frame_location(item.location)}")
            blocks.append("\n".join(lines))
            continue
        model_view = ", ".join(f"{entry['label']} {entry['score']:.2f}" for entry in item.top_k)
        if item.label:
            lines.append(f"  What failed : {item.label}   (decided by {item.decided_by})")
        else:
            lines.append("  What failed : unknown - no readable exception name and no stage-1 model to read the rest")
        if model_view:
            lines.append(f"  Model top-{len(item.top_k)} : {model_view}")
        message = f": {_shorten(root.message, 300)}" if root.message else ""
        root_name = root.class_name or "(exception name not in the log)"
        lines.append(_wrap("  Root cause  : ", f"{root_name}{message}", width))
        if len(trace.chain) > 1:
            lines.append(_wrap("  Chain       : ", " -> ".join(exc.simple_name for exc in trace.chain), width))
        if item.location is not None:
            lines.append(f"  Where       : {frame_location(item.location)}")
            for other in item.candidates[1:3]:
                lines.append(f"      also    : {frame_location(other.frame)}  (score {other.score:.2f})")
        else:
            lines.append("  Where       : no application frame in this trace")
        if item.explanation:
            lines += _explanation_lines(item, width)
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _explanation_lines(item: AnalyzedTrace, width: int) -> list[str]:
    """The summary lines of an explanation, labelled with where it came from (README, stage 2); a similar known
    case that is not this failure's explanation is named apart, never as its cause."""
    fields = parse_guidance(item.explanation or "")
    known, lines = item.known_scenario, []
    if item.explanation_source == "known scenario":
        lines.append(f"  Known case  : {known.scenario} (similarity {known.similarity:.2f}, "
                     f"{match_strength(known.similarity)})")
        prefixes = ("  Its cause   : ", "  Its fix     : ")
    elif item.explanation_source == "model":
        prefixes = ("  Model cause : ", "  Model fix   : ")
    else:
        lines.append("  Explanation : read from the exception type and this trace (no known case fits)")
        prefixes = ("  Cause       : ", "  Fix         : ")
    lines += [_wrap(prefixes[0], fields.get("cause", ""), width), _wrap(prefixes[1], fields.get("fix", ""), width)]
    similar = item.similar_case
    if similar is not None:
        # the reasons without the names they list: those are the other failure's, and the summary prints none
        # (the JSON record keeps them)
        reasons = "; ".join(dict.fromkeys(reason.split(":")[0] for reason in similar["not_shown_because"]))
        lines.append(_wrap("  Similar case: ", f"{similar['scenario']} (similarity {similar['similarity']:.2f}), not "
                           f"this failure's explanation: {reasons}", width))
    return lines


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _wrap(prefix: str, text: str, width: int) -> str:
    return textwrap.fill(" ".join(text.split()), width=width, initial_indent=prefix,
                         subsequent_indent=" " * len(prefix), break_long_words=False) or prefix.rstrip()
