"""A production-like application log of any size, written as a stream, with the truth about its failures.

`build_corpus.py --production_log 200MB --output app.log` writes `app.log` and `app.log.truth.json`. The log is a
day of a service: INFO / DEBUG / WARN lines (most lines; tables in configs/production_log.yaml) and, between
them, a few hundred distinct failures drawn from the corpus generator, each repeated many times with its own
timestamp, thread, request id and values in its messages (the numbers a message template masks). The truth file
says how many distinct failures the log holds and how often each occurs, so a test or a bench can check "one
group per distinct failure, counts exact". Memory stays bounded: lines are written as they are made.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from utils.atomic import open_atomic, write_json_atomic
from utils.corpus.generate import GeneratorConfig, _weighted, assign_splits, generate_row, templates_by_label
from utils.labels import LabelSet, load_label_set
from utils.parsing.stacktrace import THROWABLE_SUFFIX, parse_log
from utils.pipeline.fingerprint import NUMBER
from utils.pipeline.grouping import group_key
from utils.yaml_files import ConfigFileError, read_yaml

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parents[2] / "configs" / "production_log.yaml"
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30,
          "tib": 2**40}
# A number that the message template masks as <num> (utils/pipeline/fingerprint.py): what may vary between repeats.
_MASKED_NUMBER = NUMBER
_EXCEPTION_LINE = re.compile(rf"^(?:Caused by: )?[\w$.]+{THROWABLE_SUFFIX}[\w$]*: ")


def parse_size(text: str) -> int:
    """Bytes of `200MB`, `1GB`, `1.5GiB`, `4096` (decimal units; KiB/MiB/GiB binary)."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"--production_log: {text!r} is not a size (e.g. 200MB, 1GB, 512MiB)")
    size = int(float(match.group(1)) * _UNITS[(match.group(2) or "B").lower()])
    if size < 1:
        raise ValueError(f"--production_log: {text!r} is no bytes; give a size such as 200MB")
    return size


@dataclass
class ProductionLogConfig:
    """configs/production_log.yaml."""

    distinct_failures: int = 300
    failure_weight_exponent: float = 0.8
    info_lines_per_failure: int = 40
    start: str = "2026-11-30 00:00:00"
    max_millis_between_lines: int = 40
    levels: dict[str, float] = field(default_factory=lambda: {"INFO": 1.0})
    threads: list[str] = field(default_factory=list)
    loggers: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    error_messages: list[str] = field(default_factory=list)

    @classmethod
    def from_yaml(cls, path: str | Path = DEFAULT_CONFIG_PATH) -> ProductionLogConfig:
        raw = read_yaml(path) or {}
        if not isinstance(raw, dict):
            raise ConfigFileError(f"{path}: not a production log config (a mapping of option: value)")
        unknown = sorted(set(raw) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"{path}: unknown key(s) {', '.join(unknown)}")
        config = cls(**raw)
        for name in ("threads", "loggers", "messages", "error_messages"):
            if not getattr(config, name):
                raise ValueError(f"{path}: `{name}` must list at least one entry")
        return config


@dataclass
class Failure:
    """One distinct failure: its trace lines, with the masked numbers of its exception lines as slots."""

    number: int
    label: str
    exception: str
    group: str
    lines: list[str]  # trace lines; an exception line's masked numbers are "{}" slots (braces escaped)
    slots: list[int]  # per line, how many slots

    def render(self, rng: random.Random) -> list[str]:
        return [line.format(*(rng.randint(2, 99999) for _ in range(count))) if count else line
                for line, count in zip(self.lines, self.slots)]


def _as_failure(number: int, label: str, trace_text: str) -> Failure | None:
    """The failure of one parsed trace's text, its exception lines' numbers made slots; None when a rendering with
    other numbers does not read back as one trace of the same group (then it is not a repeatable failure)."""
    lines, slots = [], []
    for line in trace_text.split("\n"):
        escaped = line.replace("{", "{{").replace("}", "}}")
        if _EXCEPTION_LINE.match(line):
            escaped, count = _MASKED_NUMBER.subn("{}", escaped)
            slots.append(count)
        else:
            slots.append(0)
        lines.append(escaped)
    traces = parse_log(trace_text)
    if len(traces) != 1 or not traces[0].has_exception or not traces[0].frames:
        return None
    failure = Failure(number, label, traces[0].root_cause.class_name, group_key(traces[0]).id or "", lines, slots)
    for seed in (1, 2):
        again = parse_log("\n".join(failure.render(random.Random(seed))))
        if len(again) != 1 or group_key(again[0]).id != failure.group:
            return None
    return failure


def distinct_failures(count: int, seed: int, label_set: LabelSet | None = None) -> list[Failure]:
    """`count` failures from the corpus generator with pairwise different groups (deterministic in `seed`)."""
    label_set = label_set or load_label_set()
    config = GeneratorConfig.from_yaml()
    grouped = templates_by_label(label_set)
    split_of = assign_splits(grouped, config.split_fractions, config.split_seed)
    weights = {name: float(config.class_weights.get(name, config.default_class_weight)) for name in label_set.names}
    chooser = random.Random(f"production:{seed}")
    failures: list[Failure] = []
    seen: set[str] = set()
    for index in range(count * 20):  # templates with few variations run out of new groups: stop trying at some point
        if len(failures) == count:
            break
        template = chooser.choice(grouped[_weighted(chooser, weights)])
        row = generate_row(index, seed, template, split_of[template.name], "en", config, label_set)
        trace = next((trace for trace in parse_log(row["log"]) if trace.has_exception and trace.frames), None)
        failure = _as_failure(len(failures), row["label"], trace.text) if trace is not None else None
        if failure is not None and failure.group not in seen:
            seen.add(failure.group)
            failures.append(failure)
    if len(failures) < count:
        raise ValueError(f"only {len(failures)} distinct failures could be drawn (asked for {count})")
    return failures


class _Writer:
    """Lines of the log with increasing timestamps; counts bytes and lines."""

    def __init__(self, out: Any, config: ProductionLogConfig, rng: random.Random) -> None:
        self.out, self.config, self.rng = out, config, rng
        self.moment = datetime.strptime(config.start, "%Y-%m-%d %H:%M:%S")
        self.bytes = self.lines = 0

    def _fill(self, template: str) -> str:
        rng = self.rng
        return template.format(n=rng.randint(1, 999), id=f"{rng.getrandbits(48):012x}", ms=rng.randint(1, 4000),
                               amount=f"{rng.randint(1, 99999)}.{rng.randint(0, 99):02d}",
                               ip=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}")

    def record(self, level: str, message_template: str) -> None:
        self.moment += timedelta(milliseconds=self.rng.randint(0, self.config.max_millis_between_lines))
        stamp = self.moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{self.moment.microsecond // 1000:03d}"
        thread = self.rng.choice(self.config.threads).format(n=self.rng.randint(1, 64))
        self.write(f"{stamp} {level:<5} [{thread}] {self.rng.choice(self.config.loggers)} - "
                   f"{self._fill(message_template)}")

    def write(self, line: str) -> None:
        data = line + "\n"
        self.out.write(data)
        self.bytes += len(data.encode("utf-8")) if not data.isascii() else len(data)
        self.lines += 1


def write_production_log(path: str | Path, size: int, seed: int = 42,
                         config: ProductionLogConfig | None = None) -> dict[str, Any]:
    """Writes a production-like log of about `size` bytes (it stops after the line that reaches `size`) to `path`
    and its truth to `<path>.truth.json` (both atomically); returns the truth."""
    config = config or ProductionLogConfig.from_yaml()
    failures = distinct_failures(config.distinct_failures, seed)
    rng = random.Random(f"production-log:{seed}")
    weights = [1.0 / (number + 1) ** config.failure_weight_exponent for number in range(len(failures))]
    counts = [0] * len(failures)
    levels = list(config.levels)
    level_weights = [config.levels[level] for level in levels]
    with open_atomic(path) as out:
        writer = _Writer(out, config, rng)
        while writer.bytes < size:
            for _ in range(rng.randint(0, 2 * config.info_lines_per_failure)):
                writer.record(rng.choices(levels, level_weights)[0], rng.choice(config.messages))
            failure = rng.choices(failures, weights)[0]
            counts[failure.number] += 1
            writer.record("ERROR", rng.choice(config.error_messages))
            for line in failure.render(rng):
                writer.write(line)
    truth = {
        "path": str(path), "bytes": writer.bytes, "lines": writer.lines, "seed": seed, "traces": sum(counts),
        "distinct_failures": sum(count > 0 for count in counts),
        "failures": [{"failure": failure.number, "group": failure.group, "label": failure.label,
                      "exception": failure.exception, "count": count}
                     for failure, count in zip(failures, counts) if count > 0],
    }
    write_json_atomic(f"{path}.truth.json", truth)
    return truth


def truth_is_current(truth: dict[str, Any], config: ProductionLogConfig | None = None) -> bool:
    """Whether a truth's group ids are the ones today's grouping gives its log's failures. The failures drawn, and so
    the log, depend on the grouping (they must group apart), so a log made before a change of the failure signature
    is made again, not scored against ids the grouping no longer gives."""
    config = config or ProductionLogConfig.from_yaml()
    try:
        failures = distinct_failures(config.distinct_failures, int(truth["seed"]))
        return all(failures[item["failure"]].group == item["group"] for item in truth["failures"])
    except (KeyError, IndexError, TypeError, ValueError):  # a truth of another shape, or of another failure count
        return False
