"""Command-line parsing shared by every script: `[config.yaml|config.json] [--option value ...]`.

Torch-free on purpose: `build_corpus.py`, `train_locator.py` and `predict.py` must start fast.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml
from transformers import HfArgumentParser

from utils.console import VERBOSE_ENV, one_line

EXAMPLES_FILE = Path(__file__).with_name("cli_examples.yaml")
# Where build_corpus.py writes the corpus by default, and so where the trainers read its splits by default.
CORPUS_DIR = "data/corpus"
CONFIG_NOTE = "A YAML or JSON config file may come first; every option in it is a flag above, and flags after it win."
VERBOSE_NOTE = f"{VERBOSE_ENV}=1 in the environment shows the libraries' logs and warnings and full tracebacks."
# Help that already says its default in words ("Default: models/stage1 when it exists") gets no "(default: ...)".
STATES_DEFAULT = re.compile(r"\bdefaults?\b", re.IGNORECASE)


def corpus_split(split: str) -> str:
    """The default path of one split of the corpus (train, validation, test): `CORPUS_DIR/<split>.jsonl`."""
    return f"{CORPUS_DIR}/{split}.jsonl"


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """`--help` that never contradicts itself: "(default: X)" is added only where the help text does not state its
    default and X is a value (None means "decided at run time" or "off", which the help text says), and a
    `--no_x` flag says what it does instead of repeating --x's text with "(default: False)". The epilog (examples)
    keeps its line breaks."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if isinstance(action, argparse._StoreFalseAction) and action.option_strings[0].startswith("--no_"):
            return f"Same as --{action.dest} false."
        if action.default is None or action.default is argparse.SUPPRESS or STATES_DEFAULT.search(text):
            return text
        return super()._get_help_string(action)


def examples_epilog(script: str) -> str:
    """The examples of `script` (its name, e.g. "train_stage1") from cli_examples.yaml, and the config-file rule."""
    with open(EXAMPLES_FILE, encoding="utf-8") as handle:
        examples = yaml.safe_load(handle).get(script) or []
    lines = ["examples:", *(f"  {example}" for example in examples)] if examples else []
    return "\n".join([*lines, "", CONFIG_NOTE, VERBOSE_NOTE]).strip()


def describe_parser(parser: argparse.ArgumentParser) -> None:
    """Gives `parser` the house's --help: `HelpFormatter`, and the script's examples as its epilog."""
    parser.formatter_class = HelpFormatter
    if parser.epilog is None:
        parser.epilog = examples_epilog(Path(parser.prog).stem)


def parse_args_with_config(
    parser: HfArgumentParser, argv: list[str] | None = None, defaults: dict[str, Any] | None = None
) -> tuple[Any, ...]:
    """Dataclasses from `[config.yaml|config.json] [--option value ...]`.

    Precedence: built-in `defaults` < the config file (when the first argument ends in .yaml/.yml/.json) < the
    command line. Unknown keys in the config file are an error naming the file and the key.
    """
    describe_parser(parser)
    argv = list(sys.argv[1:] if argv is None else argv)
    known = {f.name for dtype in parser.dataclass_types for f in fields(dtype) if f.init}
    merged: dict[str, Any] = dict(defaults or {})
    if argv and argv[0].endswith((".yaml", ".yml", ".json")) and not argv[0].startswith("-"):
        config_path = Path(argv.pop(0))
        if not config_path.is_file():
            raise SystemExit(f"{config_path}: config file not found")
        try:
            with open(config_path, encoding="utf-8") as handle:
                config = json.load(handle) if config_path.suffix == ".json" else yaml.safe_load(handle)
        except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as error:
            raise SystemExit(f"{config_path}: not a valid config file ({one_line(error)})") from None
        if not isinstance(config, dict):
            raise SystemExit(f"{config_path}: expected a mapping of option: value")
        unknown = sorted(set(config) - known)
        if unknown:
            guesses = {key: _closest(str(key), known) for key in unknown}
            said = [f"{key} (did you mean {guess}?)" if guess else str(key) for key, guess in guesses.items()]
            raise SystemExit(f"{config_path}: unknown option(s) {', '.join(said)}")
        merged.update(config)
    parser.set_defaults(**merged)
    # argparse's own errors (a value of the wrong type, a missing required option) printed its whole usage (over
    # 100 lines for a trainer) before the one line that matters
    parser.error = lambda message: parser.exit(2, f"{parser.prog}: error: {message} (see --help)\n")  # type: ignore
    *parsed, unknown_args = parser.parse_args_into_dataclasses(args=argv, look_for_args_file=False,
                                                               return_remaining_strings=True)
    if unknown_args:  # transformers raises a ValueError, shown as a traceback; argparse's one line, with a guess
        parser.exit(2, f"{parser.prog}: error: unrecognized arguments: {' '.join(unknown_args)}"
                       f"{_did_you_mean(parser, unknown_args)} (see --help)\n")
    return tuple(parsed)


def _did_you_mean(parser: argparse.ArgumentParser, unknown_args: list[str]) -> str:
    """`; did you mean --real_logs?` for the first unknown option that is close to a known one, else ""."""
    options = [option for option in parser._option_string_actions if option.startswith("--")]
    for argument in unknown_args:
        if argument.startswith("-") and (close := _closest(argument.split("=", 1)[0], options)):
            return f"; did you mean {close}?"
    return ""


def _closest(word: str, known: Iterable[str]) -> str | None:
    """The known option (or config key) a typo most likely meant, if one is close enough."""
    return next(iter(difflib.get_close_matches(word, list(known), n=1, cutoff=0.7)), None)


def file_given(path: str | None) -> bool:
    """Whether an optional file argument names a file: None, "" and "none" (what a YAML config or a shell can
    write) mean no file."""
    return path not in (None, "", "none")
