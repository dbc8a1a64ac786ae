"""Grouping repeated failures: keys, user rules, counts, first/last seen, and predict.py --groups."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from utils.parsing.stacktrace import parse_log, parse_trace
from utils.pipeline.grouping import GroupTable, group_key, load_fingerprint_rules, parse_timestamp

REPO = Path(__file__).resolve().parents[1]
IOOBE = ("{stamp} ERROR [exec-{n}] com.acme.pay.PayService - pick failed for request {request}\n"
         "java.lang.IndexOutOfBoundsException: Index {i} out of bounds for length {i}\n"
         "\tat java.base/jdk.internal.util.Preconditions.outOfBounds(Preconditions.java:64)\n"
         "\tat com.acme.pay.PayService.pick(PayService.java:{line})\n"
         "\tat com.acme.pay.PayController.pay$lambda$0(PayController.java:21)\n")
REFUSED = ("{stamp} ERROR [exec-{n}] com.acme.pay.Db - down\n"
           "java.net.ConnectException: Connection refused to db-{n}.acme.test:5432\n"
           "\tat com.acme.pay.Db.open(Db.java:12)\n")


def production_log() -> str:
    parts = []
    for n in range(6):
        parts.append(IOOBE.format(stamp=f"2026-11-30 12:0{n}:00,{n}00", n=n, request=f"r-{n * 7919}", i=n + 2,
                                  line=40 + n % 2))
        if n % 2:
            parts.append(REFUSED.format(stamp=f"2026-11-30T12:0{n}:30.5Z", n=n))
    parts.append("2026-11-30 12:09:00 INFO  [main] com.acme.App - still running\n")
    return "".join(parts)


def test_repeats_share_a_group_whatever_their_values_and_lines() -> None:
    traces = [trace for trace in parse_log(production_log()) if trace.has_exception]
    keys = [group_key(trace) for trace in traces]
    assert len(traces) == 9 and len({key.id for key in keys}) == 2
    ioobe = keys[0]
    assert ioobe.parts["message"] == "Index <num> out of bounds for length <num>"
    assert "com.acme.pay.PayService.pick" in ioobe.parts["frames"] and "same root cause" in ioobe.reason
    other_method = parse_trace(IOOBE.format(stamp="", n=1, request="x", i=3, line=40).replace("pick", "drop"))
    assert group_key(other_method).id != ioobe.id


def test_one_failure_reached_from_several_tests_is_one_group() -> None:
    # Test code is where a failure was seen, not the failure: the signature's frames leave it out, unless the
    # trace has no other application frame.
    npe = ("java.lang.NullPointerException\n\tat org.acme.Parser.read(Parser.java:10)\n"
           "\tat org.acme.{test_class}.{test}(ParserTest.java:9)\n")
    first, second = (parse_trace(npe.format(test_class="ParserTest", test=name)) for name in ("readsEmpty", "reads"))
    other_test_class = parse_trace(npe.format(test_class="LexerTest", test="lexes"))
    assert group_key(first).id == group_key(second).id == group_key(other_test_class).id
    elsewhere = parse_trace(npe.replace("Parser.read", "Parser.write").format(test_class="ParserTest", test="x"))
    assert group_key(elsewhere).id != group_key(first).id
    # all application code is test code: the test class is where it failed, whichever of its tests saw it
    only_tests = "java.nio.BufferUnderflowException\n\tat org.acme.{}(ParserTest.java:9)\n"
    keys = [group_key(parse_trace(only_tests.format(where))) for where in
            ("ParserTest.toInt", "ParserTest.toLong", "ParserTest$1.run", "LexerTest.toInt")]
    assert keys[0].id == keys[1].id == keys[2].id != keys[3].id
    assert keys[0].parts["frames"] == ["org.acme.ParserTest.*"] and "same test class 'org.acme.ParserTest'" in keys[0].reason


def test_one_failure_reached_by_several_paths_is_one_group() -> None:
    # The top application frame is the failure; the frames below it are the path that reached it (a failure
    # reached from two callers repeats as one group; another top frame, type or message is another failure).
    trace = ("java.lang.IllegalStateException: {message}\n\tat org.acme.Ledger.post(Ledger.java:10)\n"
             "\tat org.acme.{caller}(Ledger.java:20)\n")
    keys = [group_key(parse_trace(trace.format(message=message, caller=caller))) for message, caller in
            (("closed", "Batch.run"), ("closed", "Api.handle"), ("open", "Batch.run"))]
    assert keys[0].id == keys[1].id != keys[2].id
    assert keys[0].parts["frames"] == ["org.acme.Ledger.post"]
    assert keys[0].reason == ("same root cause 'java.lang.IllegalStateException', same top application frame "
                              "'org.acme.Ledger.post', same message template 'closed'")
    bare = group_key(parse_trace("java.lang.NullPointerException\n\tat org.acme.Ledger.post(Ledger.java:10)\n"))
    assert bare.reason.endswith(", no message") and bare.parts["frames_are"] == "application"
    jdk_only = group_key(parse_trace("java.lang.IndexOutOfBoundsException: Index: 3, Size: 1\n"
                                     "\tat java.util.ArrayList.rangeCheck(ArrayList.java:653)\n"
                                     "\tat java.util.ArrayList.get(ArrayList.java:429)\n"))
    assert jdk_only.parts["frames"] == ["java.util.ArrayList.rangeCheck"] and jdk_only.parts["frames_are"] == "library"
    assert "same top frame 'java.util.ArrayList.rangeCheck' (no application frame)" in jdk_only.reason
    # a masked frame names no method: the top frame the trace names is the key
    masked = "java.lang.IllegalStateException: x\n\tat [EXC](Lock.java:{})\n\tat java.util.Lock.{}(Lock.java:9)\n"
    keys = [group_key(parse_trace(masked.format(line, method))) for line, method in ((1, "a"), (2, "a"), (1, "b"))]
    assert keys[0].id == keys[1].id != keys[2].id and keys[0].parts["frames"] == ["java.util.Lock.a"]
    # two lambdas of one class are two methods: grouping keeps the method that wrote each
    lam = "java.lang.IllegalStateException: x\n\tat org.acme.Ledger.lambda${}$0(Ledger.java:10)\n"
    keys = [group_key(parse_trace(lam.format(owner))) for owner in ("post", "post", "void")]
    assert keys[0].parts["frames"] == ["org.acme.Ledger.lambda$post$*"] and keys[0].id == keys[1].id != keys[2].id



def test_an_out_of_memory_error_groups_by_its_message_wherever_it_was_thrown() -> None:
    # Whichever allocation finds the heap gone throws it: two places, one failure; another pool is another one.
    oom = "java.lang.OutOfMemoryError: {message}\n\tat org.acme.{where}(Index.java:{line})\n"
    heap = [group_key(parse_trace(oom.format(message="Java heap space", where=where, line=line)))
            for where, line in (("Index.grow", 10), ("Cache.put", 77))]
    metaspace = group_key(parse_trace(oom.format(message="Metaspace", where="Index.grow", line=10)))
    assert heap[0].id == heap[1].id != metaspace.id
    assert heap[0].parts["frames"] == [] and "frames not compared" in heap[0].reason
    npe = "java.lang.NullPointerException\n\tat org.acme.{}(Index.java:10)\n"
    assert group_key(parse_trace(npe.format("Index.grow"))).id != group_key(parse_trace(npe.format("Cache.put"))).id


def test_the_collector_giving_up_is_the_heap_running_out() -> None:
    # `GC overhead limit exceeded` and `Java heap space` say one thing: the heap is full. The template names both;
    # other pools stay apart, and the non-grouping signature (real_logs' near-duplicates) keeps the JVM's words.
    from utils.pipeline.fingerprint import failure_signature

    oom = "java.lang.OutOfMemoryError: {}\n\tat org.acme.Index.grow(Index.java:10)\n"
    keys = [group_key(parse_trace(oom.format(message))) for message in
            ("GC overhead limit exceeded", "Java heap space", "Metaspace")]
    assert keys[0].id == keys[1].id != keys[2].id
    assert keys[0].parts["message"] == "Java heap space / GC overhead limit exceeded"
    assert failure_signature(parse_trace(oom.format("GC overhead limit exceeded"))).message == "GC overhead limit exceeded"


JAXB = ("javax.xml.bind.JAXBException: {message}\n"
        "\tat com.sun.xml.bind.v2.ContextFactory.loadIndexedClasses(ContextFactory.java:323)\n"
        "\tat javax.xml.bind.JAXBContext.newInstance(JAXBContext.java:394)\n"
        "\tat org.acme.model.{caller}(Model.java:95)\n")
NAMED = ('error loading class "RestDef" listed in org/acme/model/jaxb.index, make sure that entries are accessible on '
         'the CLASSPATH')
CALLERS = ("ModelHelper.createContext", "RouteLoader.load")


def _same_group(trace: str, message: str, callers: tuple[str, str] = CALLERS, **slots: str) -> bool:
    first, second = (group_key(parse_trace(trace.format(message=message, caller=caller, **slots)))
                     for caller in callers)
    return first.id == second.id


def test_a_library_failure_whose_message_names_it_is_one_group_whoever_called() -> None:
    # Thrown inside a library, with a message that names what failed: the application frame above the library is
    # only the caller that reached it. The non-grouping signature keeps the frames.
    from utils.pipeline.fingerprint import failure_signature

    keys = [group_key(parse_trace(JAXB.format(message=NAMED, caller=caller))) for caller in CALLERS]
    assert keys[0].id == keys[1].id and keys[0].parts["frames"] == []
    assert keys[0].parts["frames_are"] == "library message" and "callers that reached it" in keys[0].reason
    assert failure_signature(parse_trace(JAXB.format(message=NAMED, caller=CALLERS[0]))).frames == (
        "org.acme.model.ModelHelper.createContext",)
    # 8 words besides placeholders, and a qualified name: 7 words, placeholders between words, or no name keep it
    assert _same_group(JAXB, "class org.acme.Rest listed here could not be loaded")
    assert not _same_group(JAXB, "class org.acme.Rest listed could not be loaded")
    assert not _same_group(JAXB, "class org.acme.Rest (<num>) [<num>] #<num> <str>,<str> <num>/<num> (<str>) here")
    assert not _same_group(JAXB, "error loading one class listed in the index, make sure that entries are there")


def test_a_message_the_application_or_the_test_wrote_keeps_its_frame() -> None:
    # The library threw, but the words may not tell two failures apart: its naming part is quoted (kept in the key
    # once the caller is not), the application's own words through a validation helper, a test's assertion, a name
    # the log hides, a thrower unknown (no frames of its own), a masked top frame.
    bean = ("org.springframework.beans.factory.NoSuchBeanDefinitionException: No qualifying bean of type '{kind}' "
            "available: expected at least one bean which qualifies as autowire candidate in org.acme.context\n"
            "\tat org.springframework.beans.factory.support.DefaultListableBeanFactory.getBean(DLBF.java:9)\n"
            "\tat org.acme.{caller}(App.java:3)\n")
    assert _same_group(bean, "", kind="org.acme.A")  # one bean, two callers: the masked part is the same
    first, second = (group_key(parse_trace(bean.format(message="", kind=kind, caller=caller)))
                     for kind, caller in (("org.acme.A", "Pay.run"), ("org.acme.B", "Card.run")))
    assert first.id != second.id and "of type 'org.acme.A' available" in first.parts["message"]
    from utils.pipeline.fingerprint import message_template

    assert message_template("type 'org.acme.A' said 'hello 42'", keep_quoted=True) == "type 'org.acme.A' said <str>"
    helper = ("java.lang.NullPointerException: {message}\n\tat java.util.Objects.requireNonNull(Objects.java:228)\n"
              "\tat org.acme.{caller}(Model.java:9)\n")
    assert not _same_group(helper, NAMED)
    assertion = ("java.lang.AssertionError: {message}\n\tat org.junit.Assert.fail(Assert.java:88)\n"
                 "\tat org.acme.model.{caller}(ModelTest.java:9)\n")
    assert not _same_group(assertion, NAMED, ("ModelTest.loads", "RouteTest.loads"))
    runner = ("org.acme.CheckFailed: {message}\n\tat junit.framework.Assert.assertEquals(Assert.java:8)\n"
              "\tat org.acme.model.{caller}(ModelTest.java:9)\n")
    assert not _same_group(runner, NAMED, ("ModelTest.loads", "RouteTest.loads"))
    masked_name = JAXB.replace("javax.xml.bind.JAXBException", "[EXC]")
    assert not _same_group(masked_name, NAMED)
    no_own_frames = ("java.lang.RuntimeException: wrapped\n\tat com.sun.xml.bind.v2.Loader.load(Loader.java:3)\n"
                     "\tat org.acme.model.{caller}(Model.java:95)\n"
                     "Caused by: javax.xml.bind.JAXBException: {message}\n\t... 2 more\n")
    assert not _same_group(no_own_frames, NAMED)
    masked_frame = JAXB.replace("com.sun.xml.bind.v2.ContextFactory.loadIndexedClasses", "[EXC]")
    assert not _same_group(masked_frame, NAMED)


def test_numbers_with_their_unit_glued_on_are_variable_parts_of_a_group_only() -> None:
    # `3000ms` and `2500ms`, `50000원` and `30000원`: the number was kept (a word character follows it), so each
    # value made a group of its own
    from utils.pipeline.fingerprint import failure_signature, message_template

    timeout = "java.lang.IllegalStateException: {}\n\tat org.acme.Ledger.lock(Ledger.java:5)\n"
    for first, second in (("Timeout after 3000ms waiting for lock", "Timeout after 2500ms waiting for lock"),
                          ("잔액이 부족합니다 (요청 50000원, 잔액 1200원)", "잔액이 부족합니다 (요청 30000원, 잔액 100원)"),
                          ("heap at 512MB of 2GB", "heap at 1536MB of 2GB"),
                          ("재시도 3회를 초과했습니다", "재시도 5회를 초과했습니다")):  # a particle after the counter
        traces = [parse_trace(timeout.format(message)) for message in (first, second)]
        assert group_key(traces[0]).id == group_key(traces[1]).id, first
        assert failure_signature(traces[0]).digest != failure_signature(traces[1]).digest  # as paths: grouping only
    assert message_template("Timeout after 3000ms (retry 2nd of 3)", mask_paths=True) == (
        "Timeout after <num>ms (retry 2nd of <num>)")
    # units only (a review's counterexamples to "any 1-4 letters": 5xx and 4xx, 2FA and 3DS merged)
    for kept in ("log4j2 failed", "sha256 mismatch", "HTTP/2 refused", "1a2b3c", "took 3000 milliseconds",
                 "upstream returned 5xx", "2FA challenge failed", "3DS challenge failed"):
        assert message_template(kept, mask_paths=True) == message_template(kept), kept


def test_paths_in_a_message_are_variable_parts_of_a_group_only() -> None:
    from utils.pipeline.fingerprint import failure_signature, message_template

    missing = "javax.jcr.PathNotFoundException: not found on {}\n\tat org.acme.NodeImpl.perform(NodeImpl.java:5)\n"
    traces = [parse_trace(missing.format(path)) for path in ("/content/site/en/home", "/content/site/de/about/")]
    assert group_key(traces[0]).id == group_key(traces[1]).id
    assert group_key(traces[0]).parts["message"] == "not found on <path>"
    # real_logs' near-duplicates and evaluate's once-per-failure count keep a path's words
    assert failure_signature(traces[0]).digest != failure_signature(traces[1]).digest
    assert message_template("GET http://db.acme.io:8080/a/b failed", mask_paths=True) == "GET http://<host><path> failed"
    for kept in ("/ by zero", "Could not load conf/app.properties", "queue vm://foo is full", "on 2026/11/30"):
        assert message_template(kept, mask_paths=True) == message_template(kept)

def test_table_counts_first_last_seen_sources_and_timeline() -> None:
    table = GroupTable()
    for index, trace in enumerate(t for t in parse_log(production_log()) if t.has_exception):
        record = {"id": f"t{index}", "source": f"app-{index % 2}.log", "log": {"timestamp": trace.timestamp},
                  "label": trace.root_cause.simple_name}
        table.add(group_key(trace), record, trace.text)
    first, second = table.records()
    assert (first["count"], second["count"]) == (6, 3)  # most frequent first
    assert first["first_seen"] == "2026-11-30T12:00:00" and first["last_seen"] == "2026-11-30T12:05:00.500000"
    assert first["sources"] == {"app-0.log": 3, "app-1.log": 3} and sum(first["timeline"].values()) == 6
    assert second["first_seen"] == "2026-11-30T12:01:30.500000"
    assert first["representative"]["trace"].startswith("java.lang.IndexOutOfBoundsException: Index 2")
    assert first["analysis"]["label"] == "IndexOutOfBoundsException"


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-30 12:00:01,123", "2026-11-30T12:00:01.123000"), ("2026-11-30T12:00:01.5+09:00", "2026-11-30T12:00:01.500000"),
    ("30-Nov-2026 12:00:01.123", "2026-11-30T12:00:01.123000"), ("[2026/11/30 12:00:01]", "2026-11-30T12:00:01"),
    ("Mar  1 10:15:00", None), ("2026-13-45 99:00:00", None), (None, None)])
def test_timestamps(text: str | None, expected: str | None) -> None:
    parsed = parse_timestamp(text)
    assert (parsed.isoformat() if parsed else None) == expected


def test_the_all_digit_layouts_read_what_strptime_reads() -> None:
    # parse_timestamp builds these without strptime (speed): every day, month and time, valid or not, must agree.
    layouts = (("%Y-%m-%d %H:%M:%S", "{y}-{mo}-{d} {h}:{mi}:{s}"), ("%Y/%m/%d %H:%M:%S", "{y}/{mo}/{d} {h}:{mi}:{s}"))
    for layout, text in layouts:
        for y, mo, d, h, mi, s in itertools.product(("0001", "2024", "2026"), ("00", "02", "12", "13"),
                                                    ("00", "28", "29", "31"), ("00", "23", "24"), ("59", "60"), ("00", "61")):
            stamp = text.format(y=y, mo=mo, d=d, h=h, mi=mi, s=s)
            try:
                expected: datetime | None = datetime.strptime(stamp, layout)
            except ValueError:
                expected = None
            assert parse_timestamp(stamp) == expected, stamp


def test_user_rules_group_as_and_ignore(tmp_path: Path) -> None:
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text('rules:\n  - match: {type: "ConnectException", frame: "com\\\\.acme\\\\.pay\\\\.Db\\\\."}\n'
                          '    group_as: database-down\n  - match: {message: "out of bounds"}\n    ignore: true\n',
                          encoding="utf-8")
    rules = load_fingerprint_rules(rules_file)
    keys = [group_key(trace, rules) for trace in parse_log(production_log()) if trace.has_exception]
    grouped = [key for key in keys if key.id]
    assert len(grouped) == 3 and len({key.id for key in grouped}) == 1 and "database-down" in grouped[0].reason
    assert sum(1 for key in keys if key.id is None) == 6


@pytest.mark.parametrize(("text", "message"), [
    ("rules:\n  - match: {type: Foo}\n", "exactly one of"),
    ("rules:\n  - match: {kind: Foo}\n    ignore: true\n", "match keys must be"),
    ("rules:\n  - match: {type: '('}\n    ignore: true\n", "bad regular expression"),
    # YAML's own readings of a list, an empty value, a quoted false and a list name: each once taken as a pattern
    ("rules:\n  - match: {type: [SocketTimeout, Connect]}\n    group_as: net\n", "one regular expression"),
    ("rules:\n  - match: {message: }\n    group_as: net\n", "one regular expression"),
    ("rules:\n  - match: {type: Foo}\n    ignore: 'false'\n", "`ignore` must be true or false"),
    ("rules:\n  - match: {type: Foo}\n    group_as: [a, b]\n", "`group_as` must be a name"),
])
def test_bad_rules_fail_in_one_line_naming_the_rule(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"rules.yaml: rule 1: .*{message}"):
        load_fingerprint_rules(path)


@pytest.mark.parametrize(("content", "message"), [
    (b"rule:\n  - match: {type: Foo}\n    ignore: true\n", "expected `rules:` .* no other key"),  # `rules` misspelt: no rule would apply
    (b"rules:\n  - match: {type: 'Foo'\n    ignore: true\n", "not a YAML file of rules"),
    (b"\xff\xfe rules", "not a YAML file of rules"),
])
def test_a_rules_file_that_is_not_rules_fails_in_one_line_naming_it(tmp_path: Path, content: bytes,
                                                                    message: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"rules.yaml: {message}") as caught:
        load_fingerprint_rules(path)
    assert "\n" not in str(caught.value)


def test_predict_writes_groups_and_tags_every_trace(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text(production_log(), encoding="utf-8")
    output, groups = tmp_path / "out.jsonl", tmp_path / "groups.jsonl"
    result = subprocess.run([sys.executable, str(REPO / "predict.py"), "--input", str(log), "--no_model", "--output",
                             str(output), "--groups", str(groups)], capture_output=True, text=True, cwd=REPO,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in output.read_text().splitlines()]
    group_records = [json.loads(line) for line in groups.read_text().splitlines()]
    assert [group["count"] for group in group_records] == [6, 3]
    assert {record["group"] for record in records if record["has_exception"]} == {g["group"] for g in group_records}
    assert group_records[0]["analysis"]["location"]["method"] == "pick"
    assert "wrote 2 group(s) of 9 trace(s)" in result.stderr


def test_repeats_are_analysed_once_and_share_the_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    import utils.pipeline.analyze as analyze
    from utils.parsing.log_sources import LogDocument

    calls = []
    real_rank = analyze.rank_frames_for
    monkeypatch.setattr(analyze, "rank_frames_for", lambda item, ranker: calls.append(item) or real_rank(item, ranker))
    analyzer = analyze.Analyzer(analyze.AnalyzerOptions(no_model=True))
    document = LogDocument(id="app.log", source="app.log", text=production_log())
    results = analyzer.analyze([document], group_of=lambda trace: group_key(trace).id)
    failures = [item for item in results if item.trace.has_exception]
    assert len(failures) == 9 and len(calls) == 2  # two groups: one pass each
    first, repeat = failures[0], failures[3]  # two IndexOutOfBoundsExceptions with other values and lines
    assert repeat.candidates is first.candidates and repeat.label == first.label == "IndexOutOfBoundsException"
    calls.clear()
    alone = analyzer.analyze([document])
    assert len(calls) == len(alone) and [item.label for item in alone] == [item.label for item in results]


def test_the_signature_reads_the_stack_only_as_far_as_it_needs() -> None:
    """The top application frames without test code, else with it, else the top frames; each shape of a message's
    variable parts masked whether or not other shapes are in it."""
    from utils.parsing.stacktrace import Frame
    from utils.pipeline.fingerprint import _top_frames, message_template

    jdk = [Frame("java.util.ArrayList", "get", is_library=True), Frame("java.lang.Thread", "run", is_library=True)]
    tests = [Frame("com.acme.LedgerTest", f"t{i}") for i in range(2)]
    app = [Frame("com.acme.Ledger", f"m{i}") for i in range(5)]
    assert _top_frames(jdk + tests + app, 3, True) == app[:3]
    assert _top_frames(jdk + tests + app[:1], 3, True) == app[:1]
    assert _top_frames(jdk + tests, 3, True) == tests
    assert _top_frames(jdk + tests + app, 3, False) == tests + app[:1]
    assert _top_frames(jdk, 3, True) == jdk
    assert message_template("id 42 at 2026-11-30 10:00:01.5 from 10.0.0.1:8080 and db.acme.io:5432") == \
        "id <num> at <time> from <host> and <host>"
    assert message_template("no separators 7") == "no separators <num>"
    assert message_template("x 123e4567-e89b-12d3-a456-426614174000 'v'") == "x <uuid> <str>"


def test_no_frames_asked_gives_no_frames() -> None:
    from utils.parsing.stacktrace import Frame
    from utils.pipeline.fingerprint import _top_frames

    assert _top_frames([Frame("com.acme.Foo", "run"), Frame("com.acme.FooTest", "t")], 0, True) == []


@pytest.mark.parametrize(("line", "moment"), [
    ("[2026.12.07 10:00:05][0][cb1] [container1-12] [SERVLET-0286] exception occurred", "2026-12-07 10:00:05"),
    ("####<Dec 7, 2026 10:00:05,123 PM KST> <Error> <HTTP> <host01> <AdminServer> <x> <<WLS Kernel>> <> <> <1> "
     "<BEA-101020> <Servlet failed with an Exception", "2026-12-07 22:00:05.123000"),
    ("Dec 07, 2026 10:00:05 AM org.apache.catalina.core.StandardWrapperValve invoke", "2026-12-07 10:00:05"),
    # the same in a Korean locale (`12월`, 오후), at 12 AM / PM, and WebLogic's 24-hour clock with a GMT offset: none
    # had a time before 2026-12-07 evening
    ("12월 07, 2026 10:00:05 오후 org.apache.catalina.core.StandardWrapperValve invoke", "2026-12-07 22:00:05"),
    ("12월 07, 2026 12:00:05 오전 org.apache.catalina.core.StandardWrapperValve invoke", "2026-12-07 00:00:05"),
    ("Dec 07, 2026 12:00:05 PM org.apache.catalina.core.StandardWrapperValve invoke", "2026-12-07 12:00:05"),
    ("####<Dec 7, 2026 22:00:05,123 GMT+09:00> <Error> <HTTP> <host01> <AdminServer> <x> <<WLS Kernel>> <> <> <1> "
     "<BEA-101020> <Servlet failed with an Exception", "2026-12-07 22:00:05.123000"),
])
def test_the_application_servers_stamps_give_a_group_its_time(line: str, moment: str) -> None:
    # JEUS's and WebLogic's records (Korean banks' application servers), and JUL's (Tomcat's catalina.out), had no
    # time: their groups had no first or last seen and no timeline
    from utils.pipeline.grouping import parse_timestamp

    (trace,) = parse_log(f"{line}\njava.lang.IllegalStateException: closed\n\tat com.acme.Pool.get(Pool.java:40)\n")
    assert str(parse_timestamp(trace.timestamp)) == moment



@pytest.mark.parametrize(("stamp", "moment"), [
    ("12/7/26 10:00:00:123 KST", "2026-12-07 10:00:00.123000"),  # WebSphere, en_US (its default): month first
    ("13/12/26 10:00:00:123 GMT", "2026-12-13 10:00:00.123000"),  # a day-first locale's, told by a day over 12
    ("26. 12. 7   10:00:00:123 KST", "2026-12-07 10:00:00.123000"),  # a Korean locale's
])
def test_websphere_stamps_give_their_time(stamp: str, moment: str) -> None:
    from utils.pipeline.grouping import parse_timestamp

    assert str(parse_timestamp(stamp)) == moment


@pytest.mark.parametrize("stamp", ["Dec 7, 2026 13:00:05 PM", "Dec 7, 2026 0:00:05 AM", "Foo 7, 2026 10:00:05 AM",
                                   "13월 07, 2026 10:00:05 오후", "Feb 30, 2026 10:00:05"])
def test_a_month_first_stamp_that_names_no_real_time_gives_none(stamp: str) -> None:
    from utils.pipeline.grouping import parse_timestamp

    assert parse_timestamp(stamp) is None
