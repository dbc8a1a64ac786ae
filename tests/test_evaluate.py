"""evaluate.py --task classify: metrics on all / non-Other rows, the parser baseline with and without masking."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

import evaluate
from utils.jvm_evidence import RULED_OUT, RULES
from utils.labels import load_label_set
from utils.models.checkpoints import TASK_CLASSIFY, default_encoder_path, save_model_dir

# Invented rows; the gold label is a raw root-cause class, as in a dev set's `root_exception` field.
ROWS = [
    ("java.lang.NullPointerException", "java.lang.NullPointerException: account is null", "Ledger.post"),
    ("java.net.SocketTimeoutException", "java.net.SocketTimeoutException: Read timed out", "Gateway.call"),
    ("java.lang.ArrayIndexOutOfBoundsException", "java.lang.ArrayIndexOutOfBoundsException: 3", "Batch.pick"),
    ("org.example.CustomGlitch", "org.example.CustomGlitch: odd state", "Worker.run"),
    ("java.io.FileNotFoundException", "java.io.FileNotFoundException: /tmp/x (No such file)", "Loader.open"),
]


def _write_rows(path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for index in range(10):
            root, header, frame = ROWS[index % len(ROWS)]
            log = (
                f"{header}\n\tat com.example.{frame}(App.java:{index + 1})\n\tat java.lang.Thread.run(Thread.java:833)"
            )
            out.write(json.dumps({"id": f"e{index}", "log": log, "root_exception": root}) + "\n")
    return path


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    label_set = load_label_set()
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=37,
        num_labels=len(label_set),
        id2label=label_set.id2label,
        label2id=label_set.label2id,
    )
    directory = tmp_path_factory.mktemp("stage1")
    metadata = {
        "task": TASK_CLASSIFY,
        "label_names": label_set.names,
        "max_length": 64,
        "input_options": {"max_frames": 4, "max_message_chars": 100, "mask_exception_names": False},
    }
    save_model_dir(
        BertForSequenceClassification(config),
        AutoTokenizer.from_pretrained(default_encoder_path()),
        directory,
        metadata,
    )
    return directory


def test_report_with_raw_class_labels(tmp_path, model_dir) -> None:
    data = _write_rows(tmp_path / "rows.jsonl")
    out = tmp_path / "report"
    report = evaluate.main(
        ["--model", str(model_dir), "--input", str(data), "--label-field", "root_exception", "--output-dir", str(out)]
    )
    assert report["rows"] == 10 and report["label_merge"]["unknown"] == {"org.example.CustomGlitch": 2}
    assert report["model_metrics"]["all"]["rows"] == 10 and report["model_metrics"]["not_other"]["rows"] == 8
    # Names visible: the parser reads every root cause; the unknown class is Other by the same rule as the gold label.
    assert report["parser_baseline"]["all"]["top1"] == 1.0 and report["parser_baseline"]["not_other"]["macro_f1"] == 1.0
    assert {path.name for path in out.iterdir()} == {
        "report.json",
        "report.md",
        "confusion_matrix.png",
        "reliability.png",
        "predictions.jsonl",
    }
    predictions = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    gold = [row["gold"] for row in predictions]
    assert gold[:5] == [
        "NullPointerException",
        "SocketTimeoutException",
        "IndexOutOfBoundsException",
        "Other",
        "FileNotFoundException",
    ]
    top1 = float(np.mean([row["predicted"] == row["gold"] for row in predictions]))
    assert report["model_metrics"]["all"]["top1"] == pytest.approx(top1)
    assert all(row["top3"][0][0] == row["predicted"] for row in predictions)
    assert "| parser baseline, gold not Other | 8 | 1.0000 |" in (out / "report.md").read_text()


def test_masked_names_blind_the_parser_baseline(tmp_path, model_dir) -> None:
    data = _write_rows(tmp_path / "rows.jsonl")
    report = evaluate.main(
        [
            "--model",
            str(model_dir),
            "--input",
            str(data),
            "--label-field",
            "root_exception",
            "--mask-exception-names",
            "--output-dir",
            str(tmp_path / "masked"),
        ]
    )
    # With names hidden the parser can only say Other: right exactly on the 2 Other rows.
    assert report["masked_exception_names"] and report["parser_baseline"]["all"]["top1"] == pytest.approx(0.2)
    assert report["parser_baseline"]["not_other"]["top1"] == 0.0


def test_predictions_say_what_predict_answers_and_which_rows_count_once(tmp_path, model_dir) -> None:
    data = _write_rows(tmp_path / "rows.jsonl")
    out = tmp_path / "masked"
    report = evaluate.main(["--model", str(model_dir), "--input", str(data), "--label-field", "root_exception",
                            "--mask-exception-names", "--output-dir", str(out)])
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    # the answer with the JVM's evidence, row by row, is what the report's figure counts
    answered = float(np.mean([row["answered"] == row["gold"] for row in rows]))
    assert report["model_with_jvm_evidence"]["all"]["top1"] == pytest.approx(answered)
    assert {row["decided_by"] for row in rows} <= {*RULES, RULED_OUT, "model"}
    assert any(row["decided_by"] != "model" for row in rows)  # a masked NullPointerException's throw site
    # the rows the once-per-signature figures count: one per signature among the non-assertion rows
    counted = [row for row in rows if row["counted_once"]]
    assert len(counted) == report["model_with_jvm_evidence"]["non_assertion_unique"]["rows"] > 0
    assert len({row["signature"] for row in counted}) == len(counted)
    assert len({row["signature"] for row in rows}) < len(rows)  # ten rows of five traces


def test_label_set_mismatch_is_one_clear_error(tmp_path, model_dir) -> None:
    labels = tmp_path / "labels.yaml"
    labels.write_text("other: Other\nlabels:\n  - name: NullPointerException\n")
    with pytest.raises(SystemExit, match="^evaluate.py: error: Model .* predicts 46 labels .* asked for has 2"):
        evaluate.main(
            [
                "--model",
                str(model_dir),
                "--input",
                str(_write_rows(tmp_path / "rows.jsonl")),
                "--labels_file",
                str(labels),
            ]
        )


def test_calibration_report_and_ensemble_of_directories(tmp_path, model_dir) -> None:
    import shutil

    sharpened = tmp_path / "sharpened"
    shutil.copytree(model_dir, sharpened)
    metadata = json.loads((sharpened / "analyzer_metadata.json").read_text())
    metadata["calibration"] = {"temperature": 0.05}
    (sharpened / "analyzer_metadata.json").write_text(json.dumps(metadata))
    data = _write_rows(tmp_path / "rows.jsonl")
    args = ["--input", str(data), "--label-field", "root_exception"]

    plain = evaluate.main(["--model", str(model_dir), *args, "--output-dir", str(tmp_path / "plain")])
    scaled = evaluate.main(["--model", str(sharpened), *args, "--output-dir", str(tmp_path / "scaled")])
    # An untrained model spreads its scores over 46 labels; dividing the logits by 0.05 makes them peaked.
    assert plain["temperatures"] == [1.0] and scaled["temperatures"] == [0.05]
    assert plain["calibration"]["ece"] == plain["calibration"]["ece_before_temperature"]
    assert scaled["calibration"]["ece_before_temperature"] == pytest.approx(plain["calibration"]["ece"])
    top_score = {name: report["prediction_distribution"]["top_score"]["mean"] for name, report in
                 (("plain", plain), ("scaled", scaled))}
    assert top_score["scaled"] > top_score["plain"]
    distribution = plain["prediction_distribution"]
    assert distribution["rows"] == 10 and distribution["per_class"]["Other"]["true_rate"] == pytest.approx(0.2)
    assert {"mean", "std", "min", "max"} == set(distribution["top_score"])
    assert isinstance(plain["warnings"], list)
    markdown = (tmp_path / "plain" / "report.md").read_text()
    assert "## Prediction distribution" in markdown and "| Other | 0.2000 |" in markdown

    # Two directories form one ensemble: the mean of each member's temperature-scaled probabilities.
    both = evaluate.main(["--model", str(model_dir), str(sharpened), *args, "--output-dir", str(tmp_path / "both")])
    assert both["members"] == [str(model_dir), str(sharpened)] and both["ensemble_weights"] == [1.0, 1.0]
    expected_top = (plain["prediction_distribution"]["per_class"]["Other"]["mean_probability"]
                    + scaled["prediction_distribution"]["per_class"]["Other"]["mean_probability"]) / 2
    assert both["prediction_distribution"]["per_class"]["Other"]["mean_probability"] == pytest.approx(expected_top)


def test_subsets_and_majority_baseline_on_the_same_rows() -> None:
    import numpy as np

    from evaluate import majority_subsets, subset_masks
    from utils.labels import load_label_set

    label_set = load_label_set()
    ids = label_set.label2id
    gold = np.asarray([ids["AssertionError"]] * 5 + [ids["NullPointerException"]] * 3 + [ids["IOException"]] * 2
                      + [ids["Other"]] * 2)
    signatures = ["a"] * 5 + ["n1", "n1", "n2"] + ["i1", "i2"] + ["o1", "o2"]
    masks = subset_masks(gold, label_set, signatures)
    assert [int(masks[name].sum()) for name in ("all", "not_other", "non_assertion", "non_assertion_unique")] == [
        12, 10, 5, 4]
    majority = majority_subsets(gold, masks, label_set.names)
    assert majority["all"]["label"] == "AssertionError" and majority["all"]["top1"] == 5 / 12
    assert majority["non_assertion"]["label"] == "NullPointerException" and majority["non_assertion"]["top1"] == 0.6
    assert majority["non_assertion_unique"]["top1"] == 0.5  # n1 counted once: 2 NPE of 4
    assert majority["non_assertion_unique"]["correct"] == 2
    assert majority["non_assertion_unique"]["top1_ci95"][0] < 0.5 < majority["non_assertion_unique"]["top1_ci95"][1]


def test_the_answer_is_compared_with_the_majority_class_row_by_row() -> None:
    import numpy as np

    from evaluate import against_majority

    gold = np.asarray([0, 0, 0, 1, 2, 2])
    scores = np.eye(3)[[1, 1, 0, 1, 2, 2]]  # wrong on two rows the majority class (0) gets, right on three it misses
    masks = {"all": np.ones(6, dtype=bool), "tail": np.asarray([False] * 3 + [True] * 3)}
    paired = against_majority(scores, gold, masks)
    assert (paired["all"]["only_first"], paired["all"]["only_second"]) == (3, 2)
    assert paired["all"]["p_value"] == 1.0
    assert (paired["tail"]["only_first"], paired["tail"]["only_second"]) == (1, 0)  # the tail's own majority: 2


def test_group_task_scores_groupings_against_bugs(tmp_path) -> None:
    import json

    import evaluate

    npe = "java.lang.NullPointerException\n\tat org.acme.Parser.read(Parser.java:{line})\n\tat org.acme.ParserTest.{test}(ParserTest.java:9)\n"
    ise = "java.lang.IllegalStateException: closed after {n} reads\n\tat org.acme.Store.get(Store.java:40)\n"
    rows = [{"project": "p", "bug_id": "B1", "kind": "test_failure", "root_exception": "java.lang.NullPointerException",
             "log": npe.format(line=10, test=name)} for name in ("a", "b")]
    rows += [{"project": "p", "bug_id": "B2", "kind": "test_failure", "root_exception": "java.lang.IllegalStateException",
              "log": ise.format(n=n)} for n in (3, 4, 5)]
    rows.append({"project": "p", "bug_id": "B3", "kind": "test_failure", "root_exception": "junit.framework.AssertionFailedError",
                 "log": "junit.framework.AssertionFailedError\n\tat junit.framework.Assert.fail(Assert.java:47)\n"})
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    report = evaluate.main(["--task", "group", "--input", str(path), "--label_field", "root_exception",
                            "--group_gold", "bug", "--output_dir", str(tmp_path / "report")])
    result = report["results"]["all"]
    assert result["rows"] == 5 and result["groups"] == 2  # the assertion failure is left out
    assert result["exact text"]["recall"] < 1.0  # the ISE messages differ in a number
    # the NPEs differ only in their test method, which grouping leaves out of the signature
    assert result["failure signature"]["f1"] == 1.0
    assert result["root type + first application frame"]["f1"] == 1.0
    assert result["ceiling: gold split by root type"]["f1"] == 1.0  # each bug has one root type here
    assert (tmp_path / "report" / "report.md").is_file()


def test_a_report_dir_written_again_says_so_and_keeps_no_file_of_another_task(tmp_path, caplog) -> None:
    import json
    import logging

    import evaluate

    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"project": "p", "bug_id": "B1", "root_exception": "java.lang.IllegalStateException",
                                "log": "java.lang.IllegalStateException: closed\n\tat org.acme.Store.get(Store.java:40)\n"})
                    + "\n", encoding="utf-8")
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.json").write_text('{"task": "classify"}', encoding="utf-8")
    (out / "predictions.jsonl").write_text('{"id": "a classify run of last week"}\n', encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="evaluate"):
        evaluate.main(["--task", "group", "--input", str(path), "--label_field", "root_exception",
                       "--output_dir", str(out)])
    # the old predictions stayed beside the new group report, and the report was replaced without a word
    assert sorted(child.name for child in out.iterdir()) == ["report.json", "report.md"]
    assert (f"report written to {out} (it replaced the report that was there; removed predictions.jsonl of the "
            "earlier classify report)") in caplog.text
    # a model directory: training's plots have the classify report's names, and no classify report is there
    model = tmp_path / "model"
    model.mkdir()
    for name in ("confusion_matrix.png", "reliability.png", "model.safetensors"):
        (model / name).write_bytes(b"training's")
    evaluate.main(["--task", "group", "--input", str(path), "--label_field", "root_exception",
                   "--output_dir", str(model)])
    assert sorted(child.name for child in model.iterdir()) == [
        "confusion_matrix.png", "model.safetensors", "reliability.png", "report.json", "report.md"]


def test_group_gold_failure_splits_a_bug_by_root_type(tmp_path) -> None:
    import json

    import evaluate

    # one bug failing two ways: as a bug, one gold group that no grouping of failures should make
    npe = "java.lang.NullPointerException\n\tat org.acme.Ledger.post(Ledger.java:{line})\n"
    ise = "java.lang.IllegalStateException: ledger closed\n\tat org.acme.Ledger.close(Ledger.java:70)\n"
    rows = [{"project": "p", "bug_id": "B1", "kind": "test_failure", "root_exception": "java.lang.NullPointerException",
             "log": npe.format(line=12)} for _ in range(2)]
    rows += [{"project": "p", "bug_id": "B1", "kind": "test_failure",
              "root_exception": "java.lang.IllegalStateException", "log": ise} for _ in range(2)]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    by_bug = evaluate.main(["--task", "group", "--input", str(path), "--label_field", "root_exception",
                            "--group_gold", "bug", "--output_dir", str(tmp_path / "bug")])["results"]["all"]
    assert by_bug["groups"] == 1 and by_bug["failure signature"]["recall"] == 0.5
    assert by_bug["ceiling: gold split by root type"]["f1"] < 1.0
    # the default gold: one bug's failures of one root-cause type
    by_failure = evaluate.main(["--task", "group", "--input", str(path), "--label_field", "root_exception",
                                "--output_dir", str(tmp_path / "failure")])
    result = by_failure["results"]["all"]
    assert result["groups"] == 2 and result["failure signature"]["f1"] == 1.0
    assert "ceiling: gold split by root type" not in result  # it is the gold itself
    assert "and root-cause type" in (tmp_path / "failure" / "report.md").read_text(encoding="utf-8")


def test_the_trace_a_labelled_row_is_about_is_one_rule() -> None:
    # Scoring (evaluate.py --task explain) and stage-2 training pick the same trace of a row: its root cause by
    # qualified or simple name, else the first exception with frames.
    from utils.evaluation.explanation_scoring import labelled_trace
    from utils.parsing.log_sources import LogDocument
    from utils.parsing.stacktrace import parse_log
    from utils.pipeline.analyze import Analyzer, AnalyzerOptions
    from utils.stage2.explanations import select_trace

    log = ("IllegalStateException: logged without its package\n"
           "java.io.IOException: disk full\n\tat com.acme.Store.save(Store.java:10)\n")
    analyzer = Analyzer(AnalyzerOptions(no_model=True))
    results = analyzer.analyze([LogDocument(id="row", source="row 1", text=log)])
    for root, expected in (("java.lang.IllegalStateException", "IllegalStateException"),
                           (None, "java.io.IOException"), ("java.lang.Missing", "java.io.IOException")):
        chosen = labelled_trace(results, root)
        assert chosen is not None and chosen.trace.root_cause.class_name == expected
        assert select_trace(parse_log(log), root).root_cause.class_name == expected
    assert labelled_trace([], "x") is None


def test_group_task_counts_what_it_leaves_out_and_reads_odd_rows_without_a_traceback(tmp_path) -> None:
    ise = "java.lang.IllegalStateException: closed\n\tat org.acme.Store.get(Store.java:40)\n"
    good = {"bug_id": "B1", "kind": "test_failure", "root_exception": "java.lang.IllegalStateException", "log": ise}
    lines = [json.dumps(good), json.dumps({**good, "project": "p"}),  # one row without a project
             json.dumps({**good, "root_exception": 5}),  # a label that is not text: once a traceback
             json.dumps({**good, "bug_id": None}), json.dumps({**good, "log": 5}), "{broken"]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = evaluate.main(["--task", "group", "--input", str(path), "--label_field", "root_exception",
                            "--skip_invalid_rows", "--output_dir", str(tmp_path / "report")])
    assert report["rows_left_out"] == {"'log' is not text": 1, "an invalid JSONL line": 1, "no 'bug_id'": 1,
                                       "no 'root_exception' text": 1}
    assert set(report["results"]) == {"all", "", "p"}  # no held-out project here: no (NaN) slice for it
    assert report["results"][""]["rows"] == 1 and report["results"]["p"]["rows"] == 1
    assert "NaN" not in (tmp_path / "report" / "report.json").read_text(encoding="utf-8")
    assert "Rows not scored: 'log' is not text 1" in (tmp_path / "report" / "report.md").read_text(encoding="utf-8")


def test_an_output_dir_that_is_a_file_and_an_unknown_project_fail_before_any_model_loads(tmp_path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    data = _write_rows(tmp_path / "rows.jsonl")
    with pytest.raises(SystemExit, match="is a file, not a directory"):
        evaluate.main(["--task", "group", "--input", str(data), "--output_dir", str(afile)])
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines()]
    data.write_text("".join(json.dumps({**row, "project": "p"}) + "\n" for row in rows), encoding="utf-8")
    with pytest.raises(SystemExit, match="no row whose 'project' is typo_project"):  # the model is never read
        evaluate.main(["--model", str(tmp_path / "no-model-here"), "--input", str(data), "--label_field",
                       "root_exception", "--projects", "p", "typo_project", "--output_dir", str(tmp_path / "out")])


def test_a_model_that_cannot_load_is_one_line(tmp_path: Path) -> None:
    # Before: ModelLoadError's traceback (after tens of seconds trying the Hub for a path that is not there).
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"log": "java.lang.IllegalStateException: x", "label": "IllegalStateException"}) + "\n")
    (tmp_path / "model").mkdir()
    with pytest.raises(SystemExit) as stopped:
        evaluate.main(["--model", str(tmp_path / "model"), "--input", str(rows)])
    assert str(stopped.value) == f"evaluate.py: error: Model directory {tmp_path / 'model'} is incomplete: it has no config.json"


def test_max_rows_below_one_is_refused(tmp_path: Path) -> None:
    # Before: 0 and -1 evaluated every row.
    with pytest.raises(SystemExit, match="^--max_rows must be at least 1, got 0$"):
        evaluate.main(["--input", str(_write_rows(tmp_path / "rows.jsonl")), "--max_rows", "0"])


def test_the_default_model_missing_is_said_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: models/stage1 was tried as a Hub id (tens of seconds offline), then a traceback.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match=r"^evaluate.py: error: No model at models/stage1 \(the default --model\)"):
        evaluate.main(["--input", str(_write_rows(tmp_path / "rows.jsonl"))])
