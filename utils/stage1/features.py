"""Stage-1 classifier heads and frozen-encoder training: run the encoder once, cache what the head reads, train
only the head.

A sequence classifier is `encoder -> pooling -> head`. Supported layouts:
- "mean": `MeanPoolingForSequenceClassification` (`utils.stage1.classifier`): masked mean of the last hidden states,
then dense+tanh -> dropout -> classifier. all-MiniLM-L6-v2 was trained for mean pooling: on a 4k-row generated corpus
  (template-disjoint test split) the same head recipe on frozen states reached test top-1 0.60 / macro-F1 0.61 with
  mean pooling against 0.51 / 0.51 on the first token (pooler trainable) and 0.46 / 0.41 with the frozen pooler.
- first-token heads of `AutoModelForSequenceClassification`: BERT (pooler dense+tanh -> dropout -> classifier),
  ELECTRA/RoBERTa (their classification head), DistilBERT (pre_classifier -> ReLU -> dropout -> classifier).
`FeatureHead` wraps the model's own head modules (the same objects, not copies), so training it on cached pooled
states trains the full model's head in place, and the saved model reproduces the cached-path logits through the
standard loading path (`utils.models.checkpoints.load_model`).

The cache lives on disk under `<cache_dir>/stage1-<encoder fingerprint>/`, one pooled state per distinct model input
(keyed by its token ids and attention mask, so data, input options, tokenizer and max_length are all covered).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save
from torch import nn
from transformers.modeling_outputs import SequenceClassifierOutput

from utils.atomic import open_atomic, write_json_atomic
from utils.stage1.classifier import MeanPoolingForSequenceClassification, masked_mean
from utils.stage1.inference import DEFAULT_MAX_BATCH_TOKENS, length_sorted_batches

MODEL_INPUT_KEYS = ("input_ids", "attention_mask", "token_type_ids")


@contextlib.contextmanager
def single_cpu_thread(enabled: bool = True) -> Iterator[None]:
    """One torch CPU thread inside the block (restored after).

    A head over cached features does tiny matrix products, where OpenMP threads cost more than they give: on a
    shared 2-core machine a 128-row step of a 384-wide head took 0.46 s with 2 threads and 5 ms with 1.
    """
    previous = torch.get_num_threads()
    if enabled:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def head_kind(model: nn.Module) -> str:
    """Which head layout `model` has: "mean", "bert", "distilbert" or "sequence_head" (ELECTRA, RoBERTa family)."""
    if isinstance(model, MeanPoolingForSequenceClassification):
        return "mean"
    pooler = getattr(model.base_model, "pooler", None)
    if isinstance(pooler, nn.Module) and isinstance(getattr(model, "classifier", None), nn.Linear):
        return "bert"
    if isinstance(getattr(model, "pre_classifier", None), nn.Linear):
        return "distilbert"
    classifier = getattr(model, "classifier", None)
    if isinstance(classifier, nn.Module) and not isinstance(classifier, nn.Linear):
        return "sequence_head"
    raise ValueError(
        f"{type(model).__name__} has a classification head layout that feature caching does not know; "
        "train with --cache_features false"
    )


def head_modules(model: nn.Module) -> dict[str, nn.Module]:
    """The modules after the encoder, by role; these are what `--freeze-encoder` leaves trainable."""
    kind = head_kind(model)
    if kind == "mean":
        return {"dense": model.dense, "dropout": model.dropout, "classifier": model.classifier}
    if kind == "bert":
        return {"pooler": model.base_model.pooler, "dropout": model.dropout, "classifier": model.classifier}
    if kind == "distilbert":
        return {"pre_classifier": model.pre_classifier, "dropout": model.dropout, "classifier": model.classifier}
    return {"classifier": model.classifier}


def freeze_encoder(model: nn.Module) -> int:
    """Freeze every parameter outside the head; returns the number of trainable parameters left."""
    head_parameters = {id(p) for module in head_modules(model).values() for p in module.parameters()}
    for parameter in model.parameters():
        parameter.requires_grad = id(parameter) in head_parameters
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


class FeatureHead(nn.Module):
    """The model's head fed with cached pooled states `features` (rows, hidden): the masked mean for "mean", the
    first token's last hidden state otherwise."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.kind = head_kind(model)
        self.layers = nn.ModuleDict(head_modules(model))

    def forward(self, features: torch.Tensor, labels: torch.Tensor | None = None) -> SequenceClassifierOutput:
        sequence = features[:, None, :]  # first-token heads index the first token of a sequence
        if self.kind == "mean":
            logits = self.layers["classifier"](self.layers["dropout"](torch.tanh(self.layers["dense"](features))))
        elif self.kind == "bert":
            logits = self.layers["classifier"](self.layers["dropout"](self.layers["pooler"](sequence)))
        elif self.kind == "distilbert":
            hidden = nn.functional.relu(self.layers["pre_classifier"](features))
            logits = self.layers["classifier"](self.layers["dropout"](hidden))
        else:
            logits = self.layers["classifier"](sequence)
        return SequenceClassifierOutput(logits=logits)


class FeatureDataset(torch.utils.data.Dataset):
    """Rows of {"features", "labels"} for training a `FeatureHead` with the Trainer."""

    def __init__(self, features: torch.Tensor, labels: Sequence[int]) -> None:
        if len(features) != len(labels):
            raise ValueError(f"{len(features)} feature rows but {len(labels)} labels")
        self.features = features
        self.labels = torch.as_tensor(list(labels), dtype=torch.long)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return {"features": self.features[index], "labels": self.labels[index]}


def _input_rows(dataset: Any) -> list[dict[str, list[int]]]:
    columns = dataset.select_columns([key for key in MODEL_INPUT_KEYS if key in dataset.column_names]).to_dict()
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _pad(rows: list[dict[str, list[int]]], pad_token_id: int, device: torch.device) -> dict[str, torch.Tensor]:
    width = max(len(row["input_ids"]) for row in rows)
    batch: dict[str, torch.Tensor] = {}
    for key in MODEL_INPUT_KEYS:
        if key not in rows[0]:
            continue
        fill = pad_token_id if key == "input_ids" else 0
        padded = [row[key] + [fill] * (width - len(row[key])) for row in rows]
        batch[key] = torch.tensor(padded, dtype=torch.long, device=device)
    return batch


def pooled_states(model: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """What the head of `model` reads from the encoder output: the masked mean or the first token's state."""
    hidden_states = model.base_model(**batch).last_hidden_state
    if head_kind(model) == "mean":
        return masked_mean(hidden_states, batch.get("attention_mask"))
    return hidden_states[:, 0]


def _row_key(row: dict[str, list[int]]) -> bytes:
    """sha256 of one row's token ids and masks: identical model inputs share a key."""
    digest = hashlib.sha256()
    for key, values in row.items():
        digest.update(f"{key}:{len(values)}:".encode())
        digest.update(np.asarray(values, dtype=np.int32).tobytes())
    return digest.digest()


def _encode_rows(
    model: nn.Module, rows: list[dict[str, list[int]]], batch_size: int, device: torch.device | str, progress: bool,
    bf16: bool = False,
) -> torch.Tensor:
    """Pooled states (rows, hidden) of distinct rows, in order: eval mode, `torch.inference_mode`, length-sorted;
    `bf16`: the encoder runs under bf16 autocast (its weights stay fp32), the states are stored as float32."""
    device = torch.device(device)
    model.eval()
    model.to(device)
    pad_token_id = getattr(model.config, "pad_token_id", None) or 0
    features = torch.empty(len(rows), model.config.hidden_size, dtype=torch.float32)
    # Cut as predict.py cuts: 64 rows of up to 256 tokens spill the CPU caches (31 ms/row for MiniLM on 2 cores
    # against 19 ms/row under the 1,024-token budget).
    batches = length_sorted_batches([len(row["input_ids"]) for row in rows], batch_size, DEFAULT_MAX_BATCH_TOKENS)
    if progress:
        from tqdm.auto import tqdm

        # disable=None: a bar on a terminal only, as every progress bar of ours (utils/console.py).
        batches = tqdm(batches, desc=f"Encoding {len(rows)} distinct inputs (frozen encoder, once)", disable=None)
    with torch.inference_mode(), torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=bf16):
        for indices in batches:
            batch = _pad([rows[i] for i in indices], pad_token_id, device)
            features[torch.tensor(indices)] = pooled_states(model, batch).float().cpu()
    return features


def _distinct(rows: list[dict[str, list[int]]]) -> tuple[list[bytes], dict[bytes, int]]:
    """Row keys in order, and the first row index of each distinct key."""
    keys = [_row_key(row) for row in rows]
    first: dict[bytes, int] = {}
    for index, key in enumerate(keys):
        first.setdefault(key, index)
    return keys, first


def encoder_features(
    model: nn.Module, dataset: Any, batch_size: int = 64, device: torch.device | str = "cpu", progress: bool = False,
    bf16: bool = False,
) -> torch.Tensor:
    """Pooled encoder states (rows, hidden) in dataset order, float32: what `FeatureHead` reads.

    Identical model inputs are encoded once (generated corpora repeat inputs once line numbers and packages are
    left out); batches hold similar lengths so padding stays small.
    """
    rows = _input_rows(dataset)
    if not rows:
        raise ValueError("cannot encode an empty dataset")
    keys, first = _distinct(rows)
    distinct_features = _encode_rows(model, [rows[i] for i in first.values()], batch_size, device, progress, bf16)
    position = {key: slot for slot, key in enumerate(first)}
    return distinct_features[torch.tensor([position[key] for key in keys])]


def encoder_fingerprint(model: nn.Module) -> str:
    """sha256 over the pooling kind and the frozen (non-head) parameters and buffers: the cache key's model part."""
    head_tensors = {id(t) for m in head_modules(model).values() for t in [*m.parameters(), *m.buffers()]}
    digest = hashlib.sha256(f"{type(model.base_model).__name__}:{head_kind(model)}".encode())
    for name, tensor in sorted(model.state_dict(keep_vars=True).items()):
        if id(tensor) in head_tensors:
            continue
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def cached_encoder_features(
    model: nn.Module,
    dataset: Any,
    cache_dir: str | Path | None,
    batch_size: int = 64,
    device: torch.device | str = "cpu",
    model_fingerprint: str | None = None,
    bf16: bool = False,
) -> tuple[torch.Tensor, bool]:
    """`encoder_features` through a per-row disk cache; (features, True when no row had to be encoded).

    `<cache_dir>/stage1-<encoder>/shard-*.safetensors` hold (row key, pooled state) pairs for one frozen encoder
    and pooling kind; a row key hashes the row's token ids and mask, so data, input options, tokenizer and
    max_length are all part of it. Any dataset reuses every row encoded before (a re-split, the folds of
    --num_folds, a subset); only new rows are encoded and stored as a new shard. bf16 states (`bf16`: encoded under
    bf16 autocast) live in their own store (`...-bf16`): a cache hit never mixes the two precisions.
    """
    if cache_dir is None:
        return encoder_features(model, dataset, batch_size, device, progress=True, bf16=bf16), False
    rows = _input_rows(dataset)
    if not rows:
        raise ValueError("cannot encode an empty dataset")
    model_fingerprint = model_fingerprint or encoder_fingerprint(model)
    store = Path(cache_dir) / f"stage1-{model_fingerprint[:24]}{'-bf16' if bf16 else ''}"
    known: dict[bytes, torch.Tensor] = {}
    for shard in sorted(store.glob("shard-*.safetensors")):
        tensors = load_file(str(shard))
        known.update(zip((bytes(k) for k in tensors["keys"].numpy()), tensors["features"], strict=True))
    keys, first = _distinct(rows)
    missing = [key for key in first if key not in known]
    if missing:
        encoded = _encode_rows(model, [rows[first[key]] for key in missing], batch_size, device, True, bf16)
        # A bytearray, not bytes: torch warns (UserWarning, once per run) when it wraps a read-only buffer.
        key_bytes = np.frombuffer(bytearray(b"".join(missing)), dtype=np.uint8)
        key_tensor = torch.from_numpy(key_bytes.reshape(len(missing), -1))
        shard_name = hashlib.sha256(b"".join(missing)).hexdigest()[:24]
        with open_atomic(store / f"shard-{shard_name}.safetensors", "wb") as out:
            out.write(save({"keys": key_tensor.contiguous(), "features": encoded.contiguous()}))
        info = {
            "encoder": type(model.base_model).__name__,
            "pooling": head_kind(model),
            "fingerprint": model_fingerprint,
            "precision": "bf16" if bf16 else "fp32",
        }
        write_json_atomic(store / "info.json", info)
        known.update(zip(missing, encoded, strict=True))
    return torch.stack([known[key] for key in keys]), not missing


# bf16 autocast rounds to 8 mantissa bits: the full model's logits (its head in bf16) and FeatureHead's (fp32, on
# bf16-encoded states) differed by up to 0.012 on 16 dev rows with runs/cross_project/model_real (/tmp probe with
# check_head_equivalence(..., bf16=True), 2026-12-02); fp32 agrees within 1e-8.
BF16_HEAD_ATOL = 0.05


def check_head_equivalence(
    model: nn.Module, dataset: Any, features: torch.Tensor, rows: int = 4, atol: float = 1e-4, bf16: bool = False
) -> float:
    """Max |logits(full model) - logits(FeatureHead(features))| on the first rows, in eval mode; raises if above atol.

    Guards the promise that the saved model reproduces the cached-path predictions. `bf16` (features encoded under
    bf16 autocast): the full model runs under the same autocast, as predict.py runs it on such hardware, and `atol`
    must allow for bf16's rounding (`BF16_HEAD_ATOL`: its head computes in bf16 there, `FeatureHead` in fp32).
    """
    head = FeatureHead(model)
    model.eval()
    count = min(rows, len(dataset))
    device = next(model.parameters()).device
    batch_rows = _input_rows(dataset.select(range(count)))
    pad_token_id = getattr(model.config, "pad_token_id", None) or 0
    with torch.inference_mode():
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=bf16):
            full = model(**_pad(batch_rows, pad_token_id, device)).logits.float().cpu()
        cached = head(features[:count].to(device)).logits.float().cpu()
    gap = float((full - cached).abs().max())
    if gap > atol:
        raise RuntimeError(
            f"cached-feature head differs from the full model by {gap:.2e} (> {atol}) for {type(model).__name__}"
        )
    return gap
