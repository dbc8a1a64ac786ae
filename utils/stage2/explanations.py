"""Grounded explanations built from the trace alone: slots read from a trace, and type-level texts.

Slots are the specifics an explanation may state, each read from the trace: the located frame (`method`, `class`,
`file`, `line`, `where`), the frame that threw (`thrower`), the root cause (`exception`, `message`) and values parsed
out of its message (`value` of `For input string: "12,500"`, `index` / `length` of `Index 7 out of bounds for
length 7`, `variable` / `call` / `returned` of a helpful NullPointerException, `expected` / `actual` of an assertion,
`from_type` / `to_type` of a ClassCastException, `address`, `radix`, `recursive`).

Type-level texts (configs/explanations.yaml `types`): per label, variants in order, each with en/ko cause and fix
templates over those slots and optionally a `when` case (a case the message shows: utils/stage2/message_cases.yaml).
The first variant whose case holds and whose slots are all known is used, so the text states only what the trace
shows: grounded by construction (tests/test_grounding.py checks every variant with utils/grounding.py). Recalled
known scenarios use the same slots (utils/stage2/scenarios.py): their specifics are re-filled from the new trace.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from utils.grounding import Grounding
from utils.labels import OTHER_LABEL as OTHER
from utils.labels import LabelSet
from utils.parsing.stacktrace import Frame, Trace, parse_log

EXPLANATIONS_PATH = Path(__file__).resolve().parents[2] / "configs" / "explanations.yaml"
MESSAGE_CASES_PATH = Path(__file__).with_name("message_cases.yaml")
LANGUAGES = ("en", "ko")
_MAX_SLOT_CHARS = 120
# Slots a template writes inside quotes: a value holding a quote, a newline or ";" would break the quoting or the
# guidance format, so such a value is dropped (the variant that needs it is not used).
_QUOTED_SLOTS = ("value", "variable", "call", "returned")


# ------------------------------------------------------------------------------------------------ message cases


def _load_message_cases(path: Path) -> tuple[dict[str, re.Pattern[str]], dict[str, re.Pattern[str]], dict[str, str]]:
    """(patterns, number formats, phrases) of the message-case table (message_cases.yaml)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ({case: re.compile(pattern) for case, pattern in data["patterns"].items()},
            {case: re.compile(pattern) for case, pattern in data["number_formats"].items()}, data["phrases"])


_PATTERNS, _NUMBER_FORMATS, _PHRASES = _load_message_cases(MESSAGE_CASES_PATH)


def _nfe_case(value: str, radix: str | None) -> str:
    """Why `value` is not a number, as a case name."""
    if value == "":
        return "nfe_empty"
    if value != value.strip():
        return "nfe_whitespace"
    if radix and radix != "10":
        return "nfe_radix"
    # every format needs a digit, so a value reading null fits none of them
    fitting = next((case for case, pattern in _NUMBER_FORMATS.items() if pattern.fullmatch(value)), None)
    return fitting or ("nfe_null" if value.lower() == "null" else "nfe_text")


def _index_case(index: int, length: int | None) -> str:
    if index < 0:
        return "index_negative"
    if length is None:
        return "index_only"
    if length == 0:
        return "index_empty"
    return "index_equals_length" if index == length else "index_beyond"


def _first_match(names: Sequence[str], text: str) -> tuple[str, re.Match[str]] | None:
    """(name, match) of the first of the patterns `names` found in `text`: readings that exclude one another."""
    for name in names:
        if match := _PATTERNS[name].search(text):
            return name, match
    return None


def message_cases(message: str) -> dict[str, dict[str, str]]:
    """The cases a root-cause message shows, each with the slots it reads: {case: {slot: value}}."""
    cases: dict[str, dict[str, str]] = {}
    text = message or ""
    if match := _PATTERNS["nfe"].search(text):
        value, radix = match.group("value"), match.group("radix")
        cases[_nfe_case(value, radix)] = {"value": value, **({"radix": radix} if radix else {})}
    elif _PATTERNS["nfe_null"].search(text) and len(text) < 40 and "because" not in text:
        cases["nfe_null"] = {}
    if match := _PATTERNS["index"].search(text):
        index, length = int(match.group("index")), int(match.group("length"))
        cases[_index_case(index, length)] = {"index": match.group("index"), "length": match.group("length")}
    elif match := _PATTERNS["substring_range"].search(text):
        cases["substring_range"] = match.groupdict()
    elif (match := _PATTERNS["string_index"].search(text.strip())) or (
            match := _PATTERNS["bare_index"].fullmatch(text.strip())):
        cases[_index_case(int(match.group("index")), None)] = {"index": match.group("index")}
    for readings in (("npe_returned", "npe_invoke", "npe_variable"), ("cce_types",)):
        if found := _first_match(readings, text):
            cases[found[0]] = found[1].groupdict()
    cases.update({case: {} for case, phrase in _PHRASES.items() if phrase in text.lower()})
    if found := _first_match(("expected", "hamcrest"), text):
        cases["expected_actual"] = {key: value.strip() for key, value in found[1].groupdict().items()}
    if match := _PATTERNS["address"].search(text):
        cases["address"] = {"address": match.group(0).rstrip(".,;:)")}
    return cases


# ------------------------------------------------------------------------------------------------ slots


def select_trace(traces: Sequence[Trace], root_exception: str | None = None) -> Trace:
    """The trace a labelled row is about (the one rule: stage-2 training, the corpus and scoring all use it): the
    one whose root cause is `root_exception` (qualified or simple), else the first with an exception and frames,
    else the first with an exception, else the first. A thread of a thread dump is no exception a label is about."""
    with_exception = [trace for trace in traces if trace.has_exception]
    if root_exception:
        simple = root_exception.rsplit(".", 1)[-1]
        for trace in with_exception:
            if trace.chain[-1].class_name in (root_exception, simple):
                return trace
    for trace in with_exception:
        if trace.frames:
            return trace
    return with_exception[0] if with_exception else traces[0]


def labelled_trace(row: dict[str, Any], label_set: LabelSet) -> tuple[Trace, str] | None:
    """A real log row read as predict.py reads it: (the trace it is about, the parser's type of that trace: its root
    cause's class through `label_set`); the trace is `select_trace` of the traces of `row["log"]` that show an
    exception, by the row's `root_exception` when it has one. None when the log shows no exception."""
    traces = [trace for trace in parse_log(row["log"]) if trace.has_exception]
    if not traces:
        return None
    trace = select_trace(traces, row.get("root_exception"))
    return trace, label_set.to_label(trace.root_cause.class_name or None)


def first_application_frame(trace: Trace) -> Frame | None:
    """The naive location: the first non-library frame of the root cause (then of the whole chain)."""
    root = trace.root_cause
    for frames in ((root.frames if root else []), trace.frames):
        for frame in frames:
            if not frame.is_library:
                return frame
    return None


def frame_in_trace(trace: Trace, frame: Frame | None) -> Frame | None:
    """The frame of `trace` running the same method as `frame` (a location given from outside the log, such as
    a corpus row's fault), or None when the trace does not show that method."""
    if frame is None:
        return None
    return next((candidate for candidate in trace.full_stack() if candidate.qualified_method ==
                 frame.qualified_method), None)


def _clean(value: str) -> str:
    """One line, at most _MAX_SLOT_CHARS characters, cut at a space and before a bracket or quote the cut would
    leave open (no ellipsis: a cut value stays a substring of the log)."""
    value = " ".join(value.split())
    if len(value) <= _MAX_SLOT_CHARS:
        return value
    cut = value[:_MAX_SLOT_CHARS]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut
    opened = []  # a bracket the cut leaves open: cut before it, so the text does not read as garbled
    for index, char in enumerate(cut):
        if char in "([":
            opened.append(index)
        elif char in ")]" and opened:
            opened.pop()
    cut = cut[: opened[0]] if opened else cut
    if cut.count('"') % 2:  # likewise a quote the cut leaves open
        cut = cut[: cut.rfind('"')]
    return cut.rstrip(" ,;:")


def _first_line(message: str | None) -> str:
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    return lines[0] if lines else ""


def _recursive_method(trace: Trace) -> str | None:
    """The method a StackOverflowError repeats most ("Class.method"), when one repeats at least 3 times."""
    counts = Counter(f"{frame.simple_class}.{frame.method}" for frame in trace.frames if not frame.masked)
    if not counts:
        return None
    name, count = counts.most_common(1)[0]
    return name if count >= 3 else None


def trace_slots(trace: Trace, location: Frame | None) -> tuple[dict[str, str], set[str]]:
    """(slots, cases) of a trace with its located frame: every slot value is read from the trace."""
    root = trace.root_cause
    message = root.message if root else None
    slots: dict[str, str] = {}
    if root is not None and root.class_name:
        slots["exception"] = root.simple_name
    if _first_line(message):
        slots["message"] = _clean(_first_line(message))
    if location is not None and location.qualified_method:  # Gradle's short report shows a file and line only
        slots.update(method=location.method, **{"class": location.simple_class})
        slots["where"] = f"{location.simple_class}.{location.method}"
    if location is not None and location.file and location.line is not None:
        slots.update(file=location.file, line=str(location.line))
        place = f"{location.file}:{location.line}"
        slots["where"] = f"{slots['where']} ({place})" if "where" in slots else place
    top = root.frames[0] if root is not None and root.frames else None
    if top is not None and top.qualified_method and (location is None
                                                     or top.qualified_method != location.qualified_method):
        slots["thrower"] = f"{top.simple_class}.{top.method}"
    recursive = _recursive_method(trace)
    if recursive:
        slots["recursive"] = recursive
    cases = message_cases(message or "")
    # a multi-line message (hamcrest) is read whole for the cases that span lines
    for case_slots in cases.values():
        for name, value in case_slots.items():
            if value is not None and not (name in _QUOTED_SLOTS and re.search(r"[\"'`;]", value)):
                slots.setdefault(name, _clean(value) if name != "value" else value)
    if not message and location is not None and location.line is not None:
        cases["no_message"] = {}
    elif not message:
        cases["no_message_no_line"] = {}
    return slots, set(cases)


def slot_anchors(slots: dict[str, str]) -> list[str]:
    """The names an explanation about this failure mentions (one at least, or a value of its log): the located
    method, class and file (the file without `.java`)."""
    return [slots.get("method", ""), slots.get("class", ""), slots.get("file", "").rsplit(".", 1)[0]]


def slot_facts(slots: dict[str, str]) -> list[str]:
    """The facts a grounding check may count as derived from the trace: the located frame's parts."""
    return [slots[name] for name in ("exception", "class", "method", "file", "line") if name in slots]


# ------------------------------------------------------------------------------------------------ templates


@dataclass(frozen=True)
class TypeText:
    """A type-level explanation: cause and fix, and which variant (`case`) of the label gave it."""

    cause: str
    fix: str
    case: str


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class TypeExplanations:
    """The type-level templates of configs/explanations.yaml (`types`, `defaults`, `api_names`)."""

    def __init__(self, path: str | Path = EXPLANATIONS_PATH) -> None:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        self.path = str(path)
        self.api_names: list[str] = [str(name) for name in data.get("api_names") or []]
        self.defaults: dict[str, dict[str, str]] = data.get("defaults") or {}
        self.types: dict[str, list[dict[str, Any]]] = data.get("types") or {}
        if OTHER not in self.types:
            raise ValueError(f"{path}: `types` needs an {OTHER} entry (the fallback of every label)")

    def variants(self, label: str) -> list[dict[str, Any]]:
        return self.types.get(label) or self.types[OTHER]

    def explain(self, label: str, language: str, slots: dict[str, str], cases: set[str]) -> TypeText:
        """The first variant of `label` whose case holds and whose slots are known, filled in `language`."""
        language = language if language in LANGUAGES else "en"
        defaults = self.defaults.get(language) or {}
        said = defaults.get("said", "") if "message" in slots else ""
        values = {**{key: value for key, value in defaults.items() if key != "said"}, **slots}
        values["said"] = said.format(**values) if said else ""
        for index, variant in enumerate(self.variants(label)):
            case = variant.get("when")
            texts = variant.get(language) or variant["en"]
            needed = _fields(texts["cause"]) | _fields(texts["fix"])
            if (case is None or case in cases) and needed <= set(values):
                return TypeText(texts["cause"].format(**values), texts["fix"].format(**values),
                                case or f"default {index}")
        raise ValueError(f"{self.path}: no variant of {label} fits; its last variant must need only default slots")


@lru_cache(maxsize=4)
def load_type_explanations(path: str = str(EXPLANATIONS_PATH)) -> TypeExplanations:
    """The templates of `path`, read once per path."""
    return TypeExplanations(path)


def type_explanation(trace: Trace, label: str, location: Frame | None, language: str,
                     templates: TypeExplanations | None = None) -> TypeText:
    """The type-level explanation of a trace of type `label` located at `location`."""
    slots, cases = trace_slots(trace, location)
    return (templates or load_type_explanations()).explain(label, language, slots, cases)




def trace_evidence(trace: Trace) -> str:
    """What an explanation of `trace` may state things from: the trace's own lines and the log record that
    introduced it (`Trace.context`, and the logger, thread and time of its prefix: a cut stack may show its class
    only as the logger). Not the rest of its log: in a day's log, or a test's output with several failures, a value
    of an unrelated line would otherwise ground a claim about this failure."""
    record = [value for value in (trace.logger, trace.thread, trace.timestamp) if value]
    return "\n".join([*trace.context, trace.text, *record])


def trace_grounding(trace: Trace, label: str, location: Frame | None, templates: TypeExplanations | None = None,
                    evidence: str | None = None) -> Grounding:
    """The grounding check of explanations of `trace` (type `label`, located at `location`): its `trace_evidence`
    (or `evidence`: a wider text, such as the whole log an evaluation judges against) plus the facts derived from
    it (type, root cause class, the located frame's class, method, file, line)."""
    slots, _ = trace_slots(trace, location)
    root = trace.root_cause
    text = trace_evidence(trace) if evidence is None else evidence
    return Grounding(text, [label, root.class_name if root else None, *slot_facts(slots)],
                     (templates or load_type_explanations()).api_names, slot_anchors(slots))


def ground_guidance(cause: str, fix: str, trace: Trace, label: str, location: Frame | None,
                    language: str, templates: TypeExplanations | None = None) -> tuple[str, str, list[str]]:
    """(cause, fix, the fields replaced): a cause or fix that states something the trace does not show
    (`trace_grounding`) is replaced by the type-level text of the trace, so a corpus never teaches invention.
    `location` may lie outside the log (a corpus row's fault): the texts then use the trace's own method of that
    name, else its first application frame."""
    templates = templates or load_type_explanations()
    located = frame_in_trace(trace, location) or first_application_frame(trace)
    grounding = trace_grounding(trace, label, located, templates)
    replaced = []
    fallback = None
    if grounding.ungrounded(cause):
        fallback = templates.explain(label, language, *trace_slots(trace, located))
        cause = fallback.cause
        replaced.append("cause")
    if grounding.ungrounded(fix, allow_api=True):
        fallback = fallback or templates.explain(label, language, *trace_slots(trace, located))
        fix = fallback.fix
        replaced.append("fix")
    return cause, fix, replaced
