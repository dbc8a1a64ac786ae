"""Labelled-log data: strict JSONL reading, label merging, model-input building, splits and tokenization.

Rows flow: JSONL -> `load_labeled_dataset` (text + raw label + source line) -> `merge_labels` (canonical label
and id via labels.yaml, unknown labels by policy, a merge report) -> `add_model_inputs` (parsed trace -> model
input text, optional exception-name masking) -> `tokenize_dataset`.
"""

from __future__ import annotations

import codecs
import contextlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from datasets import Dataset

from utils.inputs import build_model_input, mask_exception_names
from utils.labels import LabelSet
from utils.parsing.stacktrace import parse_trace

UNKNOWN_POLICIES = ("other", "drop", "error")
INPUT_FORMATS = ("trace", "text")
MISSING_LABEL = "<missing>"


class JsonlError(ValueError):
    """A JSONL file that cannot be read; the message starts with `path:line:` when a line is at fault."""


class JsonlRows(list):
    """Rows of a JSONL file (dicts) plus `skipped`: one "path:line: reason" per line left out."""

    def __init__(self, rows: Iterable[dict[str, Any]] = (), skipped: Iterable[str] = ()) -> None:
        super().__init__(rows)
        self.skipped = list(skipped)
        self.line_numbers: list[int] = []


def read_jsonl(path: str | Path, required_fields: Sequence[str] = (), skip_invalid: bool = False) -> JsonlRows:
    """JSON objects, one a line; blank lines are ignored.

    A line that is not a JSON object or lacks a required field raises `JsonlError("path:line: reason")`, or with
    `skip_invalid` is left out and counted in `rows.skipped`. A missing path, a directory, a non-UTF-8 file and a
    file without any row raise with the path named.
    """
    path = Path(path)
    if not path.exists():
        raise JsonlError(f"{path}: no such file")
    if path.is_dir():
        raise JsonlError(f"{path}: is a directory, expected a .jsonl file")
    rows = JsonlRows()
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1:  # a byte-order mark (Windows editors write one) is not part of the first row
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise JsonlError(f"{path}:{number}: not UTF-8 text ({error.reason} at byte {error.start})") from error
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError(f"expected a JSON object, got {type(row).__name__}")
                missing = [name for name in required_fields if name not in row]
                if missing:
                    raise ValueError(f"missing field(s) {', '.join(missing)}")
            except ValueError as error:  # json.JSONDecodeError is a ValueError
                reason = f"{path}:{number}: {error}"
                if not skip_invalid:
                    raise JsonlError(reason) from error
                rows.skipped.append(reason)
                continue
            rows.append(row)
            rows.line_numbers.append(number)
    if not rows:
        detail = f" ({len(rows.skipped)} invalid line(s) skipped)" if rows.skipped else ""
        raise JsonlError(f"{path}: holds no rows{detail}")
    return rows


def load_labeled_dataset(
    path: str | Path, text_field: str = "log", label_field: str = "label", skip_invalid: bool = False,
    extra_fields: Sequence[str] = (), redact: Callable[[str], str] | None = None,
) -> tuple[Dataset, list[str]]:
    """(Dataset with id, log, raw_label, source, source_line, origin and `extra_fields` as text ("" when absent);
    skipped-line reasons). `redact` (utils.redact) rewrites each log text as it is read, so nothing built from it
    (features, scenario memory, model card, predictions) holds what it removed.

    A row whose text is not a string is invalid (raise or skip); a label that is null or not a string is kept as
    `<missing>` and handled by the unknown-label policy.
    """
    rows = read_jsonl(path, required_fields=(text_field, label_field), skip_invalid=skip_invalid)
    skipped = list(rows.skipped)
    records = []
    for row, number in zip(rows, rows.line_numbers, strict=True):
        text = row[text_field]
        if not isinstance(text, str):
            reason = f"{path}:{number}: field {text_field!r} is {type(text).__name__}, expected text"
            if not skip_invalid:
                raise JsonlError(reason)
            skipped.append(reason)
            continue
        label = row[label_field]
        if isinstance(label, (bool, int)):  # binary/numeric datasets: 0/1, true/false
            label = str(label).lower()
        records.append(
            {
                "id": str(row.get("id", f"{Path(path).name}:{number}")),
                "log": redact(text) if redact is not None else text,
                "raw_label": label.strip() if isinstance(label, str) and label.strip() else MISSING_LABEL,
                "source": str(path),
                "source_line": number,
                "origin": _origin(row),
                **{name: str(row.get(name) or "") for name in extra_fields},
            }
        )
    if not records:
        raise JsonlError(f"{path}: holds no usable rows ({len(skipped)} skipped)")
    return Dataset.from_list(records), skipped


def _origin(row: dict[str, Any]) -> str:
    """Where a corpus row came from (`meta.origin`: "real" for build_corpus.py --real_logs rows), "" when unsaid."""
    meta = row.get("meta")
    origin = meta.get("origin") if isinstance(meta, dict) else None
    return origin if isinstance(origin, str) else ""


def _by_count(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


@dataclass
class MergeReport:
    """How raw labels became canonical ones: rows per (canonical, raw alias), unknown raw labels, dropped rows."""

    policy: str
    merged: dict[str, dict[str, int]] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)
    dropped: int = 0
    total: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "rows": self.total,
            "dropped": self.dropped,
            "unknown_rows": sum(self.unknown.values()),
            "unknown": _by_count(self.unknown),
            "merged": {
                name: dict(sorted(aliases.items(), key=lambda i: -i[1])) for name, aliases in self.merged.items()
            },
        }

    def format(self, max_unknown: int = 10) -> str:
        lines = [f"Label merge ({self.total} rows, unknown labels -> {self.policy}):"]
        for name, aliases in sorted(self.merged.items(), key=lambda item: -sum(item[1].values())):
            parts = ", ".join(f"{alias} {count}" for alias, count in sorted(aliases.items(), key=lambda i: -i[1]))
            lines.append(f"  {name:<42} {sum(aliases.values()):>6}  <- {parts}")
        if self.unknown:
            shown = sorted(self.unknown.items(), key=lambda item: -item[1])[:max_unknown]
            more = len(self.unknown) - len(shown)
            lines.append(
                f"  unknown: {sum(self.unknown.values())} rows of {len(self.unknown)} label(s): "
                + ", ".join(f"{name} {count}" for name, count in shown)
                + (f", ... {more} more" if more > 0 else "")
            )
        if self.dropped:
            lines.append(f"  dropped: {self.dropped} rows")
        return "\n".join(lines)


def merge_labels(
    dataset: Dataset, label_set: LabelSet, unknown_labels: str = "other", num_proc: int | None = None
) -> tuple[Dataset, MergeReport]:
    """Adds `label` (canonical name) and `labels` (id) from `raw_label` through labels.yaml.

    Raw labels that match no alias become `Other` ("other"), are removed ("drop") or stop the run ("error", naming
    the file and line of the first one).
    """
    if unknown_labels not in UNKNOWN_POLICIES:
        raise ValueError(f"unknown_labels must be one of {UNKNOWN_POLICIES}, got {unknown_labels!r}")
    if unknown_labels == "other" and label_set.other not in label_set:
        unknown_labels = "error"  # a label set taken from data has no Other to map unknown labels onto
    label2id = {label_set.other: -1, **label_set.label2id}  # -1 only where no Other exists; such rows never stay

    def canonicalize(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        names = [label_set.canonical(raw) if raw != MISSING_LABEL else None for raw in batch["raw_label"]]
        return {
            "known": [name is not None for name in names],
            "label": [name or label_set.other for name in names],
            "labels": [label2id[name or label_set.other] for name in names],
        }

    dataset = dataset.map(canonicalize, batched=True, num_proc=num_proc, desc="Merging labels")
    report = MergeReport(policy=unknown_labels, total=len(dataset))
    merged: dict[str, Counter] = defaultdict(Counter)
    unknown: Counter = Counter()
    first_unknown: tuple[str, int, str] | None = None
    for raw, name, known, source, line in zip(
        dataset["raw_label"], dataset["label"], dataset["known"], dataset["source"], dataset["source_line"], strict=True
    ):
        if known:
            merged[name][raw] += 1
        else:
            unknown[raw] += 1
            first_unknown = first_unknown or (source, line, raw)
    if unknown_labels == "error" and first_unknown:
        source, line, raw = first_unknown
        raise JsonlError(
            f"{source}:{line}: label {raw!r} is not in labels.yaml ({sum(unknown.values())} row(s) with unknown "
            "labels; use --unknown_labels other or drop)"
        )
    if unknown_labels == "drop" and unknown:
        dataset = dataset.filter(lambda batch: batch["known"], batched=True, desc="Dropping unknown labels")
        report.dropped = sum(unknown.values())
    elif unknown:
        merged[label_set.other].update(unknown)
    report.merged = {name: dict(counter) for name, counter in merged.items()}
    report.unknown = dict(unknown)
    return dataset.remove_columns("known"), report


def check_label_coverage(train_labels: Sequence[str], eval_labels: Sequence[str] | None, train_file: str,
                         num_folds: int = 0, sample_option: str = "") -> list[str]:
    """Warnings for validation labels that no training row has (the model can never answer them, and the
    validation figures count them wrong), and with `num_folds`, for labels with fewer rows than folds (a fold whose
    held-out part takes them trains without them). JsonlError, in one line, when no training row is left or every
    one has one label (after the merge): a classifier of one class answers it whatever it is given.
    `sample_option`: the option that cut the rows (`--max_train_samples 40`), named in that error."""
    trained = Counter(train_labels)
    cut = f" (of the rows {sample_option} kept)" if sample_option else ""
    if not trained:
        raise JsonlError(f"{train_file}: no training row is left after the label merge{cut}")
    if len(trained) < 2:
        raise JsonlError(f"{train_file}: every training row{cut} is labelled {next(iter(trained))!r} after the label "
                         "merge; a classifier needs rows of two or more labels")
    warnings = []
    unseen = Counter(label for label in eval_labels or () if label not in trained)
    if unseen:
        warnings.append(f"{sum(unseen.values())} validation row(s) have a label no training row has "
                        f"({_first_counts(unseen)}): the model cannot answer them, and the validation figures count "
                        "them wrong")
    rare = Counter({label: count for label, count in trained.items() if count < num_folds})
    if rare:
        warnings.append(f"{len(rare)} label(s) have fewer rows than the {num_folds} folds ({_first_counts(rare)}): "
                        "a fold that holds them out trains without them, and counts them wrong")
    return warnings


def _first_counts(counts: Counter) -> str:
    shown = ", ".join(f"{label} {count}" for label, count in counts.most_common(10))
    return shown + (f", ... {len(counts) - 10} more" if len(counts) > 10 else "")


def mask_flags(num_rows: int, probability: float, seed: int) -> list[bool]:
    """Which rows get their exception names masked: a seeded draw, the same for the same (rows, p, seed)."""
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"mask probability must be within [0, 1], got {probability}")
    return (np.random.default_rng(seed).random(num_rows) < probability).tolist()


def add_model_inputs(
    dataset: Dataset,
    mask_probability: float = 0.0,
    seed: int = 42,
    input_options: dict[str, Any] | None = None,
    num_proc: int | None = None,
    input_format: str = "trace",
    mask_before_parsing: bool = False,
) -> Dataset:
    """Adds `text` (the model input built from the parsed trace, root cause first) and `masked`.

    `mask_probability` 1.0 masks every row (the "names hidden" evaluation); 0.5 masks a seeded half (training
    augmentation, so the model learns from frames and messages, not only from the name). `input_format="text"`
    uses the raw text as it is (any text classification task; no parsing, no masking). `mask_before_parsing`: a
    masked row's log is masked and then parsed, as predict.py reads a log whose names were hidden before it came
    (a frame of a class named like an exception loses its package, so it reads as application code); else the
    trace is parsed with its names and masked after (training).
    """
    if input_format not in INPUT_FORMATS:
        raise ValueError(f"input_format must be one of {INPUT_FORMATS}, got {input_format!r}")
    flags = mask_flags(len(dataset), mask_probability if input_format == "trace" else 0.0, seed)
    options = dict(input_options or {})

    def build(batch: dict[str, list[Any]], indices: list[int]) -> dict[str, list[Any]]:
        masked = [flags[index] for index in indices]
        if input_format == "text":
            return {"text": list(batch["log"]), "masked": masked}
        texts = [
            build_model_input(parse_trace(mask_exception_names(log) if mask and mask_before_parsing else log),
                              mask_exception_names=mask, **options)
            for log, mask in zip(batch["log"], masked, strict=True)
        ]
        return {"text": texts, "masked": masked}

    return dataset.map(build, batched=True, with_indices=True, num_proc=num_proc, desc="Building model inputs")


def member_inputs(metadata: Any, dataset: Dataset, masked: bool) -> list[str]:
    """The inputs of a trained model (its metadata's input format and options) for `dataset`'s logs; `masked`:
    every row's names hidden as predict.py meets them, in a log masked before it is parsed (evaluate.py,
    bench/bench_quantize.py, bench/bench_precision.py)."""
    options = {key: value for key, value in metadata.input_options.as_kwargs().items() if key != "mask_exception_names"}
    built = add_model_inputs(dataset, 1.0 if masked else 0.0, input_options=options,
                             input_format=metadata.input_format, mask_before_parsing=True)
    return list(built["text"])


def stratified_split(dataset: Dataset, validation_fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """(train, validation) with each label split in the same proportion; a label with one row stays in train."""
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"validation fraction must be within (0, 1), got {validation_fraction}")
    rng = np.random.default_rng(seed)
    by_label: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(dataset["labels"]):
        by_label[label].append(index)
    validation: list[int] = []
    for label in sorted(by_label):
        indices = by_label[label]
        rng.shuffle(indices)
        take = int(round(len(indices) * validation_fraction)) if len(indices) > 1 else 0
        validation.extend(indices[: max(take, 1 if len(indices) > 1 else 0)])
    chosen = set(validation)
    train = [index for index in range(len(dataset)) if index not in chosen]
    return dataset.select(train), dataset.select(sorted(validation))


def stratified_folds(label_ids: Sequence[int], num_folds: int, seed: int) -> list[np.ndarray]:
    """Row indices of each of `num_folds` held-out folds, every label spread evenly over them (seeded)."""
    from sklearn.model_selection import StratifiedKFold

    label_ids = np.asarray(label_ids)
    if num_folds < 2 or num_folds > len(label_ids):
        raise ValueError(f"num_folds must be within [2, {len(label_ids)}] (the rows), got {num_folds}")
    if np.bincount(label_ids).max() < num_folds:
        raise ValueError(f"every label has fewer than {num_folds} rows: too few rows for {num_folds} folds")
    splitter = StratifiedKFold(n_splits=num_folds, shuffle=True, random_state=seed)
    return [held_out for _, held_out in splitter.split(np.zeros(len(label_ids)), label_ids)]


def label_set_from_data(dataset: Dataset) -> LabelSet:
    """The sorted distinct raw labels of a dataset as a label set (no Other): `--label_source data`."""
    names = sorted(set(dataset["raw_label"]) - {MISSING_LABEL})
    if len(names) < 2:
        raise JsonlError(f"{dataset[0]['source']}: needs at least two distinct labels, found {names}")
    return LabelSet.from_names(names)


def tokenize_dataset(
    dataset: Dataset, tokenizer: Any, max_length: int, training_args: Any = None, num_proc: int | None = None
) -> Dataset:
    """input_ids / attention_mask (no padding: the collator pads per batch) from `text`."""

    def tokenize(batch: dict[str, list[Any]]) -> dict[str, Any]:
        return tokenizer(batch["text"], truncation=True, max_length=max_length)

    context = training_args.main_process_first(desc="tokenization") if training_args else contextlib.nullcontext()
    with context:
        return dataset.map(tokenize, batched=True, num_proc=num_proc, desc="Tokenizing")


def label_counts(dataset: Dataset, names: Sequence[str]) -> dict[str, int]:
    counts = Counter(dataset["labels"])
    return {names[index]: counts[index] for index in range(len(names)) if counts[index]}
