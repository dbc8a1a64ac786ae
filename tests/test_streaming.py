"""predict.py's streamed path (utils/log_sources.DocumentStream, utils/repeat_cache, Analyzer with a StreamState)
gives the records, groups and redaction counts of the whole-document path, in bounded memory, with progress."""

from __future__ import annotations

import json
import platform
import random
import subprocess
import sys
import tracemalloc
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import predict
from utils.labels import load_label_set
from utils.parsing import log_sources
from utils.parsing.log_sources import DocumentStream, InputError, read_documents
from utils.pipeline.analyze import Analyzer, AnalyzerOptions
from utils.pipeline.grouping import GroupTable, group_key
from utils.pipeline.record import to_record
from utils.redact import RedactOptions, Redactor

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

DEADLOCK = "".join(
    f'"w{i}" #{i + 1} prio=5 os_prio=0 tid=0x{i:x} nid=0x{i:x} waiting for monitor entry  [0x0]\n'
    "   java.lang.Thread.State: BLOCKED (on object monitor)\n"
    f"\tat com.acme.Stage.step(Stage.java:{i + 1})\n"
    f"\tat com.acme.Stage.run(Stage.java:{i + 40})\n"
    f"\tat java.lang.Thread.run(Thread.java:750)\n"
    f"\t- waiting to lock <0x{(i + 1) % 3:x}> (a com.acme.Stage)\n"
    f"\t- locked <0x{i:x}> (a com.acme.Stage)\n\n" for i in range(3))
JSON_ESCAPED = ('{"level":"ERROR","stack_trace":"java.lang.IllegalStateException: ledger closed\\n'
                '\\tat com.acme.Ledger.post(Ledger.java:12)\\n\\tat com.acme.Ledger.run(Ledger.java:40)\\n"}\n')
# log4j2's JsonLayout (compact, one event a line): the trace as an object, with a cause
JSON_STRUCTURED = ('{"instant":{"epochSecond":1764496800,"nanoOfSecond":0},"thread":"exec-3","level":"ERROR",'
                   '"loggerName":"c.a.Ledger","message":"post failed","thrown":{"commonElementCount":0,'
                   '"name":"java.lang.RuntimeException","message":"post failed","extendedStackTrace":[{"class":'
                   '"com.acme.Ledger","method":"post","file":"Ledger.java","line":14,"exact":true}],"cause":{'
                   '"commonElementCount":1,"name":"java.io.IOException","message":"disk full","extendedStackTrace":'
                   '[{"class":"com.acme.Disk","method":"write","file":"Disk.java","line":7,"exact":false}]}},'
                   '"endOfBatch":false}\n')
NO_FRAMES = "2026-11-30 10:00:00.500 ERROR [main] c.a.Fx - refresh failed: java.net.ConnectException: refused\n"
# PII the redactor replaces, inside a trace and in a message: the counts must agree too
PII_TRACE = ("2026-11-30 10:00:01.000 ERROR [exec-1] c.a.Pay - card 4111 1111 1111 1111 rejected, mail a.b@example.com\n"
             "java.lang.IllegalArgumentException: bad account owner a.b@example.com\n"
             "\tat com.acme.pay.Card.check(Card.java:10)\n\tat com.acme.pay.Card.charge(Card.java:20)\n"
             "\tat com.acme.pay.Api.post(Api.java:30)\n")


def styled_log(repeats: int, seed: int = 0) -> str:
    """A log in the styles of examples/ (logback, JUL, plain, JUnit), a JSON line's escaped and structured trace, an exception
    without frames and PII, each repeated among INFO lines with changed numbers and blank lines, and a thread dump."""
    rng = random.Random(seed)
    pieces = [path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.glob("*.log"))]
    pieces += [JSON_ESCAPED, JSON_STRUCTURED, NO_FRAMES, PII_TRACE]
    out: list[str] = []
    for number in range(repeats):
        if number == repeats // 2:
            # Once: the whole-document path finds a deadlock only in the first dump that names its locks, where the
            # streamed path reads each dump (region) on its own (test_each_thread_dump_is_read_on_its_own).
            out.append(DEADLOCK)
        for _ in range(rng.randint(0, 30)):
            out.append(f"2026-11-30 10:{number % 60:02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d} INFO  "
                       f"[exec-{rng.randint(1, 9)}] c.a.Web - GET /orders/{rng.randint(1, 9999)} status=200\n")
        if rng.random() < 0.2:
            out.append("\n")
        piece = rng.choice(pieces)
        out.append(piece.replace("11:02:13", f"11:{rng.randint(10, 59):02d}:13") if number % 2 else piece)
        if not piece.endswith("\n"):
            out.append("\n")
    return "".join(out)


def whole_document_records(paths: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
    """(records, groups, redaction counts) as predict.py made them before streaming: every document read whole,
    redacted, analysed at once (repeats of a group share its first trace's analysis)."""
    documents, _ = read_documents(paths)
    redactor = Redactor(RedactOptions())
    documents = [replace(document, text=redactor.redact(document.text)) for document in documents]
    keys = {}

    def group_of(trace):
        keys[id(trace)] = keys.get(id(trace)) or group_key(trace)
        return keys[id(trace)].id

    results = Analyzer(AnalyzerOptions(no_model=True)).analyze(documents, group_of=group_of)
    table, records = GroupTable(), []
    for result in results:
        record = to_record(result)
        if result.trace.has_exception:
            key = keys.get(id(result.trace)) or group_key(result.trace)
            record["group"] = key.id
            table.add(key, record, result.trace.text)
        records.append(record)
    return redactor.redact_value(records), table.records(), dict(redactor.counts)


def streamed_records(paths: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
    redactor = Redactor(RedactOptions())
    records: list[dict[str, Any]] = []
    outcome = predict.analyze_stream(Analyzer(AnalyzerOptions(no_model=True)), DocumentStream(paths), redactor, [],
                                     lambda line: records.append(json.loads(line)))
    assert outcome.traces == len(records)
    return records, outcome.table.records(), dict(redactor.counts)


def needle_scanners() -> list[str]:
    """The candidate scans to test: Hyperscan's wherever requirements.txt installs it (x86-64 Linux), `str.find`'s."""
    return ["hyperscan", "find"] if platform.machine() == "x86_64" and sys.platform == "linux" else ["find"]


def use_scanner(monkeypatch: pytest.MonkeyPatch, scanner: str) -> None:
    if scanner == "find":
        monkeypatch.setattr(log_sources, "_needle_scanner", lambda: None)
    else:
        assert log_sources._needle_scanner() is not None, "hyperscan is in requirements.txt for this platform"


@pytest.mark.parametrize("scanner", needle_scanners())
@pytest.mark.parametrize(("chunk_bytes", "region_max_chars"), [(700, None), (4096, None), (1 << 20, None),
                                                                (700, 300), (4096, 1500)])
def test_streamed_output_equals_the_whole_document_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        chunk_bytes: int, region_max_chars: int | None,
                                                        scanner: str) -> None:
    # Small chunks put chunk edges inside traces, thread dumps and record lines: none may cut a trace. A small
    # region size cuts every region that can be cut (REGION_MAX_CHARS): no cut may change a record either.
    use_scanner(monkeypatch, scanner)
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", chunk_bytes)
    if region_max_chars:
        monkeypatch.setattr(log_sources, "REGION_MAX_CHARS", region_max_chars)
    cuts = count_cuts(monkeypatch)
    monkeypatch.setattr(predict, "BATCH_CHARS", 5000)  # many batches: groups carried across them
    log = tmp_path / "app.log"
    log.write_text(styled_log(120), encoding="utf-8")
    jsonl = EXAMPLES / "logs.jsonl"
    expected = whole_document_records([str(log), str(jsonl)])
    actual = streamed_records([str(log), str(jsonl)])
    assert len(actual[0]) == len(expected[0]) > 120
    for got, want in zip(actual[0], expected[0]):
        assert got == want
    assert actual[1] == expected[1]  # groups: counts, first / last seen, representative, analysis
    assert actual[2] == expected[2] and expected[2]  # redaction counts, and there was PII to count
    assert {record["kind"] for record in actual[0]} == {"exception", "thread"}
    assert bool(cuts) == bool(region_max_chars)


def test_a_jsonl_row_without_a_trace_still_gets_its_record(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "quiet", "log": "2026-11-30 10:00:00 INFO all good"}) + "\n"
                    + json.dumps({"id": "npe", "log": PII_TRACE}) + "\n", encoding="utf-8")
    records, _, _ = streamed_records([str(rows)])
    assert records == whole_document_records([str(rows)])[0]
    assert [(record["id"], record["has_exception"]) for record in records] == [("quiet", False), ("npe", True)]


def test_a_log_without_any_trace_gives_its_head_record_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", 512)
    quiet = tmp_path / "quiet.log"
    quiet.write_text("".join(f"2026-11-30 10:00:{i % 60:02d} INFO [main] c.a.App - tick {i}\n\n" for i in range(300)),
                     encoding="utf-8")
    expected = whole_document_records([str(quiet)])
    actual = streamed_records([str(quiet)])
    assert actual[0] == expected[0] and len(actual[0]) == 1 and actual[0][0]["has_exception"] is False


def test_a_file_over_the_whole_read_limit_is_streamed_not_refused(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # The whole-document reader refuses a file over MAX_LOG_BYTES (64 MiB); predict.py's stream has no such limit.
    # Shown with the limit and the chunk made small instead of writing 64 MiB.
    monkeypatch.setattr(log_sources, "MAX_LOG_BYTES", 10_000)
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", 2048)
    log = tmp_path / "big.log"
    log.write_text(styled_log(60, seed=3), encoding="utf-8")
    assert log.stat().st_size > 10 * log_sources.MAX_LOG_BYTES
    with pytest.raises(log_sources.InputError, match="larger than"):
        read_documents([str(log)])
    records, groups, _ = streamed_records([str(log)])
    assert sum(group["count"] for group in groups) == sum(record["has_exception"] for record in records) > 60


def test_predict_cli_streams_to_an_atomic_output_and_reports_bytes(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text(styled_log(40, seed=5), encoding="utf-8")
    out, groups = tmp_path / "out.jsonl", tmp_path / "groups.jsonl"
    result = subprocess.run([sys.executable, str(REPO / "predict.py"), "--input", str(log), "--no_model",
                             "--output", str(out), "--groups", str(groups), "--progress", "on"],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected, expected_groups, _ = whole_document_records([str(log)])
    assert records == expected
    assert [json.loads(line) for line in groups.read_text(encoding="utf-8").splitlines()] == expected_groups
    report = json.loads((tmp_path / "out.jsonl.report.json").read_text(encoding="utf-8"))
    assert report["bytes"] == log.stat().st_size and report["documents"] == 1
    assert "reading" in result.stderr  # the bar, forced on (stderr is not a terminal here)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["app.log", "groups.jsonl", "out.jsonl",
                                                                  "out.jsonl.report.json"]  # no temp file left


def test_progress_counts_every_byte_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", 1000)
    log, rows = tmp_path / "a.log", tmp_path / "b.jsonl"
    log.write_text(styled_log(10), encoding="utf-8")
    rows.write_text((EXAMPLES / "logs.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    seen: list[int] = []
    stream = DocumentStream([str(log), str(rows)], on_bytes=seen.append)
    documents = list(stream)
    total = log.stat().st_size + rows.stat().st_size
    assert stream.total_bytes() == total and sum(seen) == total and len(seen) > 10
    assert stream.stats.documents == 1 + len(read_documents([str(rows)])[0]) and len(documents) > 10
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert predict.progress_bar(DocumentStream([str(log)]), "auto", to_file=True) is None  # not a terminal
    bar = predict.progress_bar(stream := DocumentStream([str(log)]), "on", to_file=False)
    list(stream)
    assert bar.n == bar.total == log.stat().st_size
    bar.close()


def test_jsonl_rows_stream_as_the_whole_reader_reads_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", 300)  # rows cut by chunk edges, UTF-16 units too
    rows = tmp_path / "rows.jsonl"
    lines = (EXAMPLES / "logs.jsonl").read_text(encoding="utf-8") + "{bad json\n" + json.dumps({"log": "끝 한국어"})
    rows.write_bytes(b"\xff\xfe" + lines.encode("utf-16-le"))
    streamed = DocumentStream([str(rows)])
    expected, report = read_documents([str(rows)])
    assert [(d.id, d.source, d.text) for d in streamed] == [(d.id, d.source, d.text) for d in expected]
    assert streamed.skips.skipped == report.skipped and streamed.skips.warnings == report.warnings


def _peak_bytes(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    outcome = predict.analyze_stream(Analyzer(AnalyzerOptions(no_model=True)), DocumentStream([str(path)]),
                                     Redactor(RedactOptions()), [], lambda line: None)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, outcome.traces


def test_memory_does_not_grow_with_repeats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", 64 * 1024)
    monkeypatch.setattr(predict, "BATCH_CHARS", 64 * 1024)
    small, large = tmp_path / "small.log", tmp_path / "large.log"
    small.write_text(styled_log(150, seed=1), encoding="utf-8")
    large.write_text(styled_log(600, seed=1), encoding="utf-8")
    _peak_bytes(small)  # caches of the code (regexes, lru caches) filled before measuring
    small_peak, small_traces = _peak_bytes(small)
    large_peak, large_traces = _peak_bytes(large)
    assert large_traces > 3.5 * small_traces
    # The whole-document path held every trace and record: its peak grew about 4x with 4x the repeats.
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)


def _stream_calls(path: Path, defer: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[int]]:
    """(the records predict.analyze_stream writes, the traces of each `analyze_items` call), with an analyzer that
    counts as running models when `defer` (so batches that bring new failures wait for others)."""
    analyzer = Analyzer(AnalyzerOptions(no_model=True))
    monkeypatch.setattr(Analyzer, "runs_models", property(lambda self: defer))
    calls: list[int] = []
    analyze_items = analyzer.analyze_items

    def counted(items: list[Any], *args: Any) -> list[Any]:
        calls.append(len(items))
        return analyze_items(items, *args)

    monkeypatch.setattr(analyzer, "analyze_items", counted)
    lines: list[str] = []
    predict.analyze_stream(analyzer, DocumentStream([str(path)]), Redactor(RedactOptions()), [], lines.append)
    return lines, calls


def test_batches_with_new_failures_wait_for_one_model_call_and_the_output_is_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", 16 * 1024)
    monkeypatch.setattr(predict, "BATCH_CHARS", 2 * 1024)  # a few traces per batch: new failures in many batches
    monkeypatch.setattr(predict, "DEFER_NEW_FAILURES", 4)
    monkeypatch.setattr(predict, "DEFER_TRACES", 40)
    log = tmp_path / "app.log"
    log.write_text(styled_log(80, seed=3), encoding="utf-8")
    at_once, batch_calls = _stream_calls(log, False, monkeypatch)
    deferred, deferred_calls = _stream_calls(log, True, monkeypatch)
    assert deferred == at_once and len(at_once) == sum(batch_calls) == sum(deferred_calls)
    assert len(deferred_calls) < len(batch_calls)
    assert max(deferred_calls) <= 40 + max(batch_calls)  # held traces stay bounded: DEFER_TRACES and one batch


def test_each_thread_dump_is_read_on_its_own(tmp_path: Path) -> None:
    # Two dumps of the same deadlock, far apart in one log: the streamed path reports the cycle in both (each dump
    # is a region of its own). Read whole, the dumps' `Full thread dump` lines tell them apart (Trace.dump); without
    # them nothing does, and the second dump's locks are taken as held by the first's threads.
    noise = "".join(f"2026-11-30 10:00:{i % 60:02d} INFO [main] c.a.App - tick {i}\n" for i in range(50))
    header = "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):\n\n"
    log = tmp_path / "dumps.log"
    for dump, whole_finds in ((DEADLOCK, [True] * 3 + [False] * 3), (header + DEADLOCK, [True] * 6)):
        log.write_text(dump + noise + dump, encoding="utf-8")
        records, _, _ = streamed_records([str(log)])
        cycles = [record["thread"]["deadlock"]["cycle"] for record in records if record["thread"]["deadlock"]]
        assert cycles == [1, 1, 1, 2, 2, 2]
        whole, _, _ = whole_document_records([str(log)])
        assert [record["thread"]["deadlock"] is not None for record in whole] == whole_finds


@pytest.mark.skipif("hyperscan" not in needle_scanners(), reason="hyperscan is installed on x86-64 Linux only")
def test_the_hyperscan_scan_finds_the_lines_the_find_passes_find(monkeypatch: pytest.MonkeyPatch) -> None:
    """Byte positions become character positions: multi-byte text (Hangul, the won sign, a 4-byte emoji, a lone
    surrogate) before, inside and after the candidates; needles inside frame runs, after them, several on a line,
    at the text's two ends; a frame whose `at` ends its line; no final newline."""
    rng = random.Random(7)
    pieces = ["2026-11-30 10:00:00 INFO 결제 완료 ₩12,000 \U0001f600 ok\n", "무시 \udc80 Failure here\n",
              "java.lang.IllegalStateException: 잔액 부족 ... xception\n\tat com.acme.결제.Pay.run(Pay.java:1)\n"
              "\tat com.acme.Pay.go(Pay.java:2) Caused by rror\n", "Caused by: java.io.IOException: 끊김\n",
              "\tat no.parens.here Throwable\n", "x at\n  com.acme.Y.m(Y.java:3)\n", "Thread.State: BLOCKED\n",
              "plain line with nothing\n", "Wrapped by: Fault UPPRESSED AUSED BY .java: uppressed\n", "\n",
              "Ledger.java:12: warning: [deprecation] 결제 is deprecated\n"]  # `.java:` alone: left to str.find
    for trial in range(40):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        if trial % 3 == 0:
            text = "Error at start" + text.rstrip("\n")
        scanned = log_sources.candidate_lines(text)
        with monkeypatch.context() as patch:
            patch.setattr(log_sources, "_needle_scanner", lambda: None)
            assert scanned == log_sources.candidate_lines(text), text


@pytest.mark.skipif("hyperscan" not in needle_scanners(), reason="hyperscan is installed on x86-64 Linux only")
def test_a_text_with_more_matches_than_pay_goes_to_the_find_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hyperscan reports every overlapping match: a line of dots is one per byte. The scan stops at its limit and the
    `str.find` passes, which jump to a line's end, find the same lines."""
    text = "progress " + "." * 200_000 + "\nran 3 steps\njava.lang.IllegalStateException: closed\n"
    assert log_sources._scanned_needle_lines(log_sources._needle_scanner(), text, [], {}) is False
    scanned = log_sources.candidate_lines(text)
    with monkeypatch.context() as patch:
        patch.setattr(log_sources, "_needle_scanner", lambda: None)
        assert scanned == log_sources.candidate_lines(text) == [(0, 0), (text.index("java"), text.index("java"))]


@pytest.mark.skipif("hyperscan" not in needle_scanners(), reason="hyperscan is installed on x86-64 Linux only")
def test_threads_scan_at_once() -> None:
    """A scan's working memory is per thread: one shared by all made concurrent scans fail (ScratchInUseError)."""
    from concurrent.futures import ThreadPoolExecutor

    text = "INFO started\n" * 2000 + "java.lang.IllegalStateException: closed\n" * 2000
    expected = log_sources.candidate_lines(text)
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda _: log_sources.candidate_lines(text), range(40))) == [expected] * 40


def _whole_and_streamed(text: str, chunk: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[str]]:
    """(traces of `parse_log(text)`, traces of its regions parsed one by one with their line offsets, the regions'
    texts): the fields a record is made of."""
    from utils.parsing.stacktrace import parse_log

    def fields(trace: Any, offset: int) -> tuple[Any, ...]:
        chain = [(e.class_name, e.message, e.relation, [(f.class_name, f.method, f.line) for f in e.frames])
                 for e in trace.chain]
        return (trace.kind, chain, trace.context, trace.start_line + offset, trace.end_line + offset, trace.text,
                trace.timestamp, trace.thread, trace.log_level, trace.logger, [repr(lock) for lock in trace.locks])

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    streamed, regions = [], []
    chunks = iter([text[start:start + chunk] for start in range(0, len(text), chunk)])
    for document in log_sources._plain_log_regions(chunks, "app.log"):
        if document.no_trace_head:
            continue
        regions.append(document.text)
        streamed += [fields(trace, document.line_offset) for trace in parse_log(document.text, cut=document.cut)
                     if trace.chain]
    return [fields(trace, 0) for trace in parse_log(text) if trace.chain], streamed, regions


INFO_LINES = "".join(f"2026-11-30 10:00:0{i}.000 INFO  [exec-1] c.a.Web - GET /orders/{i} status=200\n"
                     for i in range(4))
ERROR_LINE = "2026-11-30 10:00:05.000 ERROR [exec-2] c.a.Pay - payment failed\n"
TRACE = "java.lang.IllegalStateException: closed\n\tat com.acme.Pay.run(Pay.java:1)\n\tat com.acme.Pay.go(Pay.java:2)\n"
AFTER_LINES = "".join(f"2026-11-30 10:00:0{i}.000 INFO  [exec-1] c.a.Web - done {i}\n" for i in range(6, 10))


@pytest.mark.parametrize(("case", "log", "from_error_line", "to_last_frame"), [
    # The INFO lines around a trace were most of a production log's region text: the parsed text is the record
    # line that introduced the trace, and the trace.
    ("trace among records", INFO_LINES + ERROR_LINE + TRACE + AFTER_LINES, True, True),
    # The parser would look further back: an empty message reads as a blank line; a prefixed exception line
    ("record without a message", INFO_LINES + ERROR_LINE.replace("payment failed", "") + TRACE + AFTER_LINES, False,
     True),
    ("exception line in the record", INFO_LINES + ERROR_LINE.replace("payment failed", TRACE.split("\n")[0])
     + TRACE.split("\n", 1)[1] + AFTER_LINES, False, True),
    # A message without frames reads on; a blank line may be a gap inside a trace; a lock line or a thread's header
    # after the trace starts one of its own (no candidate needle finds them)
    ("exception line without frames", INFO_LINES + ERROR_LINE + TRACE.split("\n")[0] + "\n" + AFTER_LINES, True,
     False),
    ("blank line after the frames", INFO_LINES + ERROR_LINE + TRACE + "\n" + AFTER_LINES, True, False),
    ("lock line after a text line", INFO_LINES + ERROR_LINE + TRACE + "waiting\n\t- locked <0x1> (a a.B)\n"
     + AFTER_LINES, True, False),
    ("thread header after the frames", INFO_LINES + ERROR_LINE + TRACE
     + '"worker-5" #31 prio=5 tid=0x1 nid=0x2 waiting on condition [0x3]\n\t- parking to wait for  <0x0a> (a X)\n'
     + AFTER_LINES, True, False),
])
def test_a_region_parses_only_the_lines_its_traces_can_read(case: str, log: str, from_error_line: bool,
                                                            to_last_frame: bool) -> None:
    whole, streamed, regions = _whole_and_streamed(log, 1 << 20)
    assert streamed == whole and whole, case
    assert regions[0].startswith(ERROR_LINE) == from_error_line, case
    assert regions[-1].endswith("(Pay.java:2)") == to_last_frame, case


@pytest.mark.parametrize("message_lines", [1, 2, 8, 9])
def test_a_masked_exception_line_reads_its_message_streamed_as_whole(message_lines: int) -> None:
    """A masked name (`[EXC]: ...`) is a candidate line of its own, so its region starts there and reaches the frames
    below a message of any length: the parser reads a masked exception line as it reads a named one."""
    message = [f"detail line {n}" for n in range(1, message_lines)]
    log = (INFO_LINES + ERROR_LINE + "\n".join(["[EXC]: closed", *message]) + "\n"
           + TRACE.split("\n", 1)[1] + AFTER_LINES)
    whole, streamed, _ = _whole_and_streamed(log, 1 << 20)
    assert streamed == whole and len(whole) == 1
    read = whole[0][1][0][1]
    assert read == "\n".join(["[EXC]: closed", *message])


@pytest.mark.parametrize(("line", "message"), [
    ("2026-11-30 10:00:05.000 ERROR [exec-2] c.a.Pay - [EXC]: GC overhead limit exceeded\n",
     "[EXC]: GC overhead limit exceeded"),
    # masking hides any ...Error word: after prose and without frames, a masked name is not believed
    ("2026-11-30 10:00:05.000 WARN  [exec-2] c.a.Pay - Connection [EXC]\n", None),
    ("2026-11-30 10:00:05.000 ERROR [exec-2] c.a.Pay - payment failed: [EXC]: closed\n", None),
])
def test_a_masked_exception_line_without_frames_streams_as_whole(line: str, message: str | None) -> None:
    """A masked exception line in an exception line's shape is a trace without frames under it, as a named one is
    (a log masked before it came): the streamed scan finds it and reads what the whole log reads."""
    whole, streamed, _ = _whole_and_streamed(INFO_LINES + line + AFTER_LINES, 1 << 20)
    assert streamed == whole
    assert [trace[1][0][:2] for trace in whole] == ([("", message)] if message else [])


REGION_CASES = json.loads((Path(__file__).parent / "fixtures" / "region_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(REGION_CASES))
def test_regions_parse_as_the_whole_log_on_the_reviews_counterexamples(name: str) -> None:
    """Logs a review of the region bounds wrote to break them: records with empty messages, collector prefixes
    (Kubernetes, syslog) on every line, records of one signature continuing a message, `Locked ownable
    synchronizers:` right after the frames, `ThreadDeath` (no other needle finds it), NUL and BOM lines, JUL,
    JSON-escaped traces, CRLF, Tomcat's root cause, Elasticsearch's `nested:`, non-ASCII, context lines among blank
    lines (the look back counts non-blank lines, as the parser does), a message-only exception whose loose lines
    reach the region's end (a cut region's end is not a message's end), JUnit 5's assertAll, JUL. Streamed in whole and in
    small chunks, each parses as the whole text does."""
    for chunk in (1 << 20, 97):
        whole, streamed, _ = _whole_and_streamed(REGION_CASES[name], chunk)
        assert streamed == whole and whole, (name, chunk)


def test_regions_cut_at_any_size_parse_as_the_whole_log_on_the_reviews_counterexamples(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The same logs with regions cut wherever they can be (REGION_MAX_CHARS): every cut falls where no trace, and
    no trace's context, reaches across it. A region is decided (and can be cut) once the log goes on past the
    parser's longest look ahead, so each case comes again and again, as a log repeats a failure; a case whose
    regions have no line where a trace ends and a text line follows (every line prefixed, a lock or `...` after
    the frames) is not cut, and parses as before."""
    monkeypatch.setattr(log_sources, "REGION_MAX_CHARS", 1)
    cuts = count_cuts(monkeypatch)
    cut_cases = 0
    for name, case in sorted(REGION_CASES.items()):
        text = case.replace("\r\n", "\n").replace("\r", "\n")
        text = (text if text.endswith("\n") else text + "\n") * (1 + 2 * log_sources._DECIDED_MARGIN // text.count("\n"))
        before = len(cuts)
        whole, streamed, _ = _whole_and_streamed(text, 4096)
        assert streamed == whole and whole, name
        cut_cases += len(cuts) > before
    assert cut_cases >= 15, cut_cases  # 16 of the 35 when this was written


def count_cuts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The cuts `candidate_regions` makes from now on (their positions)."""
    cuts: list[int] = []
    cut_point = log_sources._cut_point

    def counted(*args: Any) -> int | None:
        found = cut_point(*args)
        if found is not None:
            cuts.append(found)
        return found

    monkeypatch.setattr(log_sources, "_cut_point", counted)
    return cuts


def burst_of_traces(count: int) -> str:
    """Traces back to back, as a loop printing to stderr writes them (no record line between them), with causes,
    `... N more`, a masked and a message-only exception, and a record before every fifth."""
    out = []
    for n in range(count):
        if n % 5 == 0:
            out.append(f"2026-11-30 12:00:{n % 60:02d},100 ERROR [exec-{n % 8}] com.acme.Pay - failed req-{n}\n")
        name = "[EXC]" if n % 7 == 3 else "java.lang.IllegalStateException"
        out.append(f"{name}: pool closed after {n} calls\n\tat com.acme.pay.Pool.take(Pool.java:{n % 90 + 1})\n"
                   "\tat com.acme.pay.Api.post(Api.java:30)\n")
        if n % 3 == 0:
            out.append("Caused by: java.io.IOException: socket closed\n\tat com.acme.net.Conn.read(Conn.java:7)\n"
                       "\t... 2 more\n")
        if n % 11 == 5:
            out.append(f"java.lang.RuntimeException: no frames {n}\n")
    return "".join(out)


def test_a_burst_of_traces_is_parsed_in_bounded_pieces_as_the_whole_log(monkeypatch: pytest.MonkeyPatch) -> None:
    # Before regions were cut, a burst was one region held and parsed at once: 80,000 traces took 634 MB.
    monkeypatch.setattr(log_sources, "REGION_MAX_CHARS", 4000)
    monkeypatch.setattr(log_sources, "_CUT_SCAN_CHARS", 2000)
    cuts = count_cuts(monkeypatch)
    text = burst_of_traces(600)
    whole, streamed, regions = _whole_and_streamed(text, 3000)
    assert streamed == whole and len(whole) == 600 + 600 // 11 + 1
    # each piece but the last: the limit and at most a chunk more (the last is the text left at the log's end)
    assert len(regions) == len(cuts) + 1 > 10 and max(map(len, regions[:-1])) < 4000 + 3000


def test_a_region_is_not_cut_after_a_thread_that_names_a_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two threads waiting on each other's monitors, a record between them, traces around: a cut after the first
    # thread would put the two in different pieces, and the deadlock (found among one parsed text's threads) would
    # be lost. (Found by a review of the cut.)
    from utils.parsing.stacktrace import find_deadlocks, parse_log

    monkeypatch.setattr(log_sources, "REGION_MAX_CHARS", 1)
    first = ('"worker-A" #11 prio=5 os_prio=0 tid=0x1 nid=0x1 waiting for monitor entry [0x0]\n'
             "   java.lang.Thread.State: BLOCKED (on object monitor)\n\tat com.acme.Lock.take(Lock.java:10)\n"
             "\t- waiting to lock <0x0002> (a java.lang.Object)\n\t- locked <0x0001> (a java.lang.Object)\n"
             "\tat java.lang.Thread.run(Thread.java:829)\n")
    second = first.replace("worker-A", "worker-B").replace("0x0002", "0x000X").replace("0x0001", "0x0002")
    second = second.replace("0x000X", "0x0001")
    burst = "java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)\n" * 600
    text = burst + first + "2026-11-30 10:00:00.000 INFO [main] c.a.Web - heartbeat\n" + second + burst
    cuts = count_cuts(monkeypatch)
    for chunk in (97, 333, 4096):
        whole, streamed, regions = _whole_and_streamed(text, chunk)
        assert streamed == whole, chunk
        cycles = [[thread.thread for thread in cycle] for region in regions
                  for cycle in find_deadlocks(parse_log(region, cut=True))]
        assert cycles == [["worker-A", "worker-B"]], chunk
    assert cuts  # the bursts around the threads are still cut


# A review's counterexamples to the first version of the cut (2026-12-06), each a unit repeated past the parser's
# look ahead: the text `parse_log` learns from as a whole (a collector prefix on some lines, a stamp before every
# line, a JSON-escaped trace) reads otherwise when cut.
CUT_REVIEW_UNITS = {
    "prefix_on_later_frames": "java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)\nweb_1  | \tat a.B.d(B.java:2)\n"
                              "web_1  | \tat a.B.e(B.java:3)\n",
    "prefix_on_a_cause": "java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)\n"
                         "web_1  | Caused by: java.io.IOException: y\nweb_1  | \tat a.B.e(B.java:3)\n",
    "prefix_on_the_next_exception": "java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)\n"
                                    "web_1  | java.lang.RuntimeException: m\nweb_1  | \tat a.B.d(B.java:2)\n",
    "time_before_every_line": "2026-11-30 10:00:00.000 java.lang.IllegalStateException: x\n"
                              "2026-11-30 10:00:01.000 \tat a.B.d(B.java:2)\n2026-11-30 10:00:02.000 done\n",
    "jenkins_timestamper": "[2026-11-30T10:00:00.000Z] 2026-11-30 10:00:00.000 ERROR [main] c.a.Svc - failed\n"
                           "[2026-11-30T10:00:00.000Z] java.lang.IllegalStateException: x\n"
                           "[2026-11-30T10:00:00.000Z] \tat a.B.c(B.java:1)\n[2026-11-30T10:00:00.000Z] done\n",
    "time_before_some_lines": "2026-11-30 10:00:00.000 ERROR [main] c.a.Svc - failed\njava.lang.IllegalStateException: x\n"
                              "\tat a.B.c(B.java:1)\n2026-11-30 10:00:01.000 \tat a.B.d(B.java:2)\n"
                              "2026-11-30 10:00:02.000 text\n",
    "escaped_frames": "java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)\n\\tat a.B.d(B.java:2)\\n"
                      "\\tat a.B.e(B.java:3)\n",
    "escaped_cause": "java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)\\n\\tat a.B.d(B.java:2)\\n"
                     "Caused by: java.io.IOException: y\nmore text\n\tat a.B.e(B.java:3)\n",
}


@pytest.mark.parametrize("name", sorted(CUT_REVIEW_UNITS))
def test_text_the_parser_learns_from_as_a_whole_is_not_cut(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_sources, "REGION_MAX_CHARS", 1)
    unit = CUT_REVIEW_UNITS[name]
    text = unit * (1 + 2 * log_sources._DECIDED_MARGIN // unit.count("\n"))
    for chunk in (97, 1000, 4096):
        whole, streamed, _ = _whole_and_streamed(text, chunk)
        assert streamed == whole and whole, (name, chunk)


def test_an_uncut_region_is_scanned_once_not_with_every_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    # A burst behind a collector prefix is not cut; its candidate lines were found again with every chunk read
    # (50 MB took 29 s of region finding, a review's timing): now each line is scanned about once.
    scanned: list[int] = []
    candidate_lines = log_sources.candidate_lines

    def counted(text: str) -> list[tuple[int, int]]:
        scanned.append(len(text))
        return candidate_lines(text)

    monkeypatch.setattr(log_sources, "candidate_lines", counted)
    monkeypatch.setattr(log_sources, "REGION_MAX_CHARS", 1000)
    text = "web_1  | java.lang.IllegalStateException: x\nweb_1  | \tat a.B.c(B.java:1)\n" * 3000
    whole, streamed, regions = _whole_and_streamed(text, 2000)
    assert streamed == whole and len(regions) == 1
    assert sum(scanned) < 2 * len(text)  # every chunk's text again: ~len(text) ** 2 / 4000


@pytest.mark.parametrize(("text", "region"), [
    # a frame's `at` ends a line and its name comes on the next (`_FRAME_AT` spans blanks), read a character at a time
    ("at \nb(\n", "at \nb(\n"),
    # a frame run goes on after a chunk's end with indented `at` lines that are no frames of their own
    ("E\n\tat a.B.c(B.java:1)\n\tat x\n", "E\n\tat a.B.c(B.java:1)\n\tat x\n"),
])
def test_a_span_across_a_chunks_end_is_found_as_in_one_chunk(text: str, region: str) -> None:
    # A review's counterexamples to the first version of scanning only an undecided region's new lines.
    documents = list(log_sources._plain_log_regions(iter(text), "app.log"))
    assert [(document.text, document.cut) for document in documents if document.region] == [(region, False)]


@pytest.mark.parametrize("text", [
    # a frame's `at` ends a record line, its name on the next
    "2026-11-30 10:26:53.233 ERROR [exec-2] c.a.Svc - failed at \n"
    "      java.base/java.lang.Thread.sleep(Thread.java:509)\n\tat com.acme.m1.C1.run(C.java:87)\n"
    "2026-11-30 10:44:32.680 ERROR [exec-0] c.a.Svc - failed at \ncom.acme.Job(run)",
    # a Kotlin test name with spaces: an indented `at` line that is no frame of its own goes on a frame run
    "2026-11-30 10:00:00.000 ERROR [main] c.a.T - test failed\njava.lang.AssertionError: expected 1\n"
    "\tat com.acme.FooTest.check(FooTest.kt:8)\n\tat com.acme.FooTest.should add numbers(FooTest.kt:12)\n"
    "2026-11-30 10:00:01.000 INFO [main] c.a.T - next\n",
])
def test_a_span_across_a_chunks_end_streams_as_whole(text: str) -> None:
    for chunk in (1, 7, 40):
        whole, streamed, _ = _whole_and_streamed(text, chunk)
        assert streamed == whole, chunk


def test_one_huge_trace_is_not_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    # no line in it ends a trace: the region goes on growing rather than splitting a stack
    monkeypatch.setattr(log_sources, "REGION_MAX_CHARS", 500)
    text = "java.lang.StackOverflowError\n" + "\tat com.acme.Tree.visit(Tree.java:42)\n" * 400 + "done\n"
    whole, streamed, regions = _whole_and_streamed(text, 700)
    assert streamed == whole and len(regions) == 1


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
def test_a_rotated_compressed_log_is_read_as_the_text_it_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               suffix: str) -> None:
    import bz2
    import gzip
    import lzma

    compress = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[suffix]
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", 4096)  # the compressed stream read in many chunks
    lines = ["2024-03-12 10:15:32 ERROR [main] com.acme.App - failed", "java.lang.IllegalStateException: closed",
             "\tat com.acme.Store.get(Store.java:40)", "\tat com.acme.App.main(App.java:7)"]
    filler = [f"2024-03-12 10:15:{i % 60:02d} INFO [main] com.acme.App - heartbeat {i}" for i in range(3000)]
    text = "\n".join(filler + lines + filler + lines) + "\n"
    plain, packed = tmp_path / "app.log", tmp_path / f"app.log.1{suffix}"
    plain.write_text(text, encoding="utf-8")
    packed.write_bytes(compress(text.encode("utf-8")))
    # before: a counted skip, "gzip-compressed, not a text log: decompress it first (`zcat FILE`)"
    read = [(doc.text, doc.line_offset) for doc in DocumentStream([str(plain)])]
    stream = DocumentStream([str(packed)])
    assert [(doc.text, doc.line_offset) for doc in stream] == read and not stream.skips.skipped
    assert stream.stats.bytes_read == packed.stat().st_size == stream.total_bytes()  # progress in the file's bytes
    documents, report = read_documents([str(packed)])
    assert [doc.text for doc in documents] == [text] and not report.skipped


def test_a_compressed_log_cut_short_is_read_up_to_there_and_counted(tmp_path: Path) -> None:
    import gzip

    trace = "java.lang.IllegalStateException: closed\n\tat com.acme.Store.get(Store.java:40)\n"
    filler = "".join(f"2024-03-12 10:15:00 INFO [main] com.acme.App - heartbeat {i} {i * 7919 % 104729}\n"
                     for i in range(40_000))
    whole = gzip.compress((trace + filler + trace).encode("utf-8"))
    cut = tmp_path / "app.log.1.gz"
    cut.write_bytes(whole[: len(whole) // 2])  # a copy interrupted halfway
    stream = DocumentStream([str(cut)])
    found = [doc for doc in stream if not doc.no_trace_head]
    assert len(found) == 1 and "Store.get" in found[0].text
    (skip,) = stream.skips.skipped
    assert skip["source"] == str(cut) and skip["reason"].startswith("gzip data cut short or damaged (")
    with pytest.raises(InputError, match=rf"^{cut}: gzip data cut short or damaged"):
        list(DocumentStream([str(cut)], strict=True))
    documents, report = read_documents([str(cut)])
    assert documents == [] and report.skipped[0]["reason"].startswith("gzip data cut short or damaged (")
    damaged = tmp_path / "app.log.2.gz"
    damaged.write_bytes(whole[:10] + b"\x00" * 64)  # broken from its start: one skip, not an "empty input" too
    stream = DocumentStream([str(damaged)])
    assert list(stream) == [] and [skip["reason"][:30] for skip in stream.skips.skipped] == [
        "gzip data cut short or damaged"]


def test_a_small_archive_of_a_huge_text_is_refused_without_being_decompressed_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the whole-document reader decompressed it all, then found it too large: 64 MiB held for a 64 KiB file
    import gzip

    monkeypatch.setattr(log_sources, "MAX_LOG_BYTES", 2**20)
    packed = tmp_path / "app.log.gz"
    packed.write_bytes(gzip.compress(b"2024-03-12 10:15:00 INFO [main] com.acme.App - heartbeat\n" * (2**20 + 2**19)))
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=r"larger than 1 MiB decompressed; split it first$"):
            read_documents([str(packed)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20


def test_a_compressed_archive_is_skipped_without_being_decompressed_to_its_end(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # a review's counterexample: a .tar.gz (binary inside) was decompressed to its last byte only to be skipped
    import gzip
    import io
    import tarfile

    from utils.parsing import compressed

    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode="w") as archive:
        data = b"\0" * (8 * 2**20)
        member = tarfile.TarInfo("zeros.bin")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    packed = tmp_path / "logs.tar.gz"
    packed.write_bytes(gzip.compress(payload.getvalue()))
    pulled: list[int] = []
    real = compressed.UntilDamaged.__call__
    monkeypatch.setattr(compressed.UntilDamaged, "__call__", lambda self, stream: pulled.append(1) or real(self, stream))
    stream = DocumentStream([str(packed)])
    assert list(stream) == [] and stream.skips.skipped == [
        {"source": str(packed), "reason": "binary file (NUL bytes), not a text log"}]
    assert len(pulled) <= 2 and stream.stats.bytes_read == packed.stat().st_size  # 8 MiB would take 4 pulls


def test_a_jsonl_row_holding_a_line_separator_is_one_row(tmp_path: Path) -> None:
    # U+2028 is valid inside a JSON string (and a fold separator): the whole-file reader split the row there into two
    # malformed ones, while the stream read one
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "a", "log": "java.lang.IllegalStateException: x\u2028\tat a.B.c(B.java:1)"},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    documents, report = read_documents([str(rows)])
    assert [doc.id for doc in documents] == ["a"] and not report.skipped
    assert [doc.id for doc in DocumentStream([str(rows)])] == ["a"]


def test_a_compressed_log_read_nowhere_here_is_a_skip_that_says_how_to_read_it(tmp_path: Path) -> None:
    text = "java.lang.IllegalStateException: closed\n\tat com.acme.Store.get(Store.java:40)\n" * 50
    zstd, archive = tmp_path / "app.log.1.zst", tmp_path / "logs.zip"
    zstd.write_bytes(b"\x28\xb5\x2f\xfd" + text.encode("utf-8"))  # the header is what is read
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("app.log", text)
    expected = {str(zstd): "zstd-compressed, not a text log: decompress it first (`zstdcat FILE`)",
                str(archive): "zip-compressed, not a text log: decompress it first (`unzip -p FILE`)"}
    documents, report = read_documents([str(zstd), str(archive)])
    assert documents == [] and {skip["source"]: skip["reason"] for skip in report.skipped} == expected
    stream = DocumentStream([str(zstd), str(archive)])
    assert list(stream) == [] and {skip["source"]: skip["reason"] for skip in stream.skips.skipped} == expected
    # a text log that starts like a bzip2 header is still text
    gateway = tmp_path / "gateway.log"
    gateway.write_text("BZh-gateway started\n" + text, encoding="utf-8")
    documents, report = read_documents([str(gateway)])
    assert len(documents) == 1 and not report.skipped


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("chunk_bytes", [7, 13, 2 * 2**20])
def test_the_first_invalid_byte_is_warned_with_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        line_end: str, chunk_bytes: int) -> None:
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", chunk_bytes)  # small chunks: line ends cut between chunks
    lines = ["2024-03-12 10:15:32 ERROR [main] com.acme.App - failed", "java.lang.IllegalStateException: closed",
             "\tat com.acme.Store.get(Store.java:40)", "\tat com.acme.App.main(App.java:7)"] * 3
    end = line_end.encode()  # line 10 starts with a Latin-1 byte; the last line ends with another
    body = end.join(line.encode("utf-8") for line in lines[:9]) + end + b"caf\xe9 " + \
        end.join(line.encode("utf-8") for line in lines[9:]) + b"\xff" + end
    log = tmp_path / "app.log"
    log.write_bytes(body)
    # before: "invalid UTF-8 bytes replaced with U+FFFD", and a user could not tell which of a log's lines
    expected = "invalid UTF-8 bytes replaced with U+FFFD (the first on line 10)"
    assert read_documents([str(log)])[1].warnings[0]["reason"] == expected
    stream = DocumentStream([str(log)])
    list(stream)
    assert [warning["reason"] for warning in stream.skips.warnings] == [expected]


@pytest.mark.parametrize(("lines", "message"), [
    ("<MASKED>: closed\n" + TRACE.split("\n", 1)[1], "[EXC]: closed"),
    ("Caused by: ***: closed\n" + TRACE.split("\n", 1)[1], "[EXC]: closed"),
    ("2026-11-30 10:00:05.000 ERROR [exec-2] c.a.Pay - ***: nightly batch done\n", None),
    ("2026-11-30 10:00:05.000 ERROR [exec-2] c.a.Pay - could not register <MASKED>\n", None),
])
def test_another_tools_placeholder_for_a_name_streams_as_whole(lines: str, message: str | None) -> None:
    """Another tool's placeholder (`<MASKED>`, `***`) is no candidate line of the streamed scan: it is read as a
    name only with frames under it (their candidate region reaches it) or after `Caused by:`, so streamed and whole
    read the same."""
    whole, streamed, _ = _whole_and_streamed(INFO_LINES + ERROR_LINE + lines + AFTER_LINES, 1 << 20)
    assert streamed == whole
    assert [trace[1][0][:2] for trace in whole] == ([("", message)] if message else [])


@pytest.mark.parametrize("message_lines", [1, 2, 4, 9, 17])
@pytest.mark.parametrize("chunk", [41, 700, 1 << 20])
@pytest.mark.parametrize("prefix", ["", "2026-11-30T10:00:05.000000001Z stderr F ",
                                    "2026-11-30 10:00:05.000 ERROR [exec-2] c.a.Pay - "])
def test_a_placeholders_message_streams_as_whole(message_lines: int, chunk: int, prefix: str) -> None:
    """A placeholder's exception line is no candidate of the streamed scan, so it is believed only right above its
    frames, where a region reaches it (one line further back than above a candidate): with a longer message both
    reads take the last line for an unnamed exception's message. A review found a longer look back cut short by a
    chunk's edge, a log prefix on every line and a message line holding a candidate word."""
    message = [f"detail line {n}" for n in range(1, message_lines)]
    lines = ["<MASKED>: closed", *message, *TRACE.split("\n", 1)[1].splitlines()]
    log = INFO_LINES + ERROR_LINE + "".join(f"{prefix}{line}\n" for line in lines) + AFTER_LINES
    whole, streamed, _ = _whole_and_streamed(log, chunk)
    assert streamed == whole and len(whole) == 1
    assert whole[0][1][0][1] == ("[EXC]: closed" if message_lines == 1 else message[-1])


def test_a_message_line_with_a_candidate_word_under_a_placeholder_streams_as_whole() -> None:
    log = "<MASKED>: closed\nd1\nd2\nd3\nd4\nsee error 3\n\tat a.B.c(B.java:1)\n"
    whole, streamed, _ = _whole_and_streamed(log, 1 << 20)
    assert streamed == whole and whole[0][1][0][1] == "see error 3"


def test_a_plain_log_named_jsonl_is_read_as_a_log_with_a_warning(tmp_path: Path) -> None:
    # Before: every line was a skip for malformed JSON and nothing was analyzed.
    named = tmp_path / "app.jsonl"
    named.write_text((EXAMPLES / "junit_failure.log").read_text(encoding="utf-8"), encoding="utf-8")
    warning = {"source": str(named), "reason": "named like JSON lines, but no line it starts with is a JSON "
                                                 "object: read as a plain log"}
    documents, report = read_documents([str(named)])
    assert [d.text for d in documents] == [named.read_text(encoding="utf-8")]
    assert report.warnings == [warning] and not report.skipped
    stream = DocumentStream([str(named)])
    assert sum(1 for _ in stream) >= 1 and stream.skips.warnings == [warning] and not stream.skips.skipped
    # a file of rows whose first line is not one stays rows: its first line is the one skip
    rows = tmp_path / "rows.jsonl"
    rows.write_text('# exported\n{"log": "java.lang.IllegalStateException: x"}\n', encoding="utf-8")
    documents, report = read_documents([str(rows)])
    assert len(documents) == 1 and [item["source"] for item in report.skipped] == [f"{rows}:1"]


def _placed_where_written(traces: list[Any], lines: list[str]) -> list[str]:
    """The traces whose `lines` (1-based, the file's) do not hold their first exception's class name."""
    misplaced = []
    for trace in traces:
        named = trace.chain[0].class_name.rsplit(".", 1)[-1] if trace.kind == "exception" and trace.chain else ""
        if named and not any(named in line for line in lines[trace.start_line - 1:trace.end_line]):
            misplaced.append(f"{named} at lines {trace.start_line}-{trace.end_line}")
    return misplaced


def test_a_trace_decoded_from_one_line_is_placed_on_the_files_lines(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A JSON event's trace, or one folded onto a line, is several lines once decoded: the traces after it were
    placed that many lines further down than the file has them (a 1-line JSON log's trace at "lines 8-14"), read
    whole, streamed, and with runs of frames parsed once."""
    from utils.parsing.stacktrace import parse_log

    folded = ("2026-12-07 10:00:00.123 ERROR [exec-1] c.a.Pay - failed java.lang.IllegalStateException: shut | "
              "at com.acme.Pay.run(Pay.java:1) | at com.acme.Pay.go(Pay.java:2)\n")
    text = styled_log(40, seed=5) + folded + styled_log(10, seed=6)
    lines = text.split("\n")
    traces = parse_log(text)
    assert sum(trace.end_line == trace.start_line for trace in traces if trace.chain) >= 10  # the one-line events
    assert _placed_where_written([t for t in traces if t.chain], lines) == []
    log = tmp_path / "app.log"
    log.write_text(text, encoding="utf-8")
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", 4096)  # regions: each placed by the lines before it
    monkeypatch.setattr(predict, "BATCH_CHARS", 5000)
    streamed = [item.trace for batch in predict.parsed_batches(DocumentStream([str(log)]), load_label_set(), None)
                for item in batch if item.trace.chain]
    assert len(streamed) > 40 and _placed_where_written(streamed, lines) == []
    assert [(t.start_line, t.end_line) for t in streamed if t.kind == "exception"] == [
        (t.start_line, t.end_line) for t in traces if t.chain and t.kind == "exception"]


def test_a_console_log_captured_with_colour_reads_its_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Spring Boot's console with colour on (`spring.output.ansi.enabled=always`, `docker logs` of it): the terminal
    codes around the time and level hid them, so a trace had no level, time or thread, and its group no first seen;
    streamed with a code cut at a chunk's end as whole, JSONL rows too."""
    from utils.parsing.stacktrace import parse_log

    def coloured(second: int) -> str:
        return (f"\x1b[2m2026-12-07 10:00:{second:02d}.234\x1b[0;39m \x1b[31mERROR\x1b[0;39m \x1b[35m1\x1b[0;39m "
                f"\x1b[2m---\x1b[0;39m \x1b[2m[nio-8080-exec-1]\x1b[0;39m \x1b[36mc.b.l.TransferService\x1b[0;39m "
                "\x1b[2m:\x1b[0;39m transfer failed\njava.lang.IllegalStateException: ledger closed\n"
                "\tat com.bank.ledger.Ledger.post(Ledger.java:42) ~[classes/:na]\n")

    filler = "".join(f"\x1b[2m2026-12-07 09:00:00.000\x1b[0;39m \x1b[32m INFO\x1b[0;39m heartbeat {n}\n"
                     for n in range(300))
    text = filler + coloured(1) + filler + coloured(2)
    log = tmp_path / "console.log"
    log.write_text(text, encoding="utf-8")
    expected = [("ERROR", f"2026-12-07 10:00:0{second}.234", "nio-8080-exec-1", 302 + 303 * (second - 1))
                for second in (1, 2)]
    for chunk in (4096, 4097, 4099, 4101):  # some cut a code in two
        monkeypatch.setattr(log_sources, "CHUNK_BYTES", chunk)
        traces = [trace for document in DocumentStream([str(log)]) if not document.no_trace_head
                  for trace in parse_log(document.text) if trace.chain
                  for trace.start_line in [trace.start_line + document.line_offset]]
        assert [(t.log_level, t.timestamp, t.thread, t.start_line) for t in traces] == expected, chunk
    documents, _ = read_documents([str(log)])
    assert "\x1b" not in documents[0].text
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"log": coloured(1)}) + "\n", encoding="utf-8")
    (document,) = DocumentStream([str(rows)])
    assert [trace.log_level for trace in parse_log(document.text)] == ["ERROR"]
    # a Docker json-file log holds them JSON-escaped: dropped from each row's line (a review's case)
    docker = tmp_path / "abc-json.log"
    docker.write_text("".join(json.dumps({"log": line + "\n", "stream": "stdout", "time": "2026-12-07T01:00:00Z"})
                              + "\n" for line in coloured(1).splitlines()), encoding="utf-8")
    found = [trace for document in DocumentStream([str(docker)]) if not document.no_trace_head
             for trace in parse_log(document.text) if trace.chain]
    assert [(trace.log_level, trace.thread) for trace in found] == [("ERROR", "nio-8080-exec-1")]
