"""A masked root cause typed by the throw of the team's own code at its top frame's line (utils/code_throws.py,
`--code_throws`), on the README's example (examples/your_code): a Java source written for it, and the traces `java`
17 printed for it (compiled with javac 17, run with -XX:-ShowCodeDetailsInExceptionMessages), their names hidden as
another tool hides them. javac gives a frame the line of the statement's last call, which the rule must read as the
statement's."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from utils.code_throws import CodeThrows, StatementsFileError, load_code_throws
from utils.corpus.throw_statements import ThrowStatement, mine, write_statements
from utils.inputs import mask_exception_names
from utils.jvm_evidence import CODE_THROW, NULL_CHECK, evidence
from utils.parsing.stacktrace import parse_log

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "your_code"
LEDGER = (EXAMPLE / "src" / "com" / "acme" / "ledger" / "Ledger.java").read_text(encoding="utf-8")
# What the example log's `<MASKED>` names were when java printed them (the last, a null met on line 19, has none)
THROWN = ["java.lang.IllegalArgumentException", "com.acme.ledger.LimitExceededException",
          "java.lang.IllegalStateException", "java.lang.UnsupportedOperationException",
          "java.lang.IllegalArgumentException", "java.lang.NullPointerException"]


def _example_traces() -> list[str]:
    """The example log's traces with their names put back, without the log records above them."""
    blocks = re.split(r"^\S.* - posting failed\n", (EXAMPLE / "ledger.log").read_text(encoding="utf-8"), flags=re.M)
    return [block.replace("<MASKED>", name, 1) for block, name in zip(blocks[1:], THROWN, strict=True)]


# (trace as java printed it, the class the code threw): a message-less throw of the code's own class (its message is
# built in the exception's constructor), a statement over three lines (the frame names its last call's line), a
# lambda, an inner class's constructor
TRACES = list(zip(_example_traces()[:5], THROWN[:5]))
# the JVM's own null check on line 19 (`account.isEmpty()`), where the code throws nothing
NULL_ON_19 = _example_traces()[5]


@pytest.fixture()
def code(tmp_path: Path) -> CodeThrows:
    source = tmp_path / "src" / "com" / "acme" / "ledger"
    source.mkdir(parents=True)
    (source / "Ledger.java").write_text(LEDGER, encoding="utf-8")
    path = tmp_path / "ledger.jsonl.gz"
    write_statements(path, mine([tmp_path / "src"]))
    return load_code_throws(path)


def masked(text: str):
    return parse_log(mask_exception_names(text))[0]


@pytest.mark.parametrize(("text", "thrown"), TRACES)
def test_a_masked_root_cause_is_typed_by_the_throw_at_its_line(code: CodeThrows, text: str, thrown: str) -> None:
    found = evidence(masked(text), code)
    assert found is not None and (found.class_name, found.rule) == (thrown, CODE_THROW)
    assert evidence(masked(text)) is None  # without the code no rule types these


def test_where_the_code_throws_nothing_the_other_rules_decide(code: CodeThrows) -> None:
    assert evidence(masked(NULL_ON_19), code).rule == NULL_CHECK
    # a readable name is the parser's: no rule reads it
    assert evidence(parse_log(TRACES[0][0])[0], code) is None


@pytest.mark.parametrize("edit", [
    # code changed since the mining: the message at that line is not the statement's
    lambda text: text.replace("Limit must be positive: -5", "Limit is too low: -5"),
    # the line is inside another method now
    lambda text: text.replace("Ledger.<init>(Ledger.java:10)", "Ledger.open(Ledger.java:10)"),
    # a worded statement cannot have thrown an exception without a message
    lambda text: text.replace(": Limit must be positive: -5", ""),
    # a line no statement covers
    lambda text: text.replace("Ledger.java:10)", "Ledger.java:11)"),
])
def test_a_trace_the_statement_cannot_have_thrown_is_left_to_the_other_rules(code: CodeThrows, edit) -> None:
    found = evidence(masked(edit(TRACES[0][0])), code)
    assert found is None or found.rule != CODE_THROW


def test_statements_that_disagree_at_a_line_say_nothing() -> None:
    def at(exception: str) -> ThrowStatement:
        return ThrowStatement(exception, "", (), "com.acme.ledger.Ledger", "<init>", 10, "x", 10)

    trace = masked(TRACES[0][0])
    assert CodeThrows("x", [at("java.lang.IllegalStateException")]).thrown_at(trace.root_cause) == \
        "java.lang.IllegalStateException"
    assert CodeThrows("x", [at("java.lang.IllegalStateException"),
                            at("java.lang.IllegalArgumentException")]).thrown_at(trace.root_cause) is None


def test_the_sources_themselves_serve_as_their_mined_statements(tmp_path: Path, code: CodeThrows) -> None:
    """`--code_throws src/` mines at start what `scripts/mine_throw_statements.py src/` writes."""
    assert load_code_throws(tmp_path / "src")._sites == code._sites
    (tmp_path / "tests" / "com").mkdir(parents=True)
    (tmp_path / "tests" / "com" / "LedgerTest.java").write_text(LEDGER, encoding="utf-8")
    with pytest.raises(StatementsFileError, match=r"no `throw new` in its main code \(test code is skipped\)"):
        load_code_throws(tmp_path / "tests")


def test_a_bad_statements_file_is_one_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(StatementsFileError, match=r"--code_throws .*missing.jsonl: no such file"):
        load_code_throws(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"exception": "java.lang.IllegalStateException"}\n', encoding="utf-8")
    with pytest.raises(StatementsFileError, match=r"bad.jsonl:1: not a throw statement"):
        load_code_throws(bad)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(StatementsFileError, match="no throw statement"):
        load_code_throws(empty)


def test_predict_types_by_the_code_without_a_model(tmp_path: Path, code: CodeThrows,
                                                   capsys: pytest.CaptureFixture) -> None:
    import predict

    log = tmp_path / "masked.log"
    log.write_text(mask_exception_names("".join(text for text, _ in TRACES) + NULL_ON_19), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    argv = ["--input", str(log), "--output", str(out), "--no-model", "--parse_process", "false"]
    assert predict.main([*argv, "--code_throws", code.path]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(record["label"], record["decided_by"]) for record in records] == [
        ("IllegalArgumentException", CODE_THROW), ("Other", CODE_THROW), ("IllegalStateException", CODE_THROW),
        ("UnsupportedOperationException", CODE_THROW), ("IllegalArgumentException", CODE_THROW),
        ("NullPointerException", NULL_CHECK)]
    assert predict.main(argv) == 0  # without the code and without a model: no answer but the null check's
    assert [json.loads(line)["label"] for line in out.read_text(encoding="utf-8").splitlines()] == [
        None, None, None, None, None, "NullPointerException"]
    capsys.readouterr()
    assert predict.main([*argv, "--code_throws", str(tmp_path / "nope.jsonl.gz")]) == 2
    assert "--code_throws" in capsys.readouterr().err


def test_evaluate_counts_the_rows_the_code_typed(code: CodeThrows) -> None:
    from evaluate import with_jvm_evidence
    from utils.labels import load_label_set

    labels = load_label_set()
    traces = [masked(text) for text, _ in TRACES]
    probabilities = np.full((len(traces), len(labels.names)), 1.0 / len(labels.names))
    scores, decided, ids, deciders = with_jvm_evidence(probabilities, traces, labels, code)
    assert decided[CODE_THROW] == len(traces) and deciders == [CODE_THROW] * len(traces)
    assert [labels.names[i] for i in scores.argmax(axis=1)] == [
        "IllegalArgumentException", "Other", "IllegalStateException", "UnsupportedOperationException",
        "IllegalArgumentException"]
    assert CODE_THROW not in with_jvm_evidence(probabilities, traces, labels)[1]  # counted only where it can fire


def test_the_harness_output_keeps_each_trace_thrown_in_the_package_once() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("harness_traces", Path(__file__).resolve().parents[1] / "scripts"
                                                  / "harness_traces.py")
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    ours, jdk = TRACES[0][0], NULL_ON_19.replace("com.acme.ledger.Ledger.post", "java.util.Objects.requireNonNull")
    printed = "".join(f"=== public com.acme.ledger.Ledger(int)\n{text}" for text in (ours, jdk, ours))
    rows, counts = harness.rows_from_output(printed, "com.acme.ledger", "ledger")
    assert rows == [{"id": "ledger-0", "log": ours.rstrip("\n"), "root_exception": "java.lang.IllegalArgumentException",
                     "project": "ledger"}]
    assert dict(counts) == {"printed": 3, "thrown in the package": 2, "kept (distinct)": 1}
    assert harness.rows_from_output(printed, "com.acme.led", "x")[0] == []  # a package is whole names, not a prefix


def test_the_readme_example_types_each_masked_trace_by_the_code(tmp_path: Path) -> None:
    """`python predict.py --input examples/your_code/ledger.log --code_throws examples/your_code/src --no-model`:
    names hidden as `<MASKED>` by another tool, typed by the code; the JVM's null check by its own rule."""
    import predict

    out = tmp_path / "out.jsonl"
    assert predict.main(["--input", str(EXAMPLE / "ledger.log"), "--code_throws", str(EXAMPLE / "src"), "--no-model",
                         "--output", str(out), "--parse_process", "false"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [record["decided_by"] for record in records] == [CODE_THROW] * 5 + [NULL_CHECK]
    assert [record["label"] for record in records] == [
        "IllegalArgumentException", "Other", "IllegalStateException", "UnsupportedOperationException",
        "IllegalArgumentException", "NullPointerException"]
