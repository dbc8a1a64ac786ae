"""Scoring a ranker against rows that name the fixed methods: acc@1, acc@3, MRR per row, per bug, per project."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from utils.locate.names import frame_key, normalize_method
from utils.locate.scoring import LinearRanker, naive_frames, rank_frames
from utils.locate.storage import load_ranker
from utils.parsing.stacktrace import parse_trace

ASSERTION_FAILURES = {
    "AssertionError",
    "AssertionFailedError",
    "ComparisonFailure",
    "ArrayComparisonFailure",
    "MultipleFailuresError",
    "AssertJMultipleFailuresError",
}


def row_fix_methods(row: dict) -> list[str]:
    """What a row says was fixed: `fix_methods` (real data) or the corpus `meta.fault` frame (synthetic data)."""
    if row.get("fix_methods"):
        return list(row["fix_methods"])
    fault = (row.get("meta") or {}).get("fault")
    if isinstance(fault, dict) and fault.get("class") and fault.get("method"):
        return [f"{fault['class']}.{fault['method']}"]
    return []


def is_assertion_class(class_name: str) -> bool:
    """A test framework's assertion failure, by simple name (`org.junit.ComparisonFailure`, a bare
    `AssertionFailedError`)."""
    return class_name.rsplit(".", 1)[-1] in ASSERTION_FAILURES


def is_assertion_failure(row: dict) -> bool:
    top = row.get("top_exception")
    if top is None:
        root = parse_trace(row.get("log", "")).chain
        top = root[0].class_name if root else ""
    return is_assertion_class(top)


def select_locate_rows(rows: Iterable[dict], include_assertions: bool = False) -> list[dict]:
    """Rows that can score a ranker: they name a fix and are failing tests or corpus rows (not `logged_trace`);
    assertion failures are left out by default (their trace shows the test's check, not the faulty code)."""
    selected = []
    for row in rows:
        if not row_fix_methods(row) or row.get("kind", "test_failure") != "test_failure":
            continue
        if not include_assertions and is_assertion_failure(row):
            continue
        selected.append(row)
    return selected


def _first_hit(keys: list[str], fixes: set[str]) -> int | None:
    return next((rank for rank, key in enumerate(keys) if key in fixes), None)


def _summary(ranks: list[int | None]) -> dict[str, float]:
    total = len(ranks)
    if not total:
        return {"n": 0, "acc@1": 0.0, "acc@3": 0.0, "mrr": 0.0}
    return {
        "n": total,
        "acc@1": sum(rank is not None and rank < 1 for rank in ranks) / total,
        "acc@3": sum(rank is not None and rank < 3 for rank in ranks) / total,
        "mrr": sum(1.0 / (rank + 1) for rank in ranks if rank is not None) / total,
    }


SYSTEMS = ("naive", "rules", "ranker")


def _block(results: list[tuple]) -> dict:
    """Metrics of (project, bug, reachable, naive rank, rules rank, ranker rank) tuples; `bugs` counts each bug once
    (its first row: one bug often fails several tests with the same trace)."""
    reachable = [item for item in results if item[2]]
    first_of_bug: dict[str, tuple] = {}
    for item in results:
        first_of_bug.setdefault(item[1], item)
    bugs = list(first_of_bug.values())
    block: dict = {"n": len(results), "reachable": len(reachable) / len(results) if results else 0.0}
    for offset, system in enumerate(SYSTEMS, start=3):
        block[system] = _summary([item[offset] for item in results])
        block[f"{system}_reachable"] = _summary([item[offset] for item in reachable])
    block["bugs"] = {"n": len(bugs), "reachable": sum(item[2] for item in bugs) / len(bugs) if bugs else 0.0}
    for offset, system in enumerate(SYSTEMS, start=3):
        block["bugs"][system] = _summary([item[offset] for item in bugs])
    return block


def evaluate_locate(
    rows: Iterable[dict],
    ranker: LinearRanker | None = None,
    held_out_projects: Iterable[str] = (),
    app_packages: Iterable[str] | None = None,
) -> dict:
    """Method-level acc@1, acc@3 and MRR of the ranker, of the hand-set rules and of the naive baseline (the first
    application frame, root cause first).

    Reported on all rows, on "reachable" rows (a fixed method appears among the trace's frames), once per bug
    (`bugs`: the first row of each `bug_id`), per project, and, when `held_out_projects` is given, on held-out and
    tuning projects apart. Rows are used as given (see `select_locate_rows`); rows that name no fix are counted in
    `skipped_without_fix`. With `ranker=None` the "ranker" figures are the rules'. `app_packages` (else the
    ranker's own) overrides the application's packages for the rules and the ranker; the naive rule ignores it.
    """
    held_out = set(held_out_projects)
    packages = None if app_packages is None else tuple(app_packages)
    results = []
    skipped = 0
    for number, row in enumerate(rows):
        fixes = {normalize_method(method) for method in row_fix_methods(row)}
        if not fixes:
            skipped += 1
            continue
        trace = parse_trace(row.get("log", ""))
        naive_keys = [frame_key(frame) for frame in naive_frames(trace)]
        rules_keys = [item.key for item in rank_frames(trace, None, None, packages)]
        ranker_keys = (
            rules_keys if ranker is None else [item.key for item in rank_frames(trace, None, ranker, packages)]
        )
        reachable = any(frame_key(frame) in fixes for frame in trace.frames)
        project = row.get("project") or "unknown"
        bug = str(row.get("bug_id") or row.get("id") or number)
        results.append(
            (
                project,
                bug,
                reachable,
                _first_hit(naive_keys, fixes),
                _first_hit(rules_keys, fixes),
                _first_hit(ranker_keys, fixes),
            )
        )

    report = {"all": _block(results), "skipped_without_fix": skipped, "projects": {}}
    for project in sorted({item[0] for item in results}):
        report["projects"][project] = _block([item for item in results if item[0] == project])
    if held_out:
        report["held_out_projects"] = sorted(held_out)
        report["held_out"] = _block([item for item in results if item[0] in held_out])
        report["tuning"] = _block([item for item in results if item[0] not in held_out])
    return report


def evaluate_locate_file(
    input_path: str | Path,
    ranker_dir: str | Path | None = None,
    held_out_projects: Iterable[str] = (),
    include_assertions: bool = False,
    app_packages: Iterable[str] | None = None,
) -> dict:
    """`evaluate_locate` on a JSONL file of rows with `log` and `fix_methods` (real, with `project`/`bug_id`) or
    `meta.fault` (the synthetic corpus); `ranker_dir=None` scores the rules. Bad lines raise naming file and line."""
    from utils.stage1.data import read_jsonl  # evaluation only: keeps ranking free of numpy/datasets

    rows = read_jsonl(input_path, required_fields=("log",))
    selected = select_locate_rows(rows, include_assertions=include_assertions)
    ranker = load_ranker(ranker_dir) if ranker_dir else None
    report = evaluate_locate(selected, ranker, held_out_projects, app_packages)
    report.update(
        {
            "input": str(input_path),
            "ranker_dir": str(ranker_dir) if ranker_dir else None,
            "rows_read": len(rows),
            "rows_used": len(selected),
            "include_assertions": include_assertions,
            "app_packages": None if app_packages is None else list(app_packages),
        }
    )
    return report


def gap_closed(block: dict, system: str = "ranker") -> float:
    """Share of the gap between the naive acc@1 and the ceiling (reachable share) that `system` closed."""
    naive, ceiling = block["naive"]["acc@1"], block["reachable"]
    return (block[system]["acc@1"] - naive) / (ceiling - naive) if ceiling > naive else 0.0


def share_of_ceiling(block: dict, system: str = "ranker") -> float:
    """acc@1 of `system` over the ceiling (the share of rows whose trace contains a fixed method)."""
    return block[system]["acc@1"] / block["reachable"] if block["reachable"] else 0.0


def format_locate_report(report: dict) -> str:
    """Two markdown tables: per row and once per bug for all rows, tuning and held-out projects, then each project;
    then each project once per bug (one bug often fails many tests with one trace), the unit bars are set in.

    "ceiling" is the share of rows whose fixed method appears in the trace at all; "gap" is the share of the
    distance from the naive acc@1 to that ceiling that the ranker closed (the rules when no ranker was given);
    "of ceiling" is the ranker's acc@1 over the ceiling."""
    header = (
        "| rows | n | ceiling | naive acc@1 | rules acc@1 | ranker acc@1 | gap closed | of ceiling | naive acc@3 "
        "| ranker acc@3 | naive MRR | ranker MRR |"
    )
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]

    def line(name: str, block: dict) -> str:
        naive, rules, ranked = block["naive"], block["rules"], block["ranker"]
        return (
            f"| {name} | {block['n']} | {block['reachable']:.3f} | {naive['acc@1']:.3f} | {rules['acc@1']:.3f} | "
            f"{ranked['acc@1']:.3f} | {gap_closed(block):.0%} | {share_of_ceiling(block):.0%} | "
            f"{naive['acc@3']:.3f} | {ranked['acc@3']:.3f} | {naive['mrr']:.3f} | {ranked['mrr']:.3f} |"
        )

    for name in ("all", "tuning", "held_out"):
        if name in report:
            lines.append(line(f"{name}, per row", report[name]))
            lines.append(line(f"{name}, once per bug", report[name]["bugs"]))
    for project, block in report["projects"].items():
        lines.append(line(f"{project}, per row", block))
    held_out = set(report.get("held_out_projects") or ())
    lines += [
        "",
        "| project, once per bug | bugs | ceiling | naive acc@1 | rules acc@1 | ranker acc@1 | of ceiling "
        "| ranker >= naive |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for project, block in report["projects"].items():
        bugs = block["bugs"]
        name = f"{project} (held out)" if project in held_out else project
        lines.append(
            f"| {name} | {bugs['n']} | {bugs['reachable']:.3f} | {bugs['naive']['acc@1']:.3f} | "
            f"{bugs['rules']['acc@1']:.3f} | {bugs['ranker']['acc@1']:.3f} | {share_of_ceiling(bugs):.0%} | "
            f"{'yes' if bugs['ranker']['acc@1'] >= bugs['naive']['acc@1'] else 'NO'} |"
        )
    return "\n".join(lines)
