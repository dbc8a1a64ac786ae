"""The model card written into every model dir, and --push_to_hub failing clearly offline after the local save."""

from __future__ import annotations

import json

import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertModel

import train_stage1
from utils.models.checkpoints import TASK_CLASSIFY, default_encoder_path, load_model
from utils.models.metadata import Stage1Metadata
from utils.models.model_card import HubPushError, model_card, push_model_dir

METADATA = {
    "task": TASK_CLASSIFY,
    "base_model": "sentence-transformers/all-MiniLM-L6-v2",
    "architecture": "MeanPoolingForSequenceClassification",
    "pooling": "mean",
    "label_names": ["NullPointerException", "SocketTimeoutException", "Other"],
    "label_source": "labels_yaml",
    "input_format": "trace",
    "max_length": 160,
    "training_data": {"train_file": "data/corpus/train.jsonl", "train_rows": 900, "train_sha256": "ab" * 32,
                      "validation_file": "data/corpus/validation.jsonl", "validation_rows": 100},
    "training": {"loss": "focal", "focal_gamma": 2.0, "alpha": "auto", "freeze_encoder": True, "epochs": 40,
                 "seed": 42},
    "metrics": {"eval_top1": 0.9123, "eval_macro_f1": 0.8765, "eval_samples": 100},
    "calibration": {"temperature": 0.61, "ece_before": 0.21, "ece_after": 0.03, "nll_before": 0.9, "nll_after": 0.4},
    "prediction_warnings": ["raw scores: Predictions are under-confident (too conservative): mean top score 0.170"],
}


def test_card_names_task_labels_data_metrics_calibration_and_usage() -> None:
    card = model_card(Stage1Metadata.from_dict(METADATA, "card"), "models/stage1", hub_model_id="bank-ml/java-exceptions")
    assert card.startswith("---\nlibrary_name: transformers\n")
    assert "base_model: sentence-transformers/all-MiniLM-L6-v2" in card
    assert "`NullPointerException`, `SocketTimeoutException`, `Other`" in card
    assert "| eval_macro_f1 | 0.8765 |" in card and "| eval_samples | 100 |" in card
    assert "Temperature 0.61" in card and "0.21 -> 0.03" in card and "under-confident" in card
    assert "`data/corpus/train.jsonl` (900 rows" in card and "## Limitations" in card
    assert "python predict.py --model bank-ml/java-exceptions --input app.log" in card
    without = model_card(Stage1Metadata.from_dict({**METADATA, "calibration": None, "prediction_warnings": []}, "card"),
                         "models/stage1")
    assert "No temperature was fitted" in without and "python predict.py --model models/stage1" in without


def test_push_offline_fails_after_the_local_save(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    encoder = tmp_path / "encoder"
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=37)).save_pretrained(encoder)
    AutoTokenizer.from_pretrained(default_encoder_path()).save_pretrained(encoder)
    rows = tmp_path / "rows.jsonl"
    with open(rows, "w", encoding="utf-8") as out:
        for index in range(24):
            exception = ["java.lang.NullPointerException", "java.io.IOException"][index % 2]
            out.write(json.dumps({"log": f"{exception}: case {index}\n\tat com.acme.A.run(A.java:{index + 1})",
                                  "label": exception}) + "\n")
    output_dir = tmp_path / "model"
    with pytest.raises(SystemExit, match=r"Pushing .* to the Hub as bank-ml/tiny failed .* saved locally in"):
        train_stage1.main([
            "--model_name_or_path", str(encoder), "--output_dir", str(output_dir), "--train_file", str(rows),
            "--validation_file", "none", "--validation_split_fraction", "0.25", "--freeze_encoder",
            "--feature_cache_dir", "", "--num_train_epochs", "1", "--max_length", "32",
            "--push_to_hub", "--hub_model_id", "bank-ml/tiny",
        ])
    # Everything is on disk before the push is tried: loadable model, metadata, card.
    loaded = load_model(output_dir, expected_task=TASK_CLASSIFY)
    card = (output_dir / "README.md").read_text()
    assert "python predict.py --model bank-ml/tiny" in card and "Temperature" in card
    assert loaded.metadata.temperature > 0
    with pytest.raises(HubPushError, match="saved locally"):
        push_model_dir(output_dir, "bank-ml/tiny")
