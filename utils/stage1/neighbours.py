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
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

NEIGHBOURS_FILE = "neighbours.npz"


# Queries compared with the memory at a time: a [queries x rows] float32 block stays within ~40 MB for 10,000 rows.
QUERY_CHUNK = 1024


@dataclass(frozen=True)
class NeighbourSettings:
    """How the vote is taken and mixed in (saved in the model's metadata, `neighbours`)."""

    k: int = 10
    temperature: float = 0.05
    weight: float = 0.3

    def __post_init__(self) -> None:
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 1:
            raise ValueError(f"neighbour k must be a whole number of at least 1, got {self.k!r}")
        for name in ("temperature", "weight"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"neighbour {name} must be a number, got {value!r}")
        if self.temperature <= 0:
            raise ValueError(f"neighbour temperature must be positive, got {self.temperature}")
        if not 0.0 <= self.weight <= 1.0:
            raise ValueError(f"neighbour weight must be within [0, 1], got {self.weight}")

    def entry(self, rows: int) -> dict[str, float]:
        """The metadata's `neighbours` entry (and what reports show): the memory's row count and these settings."""
        return {"rows": rows, **asdict(self)}


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (a zero row stays zero), in float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


@dataclass
class NeighbourMemory:
    """The real training rows' unit vectors and label ids, and the settings of the vote. The mix itself is
    `utils.stage1.inference.MemberOutputs.probabilities`."""

    vectors: np.ndarray  # [rows, hidden], unit length
    labels: np.ndarray  # [rows] label ids of the model's label set
    settings: NeighbourSettings

    def describe(self) -> dict[str, float]:
        """The memory as reports show it: its rows and the settings in use."""
        return self.settings.entry(len(self.labels))

    def votes(self, features: np.ndarray, num_labels: int) -> np.ndarray:
        """[queries, num_labels]: each query's k nearest rows' labels, weighted by softmax(cosine / temperature)."""
        result = np.zeros((len(features), num_labels), dtype=np.float64)
        k = min(self.settings.k, len(self.labels))
        for start in range(0, len(features), QUERY_CHUNK):
            similarity = unit_rows(features[start:start + QUERY_CHUNK]) @ self.vectors.T
            nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
            picked = np.take_along_axis(similarity, nearest, axis=1)
            weights = np.exp((picked - picked.max(axis=1, keepdims=True)) / self.settings.temperature)
            weights /= weights.sum(axis=1, keepdims=True)
            rows = np.repeat(np.arange(start, start + len(nearest)), k)
            np.add.at(result, (rows, self.labels[nearest].ravel()), weights.ravel())
        return result


def mix_vote(probabilities: np.ndarray, votes: np.ndarray, weight: float) -> np.ndarray:
    """`(1 - weight) * probabilities + weight * votes`: how a vote (the neighbours', the wording memory's) joins the
    model's probabilities."""
    return (1.0 - weight) * probabilities + weight * votes


def save_memory(model_dir: str | Path, features: np.ndarray, labels: np.ndarray) -> Path:
    """Write the rows' unit vectors (float16: half the size, cosines within 1e-3) and label ids, atomically."""
    path = Path(model_dir) / NEIGHBOURS_FILE
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".neighbours-", suffix=".npz", delete=False) as handle:
        np.savez(handle, vectors=unit_rows(features).astype(np.float16), labels=np.asarray(labels, dtype=np.int32))
    os.replace(handle.name, path)
    return path


def load_memory(path: str | Path, settings: dict[str, Any], num_labels: int, hidden_size: int) -> NeighbourMemory:
    """The memory at `path` (a model's neighbours.npz) with the metadata's `settings`, checked against the model:
    a memory that is missing or does not fit is one error naming the file, never a silent fallback to the model
    alone."""
    path = Path(path)
    names = [item.name for item in fields(NeighbourSettings)]
    unknown = sorted(set(settings) - {"rows", *names})
    if unknown:
        raise ValueError(f"{path}: the metadata's neighbours entry has unknown keys {unknown}")
    try:
        chosen = NeighbourSettings(**{key: settings[key] for key in names if key in settings})
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from error
    if not path.is_file():
        raise ValueError(f"{path}: the model's metadata names a neighbour memory, but the file is missing")
    with np.load(path) as stored:
        vectors, labels = stored["vectors"].astype(np.float32), stored["labels"].astype(np.int64)
    problem = (
        f"vectors of shape {vectors.shape}, the model's representation has {hidden_size} values"
        if vectors.ndim != 2 or vectors.shape[1] != hidden_size
        else f"{len(vectors)} vectors but {len(labels)} labels" if labels.shape != (len(vectors),) or not len(labels)
        else f"label ids outside 0..{num_labels - 1}" if labels.min() < 0 or labels.max() >= num_labels
        else f"{len(labels)} rows, the metadata says {settings['rows']}"
        if "rows" in settings and settings["rows"] != len(labels)
        else None
    )
    if problem:
        raise ValueError(f"{path}: does not fit the model: {problem}")
    return NeighbourMemory(vectors, labels, chosen)
