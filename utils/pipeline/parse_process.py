"""predict.py's reading and parsing in a second process, so that a 2-core machine reads, scans, parses and redacts
the log on one core while the first loads the models, analyses each group and writes the records.

The child is forked (it shares the parent's inputs, redactor and label set as they were at the fork, before any
model is loaded) and runs the same generator of parsed batches the one-process path runs. Each batch is pickled to
its own file in a temporary directory and its name sent through a queue; the parent reads and deletes it. Files, not
the queue, hold the batches because the parent falls far behind while it loads and runs the models (the first
batches hold every new failure): held in memory, a bounded queue made the child wait for those ~20 s, an unbounded
one would grow with them; on disk the lag costs no memory (at most `MAX_BATCHES_AHEAD` files). At the end the child
sends what only it saw: the stream's skips and counts and the redactor's hits, which the parent adds to its own, so
the run reports what the one-process run reports. The output is the same: batches arrive in order.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue as queue_module
import shutil
import signal
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from utils.parsing.log_sources import DocumentStream, SkipReport

MAX_BATCHES_AHEAD = 512  # batch files (~5 MB each, ~9 MB of a production log) the child may write ahead
_POLL_SECONDS = 1.0  # how often a waiting parent checks that the child is still alive
# Parsing allocates millions of small objects that form no cycles; at the default threshold (700) the collector
# ran over them ~10% of the child's time (4.18 vs 3.75 s for 100 MB; unpickling a batch: 0.51 vs 0.24 s).
_CHILD_GC_THRESHOLD = (100_000, 50, 100)


def parse_process_available() -> bool:
    """A second process pays on 2+ cores, and is made by fork (shared inputs, nothing re-imported): Linux / macOS."""
    return (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()


class _Progress:
    """Bytes read since the last batch was sent (the child's DocumentStream.on_bytes)."""

    def __init__(self) -> None:
        self.pending = 0

    def __call__(self, count: int) -> None:
        self.pending += count

    def take(self) -> int:
        count, self.pending = self.pending, 0
        return count


def _put(channel: Any, message: tuple[Any, ...], spill: str | None = None,
         dumps: Callable[[Any], bytes] | None = None) -> None:
    # Pickled here, not in the queue's feeder thread: an object that cannot be pickled fails in this process, where
    # it is reported, instead of being dropped by the thread (the parent would wait for ever).
    data = dumps(message) if dumps is not None else pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    if spill is None:
        channel.put(data)
        return
    with open(spill, "wb") as out:
        out.write(data)
    channel.put(pickle.dumps(("file", spill)))


_CHILD_RECURSION_LIMIT = 20_000


def _child(produce: Callable[[], Iterator[Any]], stream: Any, redactor: Any, channel: Any, spill_dir: str,
           codec: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's "unwind on SIGTERM" is not for the child it stops
    # pickling a batch recurses through each trace's nesting (a few calls per level): 200 nested `Suppressed:` blocks
    # passed Python's default limit, where the one-process path reads 1,000
    sys.setrecursionlimit(max(sys.getrecursionlimit(), _CHILD_RECURSION_LIMIT))
    gc.freeze()  # what the parent made before the fork: never scanned again (nor its pages copied by the scan)
    gc.set_threshold(*_CHILD_GC_THRESHOLD)
    progress = _Progress()
    if isinstance(stream, DocumentStream):
        stream.on_bytes = progress
    before = Counter(redactor.counts) if redactor is not None else Counter()
    # what the stream had counted before the fork (a directory's hidden files) is the parent's already
    known = (len(stream.skips.skipped), len(stream.skips.warnings)) if isinstance(stream, DocumentStream) else (0, 0)
    try:
        for number, batch in enumerate(produce()):
            _put(channel, ("batch", batch, progress.take()), os.path.join(spill_dir, f"{number}.pickle"),
                 codec.dumps if codec is not None else None)
        hits = Counter(redactor.counts) - before if redactor is not None else Counter()
        read = (_added_since(stream.skips, known), stream.stats) if isinstance(stream, DocumentStream) else None
        _put(channel, ("end", read, hits, progress.take()))
    except BaseException as error:  # noqa: BLE001 - every failure goes to the parent, which raises it
        try:
            _put(channel, ("error", error))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled travels as its text
            _put(channel, ("error", RuntimeError(f"{type(error).__name__}: {error}")))


def _added_since(skips: SkipReport, known: tuple[int, int]) -> SkipReport:
    """The skips and warnings counted after the first `known` ones."""
    return SkipReport(skips.skipped[known[0]:], skips.warnings[known[1]:])


def _loads_without_gc(data: bytes, loads: Callable[[bytes], Any] = pickle.loads) -> Any:
    """`loads` with the collector paused: a batch is thousands of new objects and no cycles, so every collection
    the allocations would trigger is wasted."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return loads(data)
    finally:
        if enabled:
            gc.enable()


class ParseProcess:
    """Runs `produce()` (a generator of parsed batches) in a forked child; `batches()` yields them in order.
    `codec` (utils.pipeline.batch_codec.BatchCodec): pickles the batches in the child and reads them here; None:
    plain pickle."""

    def __init__(self, produce: Callable[[], Iterator[Any]], stream: Any, redactor: Any,
                 max_batches_ahead: int = MAX_BATCHES_AHEAD, codec: Any = None) -> None:
        context = multiprocessing.get_context("fork")
        self.stream, self.redactor, self.codec = stream, redactor, codec
        self.spill_dir = tempfile.mkdtemp(prefix="predict-parse-")
        self.channel = context.Queue(maxsize=max_batches_ahead)
        self.process = context.Process(target=_child, daemon=True, name="predict-parse",
                                       args=(produce, stream, redactor, self.channel, self.spill_dir, codec))
        self.process.start()

    def _receive(self) -> tuple[Any, ...]:
        while True:
            try:
                message = pickle.loads(self.channel.get(timeout=_POLL_SECONDS))
            except queue_module.Empty:
                if not self.process.is_alive():
                    raise RuntimeError(f"the parse process ended without a result (exit code "
                                       f"{self.process.exitcode})") from None
                continue
            if message[0] != "file":
                return message
            with open(message[1], "rb") as spilled:
                data = spilled.read()
            os.remove(message[1])
            return _loads_without_gc(data, self.codec.loads if self.codec is not None else pickle.loads)

    def batches(self, on_bytes: Callable[[int], None] | None = None) -> Iterator[Any]:
        """The child's batches in order; at the end its skips, counts and redaction hits are the parent's."""
        try:
            while True:
                message = self._receive()
                if message[0] == "error":
                    raise message[1]
                if on_bytes is not None and message[-1]:
                    on_bytes(message[-1])
                if message[0] == "batch":
                    yield message[1]
                    continue
                _, read, hits, _ = message
                if read is not None:  # the parent's stream read nothing itself: what the child's read is its own
                    skips, stats = read
                    self.stream.skips.skipped.extend(skips.skipped)
                    self.stream.skips.warnings.extend(skips.warnings)
                    self.stream.stats.documents += stats.documents
                    self.stream.stats.bytes_read += stats.bytes_read
                if self.redactor is not None:
                    self.redactor.counts.update(hits)
                return
        finally:
            self.close()

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.channel.close()
        shutil.rmtree(self.spill_dir, ignore_errors=True)
