"""build_corpus.py --real_logs: parser-labelled rows from real logs, collapsed, split by source, mixed, redacted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import build_corpus
from utils.corpus.real_logs import RealLogsOptions, import_real_logs, mix_with_synthetic, split_sources
from utils.labels import load_label_set
from utils.parsing.log_sources import InputError
from utils.parsing.stacktrace import parse_trace
from utils.pipeline.fingerprint import failure_signature, message_template

NPE_OLD_JDK = """java.lang.NullPointerException
\tat org.acme.csv.RecordReader.nextField(RecordReader.java:{line})
\tat org.acme.csv.RecordReader.next(RecordReader.java:88)
\tat org.acme.csv.RecordReaderTest.readsQuotedFields(RecordReaderTest.java:41)
"""
IAE = """java.lang.IllegalArgumentException: width must be positive: {value}
\tat org.acme.chart.Axis.setWidth(Axis.java:120)
\tat org.acme.chart.AxisTest.rejectsNegativeWidth(AxisTest.java:17)
"""
CUSTOM = """org.acme.store.StoreClosedException: store {name} closed
\tat org.acme.store.Store.check(Store.java:55)
\tat org.acme.store.StoreTest.write(StoreTest.java:30)
"""
APP_LOG = """2026-11-30 12:00:01,001 INFO  [main] org.acme.App - starting
2026-11-30 12:00:02,002 ERROR [worker-1] org.acme.Loader - load failed for card 4111 1111 1111 1111
java.lang.IllegalStateException: loader not started
\tat org.acme.Loader.load(Loader.java:70)
\tat org.acme.App.run(App.java:12)
2026-11-30 12:00:03,003 INFO  [main] org.acme.App - retrying
2026-11-30 12:00:04,004 ERROR [worker-2] org.acme.Codec - decode failed
java.lang.NumberFormatException: For input string: "12,500"
\tat java.lang.NumberFormatException.forInputString(NumberFormatException.java:65)
\tat java.lang.Integer.parseInt(Integer.java:580)
\tat org.acme.Codec.decode(Codec.java:33)
"""


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def real_dir(tmp_path: Path) -> Path:
    rows = []
    for project, count in (("alpha", 6), ("beta", 4), ("gamma", 3), ("delta", 2)):
        for index in range(count):
            rows.append({"id": f"{project}-{index}", "project": project,
                         "log": NPE_OLD_JDK.format(line=100 + index % 2)})  # repeats: same signature
            rows.append({"id": f"{project}-iae-{index}", "project": project,
                         "log": IAE.format(value=-index) if index % 2 else CUSTOM.format(name=f"s{index}")})
    rows.append({"id": "no-trace", "project": "alpha", "log": "just a line of text"})
    logs = tmp_path / "logs"
    logs.mkdir()
    write_jsonl(logs / "rows.jsonl", rows)
    (logs / "nested").mkdir()
    (logs / "nested" / "app.log").write_text(APP_LOG, encoding="utf-8")
    (logs / "binary.log").write_bytes(b"\x00\x01\x02 not text")
    (logs / "bad.jsonl").write_text('{"log": "x"}\nnot json\n', encoding="utf-8")
    return logs


def test_message_template_masks_variable_parts() -> None:
    assert message_template("Index 7 out of bounds for length 7") == message_template("Index 3 out of bounds for "
                                                                                       "length 5")
    assert message_template('For input string: "12,500"') == "For input string: <str>"
    template = message_template("id 3f2c1a9e-1b2c-4d5e-8f90-123456789abc at 10.1.2.3:5432 since "
                                "2026-11-30T12:00:00Z")
    assert template == "id <uuid> at <host> since <time>"


def test_signature_ignores_lines_and_values_not_frames() -> None:
    first = failure_signature(parse_trace(NPE_OLD_JDK.format(line=100)))
    assert first == failure_signature(parse_trace(NPE_OLD_JDK.format(line=101)))
    assert first != failure_signature(parse_trace(NPE_OLD_JDK.format(line=100).replace("nextField", "skip")))
    assert failure_signature(parse_trace(IAE.format(value=-1))) == failure_signature(parse_trace(IAE.format(value=-9)))


def test_import_labels_collapses_splits_by_source_and_counts_skips(real_dir: Path) -> None:
    label_set = load_label_set()
    result = import_real_logs([str(real_dir)], label_set, RealLogsOptions(validation_fraction=0.2))
    rows = [row for split in result.splits.values() for row in split]
    by_source: dict[str, set[str]] = {}
    for split, split_rows in result.splits.items():
        for row in split_rows:
            by_source.setdefault(row["meta"]["source"], set()).add(split)
    assert all(len(splits) == 1 for splits in by_source.values()), by_source  # never split within a source
    assert result.splits["validation"] and result.splits["train"]
    labels = {row["label"] for row in rows}
    assert {"NullPointerException", "IllegalArgumentException", "Other", "IllegalStateException",
            "NumberFormatException"} <= labels
    npe_alpha = [row for row in rows if row["meta"]["source"] == "alpha" and row["label"] == "NullPointerException"]
    assert len(npe_alpha) == 1 and npe_alpha[0]["meta"]["repeats"] == 6
    # the plain log's two traces are two rows, each keeping only its own lines
    plain = [row for row in rows if row["meta"]["source"].endswith("app.log")]
    assert len(plain) == 2
    nfe = next(row for row in plain if row["label"] == "NumberFormatException")
    assert "loader not started" not in nfe["log"] and parse_trace(nfe["log"]).root_cause.message.endswith('"12,500"')
    reasons = {item["reason"] for item in result.skips.skipped}
    assert "no Java exception found" in reasons
    assert any("binary" in reason for reason in reasons)
    assert any("malformed JSON" in reason for reason in reasons)
    summary = result.summary()
    assert summary["duplicates_collapsed"] > 0 and summary["skipped"] == len(result.skips.skipped)
    # the console names the first skip and where the rest are (before: counts by reason only)
    first = result.skips.skipped[0]
    assert f"(first: {first['source']}: {first['reason']}; the first 50 with where and why in real_logs_report.json)" \
        in result.format()


def test_exclude_sources_leaves_them_out(real_dir: Path) -> None:
    result = import_real_logs([str(real_dir)], load_label_set(), RealLogsOptions(exclude_sources=("alpha", "beta")))
    sources = {row["meta"]["source"] for split in result.splits.values() for row in split}
    assert not sources & {"alpha", "beta"} and result.excluded_rows > 0
    # a misspelt test project would otherwise train: refused, naming the sources there are
    with pytest.raises(InputError, match="--exclude_sources: no source named alhpa .*alpha, beta"):
        import_real_logs([str(real_dir)], load_label_set(), RealLogsOptions(exclude_sources=("alhpa",)))


def test_what_a_directory_walk_leaves_out_is_counted(real_dir: Path, tmp_path: Path) -> None:
    (real_dir / ".hidden").mkdir()
    (real_dir / ".hidden" / "app.log").write_text(APP_LOG, encoding="utf-8")
    (real_dir / ".old.log").write_text(APP_LOG, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "app.log").write_text(APP_LOG, encoding="utf-8")
    (real_dir / "linked").symlink_to(elsewhere, target_is_directory=True)
    os.mkfifo(real_dir / "pipe")  # opened, it would wait for a writer for ever
    corpus = real_dir / "corpus"  # an earlier run's output inside the log directory
    corpus.mkdir()
    write_jsonl(corpus / "train.jsonl", [{"id": "synthetic", "log": IAE.format(value=1), "project": "corpus"}])
    write_jsonl(corpus / "mine.jsonl", [{"id": "mine", "log": IAE.format(value=2), "project": "mine"}])  # the user's
    (real_dir / "gone.log").symlink_to(tmp_path / "missing.log")
    nested = real_dir / "nested" / "app.log"
    result = import_real_logs([str(real_dir), str(nested)], load_label_set(), RealLogsOptions(),
                              leave_out=[str(corpus / "train.jsonl"), str(corpus / "stats.json")])
    reasons = {item["source"]: item["reason"] for item in result.skips.skipped}
    assert reasons[str(real_dir / ".hidden")] == "a hidden directory"
    assert reasons[str(real_dir / ".old.log")] == "a hidden file"
    assert reasons[str(real_dir / "linked")].startswith("a link to a directory, not followed")
    assert reasons[str(corpus / "train.jsonl")] == "a file this run writes (--output_dir)"
    assert reasons[str(real_dir / "gone.log")] == "a broken link"
    assert reasons[str(real_dir / "pipe")] == "not a regular file (a pipe, socket or device)"
    assert reasons[str(nested)] == f"the same file as {nested}, already read"  # its traces counted once
    sources = {row["meta"]["source"] for split in result.splits.values() for row in split}
    assert "corpus" not in sources and "mine" in sources and sum(source.endswith("app.log") for source in sources) == 1
    assert str(real_dir) not in reasons  # it had files


def test_an_empty_directory_is_a_skip_with_its_reason(real_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "logs-of-tuesday"
    empty.mkdir()
    (empty / ".keep").write_text("", encoding="utf-8")
    result = import_real_logs([str(real_dir), str(empty)], load_label_set(), RealLogsOptions())
    reasons = {item["source"]: item["reason"] for item in result.skips.skipped}
    # before: only ".keep" was named, and a run given the empty directory alone said "no trace" and nothing of it
    assert reasons[str(empty)] == "a directory with no file to read in it"
    assert reasons[str(empty / ".keep")] == "a hidden file"


def test_an_applications_json_log_exported_as_ndjson_or_jsonl_is_read_as_a_log(tmp_path: Path) -> None:
    # Kibana exports as .ndjson; logstash-logback-encoder's events carry the trace in `stack_trace` (ECS nests it in
    # `error`); the first event is an INFO line with no trace. Read as rows, every event was a skip for its `log`.
    def events(trace_field: str, nested: bool) -> list[dict]:
        rows: list[dict] = [{"@timestamp": "2026-11-30T10:00:00Z", "log.level": "INFO", "message": "started"}]
        for n in range(3):
            trace = f"java.lang.IllegalStateException: ledger closed {n}\n\tat com.acme.pay.Ledger.post(Ledger.java:{10 + n})\n"
            event = {"@timestamp": f"2026-11-30T10:00:0{n + 1}Z", "log.level": "ERROR", "message": "payment failed"}
            event.update({"error": {"stack_trace": trace}} if nested else {trace_field: trace})
            rows.append(event)
        return rows

    logs = tmp_path / "export"
    logs.mkdir()
    write_jsonl(logs / "logstash.ndjson", events("stack_trace", nested=False))
    write_jsonl(logs / "ecs.jsonl", events("", nested=True))
    write_jsonl(logs / "dataset.jsonl", [{"text": "java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)"}])
    # an Elasticsearch export: ECS's `log` is an object (file path, offset, level), not the text
    exported = [{**row, "log": {"level": "ERROR", "file": {"path": "/var/log/app.log"}, "offset": n}}
                for n, row in enumerate(events("", nested=True))]
    write_jsonl(logs / "elastic.ndjson", [{k: v for k, v in row.items() if k != "log.level"} for row in exported])
    # rows after a first row that looks like an event are rows
    write_jsonl(logs / "rows.jsonl", [{"level": "INFO", "message": "hello"}, *[
        {"id": f"r{n}", "log": f"java.lang.NumberFormatException: For input string: \"{n}x\"\n\tat a.B.c(B.java:1)"}
        for n in range(2)]])
    result = import_real_logs([str(logs)], load_label_set(), RealLogsOptions(validation_fraction=0.0))
    rows = [row for split in result.splits.values() for row in split]
    assert sorted(row["meta"]["source"].rsplit("/", 1)[-1] for row in rows) == [
        "ecs.jsonl", "elastic.ndjson", "logstash.ndjson", "rows.jsonl"]
    assert {row["label"] for row in rows} == {"IllegalStateException", "NumberFormatException"}
    assert [row["meta"]["repeats"] for row in rows if row["meta"]["source"].endswith("logstash.ndjson")] == [3]
    # a file of rows with no `log` and nothing of a log event is still rows: each a counted skip naming the field
    # (and so is rows.jsonl's first row)
    skipped = {(item["source"].rsplit("/", 1)[-1], item["reason"]) for item in result.skips.skipped}
    assert skipped == {("dataset.jsonl:1", "missing or non-text field 'log'"),
                       ("rows.jsonl:1", "missing or non-text field 'log'")}


def test_pii_in_row_ids_and_project_names_is_redacted_too(tmp_path: Path) -> None:
    from utils.redact import Redactor

    logs = write_jsonl(tmp_path / "rows.jsonl", [
        {"id": "4111111111111111", "project": "kim@example.com", "log": IAE.format(value=1)},
        {"id": "ok", "project": "beta", "log": NPE_OLD_JDK.format(line=1)},
        {"id": "kim@example.com", "project": "beta", "log": "not json"}, ])
    (tmp_path / "rows.jsonl").write_text(logs.read_text() + "{broken\n", encoding="utf-8")
    out = tmp_path / "corpus"
    build_corpus.main(["--quick", "--real_logs", str(logs), "--output_dir", str(out)])
    written = "".join(path.read_text(encoding="utf-8") for path in out.iterdir())
    assert "4111111111111111" not in written and "kim@example.com" not in written
    assert Redactor().redact("kim@example.com") in written


def test_build_corpus_checks_its_arguments_before_it_reads_or_writes(real_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    for options, message in ((["--real_repeat", "0"], "--real_repeat must be at least 1"),
                             (["--synthetic_per_real", "inf"], "--synthetic_per_real must be"),
                             (["--synthetic_per_real", "-2"], "--synthetic_per_real must be"),
                             (["--real_validation_fraction", "1.5"], "must each be in"),
                             (["--real_validation_fraction", "0.6", "--real_test_fraction", "0.5"], "must each be in")):
        with pytest.raises(SystemExit, match=message):
            build_corpus.main(["--quick", "--real_logs", str(real_dir), "--output_dir", str(out), *options])
        assert not out.exists()
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(SystemExit, match="is a file, not a directory"):
        build_corpus.main(["--quick", "--output_dir", str(afile)])


def test_when_no_real_row_is_left_the_skips_say_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\nnull\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="no trace with a readable exception class"):
        build_corpus.main(["--quick", "--real_logs", str(bad), "--output_dir", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert f"{bad}:1: malformed JSON" in err and f"{bad}:2: a JSON object was expected" in err
    assert not (tmp_path / "c").exists()


def test_one_source_trains_and_split_is_seeded() -> None:
    rows = [{"meta": {"source": "only"}}] * 5
    assert split_sources(rows, RealLogsOptions()) == {"only": "train"}
    many = [{"meta": {"source": f"s{i}"}} for i in range(40)]
    first = split_sources(many, RealLogsOptions(seed=1, validation_fraction=0.2, test_fraction=0.1))
    assert first == split_sources(many, RealLogsOptions(seed=1, validation_fraction=0.2, test_fraction=0.1))
    counts = {split: sum(1 for value in first.values() if value == split) for split in ("validation", "test")}
    assert counts == {"validation": 8, "test": 4}


def test_mix_ratio() -> None:
    synthetic = {split: [{"id": f"{split}{i}"} for i in range(100)] for split in ("train", "validation", "test")}
    real = {"train": [{"id": f"r{i}"} for i in range(10)], "validation": [{"id": "rv"}], "test": []}
    mixed = mix_with_synthetic(synthetic, real, 2.0, seed=3, templates="held_out")
    assert len(mixed["train"]) == 30 and len(mixed["validation"]) == 3 and len(mixed["test"]) == 100
    assert len(mix_with_synthetic(synthetic, real, -1, seed=3, templates="held_out")["train"]) == 110
    assert len(mix_with_synthetic(synthetic, real, -1, seed=3)["train"]) == 310  # every template's rows
    assert mixed == mix_with_synthetic(synthetic, real, 2.0, seed=3, templates="held_out")


def test_real_repeat_copies_the_non_assertion_training_rows_only() -> None:
    synthetic = {split: [{"id": f"{split}{i}", "label": "Other"} for i in range(100)]
                 for split in ("train", "validation", "test")}
    real = {"train": [{"id": "ra", "label": "AssertionError"}, {"id": "rn", "label": "NullPointerException"}],
            "validation": [{"id": "rv", "label": "IOException"}], "test": []}
    mixed = mix_with_synthetic(synthetic, real, 2.0, seed=3, real_repeat=3)
    train_ids = [row["id"] for row in mixed["train"]]
    assert train_ids.count("ra") == 1 and train_ids.count("rn") == 3
    assert len(train_ids) == 4 + 4  # synthetic rows are still drawn per distinct real row
    assert [row["id"] for row in mixed["validation"]].count("rv") == 1  # validation is scored once per failure
    with pytest.raises(ValueError, match="real_repeat must be at least 1"):
        mix_with_synthetic(synthetic, real, 2.0, seed=3, real_repeat=0)


def test_mix_from_every_template_trains_on_held_out_templates_and_never_puts_a_row_in_two_splits() -> None:
    synthetic = {split: [{"id": f"{split}{i}"} for i in range(100)] for split in ("train", "validation", "test")}
    real = {"train": [{"id": f"r{i}"} for i in range(40)], "validation": [{"id": "rv"}], "test": []}
    mixed = mix_with_synthetic(synthetic, real, 2.0, seed=3)  # templates="all", the default
    drawn = {row["id"] for row in mixed["train"] if not row["id"].startswith("r")}
    assert len(mixed["train"]) == 120 and len(drawn) == 80
    assert {row_id.rstrip("0123456789") for row_id in drawn} == {"train", "validation", "test"}
    ids = [row["id"] for split in mixed.values() for row in split]
    assert len(ids) == len(set(ids))  # the other splits keep only the rows training did not draw
    assert len(mixed["validation"]) == 3 and len(mixed["test"]) == 100 - sum(i.startswith("test") for i in drawn)
    assert mixed == mix_with_synthetic(synthetic, real, 2.0, seed=3, templates="all")
    # held out: training draws from the training templates only
    assert all(row["id"][0] in "rt" and not row["id"].startswith("test")
               for row in mix_with_synthetic(synthetic, real, 2.0, seed=3, templates="held_out")["train"])
    with pytest.raises(ValueError, match="templates must be one of"):
        mix_with_synthetic(synthetic, real, 2.0, seed=3, templates="some")
    # every synthetic row drawn into training and no real row to validate on: refused, not an empty validation split
    with pytest.raises(ValueError, match="no real row validates"):
        mix_with_synthetic(synthetic, {"train": real["train"], "validation": [], "test": []}, -1, seed=3)


def test_build_corpus_real_logs_end_to_end(real_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    build_corpus.main(["--quick", "--real_logs", str(real_dir), "--output_dir", str(out),
                       "--real_validation_fraction", "0.2"])
    report = json.loads((out / "real_logs_report.json").read_text())
    assert report["rows"]["train"] > 0 and report["skipped"] >= 3
    train = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    real = [row for row in train if row["meta"].get("origin") == "real"]
    assert real and len(train) - len(real) == min(round(6.0 * len(real)), 1400)
    assert not any("4111 1111 1111 1111" in line for line in (out / "train.jsonl").read_text().splitlines())
    stats = json.loads((out / "stats.json").read_text())
    assert stats["splits"]["train"]["real_rows"] == len(real)


def test_build_corpus_missing_real_log_path_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no such file or directory"):
        build_corpus.main(["--quick", "--real_logs", str(tmp_path / "nope"), "--output_dir", str(tmp_path / "c")])


def test_a_plain_log_is_read_as_a_stream_whatever_its_size(tmp_path: Path) -> None:
    # Over read_documents' 64 MiB: a day's application log once was a skip ("split it first"); now it is read
    # region by region, its failures numbered across the file and its repeats collapsed as they come.
    info = "2026-11-30 12:00:00,000 INFO  [main] org.acme.App - heartbeat ok " + "x" * 60 + "\n"
    filler = info * (2**26 // len(info) // 2 + 1)
    unnamed = "2026-11-30 12:00:05,000 ERROR [main] org.acme.App - failed\n: no class here\n\tat org.acme.App.run(App.java:3)\n"
    log = tmp_path / "day.log"
    with open(log, "w", encoding="utf-8") as out:
        out.write(APP_LOG)
        out.write(filler)
        out.write(unnamed)
        out.write(filler)
        out.write(APP_LOG)  # the same two failures again
    assert log.stat().st_size > 2**26
    result = import_real_logs([str(log)], load_label_set(), RealLogsOptions())
    rows = [row for split in result.splits.values() for row in split]
    assert sorted(row["id"] for row in rows) == ["day.log#1", "day.log#2"]
    assert [row["meta"]["repeats"] for row in rows] == [2, 2] and result.traces_read == 4
    assert all(len(row["log"]) < 2000 for row in rows)  # a failure's own lines, not the file
    quiet = tmp_path / "quiet.log"
    quiet.write_text(info * 3, encoding="utf-8")
    result = import_real_logs([str(quiet)], load_label_set(), RealLogsOptions())
    assert result.skips.skipped == [{"source": str(quiet), "reason": "no Java exception found"}]
