"""scripts/mask_as.py: a copy of a JSONL whose exception names are hidden as another tool hides them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from utils.inputs import build_model_input, mask_exception_names
from utils.parsing.stacktrace import parse_trace

SPEC = importlib.util.spec_from_file_location("mask_as", Path(__file__).parents[1] / "scripts" / "mask_as.py")
mask_as = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(mask_as)

LOG = ("java.lang.RuntimeException: batch failed\n\tat com.acme.Job.run(Job.java:9)\n"
       "Caused by: java.lang.IllegalStateException: ledger closed\n\tat com.acme.Ledger.post(Ledger.java:40)\n")


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_names_are_hidden_as_the_placeholder_and_every_other_field_kept(tmp_path: Path) -> None:
    source = write_rows(tmp_path / "in.jsonl", [{"id": "a", "log": LOG, "root_exception": "java.lang.X"}])
    assert mask_as.main([str(source), str(tmp_path / "out.jsonl"), "--placeholder", "<MASKED>"]) == 0
    row = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert row["log"] == mask_exception_names(LOG).replace("[EXC]", "<MASKED>")
    assert (row["id"], row["root_exception"]) == ("a", "java.lang.X") and "Exception" not in row["log"]
    # and the analyzer reads it as its own mask
    assert build_model_input(parse_trace(row["log"])) == build_model_input(parse_trace(mask_exception_names(LOG)))


def test_remove_leaves_the_name_and_its_colon_out_and_frames_as_they_are() -> None:
    assert mask_as.hidden_as(LOG, None).splitlines()[::2] == ["batch failed", "Caused by: ledger closed"]
    log = ("java.lang.IllegalStateException: wrapped java.io.IOException: disk\n"
           "\tat org.junit.internal.runners.statements.ExpectException.evaluate(ExpectException.java:19)\n"
           'Exception in thread "main" java.lang.NullPointerException\n\tat com.acme.Pay.run(Pay.java:1)\n')
    assert mask_as.hidden_as(log, None).splitlines() == [
        "wrapped java.io.IOException: disk",
        "\tat org.junit.internal.runners.statements.ExpectException.evaluate(ExpectException.java:19)",
        'Exception in thread "main" ', "\tat com.acme.Pay.run(Pay.java:1)"]


def test_an_existing_output_is_not_overwritten_and_a_bad_line_is_named(tmp_path: Path) -> None:
    source = write_rows(tmp_path / "in.jsonl", [{"id": "a", "log": LOG}])
    taken = tmp_path / "out.jsonl"
    taken.write_text("keep\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="exists"):
        mask_as.main([str(source), str(taken), "--remove"])
    assert taken.read_text(encoding="utf-8") == "keep\n"
    source.write_text(source.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"in\.jsonl:2: "):  # the project's JSONL reader names file and line
        mask_as.main([str(source), str(tmp_path / "new.jsonl"), "--remove"])
    assert not (tmp_path / "new.jsonl").exists() and not list(tmp_path.glob("*.partial"))
