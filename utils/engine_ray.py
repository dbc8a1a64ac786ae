"""predict.py --engine ray: the same analysis as the local path, scaled out on Ray Data.

    python predict.py --engine ray --input logs/ --output traces.jsonl --groups groups.jsonl
    RAY_ADDRESS=ray://head:10001 python predict.py --engine ray --input /shared/logs/ --output out.jsonl

Stages (each a Ray Data operator; `materialize` between them because the next one needs the whole previous result):

1. read: one task per input file (`read_documents`, so skips, warnings and strict mode are the local path's), then
   the documents are redacted and spread over blocks;
2. parse: `parse_documents` and `group_key` per document, in tasks across the cluster;
3. group: the first occurrence of every group, merged globally on the driver (a dict per group, not per trace);
4. analyse: an actor pool (`map_batches` over a callable class, `concurrency=` actors) that loads the stage-1,
   locator and stage-2 models once per actor and runs `Analyzer.analyze` on the documents that hold a group's
   first trace or a trace without a group;
5. finish: every trace takes its group's analysis and becomes a record (`to_record`); each block's records fill a
   `GroupTable` that the driver merges in input order, so counts, first / last seen, sources and the
   representative are those of the local path, and the files are written with the same functions.

Ray is imported only here and only when this engine runs: the one-machine commands never need it.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import pickle
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from utils.analyze import (
    _GROUP_SHARED_FIELDS,
    AnalyzedTrace,
    Analyzer,
    AnalyzerOptions,
    format_summary,
    parse_documents,
    to_record,
)
from utils.atomic import open_atomic, write_json_atomic, write_jsonl_atomic
from utils.grouping import GroupKey, GroupTable, group_key, load_fingerprint_rules
from utils.labels import load_label_set
from utils.log_sources import InputError, LogDocument, SkipReport, read_documents
from utils.redact import RedactOptions, Redactor
from utils.report import ReportMeta, choose_language, redact_groups, report_format, write_report
from utils.stacktrace import Trace

META = -1  # the `doc` of a file's own row (skips, warnings, redaction counts), which precedes its documents
_NOT_WANTED = "\0engine-ray: analysed elsewhere"  # a group id no fingerprint can produce (sha1 hex or a rule's)
_GLOB_CHARS = set("*?[")


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


@dataclass
class FileMeta:
    """What reading one file found besides its documents."""

    skipped: list[dict[str, str]]
    warnings: list[dict[str, str]]
    redacted: Counter
    documents: int
    error: str | None = None  # an InputError: fatal, as in the local path


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


def read_file(row: dict[str, Any], config: EngineConfig) -> list[dict[str, Any]]:
    """One input file: its meta row, then one row per (redacted) document. An unreadable file is a counted skip."""
    path, skips, error = str(row["path"]), SkipReport(), None
    documents: list[LogDocument] = []
    try:
        documents, _ = read_documents([path], config.text_field, config.id_field, strict=config.strict, skips=skips)
    except InputError as problem:
        error = str(problem)
    except OSError as problem:  # gone or unreadable since the driver listed it: one file must not stop the run
        skips.add(path, f"unreadable file ({problem.strerror or problem})")
    redactor = _redactor(config)
    if redactor is not None:  # before parsing, as the local path does: the models see what they were trained on
        documents = [replace(document, text=redactor.redact(document.text)) for document in documents]
    meta = FileMeta(skips.skipped, skips.warnings, Counter(redactor.counts if redactor else {}), len(documents), error)
    index = int(row["file"])
    return [{"file": index, "doc": META, "blob": pickle.dumps(meta)}] + [
        {"file": index, "doc": number, "blob": pickle.dumps(document)} for number, document in enumerate(documents)]


def parse_batch(batch: dict[str, Any], config: EngineConfig) -> dict[str, list[Any]]:
    """Each document's traces (`parse_documents`) and each exception's group key (`group_key`)."""
    rows = _rows(batch)
    for row in rows:
        if row["doc"] == META:
            continue
        document = pickle.loads(row["blob"])
        items = parse_documents([document], _label_set())
        keys = [group_key(item.trace, _rules(config)) if item.trace.has_exception else None for item in items]
        row["blob"] = pickle.dumps((document, items, keys))  # the items share the document: pickled once
    return _columns(rows, ("file", "doc", "blob"))


def first_occurrences(batch: dict[str, Any]) -> dict[str, list[Any]]:
    """{group id: (file, doc, trace)} of the first trace of each group in this batch: one row per batch."""
    firsts: dict[str, tuple[int, int, int]] = {}
    for row in _rows(batch):
        if row["doc"] == META:
            continue
        _, _, keys = pickle.loads(row["blob"])
        for index, key in enumerate(keys):
            if key is not None and key.id is not None:
                firsts.setdefault(key.id, (int(row["file"]), int(row["doc"]), index))
    return {"firsts": [pickle.dumps(firsts)]}


Place = tuple[int, int, int]  # (file, document, trace) in input order


def _needs_analysis(place: Place, key: GroupKey | None, leaders: dict[str, Place]) -> bool:
    """A group's first trace anywhere in the input, or a trace analysed on its own (no exception, or ignored by a
    rule), exactly the traces the local path's Analyzer.analyze runs the models on."""
    return key is None or key.id is None or leaders[key.id] == place


class AnalyseActor:
    """One per actor of the pool: the models load once, then every batch of documents runs through them."""

    def __init__(self, config: EngineConfig, leaders: list[Any]) -> None:
        import ray

        # `leaders` is [ObjectRef of {group: first place}]: nested, so Ray passes the reference (the driver keeps the
        # dict alive for restarted actors) instead of copying a dict of every group into each constructor call.
        self.config, self.leaders = config, ray.get(leaders[0])
        self.analyzer = Analyzer(config.analyzer)
        if config.app_packages:  # as predict.py does: the ranker carries the packages to every trace it ranks
            from utils.locate import with_app_packages

            self.analyzer.ranker = with_app_packages(self.analyzer.ranker, list(config.app_packages))
        self.models = json.dumps({"describe": self.analyzer.describe(), "short": self.analyzer.describe_short()})

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        rows = _rows(batch)
        todo: list[tuple[dict[str, Any], LogDocument, list[AnalyzedTrace], list[GroupKey | None], set[int]]] = []
        for row in rows:
            row["analysis"], row["models"] = pickle.dumps({}), self.models
            if row["doc"] == META:
                continue
            document, items, keys = pickle.loads(row["blob"])
            place = (int(row["file"]), int(row["doc"]))
            wanted = {index for index, key in enumerate(keys) if _needs_analysis((*place, index), key, self.leaders)}
            if wanted:
                todo.append((row, document, items, keys, wanted))
        if todo:
            self._analyse(todo)
        return _columns(rows, ("file", "doc", "blob", "analysis", "models"))

    def _analyse(self, todo: list[tuple[dict[str, Any], LogDocument, list[AnalyzedTrace],
                                        list[GroupKey | None], set[int]]]) -> None:
        """`Analyzer.analyze` on the documents of `todo`, in input order. Its group_of sends the traces whose group
        is analysed in another document to one shared group, so they cost at most one extra analysis per batch."""
        wanted_groups = {keys[index].id for _, _, _, keys, wanted in todo for index in wanted if keys[index]}
        rules = _rules(self.config)

        def group_of(trace: Trace) -> str | None:
            key = group_key(trace, rules)
            if key.id is None:
                return None
            return key.id if key.id in wanted_groups else _NOT_WANTED

        results = self.analyzer.analyze([document for _, document, _, _, _ in todo], group_of=group_of)
        by_document: dict[int, list[AnalyzedTrace]] = {}
        for item in results:
            by_document.setdefault(id(item.document), []).append(item)
        for row, document, items, keys, wanted in todo:
            analysed = by_document[id(document)]
            if len(analysed) != len(items):  # the same text parses the same way; anything else is a bug here
                raise RuntimeError(f"{document.source}: {len(analysed)} traces on re-parsing, {len(items)} before")
            for index in wanted:
                items[index] = analysed[index]
            row["blob"] = pickle.dumps((document, items, keys))
            row["analysis"] = pickle.dumps({keys[index].id: {name: getattr(items[index], name)
                                                             for name in _GROUP_SHARED_FIELDS}
                                            for index in wanted if keys[index] and keys[index].id})


def finish_batch(batch: dict[str, Any], config: EngineConfig, analyses: dict[str, dict[str, Any]],
                 leaders: dict[str, tuple[int, int, int]], keep_items: bool) -> dict[str, list[Any]]:
    """Records of every trace (repeats take their group's analysis, as in Analyzer.analyze) and this block's
    GroupTable, filled in input order; records redacted here, the table's records by the driver (redact_groups)."""
    out = []
    for row in _rows(batch):
        if row["doc"] == META:
            out.append({"file": row["file"], "doc": META, "records": row["blob"], "table": b"", "items": b""})
            continue
        document, items, keys = pickle.loads(row["blob"])
        place = (int(row["file"]), int(row["doc"]))
        for index, (item, key) in enumerate(zip(items, keys)):
            if key is not None and key.id is not None and leaders[key.id] != (*place, index):
                for name, value in analyses[key.id].items():
                    setattr(item, name, value)
        records, table = [to_record(item) for item in items], GroupTable()
        for item, record, key in zip(items, records, keys):
            if item.trace.has_exception:
                record["group"] = key.id
                table.add(key, record, item.trace.text)
        redactor = _redactor(config)
        if redactor is not None:
            records = redactor.redact_value(records)
        payload = (records, Counter(redactor.counts if redactor else {}))
        out.append({"file": row["file"], "doc": row["doc"], "records": pickle.dumps(payload),
                    "table": pickle.dumps(table), "items": pickle.dumps(items) if keep_items else b""})
    return _columns(out, ("file", "doc", "records", "table", "items"))


# ---------------------------------------------------------------------------------------------------- driver side
def expand_inputs(inputs: list[str]) -> list[str]:
    """Files in the order given: a directory's files (recursively, sorted), a glob's matches (sorted), a file as
    it is. Missing paths fail in one line, as in the local path; stdin cannot be spread over a cluster."""
    files: list[str] = []
    for path in inputs:
        if path == "-":
            raise InputError("-: stdin cannot be read by --engine ray; give files, directories or globs")
        if os.path.isdir(path):
            found = sorted(str(Path(root) / name) for root, _, names in os.walk(path) for name in names)
            if not found:
                raise InputError(f"{path}: a directory with no files")
            files += found
        elif os.path.exists(path):
            files.append(path)
        elif _GLOB_CHARS & set(path) and glob.glob(path, recursive=True):
            files += sorted(match for match in glob.glob(path, recursive=True) if os.path.isfile(match))
        else:
            raise InputError(f"{path}: no such file")
    return files


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


def _leaders(parsed: Any) -> dict[str, tuple[int, int, int]]:
    """Each group's first trace in the whole input: the minimum over the batches' own firsts."""
    leaders: dict[str, tuple[int, int, int]] = {}
    for row in parsed.map_batches(first_occurrences, batch_size=None).iter_rows():
        for group, place in pickle.loads(row["firsts"]).items():
            if group not in leaders or place < leaders[group]:
                leaders[group] = place
    return leaders


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
    documents = files_ds.flat_map(read_file, fn_kwargs={"config": config})
    blocks = config.parse_blocks or max(len(files), 4 * cpus)
    parsed = documents.repartition(blocks).map_batches(parse_batch, fn_kwargs={"config": config},
                                                       batch_size=None).materialize()
    timings["read_parse_s"] = time.perf_counter() - started
    leaders = _leaders(parsed)
    timings["group_s"] = time.perf_counter() - started - sum(timings.values())
    workers = config.workers or cpus
    per_actor = max(1, cpus // workers)
    # Each actor's torch threads fill its own CPUs, not the machine's: two actors of two threads on two cores
    # would spin against each other.
    actor_config = replace(config, analyzer=replace(config.analyzer, threads=config.analyzer.threads or per_actor))
    analysed = parsed.map_batches(
        analyse_actor, fn_constructor_kwargs={"config": actor_config, "leaders": [ray.put(leaders)]},
        batch_size=config.analyse_batch, compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=per_actor,
    ).materialize()
    analyses: dict[str, dict[str, Any]] = {}
    models: dict[str, Any] = {}
    for row in analysed.select_columns(["analysis", "models"]).iter_rows():
        analyses.update(pickle.loads(row["analysis"]))
        models = models or json.loads(row["models"])
    timings["analyse_s"] = time.perf_counter() - started - sum(timings.values())
    finished = analysed.map_batches(finish_batch, fn_kwargs={"config": config, "analyses": analyses,
                                                             "leaders": leaders, "keep_items": keep_items},
                                    batch_size=None)
    yield from _drain(finished, models, started, timings)


def merge_tables(total: GroupTable, part: GroupTable) -> None:
    """Add `part`, the table of traces that all come after `total`'s, to `total`: the result is the table one
    pass over all the traces in order would have built (GroupTable.add's semantics, group by group)."""
    total.ignored += part.ignored
    for group_id, group in part.groups.items():
        mine = total.groups.get(group_id)
        if mine is None:  # first seen in `part`: its representative is the group's first trace overall
            total.groups[group_id] = group
            continue
        mine.count += group.count
        mine.sources.update(group.sources)
        mine.per_minute.update(group.per_minute)
        if group.first_seen is not None:
            mine.first_seen = min(mine.first_seen or group.first_seen, group.first_seen)
        if group.last_seen is not None:
            mine.last_seen = max(mine.last_seen or group.last_seen, group.last_seen)


def _drain(finished: Any, models: dict[str, Any], started: float,
           timings: dict[str, float]) -> Iterator[tuple[list[dict[str, Any]], Any]]:
    result = RunResult(GroupTable(), SkipReport(), Counter(), 0, 0, models.get("describe", {}), models.get("short", ""),
                       [], timings)
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
            result.redacted.update(meta.redacted)
            result.documents += meta.documents
            continue
        records, redacted = pickle.loads(row["records"])
        result.redacted.update(redacted)
        result.traces += len(records)
        merge_tables(result.table, pickle.loads(row["table"]))
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
        analyzer=AnalyzerOptions(
            model_dirs=args.model, ensemble_weights=args.ensemble_weights, locator_dir=args.locator,
            stage2_dir=args.stage2, no_model=args.no_model, no_stage2=args.no_stage2, top_k=args.top_k,
            max_candidates=args.max_candidates, batch_size=args.batch_size, num_beams=args.num_beams,
            max_new_tokens=args.max_new_tokens, explanation_language=args.explanation_language,
            recall_threshold=args.recall_threshold, threads=args.threads, quantize=args.quantize,
            precision=args.precision),
        text_field=args.text_field, id_field=args.id_field, strict=args.strict, redact=args.redact,
        redact_ip_addresses=args.redact_ip_addresses, fingerprint_rules=args.fingerprint_rules,
        app_packages=tuple(args.app_packages or ()))


def run_predict(args: Any, log: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
                analyse_actor: type = AnalyseActor, workers: int | None = None) -> int:
    """predict.py --engine ray: the local path's files (records, <output>.report.json, groups, report) from Ray.
    `workers` (analyse actors; default one per cluster CPU) is for benches, `analyse_actor` for fault tests."""
    started = time.perf_counter()
    try:
        files = expand_inputs(args.input)
        if args.fingerprint_rules:  # a bad rules file fails here in one line, not in every worker
            load_fingerprint_rules(args.fingerprint_rules)
        if args.report:
            report_format(args.report)
        config = replace(config_from_args(args), workers=workers)
        init_ray(getattr(args, "ray_address", None))
        stream = run_engine(files, config, keep_items=args.output is None, analyse_actor=analyse_actor)
        result: RunResult | None = None

        def records() -> Iterator[dict[str, Any]]:
            nonlocal result
            for batch, payload in stream:
                yield from batch
                result = payload or result

        if args.output:
            write_jsonl_atomic(args.output, records())
        else:
            for _ in records():
                pass
    except (InputError, ValueError, OSError) as error:
        log(f"error: {error}")
        return 2
    assert result is not None
    return _write_outputs(args, result, files, time.perf_counter() - started, log)


def _write_outputs(args: Any, result: RunResult, files: list[str], elapsed: float,
                   log: Callable[[str], None]) -> int:
    """Groups, report, report.json and the summary, as predict.py's local path writes them."""
    redactor = Redactor(RedactOptions(ip_addresses=args.redact_ip_addresses)) if args.redact else None
    table = result.table
    groups = redact_groups(table.records(), redactor) if args.groups or args.report else []
    if args.groups:
        write_groups(args.groups, groups)
        log(f"wrote {len(groups)} group(s) of {sum(group['count'] for group in groups)} trace(s) to {args.groups}"
            + (f" ({table.ignored} ignored by fingerprint rules)" if table.ignored else ""))
    if args.report:
        language = choose_language(groups, args.report_language, args.explanation_language)
        write_report(groups, args.report, language, ReportMeta(analyzed=result.traces, ignored=table.ignored))
        log(f"wrote a report of {len(groups)} group(s) to {args.report} ({language})")
    if redactor is not None:
        result.redacted.update(redactor.counts)
    if args.output:
        report = {"inputs": args.input, "traces": result.traces, "documents": result.documents,
                  "skipped": result.skips.skipped, "warnings": result.skips.warnings, "models": result.models,
                  "seconds": round(elapsed, 3), "redacted": dict(result.redacted) if args.redact else "off",
                  "engine": "ray", "files": len(files), "stage_seconds": {name: round(value, 3) for name, value
                                                                         in result.timings.items()}}
        write_json_atomic(f"{args.output}.report.json", report)
        log(f"wrote {result.traces} trace(s) from {result.documents} document(s) to {args.output} in {elapsed:.1f}s "
            f"on Ray ({result.models_short})")
    else:
        summary = format_summary(result.items, _Describe(result.models_short))  # type: ignore[arg-type]
        print(redactor.redact(summary) if redactor is not None else summary)
    if result.skips.skipped or result.skips.warnings:
        log(result.skips.summary())
    if not result.documents:
        log("error: no input could be analyzed")
        return 2
    return 0
