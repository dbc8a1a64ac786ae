"""Training reliability: an interrupted run resumes from its last checkpoint to the same final step and metrics, the
same seed on the same data gives the same metrics, and the one resume rule (utils.models.training.may_resume) refuses a run
whose arguments differ from the saved run's unless --overwrite_output_dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertModel, TrainerCallback

import train_stage1
from utils.models.checkpoints import default_encoder_path

EXCEPTIONS = [
    ("java.lang.NullPointerException", "customer is null", "com.acme.crm.CustomerService.find"),
    ("java.net.SocketTimeoutException", "Read timed out", "com.acme.pay.GatewayClient.send"),
    ("java.lang.NumberFormatException", 'For input string: "12a"', "com.acme.fx.RateParser.parse"),
]


def write_rows(path: Path, count: int, offset: int = 0) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for index in range(offset, offset + count):
            exception, message, frame = EXCEPTIONS[index % len(EXCEPTIONS)]
            log = f"{exception}: {message} #{index}\n\tat {frame}(App.java:{10 + index})\n\tat java.lang.Thread.run"
            out.write(json.dumps({"id": f"r{index}", "log": log, "label": exception}) + "\n")
    return path


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("resume")
    encoder = directory / "encoder"
    torch.manual_seed(0)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=37)
    BertModel(config).save_pretrained(encoder)
    AutoTokenizer.from_pretrained(default_encoder_path()).save_pretrained(encoder)
    return {"encoder": encoder, "train": write_rows(directory / "train.jsonl", 36),
            "validation": write_rows(directory / "val.jsonl", 12, 100)}


def _args(setup: dict[str, Path], output_dir: Path, frozen: bool) -> list[str]:
    args = [
        "--model_name_or_path", str(setup["encoder"]), "--output_dir", str(output_dir),
        "--train_file", str(setup["train"]), "--validation_file", str(setup["validation"]),
        "--max_length", "48", "--per_device_train_batch_size", "6", "--num_train_epochs", "2", "--seed", "11",
        "--eval_strategy", "steps", "--save_strategy", "steps", "--eval_steps", "3", "--save_steps", "3",
        "--logging_steps", "3", "--save_total_limit", "2", "--early_stopping_patience", "0",
    ]
    if frozen:
        args += ["--freeze_encoder", "--feature_cache_dir", "", "--head_learning_rate", "0.01"]
    else:
        args += ["--learning_rate", "1e-3"]
    return args


class Interrupt(RuntimeError):
    pass


class InterruptAfterSave(TrainerCallback):
    """Stands in for a crash: stops training right after the checkpoint of step 6 is written."""

    def on_save(self, args, state, control, **kwargs):
        if state.global_step >= 6:
            raise Interrupt(f"killed after step {state.global_step}")


def test_interrupted_run_resumes_to_the_same_end(tmp_path, setup, monkeypatch) -> None:
    frozen = True  # the cached-feature head: its checkpoints are not a PreTrainedModel, the harder case
    reference = train_stage1.main(_args(setup, tmp_path / "uninterrupted", frozen))
    final_step = json.loads((tmp_path / "uninterrupted" / "trainer_state.json").read_text())["global_step"]
    assert final_step == 12  # 36 rows / 6 per batch x 2 epochs

    output_dir = tmp_path / "interrupted"
    original = train_stage1.FocalLossTrainer

    class CrashingTrainer(original):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.add_callback(InterruptAfterSave())

    monkeypatch.setattr(train_stage1, "FocalLossTrainer", CrashingTrainer)
    with pytest.raises(Interrupt):
        train_stage1.main(_args(setup, output_dir, frozen))
    assert (output_dir / "checkpoint-6").is_dir() and not (output_dir / "analyzer_metadata.json").exists()

    monkeypatch.setattr(train_stage1, "FocalLossTrainer", original)
    resumed = train_stage1.main(_args(setup, output_dir, frozen))  # finds checkpoint-6 by itself
    state = json.loads((output_dir / "trainer_state.json").read_text())
    metadata = json.loads((output_dir / "analyzer_metadata.json").read_text())
    assert state["global_step"] == final_step and metadata["training"]["resumed_from"].endswith("checkpoint-6")
    for key in ("eval_loss", "eval_top1", "eval_macro_f1"):
        assert resumed[key] == pytest.approx(reference[key], rel=1e-4, abs=1e-5), key

    # --overwrite_output_dir ignores the checkpoints and starts afresh.
    (output_dir / "analyzer_metadata.json").unlink()
    monkeypatch.setattr(train_stage1, "FocalLossTrainer", CrashingTrainer)
    with pytest.raises(Interrupt):
        train_stage1.main([*_args(setup, output_dir, frozen), "--keep_checkpoints"])
    monkeypatch.setattr(train_stage1, "FocalLossTrainer", original)
    train_stage1.main([*_args(setup, output_dir, frozen), "--overwrite_output_dir"])
    metadata = json.loads((output_dir / "analyzer_metadata.json").read_text())
    assert metadata["training"]["resumed_from"] is None


def test_same_seed_same_metrics(tmp_path, setup) -> None:
    # Full fine-tuning (dropout, shuffling, init of the head all draw from the seed), one epoch to stay quick.
    first = train_stage1.main([*_args(setup, tmp_path / "a", frozen=False), "--num_train_epochs", "1"])
    second = train_stage1.main([*_args(setup, tmp_path / "b", frozen=False), "--num_train_epochs", "1"])
    for key in ("eval_loss", "eval_top1", "eval_macro_f1", "eval_ece"):
        assert first[key] == second[key], key
    # The control: another seed must change the run, else the equality above would prove nothing.
    other = train_stage1.main([*_args(setup, tmp_path / "c", frozen=False), "--num_train_epochs", "1", "--seed", "12"])
    assert other["eval_loss"] != first["eval_loss"]


def _parsed_arguments(argv: list[str]) -> dict:
    from transformers import HfArgumentParser, TrainingArguments

    from utils.args import parse_args_with_config
    from utils.models.training import run_arguments

    parser = HfArgumentParser((train_stage1.ModelArguments, train_stage1.DataArguments, train_stage1.LossArguments,
                               TrainingArguments))
    return run_arguments(*parse_args_with_config(parser, argv, train_stage1.training_defaults()))


def test_resume_rule_match_mismatch_overwrite(tmp_path) -> None:
    from utils.models.training import RUN_ARGUMENTS_FILE, may_resume, write_run_arguments

    arguments = _parsed_arguments(["--output_dir", str(tmp_path / "a"), "--hub_token", "secret"])
    # Where a run writes, whether it keeps checkpoints, and credentials are not compared (nor recorded).
    assert arguments == _parsed_arguments(["--output_dir", str(tmp_path / "b"), "--keep_checkpoints"])
    assert not any("token" in key for key in arguments) and "output_dir" not in arguments
    frozen = _parsed_arguments(["--freeze_encoder"])
    assert frozen != arguments

    assert may_resume(tmp_path / "new", arguments, overwrite=False) is False  # nothing there: start
    write_run_arguments(tmp_path, arguments)
    assert (tmp_path / RUN_ARGUMENTS_FILE).is_file()
    # arguments alone: a run that stopped before training (before: it refused the corrected command)
    assert may_resume(tmp_path, frozen, overwrite=False) is False
    (tmp_path / "checkpoint-1").mkdir()
    assert may_resume(tmp_path, arguments, overwrite=False) is True  # same arguments: resume
    with pytest.raises(SystemExit, match=r"holds a run with other arguments \(--freeze_encoder True \(saved run: "
                                         r"False\)\); pass --overwrite_output_dir to replace it"):
        may_resume(tmp_path, frozen, overwrite=False)
    assert may_resume(tmp_path, frozen, overwrite=True) is False  # --overwrite_output_dir: start afresh

    old = tmp_path / "old"  # a model dir saved before runs recorded their arguments
    old.mkdir()
    (old / "analyzer_metadata.json").write_text("{}")
    with pytest.raises(SystemExit, match="arguments were not recorded; pass --overwrite_output_dir"):
        may_resume(old, arguments, overwrite=False)


def test_other_arguments_never_replace_a_trained_model(tmp_path, setup) -> None:
    """`train_stage1.py --freeze-encoder` on a dir holding a fine-tuned model silently replaced it (macro-F1 0.61 ->
    0.41 in models/stage1): now it refuses, and the model is untouched."""
    output_dir = tmp_path / "stage1"
    train_stage1.main([*_args(setup, output_dir, frozen=False), "--num_train_epochs", "1"])
    before = (output_dir / "model.safetensors").read_bytes()
    with pytest.raises(SystemExit, match=r"--freeze_encoder True \(saved run: False\).*--overwrite_output_dir"):
        train_stage1.main(_args(setup, output_dir, frozen=True))
    assert (output_dir / "model.safetensors").read_bytes() == before
    train_stage1.main([*_args(setup, output_dir, frozen=True), "--overwrite_output_dir"])
    assert json.loads((output_dir / "analyzer_metadata.json").read_text())["training"]["freeze_encoder"] is True


def test_stage2_follows_the_same_rule(tmp_path, monkeypatch) -> None:
    import sys

    import train_stage2
    from utils.models.training import write_run_arguments

    write_run_arguments(tmp_path, {"learning_rate": 0.5})
    (tmp_path / "checkpoint-1").mkdir()  # a run that trained (its arguments alone would be one that did not)
    monkeypatch.setattr(sys, "argv", ["train_stage2.py", "--output_dir", str(tmp_path), "--train_file", "missing"])
    with pytest.raises(SystemExit, match="holds a run with other arguments .*--overwrite_output_dir"):
        train_stage2.main()


def test_an_output_dir_that_is_a_file_or_anothers_folder_is_refused(tmp_path) -> None:
    # Before: a file gave FileExistsError's traceback after the data was read; a project's folder had its
    # config.json and README.md replaced by the model's without a word.
    from utils.models.training import may_resume

    (tmp_path / "afile").write_text("x")
    with pytest.raises(SystemExit, match="^--output_dir .*afile: is a file, not a directory$"):
        may_resume(tmp_path / "afile", {}, overwrite=False)
    project = tmp_path / "project"
    project.mkdir()
    for name in ("README.md", "config.json", "notes.txt", "src"):
        (project / name).write_text("mine")
    with pytest.raises(SystemExit, match=r"holds files no training run left \(README.md, config.json, notes.txt, "
                                         r"\.\.\.\); choose another --output_dir"):
        may_resume(project, {}, overwrite=False)
    assert may_resume(project, {}, overwrite=True) is False
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".gitkeep").write_text("")  # hidden entries are nobody's files
    assert may_resume(tmp_path / "empty", {}, overwrite=False) is False


def test_what_a_run_cannot_start_from_is_one_line_before_reading(tmp_path, monkeypatch) -> None:
    # Before: an untrained model saved as a success (epochs -1), tracebacks for a checkpoint or base model not there.
    from types import SimpleNamespace

    from utils.models.training import base_model_errors, check_training

    def args(**changed):
        return SimpleNamespace(**{"resume_from_checkpoint": None, "max_steps": -1, "num_train_epochs": 4.0,
                                  "learning_rate": 1e-4, **changed})

    check_training(args(), None)
    for changed, base, said in [
        ({"resume_from_checkpoint": str(tmp_path / "gone")}, None, "--resume_from_checkpoint .*gone: no such checkpoint"),
        ({"num_train_epochs": -1.0}, None, r"--num_train_epochs must be above 0 \(or --max_steps set\), got -1.0"),
        ({"learning_rate": -1.0}, None, "--learning_rate must be 0 or more, got -1.0"),
        ({}, str(tmp_path / "no_model"), "--model_name_or_path .*no_model: no such file or directory"),
    ]:
        with pytest.raises(SystemExit, match=f"^{said}"):
            check_training(args(**changed), base)
    check_training(args(num_train_epochs=0.0, max_steps=5), "t5-small")  # steps, and a Hub id: tried when loading
    check_training(args(learning_rate=-1.0), None, learning_rate=0.01)  # a frozen encoder's head rate is the one used
    with pytest.raises(SystemExit, match="^--head_learning_rate must be 0 or more, got -0.01$"):
        check_training(args(), None, learning_rate=-0.01)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    with pytest.raises(SystemExit, match="^--model_name_or_path models/stage2: no such file"):
        check_training(args(), "models/stage2")  # a folder here: a path, not a Hub owner
    refused = pytest.raises(SystemExit, match=r"^--model_name_or_path bert-x: not a model directory here .*\(offline\)$")
    with refused, base_model_errors("bert-x"):
        raise OSError("offline")
    with pytest.raises(SystemExit, match="^--tokenizer_name tok: not a model directory here"), base_model_errors(
            "tok", "--tokenizer_name"):
        raise OSError("offline")
