"""Nearest real neighbours: a stage-1 model's vote of the real traces it was trained on.

The classifier's head is fitted mostly to synthetic rows; the real rows of `build_corpus.py --real_logs` are a
minority of its training data. At training time each real row's representation (the head's `tanh(dense(mean
pool))`, names masked as an unreadable name meets the model) is kept with its label in the model directory. At
prediction time a trace's k nearest of them by cosine vote, each weighted by softmax(cosine / temperature), and the
vote is mixed into the model's calibrated probabilities: `(1 - weight) * p_model + weight * p_vote`.

Only vectors and label ids are stored: no text. They are computed from rows already redacted (utils/redact.py).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

NEIGHBOURS_FILE = "neighbours.npz"


@dataclass(frozen=True)
class NeighbourSettings:
    """How the vote is taken and mixed in (saved in the model's metadata, `neighbours`)."""

    k: int = 10
    temperature: float = 0.05
    weight: float = 0.3

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError(f"neighbour k must be at least 1, got {self.k}")
        if self.temperature <= 0:
            raise ValueError(f"neighbour temperature must be positive, got {self.temperature}")
        if not 0.0 <= self.weight <= 1.0:
            raise ValueError(f"neighbour weight must be within [0, 1], got {self.weight}")

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (a zero row stays zero), in float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


@dataclass
class NeighbourMemory:
    """The real training rows' unit vectors and label ids, and the settings of the vote."""

    vectors: np.ndarray  # [rows, hidden], unit length
    labels: np.ndarray  # [rows] label ids of the model's label set
    settings: NeighbourSettings

    def votes(self, features: np.ndarray, num_labels: int) -> np.ndarray:
        """[queries, num_labels]: each query's k nearest rows' labels, weighted by softmax(cosine / temperature)."""
        similarity = unit_rows(features) @ self.vectors.T
        k = min(self.settings.k, len(self.labels))
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        picked = np.take_along_axis(similarity, nearest, axis=1)
        weights = np.exp((picked - picked.max(axis=1, keepdims=True)) / self.settings.temperature)
        weights /= weights.sum(axis=1, keepdims=True)
        result = np.zeros((len(features), num_labels), dtype=np.float64)
        np.add.at(result, (np.repeat(np.arange(len(features)), k), self.labels[nearest].ravel()), weights.ravel())
        return result

    def mix(self, probabilities: np.ndarray, features: np.ndarray) -> np.ndarray:
        """The model's probabilities with the vote mixed in at the settings' weight."""
        weight = self.settings.weight
        return (1.0 - weight) * probabilities + weight * self.votes(features, probabilities.shape[1])


def save_memory(model_dir: str | Path, features: np.ndarray, labels: np.ndarray) -> Path:
    """Write the rows' unit vectors (float16: half the size, cosines within 1e-3) and label ids, atomically."""
    path = Path(model_dir) / NEIGHBOURS_FILE
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".neighbours-", suffix=".npz", delete=False) as handle:
        np.savez(handle, vectors=unit_rows(features).astype(np.float16), labels=np.asarray(labels, dtype=np.int32))
    os.replace(handle.name, path)
    return path


def load_memory(model_dir: str | Path, settings: dict[str, float] | None, num_labels: int) -> NeighbourMemory | None:
    """The model directory's memory, None when its metadata names none (a model trained without real rows, or
    before this existed). A named memory that is missing or does not fit the model is an error, not a silent
    fallback to the model alone."""
    if not settings:
        return None
    path = Path(model_dir) / NEIGHBOURS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the model's metadata names a neighbour memory, but the file is missing")
    with np.load(path) as stored:
        vectors, labels = stored["vectors"].astype(np.float32), stored["labels"].astype(np.int64)
    if len(vectors) != len(labels) or not len(labels) or labels.min() < 0 or labels.max() >= num_labels:
        raise ValueError(f"{path}: {len(vectors)} vectors, {len(labels)} labels (ids must lie in 0..{num_labels - 1})")
    known = {key: settings[key] for key in ("k", "temperature", "weight") if key in settings}
    return NeighbourMemory(vectors, labels, NeighbourSettings(**known))


