"""Importers of real benchmark layouts (Bugs.jar, Defects4J), on tiny invented fixtures written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from utils.corpus.importers import (
    class_of_path,
    failing_tests,
    import_bugsjar,
    import_defects4j,
    parse_patch,
    trigger_test_blocks,
)
from utils.stage2.guidance import parse_guidance

SUREFIRE = """[INFO] Scanning for projects...
-------------------------------------------------------
 T E S T S
-------------------------------------------------------
Running org.example.shop.CartTest
Tests run: 4, Failures: 1, Errors: 1, Skipped: 0, Time elapsed: 0.05 sec <<< FAILURE! - in org.example.shop.CartTest
testTotal(org.example.shop.CartTest)  Time elapsed: 0.01 sec  <<< FAILURE!
java.lang.AssertionError: expected:<30> but was:<20>
\tat org.junit.Assert.fail(Assert.java:88)
\tat org.junit.Assert.failNotEquals(Assert.java:743)
\tat org.junit.Assert.assertEquals(Assert.java:118)
\tat org.example.shop.CartTest.testTotal(CartTest.java:41)

testEmpty(org.example.shop.CartTest)  Time elapsed: 0.002 sec  <<< ERROR!
java.lang.IllegalStateException: cart not loaded
\tat org.example.shop.Cart.items(Cart.java:77)
\tat org.example.shop.CartTest.testEmpty(CartTest.java:52)
Caused by: java.lang.NullPointerException
\tat org.example.shop.Cart.load(Cart.java:60)
\t... 2 more


Results :

Failed tests:
  CartTest.testTotal:41 expected:<30> but was:<20>

Tests run: 4, Failures: 1, Errors: 1, Skipped: 0
"""

BUGSJAR_PATCH = """diff --git a/src/Cart.java b/src/Cart.java
index 1111111..2222222 100644
--- a/shop/src/main/java/org/example/shop/Cart.java
+++ b/shop/src/main/java/org/example/shop/Cart.java
@@ -55,7 +55,8 @@ public class Cart {
     }
<blank>
     void load(Store store) {
-        this.items = store.find(id);
+        List<Item> found = store.find(id);
+        this.items = found == null ? new ArrayList<>() : found;
     }
@@ -90,6 +91,6 @@ public int total() {
         int sum = 0;
-        for (int i = 1; i < items.size(); i++) {
+        for (int i = 0; i < items.size(); i++) {
             sum += items.get(i).price();
""".replace("<blank>", " ")  # a diff context line for an empty source line is one space

REPORT = """rss:
  channel:
    item:
      key:
        '#text': SHOP-42
      summary: Cart total skips the first item and fails on carts that were never loaded
      description: <p>Reported by a user.</p>
"""

D4J_TRIGGER = """--- org.example.text.WrapperTest::testWrapLong
java.lang.StringIndexOutOfBoundsException: String index out of range: 12
\tat java.lang.String.substring(String.java:1963)
\tat org.example.text.Wrapper.wrap(Wrapper.java:88)
\tat org.example.text.WrapperTest.testWrapLong(WrapperTest.java:19)
--- org.example.text.WrapperTest::testWrapEmpty
junit.framework.AssertionFailedError: expected:<[]> but was:<[ ]>
\tat junit.framework.Assert.assertEquals(Assert.java:100)
\tat org.example.text.WrapperTest.testWrapEmpty(WrapperTest.java:27)
"""

# Defects4J stores the fix reversed: applying it to the fixed version gives the buggy one ("+" = buggy lines).
D4J_PATCH = """diff --git a/src/main/java/org/example/text/Wrapper.java b/src/main/java/org/example/text/Wrapper.java
--- a/src/main/java/org/example/text/Wrapper.java
+++ b/src/main/java/org/example/text/Wrapper.java
@@ -84,7 +84,7 @@ public String wrap(String text, int width) {
         StringBuilder out = new StringBuilder();
         int start = 0;
         while (start < text.length()) {
-            int end = Math.min(start + width, text.length());
+            int end = start + width;
             out.append(text.substring(start, end));
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def bugsjar(tmp_path):
    bug = tmp_path / "bugs" / "SHOP-42_abc123" / ".bugs-dot-jar"
    write(bug / "test-results.txt", SUREFIRE)
    write(bug / "developer-patch.diff", BUGSJAR_PATCH)
    write(bug / "bug-report.yml", REPORT)
    return tmp_path / "bugs"


@pytest.fixture
def defects4j(tmp_path):
    project = tmp_path / "defects4j" / "framework" / "projects" / "Text"
    write(project / "trigger_tests" / "1", D4J_TRIGGER)
    write(project / "patches" / "1.src.patch", D4J_PATCH)
    write(
        project / "active-bugs.csv",
        "bug.id,revision.id.buggy,revision.id.fixed,report.id,report.url\n1,aaa,bbb,TEXT-7,https://example.org/TEXT-7\n",
    )
    return tmp_path / "defects4j"


def test_parse_patch_buggy_side_and_method():
    old = parse_patch(BUGSJAR_PATCH, "old")
    assert [(f.file, f.line, f.method) for f in old] == [("shop/src/main/java/org/example/shop/Cart.java", 58, "load")]
    new = parse_patch(D4J_PATCH, "new")
    assert [(f.file, f.line, f.method) for f in new] == [("src/main/java/org/example/text/Wrapper.java", 87, "wrap")]
    assert parse_patch(D4J_PATCH, "old")[0].line == 87  # read as buggy -> fixed, the removed line is the anchor


def test_parse_patch_pure_addition_anchors_before_the_insert():
    patch = (
        "--- a/src/main/java/a/B.java\n+++ b/src/main/java/a/B.java\n@@ -10,2 +10,3 @@ void run() "
        "{\n     x();\n+    y();\n     z();\n"
    )
    (location,) = parse_patch(patch, "old")
    assert (location.line, location.method) == (10, "run")


def test_class_of_path():
    assert class_of_path("shop/src/main/java/org/example/shop/Cart.java") == "org.example.shop.Cart"
    assert class_of_path("src/java/org/x/Y.java") == "org.x.Y"


def test_failing_tests_split_surefire_sections():
    sections = failing_tests(SUREFIRE)
    assert [test for test, _ in sections] == [
        "org.example.shop.CartTest::testTotal",
        "org.example.shop.CartTest::testEmpty",
    ]
    assert sections[1][1].splitlines()[0] == "java.lang.IllegalStateException: cart not loaded"
    assert sections[1][1].splitlines()[-1] == "\t... 2 more"


def test_import_bugsjar_rows(bugsjar):
    report = import_bugsjar(bugsjar)
    assert not report.skipped
    assert [row["label"] for row in report.rows] == ["AssertionError", "NullPointerException"]
    first = report.rows[0]
    assert set(first) == {"id", "log", "label", "guidance", "meta"}
    fields = parse_guidance(first["guidance"])
    assert fields["type"] == "AssertionError"
    assert fields["location"] == "Cart.java:58 (org.example.shop.Cart.load)"
    assert "skips the first item" in fields["cause"]
    assert "SHOP-42" in fields["fix"]
    meta = report.rows[1]["meta"]
    assert meta["root_exception"] == "java.lang.NullPointerException"
    assert meta["fault"] == {"class": "org.example.shop.Cart", "method": "load", "file": "Cart.java", "line": 58}
    assert meta["fault_in_log"] is True  # Cart.load is in the cause's frames
    assert meta["fix_files"] == ["shop/src/main/java/org/example/shop/Cart.java"]
    assert meta["issue"] == "SHOP-42" and meta["test"] == "org.example.shop.CartTest::testEmpty"


def test_import_bugsjar_without_patch_counts_the_gap(bugsjar):
    (bugsjar / "SHOP-42_abc123" / ".bugs-dot-jar" / "developer-patch.diff").unlink()
    report = import_bugsjar(bugsjar)
    assert len(report.rows) == 2
    assert any("developer-patch.diff: missing" in reason for reason in report.skipped)
    assert parse_guidance(report.rows[0]["guidance"])["location"] == "unknown"


def test_import_bugsjar_rejects_a_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a directory"):
        import_bugsjar(tmp_path / "absent")


def test_trigger_test_blocks():
    blocks = trigger_test_blocks(D4J_TRIGGER)
    assert [test for test, _ in blocks] == [
        "org.example.text.WrapperTest::testWrapLong",
        "org.example.text.WrapperTest::testWrapEmpty",
    ]
    assert blocks[0][1].startswith("java.lang.StringIndexOutOfBoundsException")


def test_import_defects4j_rows(defects4j):
    report = import_defects4j(defects4j)
    assert not report.skipped
    assert [row["label"] for row in report.rows] == ["IndexOutOfBoundsException", "AssertionError"]
    row = report.rows[0]
    assert parse_guidance(row["guidance"])["location"] == "Wrapper.java:87 (org.example.text.Wrapper.wrap)"
    assert row["meta"]["fix_methods"] == ["org.example.text.Wrapper.wrap"]
    assert row["meta"]["fault_in_log"] is True
    assert row["meta"]["issue"] == "TEXT-7" and row["meta"]["project"] == "Text"


def test_build_corpus_import_cli(bugsjar, defects4j, tmp_path):
    import build_corpus

    out = tmp_path / "out"
    build_corpus.main(
        ["--import_bugsjar", str(bugsjar), "--import_defects4j", str(defects4j), "--output_dir", str(out)]
    )
    bugs = [json.loads(line) for line in (out / "bugsjar.jsonl").read_text(encoding="utf-8").splitlines()]
    d4j = [json.loads(line) for line in (out / "defects4j.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(bugs) == 2 and len(d4j) == 2
    assert not (out / "train.jsonl").exists()


def test_an_import_that_finds_no_row_writes_nothing(tmp_path):
    # Before: a directory without a Bugs.jar checkout replaced an earlier bugsjar.jsonl by an empty file, status 0.
    import build_corpus

    out = tmp_path / "out"
    out.mkdir()
    (out / "bugsjar.jsonl").write_text("{}\n", encoding="utf-8")
    (tmp_path / "nothing").mkdir()
    with pytest.raises(SystemExit, match="no row could be imported .*; nothing written"):
        build_corpus.main(["--import_bugsjar", str(tmp_path / "nothing"), "--output_dir", str(out)])
    assert (out / "bugsjar.jsonl").read_text(encoding="utf-8") == "{}\n"


def test_two_kinds_of_run_at_once_are_refused(tmp_path):
    # Before: --production_log went ahead and --real_logs was ignored without a word.
    import build_corpus

    with pytest.raises(SystemExit, match="^--production_log and --real_logs are separate runs of build_corpus.py"):
        build_corpus.main(["--production_log", "10KB", "--output", str(tmp_path / "a.log"),
                           "--real_logs", str(tmp_path)])
    assert not (tmp_path / "a.log").exists()
