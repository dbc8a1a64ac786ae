"""train_stage1.py end to end on tiny models, the frozen-feature cache and its equivalence with the saved model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import yaml
from datasets import concatenate_datasets
from transformers import (
    AutoTokenizer,
    BertConfig,
    BertForSequenceClassification,
    BertModel,
    DistilBertConfig,
    DistilBertForSequenceClassification,
    ElectraConfig,
    ElectraForSequenceClassification,
    HfArgumentParser,
    RobertaConfig,
    RobertaForSequenceClassification,
)

import train_stage1
from utils.args import parse_args_with_config
from utils.labels import load_label_set
from utils.models.checkpoints import TASK_CLASSIFY, default_encoder_path, load_model
from utils.stage1.classifier import MeanPoolingForSequenceClassification
from utils.stage1.data import JsonlError, add_model_inputs, load_labeled_dataset, merge_labels, tokenize_dataset
from utils.stage1.features import (
    FeatureHead,
    cached_encoder_features,
    check_head_equivalence,
    encoder_features,
    freeze_encoder,
)

# Invented failures: (exception class, message, application frame) per class; the label is the root cause.
KINDS = [
    ("java.lang.NullPointerException", "customer is null", "com.acme.crm.CustomerService.find"),
    ("java.net.SocketTimeoutException", "Read timed out", "com.acme.pay.GatewayClient.send"),
    ("java.sql.SQLSyntaxErrorException", "Unknown column 'amt'", "com.acme.ledger.EntryDao.insert"),
    ("java.lang.NumberFormatException", 'For input string: "12a"', "com.acme.fx.RateParser.parse"),
]


def _log(index: int, exception: str, message: str, frame: str) -> str:
    simple = frame.rsplit(".", 2)[1]
    lines = [f"2024-02-01 09:00:{index % 60:02d} ERROR [http-{index}] c.a.Api - call {index} failed"]
    if index % 3 == 0:
        lines += [
            f"java.lang.IllegalStateException: step {index}",
            "\tat com.acme.api.Flow.run(Flow.java:5)",
            f"Caused by: {exception}: {message}",
        ]
    else:
        lines.append(f"{exception}: {message}")
    lines += [f"\tat {frame}({simple}.java:{20 + index % 9})", "\tat java.base/java.lang.Thread.run(Thread.java:833)"]
    return "\n".join(lines)


def write_rows(path: Path, count: int, offset: int = 0) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for index in range(offset, offset + count):
            exception, message, frame = KINDS[index % len(KINDS)]
            out.write(
                json.dumps({"id": f"row{index}", "log": _log(index, exception, message, frame), "label": exception})
                + "\n"
            )
    return path


TINY_BERT = {"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 37}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("corpus")
    return {
        "train": write_rows(directory / "train.jsonl", 48),
        "validation": write_rows(directory / "val.jsonl", 16, 100),
    }


def _common_args(tiny_encoder: Path, output_dir: Path) -> list[str]:
    return [
        "--model_name_or_path",
        str(tiny_encoder),
        "--output_dir",
        str(output_dir),
        "--max_length",
        "64",
        "--per_device_train_batch_size",
        "8",
        "--per_device_eval_batch_size",
        "16",
        "--seed",
        "3",
    ]


def test_frozen_cached_training_writes_a_uniform_model(tmp_path, tiny_encoder, corpus) -> None:
    output_dir, cache_dir = tmp_path / "stage1", tmp_path / "cache"
    metrics = train_stage1.main(
        [
            *_common_args(tiny_encoder, output_dir),
            "--train_file",
            str(corpus["train"]),
            "--validation_file",
            str(corpus["validation"]),
            "--freeze-encoder",
            "--feature_cache_dir",
            str(cache_dir),
            "--num_train_epochs",
            "3",
            "--head_learning_rate",
            "0.01",
            "--alpha",
            "auto",
            "--mask_exception_names",
            "--mask_probability",
            "0.5",
            "--mask_before_parsing",  # masked rows as predict.py meets a masked log
            "--precision",  # fp32 features, which the full model below reproduces within 1e-5 (bf16: their own test)
            "fp32",
        ]
    )
    assert set(metrics) >= {"eval_top1", "eval_top3", "eval_top5", "eval_macro_f1", "eval_loss"}

    names = {path.name for path in output_dir.iterdir()}
    expected = {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "analyzer_metadata.json",
        "README.md",
        "training_history.json",
        "confusion_matrix.png",
        "learning_curves.png",
        "label_merge_report.json",
        "trainer_state.json",
        "all_results.json",
    }
    assert expected <= names and not [name for name in names if name.startswith("checkpoint-")]
    metadata = json.loads((output_dir / "analyzer_metadata.json").read_text())
    assert metadata["task"] == TASK_CLASSIFY and metadata["label_fingerprint"] == load_label_set().fingerprint()
    assert metadata["training"]["cached_features"] and len(metadata["training"]["alpha_values"]) == 46
    assert metadata["training_data"]["train_rows"] == 48 and len(metadata["training_data"]["train_sha256"]) == 64
    assert metadata["input_options"] == {"max_frames": 8, "max_message_chars": 300, "mask_exception_names": False,
                                         "structure_hints": True}
    assert metadata["training_masking"] == {"mask_exception_names": True, "probability": 0.5, "before_parsing": True}
    # Temperature fitted on validation, stored for predict.py/evaluate.py; the raw/calibrated distributions with it.
    calibration = metadata["calibration"]
    assert set(calibration) == {"temperature", "ece_before", "ece_after", "nll_before", "nll_after", "rows"}
    assert calibration["rows"] == 16 and calibration["nll_after"] <= calibration["nll_before"] + 1e-6
    assert metadata["prediction_distribution"]["raw"]["rows"] == 16
    assert isinstance(metadata["prediction_warnings"], list)
    assert metadata["input_format"] == "trace" and metadata["label_source"] == "labels_yaml"
    assert "reliability.png" in names and "Temperature" in (output_dir / "README.md").read_text()
    history = json.loads((output_dir / "training_history.json").read_text())
    assert [row["epoch"] for row in history] == [1.0, 2.0, 3.0]
    assert {"train_loss", "eval_loss", "eval_top1", "eval_top3", "eval_top5", "eval_macro_f1"} <= set(history[0])
    assert history[-1]["train_loss"] < history[0]["train_loss"]  # the head learns from the cached features

    # The saved model, loaded the standard way, reproduces the cached-feature head exactly.
    loaded = load_model(output_dir, expected_task=TASK_CLASSIFY, expected_labels=load_label_set())
    validation, _ = merge_labels(load_labeled_dataset(corpus["validation"])[0], load_label_set())
    options = {key: value for key, value in metadata["input_options"].items() if key != "mask_exception_names"}
    tokens = tokenize_dataset(add_model_inputs(validation, input_options=options), loaded.tokenizer, 64)
    validation_features, hit = cached_encoder_features(loaded.model, tokens, cache_dir)
    assert hit  # training stored every validation row under this (frozen, unchanged) encoder
    assert len(list(cache_dir.glob("stage1-*/shard-*.safetensors"))) == 2  # train rows, then validation rows
    with torch.inference_mode():
        head_logits = FeatureHead(loaded.model)(validation_features).logits
        texts = list(tokens["text"])
        batch = loaded.tokenizer(texts, padding=True, truncation=True, max_length=64, return_tensors="pt")
        full_logits = loaded.model(**batch).logits
    assert torch.allclose(head_logits, full_logits, atol=1e-5)

    # Frozen means frozen: the encoder weights equal the base encoder's; the head (mean pooling by default) trained.
    assert type(loaded.model) is MeanPoolingForSequenceClassification and metadata["pooling"] == "mean"
    base = BertModel.from_pretrained(tiny_encoder)
    encoder = loaded.model.encoder
    assert torch.equal(encoder.encoder.layer[0].output.dense.weight, base.encoder.layer[0].output.dense.weight)
    assert torch.equal(encoder.embeddings.word_embeddings.weight, base.embeddings.word_embeddings.weight)


def test_full_finetune_with_split_and_accumulation(tmp_path, tiny_encoder, corpus) -> None:
    output_dir = tmp_path / "stage1"
    base = BertModel.from_pretrained(tiny_encoder)
    train_stage1.main(
        [
            *_common_args(tiny_encoder, output_dir),
            "--train_file",
            str(corpus["train"]),
            "--validation_file",
            "none",
            "--validation_split_fraction",
            "0.25",
            "--pooling",
            "cls",
            "--loss",
            "ce",
            "--gradient_accumulation_steps",
            "2",
            "--num_train_epochs",
            "1",
            "--learning_rate",
            "1e-3",
            "--label_smoothing",
            "0.1",
        ]
    )
    metadata = json.loads((output_dir / "analyzer_metadata.json").read_text())
    assert metadata["training_data"]["validation_file"] is None
    assert metadata["training_data"]["train_rows"] == 36 and metadata["training_data"]["validation_rows"] == 12
    assert not metadata["training"]["cached_features"] and metadata["training"]["loss"] == "ce"
    loaded = load_model(output_dir, expected_task=TASK_CLASSIFY)
    assert type(loaded.model) is BertForSequenceClassification and metadata["pooling"] == "cls"
    assert not torch.equal(
        loaded.model.bert.encoder.layer[0].output.dense.weight, base.encoder.layer[0].output.dense.weight
    )


def test_config_file_with_cli_override(tmp_path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({"max_length": 99, "num_train_epochs": 7, "freeze_encoder": True}))
    parser = HfArgumentParser(
        (
            train_stage1.ModelArguments,
            train_stage1.DataArguments,
            train_stage1.LossArguments,
            train_stage1.TrainingArguments,
        )
    )
    model_args, data_args, loss_args, training_args = parse_args_with_config(
        parser, [str(config), "--max_length", "77"], train_stage1.training_defaults()
    )
    assert data_args.max_length == 77 and training_args.num_train_epochs == 7 and model_args.freeze_encoder
    assert training_args.output_dir == "models/stage1" and training_args.metric_for_best_model == "macro_f1"
    assert loss_args.loss == "focal"
    config.write_text(yaml.safe_dump({"max_lenght": 99}))
    with pytest.raises(SystemExit, match="run.yaml: unknown option"):
        parse_args_with_config(parser, [str(config)], train_stage1.training_defaults())
    config.write_text("max_length: [77\n")  # a syntax error: one line naming the file, not YAML's traceback
    with pytest.raises(SystemExit, match="run.yaml: not a valid config file") as caught:
        parse_args_with_config(parser, [str(config)], train_stage1.training_defaults())
    assert "\n" not in str(caught.value.code)
    assert "--freeze-encoder" in parser.format_help() and "Focal loss gamma" in parser.format_help()


def _tiny_classifier(kind: str):
    torch.manual_seed(0)
    common = {"vocab_size": 30522, "num_labels": 5}
    distil = {"dim": 32, "n_layers": 1, "n_heads": 2, "hidden_dim": 37}
    if kind == "mean-bert":
        return MeanPoolingForSequenceClassification(BertConfig(**common, **TINY_BERT))
    if kind == "mean-distilbert":
        return MeanPoolingForSequenceClassification(DistilBertConfig(**common, **distil))
    if kind == "bert":
        return BertForSequenceClassification(BertConfig(**common, **TINY_BERT))
    if kind == "electra":
        return ElectraForSequenceClassification(ElectraConfig(**common, **TINY_BERT, embedding_size=16))
    if kind == "roberta":
        return RobertaForSequenceClassification(RobertaConfig(**common, **TINY_BERT, pad_token_id=0))
    return DistilBertForSequenceClassification(DistilBertConfig(**common, **distil))


@pytest.mark.parametrize("kind", ["mean-bert", "mean-distilbert", "bert", "electra", "roberta", "distilbert"])
def test_feature_head_reproduces_the_full_model(tmp_path, corpus, kind: str) -> None:
    model = _tiny_classifier(kind)
    tokenizer = AutoTokenizer.from_pretrained(default_encoder_path())
    dataset, _ = merge_labels(load_labeled_dataset(corpus["validation"])[0], load_label_set())
    tokens = tokenize_dataset(add_model_inputs(dataset), tokenizer, 64)
    if "distilbert" in kind:
        tokens = tokens.remove_columns("token_type_ids")
    features = encoder_features(model, tokens, batch_size=5)  # length-sorted batches, padding differs per batch
    assert check_head_equivalence(model, tokens, features, rows=16) < 1e-5
    trainable = freeze_encoder(model)
    assert trainable == sum(p.numel() for p in FeatureHead(model).parameters())


def test_feature_cache_hits_only_for_identical_inputs(tmp_path, corpus) -> None:
    model = _tiny_classifier("bert")
    tokenizer = AutoTokenizer.from_pretrained(default_encoder_path())
    dataset, _ = merge_labels(load_labeled_dataset(corpus["validation"])[0], load_label_set())
    tokens = tokenize_dataset(add_model_inputs(dataset), tokenizer, 64)
    first, hit = cached_encoder_features(model, tokens, tmp_path)
    again, hit_again = cached_encoder_features(model, tokens, tmp_path)
    assert not hit and hit_again and torch.equal(first, again)
    subset, hit_subset = cached_encoder_features(model, tokens.select([7, 3, 0]), tmp_path)  # a fold, a re-split
    assert hit_subset and torch.equal(subset, first[[7, 3, 0]])
    doubled = encoder_features(model, concatenate_datasets([tokens, tokens]))  # repeated inputs are encoded once
    assert torch.equal(doubled[:16], doubled[16:]) and torch.allclose(doubled[16:], first, atol=1e-6)
    _, hit_shorter = cached_encoder_features(
        model, tokenize_dataset(add_model_inputs(dataset), tokenizer, 32), tmp_path
    )
    _, hit_masked = cached_encoder_features(
        model, tokenize_dataset(add_model_inputs(dataset, 1.0), tokenizer, 64), tmp_path
    )
    with torch.no_grad():
        model.bert.embeddings.word_embeddings.weight[100] += 1.0  # another encoder
    _, hit_other_model = cached_encoder_features(model, tokens, tmp_path)
    assert not (hit_shorter or hit_masked or hit_other_model)
    # Training the head does not change the key: the pooler and classifier are not part of it.
    with torch.no_grad():
        model.classifier.weight += 1.0
    assert cached_encoder_features(model, tokens, tmp_path)[1]


def test_the_runs_get_the_training_arguments_main_decided(tmp_path, tiny_encoder, corpus, monkeypatch) -> None:
    # main decided bf16 (with_precision) and held the Hub push back on a copy of the TrainingArguments, but handed
    # the runs the original: --precision bf16 never reached the Trainer, and a bf16 run created the Hub repo early.
    seen = {}

    def capture(output_dir, args, *rest):
        seen["training_args"] = args[3]
        raise SystemExit("captured")

    monkeypatch.setattr(train_stage1, "train_model", capture)
    with pytest.raises(SystemExit, match="captured"):
        train_stage1.main([*_common_args(tiny_encoder, tmp_path / "stage1"), "--train_file", str(corpus["train"]),
                           "--validation_file", "none", "--validation_split_fraction", "0.25",
                           "--precision", "bf16", "--push_to_hub", "--hub_model_id", "acme/never-pushed"])
    assert seen["training_args"].bf16 and not seen["training_args"].push_to_hub


@pytest.mark.parametrize(("precision", "bf16"), [("bf16", True), ("fp32", False), ("auto", False)])
def test_fine_tuning_on_cpu_is_bf16_only_when_asked(precision: str, bf16: bool, monkeypatch) -> None:
    # auto fine-tunes in fp32 on a CPU, whatever the CPU: the measured figures are fp32 ones
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr("utils.stage1.precision.cpu_has_native_bf16", lambda: True)
    training_args = train_stage1.TrainingArguments(output_dir="unused", report_to=[])
    decided = train_stage1.with_precision(training_args, train_stage1.ModelArguments(precision=precision))
    assert decided.bf16 is bf16 and (decided.use_cpu or not bf16)


def test_one_label_is_refused_and_labels_validation_has_alone_are_warned(tmp_path, tiny_encoder, caplog) -> None:
    """Before: a training file of one label trained a model that answers it for every log, without a word, and a
    validation label no training row had was counted wrong in silence."""
    one = tmp_path / "one.jsonl"
    one.write_text("".join(json.dumps({"log": _log(index, *KINDS[0]), "label": KINDS[0][0]}) + "\n"
                           for index in range(12)), encoding="utf-8")
    with pytest.raises(JsonlError, match=r"one.jsonl: every training row is labelled 'NullPointerException'"):
        train_stage1.main([*_common_args(tiny_encoder, tmp_path / "m1"), "--train_file", str(one),
                           "--validation_file", str(one)])
    assert not (tmp_path / "m1" / "model.safetensors").exists()
    train, validation = tmp_path / "train.jsonl", tmp_path / "validation.jsonl"
    with open(train, "w", encoding="utf-8") as out:  # two kinds train; the validation rows hold all four
        for index in range(16):
            out.write(json.dumps({"log": _log(index, *KINDS[index % 2]), "label": KINDS[index % 2][0]}) + "\n")
    write_rows(validation, 8, 100)
    with caplog.at_level("WARNING", logger="train_stage1"):
        train_stage1.main([*_common_args(tiny_encoder, tmp_path / "m2"), "--train_file", str(train),
                           "--validation_file", str(validation), "--freeze_encoder", "--num_train_epochs", "1"])
    warned = [record.getMessage() for record in caplog.records if "no training row has" in record.getMessage()]
    assert warned == ["4 validation row(s) have a label no training row has (SQLSyntaxErrorException 2, "
                      "NumberFormatException 2): the model cannot answer them, and the validation figures count them "
                      "wrong"]
