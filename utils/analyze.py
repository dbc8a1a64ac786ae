"""The analysis pipeline shared by predict.py and evaluate.py: trace -> type, root cause, location, explanation.

Parsing and locating are pure Python; the stage-1 / stage-2 models are optional and imported only when used, so
a parser-only run starts in well under a second.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from utils.guidance import format_guidance, frame_location, parse_guidance
from utils.labels import LabelSet, load_label_set
from utils.log_sources import LogDocument
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
    known_scenario: Any = None  # the utils.scenarios.Recall shown to the stage-2 model, if its memory had one
    explanation_source: str | None = None  # "known scenario" (its recalled text) or "model" (generated)
    deadlock: list[str] | None = None  # a thread in a deadlock: the cycle's thread names, this one first

    @property
    def id(self) -> str:
        return self.document.id if self.index == 0 else f"{self.document.id}#{self.index + 1}"

    @property
    def location(self) -> Frame | None:
        return self.candidates[0].frame if self.candidates else None


def parse_documents(documents: list[LogDocument], label_set: LabelSet) -> list[AnalyzedTrace]:
    """Every trace of every document, with the parser's label; a document with no trace yields one record."""
    analyzed: list[AnalyzedTrace] = []
    for document in documents:
        traces = parse_log(document.text)
        in_deadlock = {}
        for cycle in find_deadlocks(traces):
            for position, thread in enumerate(cycle):
                in_deadlock[id(thread)] = [member.thread or "?" for member in cycle[position:] + cycle[:position]]
        for index, trace in enumerate(traces):
            root = trace.root_cause
            # No readable class name (a cut or masked trace gives ""): the model decides, not the parser.
            parser_label = label_set.to_label(root.class_name) if root and root.class_name else None
            analyzed.append(AnalyzedTrace(document=document, index=index, trace=trace, parser_label=parser_label,
                                          deadlock=in_deadlock.get(id(trace))))
    return analyzed


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
        record["thread"] = {"name": trace.thread, "state": trace.thread_state, "deadlock": item.deadlock,
                            "locks": [{"action": lock.action, "address": lock.address, "class": lock.class_name}
                                      for lock in trace.locks]}
    if item.explanation is not None:
        record["explanation"] = item.explanation
        record["explanation_fields"] = parse_guidance(item.explanation)
        record["explanation_agreed"] = item.explanation_agreed
        record["explanation_source"] = item.explanation_source
        record["known_scenario"] = item.known_scenario.as_dict() if item.known_scenario else None
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
        if model_dirs or stage2_dir:
            self._load_models(expand_model_dirs(model_dirs), stage2_dir)

    def _load_models(self, model_dirs: list[str], stage2_dir: str | None) -> None:
        # utils.inference first: it sets the OpenMP wait policy, which only takes effect before torch loads.
        from utils.checkpoints import TASK_CLASSIFY, load_model
        from utils.inference import check_same_labels, configure_threads, quantize_int8

        self.threads = configure_threads(self.options.threads)
        self.stage1 = [load_model(path, expected_task=TASK_CLASSIFY) for path in model_dirs]
        if self.stage1:
            self.stage1_labels = check_same_labels(self.stage1)
        if self.options.quantize:
            for member in self.stage1:
                member.model = quantize_int8(member.model)
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
                "locator": self.locator_dir or "built-in rules", "stage2": self.stage2_dir}

    def describe_short(self) -> str:
        stage1 = f"stage 1: {len(self.stage1)} model(s)" if self.stage1 else "parser only (no stage-1 model)"
        return f"{stage1}; locator: {self.locator_dir or 'rules'}; stage 2: {self.stage2_dir or 'none'}"

    def analyze(self, documents: list[LogDocument], progress: bool = False) -> list[AnalyzedTrace]:
        results = parse_documents(documents, self.label_set)
        # threads of a thread dump are not failures: no type, no explanation (their frames are still ranked)
        with_exception = [item for item in results
                          if item.trace.kind != "thread" and (item.trace.has_exception or item.trace.frames)]
        if self.stage1:
            # A raw-text model (input_format "text", e.g. a binary text detector) classifies every text.
            text_models = any(member.metadata.get("input_format") == "text" for member in self.stage1)
            self._classify(results if text_models else with_exception)
        for item in results:
            if not self.stage1:
                item.label, item.decided_by = decide_label(item.parser_label, None)
            item.candidates = rank_frames_for(item, self.ranker)[: self.options.max_candidates]
        if self.explainer:
            self._explain([item for item in with_exception if item.label])
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
                                               self.options.batch_size)
        for item, top in zip(items, top_k_labels(probabilities, self.stage1_labels, self.options.top_k)):
            item.top_k = top
            item.label, item.decided_by = decide_label(item.parser_label, top[0]["label"])

    def _language(self, item: AnalyzedTrace) -> str:
        """The language to explain in: the document's own, else the option, where "auto" reads the log."""
        from utils.inputs import detect_language

        chosen = item.document.language or self.options.explanation_language
        return detect_language(item.document.text) if chosen == "auto" else chosen

    def _explain(self, items: list[AnalyzedTrace]) -> None:
        from utils.scenarios import format_recall, scenario_text
        from utils.seq2seq import build_source, enforce_agreement, generate_explanations, use_recall

        if not items:
            return
        model, tokenizer, metadata = self.explainer  # type: ignore[misc]
        input_options = metadata.get("input_options") or {}
        max_frames = input_options.get("max_frames", 5)  # as the model was trained
        locations = [frame_location(item.location) for item in items]
        languages = [self._language(item) for item in items]
        if self.scenario_memory is not None:
            for item, language in zip(items, languages):
                item.known_scenario = self.scenario_memory.recall(
                    scenario_text(item.trace, item.label), item.label, language,
                    _slot_method(item))
        # A known scenario similar enough (threshold chosen at training, see train_stage2.calibrate_recall) gives
        # its own text; the model writes the rest.
        threshold = self.options.recall_threshold
        if threshold is None:
            threshold = (metadata.get("generation") or {}).get("recall_threshold")
        to_generate = []
        for index, (item, location) in enumerate(zip(items, locations)):
            known = item.known_scenario
            if known is not None and use_recall(known.similarity, threshold):
                item.explanation = item.explanation_raw = format_guidance(item.label, known.cause, location, known.fix)
                item.explanation_agreed, item.explanation_source = True, "known scenario"
            else:
                to_generate.append(index)
        sources = [build_source(items[index].trace, items[index].label, items[index].location, max_frames,
                                languages[index] if input_options.get("language_tag") else None,
                                format_recall(items[index].known_scenario) if self.scenario_memory is not None
                                else None)
                   for index in to_generate]
        explanations = generate_explanations(
            model, tokenizer, sources,
            num_beams=self.options.num_beams, max_new_tokens=self.options.max_new_tokens,
            types=[items[index].label for index in to_generate], locations=[locations[index] for index in to_generate],
        ) if sources else []
        for index, explanation in zip(to_generate, explanations):
            item = items[index]
            item.explanation_raw, item.explanation_source = explanation, "model"
            item.explanation, item.explanation_agreed = enforce_agreement(explanation, item.label, locations[index])


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
                       label_field: str = "label", guidance_field: str = "guidance") -> dict[str, Any]:
    """The measured end-to-end rates on labelled rows: the full pipeline (stage-1 type, ranked location,
    constrained stage-2 generation) against each row's reference guidance.

    `end_to_end_exact` counts rows where stage 1's type is right AND cause, location and fix are exactly right;
    `end_to_end_rouge` rows where the type is right and the explanation's ROUGE-L reaches 0.6.
    """
    from utils.generation_metrics import evaluate_explanations

    # Each reference was written in its row's language: that is the language the user asks for.
    documents = [LogDocument(id=str(row.get("id", index)), source=f"row {index + 1}", text=row[text_field],
                             language=(row.get("meta") or {}).get("language"))
                 for index, row in enumerate(rows)]
    results = analyzer.analyze(documents)
    by_document: dict[str, list[AnalyzedTrace]] = {}
    for item in results:
        by_document.setdefault(item.document.source, []).append(item)
    chosen = [labelled_trace(by_document.get(document.source, []), (row.get("meta") or {}).get("root_exception"))
              for document, row in zip(documents, rows)]
    scored = [(item, row) for item, row in zip(chosen, rows) if item is not None]
    predictions = [item.explanation or "" for item, _ in scored]
    metrics = evaluate_explanations(
        predictions, [row[guidance_field] for _, row in scored],
        raw_predictions=[item.explanation_raw or "" for item, _ in scored],
        types=[item.label or "" for item, _ in scored],
        locations=[frame_location(item.location) for item, _ in scored],
        type_correct=[item.label == analyzer.label_set.to_label(row[label_field]) for item, row in scored],
    )
    metrics["stage1_type_accuracy"] = sum(item.label == analyzer.label_set.to_label(row[label_field])
                                          for item, row in scored) / max(len(scored), 1)
    metrics["rows_without_trace"] = len(rows) - len(scored)
    metrics["known_scenario_share"] = sum(item.explanation_source == "known scenario"
                                          for item, _ in scored) / max(len(scored), 1)
    return metrics


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
    if item.deadlock:
        lines.append(f"  DEADLOCK    : {' -> '.join(item.deadlock + item.deadlock[:1])} (each waits for a lock the "
                     "next one holds)")
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
            fields = parse_guidance(item.explanation)
            # Not read from the trace: a known scenario's text or the stage-2 model's, labelled so (README, stage 2).
            known = item.known_scenario
            if item.explanation_source == "known scenario":
                lines.append(f"  Known case  : {known.scenario} (similarity {known.similarity:.2f}, "
                             f"{match_strength(known.similarity)})")
                lines.append(_wrap("  Its cause   : ", fields.get("cause", ""), width))
                lines.append(_wrap("  Its fix     : ", fields.get("fix", ""), width))
            else:
                lines.append(_wrap("  Model cause : ", fields.get("cause", ""), width))
                lines.append(_wrap("  Model fix   : ", fields.get("fix", ""), width))
                if known is not None:
                    lines.append(f"  Nearest case: {known.scenario} (similarity {known.similarity:.2f}, below the "
                                 "threshold: shown to the model only)")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _wrap(prefix: str, text: str, width: int) -> str:
    return textwrap.fill(" ".join(text.split()), width=width, initial_indent=prefix,
                         subsequent_indent=" " * len(prefix), break_long_words=False) or prefix.rstrip()
