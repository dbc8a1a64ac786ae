"""predict.py --engine ray: the same analysis as the local path, scaled out on Ray Data.

    python predict.py --engine ray --input logs/ --output traces.jsonl --groups groups.jsonl
    python predict.py --engine ray --input s3://bucket/logs/ --output traces.jsonl    # any URI pyarrow.fs reads
    RAY_ADDRESS=ray://head:10001 python predict.py --engine ray --input /shared/logs/ --output out.jsonl

Stages (each a Ray Data operator; `materialize` between them because the next one needs the whole previous result):

1. read: one task per input file streams it with `DocumentStream.read` (the local path's decoding, skips, JSONL rows
   and candidate regions of a plain log, any size), yielding its documents in batches, then the file's meta row;
2. parse: the documents are spread over blocks, so the regions of one large file are parsed by several tasks:
   `parse_documents` (each region numbered on its own) with the local path's `FrameBlocks` redaction, and
   `group_key` per exception;
3. group: on the driver, the first trace of every group (a dict per group), and each file's numbering: the traces,
   deadlock cycles of its regions in earlier parse batches (a running total per batch and file);
4. analyse: an actor pool (`map_batches` over a callable class, `concurrency=` actors) that loads the stage-1,
   locator and stage-2 models once per actor and runs `Analyzer.analyze_items` on each group's first trace and on
   the traces without a group, as parsed (no second parse);
5. finish: every trace takes its file's numbering and its group's analysis and becomes a record (`to_record`); each
   block's records fill a `GroupTable` that the driver merges in input order (`GroupTable.merge`), so counts, first
   / last seen, sources and the representative are those of the local path, written with the same functions.

Ray is imported only here and only when this engine runs: the one-machine commands never need it.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import pickle
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO

from utils.atomic import check_output_paths, open_atomic, write_json_atomic, write_jsonl_atomic
from utils.code_throws import load_code_throws
from utils.labels import load_label_set
from utils.parsing.log_sources import (
    SAME_FILE,
    DocumentStream,
    InputError,
    LogDocument,
    NothingAnalyzed,
    SkipReport,
    expand_paths,
    named_again,
)
from utils.pipeline.analyze import (
    GROUP_SHARED_FIELDS,
    AnalyzedTrace,
    Analyzer,
    AnalyzerOptions,
    StreamState,
    parse_documents,
    stage1_dirs,
)
from utils.pipeline.grouping import GroupKey, GroupTable, group_key, load_fingerprint_rules
from utils.pipeline.outputs import output_paths, replacing, replacing_records, run_report_path
from utils.pipeline.record import to_record
from utils.pipeline.repeat_cache import FrameBlocks
from utils.redact import RedactOptions, Redactor
from utils.report import ReportMeta, choose_language, redact_groups, report_format, write_report
from utils.report.summary import format_summary
from utils.stage1.wording import check_statements

META = 2**62  # the `doc` of a file's own row (skips, warnings, counts): known once the file is read, so it comes last
_GLOB_CHARS = set("*?[")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")  # s3://, gs://, hdfs://, file://: read through pyarrow.fs

Place = tuple[int, int, int]  # (file, document, trace within the document) in input order
Numbering = tuple[int, int]  # (traces, deadlock cycles): a file's running totals


@dataclass(frozen=True)
class EngineConfig:
    """What the workers need to know; small and picklable (it travels with every task)."""

    analyzer: AnalyzerOptions = field(default_factory=AnalyzerOptions)
    text_field: str = "log"
    id_field: str = "id"
    strict: bool = False
    redact: bool = True
    redact_ip_addresses: bool = False
    fingerprint_rules: str | None = None
    app_packages: tuple[str, ...] = ()
    workers: int | None = None  # analyse actors; None: one per CPU of the cluster
    parse_blocks: int | None = None  # blocks the documents are spread over; None: 4 per CPU, at least one per file
    analyse_batch: int = 256  # documents per actor call: the Analyzer batches their traces by its own budget
    read_batch_chars: int = 2**20  # document text a read task hands on at a time (its memory, not the file's size)


@dataclass
class FileMeta:
    """What reading one file found besides its documents."""

    skipped: list[dict[str, str]]
    warnings: list[dict[str, str]]
    documents: int  # as the local path counts them: a plain log is one, each JSONL row one
    error: str | None = None  # an InputError: fatal, as in the local path


@dataclass
class ParsedDocument:
    """One document after the parse stage: its traces (which hold the redacted document) and what numbering them
    in their file needs. A region's traces are numbered from 0 in it; `batch` (the parse batch's first document)
    and `before` (the file's totals in that batch before this document) place it in the whole file."""

    items: list[AnalyzedTrace]
    keys: list[GroupKey | None]
    redacted: Counter
    numbered: bool  # a region or the head of a streamed plain log: numbered across the file's documents
    head: bool  # the plain log's head: a record only when no region of the file held a trace
    batch: tuple[int, int]
    before: Numbering
    own: Numbering


@dataclass
class Plan:
    """What the group stage decided, for the analyse and finish stages: each group's first trace, each (parse batch,
    file)'s numbering before it, and the files whose regions held a trace (their heads give no record)."""

    leaders: dict[str, Place]
    offsets: dict[tuple[tuple[int, int], int], Numbering]
    traced_files: set[int]

    def drops(self, file: int, parsed: ParsedDocument) -> bool:
        return parsed.head and file in self.traced_files

    def renumber(self, file: int, parsed: ParsedDocument) -> None:
        """The document's traces numbered and placed in the whole file, as one pass over it numbers them."""
        if not parsed.numbered:
            return
        base = self.offsets.get((parsed.batch, file), (0, 0))
        traces, cycles = (a + b for a, b in zip(base, parsed.before))
        for item in parsed.items:
            item.index += traces
            if item.deadlock is not None:  # one member object per thread: each is shifted once
                item.deadlock.cycle += cycles


@dataclass
class RunResult:
    """What the driver gathers: the merged groups, per-file reports and the records (when kept)."""

    table: GroupTable
    skips: SkipReport
    redacted: Counter
    documents: int
    traces: int
    models: dict[str, Any]
    models_short: str
    items: list[AnalyzedTrace]
    timings: dict[str, float]
    split: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------- worker side
_WORKER_CACHE: dict[str, Any] = {}


def _rules(config: EngineConfig) -> list[Any]:
    """Fingerprint rules, read once per worker process (a task may run thousands of documents)."""
    key = f"rules:{config.fingerprint_rules}"
    if key not in _WORKER_CACHE:
        _WORKER_CACHE[key] = load_fingerprint_rules(config.fingerprint_rules) if config.fingerprint_rules else []
    return _WORKER_CACHE[key]


def _label_set() -> Any:
    if "labels" not in _WORKER_CACHE:
        _WORKER_CACHE["labels"] = load_label_set()
    return _WORKER_CACHE["labels"]


def _redactor(config: EngineConfig) -> Redactor | None:
    # A fresh one per call: its counts are this call's, summed by the driver (the patterns are cached per process).
    return Redactor(RedactOptions(ip_addresses=config.redact_ip_addresses)) if config.redact else None


def _rows(batch: dict[str, Any]) -> list[dict[str, Any]]:
    names = list(batch)
    return [dict(zip(names, values)) for values in zip(*(batch[name] for name in names))]


def _columns(rows: list[dict[str, Any]], names: tuple[str, ...]) -> dict[str, list[Any]]:
    return {name: [row[name] for row in rows] for name in names}


def open_input(path: str) -> BinaryIO:
    """A file's bytes as a stream: a URI through pyarrow's file systems (S3, GCS, HDFS, file://), else open()."""
    if _URI.match(path):
        from pyarrow import fs

        filesystem, inner = fs.FileSystem.from_uri(path)
        return filesystem.open_input_stream(inner)  # type: ignore[return-value]
    return open(path, "rb")


def read_file(batch: dict[str, Any], config: EngineConfig) -> Iterator[dict[str, list[Any]]]:
    """The documents of each input file (one per call: batch_size=1), `read_batch_chars` of text at a time, then
    the file's meta row. An unreadable file is a counted skip; a strict-mode problem is carried to the driver."""
    for row in _rows(batch):
        index, path = int(row["file"]), str(row["path"])
        skips = SkipReport()
        stream = DocumentStream([], config.text_field, config.id_field, strict=config.strict, skips=skips)
        error, rows, size, number = None, [], 0, 0
        try:
            with open_input(path) as handle:
                for document in stream.read(handle, path):
                    rows.append({"file": index, "doc": number, "blob": pickle.dumps(document)})
                    number, size = number + 1, size + len(document.text)
                    if size >= config.read_batch_chars:
                        yield _columns(rows, ("file", "doc", "blob"))
                        rows, size = [], 0
        except InputError as problem:
            error = str(problem)
        except OSError as problem:  # gone or unreadable since the driver listed it: one file must not stop the run
            read = f" after {number} document(s), which are analysed" if number else ""
            skips.add(path, f"unreadable file ({problem.strerror or problem}){read}")
        meta = FileMeta(skips.skipped, skips.warnings, stream.stats.documents, error)
        rows.append({"file": index, "doc": META, "blob": pickle.dumps(meta)})
        yield _columns(rows, ("file", "doc", "blob"))


def parse_batch(batch: dict[str, Any], config: EngineConfig) -> dict[str, list[Any]]:
    """Each document's traces (`parse_documents`, redacted as the local path redacts them) and group keys; a
    region is numbered on its own, with its place in this batch's share of its file (`ParsedDocument`)."""
    rows = _rows(batch)
    redactor = _redactor(config)
    blocks = FrameBlocks(redactor)  # runs of frames parsed and redacted once per batch, as the local path does
    first = next(((int(row["file"]), int(row["doc"])) for row in rows), (0, 0))
    running: dict[int, Numbering] = {}
    for row in rows:
        if row["doc"] == META:
            continue
        document: LogDocument = pickle.loads(row["blob"])
        before = Counter(redactor.counts) if redactor is not None else Counter()
        state = StreamState(frame_blocks=blocks)  # fresh: this document's traces numbered from 0
        items = parse_documents([document], _label_set(), state)
        keys = [group_key(item.trace, _rules(config)) if item.trace.has_exception else None for item in items]
        numbered = document.region or document.no_trace_head
        file = int(row["file"])
        so_far = running.get(file, (0, 0))
        own = (state.traces, state.cycles)
        if numbered and not document.no_trace_head:  # a head's traces never count for the file (it comes last)
            running[file] = (so_far[0] + own[0], so_far[1] + own[1])
        redacted = Counter(redactor.counts) - before if redactor is not None else Counter()
        row["blob"] = pickle.dumps(ParsedDocument(items, keys, redacted, numbered, document.no_trace_head, first,
                                                  so_far, own if not document.no_trace_head else (0, 0)))
    return _columns(rows, ("file", "doc", "blob"))


def summarise_batch(batch: dict[str, Any]) -> dict[str, list[Any]]:
    """One row per batch: the first place of each group in it (heads apart: whether they count is known only once
    every region is), and each (parse batch, file)'s numbering totals (the largest running total seen)."""
    firsts: dict[str, Place] = {}
    head_firsts: dict[str, Place] = {}
    totals: dict[tuple[tuple[int, int], int], Numbering] = {}
    for row in _rows(batch):
        if row["doc"] == META:
            continue
        parsed: ParsedDocument = pickle.loads(row["blob"])
        file = int(row["file"])
        for index, key in enumerate(parsed.keys):
            if key is not None and key.id is not None:
                (head_firsts if parsed.head else firsts).setdefault(key.id, (file, int(row["doc"]), index))
        if parsed.numbered:
            after = tuple(a + b for a, b in zip(parsed.before, parsed.own))
            known = totals.get((parsed.batch, file), (0, 0))
            totals[(parsed.batch, file)] = tuple(max(a, b) for a, b in zip(known, after))  # type: ignore[assignment]
    return {"summary": [pickle.dumps((firsts, head_firsts, totals))]}


def _needs_analysis(place: Place, key: GroupKey | None, leaders: dict[str, Place]) -> bool:
    """A group's first trace anywhere in the input, or a trace analysed on its own (no exception, or ignored by a
    rule), exactly the traces the local path's Analyzer.analyze runs the models on."""
    return key is None or key.id is None or leaders[key.id] == place


class AnalyseActor:
    """One per actor of the pool: the models load once, then every batch of documents runs through them."""

    def __init__(self, config: EngineConfig, plan: list[Any]) -> None:
        import ray

        # `plan` is [ObjectRef of Plan]: nested, so Ray passes the reference (the driver keeps it alive for
        # restarted actors) instead of copying a dict of every group into each constructor call.
        self.config, self.plan = config, ray.get(plan[0])
        self.analyzer = Analyzer(config.analyzer)
        if config.app_packages:  # as predict.py does: the ranker carries the packages to every trace it ranks
            from utils.locate import with_app_packages

            self.analyzer.ranker = with_app_packages(self.analyzer.ranker, list(config.app_packages))
        self.models = json.dumps({"describe": self.analyzer.describe(), "short": self.analyzer.describe_short()})

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        """The traces the local path would run the models on, analysed together (`analyze_items`, no grouping:
        each is its group's only analysed trace), then each leader's analysis keyed by its group."""
        rows = _rows(batch)
        wanted: list[tuple[dict[str, Any], ParsedDocument, list[int]]] = []
        for row in rows:
            row["analysis"], row["models"] = pickle.dumps({}), self.models
            if row["doc"] == META:
                continue
            parsed: ParsedDocument = pickle.loads(row["blob"])
            place = (int(row["file"]), int(row["doc"]))
            if self.plan.drops(place[0], parsed):
                continue
            indices = [index for index, key in enumerate(parsed.keys)
                       if _needs_analysis((*place, index), key, self.plan.leaders)]
            if indices:
                wanted.append((row, parsed, indices))
        self.analyzer.analyze_items([parsed.items[index] for _, parsed, indices in wanted for index in indices])
        for row, parsed, indices in wanted:
            row["blob"] = pickle.dumps(parsed)
            row["analysis"] = pickle.dumps({parsed.keys[index].id: {name: getattr(parsed.items[index], name)
                                                                    for name in GROUP_SHARED_FIELDS}
                                            for index in indices if parsed.keys[index] and parsed.keys[index].id})
        return _columns(rows, ("file", "doc", "blob", "analysis", "models"))


def finish_batch(batch: dict[str, Any], config: EngineConfig, analyses: dict[str, dict[str, Any]], plan: Plan,
                 keep_items: bool) -> dict[str, list[Any]]:
    """Records of every trace (numbered in its file; repeats take their group's analysis, as in Analyzer.analyze)
    and this block's GroupTable, filled in input order; records redacted here, the table's records by the driver
    (redact_groups)."""
    out = []
    for row in _rows(batch):
        if row["doc"] == META:
            out.append({"file": row["file"], "doc": META, "records": row["blob"], "table": b"", "items": b""})
            continue
        parsed: ParsedDocument = pickle.loads(row["blob"])
        place = (int(row["file"]), int(row["doc"]))
        items = [] if plan.drops(place[0], parsed) else parsed.items
        plan.renumber(place[0], parsed)
        for index, (item, key) in enumerate(zip(items, parsed.keys)):
            if key is not None and key.id is not None and plan.leaders[key.id] != (*place, index):
                for name, value in analyses[key.id].items():
                    setattr(item, name, value)
        records, table = [to_record(item) for item in items], GroupTable()
        for item, record, key in zip(items, records, parsed.keys):
            if item.trace.has_exception and key is not None:
                record["group"] = key.id
                table.add(key, record, item.trace.text)
        redactor = _redactor(config)
        if redactor is not None:
            records = redactor.redact_value(records)
        # a dropped head was never redacted by the local path (it reads no further than the file's first trace)
        found = Counter() if plan.drops(place[0], parsed) else parsed.redacted
        payload = (records, found + Counter(redactor.counts if redactor else {}))
        out.append({"file": row["file"], "doc": row["doc"], "records": pickle.dumps(payload),
                    "table": pickle.dumps(table), "items": pickle.dumps(items) if keep_items else b""})
    return _columns(out, ("file", "doc", "records", "table", "items"))


# ---------------------------------------------------------------------------------------------------- driver side
def expand_inputs(inputs: list[str], skips: SkipReport | None = None) -> list[str]:
    """Files in the order given: a directory's files as the local path walks them (`expand_paths`: recursively,
    sorted, hidden entries and links to directories counted in `skips`, not read), a glob's matches (sorted), a
    file as it is; a URI (`s3://bucket/logs/`) is listed the same way through pyarrow.fs. Missing paths fail in one
    line, as in the local path; stdin cannot be spread over a cluster."""
    files: list[str] = []
    for path in inputs:
        if path == "-":
            raise InputError("-: stdin cannot be read by --engine ray; give files, directories or globs")
        if _URI.match(path):
            files += _expand_uri(path)
        elif os.path.isdir(path):
            files += expand_paths([path], skips)
        elif os.path.exists(path):
            files.append(path)
        elif _GLOB_CHARS & set(path) and glob.glob(path, recursive=True):
            files += sorted(match for match in glob.glob(path, recursive=True) if os.path.isfile(match))
        else:
            raise InputError(f"{path}: no such file")
    return files


def _expand_uri(uri: str) -> list[str]:
    """A URI's file, or a directory's (prefix's) files recursively, sorted, as URIs of the same scheme."""
    from pyarrow import fs

    try:
        filesystem, inner = fs.FileSystem.from_uri(uri)
        info = filesystem.get_file_info(inner)
        if info.type == fs.FileType.File:
            return [uri]
        if info.type != fs.FileType.Directory:
            raise InputError(f"{uri}: no such file")
        found = filesystem.get_file_info(fs.FileSelector(inner, recursive=True))
    except (OSError, ValueError) as problem:  # an unknown scheme, no credentials, no such bucket
        raise InputError(f"{uri}: {problem}") from None
    scheme = uri[: uri.index("://") + 3]
    names = sorted(entry.path for entry in found if entry.type == fs.FileType.File)
    if not names:
        raise InputError(f"{uri}: a directory with no files")
    return [scheme + name for name in names]


def init_ray(address: str | None = None, num_cpus: int | None = None) -> None:
    """Connect to `address` (else RAY_ADDRESS) or start Ray on this machine with its cores, quietly; a running
    session (a test's, a notebook's) is reused."""
    import ray

    if not ray.is_initialized():
        quiet: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
        address = address or os.environ.get("RAY_ADDRESS")
        if address:
            ray.init(address=address, **quiet)
        else:
            ray.init(num_cpus=num_cpus or len(os.sched_getaffinity(0)), include_dashboard=False, **quiet)
    import ray.data

    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # records and groups come out in input order
    context.enable_progress_bars = False
    # Ray Data logs every execution at INFO and warns that actors hold the CPUs (they do, by design, until the
    # analyse stage ends); the run's own lines and errors are what a user of predict.py reads.
    logging.getLogger("ray.data").setLevel(logging.ERROR)


def _cluster_cpus() -> int:
    import ray

    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _plan(parsed: Any) -> tuple[Plan, dict[str, int]]:
    """What the group stage decides (`Plan`) from one summary per batch: each group's first trace in the whole
    input (the minimum over the batches' firsts), and each file's numbering before each of its parse batches (the
    running total over the batches in input order). Also how the files were spread over parse batches."""
    leaders: dict[str, Place] = {}
    head_firsts: dict[str, Place] = {}
    totals: dict[tuple[tuple[int, int], int], Numbering] = {}
    for row in parsed.map_batches(summarise_batch, batch_size=None).iter_rows():
        firsts, heads, batch_totals = pickle.loads(row["summary"])
        for found, into in ((firsts, leaders), (heads, head_firsts)):
            for group, place in found.items():
                if group not in into or place < into[group]:
                    into[group] = place
        for key, numbers in batch_totals.items():
            known = totals.get(key, (0, 0))
            totals[key] = tuple(max(a, b) for a, b in zip(known, numbers))  # type: ignore[assignment]
    offsets: dict[tuple[tuple[int, int], int], Numbering] = {}
    running: dict[int, Numbering] = {}
    for batch, file in sorted(totals):  # batches are disjoint runs of the input: their first places order them
        so_far = running.get(file, (0, 0))
        offsets[(batch, file)] = so_far
        running[file] = tuple(a + b for a, b in zip(so_far, totals[(batch, file)]))  # type: ignore[assignment]
    traced = {file for file, numbers in running.items() if numbers[0]}
    for group, place in head_firsts.items():  # a head's traces are the file's only ones, or none at all
        if place[0] not in traced and (group not in leaders or place < leaders[group]):
            leaders[group] = place
    per_file = Counter(file for _, file in totals)
    split = {"parse_batches_with_regions": len({batch for batch, _ in totals}),
             "most_parse_batches_for_one_file": max(per_file.values(), default=0)}
    return Plan(leaders, offsets, traced), split


def run_engine(files: list[str], config: EngineConfig, keep_items: bool = False,
               analyse_actor: type = AnalyseActor) -> Iterator[tuple[list[dict[str, Any]], Any]]:
    """Run the stages on Ray (already initialised) and yield (records, payload) per document in input order; the
    last thing yielded is ([], RunResult). `analyse_actor` lets a test put a failing actor in the pool."""
    import ray
    import ray.data

    timings: dict[str, float] = {}
    started = time.perf_counter()
    cpus = _cluster_cpus()
    files_ds = ray.data.from_items([{"file": index, "path": path} for index, path in enumerate(files)],
                                   override_num_blocks=max(1, len(files)))
    documents = files_ds.map_batches(read_file, fn_kwargs={"config": config}, batch_size=1)
    blocks = config.parse_blocks or max(len(files), 4 * cpus)
    parsed = documents.repartition(blocks).map_batches(parse_batch, fn_kwargs={"config": config},
                                                       batch_size=None).materialize()
    timings["read_parse_s"] = time.perf_counter() - started
    plan, split = _plan(parsed)
    timings["group_s"] = time.perf_counter() - started - sum(timings.values())
    workers = config.workers or cpus
    per_actor = max(1, cpus // workers)
    # Each actor's torch threads fill its own CPUs, not the machine's: two actors of two threads on two cores
    # would spin against each other.
    actor_config = replace(config, analyzer=replace(config.analyzer, threads=config.analyzer.threads or per_actor))
    analysed = parsed.map_batches(
        analyse_actor, fn_constructor_kwargs={"config": actor_config, "plan": [ray.put(plan)]},
        batch_size=config.analyse_batch, compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=per_actor,
    ).materialize()
    analyses: dict[str, dict[str, Any]] = {}
    models: dict[str, Any] = {}
    for row in analysed.select_columns(["analysis", "models"]).iter_rows():
        analyses.update(pickle.loads(row["analysis"]))
        models = models or json.loads(row["models"])
    timings["analyse_s"] = time.perf_counter() - started - sum(timings.values())
    finished = analysed.map_batches(finish_batch, fn_kwargs={"config": config, "analyses": analyses,
                                                             "plan": plan, "keep_items": keep_items},
                                    batch_size=None)
    yield from _drain(finished, models, started, timings, split)


def _drain(finished: Any, models: dict[str, Any], started: float, timings: dict[str, float],
           split: dict[str, int]) -> Iterator[tuple[list[dict[str, Any]], Any]]:
    result = RunResult(GroupTable(), SkipReport(), Counter(), 0, 0, models.get("describe", {}), models.get("short", ""),
                       [], timings, split)
    previous = (-1, -2)
    for row in finished.iter_rows():
        place = (int(row["file"]), int(row["doc"]))
        if place <= previous:  # identity with the local path rests on this order
            raise RuntimeError(f"Ray returned document {place} after {previous}")
        previous = place
        if place[1] == META:
            meta: FileMeta = pickle.loads(row["records"])
            if meta.error:
                raise InputError(meta.error)
            result.skips.skipped += meta.skipped
            result.skips.warnings += meta.warnings
            result.documents += meta.documents
            continue
        records, redacted = pickle.loads(row["records"])
        result.redacted.update(redacted)
        result.traces += len(records)
        result.table.merge(pickle.loads(row["table"]))
        if row["items"]:
            result.items += pickle.loads(row["items"])
        yield records, None
    timings["finish_write_s"] = time.perf_counter() - started - sum(timings.values())
    yield [], result


def write_groups(path: str, groups: list[dict[str, Any]]) -> None:
    """JSONL as the local path writes it; `.parquet`: one row per group, the nested parts as JSON text (their keys
    differ between signature and rule groups, which a Parquet schema cannot hold as structs)."""
    if not path.endswith(".parquet"):
        write_jsonl_atomic(path, groups)
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    flat = [{name: value if name in ("group", "count", "first_seen", "last_seen", "reason")
             else json.dumps(value, ensure_ascii=False, default=str) for name, value in group.items()}
            for group in groups]
    with open_atomic(path, "wb") as out:
        pq.write_table(pa.Table.from_pylist(flat), out)


@dataclass
class _Describe:
    """What format_summary asks of an Analyzer, from the actors (the driver loads no model)."""

    short: str

    def describe_short(self) -> str:
        return self.short


def config_from_args(args: Any) -> EngineConfig:
    """predict.py's PredictArguments as the engine's configuration (the analyzer options are predict.py's)."""
    return EngineConfig(
        analyzer=AnalyzerOptions.from_arguments(args),
        text_field=args.text_field, id_field=args.id_field, strict=args.strict, redact=args.redact,
        redact_ip_addresses=args.redact_ip_addresses, fingerprint_rules=args.fingerprint_rules,
        app_packages=tuple(args.app_packages or ()))


def run_predict(args: Any, log: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
                analyse_actor: type = AnalyseActor, workers: int | None = None,
                tuning: dict[str, Any] | None = None) -> int:
    """predict.py --engine ray: the local path's files (records, <output>.report.json, groups, report) from Ray.
    `workers` (analyse actors; default one per cluster CPU) is for benches, `analyse_actor` for fault tests,
    `tuning` (EngineConfig fields: parse_blocks, read_batch_chars, ...) for tests that split small inputs."""
    started = time.perf_counter()
    try:
        walked = SkipReport()  # a directory's hidden files and links, counted with the run's skips
        listed = expand_inputs(args.input, walked)
        # checked against the files a directory or glob named: an output among them would be read back next run
        replaced = check_output_paths(output_paths(args), listed)
        again = named_again(listed)  # read once, the others counted as skips (as on the local path)
        files = [path for index, path in enumerate(listed) if index not in again]
        if args.fingerprint_rules:  # a bad rules file fails here in one line, not in every worker
            load_fingerprint_rules(args.fingerprint_rules)
        if args.report:
            report_format(args.report)
        config = replace(config_from_args(args), workers=workers, **(tuning or {}))
        if stage1_dirs(config.analyzer) and not args.no_wording:  # a bad statements file fails here, in one line
            check_statements(args.wording_statements)
        if args.code_throws:  # so does a bad --code_throws file, before any actor loads it
            load_code_throws(args.code_throws)
        init_ray(getattr(args, "ray_address", None))
        stream = run_engine(files, config, keep_items=args.output is None, analyse_actor=analyse_actor)
        result: RunResult | None = None

        def records() -> Iterator[dict[str, Any]]:
            nonlocal result
            for batch, payload in stream:
                yield from batch
                result = payload or result
            if result is None:
                return
            result.skips.skipped[:0] = walked.skipped  # before what reading found, as the local path lists them
            for index, earlier in again.items():
                result.skips.add(listed[index], SAME_FILE.format(earlier))
            if not result.documents:  # raised inside the atomic write: it keeps the old file
                raise NothingAnalyzed(result.skips)

        if args.output:
            write_jsonl_atomic(args.output, records())
        else:
            for _ in records():
                pass
    except NothingAnalyzed as nothing:
        log(nothing.lines())
        return 2
    except (InputError, ValueError, OSError) as error:
        log(f"error: {error}")
        return 2
    assert result is not None
    return _write_outputs(args, result, files, time.perf_counter() - started, log, replaced)


def _write_outputs(args: Any, result: RunResult, files: list[str], elapsed: float,
                   log: Callable[[str], None], replaced: Sequence[str] = ()) -> int:
    """Groups, report, report.json and the summary, as predict.py's local path writes them."""
    redactor = Redactor(RedactOptions(ip_addresses=args.redact_ip_addresses)) if args.redact else None
    table = result.table
    groups = redact_groups(table.records(), redactor) if args.groups or args.report else []
    if args.groups:
        write_groups(args.groups, groups)
        log(f"wrote {len(groups)} group(s) of {sum(group['count'] for group in groups)} trace(s) to {args.groups}"
            + (f" ({table.ignored} ignored by fingerprint rules)" if table.ignored else "")
            + replacing(args.groups, replaced))
    if args.report:
        language = choose_language(groups, args.report_language, args.explanation_language)
        write_report(groups, args.report, language, ReportMeta(analyzed=result.traces, ignored=table.ignored))
        log(f"wrote a report of {len(groups)} group(s) to {args.report} ({language})"
            + replacing(args.report, replaced))
    if redactor is not None:
        result.redacted.update(redactor.counts)
    if args.output:
        report = {"inputs": args.input, "traces": result.traces, "documents": result.documents,
                  "skipped": result.skips.skipped, "warnings": result.skips.warnings, "models": result.models,
                  "seconds": round(elapsed, 3), "redacted": dict(result.redacted) if args.redact else "off",
                  "engine": "ray", "files": len(files), "split": result.split,
                  "stage_seconds": {name: round(value, 3) for name, value in result.timings.items()}}
        write_json_atomic(run_report_path(args.output), report)
        log(f"wrote {result.traces} trace(s) from {result.documents} document(s) to {args.output} in {elapsed:.1f}s "
            f"on Ray ({result.models_short})" + replacing_records(args.output, replaced))
    else:
        summary = format_summary(result.items, _Describe(result.models_short))  # type: ignore[arg-type]
        print(redactor.redact(summary) if redactor is not None else summary)
    if result.skips.skipped or result.skips.warnings:
        log(result.skips.summary())
    return 0
