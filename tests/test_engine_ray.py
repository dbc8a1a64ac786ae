"""predict.py --engine ray (utils/pipeline/engine_ray.py): the same records, groups and report as the local path, a killed
actor retried without lost or doubled output, unreadable files counted as skips. One Ray session for the module,
tiny inputs and no models, so the module stays within about a minute on two cores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray")

from transformers import HfArgumentParser  # noqa: E402

import predict  # noqa: E402
from predict import PredictArguments  # noqa: E402
from utils.corpus.generate import generate_corpus  # noqa: E402
from utils.parsing import log_sources  # noqa: E402
from utils.parsing.log_sources import InputError, SkipReport  # noqa: E402
from utils.parsing.stacktrace import parse_log  # noqa: E402
from utils.pipeline.engine_ray import AnalyseActor, expand_inputs, init_ray, run_predict, write_groups  # noqa: E402
from utils.pipeline.grouping import GroupTable, group_key  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", autouse=True)
def ray_session() -> Any:
    init_ray(num_cpus=2)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def generated_inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Generated logs with repeats inside a file, across files and between plain logs and JSONL rows."""
    directory = tmp_path_factory.mktemp("generated")
    rows = [row for split in generate_corpus(24, seed=11).values() for row in split]
    logs = [row["log"] for row in rows]
    (directory / "rows.jsonl").write_text("".join(json.dumps({"id": f"row-{n}", "log": log}) + "\n"
                                                  for n, log in enumerate(logs[:16])), encoding="utf-8")
    (directory / "app-a.log").write_text("\n".join(logs[0:10] + logs[0:5]) + "\n", encoding="utf-8")
    (directory / "app-b.log").write_text("\n".join(logs[5:20] + logs[8:12]) + "\n", encoding="utf-8")
    return [str(directory / name) for name in ("rows.jsonl", "app-a.log", "app-b.log")] + [
        str(REPO / "examples" / "multi_service.log"), str(REPO / "examples" / "logs.jsonl")]


def _args(*argv: str) -> PredictArguments:
    return HfArgumentParser(PredictArguments).parse_args_into_dataclasses(args=list(argv))[0]


def _run_local(monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setattr(sys, "argv", ["predict.py", *argv])
    return predict.main()


def _outputs(directory: Path, name: str, inputs: list[str], *extra: str) -> list[str]:
    return ["--input", *inputs, "--output", str(directory / f"{name}.jsonl"), "--groups",
            str(directory / f"{name}-groups.jsonl"), "--report", str(directory / f"{name}.md"), *extra]


def test_same_records_groups_and_report_as_the_local_path(generated_inputs: list[str], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run_local(monkeypatch, *_outputs(tmp_path, "local", generated_inputs, "--no-model")) == 0
    assert run_predict(_args(*_outputs(tmp_path, "ray", generated_inputs, "--no-model"))) == 0
    for local, distributed in (("local.jsonl", "ray.jsonl"), ("local-groups.jsonl", "ray-groups.jsonl"),
                               ("local.md", "ray.md")):
        assert (tmp_path / distributed).read_text(encoding="utf-8") == (tmp_path / local).read_text(encoding="utf-8")
    groups = [json.loads(line) for line in (tmp_path / "ray-groups.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(group["count"] > 1 and len(group["sources"]) > 1 for group in groups)  # merged across files
    local_report = json.loads((tmp_path / "local.jsonl.report.json").read_text(encoding="utf-8"))
    ray_report = json.loads((tmp_path / "ray.jsonl.report.json").read_text(encoding="utf-8"))
    for name in ("traces", "documents", "skipped", "warnings", "redacted"):
        assert ray_report[name] == local_report[name], name
    assert set(ray_report["stage_seconds"]) == {"read_parse_s", "group_s", "analyse_s", "finish_write_s"}


def test_a_large_log_is_parsed_by_several_tasks_and_numbered_as_the_local_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One plain log far bigger than a read batch and the local chunk (both made small), with thread dumps whose
    deadlocks are numbered across the file, JSON lines whose decoded traces shift the lines after them, PII, and a
    log without any trace (its head is its record): the regions are parsed in several tasks, then renumbered."""
    from test_streaming import DEADLOCK, styled_log  # the streaming tests' generated styles

    big = tmp_path / "big.log"
    big.write_text(styled_log(120, seed=3) + DEADLOCK + styled_log(20, seed=4) + DEADLOCK, encoding="utf-8")
    quiet = tmp_path / "quiet.log"
    quiet.write_text("2026-11-30 10:00:00 INFO c.a.Web - started\n" * 20, encoding="utf-8")
    inputs = [str(big), str(quiet), str(REPO / "examples" / "logs.jsonl")]
    monkeypatch.setattr(log_sources, "CHUNK_BYTES", 4096)  # the local path streams the file in ~80 chunks
    assert _run_local(monkeypatch, *_outputs(tmp_path, "local", inputs, "--no-model")) == 0
    tuning = {"read_batch_chars": 8192, "parse_blocks": 8}
    assert run_predict(_args(*_outputs(tmp_path, "ray", inputs, "--no-model")), tuning=tuning) == 0
    for suffix in (".jsonl", "-groups.jsonl", ".md"):
        assert (tmp_path / f"ray{suffix}").read_bytes() == (tmp_path / f"local{suffix}").read_bytes(), suffix
    report = json.loads((tmp_path / "ray.jsonl.report.json").read_text(encoding="utf-8"))
    local = json.loads((tmp_path / "local.jsonl.report.json").read_text(encoding="utf-8"))
    assert report["redacted"] == local["redacted"] and report["redacted"]["card"] > 1
    assert report["split"]["most_parse_batches_for_one_file"] > 1  # the big file went to several parse tasks
    records = [json.loads(line) for line in (tmp_path / "ray.jsonl").read_text(encoding="utf-8").splitlines()]
    cycles = {record["thread"]["deadlock"]["cycle"] for record in records if record.get("thread") and
              record["thread"]["deadlock"]}
    assert len(cycles) > 2  # each region's own numbering starts at 1: these are numbered across the file
    assert sum(record["source"] == str(big) for record in records) > 100
    assert [record["id"] for record in records if record["source"] == str(quiet)] == ["quiet.log"]


def test_uris_are_read_through_pyarrow_as_local_files_are(generated_inputs: list[str], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """file:// goes through pyarrow.fs as s3:// and gs:// do (listing, opening, streaming), no S3 server needed."""
    directory = Path(generated_inputs[0]).parent
    local_files = sorted(str(path) for path in directory.iterdir())
    assert expand_inputs([f"file://{directory}"]) == [f"file://{path}" for path in local_files]
    uris = [f"file://{directory}", f"file://{REPO / 'examples' / 'multi_service.log'}"]
    assert _run_local(monkeypatch, *_outputs(tmp_path, "local", [*local_files, uris[1][7:]], "--no-model")) == 0
    assert run_predict(_args(*_outputs(tmp_path, "ray", uris, "--no-model"))) == 0
    for suffix in (".jsonl", "-groups.jsonl", ".md"):
        distributed = (tmp_path / f"ray{suffix}").read_text(encoding="utf-8").replace("file://", "")
        assert distributed == (tmp_path / f"local{suffix}").read_text(encoding="utf-8"), suffix
    with pytest.raises(InputError, match="no such file"):
        expand_inputs([f"file://{tmp_path}/missing.log"])


def test_summary_without_output_is_the_local_one(generated_inputs: list[str], monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    inputs = generated_inputs[1:3]
    assert _run_local(monkeypatch, "--input", *inputs, "--no-model") == 0
    local = capsys.readouterr().out
    assert run_predict(_args("--input", *inputs, "--no-model")) == 0
    # Ray prints its own notices to the driver's stdout (a worker that died and whose task was retried: seen once in
    # CI under load); the summary around them must be the local one
    printed = [line for line in capsys.readouterr().out.splitlines(keepends=True) if "(raylet)" not in line[:24]]
    assert "".join(printed) == local and "Root cause" in local


class CrashOnceActor(AnalyseActor):
    """Kills its own process on its first batch (a marker file remembers across the restart)."""

    marker = ""

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        if not os.path.exists(self.marker):
            Path(self.marker).touch()
            os._exit(1)
        return super().__call__(batch)


def test_a_killed_actor_is_retried_and_nothing_is_lost_or_doubled(generated_inputs: list[str],
                                                                  tmp_path: Path) -> None:
    from ray import cloudpickle  # Ray's own copy, the one that pickles the actor class

    marker = tmp_path / "crashed"
    crashing = type("CrashHere", (CrashOnceActor,), {"marker": str(marker)})
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
    assert run_predict(_args(*_outputs(tmp_path, "crash", generated_inputs, "--no-model")),
                       analyse_actor=crashing) == 0
    assert marker.exists()  # the actor did die once
    assert run_predict(_args(*_outputs(tmp_path, "clean", generated_inputs, "--no-model"))) == 0
    crashed = (tmp_path / "crash.jsonl").read_text(encoding="utf-8")
    assert crashed == (tmp_path / "clean.jsonl").read_text(encoding="utf-8")
    ids = [json.loads(line)["id"] for line in crashed.splitlines()]
    assert len(ids) == len(set(ids))
    assert (tmp_path / "crash-groups.jsonl").read_text() == (tmp_path / "clean-groups.jsonl").read_text()


def test_unreadable_and_binary_files_are_counted_skips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = REPO / "examples" / "account_service_npe.log"
    binary = tmp_path / "core.bin"
    binary.write_bytes(b"\x7fELF\x00\x00\x01" * 100)
    unreadable = tmp_path / "unreadable.log"
    if os.geteuid() == 0:  # root reads any mode; this file exists, is no directory, and every read fails (EIO)
        unreadable.symlink_to("/proc/self/mem")
    else:
        unreadable.write_text("x", encoding="utf-8")
        unreadable.chmod(0)
    argv = ["--input", str(good), str(binary), str(unreadable), "--no-model"]
    assert run_predict(_args(*argv, "--output", str(tmp_path / "ray.jsonl"))) == 0
    report = json.loads((tmp_path / "ray.jsonl.report.json").read_text(encoding="utf-8"))
    reasons = {item["source"]: item["reason"] for item in report["skipped"]}
    assert reasons[str(binary)] == "binary file (NUL bytes), not a text log"
    assert reasons[str(unreadable)].startswith("unreadable file (")
    assert report["documents"] == 1 and report["traces"] >= 1
    # the binary skip is the local path's, word for word
    assert _run_local(monkeypatch, *argv[:3], "--no-model", "--output", str(tmp_path / "local.jsonl")) == 0
    local = json.loads((tmp_path / "local.jsonl.report.json").read_text(encoding="utf-8"))
    assert local["skipped"] == [item for item in report["skipped"] if item["source"] == str(binary)]


def test_every_input_skipped_is_exit_status_2(tmp_path: Path) -> None:
    (tmp_path / "empty.log").write_text("", encoding="utf-8")
    assert run_predict(_args("--input", str(tmp_path / "empty.log"), "--no-model")) == 2
    earlier = tmp_path / "out.jsonl"  # as on the local path, an earlier run's records are not replaced by nothing
    earlier.write_text("earlier\n", encoding="utf-8")
    lines: list[str] = []
    assert run_predict(_args("--input", str(tmp_path / "empty.log"), "--no-model", "--output", str(earlier)),
                       log=lines.append) == 2
    assert earlier.read_text(encoding="utf-8") == "earlier\n" and not (tmp_path / "out.jsonl.report.json").exists()
    assert lines[-1].endswith("error: no input could be analyzed; no output file was written")


def test_inputs_expand_directories_and_globs_in_order(tmp_path: Path) -> None:
    for name in ("b.log", "a.log", "sub/c.log"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / ".a.log.swp").write_text("x", encoding="utf-8")  # walked as the local path walks: counted, not read
    skips = SkipReport()
    assert expand_inputs([str(tmp_path)], skips) == [str(tmp_path / name) for name in ("a.log", "b.log", "sub/c.log")]
    assert skips.skipped == [{"source": str(tmp_path / ".a.log.swp"), "reason": "a hidden file"}]
    assert expand_inputs([str(tmp_path / "*.log")]) == [str(tmp_path / "a.log"), str(tmp_path / "b.log")]
    for bad, message in (("-", "stdin"), (str(tmp_path / "nope.log"), "no such file")):
        with pytest.raises(InputError, match=message):
            expand_inputs([bad])


def test_merged_tables_equal_one_pass(generated_inputs: list[str]) -> None:
    text = Path(generated_inputs[1]).read_text(encoding="utf-8") + Path(generated_inputs[2]).read_text()
    traces = [trace for trace in parse_log(text) if trace.has_exception]
    whole, parts = GroupTable(), [GroupTable(), GroupTable(), GroupTable()]
    for number, trace in enumerate(traces):
        record = {"id": f"t{number}", "source": f"part-{number % 3}.log", "log": {"timestamp": trace.timestamp}}
        whole.add(group_key(trace), record, trace.text)
        parts[number * 3 // len(traces)].add(group_key(trace), record, trace.text)
    merged = GroupTable()
    for part in parts:
        merged.merge(part)
    assert merged.records() == whole.records() and len(whole.groups) < len(traces)


def test_groups_as_parquet(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    groups = [{"group": "g1", "count": 3, "fingerprint": {"exception": "java.lang.X"}, "reason": "same",
               "first_seen": None, "last_seen": None, "sources": {"a.log": 3}, "timeline": {},
               "representative": {"id": "a"}, "analysis": {"label": "X"}}]
    write_groups(str(tmp_path / "groups.parquet"), groups)
    row = pq.read_table(tmp_path / "groups.parquet").to_pylist()[0]
    assert row["count"] == 3 and json.loads(row["sources"]) == {"a.log": 3}


def test_local_commands_do_not_import_ray() -> None:
    code = "import sys, predict; sys.exit('ray' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, timeout=120).returncode == 0


def test_dev_set_records_and_groups_match_the_local_path(dev_set_path: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for name, run in (("local", lambda argv: _run_local(monkeypatch, *argv)),
                      ("ray", lambda argv: run_predict(_args(*argv)))):
        assert run(["--input", str(dev_set_path), "--no-model", "--output", str(tmp_path / f"{name}.jsonl"),
                    "--groups", str(tmp_path / f"{name}-groups.jsonl")]) == 0
    for suffix in (".jsonl", "-groups.jsonl"):
        assert (tmp_path / f"ray{suffix}").read_bytes() == (tmp_path / f"local{suffix}").read_bytes()


def test_outputs_are_checked_against_the_files_a_directory_names_and_a_file_named_twice_is_read_once(
        tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    good = logs / "npe.log"
    good.write_text((REPO / "examples" / "account_service_npe.log").read_text(encoding="utf-8"), encoding="utf-8")
    (logs / "out.jsonl").write_text("an earlier run's records\n", encoding="utf-8")
    lines: list[str] = []
    # the directory names out.jsonl: written there, it would be read back as a log by the next run
    assert run_predict(_args("--input", str(logs), "--no-model", "--output", str(logs / "out.jsonl")),
                       log=lines.append) == 2
    assert lines == [f"error: --output {logs / 'out.jsonl'}: it is an input of this run ({logs / 'out.jsonl'}); "
                     "write elsewhere"]
    (logs / "out.jsonl").unlink()
    out = tmp_path / "out.jsonl"
    out.write_text("earlier\n", encoding="utf-8")
    lines.clear()
    assert run_predict(_args("--input", str(logs), str(good), "--no-model", "--output", str(out)),
                       log=lines.append) == 0
    report = json.loads((tmp_path / "out.jsonl.report.json").read_text(encoding="utf-8"))
    assert report["skipped"] == [{"source": str(good), "reason": f"the same file as {good}, already read"}]
    assert report["files"] == 1 and len(out.read_text(encoding="utf-8").splitlines()) == report["traces"]
    assert any(line.endswith(f"(it replaced what was there: {out})") for line in lines)


def test_a_bad_wording_statements_file_fails_once_in_the_driver(tiny_stage1: Path, tmp_path: Path) -> None:
    lines: list[str] = []
    args = _args("--input", str(REPO / "examples" / "logs.jsonl"), "--model", str(tiny_stage1), "--no_stage2",
                 "--output", str(tmp_path / "out.jsonl"), "--wording_statements", str(tmp_path / "nope.jsonl"))
    assert run_predict(args, log=lines.append) == 2
    assert lines == [f"error: the wording memory's statements {tmp_path / 'nope.jsonl'}: no such file "
                     "(--wording_statements; --no_wording goes without the memory)"]
    assert not (tmp_path / "out.jsonl").exists()


def test_your_codes_throws_type_the_same_on_ray_and_a_bad_file_fails_once(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from test_code_throws import LEDGER, TRACES  # the Java source and the traces java printed for it

    from utils.corpus.throw_statements import mine, write_statements
    from utils.inputs import mask_exception_names

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "Ledger.java").write_text(LEDGER, encoding="utf-8")
    statements = tmp_path / "ledger.jsonl.gz"
    write_statements(statements, mine([tmp_path / "src"]))
    log = tmp_path / "masked.log"
    log.write_text(mask_exception_names("".join(text for text, _ in TRACES)), encoding="utf-8")
    extra = ("--no-model", "--code_throws", str(statements))
    assert _run_local(monkeypatch, *_outputs(tmp_path, "local", [str(log)], *extra)) == 0
    assert run_predict(_args(*_outputs(tmp_path, "ray", [str(log)], *extra))) == 0
    records = (tmp_path / "ray.jsonl").read_text(encoding="utf-8")
    assert records == (tmp_path / "local.jsonl").read_text(encoding="utf-8")
    assert [json.loads(line)["decided_by"] for line in records.splitlines()] == ["your code's throw"] * len(TRACES)
    lines: list[str] = []
    bad = _args("--input", str(log), "--no-model", "--output", str(tmp_path / "bad.jsonl"),
                "--code_throws", str(tmp_path / "nope.jsonl"))
    assert run_predict(bad, log=lines.append) == 2
    assert len(lines) == 1 and lines[0].startswith("error: --code_throws") and "no such file" in lines[0]
    assert not (tmp_path / "bad.jsonl").exists()
