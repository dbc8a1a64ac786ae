"""The JVM-evidence rules: a root cause whose name is unreadable is typed by what the JVM and the JDK show of it
(utils/jvm_evidence.py): its throw site, a message the JDK writes, recursion, no message outside the JDK."""

from __future__ import annotations

import re

import numpy as np
import pytest

from utils.inputs import mask_exception_names
from utils.jvm_evidence import (
    JDK_MESSAGE,
    NULL_CHECK,
    RECURSION,
    RECURSION_REPEATS,
    RULED_OUT,
    THROW_SITE,
    evidence,
    load_jdk_messages,
    load_throw_sites,
    load_thrower_signs,
    ruled_out,
    thrown_at,
)
from utils.labels import load_label_set
from utils.parsing.log_sources import LogDocument
from utils.parsing.stacktrace import parse_trace
from utils.pipeline.analyze import Analyzer, AnalyzerOptions

REQUIRE_NON_NULL = (
    "java.lang.NullPointerException: order id\n"
    "\tat java.util.Objects.requireNonNull(Objects.java:233)\n"
    "\tat com.acme.pay.OrderService.place(OrderService.java:41)\n"
)


def masked(log: str) -> object:
    return evidence(parse_trace(mask_exception_names(log)))


def test_every_entry_is_a_jdk_or_check_library_method_and_a_class_the_label_set_reads() -> None:
    labels = load_label_set()
    method = re.compile(
        r"^(?:java|javax|jdk|sun|com\.google\.common\.(?:base|collect)|org\.apache\.commons\.lang3?|"
        r"org\.springframework\.util|org\.postgresql|org\.apache\.hadoop\.mapred|"
        r"org\.junit|junit|org\.testng)"
        r"\.[\w$.]+\.[\w$<>]+$"
    )
    for site, thrown in load_throw_sites().items():
        assert method.match(site), site
        assert re.match(r"^[\w.]+\.[A-Z]\w*$", thrown), thrown
        assert labels.to_label(thrown) in labels.names
    for pattern, thrown in load_jdk_messages():
        assert labels.to_label(thrown) not in (labels.other, None), (pattern.pattern, thrown)


def test_masking_leaves_every_throw_site_readable_but_three_that_serve_logs_without_a_name() -> None:
    # A frame whose class or method ends like a throwable (`...Exception.from`, `_constructError`) is hidden by
    # masking, so its entry would only serve a log whose name is missing, not masked: only these three are kept so.
    hidden = {site for site in load_throw_sites()
              if mask_exception_names(f"\tat {site}(A.java:1)") != f"\tat {site}(A.java:1)"}
    assert hidden == {
        "java.util.concurrent.locks.ReentrantReadWriteLock$Sync.unmatchedUnlockException",
        "java.lang.NumberFormatException.forInputString",
        "java.time.format.DateTimeFormatter.createError",
    }


def test_a_masked_root_cause_is_typed_by_its_throw_site_and_a_readable_name_wins() -> None:
    assert thrown_at(parse_trace(mask_exception_names(REQUIRE_NON_NULL))) == "java.lang.NullPointerException"
    assert (
        thrown_at(parse_trace(REQUIRE_NON_NULL.replace("java.util.Objects.requireNonNull", "com.acme.Checks.notNull")))
        is None
    )
    analyzer = Analyzer(AnalyzerOptions(no_model=True))
    result = analyzer.analyze([LogDocument("masked", "masked", mask_exception_names(REQUIRE_NON_NULL))])[0]
    assert (result.label, result.decided_by) == ("NullPointerException", THROW_SITE)
    # a readable name is the parser's, whatever the frame says
    renamed = REQUIRE_NON_NULL.replace("java.lang.NullPointerException", "java.lang.IllegalStateException")
    readable = analyzer.analyze([LogDocument("readable", "readable", renamed)])[0]
    assert (readable.label, readable.decided_by) == ("IllegalStateException", "parser")
    assert evidence(parse_trace(renamed)) is None


@pytest.mark.parametrize(
    ("top", "thrown"),
    [
        ("org.springframework.util.Assert.notNull(Assert.java:201)", "java.lang.IllegalArgumentException"),
        ("org.springframework.util.Assert.state(Assert.java:97)", "java.lang.IllegalStateException"),
        ("org.springframework.util.Assert.instanceCheckFailed(Assert.java:702)", "java.lang.IllegalArgumentException"),
        ("org.apache.commons.lang.Validate.notNull(Validate.java:192)", "java.lang.IllegalArgumentException"),
        ("org.apache.commons.lang3.Validate.notNull(Validate.java:225)", "java.lang.NullPointerException"),
        ("java.util.AbstractQueue.add(AbstractQueue.java:98)", "java.lang.IllegalStateException"),
        ("java.util.ArrayDeque.getFirst(ArrayDeque.java:402)", "java.util.NoSuchElementException"),
        ("java.util.AbstractList$Itr.next(AbstractList.java:364)", "java.util.NoSuchElementException"),
        ("java.util.concurrent.ConcurrentHashMap.get(ConcurrentHashMap.java:936)", "java.lang.NullPointerException"),
        ("java.util.concurrent.ThreadPoolExecutor.execute(ThreadPoolExecutor.java:1330)",
         "java.lang.NullPointerException"),
        ("java.util.ArrayList.elementData(ArrayList.java:422)", "java.lang.ArrayIndexOutOfBoundsException"),
        ("java.lang.String.substring(String.java:1931)", "java.lang.StringIndexOutOfBoundsException"),
        ("java.util.Collections$UnmodifiableList.set(Collections.java:1311)",
         "java.lang.UnsupportedOperationException"),
        ("java.util.Base64$Decoder.decode0(Base64.java:714)", "java.lang.IllegalArgumentException"),
        ("java.sql.DriverManager.getConnection(DriverManager.java:689)", "java.sql.SQLException"),
        ("org.apache.commons.lang3.Validate.inclusiveBetween(Validate.java:1029)", "java.lang.IllegalArgumentException"),
        ("com.google.common.base.Absent.get(Absent.java:47)", "java.lang.IllegalStateException"),
        ("com.google.common.collect.ImmutableCollection.add(ImmutableCollection.java:244)",
         "java.lang.UnsupportedOperationException"),
        ("com.google.common.collect.ImmutableMap.checkNoConflict(ImmutableMap.java:150)",
         "java.lang.IllegalArgumentException"),
        ("org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2553)",
         "org.postgresql.util.PSQLException"),
        ("org.apache.hadoop.mapred.JobClient.runJob(JobClient.java:1265)", "java.io.IOException"),
    ],
)
def test_a_masked_root_thrown_by_a_jdk_method_or_a_librarys_check_is_typed_by_its_top_frame(
        top: str, thrown: str) -> None:
    log = f"{thrown}: settlement batch 12 refused\n\tat {top}\n\tat com.acme.settle.Batch.run(Batch.java:77)\n"
    found = masked(log)
    assert found is not None and (found.class_name, found.rule) == (thrown, THROW_SITE)


@pytest.mark.parametrize(
    ("top", "thrown"),
    [
        ("java.util.concurrent.locks.ReentrantReadWriteLock$Sync.unmatchedUnlockException("
         "ReentrantReadWriteLock.java:444)", "java.lang.IllegalMonitorStateException"),
    ],
)
def test_an_unheld_lock_released_is_a_throw_site(top: str, thrown: str) -> None:
    # The exception line is missing (a log cut above it): masking would also hide a frame whose method ends in
    # Exception, as it hides every dotted name ending in a suffix.
    found = evidence(parse_trace(f"Stream Closed\n\tat {top}\n\tat com.acme.Out.flush(Out.java:12)\n"))
    assert found is not None and (found.class_name, found.rule) == (thrown, THROW_SITE)


@pytest.mark.parametrize(
    ("message", "thrown"),
    [
        ("Given final block not properly padded. Such issues can arise if a bad key is used during decryption.",
         "javax.crypto.BadPaddingException"),
        ("Input length must be multiple of 16 when decrypting with padded cipher",
         "javax.crypto.IllegalBlockSizeException"),
        ("Tag mismatch!", "javax.crypto.AEADBadTagException"),
        ("Illegal key size or default parameters", "java.security.InvalidKeyException"),
        ("Remote host terminated the handshake", "javax.net.ssl.SSLHandshakeException"),
        ("SSL peer shut down incorrectly", "java.io.EOFException"),
        ("unable to find valid certification path to requested target",
         "sun.security.provider.certpath.SunCertPathBuilderException"),
        ("No subject alternative DNS name matching pay.acme.example found.", "java.security.cert.CertificateException"),
        ("com/acme/pay/Ledger has been compiled by a more recent version of the Java Runtime (class file version "
         "61.0), this version of the Java Runtime only recognizes class file versions up to 52.0",
         "java.lang.UnsupportedClassVersionError"),
        ("com/acme/pay/Ledger : Unsupported major.minor version 52.0", "java.lang.UnsupportedClassVersionError"),
        ("/var/acme/ledger.dat (Permission denied)", "java.io.FileNotFoundException"),
        ("failed to lazily initialize a collection of role: com.acme.pay.Account.cards, could not initialize proxy - no "
         "Session", "org.hibernate.LazyInitializationException"),
        ("could not initialize proxy [com.acme.pay.Account#42] - no Session", "org.hibernate.LazyInitializationException"),
        ("Row was updated or deleted by another transaction (or unsaved-value mapping was incorrect) : "
         "[com.acme.pay.Account#42]", "org.hibernate.StaleObjectStateException"),
        ("HikariPool-1 - Connection is not available, request timed out after 30000ms.",
         "java.sql.SQLTransientConnectionException"),
        ("C:\\Program Files\\Acme\\ledger.dat (Access is denied)", "java.io.FileNotFoundException"),
    ],
)
def test_a_crypto_tls_persistence_or_class_version_message_types_the_masked_root(message: str, thrown: str) -> None:
    found = masked(f"{thrown}: {message}\n\tat com.acme.pay.Vault.open(Vault.java:31)\n")
    labels = load_label_set()
    assert found is not None and (found.class_name, found.rule) == (thrown, JDK_MESSAGE)
    assert labels.to_label(found.class_name) != labels.other


@pytest.mark.parametrize(
    ("log", "thrown"),
    [
        (
            'java.lang.NumberFormatException: For input string: "12a"\n\tat com.acme.A.parse(A.java:3)\n',
            "java.lang.NumberFormatException",
        ),
        (
            'Exception in thread "main" java.lang.IndexOutOfBoundsException: Index: 4, Size: 2\n'
            "\tat com.acme.A.pick(A.java:9)\n",
            "java.lang.IndexOutOfBoundsException",
        ),
        (
            "com.acme.JobFailed: batch 7\n\tat com.acme.Job.run(Job.java:5)\n"
            "Caused by: java.lang.ClassCastException: class java.lang.Integer cannot be cast to class java.lang.String "
            "(java.lang.Integer and java.lang.String are in module java.base of loader 'bootstrap')\n"
            "\tat com.acme.Job.read(Job.java:12)\n\t... 1 more\n",
            "java.lang.ClassCastException",
        ),
        (
            "java.io.FileNotFoundException: /data/in.csv (No such file or directory)\n"
            "\tat com.acme.Loader.open(Loader.java:20)\n",
            "java.io.FileNotFoundException",
        ),
        (
            "java.lang.OutOfMemoryError: Java heap space\n\tat com.acme.Cache.grow(Cache.java:88)\n",
            "java.lang.OutOfMemoryError",
        ),
        ("java.lang.ArrayIndexOutOfBoundsException: 7\n\tat com.acme.Ring.at(Ring.java:7)\n",
         "java.lang.ArrayIndexOutOfBoundsException"),
        (
            "java.lang.NoSuchMethodError: com.acme.Layout.<init>(Ljava/lang/String;I)V\n"
            "\tat com.acme.Log.init(Log.java:31)\n",
            "java.lang.LinkageError",  # the descriptor alone: also AbstractMethodError's, UnsatisfiedLinkError's
        ),
        (
            "java.lang.NoSuchMethodError: 'void com.acme.Layout.<init>(java.lang.String, int[])'\n"
            "\tat com.acme.Log.init(Log.java:31)\n",
            "java.lang.LinkageError",  # the descriptor alone: also AbstractMethodError's, UnsatisfiedLinkError's
        ),
        (  # the class named in the message ends in Error, so masking hides it too
            "java.lang.NoClassDefFoundError: Could not initialize class com.acme.Boot$FailingError\n"
            "\tat com.acme.Main.run(Main.java:3)\n",
            "java.lang.NoClassDefFoundError",
        ),
        (  # Android's runtime words a null dereference its own way
            "java.lang.NullPointerException: Attempt to invoke virtual method 'int java.lang.String.length()' on a null"
            " object reference\n\tat com.acme.bank.ui.TransferForm.validate(TransferForm.java:42)\n",
            "java.lang.NullPointerException",
        ),
        (
            "java.lang.NullPointerException: Attempt to get length of null array\n\tat com.acme.A.size(A.java:3)\n",
            "java.lang.NullPointerException",
        ),
        (  # JDK 14+'s helpful message: a null dereferenced in application code, with a message
            'java.lang.NullPointerException: Cannot invoke "String.length()" because "<local1>" is null\n'
            "\tat com.acme.A.size(A.java:3)\n",
            "java.lang.NullPointerException",
        ),
        (
            'java.lang.NullPointerException: Cannot read field "amount" because "order" is null\n'
            "\tat com.acme.A.total(A.java:8)\n",
            "java.lang.NullPointerException",
        ),
        (
            "java.lang.IllegalArgumentException: Comparison method violates its general contract!\n"
            "\tat java.util.TimSort.mergeHi(TimSort.java:899)\n\tat com.acme.A.sort(A.java:5)\n",
            "java.lang.IllegalArgumentException",
        ),
        (
            "java.lang.IllegalStateException: stream has already been operated upon or closed\n"
            "\tat java.util.stream.AbstractPipeline.evaluate(AbstractPipeline.java:229)\n"
            "\tat com.acme.A.count(A.java:5)\n",
            "java.lang.IllegalStateException",
        ),
        (
            "java.util.concurrent.RejectedExecutionException: Task java.util.concurrent.FutureTask@5e9f23b4 rejected "
            "from java.util.concurrent.ThreadPoolExecutor@4783da3f[Running, pool size = 2, active threads = 2]\n"
            "\tat com.acme.A.submit(A.java:5)\n",
            "java.util.concurrent.RejectedExecutionException",
        ),
        (
            "com.fasterxml.jackson.databind.exc.InvalidDefinitionException: No serializer found for class "
            "com.acme.Order and no properties discovered to create BeanSerializer\n"
            "\tat com.fasterxml.jackson.databind.SerializerProvider.reportBadDefinition(SerializerProvider.java:1191)\n"
            "\tat com.acme.A.write(A.java:5)\n",
            "com.fasterxml.jackson.databind.JsonMappingException",
        ),
        (  # the message names a masked class: what is left still reads as Jackson's
            "com.fasterxml.jackson.databind.JsonMappingException: Infinite recursion (StackOverflowError)\n"
            "\tat com.acme.A.write(A.java:5)\n",
            "com.fasterxml.jackson.databind.JsonMappingException",
        ),
        (  # two-line messages: the masked exception line's first line is read (the parser kept only the second)
            "com.fasterxml.jackson.core.JsonParseException: Unexpected character ('<' (code 60)): expected a valid "
            "value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n"
            ' at [Source: (String)"<html>"; line: 1, column: 2]\n'
            "\tat com.acme.A.read(A.java:5)\n",
            "com.fasterxml.jackson.core.JsonParseException",
        ),
        (
            'com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException: Unrecognized field "amt" (class '
            "com.acme.Payment), not marked as ignorable (2 known properties: \"amount\", \"id\"])\n"
            ' at [Source: (String)"{\\"amt\\":1}"; line: 1, column: 9] (through reference chain: com.acme.Payment["amt"])\n'
            "\tat com.acme.A.read(A.java:5)\n",
            "com.fasterxml.jackson.databind.JsonMappingException",
        ),
        (
            "com.fasterxml.jackson.databind.exc.MismatchedInputException: Cannot deserialize value of type "
            "`java.util.ArrayList<com.acme.Item>` from Object value (token `JsonToken.START_OBJECT`)\n"
            ' at [Source: (String)"{}"; line: 1, column: 1]\n'
            "\tat com.acme.A.read(A.java:5)\n",
            "com.fasterxml.jackson.databind.JsonMappingException",
        ),
        (
            "com.fasterxml.jackson.databind.JsonMappingException: Can not construct instance of com.acme.Payment: no "
            "suitable constructor found, can not deserialize from Object value\n"
            ' at [Source: java.io.StringReader@1b6d3586; line: 1, column: 2]\n'
            "\tat com.acme.A.read(A.java:5)\n",
            "com.fasterxml.jackson.databind.JsonMappingException",
        ),
    ],
)
def test_a_message_the_jdk_writes_for_one_class_types_the_masked_root(log: str, thrown: str) -> None:
    found = masked(log)
    assert found is not None and (found.class_name, found.rule) == (thrown, JDK_MESSAGE)


def test_a_negative_number_alone_is_a_bounds_check_or_a_negative_array_size_and_one_label_either_way() -> None:
    # JDK 8's array bounds check says the index alone ("-1"), JDK 11+'s NegativeArraySizeException the size ("-5")
    labels = load_label_set()
    for log in ("java.lang.ArrayIndexOutOfBoundsException: -1\n\tat com.acme.Ring.at(Ring.java:9)\n",
                "java.lang.NegativeArraySizeException: -5\n\tat com.acme.Ring.grow(Ring.java:14)\n"):
        found = masked(log)
        assert found is not None and found.rule == JDK_MESSAGE
        assert labels.to_label(found.class_name) == labels.to_label(log.split(":")[0]) == "IndexOutOfBoundsException"
    assert masked("java.lang.IllegalStateException: -5 left\n\tat com.acme.Ring.grow(Ring.java:14)\n") is None


def test_a_message_only_like_a_jdk_one_types_nothing() -> None:
    assert (
        masked("java.lang.IllegalStateException: For input string was empty\n\tat com.acme.A.b(A.java:1)\n") is None
    )  # not anchored where the JDK writes it
    assert masked("java.lang.IllegalStateException: 3 retries left\n\tat com.acme.A.b(A.java:1)\n") is None
    # an application's own words that only start like a JDK message: no quoted call, no merged values
    assert masked("java.lang.IllegalStateException: Cannot invoke the payment service\n\tat com.acme.A.b(A.java:1)\n") is None
    assert masked("java.lang.IllegalArgumentException: Duplicate key order-7\n\tat com.acme.A.b(A.java:1)\n") is None
    # words the JDK writes that applications also write, for other classes
    assert masked("java.lang.RuntimeException: Division by zero\n\tat com.acme.Calc.div(Calc.java:1)\n") is None
    assert masked("java.lang.IllegalArgumentException: Cannot parse null string.\n\tat com.acme.A.b(A.java:1)\n") is None
    # an application's own "unexpected character" / "cannot construct" words, not Jackson's shape
    assert masked("java.lang.IllegalArgumentException: Unexpected character in IBAN\n\tat com.acme.A.b(A.java:1)\n") is None
    assert masked("java.lang.IllegalStateException: Cannot construct instance: pool closed\n\tat com.acme.A.b(A.java:1)\n") is None
    assert masked("java.lang.IllegalArgumentException: Unrecognized token 'x' in rule 3\n\tat com.acme.A.b(A.java:1)\n") is None
    # an application's own words around a file's reason are not FileInputStream.open's "path (reason)"
    assert masked("java.lang.RuntimeException: Could not load conf/app.properties (Permission denied)\n"
                  "\tat com.acme.A.b(A.java:1)\n") is None
    # an application's own "tag" and "name" lookups, not the JCE's tag check or the hostname checker
    assert masked("java.lang.IllegalStateException: Tag mismatch on order 7\n\tat com.acme.A.b(A.java:1)\n") is None
    assert masked("java.lang.IllegalStateException: No name matching 'fee' found\n\tat com.acme.A.b(A.java:1)\n") is None
    # databind's own end-of-input (a mapping error) is not jackson-core's parse error
    end = masked("com.fasterxml.jackson.databind.exc.MismatchedInputException: Unexpected end-of-input when trying "
                 "read value of type `com.acme.Order`\n at [Source: (String)\"\"; line: 1]\n\tat com.acme.A.b(A.java:1)\n")
    assert end is None or end.class_name != "com.fasterxml.jackson.core.JsonParseException"


def test_a_repeated_frame_is_a_stack_overflow_and_a_few_repeats_are_not() -> None:
    cycle = "\tat com.acme.Tree.walk(Tree.java:14)\n\tat com.acme.Tree.visit(Tree.java:30)\n"
    deep = "java.lang.StackOverflowError\n" + cycle * RECURSION_REPEATS
    found = masked(deep)
    assert found is not None and (found.class_name, found.rule) == ("java.lang.StackOverflowError", RECURSION)
    shallow = "java.lang.IllegalStateException: loop\n" + cycle * (RECURSION_REPEATS - 1)
    assert masked(shallow) is None


@pytest.mark.parametrize(
    "line",
    [
        "java.lang.NullPointerException",
        "java.lang.NullPointerException: null",
        'Exception in thread "main" java.lang.NullPointerException',
    ],
)
def test_no_message_thrown_outside_the_jdk_is_the_jvms_null_check(line: str) -> None:
    found = masked(f"{line}\n\tat com.acme.pay.Ledger.post(Ledger.java:77)\n\tat com.acme.pay.Api.pay(Api.java:9)\n")
    assert found is not None and (found.class_name, found.rule) == ("java.lang.NullPointerException", NULL_CHECK)



def test_frames_with_no_exception_line_above_them_are_no_null_check() -> None:
    # a log cut above a trace (or each line a document of its own) shows frames and no exception line: the message is
    # not missing, it is not there to read, so nothing says "no message"
    frames = "\tat com.acme.pay.Ledger.post(Ledger.java:77)\n\tat com.acme.pay.Api.pay(Api.java:9)\n"
    trace = parse_trace(frames)
    assert trace.has_exception and trace.root_cause.message is None and evidence(trace) is None

def test_no_message_on_a_jdk_frame_or_a_message_in_the_code_is_left_to_the_model() -> None:
    # the JDK throws many classes without a message (FutureTask.report: a cancellation, or an execution failure)
    assert (
        masked(
            "java.util.concurrent.CancellationException\n\tat java.util.concurrent.FutureTask.report(FutureTask.java:121)\n"
            "\tat com.acme.A.first(A.java:4)\n"
        )
        is None
    )
    assert masked("java.lang.IllegalStateException: not started\n\tat com.acme.A.run(A.java:4)\n") is None
    # a masked top frame (a method named like a throwable, hidden with its class) may be the JDK's: unreadable
    factory = ("java.lang.IllegalMonitorStateException\n"
               "\tat java.util.concurrent.locks.ReentrantReadWriteLock$Sync.unmatchedUnlockException(RRWL.java:10)\n"
               "\tat com.acme.A.run(A.java:4)\n")
    assert parse_trace(mask_exception_names(factory)).frames[0].masked and masked(factory) is None
    # its message, no longer glued to that frame's line, is the JDK's own
    said = masked(factory.replace("Exception\n", "Exception: attempt to unlock read lock, not locked by current thread\n", 1))
    assert said is not None and (said.class_name, said.rule) == ("java.lang.IllegalMonitorStateException", JDK_MESSAGE)


def test_evaluate_puts_the_evidence_label_first_and_keeps_the_models_order_after_it() -> None:
    from evaluate import parsed_rows, with_jvm_evidence

    labels = load_label_set()
    probabilities = np.full((2, len(labels)), 0.01)
    probabilities[:, labels.label2id["IllegalStateException"]] = 0.6
    probabilities[:, labels.label2id["IllegalArgumentException"]] = 0.3
    other = "java.lang.IllegalStateException: x\n\tat com.acme.A.b(A.java:1)\n"
    scores, decided, ids, deciders = with_jvm_evidence(
        probabilities, parsed_rows([REQUIRE_NON_NULL, other], masked=True), labels)
    assert decided[THROW_SITE] == 1 and sum(decided.values()) == 1
    assert deciders == [THROW_SITE, "model"]  # predictions.jsonl's decided_by
    assert ids.tolist() == [labels.label2id["NullPointerException"], -1]
    assert [labels.names[i] for i in np.argsort(-scores[0])[:3]] == [
        "NullPointerException",
        "IllegalStateException",
        "IllegalArgumentException",
    ]
    # no rule types the second row; the labels whose thrower left no sign in it rank last, the rest keep their scores
    out = [labels.label2id[name] for name in ruled_out(parsed_rows([other], masked=True)[0])]
    kept = [index for index in range(len(labels)) if index not in out]
    assert out and (scores[1, out] < 0).all() and (scores[1, kept] == probabilities[1, kept]).all()
    # unmasked, the name is readable: the rules stay out
    assert sum(with_jvm_evidence(probabilities, parsed_rows([REQUIRE_NON_NULL], masked=False), labels)[1].values()) == 0


def test_a_message_less_assertion_is_typed_by_its_frameworks_fail_not_as_a_null_check() -> None:
    for fail, thrown in (("org.junit.Assert.fail(Assert.java:86)", "java.lang.AssertionError"),
                         ("junit.framework.Assert.fail(Assert.java:47)", "junit.framework.AssertionFailedError")):
        found = masked(f"java.lang.AssertionError\n\tat {fail}\n\tat org.junit.Assert.assertTrue(Assert.java:41)\n"
                       "\tat com.acme.LedgerTest.posts(LedgerTest.java:30)\n")
        assert found is not None and (found.class_name, found.rule) == (thrown, THROW_SITE)


def test_a_thread_of_a_thread_dump_is_not_typed() -> None:
    dump = '"worker-1" #12 prio=5 tid=0x1 nid=0x2 runnable\n   java.lang.Thread.State: RUNNABLE\n' \
           "\tat com.acme.Poller.poll(Poller.java:40)\n\tat java.lang.Thread.run(Thread.java:833)\n"
    trace = parse_trace(dump)
    assert trace.kind == "thread" and evidence(trace) is None


def test_the_rules_without_a_model_answer_the_most_common_class_where_no_rule_fires() -> None:
    from evaluate import evidence_or_majority

    gold = np.array([0, 1, 1, 2])
    found = np.array([0, -1, 2, -1])  # right, none, wrong, none
    tail = np.array([False, True, True, True])
    result = evidence_or_majority(found, gold, {"all": np.ones(4, dtype=bool), "tail": tail})
    assert result["all"]["top1"] == 0.5  # 0 by evidence, 1 by the majority (1); 2 wrongly, 2 != the majority
    assert result["tail"]["top1"] == 1 / 3  # the subset's own majority (1): row 1 right; rows 2 and 3 wrong


def test_every_rule_is_said_in_words_in_both_report_languages() -> None:
    import yaml

    from utils.jvm_evidence import RULED_OUT, RULES, THROW_SITES_PATH

    texts = yaml.safe_load((THROW_SITES_PATH.parent / "report_text.yaml").read_text(encoding="utf-8"))
    for language in ("en", "ko"):
        values = texts[language]["decided_by_values"]
        rules = (*RULES, RULED_OUT)
        assert all(values.get(rule) for rule in rules), (language, [rule for rule in rules if rule not in values])


# An application's own argument check: a message in its own words, thrown in its own code.
OWN_CHECK = "java.lang.IllegalArgumentException: Unknown parameters: {mode=fast}\n\tat com.acme.pay.Rules.of(Rules.java:9)\n"
THROWER_CASES = [
    # (log, label, ruled out once the names are masked)
    (OWN_CHECK, "LinkageError", True),
    (OWN_CHECK, "ClassNotFoundException", True),
    (OWN_CHECK, "StackOverflowError", True),
    (OWN_CHECK, "JsonParseException", True),
    (OWN_CHECK, "SQLSyntaxErrorException", True),
    (OWN_CHECK, "IllegalArgumentException", False),  # not listed: anyone throws it
    # the linker names what it could not link: a descriptor, a field alone, a native library
    ("java.lang.NoSuchMethodError: com.acme.Pay.run(Ljava/lang/String;)V\n\tat com.acme.A.b(A.java:1)\n",
     "LinkageError", False),
    ("java.lang.NoSuchFieldError: UTF_8\n\tat org.apache.commons.io.Charsets.<clinit>(Charsets.java:9)\n",
     "LinkageError", False),
    ("java.lang.UnsatisfiedLinkError: /tmp/libzstd.so: libc.so.6: version not found\n"
     "\tat java.lang.ClassLoader$NativeLibrary.load(Native Method)\n", "LinkageError", False),
    ("java.lang.AbstractMethodError\n\tat com.acme.A.b(A.java:1)\n", "LinkageError", False),
    # the class loader names the class, which may itself be a hidden exception class
    ("java.lang.ClassNotFoundException: com.acme.Plugin\n\tat java.net.URLClassLoader.findClass(URLClassLoader.java:1)\n",
     "ClassNotFoundException", False),
    ("java.lang.ClassNotFoundException: com.acme.PayException\n\tat com.acme.A.b(A.java:1)\n",
     "ClassNotFoundException", False),
    # the JVM's StackOverflowError has no message
    ("java.lang.StackOverflowError\n\tat com.acme.Tree.walk(Tree.java:5)\n", "StackOverflowError", False),
    ("java.lang.IllegalStateException: depth 3\n\tat com.acme.Tree.walk(Tree.java:5)\n", "StackOverflowError", True),
    # a JSON library's frames, anywhere in the trace, or Jackson's location in the message
    ("java.lang.RuntimeException: bad body\n\tat com.acme.Api.read(Api.java:3)\n"
     "Caused by: com.fasterxml.jackson.core.JsonParseException: Unexpected character\n\t... 1 more\n",
     "JsonParseException", True),  # the root cause's own frames are cut and no JSON frame shows
    ("com.fasterxml.jackson.core.JsonParseException: Unexpected character ('x')\n"
     "\tat com.fasterxml.jackson.core.base.ParserMinimalBase._reportUnexpectedChar(ParserMinimalBase.java:1)\n",
     "JsonParseException", False),
    ("java.lang.RuntimeException: x\n\tat com.acme.Api.read(Api.java:3)\n"
     "Caused by: com.google.gson.JsonSyntaxException: Expected BEGIN_OBJECT but was STRING at line 1 column 7 path $\n"
     "\t... 1 more\n", "JsonParseException", False),
    ("org.json.JSONException: A JSONObject text must begin with '{' at 1 [character 2 line 1]\n"
     "\tat com.acme.Api.read(Api.java:3)\n", "JsonParseException", False),
    # a JDBC driver's frame, or only the driver's hidden exception factory
    ("java.sql.SQLSyntaxErrorException: bad grammar\n\tat org.postgresql.jdbc.PgStatement.execute(PgStatement.java:1)\n",
     "SQLSyntaxErrorException", False),
    ("java.sql.SQLNonTransientConnectionException: Could not create connection\n"
     "\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:110)\n",
     "SQLTransientConnectionException", False),
    # a class-loading frame is the only sign (the class's nested part cut off: ClassLoader$NativeLibrary)
    ("java.lang.IncompatibleClassChangeError: Implementing class\n"
     "\tat java.lang.ClassLoader.defineClass1(Native Method)\n\tat com.acme.Boot.main(Boot.java:3)\n", "LinkageError", False),
    ("java.lang.UnsatisfiedLinkError: Expecting an absolute path of the library: zstd\n"
     "\tat java.lang.Runtime.load0(Runtime.java:806)\n", "LinkageError", False),
    ("java.lang.UnsatisfiedLinkError: Can't load library\n"
     "\tat java.lang.ClassLoader$NativeLibrary.load(Native Method)\n", "LinkageError", False),
    # a class of the default package; a stack overflow as OpenJ9 words it
    ("java.lang.NoClassDefFoundError: Launcher\n\tat com.acme.Boot.main(Boot.java:3)\n", "ClassNotFoundException", False),
    ("java.lang.StackOverflowError: operating system stack overflow\n\tat com.acme.Tree.walk(Tree.java:5)\n",
     "StackOverflowError", False),
    # a pool's frame; a suppressed exception's cause holds the driver's frame
    ("java.sql.SQLTransientConnectionException: pool closed\n"
     "\tat org.apache.tomcat.dbcp.dbcp2.PoolingDataSource.getConnection(PoolingDataSource.java:1)\n",
     "SQLTransientConnectionException", False),
    ("java.lang.IllegalStateException: rollback failed\n\tat com.acme.Tx.end(Tx.java:4)\n"
     "\tSuppressed: java.lang.RuntimeException: close\n\t\tat com.acme.Tx.close(Tx.java:9)\n"
     "\tCaused by: java.sql.SQLException: gone\n\t\tat org.postgresql.jdbc.PgConnection.close(PgConnection.java:1)\n"
     "\t\t... 1 more\n", "SQLSyntaxErrorException", False),
    # the factory's class hidden, its method readable
    ("org.h2.jdbc.JdbcSQLSyntaxErrorException: Table \"T\" not found\n\tat org.h2.message.DbException.get(DbException.java:1)\n",
     "SQLSyntaxErrorException", False),
]


@pytest.mark.parametrize(("log", "label", "out"), THROWER_CASES)
def test_a_label_is_ruled_out_where_its_thrower_left_no_sign(log: str, label: str, out: bool) -> None:
    trace = parse_trace(mask_exception_names(log))
    assert (label in ruled_out(trace)) is out
    assert not ruled_out(parse_trace(log))  # a readable name is the parser's: nothing is ruled out


def test_a_bad_thrower_signs_entry_is_refused(tmp_path) -> None:
    # that every entry is a label is tests/test_configs.py's reader check
    bad = tmp_path / "signs.yaml"
    for text, error in [("thrower_signs:\n  LinkageError:\n    messages: ['x']\n", r"LinkageError: unknown.*messages"),
                        ("thrower_signs:\n  LinkageError:\n    message_empty: false\n", "LinkageError: no sign"),
                        ("thrower_signs:\n  LinkageError:\n    message: ['(']\n", r"LinkageError: message pattern '\('"),
                        ("- LinkageError\n", "expected one mapping `thrower_signs:`")]:
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match=error):
            load_thrower_signs(bad)
        load_thrower_signs.cache_clear()


def test_the_models_best_label_left_answers_where_its_thrower_is_ruled_out(monkeypatch) -> None:
    from evaluate import parsed_rows, with_jvm_evidence
    from utils.pipeline.analyze import DECIDED_BY_MODEL
    from utils.stage1 import inference

    labels = load_label_set()
    probabilities = np.full((2, len(labels)), 0.01)
    probabilities[:, labels.label2id["LinkageError"]] = 0.5
    probabilities[:, labels.label2id["ClassNotFoundException"]] = 0.3
    probabilities[:, labels.label2id["IllegalArgumentException"]] = 0.1
    linker = "java.lang.NoSuchFieldError: UTF_8\n\tat com.acme.A.b(A.java:1)\n"
    scores, decided, _, deciders = with_jvm_evidence(probabilities, parsed_rows([OWN_CHECK, linker], masked=True),
                                                     labels)
    assert [labels.names[row.argmax()] for row in scores] == ["IllegalArgumentException", "LinkageError"]
    assert decided[RULED_OUT] == 1 and deciders == [RULED_OUT, "model"]

    # predict.py's path: the label is the best one left, the model's top-k still shows what it thought
    monkeypatch.setattr(inference, "ensemble_probabilities", lambda *args, **kwargs: probabilities)
    analyzer = Analyzer(AnalyzerOptions(no_model=True))
    member = type("Member", (), {"metadata": type("Meta", (), {
        "input_format": "trace", "input_options": type("Options", (), {"as_kwargs": staticmethod(dict)})()})()})()
    analyzer.stage1, analyzer.stage1_labels = [member], labels.names
    documents = [LogDocument(name, name, mask_exception_names(log)) for name, log in (("own", OWN_CHECK),
                                                                                       ("linker", linker))]
    own, linked = analyzer.analyze(documents)
    assert (own.label, own.decided_by, own.top_k[0]["label"]) == ("IllegalArgumentException", RULED_OUT,
                                                                   "LinkageError")
    assert (linked.label, linked.decided_by) == ("LinkageError", DECIDED_BY_MODEL)

    # a tie at the top with nothing of it ruled out: the model's own first label, decided by the model
    tied = np.full((1, len(labels)), 0.01)
    tied[0, [labels.label2id["IllegalStateException"], labels.label2id["IllegalArgumentException"]]] = 0.4
    monkeypatch.setattr(inference, "ensemble_probabilities", lambda *args, **kwargs: tied)
    for _ in range(20):
        [record] = analyzer.analyze([LogDocument("own", "own", mask_exception_names(OWN_CHECK))])
        assert record.decided_by == DECIDED_BY_MODEL and record.label == record.top_k[0]["label"]
