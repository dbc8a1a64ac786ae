"""One precision rule everywhere stage 1's encoder runs: predict.py, evaluate.py --precision, and the frozen-feature
encoding pass of train_stage1.py."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from datasets import Dataset
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification, TrainingArguments

import evaluate
import train_stage1
from utils.labels import load_label_set
from utils.models.checkpoints import TASK_CLASSIFY, default_encoder_path, save_model_dir
from utils.stage1 import precision
from utils.stage1.features import BF16_HEAD_ATOL, cached_encoder_features, check_head_equivalence, encoder_features
from utils.stage1.inference import stage1_bf16


def _tiny_bert(num_labels: int = 4) -> BertForSequenceClassification:
    torch.manual_seed(0)
    return BertForSequenceClassification(BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2,
                                                    num_attention_heads=2, intermediate_size=37,
                                                    num_labels=num_labels))


def _tokens(rows: int = 12) -> Dataset:
    tokenizer = AutoTokenizer.from_pretrained(default_encoder_path())
    texts = [f"java.lang.IllegalStateException: state {index}\n\tat com.acme.Job.run(Job.java:{index})"
             + " retry" * index for index in range(rows)]
    encoded = tokenizer(texts, truncation=True, max_length=64)
    return Dataset.from_dict({key: encoded[key] for key in ("input_ids", "attention_mask", "token_type_ids")})


@pytest.fixture
def native_bf16(monkeypatch):
    """Pretend the CPU does (True) or does not (False) run bf16 natively."""

    def pretend(value: bool) -> None:
        monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: value)
        monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # the models load on the CPU, even on a GPU host

    return pretend


def test_stage1_rule_follows_the_hardware_and_skips_int8(native_bf16) -> None:
    members = [SimpleNamespace(model=torch.nn.Linear(2, 2))]
    native_bf16(True)
    assert stage1_bf16(members, "auto") and not stage1_bf16(members, "auto", quantized=True)
    assert not stage1_bf16([], "bf16") and not stage1_bf16(members, "fp32")
    native_bf16(False)
    assert not stage1_bf16(members, "auto") and stage1_bf16(members, "bf16")


def test_bf16_features_are_close_kept_apart_in_the_cache_and_checked(tmp_path) -> None:
    model, tokens = _tiny_bert(), _tokens()
    fp32 = encoder_features(model, tokens, batch_size=5)
    bf16 = encoder_features(model, tokens, batch_size=5, bf16=True)
    assert bf16.dtype == torch.float32 and not torch.equal(fp32, bf16)  # autocast did run
    assert torch.allclose(fp32, bf16, atol=0.05)
    _, hit = cached_encoder_features(model, tokens, tmp_path)
    cached_bf16, hit_bf16 = cached_encoder_features(model, tokens, tmp_path, bf16=True)
    assert not hit and not hit_bf16  # an fp32 store never answers for bf16
    assert torch.equal(cached_bf16, cached_encoder_features(model, tokens, tmp_path, bf16=True)[0])
    stores = sorted(path.name for path in tmp_path.iterdir())
    assert len(stores) == 2 and stores[1] == f"{stores[0]}-bf16"
    assert json.loads((tmp_path / stores[1] / "info.json").read_text())["precision"] == "bf16"
    assert check_head_equivalence(model, tokens, bf16, rows=8, atol=BF16_HEAD_ATOL, bf16=True) < BF16_HEAD_ATOL


@pytest.mark.parametrize("native, asked, expected", [(True, "auto", True), (False, "auto", False),
                                                      (True, "fp32", False)])
def test_frozen_feature_pass_of_training_uses_the_rule(tmp_path, native_bf16, native: bool, asked: str,
                                                       expected: bool) -> None:
    native_bf16(native)
    model, tokens = _tiny_bert(), _tokens(6)
    model_args = train_stage1.ModelArguments(precision=asked, feature_cache_dir=str(tmp_path / "cache"))
    training_args = TrainingArguments(output_dir=str(tmp_path / "out"), use_cpu=True, report_to=[])
    train, validation, _, bf16 = train_stage1.encode_frozen_features(model, tokens, tokens, model_args, training_args)
    assert bf16 is expected and torch.equal(train, validation)
    assert any(path.name.endswith("-bf16") for path in (tmp_path / "cache").iterdir()) is expected


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    label_set = load_label_set()
    torch.manual_seed(0)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=37, num_labels=len(label_set), id2label=label_set.id2label,
                        label2id=label_set.label2id)
    directory = tmp_path_factory.mktemp("stage1")
    metadata = {"task": TASK_CLASSIFY, "label_names": label_set.names, "max_length": 64,
                "input_options": {"max_frames": 4, "max_message_chars": 100, "mask_exception_names": False}}
    save_model_dir(BertForSequenceClassification(config), AutoTokenizer.from_pretrained(default_encoder_path()),
                   directory, metadata)
    return directory


def test_evaluate_precision_flag(tmp_path, model_dir, native_bf16, monkeypatch) -> None:
    rows = tmp_path / "rows.jsonl"
    with open(rows, "w", encoding="utf-8") as out:
        for index in range(6):
            log = f"java.lang.IllegalStateException: bad {index}\n\tat com.acme.Job.run(Job.java:{index + 1})"
            out.write(json.dumps({"id": f"r{index}", "log": log, "root_exception": "java.lang.IllegalStateException"})
                      + "\n")
    probabilities, dtypes = {}, {}
    predict_member = evaluate.predict_member

    def recording(member, texts, *args, **kwargs):  # the weights' type the logits were computed with
        dtypes[name] = next(member.model.parameters()).dtype
        return predict_member(member, texts, *args, **kwargs)

    monkeypatch.setattr(evaluate, "predict_member", recording)
    for name, flag, native in (("fp32", "fp32", True), ("bf16", "bf16", False), ("auto-on", "auto", True),
                               ("auto-off", "auto", False)):
        native_bf16(native)
        report = evaluate.main(["--model", str(model_dir), "--input", str(rows), "--label-field", "root_exception",
                                "--precision", flag, "--output-dir", str(tmp_path / name)])
        assert report["precision"] == {"fp32": "fp32", "bf16": "bf16", "auto-on": "bf16", "auto-off": "fp32"}[name]
        lines = (tmp_path / name / "predictions.jsonl").read_text().splitlines()
        probabilities[name] = [json.loads(line)["top3"] for line in lines]
    assert probabilities["fp32"] == probabilities["auto-off"] and probabilities["bf16"] == probabilities["auto-on"]
    assert dtypes == {"fp32": torch.float32, "bf16": torch.bfloat16, "auto-on": torch.bfloat16,
                      "auto-off": torch.float32}  # as predict.py runs them (`to_bf16_weights`)


def test_feature_cache_writes_a_shard_without_library_warnings(tmp_path) -> None:
    """torch warned (UserWarning) when the shard's row keys were wrapped from a read-only bytes buffer; a normal
    training run shows no library warning. (torch warns once per process, so this test holds alone or first.)"""
    import warnings

    model, tokens = _tiny_bert(), _tokens(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        features, hit = cached_encoder_features(model, tokens, tmp_path)
    assert not hit and torch.equal(features, cached_encoder_features(model, tokens, tmp_path)[0])


def test_predict_runs_stage1_on_bf16_weights_where_bf16_is_native(model_dir, native_bf16) -> None:
    """bf16 weights, not autocast over fp32 ones (1.4x faster, no fp32 copy held): the weights are cast at load, and
    predict_logits then runs them without autocast, within bf16's rounding of fp32."""
    from utils.pipeline.analyze import Analyzer, AnalyzerOptions
    from utils.stage1.inference import predict_logits

    texts = [f"java.lang.IllegalStateException: bad {index}\n\tat com.acme.Job.run(Job.java:{index + 1})"
             for index in range(5)]
    logits = {}
    for native in (False, True):
        native_bf16(native)
        analyzer = Analyzer(AnalyzerOptions(model_dirs=[str(model_dir)], no_stage2=True, threads=1))
        (member,) = analyzer.stage1
        dtypes = {parameter.dtype for parameter in member.model.parameters()}
        assert dtypes == {torch.bfloat16 if native else torch.float32} and analyzer.stage1_bf16 is native
        logits[native] = predict_logits(member, texts, bf16=analyzer.stage1_bf16)
    assert logits[True].dtype == logits[False].dtype and not (logits[True] == logits[False]).all()
    assert abs(logits[True] - logits[False]).max() < 0.05


def test_stage2_follows_the_same_rule_and_still_explains(tmp_path, native_bf16) -> None:
    """The stage-2 T5 is cast to bf16 weights where bf16 is native, as stage 1 is, and still writes explanations."""
    from utils.parsing.log_sources import LogDocument
    from utils.pipeline.analyze import Analyzer, AnalyzerOptions
    from utils.stage2.seq2seq import TASK, build_model_from_config, train_tokenizer

    log = "java.lang.IllegalStateException: ledger closed\n\tat com.acme.Ledger.post(Ledger.java:12)"
    tokenizer = train_tokenizer([log, "type=X; cause=y; location=z; fix=w"] * 5, vocab_size=300, model_max_length=64)
    config = tmp_path / "t5.json"
    config.write_text(json.dumps({"model_type": "t5", "d_model": 32, "d_kv": 8, "d_ff": 64, "num_heads": 4,
                                  "num_layers": 1, "num_decoder_layers": 1, "relative_attention_num_buckets": 8,
                                  "dropout_rate": 0.0}), encoding="utf-8")
    torch.manual_seed(0)
    save_model_dir(build_model_from_config(config, tokenizer), tokenizer, tmp_path / "stage2", {"task": TASK})
    for native in (False, True):
        native_bf16(native)
        analyzer = Analyzer(AnalyzerOptions(no_stage1=True, stage2_dir=str(tmp_path / "stage2"), threads=1,
                                            max_new_tokens=8))
        model = analyzer.explainer[0]
        assert {parameter.dtype for parameter in model.parameters()} == {torch.bfloat16 if native else torch.float32}
        assert analyzer.describe()["stage2_precision"] == ("bf16" if native else "fp32")
        (result,) = analyzer.analyze([LogDocument(id="a", source="a", text=log)])
        assert result.explanation and result.explanation_source
