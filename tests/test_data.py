"""Strict JSONL reading, label merging, model inputs with masking, stratified splits, tokenization."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from datasets import Dataset
from transformers import AutoTokenizer

from utils.labels import load_label_set
from utils.models.checkpoints import default_encoder_path
from utils.stage1.data import (
    JsonlError,
    add_model_inputs,
    check_label_coverage,
    load_labeled_dataset,
    mask_flags,
    merge_labels,
    read_jsonl,
    stratified_split,
    tokenize_dataset,
)

DEV_SET = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bugsjar_dev.jsonl"


def _trace(exception: str, message: str, method: str) -> str:
    return (
        f"2024-03-02 11:00:00 ERROR [worker-1] c.b.Batch - step failed\n{exception}: {message}\n"
        f"\tat com.example.batch.Step.{method}(Step.java:12)\n\tat java.base/java.lang.Thread.run(Thread.java:833)"
    )


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


ROWS = [
    {
        "id": "a",
        "log": _trace("java.lang.NullPointerException", "order is null", "load"),
        "label": "NullPointerException",
    },
    {
        "id": "b",
        "log": _trace("java.lang.ArrayIndexOutOfBoundsException", "5", "pick"),
        "label": "java.lang.ArrayIndexOutOfBoundsException",
    },
    {
        "id": "c",
        "log": _trace("java.lang.StringIndexOutOfBoundsException", "-1", "cut"),
        "label": "java.lang.StringIndexOutOfBoundsException",
    },
    {"id": "d", "log": _trace("com.example.WeirdGlitch", "odd", "run"), "label": "com.example.WeirdGlitch"},
    {"id": "e", "log": _trace("java.lang.NullPointerException", "user is null", "save"), "label": None},
]


def test_read_jsonl_reports_file_and_line(tmp_path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"log": "x", "label": "A"}\n\n{"log": "y"}\nnot json\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(JsonlError, match=rf"^{path}:3: missing field\(s\) label$"):
        read_jsonl(path, required_fields=("log", "label"))
    rows = read_jsonl(path, required_fields=("log", "label"), skip_invalid=True)
    assert rows == [{"log": "x", "label": "A"}] and rows.line_numbers == [1]
    assert [reason.split(": ", 1)[0] for reason in rows.skipped] == [f"{path}:3", f"{path}:4", f"{path}:5"]
    assert "expected a JSON object, got list" in rows.skipped[2]


def test_read_jsonl_reads_a_first_row_after_a_byte_order_mark(tmp_path) -> None:
    path = tmp_path / "bom.jsonl"  # as a Windows editor saves it; predict.py and --real_logs read it already
    path.write_bytes(b"\xef\xbb\xbf" + b'{"log": "x"}\n{"log": "y"}\n')
    rows = read_jsonl(path, required_fields=("log",))  # it was "bom.jsonl:1: Unexpected UTF-8 BOM"
    assert rows == [{"log": "x"}, {"log": "y"}] and rows.line_numbers == [1, 2]
    (tmp_path / "late.jsonl").write_bytes(b'{"log": "x"}\n\xef\xbb\xbf{"log": "y"}\n')  # only a file starts with one
    assert len(read_jsonl(tmp_path / "late.jsonl", skip_invalid=True).skipped) == 1


def test_read_jsonl_rejects_bad_files(tmp_path) -> None:
    with pytest.raises(JsonlError, match="no such file"):
        read_jsonl(tmp_path / "absent.jsonl")
    with pytest.raises(JsonlError, match="is a directory"):
        read_jsonl(tmp_path)
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(JsonlError, match="holds no rows"):
        read_jsonl(tmp_path / "empty.jsonl")
    (tmp_path / "latin1.jsonl").write_bytes('{"log": "ok"}\n{"log": "caf\xe9"}\n'.encode("latin-1"))
    with pytest.raises(JsonlError, match=r"latin1.jsonl:2: not UTF-8 text"):
        read_jsonl(tmp_path / "latin1.jsonl")


def test_non_text_log_is_rejected_or_counted(tmp_path) -> None:
    path = _write(tmp_path / "rows.jsonl", [ROWS[0], {"log": 42, "label": "X"}])
    with pytest.raises(JsonlError, match=r"rows.jsonl:2: field 'log' is int, expected text"):
        load_labeled_dataset(path)
    dataset, skipped = load_labeled_dataset(path, skip_invalid=True)
    assert len(dataset) == 1 and len(skipped) == 1


@pytest.mark.parametrize("policy", ["other", "drop", "error"])
def test_merge_labels_policies_and_report(tmp_path, policy: str) -> None:
    path = _write(tmp_path / "rows.jsonl", ROWS)
    dataset, _ = load_labeled_dataset(path)
    label_set = load_label_set()
    if policy == "error":
        with pytest.raises(JsonlError, match=r"rows.jsonl:4: label 'com.example.WeirdGlitch' is not in labels.yaml"):
            merge_labels(dataset, label_set, policy)
        return
    merged, report = merge_labels(dataset, label_set, policy)
    index_aliases = {"java.lang.ArrayIndexOutOfBoundsException": 1, "java.lang.StringIndexOutOfBoundsException": 1}
    assert report.merged["IndexOutOfBoundsException"] == index_aliases
    assert report.unknown == {"com.example.WeirdGlitch": 1, "<missing>": 1}
    if policy == "other":
        assert merged["label"] == [
            "NullPointerException",
            "IndexOutOfBoundsException",
            "IndexOutOfBoundsException",
            "Other",
            "Other",
        ]
        assert merged["labels"][3] == label_set.label2id["Other"] and report.dropped == 0
    else:
        assert merged["id"] == ["a", "b", "c"] and report.dropped == 2
    assert report.to_dict()["unknown_rows"] == 2
    assert "IndexOutOfBoundsException" in report.format() and "unknown: 2 rows" in report.format()


def test_masking_is_seeded_and_hides_names(tmp_path) -> None:
    assert mask_flags(200, 0.5, seed=7) == mask_flags(200, 0.5, seed=7)
    assert mask_flags(200, 0.5, seed=7) != mask_flags(200, 0.5, seed=8)
    assert 70 < sum(mask_flags(200, 0.5, seed=7)) < 130
    assert not any(mask_flags(10, 0.0, 1)) and all(mask_flags(10, 1.0, 1))
    dataset, _ = load_labeled_dataset(_write(tmp_path / "rows.jsonl", ROWS))
    plain = add_model_inputs(dataset, 0.0)
    hidden = add_model_inputs(dataset, 1.0)
    assert plain["text"][0].startswith("java.lang.NullPointerException: order is null")
    assert all(hidden["masked"]) and not any(plain["masked"])
    for text in hidden["text"]:
        assert "Exception" not in text and "Glitch" not in text and "[EXC]" in text
    assert "Step.load" in hidden["text"][0]  # frames stay readable


def test_masking_before_parsing_reads_what_a_masked_log_shows() -> None:
    """evaluate.py masks each log, then parses it, as predict.py meets a log whose names were hidden before it came:
    a frame of a class named like an exception (JUnit's ExpectException) loses its package with its name, so it is
    no longer known as the test framework's frame; masked after parsing, the parser had read that package."""
    log = ("java.lang.IllegalStateException: ledger closed\n"
           "\tat org.junit.internal.runners.statements.ExpectException.evaluate(ExpectException.java:19)\n"
           "\tat com.acme.Ledger.post(Ledger.java:4)\n")
    dataset = Dataset.from_dict({"log": [log]})
    after = add_model_inputs(dataset, 1.0, input_options={"structure_hints": True})["text"][0]
    before = add_model_inputs(dataset, 1.0, input_options={"structure_hints": True}, mask_before_parsing=True)["text"][0]
    assert after.startswith("[EXC]: ledger closed") and before.startswith("[EXC]: ledger closed")
    assert "junit.internal [EXC].evaluate" in after and "junit" not in before
    assert add_model_inputs(dataset, 0.0, mask_before_parsing=True)["text"] == add_model_inputs(dataset, 0.0)["text"]


def test_stratified_split_is_proportional_and_reproducible(tmp_path) -> None:
    rows = [
        {"log": _trace("java.lang.NullPointerException", str(i), "m"), "label": "NullPointerException"}
        for i in range(20)
    ]
    rows += [{"log": _trace("java.io.IOException", str(i), "m"), "label": "IOException"} for i in range(10)]
    rows += [{"log": _trace("java.lang.ClassCastException", "x", "m"), "label": "ClassCastException"}]
    dataset, _ = merge_labels(load_labeled_dataset(_write(tmp_path / "rows.jsonl", rows))[0], load_label_set())
    train, validation = stratified_split(dataset, 0.2, seed=3)
    assert Counter(validation["label"]) == {"NullPointerException": 4, "IOException": 2}
    assert len(train) + len(validation) == len(dataset)
    assert set(train["id"]).isdisjoint(validation["id"]) and "ClassCastException" in train["label"]
    assert stratified_split(dataset, 0.2, seed=3)[1]["id"] == validation["id"]
    assert stratified_split(dataset, 0.2, seed=4)[1]["id"] != validation["id"]


def test_tokenize_without_padding(tmp_path) -> None:
    dataset, _ = load_labeled_dataset(_write(tmp_path / "rows.jsonl", ROWS))
    tokens = tokenize_dataset(add_model_inputs(dataset), AutoTokenizer.from_pretrained(default_encoder_path()), 28)
    lengths = [len(ids) for ids in tokens["input_ids"]]
    assert max(lengths) == 28 and min(lengths) < 28  # truncated, and left unpadded for dynamic padding


@pytest.mark.skipif(not DEV_SET.is_file(), reason="../shared/data/bugsjar_dev.jsonl not available")
def test_dev_set_root_exceptions_merge() -> None:
    """The real dev set reads strictly and its raw FQCN labels merge; only counts are checked, no text is kept."""
    dataset, skipped = load_labeled_dataset(DEV_SET, label_field="root_exception")
    merged, report = merge_labels(dataset, load_label_set(), "other")
    assert not skipped and len(merged) == len(dataset) > 1000
    assert report.unknown.get("<missing>", 0) < 10  # a few rows carry no exception line
    assert sum(report.merged["AssertionError"].values()) > 0.3 * len(merged)


def test_binary_text_rows_with_labels_from_data(tmp_path) -> None:
    from utils.stage1.data import label_set_from_data

    rows = [{"text": f"note {i}", "label": i % 2} for i in range(6)] + [{"text": "odd one", "label": True}]
    dataset, _ = load_labeled_dataset(_write(tmp_path / "bin.jsonl", rows[:6]), text_field="text")
    label_set = label_set_from_data(dataset)
    assert label_set.names == ["0", "1"] and label_set.other not in label_set
    merged, report = merge_labels(dataset, label_set)
    assert merged["labels"] == [0, 1, 0, 1, 0, 1] and report.unknown == {}
    texts = add_model_inputs(merged, mask_probability=1.0, input_format="text")["text"]
    assert texts == [f"note {i}" for i in range(6)]  # raw text: no parsing, no masking
    # A label outside a data label set has no Other to go to: it stops the run, naming file and line.
    other, _ = load_labeled_dataset(_write(tmp_path / "other.jsonl", rows), text_field="text")
    with pytest.raises(JsonlError, match=r"other.jsonl:7: label 'true' is not in labels.yaml"):
        merge_labels(other, label_set, "other")
    kept, report = merge_labels(other, label_set, "drop")
    assert len(kept) == 6 and report.dropped == 1


def test_stratified_folds_cover_every_row_once() -> None:
    from utils.stage1.data import stratified_folds

    labels = [0] * 12 + [1] * 6 + [2] * 3
    folds = stratified_folds(labels, 3, seed=1)
    assert sorted(int(i) for fold in folds for i in fold) == list(range(21))
    assert all(sum(labels[i] == 1 for i in fold) == 2 and sum(labels[i] == 2 for i in fold) == 1 for fold in folds)
    assert [list(f) for f in stratified_folds(labels, 3, seed=1)] == [list(f) for f in folds]
    with pytest.raises(ValueError, match="num_folds"):
        stratified_folds(labels, 1, seed=1)


def test_label_coverage_names_what_left_one_label_and_warns_of_labels_folds_cannot_train() -> None:
    with pytest.raises(JsonlError, match=r"^t.jsonl: no training row is left after the label merge$"):
        check_label_coverage([], None, "t.jsonl")  # --unknown_labels drop took every row
    with pytest.raises(JsonlError, match=r"^t.jsonl: every training row \(of the rows --max_train_samples 8 kept\) "
                                         r"is labelled 'NullPointerException'"):
        check_label_coverage(["NullPointerException"] * 8, None, "t.jsonl", sample_option="--max_train_samples 8")
    train = ["NullPointerException"] * 6 + ["IOException"] * 2 + ["SQLException"]
    assert check_label_coverage(train, ["IOException", "Other", "Other"], "t.jsonl") == [
        "2 validation row(s) have a label no training row has (Other 2): the model cannot answer them, and the "
        "validation figures count them wrong"]
    assert check_label_coverage(train, None, "t.jsonl", num_folds=3) == [
        "2 label(s) have fewer rows than the 3 folds (IOException 2, SQLException 1): a fold that holds them out "
        "trains without them, and counts them wrong"]
    assert check_label_coverage(train, train, "t.jsonl", num_folds=1) == []
