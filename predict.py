"""Analyze Java error logs: what failed, the root cause, where to look, and how to fix it.

    python predict.py --input logs.jsonl                     # JSONL rows with a `log` field
    python predict.py --input app.log other.log --output analysis.jsonl
    cat app.log | python predict.py --input -
    python predict.py --input day.log --output day.jsonl --groups groups.jsonl   # any size: read as a stream
    python predict.py --input app.log --no-model             # parser and frame rules only

Models are found in their default places (models/stage1, models/locate, models/stage2) when present; each can be
given explicitly (a directory, a folds directory, several directories for an ensemble, or a Hub id).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from transformers import HfArgumentParser

from utils.args import parse_args_with_config
from utils.atomic import check_output_paths, open_atomic, terminate_unwinds, write_json_atomic, write_jsonl_atomic
from utils.code_throws import CODE_THROWS_HELP
from utils.console import configure_console
from utils.labels import LabelSet, load_label_set
from utils.parsing.log_sources import DocumentStream, InputError, LogDocument, NothingAnalyzed, expand_paths
from utils.parsing.stacktrace import Trace
from utils.pipeline.analyze import AnalyzedTrace, Analyzer, AnalyzerOptions, StreamState, parse_documents
from utils.pipeline.batch_codec import BatchCodec
from utils.pipeline.grouping import FingerprintRule, GroupKey, GroupTable, group_key, load_fingerprint_rules
from utils.pipeline.outputs import output_paths, replacing, replacing_records, run_report_path
from utils.pipeline.parse_process import ParseProcess, parse_process_available
from utils.pipeline.record import GROUP_RECORD_FIELDS, record_json, to_record
from utils.pipeline.repeat_cache import FrameBlocks, GroupRecordRedactor, StringRedactor
from utils.redact import RedactOptions, Redactor
from utils.report import ReportMeta, choose_language, redact_groups, report_format, write_report
from utils.report.summary import format_summary
from utils.stage1.wording import NO_WORDING_HELP, STATEMENTS_HELP

BATCH_CHARS = 2**20  # text analysed per batch (its traces and records are held at once; 4 MiB: no faster, higher peak)
# The models run once per call on however many new failures a call holds, and a call costs about as much for one as
# for thirty (stage 2 decodes up to 96 steps either way: 0.4-0.5 s for one trace, 2 s for 32). Past the first
# batches a production log brings one or two new failures a batch, so batches that bring new failures wait (their
# records too: the output keeps its order) until DEFER_NEW_FAILURES are pending, or DEFER_TRACES traces or
# DEFER_BATCHES batches (of BATCH_CHARS text each: long traces) are held; a batch of repeats only is analysed at
# once, and so is every batch when no model runs. Since repeats travel without their texts (_lighten), held traces
# cost little: on the 1 GB production log, 16 / 2048 / 8 made 10 stage-2 calls (11.3 s of generation), 32 / 4096 /
# 16 made 7 (7.7 s) for ~5 MB more at the peak of both processes (782.7 MB), 64 / 8192 / 32 made 4 (7.6 s) for
# ~10 MB more (787.4 MB: too close to the 800 MB target). Read in one process (stdin, --parse_process false) the
# held traces keep their texts, and there is no parse process to pay for. Which traces share a model call changes
# stage 1's bf16 scores at the third decimal (464 of 7,682 records of the 200 MB log), not the labels.
DEFER_NEW_FAILURES = 32
DEFER_TRACES = 4096
DEFER_BATCHES = 16


@dataclass
class PredictArguments:
    input: list[str] = field(metadata={"help": "Log files (.jsonl with a `log` field, plain logs, JUnit XML reports, "
                                               "gzip/bzip2/xz) or directories of them; `-` is stdin."})
    output: str | None = field(default=None, metadata={"help": "Write one JSON object per trace here (atomic). "
                                                               "Without it a readable summary is printed."})
    model: list[str] | None = field(default=None, metadata={
        "help": "Stage-1 model dir(s) or Hub id(s); several (or a folds dir) form an ensemble. "
                "Default: models/stage1 when it exists."})
    ensemble_weights: list[float] | None = field(default=None, metadata={
        "help": "One weight per ensemble member (default: OOF macro-F1 from metadata when known, else equal)."})
    locator: str | None = field(default=None, metadata={
        "help": "Frame-ranker dir (default: models/locate when it exists, else the built-in rules)."})
    stage2: str | None = field(default=None, metadata={
        "help": "Stage-2 explanation model dir or Hub id (default: models/stage2 when it exists)."})
    no_model: bool = field(default=False, metadata={"help": "Parser and frame rules only: load no model."})
    no_stage2: bool = field(default=False, metadata={"help": "Skip explanations even if a stage-2 model exists."})
    top_k: int = field(default=3, metadata={"help": "How many labels (with probabilities) to report."})
    max_candidates: int = field(default=5, metadata={"help": "How many ranked frames to report per trace."})
    batch_size: int = field(default=32, metadata={"help": "Stage-1 batch size."})
    num_beams: int = field(default=1, metadata={"help": "Beam size for explanations."})
    max_new_tokens: int = field(default=96, metadata={"help": "Longest explanation, in tokens."})
    explanation_language: Literal["auto", "en", "ko"] = field(default="auto", metadata={
        "help": "Language of the explanations: en, ko, or auto (ko when the log contains Hangul). A JSONL row's "
                "own `language` field wins."})
    recall_threshold: float | None = field(default=None, metadata={
        "help": "Similarity (0-1) from which a known scenario's cause and fix are shown instead of the stage-2 "
                "model's text (default: the value chosen when the model was trained; 1.01: always the model)."})
    text_field: str = field(default="log", metadata={"help": "JSONL field that holds the log text."})
    id_field: str = field(default="id", metadata={"help": "JSONL field that holds the row id."})
    strict: bool = field(default=False, metadata={"help": "Stop at the first bad input line instead of skipping "
                                                          "and counting it."})
    threads: int | None = field(default=None, metadata={"help": "torch CPU threads (default: all cores)."})
    quantize: bool = field(default=False, metadata={"help": "int8 dynamic quantization of stage 1 on CPU."})
    precision: Literal["auto", "fp32", "bf16"] = field(default="auto", metadata={
        "help": "Stage-1 and stage-2 inference precision: auto is bf16 (bf16 weights) on CPUs with native bf16 "
                "(AVX512-BF16, AMX) and fp32 elsewhere; fp32 forces full precision (utils/stage1/precision.py)."})
    no_wording: bool = field(default=False, metadata={"help": NO_WORDING_HELP})
    wording_statements: str | None = field(default=None, metadata={"help": STATEMENTS_HELP})
    code_throws: str | None = field(default=None, metadata={"help": CODE_THROWS_HELP})
    progress: Literal["auto", "on", "off"] = field(default="auto", metadata={
        "help": "A progress bar of bytes read, on stderr; auto: when --output is given and stderr is a terminal."})
    redact: bool = field(default=True, metadata={
        "help": "Replace PII (cards, RRNs, accounts, e-mails, phones, tokens, passwords) in everything written or "
                "printed (utils/redact.py, configs/redact.yaml); --redact false keeps the log's text as it is."})
    redact_ip_addresses: bool = field(default=False, metadata={"help": "Also replace IP addresses by <IP>."})
    groups: str | None = field(default=None, metadata={
        "help": "Also write one JSON object per group of repeated failures here (count, first/last seen, sources, "
                "reason, representative trace and its analysis); every trace record gets its `group`."})
    fingerprint_rules: str | None = field(default=None, metadata={
        "help": "YAML of user grouping rules (group as / ignore), see configs/fingerprint_rules.yaml."})
    report: str | None = field(default=None, metadata={
        "help": "Also write a report of the groups for people: report.html (one self-contained file that opens "
                "offline) or report.md (to paste into a ticket); the suffix chooses."})
    report_language: Literal["auto", "en", "ko"] = field(default="auto", metadata={
        "help": "Language of the report's labels; auto: the --explanation_language when given, else ko when most "
                "explanations (or, without any, most traces) are Korean."})
    app_packages: list[str] | None = field(default=None, metadata={
        "help": "The application's packages (e.g. com.acme): where to fix is chosen among them, overriding what "
                "is read from each trace (framework-list packages included)."})
    engine: Literal["local", "ray"] = field(default="local", metadata={
        "help": "local: this process. ray: Ray Data (utils/pipeline/engine_ray.py, requirements-ray.txt): files parsed "
                "across the cluster, each group analysed once in an actor pool; the same records, groups and report."})
    ray_address: str | None = field(default=None, metadata={
        "help": "With --engine ray: the cluster to use (default: RAY_ADDRESS, else a Ray started on this machine)."})
    parse_process: bool = field(default=True, metadata={
        "help": "Read and parse the input in a second process (fork, 2+ cores) while this one loads the models, "
                "analyses and writes (utils/pipeline/parse_process.py); the same output. --parse_process false: one "
                "process."})


def _words(value: str | list[str]) -> str:
    return " ".join(value) if isinstance(value, list) else value


def argument_problem(args: PredictArguments) -> str | None:
    """What makes the numbers of a run unusable, in one line (None: nothing): said before anything is read, where
    a zero would have emptied the output quietly (`--top_k 0`) and a negative one sliced it (`--max_candidates -1`)."""
    for option in ("top_k", "max_candidates", "batch_size", "num_beams", "max_new_tokens", "threads"):
        value = getattr(args, option)
        if value is not None and value < 1:
            return f"--{option} must be at least 1, got {value}"
    if args.recall_threshold is not None and not args.recall_threshold >= 0:  # NaN fails too
        return f"--recall_threshold must be 0 or more (1.01: always the model's text), got {args.recall_threshold}"
    return None  # --ensemble_weights: checked where they are used (utils/stage1/inference.combine_probabilities)


def build_analyzer(args: PredictArguments, label_set: LabelSet | None = None, busy_cores: int = 0) -> Analyzer:
    """The analyzer of predict.py's arguments. `busy_cores`: cores this run keeps busy besides the models (the parse
    process): torch leaves them alone unless --threads says otherwise (a thread on the parse process's core made
    the models 1.3-1.5x slower on 2 cores, 200 MB log: 33.8 s with two threads, 26.5 s with one)."""
    analyzer = Analyzer(AnalyzerOptions.from_arguments(args, reserved_cores=busy_cores), label_set)
    if args.app_packages:  # the ranker (or the rules) carries the packages to every trace it ranks
        from utils.locate import with_app_packages

        analyzer.ranker = with_app_packages(analyzer.ranker, args.app_packages)
    return analyzer


def batches(documents: Iterable[LogDocument], max_chars: int | None = None) -> Iterator[list[LogDocument]]:
    """Consecutive documents, about `max_chars` (default `BATCH_CHARS`) of text at a time: enough traces per model
    batch, bounded memory."""
    max_chars = max_chars or BATCH_CHARS
    batch: list[LogDocument] = []
    size = 0
    for document in documents:
        batch.append(document)
        size += len(document.text)
        if size >= max_chars:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


@dataclass
class StreamResult:
    table: GroupTable
    traces: int = 0
    kept: list[AnalyzedTrace] = field(default_factory=list)  # every result, only when a summary is printed


def parsed_batches(documents: Iterable[LogDocument], label_set: LabelSet, redactor: Redactor | None,
                   rules: Sequence[FingerprintRule] = (), light_repeats: bool = False,
                   frame_blocks: FrameBlocks | None = None) -> Iterator[list[AnalyzedTrace]]:
    """The traces of `documents`, parsed batch by batch (`parse_documents` with one StreamState for the stream), each
    with its group key. Each document is redacted as it is parsed, before analysis, as training data is
    (utils/stage1/data.py): the models see what they were trained on; runs of frames are parsed and redacted once per
    distinct run (utils/repeat_cache). With `light_repeats`, a trace of a group met before loses its text and its
    region's (see `_lighten`). `frame_blocks`: the FrameBlocks to parse with (a new one by default)."""
    state = StreamState(frame_blocks=frame_blocks or FrameBlocks(redactor))
    seen: set[str] = set()  # the groups met so far: grows with the groups, not the input
    for batch in batches(documents):
        items = parse_documents(batch, label_set, state)
        for item in items:
            if item.trace.has_exception:
                item.group = group_key(item.trace, rules)
                if light_repeats:
                    _lighten(item, seen)
        yield items


def _lighten(item: AnalyzedTrace, seen: set[str]) -> None:
    """Drops the texts of a repeat (a trace of a group met before): it takes its analysis from its group's first
    trace, and its record is made of its own fields, so the parse process need not send its texts (two copies of
    its frames: pickling them and reading them back was ~8 of a 1 GB run's ~100 CPU-seconds)."""
    group = item.group.id
    if group is None:
        return
    if group not in seen:
        seen.add(group)
        return
    item.document = replace(item.document, text="")
    item.trace.text = ""


def start_parsing(documents: Iterable[LogDocument], label_set: LabelSet, redactor: Redactor | None,
                  in_child: bool, rules: Sequence[FingerprintRule] = (),
                  light_repeats: bool = False) -> ParseProcess | None:
    """A ParseProcess reading and parsing `documents` (None: parsed in this process, by `analyze_stream`). Started
    before the models load, so that the child reads while they do. `light_repeats`: repeats travel without their
    texts (`_lighten`); predict.py asks for it when the records go to a file."""
    # stdin stays here: multiprocessing closes it in a child
    if not (in_child and parse_process_available()) or "-" in getattr(documents, "inputs", ()):
        return None
    blocks = FrameBlocks(redactor)  # shared with the codec: frames of its runs travel once (utils/batch_codec.py)
    return ParseProcess(lambda: parsed_batches(documents, label_set, redactor, rules, light_repeats, blocks),
                        documents, redactor, codec=BatchCodec(blocks))


def analyze_stream(analyzer: Analyzer, documents: Iterable[LogDocument], redactor: Redactor | None,
                   rules: list[FingerprintRule], write: Callable[[str], None] | None,
                   parsing: ParseProcess | None = None) -> StreamResult:
    """Analyses `documents` batch by batch, each trace's record handed to `write` as one line of JSON, in input order,
    once its failure has been analysed (batches that bring new failures are held a while, DEFER_NEW_FAILURES: memory
    grows with the groups and DEFER_TRACES, not the input); without `write` the results are kept for the summary.
    `parsing` (from `start_parsing`): the batches come parsed from that process instead of being parsed here."""
    result = StreamResult(GroupTable())
    # Output strings are redacted once per distinct text, a group's shared fields once per group.
    records = GroupRecordRedactor(StringRedactor(redactor), GROUP_RECORD_FIELDS) if redactor is not None else None
    leaders: dict[str, AnalyzedTrace] = {}  # each group's first trace: a failure is analysed once per run
    keys: dict[int, GroupKey] = {}  # by trace identity, while held: the keys `parsed_batches` computed
    pending: list[AnalyzedTrace] = []  # parsed, not yet analysed, in input order
    new: set[str] = set()  # the pending traces' groups not analysed yet
    unkeyed = held = 0  # pending traces without a group (threads, traces without an exception); batches held

    def group_of(trace: Trace) -> str | None:
        return keys[id(trace)].id

    def flush() -> None:
        nonlocal unkeyed, held
        analyzer.analyze_items(pending, group_of, leaders)
        for item in pending:
            key = item.group if item.trace.has_exception else None
            # a repeat whose group's shared fields the writer has encoded (so its first record is in the table too)
            known = key is not None and records is not None and key.id in records.groups
            record = to_record(item, shared=not known)
            if key is not None:
                record["group"] = key.id
                result.table.add(key, record, item.trace.text)
            if write is not None:
                # ids and sources too: nothing of the input leaves the process unredacted. A record shares its
                # group's analysis only when the group decided its leader (`leaders`).
                group = record.get("group") if record.get("group") in leaders else None
                write(records.redact_json(record, group) if records is not None else record_json(record))
        result.traces += len(pending)
        if write is None:
            result.kept.extend(pending)
        pending.clear()
        new.clear()
        keys.clear()
        unkeyed = held = 0

    parsed = parsing.batches(getattr(documents, "on_bytes", None)) if parsing is not None else parsed_batches(
        documents, analyzer.label_set, redactor, rules)
    for items in parsed:
        for item in items:
            if item.trace.has_exception:  # its key was computed where it was parsed (`parsed_batches`)
                keys[id(item.trace)] = item.group
            group = group_of(item.trace) if item.trace.has_exception else None
            if group is None:
                unkeyed += 1
            elif group not in leaders:
                new.add(group)
        pending.extend(items)
        held += 1
        if (not analyzer.runs_models or not new and not unkeyed or len(new) + unkeyed >= DEFER_NEW_FAILURES
                or len(pending) >= DEFER_TRACES or held >= DEFER_BATCHES):
            flush()
    if pending:
        flush()
    return result


def progress_bar(stream: DocumentStream, mode: str, to_file: bool) -> Any:
    """A bar of bytes read on stderr (tqdm): with --progress auto, when the records go to a file and stderr is a
    terminal; None when off."""
    if mode == "off" or (mode == "auto" and not (to_file and sys.stderr.isatty())):
        return None
    from tqdm.auto import tqdm

    bar = tqdm(total=stream.total_bytes(), unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr,
               desc="reading", mininterval=0.5)
    stream.on_bytes = bar.update
    return bar


def analyse_inputs(args: PredictArguments, redactor: Redactor | None) -> tuple[DocumentStream, Analyzer, StreamResult]:
    """Reads, parses and analyses every input, the records going to --output as they are made (or kept for the
    summary). Bad input raises InputError / ValueError / OSError, and NothingAnalyzed when every input was skipped
    (then --output keeps what it held); the parse process and the bar are closed."""
    bar, parsing = None, None
    try:
        stream = DocumentStream(args.input, args.text_field, args.id_field, strict=args.strict)
        rules = load_fingerprint_rules(args.fingerprint_rules) if args.fingerprint_rules else []
        if args.report:  # a bad name fails before the analysis, not after it
            report_format(args.report)
        label_set = load_label_set()
        # reads while the models load; repeats travel light when their records go to a file
        parsing = start_parsing(stream, label_set, redactor, args.parse_process, rules, bool(args.output))
        analyzer = build_analyzer(args, label_set, busy_cores=1 if parsing is not None else 0)
        bar = progress_bar(stream, args.progress, args.output is not None)
        if args.output:
            with open_atomic(args.output) as out:
                outcome = analyze_stream(analyzer, stream, redactor, rules, lambda line: out.write(line + "\n"),
                                         parsing)
                if not stream.stats.documents:  # leaving the block by an exception keeps the earlier file
                    raise NothingAnalyzed(stream.skips)
        else:
            outcome = analyze_stream(analyzer, stream, redactor, rules, None, parsing)
            if not stream.stats.documents:
                raise NothingAnalyzed(stream.skips)
    finally:
        if bar is not None:
            bar.close()
        if parsing is not None:  # an error before its batches were all read: the child is stopped
            parsing.close()
    return stream, analyzer, outcome


def write_groups_and_report(args: PredictArguments, outcome: StreamResult, redactor: Redactor | None,
                            replaced: Sequence[str] = ()) -> None:
    """--groups (one JSON object per group) and --report (HTML or Markdown for people), both redacted."""
    table = outcome.table
    groups = redact_groups(table.records(), redactor) if args.groups or args.report else []
    if args.groups:
        write_jsonl_atomic(args.groups, groups)
        print(f"wrote {len(groups)} group(s) of {sum(group['count'] for group in groups)} trace(s) to {args.groups}"
              + (f" ({table.ignored} ignored by fingerprint rules)" if table.ignored else "")
              + replacing(args.groups, replaced), file=sys.stderr)
    if args.report:
        language = choose_language(groups, args.report_language, args.explanation_language)
        write_report(groups, args.report, language, ReportMeta(analyzed=outcome.traces, ignored=table.ignored))
        print(f"wrote a report of {len(groups)} group(s) to {args.report} ({language})"
              + replacing(args.report, replaced), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    configure_console()  # progress bars on a terminal only; no library chatter (utils/console.py)
    # 1. Arguments; --engine ray hands the whole run to Ray (imported only then: the local path never needs it).
    (args,) = parse_args_with_config(HfArgumentParser(PredictArguments), argv)
    if problem := argument_problem(args):
        print(f"error: {problem}", file=sys.stderr)
        return 2
    named = [f"--{option} {_words(getattr(args, option))}" for option in ("model", "locator", "stage2")
             if getattr(args, option)]
    if args.no_model and named:  # a config may name them; the flag wins, and says so
        print(f"note: --no_model: not loaded: {', '.join(named)}", file=sys.stderr)
    if args.wording_statements and (args.no_model or args.no_wording):
        print(f"note: --{'no_model' if args.no_model else 'no_wording'}: not read: --wording_statements "
              f"{args.wording_statements}", file=sys.stderr)
    if args.engine == "ray":  # it checks its outputs against the files its directories and globs name
        from utils.pipeline.engine_ray import run_predict

        return run_predict(args)
    try:  # before anything is read: no output may be an input (a directory's files too) or another output
        replaced = check_output_paths(output_paths(args), expand_paths(args.input))
    except (ValueError, InputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    # 2. Read, parse and analyse the inputs, writing each record as it is made (nothing unredacted leaves).
    redactor = Redactor(RedactOptions(ip_addresses=args.redact_ip_addresses)) if args.redact else None
    try:
        stream, analyzer, outcome = analyse_inputs(args, redactor)
        elapsed = time.perf_counter() - started
        # 3. The groups and the report for people.
        write_groups_and_report(args, outcome, redactor, replaced)
    except NothingAnalyzed as nothing:  # a calling script must not take this for a clean run
        print(nothing.lines(), file=sys.stderr)
        return 2
    except (InputError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    # 4. The run's report beside the records, or the readable summary on the terminal.
    input_report, documents = stream.skips, stream.stats.documents
    if args.output:
        report = {"inputs": args.input, "traces": outcome.traces, "documents": documents,
                  "skipped": input_report.skipped, "warnings": input_report.warnings, "models": analyzer.describe(),
                  "seconds": round(elapsed, 3), "bytes": stream.stats.bytes_read,
                  "redacted": dict(redactor.counts) if redactor else "off"}
        write_json_atomic(run_report_path(args.output), report)
        print(f"wrote {outcome.traces} trace(s) from {documents} document(s) to {args.output} "
              f"in {elapsed:.1f}s ({analyzer.describe_short()})" + replacing_records(args.output, replaced),
              file=sys.stderr)
    else:
        summary = format_summary(outcome.kept, analyzer)
        print(redactor.redact(summary) if redactor is not None else summary)
    # 5. What was skipped (the exit status is 0: something was analyzed).
    if input_report.skipped or input_report.warnings:
        print(input_report.summary(), file=sys.stderr)
    return 0

if __name__ == "__main__":
    with terminate_unwinds():  # stopped by SIGTERM: no temp file and no parse process left behind
        status = main()
    sys.exit(status)
