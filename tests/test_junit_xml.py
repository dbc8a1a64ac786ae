"""JUnit XML test reports (`TEST-*.xml`) read as the failed tests' traces, by predict.py and by `--real_logs`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from utils.corpus.real_logs import RealLogsOptions, import_real_logs
from utils.labels import load_label_set
from utils.parsing import log_sources
from utils.parsing.log_sources import DocumentStream, InputError, SkipReport
from utils.parsing.stacktrace import parse_log

REPORT = Path(__file__).parent / "fixtures" / "traces" / "TEST-com.acme.ledger.TransferServiceTest.xml"


def failures(path: Path, **options) -> list[tuple[str, list[str], str | None, int]]:
    """(the test's line, the chain, the root cause's message, the file line of the trace's first line)."""
    found = []
    for document in DocumentStream([str(path)], **options):
        if document.no_trace_head:
            continue
        (trace,) = parse_log(document.text)
        found.append((trace.context[-1], [exc.class_name for exc in trace.chain], trace.root_cause.message,
                      trace.start_line + document.line_offset))
    return found


def test_a_report_gives_each_failed_test_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    # Read as a plain log, the exception line behind `<error ...>` lost its name (a chain of `-> SQLIntegrity...`),
    # messages kept `&apos;` and `&lt;`, and a test's logged output (`system-out`) read as failures of its own.
    expected = [
        ("Testcase: settleTwice(com.acme.ledger.TransferServiceTest): Caused an ERROR",
         ["java.lang.IllegalStateException", "java.sql.SQLIntegrityConstraintViolationException"],
         "Duplicate entry '8812' for key 'PRIMARY'", 9),
        ("Testcase: amountMustBePositive(com.acme.ledger.TransferServiceTest): FAILED",
         ["org.opentest4j.AssertionFailedError"], "expected: <true> but was: <false>", 24),
        ("Testcase: feesAreRounded(com.acme.ledger.FeeTest): FAILED (flaky)",
         ["java.lang.ArithmeticException"], "Rounding necessary", 32),
    ]
    assert failures(REPORT) == expected
    lines = REPORT.read_text(encoding="utf-8").splitlines()
    assert all(chain[0] + ": " in lines[line - 1] for _, chain, _, line in expected)  # numbered as in the file
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", 512)  # chunk edges inside tags, entities and traces
    assert failures(REPORT) == expected


def test_newlines_escaped_by_the_writer_name_the_line_instead(tmp_path: Path) -> None:
    escaped = tmp_path / "TEST-escaped.xml"
    text = REPORT.read_text(encoding="utf-8")
    flaky = text.index("<testcase name=\"feesAreRounded\"")  # CDATA: no writer escapes there
    escaped.write_text(text[:flaky].replace("\n\tat ", "&#10;\tat ") + text[flaky:], encoding="utf-8")
    documents = [doc for doc in DocumentStream([str(escaped)]) if not doc.no_trace_head]
    heads = ("java.lang.IllegalStateException: Transfer", "org.opentest4j.AssertionFailedError:")
    lines = escaped.read_text(encoding="utf-8").splitlines()
    where = [next(number for number, line in enumerate(lines, 1) if head in line) for head in heads]
    assert where == [9, 18] and [doc.source for doc in documents] == [f"{escaped}:9", f"{escaped}:18", str(escaped)]
    assert [doc.line_offset for doc in documents] == [0, 0, 21]  # its trace on line 23, as the file numbers it
    assert [chain for _, chain, *_ in failures(escaped)][0][1] == "java.sql.SQLIntegrityConstraintViolationException"


def test_a_report_cut_short_is_a_counted_skip_at_its_line_and_strict_stops(tmp_path: Path) -> None:
    cut = tmp_path / "TEST-cut.xml"
    text = REPORT.read_text(encoding="utf-8")
    cut.write_text(text[: text.index("<testcase name=\"amountMustBePositive\"") + 40], encoding="utf-8")
    skips = SkipReport()
    assert [message for _, _, message, _ in failures(cut, skips=skips)] == ["Duplicate entry '8812' for key 'PRIMARY'"]
    assert [item["source"] for item in skips.skipped] == [f"{cut}:23"]
    assert skips.skipped[0]["reason"].startswith("malformed JUnit XML report (")
    with pytest.raises(InputError, match=rf"^{cut}:23: malformed JUnit XML report: "):
        failures(cut, strict=True)


def test_a_report_without_failures_is_said_to_have_none(tmp_path: Path) -> None:
    passed = tmp_path / "TEST-passed.xml"
    passed.write_text('<testsuite name="com.acme.OkTest" tests="1">\n  <testcase name="fine" classname="com.acme.OkTest"/>'
                      "\n</testsuite>\n", encoding="utf-8")
    (head,) = DocumentStream([str(passed)])
    assert head.no_trace_head and "<testcase name=\"fine\"" in head.text
    not_a_report = tmp_path / "log4j2.xml"  # other XML stays a plain log
    not_a_report.write_text('<?xml version="1.0"?>\n<Configuration status="warn"/>\n', encoding="utf-8")
    assert log_sources._reading(str(not_a_report), not_a_report.read_text(), "log", SkipReport()) == "plain"


def test_real_logs_train_on_a_directory_of_reports(tmp_path: Path) -> None:
    reports = tmp_path / "surefire-reports"
    reports.mkdir()
    shutil.copy(REPORT, reports / REPORT.name)
    (reports / "TEST-passed.xml").write_text('<testsuite name="x" tests="0"/>\n', encoding="utf-8")
    result = import_real_logs([str(reports)], load_label_set(), RealLogsOptions())
    rows = result.splits["train"]
    assert sorted(row["label"] for row in rows) == ["ArithmeticException", "AssertionError",
                                                    "SQLIntegrityConstraintViolationException"]
    assert all(row["log"].startswith("Testcase: ") and "&apos;" not in row["log"] for row in rows)
    assert [(Path(item["source"]).name, item["reason"]) for item in result.skips.skipped] == [
        ("TEST-passed.xml", "no Java exception found")]


def test_predict_reads_a_report_as_its_failed_tests(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = subprocess.run([sys.executable, "predict.py", "--input", str(REPORT), "--output", str(out), "--no-model"],
                            capture_output=True, text=True, cwd=Path(__file__).parents[1], timeout=300)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(record["exception"], record["log"]["lines"][0]) for record in records] == [
        ("SQLIntegrityConstraintViolationException", 9), ("AssertionFailedError", 24), ("ArithmeticException", 32)]
    assert records[0]["chain"][0]["class"] == "java.lang.IllegalStateException"
    assert records[2]["location"]["method"] == "round"  # the test's own code, under the JDK's throw


def test_a_suite_level_error_names_its_suite_and_a_trace_on_line_one_its_line(tmp_path: Path) -> None:
    # a review's counterexamples: an <error> outside any <testcase> (Ant writes a class's setup failure so) was
    # labelled with the last test case read, a passing one of another suite; a trace starting on the report's first
    # line was numbered one line late
    aggregate = tmp_path / "TESTS-TestSuites.xml"
    aggregate.write_text(
        '<testsuites>\n<testsuite name="com.acme.ATest"><testcase name="testPasses" classname="com.acme.ATest"/>'
        '</testsuite>\n<testsuite name="com.acme.BTest">\n<error type="java.lang.IllegalStateException">'
        "java.lang.IllegalStateException: no database\n\tat com.acme.BTest.setUpClass(BTest.java:12)\n</error>\n"
        "</testsuite>\n</testsuites>\n", encoding="utf-8")
    assert [header for header, *_ in failures(aggregate)] == ["Testcase: (suite com.acme.BTest): Caused an ERROR"]
    one_line = tmp_path / "TEST-oneline.xml"
    one_line.write_text('<testsuite name="S"><testcase name="a" classname="com.acme.ATest"><failure>java.lang.Illegal'
                        "StateException: boom\n\tat com.acme.A.run(A.java:10)\n</failure></testcase></testsuite>\n",
                        encoding="utf-8")
    (document, _) = DocumentStream([str(one_line)])
    assert document.source == f"{one_line}:1" and document.line_offset == 0
