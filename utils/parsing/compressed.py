"""Rotated and archived logs, read as the text they hold: gzip, bzip2 and xz through the stdlib's streaming
decompressors (logrotate's `app.log.1.gz`, an archive's `.bz2` / `.xz`), in bounded memory whatever their size.
zstd (no stdlib reader before Python 3.14) and zip (a folder of files, not one stream) are named so that the skip
says which tool reads them.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class Compression:
    name: str
    header: re.Pattern[bytes]  # matched whole: bzip2's "BZh" alone starts words a text log may start with
    tool: str  # what reads it on a shell, for the skip's reason where it is not read here
    opener: Callable[[BinaryIO], BinaryIO] | None  # the stdlib's streaming reader, None where there is none

    def decompress(self, raw: bytes, limit: int) -> bytes | None:
        """What `raw` holds, None when that is more than `limit` bytes: read no further than one byte past it, so a
        small archive of a huge text never fills memory."""
        assert self.opener is not None
        text = self.opener(io.BytesIO(raw)).read(limit + 1)
        return text if len(text) <= limit else None

    def open(self, head: bytes, rest: BinaryIO, read: Callable[[BinaryIO], bytes]) -> BinaryIO:
        """The decompressed stream of `head` (the bytes already read to recognise it) then the rest of `rest`, read
        with `read` (so a caller counts the compressed bytes as they are read)."""
        assert self.opener is not None
        return self.opener(_Rejoined(head, rest, read))


# The readers wrap a stream the caller holds open and reads to its end: no file of their own to close.
FORMATS = (
    Compression("gzip", re.compile(rb"\x1f\x8b\x08"), "zcat", lambda raw: gzip.GzipFile(fileobj=raw, mode="rb")),
    Compression("bzip2", re.compile(rb"BZh[1-9](?:1AY&SY|\x17rE8P\x90)"), "bzcat",
                lambda raw: bz2.BZ2File(raw, mode="rb")),
    Compression("xz", re.compile(rb"\xfd7zXZ\x00"), "xzcat", lambda raw: lzma.LZMAFile(raw, mode="rb")),  # noqa: SIM115
    Compression("zstd", re.compile(rb"\x28\xb5\x2f\xfd"), "zstdcat", None),
    Compression("zip", re.compile(rb"PK\x03\x04"), "unzip -p", None),
)
# What a damaged or cut-short stream raises while it is read: a counted skip, after what was read before it.
DECOMPRESSION_ERRORS = (EOFError, OSError, lzma.LZMAError, zlib.error)


def compression(raw: bytes) -> Compression | None:
    """The compression whose header `raw` starts with, None for anything else."""
    return next((kind for kind in FORMATS if kind.header.match(raw)), None)


class _Rejoined(io.RawIOBase):
    """`head`, then the rest of a stream: the decompressor reads the header bytes that were read to recognise it."""

    def __init__(self, head: bytes, rest: BinaryIO, read: Callable[[BinaryIO], bytes]) -> None:
        super().__init__()
        self.pending, self.offset, self.rest, self.read_more = memoryview(head), 0, rest, read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.offset == len(self.pending):
            self.pending, self.offset = memoryview(self.read_more(self.rest)), 0
        size = min(len(buffer), len(self.pending) - self.offset)
        buffer[:size] = self.pending[self.offset:self.offset + size]
        self.offset += size
        return size


class UntilDamaged:
    """Reads a decompressed stream `size` bytes at a time (`read1` pieces joined: one `read(size)` of a stream cut
    short raises and drops the text it had decompressed) and ends it where it breaks, keeping the error for the
    caller to report: a log copied halfway is read up to the cut."""

    def __init__(self, size: int, name: str) -> None:
        self.size, self.name = size, name
        self.error: Exception | None = None
        self.reported = False  # the caller said so already (a stream damaged from its start is no empty input)

    def reason(self) -> str:
        """The skip's reason, once the stream broke."""
        self.reported = True
        return f"{self.name} data cut short or damaged ({self.error}); what came before it was read"

    def __call__(self, stream: BinaryIO) -> bytes:
        parts: list[bytes] = []
        got = 0
        while got < self.size and self.error is None:
            try:
                part = stream.read1(self.size - got)  # type: ignore[attr-defined]
            except DECOMPRESSION_ERRORS as error:
                self.error = error
                break
            if not part:
                break
            parts.append(part)
            got += len(part)
        return b"".join(parts)

