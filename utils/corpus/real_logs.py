"""Parser-labelled training rows from real logs: `build_corpus.py --real_logs PATH [PATH ...]`.

Every trace whose root-cause class the parser reads becomes a row labelled through configs/labels.yaml, so a team
trains on its own logs without labelling anything. Repeats of one failure (same `utils.pipeline.fingerprint` signature)
are collapsed to one row that counts them. Rows are split by where they come from (a JSONL row's `project`, else its
`source`, else the file), never row by row: a model validated on a source it trained on would look better than it
is on the next service. Log text passes `utils.redact` before it is kept.

Inputs: JSONL files (field `log`), plain log files of any size (read as a stream, region by region, as predict.py
reads them; repeats collapse as they come), or directories of them (walked recursively). Unreadable inputs,
malformed JSONL lines, traces whose class the parser cannot read, hidden entries, links to directories, pipes,
broken links, a file named twice and the files this run writes are counted skips with their reason.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from utils.labels import ASSERTION_LABEL, LabelSet
from utils.parsing.log_sources import DocumentStream, InputError, LogDocument, SkipReport, expand_paths, source_file
from utils.parsing.stacktrace import parse_log
from utils.pipeline.fingerprint import failure_signature

SPLITS = ("train", "validation", "test")
REAL_LOGS_REPORT = "real_logs_report.json"  # beside the corpus: what was read, skipped and why


@dataclass
class RealLogsOptions:
    """How real traces become rows. Fractions are of rows, reached by whole sources."""

    validation_fraction: float = 0.15
    test_fraction: float = 0.0
    exclude_sources: tuple[str, ...] = ()  # e.g. the test projects of a cross-project protocol
    collapse_duplicates: bool = True
    seed: int = 42


@dataclass
class RealLogsImport:
    """The rows of each split, and what was left out and why."""

    splits: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {name: [] for name in SPLITS})
    skips: SkipReport = field(default_factory=SkipReport)
    traces_read: int = 0
    duplicates_collapsed: int = 0
    excluded_rows: int = 0

    def summary(self) -> dict[str, Any]:
        rows = [row for split in SPLITS for row in self.splits[split]]
        reasons = Counter(item["reason"].split(":")[0] for item in self.skips.skipped)
        return {
            "traces_read": self.traces_read,
            "rows": {split: len(self.splits[split]) for split in SPLITS},
            "duplicates_collapsed": self.duplicates_collapsed,
            "excluded_rows": self.excluded_rows,
            "sources": {split: dict(Counter(row["meta"]["source"] for row in self.splits[split])) for split in SPLITS},
            "classes": dict(Counter(row["label"] for row in rows).most_common()),
            "skipped": len(self.skips.skipped),
            "skipped_by_reason": dict(reasons.most_common()),
            "skipped_examples": self.skips.skipped[:50],
            "warnings": self.skips.warnings,  # read, with a caveat (bytes that were not UTF-8, ...)
        }

    def format(self) -> str:
        summary = self.summary()
        lines = [f"real logs: {summary['traces_read']} traces read, {sum(summary['rows'].values())} rows "
                 f"({summary['duplicates_collapsed']} repeats collapsed, {summary['excluded_rows']} excluded, "
                 f"{summary['skipped']} skipped)"]
        for split in SPLITS:
            sources = ", ".join(f"{name} {count}" for name, count in sorted(summary["sources"][split].items()))
            lines.append(f"  {split:<10} {summary['rows'][split]:6d} rows  [{sources}]")
        lines.append("  classes: " + ", ".join(f"{name} {count}" for name, count in summary["classes"].items()))
        if self.skips.skipped:
            first = self.skips.skipped[0]
            lines.append("  skipped: " + ", ".join(f"{k} {v}" for k, v in summary["skipped_by_reason"].items())
                         + f" (first: {first['source']}: {first['reason']}; the first 50 with where and why in "
                           f"{REAL_LOGS_REPORT})")
        lines += [f"  warning: {item['source']}: {item['reason']}" for item in self.skips.warnings[:20]]
        if len(self.skips.warnings) > 20:
            lines.append(f"  ... and {len(self.skips.warnings) - 20} more warnings ({REAL_LOGS_REPORT})")
        return "\n".join(lines)


def document_rows(document: LogDocument, label_set: LabelSet, skips: SkipReport,
                  numbered: int | None = None) -> tuple[list[dict[str, Any]], int]:
    """One row per exception trace of `document` whose root-cause class the parser reads. A row keeps the whole
    document (a JSONL row's `log`) when it holds one trace, else the trace's own lines with the log lines that
    introduced it (log prefixes removed; the parser reads the result back to the same trace). `numbered`: `document`
    is a region of a plain log read as a stream, after that many failures of its file; its rows are numbered on
    (`app.log#1`, `app.log#2`, also for a file of one failure) and keep their own lines, never the whole file, and a
    region without a failure is no skip (the file's is counted once, at its end). Returns the rows
    and how many failures `document` held (a failure whose class is unreadable is a counted skip, not a row)."""
    traces = [trace for trace in parse_log(document.text, cut=document.cut) if trace.kind != "thread"]
    failures = [trace for trace in traces if trace.has_exception]
    if not failures:
        if numbered is None:
            skips.add(document.source, "no Java exception found")
        return [], 0
    rows = []
    alone = numbered is None and len(failures) == 1
    for index, trace in enumerate(failures, start=numbered or 0):
        root = trace.root_cause
        if root is None or not root.class_name:
            skips.add(f"{document.source}#{index + 1}", "no exception class read")
            continue
        signature = failure_signature(trace)
        rows.append({
            "id": document.id if alone else f"{document.id}#{index + 1}",
            "log": document.text if alone else "\n".join([*trace.context, trace.text]),
            "label": label_set.to_label(root.class_name),
            "meta": {"origin": "real", "source": document.group or source_file(document.source),
                     "document": document.source, "exception": root.class_name, "signature": signature.digest},
        })
    return rows, len(failures)


class RowCollector:
    """Rows as they are read. Collapsing, the first row of each (source, signature) stands for its repeats
    (`meta.repeats`), so memory grows with the distinct failures, not with the size of the logs."""

    def __init__(self, collapse: bool) -> None:
        self.collapse = collapse
        self.rows: list[dict[str, Any]] = []
        self.first: dict[tuple[str, str], dict[str, Any]] = {}
        self.sources: set[str] = set()

    def add(self, row: dict[str, Any]) -> None:
        self.sources.add(row["meta"]["source"])
        key = (row["meta"]["source"], row["meta"]["signature"])
        if self.collapse and key in self.first:
            self.first[key]["meta"]["repeats"] += 1
            return
        if self.collapse:
            row["meta"]["repeats"] = 1
            self.first[key] = row
        self.rows.append(row)


def file_rows(path: str, label_set: LabelSet, skips: SkipReport) -> Iterator[dict[str, Any]]:
    """The rows of one input file, read as a stream whatever its size (`DocumentStream`, as predict.py reads):
    each JSONL row a document, a plain log region by region."""
    numbered = 0
    for document in DocumentStream([path], skips=skips):
        if document.no_trace_head:  # a plain log's end: the file held no failure at all
            if not numbered:
                skips.add(path, "no Java exception found")
            continue
        found, failures = document_rows(document, label_set, skips, numbered if document.region else None)
        numbered += failures if document.region else 0
        yield from found


def split_sources(rows: list[dict[str, Any]], options: RealLogsOptions) -> dict[str, str]:
    """source -> split. Sources in a seeded hash order fill validation, then test, up to their row fractions; a
    source that would overshoot a split is passed over for a smaller one. With one source, everything trains."""
    sizes = Counter(row["meta"]["source"] for row in rows)
    if len(sizes) < 2:
        return dict.fromkeys(sizes, "train")
    order = sorted(sizes, key=lambda name: hashlib.sha1(f"{options.seed}:{name}".encode()).hexdigest())
    targets = {"validation": options.validation_fraction * len(rows), "test": options.test_fraction * len(rows)}
    assigned: dict[str, str] = {}
    for split, target in targets.items():
        filled = 0
        for name in order:
            if name in assigned or filled >= target or len(assigned) >= len(sizes) - 1:
                continue
            if filled + sizes[name] <= target * 1.5 or filled == 0 and sizes[name] <= target * 2:
                assigned[name] = split
                filled += sizes[name]
    return {name: assigned.get(name, "train") for name in sizes}


def import_real_logs(
    paths: Iterable[str], label_set: LabelSet, options: RealLogsOptions,
    redact: Callable[[str], str] | None = None, leave_out: Iterable[str] = (),
) -> RealLogsImport:
    """Rows of every readable trace under `paths` (but the files `leave_out`), collapsed, split by source; their text,
    ids and source names redacted (a JSONL row's `id` or `project` can be a card number or an e-mail too)."""
    result = RealLogsImport()
    collected = RowCollector(options.collapse_duplicates)
    for path in expand_paths(paths, result.skips, leave_out):
        rows_before = result.traces_read
        try:
            for row in file_rows(path, label_set, result.skips):
                result.traces_read += 1
                collected.add(row)
        except (InputError, OSError) as error:  # unreadable: a counted skip, like predict.py
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            kept = result.traces_read - rows_before
            result.skips.add(path, f"unreadable ({reason})" + (f" after {kept} row(s), which are kept" if kept else ""))
    excluded = set(options.exclude_sources)
    unknown = excluded - collected.sources
    if unknown:  # a misspelt test project would otherwise train
        known = sorted(redact(name) if redact else name for name in collected.sources)
        raise InputError(f"--exclude_sources: no source named {', '.join(sorted(unknown))} in the real logs (their "
                         f"sources: {', '.join(known[:20])}{' ...' if len(known) > 20 else ''})")
    rows = [row for row in collected.rows if row["meta"]["source"] not in excluded]

    def traces(kept: list[dict[str, Any]]) -> int:  # the traces rows stand for, their repeats included
        return sum(row["meta"].get("repeats", 1) for row in kept)

    result.excluded_rows = traces(collected.rows) - traces(rows)
    result.duplicates_collapsed = traces(rows) - len(rows)
    assignment = split_sources(rows, options)
    for row in rows:
        split = assignment[row["meta"]["source"]]
        if redact is not None:
            row["log"], row["id"] = redact(row["log"]), redact(row["id"])
            for key in ("source", "document"):
                row["meta"][key] = redact(row["meta"][key])
        result.splits[split].append(row)
    if redact is not None:  # the report lists where skips came from: file names and row ids
        for item in (*result.skips.skipped, *result.skips.warnings):
            item["source"] = redact(item["source"])
    return result


SYNTHETIC_TEMPLATES = ("held_out", "all")  # --synthetic_templates: which templates' rows the real rows train beside


def templates_used(templates: str, real: dict[str, list[dict[str, Any]]]) -> str:
    """The mix `mix_with_synthetic` makes: without real training rows there is nothing to draw beside, so the
    synthetic splits stay as generated (held-out templates) whatever was asked."""
    if templates not in SYNTHETIC_TEMPLATES:
        raise ValueError(f"templates must be one of {SYNTHETIC_TEMPLATES}, got {templates!r}")
    return templates if real.get("train") else "held_out"


def mix_with_synthetic(
    synthetic: dict[str, list[dict[str, Any]]], real: dict[str, list[dict[str, Any]]], synthetic_per_real: float,
    seed: int, templates: str = "all", real_repeat: int = 1,
) -> dict[str, list[dict[str, Any]]]:
    """Each split: its real rows plus `synthetic_per_real` synthetic rows per real row (a seeded sample; all of
    them when the ratio is negative or asks for more than there are), shuffled together. A split without real rows
    keeps its synthetic rows.

    `real_repeat`: each real training row that is not an assertion failure appears that many times (the synthetic
    rows are still counted per distinct real row). Training masks every copy by its own seeded draw, so a repeated
    real failure trains both named and masked.

    `templates="all"` (build_corpus.py's default): the training split's synthetic rows are drawn from every
    template's rows, not only from the training templates'. Holding whole templates out measures how the synthetic
    part generalises, which the real rows of held-out sources measure instead here; held out, 30% of the
    generator's failure kinds (app code's own IllegalStateException, an old JDK's message-less NullPointerException
    in a getter chain ...) never train. The other splits keep their rows that training did not draw, so no row is
    in two splits (with a negative ratio every synthetic row trains and they keep only their real rows; a row's
    `meta.split` stays its template's split). `"held_out"`: the training split's from the training templates' rows
    only, and the test split stays whole (held-out templates)."""
    pooled = templates_used(templates, real) == "all"
    if pooled:
        pool = [row for split in SPLITS for row in synthetic.get(split, [])]
        rng = random.Random(f"{seed}:train:all")
        drawn = pool if synthetic_per_real < 0 else rng.sample(
            pool, min(len(pool), round(synthetic_per_real * len(real["train"]))))
        taken = {id(row) for row in drawn}
        synthetic = {split: [row for row in synthetic.get(split, []) if id(row) not in taken] for split in SPLITS}
        synthetic["train"] = drawn
        if not synthetic["validation"] and not real.get("validation"):
            raise ValueError("every synthetic row went to training and no real row validates: lower "
                             "--synthetic_per_real, or use --synthetic_templates held_out, or give real logs of "
                             "two or more sources and --real_validation_fraction (one source always trains)")
    mixed: dict[str, list[dict[str, Any]]] = {}
    for split in SPLITS:
        real_rows, synthetic_rows = real.get(split, []), synthetic.get(split, [])
        if split == "train":
            real_rows = repeat_real_rows(real_rows, real_repeat)
        rng = random.Random(f"{seed}:{split}")
        if real_rows and synthetic_per_real >= 0 and not (pooled and split == "train"):
            count = min(len(synthetic_rows), round(synthetic_per_real * len(real.get(split, []))))
            synthetic_rows = rng.sample(synthetic_rows, count)
        rows = [*real_rows, *synthetic_rows]
        if real_rows:
            rng.shuffle(rows)
        mixed[split] = rows
    return mixed


def repeat_real_rows(rows: list[dict[str, Any]], times: int) -> list[dict[str, Any]]:
    """`rows` with each row that is not an assertion failure `times` times. Assertion failures are most of a test
    suite's real traces and are typed off the test framework's frames; the other failures are few (about 100 of the
    dev set's 550 training rows) and are what a masked log asks the model for."""
    if times < 1:
        raise ValueError(f"real_repeat must be at least 1, got {times}")
    if times == 1:
        return rows
    return [row for row in rows for _ in range(1 if row["label"] == ASSERTION_LABEL else times)]
