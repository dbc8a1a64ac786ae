"""Batched stage-1 inference: texts -> class probabilities, for one model or an ensemble of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from utils.checkpoints import LoadedModel, ModelLoadError


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (less padding), longest first so memory peaks early."""
    order = sorted(range(len(lengths)), key=lambda index: -lengths[index])
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def model_max_length(loaded: LoadedModel, default: int = 256) -> int:
    """The max_length the model was trained with (metadata), else the tokenizer's, capped at 512."""
    value = loaded.metadata.get("max_length") or getattr(loaded.tokenizer, "model_max_length", default)
    return int(min(value if value and value < 100_000 else default, 512))


@torch.inference_mode()
def predict_logits(loaded: LoadedModel, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
    """Logits [len(texts), num_labels] in input order; batches are length-sorted to keep padding small."""
    model, tokenizer = loaded.model, loaded.tokenizer
    device = next(model.parameters()).device
    max_length = model_max_length(loaded)
    lengths = [len(text) for text in texts]
    logits = np.zeros((len(texts), model.config.num_labels), dtype=np.float32)
    for batch in length_sorted_batches(lengths, batch_size):
        encoded = tokenizer([texts[index] for index in batch], padding=True, truncation=True,
                            max_length=max_length, return_tensors="pt").to(device)
        logits[batch] = model(**encoded).logits.float().cpu().numpy()
    return logits


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    scaled = logits / max(float(temperature), 1e-6)
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=-1, keepdims=True)


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
    batch_size: int = 32,
) -> np.ndarray:
    """Weighted mean of members' calibrated probabilities (each member applies its own stored temperature).

    Members may build their inputs differently (input options live in each one's metadata), so each gets its own
    list of texts.
    """
    check_same_labels(models)
    weights = list(weights) if weights else [1.0] * len(models)
    if len(weights) != len(models):
        raise ValueError(f"{len(weights)} ensemble weights given for {len(models)} models")
    total: np.ndarray | None = None
    for member, texts, weight in zip(models, texts_per_model, weights):
        probabilities = softmax(predict_logits(member, texts, batch_size), temperature_of(member))
        total = probabilities * weight if total is None else total + probabilities * weight
    assert total is not None
    return total / sum(weights)


def temperature_of(loaded: LoadedModel) -> float:
    """Temperature fitted on validation data at training time (1.0 when none was fitted)."""
    calibration: dict[str, Any] = loaded.metadata.get("calibration") or {}
    return float(calibration.get("temperature", 1.0))


def top_k_labels(probabilities: np.ndarray, names: Sequence[str], k: int) -> list[list[dict[str, Any]]]:
    """Per row, the k most probable labels with scores rounded for output."""
    k = max(1, min(k, probabilities.shape[1]))
    order = np.argsort(-probabilities, axis=1)[:, :k]
    return [
        [{"label": names[index], "score": round(float(row[index]), 4)} for index in indices]
        for row, indices in zip(probabilities, order)
    ]
