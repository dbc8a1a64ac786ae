"""Saving and loading a learned ranker: `ranker.json` (weights) beside `analyzer_metadata.json`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from utils.locate.features import FEATURE_NAMES
from utils.locate.scoring import RULES, LinearRanker
from utils.models.checkpoints import METADATA_FILE, read_metadata, write_json_atomic, write_metadata
from utils.models.metadata import TASK_LOCATE

LOCATE_TASK = TASK_LOCATE  # the task name in analyzer_metadata.json (utils/models/metadata.py)
RANKER_FILE = "ranker.json"


def save_ranker(ranker: LinearRanker, output_dir: str | Path, metadata: dict | None = None) -> Path:
    """Writes `ranker.json` (feature weights) and `analyzer_metadata.json` (task, features, metrics, versions)."""
    output_dir = Path(output_dir)
    payload: dict = {"feature_names": list(FEATURE_NAMES), "weights": ranker.weights}
    if ranker.app_packages:
        payload["app_packages"] = list(ranker.app_packages)
    write_json_atomic(output_dir / RANKER_FILE, payload)
    write_metadata(output_dir, {**ranker.metadata, **(metadata or {}), "task": LOCATE_TASK})
    return output_dir


def load_ranker(model_dir: str | Path) -> LinearRanker:
    """A ranker saved by `save_ranker`; a one-line error when the directory holds something else."""
    model_dir = Path(model_dir)
    weights_path = model_dir / RANKER_FILE
    if not weights_path.is_file():
        raise FileNotFoundError(f"{weights_path}: no frame ranker here (train one with train_locator.py)")
    metadata = read_metadata(model_dir)  # None: a ranker.json without metadata
    if metadata is not None and metadata.task != LOCATE_TASK:
        raise ValueError(f"{model_dir / METADATA_FILE}: task is {metadata.task!r}, not {LOCATE_TASK!r}")
    try:
        payload = json.loads(weights_path.read_text(encoding="utf-8"))
        weights = {str(name): float(value) for name, value in payload["weights"].items()}
        app_packages = tuple(str(package) for package in payload.get("app_packages") or ())
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{weights_path}: not a ranker file ({error})") from error
    unknown = sorted(set(weights) - set(FEATURE_NAMES))
    if unknown:
        raise ValueError(f"{weights_path}: weights for features this code does not compute: {unknown}")
    return LinearRanker(weights, metadata.to_dict() if metadata else {}, app_packages)


def with_app_packages(ranker: LinearRanker | None, app_packages: Iterable[str]) -> LinearRanker:
    """The ranker (the rules for None) applied to one application's packages (`--app_packages`)."""
    base = ranker or RULES
    return LinearRanker(dict(base.weights), dict(base.metadata), tuple(app_packages))
