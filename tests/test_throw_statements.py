"""Throw statements mined from Java source (utils/corpus/throw_statements.py), on Java text written here."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from utils.corpus.throw_statements import (
    message_template,
    mine,
    read_statements,
    statements_in,
    write_statements,
)

SOURCE = '''package com.acme.store;

import java.io.IOException;
import com.acme.store.errors.StoreClosedException;

/** Keeps items. A comment naming throw new IllegalStateException("not this one") is no code. */
public class ItemStore {
    private int capacity;

    public ItemStore(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("Capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    // throw new RuntimeException("commented out");
    public void put(String key, Object value) throws IOException {
        if (closed) {
            throw new StoreClosedException(String.format("Store %s is closed (%d items)", name, size()));
        }
        if (key == null) throw new NullPointerException("key");
        throw new IOException("Cannot write '" + key + "' to " + getPath() + ", disk full");
    }

    private void check() {
        throw new IllegalStateException(message);
    }

    int read(int index) {
        throw new IndexOutOfBoundsException("Index: " + index + ", Size: " + size());
    }

    void close() {
        throw new UnsupportedOperationException(
            String.format("%s cannot close",
                name()));
    }
}
'''
WORDED = {"java.lang.IllegalArgumentException", "com.acme.store.errors.StoreClosedException",
          "java.lang.NullPointerException", "java.io.IOException", "java.lang.IndexOutOfBoundsException",
          "java.lang.UnsupportedOperationException"}  # not the commented ones, not `message`


def test_statements_resolve_the_class_the_method_and_the_message() -> None:
    found = statements_in(SOURCE, "src/main/java/com/acme/store/ItemStore.java", "store.tar.gz")
    by_exception = {statement.exception: statement for statement in found}
    assert set(by_exception) == WORDED | {"java.lang.IllegalStateException"}
    assert {s.exception for s in found if s.worded} == WORDED  # `message`: where it stands, but no wording
    unworded = by_exception["java.lang.IllegalStateException"]
    assert (unworded.message, unworded.hints, unworded.method, unworded.line, unworded.end_line) == (
        "", (), "check", 27, 27)
    capacity = by_exception["java.lang.IllegalArgumentException"]
    assert (capacity.message, capacity.hints) == ("Capacity must be positive: {}", ("capacity",))
    assert (capacity.class_name, capacity.method, capacity.line) == ("com.acme.store.ItemStore", "<init>", 12)
    # javac gives the frame the line of the statement's last call: the statement's lines are kept, first to last
    spread = by_exception["java.lang.UnsupportedOperationException"]
    assert (spread.message, spread.method, spread.line, spread.end_line) == ("{} cannot close", "close", 35, 37)
    assert {s.exception for s in statements_in(SOURCE, "src/ItemStore.java", "x", worded_only=True)} == WORDED
    closed = by_exception["com.acme.store.errors.StoreClosedException"]
    assert (closed.message, closed.hints, closed.method) == ("Store {} is closed ({} items)", ("name", "size"), "put")
    assert by_exception["java.io.IOException"].message == "Cannot write '{}' to {}, disk full"
    assert by_exception["java.io.IOException"].hints == ("key", "path")
    assert by_exception["java.lang.IndexOutOfBoundsException"].method == "read"


def test_a_throw_is_placed_in_its_method_whatever_generics_its_signature_has() -> None:
    """The method is what `--code_throws` checks a frame against (httpcore's `Args.notEmpty` was read as the method
    before it, whose throws then never matched the frame)."""
    source = """package a;
public class A {
    public static <E, T extends Collection<E>> T notEmpty(final T argument, final String name) {
        throw new IllegalArgumentException(name + " may not be empty");
    }
    private final Map<String, List<Integer>> index(String s) throws IOException {
        throw new IllegalStateException("no index for " + s);
    }
    public <T> T[][] grid(T[] row) {
        throw new UnsupportedOperationException("grid of " + row.length);
    }
}
"""
    assert [statement.method for statement in statements_in(source, "src/A.java", "a")] == ["notEmpty", "index", "grid"]


@pytest.mark.parametrize("path", ["src/test/java/com/acme/store/ItemStore.java", "src/ItemStoreTest.java"])
def test_test_code_is_not_mined(path: str) -> None:
    assert statements_in(SOURCE, path, "store") == []


def test_excluded_packages_are_not_mined() -> None:
    """The dev set's projects and the reserved benchmarks' code never train the model judged on their traces."""
    for package in ("org.apache.commons.lang3.text", "org.apache.wicket", "org.joda.time.format"):
        assert statements_in(SOURCE.replace("com.acme.store", package, 1), "src/A.java", "x") == []
    assert statements_in(SOURCE.replace("com.acme.store", "org.apache.commons.langx", 1), "src/ItemStore.java", "x")


@pytest.mark.parametrize(("expression", "expected"), [
    ('"Unknown mode: " + mode', ("Unknown mode: {}", ("mode",))),
    ('"Port " + this.port + " out of range"', ("Port {} out of range", ("port",))),
    ('String.format("%s must be at least %d, got %,d", name, MIN, value)', ("{} must be at least {}, got {}",
                                                                         ("name", "min", "value"))),
    ('MessageFormat.format("Bean {0} not found", id)', ("Bean {} not found", ("id",))),
    ('"Size " + size.get() + " too big"', ("Size {} too big", ("size",))),  # the receiver names a getter's value
    ('"tab\\there \\"quoted\\""', ('tab here "quoted"', ())),
    ('"x = " + x', None),  # no words: nothing a reader learns from
    ("msg", None),
])
def test_message_templates(expression: str, expected: tuple | None) -> None:
    assert message_template(expression) == expected


def _archive(tmp_path: Path, kind: str) -> Path:
    data = SOURCE.encode()
    if kind == "zip":
        path = tmp_path / "store-sources.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("store/src/main/java/com/acme/store/ItemStore.java", data)
        return path
    path = tmp_path / "store_1.0.orig.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("store-1.0/src/main/java/com/acme/store/ItemStore.java")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_mine_reads_archives_and_directories(tmp_path: Path, kind: str) -> None:
    archive = _archive(tmp_path, kind)
    from_archive = mine([archive])
    assert len(from_archive) == 7 and {statement.source for statement in from_archive} == {archive.name}
    loose = tmp_path / "tree" / "com" / "example" / "store"
    loose.mkdir(parents=True)
    (loose / "ItemStore.java").write_text(SOURCE, encoding="utf-8")
    assert [(s.exception, s.message) for s in mine([tmp_path / "tree"])] == [
        (s.exception, s.message) for s in from_archive]


def test_statements_round_trip_and_a_bad_line_is_named(tmp_path: Path) -> None:
    statements = statements_in(SOURCE, "src/main/java/com/acme/store/ItemStore.java", "store")
    path = tmp_path / "statements.jsonl.gz"
    write_statements(path, statements)
    assert read_statements(path) == statements
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"exception": "java.lang.IllegalStateException"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:1: not a throw statement"):
        read_statements(bad)


def test_the_mining_script_writes_the_file_and_will_not_overwrite_unasked(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture) -> None:
    import runpy
    import sys

    script = str(Path(__file__).resolve().parents[1] / "scripts" / "mine_throw_statements.py")
    archive = _archive(tmp_path, "zip")
    output = tmp_path / "mined.jsonl.gz"

    def run(*args: str) -> None:
        argv = sys.argv
        sys.argv = [script, *args]
        try:
            runpy.run_path(script, run_name="__main__")
        finally:
            sys.argv = argv

    with pytest.raises(SystemExit) as done:
        run(str(archive), "--output", str(output))
    assert done.value.code == 0 and len(read_statements(output)) == 7
    assert "7 statements, 6 with a worded message (6 distinct exception and message)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        run(str(archive), "--output", str(output))
    assert refused.value.code == 2 and "exists; pass --overwrite" in capsys.readouterr().err
    with pytest.raises(SystemExit) as worded:
        run(str(archive), "--worded_only", "--output", str(output), "--overwrite")
    assert worded.value.code == 0 and all(statement.worded for statement in read_statements(output))
    assert len(read_statements(output)) == 6
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(b"not an archive")
    with pytest.raises(SystemExit) as broken:
        run(str(damaged), "--output", str(tmp_path / "other.jsonl.gz"))
    assert broken.value.code == 2 and "damaged.tar.gz: cannot be read as Java sources" in capsys.readouterr().err


def test_a_checkout_under_a_tests_folder_is_still_mined(tmp_path: Path) -> None:
    tree = tmp_path / "tests" / "checkout" / "src" / "main" / "java" / "com" / "acme" / "store"
    tree.mkdir(parents=True)
    (tree / "ItemStore.java").write_text(SOURCE, encoding="utf-8")
    (tree.parents[3] / "test" / "java").mkdir(parents=True)
    (tree.parents[3] / "test" / "java" / "ItemStoreTest.java").write_text(SOURCE, encoding="utf-8")
    assert len(mine([tmp_path / "tests" / "checkout"])) == 7  # src/main only; src/test stays out
