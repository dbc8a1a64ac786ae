"""K folds, out-of-fold predictions and ensembles, on a binary raw-text task (no stack traces, labels from data)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import evaluate
import train_stage1
from utils.models.checkpoints import TASK_CLASSIFY, ModelLoadError, load_model
from utils.pipeline.analyze import expand_model_dirs
from utils.stage1.inference import check_same_labels, ensemble_probabilities, score_weights

# Invented texts: label 1 when a payment went wrong, 0 for routine events.
POSITIVE = ["wire transfer failed for account {n}", "payment rejected twice by gateway {n}", "refund error on card {n}"]
NEGATIVE = ["user {n} logged in from office", "daily report {n} finished on time", "cache warmed for region {n}"]


def write_text_rows(path: Path, count: int, offset: int = 0) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for index in range(offset, offset + count):
            positive = index % 2 == 0
            template = (POSITIVE if positive else NEGATIVE)[(index // 2) % 3]
            out.write(json.dumps({"id": f"t{index}", "text": template.format(n=index), "label": int(positive)}) + "\n")
    return path


@pytest.fixture(scope="module")
def folds_run(tmp_path_factory, tiny_encoder) -> tuple[Path, dict, Path]:
    directory = tmp_path_factory.mktemp("folds")
    train_file = write_text_rows(directory / "train.jsonl", 40)
    output_dir = directory / "detector"
    metrics = train_stage1.main([
        "--model_name_or_path", str(tiny_encoder), "--output_dir", str(output_dir),
        "--train_file", str(train_file), "--validation_file", "none", "--text_field", "text",
        "--input_format", "text", "--label_source", "data", "--num_folds", "2", "--loss", "ce",
        "--freeze_encoder", "--feature_cache_dir", "", "--head_learning_rate", "0.01", "--num_train_epochs", "4",
        "--max_length", "32", "--per_device_train_batch_size", "8", "--seed", "5",
    ])
    return output_dir, metrics, write_text_rows(directory / "test.jsonl", 12, 500)


def test_folds_write_members_and_out_of_fold_predictions(folds_run) -> None:
    output_dir, metrics, _ = folds_run
    assert {"oof_top1", "oof_macro_f1", "oof_roc_auc"} <= set(metrics)
    assert len(metrics["fold_validation_macro_f1"]) == 2
    oof = [json.loads(line) for line in (output_dir / "oof_predictions.jsonl").read_text().splitlines()]
    assert len(oof) == 40 and sorted(row["id"] for row in oof) == sorted(f"t{i}" for i in range(40))
    assert {row["fold"] for row in oof} == {0, 1} and all(len(row["probabilities"]) == 2 for row in oof)
    # Stratified: each fold holds out half of each label.
    for fold in (0, 1):
        held = [row for row in oof if row["fold"] == fold]
        assert sum(row["gold"] == "1" for row in held) == 10 and len(held) == 20
    top1 = np.mean([row["gold"] == row["predicted"] for row in oof])
    assert metrics["oof_top1"] == pytest.approx(top1)
    # the binary ROC-AUC of the out-of-fold logit margins (each fold's probabilities undo its own temperature),
    # recomputed independently
    from sklearn.metrics import roc_auc_score

    temperature = {fold: json.loads((output_dir / f"fold_{fold}" / "analyzer_metadata.json").read_text())
                   ["calibration"]["temperature"] for fold in (0, 1)}
    margins = [temperature[row["fold"]] * np.log(max(row["probabilities"][1], 1e-5) / max(row["probabilities"][0], 1e-5))
               for row in oof]
    auc = roc_auc_score([row["gold"] == "1" for row in oof], margins)
    assert metrics["oof_roc_auc"] == pytest.approx(auc, abs=0.01)

    members = expand_model_dirs([str(output_dir)])
    assert [Path(m).name for m in members] == ["fold_0", "fold_1"]
    for fold, member in enumerate(members):
        metadata = json.loads((Path(member) / "analyzer_metadata.json").read_text())
        assert metadata["fold"] == fold and metadata["num_folds"] == 2
        assert metadata["label_names"] == ["0", "1"] and metadata["label_source"] == "data"
        assert metadata["input_format"] == "text"
        assert metadata["metrics"]["oof_macro_f1"] == pytest.approx(metrics["oof_macro_f1"])
        assert "eval_roc_auc" in metadata["metrics"] and metadata["calibration"]["temperature"] > 0
        assert (Path(member) / "README.md").is_file()
    assert (output_dir / "README.md").is_file() and (output_dir / "oof_metrics.json").is_file()


def test_evaluate_and_ensemble_on_the_folds_dir(tmp_path, folds_run) -> None:
    output_dir, _, test_file = folds_run
    report = evaluate.main([
        "--model", str(output_dir), "--input", str(test_file), "--text_field", "text",
        "--output_dir", str(tmp_path / "report"),
    ])
    assert len(report["members"]) == 2 and report["parser_baseline"] is None
    assert report["model_metrics"]["all"]["roc_auc"] == pytest.approx(_roc_auc_of(tmp_path / "report"), abs=0.01)
    assert report["calibration"]["ece_before_temperature"] >= 0 and "prediction_distribution" in report
    assert "ROC-AUC" in (tmp_path / "report" / "report.md").read_text()

    # The same ensemble through utils.stage1.inference (what predict.py uses): weighted by each member's validation score.
    members = [load_model(path, expected_task=TASK_CLASSIFY) for path in expand_model_dirs([str(output_dir)])]
    weights = score_weights(members)
    assert weights == [m.metadata["metrics"]["eval_macro_f1"] for m in members]  # each member's own score
    texts = [json.loads(line)["text"] for line in test_file.read_text().splitlines()]
    probabilities = ensemble_probabilities(members, [texts, texts])
    assert probabilities.shape == (12, 2) and np.allclose(probabilities.sum(axis=1), 1.0)
    predictions = [json.loads(line) for line in (tmp_path / "report" / "predictions.jsonl").read_text().splitlines()]
    assert [row["predicted"] for row in predictions] == [["0", "1"][i] for i in probabilities.argmax(axis=1)]


def test_members_with_different_labels_do_not_form_an_ensemble(folds_run) -> None:
    output_dir, _, _ = folds_run
    first, second = (load_model(path) for path in expand_model_dirs([str(output_dir)]))
    second.model.config.id2label = {0: "negative", 1: "positive"}
    with pytest.raises(ModelLoadError, match="Ensemble members disagree on labels"):
        check_same_labels([first, second])


def _roc_auc_of(report_dir: Path) -> float:
    """ROC-AUC of the positive class's probability in an evaluate.py predictions file, recomputed with sklearn."""
    from sklearn.metrics import roc_auc_score

    rows = [json.loads(line) for line in (report_dir / "predictions.jsonl").read_text().splitlines()]
    positive = [dict(row["top3"]).get("1", 0.0) for row in rows]
    return float(roc_auc_score([row["gold"] == "1" for row in rows], positive))
