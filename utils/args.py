"""Command-line parsing shared by every script: `[config.yaml|config.json] [--option value ...]`.

Torch-free on purpose: `build_corpus.py`, `train_locator.py` and `predict.py` must start fast.
"""

from __future__ import annotations

import json
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml
from transformers import HfArgumentParser


def parse_args_with_config(
    parser: HfArgumentParser, argv: list[str] | None = None, defaults: dict[str, Any] | None = None
) -> tuple[Any, ...]:
    """Dataclasses from `[config.yaml|config.json] [--option value ...]`.

    Precedence: built-in `defaults` < the config file (when the first argument ends in .yaml/.yml/.json) < the
    command line. Unknown keys in the config file are an error naming the file and the key.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    known = {f.name for dtype in parser.dataclass_types for f in fields(dtype) if f.init}
    merged: dict[str, Any] = dict(defaults or {})
    if argv and argv[0].endswith((".yaml", ".yml", ".json")) and not argv[0].startswith("-"):
        config_path = Path(argv.pop(0))
        if not config_path.is_file():
            raise SystemExit(f"{config_path}: config file not found")
        with open(config_path, encoding="utf-8") as handle:
            config = json.load(handle) if config_path.suffix == ".json" else yaml.safe_load(handle)
        if not isinstance(config, dict):
            raise SystemExit(f"{config_path}: expected a mapping of option: value")
        unknown = sorted(set(config) - known)
        if unknown:
            raise SystemExit(f"{config_path}: unknown option(s) {', '.join(unknown)}")
        merged.update(config)
    parser.set_defaults(**merged)
    return parser.parse_args_into_dataclasses(args=argv, look_for_args_file=False)


def file_given(path: str | None) -> bool:
    """Whether an optional file argument names a file: None, "" and "none" (what a YAML config or a shell can
    write) mean no file."""
    return path not in (None, "", "none")
