"""How predict.py's parse process pickles its batches for the parent (utils/pipeline/parse_process.py): each frame
of a cached run of frames (utils.pipeline.repeat_cache.FrameBlocks) travels once, and afterwards as a reference.

A production log's traces are mostly the same runs of frames again; a batch holds each distinct run's frames once
(pickle's memo), but every batch held them again, and unpickling those Frame objects was most of the parent's cost
of reading a batch (20 batches of the production log: 1.21 s with them, 0.27 s with references). The parent keeps
the frames it was sent. It drops them, and the child sends frames in full again, when the child's cache starts over
and when the parent holds `MAX_SENT_FRAMES` (a log of many distinct runs must not grow the parent with the child's
cache of 50,000 runs); the references carry that epoch.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import fields
from typing import Any

from utils.parsing.stacktrace import Frame

_FRAME_FIELDS = tuple(field.name for field in fields(Frame))
# Frames the parent keeps at most (~720 B each: ~70 MB); the 1 GB production log has 11,211 in 363 runs.
MAX_SENT_FRAMES = 100_000
Ref = tuple[int, int, int]  # (epoch, block number, index): an epoch ends when the child's cache or the parent's fills


def _frame_new(ref: Ref, values: tuple[Any, ...]) -> Frame:
    raise pickle.UnpicklingError("a batch with frame references must be read by BatchCodec.loads")


def _frame_ref(ref: Ref) -> Frame:
    raise pickle.UnpicklingError("a batch with frame references must be read by BatchCodec.loads")


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, codec: BatchCodec) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.codec = codec

    def reducer_override(self, obj: Any) -> Any:
        # called for objects other than str, int, list, dict ...: Frames, traces, records (a few per trace)
        if type(obj) is not Frame:
            return NotImplemented
        cached = self.codec.blocks.frame_refs.get(id(obj))
        if cached is None:
            return NotImplemented
        ref = (self.codec.epoch, cached[1], cached[2])
        if ref in self.codec.sent:
            return _frame_ref, (ref,)
        self.codec.sent.add(ref)
        return _frame_new, (ref, tuple(getattr(obj, name) for name in _FRAME_FIELDS))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, codec: BatchCodec) -> None:
        super().__init__(file)
        self.codec = codec

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_frame_new":
            return self.codec.received_new
        if module == __name__ and name == "_frame_ref":
            return self.codec.received.__getitem__
        return super().find_class(module, name)


class BatchCodec:
    """`dumps` in the parse process, `loads` in the parent (each process has its own copy after the fork); `blocks`:
    the FrameBlocks that parses the batches."""

    def __init__(self, blocks: Any) -> None:
        self.blocks = blocks
        self.sent: set[Ref] = set()  # child: the frames the parent has
        self.sent_generation = 0  # the child's cache generation they come from
        self.epoch = 0  # child: counts the times the parent was made to start over
        self.received: dict[Ref, Frame] = {}  # parent: the frames sent in the current epoch
        self.received_epoch = 0

    def dumps(self, value: Any) -> bytes:
        # The cache started over (its old frames go in full), or the parent holds enough: a new epoch, whose first
        # frame tells the parent to drop the frames of the last (a batch's references are all of one epoch).
        if self.sent_generation != self.blocks.generation or len(self.sent) >= MAX_SENT_FRAMES:
            self.sent.clear()
            self.sent_generation = self.blocks.generation
            self.epoch += 1
        buffer = io.BytesIO()
        _Pickler(buffer, self).dump(value)
        return buffer.getvalue()

    def loads(self, data: bytes) -> Any:
        return _Unpickler(io.BytesIO(data), self).load()

    def received_new(self, ref: Ref, values: tuple[Any, ...]) -> Frame:
        if ref[0] != self.received_epoch:  # a new epoch: no reference to an older frame follows
            self.received.clear()
            self.received_epoch = ref[0]
        frame = self.received[ref] = Frame(*values)
        return frame
