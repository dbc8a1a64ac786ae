"""The schema of `analyzer_metadata.json`: one dataclass per model kind, written by every trainer and read by every
loader.

    Stage1Metadata   train_stage1.py   (task "stage1-classification")
    Stage2Metadata   train_stage2.py   (task "stage2-explanation")
    LocatorMetadata  train_locator.py  (task "locate")

`read_metadata` turns the file into the class its `task` names, and a missing required key, an unknown key (also
inside `input_options` and `generation`) or a malformed file fails with one sentence naming the file; `write_metadata`
writes it with the library versions and a UTC timestamp. The JSON keeps the order of the fields below, so a run
writes the same keys and values as before the schema existed and existing model dirs keep loading.

Required keys are the ones every directory has always had (`task`; stage 1 also `label_names`). Every other key is
optional: a directory saved by hand or by an older version may lack it, and the default is the value readers used
for a missing key before the schema existed; a field that is None is still written (as null), except the few marked
`omit_when_none`, which only some runs have (folds, data issues), so that a run writes exactly the keys it always did.
Readers use attributes (`metadata.input_options.max_frames`); `metadata["key"]` gives the JSON value of a field and
raises KeyError for a name that is not one.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import platform
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from utils.atomic import write_json_atomic

METADATA_FILE = "analyzer_metadata.json"
TASK_CLASSIFY = "stage1-classification"
TASK_GENERATE = "stage2-explanation"
TASK_LOCATE = "locate"
_LIBRARIES = ("torch", "transformers", "accelerate", "datasets", "tokenizers", "peft", "scikit-learn", "numpy")
_OMIT_WHEN_NONE = {"omit_when_none": True}

RecordT = TypeVar("RecordT", bound="_Record")


class MetadataError(ValueError):
    """`analyzer_metadata.json` does not fit the schema; the message is one sentence naming the file."""


class _Record:
    """JSON object <-> dataclass, strictly: unknown keys and missing required keys are refused."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON object, keys in field order; nested records as objects; `omit_when_none` fields left out."""
        payload: dict[str, Any] = {}
        for item in fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            if value is None and item.metadata.get("omit_when_none"):
                continue
            payload[item.name] = value.to_dict() if isinstance(value, _Record) else value
        return payload

    @classmethod
    def from_dict(cls: type[RecordT], payload: Any, path: str | Path, where: str = "", label: str = "") -> RecordT:
        """The record of `payload` (a JSON object read from `path`; `where` prefixes nested key names, `label` names
        the metadata in messages)."""
        if not label:
            label = f"the {payload.get('task')} metadata" if isinstance(payload, dict) and "task" in payload else "it"
        if not isinstance(payload, dict):
            raise MetadataError(f"{path}: {where.rstrip('.') or 'the file'} is not a JSON object; re-save the model.")
        known = {item.name: item for item in fields(cls)}  # type: ignore[arg-type]
        unknown = [key for key in payload if key not in known]
        if unknown:
            raise MetadataError(
                f"{path}: unknown key '{where}{unknown[0]}' in {label} (this code knows {', '.join(known)}); "
                "re-save the model with this version or fix the key."
            )
        missing = [name for name, item in known.items()
                   if name not in payload and item.default is MISSING and item.default_factory is MISSING]
        if missing:
            raise MetadataError(f"{path}: {label} lacks the required key '{where}{missing[0]}'; re-save the model.")
        hints = typing.get_type_hints(cls)
        values = {}
        for key, value in payload.items():
            nested = hints[key]
            if is_dataclass(nested) and value is not None:
                value = nested.from_dict(value, path, f"{where}{key}.", label)
            values[key] = value
        return cls(**values)


class ModelMetadata(_Record):
    """Shared by the kinds: the task, item access to the JSON values."""

    TASK: ClassVar[str] = ""
    task: str

    def __getitem__(self, key: str) -> Any:
        """The JSON value of field `key` (KeyError for a name that is not a field, or a field this file omits)."""
        return self.to_dict()[key]


@dataclass(kw_only=True)
class Stage1InputOptions(_Record):
    """What prediction passes to `utils.inputs.build_model_input`. Defaults: that function's own, which is what a
    reader passed for a directory without the key (tests/test_metadata.py checks that they agree)."""

    max_frames: int = 8
    max_message_chars: int = 300
    structure_hints: bool = False
    mask_exception_names: bool = False

    def as_kwargs(self) -> dict[str, Any]:
        return self.to_dict()


@dataclass(kw_only=True)
class Stage1Metadata(ModelMetadata):
    """A stage-1 classifier (train_stage1.train_model). Record-only fields (None when saved by hand) say how the
    model was trained; loaders read label_names, label_source, input_format, input_options, max_length, metrics and
    calibration."""

    TASK: ClassVar[str] = TASK_CLASSIFY
    task: str
    base_model: str | None = None
    base_model_source: str | None = None
    architecture: str | None = None
    pooling: str | None = None
    label_names: list[str]
    label_fingerprint: str | None = None
    label_source: str = "labels_yaml"  # a dir without it was trained on labels.yaml (evaluate.py, the model card)
    input_format: str = "trace"  # "trace" or "text"; a dir without it reads traces
    input_options: Stage1InputOptions = field(default_factory=Stage1InputOptions)
    input_builder: str | None = None
    max_length: int | None = None  # None: the tokenizer's model_max_length (utils.stage1.inference.model_max_length)
    text_field: str | None = None
    training_masking: dict[str, Any] | None = None
    training_data: dict[str, Any] | None = None
    training: dict[str, Any] | None = None
    metrics: dict[str, Any] = field(default_factory=dict)  # empty: no validation score, equal ensemble weights
    calibration: dict[str, Any] | None = None  # None: no temperature was fitted (temperature 1)
    # utils/stage1/neighbours.py: the vote's settings and how many real rows neighbours.npz holds; None: no memory.
    neighbours: dict[str, Any] | None = field(default=None, metadata=_OMIT_WHEN_NONE)
    prediction_distribution: dict[str, Any] | None = None
    prediction_warnings: list[str] = field(default_factory=list)
    most_confused: list[Any] | None = None
    fold: int | None = field(default=None, metadata=_OMIT_WHEN_NONE)  # only members of a --num_folds run
    num_folds: int | None = field(default=None, metadata=_OMIT_WHEN_NONE)
    data_issues: dict[str, Any] | None = field(default=None, metadata=_OMIT_WHEN_NONE)  # only single runs
    library_versions: dict[str, str] | None = None  # both set by write_metadata
    saved_at: str | None = None

    @property
    def temperature(self) -> float:
        """The temperature fitted on validation data at training time, 1.0 when none was fitted."""
        return float((self.calibration or {}).get("temperature", 1.0))


@dataclass(kw_only=True)
class Stage2InputOptions(_Record):
    """How the source text was built (`utils.stage2.seq2seq.build_source`). Defaults: what a reader used for a directory
    without the key (5 frames, no language tag, no retrieval)."""

    builder: str | None = None
    max_frames: int = 5
    language_tag: bool = False
    retrieval: bool = False
    max_source_length: int | None = None
    max_target_length: int | None = None


@dataclass(kw_only=True)
class Stage2Generation(_Record):
    """The decoding settings the model was scored with. Defaults: what a reader used for a directory without them
    (128 new tokens, causes closed after 48, no recall threshold: a recalled text is never shown)."""

    constrained_decoding: bool = True
    max_new_tokens: int = 128
    no_repeat_ngram_size: int | None = None
    max_cause_tokens: int = 48
    recall_threshold: float | None = None
    recall_calibration: dict[str, Any] | None = None


@dataclass(kw_only=True)
class Stage2Metadata(ModelMetadata):
    """A stage-2 explainer (train_stage2.main)."""

    TASK: ClassVar[str] = TASK_GENERATE
    task: str
    base_model: str | None = None
    architecture: str | None = None
    tokenizer: str | None = None
    lora: dict[str, Any] | None = None
    input_options: Stage2InputOptions = field(default_factory=Stage2InputOptions)
    generation: Stage2Generation = field(default_factory=Stage2Generation)
    training_data: dict[str, Any] | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, int] | None = None
    library_versions: dict[str, str] | None = None
    saved_at: str | None = None


@dataclass(kw_only=True)
class LocatorMetadata(ModelMetadata):
    """A frame ranker (train_locator.py through utils.locate.storage.save_ranker); `task` comes after the ranker's
    own fields, as save_ranker has always written it."""

    TASK: ClassVar[str] = TASK_LOCATE
    kind: str | None = None  # "rules" or "learned"
    l2: float | None = None
    train_examples: int | None = field(default=None, metadata=_OMIT_WHEN_NONE)  # set by fit_ranker only
    base_model: str | None = None
    feature_names: list[str] | None = None
    held_out_projects: list[str] | None = None
    training: dict[str, Any] | None = None
    arguments: dict[str, Any] | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    task: str
    library_versions: dict[str, str] | None = None
    saved_at: str | None = None


METADATA_CLASSES: dict[str, type[ModelMetadata]] = {
    cls.TASK: cls for cls in (Stage1Metadata, Stage2Metadata, LocatorMetadata)
}


def metadata_from_dict(payload: Any, path: str | Path) -> ModelMetadata:
    """The metadata record of a JSON object read from (or about to be written to) `path`, by its task."""
    if not isinstance(payload, dict) or "task" not in payload:
        raise MetadataError(f"{path}: analyzer metadata needs a 'task' field (one of {', '.join(METADATA_CLASSES)}).")
    cls = METADATA_CLASSES.get(payload["task"])
    if cls is None:
        raise MetadataError(
            f"{path}: task {payload['task']!r} is not one this code knows ({', '.join(METADATA_CLASSES)})."
        )
    return cls.from_dict(payload, path)


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[name] = importlib.metadata.version(name)
    return versions


def write_metadata(model_dir: str | Path, metadata: ModelMetadata | dict[str, Any]) -> Path:
    """`analyzer_metadata.json` with the given fields plus library versions and a UTC timestamp (a dict is checked
    against the schema first)."""
    path = Path(model_dir) / METADATA_FILE
    record = metadata if isinstance(metadata, ModelMetadata) else metadata_from_dict(metadata, path)
    stamped = replace(record, library_versions=library_versions(),  # type: ignore[type-var]
                      saved_at=datetime.now(timezone.utc).isoformat())
    return write_json_atomic(path, stamped.to_dict())


def read_metadata(model_dir: str | Path) -> ModelMetadata | None:
    """The metadata of `model_dir`, None when it has no metadata file; MetadataError when the file is unusable."""
    path = Path(model_dir) / METADATA_FILE
    if not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MetadataError(f"{path} is not valid JSON ({error}); re-save the model to rewrite it.") from error
    return metadata_from_dict(payload, path)
