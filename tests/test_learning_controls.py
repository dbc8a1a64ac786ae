"""Quality floors with negative controls: on toy data whose classes differ by clear tokens, every stage-1 training
mode (frozen-encoder head, full fine-tuning, folds) must reach top-1 >= 0.95 on rows it never saw, and the same
training on shuffled labels must stay near chance; the LoRA stage-2 script must lower its loss, and must not at
learning rate 0. A falling loss or changed weights alone would pass with a broken model; these would not."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

import train_stage1
import train_stage2
from utils.models.checkpoints import default_encoder_path
from utils.stage2.guidance import format_guidance, format_location

# Four failures, each with its own message words and application frames (exception names visible: the floors are
# about learning, not about masking). Chance on them is 0.25.
KINDS = [
    ("java.lang.NullPointerException", "customer {n} is null", "com.acme.crm.CustomerService", ["find", "load"]),
    ("java.net.SocketTimeoutException", "Read timed out after {n} ms", "com.acme.pay.GatewayClient",
     ["send", "charge"]),
    ("java.sql.SQLSyntaxErrorException", "Unknown column amt{n} in ledger", "com.acme.ledger.EntryDao",
     ["insert", "post"]),
    ("java.lang.NumberFormatException", 'For input string: "{n}x"', "com.acme.fx.RateParser", ["parse", "quote"]),
]
CHANCE_BOUND = 0.5  # 4 balanced classes: chance is 0.25; a model that learns reaches 0.95


def trace_log(index: int, kind: int, kinds: list[tuple[str, str, str, list[str]]] = KINDS) -> str:
    """Row `index`'s log of failure `kinds[kind]` (exception, message with {n}, owner class, its methods top first):
    line numbers vary with the index."""
    exception, message, owner, methods = kinds[kind]
    simple = owner.rsplit(".", 1)[1]
    frames = "".join(f"\tat {owner}.{method}({simple}.java:{20 + 10 * position + index % 9})\n"
                     for position, method in enumerate(methods))
    return f"{exception}: {message.format(n=index)}\n{frames}\tat java.base/java.lang.Thread.run(Thread.java:833)\n"


def write_rows(path: Path, count: int, offset: int = 0, shuffle_seed: int | None = None) -> Path:
    """`count` rows cycling through the kinds; with `shuffle_seed` the labels are permuted across rows, so a label
    says nothing about its log (each label keeps its frequency)."""
    labels = [KINDS[index % 4][0] for index in range(offset, offset + count)]
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(labels)
    with open(path, "w", encoding="utf-8") as out:
        for index, label in zip(range(offset, offset + count), labels):
            out.write(json.dumps({"id": f"r{index}", "log": trace_log(index, index % 4), "label": label}) + "\n")
    return path


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("controls")
    return {"train": write_rows(directory / "train.jsonl", 48),
            "shuffled": write_rows(directory / "shuffled.jsonl", 48, shuffle_seed=1),
            "validation": write_rows(directory / "validation.jsonl", 24, offset=300)}


def train(output_dir: Path, train_file: Path, *args: str) -> dict[str, float]:
    """train_stage1 on the offline MiniLM (the random tiny encoder of conftest.py separates these classes only for
    some seeds and rates: a floor on it would test luck). No checkpoints: nothing here resumes, and a 90 MB save per
    epoch would cost more than the training."""
    return train_stage1.main([
        "--model_name_or_path", str(default_encoder_path()), "--output_dir", str(output_dir),
        "--train_file", str(train_file), "--loss", "ce", "--max_length", "64", "--per_device_train_batch_size", "8",
        "--early_stopping_patience", "0", "--save_strategy", "no", "--load_best_model_at_end", "false",
        "--seed", "7", *args,
    ])


FROZEN = ["--freeze_encoder", "--feature_cache_dir", "", "--head_learning_rate", "0.01", "--num_train_epochs", "20"]


@pytest.mark.parametrize("labels, floor", [("train", True), ("shuffled", False)])
def test_frozen_encoder_head(tmp_path: Path, data: dict[str, Path], labels: str, floor: bool) -> None:
    metrics = train(tmp_path / "model", data[labels], "--validation_file", str(data["validation"]), *FROZEN)
    if floor:
        assert metrics["eval_top1"] >= 0.95
    else:  # the validation labels are true: what was learned from shuffled ones cannot predict them
        assert metrics["eval_top1"] <= CHANCE_BOUND


@pytest.mark.parametrize("labels, floor", [("train", True), ("shuffled", False)])
def test_folds(tmp_path: Path, data: dict[str, Path], labels: str, floor: bool) -> None:
    # Out-of-fold predictions are made by a member that never saw the row: with shuffled labels nothing can be
    # right beyond chance, unless a fold's held-out rows leaked into its training (memorised labels would score).
    metrics = train(tmp_path / "folds", data[labels], "--validation_file", "none", "--num_folds", "2", *FROZEN)
    if floor:
        assert metrics["oof_top1"] >= 0.95
    else:
        assert metrics["oof_top1"] <= CHANCE_BOUND


@pytest.fixture(scope="module")
def one_layer_minilm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline MiniLM cut to its first layer: pretrained token embeddings (so a few steps of fine-tuning can
    learn), a sixth of the compute. The random tiny encoder of conftest.py, fully fine-tuned, stays at the class
    prior on this data within any step budget a test can afford."""
    from transformers import AutoModel, AutoTokenizer

    directory = tmp_path_factory.mktemp("minilm-1-layer")
    AutoModel.from_pretrained(default_encoder_path(), num_hidden_layers=1).save_pretrained(directory)
    AutoTokenizer.from_pretrained(default_encoder_path()).save_pretrained(directory)
    return directory


def test_full_fine_tuning(tmp_path: Path, data: dict[str, Path], one_layer_minilm: Path) -> None:
    metrics = train(tmp_path / "model", data["train"], "--model_name_or_path", str(one_layer_minilm),
                    "--validation_file", str(data["validation"]), "--learning_rate", "1e-3", "--num_train_epochs", "3",
                    "--precision", "fp32")
    assert metrics["eval_top1"] >= 0.95


TINY_T5 = {"model_type": "t5", "d_model": 32, "d_kv": 8, "d_ff": 64, "num_heads": 4, "num_layers": 2,
           "num_decoder_layers": 2, "relative_attention_num_buckets": 8, "dropout_rate": 0.0}


def stage2_row(index: int) -> dict:
    """A corpus row (as tests/test_lora.py writes them): a negative amount reaching a transfer."""
    line = 40 + index
    return {"id": f"s{index}", "label": "IllegalArgumentException",
            "log": (f"java.lang.IllegalArgumentException: amount must be positive: -{index}\n"
                    f"\tat com.acme.pay.Transfers.move(Transfers.java:{line})\n\tat com.acme.pay.Api.post(Api.java:12)\n"),
            "guidance": format_guidance("IllegalArgumentException", f"a negative amount -{index} reached move",
                                        format_location("Transfers.java", line, "com.acme.pay.Transfers.move"),
                                        "Validate the amount at the API boundary."),
            "meta": {"template": "t", "family": "test", "language": "en",
                     "root_exception": "java.lang.IllegalArgumentException",
                     "fault": {"class": "com.acme.pay.Transfers", "method": "move", "file": "Transfers.java",
                               "line": line}}}


def lora_losses(directory: Path, learning_rate: str) -> list[float]:
    """train_stage2.py with LoRA adapters for 20 steps, each on the same full batch of 8 rows (no dropout), so the
    logged training losses differ only by what the steps changed; the losses in step order. No test split and no
    scenario memory: both only generate after training, which is slow and says nothing about the loss."""
    for split, offset in (("train", 0), ("validation", 50)):
        rows = [stage2_row(offset + index) for index in range(8)]
        (directory / f"{split}.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    (directory / "t5.json").write_text(json.dumps(TINY_T5))
    output_dir = directory / "model"
    argv = ["train_stage2.py", "--model_name_or_path", str(directory / "t5.json"), "--tokenizer_vocab_size", "300",
            "--train_file", str(directory / "train.jsonl"), "--validation_file", str(directory / "validation.jsonl"),
            "--test_file", "", "--retrieval", "false", "--output_dir", str(output_dir), "--use_cpu",
            "--max_steps", "20", "--per_device_train_batch_size", "8", "--logging_steps", "1",
            "--learning_rate", learning_rate, "--lr_scheduler_type", "constant", "--max_target_length", "48",
            "--lora_r", "4", "--lora_alpha", "8", "--lora_dropout", "0", "--lora_target_modules", "q", "v", "wo",
            "--eval_strategy", "no", "--save_strategy", "no", "--load_best_model_at_end", "false",
            "--early_stopping_patience", "0", "--seed", "3"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", argv)
        train_stage2.main()
    history = json.loads((output_dir / "trainer_state.json").read_text())["log_history"]
    return [row["loss"] for row in sorted(history, key=lambda row: row["step"]) if "loss" in row]


@pytest.mark.parametrize("learning_rate, learns", [("2e-2", True), ("0", False)])
def test_lora_script_lowers_its_loss_only_when_it_trains(tmp_path: Path, learning_rate: str, learns: bool) -> None:
    losses = lora_losses(tmp_path, learning_rate)
    assert len(losses) == 20  # one logged loss per step: the first is the untrained model's
    if learns:
        assert losses[-1] < 0.8 * losses[0], losses
    else:  # nothing moves: the adapters start as a no-op and a zero step keeps them so
        assert max(losses) - min(losses) < 1e-3 * losses[0], losses
