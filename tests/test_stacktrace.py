"""The Java stack-trace parser on the trace and log shapes it must read (fixtures in tests/fixtures/traces/)."""

from __future__ import annotations

import json
import random
import time

import pytest

from utils.inputs import mask_exception_names
from utils.locate import locate
from utils.parsing.stacktrace import (
    Trace,
    decode_inline_traces,
    find_deadlocks,
    is_library_class,
    mark_library_frames,
    parse_log,
    parse_trace,
    strip_repeated_line_prefixes,
)
from utils.stage2.explanations import trace_slots
from utils.stage2.guidance import frame_location


def chain_classes(trace: Trace) -> list[str]:
    return [exc.class_name for exc in trace.chain]


# ------------------------------------------------------------------------------------------------ whole log files


def test_spring_boot_log_with_three_traces(trace_fixture) -> None:
    traces = parse_log(trace_fixture("logback_spring_boot.log"))
    assert [t.root_cause.class_name for t in traces] == [
        "java.net.SocketTimeoutException",
        "java.net.ConnectException",
        "java.lang.NullPointerException",
    ]
    first = traces[0]
    assert chain_classes(first) == [
        "org.springframework.dao.DataAccessResourceFailureException",
        "java.sql.SQLTransientConnectionException",
        "java.net.SocketTimeoutException",
    ]
    assert [exc.relation for exc in first.chain] == ["top", "cause", "cause"]
    assert first.root_cause.message == "Read timed out"
    assert first.chain[1].omitted_frames == 4
    assert (first.start_line, first.end_line) == (3, 17)
    assert (first.log_level, first.logger, first.thread) == ("ERROR", "c.b.p.PaymentService", "nio-8080-exec-1")
    assert first.timestamp == "2024-03-01 10:15:30.123"
    assert first.context == ["Payment failed for order 8812"]  # the record's message, not the INFO line before it
    app = [f for f in first.frames if not f.is_library]
    assert [f.qualified_method for f in app] == [
        "com.bank.payments.PaymentService.pay",
        "com.bank.payments.PaymentController.submit",
    ]
    pay = app[0]
    assert (pay.file, pay.line, pay.jar) == ("PaymentService.java", 42, "classes/:na")
    thread_run = first.chain[0].frames[-1]
    assert (thread_run.class_name, thread_run.module, thread_run.jar) == ("java.lang.Thread", "java.base", "na:na")
    assert "2024-03-01" not in first.text and first.text.startswith("org.springframework.dao.")

    message_only = traces[1]
    assert message_only.chain[0].frames == [] and message_only.root_cause.message == "Connection refused"
    assert message_only.context == ["Ledger call failed:"]
    tomcat = traces[2]
    assert tomcat.logger == "o.a.c.c.C.[.[.[/].[dispatcherServlet]"
    assert tomcat.context == ["Servlet.service() for servlet [dispatcherServlet] threw exception"]
    cglib = tomcat.frames[1]
    assert cglib.class_name.endswith("$$EnhancerBySpringCGLIB$$a1b2c3") and cglib.is_library and cglib.file is None


def test_log4j2_prefix_on_every_trace_line(trace_fixture) -> None:
    (trace,) = parse_log(trace_fixture("log4j2_every_line.log"))
    assert chain_classes(trace) == ["java.lang.IllegalStateException", "java.io.FileNotFoundException"]
    assert trace.root_cause.message == "/data/in/batch.csv (No such file or directory)"
    assert [f.qualified_method for f in trace.frames] == [
        "com.bank.batch.Importer.run",
        "com.bank.App.main",
        "java.io.FileInputStream.open0",
        "com.bank.batch.Importer.open",
    ]
    assert trace.frames[2].native and trace.frames[2].module == "java.base"
    assert trace.root_cause.omitted_frames == 2
    assert (trace.log_level, trace.logger, trace.thread) == ("ERROR", "com.bank.App", "main")
    assert trace.context == ["Batch import failed"]
    assert (trace.start_line, trace.end_line) == (2, 8)


def test_java_util_logging_two_line_records(trace_fixture) -> None:
    (trace,) = parse_log(trace_fixture("jul.log"))
    assert chain_classes(trace) == ["java.net.UnknownHostException"]
    assert trace.log_level == "SEVERE" and trace.logger == "com.bank.legacy.Gateway"
    assert trace.context[-1] == "Gateway connection failed"
    assert trace.frames[-1].method == "<init>"
    assert trace.end_line == 7  # the next record ("Mar 01, 2024 10:15:31 AM ...") is not part of the trace


def test_java_util_logging_record_whose_message_names_the_exception() -> None:
    """"SEVERE: Resolved [java.lang.X: ...]": the trace's record starts on the line before (time, logger, method),
    and that line is its context too, as when the exception follows the record."""
    log = ("Jul 16, 2021 6:27:40 PM io.tidebank.fx.config.ExchangeRateConfig invoke\n"
           "SEVERE: Resolved [java.lang.IllegalArgumentException: Could not resolve placeholder 'core.url']\n"
           "Jul 16, 2021 6:27:41 PM io.tidebank.fx.config.Other run\nINFO: fine\n")
    (trace,) = parse_log(log)
    assert trace.context == ["io.tidebank.fx.config.ExchangeRateConfig invoke", "Resolved ["]
    assert (trace.logger, trace.timestamp, trace.log_level) == (
        "io.tidebank.fx.config.ExchangeRateConfig", "Jul 16, 2021 6:27:40 PM", "SEVERE")
    # a timestamped line before a Maven "[ERROR]" record is not a JUL record's first line
    (maven,) = parse_log("2026-12-03 10:00:00 Build started\n[ERROR] java.lang.IllegalStateException: boom\n"
                         "\tat a.B.c(B.java:1)\n")
    assert maven.context == [] and maven.timestamp is None


def test_java_util_logging_logger_is_the_record_header_s() -> None:
    """"SEVERE: Failed: java.io.IOException": "Failed" begins the message; the logger is the header line's class,
    whether the exception is on the level line or on the line after it."""
    header = "Dec 04, 2026 3:15:02 PM com.acme.pay.PayService charge\n"
    frames = "\tat com.acme.pay.PayService.charge(PayService.java:42)\n"
    for record in ("SEVERE: Failed: java.io.IOException: disk full\n",
                   "SEVERE: Failed: could not charge\njava.io.IOException: disk full\n"):
        (trace,) = parse_log(header + record + frames)
        assert chain_classes(trace) == ["java.io.IOException"]
        assert (trace.logger, trace.log_level, trace.timestamp) == (
            "com.acme.pay.PayService", "SEVERE", "Dec 04, 2026 3:15:02 PM")


def test_maven_surefire_report(trace_fixture) -> None:
    traces = parse_log(trace_fixture("maven_surefire.txt"))
    assert [t.root_cause.class_name for t in traces] == [
        "org.junit.ComparisonFailure",
        "java.lang.IndexOutOfBoundsException",
    ]
    comparison, index_error = traces
    # A JUnit message spanning lines runs until the first frame.
    assert comparison.root_cause.message == "balance after posting expected:<[100.00\nEUR]> but was:<[99.99\nEUR]>"
    assert comparison.context == ["testBalance(com.bank.ledger.LedgerTest)  Time elapsed: 0.02 s  <<< FAILURE!"]
    assert index_error.context == ["testPost(com.bank.ledger.LedgerTest)  Time elapsed: 0.01 s  <<< ERROR!"]
    inner, no_line = index_error.frames[2], index_error.frames[3]
    assert (inner.class_name, inner.simple_class, inner.package) == (
        "com.bank.ledger.Ledger$Entry",
        "Ledger$Entry",
        "com.bank.ledger",
    )
    assert (no_line.file, no_line.line) == ("Ledger.java", None)
    assert index_error.frames[0].is_library and not index_error.frames[4].is_library


def test_suppressed_blocks_nest_by_indentation(trace_fixture) -> None:
    (trace,) = parse_log(trace_fixture("suppressed.txt"))
    assert trace.thread == "main"  # from `Exception in thread "main"`
    assert chain_classes(trace) == ["java.lang.IllegalStateException", "java.sql.SQLException"]
    top, cause = trace.chain
    assert [s.class_name for s in top.suppressed] == ["java.io.IOException", "java.lang.RuntimeException"]
    flush = top.suppressed[0]
    assert flush.relation == "suppressed" and flush.omitted_frames == 1
    assert [c.class_name for c in flush.cause_chain] == ["java.io.EOFException"]  # the suppressed one's own cause
    assert flush.cause_chain[0].frames[0].qualified_method == "com.bank.io.Disk.write"
    assert top.suppressed[1].message is None and len(top.suppressed[1].frames) == 1
    assert [s.class_name for s in cause.suppressed] == ["java.sql.SQLWarning"]
    assert len(trace.frames) == 3  # suppressed frames are not in the main chain's frames


def test_suppressed_without_indentation_keeps_later_cause_in_main_chain() -> None:
    text = "\n".join(
        [
            "java.lang.IllegalStateException: outer",
            "at com.x.A.a(A.java:1)",
            "Suppressed: java.io.IOException: flush",
            "at com.x.B.b(B.java:2)",
            "Caused by: java.net.SocketException: reset",
            "at com.x.C.c(C.java:3)",
        ]
    )
    trace = parse_trace(text)
    assert chain_classes(trace) == ["java.lang.IllegalStateException", "java.net.SocketException"]
    assert [s.class_name for s in trace.chain[0].suppressed] == ["java.io.IOException"]


def test_java17_frames_modules_lambdas_and_proxies(trace_fixture) -> None:
    trace = parse_trace(trace_fixture("java17_modules.txt"))
    assert chain_classes(trace) == ["java.lang.UnsupportedOperationException"]
    assert trace.root_cause.message is None  # no ": message" on the line
    frames = {f.raw.split("(")[0].removeprefix("at "): f for f in trace.frames}
    assert frames["java.base/java.util.ImmutableCollections.uoe"].module == "java.base"
    versioned = frames["java.base@17.0.2/java.util.ImmutableCollections$AbstractImmutableCollection.add"]
    assert versioned.module == "java.base" and versioned.class_name.endswith("$AbstractImmutableCollection")
    lambda_frame = frames["com.bank.rules.RuleEngine$$Lambda$412/0x0000000800c0b440.accept"]
    assert lambda_frame.class_name == "com.bank.rules.RuleEngine$$Lambda$412/0x0000000800c0b440"
    assert lambda_frame.method == "accept" and lambda_frame.file is None and lambda_frame.is_library
    body = frames["com.bank.rules.RuleEngine.lambda$apply$0"]
    assert body.method == "lambda$apply$0" and not body.is_library
    app_loader = frames["app//com.bank.rules.RuleEngine.apply"]
    assert (app_loader.class_loader, app_loader.module, app_loader.class_name) == (
        "app",
        None,
        "com.bank.rules.RuleEngine",
    )
    assert app_loader.raw.startswith("at app//")
    proxy = frames["jdk.proxy2/jdk.proxy2.$Proxy87.apply"]
    assert proxy.module == "jdk.proxy2" and proxy.class_name == "jdk.proxy2.$Proxy87" and proxy.is_library
    assert frames["com.sun.proxy.$Proxy12.invoke"].is_library
    assert frames["com.bank.rules.Config$$SpringCGLIB$$0.rules"].is_library
    clinit = frames["com.bank.rules.Loader.<clinit>"]
    assert (clinit.method, clinit.line, clinit.is_library) == ("<clinit>", 9, False)
    assert frames["com.bank.rules.Bootstrap$1.run"].file == "Bootstrap.kt"
    assert (frames["com.bank.rules.Main.main"].file, frames["com.bank.rules.Main.main"].line) == ("Main.java", None)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("\tat sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)", (None, None, True, None, None)),
        ("\tat com.x.Gen.run(Unknown Source)", (None, None, False, None, None)),
        ("    at com.x.Y.z(Y.java:12) ~[app-1.0.jar:1.0]", ("Y.java", 12, False, None, "app-1.0.jar:1.0")),
        (
            "\tat java.lang.Thread.run(Thread.java:748) [na:1.8.0_292]",
            ("Thread.java", 748, False, None, "na:1.8.0_292"),
        ),
        ("\tat com.x.Y.z(Y.java:7) ~[?:?]", ("Y.java", 7, False, None, "?:?")),
        ("\tat loader.name/mod@2.1/com.x.Y.z(Y.java:3)", ("Y.java", 3, False, "mod", None)),
    ],
)
def test_frame_line_shapes(line: str, expected: tuple) -> None:
    trace = parse_trace(f"java.lang.IllegalStateException: boom\n{line}\n")
    (frame,) = trace.frames
    assert (frame.file, frame.line, frame.native, frame.module, frame.jar) == expected
    assert frame.method in ("invoke0", "run", "z")


# ------------------------------------------------------------------------------------------------ exception lines


@pytest.mark.parametrize(
    ("text", "classes", "message"),
    [
        ("java.lang.IllegalStateException\n\tat a.B.c(B.java:1)", ["java.lang.IllegalStateException"], None),
        ("java.lang.AssertionError: \n\tat a.B.c(B.java:1)", ["java.lang.AssertionError"], ""),
        (
            'Exception in thread "worker-1" java.lang.OutOfMemoryError: Java heap space',
            ["java.lang.OutOfMemoryError"],
            "Java heap space",
        ),
        ("LedgerException: account 7 closed\n\tat a.B.c(B.java:1)", ["LedgerException"], "account 7 closed"),
        ("com.bank.Outer$InnerFault: x\n\tat a.B.c(B.java:1)", ["com.bank.Outer$InnerFault"], "x"),
        # A class without a telltale suffix is believed when frames follow...
        ("com.bank.rules.RuleViolation: limit\n\tat a.B.c(B.java:1)", ["com.bank.rules.RuleViolation"], "limit"),
        # ...or when it lives in an exceptions package, even with a message over several lines and no frame.
        (
            "org.acme.exceptions.TooFewCalls: \nwanted 2\nbut was 1",
            ["org.acme.exceptions.TooFewCalls"],
            "\nwanted 2\nbut was 1",
        ),
        # SAXParseException prints "; lineNumber: ..." instead of ": ".
        (
            "org.xml.sax.SAXParseException; lineNumber: 3; bad\n\tat a.B.c(B.java:1)",
            ["org.xml.sax.SAXParseException"],
            "lineNumber: 3; bad",
        ),
    ],
)
def test_exception_line_shapes(text: str, classes: list[str], message: str | None) -> None:
    trace = parse_trace(text)
    assert chain_classes(trace) == classes
    assert trace.chain[0].message == message


def test_dotted_name_without_frames_is_not_an_exception() -> None:
    (trace,) = parse_log("com.bank.App: started in 3 s\ncom.bank.Db: pool ready\n")
    assert trace.chain == [] and trace.context == ["com.bank.App: started in 3 s", "com.bank.Db: pool ready"]


def test_odd_cause_lines() -> None:
    text = (
        "org.acme.ServiceException: call failed\n\tat a.B.c(B.java:1)\n"
        "Caused by: org.acme.RemoteFault(code=17, detail=quota)\n\t... 1 more\n"
    )
    trace = parse_trace(text)
    assert chain_classes(trace) == ["org.acme.ServiceException", "org.acme.RemoteFault"]
    assert trace.root_cause.message == "(code=17, detail=quota)" and trace.root_cause.omitted_frames == 1


def test_multi_line_cause_message_and_message_to_end_of_text() -> None:
    text = (
        "org.acme.CommitFailedException: merge failed\n\tat a.B.c(B.java:1)\n"
        "Caused by: org.acme.StoreException: node missing, state:\n{rev=1,\n deleted=true}\n"
    )
    trace = parse_trace(text)
    assert trace.root_cause.class_name == "org.acme.StoreException"
    assert trace.root_cause.message == "node missing, state:\n{rev=1,\n deleted=true}"


def test_level_word_inside_a_message_does_not_cut_it() -> None:
    text = (
        "org.postgresql.util.PSQLException: ERROR: duplicate key value\n"
        'ERROR: constraint "pk_account" violated\n  Detail: Key (id)=(7) already exists.\n'
        "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2675)\n"
    )
    trace = parse_trace(text)
    assert trace.root_cause.message.splitlines() == [
        "ERROR: duplicate key value",
        'ERROR: constraint "pk_account" violated',
        "  Detail: Key (id)=(7) already exists.",
    ]
    assert len(trace.frames) == 1


def test_logback_root_cause_first_wrapped_by() -> None:
    text = (
        "java.net.SocketTimeoutException: Read timed out\n"
        "\tat java.net.SocketInputStream.read(SocketInputStream.java:1)\n"
        "Wrapped by: java.sql.SQLException: I/O error\n\tat com.bank.Dao.load(Dao.java:9)\n"
    )
    trace = parse_trace(text)
    assert chain_classes(trace) == ["java.sql.SQLException", "java.net.SocketTimeoutException"]
    assert [exc.relation for exc in trace.chain] == ["top", "cause"]


def test_cause_line_with_nothing_before_it_starts_a_trace_and_prose_does_not() -> None:
    cut = parse_trace("Caused by: java.io.IOException: disk full\n\tat com.x.Disk.write(Disk.java:4)\n\t... 9 more\n")
    assert chain_classes(cut) == ["java.io.IOException"] and cut.chain[0].relation == "cause"
    prose = parse_log("Caused by: network outage upstream\nretrying later\n")
    assert len(prose) == 1 and prose[0].chain == []


def test_a_masked_exception_line_is_read_where_a_named_one_would_be() -> None:
    """A log whose names were hidden before it came (predict.py on a masked log) is read as the named log is: a
    masked name after prose on its line, or on a line without frames, still starts the exception. Before, the
    first read "unknown exception" with the whole line as message, and the second was no trace at all."""
    after_prose = ("2024-03-02 09:15:11,402 WARN Could not read setting [fee.mode] as [class a.FeeMode]. "
                   "Falling back to [FLAT]. java.lang.IllegalArgumentException: No fee mode named [TIERED2].\n"
                   "\tat com.acme.fees.FeeMode.parse(FeeMode.java:52)\n")
    masked = parse_trace(mask_exception_names(after_prose)).root_cause
    assert masked.class_name == "" and masked.message == "[EXC]: No fee mode named [TIERED2]."
    assert parse_trace(after_prose).root_cause.message == "No fee mode named [TIERED2]."
    at_end = ("2024-03-02 09:16:40,118 ERROR Could not flush journal ledgerJournal "
              "java.lang.NullPointerException\n\tat a.b.JournalWriter.flush(JournalWriter.java:77)\n")
    masked = parse_trace(mask_exception_names(at_end))
    assert masked.root_cause.message == "[EXC]" and masked.context == parse_trace(at_end).context
    assert masked.frames[0].qualified_method == "a.b.JournalWriter.flush"
    alone = parse_log(mask_exception_names("java.lang.OutOfMemoryError: GC overhead limit exceeded\n"))
    assert [t.root_cause.message for t in alone] == ["[EXC]: GC overhead limit exceeded"]
    # prose that only mentions a masked name is not an exception line, as with a named one
    assert parse_log("[EXC] occurred during execution\n")[0].chain == []


def test_masked_words_that_name_no_exception_start_no_trace() -> None:
    """Masking hides any ...Error / ...Exception word, so a masked name after prose or at a line's end starts an
    exception only with frames under it; `[EXC]: msg` starting the text is believed alone, as a named line is."""
    log = ("2024-01-01 10:00:00 INFO  [main] c.a.T - Running shouldThrowException\n"
           "2024-01-01 10:00:01 INFO  [main] c.a.T - Connection Error\n"
           "2024-01-01 10:00:02 ERROR [main] c.a.P - payment failed\n"
           "java.lang.IllegalStateException: closed\n\tat com.acme.Pay.run(Pay.java:1)\n")
    named, masked = parse_trace(log), parse_trace(mask_exception_names(log))
    assert named.root_cause.message == "closed" and masked.root_cause.message == "[EXC]: closed"
    assert masked.frames == named.frames and masked.context == named.context == ["payment failed"]


def test_a_masked_exception_line_ends_a_message_and_leads_a_root_cause_as_a_named_one() -> None:
    frames = "\tat a.B.c(B.java:1)\n"
    two = "java.lang.IllegalStateException: a\njava.io.IOException: b\n" + frames
    assert [t.root_cause.message for t in parse_log(two)] == ["a", "b"]
    assert [t.root_cause.message for t in parse_log(mask_exception_names(two))] == ["[EXC]: a", "[EXC]: b"]
    tomcat = ("2024-01-01 10:00:00 SEVERE [http-1] o.a.c.C - Servlet.service() threw exception [Request processing "
              "failed; nested exception is java.lang.IllegalStateException: boom] with root cause\n"
              "java.lang.IllegalStateException: boom\n" + frames)
    named, masked = parse_trace(tomcat), parse_trace(mask_exception_names(tomcat))
    assert masked.root_cause.message == "[EXC]: boom" and masked.start_line == named.start_line == 2
    cut = "Caused by: java.io.IOException: x\n" + frames  # a log cut at a cause line
    assert parse_trace(mask_exception_names(cut)).root_cause.message == "[EXC]: x"
    level = "2024-01-01 10:00:00 ERROR [main] java.io.IOException: x\n"  # no logger: the name follows the thread
    assert [t.root_cause.message for t in parse_log(mask_exception_names(level))] == ["[EXC]: x"]


def test_frames_without_exception_line_keep_the_line_before_as_message() -> None:
    trace = parse_trace("arrays first differed at element [0]\n\tat org.junit.Assert.fail(Assert.java:88)\n")
    assert trace.chain[0].class_name == "" and trace.chain[0].message == "arrays first differed at element [0]"
    assert trace.frames[0].qualified_method == "org.junit.Assert.fail"


def test_masked_exception_line_keeps_a_message_of_several_lines() -> None:
    """A name hidden by `mask_exception_names` leaves no class to read, but the message still starts on that line:
    before, only its last line was kept (a two-line Jackson message lost its first line)."""
    log = ("2024-01-01 10:00:00 ERROR [main] c.a.Svc - read failed\n"
           "com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException: Unrecognized field \"x\" (class a.Foo)\n"
           " at [Source: (String)\"{}\"; line: 1, column: 7]\n"
           "\tat com.a.Svc.read(Svc.java:10)\n")
    named, masked = parse_trace(log).root_cause, parse_trace(mask_exception_names(log)).root_cause
    assert masked.class_name == "" and masked.message == f"[EXC]: {named.message}"
    assert masked.message.splitlines()[0] == '[EXC]: Unrecognized field "x" (class a.Foo)'
    thread = parse_trace(mask_exception_names(log.replace("com.fasterxml", 'Exception in thread "main" com.fasterxml')))
    assert thread.root_cause.message.startswith('[EXC] in thread "main" [EXC]: Unrecognized field')
    assert thread.root_cause.message.endswith("column: 7]") and thread.context == ["read failed"]
    # another log record between the masked line and the frames ends its message, as it ends a named one's
    records = ("2024-01-01 10:00:00 ERROR [main] a.B - java.net.SocketTimeoutException: timeout\n"
               "2024-01-01 10:00:01 INFO [pool-2] c.D - retrying\n\tat com.acme.X.y(X.java:1)\n")
    assert [t.chain[0].message for t in parse_log(records)] == ["timeout", "retrying"]
    assert [t.chain[0].message for t in parse_log(mask_exception_names(records))] == ["[EXC]: timeout", "retrying"]
    # a name alone on its line, its message on the next ones
    alone = parse_trace("[EXC]\nsecond line\n\tat com.acme.X.y(X.java:1)\n").root_cause
    assert alone.message == "[EXC]\nsecond line"
    # text above an unnamed exception without the mask stays context: only the line before the frames is its message
    plain = parse_trace("some record\nexpected:<1> but was:<2>\n\tat org.junit.Assert.fail(Assert.java:88)\n")
    assert plain.chain[0].message == "expected:<1> but was:<2>" and plain.context == ["some record"]


def test_exception_named_at_the_start_of_a_message() -> None:
    wrapped = parse_trace(
        "java.util.concurrent.ExecutionException: java.net.ConnectException: refused\n\tat a.B.c(B.java:1)"
    )
    assert wrapped.root_cause.class_name == "java.util.concurrent.ExecutionException"  # no `Caused by:` line
    assert wrapped.root_cause.message_exception == "java.net.ConnectException"
    assert parse_trace("java.lang.IllegalStateException: Payment failed").root_cause.message_exception is None


def test_full_stack_restores_omitted_frames(trace_fixture) -> None:
    trace = parse_trace(trace_fixture("logback_spring_boot.log"))
    stack = trace.full_stack()
    assert [f.method for f in stack[:3]] == ["timedRead", "receiveChar", "pay"]
    assert stack[2:] == trace.chain[0].frames[-4:]
    assert trace.full_stack(0) == trace.chain[0].frames


# ------------------------------------------------------------------------------------------------ log prefixes


@pytest.mark.parametrize(
    ("record", "level", "logger", "thread"),
    [
        ("10:15:30.123 [main] ERROR c.b.App - Payment failed", "ERROR", "c.b.App", "main"),
        (
            "2024-03-01 10:15:30.123 ERROR [http-nio-8080-exec-1] c.b.p.PaymentService - Payment failed",
            "ERROR",
            "c.b.p.PaymentService",
            "http-nio-8080-exec-1",
        ),
        (
            "2024-03-01 10:15:30,123 ERROR [main] com.bank.App (App.java:42) - Payment failed",
            "ERROR",
            "com.bank.App",
            "main",
        ),
        ("[ERROR] 2024-03-01 10:15:30 Payment failed", "ERROR", None, None),
        (
            "2024-03-01T10:15:30.123+01:00 ERROR 4242 --- [myapp] [exec-1] c.b.App : Payment failed",
            "ERROR",
            "c.b.App",
            "exec-1",  # Spring Boot 3.2+ prints the application's name, then the thread
        ),
        (
            "2024-03-01T10:15:30.123Z ERROR 4242 --- [myapp] [    exec-1] [6f1c2a9e8b7d6c5a-1a2b3c4d5e6f7a8b] c.b.App : "
            "Payment failed",
            "ERROR",
            "c.b.App",
            "exec-1",
        ),
        (
            "2024-03-01T10:15:30.123Z ERROR 4242 --- [exec-1] [                                                 ] c.b.App "
            ": Payment failed",
            "ERROR",
            "c.b.App",
            "exec-1",
        ),
        ("2024-03-01 10:15:30.123 ERROR 4242 --- [nio-8080-exec-1] c.b.App : Payment failed", "ERROR", "c.b.App",
         "nio-8080-exec-1"),
        (
            "01-Mar-2024 10:15:30.123 SEVERE [main] org.apache.catalina.core.StandardService.start Payment failed",
            "SEVERE",
            "org.apache.catalina.core.StandardService.start",
            "main",
        ),
        ("[2024-03-01 10:15:30,123] ERROR Payment failed (kafka.server.ReplicaManager)", "ERROR", None, None),
        ("[main] ERROR com.bank.App - Payment failed", "ERROR", "com.bank.App", "main"),
        ("2024-03-01 10:15:30,123 main ERROR Payment failed", "ERROR", None, "main"),
    ],
)
def test_log_prefix_styles(record: str, level: str, logger: str | None, thread: str | None) -> None:
    text = f"{record}\njava.lang.IllegalStateException: boom\n\tat com.bank.App.pay(App.java:42)\n"
    (trace,) = parse_log(text)
    assert chain_classes(trace) == ["java.lang.IllegalStateException"]
    assert (trace.log_level, trace.logger, trace.thread) == (level, logger, thread)
    assert len(trace.context) == 1 and "Payment failed" in trace.context[0]
    assert trace.start_line == 2


def test_exception_named_in_a_log_message_and_prose_that_is_not(trace_fixture) -> None:
    traces = parse_log(trace_fixture("message_only.log"))
    assert [(t.start_line, chain_classes(t)) for t in traces] == [
        (1, ["java.net.SocketTimeoutException"]),
        (3, ["IllegalStateException"]),
    ]
    assert traces[0].root_cause.message == "Read timed out" and traces[0].context == ["Unexpected error:"]
    assert traces[1].root_cause.message is None and traces[1].log_level == "WARN"


def test_message_only_exception_ends_at_the_next_record() -> None:
    traces = parse_log("INFO starting\nWARN: retry after java.io.IOException: disk\nINFO done\n")
    assert [(t.start_line, t.end_line, t.root_cause.message) for t in traces] == [(2, 2, "disk")]
    assert traces[0].context == ["retry after"]


def test_junit5_multiple_failures_are_one_trace_whose_message_lists_them() -> None:
    """assertAll's MultipleFailuresError prints each failure as "\\t<class>: <message>" under its heading and then
    its own frames: one trace, not one per listed failure (the frames went to the last of them)."""
    failures = ("\torg.opentest4j.AssertionFailedError: expected: <COMPLETED> but was: <PENDING>\n"
                "\torg.opentest4j.AssertionFailedError: expected: <true> but was: <false>\n")
    frames = ("\tat org.junit.jupiter.api.AssertAll.assertAll(AssertAll.java:80)\n"
              "\tat com.acme.AccountFacadeTest.openAccountWorks(AccountFacadeTest.java:83)\n")
    log = "org.opentest4j.MultipleFailuresError: Multiple Failures (2 failures)\n" + failures + frames
    for text in (log, "2026-01-01 10:00:00 ERROR c.a.T - failed\n" + log,
                 "java.lang.IllegalStateException: setup\n\tat com.acme.Setup.run(Setup.java:9)\nCaused by: " + log):
        traces = parse_log(text)
        assert len(traces) == 1
        root = traces[0].root_cause
        assert root.class_name == "org.opentest4j.MultipleFailuresError"
        assert root.message.splitlines() == ["Multiple Failures (2 failures)", *failures.splitlines()]
        assert [frame.method for frame in root.frames] == ["assertAll", "openAccountWorks"]
    # a throwable line at the heading's own indentation still starts a trace of its own
    two = parse_log("java.io.IOException: disk\njava.lang.IllegalStateException: x\n" + frames)
    assert [chain_classes(trace) for trace in two] == [["java.io.IOException"], ["java.lang.IllegalStateException"]]


@pytest.mark.parametrize("text", [
    # Gradle: a one-line exception, task lines, then a failed test's trace indented (a review's counterexample)
    "> Task :app:run\njava.lang.IllegalStateException: config missing\n\n> Task :app:test\n\nFooTest > a() FAILED\n"
    "    java.lang.IllegalStateException: boom\n        at FooTest.a(FooTest.java:10)\n",
    # an exception named inside a message, then the child's own trace indented
    "2026-12-03 10:00:00.000 ERROR [main] c.a.X - child failed: java.lang.IllegalStateException: exit code 1\n"
    "    java.lang.IllegalStateException: boom\n        at FooTest.a(FooTest.java:10)\n",
    # the same after a deeper-indented one-line exception (a remembered scan must not decide for a shallower one)
    "\tjava.lang.IllegalStateException: a\nfailed: java.lang.IllegalStateException: b\n"
    "\tjava.lang.IllegalStateException: boom\n\tat FooTest.a(FooTest.java:10)\n",
    # RMI: the detail after "nested exception is:" is the cause, read as the trace with the frames, as before
    "java.rmi.ServerException: RemoteException occurred in server thread; nested exception is: \n"
    "\tjava.lang.IllegalStateException: boom\n\tat FooTest.a(FooTest.java:10)\n",
])
def test_an_indented_trace_after_a_one_line_exception_is_its_own(text: str) -> None:
    traces = parse_log(text)
    assert traces[-1].root_cause.message == "boom" and [frame.method for frame in traces[-1].frames] == ["a"]
    assert all(not trace.frames and "boom" not in (trace.root_cause.message or "") for trace in traces[:-1])


def test_no_trace_gives_one_empty_trace(trace_fixture) -> None:
    (trace,) = parse_log(trace_fixture("no_trace.log"))
    assert not trace.has_exception and trace.root_cause is None and trace.frames == []
    assert trace.context == ["Starting application", "Connected to database", "Slow query (1200 ms)"]


# ------------------------------------------------------------------------------------------------ robustness


@pytest.mark.parametrize("text", ["", "   \n\t\n  ", "\x00\x00", "\ufffd" * 50, "at", "Caused by:", "... 3 more"])
def test_degenerate_inputs(text: str) -> None:
    traces = parse_log(text)
    assert len(traces) >= 1 and all(isinstance(t, Trace) for t in traces)


def test_garbage_bytes_never_raise() -> None:
    rng = random.Random(7)
    alphabet = "\t\n\r .:;$()[]{}<>@/\\\"'-_aAbBjJ0123456789atCausedby"
    for _ in range(200):
        blob = rng.randbytes(rng.randint(0, 2000))
        parse_log(blob.decode("utf-8", errors="replace"))
        parse_log(blob.decode("latin-1"))
        parse_log("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))))
    assert parse_log(b"java.lang.IllegalStateException: \xff\xfe\n\tat a.B.c(B.java:1)")[0].frames  # bytes decode


def test_line_endings() -> None:
    crlf = "java.lang.IllegalStateException: boom\r\n\tat a.B.c(B.java:1)\r\n"
    old_mac = "java.lang.IllegalStateException: boom\r\tat a.B.c(B.java:1)\r"
    for text in (crlf, old_mac):
        trace = parse_trace(text)
        assert trace.root_cause.message == "boom" and trace.frames[0].line == 1


def test_json_escaped_trace_inside_a_log_line() -> None:
    line = (
        '{"level":"ERROR","message":"Payment failed","stack_trace":"java.lang.IllegalStateException: bad \\"state\\"'
        "\\n\\tat com.bank.App.pay(App.java:42)\\nCaused by: java.io.IOException: disk\\n\\tat com.bank.D.w(D.java:1)"
        '\\n\\t... 1 more\\n"}'
    )
    trace = parse_trace(line)
    assert chain_classes(trace) == ["java.lang.IllegalStateException", "java.io.IOException"]
    assert trace.chain[0].message == 'bad "state"' and trace.frames[0].line == 42
    assert "Payment failed" in trace.context[0]


def test_a_json_log_events_time_level_thread_and_logger_are_the_traces() -> None:
    # they were None: a JSON event has no log prefix, so grouping had no first or last seen for JSON logs
    escaped = ('{"@timestamp":"2026-11-30T10:00:01.123Z","level":"ERROR","thread_name":"exec-1","logger_name":'
               '"com.acme.Pay","message":"failed","stack_trace":"java.lang.IllegalStateException: x\\n\\tat '
               'a.B.c(B.java:1)\\n"}')
    structured = json.dumps({"@timestamp": "2026-11-30T10:00:02Z", "log.level": "warn", "threadName": "main",
                             "loggerName": "c.a.L", "thrown": {"name": "java.lang.IllegalStateException",
                                                               "message": "s", "extendedStackTrace": []}})
    fields = [(t.timestamp, t.log_level, t.thread, t.logger) for t in parse_log(escaped + "\n" + structured)]
    assert fields == [("2026-11-30T10:00:01.123Z", "ERROR", "exec-1", "com.acme.Pay"),
                      ("2026-11-30T10:00:02Z", "WARN", "main", "c.a.L")]
    # log4j2's instant is its time; a message quoting JSON is the message's (a review's case: it gave INFO)
    quoting = ('{"@timestamp":"2026-11-30T10:00:01.123Z","message":"Upstream replied {\\"level\\":\\"info\\",'
               '\\"time\\":\\"12ms\\"}","logger_name":"com.acme.Pay","thread_name":"exec-1","level":"ERROR",'
               '"stack_trace":"java.lang.IllegalStateException: x\\n\\tat a.B.c(B.java:1)\\n"}')
    instant = json.dumps({"instant": {"epochSecond": 1764496800, "nanoOfSecond": 250000000}, "level": "ERROR",
                          "thread": "main", "thrown": {"name": "java.lang.IllegalStateException",
                                                       "extendedStackTrace": []}})
    fields = [(t.timestamp, t.log_level, t.thread, t.logger) for t in parse_log(quoting + "\n" + instant)]
    assert fields == [("2026-11-30T10:00:01.123Z", "ERROR", "exec-1", "com.acme.Pay"),
                      ("2025-11-30T10:00:00.250Z", "ERROR", "main", None)]
    # JSON that is no event of this trace gives it nothing: in a message, on a context line, an event before a
    # stray trace printed to the same stream (each took that JSON's fields in a first version)
    for text in ['java.lang.AssertionError: expected {"time":"10ms","level":"error"} but was {}\n'
                 "\tat a.BTest.t(BTest.java:5)\n",
                 'Response body: {"timestamp":"2026-01-01T00:00:00.000+00:00","status":500}\n'
                 "java.lang.RuntimeException: 500\n\tat a.B.c(B.java:1)\n",
                 '{"@timestamp":"2026-01-01T00:00:00Z","level":"INFO","message":"ok"}\n'
                 "java.lang.IllegalStateException: stray\n\tat a.B.c(B.java:1)\n"]:
        trace = parse_trace(text)
        assert (trace.timestamp, trace.log_level, trace.thread, trace.logger) == (None, None, None, None), text
    # a plain record's prefix wins over a JSON body logged under it
    plain = ('2026-11-30 10:00:05.000 ERROR [exec-2] c.a.Pay - request failed\n{"level":"gold","time":"10ms"}\n'
             "java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)\n")
    trace = parse_trace(plain)
    assert (trace.timestamp, trace.log_level, trace.thread) == ("2026-11-30 10:00:05.000", "ERROR", "exec-2")


def test_log4j2_json_layouts_structured_trace_is_read_as_a_trace() -> None:
    # log4j2's JsonLayout (compact="true" eventEol="true"): the trace as an object; read as text before, no trace
    def element(cls: str, method: str, file: str | None, line: int) -> dict:
        return {"class": cls, "method": method, "file": file, "line": line, "exact": True, "location": "app.jar"}

    thrown = {"commonElementCount": 0, "localizedMessage": "post failed", "message": "post failed",
              "name": "java.lang.RuntimeException", "extendedStackTrace": [
                  element("com.bank.Ledger", "post", "Ledger.java", 14), element("com.bank.Api", "run", None, -1)],
              "suppressed": [{"name": "java.lang.IllegalStateException", "message": "close failed",
                              "extendedStackTrace": [element("com.bank.Res", "close", "Res.java", 3)]}],
              "cause": {"commonElementCount": 1, "name": "java.io.IOException", "message": "disk \"full\"",
                        "extendedStackTrace": [element("java.io.FileOutputStream", "writeBytes", None, -2)]}}
    event = {"instant": {"epochSecond": 1764496800}, "thread": "exec-3", "level": "ERROR", "loggerName": "c.b.L",
             "message": "Posting failed", "thrown": thrown, "endOfBatch": False}
    for line in (json.dumps(event), json.dumps(event, separators=(",", ":")),
                 "2026-11-30T10:00:00.000000000Z stderr F " + json.dumps(event)):  # a container runtime's prefix
        trace = parse_trace(line)
        assert chain_classes(trace) == ["java.lang.RuntimeException", "java.io.IOException"], line
        assert [(f.class_name, f.method, f.line) for f in trace.chain[0].frames] == [
            ("com.bank.Ledger", "post", 14), ("com.bank.Api", "run", None)]
        assert trace.root_cause.message == 'disk "full"' and trace.root_cause.frames[0].method == "writeBytes"
        assert [s.class_name for s in trace.chain[0].suppressed] == ["java.lang.IllegalStateException"]
    # a review's cases: a message cut inside an emoji (a lone surrogate no writer takes), `localizedMessage` alone
    # (and no frames), an event a shipper nested with a prefix holding '{', a trace string in another field, a
    # chain deeper than the JSON reader goes
    cut = {**event, "thrown": {**thrown, "message": "ledger \ud83d closed"}}
    assert parse_trace(json.dumps(cut)).chain[0].message == "ledger \ufffd closed"
    alone = {"name": "java.lang.IllegalStateException", "localizedMessage": "shut", "extendedStackTrace": []}
    assert parse_trace(json.dumps({"level": "ERROR", "thrown": alone})).root_cause.message == "shut"
    nested = "[{main}] " + json.dumps({"json": event, "host": {"name": "a"}}) + " tail"
    assert chain_classes(parse_trace(nested)) == ["java.lang.RuntimeException", "java.io.IOException"]
    both = json.dumps({**event, "stack_trace": "java.lang.IllegalArgumentException: x\n\tat a.B.c(B.java:1)\n"})
    assert [chain_classes(trace)[0] for trace in parse_log(both)] == [  # the line's own string, then the object's
        "java.lang.IllegalArgumentException", "java.lang.RuntimeException"]
    # ... and a second review's: a space after the event's brace, `suppressed` not a list, a null `message`
    spaced = "{ " + json.dumps(event)[1:]
    assert chain_classes(parse_trace(spaced)) == ["java.lang.RuntimeException", "java.io.IOException"]
    odd = {**alone, "message": None, "suppressed": 5, "extendedStackTrace": [element("a.B", "c", "B.java", 1)]}
    assert parse_trace(json.dumps({"thrown": odd})).root_cause.message == "shut"
    link = '{"name":"java.lang.Error","extendedStackTrace":[]'
    deep_line = '{"thrown":' + (link + ',"cause":') * 1200 + link + "}" * 1202
    assert decode_inline_traces(deep_line) == deep_line  # left as it is, no RecursionError
    # a line that is no JSON, an event without a structured trace, and a pretty-printed event are left as they are
    for text in ('{"extendedStackTrace":[ not json', '{"level":"INFO","extendedStackTrace":[]}',
                 json.dumps(event, indent=2)):
        assert decode_inline_traces(text) == text


def test_many_traces_and_one_megabyte_in_linear_time(trace_fixture) -> None:
    block = trace_fixture("logback_spring_boot.log") + trace_fixture("suppressed.txt")
    big = block * (1_000_000 // len(block) + 1)
    started = time.perf_counter()
    traces = parse_log(big)
    elapsed = time.perf_counter() - started
    copies = big.count("Payment failed for order")
    assert len(traces) == 4 * copies
    # ~0.25 s on one free core; the bound leaves room for a loaded CI machine.
    assert elapsed < 3.0, f"1 MB took {elapsed:.2f} s"
    for pathological in ("a." * 500_000, "com.bank.Foo: x\n" * 60_000, "\n" * 1_000_000, "at a.b(" * 150_000):
        started = time.perf_counter()
        parse_log(pathological)
        assert time.perf_counter() - started < 3.0


def test_context_lines_are_truncated() -> None:
    (trace,) = parse_log("x" * 5000 + "\n" + "\n".join(f"line {i}" for i in range(500)))
    assert len(trace.context) == 50 and len(trace.context[0]) == 500


# ------------------------------------------------------------------------------------------------ library frames


def test_library_classes() -> None:
    for name in (
        "java.util.ArrayList",
        "jdk.internal.reflect.NativeMethodAccessorImpl",
        "org.junit.Assert",
        "org.springframework.web.servlet.DispatcherServlet",
        "com.zaxxer.hikari.pool.HikariPool",
        "com.bank.Service$$EnhancerBySpringCGLIB$$1a2b",
        "com.bank.Foo$$Lambda$12/0x0000000800c0b440",
        "jdk.proxy2.$Proxy12",
    ):
        assert is_library_class(name), name
    assert not is_library_class("com.bank.payments.PaymentService")
    assert not is_library_class("javafoo.Bar")  # prefixes end with "."
    assert is_library_class("com.bank.platform.Retry", extra_prefixes=["com.bank.platform."])
    text = "java.lang.IllegalStateException: x\n\tat com.bank.platform.Retry.run(Retry.java:5)"
    assert parse_trace(text, extra_library_prefixes="com.bank.platform.").frames[0].is_library  # one prefix as str


def test_extra_library_prefixes_when_parsing() -> None:
    text = (
        "java.lang.IllegalStateException: x\n"
        "\tat com.bank.platform.Retry.run(Retry.java:5)\n\tat com.bank.App.m(App.java:1)"
    )
    assert [f.is_library for f in parse_trace(text).frames] == [False, False]
    assert [f.is_library for f in parse_trace(text, extra_library_prefixes=["com.bank.platform."]).frames] == [
        True,
        False,
    ]
    traces = parse_log(text)
    mark_library_frames(traces, ["com.bank."])
    assert [f.is_library for f in traces[0].frames] == [True, True]


# ------------------------------------------------------------------------------------------------ real traces


def test_dev_set_root_cause_agreement(dev_set_rows: list[dict]) -> None:
    """Root cause, top exception and chain against the dev set's own annotations (real Bugs.jar traces).

    The annotations come from a simpler reader; the few rows where it and the parser differ are its misses
    (e.g. `SAXParseException; lineNumber: ...` lines, causes of suppressed exceptions counted in the main chain).
    """
    rows = [row for row in dev_set_rows if row.get("root_exception")]
    root_hits = top_hits = chain_hits = 0
    for row in rows:
        trace = parse_trace(row["log"])
        classes = chain_classes(trace)
        root_hits += trace.root_cause is not None and trace.root_cause.class_name == row["root_exception"]
        top_hits += bool(classes) and classes[0] == row["top_exception"]
        chain_hits += classes == [row["top_exception"], *row["caused_by"]]
    assert root_hits / len(rows) >= 0.995, f"root cause agreement {root_hits}/{len(rows)}"
    assert top_hits / len(rows) >= 0.995, f"top exception agreement {top_hits}/{len(rows)}"
    assert chain_hits / len(rows) >= 0.99, f"chain agreement {chain_hits}/{len(rows)}"


def test_dev_set_each_log_is_one_trace(dev_set_rows: list[dict]) -> None:
    """Each dev-set log holds one trace: the parser must neither split it nor stop before its last line."""
    whole = 0
    for row in dev_set_rows:
        traces = parse_log(row["log"])
        whole += len(traces) == 1 and traces[0].end_line == len(row["log"].rstrip("\n").split("\n"))
    assert whole / len(dev_set_rows) >= 0.99, f"{whole}/{len(dev_set_rows)} logs read as one whole trace"


_COLLECTED_TRACE = """java.lang.IllegalStateException: outer failure
\tat com.acme.web.Controller.handle(Controller.java:10)
\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)
Caused by: java.sql.SQLException: Connection is closed
\tat com.zaxxer.hikari.pool.ProxyConnection.checkClosed(ProxyConnection.java:515)
\tat com.acme.repo.UserRepo.find(UserRepo.java:44)
\t... 2 more"""


@pytest.mark.parametrize(
    "prefix",
    [
        lambda i: f"2024-03-01T10:15:00.{i * 7:03d}Z stderr F ",  # CRI (containerd, CRI-O) log files
        lambda i: "[pod/api-7d9f8/api] ",  # kubectl logs --prefix
        lambda i: f"Mar  1 10:15:{i:02d} host-{i % 2} java[1234]: ",  # syslog / journald export
        lambda i: "api-1  | ",  # docker compose logs
        lambda i: "    [junit] ",  # Ant's <junit> task: the task's name, indented, on every line it prints
        lambda i: "     [java] ",  # Ant's <java> task
    ],
)
def test_collector_prefix_on_every_line(prefix) -> None:
    # These logs once parsed as a header-only trace: every frame line hid behind the collector's prefix.
    text = "\n".join(prefix(i) + line for i, line in enumerate(_COLLECTED_TRACE.splitlines()))
    text += "\n" + prefix(99) + "INFO request done"
    (trace,) = parse_log(text)
    assert chain_classes(trace) == ["java.lang.IllegalStateException", "java.sql.SQLException"]
    assert trace.root_cause.message == "Connection is closed"
    assert [f.qualified_method for f in trace.root_cause.frames][-1] == "com.acme.repo.UserRepo.find"
    assert len(trace.root_cause.frames) == 2 and trace.root_cause.omitted_frames == 2


def test_ant_junit_task_output(trace_fixture) -> None:
    # Ant prints each task's output as `    [junit] ` + the line. The prefix starts with blanks, so it was not learned:
    # the first failure read every later line as its message, frames and the second failure included, and had no
    # frame at all (no location).
    first, second = parse_log(trace_fixture("ant_junit_plain.log"))
    assert first.root_cause.message == "expected:<37> but was:<36>"
    assert [frame.method for frame in first.root_cause.frames] == ["testResolveWithRetainingArtifactName", "run"]
    assert chain_classes(second) == ["java.lang.IllegalArgumentException", "java.text.ParseException"]
    assert second.root_cause.message == "Unparseable range: [1.0,2.0)" and second.root_cause.omitted_frames == 3
    assert locate(second).qualified_method == "org.apache.ivy.plugins.version.VersionRangeMatcher.doParse"


_FOLDABLE = """java.lang.IllegalStateException: Transfer 8812 already settled
\tat com.acme.ledger.TransferService.settle(TransferService.java:142) ~[ledger.jar:1.4]
\tat com.acme.ledger.api.TransferController.post(TransferController.java:58) ~[ledger.jar:1.4]
\tSuppressed: java.io.IOException: audit log closed
\t\tat com.acme.ledger.Audit.write(Audit.java:12) ~[ledger.jar:1.4]
\t\t... 2 common frames omitted
Caused by: java.sql.SQLIntegrityConstraintViolationException: Duplicate entry '8812' for key 'PRIMARY'
\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeUpdate(ClientPreparedStatement.java:1061) ~[mysql.jar:8.0]
\tat com.acme.ledger.repo.TransferRepo.insert(TransferRepo.java:77) ~[ledger.jar:1.4]
\t... 2 common frames omitted"""


def _reading(trace) -> list:
    return [(exc.class_name, exc.message, [f.qualified_method for f in exc.frames], exc.omitted_frames,
             [(inner.class_name, [f.qualified_method for f in inner.frames]) for inner in exc.suppressed])
            for exc in trace.chain]


@pytest.mark.parametrize("separator", [" ", " | ", "\u2028", "|"])
def test_a_trace_folded_onto_one_line_reads_as_written(separator: str) -> None:
    # A logging pattern that keeps one event per line (logback's `%replace(%ex){'[\r\n]+', ' '}`, or `' | '`, or a
    # line separator) folds the trace: the whole of it was the first exception's message, with no frame and no cause.
    record = "2026-12-07 10:00:00.123 ERROR [exec-1] c.a.l.TransferController - settle failed "
    folded = record + separator.join(_FOLDABLE.split("\n")) + "\n2026-12-07 10:00:01.000 INFO [main] c.a.App - ok"
    (trace,) = parse_log(folded)
    assert _reading(trace) == _reading(parse_trace(_FOLDABLE))
    assert trace.log_level == "ERROR" and trace.root_cause.message == "Duplicate entry '8812' for key 'PRIMARY'"
    assert len(_reading(trace)[0][4][0][1]) == 1  # the suppressed exception's frame stays its own


@pytest.mark.parametrize(("record", "header"), [
    ("retry at Scheduler.tick(5s) gave up", "java.lang.IllegalStateException: outer"),
    ("failed", "java.lang.IllegalStateException: gave up at Scheduler.tick(5s)"),
    ("failed", "java.lang.IllegalStateException: queue full, dropped ... 3 messages"),
])
def test_a_folded_trace_is_unfolded_from_its_exception_on(record: str, header: str) -> None:
    # a review's counterexamples to the first version: it broke the line at every `at x(` and `... N word`, the
    # record's message too, and the exception was lost (or its message cut)
    lines = [header, "\tat com.acme.Queue.put(Queue.java:10)", "Caused by: java.io.IOException: disk",
             "\tat com.acme.Disk.write(Disk.java:3)", "\tat com.acme.Queue.put(Queue.java:9)", "\t... 1 more"]
    prefix = f"2024-01-01 10:00:00 ERROR [main] c.a.web.GlobalExceptionHandler - {record}"  # a logger named so
    (folded,) = parse_log(f"{prefix} " + " | ".join(line.strip() for line in lines))
    (written,) = parse_log("\n".join([prefix, *lines]))
    assert _reading(folded) == _reading(written)
    assert [exc.class_name for exc in folded.chain] == ["java.lang.IllegalStateException", "java.io.IOException"]


def test_frames_named_in_prose_are_not_unfolded() -> None:
    for line in ("WARN slow call at com.acme.Job.run(Job.java:3) then at com.acme.Job.retry(Job.java:9)",
                 "WARN retry failed at com.acme.Job.run(Job.java:3)", "INFO started (pid 12) at boot"):
        assert decode_inline_traces(line) == line


def test_a_circular_reference_line_is_part_of_its_trace() -> None:
    # `Throwable.printStackTrace` marks a cause already printed as `[CIRCULAR REFERENCE: <it>]`: it read as a second
    # trace of that exception (message `disk gone]`, no frame), counted and grouped as a failure of its own
    text = ("java.lang.RuntimeException: outer\n\tat com.acme.A.run(A.java:10)\n"
            "Caused by: java.io.IOException: disk gone\n\tat com.acme.B.write(B.java:20)\n\t... 1 more\n"
            "\tSuppressed: java.lang.IllegalStateException: close failed\n\t\tat com.acme.B.close(B.java:30)\n"
            "\t\t... 2 more\n\t[CIRCULAR REFERENCE: java.io.IOException: disk gone]\n"
            "2026-12-07 10:00:01 INFO [main] c.a.App - next\n")
    (trace,) = parse_log(text)
    assert chain_classes(trace) == ["java.lang.RuntimeException", "java.io.IOException"]
    assert trace.end_line == 9 and trace.text.endswith("[CIRCULAR REFERENCE: java.io.IOException: disk gone]")
    assert parse_log("INFO [CIRCULAR REFERENCE: java.io.IOException: x] seen\n")[0].chain == []  # alone: no trace
    # JDK 17+ prints it after the caption; and after an exception with no frames it is no part of its message
    jdk17 = ("java.lang.RuntimeException: outer\n\tat com.acme.A.run(A.java:10)\n"
             "Caused by: io.grpc.StatusRuntimeException: UNAVAILABLE\n"
             "Caused by: [CIRCULAR REFERENCE: java.lang.RuntimeException: outer]\n")
    (trace,) = parse_log(jdk17)
    assert chain_classes(trace) == ["java.lang.RuntimeException", "io.grpc.StatusRuntimeException"]
    assert trace.root_cause.message == "UNAVAILABLE"


@pytest.mark.parametrize("name", ["", "logs/app.log"])
def test_grep_output_reads_as_the_trace_it_shows(name: str) -> None:
    # `grep -n -A9 Exception app.log` (`-H`: with the file's name) glues `N:` / `N-` to every line: frames keep
    # their tab, so the prefix was learned there, but `Caused by:` and `... N more` start right after it and were
    # kept as text, so the cause read as a second trace
    def numbered(number: int, line: str) -> str:
        matched = "Exception" in line
        separator = ":" if matched else "-"
        return (f"{name}{separator}" if name else "") + f"{number + 41}{separator}{line}"

    grep = "\n".join(numbered(number, line) for number, line in enumerate(_COLLECTED_TRACE.splitlines()))
    (trace,) = parse_log(grep)
    assert chain_classes(trace) == ["java.lang.IllegalStateException", "java.sql.SQLException"]
    # `grep -A9 ERROR`: the record matched, the exception line is a context line (a second review's counterexample)
    record = (f"{name}:" if name else "") + "40:2024-01-01 10:00:00 ERROR [main] c.a.Job - failed\n"
    context = "\n".join((f"{name}-" if name else "") + f"{number + 41}-{line}"
                         for number, line in enumerate(_COLLECTED_TRACE.splitlines()))
    (trace,) = [trace for trace in parse_log(record + context) if trace.chain]
    assert chain_classes(trace) == ["java.lang.IllegalStateException", "java.sql.SQLException"]
    assert trace.root_cause.message == "Connection is closed" and trace.root_cause.omitted_frames == 2


def test_prefix_stripping_leaves_ordinary_logs_alone(trace_fixture) -> None:
    for name in ("logback_spring_boot.log", "log4j2_every_line.log"):
        text = trace_fixture(name)
        assert strip_repeated_line_prefixes(text) == text
    one_mention = "WARN retry failed at com.acme.Job.run(Job.java:3)\njava.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)"
    assert strip_repeated_line_prefixes(one_mention) == one_mention  # one prefixed line is not a pattern


def test_frameless_exception_behind_kubectl_timestamps() -> None:
    stamped = (
        "2024-03-01T10:15:00.100000000Z 2024-03-01 10:14:59.900  WARN 1 --- [main] c.a.Client : Failed to connect\n"
        "2024-03-01T10:15:00.200000000Z io.netty.channel.unix.Errors$NativeIoException: recvAddress(..) failed: "
        "Connection reset by peer"
    )
    (trace,) = parse_log(stamped)
    assert trace.root_cause.class_name == "io.netty.channel.unix.Errors$NativeIoException"
    events = "2024-03-01T10:15:00Z INFO started\n2024-03-01T10:15:01Z WARN slow request"
    assert strip_repeated_line_prefixes(events) == events  # stamped log events without an exception stay as written


# ------------------------------------------------------------------------------------------------ thread dumps


def test_thread_dump_threads_with_states_locks_and_frames(trace_fixture) -> None:
    traces = parse_log(trace_fixture("thread_dump_deadlock.txt"))
    threads = [trace for trace in traces if trace.kind == "thread"]
    # each thread is one record: its lock lines no longer cut it in two (they read as text before)
    assert [(t.thread, t.thread_state) for t in threads] == [
        ("main", "TIMED_WAITING (sleeping)"),
        ("transfer-1", "BLOCKED (on object monitor)"),
        ("transfer-2", "BLOCKED (on object monitor)"),
        ("audit-writer", "WAITING (on object monitor)"),
    ]
    assert len(traces) == len(threads)  # "VM Thread" (no frames), JNI refs, the JVM's own deadlock report: text
    transfer = threads[1]
    assert [frame.method for frame in transfer.frames] == ["transfer", "run", "runWorker", "run"]
    assert [(lock.action, lock.address, lock.class_name, lock.frame_index) for lock in transfer.locks] == [
        ("waiting to lock", "0x000000076ab62208", "com.bank.ledger.Account", 0),
        ("locked", "0x000000076ab62218", "com.bank.ledger.Account", 0),
        # `jstack -l`'s "Locked ownable synchronizers:" block after the frames belongs to the thread too
        ("owns", "0x000000076ab70000", "java.util.concurrent.ThreadPoolExecutor$Worker", -1),
    ]
    assert not transfer.has_exception and transfer.root_cause is not None  # frames live in chain[0]
    assert (transfer.start_line, transfer.end_line) == (10, 20)


def test_find_deadlocks_follows_who_waits_for_whose_lock(trace_fixture) -> None:
    traces = parse_log(trace_fixture("thread_dump_deadlock.txt"))
    [cycle] = find_deadlocks(traces)
    assert [thread.thread for thread in cycle] == ["transfer-1", "transfer-2"]
    # without transfer-2 nobody holds what transfer-1 waits for; audit-writer's `waiting on` released its monitor
    assert find_deadlocks([t for t in traces if t.thread != "transfer-2"]) == []
    three = "\n\n".join(
        f'"t{i}" #{i} prio=5 tid=0x{i} nid=0x{i} waiting for monitor entry\n'
        f"   java.lang.Thread.State: BLOCKED (on object monitor)\n"
        f"\tat a.B.m{i}(B.java:{i})\n"
        f"\t- waiting to lock <0x{(i + 1) % 3}> (a a.L)\n"
        f"\t- locked <0x{i}> (a a.L)\n"
        for i in range(3)
    )
    [cycle] = find_deadlocks(parse_log(three))
    assert [thread.thread for thread in cycle] == ["t0", "t1", "t2"]


def thread_dump_digest(traces: list[Trace]) -> dict:
    """What a golden file pins of a parsed thread dump: each thread's name, state, lines, frames and locks, and the
    deadlock cycles."""
    threads = [trace for trace in traces if trace.kind == "thread"]
    return {
        "threads": [
            {
                "name": t.thread,
                "state": t.thread_state,
                "virtual": t.virtual_thread,
                "lines": [t.start_line, t.end_line],
                "frames": [f"{f.class_name}.{f.method}:{f.line}" for f in t.frames],
                "modules": sorted({f.module for f in t.frames if f.module}),
                "locks": [[lock.action, lock.address, lock.class_name, lock.frame_index] for lock in t.locks],
            }
            for t in threads
        ],
        "other_traces": len(traces) - len(threads),
        "deadlocks": [[t.thread for t in cycle] for cycle in find_deadlocks(traces)],
    }


@pytest.mark.parametrize(
    "name",
    [
        # JDK 21 `jstack -l`: `#31 [31790]` headers, a carrier's `Carrying virtual thread #34` instead of a state,
        # and two threads deadlocked on ReentrantLocks (parked on the sync each other lists as an ownable
        # synchronizer), repeated by the JVM under "Java stack information for the threads listed above"
        "jdk21_jstack_reentrantlock_deadlock.txt",
        # JDK 21 `jcmd <pid> Thread.dump_to_file`: `#29 "" virtual` headers and frames without `at `
        "jdk21_thread_dump_to_file.txt",
    ],
)
def test_jdk21_thread_dumps_match_their_golden_files(trace_fixture, name: str) -> None:
    golden = json.loads(trace_fixture(name.replace(".txt", ".golden.json")))
    assert thread_dump_digest(parse_log(trace_fixture(name))) == golden


def test_reentrant_lock_deadlock_is_found() -> None:
    # Before: `parking to wait for` a ReentrantLock's sync had no holder (the `Locked ownable synchronizers:` block
    # was text after the thread), so find_deadlocks gave [].
    def thread(name: str, waits: str, owns: str) -> str:
        return (f'"{name}" #1 prio=5 os_prio=0 tid=0x1 nid=0x1 waiting on condition  [0x0]\n'
                "   java.lang.Thread.State: WAITING (parking)\n"
                "\tat jdk.internal.misc.Unsafe.park(java.base@17.0.9/Native Method)\n"
                f"\t- parking to wait for  <{waits}> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)\n"
                "\tat com.acme.Ledger.move(Ledger.java:9)\n\n"
                "   Locked ownable synchronizers:\n"
                f"\t- <{owns}> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)\n\n")

    traces = parse_log(thread("a", "0x2", "0x1") + thread("b", "0x1", "0x2") + thread("c", "0x1", "0x3"))
    [cycle] = find_deadlocks(traces)
    assert [t.thread for t in cycle] == ["a", "b"]  # c waits for a's lock too, but nobody waits for c
    assert [lock.action for lock in traces[0].locks] == ["parking to wait for", "owns"]
    # a `Condition.await()` parks on a ConditionObject, which no thread owns: no deadlock
    waiting = parse_log(thread("d", "0x9", "0x8").replace("ReentrantLock$NonfairSync)\n\tat", "AbstractQueued"
                                                            "Synchronizer$ConditionObject)\n\tat"))
    assert find_deadlocks(waiting) == []


def test_byte_order_mark_before_the_trace() -> None:
    # Before: the BOM stuck to the first line, which then read as no exception line (exception_fqcn empty).
    for text in ("\ufeffjava.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)\n",
                 "\ufeff2024-03-01 10:15:30.123 ERROR [main] c.b.App - failed\njava.lang.IllegalStateException: boom\n"
                 "\tat a.B.c(B.java:1)\n",
                 b"\xef\xbb\xbfjava.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)\n"):
        (trace,) = parse_log(text)
        assert chain_classes(trace) == ["java.lang.IllegalStateException"] and trace.root_cause.message == "boom"


def test_lock_lines_inside_an_exception_trace_do_not_split_it() -> None:
    text = ("java.lang.IllegalStateException: stuck\n"
            "\tat com.acme.A.f(A.java:1)\n"
            "\t- locked <0x1> (a com.acme.A)\n"
            "\tat com.acme.B.g(B.java:2)\n")
    [trace] = parse_log(text)
    assert trace.kind == "exception" and [frame.method for frame in trace.frames] == ["f", "g"]
    assert [lock.action for lock in trace.locks] == ["locked"]


# ------------------------------------------------------------------------------------------------ gaps of real logs


def test_elided_lines_do_not_cut_the_cause_chain(trace_fixture) -> None:
    # A `...` or `[...]` line (someone shortened the paste) once ended the trace: each `Caused by:` after it became
    # a trace of its own and the first trace's root cause was its top exception.
    (trace,) = parse_log(trace_fixture("elided_frames.log"))
    assert chain_classes(trace) == [
        "java.lang.IllegalStateException",
        "java.io.UncheckedIOException",
        "java.nio.charset.MalformedInputException",
    ]
    assert trace.root_cause.message == "Input length = 1" and trace.root_cause.omitted_frames == 2
    assert [len(exc.frames) for exc in trace.chain] == [2, 1, 2]
    assert (trace.start_line, trace.end_line) == (2, 12) and trace.context == ["Order import failed"]
    assert "[...]" in trace.text


@pytest.mark.parametrize("gap", ["...", "[...]", "\t...", "\n...\n", "…"])
def test_elided_line_shapes_between_frames_and_cause(gap: str) -> None:
    text = f"java.lang.IllegalStateException: outer\n\tat com.x.A.a(A.java:1)\n{gap}\nCaused by: java.io.IOException: disk\n\tat com.x.B.b(B.java:2)\n"
    (trace,) = parse_log(text)
    assert chain_classes(trace) == ["java.lang.IllegalStateException", "java.io.IOException"]


def test_elided_line_not_followed_by_a_trace_line_ends_the_trace() -> None:
    traces = parse_log("java.lang.IllegalStateException: x\n\tat com.x.A.a(A.java:1)\n...\nall done\n")
    assert len(traces) == 1 and traces[0].end_line == 2


@pytest.mark.parametrize(
    ("text", "classes", "message"),
    [
        ("class com.x.FooException: bad input\n\tat com.x.A.a(A.java:1)", ["com.x.FooException"], "bad input"),
        ("class com.x.FooException: bad input", ["com.x.FooException"], "bad input"),
        # A class without a telltale suffix still needs frames.
        ("class com.x.RuleViolation: limit\n\tat com.x.A.a(A.java:1)", ["com.x.RuleViolation"], "limit"),
        (
            "java.lang.RuntimeException: wrapped\n\tat com.x.A.a(A.java:1)\n"
            "Caused by: class com.x.FooException: bad input\n\t... 1 more",
            ["java.lang.RuntimeException", "com.x.FooException"],
            "bad input",
        ),
    ],
)
def test_class_tostring_form_names_the_exception(text: str, classes: list[str], message: str) -> None:
    # `e.getClass() + ": " + e.getMessage()` logs "class com.x.FooException: ..."; the word `class` is no name.
    (trace,) = parse_log(text)
    assert chain_classes(trace) == classes
    assert trace.root_cause.message == message and trace.context == []


def test_class_tostring_form_inside_a_log_message() -> None:
    (trace,) = parse_log("2026-01-05 10:00:00.000 ERROR [main] c.x.App - Import failed: class com.x.FooException: bad\n")
    assert chain_classes(trace) == ["com.x.FooException"] and trace.root_cause.message == "bad"
    assert trace.context == ["Import failed:"] and trace.logger == "c.x.App"


def test_elasticsearch_nested_one_line_chain(trace_fixture) -> None:
    (trace,) = parse_log(trace_fixture("elasticsearch_nested.log"))
    assert chain_classes(trace) == ["RemoteTransportException", "MapperParsingException", "NumberFormatException"]
    assert [exc.message for exc in trace.chain] == [
        "[es-node-3][10.0.4.12:9300][indices:data/write/bulk[s][p]]",
        "failed to parse field [price] of type [float]",
        'For input string: "12,50"',
    ]
    assert [exc.relation for exc in trace.chain] == ["top", "cause", "cause"]
    assert trace.root_cause.class_name == "NumberFormatException"
    assert (trace.start_line, trace.end_line) == (2, 2)
    assert trace.context[0].endswith("failed to execute bulk item (index) index {[catalog][_doc][sku-77]}")


@pytest.mark.parametrize(
    ("line", "classes", "root_message", "context"),
    [
        (  # the brief's shape, in a log message after other text
            'failed: RemoteTransportException[[node][127.0.0.1:9300][indices:data/write]]; nested: IllegalArgumentException[failed to parse [field]]; nested: NumberFormatException[For input string: "abc"];',
            ["RemoteTransportException", "IllegalArgumentException", "NumberFormatException"],
            'For input string: "abc"',
            ["failed:"],
        ),
        (  # a cause without a message prints no brackets; a fully qualified first exception keeps its ": "
            "org.elasticsearch.transport.RemoteTransportException: [n1][local]; nested: NullPointerException; ",
            ["org.elasticsearch.transport.RemoteTransportException", "NullPointerException"],
            None,
            [],
        ),
    ],
)
def test_elasticsearch_nested_line_shapes(line: str, classes: list[str], root_message: str | None, context) -> None:
    (trace,) = parse_log(line)
    assert chain_classes(trace) == classes
    assert trace.root_cause.message == root_message and trace.context == context


def test_elasticsearch_nested_header_with_caused_by_lines_keeps_the_printed_chain() -> None:
    # ES 2.x prints the summary as the first line of a full trace; the `Caused by:` lines then give each cause once.
    text = (
        "RemoteTransportException[[n1][local]]; nested: IndexNotFoundException[no such index];\n"
        "\tat org.elasticsearch.transport.TransportService.sendRequest(TransportService.java:1)\n"
        "Caused by: IndexNotFoundException[no such index]\n"
        "\tat org.elasticsearch.cluster.metadata.Resolver.resolve(Resolver.java:2)\n"
    )
    (trace,) = parse_log(text)
    assert chain_classes(trace) == ["RemoteTransportException", "IndexNotFoundException"]
    assert trace.root_cause.message == "no such index" and len(trace.root_cause.frames) == 1


def test_spring_with_root_cause_header_is_the_context_of_one_trace(trace_fixture) -> None:
    (trace,) = parse_log(trace_fixture("spring_with_root_cause.log"))
    assert chain_classes(trace) == ["java.lang.IllegalStateException"]
    assert trace.root_cause.message == "Cart 310 is already checked out" and len(trace.frames) == 3
    assert trace.context == [
        "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request "
        "processing failed; nested exception is java.lang.IllegalStateException: Cart 310 is already checked out] "
        "with root cause"
    ]
    assert (trace.log_level, trace.logger, trace.start_line, trace.end_line) == (
        "ERROR", "o.a.c.c.C.[.[.[/].[dispatcherServlet]", 3, 6)


def test_spring_with_root_cause_header_alone_is_still_a_trace() -> None:
    line = ("2026-02-10 09:31:07.004 ERROR 1 --- [exec-9] o.a.c.c.C.[.[.[/].[dispatcherServlet] : Servlet.service() "
            "for servlet [dispatcherServlet] threw exception [Request processing failed: java.lang.IllegalStateException:"
            " boom] with root cause\n2026-02-10 09:31:08.000 INFO 1 --- [exec-9] c.x.App : next\n")
    (trace,) = parse_log(line)
    assert chain_classes(trace) == ["java.lang.IllegalStateException"] and trace.root_cause.message == "boom"


@pytest.mark.parametrize("frames", ["", "\tat com.x.A.a(A.java:1)\n"])
@pytest.mark.parametrize("level_part", ["ERROR", "ERROR [main]", "[ERROR]"])
def test_timestamp_and_level_then_the_exception(frames: str, level_part: str) -> None:
    # The exception's class name was once read as the logger name (the `: ` after it looked like a separator).
    (trace,) = parse_log(f"2026-11-30 12:00:00 {level_part} java.lang.IllegalStateException: message\n{frames}")
    assert chain_classes(trace) == ["java.lang.IllegalStateException"]
    assert trace.root_cause.message == "message" and len(trace.frames) == (1 if frames else 0)
    assert trace.log_level == "ERROR" and trace.logger is None and trace.timestamp == "2026-11-30 12:00:00"


def test_simple_exception_name_after_the_level_is_not_a_logger() -> None:
    (trace,) = parse_log("2026-11-30 12:00:00 WARN IllegalStateException: message\n")
    assert chain_classes(trace) == ["IllegalStateException"] and trace.logger is None


def test_nested_prose_is_not_an_elasticsearch_chain() -> None:
    (trace,) = parse_log("Loaded options; nested: True; flat: False\n")
    assert trace.chain == []
    (wrapper,) = parse_log("SearchPhaseExecutionException[all shards failed]; nested: NotSerializableExceptionWrapper[boom];")
    assert chain_classes(wrapper) == ["SearchPhaseExecutionException", "NotSerializableExceptionWrapper"]


def test_a_throwable_in_a_non_ascii_exceptions_package_is_read_inside_a_log_message() -> None:
    # The package test ignores case as `re` folds it (`ı` is `i`): the ASCII-only shortcut must not skip such lines.
    (trace,) = parse_log("2026-11-30 10:00:00 ERROR [main] c.a.Job - run failed: com.x.exceptıon.Stale: bad row\n"
                         "\tat com.a.Job.run(Job.java:12)\n")
    assert trace.root_cause is not None and trace.root_cause.class_name == "com.x.exceptıon.Stale"


def test_a_masked_frame_is_a_frame_not_words_of_the_message() -> None:
    """Masking hides a method named like a throwable together with its class (`FilterParser.syntaxError`); the
    line left, `at [EXC](FilterParser.java:88)`, was glued to the message above it and the stack lost its top frame.
    It is a frame, unreadable: shown to the model as `[EXC]`, never a place to look."""
    log = ("java.text.ParseException: Filter: amount >> 5; expected: <value>\n"
           "\tat com.acme.q.FilterParser.syntaxError(FilterParser.java:88)\n"
           "\tat com.acme.q.FilterParser.read(FilterParser.java:41)\n")
    named, masked = parse_trace(log), parse_trace(mask_exception_names(log))
    assert masked.root_cause.message == "[EXC]: Filter: amount >> 5; expected: <value>"
    assert len(masked.frames) == len(named.frames) == 2
    top = masked.frames[0]
    assert top.masked and top.is_library and (top.file, top.line) == ("FilterParser.java", 88)
    assert masked.frames[1] == named.frames[1] and not named.frames[0].masked
    # JDK 9+ writes the module first: still a masked frame, not class `java`, method `base/[EXC]`
    modular = parse_trace(mask_exception_names(log.replace("\tat com.acme.q.FilterParser.syntaxError",
                                                           "\tat java.base/com.acme.q.FilterParser.syntaxError")))
    assert modular.frames[0].masked and modular.frames[0].module == "java.base"
    # words of a message that only look like one stay words, as the named log reads them
    prose = ("java.lang.IllegalStateException: validation failed\n  at ValidationError(field=name, reason=blank)\n"
             "\tat com.acme.Validator.check(Validator.java:12)\n")
    assert parse_trace(mask_exception_names(prose)).root_cause.message.endswith("at [EXC](field=name, reason=blank)")
    assert len(parse_trace(mask_exception_names(prose)).frames) == 1
    # a class hidden alone keeps its readable method, as before: not a masked frame
    clinit = parse_trace(mask_exception_names("java.lang.ExceptionInInitializerError\n"
                                              "\tat a.b.T$AlwaysThrowsError.<clinit>(T.java:5)\n"))
    assert clinit.frames[0].method == "<clinit>" and not clinit.frames[0].masked


def test_a_message_of_hundreds_of_lines_stays_one_exception() -> None:
    # a validation error listing every field: at 200 lines the message was cut, and its frames made a second,
    # headless trace (typed by a model and explained as if it were a failure of its own)
    listing = "\n".join(f"  field{number}: must not be blank" for number in range(500))
    log = (f"2026-11-30 12:00:00,000 ERROR [main] com.acme.App - failed\n"
           f"java.lang.IllegalArgumentException: validation failed\n{listing}\n"
           "\tat com.acme.Validator.check(Validator.java:10)\n\tat com.acme.App.run(App.java:5)\n")
    traces = [trace for trace in parse_log(log) if trace.has_exception]
    assert len(traces) == 1
    root = traces[0].root_cause
    assert root.class_name == "java.lang.IllegalArgumentException" and len(root.frames) == 2
    assert root.message.count("must not be blank") == 500


def _dump(threads: list[tuple[str, str | None, str | None]], stamp: str) -> str:
    """A `jstack` dump: its time and header, then each (name, lock it waits to lock or None, lock it holds or None)."""
    lines = [stamp, "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode, sharing):", ""]
    for number, (name, waits, holds) in enumerate(threads, start=1):
        state = "BLOCKED (on object monitor)" if waits else "RUNNABLE"
        lines += [f'"{name}" #{number} prio=5 os_prio=0 tid=0x{number} nid=0x{number} runnable  [0x0]',
                  f"   java.lang.Thread.State: {state}", f"\tat com.acme.Ledger.move{number}(Ledger.java:{number})"]
        lines += [f"\t- waiting to lock <{waits}> (a com.acme.Account)"] if waits else []
        lines += [f"\t- locked <{holds}> (a com.acme.Account)"] if holds else []
        lines += ["\tat java.lang.Thread.run(Thread.java:833)", ""]
    return "\n".join(lines) + "\n"


def test_deadlocks_are_found_within_each_dump_of_a_file_of_several() -> None:
    # Ops take three dumps some seconds apart and keep them in one file. Before: a lock's holder was its first
    # holder in the whole text, so a deadlock that formed after the first dump (whose locks an earlier dump showed
    # held, by a thread going about its work) pointed into the earlier dump and was missed.
    calm = _dump([("transfer-1", None, "0xA"), ("transfer-2", None, None)], "2026-11-30 12:00:00")
    stuck = _dump([("transfer-1", "0xB", "0xA"), ("transfer-2", "0xA", "0xB")], "2026-11-30 12:00:10")
    traces = parse_log(calm + stuck + stuck.replace("12:00:10", "12:00:20"))
    assert [t.dump for t in traces] == [1, 1, 2, 2, 3, 3]
    cycles = find_deadlocks(traces)
    assert [[(t.thread, t.dump) for t in cycle] for cycle in cycles] == [
        [("transfer-1", 2), ("transfer-2", 2)], [("transfer-1", 3), ("transfer-2", 3)]]
    # and threads of different dumps never make one: each dump here has one thread waiting, for the other's lock
    # of the other dump
    half = _dump([("transfer-1", "0xB", "0xA"), ("transfer-2", None, None)], "2026-11-30 12:00:00")
    other_half = _dump([("transfer-1", None, None), ("transfer-2", "0xA", "0xB")], "2026-11-30 12:00:10")
    assert find_deadlocks(parse_log(half + other_half)) == []
    # a line that only names the words is no dump's header: a thread so named, a wrapper's line about a dump
    one = stuck.replace('"transfer-2"', '"Full thread dump uploader" #9 prio=5 tid=0x9 nid=0x9 runnable\n'
                        "   java.lang.Thread.State: RUNNABLE\n\tat com.acme.Up.load(Up.java:1)\n\n"
                        "INFO | wrapper | Full thread dump requested (SIGQUIT)\n\n"
                        '"transfer-2"')
    assert [[t.thread for t in cycle] for cycle in find_deadlocks(parse_log(one))] == [["transfer-1", "transfer-2"]]


def test_jul_and_tomcat_records_in_a_korean_locale_give_their_level_time_thread_and_logger() -> None:
    # A JVM in a Korean locale writes JUL's and Tomcat's level names in Korean (`심각`, `정보`) and JUL's month and
    # half-day so (`12월`, `오후`): the records gave no level, time, thread or logger before 2026-12-07 evening
    trace = "java.lang.IllegalStateException: closed\n\tat com.acme.Pool.get(Pool.java:40)\n"
    tomcat = ("07-Dec-2026 22:00:05.123 심각 [http-nio-8080-exec-1] org.apache.catalina.core.StandardWrapperValve"
              ".invoke 서블릿 [dispatcher]의 Servlet.service() 호출이 예외를 발생시켰습니다.\n")
    jul = "12월 07, 2026 10:00:05 오후 org.apache.catalina.core.StandardContext listenerStart\n심각: 리스너 시작 실패\n"
    read = [(t.log_level, t.timestamp, t.thread, t.logger) for t in parse_log(tomcat + trace + jul + trace)]
    assert read == [("SEVERE", "07-Dec-2026 22:00:05.123", "http-nio-8080-exec-1",
                     "org.apache.catalina.core.StandardWrapperValve.invoke"),
                    ("SEVERE", "12월 07, 2026 10:00:05 오후", None, "org.apache.catalina.core.StandardContext")]
    # a Korean word that names a level is no level as a line's first word without JUL's colon (a message's line)
    (trace_with_message,) = parse_log("java.lang.IllegalStateException: 잔액 부족\n정보 조회 실패\n"
                                      "\tat com.acme.Pool.get(Pool.java:40)\n")
    assert trace_with_message.root_cause.message == "잔액 부족\n정보 조회 실패"


def test_a_weblogic_records_severity_subsystem_and_thread_are_read() -> None:
    # `####<time> <Error> <HTTP> <host> <server> <thread> ...`: the record gave a time only before 2026-12-07 evening;
    # the message after the last field's `<` is the trace's context
    record = ("####<Dec 7, 2026 10:00:05,123 PM KST> <Error> <HTTP> <host01> <AdminServer> <[ACTIVE] ExecuteThread:"
              " '0' for queue: 'weblogic.kernel.Default (self-tuning)'> <<WLS Kernel>> <> <> <1796637600123> "
              "<BEA-101020> <[ServletContext@452|application=ledger] Servlet failed with an Exception\n")
    (trace,) = parse_log(record + "java.lang.IllegalStateException: closed\n\tat com.acme.Pool.get(Pool.java:40)\n>\n")
    assert (trace.log_level, trace.thread, trace.logger) == (
        "ERROR", "[ACTIVE] ExecuteThread: '0' for queue: 'weblogic.kernel.Default (self-tuning)'", "HTTP")
    assert trace.context == ["[ServletContext@452|application=ledger] Servlet failed with an Exception"]
    assert trace.timestamp == "Dec 7, 2026 10:00:05,123 PM KST" and trace.root_cause.message == "closed"


GRADLE_SHORT = """> Task :ledger:test

com.acme.ledger.LedgerTest > postsTransfer() FAILED
    java.lang.IllegalStateException at LedgerTest.java:25
        Caused by: java.io.IOException at LedgerTest.java:25
            Caused by: java.nio.file.AccessDeniedException at Journal.java:17

com.acme.ledger.LedgerTest > rejectsNegative() FAILED
    org.opentest4j.AssertionFailedError at LedgerTest.java:30

2 tests completed, 2 failed
"""


def test_gradles_short_report_of_failed_tests_is_read_as_their_traces() -> None:
    # Gradle's default console report (exceptionFormat SHORT): the first line was read as an exception whose message,
    # ` at LedgerTest.java:25`, went on through the causes and the next test's lines; one trace, no frame
    first, second = parse_log(GRADLE_SHORT)
    assert [(e.class_name, e.message, e.relation, [(f.class_name, f.method, f.file, f.line) for f in e.frames])
            for e in first.chain] == [
        ("java.lang.IllegalStateException", None, "top", [("", "", "LedgerTest.java", 25)]),
        ("java.io.IOException", None, "cause", [("", "", "LedgerTest.java", 25)]),
        ("java.nio.file.AccessDeniedException", None, "cause", [("", "", "Journal.java", 17)])]
    assert (first.start_line, first.end_line, first.context) == (4, 6, ["> Task :ledger:test",
                                                                         "com.acme.ledger.LedgerTest > postsTransfer() FAILED"])
    assert second.root_cause.class_name == "org.opentest4j.AssertionFailedError" and second.end_line == 9
    # the frame shows a file and line, no class or method: the location says no more (it printed "(.)")
    location = locate(first).frame
    assert location.qualified_method == "" and frame_location(location) in ("LedgerTest.java:25", "Journal.java:17")
    slots, _ = trace_slots(first, location)
    assert slots["where"] == frame_location(location) and "method" not in slots and "class" not in slots
    # such frames are told apart by their file and line: two failures were one group ("same top application frame
    # '.'") and a trace's frames one candidate (a review's counterexample)
    from utils.locate.scoring import rank_frames
    from utils.pipeline.grouping import group_key

    other = parse_log(GRADLE_SHORT.replace("Journal.java:17", "Ledger.java:99"))[0]
    assert group_key(first).id != group_key(other).id and "Journal.java:17" in group_key(first).reason
    assert {ranked.frame.place for ranked in rank_frames(first, None, None, ())} == {"LedgerTest.java:25",
                                                                                     "Journal.java:17"}
    # a line that only looks so stays what it was: no throwable, a logged sentence, an exception with a message
    for text in ("    com.acme.Ledger at Ledger.java:42\n", "Retrying java.lang.IllegalStateException at Ledger.java:42\n",
                 "java.lang.IllegalStateException: closed at Ledger.java:42\n"):
        assert all(not e.frames for trace in parse_log(text) for e in trace.chain), text


WEBSPHERE = """[12/7/26 10:00:00:123 KST] 00000045 ServletWrappe E   com.ibm.ws.webcontainer.servlet.ServletWrapper service \
SRVE0068E: An exception was thrown by one of the service methods of the servlet [dispatcher]
[12/7/26 10:00:00:125 KST] 00000045 SystemErr     R java.lang.IllegalStateException: ledger closed
[12/7/26 10:00:00:125 KST] 00000045 SystemErr     R \tat com.acme.ledger.Ledger.post(Ledger.java:42)
[12/7/26 10:00:00:126 KST] 00000045 SystemErr     R Caused by: java.io.IOException: disk full
[12/7/26 10:00:00:126 KST] 00000045 SystemErr     R \tat com.acme.ledger.Journal.append(Journal.java:17)
[12/7/26 10:00:00:126 KST] 00000045 SystemErr     R \t... 1 more
[12/7/26 10:05:00:000 KST] 00000046 SystemOut     O heartbeat
"""


def test_websphere_and_jboss_records_give_their_time_level_thread_and_logger() -> None:
    # IBM WebSphere's SystemOut.log and JBoss / WildFly's server.log (Korean banks' application servers): WebSphere's
    # prefix was stripped as a collector's (no time), JBoss's category read as the thread and its message id as the
    # logger, and its `[stderr] (thread)` lines' prefix stripped too
    from utils.pipeline.grouping import parse_timestamp

    (was,) = parse_log(WEBSPHERE)
    assert (was.log_level, was.timestamp, was.thread, was.logger) == (
        "ERROR", "12/7/26 10:00:00:125 KST", "00000045", "SystemErr")  # the level of the record it follows
    assert was.context == ["com.ibm.ws.webcontainer.servlet.ServletWrapper service SRVE0068E: An exception was "
                           "thrown by one of the service methods of the servlet [dispatcher]"]
    assert [e.class_name for e in was.chain] == ["java.lang.IllegalStateException", "java.io.IOException"]
    korean = "\n".join(line.replace("12/7/26 10", "26. 12. 7   10") for line in WEBSPHERE.split("\n")[2:])
    (alone,) = parse_log(korean)  # printStackTrace alone, in a Korean locale's stamp: its own time, no level
    assert (alone.log_level, alone.thread, str(parse_timestamp(alone.timestamp))) == (
        None, "00000045", "2026-12-07 10:00:00.125000")
    jboss = ("2026-12-07 10:00:01,456 ERROR [io.undertow.request] (default task-1) UT005023: Exception handling "
             "request to /ledger/post: java.lang.IllegalStateException: ledger closed\n"
             "\tat com.acme.ledger.Ledger.post(Ledger.java:42)\n"
             "2026-12-07 10:00:02,000 ERROR [stderr] (default task-1) java.lang.IllegalStateException: x\n"
             "2026-12-07 10:00:02,001 ERROR [stderr] (default task-1) \tat com.acme.Ledger.post(Ledger.java:42)\n")
    read = [(t.log_level, t.timestamp, t.thread, t.logger, t.context) for t in parse_log(jboss)]
    assert read == [("ERROR", "2026-12-07 10:00:01,456", "default task-1", "io.undertow.request",
                     ["UT005023: Exception handling request to /ledger/post:"]),
                    ("ERROR", "2026-12-07 10:00:02,000", "default task-1", "stderr", [])]


def test_interleaved_threads_stamped_on_every_line_never_take_each_others_lines() -> None:
    # two threads printing through WebSphere's System.err at once: their lines interleave, and the second thread's
    # NullPointerException took the first's frame and `Caused by:`, a root cause it never had (a review's case). A
    # line of another thread ends a trace; the pieces after it are read as traces cut short (reading on past it
    # put traces together, but a streamed log's regions end where a trace seems to: the two disagreed)
    lines = [("4a", "java.lang.IllegalStateException: x"), ("4a", "\tat a.B.c(B.java:1)"),
             ("4b", "java.lang.NullPointerException"), ("4a", "\tat a.B.d(B.java:2)"), ("4b", "\tat z.Y.x(Y.java:9)"),
             ("4a", "Caused by: java.io.IOException: y"), ("4a", "\tat a.C.e(C.java:3)")]
    text = "".join(f"[12/7/26 10:00:00:124 KST] 000000{thread} SystemErr     R {body}\n" for thread, body in lines)
    read = [(t.thread, t.start_line, t.end_line, [(e.class_name, [f.method for f in e.frames]) for e in t.chain])
            for t in parse_log(text)]
    assert read == [("0000004a", 1, 2, [("java.lang.IllegalStateException", ["c"])]),
                    ("0000004b", 3, 3, [("java.lang.NullPointerException", [])]), ("0000004a", 4, 4, [("", ["d"])]),
                    ("0000004b", 5, 5, [("", ["x"])]), ("0000004a", 6, 7, [("java.io.IOException", ["e"])])]
    # frames of one thread right after another thread's line: not that line's exception (a second review's case)
    frames = [("4b", "processing request 7"), ("4a", "\tat com.bank.A.b(A.java:2)"), ("4a", "\tat com.bank.A.c(A.java:3)")]
    text = "".join(f"[12/7/26 10:00:00:124 KST] 000000{thread} WebContainer  I {body}\n" for thread, body in frames)
    assert [(t.thread, t.chain[0].message, [f.method for f in t.frames]) for t in parse_log(text) if t.chain] == [
        ("0000004a", None, ["b", "c"])]
    # a record of another thread between a stamped exception line and frames without a stamp ends that exception,
    # as it did: the frames are the other record's
    records = ("2024-01-01 10:00:00 ERROR [main] a.B - java.net.SocketTimeoutException: timeout\n"
               "2024-01-01 10:00:01 INFO [pool-2] c.D - retrying\n\tat com.acme.X.y(X.java:1)\n")
    assert [(t.chain[0].message, len(t.frames)) for t in parse_log(records)] == [("timeout", 0), ("retrying", 1)]


def test_a_weblogic_12c_records_supplemental_attributes_are_passed() -> None:
    # WebLogic 12.2.1+ writes `<[severity-value: 8] [rid: 0] ...>` before the message id: no field was read
    record = ("####<Dec 7, 2026 10:00:00,123 AM KST> <Error> <HTTP> <host1> <AdminServer> <[ACTIVE] ExecuteThread: "
              "'0' for queue: 'weblogic.kernel.Default (self-tuning)'> <<WLS Kernel>> <> <9a8d1f5d-000003> "
              "<1796637600123> <[severity-value: 8] [rid: 0] [partition-id: 0] [partition-name: DOMAIN] > "
              "<BEA-101020> <Servlet failed with an Exception\njava.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)\n")
    (trace,) = parse_log(record)
    assert (trace.log_level, trace.logger, trace.context) == ("ERROR", "HTTP", ["Servlet failed with an Exception"])


def test_korean_level_words_in_messages_and_log4j_parentheses_stay_what_they_were() -> None:
    # a review's counterexamples: `경고` / `정보` are everyday words, and `[thread] (Class:42)` is log4j's, not JBoss's
    warned = ("2026-12-07 10:00:05.123 ERROR [main] c.b.OrderService - 주문 실패: java.lang.IllegalStateException: 재고 "
              "오류\n경고: 수량이 음수입니다 (id=42)\n\tat c.b.OrderService.place(OrderService.java:10)\n")
    (trace,) = parse_log(warned)
    assert trace.root_cause.message == "재고 오류\n경고: 수량이 음수입니다 (id=42)" and len(trace.frames) == 1
    member = "2026-12-07 10:00:05 [main] 회원 정보 조회 실패\njava.lang.IllegalStateException: x\n\tat c.b.M.f(M.java:1)\n"
    (trace,) = parse_log(member)
    assert (trace.log_level, trace.context) == (None, ["회원 정보 조회 실패"])
    for where in ("(OrderService:42)", "(OrderService.place:42)", "(OrderService)", "(?:?)"):
        (trace,) = parse_log(f"2026-12-07 10:00:05,123 ERROR [exec-1] {where} - Order failed\n"
                             "java.lang.IllegalStateException: x\n\tat c.b.M.f(M.java:1)\n")
        assert trace.thread == "exec-1", where


def test_a_json_events_trace_is_its_own_and_a_message_naming_it_is_its_context() -> None:
    # a review's cases (older than 2026-12-07 evening): the trace of an event right after a plain record took that
    # record's level and time; an exception named in the event's `message` took the event's other fields as its
    # message (`x", "stack_trace": "java.lang.X: x`), and so did a record naming the exception its trace follows
    trace_text = "java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)\n"
    event = {"@timestamp": "2026-12-07T10:00:05Z", "level": "WARN", "thread_name": "t2", "message": "failed",
             "stack_trace": trace_text}
    (trace,) = parse_log("2026-12-07 10:00:00.000 ERROR [main] c.a.App - plain record\n" + json.dumps(event) + "\n")
    assert (trace.log_level, trace.timestamp, trace.thread) == ("WARN", "2026-12-07T10:00:05Z", "t2")
    assert trace.context == [json.dumps({key: value for key, value in event.items() if key != "stack_trace"})]
    naming = {**event, "message": "failed: java.lang.IllegalStateException: x"}
    gelf = {"short_message": "failed: java.lang.IllegalStateException: x", "level": 3, "timestamp": 1796637600.5,
            "full_message": "failed: java.lang.IllegalStateException: x\n" + trace_text}  # logback-gelf's way
    plain = "2026-12-07 10:00:00.000 ERROR [main] c.a.App - failed: " + trace_text.split("\n")[0] + "\n" + trace_text
    for text in (json.dumps(naming), json.dumps(gelf), plain):
        (trace,) = parse_log(text + "\n")
        assert [(e.class_name, e.message, len(e.frames)) for e in trace.chain] == [
            ("java.lang.IllegalStateException", "x", 1)], text
        assert trace.start_line == (2 if text is plain else 1) and trace.log_level in ("WARN", "ERROR"), text


def test_a_record_naming_an_exception_is_context_only_of_its_own_trace() -> None:
    # a second review's cases: a JSON event whose message names another class than its trace's top one gave a second,
    # frameless trace (`disk full"}`); a failure of one thread or event with no trace of its own was dropped when
    # another thread's or event's trace of the same class followed; a JSON body inside a logback record gave the
    # trace the body's time and level
    trace = ("java.lang.RuntimeException: java.io.IOException: disk full\n\tat com.bank.A.a(A.java:1)\n"
             "Caused by: java.io.IOException: disk full\n\tat com.bank.B.b(B.java:2)\n\t... 1 more\n")
    event = {"@timestamp": "2024-01-01T10:00:02.000Z", "level": "ERROR", "thread_name": "exec-2",
             "message": "failed: java.io.IOException: disk full", "stack_trace": trace}
    ecs = {"@timestamp": "2024-01-01T10:00:01.000Z", "log.level": "ERROR", "message": "request failed",
           "error.message": "java.io.IOException: disk full", "error.stack_trace": trace}
    read = [(t.start_line, [e.class_name for e in t.chain]) for t in parse_log(json.dumps(event) + "\n"
                                                                                + json.dumps(ecs) + "\n")]
    assert read == [(1, ["java.lang.RuntimeException", "java.io.IOException"]),
                    (2, ["java.lang.RuntimeException", "java.io.IOException"])]
    named = "posting failed: java.lang.IllegalStateException: ledger closed"
    other = "java.lang.IllegalStateException: account locked"
    websphere = (f"[12/7/26 10:00:00:123 KST] 0000004a LedgerServic E   {named}\n"
                 f"[12/7/26 10:00:00:124 KST] 0000004b SystemErr     R {other}\n"
                 "[12/7/26 10:00:00:124 KST] 0000004b SystemErr     R \tat com.bank.Account.debit(Account.java:55)\n")
    logback = (f"2024-01-01 10:00:00.123 ERROR [exec-1] com.bank.Ledger - {named}\n"
               f"2024-01-01 10:00:00.124 ERROR [exec-2] com.bank.Account - {other}\n"
               "2024-01-01 10:00:00.124 ERROR [exec-2] com.bank.Account - \tat com.bank.Account.debit(Account.java:55)\n")
    json_log = (json.dumps({"level": "WARN", "message": f"retry: {other}"}) + "\n" + json.dumps(
        {"level": "ERROR", "message": f"gave up: {other}", "stack_trace": other + "\n\tat com.bank.A.a(A.java:1)\n"}))
    for text in (websphere, logback, json_log):
        assert [len(t.frames) for t in parse_log(text)] == [0, 1], text
    body = ('2024-01-01 10:00:00.123 ERROR [exec-1] com.bank.Client - ledger call failed: {"timestamp":"2024-01-01T09:'
            '59:59.000+00:00","status":500,"trace":"java.lang.IllegalStateException: ledger closed\\n\\tat com.bank.'
            'Ledger.post(Ledger.java:42)\\n","path":"/api/post"}\n')
    (trace,) = parse_log(body)
    assert (trace.log_level, trace.thread, trace.timestamp) == ("ERROR", "exec-1", "2024-01-01 10:00:00.123")


@pytest.mark.parametrize(("line", "fields"), [
    ("2012-05-14 10:00:00,123 ERROR [STDERR] (http-127.0.0.1-8080-1) java.lang.NullPointerException: npe",
     ("ERROR", "http-127.0.0.1-8080-1", "STDERR")),  # JBoss 4-6
    ("10:00:01,123 ERROR [org.jboss.as.ejb3.invocation] (http-/0.0.0.0:8080-1) JBAS014134: EJB Invocation failed: "
     "javax.ejb.EJBException: boom", ("ERROR", "http-/0.0.0.0:8080-1", "org.jboss.as.ejb3.invocation")),  # EAP 6
])
def test_older_jboss_records_give_their_thread_and_category(line: str, fields: tuple[str, str, str]) -> None:
    (trace,) = parse_log(line + "\n\tat com.bank.Api.get(Api.java:10)\n")
    assert (trace.log_level, trace.thread, trace.logger) == fields


def test_an_exception_named_in_a_json_events_message_reads_its_message_from_that_field() -> None:
    # older than 2026-12-07 evening (a review's case): an event with no trace whose message names an exception gave a
    # trace whose message ran on through the event's other fields (`Read timed out"}`), without its time or level
    event = {"@timestamp": "2024-01-01T10:00:00Z", "level": "WARN", "thread_name": "exec-1",
             "message": "retrying after java.net.SocketTimeoutException: Read timed out", "attempt": 2}
    (trace,) = parse_log(json.dumps(event) + "\n" + json.dumps({"level": "INFO", "message": "ok"}) + "\n")
    assert [(e.class_name, e.message) for e in trace.chain] == [("java.net.SocketTimeoutException", "Read timed out")]
    assert (trace.log_level, trace.timestamp, trace.thread, trace.context) == (
        "WARN", "2024-01-01T10:00:00Z", "exec-1", ["retrying after"])
