"""Importers: real bug benchmarks -> corpus rows ({id, log, label, guidance, meta}).

Bugs.jar: a directory holding checked-out bug branches, each with `.bugs-dot-jar/test-results.txt` (Maven/Surefire
output), `developer-patch.diff` (buggy -> fixed) and optionally `bug-report.yml` (the JIRA issue as YAML).
Defects4J: `framework/projects/<P>/trigger_tests/<id>` (blocks starting "--- pkg.Test::method") with
`patches/<id>.src.patch`, which Defects4J stores reversed (fixed -> buggy), and `active-bugs.csv` for report ids.

Labels come from the parsed root cause (configs/labels.yaml); the guidance location is the first changed line of
the developer's fix, with the enclosing method when the diff's hunk header names it.
"""

from __future__ import annotations

import csv
import html
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from utils.labels import LabelSet, load_label_set
from utils.parsing.stacktrace import parse_log
from utils.stage2.guidance import format_guidance, format_location

_SUREFIRE_2 = re.compile(r"^(?P<method>[\w$]+)\((?P<cls>[\w$.]+)\)\s+Time elapsed:.*<<<\s*(?P<kind>FAILURE|ERROR)!")
_SUREFIRE_3 = re.compile(
    r"^\[ERROR\]\s+(?P<cls>[\w$.]+)\.(?P<method>[\w$]+)\s+(?:--\s+)?Time elapsed:.*<<<\s*(?P<kind>FAILURE|ERROR)!"
)
_SECTION_END = re.compile(r"^(?:Results :|Results:|Tests run:|\[INFO\]|\[ERROR\] Tests run:|Running )")
_HUNK = re.compile(r"^@@ -(?P<old>\d+)(?:,\d+)? \+(?P<new>\d+)(?:,\d+)? @@ ?(?P<context>.*)$")
_METHOD_IN_CONTEXT = re.compile(r"(?:^|\s)([A-Za-z_$][\w$]*)\s*\([^;]*$")
# Words before a "(" that are not a method: `if (x)`, `new Foo(`.
_KEYWORDS = {"if", "for", "while", "switch", "catch", "synchronized", "return", "new", "class", "interface", "enum"}
# A method or constructor declaration line: modifiers, a type, the name, "(" and no ";" or "=" (not a statement).
_DECLARATION = re.compile(
    r"^\s*(?:@\w+\s+)*(?:(?:public|protected|private|static|final|synchronized|abstract|native|default)\s+)*"
    r"(?:<[^>]+>\s+)?(?:[\w$.<>\[\],?]+\s+)?([A-Za-z_$][\w$]*)\s*\([^;=]*$"
)
_TAG = re.compile(r"<[^>]+>")


@dataclass
class FixLocation:
    file: str  # path in the repository
    line: int | None  # first changed line in the buggy version
    method: str | None  # simple method name from the hunk header


@dataclass
class ImportReport:
    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "path: reason"

    def add(self, row: dict[str, Any] | str, where: str) -> None:
        """A row, or the reason (from `_row`) its trace could not become one."""
        if isinstance(row, str):
            self.skipped.append(f"{where}: {row}")
        else:
            self.rows.append(row)

    def summary(self) -> dict[str, Any]:
        return {
            "rows": len(self.rows),
            "skipped": len(self.skipped),
            "labels": dict(Counter(r["label"] for r in self.rows)),
        }


def parse_patch(text: str, buggy_side: str = "old") -> list[FixLocation]:
    """Changed Java files of a unified diff and, per file, the first changed line of the buggy version.

    `buggy_side`: "old" when the diff goes buggy -> fixed (Bugs.jar), "new" when it goes fixed -> buggy (Defects4J).
    A hunk that only adds lines to the buggy version is anchored at the line before the insertion. The method is the
    last declaration seen in the hunk before that line, else the one git names in the hunk header.
    """
    buggy_marker = "-" if buggy_side == "old" else "+"
    locations: list[FixLocation] = []
    current: FixLocation | None = None
    hunk: dict[str, Any] | None = None  # {"old", "new", "method", "anchor"} of the open hunk

    def close_hunk() -> None:
        if hunk is not None and current is not None and current.line is None and hunk["anchor"] is not None:
            current.line, current.method = hunk["anchor"], hunk["method"]

    for raw in text.splitlines():
        if raw.startswith(("+++ ", "--- ")):
            close_hunk()
            hunk = None
            path = raw[4:].split("\t", 1)[0].strip()
            if path == "/dev/null":
                continue
            path = path[2:] if path[:2] in ("a/", "b/") else path
            if current is None or current.file != path:
                current = FixLocation(path, None, None)
                locations.append(current)
            continue
        header = _HUNK.match(raw)
        if header and current is not None:
            close_hunk()
            method = _method_from_context(header.group("context"))
            hunk = {"old": int(header.group("old")), "new": int(header.group("new")), "method": method, "anchor": None}
            continue
        if hunk is None or current is None or not raw or raw[0] not in " -+":
            continue
        marker, body = raw[0], raw[1:]
        position = hunk["old"] if buggy_side == "old" else hunk["new"]
        if current.line is None:
            declared = _DECLARATION.match(body)
            if marker == " " and declared and declared.group(1) not in _KEYWORDS:
                hunk["method"] = declared.group(1)
            elif marker == buggy_marker:
                current.line, current.method = position, hunk["method"]
            elif marker != " " and hunk["anchor"] is None:
                hunk["anchor"] = max(position - 1, 1)
        if marker in " -":
            hunk["old"] += 1
        if marker in " +":
            hunk["new"] += 1
    close_hunk()
    return [location for location in locations if location.file.endswith(".java")]


def _method_from_context(context: str) -> str | None:
    """The method a hunk header's context line declares ("public void foo(int x) {" -> "foo")."""
    match = _METHOD_IN_CONTEXT.search(context.strip())
    if not match or match.group(1) in _KEYWORDS:
        return None
    return match.group(1)


def class_of_path(path: str) -> str:
    """ "core/src/main/java/org/x/Foo.java" -> "org.x.Foo" (the path after the last `java/` source root)."""
    stem = path[:-5] if path.endswith(".java") else path
    for root in ("/src/main/java/", "/src/java/", "/src/test/java/", "src/main/java/", "src/java/", "/java/", "/src/"):
        if root in "/" + stem:
            stem = ("/" + stem).split(root, 1)[1]
            break
    return stem.strip("/").replace("/", ".")


def _short(text: str, words: int) -> str:
    parts = " ".join(html.unescape(_TAG.sub(" ", text or "")).split()).split(" ")
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")


def failing_tests(text: str) -> list[tuple[str | None, str]]:
    """(test id "pkg.Class::method" or None, trace text) for each failure section of Surefire output; when the text
    has no Surefire header, each trace found in it."""
    sections: list[tuple[str, list[str]]] = []
    body: list[str] | None = None  # the lines of the open section
    for line in text.splitlines():
        header = _SUREFIRE_2.match(line) or _SUREFIRE_3.match(line)
        if header:
            body = []
            sections.append((f"{header.group('cls')}::{header.group('method')}", body))
        elif _SECTION_END.match(line):
            body = None
        elif body is not None:
            body.append(line)
    found: list[tuple[str | None, str]] = []
    for test, lines in sections:
        while lines and not lines[-1].strip():
            lines.pop()
        if lines:
            found.append((test, "\n".join(lines)))
    return found or [(None, trace.text) for trace in parse_log(text) if trace.chain and trace.frames]


def _report_summary(path: Path) -> tuple[str | None, str | None]:
    """(issue key, summary) of a Bugs.jar bug-report.yml (JIRA XML as YAML), as far as present: the first of each
    found walking the document."""
    if not path.is_file():
        return None, None
    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            if key in ("summary", "key") and key not in found:
                found[key] = value["#text"] if isinstance(value, dict) and "#text" in value else value
            walk(value)

    walk(yaml.safe_load(path.read_text(encoding="utf-8", errors="replace")))
    key, summary = found.get("key"), found.get("summary")
    return (str(key) if key is not None else None), (str(summary) if summary is not None else None)


def _row(
    source: str,
    row_id: str,
    log: str,
    fixes: list[FixLocation],
    summary: str | None,
    issue: str | None,
    test: str | None,
    label_set: LabelSet,
    extra: dict[str, Any],
) -> dict[str, Any] | str:
    """A corpus row, or the reason the trace cannot become one."""
    traces = [trace for trace in parse_log(log) if trace.chain]
    if not traces:
        return "no exception in the trace"
    root = traces[0].root_cause
    label = label_set.to_label(root.class_name)
    fault, location, where = None, "unknown", "the code under test"
    if fixes:
        first = fixes[0]
        cls = class_of_path(first.file)
        fault = {"class": cls, "method": first.method, "file": Path(first.file).name, "line": first.line}
        location = format_location(fault["file"], first.line, f"{cls}.{first.method}" if first.method else None)
        where = f"{cls.rsplit('.', 1)[-1]}.{first.method}" if first.method else fault["file"]
    message = (root.message or "").split("\n", 1)[0].strip()
    if summary:
        cause = _short(summary, 30)
    else:
        cause = f"{root.simple_name}: {_short(message, 20)}" if message else root.simple_name
    fix = f"Change {where} as the developer patch for {issue or row_id} does ({len(fixes)} file(s) changed)"
    return {
        "id": row_id,
        "log": log,
        "label": label,
        "guidance": format_guidance(label, cause, location, fix),
        "meta": {
            "template": source,
            "family": "import",
            "language": "en",
            "root_exception": root.class_name,
            "fault": fault,
            "fault_in_log": bool(
                fault and any(f.class_name == fault["class"] and f.method == fault["method"] for f in traces[0].frames)
            ),
            "fix_files": [f.file for f in fixes],
            "fix_methods": [f"{class_of_path(f.file)}.{f.method}" for f in fixes if f.method],
            "source": source,
            "issue": issue,
            "test": test,
            **extra,
        },
    }


def _fixes(patch: Path, buggy_side: str, report: ImportReport) -> list[FixLocation]:
    """The fix locations of a developer patch; a missing patch is noted and its rows keep location 'unknown'."""
    if patch.is_file():
        return parse_patch(patch.read_text(encoding="utf-8", errors="replace"), buggy_side)
    report.skipped.append(f"{patch}: missing (rows keep location 'unknown')")
    return []


def import_bugsjar(root: str | Path, label_set: LabelSet | None = None) -> ImportReport:
    """Rows from every `.bugs-dot-jar/test-results.txt` under `root` (a bug directory or a directory of them)."""
    label_set = label_set or load_label_set()
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: not a directory")
    report = ImportReport()
    results = sorted(root.glob("**/.bugs-dot-jar/test-results.txt"))
    if not results:
        report.skipped.append(f"{root}: no .bugs-dot-jar/test-results.txt found")
    for results_path in results:
        meta_dir = results_path.parent
        bug = meta_dir.parent.name
        fixes = _fixes(meta_dir / "developer-patch.diff", "old", report)
        bug_report = meta_dir / "bug-report.yml"
        try:
            issue, summary = _report_summary(bug_report)
        except yaml.YAMLError as error:
            report.skipped.append(f"{bug_report}: not YAML ({error.__class__.__name__}); summary left out")
            issue, summary = None, None
        sections = failing_tests(results_path.read_text(encoding="utf-8", errors="replace"))
        if not sections:
            report.skipped.append(f"{results_path}: no failing test trace")
        for index, (test, log) in enumerate(sections):
            row = _row(
                "bugsjar", f"bugsjar-{bug}-{index}", log, fixes, summary, issue or bug, test, label_set, {"bug_id": bug}
            )
            report.add(row, f"{results_path} section {index + 1}")
    return report


def _projects_dir(root: Path) -> Path:
    for candidate in (root / "framework" / "projects", root / "projects", root):
        if candidate.is_dir() and any((p / "trigger_tests").is_dir() for p in candidate.iterdir() if p.is_dir()):
            return candidate
    raise FileNotFoundError(f"{root}: no framework/projects/<P>/trigger_tests found")


def trigger_test_blocks(text: str) -> list[tuple[str, str]]:
    """(test "pkg.Class::method", trace) blocks of a Defects4J trigger_tests file."""
    blocks: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("--- "):
            blocks.append((line[4:].strip(), []))
        elif blocks:
            blocks[-1][1].append(line)
    return [(test, "\n".join(body).rstrip()) for test, body in blocks if "".join(body).strip()]


def import_defects4j(root: str | Path, label_set: LabelSet | None = None) -> ImportReport:
    """Rows from every trigger test of every project under a Defects4J checkout (or its projects directory)."""
    label_set = label_set or load_label_set()
    projects = _projects_dir(Path(root))
    report = ImportReport()
    for project in sorted(p for p in projects.iterdir() if (p / "trigger_tests").is_dir()):
        reports: dict[str, str] = {}
        active = project / "active-bugs.csv"
        if active.is_file():
            with open(active, encoding="utf-8", newline="") as handle:
                for record in csv.DictReader(handle):
                    if record.get("bug.id"):
                        reports[record["bug.id"]] = record.get("report.id") or ""
        for trigger in sorted((project / "trigger_tests").iterdir(), key=lambda p: (len(p.name), p.name)):
            if not trigger.is_file():
                continue
            bug = trigger.name
            fixes = _fixes(project / "patches" / f"{bug}.src.patch", "new", report)
            blocks = trigger_test_blocks(trigger.read_text(encoding="utf-8", errors="replace"))
            if not blocks:
                report.skipped.append(f"{trigger}: no '--- test' block")
            issue = reports.get(bug) or f"{project.name}-{bug}"
            extra = {"project": project.name, "bug_id": bug}
            for index, (test, log) in enumerate(blocks):
                row_id = f"defects4j-{project.name}-{bug}-{index}"
                row = _row("defects4j", row_id, log, fixes, None, issue, test, label_set, extra)
                report.add(row, f"{trigger} block {index + 1}")
    return report
