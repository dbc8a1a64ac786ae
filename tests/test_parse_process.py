"""predict.py reads and parses in a second process (utils/pipeline/parse_process.py) with the one-process output: records,
groups, redaction counts, skips; failures in the child reach the parent; a group's shared record fields are redacted
once (utils/repeat_cache.GroupRecordRedactor) with the values and counts of redacting every record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import predict
from tests.test_streaming import DEADLOCK, styled_log
from utils.labels import load_label_set
from utils.parsing import log_sources
from utils.parsing.log_sources import DocumentStream, InputError
from utils.pipeline import repeat_cache
from utils.pipeline.analyze import Analyzer, AnalyzerOptions
from utils.pipeline.parse_process import ParseProcess, parse_process_available
from utils.pipeline.record import GROUP_RECORD_FIELDS, record_json
from utils.pipeline.repeat_cache import GroupRecordRedactor, StringRedactor
from utils.redact import RedactOptions, Redactor

REPO = Path(__file__).resolve().parent.parent
needs_fork = pytest.mark.skipif(not parse_process_available(), reason="needs fork and 2+ cores")


def _run(paths: list[str], in_child: bool, strict: bool = False) -> tuple[Any, ...]:
    stream, redactor, records = DocumentStream(paths, strict=strict), Redactor(RedactOptions()), []
    # in the child, repeats travel without their texts (predict._lighten): the output must not change
    parsing = predict.start_parsing(stream, load_label_set(), redactor, in_child, light_repeats=True)
    assert (parsing is not None) is in_child
    outcome = predict.analyze_stream(Analyzer(AnalyzerOptions(no_model=True)), stream, redactor, [],
                                     lambda line: records.append(json.loads(line)), parsing)
    return records, outcome.table.records(), dict(redactor.counts), stream.skips, stream.stats.documents


def _inputs(tmp_path: Path) -> list[str]:
    log = tmp_path / "app.log"
    log.write_text(styled_log(120) + DEADLOCK, encoding="utf-8")
    rows = tmp_path / "rows.jsonl"
    rows.write_text((REPO / "examples" / "logs.jsonl").read_text(encoding="utf-8") + "{bad json\n", encoding="utf-8")
    return [str(log), str(rows)]


@needs_fork
def test_child_output_equals_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", 4096)
    monkeypatch.setattr(predict, "BATCH_CHARS", 5000)  # many batches, so many spilled files, groups across them
    paths = _inputs(tmp_path)
    records, groups, counts, skips, documents = _run(paths, in_child=True)
    one_records, one_groups, one_counts, one_skips, one_documents = _run(paths, in_child=False)
    assert len(records) > 100 and counts and skips.skipped  # PII found, a bad row skipped: both must travel back
    assert json.dumps(records) == json.dumps(one_records) and json.dumps(groups) == json.dumps(one_groups)
    assert counts == one_counts and skips.skipped == one_skips.skipped and documents == one_documents
    assert not [name for name in os.listdir(os.environ.get("TMPDIR", "/tmp")) if name.startswith("predict-parse-")
                and (Path(os.environ.get("TMPDIR", "/tmp")) / name / "0.pickle").exists()]


@needs_fork
def test_a_failure_in_the_child_is_raised_in_the_parent(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"log": "java.lang.IllegalStateException: x"}\n{bad json\n', encoding="utf-8")
    with pytest.raises(InputError, match="malformed JSON"):
        _run([str(rows)], in_child=True, strict=True)

    def dies() -> Any:
        os._exit(3)
        yield []

    parsing = ParseProcess(dies, None, None)
    with pytest.raises(RuntimeError, match="exit code 3"):
        list(parsing.batches())
    assert not Path(parsing.spill_dir).exists()


@needs_fork
def test_cli_with_and_without_the_child(tmp_path: Path) -> None:
    paths = _inputs(tmp_path)
    outputs = []
    for flag in ("true", "false"):
        out, groups = tmp_path / f"out_{flag}.jsonl", tmp_path / f"groups_{flag}.jsonl"
        subprocess.run([sys.executable, "predict.py", "--input", *paths, "--no_model", "--output", str(out),
                        "--groups", str(groups), "--parse_process", flag], cwd=REPO, check=True, capture_output=True)
        report = json.loads(Path(f"{out}.report.json").read_text(encoding="utf-8"))
        outputs.append((out.read_bytes(), groups.read_bytes(), report["redacted"], report["skipped"],
                        report["documents"], report["bytes"]))
    assert outputs[0] == outputs[1]


def test_group_fields_are_redacted_once_with_every_records_counts() -> None:
    shared = {"label": "IOException", "explanation": "mail ops@example.com", "candidates": [{"method": "run"}]}
    records = [{"id": f"r{index}", "chain": [{"message": f"user u{index}@example.com"}], **shared, "group": "g"}
               for index in range(3)]
    plain = Redactor(RedactOptions())
    expected = [plain.redact_value(record) for record in records]
    cached_redactor = Redactor(RedactOptions())
    cached = GroupRecordRedactor(StringRedactor(cached_redactor), GROUP_RECORD_FIELDS)
    calls = Counter()
    original = cached.strings.redact_value

    def counting(value: Any) -> Any:
        calls[json.dumps(value, sort_keys=True)] += 1
        return original(value)

    cached.strings.redact_value = counting
    assert [json.loads(cached.redact_json(record, "g")) for record in records] == expected
    assert cached_redactor.counts == plain.counts and cached_redactor.counts["email"] == 6
    assert calls[json.dumps(shared["explanation"])] == 1  # once per group, not per record
    assert json.loads(cached.redact_json(records[0], None)) == expected[0]  # no group: redacted whole


def test_a_groups_fields_are_encoded_once_and_each_line_is_the_redacted_records_json(monkeypatch) -> None:
    shared = {"label": "IOException", "explanation": "메일 ops@example.com", "top_k": [{"label": "X", "score": 0.5}]}
    records = [{"id": f"r{index}", **shared, "chain": [{"message": f"user u{index}@example.com"}], "group": "g",
                "empty": {}} for index in range(3)]
    plain, cached = Redactor(RedactOptions()), Redactor(RedactOptions())
    expected = [json.dumps(plain.redact_value(record), ensure_ascii=False) for record in records]
    writer = GroupRecordRedactor(StringRedactor(cached), GROUP_RECORD_FIELDS)
    encoded: list[Any] = []

    def counting(value: Any) -> str:
        encoded.append(value)
        return record_json(value)

    monkeypatch.setattr(repeat_cache, "record_json", counting)
    assert [writer.redact_json(record, "g") for record in records] == expected and cached.counts == plain.counts
    assert encoded.count(plain.redact_value(shared["explanation"])) == 1  # once per group, not per record
    assert writer.redact_json(records[1], None) == expected[1]


def test_deeply_nested_suppressed_exceptions_cross_to_the_main_process(tmp_path: Path) -> None:
    lines = ["2026-05-02 14:03:55,118 ERROR [main] com.acme.App - request failed", "com.acme.AppException: top",
             "\tat com.acme.App.main(App.java:5)"]
    for level in range(1, 401):  # try-with-resources closing 400 resources, each failing inside the last
        indent = "\t" * level
        lines += [f"{indent}Suppressed: com.acme.Close{level}Exception: close {level}",
                  f"{indent}\tat com.acme.res.Res{level}.close(Res{level}.java:{level})", f"{indent}\t... 1 more"]
    log = tmp_path / "app.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    repo = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, str(repo / "predict.py"), "--input", str(log), "--output", str(out),
                             "--no-model"], cwd=repo, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-500:]  # was a RecursionError pickling the batch in the child
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
