"""bench/ scripts run end to end on tiny models (smoke, not timed), and the inference speed levers they measure
keep predictions unchanged: token-budget batches, duplicate folding, unsorted batches, int8 quantization."""

from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from utils.models.checkpoints import TASK_CLASSIFY, load_model, save_model_dir
from utils.stage1.inference import free_cores, length_sorted_batches, predict_logits, quantize_int8
from utils.stage2.seq2seq import TASK as TASK_GENERATE
from utils.stage2.seq2seq import build_model_from_config, train_tokenizer

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
import benchlib  # noqa: E402

import utils.stage1.inference  # noqa: E402

TINY_T5 = {"model_type": "t5", "d_model": 32, "d_kv": 8, "d_ff": 64, "num_heads": 4, "num_layers": 1,
           "num_decoder_layers": 1, "relative_attention_num_buckets": 8, "dropout_rate": 0.0}
# Invented failures (exception, message, application frame); the label is the root cause.
KINDS = [
    ("java.lang.NullPointerException", "customer is null", "com.acme.crm.CustomerService.find"),
    ("java.net.SocketTimeoutException", "Read timed out", "com.acme.pay.GatewayClient.send"),
    ("java.lang.NumberFormatException", 'For input string: "12a"', "com.acme.fx.RateParser.parse"),
]


def _log(index: int) -> str:
    exception, message, frame = KINDS[index % len(KINDS)]
    simple = frame.rsplit(".", 2)[1]
    lines = [f"2024-02-01 09:00:{index % 60:02d} ERROR [http-{index}] c.a.Api - call {index} failed"]
    if index % 2:
        lines += ["java.lang.IllegalStateException: step failed", "\tat com.acme.api.Flow.run(Flow.java:5)",
                  f"Caused by: {exception}: {message} #{index}"]
    else:
        lines.append(f"{exception}: {message} #{index}")
    lines += [f"\tat {frame}({simple}.java:{20 + index % 9})", "\tat java.base/java.lang.Thread.run(Thread.java:833)"]
    return "\n".join(lines)


def _write_rows(path: Path, count: int, offset: int = 0) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for index in range(offset, offset + count):
            exception = KINDS[index % len(KINDS)][0]
            out.write(json.dumps({"id": f"r{index}", "log": _log(index), "label": exception.rsplit(".", 1)[-1],
                                  "root_exception": exception}) + "\n")
    return path


@pytest.fixture(scope="module")
def tiny_stage2(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("tiny-stage2")
    tokenizer = train_tokenizer([_log(index) for index in range(30)] + ["type=X; cause=y; location=z; fix=w"],
                                vocab_size=300, model_max_length=128)
    config_file = directory / "t5.json"
    config_file.write_text(json.dumps(TINY_T5), encoding="utf-8")
    torch.manual_seed(0)
    model = build_model_from_config(config_file, tokenizer)
    config_file.unlink()
    save_model_dir(model, tokenizer, directory, {"task": TASK_GENERATE})
    return directory


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> Path:
    return _write_rows(tmp_path_factory.mktemp("logs") / "logs.jsonl", 12)


def run_bench(script: str, *args: str) -> str:
    """Runs bench/<script> as `python bench/<script> args` would, in this process (torch is loaded already, which
    saves a second per script); returns what it printed. The torch thread count it sets is restored."""
    threads = torch.get_num_threads()
    argv, sys.argv = sys.argv, [str(REPO / "bench" / script), *args]
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output), pytest.raises(SystemExit) as exit_info:
            runpy.run_path(str(REPO / "bench" / script), run_name="__main__")
    finally:
        sys.argv = argv
        torch.set_num_threads(threads)
    assert exit_info.value.code == 0, output.getvalue()[-3000:]
    return output.getvalue()


# ---------------------------------------------------------------------------------------------- inference levers


def test_batches_respect_rows_and_padded_token_budget() -> None:
    lengths = [10, 300, 40, 40, 41, 5, 39, 80]
    batches = length_sorted_batches(lengths, batch_size=3, max_batch_tokens=120)
    assert sorted(index for batch in batches for index in batch) == list(range(len(lengths)))
    assert batches[0] == [1]  # longer than the budget on its own: a batch of one
    for batch in batches:
        assert len(batch) <= 3
        width = max(lengths[index] for index in batch)
        assert len(batch) == 1 or len(batch) * width <= 120
        assert lengths[batch[0]] == width  # longest first in each batch
    assert length_sorted_batches(lengths, batch_size=4) == [[1, 7, 4, 2], [3, 6, 0, 5]]


def test_predict_logits_same_answers_whatever_the_batching(tiny_stage1) -> None:
    loaded = load_model(tiny_stage1, expected_task=TASK_CLASSIFY)
    texts = [_log(index) for index in range(7)]
    texts = [texts[2], *texts, texts[2], texts[5]]  # duplicates are folded, answers still per input
    reference = predict_logits(loaded, texts, batch_size=1, max_batch_tokens=None)
    for options in ({"batch_size": 4}, {"batch_size": 32, "max_batch_tokens": 64}, {"sort_by_length": False}):
        np.testing.assert_allclose(predict_logits(loaded, texts, **options), reference, atol=1e-5)
    np.testing.assert_array_equal(reference[0], reference[8])
    assert predict_logits(loaded, []).shape == (0, loaded.model.config.num_labels)
    # A longer limit reads more of a long text: different logits (raw-text baseline of bench_predict.py).
    long_text = " ".join(texts) * 3
    short, longer = predict_logits(loaded, [long_text]), predict_logits(loaded, [long_text], max_length=512)
    assert not np.allclose(short, longer)


def test_int8_quantization_stays_close_and_shrinks_linears(tiny_stage1) -> None:
    loaded = load_model(tiny_stage1, expected_task=TASK_CLASSIFY)
    texts = [_log(index) for index in range(6)]
    reference = predict_logits(loaded, texts)
    loaded.model = quantize_int8(loaded.model)
    assert not any(isinstance(module, torch.nn.Linear) for module in loaded.model.modules())
    quantized = predict_logits(loaded, texts)
    assert np.abs(quantized - reference).max() < 0.1 * np.abs(reference).max() + 0.05


def test_free_cores_is_within_the_machine() -> None:
    assert 1 <= free_cores() <= (benchlib.machine()["cores"])


@pytest.mark.parametrize(("load", "expected"), [(0.0, 2), (0.52, 2), (1.06, 1), (1.9, 1), (7.5, 1)])
def test_free_cores_counts_whole_busy_cores(monkeypatch: pytest.MonkeyPatch, load: float, expected: int) -> None:
    # Load 0.52 (a job that had just ended) once gave 1 thread where 2 were 1.5x faster.
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(utils.stage1.inference, "_cgroup_cpu_limit", lambda: None)
    assert free_cores() == expected


@pytest.mark.parametrize(("load", "reserved", "expected"), [(0.0, 1, 1), (0.0, 0, 2), (1.2, 1, 1), (0.0, 3, 1)])
def test_cores_a_run_keeps_busy_itself_are_not_free_before_the_load_shows_them(
        monkeypatch: pytest.MonkeyPatch, load: float, reserved: int, expected: int) -> None:
    # predict.py's parse process is busy from its start, when the load average still reads ~0: a torch thread on its
    # core made the models 1.3-1.5x slower (200 MB production log: 33.8 s with two threads, 26.5 s with one).
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(utils.stage1.inference, "_cgroup_cpu_limit", lambda: None)
    assert free_cores(reserved=reserved) == expected


# ---------------------------------------------------------------------------------------------- bench helpers


def test_percentiles_nearest_rank() -> None:
    assert benchlib.percentiles(list(range(1, 101))) == {"p50": 50, "p90": 90, "p99": 99}
    assert benchlib.percentiles([3.0]) == {"p50": 3.0, "p90": 3.0, "p99": 3.0}
    assert benchlib.percentiles([4, 1, 3, 2], (50, 100)) == {"p50": 2, "p100": 4}


def test_child_peak_memory_is_the_childs_own() -> None:
    """A child of a large process must not report the parent's peak (Linux keeps it across fork + exec)."""
    ballast = bytearray(300 * 2**20)  # this process: > 300 MB resident
    ballast[:: 4096] = b"x" * len(ballast[:: 4096])
    result = benchlib.run_child([sys.executable, "-c", "b = bytearray(60 * 2**20); b[::4096] = b'y' * len(b[::4096])"])
    assert result["returncode"] == 0
    assert 60 <= result["peak_rss_mb"] < 250
    # CPU seconds count a grandchild's too (predict.py's parse process): here one that spins ~0.3 s
    spin = "import time\nstart = time.process_time()\nwhile time.process_time() - start < 0.3: pass"
    forked = benchlib.run_child([sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, "
                                                       f"'-c', {spin!r}])"])
    assert forked["returncode"] == 0 and forked["cpu_seconds"] >= 0.3
    failed = benchlib.run_child([sys.executable, "-c", "import sys; print('bad', file=sys.stderr); sys.exit(3)"])
    assert failed["returncode"] == 3 and "bad" in failed["stderr_tail"]


def test_tree_memory_reads_pss_on_a_tenth_of_its_samples(monkeypatch) -> None:
    """Reading PSS walks the measured process's page tables: at every 0.1 s sample it slowed the run it measured."""
    import time
    from types import SimpleNamespace

    import psutil

    sys.modules.pop("bench_production", None)
    import bench_production

    calls = {"rss": 0, "pss": 0}

    class Grandchild:
        def memory_info(self):
            calls["rss"] += 1
            return SimpleNamespace(rss=100 + calls["rss"])  # grows: the peak is the last sample's

        def memory_full_info(self):
            calls["pss"] += 1
            return SimpleNamespace(rss=100, pss=50 + calls["pss"])

    launcher = SimpleNamespace(children=lambda recursive=False: [Grandchild()])
    monkeypatch.setattr(psutil, "Process", lambda: SimpleNamespace(children=lambda: [launcher]))
    with bench_production.TreeMemory() as memory:
        time.sleep(2.1)
    samples = calls["rss"] + calls["pss"]
    assert samples >= 10 and 1 <= calls["pss"] <= samples // bench_production.TreeMemory.PSS_EVERY + 1
    assert memory.peak_rss >= 100 + calls["rss"] - 1 and memory.peak_pss == 50 + calls["pss"]


def test_tree_memory_outlives_a_process_that_ends_while_it_is_listed(monkeypatch) -> None:
    """The launcher ended between being listed and listing its children: psutil raised NoSuchProcess, the sampler
    thread died, and the peaks stopped at that sample (seen on a 1 GB bench run)."""
    import time
    from types import SimpleNamespace

    import psutil

    sys.modules.pop("bench_production", None)
    import bench_production

    calls = {"listed": 0}

    def children(recursive=False):
        calls["listed"] += 1
        if calls["listed"] % 2:
            raise psutil.NoSuchProcess(12345)
        return [SimpleNamespace(memory_info=lambda: SimpleNamespace(rss=100 + calls["listed"]),
                                memory_full_info=lambda: SimpleNamespace(rss=100, pss=50))]

    monkeypatch.setattr(psutil, "Process", lambda: SimpleNamespace(children=lambda: [SimpleNamespace(children=children)]))
    with bench_production.TreeMemory() as memory:
        time.sleep(1.5)  # samples every 0.1 s; a loaded machine may give fewer
    assert calls["listed"] >= 3 and memory.peak_rss >= 100 + calls["listed"] - 2


# ---------------------------------------------------------------------------------------------- bench scripts


def test_bench_predict_runs(tmp_path, tiny_stage1, tiny_stage2, logs) -> None:
    result = run_bench("bench_predict.py", "--model", str(tiny_stage1), "--stage2", str(tiny_stage2), "--input",
                       str(logs), "--max_documents", "8", "--latency_documents", "4", "--e2e_documents", "4",
                       "--repeats", "1", "--cli_runs", "no_model", "fp32", "--output_dir", str(tmp_path), "--name", "p")
    results = json.loads((tmp_path / "p.json").read_text())
    throughput = {row["variant"]: row for row in results["stage1_throughput"]}
    assert set(throughput) == {"default", "unsorted", "rows_only", "raw_512", "int8", "threads_1", "threads_all"}
    assert all(row["logs_per_s"] > 0 and row["traces"] == 8 for row in throughput.values())
    assert throughput["default"]["speed_vs_default"] == 1.0
    for row in results["latency"]:
        assert 0 < row["p50"] <= row["p90"] <= row["p99"]
    assert [row["run"] for row in results["end_to_end"]] == ["stage 1 only", "stage 1 + stage 2"]
    cli = {row["run"]: row for row in results["cli"]}
    # The parser-only run never loads torch: far less memory than any run with a model.
    assert cli["parser only (--no_model)"]["peak_rss_mb"] < cli["stage 1 fp32"]["peak_rss_mb"]
    assert "| variant |" in result and "| p50 |" in result
    # --e2e_documents 0 skips the stage-2 runs (it divided by zero before)
    run_bench("bench_predict.py", "--model", str(tiny_stage1), "--stage2", str(tiny_stage2), "--input", str(logs),
              "--max_documents", "4", "--latency_documents", "2", "--e2e_documents", "0", "--repeats", "1",
              "--variants", "default", "--cli", "false", "--output_dir", str(tmp_path), "--name", "p0")
    assert "end_to_end" not in json.loads((tmp_path / "p0.json").read_text())


def test_bench_quantize_runs(tmp_path, tiny_stage1) -> None:
    test_file = _write_rows(tmp_path / "test.jsonl", 10)
    dev_file = _write_rows(tmp_path / "dev.jsonl", 6, offset=50)
    with open(dev_file, "a", encoding="utf-8") as out:  # a row without a root cause class: skipped and counted
        out.write(json.dumps({"id": "x", "log": "nothing failed here", "root_exception": None}) + "\n")
    run_bench("bench_quantize.py", "--model", str(tiny_stage1), "--test_file", str(test_file), "--dev_file",
              str(dev_file), "--output_dir", str(tmp_path), "--name", "q")
    results = json.loads((tmp_path / "q.json").read_text())
    test_row, dev_row = results["sets"]
    assert (test_row["rows"], dev_row["rows"], dev_row["skipped"]) == (10, 6, 1)
    assert "masked" in dev_row["set"]
    for row in results["sets"]:
        # shares of the set's rows (whole counts), and two models that agree on a share s of the rows cannot
        # differ in top-1 by more than 1 - s
        for share in ("fp32_top1", "int8_top1", "same_prediction"):
            assert row[share] * row["rows"] == pytest.approx(round(row[share] * row["rows"]))
        assert abs(row["int8_top1"] - row["fp32_top1"]) <= 1 - row["same_prediction"] + 1e-9
        assert row["top1_change"] == pytest.approx(row["int8_top1"] - row["fp32_top1"])
    assert results["size_mb"]["int8"] > 0


def test_bench_precision_compares_fp32_autocast_and_bf16_weights(tmp_path, tiny_stage1) -> None:
    rows = _write_rows(tmp_path / "dev.jsonl", 9)
    run_bench("bench_precision.py", "--model", str(tiny_stage1), "--input", str(rows), "--label_field",
              "root_exception", "--threads", "1", "--output_dir", str(tmp_path), "--name", "p")
    results = json.loads((tmp_path / "p.json").read_text())["results"]
    assert [row["precision"] for row in results] == ["fp32", "bf16 autocast", "bf16 weights"]
    fp32 = results[0]
    for row in results:
        assert row["rows"] == 9 and row["logs_per_s"] > 0
        assert row["top1_minus_fp32_points"] == pytest.approx(100 * (row["top1"] - fp32["top1"]), abs=0.01)
        assert abs(row["top1"] - fp32["top1"]) <= row["changed_share"] + 1e-9
    assert fp32["changed_share"] == 0


def test_bench_train_runs(tmp_path, tiny_encoder) -> None:
    train, validation = _write_rows(tmp_path / "train.jsonl", 24), _write_rows(tmp_path / "val.jsonl", 8, 100)
    result = run_bench("bench_train.py", "--train_file", str(train), "--validation_file", str(validation),
                       "--model_name_or_path", str(tiny_encoder), "--max_length", "64", "--sample_rows", "16",
                       "--plain_rows", "8", "--head_epochs", "1", "--epochs", "2", "--end_to_end",
                       "--end_to_end_rows", "16", "--output_dir", str(tmp_path), "--name", "t")
    results = json.loads((tmp_path / "t.json").read_text())
    assert results["corpus_rows"] == {"train": 24, "validation": 8}
    measured = {row["measure"] for row in results["per_row_ms"]}
    assert measured == {"encode", "head_step", "head_eval", "frozen_step", "full_step", "encode_end"}
    paths = [row["path"] for row in results["extrapolated"]]
    assert paths[0].startswith("cached") and len(paths) == 3
    assert all(row["seconds"] > 0 for row in results["extrapolated"])
    real = results["end_to_end"]
    assert real["train_rows"] == 16 and real["epochs"] == 2 and real["encode_s"] >= 0
    assert "speedup_of_cached" in result


def test_bench_parser_runs(tmp_path) -> None:
    run_bench("bench_parser.py", "--size_mb", "0.2", "--repeats", "1", "--output_dir", str(tmp_path), "--name", "x")
    results = json.loads((tmp_path / "x.json").read_text())
    assert results["log_mb"] >= 0.2
    counts = {row["measure"]: row["count"] for row in results["throughput"]}
    assert counts["parse_log"] == results["memory"]["traces"] > 10
    assert counts["analysis without models (--no_model)"] >= counts["parse_log"]
    assert results["cli"]["peak_rss_mb"] > 0 and all(row["mb_per_s"] > 0 for row in results["throughput"])


def test_bench_threads_runs(tmp_path, tiny_stage1, logs) -> None:
    run_bench("bench_threads.py", "--model", str(tiny_stage1), "--input", str(logs), "--documents", "3",
              "--thread_counts", "1", "--output_dir", str(tmp_path), "--name", "th")
    rows = json.loads((tmp_path / "th.json").read_text())["latency_ms"]
    assert [(row["omp_wait_policy"], row["threads"], row["logs"]) for row in rows] == [("default", 1, 3),
                                                                                     ("PASSIVE", 1, 3)]
    assert all(row["p50"] > 0 for row in rows)
