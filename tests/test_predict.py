"""predict.py end to end (parser-only and with tiny models), and its handling of bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from utils.parsing.log_sources import InputError, read_documents
from utils.pipeline.analyze import (
    DECIDED_BY_AGREE,
    DECIDED_BY_MODEL,
    DECIDED_BY_PARSER,
    DECIDED_BY_PARSER_OVER_MODEL,
    decide_label,
)

REPO = Path(__file__).resolve().parents[1]

SOCKET_TIMEOUT_LOG = """\
2026-01-05 10:00:01.100 ERROR [http-nio-8080-exec-1] c.b.p.PaymentService - Payment failed id=42
org.springframework.dao.DataAccessResourceFailureException: could not execute query; nested exception is java.sql.SQLException: I/O error
\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:277)
\tat com.acme.pay.PaymentService.charge(PaymentService.java:88)
\tat com.acme.pay.PaymentController.post(PaymentController.java:31)
Caused by: java.sql.SQLException: I/O error
\tat com.mysql.cj.jdbc.ConnectionImpl.execSQL(ConnectionImpl.java:763)
\t... 3 more
Caused by: java.net.SocketTimeoutException: Read timed out
\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:283)
\tat com.mysql.cj.protocol.ReadAheadInputStream.fill(ReadAheadInputStream.java:107)
\t... 6 more
2026-01-05 10:00:01.200 INFO  [http-nio-8080-exec-1] c.b.p.PaymentService - retry scheduled
"""

NPE_LOG = """\
java.lang.NullPointerException: Cannot invoke "String.trim()" because "name" is null
\tat com.acme.users.UserService.normalize(UserService.java:40)
\tat com.acme.users.UserService.create(UserService.java:22)
"""


def run_predict(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "predict.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_decide_label_prefers_readable_names() -> None:
    assert decide_label("NullPointerException", None) == ("NullPointerException", DECIDED_BY_PARSER)
    assert decide_label(None, "IOException") == ("IOException", DECIDED_BY_MODEL)
    assert decide_label("IOException", "IOException") == ("IOException", DECIDED_BY_AGREE)
    assert decide_label("IOException", "SQLException") == ("IOException", DECIDED_BY_PARSER_OVER_MODEL)
    assert decide_label(None, None) == (None, None)


def test_parser_only_jsonl_output_fields(tmp_path: Path) -> None:
    logs = tmp_path / "logs.jsonl"
    logs.write_text(
        json.dumps({"id": "a", "log": SOCKET_TIMEOUT_LOG}) + "\n" + json.dumps({"id": "b", "log": NPE_LOG}) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = run_predict("--input", str(logs), "--output", str(out), "--no-model")
    assert result.returncode == 0, result.stderr
    records = read_records(out)
    assert [record["id"] for record in records] == ["a", "b"]
    first = records[0]
    # The root cause, not the outer wrapper: the seed's failure was predicting SQLException here.
    assert first["exception"] == "SocketTimeoutException"
    assert first["exception_fqcn"] == "java.net.SocketTimeoutException"
    assert first["label"] == "SocketTimeoutException"
    assert first["decided_by"] == DECIDED_BY_PARSER
    assert [link["class"] for link in first["chain"]] == [
        "org.springframework.dao.DataAccessResourceFailureException",
        "java.sql.SQLException",
        "java.net.SocketTimeoutException",
    ]
    assert first["root_cause"] == {"class": "java.net.SocketTimeoutException", "message": "Read timed out"}
    assert first["location"]["class"] == "com.acme.pay.PaymentService"
    assert first["location"]["method"] == "charge"
    assert first["location"]["line"] == 88
    assert first["candidates"][0]["method"] == "charge"
    assert records[1]["location"] == {
        "class": "com.acme.users.UserService",
        "method": "normalize",
        "file": "UserService.java",
        "line": 40,
    }
    report = json.loads((tmp_path / "out.jsonl.report.json").read_text(encoding="utf-8"))
    assert report["traces"] == 2 and report["skipped"] == []


def test_plain_log_with_several_traces_and_stdin(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text(SOCKET_TIMEOUT_LOG + "unrelated line\n" + NPE_LOG, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run_predict("--input", str(log), "--output", str(out), "--no-model").returncode == 0
    assert [record["label"] for record in read_records(out)] == ["SocketTimeoutException", "NullPointerException"]
    printed = run_predict("--input", "-", "--no-model", stdin=NPE_LOG)
    assert printed.returncode == 0, printed.stderr
    assert "What failed : NullPointerException" in printed.stdout
    assert "UserService.java:40" in printed.stdout


def test_thread_dump_shows_the_deadlock_and_counts_quiet_threads(tmp_path: Path) -> None:
    dump = REPO / "tests" / "fixtures" / "traces" / "thread_dump_deadlock.txt"
    printed = run_predict("--input", str(dump), "--no-model")
    assert printed.returncode == 0, printed.stderr
    out = printed.stdout
    assert "Thread dump: 2 more thread(s), neither blocked nor deadlocked, not listed (TIMED_WAITING 1, WAITING 1)" in out
    assert "DEADLOCK    : transfer-1 -> transfer-2 -> transfer-1" in out
    assert "Thread      : transfer-2   BLOCKED (on object monitor)" in out
    assert "Where       : LedgerService.java:88 (com.bank.ledger.LedgerService.transfer)" in out
    assert "What failed" not in out and "Root cause" not in out  # a thread is not an exception
    output = tmp_path / "out.jsonl"
    assert run_predict("--input", str(dump), "--no-model", "--output", str(output)).returncode == 0
    records = read_records(output)
    assert [record["kind"] for record in records] == ["thread"] * 4
    blocked = records[1]
    assert blocked["label"] is None and blocked["has_exception"] is False
    assert blocked["exception"] is blocked["root_cause"] is None and blocked["chain"] == []
    # the cycle is listed once, in its first thread's record; the other member names it and whom it waits for
    assert blocked["thread"]["deadlock"] == {"cycle": 1, "waits_for": "transfer-2",
                                             "threads": ["transfer-1", "transfer-2"]}
    assert records[2]["thread"]["deadlock"] == {"cycle": 1, "waits_for": "transfer-1", "threads": None}
    assert blocked["thread"]["locks"][0] == {"action": "waiting to lock", "address": "0x000000076ab62208",
                                             "class": "com.bank.ledger.Account"}
    assert records[0]["thread"] == {"name": "main", "state": "TIMED_WAITING (sleeping)", "virtual": False,
                                    "deadlock": None, "locks": []}


def test_bad_jsonl_lines_are_counted_not_dropped(tmp_path: Path) -> None:
    logs = tmp_path / "bad.jsonl"
    logs.write_text(
        "\n".join(
            [
                json.dumps({"id": "ok", "log": NPE_LOG}),
                "{not json",
                json.dumps({"id": "nolog", "text": NPE_LOG}),
                json.dumps({"id": "empty", "log": "   "}),
                json.dumps(["a", "list"]),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = run_predict("--input", str(logs), "--output", str(out), "--no-model")
    assert result.returncode == 0, result.stderr
    assert [record["id"] for record in read_records(out)] == ["ok"]
    report = json.loads((tmp_path / "out.jsonl.report.json").read_text(encoding="utf-8"))
    assert [item["source"] for item in report["skipped"]] == [f"{logs}:{n}" for n in (2, 3, 4, 5)]
    assert "skipped 4 input(s)" in result.stderr
    strict = run_predict("--input", str(logs), "--no-model", "--strict")
    assert strict.returncode == 2
    assert strict.stderr.strip().splitlines() == [
        f"error: {logs}:2: malformed JSON: Expecting property name enclosed in double quotes (column 2)"
    ]


def test_what_cannot_be_read_in_a_directory_is_a_counted_skip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a review's counterexample (run as a user without the rights): a file it could not open stopped the run with
    # `[Errno 13] Permission denied` and nothing else reported; a directory it could not list was left out silently
    import os

    from utils.parsing.log_sources import DocumentStream

    logs = tmp_path / "logs"
    (logs / "sub").mkdir(parents=True)
    for name in ("a.log", "secret.log", "gone.log", "sub/c.log"):
        (logs / name).write_text(NPE_LOG, encoding="utf-8")
    real_access, real_walk = os.access, os.walk
    monkeypatch.setattr(os, "access", lambda path, mode: not str(path).endswith("secret.log") and real_access(path, mode))

    def walk(top, onerror=None):  # as os.walk meets a directory it may not list
        for root, dirs, names in real_walk(top):
            if root.endswith("sub"):
                onerror(PermissionError(13, "Permission denied", root))
                continue
            yield root, dirs, names

    monkeypatch.setattr(os, "walk", walk)
    stream = DocumentStream([str(logs)])
    (logs / "gone.log").unlink()  # removed between the listing and its reading
    sources = {document.source for document in stream}
    assert sources == {str(logs / "a.log")}
    assert stream.skips.skipped == [
        {"source": str(logs / "secret.log"), "reason": "a file this user cannot read (permission denied)"},
        {"source": str(logs / "sub"), "reason": "a directory that cannot be read (Permission denied)"},
        {"source": str(logs / "gone.log"), "reason": "cannot be opened (No such file or directory)"}]


def test_a_missing_input_fails_with_one_line_and_an_empty_directory_with_its_skip(tmp_path: Path) -> None:
    result = run_predict("--input", str(tmp_path / "missing.log"), "--no-model")
    assert result.returncode == 2 and result.stderr.strip() == f"error: {tmp_path / 'missing.log'}: no such file or directory"
    result = run_predict("--input", str(tmp_path), "--no-model")
    assert result.returncode == 2 and result.stderr.strip().splitlines() == [
        "skipped 1 input(s):", f"  {tmp_path}: a directory with no file to read in it",
        "error: no input could be analyzed; no output file was written"]


def test_a_directory_is_read_as_its_files(tmp_path: Path) -> None:
    # before: "is a directory; give the log files inside it" (build_corpus.py --real_logs and --engine ray walked one)
    logs = tmp_path / "logs"
    (logs / "older").mkdir(parents=True)
    (logs / "app.log").write_text(NPE_LOG, encoding="utf-8")
    (logs / "older" / "app.log.1").write_text(NPE_LOG.replace("UserService.java:40", "UserService.java:41"),
                                              encoding="utf-8")
    (logs / ".app.log.swp").write_text(NPE_LOG, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run_predict("--input", str(logs), str(logs / "app.log"), "--output", str(out), "--no-model")
    assert result.returncode == 0, result.stderr
    assert [record["source"] for record in read_records(out)] == [str(logs / "app.log"), str(logs / "older/app.log.1")]
    report = json.loads((tmp_path / "out.jsonl.report.json").read_text(encoding="utf-8"))
    assert report["skipped"] == [{"source": str(logs / ".app.log.swp"), "reason": "a hidden file"},
                                 {"source": str(logs / "app.log"), "reason": f"the same file as {logs / 'app.log'}, already read"}]
    # an output among a directory's files would be read back by the next run: refused before anything is read
    result = run_predict("--input", str(logs), "--output", str(logs / "app.log"), "--no-model")
    assert result.returncode == 2 and "it is an input of this run" in result.stderr


def test_exit_status_2_when_every_input_is_skipped(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    binary = tmp_path / "core.bin"
    binary.write_bytes(b"\x7fELF\x00\x00\x01" * 100)
    rows = tmp_path / "bad.jsonl"
    rows.write_text("{not json\n" + json.dumps({"id": "nolog", "text": NPE_LOG}) + "\n", encoding="utf-8")
    out, groups, report = tmp_path / "out.jsonl", tmp_path / "groups.jsonl", tmp_path / "report.md"
    for earlier in (out, groups, report):  # an earlier run's results
        earlier.write_text("earlier\n", encoding="utf-8")
    result = run_predict("--input", str(empty), str(binary), str(rows), "--output", str(out), "--groups",
                         str(groups), "--report", str(report), "--no-model")
    assert result.returncode == 2, result.stderr  # nothing was analyzed: a script must not read this as success
    assert "skipped 4 input(s)" in result.stderr and "binary file" in result.stderr
    for source in (str(empty), str(binary), f"{rows}:1", f"{rows}:2"):
        assert f"  {source}: " in result.stderr
    assert result.stderr.strip().endswith("no input could be analyzed; no output file was written")
    # a run that analysed nothing does not replace the earlier results with empty ones
    assert all(earlier.read_text(encoding="utf-8") == "earlier\n" for earlier in (out, groups, report))
    assert not (tmp_path / "out.jsonl.report.json").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.jsonl", "core.bin", "empty.log", "groups.jsonl",
                                                              "out.jsonl", "report.md"]
    printed = run_predict("--input", str(empty), "--no-model")  # the summary mode too
    assert printed.returncode == 2 and "empty input" in printed.stderr
    # One readable input among skipped ones is a normal run.
    good = tmp_path / "npe.log"
    good.write_text(NPE_LOG, encoding="utf-8")
    assert run_predict("--input", str(empty), str(good), "--no-model").returncode == 0


@pytest.mark.parametrize(("options", "message"), [
    (["--output", "{log}"], "--output {log}: it is an input of this run"),
    (["--groups", "{log}"], "--groups {log}: it is an input of this run"),
    (["--output", "{tmp}/o.jsonl", "--groups", "{tmp}/o.jsonl"], "--groups {tmp}/o.jsonl: --output {tmp}/o.jsonl "
                                                               "writes to the same file"),
    (["--output", "{tmp}/o.jsonl", "--groups", "{tmp}/o.jsonl.report.json"], "writes to the same file"),
    (["--groups", "{tmp}"], "--groups {tmp}: is a directory"),
    (["--report", "{log}/report.md"], "is a file, so its folder cannot be made"),
    (["--output", "-"], "--output -: names a file to write"),  # it wrote a file named "-" and said "to -"
    (["--groups", "-"], "--groups -: names a file to write"),
])
def test_an_output_that_would_replace_an_input_or_another_output_fails_first(tmp_path: Path, options: list[str],
                                                                           message: str) -> None:
    log = tmp_path / "app.log"
    log.write_text(NPE_LOG, encoding="utf-8")
    values = {"log": str(log), "tmp": str(tmp_path)}
    result = run_predict("--input", str(log), *(option.format(**values) for option in options), "--no-model")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message.format(**values) in lines[0], result.stderr
    assert log.read_text(encoding="utf-8") == NPE_LOG and sorted(tmp_path.iterdir()) == [log]


def test_replaced_outputs_are_named_and_a_file_given_twice_is_read_once(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text(NPE_LOG, encoding="utf-8")
    out, groups = tmp_path / "out.jsonl", tmp_path / "groups.jsonl"
    out.write_text("earlier\n", encoding="utf-8")
    result = run_predict("--input", str(log), str(tmp_path / "." / "app.log"), "--output", str(out), "--groups",
                         str(groups), "--no-model")
    assert result.returncode == 0, result.stderr
    assert len(read_records(out)) == 1 and json.loads(groups.read_text(encoding="utf-8"))["count"] == 1
    assert f"to {out} in" in result.stderr and f"(it replaced what was there: {out})" in result.stderr
    assert f"to {groups}\n" in result.stderr  # new: nothing was replaced
    report = json.loads((tmp_path / "out.jsonl.report.json").read_text(encoding="utf-8"))
    assert report["skipped"] == [{"source": str(tmp_path / "." / "app.log"),
                                  "reason": f"the same file as {log}, already read"}]
    # the run report alone was there (its records removed by hand): the run says it replaced it
    out.unlink()
    result = run_predict("--input", str(log), "--output", str(out), "--no-model")
    assert f"(it replaced what was there: {out}.report.json)" in result.stderr, result.stderr


def test_a_jsonl_row_that_is_null_is_a_counted_skip(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "ok", "log": NPE_LOG}) + "\nnull\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run_predict("--input", str(rows), "--output", str(out), "--no-model")
    assert result.returncode == 0, result.stderr
    assert [record["id"] for record in read_records(out)] == ["ok"]
    assert f"{rows}:2: a JSON object was expected" in result.stderr


def test_empty_binary_and_non_utf8_inputs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    binary = tmp_path / "core.bin"
    binary.write_bytes(b"\x7fELF\x00\x00\x01" * 100)
    latin = tmp_path / "latin.log"
    latin.write_bytes(NPE_LOG.replace("name", "n\xe4me").encode("latin-1"))
    documents, report = read_documents([str(empty), str(binary), str(latin)])
    assert [document.source for document in documents] == [str(latin)]
    assert {item["source"] for item in report.skipped} == {str(empty), str(binary)}
    assert report.warnings and report.warnings[0]["source"] == str(latin)
    with pytest.raises(InputError, match="empty input"):
        read_documents([str(empty)], strict=True)



@pytest.mark.parametrize("hole", [4096, 2**21 + 100])  # within the first chunk read, and past it
def test_a_log_truncated_while_written_is_read_past_its_hole(tmp_path: Path, hole: int) -> None:
    # logrotate's copytruncate: the writer goes on at its old offset, so the file starts with a run of NUL bytes.
    log = tmp_path / "app.log"
    log.write_bytes(b"\x00" * hole + NPE_LOG.encode("utf-8"))
    out = tmp_path / "out.jsonl"
    result = run_predict("--input", str(log), "--output", str(out), "--no-model")
    assert result.returncode == 0, result.stderr
    assert [record["exception"] for record in read_records(out)] == ["NullPointerException"]
    warning = f"{hole} NUL bytes at its start skipped"
    assert warning in result.stderr
    documents, report = read_documents([str(log)])
    assert len(documents) == 1 and warning in report.warnings[0]["reason"] and not report.skipped
    wide = tmp_path / "wide.log"  # UTF-16-BE text after the hole: its own first NUL byte is not the hole's
    wide.write_bytes(b"\x00" * hole + NPE_LOG.replace("name", "이름").encode("utf-16-be"))
    documents, report = read_documents([str(wide)])
    assert len(documents) == 1 and "이름" in documents[0].text and f"{hole} NUL bytes" in report.warnings[0]["reason"]
    binary = tmp_path / "core.bin"  # NULs among the bytes, not a hole before text: still not a log
    binary.write_bytes(b"\x00" * 64 + b"\x7fELF\x00\x00\x01" * 100)
    assert read_documents([str(binary)])[1].skipped[0]["reason"] == "binary file (NUL bytes), not a text log"

def test_jsonl_row_language_is_read_and_checked(tmp_path: Path) -> None:
    rows = [{"log": NPE_LOG, "language": "ko"}, {"log": NPE_LOG}, {"log": NPE_LOG, "language": "fr"}]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    documents, report = read_documents([str(path)])
    assert [document.language for document in documents] == ["ko", None, None]
    assert [item["source"] for item in report.warnings] == [f"{path}:3"]  # analyzed, in the default language
    assert "'fr'" in report.warnings[0]["reason"]


def test_large_log_and_no_trace_input(tmp_path: Path) -> None:
    big = tmp_path / "big.log"
    noise = "2026-01-05 10:00:00.000 INFO [main] c.a.App - heartbeat ok\n"
    big.write_text(noise * 9000 + NPE_LOG + noise * 9000, encoding="utf-8")  # ~1 MB
    assert big.stat().st_size > 1_000_000
    out = tmp_path / "out.jsonl"
    result = run_predict("--input", str(big), "--output", str(out), "--no-model")
    assert result.returncode == 0, result.stderr
    assert [record["label"] for record in read_records(out)] == ["NullPointerException"]

    quiet = tmp_path / "quiet.log"
    quiet.write_text(noise * 3, encoding="utf-8")
    result = run_predict("--input", str(quiet), "--output", str(out), "--no-model")
    records = read_records(out)
    assert len(records) == 1 and records[0]["has_exception"] is False and records[0]["label"] is None


def test_missing_model_dir_is_one_line(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text(NPE_LOG, encoding="utf-8")
    result = run_predict("--input", str(log), "--model", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "nope" in result.stderr


def test_output_is_atomic_when_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from utils.atomic import write_jsonl_atomic

    target = tmp_path / "out.jsonl"
    target.write_text("previous complete output\n", encoding="utf-8")

    def rows():
        yield {"id": 1}
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_jsonl_atomic(target, rows())
    assert target.read_text(encoding="utf-8") == "previous complete output\n"
    assert [path.name for path in tmp_path.iterdir()] == ["out.jsonl"]


def test_atomic_files_get_the_usual_permissions(tmp_path: Path) -> None:
    import os

    from utils.atomic import write_json_atomic

    target = write_json_atomic(tmp_path / "x.json", {"a": 1})
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_lone_surrogate_escapes_do_not_crash_and_are_counted(tmp_path: Path) -> None:
    # a \ud800 escape in a JSONL `log` field, and one inside a JSON-escaped trace of a plain log
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"id": "s1", "log": "java.lang.IllegalStateException: bad \\ud800 value\\n'
                    '\\tat com.acme.Ledger.post(Ledger.java:12)\\n"}\n', encoding="utf-8")
    plain = tmp_path / "app.log"
    plain.write_text('2026-11-30 12:00:00 INFO starting\n{"level":"ERROR","stack_trace":"java.lang.IllegalStateException: oops \\ud800\\n'
                     '\\tat com.acme.Ledger.post(Ledger.java:12)\\n"}\n', encoding="utf-8")
    output = tmp_path / "out.jsonl"
    result = run_predict("--input", str(rows), str(plain), "--no_model", "--output", str(output))
    assert result.returncode == 0, result.stderr
    records = read_records(output)
    assert [record["exception"] for record in records] == ["IllegalStateException", "IllegalStateException"]
    assert "\ufffd" in records[0]["root_cause"]["message"] and "\ufffd" in records[1]["root_cause"]["message"]
    report = json.loads(Path(f"{output}.report.json").read_text(encoding="utf-8"))
    assert any("lone surrogate" in item["reason"] for item in report["warnings"])
    summary = run_predict("--input", str(rows), str(plain), "--no_model")
    assert summary.returncode == 0 and "IllegalStateException" in summary.stdout


def test_utf16_and_bom_logs_are_analyzed_with_a_warning(tmp_path: Path) -> None:
    # Issue 17: a UTF-16 log (PowerShell `>`, with or without a byte-order mark) was skipped as "binary file (NUL
    # bytes)", and a UTF-8 BOM before the trace left exception_fqcn empty.
    with_mark = tmp_path / "windows.log"
    with_mark.write_bytes(b"\xff\xfe" + NPE_LOG.encode("utf-16-le"))
    without_mark = tmp_path / "powershell.log"
    without_mark.write_bytes(SOCKET_TIMEOUT_LOG.encode("utf-16-le"))
    utf8_mark = tmp_path / "notepad.log"
    utf8_mark.write_bytes(b"\xef\xbb\xbf" + NPE_LOG.encode("utf-8"))
    output = tmp_path / "out.jsonl"
    result = run_predict("--input", str(with_mark), str(without_mark), str(utf8_mark), "--no_model",
                         "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert [record["exception_fqcn"] for record in read_records(output)] == [
        "java.lang.NullPointerException", "java.net.SocketTimeoutException", "java.lang.NullPointerException"]
    report = json.loads(Path(f"{output}.report.json").read_text(encoding="utf-8"))
    assert report["skipped"] == []
    assert [item["reason"] for item in report["warnings"]] == [
        "decoded as UTF-16-LE (found by its byte-order mark), not UTF-8",
        "decoded as UTF-16-LE (found by its NUL bytes), not UTF-8",
    ]


KOREAN_LOG = """2026-12-07 10:00:00.123 ERROR [http-1] c.a.l.TransferController - 이체 처리 실패: 계좌 잔액 부족
java.lang.IllegalStateException: 잔액이 부족합니다 (요청 50000원, 잔액 1200원)
\tat com.acme.ledger.TransferService.withdraw(TransferService.java:88)
\tat com.acme.ledger.api.TransferController.post(TransferController.java:58)
"""


def test_a_korean_log_in_cp949_is_read_as_korean(tmp_path: Path) -> None:
    # Korean Windows and many banks' older systems write CP949 (EUC-KR): read as UTF-8, every Korean word of the
    # message was U+FFFD, and the explanations' language (Korean when the log holds Hangul) fell back to English.
    legacy = tmp_path / "legacy.log"
    legacy.write_bytes(KOREAN_LOG.encode("cp949"))
    latin = tmp_path / "latin1.log"  # other bytes that are not UTF-8 stay UTF-8 with the usual warning
    latin.write_bytes(NPE_LOG.replace("name", "nàme").encode("latin-1"))
    output = tmp_path / "out.jsonl"
    result = run_predict("--input", str(legacy), str(latin), "--no_model", "--output", str(output))
    assert result.returncode == 0, result.stderr
    first, second = read_records(output)
    assert first["root_cause"]["message"] == "잔액이 부족합니다 (요청 50000원, 잔액 1200원)"
    assert "\ufffd" in second["root_cause"]["message"]
    report = json.loads(Path(f"{output}.report.json").read_text(encoding="utf-8"))
    assert [item["reason"] for item in report["warnings"]] == [
        "decoded as CP949 (found by its Hangul in bytes that are not UTF-8), not UTF-8",
        "invalid UTF-8 bytes replaced with U+FFFD (the first on line 1)"]
    documents, _ = read_documents([str(legacy)])
    assert documents[0].text == KOREAN_LOG


@pytest.mark.parametrize("chunk", [4096, 4097, 4099])
def test_a_cp949_log_whose_first_korean_comes_late_is_read_as_korean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     chunk: int) -> None:
    # the encoding was chosen on the first chunk(s) (2 MiB): an English start-up longer than that, then the first
    # Korean message, and every Korean word was U+FFFD; now the rest is read as CP949 from there, with a warning
    from utils.parsing import log_sources
    from utils.parsing.stacktrace import parse_log

    monkeypatch.setattr(log_sources, "CHUNK_BYTES", chunk)  # some cut a two-byte Korean character in two
    startup = "".join(f"2026-12-07 09:00:{n % 60:02d}.000 INFO [main] c.a.App - started bean {n}\n" for n in range(400))
    legacy = tmp_path / "late.log"
    legacy.write_bytes((startup + KOREAN_LOG * 3).encode("cp949"))
    stream = log_sources.DocumentStream([str(legacy)])
    traces = [(trace.root_cause.message, trace.start_line + document.line_offset) for document in stream
              if not document.no_trace_head for trace in parse_log(document.text) if trace.chain]
    assert traces == [("잔액이 부족합니다 (요청 50000원, 잔액 1200원)", 402 + 4 * n) for n in range(3)]
    assert [warning["reason"] for warning in stream.skips.warnings] == [
        "decoded as CP949 from line 401 (Hangul in bytes that are not UTF-8; the lines before it are ASCII), not UTF-8"]


@pytest.mark.parametrize("line", ["ERROR c.a.Db - Can\u2019t connect: user\u2019s session expired",
                                  "WARN c.a.Sensor - temperature 25\u00b0C over limit", "ERROR \u00c4nderung fehlgeschlagen",
                                  "ERROR FALHA NA OPERA\u00c7\u00c3O: ERRO DE COMUNICA\u00c7\u00c3O"])
def test_windows_1252_or_latin_1_bytes_are_no_korean(line: str) -> None:
    # a review's counterexamples to the first rule: CP949's extended syllables are "a byte of 0x81-0xC6, then an
    # ASCII letter", which is what `’t` and `°C` are in Windows-1252, so `Can’t` read `Can뭪` and lost its `t`
    from utils.parsing.log_sources import sniff_encoding

    raw = (line + "\n").encode("cp1252") * 3
    assert sniff_encoding(raw) == ("utf-8", 0, None)
    assert sniff_encoding(KOREAN_LOG.encode("cp949"))[0] == "cp949"


def test_a_deadlock_cycle_is_listed_once(tmp_path: Path) -> None:
    # Issue 17: each thread of an N-thread cycle wrote the whole cycle (1.17 MB in, 223 MB out); now the first
    # thread's record and summary list it, the others name the cycle and whom they wait for.
    count = 400
    dump = tmp_path / "dump.txt"
    dump.write_text("".join(
        f'"w{i}" #{i + 1} prio=5 os_prio=0 tid=0x{i:x} nid=0x{i:x} waiting for monitor entry  [0x0]\n'
        "   java.lang.Thread.State: BLOCKED (on object monitor)\n"
        f"\tat com.acme.Stage.step(Stage.java:{i + 1})\n"
        f"\t- waiting to lock <0x{(i + 1) % count:x}> (a com.acme.Stage)\n"
        f"\t- locked <0x{i:x}> (a com.acme.Stage)\n\n" for i in range(count)), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    assert run_predict("--input", str(dump), "--no_model", "--output", str(output)).returncode == 0
    assert output.stat().st_size < 4 * dump.stat().st_size
    deadlocks = [record["thread"]["deadlock"] for record in read_records(output)]
    assert deadlocks[0] == {"cycle": 1, "waits_for": "w1", "threads": [f"w{i}" for i in range(count)]}
    assert deadlocks[1:] == [{"cycle": 1, "waits_for": f"w{(i + 1) % count}", "threads": None}
                             for i in range(1, count)]
    summary = run_predict("--input", str(dump), "--no_model")
    assert summary.returncode == 0 and len(summary.stdout) < 2 * dump.stat().st_size
    assert summary.stdout.count("DEADLOCK") == count and " ".join(summary.stdout.split()).count("w399 -> w0") == 1


def test_analyzer_options_come_from_the_arguments_in_one_place() -> None:
    # predict.py, evaluate.py and the Ray engine build AnalyzerOptions the same way: each option from the argument
    # of its name (`--model`, `--locator`, `--stage2` for the directories), a default where a script has none.
    import evaluate
    import predict
    from utils.pipeline.analyze import AnalyzerOptions

    args = predict.PredictArguments(input=["a.log"], model=["m1", "m2"], locator="loc", stage2="s2", top_k=7,
                                    quantize=True, precision="fp32", explanation_language="ko")
    options = AnalyzerOptions.from_arguments(args)
    assert (options.model_dirs, options.locator_dir, options.stage2_dir) == (["m1", "m2"], "loc", "s2")
    assert (options.top_k, options.quantize, options.precision, options.explanation_language) == (7, True, "fp32", "ko")
    assert options.no_stage1 is False  # predict.py has no --no_stage1: the option's default
    # reserved_cores is predict.py's own (its parse process), not an argument
    assert options.reserved_cores == 0
    every_option = {name for name in AnalyzerOptions.__dataclass_fields__ if name not in ("no_stage1", "reserved_cores")}
    named = {"model_dirs": "model", "locator_dir": "locator", "stage2_dir": "stage2"}
    assert {named.get(name, name) for name in every_option} <= set(predict.PredictArguments.__dataclass_fields__)

    explain = evaluate.EvaluateArguments(input="rows.jsonl", no_stage1=True, batch_size=4, recall_threshold=0.5)
    options = AnalyzerOptions.from_arguments(explain, locator_dir=None)
    assert (options.model_dirs, options.stage2_dir, options.locator_dir) == (["models/stage1"], "models/stage2", None)
    assert (options.no_stage1, options.batch_size, options.recall_threshold, options.top_k) == (True, 4, 0.5, 3)


def test_main_takes_argv_and_its_help_never_contradicts_itself(tmp_path: Path) -> None:
    import predict

    log = tmp_path / "npe.log"
    log.write_text(NPE_LOG, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert predict.main(["--input", str(log), "--output", str(out), "--no-model", "--parse_process", "false"]) == 0
    assert [record["exception"] for record in read_records(out)] == ["NullPointerException"]
    result = run_predict("--help")
    text = " ".join(result.stdout.split())
    assert result.returncode == 0 and "Default: models/stage1 when it exists." in text
    assert "(default: None)" not in text and "examples: python predict.py --input app.log" in text


def test_the_parse_process_core_is_left_to_the_models_only_when_they_load(monkeypatch: pytest.MonkeyPatch) -> None:
    import predict
    import utils.stage1.inference

    args = predict.PredictArguments(input=["a.log"], no_model=True)
    assert predict.build_analyzer(args, busy_cores=1).options.reserved_cores == 1
    assert predict.build_analyzer(args).options.reserved_cores == 0
    monkeypatch.setattr(utils.stage1.inference, "free_cores", lambda reserved=0: max(1, 2 - reserved))
    monkeypatch.setattr(utils.stage1.inference.torch, "set_num_threads", lambda count: None)
    assert utils.stage1.inference.configure_threads(None, 1) == 1  # what a loading Analyzer sets
    assert utils.stage1.inference.configure_threads(2, 1) == 2  # --threads wins
    # a parser-only run loads no torch (it did once, to count free cores for models it never loads)
    code = ("import sys, predict; predict.build_analyzer(predict.PredictArguments(input=['a'], no_model=True), "
            "busy_cores=1); print('torch' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          check=True).stdout.strip() == "False"


def test_a_run_stopped_by_sigterm_leaves_no_temp_file_behind(tmp_path: Path) -> None:
    import os
    import signal
    import time

    log = tmp_path / "day.log"
    subprocess.run([sys.executable, str(REPO / "build_corpus.py"), "--production_log", "40MB", "--output", str(log),
                    "--seed", "1"], cwd=REPO, check=True, capture_output=True, timeout=300)
    out, spill = tmp_path / "out" / "traces.jsonl", tmp_path / "tmp"
    out.parent.mkdir()
    spill.mkdir()
    run = subprocess.Popen([sys.executable, str(REPO / "predict.py"), "--input", str(log), "--output", str(out),
                            "--no-model"], cwd=REPO, env={**os.environ, "TMPDIR": str(spill)},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not any(out.parent.iterdir()) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # until the records' temp file is there: the run is writing
    assert run.poll() is None, "the run ended before it could be stopped"
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(out.parent.iterdir()) == [] and list(spill.iterdir()) == []  # no temp file, no parse spill folder


def _json_log_records(tmp_path: Path, name: str, rows: list[dict]) -> tuple[Path, list[dict]]:
    """(the log of these JSON events, the records `predict.py --no-model` writes of it: each an
    IllegalStateException, nothing skipped)."""
    log = tmp_path / name
    log.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run_predict("--input", str(log), "--output", str(out), "--no-model")
    assert result.returncode == 0, result.stderr
    records = read_records(out)
    assert [record["exception"] for record in records] == ["IllegalStateException"] * len(rows)
    assert "skipped" not in result.stderr
    return log, records


def test_an_application_json_log_is_read_as_a_log_not_as_rows(tmp_path: Path) -> None:
    # logstash-logback-encoder / ECS: one JSON object per line, the trace JSON-escaped in `stack_trace`; no `log`
    trace = "java.lang.IllegalStateException: pool closed\n\tat com.acme.Pool.get(Pool.java:40)\n"
    rows = [{"@timestamp": f"2026-11-30T12:00:0{n}Z", "level": "ERROR", "message": "failed", "stack_trace": trace}
            for n in range(2)]
    log, records = _json_log_records(tmp_path, "app.log", rows)
    assert records[0]["location"]["method"] == "get"
    # the event's time and level are the record's (they were null: a JSON event has no log prefix)
    assert [(record["log"]["timestamp"], record["log"]["level"]) for record in records] == [
        ("2026-11-30T12:00:00Z", "ERROR"), ("2026-11-30T12:00:01Z", "ERROR")]
    documents, report = read_documents([str(log)])
    assert len(documents) == 1 and not report.skipped  # the whole-document reader decides alike
    # exported as .ndjson (Kibana) or .jsonl, with an INFO event first: still a log (each event was a skip before)
    export = tmp_path / "export.ndjson"
    info = {"@timestamp": "2026-11-30T11:59:59Z", "level": "INFO", "message": "started"}
    export.write_text("".join(json.dumps(row) + "\n" for row in [info, *rows]), encoding="utf-8")
    out = tmp_path / "export.jsonl"
    result = run_predict("--input", str(export), "--output", str(out), "--no-model")
    assert result.returncode == 0, result.stderr
    assert [record["exception"] for record in read_records(out)] == ["IllegalStateException"] * 2
    documents, report = read_documents([str(export)])
    assert len(documents) == 1 and not report.skipped


def test_a_gelf_log_is_read_as_a_log_with_its_time_level_thread_and_logger(tmp_path: Path) -> None:
    # Graylog's GELF (logback-gelf, logstash-gelf): `short_message`, the trace in `full_message`, a numeric syslog
    # `level` and `timestamp` in seconds. Named .jsonl it was read as rows, each a skip for its missing `log`.
    trace = "java.lang.IllegalStateException: pool closed\n\tat com.acme.Pool.get(Pool.java:40)\n"
    rows = [{"version": "1.1", "host": "app01", "short_message": "failed", "full_message": "failed\n" + trace,
             "timestamp": 1764504000.25, "level": 3, "_thread_name": "exec-1", "_logger_name": "com.acme.Svc"},
            {"version": "1.1", "host": "app01", "short_message": "failed", "full_message": trace,
             "timestamp": 1764504001, "level": 4, "_Thread": "exec-2", "_LoggerName": "com.acme.Svc"}]
    _, records = _json_log_records(tmp_path, "graylog.jsonl", rows)
    assert [{key: record["log"][key] for key in ("timestamp", "level", "thread", "logger", "lines")}
            for record in records] == [
        {"timestamp": "2025-11-30T12:00:00.250Z", "level": "ERROR", "thread": "exec-1", "logger": "com.acme.Svc",
         "lines": [1, 1]},
        {"timestamp": "2025-11-30T12:00:01.000Z", "level": "WARNING", "thread": "exec-2", "logger": "com.acme.Svc",
         "lines": [2, 2]}]
    # log4j2's GelfLayout names them `_thread` and `_logger` (a review's case: none was read)
    rows[0] = {key: value for key, value in rows[0].items() if key not in ("_thread_name", "_logger_name")}
    rows[0].update(_thread="exec-9", _logger="com.acme.Gelf")
    _, records = _json_log_records(tmp_path, "log4j2.jsonl", rows[:1])
    assert (records[0]["log"]["thread"], records[0]["log"]["logger"]) == ("exec-9", "com.acme.Gelf")


def test_a_docker_json_file_log_is_read_as_what_the_container_wrote(tmp_path: Path) -> None:
    # /var/lib/docker/containers/<id>/<id>-json.log: one {"log", "stream", "time"} row per line the container wrote.
    # Read as rows, each frame was a document of its own (and typed a NullPointerException by the no-message rule).
    def row(line: str) -> str:
        return json.dumps({"log": line + "\n", "stream": "stdout", "time": "2026-11-30T12:00:01.000000000Z"}) + "\n"

    filler = row("2026-11-30 12:00:00.000 INFO [main] com.acme.App - heartbeat " + "x" * 80) * 12_000  # > 2 MiB
    trace = ["2026-11-30 12:00:01.000 ERROR [main] com.acme.Svc - failed",
             "java.lang.IllegalStateException: pool closed", "\tat com.acme.Pool.get(Pool.java:40)",
             "\tat com.acme.Svc.run(Svc.java:12)"]
    log = tmp_path / "abc-json.log"
    log.write_text(filler + "not a row\n" + "".join(row(line) for line in trace), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run_predict("--input", str(log), "--output", str(out), "--no-model")
    assert result.returncode == 0, result.stderr
    records = read_records(out)
    assert [record["exception"] for record in records] == ["IllegalStateException"]
    assert records[0]["location"]["method"] == "get"
    assert records[0]["log"]["lines"][0] == 12_003  # the exception line, numbered as in the file
    assert f"{log}:12001: not a row of a Docker json-file log" in result.stderr
    documents, report = read_documents([str(log)])
    assert len(documents) == 1 and "java.lang.IllegalStateException: pool closed\n\tat" in documents[0].text
    assert [item["source"] for item in report.skipped] == [f"{log}:12001"]


def test_a_message_of_hundreds_of_lines_is_one_record_when_the_log_is_streamed(tmp_path: Path) -> None:
    # the streamed reader's regions reach as far as the parser reads a message (they stopped at 202 lines)
    listing = "\n".join(f"field{number}: must not be null" for number in range(500))
    log = tmp_path / "app.log"
    log.write_text("2026-05-02 14:03:55,118 ERROR [main] com.acme.api.OrderController - request failed\n"
                   f"java.lang.IllegalStateException: validation failed:\n{listing}\n"
                   "\tat com.acme.api.Validator.check(Validator.java:10)\n"
                   "2026-05-02 14:03:56,000 INFO [main] com.acme.api.OrderController - next\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run_predict("--input", str(log), "--output", str(out), "--no-model")
    assert result.returncode == 0, result.stderr
    records = read_records(out)
    assert len(records) == 1 and records[0]["location"]["method"] == "check"


@pytest.mark.parametrize(("flags", "said"), [
    (["--top_k", "0"], "--top_k must be at least 1, got 0"),
    (["--max_candidates", "-1"], "--max_candidates must be at least 1, got -1"),
    (["--threads", "0"], "--threads must be at least 1, got 0"),
    (["--recall_threshold", "nan"], "--recall_threshold must be 0 or more (1.01: always the model's text), got nan"),
])
def test_numbers_a_run_cannot_use_are_one_line_before_anything_is_read(
        tmp_path: Path, flags: list[str], said: str, capsys: pytest.CaptureFixture) -> None:
    # Before: accepted; --max_candidates -1 sliced the candidates, --top_k 0 emptied them, all with status 0.
    import predict

    output = tmp_path / "out.jsonl"
    assert predict.main(["--input", str(REPO / "examples" / "junit_failure.log"), "--no-model", "--output",
                         str(output), *flags]) == 2
    assert capsys.readouterr().err.strip() == f"error: {said}" and not output.exists()


def test_models_named_beside_no_model_are_said_not_loaded(capsys: pytest.CaptureFixture) -> None:
    # Before: --no_model silently won over --model (from a config, say).
    import predict

    log = str(REPO / "examples" / "junit_failure.log")
    assert predict.main(["--input", log, "--no-model", "--model", "a", "b", "--stage2", "c"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == "note: --no_model: not loaded: --model a b, --stage2 c"
