"""Batched stage-1 inference: texts -> class probabilities, for one model or an ensemble of them.

CPU speed (measured by bench/bench_predict.py, figures in README.md, "Speed"): identical inputs are encoded once,
each text is tokenized once and batches are cut by exact token length under a padded-token budget, forward passes
run under `torch.inference_mode`, the thread count follows the cores that are actually free, and
`quantize_int8` offers dynamic int8 quantization of the Linear layers.
"""

from __future__ import annotations

import os

# libgomp's default wait policy spins OpenMP threads at every barrier. When other processes share the cores (the
# usual case on a small on-prem box), a spinning thread burns the time slice its sibling needs: with 2 threads on a
# busy CPU one log took 1,687 ms (p50) spinning against 111 ms passive (README.md, "Speed"). Only effective before
# torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import warnings  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from utils.evaluation.metrics import softmax  # noqa: E402
from utils.models.checkpoints import LoadedModel, ModelLoadError  # noqa: E402
from utils.stage1.neighbours import mix_vote  # noqa: E402

# Padded tokens per forward pass: a bigger [rows x tokens] batch spills the CPU caches (MiniLM's FFN activations
# alone are rows * tokens * 1536 floats: 6 MB at 1024 tokens) and bought nothing on 2 cores (README.md, "Speed").
DEFAULT_MAX_BATCH_TOKENS = 1024


def length_sorted_batches(
    lengths: Sequence[int], batch_size: int, max_batch_tokens: int | None = None
) -> list[list[int]]:
    """Indices grouped into batches of similar length (less padding), longest first so memory peaks early.

    A batch holds at most `batch_size` rows and, with `max_batch_tokens`, at most that many padded tokens
    (rows * its longest length); a single longer row still gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda index: -lengths[index])
    batches: list[list[int]] = []
    for index in order:
        current = batches[-1] if batches else None
        # Longest first: the batch's first row sets its padded width.
        fits = current is not None and len(current) < batch_size and (
            max_batch_tokens is None or (len(current) + 1) * max(lengths[current[0]], 1) <= max_batch_tokens
        )
        if fits:
            current.append(index)
        else:
            batches.append([index])
    return batches


def _cgroup_cpu_limit() -> float | None:
    """The container's CPU quota in cores (cgroup v2 cpu.max, e.g. `docker --cpus 2`), None when unlimited."""
    try:
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as limits:
            quota, period = limits.read().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        return None


def free_cores(reserved: int = 0) -> int:
    """Cores this process may run on (CPU affinity, container quota) minus those kept busy by other work (the
    1-minute load average, or `reserved` when more: work this run is starting, which the average has not seen
    yet), at least 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    limit = _cgroup_cpu_limit()
    if limit:
        cores = min(cores, max(1, int(limit + 0.5)))
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):
        busy = 0.0
    # Whole cores only: the load average lags (a job that just ended still counts ~0.5 for a minute), and under
    # OMP_WAIT_POLICY=PASSIVE a thread on a half-busy core costs little (2 threads at load 1.0: 50 logs/s, 1: 33).
    return max(1, min(cores, cores - max(int(busy), reserved)))


def configure_threads(threads: int | None = None, reserved: int = 0) -> int:
    """Set torch's intra-op threads: `threads` when given, else `free_cores(reserved)`. On a busy machine one thread
    beat two by ~1.5x in bench/bench_predict.py; on idle cores all of them are used. Returns the count set."""
    count = threads if threads and threads > 0 else free_cores(reserved)
    torch.set_num_threads(count)
    return count


def inference_bf16(precision: str = "auto", device: str = "cpu") -> bool:
    """Whether model inference (stage 1, stage 2) runs in bf16: `precision` "auto" means where the hardware runs bf16
    natively (AVX512-BF16 / AMX CPUs, bf16-capable CUDA; the rule of utils/stage1/precision.py, shared with training),
    fp32 elsewhere, where emulated bf16 is slower; "fp32" forces full precision, "bf16" asks for it anyway."""
    from utils.stage1.precision import use_bf16

    return use_bf16(precision, device)


def stage1_bf16(members: Sequence[Any], precision: str = "auto", quantized: bool = False) -> bool:
    """Whether stage-1 `members` (utils.models.checkpoints.LoadedModel) run in bf16 (`to_bf16_weights`): the one
    rule predict.py (utils/pipeline/analyze.py) and evaluate.py share, so an evaluation scores what predict.py
    computes. int8 weights stay as they are; otherwise `inference_bf16` on the members' device."""
    if not members or quantized:
        return False
    return inference_bf16(precision, next(members[0].model.parameters()).device.type)


def to_bf16_weights(models: Sequence[torch.nn.Module], bf16: bool) -> None:
    """`models`' weights cast to bf16 in place when `bf16` (`stage1_bf16`'s or `inference_bf16`'s answer): stage-1
    members, which predict_logits then runs without autocast, and the stage-2 T5. On the dev set, names masked, bf16
    weights gave bf16 autocast's top-1 (0.6400 against fp32's 0.6438) at 1.4x its speed, and hold no fp32 weights
    beside autocast's bf16 copies (bench/bench_precision.py)."""
    if bf16:
        for model in models:
            model.to(torch.bfloat16)


def quantize_int8(model: torch.nn.Module) -> torch.nn.Module:
    """Dynamic int8 quantization of every `nn.Linear` (weights int8 per output channel, activations quantized per
    batch), in place; CPU only. bench/bench_quantize.py measures it for a model (README.md, "Speed": on the dev set,
    names masked, top-1 0.582 -> 0.568 against fp32)."""
    if any(parameter.device.type != "cpu" for parameter in model.parameters()):
        raise ValueError("int8 dynamic quantization runs on CPU only; leave out --quantize on a GPU")
    with warnings.catch_warnings():
        # torch.ao.quantization is deprecated in favour of torchao, which is not a dependency here.
        warnings.simplefilter("ignore")
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8,
                                inplace=True)


def model_max_length(loaded: LoadedModel, default: int = 256) -> int:
    """The max_length the model was trained with (metadata), else the tokenizer's, capped at 512."""
    value = loaded.metadata.max_length or getattr(loaded.tokenizer, "model_max_length", default)
    return int(min(value if value and value < 100_000 else default, 512))


@dataclass
class MemberOutputs:
    """One stage-1 member's outputs for a list of texts: its logits and, for a model with a neighbour memory
    (utils/stage1/neighbours.py), the vote of its nearest real training rows and the weight it is mixed in at."""

    logits: np.ndarray
    votes: np.ndarray | None = None
    vote_weight: float = 0.0

    def probabilities(self, temperature: float = 1.0) -> np.ndarray:
        """softmax(logits / temperature), with the neighbours' vote mixed in where the model has a memory."""
        probabilities = softmax(self.logits, temperature)
        if self.votes is None:
            return probabilities
        return mix_vote(probabilities, self.votes, self.vote_weight)


def predict_logits(
    loaded: LoadedModel,
    texts: Sequence[str],
    batch_size: int = 32,
    max_batch_tokens: int | None = DEFAULT_MAX_BATCH_TOKENS,
    sort_by_length: bool = True,
    max_length: int | None = None,
    bf16: bool = False,
) -> np.ndarray:
    """Logits [len(texts), num_labels] in input order (`predict_member`'s, without the neighbours' vote)."""
    return _forward(loaded, texts, batch_size, max_batch_tokens, sort_by_length, max_length, bf16, False)[0]


def predict_member(
    loaded: LoadedModel, texts: Sequence[str], batch_size: int = 32, bf16: bool = False
) -> MemberOutputs:
    """The member's logits and, where it has a neighbour memory, its nearest real rows' vote: both from one forward
    pass (the vote compares the head's representation, from which the logits are computed)."""
    memory = loaded.neighbours
    logits, features = _forward(loaded, texts, batch_size, DEFAULT_MAX_BATCH_TOKENS, True, None, bf16,
                                with_features=memory is not None)
    if memory is None:
        return MemberOutputs(logits)
    return MemberOutputs(logits, memory.votes(features, logits.shape[1]), memory.settings.weight)


def encode_features(loaded: LoadedModel, texts: Sequence[str], batch_size: int = 32, bf16: bool = False) -> np.ndarray:
    """The head's representation of each text (`MeanPoolingForSequenceClassification.features`), in input order:
    what a neighbour memory stores for its rows and compares a query's with."""
    return _forward(loaded, texts, batch_size, DEFAULT_MAX_BATCH_TOKENS, True, None, bf16, with_features=True)[1]


@torch.inference_mode()
def _forward(
    loaded: LoadedModel, texts: Sequence[str], batch_size: int, max_batch_tokens: int | None, sort_by_length: bool,
    max_length: int | None, bf16: bool, with_features: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(logits, the head's representation or None) [len(texts), ...] in input order.

    Identical texts (a log repeating one failure) are encoded once; every text is tokenized once, without
    padding, and batches are cut by token length (`length_sorted_batches`) so padding stays small.
    `sort_by_length=False` batches in input order and `max_length` overrides the model's own limit: the
    baselines bench/bench_predict.py compares against. `bf16`: forward passes in bf16, for CPUs that run it natively
    (`inference_bf16`): under autocast while the weights are fp32, as they are after `to_bf16_weights` otherwise.
    """
    model, tokenizer = loaded.model, loaded.tokenizer
    parameter = next(model.parameters())
    device = parameter.device
    autocast = bf16 and parameter.dtype == torch.float32  # bf16 weights (`to_bf16_weights`) need none
    distinct = list(dict.fromkeys(texts))
    position = {text: index for index, text in enumerate(distinct)}
    logits = np.zeros((len(distinct), model.config.num_labels), dtype=np.float32)
    features = np.zeros((len(distinct), model.config.hidden_size), dtype=np.float32) if with_features else None
    if not distinct:
        return logits, features
    encoded = tokenizer(distinct, truncation=True, max_length=max_length or model_max_length(loaded))
    lengths = [len(ids) for ids in encoded["input_ids"]]
    if sort_by_length:
        batches = length_sorted_batches(lengths, batch_size, max_batch_tokens)
    else:
        batches = [list(range(start, min(start + batch_size, len(distinct))))
                   for start in range(0, len(distinct), batch_size)]
    for batch in batches:
        inputs = tokenizer.pad({key: [values[index] for index in batch] for key, values in encoded.items()},
                               return_tensors="pt").to(device)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=autocast):
            if features is None:
                logits[batch] = model(**inputs).logits.float().cpu().numpy()
                continue
            representation = model.features(**inputs)
            logits[batch] = model.classifier(representation).float().cpu().numpy()
            features[batch] = representation.float().cpu().numpy()
    order = [position[text] for text in texts]
    return logits[order], features[order] if features is not None else None


def check_same_labels(models: Sequence[LoadedModel]) -> list[str]:
    """The shared label names of ensemble members; one clear error when any member differs."""
    names = models[0].label_names
    for member in models[1:]:
        if member.label_names != names:
            raise ModelLoadError(
                f"Ensemble members disagree on labels: {models[0].path} has {len(names)} labels, "
                f"{member.path} has {len(member.label_names)} (or another order); train them on one label set."
            )
    return names


def ensemble_probabilities(
    models: Sequence[LoadedModel], texts_per_model: Sequence[Sequence[str]], weights: Sequence[float] | None = None,
    batch_size: int = 32, bf16: bool = False,
) -> np.ndarray:
    """Weighted mean of members' calibrated probabilities (each member applies its own stored temperature).

    Members may build their inputs differently (input options live in each one's metadata), so each gets its own
    list of texts. Without `weights`, members are weighted by their validation score (`score_weights`).
    """
    check_same_labels(models)
    outputs = [predict_member(member, texts, batch_size, bf16=bf16) for member, texts in zip(models, texts_per_model)]
    return combine_probabilities(outputs, [temperature_of(member) for member in models],
                                 list(weights) if weights else score_weights(models))


def combine_probabilities(
    outputs: Sequence[MemberOutputs | np.ndarray], temperatures: Sequence[float], weights: Sequence[float]
) -> np.ndarray:
    """Weighted mean over members of their probabilities (`MemberOutputs.probabilities`; bare logits: softmax(logits /
    temperature))."""
    if len(weights) != len(outputs):
        raise ValueError(f"{len(weights)} ensemble weights given for {len(outputs)} models")
    if not all(weight >= 0 for weight in weights) or not sum(weights) > 0:  # NaN fails too
        raise ValueError(f"ensemble weights must be non-negative with a positive sum, got {list(weights)}")
    members = [output if isinstance(output, MemberOutputs) else MemberOutputs(output) for output in outputs]
    total = sum(member.probabilities(temperature) * weight
                for member, temperature, weight in zip(members, temperatures, weights))
    return np.asarray(total) / sum(weights)


def score_weights(models: Sequence[LoadedModel], key: str = "eval_macro_f1") -> list[float]:
    """One weight per member: its validation macro-F1 from metadata (a fold member's is its out-of-fold score);
    equal weights unless every member has a positive one."""
    scores = [float(member.metadata.metrics.get(key) or 0.0) for member in models]
    return scores if len(models) > 1 and all(score > 0 for score in scores) else [1.0] * len(models)


def temperature_of(loaded: LoadedModel) -> float:
    """Temperature fitted on validation data at training time (1.0 when none was fitted)."""
    return loaded.metadata.temperature


def top_k_labels(probabilities: np.ndarray, names: Sequence[str], k: int) -> list[list[dict[str, Any]]]:
    """Per row, the k most probable labels with scores rounded for output."""
    k = max(1, min(k, probabilities.shape[1]))
    order = np.argsort(-probabilities, axis=1)[:, :k]
    return [
        [{"label": names[index], "score": round(float(row[index]), 4)} for index in indices]
        for row, indices in zip(probabilities, order)
    ]
