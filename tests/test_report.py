"""The failure-group report (utils/report, predict.py --report): self-contained HTML, escaping of log text, groups in
count order, the timeline, Korean and English labels, Markdown with the same groups. No browser needed."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from utils.redact import RedactOptions, Redactor
from utils.report import ReportMeta, choose_language, redact_groups, render_report, report_format, write_report
from utils.report.markdown import md_code
from utils.report.text import TEXT_FILE, load_text
from utils.report.timeline import bucket_start, build_timeline, choose_bucket, sparkline
from utils.report.view import group_views

REPO = Path(__file__).resolve().parents[1]
PLANTED = "<script>alert('x')</script>"
# An http(s) or protocol-relative URL in any src/href/url(): what would make the file fetch something when opened.
EXTERNAL = re.compile(r"""(?:\bsrc|\bhref)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""",
                      re.IGNORECASE)


def group(count: int, label: str | None, fqcn: str, message: str, timeline: dict[str, int] | None = None,
          explanation: str | None = None, source: str = "app.log") -> dict[str, Any]:
    """A record shaped like utils/pipeline/grouping.py `Group.to_record`."""
    times = sorted(timeline or {})
    simple = fqcn.rsplit(".", 1)[-1]
    fields = dict(part.split("=", 1) for part in explanation.split("; ")) if explanation else None
    return {
        "group": f"g{count:04d}{simple[:6]}", "count": count,
        "fingerprint": {"exception": fqcn, "frames": ["com.acme.Foo.bar"], "frames_are": "application",
                        "message": message},
        "reason": f"same root cause {fqcn}", "first_seen": f"{times[0]}:05" if times else None,
        "last_seen": f"{times[-1]}:59" if times else None, "sources": {source: count},
        "timeline": dict(timeline or {}),
        "representative": {"id": f"{simple}-1", "source": f"{source}:1",
                           "trace": f"{fqcn}: {message}\n\tat com.acme.Foo.bar(Foo.java:40)\n\tat com.acme.Main.run(Main.java:7)"},
        "analysis": {
            "label": label, "decided_by": "parser" if label else None, "top_k": [], "exception": label,
            "exception_fqcn": fqcn, "root_cause": {"class": fqcn, "message": message},
            "chain": [{"class": "java.lang.RuntimeException", "message": "wrapped"}, {"class": fqcn, "message": message}],
            "location": {"class": "com.acme.Foo", "method": "bar", "file": "Foo.java", "line": 40},
            "explanation": explanation, "explanation_fields": fields,
            "explanation_source": "known scenario" if explanation else None, "known_scenario": None,
        },
    }


@pytest.fixture
def groups() -> list[dict[str, Any]]:
    """Four groups, deliberately not in count order; one carries a planted <script>, one has no timestamps, one an
    inner class (`$`, which matplotlib would read as math), one a Korean explanation."""
    return [
        group(3, "IllegalStateException", "java.lang.IllegalStateException", f"bad state {PLANTED}",
              {"2026-01-05T10:00": 2, "2026-01-05T12:30": 1}, source=f"evil{PLANTED}.log"),
        group(9, "NullPointerException", "java.lang.NullPointerException", "name is null",
              {"2026-01-05T09:00": 4, "2026-01-05T11:10": 5},
              explanation="type=NullPointerException; cause=이름이 null입니다; location=Foo.java:40; fix=값을 확인하세요"),
        group(1, None, "com.zaxxer.hikari.pool.HikariPool$PoolInitializationException", "pool $1 failed",
              {"2026-01-05T09:30": 1}),
        group(5, "SQLException", "java.sql.SQLException", "I/O error"),
    ]


def outside_code(markdown: str) -> str:
    """The Markdown with its code blocks and code spans removed: there, `<script>` is shown as text, not run."""
    without_blocks = re.sub(r"^(`{3,}).*?^\1$", "", markdown, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", without_blocks)


def sections(html: str) -> list[tuple[int, str, int]]:
    """(rank, title, count) of each group section, in document order."""
    pattern = (r'<section class="card group" id="group-(\d+)"><h2><span class="rank"[^>]*>#\d+</span>(.*?)'
               r'<span class="badge">×(\d+)</span>')
    return [(int(rank), title, int(count)) for rank, title, count in re.findall(pattern, html)]


def test_ui_text_tables_are_complete() -> None:
    tables = yaml.safe_load(TEXT_FILE.read_text(encoding="utf-8"))
    assert set(tables) >= {"en", "ko"}
    for language, table in tables.items():
        assert set(table) == set(tables["en"]), language
        for key, value in tables["en"].items():
            if isinstance(value, dict):
                assert set(table[key]) == set(value), f"{language}.{key}"


def test_html_is_self_contained_and_escapes_log_text(groups: list[dict[str, Any]]) -> None:
    html = render_report(groups, "html", "en", ReportMeta(analyzed=20))
    assert not EXTERNAL.search(html)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html  # in the message, the trace, the source
    assert html.count("&lt;script&gt;") >= 3
    assert '<meta charset="utf-8">' in html and '<html lang="en">' in html
    assert "<details>" in html and "<pre>" in html


def test_html_has_one_section_per_group_in_count_order(groups: list[dict[str, Any]]) -> None:
    html = render_report(groups, "html", "en")
    found = sections(html)
    assert [count for _, _, count in found] == [9, 5, 3, 1]
    assert [rank for rank, _, _ in found] == [1, 2, 3, 4]
    assert [title for _, title, _ in found] == ["NullPointerException", "SQLException", "IllegalStateException",
                                               "HikariPool$PoolInitializationException"]
    # each group says where to look: the code line and the method
    assert "<code>Foo.java:40</code> · <code>com.acme.Foo.bar</code>" in html
    # the explanation's fields and where it came from
    assert "이름이 null입니다" in html and "값을 확인하세요" in html and "a known scenario" in html


def test_html_has_the_timeline_and_names_groups_without_timestamps(groups: list[dict[str, Any]]) -> None:
    html = render_report(groups, "html", "en")
    figure = re.search(r"<figure>(.*?)</figure>", html, re.DOTALL)
    assert figure and "<svg" in figure.group(1) and "<path" in figure.group(1)
    assert not figure.group(1).lstrip().startswith("<?xml")
    assert "Without timestamps (not plotted)" in html and 'href="#group-2">#2</a>' in html  # SQLException: no times


def test_html_without_any_timestamp_says_so(groups: list[dict[str, Any]]) -> None:
    html = render_report([groups[3]], "html", "en")
    assert "<svg" not in html
    assert load_text("en")("timeline_none") in html


def test_korean_report(groups: list[dict[str, Any]]) -> None:
    ko = load_text("ko")
    html = render_report(groups, "html", "ko")
    assert '<html lang="ko">' in html
    for key in ("title", "root_cause", "location", "grouped_because", "first_seen", "timeline"):
        assert ko(key) in html, key
    assert "Noto Sans CJK KR" in html and "Malgun Gothic" in html
    markdown = render_report(groups, "markdown", "ko")
    assert f"# {ko('title')}" in markdown and ko("root_cause") in markdown


def test_language_choice(groups: list[dict[str, Any]]) -> None:
    assert choose_language(groups, "en") == "en"
    assert choose_language(groups, "auto", "ko") == "ko"
    assert choose_language(groups) == "ko"  # the only explanation there is is Korean
    english = [group(2, "X", "a.X", "m", explanation="type=X; cause=it broke; location=A.java:1; fix=mend it")] * 3
    assert choose_language(english + groups[1:2]) == "en"
    assert choose_language([group(1, "X", "a.X", "m")]) == "en"  # no explanation, no Hangul in the trace


def test_markdown_has_the_same_groups_and_escapes(groups: list[dict[str, Any]]) -> None:
    markdown = render_report(groups, "markdown", "en")
    headings = re.findall(r"^## #(\d+) (.*?) — ×(\d+)$", markdown, re.MULTILINE)
    html_sections = sections(render_report(groups, "html", "en"))
    assert [(int(rank), int(count)) for rank, _, count in headings] == [(rank, count) for rank, _, count in
                                                                         html_sections]
    assert [title.replace("\\", "") for _, title, _ in headings] == [title for _, title, _ in html_sections]
    assert "<script" not in outside_code(markdown).lower() and "bad state &lt;script&gt;" in markdown
    assert "`com.acme.Foo.bar`" in markdown and "`Foo.java:40`" in markdown
    assert "```java\njava.lang.NullPointerException: name is null" in markdown
    assert "Without timestamps (not plotted): #2." in markdown
    assert "## #4 HikariPool\\$PoolInitializationException — ×1" in markdown  # `$` is no math on GitHub



def test_both_formats_list_the_same_sources_and_count_the_rest() -> None:
    """One cut-off (utils/report/view.MAX_SOURCES_SHOWN) for HTML and Markdown: the first 12 sources, then "and N more"."""
    record = group(14, "IllegalStateException", "java.lang.IllegalStateException", "bad state")
    record["sources"] = {f"logs/app-{index:02d}.log": 1 for index in range(14)}
    html, markdown = render_report([record], "html", "en"), render_report([record], "markdown", "en")
    for report in (html, markdown):
        assert "logs/app-11.log" in report and "logs/app-12.log" not in report
        assert "and 2 more" in report



def test_both_formats_name_the_known_scenario_an_explanation_came_from() -> None:
    record = group(2, "IllegalStateException", "java.lang.IllegalStateException", "bad state",
                   explanation="cause=pool closed; fix=reopen it")
    record["analysis"]["known_scenario"] = {"scenario": "pool <closed>", "similarity": 0.91}
    html, markdown = render_report([record], "html", "en"), render_report([record], "markdown", "en")
    assert "from: a known scenario “pool &lt;closed&gt;”, similarity 0.91" in html
    assert "_from: a known scenario “pool &lt;closed&gt;”, similarity 0.91_" in markdown


def test_markdown_code_fences_outlast_the_text() -> None:
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x`") == "`` `x` ``"
    assert md_code("a|b", in_table=True) == "`a\\|b`"
    record = group(1, "X", "a.X", "m")
    record["representative"]["trace"] = "a.X: m\n```\n\tat b.C.d(C.java:1)"
    markdown = render_report([record], "markdown", "en")
    assert "````java\na.X: m\n```\n" in markdown and markdown.count("````") == 2


def test_timeline_buckets_follow_the_span(groups: list[dict[str, Any]]) -> None:
    start = datetime(2026, 1, 5, 9, 0)
    assert choose_bucket(start, start) == 1
    assert choose_bucket(start, datetime(2026, 1, 5, 12, 0)) == 5  # 3 hours: 36 bars of 5 minutes
    assert choose_bucket(start, datetime(2026, 1, 12, 9, 0)) == 180  # a week: 56 bars of 3 hours
    assert choose_bucket(start, datetime(2026, 2, 20)) == 1440
    assert choose_bucket(start, datetime(2029, 1, 1)) % 10080 == 0
    assert bucket_start(datetime(2026, 1, 5, 9, 7), 5) == datetime(2026, 1, 5, 9, 5)
    timeline = build_timeline(group_views(groups), top=2)
    assert timeline is not None and timeline.bucket_minutes == 5
    assert [rank for rank, _ in timeline.series] == [1, 3] and timeline.untimed == [2]
    assert sum(map(sum, (counts for _, counts in timeline.series))) == 12 and sum(timeline.other or []) == 1
    assert sparkline([0, 1, 4]) == "·▂█"


def test_redaction_reaches_source_names(groups: list[dict[str, Any]]) -> None:
    record = group(2, "X", "a.X", "card 4111-1111-1111-1111", source="logs/alice.kim@example.com.log")
    redacted = redact_groups([record], Redactor(RedactOptions()))
    html = render_report(redacted, "html", "en")
    assert "alice.kim@example.com" not in html and "4111-1111-1111-1111" not in html
    assert record["sources"] == {"logs/alice.kim@example.com.log": 2}  # the caller's records are not changed


def test_format_follows_the_suffix(tmp_path: Path, groups: list[dict[str, Any]]) -> None:
    assert report_format("r.HTML") == "html" and report_format("r.md") == "markdown"
    with pytest.raises(ValueError, match=r"\.html or \.md"):
        report_format("r.txt")
    written = write_report(groups, tmp_path / "out" / "r.md", "en")
    assert written.read_text(encoding="utf-8").startswith("# Java failure report")


REPEATED_LOG = "".join(
    f"2026-01-05 10:{minute:02d}:01.100 ERROR [exec-{minute}] c.a.p.PaymentService - failed {PLANTED}\n"
    "java.lang.IllegalStateException: ledger closed <b>now</b>\n"
    "\tat com.acme.pay.PaymentService.charge(PaymentService.java:88)\n"
    "\tat com.acme.pay.PaymentController.post(PaymentController.java:31)\n"
    for minute in range(0, 40, 3)
)


def test_predict_writes_html_and_markdown_reports(tmp_path: Path) -> None:
    log = tmp_path / "repeats.log"
    log.write_text(REPEATED_LOG, encoding="utf-8")
    inputs = [*sorted(str(path) for path in (REPO / "examples").glob("*.log")), str(REPO / "examples/logs.jsonl"),
              str(log)]
    html_path, md_path, groups_path = tmp_path / "report.html", tmp_path / "report.md", tmp_path / "groups.jsonl"
    for report in (html_path, md_path):
        done = subprocess.run([sys.executable, str(REPO / "predict.py"), "--input", *inputs, "--no_model",
                               "--output", str(tmp_path / "r.jsonl"), "--groups", str(groups_path),
                               "--report", str(report)], cwd=REPO, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "wrote a report of" in done.stderr and "(en)" in done.stderr
    expected = len(groups_path.read_text(encoding="utf-8").splitlines())
    html = html_path.read_text(encoding="utf-8")
    found = sections(html)
    assert len(found) == expected and found[0] == (1, "IllegalStateException", 14)
    assert [count for _, _, count in found] == sorted((count for _, _, count in found), reverse=True)
    assert not EXTERNAL.search(html) and "<svg" in html and "&lt;b&gt;now&lt;/b&gt;" in html
    markdown = md_path.read_text(encoding="utf-8")
    assert len(re.findall(r"^## #\d+ ", markdown, re.MULTILINE)) == expected
    assert "<b>now" not in outside_code(markdown) and "&lt;b&gt;now" in markdown


def test_predict_rejects_an_unknown_report_suffix(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(REPO / "predict.py"), "--input", str(REPO / "examples/junit_failure.log"),
                           "--no_model", "--report", str(tmp_path / "report.pdf")], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 2 and ".html or .md" in done.stderr
    assert not (tmp_path / "report.pdf").exists()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_reason_says_what_the_signature_compared(language: str) -> None:
    # The signature's frames are the top application frame, a test class (no application frame outside test code,
    # `Class.*`), a library frame (no application frame) or none compared (an OutOfMemoryError, a library's failure
    # whose message names it); a record of an
    # earlier version (no `frames_are`) had up to three frames: the reason says which, in words, in both formats.
    text = load_text(language)
    cases = [(["com.acme.Foo.bar"], "application", "java.lang.IllegalStateException", "reason_top_frame",
              "com.acme.Foo.bar"),
             (["com.acme.FooTest.*"], "test class", "java.lang.NullPointerException", "reason_test_class",
              "com.acme.FooTest"),
             (["java.util.ArrayList.get"], "library", "java.lang.IndexOutOfBoundsException", "reason_library_frame",
              "java.util.ArrayList.get"),
             ([], "not compared", "java.lang.OutOfMemoryError", "reason_frames_not_compared", None),
             ([], "library message", "javax.xml.bind.JAXBException", "reason_library_message", None),
             ([], None, "java.lang.OutOfMemoryError", "reason_frames_not_compared", None),
             (["com.acme.Foo.bar", "com.acme.Main.run"], None, "java.lang.IllegalStateException", "reason_frames",
              "com.acme.Foo.bar`, `com.acme.Main.run")]
    for frames, frames_are, fqcn, key, shown in cases:
        record = group(2, None, fqcn, "")
        record["fingerprint"] = {"exception": fqcn, "frames": frames, "message": "",
                                 **({"frames_are": frames_are} if frames_are else {})}
        where = text(key, frames=f"`{shown}`")
        expected = text("reason_signature", exception=f"`{fqcn}`", frames=where, message=text("reason_no_message"))
        markdown = render_report([record], "markdown", language)
        assert f"- **{text('grouped_because')}**: {expected}\n" in markdown, (key, markdown)
        html = render_report([record], "html", language)
        assert str(text.table[key]).split("{")[0].strip() in html and (shown is None or shown.split("`")[0] in html)
    english = render_report([group(2, None, "java.lang.IllegalStateException", "closed")], "markdown", "en")
    assert ("same root cause `java.lang.IllegalStateException`, same top application frame `com.acme.Foo.bar`, same "
            "message template `closed`") in english
