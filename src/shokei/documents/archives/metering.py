"""Metering the bytes an archive makes us read: a counting reader for the compressed side, the
compression-ratio gauge, the budget shared by all nested layers, and `MemberStream`, which reads a
member through the size, total and ratio limits. Also the translation of a library's read errors
into a CORRUPT refusal.
This is where the limits of `rules` are enforced on actual bytes, whichever format the
bytes come from, so the format readers never count anything themselves.
"""

from __future__ import annotations

import io
import lzma
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol, TypeVar

from shokei.documents.archives.rules import (
    COPY_CHUNK,
    ArchiveLimits,
    ArchiveRefusedError,
    Refusal,
    RefusalReason,
)
from shokei.formats.sniff import HEAD_SIZE

_Handle = TypeVar("_Handle", bound=AbstractContextManager[Any])


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class CountingReader:
    """A seekable file wrapper counting the bytes read through it (the compressed side)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.consumed += len(data)
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        """The underlying file belongs to the caller."""


@dataclass
class RatioGauge:
    """Bytes produced against bytes consumed from the container, judged past the grace size."""

    consumed: Callable[[], int]
    produced: int = 0

    def exceeded(self, limits: ArchiveLimits) -> bool:
        if self.produced <= limits.ratio_grace_bytes:
            return False
        return self.produced > limits.max_ratio * max(self.consumed(), 1)


@dataclass
class Budget:
    """What all layers of one archive have used so far."""

    limits: ArchiveLimits
    entries: int = 0
    total_bytes: int = 0
    seen_paths: set[str] = field(default_factory=set)

    def count_entry(self, path: str) -> None:
        self.entries += 1
        if self.entries > self.limits.max_members:
            raise ArchiveRefusedError(Refusal(path, RefusalReason.TOO_MANY_MEMBERS))

    def count_bytes(self, count: int, path: str) -> None:
        self.total_bytes += count
        if self.total_bytes > self.limits.max_total_bytes:
            raise ArchiveRefusedError(Refusal(path, RefusalReason.TOTAL_TOO_LARGE))


READ_ERRORS = (
    OSError,  # gzip.BadGzipFile and bz2's "Invalid data stream" are OSErrors
    EOFError,
    zlib.error,
    lzma.LZMAError,
    zipfile.BadZipFile,
    tarfile.TarError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    struct.error,
)


class MemberStream(io.RawIOBase):
    """A member's bytes, read through the size, total and ratio limits.

    The first `HEAD_SIZE` bytes can be looked at (`head()`) and are still returned by `read`.
    Without a budget and gauge the bytes are only counted: they were measured once already.
    """

    def __init__(
        self,
        inner: Readable,
        path: str,
        budget: Budget | None = None,
        gauge: RatioGauge | None = None,
    ) -> None:
        super().__init__()
        self._inner, self.path = inner, path
        self._budget, self._gauge = budget, gauge
        self._pending = b""
        self.produced = 0

    def readable(self) -> bool:
        return True

    def head(self) -> bytes:
        """The first bytes of the member (up to `HEAD_SIZE`), without consuming them."""
        pieces = [self._pending]
        size = len(self._pending)
        while size < HEAD_SIZE and (piece := self._read_inner(HEAD_SIZE - size)):
            pieces.append(piece)
            size += len(piece)
        self._pending = b"".join(pieces)
        return self._pending

    def drain(self) -> None:
        """Read (and account for) everything left, discarding it."""
        while self.read(COPY_CHUNK):
            pass

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._pending:
            data, self._pending = self._pending[: len(buffer)], self._pending[len(buffer) :]
        else:
            data = self._read_inner(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _read_inner(self, size: int) -> bytes:
        try:
            data = self._inner.read(size)
        except READ_ERRORS as error:
            raise ArchiveRefusedError(Refusal(self.path, RefusalReason.CORRUPT)) from error
        self._account(len(data))
        return data

    def _account(self, count: int) -> None:
        self.produced += count
        if self._budget is None or self._gauge is None:
            return
        limits = self._budget.limits
        self._gauge.produced += count
        self._budget.count_bytes(count, self.path)
        if self.produced > limits.max_member_bytes:
            raise ArchiveRefusedError(Refusal(self.path, RefusalReason.MEMBER_TOO_LARGE))
        if self._gauge.exceeded(limits):
            raise ArchiveRefusedError(Refusal(self.path, RefusalReason.COMPRESSION_RATIO))


def read_quietly(stream: Readable, size: int, path: str) -> bytes:
    try:
        return stream.read(size)
    except READ_ERRORS as error:
        raise ArchiveRefusedError(Refusal(path, RefusalReason.CORRUPT)) from error


@contextmanager
def opened(path: str, opener: Callable[[], _Handle]) -> Iterator[_Handle]:
    """Open a container or member, turning a library's complaint into a CORRUPT refusal."""
    try:
        handle = opener()
    except READ_ERRORS as error:
        raise ArchiveRefusedError(Refusal(path, RefusalReason.CORRUPT)) from error
    with handle:
        yield handle
