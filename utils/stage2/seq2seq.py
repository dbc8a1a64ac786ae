"""Stage 2, the explanation generator: a seq2seq model (T5) writes the guidance line of one trace.

What train_stage2.py, predict.py and evaluate.py share: an offline T5 built from a config with a tokenizer trained
on the corpus, corpus rows -> (source, target) pairs, LoRA set-up, batched generation constrained to agree with
stage 1 and the frame ranker, and the agreement post-check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import (
    AutoConfig,
    AutoModelForSeq2SeqLM,
    LogitsProcessor,
    LogitsProcessorList,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    PreTrainedTokenizerFast,
)

from utils.evaluation.generation_metrics import field_agreement
from utils.grounding import Grounding, guidance_problems
from utils.inputs import build_stage2_input, detect_language
from utils.models.metadata import TASK_GENERATE, Stage2Metadata
from utils.parsing.stacktrace import Frame, Trace, parse_log
from utils.stage2.explanations import (
    first_application_frame,
    frame_in_trace,
    load_type_explanations,
    select_trace,
    trace_grounding,
    trace_slots,
)
from utils.stage2.guidance import format_guidance, frame_location, parse_guidance
from utils.stage2.scenarios import Recall, ScenarioMemory, format_recall, leaves_scenario_out, scenario_text

TASK = TASK_GENERATE  # the task name in analyzer_metadata.json (utils/models/metadata.py)
PAD_TOKEN, EOS_TOKEN, UNK_TOKEN = "<pad>", "</s>", "<unk>"


# ---------------------------------------------------------------------------------------------------- tokenizer


def train_tokenizer(
    texts: Iterable[str], vocab_size: int = 8000, min_frequency: int = 2, model_max_length: int = 512
) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer trained on `texts`, T5-style ids (<pad>=0, </s>=1, <unk>=2, </s> appended).

    Byte-level: case and whitespace are kept and every byte is representable, so code in fixes and Korean text
    round-trip exactly (`decode(encode(x)) == x` after NFC) and nothing is ever <unk>.
    """
    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=[PAD_TOKEN, EOS_TOKEN, UNK_TOKEN],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer)
    eos_id = tokenizer.token_to_id(EOS_TOKEN)
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"$A {EOS_TOKEN}", pair=f"$A {EOS_TOKEN} $B {EOS_TOKEN}", special_tokens=[(EOS_TOKEN, eos_id)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        pad_token=PAD_TOKEN,
        eos_token=EOS_TOKEN,
        unk_token=UNK_TOKEN,
        clean_up_tokenization_spaces=False,  # the default clean-up rewrites " ." and would corrupt code
        model_max_length=model_max_length,
    )


# ---------------------------------------------------------------------------------------------------- model


def is_model_config_file(name_or_path: str) -> bool:
    """A `.json` file holding a model config (build from scratch) rather than a model dir or hub id."""
    return name_or_path.endswith(".json") and Path(name_or_path).is_file()


def build_model_from_config(config_file: str | Path, tokenizer: PreTrainedTokenizerBase) -> PreTrainedModel:
    """A randomly initialised seq2seq model (any `model_type`, T5 by default) sized to `tokenizer`."""
    with open(config_file, encoding="utf-8") as handle:
        values = json.load(handle)
    model_type = values.pop("model_type", None)
    if not model_type:
        raise ValueError(f'{config_file}: no `model_type` key (e.g. "t5")')
    config = AutoConfig.for_model(model_type, **values)
    config.vocab_size = len(tokenizer)
    config.pad_token_id = tokenizer.pad_token_id
    config.eos_token_id = tokenizer.eos_token_id
    config.decoder_start_token_id = tokenizer.pad_token_id  # T5 convention: decoding starts from <pad>
    return AutoModelForSeq2SeqLM.from_config(config)


def count_parameters(model: torch.nn.Module) -> tuple[int, int]:
    """(trainable, total) parameter counts."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, total


def add_lora(
    model: PreTrainedModel,
    r: int,
    alpha: int,
    dropout: float,
    target_modules: Sequence[str],
    checkpointing: bool = False,
    checkpointing_kwargs: dict[str, Any] | None = None,
) -> torch.nn.Module:
    """Wrap `model` with LoRA adapters (PEFT), activation checkpointing set up so the adapters get gradients.

    With checkpointing (reentrant by default, the variant that needs it) the frozen embeddings give outputs that
    do not require grad, and a reentrant checkpoint then returns no grad path at all ("element 0 of tensors does
    not require grad"); `enable_input_require_grads` hooks the embeddings so their output requires grad.
    Enable checkpointing here, not through the Trainer flag, so it is done once, before PEFT wraps the model.
    """
    from peft import LoraConfig, TaskType, get_peft_model

    if checkpointing:
        model.config.use_cache = False  # caching is useless with checkpointing and conflicts with it
        model.activation_checkpointing_enable(
            activation_checkpointing_kwargs=checkpointing_kwargs or {"use_reentrant": True}
        )
        model.enable_input_require_grads()
    lora_config = LoraConfig(
        task_type=TaskType.SEQ_2_SEQ_LM,
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=list(target_modules),
    )
    return get_peft_model(model, lora_config)


# ---------------------------------------------------------------------------------------------------- inputs


def build_source(
    trace: Trace, label: str, location: Frame | None, max_frames: int = 5, language: str | None = None,
    known: str | None = None,
) -> str:
    """The encoder input for one trace: language to write in, type (stage 1), root cause, location (ranker), the
    recalled known scenario (`format_recall`), top frames. `language` / `known` None leave that part out (models
    trained without it)."""
    return build_stage2_input(trace, label, location, max_frames=max_frames, language=language, known=known)


_LOCATION = re.compile(r"^(?P<file>\S+?)(?::(?P<line>\d+))? \((?P<method>[^()\s]+)\.(?P<name>[^.()\s]+)\)$")


def frame_from_location(location: str | None) -> Frame | None:
    """The Frame a guidance location names ("File.java:45 (pkg.Class.method)"), or None if it has another shape."""
    match = _LOCATION.match((location or "").strip())
    if not match:
        return None
    line = match.group("line")
    return Frame(class_name=match.group("method"), method=match.group("name"), file=match.group("file"),
                 line=int(line) if line else None)


def fault_frame(trace: Trace, fault: dict[str, Any] | None, guidance: str | None = None) -> Frame | None:
    """The location a corpus row's guidance names: the frame `meta.fault` describes (kept as written there, so a
    fault without a line stays without one), else the one the guidance's location field names (imported rows),
    else the first application frame of the root cause."""
    if not fault:
        return frame_from_location(parse_guidance(guidance or "").get("location")) or first_application_frame(trace)
    return Frame(
        class_name=str(fault.get("class", "")),
        method=str(fault.get("method", "")),
        file=fault.get("file"),
        line=fault.get("line"),
    )


@dataclass
class Stage2Example:
    source: str  # encoder input
    target: str  # the corpus guidance line
    label: str  # the type given in the source (the row's true label at training time)
    location: str  # the location given in the source, formatted as in the guidance
    known_similarity: float = -1.0  # the recalled known scenario's similarity, -1 when none was recalled
    known_cause: str = ""
    known_fix: str = ""
    known_usable: bool = False  # the recall's slots were all filled from this trace and it states only what it shows
    fallback: str = ""  # the type-level explanation (utils/stage2/explanations.py): shown when nothing else may be
    grounding: str = ""  # the log and the facts derived from it: what a shown explanation may state
    anchors: list[str] = field(default_factory=list)  # what a cause about this failure names (Grounding.anchored)


def row_language(row: dict[str, Any]) -> str:
    """The language a corpus row's guidance is written in: `meta.language`, else guessed from the guidance text."""
    return str((row.get("meta") or {}).get("language") or detect_language(row.get("guidance") or ""))


def _row_trace(row: dict[str, Any]) -> tuple[Trace, Frame | None]:
    """A corpus row's trace and the location its guidance names."""
    meta = row.get("meta") or {}
    trace = select_trace(parse_log(row["log"]), meta.get("root_exception"))
    return trace, fault_frame(trace, meta.get("fault"), row.get("guidance"))


def row_scenario(row: dict[str, Any]) -> str:
    """The scenario a corpus row belongs to: its template id, else (imported rows) its own id."""
    meta = row.get("meta") or {}
    return str(meta.get("template") or row.get("id") or "")


def build_scenario_memory(rows: Iterable[dict[str, Any]], per_scenario: int = 20) -> ScenarioMemory:
    """The scenario memory of corpus rows (the training split): each row's cause and fix, matched on its trace."""
    def entries() -> Iterable[dict[str, str]]:
        for index, row in enumerate(rows):
            trace, location = _row_trace(row)
            fields = parse_guidance(row["guidance"])
            yield {"id": str(row.get("id", index)), "scenario": row_scenario(row), "label": row["label"],
                   "language": row_language(row), "text": scenario_text(trace, row["label"]),
                   "cause": fields.get("cause", ""), "fix": fields.get("fix", ""),
                   "slots": trace_slots(trace, location)[0], "log": row["log"]}

    return ScenarioMemory.from_examples(entries(), per_scenario=per_scenario)


def stage2_example(row: dict[str, Any], max_frames: int = 5, language_tag: bool = True,
                   memory: ScenarioMemory | None = None, leave_out: str | None = None) -> Stage2Example:
    """A corpus row -> training pair. The type is the row's true label, the location the true faulty frame
    (meta.fault), so the model learns to copy both from its input: at prediction time they come from stage 1 and
    the frame ranker, and the generated text must agree with what the user is shown. The language tag is the
    guidance's language (at prediction time: the user's choice).

    With a `memory` the source carries the most similar known scenario. `leave_out`, for rows the memory was built
    from: "row" leaves the row itself out of its recall (a known scenario seen again); "training" also leaves out
    the whole scenario of half of the rows (`leaves_scenario_out`), as if it were new: the model must learn when a
    recalled text fits.
    """
    if leave_out not in (None, "row", "training"):
        raise ValueError(f"leave_out={leave_out!r}: use None, 'row' or 'training'")
    trace, location = _row_trace(row)
    language = row_language(row)
    recall = None
    if memory is not None:
        row_id = str(row.get("id", ""))
        scenario = row_scenario(row) if leave_out == "training" and leaves_scenario_out(row_id) else None
        recall = memory.recall(scenario_text(trace, row["label"]), row["label"], language,
                               exclude_id=row_id if leave_out else None, exclude_scenario=scenario,
                               slots=trace_slots(trace, location)[0])
    # what a shown text may state: the log, and the location only where the log shows it (a corpus fault may not)
    located = frame_in_trace(trace, location) or first_application_frame(trace)
    grounding = trace_grounding(trace, row["label"], located)
    fallback = load_type_explanations().explain(row["label"], language, *trace_slots(trace, located))
    return Stage2Example(
        source=build_source(trace, row["label"], location, max_frames=max_frames,
                            language=language if language_tag else None,
                            known=format_recall(recall) if memory is not None else None),
        target=row["guidance"],
        label=row["label"],
        location=frame_location(location),
        known_similarity=recall.similarity if recall else -1.0,
        known_cause=recall.cause if recall else "",
        known_fix=recall.fix if recall else "",
        known_usable=recall_usable(recall, grounding),
        fallback=format_guidance(row["label"], fallback.cause, frame_location(location), fallback.fix),
        grounding=grounding.raw,
        anchors=grounding.anchors,
    )


def recall_usable(recall: Recall | None, grounding: Grounding) -> bool:
    """Whether a recalled known scenario may be shown as this failure's explanation: every slot filled from this
    trace, and its cause and fix state only what the log shows."""
    return recall is not None and not recall.unfilled and not recall_problems(recall, grounding)


def recall_problems(recall: Recall, grounding: Grounding) -> list[str]:
    """Why a recalled text is not this failure's explanation (empty: it may be shown). It was written for another
    failure, so it is checked in the strict form (utils/grounding.py): a lone digit, or a word the text took from
    its own log, that this log does not show was that failure's, not this one's."""
    problems = [f"the trace has no {name} to fill in" for name in recall.unfilled]
    for name, text in (("cause", recall.cause), ("fix", recall.fix)):
        if missing := grounding.ungrounded(text, allow_api=name == "fix", strict_names=recall.names):
            problems.append(f"its {name} names what the log does not show: {', '.join(missing)}")
    return problems


def explanation_problems(text: str, grounding: Grounding | str, anchors: Sequence[str] = ()) -> list[str]:
    """Why a generated explanation must not be shown (`utils.grounding.guidance_problems`); `grounding` may be the
    `Stage2Example.grounding` text, with its `anchors`."""
    if isinstance(grounding, str):
        grounding = Grounding(grounding, (), load_type_explanations().api_names, anchors)
    return guidance_problems(text, grounding)


# ---------------------------------------------------------------------------------------------------- generation


def _token_ids(tokenizer: PreTrainedTokenizerBase, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def _continuation_ids(tokenizer: PreTrainedTokenizerBase, context: str, continuation: str) -> list[int] | None:
    """Token ids of `continuation` as they appear after `context` in one encoded string, or None when the
    tokenizer merges across the boundary (then the ids cannot be forced independently)."""
    head = _token_ids(tokenizer, context)
    whole = _token_ids(tokenizer, context + continuation)
    return whole[len(head) :] if whole[: len(head)] == head and len(whole) > len(head) else None


FIX_RESERVE = 4  # tokens of fix text kept in the generation budget after a forced location


class AgreementLogitsProcessor(LogitsProcessor):
    """Constrained decoding: each row's generation starts with `type=<label>; cause=` and, once the model writes
    ` location=`, continues with `<location>; fix=`; a cause still running after `max_cause_tokens` is closed with
    `; location=`, and the end of text is barred until `fix=` is reached. With `max_new_tokens`, a cause is closed
    early enough that the forced location and a few tokens of fix still fit (else generation would stop inside the
    location it forces). Stateless (reads the ids generated so far), so it works with greedy and beam search alike;
    the cause and fix texts stay free. Forcing the field separators keeps a weak model on the format: after a forced
    location it would not know the location ended."""

    def __init__(
        self,
        prefix_ids: list[list[int]],
        location_ids: list[list[int] | None],
        marker_ids: list[int] | None,
        close_ids: list[int] | None = None,
        max_cause_tokens: int | None = None,
        num_beams: int = 1,
        eos_token_id: int | None = None,
        field_end_ids: frozenset[int] = frozenset(),
        max_new_tokens: int | None = None,
    ) -> None:
        self.prefix_ids = prefix_ids
        self.location_ids = location_ids
        self.marker_ids = marker_ids
        self.close_ids = close_ids  # ";" + marker: what ends a cause that runs too long
        self.max_cause_tokens = max_cause_tokens
        self.num_beams = num_beams
        self.eos_token_id = eos_token_id
        self.field_end_ids = field_end_ids  # tokens whose text ends with ";"
        self.max_new_tokens = max_new_tokens

    def _cause_budget(self, example: int) -> int | None:
        """How many tokens the cause of `example` may take before it is closed: `max_cause_tokens`, and no more than
        what leaves room in `max_new_tokens` for the close, the forced location and `FIX_RESERVE` tokens of fix."""
        limits = [self.max_cause_tokens] if self.max_cause_tokens is not None else []
        location = self.location_ids[example]
        if self.max_new_tokens is not None and location and self.close_ids:
            room = self.max_new_tokens - len(self.prefix_ids[example]) - len(self.close_ids) - len(location)
            limits.append(max(room - FIX_RESERVE, 1))
        return min(limits) if limits else None

    def _next(self, generated: list[int], example: int) -> tuple[int | None, bool]:
        """(the token to force or None, whether the text may end here)."""
        prefix = self.prefix_ids[example]
        if len(generated) < len(prefix):
            return prefix[len(generated)], False
        location, marker = self.location_ids[example], self.marker_ids
        if not location or not marker:
            return None, True
        for start in range(len(generated) - len(marker), len(prefix), -1):  # the last "; location=" written
            # " location=" counts as the field only right after a ";" (else it is prose inside the cause)
            if generated[start : start + len(marker)] == marker and generated[start - 1] in self.field_end_ids:
                written = len(generated) - (start + len(marker))
                return (location[written], False) if written < len(location) else (None, True)
        budget = self._cause_budget(example)
        if self.close_ids and budget is not None:
            overrun = len(generated) - len(prefix) - budget
            if 0 <= overrun < len(self.close_ids):
                return self.close_ids[overrun], False
        return None, False

    def _forced_token(self, generated: list[int], example: int) -> int | None:
        return self._next(generated, example)[0]

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        generated = input_ids[:, 1:].tolist()  # position 0 is the decoder start token
        for row, tokens in enumerate(generated):
            forced, may_end = self._next(tokens, row // self.num_beams)
            if forced is not None:
                scores[row, :] = -float("inf")
                scores[row, forced] = 0.0
            elif not may_end and self.eos_token_id is not None:
                scores[row, self.eos_token_id] = -float("inf")
        return scores


def agreement_processor(
    tokenizer: PreTrainedTokenizerBase,
    types: Sequence[str],
    locations: Sequence[str] | None,
    num_beams: int = 1,
    max_cause_tokens: int | None = 48,
    max_new_tokens: int | None = None,
) -> AgreementLogitsProcessor:
    """The constrained-decoding processor for a batch whose rows are shown `types` and `locations` (generating at
    most `max_new_tokens`)."""
    prefix_ids = [_token_ids(tokenizer, f"type={label}; cause=") for label in types]
    # " location=" after a ";": the marker's ids do not depend on how the cause text ends (a byte-level BPE
    # would merge ".;" into one token, so "; location=" would not be found after a cause ending in ".")
    marker_ids = _continuation_ids(tokenizer, "cause=x;", " location=")
    location_ids: list[list[int] | None] = (
        [_continuation_ids(tokenizer, "; location=", f"{where}; fix=") for where in locations]
        if locations is not None
        else [None] * len(types)
    )
    semicolon_ids = _continuation_ids(tokenizer, "cause=x", ";")
    close_ids = semicolon_ids + marker_ids if semicolon_ids and marker_ids and locations is not None else None
    return AgreementLogitsProcessor(
        prefix_ids, location_ids, marker_ids, close_ids, max_cause_tokens, num_beams, tokenizer.eos_token_id,
        _field_end_ids(tokenizer), max_new_tokens,
    )


_FIELD_END_IDS: dict[tuple[int, int], frozenset[int]] = {}


def _field_end_ids(tokenizer: PreTrainedTokenizerBase) -> frozenset[int]:
    """Ids of the vocabulary's tokens whose text ends with ";" (computed once per tokenizer)."""
    key = (id(tokenizer), len(tokenizer))
    if key not in _FIELD_END_IDS:
        texts = tokenizer.batch_decode([[index] for index in range(len(tokenizer))])
        _FIELD_END_IDS[key] = frozenset(index for index, text in enumerate(texts) if text.rstrip().endswith(";"))
    return _FIELD_END_IDS[key]


@torch.inference_mode()
def generate_explanations(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    inputs: Sequence[str],
    batch_size: int = 32,
    num_beams: int = 1,
    max_new_tokens: int = 96,
    types: Sequence[str] | None = None,
    locations: Sequence[str] | None = None,
    max_source_length: int | None = None,
    no_repeat_ngram_size: int | None = None,
    max_cause_tokens: int | None = 48,
) -> list[str]:
    """Guidance lines for `inputs` (stage-2 sources), in input order.

    Batches are length-sorted so padding stays small. With `types` (stage-1 labels), and optionally `locations`
    (ranker locations, formatted like the guidance), decoding is constrained to agree with them (see
    `AgreementLogitsProcessor`); without them generation is free (the "raw" output measured for agreement).
    `max_cause_tokens`: with locations, a cause that has not ended by then is closed so the location is written.
    `no_repeat_ngram_size` > 0 forbids repeating any n-gram of generated tokens (cuts the loops of a weak model);
    None: the model's saved generation_config decides (train_stage2.py saves the value it was scored with).
    """
    if types is not None and len(types) != len(inputs):
        raise ValueError(f"{len(inputs)} inputs but {len(types)} types")
    if locations is not None and (types is None or len(locations) != len(inputs)):
        raise ValueError("locations need types, one per input")
    model.eval()
    max_length = max_source_length or min(tokenizer.model_max_length, 4096)
    encoded = tokenizer(list(inputs), truncation=True, max_length=max_length)["input_ids"]
    order = sorted(range(len(inputs)), key=lambda index: len(encoded[index]), reverse=True)
    outputs: list[str] = [""] * len(inputs)
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        padded = tokenizer.pad({"input_ids": [encoded[i] for i in batch]}, return_tensors="pt").to(model.device)
        processors = LogitsProcessorList()
        if types is not None:
            processors.append(
                agreement_processor(
                    tokenizer,
                    [types[i] for i in batch],
                    [locations[i] for i in batch] if locations is not None else None,
                    num_beams=num_beams,
                    max_cause_tokens=max_cause_tokens,
                    max_new_tokens=max_new_tokens,
                )
            )
        generated = model.generate(
            **padded,
            num_beams=num_beams,
            max_new_tokens=max_new_tokens,
            max_length=None,  # a max_length saved by training would otherwise compete with max_new_tokens
            do_sample=False,
            **({} if no_repeat_ngram_size is None else {"no_repeat_ngram_size": no_repeat_ngram_size}),
            logits_processor=processors,
        )
        texts = tokenizer.batch_decode(generated, skip_special_tokens=True, clean_up_tokenization_spaces=False)
        for index, text in zip(batch, texts):
            outputs[index] = text.strip()
    return outputs


def enforce_agreement(explanation: str, label: str, location: str) -> tuple[str, bool]:
    """The explanation with its `type` and `location` fields set to what the user is shown (stage-1 label,
    ranker location), and whether the generation already agreed. Cause and fix are kept as generated."""
    type_ok, location_ok = field_agreement(explanation, label, location)
    if type_ok and location_ok:
        return explanation, True
    fields = parse_guidance(explanation)
    return format_guidance(label, fields.get("cause", ""), location, fields.get("fix", "")), False


def use_recall(similarity: float | None, threshold: float | None) -> bool:
    """Whether an explanation takes the recalled known scenario's cause and fix instead of the model's text."""
    return similarity is not None and similarity >= 0 and threshold is not None and similarity >= threshold


def checked_explanations(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, sources: Sequence[str],
                         types: Sequence[str], locations: Sequence[str], **options: Any) -> tuple[list[str], list[str]]:
    """(constrained, post-checked): the model's explanations, decoding constrained to the given types and locations
    (`generate_explanations` options pass through), then `enforce_agreement`."""
    constrained = generate_explanations(model, tokenizer, sources, types=types, locations=locations, **options)
    checked = [enforce_agreement(text, label, where)[0] for text, label, where in zip(constrained, types, locations)]
    return constrained, checked


SOURCE_KNOWN, SOURCE_MODEL, SOURCE_TYPE = "known scenario", "model", "type template"


def shown_with_sources(model_texts: Sequence[str], types: Sequence[str], locations: Sequence[str],
                       similarities: Sequence[float], causes: Sequence[str], fixes: Sequence[str],
                       threshold: float | None, usable: Sequence[bool] | None = None,
                       fallbacks: Sequence[str] | None = None, groundings: Sequence[str] | None = None,
                       anchors: Sequence[Sequence[str]] | None = None) -> list[tuple[str, str]]:
    """(text, source) the user is shown for each row, first that may be shown of: the recalled known scenario's
    cause and fix (with the shown type and location) where `use_recall` and `usable`; the model's text, unless
    `explanation_problems` rejects it against `groundings` (and `anchors`); the type-level `fallbacks`. Without
    `usable` / `fallbacks` / `groundings` nothing is checked (the model's text stands). Model texts of "" and
    threshold 0: each row's recalled text, "" where nothing was recalled."""
    count = len(model_texts)
    usable = usable if usable is not None else [True] * count
    shown = []
    for index, (text, label, where, similarity) in enumerate(zip(model_texts, types, locations, similarities)):
        if use_recall(similarity, threshold) and usable[index]:
            shown.append((format_guidance(label, causes[index], where, fixes[index]), SOURCE_KNOWN))
        elif fallbacks is None or groundings is None or not explanation_problems(
                text, groundings[index], anchors[index] if anchors is not None else ()):
            shown.append((text, SOURCE_MODEL))
        else:
            shown.append((fallbacks[index], SOURCE_TYPE))
    return shown


def shown_explanations(model_texts: Sequence[str], types: Sequence[str], locations: Sequence[str],
                       similarities: Sequence[float], causes: Sequence[str], fixes: Sequence[str],
                       threshold: float | None, **checks: Any) -> list[str]:
    """The texts of `shown_with_sources`."""
    return [text for text, _ in shown_with_sources(model_texts, types, locations, similarities, causes, fixes,
                                                    threshold, **checks)]


RECALL_THRESHOLDS = tuple(round(0.1 * step, 1) for step in range(11)) + (1.01,)  # 1.01: never recall


def choose_recall_threshold(similarities: Sequence[float], model_scores: Sequence[float],
                            recall_scores: Sequence[float], usable: Sequence[bool] | None = None,
                            allowed: Sequence[float] | None = None) -> tuple[float, float]:
    """(threshold, mean score): the similarity from which the recalled text replaces the model's, chosen from
    `allowed` (default `RECALL_THRESHOLDS`; 1.01, never recall, is always allowed) for the best mean per-row score
    (ROUGE-L) of the rows given; ties keep the model longer. A row whose recall is not `usable` (unfillable or
    ungrounded: never shown) keeps its `model_scores` (the model's text or the type-level one) at any threshold."""
    usable = usable if usable is not None else [True] * len(similarities)
    allowed = set(allowed if allowed is not None else RECALL_THRESHOLDS) | {RECALL_THRESHOLDS[-1]}
    best_threshold, best_mean = RECALL_THRESHOLDS[-1], -1.0
    for threshold in (value for value in RECALL_THRESHOLDS if value in allowed):  # ascending: ties go higher
        chosen = [recall if use_recall(similarity, threshold) and fits else model
                  for similarity, model, recall, fits in zip(similarities, model_scores, recall_scores, usable)]
        mean = sum(chosen) / max(len(chosen), 1)
        if mean >= best_mean:
            best_threshold, best_mean = threshold, mean
    return best_threshold, best_mean


# ---------------------------------------------------------------------------------------------------- loading


def load_explainer(model_dir: str | Path, device: str | torch.device | None = None) -> tuple[Any, Any, Stage2Metadata]:
    """(model, tokenizer, metadata) of a saved stage-2 model dir (or a seq2seq hub id available offline), in eval
    mode on `device` (default: CUDA when available, else CPU), loaded through `utils.models.checkpoints.load_model` so a
    wrong or incomplete directory fails with one clear sentence. The tokenizer's model_max_length is the training
    max_source_length; metadata.generation holds the decoding settings the model was scored with."""
    from utils.models.checkpoints import load_model

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    loaded = load_model(model_dir, expected_task=TASK, device=str(device))
    return loaded.model, loaded.tokenizer, loaded.metadata
