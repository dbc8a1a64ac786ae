"""Grouping repeated failures: a group per failure signature or user rule, with counts, first and last seen,
sources, a per-minute timeline and one representative analysis (stdlib + yaml).

`group_key` decides which group a trace belongs to and says why in words; `GroupTable` collects the records of a
run into one record per group, most frequent first. predict.py --groups writes them; --report renders them.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from utils.console import one_line
from utils.parsing.log_sources import source_file
from utils.parsing.stacktrace import Trace
from utils.pipeline.fingerprint import Signature, failure_signature
from utils.report.text import grouping_reason, load_text

RULE_KEYS = {"match", "group_as", "ignore"}
MATCH_KEYS = {"type", "frame", "message"}
_MAX_MATCH_CHARS = 2000  # a rule's regex sees at most this much of a message: user patterns must not hang a run


@dataclass(frozen=True)
class FingerprintRule:
    """One user rule: every given pattern must match; then the trace is grouped as `group_as`, or ignored."""

    type: re.Pattern[str] | None = None
    frame: re.Pattern[str] | None = None
    message: re.Pattern[str] | None = None
    group_as: str | None = None
    ignore: bool = False

    def matches(self, trace: Trace) -> bool:
        root = trace.root_cause
        if self.type and not (root and self.type.search(root.class_name)):
            return False
        if self.message and not (root and self.message.search((root.message or "")[:_MAX_MATCH_CHARS])):
            return False
        frames = trace.full_stack() if root is not None else trace.frames
        return not self.frame or any(
            self.frame.search(f"{frame.class_name}.{frame.method}") for frame in frames if not frame.is_library)


def load_fingerprint_rules(path: str | Path) -> list[FingerprintRule]:
    """The rules of a YAML file (configs/fingerprint_rules.yaml documents the format); a bad rule is a one-line
    error naming the file and the rule."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: fingerprint rules file not found")
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: not a YAML file of rules ({one_line(error)})") from None
    # a misspelt `rules:` would otherwise leave a run without its rules and say nothing
    if not isinstance(config, dict) or set(config) - {"rules"} or not isinstance(config.get("rules", []), list):
        raise ValueError(f"{path}: expected `rules:` with a list of rules, and no other key")
    rules = []
    for number, raw in enumerate(config.get("rules") or [], start=1):
        where = f"{path}: rule {number}"
        if not isinstance(raw, dict) or set(raw) - RULE_KEYS or not isinstance(raw.get("match"), dict):
            raise ValueError(f"{where}: expected `match:` plus `group_as:` or `ignore: true` "
                             f"(keys {sorted(RULE_KEYS)})")
        unknown = set(raw["match"]) - MATCH_KEYS
        if unknown or not raw["match"]:
            raise ValueError(f"{where}: match keys must be some of {sorted(MATCH_KEYS)}, got {sorted(raw['match'])}")
        # YAML reads `[a, b]`, an empty value or `"false"` as a list, None or a true string: say so, do not guess
        if not all(isinstance(value, str) and value for value in raw["match"].values()):
            raise ValueError(f"{where}: each match value must be one regular expression, as text")
        if "group_as" in raw and not (isinstance(raw["group_as"], str) and raw["group_as"]):
            raise ValueError(f"{where}: `group_as` must be a name, as text")
        if "ignore" in raw and not isinstance(raw["ignore"], bool):
            raise ValueError(f"{where}: `ignore` must be true or false")
        if bool(raw.get("group_as")) == bool(raw.get("ignore")):
            raise ValueError(f"{where}: give exactly one of `group_as: <name>` and `ignore: true`")
        try:
            patterns = {key: re.compile(value) for key, value in raw["match"].items()}
        except re.error as error:
            raise ValueError(f"{where}: bad regular expression ({error})") from error
        rules.append(FingerprintRule(**patterns, group_as=raw.get("group_as"), ignore=bool(raw.get("ignore"))))
    return rules


@dataclass(frozen=True)
class GroupKey:
    """Which group a trace belongs to (`id`, None when a rule ignores it), its parts and the reason in words."""

    id: str | None
    parts: dict[str, Any]
    reason: str


def _signature_parts(signature: Signature) -> dict[str, Any]:
    return {"exception": signature.exception, "frames": list(signature.frames), "frames_are": signature.frames_are,
            "message": signature.message}


def _reason(parts: dict[str, Any]) -> str:
    """predict.py's `reason`: the report's English words, with what the log says in quotes."""
    return grouping_reason(parts, load_text("en"), str, lambda value: f"'{value}'") or ""


@lru_cache(maxsize=65536)  # every trace has a key; a log's repeats have few distinct signatures
def _describe(signature: Signature) -> str:
    return _reason(_signature_parts(signature))


def group_key(trace: Trace, rules: Sequence[FingerprintRule] = ()) -> GroupKey:
    """The first matching user rule decides; otherwise the failure signature."""
    for number, rule in enumerate(rules, start=1):
        if rule.matches(trace):
            if rule.ignore:
                return GroupKey(None, {"rule": number}, f"ignored by fingerprint rule {number}")
            digest = hashlib.sha1(f"rule:{rule.group_as}".encode()).hexdigest()[:16]
            parts = {"rule": number, "group_as": rule.group_as}
            return GroupKey(digest, parts, _reason(parts))
    signature = failure_signature(trace, grouping=True)
    return GroupKey(signature.digest, _signature_parts(signature), _describe(signature))


# Log timestamps as the common styles print them; a trace whose stamp matches none has no time (not a guess).
_TIME_FORMATS = (
    (re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?"), "%Y-%m-%d %H:%M:%S"),
    (re.compile(r"^(\d{2}-[A-Z][a-z]{2}-\d{4}) (\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?"), "%d-%b-%Y %H:%M:%S"),
    (re.compile(r"^(\d{4}/\d{2}/\d{2}) (\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?"), "%Y/%m/%d %H:%M:%S"),
    (re.compile(r"^(\d{4}\.\d{2}\.\d{2}) (\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?"), "%Y.%m.%d %H:%M:%S"),  # JEUS
)
# JUL (Tomcat's catalina.out) and WebLogic (`####<Dec 7, 2026 10:00:00,123 AM KST>`): month first, on the 12-hour
# clock, or the 24-hour one without AM / PM (WebLogic in some locales); a Korean locale writes `12월` and 오전 / 오후
_MONTH_FIRST = re.compile(r"^(?:####<)?(?:(?P<name>[A-Z][a-z]{2})|(?P<number>\d{1,2})월) (?P<day>\d{1,2}), "
                          r"(?P<year>\d{4}),? (?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2})"
                          r"(?:[.,](?P<fraction>\d{1,3}))?(?: ?(?P<half>[AP]M|오전|오후))?")
# WebSphere's SystemOut.log: `12/7/26 10:00:00:123 KST` (month / day / two-digit year), in a Korean locale
# `26. 12. 7   10:00:00:123 KST`; milliseconds after a colon
_WEBSPHERE_STAMP = re.compile(r"^(?:(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{2})|(?P<ko_year>\d{2})\. "
                              r"(?P<ko_month>\d{1,2})\. (?P<ko_day>\d{1,2})\.?) +(?P<hour>\d{1,2}):(?P<minute>\d{2}):"
                              r"(?P<second>\d{2}):(?P<millis>\d{3})")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_timestamp(text: str | None) -> datetime | None:
    """A log line's timestamp (ISO 8601 with `T` or a space, `,` or `.` before the fraction; Tomcat's
    `30-Nov-2026 12:00:00.123`; `2026/11/30 12:00:00`; JEUS's `2026.11.30 12:00:00`; JUL's and WebLogic's `Nov 30,
    2026 12:00:00 PM`, `11월 30, 2026 12:00:00 오후`; WebSphere's `11/30/26 12:00:00:123 KST`, `26. 11. 30
    12:00:00:123 KST`), zone dropped; None when it is none of these."""
    stamp = (text or "").strip().lstrip("[")
    if (month_first := _MONTH_FIRST.match(stamp)) is not None:
        return _month_first_time(month_first)
    if (websphere := _WEBSPHERE_STAMP.match(stamp)) is not None:
        return _websphere_time(websphere)
    for pattern, layout in _TIME_FORMATS:
        match = pattern.match(stamp)
        if match:
            day, time = match.group(1), match.group(2)
            try:  # the all-digit layouts without strptime (a tenth of a streamed run's per-trace time): same result
                moment = (datetime(int(day[:4]), int(day[5:7]), int(day[8:10]), int(time[:2]), int(time[3:5]),
                                   int(time[6:8])) if layout[1] == "Y" else datetime.strptime(f"{day} {time}", layout))
            except ValueError:
                return None
            fraction = (match.group(3) or "0")[:6].ljust(6, "0")
            return moment.replace(microsecond=int(fraction))
    return None


def _month_first_time(match: re.Match[str]) -> datetime | None:
    """The time of a `_MONTH_FIRST` stamp; None when it names no real day or hour."""
    month = _MONTHS.index(match["name"]) + 1 if match["name"] in _MONTHS else int(match["number"] or 0)
    hour, half = int(match["hour"]), match["half"]
    if half is not None:  # 12 AM is midnight, 12 PM noon
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half in ("PM", "오후") else 0)
    fraction = (match["fraction"] or "0").ljust(6, "0")
    try:
        return datetime(int(match["year"]), month, int(match["day"]), hour, int(match["minute"]),
                        int(match["second"]), int(fraction))
    except ValueError:  # month 0 (an unknown name), day 31 of a 30-day month, hour 24
        return None


def _websphere_time(match: re.Match[str]) -> datetime | None:
    """The time of a `_WEBSPHERE_STAMP` stamp (its two-digit year this century); None when it names no real day.
    WebSphere writes the JVM locale's short date: month first in en_US, its default; a first number over 12 is a
    day-first locale's (en_GB, fr_FR: `13/12/26`), whose days up to 12 cannot be told from en_US's and read month
    first."""
    year, month, day = ((match["year"], match["month"], match["day"]) if match["year"] else
                        (match["ko_year"], match["ko_month"], match["ko_day"]))
    if match["year"] and int(month) > 12:
        month, day = day, month
    try:
        return datetime(2000 + int(year), int(month), int(day), int(match["hour"]), int(match["minute"]),
                        int(match["second"]), int(match["millis"]) * 1000)
    except ValueError:
        return None


ANALYSIS_FIELDS = ("label", "decided_by", "top_k", "exception", "exception_fqcn", "root_cause", "chain", "location",
                   "explanation", "explanation_fields", "explanation_source", "known_scenario")


@dataclass
class Group:
    key: GroupKey
    representative: dict[str, Any]
    trace_text: str
    count: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    sources: Counter = field(default_factory=Counter)
    per_minute: Counter = field(default_factory=Counter)

    def add(self, record: dict[str, Any]) -> None:
        self.count += 1
        self.sources[source_file(record["source"])] += 1
        moment = parse_timestamp((record.get("log") or {}).get("timestamp"))
        if moment is not None:
            self.first_seen = min(self.first_seen or moment, moment)
            self.last_seen = max(self.last_seen or moment, moment)
            self.per_minute[moment.strftime("%Y-%m-%dT%H:%M")] += 1

    def to_record(self) -> dict[str, Any]:
        return {
            "group": self.key.id, "count": self.count, "fingerprint": self.key.parts, "reason": self.key.reason,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "sources": dict(self.sources.most_common()), "timeline": dict(sorted(self.per_minute.items())),
            "representative": {"id": self.representative["id"], "source": self.representative["source"],
                               "trace": self.trace_text},
            "analysis": {name: self.representative.get(name) for name in ANALYSIS_FIELDS},
        }


class GroupTable:
    """The groups of one run. Memory grows with the number of groups, not of traces."""

    def __init__(self) -> None:
        self.groups: dict[str, Group] = {}
        self.ignored = 0

    def add(self, key: GroupKey, record: dict[str, Any], trace_text: str) -> None:
        if key.id is None:
            self.ignored += 1
            return
        group = self.groups.get(key.id)
        if group is None:
            group = self.groups[key.id] = Group(key, record, trace_text)
        group.add(record)

    def merge(self, part: GroupTable) -> None:
        """Add `part`, the table of traces that all come after this table's, to this one: the result is the table
        one pass over all the traces in order would have built (`add`'s semantics, group by group). An engine that
        fills one table per block (utils/pipeline/engine_ray.py) merges them in input order."""
        self.ignored += part.ignored
        for group_id, group in part.groups.items():
            mine = self.groups.get(group_id)
            if mine is None:  # first seen in `part`: its representative is the group's first trace overall
                self.groups[group_id] = group
                continue
            mine.count += group.count
            mine.sources.update(group.sources)
            mine.per_minute.update(group.per_minute)
            if group.first_seen is not None:
                mine.first_seen = min(mine.first_seen or group.first_seen, group.first_seen)
            if group.last_seen is not None:
                mine.last_seen = max(mine.last_seen or group.last_seen, group.last_seen)

    def records(self) -> list[dict[str, Any]]:
        """One record per group, most frequent first (ties: first seen first)."""
        ordered = sorted(self.groups.values(), key=lambda group: (-group.count, group.first_seen or datetime.max))
        return [group.to_record() for group in ordered]
