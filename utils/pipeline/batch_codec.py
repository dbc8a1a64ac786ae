"""How predict.py's parse process pickles its batches for the parent (utils/pipeline/parse_process.py): each frame
of a cached run of frames (utils.pipeline.repeat_cache.FrameBlocks) travels once, and afterwards as a reference.

A production log's traces are mostly the same runs of frames again; a batch holds each distinct run's frames once
(pickle's memo), but every batch held them again, and unpickling those Frame objects was most of the parent's cost
of reading a batch (20 batches of the production log: 1.21 s with them, 0.27 s with references). The parent keeps
the frames it was sent; when the child's cache starts over, so does the parent's (the references carry the cache's
generation).
"""

from __future__ import annotations

import io
import pickle
from dataclasses import fields
from typing import Any

from utils.parsing.stacktrace import Frame

_FRAME_FIELDS = tuple(field.name for field in fields(Frame))
Ref = tuple[int, int, int]  # (generation, block number, index): FrameBlocks.frame_refs


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
        ref = self.codec.blocks.frame_refs.get(id(obj))
        if ref is None:
            return NotImplemented
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
        self.sent_generation = 0
        self.received: dict[Ref, Frame] = {}  # parent: the frames sent so far (of the child's current generation)
        self.received_generation = 0

    def dumps(self, value: Any) -> bytes:
        if self.sent_generation != self.blocks.generation:  # the cache started over: its old frames go in full
            self.sent.clear()
            self.sent_generation = self.blocks.generation
        buffer = io.BytesIO()
        _Pickler(buffer, self).dump(value)
        return buffer.getvalue()

    def loads(self, data: bytes) -> Any:
        return _Unpickler(io.BytesIO(data), self).load()

    def received_new(self, ref: Ref, values: tuple[Any, ...]) -> Frame:
        if ref[0] != self.received_generation:  # the child's cache started over: no older reference follows
            self.received.clear()
            self.received_generation = ref[0]
        frame = self.received[ref] = Frame(*values)
        return frame
