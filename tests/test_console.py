"""What a person sees: --help without contradictions and with examples, stderr without library chatter or
progress bars when it is not a terminal, and a bad training row as one line naming file:line and the skip flag."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from utils.console import SKIP_ROWS_FIELD, configure_console, input_error_line
from utils.stage1.data import JsonlError, read_jsonl

REPO_ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = ("train_stage1", "train_stage2", "train_locator", "predict", "evaluate", "build_corpus")
CONSOLE_ENV = ("HF_DATASETS_DISABLE_PROGRESS_BARS", "HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_VERBOSITY",
               "DATASETS_VERBOSITY", "HF_HUB_VERBOSITY", "TRANSFORMERS_NO_ADVISORY_WARNINGS")


def run_python(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """A child python in the repository root with stdin/stderr not terminals (as under CI or a pipe)."""
    environment = {name: value for name, value in os.environ.items() if name not in ("ANALYZER_VERBOSE", *CONSOLE_ENV)}
    environment.update(HF_HUB_OFFLINE="1", **env)
    return subprocess.run([sys.executable, *args], cwd=REPO_ROOT, capture_output=True, text=True, env=environment,
                          timeout=300)


@pytest.fixture
def help_of(monkeypatch, capsys):
    """`<script>.py --help` as its parser prints it, run in-process (the console settings are undone after)."""
    for name in CONSOLE_ENV:
        monkeypatch.setenv(name, "")  # recorded, so that the values configure_console sets are undone
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)

    def run(script: str) -> str:
        module = importlib.import_module(script)
        monkeypatch.setattr(sys, "argv", [f"{script}.py", "--help"])
        with pytest.raises(SystemExit) as exit_info:
            module.main(["--help"])
        assert exit_info.value.code == 0
        return capsys.readouterr().out

    return run


def option_blocks(help_text: str) -> list[str]:
    """One string per option of an argparse help text (its flags line and its wrapped description)."""
    options = help_text.split("\noptions:\n", 1)[1].split("\nexamples:\n", 1)[0]
    return [" ".join(block.split()) for block in re.split(r"\n(?=  -)", options) if block.strip()]


@pytest.mark.parametrize("script", ENTRY_POINTS)
def test_help_has_examples_and_no_contradictory_defaults(script: str, help_of) -> None:
    text = help_of(script)
    blocks = option_blocks(text)
    assert len(blocks) > 3
    for block in blocks:
        assert "(default: None)" not in block, block
        # "Default: models/stage1 when it exists. (default: None)" and the like: one statement of a default at most.
        assert "(default:" not in block or len(re.findall(r"\bdefaults?\b", block, re.IGNORECASE)) == 1, block
        negation = re.match(r"--no_(\w+), --no-[\w-]+ (.*)", block)  # HfArgumentParser's --no_x for a True --x
        if negation and not negation.group(2).startswith(negation.group(1).upper()):  # (not --no_repeat_ngram_size N)
            assert negation.group(2) == f"Same as --{negation.group(1)} false.", block
    examples = text.split("\nexamples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert examples and all(f"{script}.py" in example for example in examples)
    known = {flag.replace("-", "_") for flag in re.findall(r"--[\w-]+", "\n".join(blocks))}
    for example in examples:
        command = example.split("#", 1)[0]
        assert Path(REPO_ROOT, *re.findall(r"configs/\S+", command)).exists()
        for flag in re.findall(r"(?<=\s)--[\w-]+", command.split(f"{script}.py", 1)[1]):
            assert flag.replace("-", "_") in known, f"{script}: example flag {flag} is not an option"


def test_bad_training_row_is_one_line_with_file_line_and_flag(tmp_path: Path, tiny_encoder: Path) -> None:
    good = [json.dumps({"log": f"java.lang.IllegalStateException: {i}", "label": "IllegalStateException"})
            for i in range(4)]
    train = tmp_path / "train.jsonl"
    train.write_text("\n".join([*good[:2], '{"log": "x", "label": ', *good[2:]]) + "\n", encoding="utf-8")
    validation = tmp_path / "validation.jsonl"
    validation.write_text("\n".join(good) + "\n", encoding="utf-8")
    result = run_python(["train_stage1.py", "--model_name_or_path", str(tiny_encoder), "--train_file", str(train),
                         "--validation_file", str(validation), "--output_dir", str(tmp_path / "model"),
                         "--precision", "fp32"])  # fp32: no "bf16 autocast on" log line before the data is read
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"{train}:3: " in lines[0] and f"--{SKIP_ROWS_FIELD}" in lines[0]


def test_input_error_line_names_the_flag_only_where_it_helps(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"log": "a", "label": "b"}\n{"log": "a"}\n', encoding="utf-8")
    with pytest.raises(JsonlError) as missing_field:
        read_jsonl(rows, required_fields=("log", "label"))
    line = input_error_line(missing_field.value, "train_stage1.py", skip_flag_offered=True)
    assert line == (f"train_stage1.py: error: {rows}:2: missing field(s) label "
                    f"(--{SKIP_ROWS_FIELD} skips and counts such rows)")
    # A script without the flag (train_locator.py) does not advertise it.
    assert f"--{SKIP_ROWS_FIELD}" not in input_error_line(missing_field.value, "train_locator.py", False)
    rows.write_bytes(b'{"log": "a", "label": "b"}\n{"log": "\xff"}\n')
    with pytest.raises(JsonlError) as not_utf8:
        read_jsonl(rows, skip_invalid=True)
    assert input_error_line(not_utf8.value, "train_stage1.py", True) == f"train_stage1.py: error: {not_utf8.value}"
    with pytest.raises(JsonlError) as missing_file:
        read_jsonl(tmp_path / "absent.jsonl")
    assert "--" not in input_error_line(missing_file.value, "train_stage1.py", True)
    assert input_error_line(ValueError("a bug"), "train_stage1.py", True) is None  # a traceback, as before
    # a named YAML file that is not one (train_stage1.py --labels_file: before, ConfigFileError's traceback)
    from utils.labels import LabelSet
    from utils.yaml_files import ConfigFileError

    (tmp_path / "labels.yaml").write_text("labels: [\n", encoding="utf-8")
    with pytest.raises(ConfigFileError) as bad_yaml:
        LabelSet.from_yaml(tmp_path / "labels.yaml")
    assert input_error_line(bad_yaml.value, "train_stage1.py", True) == f"train_stage1.py: error: {bad_yaml.value}"


LOAD_AND_MAP = """
import sys
from transformers import AutoConfig
from utils.stage1.classifier import MeanPoolingForSequenceClassification
if sys.argv[1] == "configured":
    from utils.console import configure_console
    configure_console()
import datasets
config = AutoConfig.from_pretrained(sys.argv[2], num_labels=3)
MeanPoolingForSequenceClassification.from_pretrained(sys.argv[2], config=config)  # a new head: a load report
datasets.Dataset.from_list([{"a": 1}] * 4).map(lambda row: row, desc="Mapping")
print("done")
"""


def test_console_mutes_load_reports_and_progress_bars_off_a_terminal(tiny_encoder: Path) -> None:
    plain = run_python(["-c", LOAD_AND_MAP, "plain", str(tiny_encoder)])
    assert plain.returncode == 0, plain.stderr
    assert "LOAD REPORT" in plain.stderr and "Mapping" in plain.stderr  # what a normal run used to show
    configured = run_python(["-c", LOAD_AND_MAP, "configured", str(tiny_encoder)])
    assert configured.returncode == 0 and configured.stdout == "done\n"
    assert configured.stderr == ""
    verbose = run_python(["-c", LOAD_AND_MAP, "configured", str(tiny_encoder)], ANALYZER_VERBOSE="1")
    assert "LOAD REPORT" in verbose.stderr and "Mapping" not in verbose.stderr  # bars stay off: not a terminal


def test_predict_without_model_keeps_stderr_empty() -> None:
    result = run_python(["predict.py", "--input", "examples/junit_failure.log", "--no_model"])
    assert result.returncode == 0 and result.stderr == "" and result.stdout


def test_configure_console_keeps_the_trainer_bars_on_a_terminal(monkeypatch) -> None:
    import logging

    from transformers import TrainingArguments

    for name in CONSOLE_ENV:
        monkeypatch.setenv(name, "")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    configure_console()
    assert logging.getLogger("transformers").getEffectiveLevel() == logging.ERROR
    assert TrainingArguments(output_dir="unused", report_to="none").disable_tqdm is False
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    configure_console()
    assert TrainingArguments(output_dir="unused", report_to="none").disable_tqdm is True


def test_ctrl_c_is_one_line_and_still_ends_the_process_by_sigint() -> None:
    # Before: a KeyboardInterrupt traceback of 20-40 lines from wherever the run was.
    code = ("from utils.console import configure_console\nconfigure_console(verbose=False)\n"
            "def deep(n):\n    return deep(n - 1) if n else (_ for _ in ()).throw(KeyboardInterrupt)\ndeep(5)\n")
    done = subprocess.run([sys.executable, "-c", f"import sys; sys.argv[0] = 'probe.py'\nexec({code!r})"],
                          cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "ANALYZER_VERBOSE": "0"})
    assert done.stderr.strip().splitlines() == ["probe.py: interrupted"]
    assert done.returncode == -2  # the shell sees 130, as after any Ctrl-C
