"""What makes the repeats of one failure cheap in a streamed run (predict.py): the frames block of a trace is parsed
and redacted once, and a string of the output is redacted once.

A production log repeats a few hundred failures thousands of times; what differs between two repeats is their log
record line and the values in their messages, while their frames (most of a trace's lines) are the same lines.
`FrameBlocks` replaces each run of plain frame lines of a document by one placeholder frame, parses that short
text and puts the run's frames (parsed once per distinct run, from its redacted text) back in place of the
placeholder, with the line numbers and the trace text the whole text gives. A document whose traces carry lock
lines (a thread dump: lock events point at frames by position) is parsed whole instead.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from utils.parsing.log_sources import LogDocument
from utils.parsing.stacktrace import Frame, ThrownException, Trace, parse_log
from utils.pipeline.record import record_json
from utils.redact import map_strings

MIN_BLOCK_LINES = 3  # shorter runs of frames are left in place: the placeholder would save nothing
MAX_CACHED_BLOCKS = 50_000  # distinct frame runs kept; beyond it the cache starts over (memory stays bounded)
MAX_CACHED_STRINGS = 20_000  # per generation (two are kept: the strings in use survive a turnover)
MAX_CACHED_STRING_CHARS = 512  # longer strings (a region's text, a long message) are redacted each time, not kept
# A run of frame lines as a JVM prints them, one indentation for the run: `\tat pkg.Class.method(File.java:12)`,
# with logback's optional `~[jar:version]` / `[jar:version]` suffix.
_FRAME_RUN = re.compile(
    r"^(?P<indent>[ \t]+)at [\w$./@<>+-]+\([^()\n]*\)(?: ~?\[[^\]\n]*\])?"
    r"(?:\n(?P=indent)at [\w$./@<>+-]+\([^()\n]*\)(?: ~?\[[^\]\n]*\])?)*$",
    re.MULTILINE,
)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _letters(number: int) -> str:
    """`number` in letters (a, b, ... z, ba, bb ...): placeholders carry no digits, which redaction could read."""
    text = ""
    while True:
        number, digit = divmod(number, 26)
        text = _LETTERS[digit] + text
        if not number:
            return text


@dataclass
class _Block:
    name: str  # the placeholder's method name
    redacted: str  # the run's text after redaction
    frames: list[Frame]  # parsed from `redacted`
    lines: int
    hits: Counter[str]  # what redacting the run found, per kind (added to the counts again at every repeat)


class StringRedactor:
    """A redactor's `redact` with a memory: each distinct string is redacted once, and every call still adds its
    hits to the redactor's counts, so the counts are those of redacting every string."""

    def __init__(self, redactor: Any) -> None:
        self.redactor = redactor
        self.memory: dict[str, tuple[str, Counter[str]]] = {}
        self.previous: dict[str, tuple[str, Counter[str]]] = {}

    def redact(self, text: str) -> str:
        known = self.memory.get(text)
        if known is None:
            if len(text) > MAX_CACHED_STRING_CHARS:
                return self.redactor.redact(text)
            known = self.previous.get(text)
            if known is None:  # redacted here: its hits are counted by redact_found
                result, hits = self.redactor.redact_found(text)
                self._remember(text, (result, Counter(hit.kind for hit in hits)))
                return result
            self._remember(text, known)
        if known[1]:  # most strings hold no PII: nothing to add
            self.redactor.counts.update(known[1])
        return known[0]

    def _remember(self, text: str, known: tuple[str, Counter[str]]) -> None:
        if len(self.memory) >= MAX_CACHED_STRINGS:
            self.previous, self.memory = self.memory, {}
        self.memory[text] = known

    def redact_value(self, value: Any) -> Any:
        """A redacted copy of a JSON-like value, as `Redactor.redact_value` makes it."""
        return map_strings(value, self.redact)


class GroupRecordRedactor:
    """Writes output records as JSON lines, redacted with `strings` (a StringRedactor); the fields every record of a
    group shares (`fields`, utils.pipeline.record.GROUP_RECORD_FIELDS) are redacted and encoded once per group (most
    of a record's bytes): a repeat gets the group's first redacted values and adds their hits to the counts again, so
    lines and counts are those of redacting every record whole."""

    def __init__(self, strings: StringRedactor, fields: tuple[str, ...]) -> None:
        self.strings, self.fields = strings, fields
        # group -> (its shared fields redacted and encoded, their hits): grows with the groups, not the input
        self.groups: dict[str, tuple[dict[str, str], Counter[str]]] = {}

    def _shared(self, record: dict[str, Any], group: str) -> dict[str, str]:
        """The group's shared fields, each as its `"key": value` piece of the line."""
        known = self.groups.get(group)
        counts = self.strings.redactor.counts
        if known is None:
            before = Counter(counts)
            encoded = {name: f"{record_json(name)}: {record_json(self.strings.redact_value(record[name]))}"
                       for name in self.fields if name in record}
            known = self.groups[group] = (encoded, Counter(counts) - before)
        elif known[1]:
            counts.update(known[1])
        return known[0]

    def redact_json(self, record: dict[str, Any], group: str | None) -> str:
        """`record_json` of `record` redacted, byte for byte; `group`: its group (None: a trace analysed on its
        own, redacted whole)."""
        if group is None:
            return record_json(self.strings.redact_value(record))
        encoded = self._shared(record, group)
        # Each run of fields between shared ones is redacted and encoded in one call (a call per field was a third
        # of the time): a dict's JSON without its braces is its fields' `"key": value` joined by ", ", as the line
        # joins them.
        pieces: list[str] = []
        run: dict[str, Any] = {}
        for key, value in record.items():
            piece = encoded.get(key)
            if piece is None:
                run[key] = value
                continue
            if run:
                pieces.append(record_json(self.strings.redact_value(run))[1:-1])
                run = {}
            pieces.append(piece)
        if run:
            pieces.append(record_json(self.strings.redact_value(run))[1:-1])
        return "{" + ", ".join(pieces) + "}"


class FrameBlocks:
    """Parses documents with each run of frame lines parsed (and redacted, by `redactor`, a utils.redact.Redactor)
    once per distinct run; a repeat adds the run's hits to the redactor's counts again, so the counts are those of
    redacting every document whole."""

    def __init__(self, redactor: Any = None) -> None:
        self.redactor = redactor
        self.redact: Callable[[str], str] | None = redactor.redact if redactor is not None else None
        self.blocks: dict[str, _Block] = {}
        self.named = 0  # placeholder names handed out (never reused, even after the cache starts over)
        # id(frame) -> (generation, block number, index) for the frames of the cached runs (while cached, their ids
        # are theirs alone): utils.pipeline.batch_codec sends each to the parent process once
        self.frame_refs: dict[int, tuple[int, int, int]] = {}
        self.generation = 0  # how many times the cache started over
        self.hits = self.misses = 0

    def _block(self, raw: str) -> _Block | None:
        block = self.blocks.get(raw)
        if block is not None:
            self.hits += 1
            if self.redactor is not None:
                self.redactor.counts.update(block.hits)
            return block
        self.misses += 1
        redacted, found = self.redactor.redact_found(raw) if self.redactor is not None else (raw, [])
        hits = Counter(hit.kind for hit in found)
        lines = raw.count("\n") + 1
        parsed = parse_log(f"java.lang.RuntimeException\n{redacted}")
        frames = parsed[0].chain[0].frames if len(parsed) == 1 and parsed[0].chain else []
        if len(frames) != lines or redacted.count("\n") + 1 != lines:
            return None  # not read back as exactly its lines' frames: such a run stays in the text
        if len(self.blocks) >= MAX_CACHED_BLOCKS:
            self.blocks.clear()
            self.frame_refs.clear()
            self.generation += 1
        self.named += 1
        block = self.blocks[raw] = _Block(_letters(self.named), redacted, frames, lines, hits)
        for index, frame in enumerate(frames):
            self.frame_refs[id(frame)] = (self.generation, self.named, index)
        return block

    def parse(self, document: LogDocument) -> tuple[LogDocument, list[Trace]]:
        """(the document with its text redacted, its traces), as `parse_log` of the redacted text gives them."""
        pieces, blocks, position, line = [], [], 0, 0
        text = document.text
        for match in _FRAME_RUN.finditer(text):
            raw = match.group(0)
            if raw.count("\n") + 1 < MIN_BLOCK_LINES or (block := self._block(raw)) is None:
                continue
            pieces.append(text[position:match.start()])
            line += text.count("\n", position, match.start())
            placeholder = f"{match.group('indent')}at zzrepeat.Zzblock.{block.name}(Unknown Source)"
            pieces.append(placeholder)
            blocks.append((line, placeholder, block))
            position = match.end()
        if not blocks:
            return self._parse_whole(document)
        pieces.append(text[position:])
        skeleton = self._redacted("".join(pieces))
        traces = parse_log(skeleton, cut=document.cut)
        placed = _Placed.of(blocks)
        full = _expand(skeleton, placed)
        if full is None:  # a placeholder changed by redaction (none of its characters is one a rule reads)
            return self._parse_whole(document)
        if any(trace.locks for trace in traces):  # lock events point at frames by position: parse it whole
            return replace(document, text=full), parse_log(full, cut=document.cut)
        for trace in traces:
            _restore(trace, placed)
        return replace(document, text=full), traces

    def _redacted(self, text: str) -> str:
        return self.redact(text) if self.redact is not None else text

    def _parse_whole(self, document: LogDocument) -> tuple[LogDocument, list[Trace]]:
        redacted = self._redacted(document.text)
        return replace(document, text=redacted), parse_log(redacted, cut=document.cut)


# A placeholder line as `parse` writes it: its indentation and its block's name (letters only)
_PLACEHOLDER = re.compile(r"[ \t]*at zzrepeat\.Zzblock\.[a-z]+\(Unknown Source\)")


def _expand(skeleton: str, placed: _Placed) -> str | None:
    """The skeleton with each placeholder line replaced by its run's redacted lines; None when a placeholder did not
    survive redaction as it was written (then the document is parsed whole). One pass over the skeleton, whatever
    the number of blocks (a burst of thousands of traces is one region)."""
    if Counter(match.group(0) for match in _PLACEHOLDER.finditer(skeleton)
               if match.group(0) in placed.texts) != placed.placeholders:
        return None
    return placed.fill(skeleton)


@dataclass
class _Placed:
    """The blocks of one document, ready for `_restore`: by name, their texts, and their lines with the lines each
    adds (a running total), so each trace is restored in time that does not grow with the document's blocks."""

    by_name: dict[str, _Block]
    texts: dict[str, str]  # placeholder -> its run's redacted lines
    placeholders: Counter[str]  # how many times each placeholder was written into the skeleton
    lines: list[int]  # each placeholder's 0-based line in the skeleton, in order
    added: list[int]  # lines the blocks up to and including this one add

    @classmethod
    def of(cls, blocks: list[tuple[int, str, _Block]]) -> _Placed:
        added, total = [], 0
        for _, _, block in blocks:
            total += block.lines - 1
            added.append(total)
        return cls({block.name: block for _, _, block in blocks},
                   {placeholder: block.redacted for _, placeholder, block in blocks},
                   Counter(placeholder for _, placeholder, _ in blocks), [line for line, _, _ in blocks], added)

    def fill(self, text: str) -> str:
        """`text` with each placeholder line replaced by its run's lines."""
        return _PLACEHOLDER.sub(lambda match: self.texts.get(match.group(0), match.group(0)), text)

    def added_before(self, line: int) -> int:
        """Lines added by the blocks whose placeholder line is below `line`."""
        count = bisect.bisect_left(self.lines, line)
        return self.added[count - 1] if count else 0


def _restore(trace: Trace, placed: _Placed) -> None:
    """Puts the runs' frames, lines and text back into a trace parsed from the skeleton."""
    for exception in _exceptions(trace.chain):
        if any(frame.class_name == "zzrepeat.Zzblock" for frame in exception.frames):
            frames: list[Frame] = []
            for frame in exception.frames:
                block = placed.by_name.get(frame.method) if frame.class_name == "zzrepeat.Zzblock" else None
                frames.extend(block.frames if block is not None else (frame,))
            exception.frames = frames
    # `lines`: the placeholders' 0-based lines in the skeleton as parsed; the trace's are 1-based
    start, end = trace.start_line, trace.end_line
    trace.start_line += placed.added_before(start - 1)
    trace.end_line += placed.added_before(end)
    if "zzrepeat.Zzblock." in trace.text:
        trace.text = placed.fill(trace.text)


def _exceptions(chain: list[ThrownException]) -> list[ThrownException]:
    """Every exception of a chain, the suppressed ones and their causes included."""
    found: list[ThrownException] = []
    for exception in chain:
        found.append(exception)
        found.extend(_exceptions(exception.suppressed))
        found.extend(_exceptions(exception.cause_chain))
    return found
