"""The neighbour memory (utils/stage1/neighbours.py): the vote, its file, and the path from training to predictions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from datasets import Dataset

import evaluate
import train_stage1
from utils.labels import load_label_set
from utils.models.checkpoints import TASK_CLASSIFY, ModelLoadError, load_model, read_metadata
from utils.stage1 import neighbours
from utils.stage1.data import load_labeled_dataset, member_inputs, merge_labels
from utils.stage1.inference import MemberOutputs, encode_features, ensemble_probabilities, predict_logits
from utils.stage1.neighbours import (
    NEIGHBOURS_FILE,
    NeighbourMemory,
    NeighbourSettings,
    load_memory,
    save_memory,
    unit_rows,
)

# Invented failures, each thrown by the application's own code; real rows carry meta.origin "real" as
# build_corpus.py --real_logs writes them.
KINDS = [
    ("java.lang.IllegalArgumentException", "amount must be positive", "com.acme.pay.Transfer.check"),
    ("java.lang.IllegalStateException", "ledger already closed", "com.acme.ledger.Book.post"),
    ("java.io.IOException", "statement file truncated", "com.acme.batch.Statements.read"),
]


def _row(index: int, origin: str | None) -> dict:
    exception, message, frame = KINDS[index % len(KINDS)]
    simple = frame.rsplit(".", 2)[1]
    log = "\n".join([f"{exception}: {message} (case {index})", f"\tat {frame}({simple}.java:{10 + index % 7})",
                     "\tat com.acme.Main.run(Main.java:3)"])
    row = {"id": f"r{index}", "log": log, "label": exception}
    if origin:
        row["meta"] = {"origin": origin, "source": f"app{index % 2}"}
    return row


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_the_vote_weighs_the_k_nearest_rows_by_softmax_of_their_cosine(monkeypatch) -> None:
    vectors = unit_rows(np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]]))
    memory = NeighbourMemory(vectors, np.array([0, 1, 2, 2]), NeighbourSettings(k=2, temperature=0.5, weight=0.3))
    votes = memory.votes(np.array([[2.0, 0.0]]), num_labels=3)  # the query's length does not matter
    near = np.exp(np.array([1.0, 0.8]) / 0.5)
    np.testing.assert_allclose(votes[0], [near[0] / near.sum(), near[1] / near.sum(), 0.0], rtol=1e-6)
    # Queries are compared in chunks: the same votes whatever the chunk size.
    many = np.random.default_rng(0).normal(size=(7, 2))
    whole = memory.votes(many, 3)
    monkeypatch.setattr(neighbours, "QUERY_CHUNK", 3)
    np.testing.assert_allclose(memory.votes(many, 3), whole)
    # k larger than the memory: every row votes.
    wide = NeighbourMemory(vectors, np.array([0, 1, 2, 2]), NeighbourSettings(k=50))
    assert wide.votes(np.array([[0.0, 1.0]]), 3).sum() == pytest.approx(1.0)


@pytest.mark.parametrize("settings", [{"k": 0}, {"k": "10"}, {"temperature": 0.0}, {"weight": 1.5},
                                      {"weight": -0.1}, {"weight": "0.3"}])
def test_settings_out_of_range_are_refused(settings: dict) -> None:
    with pytest.raises(ValueError, match="neighbour"):
        NeighbourSettings(**settings)


def test_memory_file_round_trip_and_its_errors(tmp_path: Path) -> None:
    path = save_memory(tmp_path, np.array([[3.0, 4.0], [0.0, 2.0]]), np.array([1, 0]))
    loaded = load_memory(path, {"rows": 2, "k": 1, "temperature": 0.1, "weight": 0.5}, num_labels=2, hidden_size=2)
    np.testing.assert_allclose(loaded.vectors, [[0.6, 0.8], [0.0, 1.0]], atol=1e-3)
    assert loaded.labels.tolist() == [1, 0] and loaded.settings == NeighbourSettings(1, 0.1, 0.5)
    assert loaded.describe() == {"rows": 2, "k": 1, "temperature": 0.1, "weight": 0.5}
    bad = {
        "label ids outside 0..0": ({"k": 1}, 1, 2),
        "the model's representation has 3 values": ({"k": 1}, 2, 3),
        "2 rows, the metadata says 5": ({"rows": 5}, 2, 2),
        r"unknown keys \['weigth'\]": ({"weigth": 0.5}, 2, 2),
        "neighbour k must be a whole number": ({"k": "3"}, 2, 2),
    }
    for message, (settings, num_labels, hidden_size) in bad.items():
        with pytest.raises(ValueError, match=message) as error:
            load_memory(path, settings, num_labels=num_labels, hidden_size=hidden_size)
        assert str(path) in str(error.value)
    path.unlink()
    with pytest.raises(ValueError, match="names a neighbour memory, but the file is missing"):
        load_memory(path, {"k": 1}, num_labels=2, hidden_size=2)


def test_bare_logits_combine_as_before() -> None:
    logits = np.array([[2.0, 0.0], [0.0, 1.0]])
    outputs = MemberOutputs(logits, votes=np.array([[0.0, 1.0], [0.0, 1.0]]), vote_weight=0.25)
    from utils.evaluation.metrics import softmax
    from utils.stage1.inference import combine_probabilities

    np.testing.assert_allclose(combine_probabilities([logits], [2.0], [1.0]), softmax(logits, 2.0))
    with pytest.raises(ValueError, match="non-negative with a positive sum"):  # NaN passed before (nan < 0 is False)
        combine_probabilities([logits, logits], [1.0, 1.0], [float("nan"), 1.0])
    np.testing.assert_allclose(combine_probabilities([outputs], [2.0], [1.0]),
                               0.75 * softmax(logits, 2.0) + 0.25 * np.array([[0.0, 1.0], [0.0, 1.0]]))


def _train(tiny_encoder: Path, tmp_path: Path, train: Path, validation: Path, *extra: str) -> Path:
    output_dir = tmp_path / "model"
    train_stage1.main(["--model_name_or_path", str(tiny_encoder), "--output_dir", str(output_dir),
                       "--train_file", str(train), "--validation_file", str(validation), "--max_length", "64",
                       "--per_device_train_batch_size", "8", "--num_train_epochs", "1", "--seed", "5",
                       "--overwrite_output_dir", "true", *extra])
    return output_dir


def test_training_keeps_the_real_rows_and_predictions_mix_their_vote(tiny_encoder: Path, tmp_path: Path) -> None:
    rows = [_row(index, "real" if index % 3 else None) for index in range(24)]  # 16 real rows, 8 synthetic
    train = _write(tmp_path / "train.jsonl", rows)
    validation = _write(tmp_path / "validation.jsonl", [_row(index, None) for index in range(100, 106)])
    model_dir = _train(tiny_encoder, tmp_path, train, validation, "--neighbour_k", "4")

    assert read_metadata(model_dir).neighbours == {"rows": 16, "k": 4, "temperature": 0.05, "weight": 0.3}
    assert "neighbour memory (`neighbours.npz`): 16 real training rows" in (model_dir / "README.md").read_text()
    member = load_model(model_dir, expected_task=TASK_CLASSIFY)
    assert len(member.neighbours.labels) == 16 and member.neighbours.settings.k == 4

    # The stored vectors are the real rows' head representations, names masked.
    label_set = load_label_set()
    real, _ = load_labeled_dataset(train)
    real, _ = merge_labels(real.filter(lambda row: row["origin"] == "real"), label_set)
    stored = encode_features(member, member_inputs(member.metadata, real, masked=True))
    np.testing.assert_allclose(member.neighbours.vectors, unit_rows(stored), atol=2e-3)
    assert member.neighbours.labels.tolist() == list(real["labels"])

    # predict.py's path: the model's calibrated probabilities with the vote mixed in at 0.3.
    queries = [_row(index, None)["log"] for index in range(200, 206)]
    texts = member_inputs(member.metadata, _dataset(queries), masked=True)
    logits = predict_logits(member, texts)
    expected = 0.7 * evaluate.combine_probabilities([logits], [member.metadata.temperature], [1.0]) \
        + 0.3 * member.neighbours.votes(encode_features(member, texts), logits.shape[1])
    np.testing.assert_allclose(ensemble_probabilities([member], [texts]), expected, atol=1e-5)
    np.testing.assert_allclose(encode_features(member, texts) @ member.model.classifier.weight.detach().numpy().T
                               + member.model.classifier.bias.detach().numpy(), logits, atol=1e-4)

    # evaluate.py scores what predict.py answers, and the same without the vote beside it.
    labelled = _write(tmp_path / "labelled.jsonl", [{"id": f"q{index}", "log": _row(index, None)["log"],
                                                     "root_exception": KINDS[index % 3][0]} for index in range(300, 306)])
    report = evaluate.main(["--model", str(model_dir), "--input", str(labelled), "--label_field", "root_exception",
                            "--mask_exception_names", "--output_dir", str(tmp_path / "eval")])
    assert report["neighbour_memory"] == [read_metadata(model_dir).neighbours]
    assert report["model_with_jvm_evidence_without_neighbours"]["all"]["rows"] == 6
    markdown = (tmp_path / "eval" / "report.md").read_text()
    assert "16 real training rows, k 4" in markdown and "model + JVM evidence, without the neighbours' vote" in markdown


def _dataset(logs: list[str]) -> Dataset:
    return Dataset.from_dict({"log": logs})


def test_no_memory_without_real_rows_or_with_neighbours_none(tiny_encoder: Path, tmp_path: Path) -> None:
    train = _write(tmp_path / "train.jsonl", [_row(index, "real") for index in range(12)])
    validation = _write(tmp_path / "validation.jsonl", [_row(index, None) for index in range(100, 103)])
    model_dir = _train(tiny_encoder, tmp_path, train, validation)
    assert (model_dir / NEIGHBOURS_FILE).is_file()
    # Retrained into the same directory without a memory: the earlier file goes, the metadata names none.
    model_dir = _train(tiny_encoder, tmp_path, train, validation, "--neighbours", "none")
    assert not (model_dir / NEIGHBOURS_FILE).exists() and read_metadata(model_dir).neighbours is None
    assert load_model(model_dir).neighbours is None
    synthetic = _write(tmp_path / "synthetic.jsonl", [_row(index, None) for index in range(12)])
    model_dir = _train(tiny_encoder, tmp_path, synthetic, validation)
    assert not (model_dir / NEIGHBOURS_FILE).exists() and read_metadata(model_dir).neighbours is None


def test_a_model_whose_memory_is_missing_fails_to_load_in_one_line(tiny_encoder: Path, tmp_path: Path) -> None:
    train = _write(tmp_path / "train.jsonl", [_row(index, "real") for index in range(12)])
    validation = _write(tmp_path / "validation.jsonl", [_row(index, None) for index in range(100, 103)])
    model_dir = _train(tiny_encoder, tmp_path, train, validation)
    (model_dir / NEIGHBOURS_FILE).unlink()
    with pytest.raises(ModelLoadError, match="neighbours.npz: the model's metadata names a neighbour memory"):
        load_model(model_dir)


def test_a_cls_pooling_model_keeps_no_memory_and_refuses_one_named(tiny_encoder: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    from utils.models.checkpoints import write_metadata

    train = _write(tmp_path / "train.jsonl", [_row(index, "real") for index in range(12)])
    validation = _write(tmp_path / "validation.jsonl", [_row(index, None) for index in range(100, 103)])
    model_dir = _train(tiny_encoder, tmp_path, train, validation, "--pooling", "cls")
    assert read_metadata(model_dir).neighbours is None and not (model_dir / NEIGHBOURS_FILE).exists()
    save_memory(model_dir, np.ones((2, 32)), np.array([0, 1]))
    write_metadata(model_dir, replace(read_metadata(model_dir), neighbours={"rows": 2, "k": 1}))
    with pytest.raises(ModelLoadError, match="has no head representation to compare"):
        load_model(model_dir)


def test_bad_settings_stop_before_training(tiny_encoder: Path, tmp_path: Path) -> None:
    train = _write(tmp_path / "train.jsonl", [_row(index, "real") for index in range(6)])
    with pytest.raises(SystemExit, match="neighbour weight must be within"):
        _train(tiny_encoder, tmp_path, train, train, "--neighbour_weight", "1.5")
    assert not (tmp_path / "model" / "analyzer_metadata.json").exists()


def test_folds_keep_each_its_own_real_rows_and_an_ensemble_mixes_per_member(tiny_encoder: Path,
                                                                            tmp_path: Path) -> None:
    rows = [_row(index, "real" if index % 3 else None) for index in range(24)]  # 16 real rows
    train = _write(tmp_path / "train.jsonl", rows)
    folds_dir = _train(tiny_encoder, tmp_path, train, train, "--num_folds", "2")
    members = [load_model(folds_dir / f"fold_{fold}") for fold in (0, 1)]
    # Each real row is in one fold's training part: the two memories hold them all, once.
    assert sum(len(member.neighbours.labels) for member in members) == 16
    # An ensemble of a member with a memory and one without: each member's probabilities, then the weighted mean.
    members[1].neighbours = None
    texts = [_row(index, None)["log"] for index in (300, 301, 300)]  # a repeat: encoded once, answered twice
    texts = member_inputs(members[0].metadata, _dataset(texts), masked=True)
    expected = [member_probability(member, texts) for member in members]
    np.testing.assert_allclose(ensemble_probabilities(members, [texts, texts], [1.0, 3.0]),
                               (expected[0] + 3.0 * expected[1]) / 4.0, atol=1e-5)
    np.testing.assert_allclose(expected[0][0], expected[0][2])


def member_probability(member, texts: list[str]) -> np.ndarray:
    """A member's probabilities computed by hand: softmax(logits / T), with its vote mixed in at its weight."""
    from utils.evaluation.metrics import softmax

    probabilities = softmax(predict_logits(member, texts), member.metadata.temperature)
    if member.neighbours is None:
        return probabilities
    weight = member.neighbours.settings.weight
    votes = member.neighbours.votes(encode_features(member, texts), probabilities.shape[1])
    return (1 - weight) * probabilities + weight * votes
