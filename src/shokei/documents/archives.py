"""Defensive, streaming expansion of ZIP and TAR archives (plain or gzip/bzip2/xz-compressed).

The contract is two passes, so that nothing is stored half-way:

1. `scan_archive(path)` reads every member once, through the limits, and returns an
   `ArchiveScan`: either the accepted members (path, size, SHA-256) plus members refused one by
   one, or a refusal of the whole archive. Nothing is written anywhere but anonymous temporary
   files for nested archives, deleted at once.
2. Only when the scan is accepted, `iter_members(path, scan)` walks the archive again and yields
   each accepted member with a stream over its bytes. Each stream checks its SHA-256 against the
   scan at end of file (`ArchiveChangedError` if the file changed in between). Read each stream
   to its end before taking the next: TAR members can only be read in order.

What refuses the whole archive (`WHOLE_ARCHIVE_REASONS`): names that escape (`..`, absolute
paths, drive letters, control characters), anything over a limit (members, total bytes,
member size, compression ratio, nesting depth) and corrupt or unsupported containers. These are
the marks of a hostile or broken archive: a partial intake of such a file is worse than none.
What refuses only the member: symbolic and hard links, devices, FIFOs and sockets (never
created, so harmless to skip), encrypted ZIP members (no password is ever guessed), sparse TAR
members, unsupported ZIP compression methods and duplicate paths (the first one wins).

Ratios are measured, not read from headers: compressed bytes actually consumed from the
container against bytes actually produced, per member for ZIP and over the whole stream for a
compressed TAR (a stream compressor cannot be apportioned to members). Small outputs, below
`ratio_grace_bytes`, are not judged: tiny files legitimately compress beyond any ratio.

Member paths are relative, `/`-separated; members of a nested archive are named below the
nested archive's own path (`drawings.tar/part/a.dxf`), a single compressed file by its name
without the suffix (`a.pdf.gz` gives `a.pdf`). Nested office files (DOCX, XLSX, ODF) are
documents, not archives, and nested 7z/RAR files cannot be opened here: both are yielded whole.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import re
import shutil
import stat
import struct
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, Protocol, Self, TypeVar, cast

from shokei.documents.sniff import (
    HEAD_SIZE,
    ArchiveKind,
    detect_archive,
    detect_archive_path,
    is_document_package,
    is_tar_header,
)

KiB, MiB, GiB = 1024, 1024**2, 1024**3
_Handle = TypeVar("_Handle", bound=AbstractContextManager[Any])
COPY_CHUNK = 64 * KiB


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what one archive (all its nested layers together) may make us read."""

    max_depth: int = 3  # archive layers opened, the outer one included
    max_members: int = 10_000  # entries of all layers together, directories included
    max_total_bytes: int = 20 * GiB  # bytes produced, nested archives counted as well
    max_member_bytes: int = 4 * GiB
    max_ratio: float = 100.0  # produced : consumed
    ratio_grace_bytes: int = 1 * MiB
    spool_memory_bytes: int = 8 * MiB  # nested archives up to this size are spooled in memory


DEFAULT_LIMITS = ArchiveLimits()


class RefusalReason(StrEnum):
    """Why an archive, or one of its members, was refused."""

    TRAVERSAL = "traversal"
    ABSOLUTE_PATH = "absolute_path"
    DRIVE_LETTER = "drive_letter"
    INVALID_NAME = "invalid_name"
    TOO_MANY_MEMBERS = "too_many_members"
    TOTAL_TOO_LARGE = "total_too_large"
    MEMBER_TOO_LARGE = "member_too_large"
    COMPRESSION_RATIO = "compression_ratio"
    TOO_DEEP = "too_deep"
    CORRUPT = "corrupt"
    UNSUPPORTED_FORMAT = "unsupported_format"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    DEVICE = "device"
    FIFO = "fifo"
    ENCRYPTED = "encrypted"
    SPARSE = "sparse"
    UNSUPPORTED_COMPRESSION = "unsupported_compression"
    DUPLICATE = "duplicate"


WHOLE_ARCHIVE_REASONS = frozenset(
    {
        RefusalReason.TRAVERSAL,
        RefusalReason.ABSOLUTE_PATH,
        RefusalReason.DRIVE_LETTER,
        RefusalReason.INVALID_NAME,
        RefusalReason.TOO_MANY_MEMBERS,
        RefusalReason.TOTAL_TOO_LARGE,
        RefusalReason.MEMBER_TOO_LARGE,
        RefusalReason.COMPRESSION_RATIO,
        RefusalReason.TOO_DEEP,
        RefusalReason.CORRUPT,
        RefusalReason.UNSUPPORTED_FORMAT,
    }
)


@dataclass(frozen=True)
class Refusal:
    """A refused member (or, with `member_path` "", the archive itself) and why."""

    member_path: str
    reason: RefusalReason


@dataclass(frozen=True)
class ArchiveMember:
    """An accepted member: where it sits in the archive, its size and content hash."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ArchiveScan:
    """The verdict of `scan_archive`: accepted members, or a refusal of the whole archive."""

    kind: ArchiveKind | None
    limits: ArchiveLimits
    members: tuple[ArchiveMember, ...] = ()
    refused_members: tuple[Refusal, ...] = ()
    refusal: Refusal | None = None

    @property
    def accepted(self) -> bool:
        """True when the members may be stored; False means store nothing of this archive."""
        return self.refusal is None


class ArchiveRefusedError(Exception):
    """Raised inside the walk when a rule refuses the whole archive."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"{refusal.reason}: {refusal.member_path or '(archive)'}")
        self.refusal = refusal


class ArchiveChangedError(Exception):
    """The archive read in the second pass is not the one the scan accepted."""


# --- names ------------------------------------------------------------------------------------

_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")


def clean_member_path(raw: str) -> str:
    """`raw` as a relative `/`-separated path, or ArchiveRefusedError if it could escape.

    Backslashes count as separators (Windows tools write them); `.` and empty components are
    dropped; any `..` is refused even when it would stay inside, as no honest tool writes it.
    """
    name = raw.replace("\\", "/")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        raise ArchiveRefusedError(Refusal(raw, RefusalReason.INVALID_NAME))
    if _DRIVE_LETTER.match(name):
        raise ArchiveRefusedError(Refusal(raw, RefusalReason.DRIVE_LETTER))
    if name.startswith("/"):
        raise ArchiveRefusedError(Refusal(raw, RefusalReason.ABSOLUTE_PATH))
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ArchiveRefusedError(Refusal(raw, RefusalReason.TRAVERSAL))
    if not parts:
        raise ArchiveRefusedError(Refusal(raw, RefusalReason.INVALID_NAME))
    return "/".join(parts)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


# --- metering ---------------------------------------------------------------------------------


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _CountingReader:
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
class _RatioGauge:
    """Bytes produced against bytes consumed from the container, judged past the grace size."""

    consumed: Callable[[], int]
    produced: int = 0

    def exceeded(self, limits: ArchiveLimits) -> bool:
        if self.produced <= limits.ratio_grace_bytes:
            return False
        return self.produced > limits.max_ratio * max(self.consumed(), 1)


@dataclass
class _Budget:
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


_READ_ERRORS = (
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
        inner: _Readable,
        path: str,
        budget: _Budget | None = None,
        gauge: _RatioGauge | None = None,
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
        except _READ_ERRORS as error:
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


# --- walking ----------------------------------------------------------------------------------

Event = tuple[str, MemberStream] | Refusal


@dataclass
class _Walk:
    """One traversal of an archive and its nested archives, yielding members or refusals."""

    budget: _Budget
    spool_dir: Path | None

    @property
    def limits(self) -> ArchiveLimits:
        return self.budget.limits

    def archive(
        self, source: BinaryIO, kind: ArchiveKind, prefix: str, depth: int, container: str
    ) -> Iterator[Event]:
        """Members of the archive in `source` (seekable) at nesting `depth` (the outer one is 1).

        Members are named below `prefix`; `container` names a single compressed file.
        """
        if depth > self.limits.max_depth:
            raise ArchiveRefusedError(Refusal(prefix, RefusalReason.TOO_DEEP))
        if kind is ArchiveKind.ZIP:
            yield from self._zip(source, prefix, depth)
        elif kind is ArchiveKind.TAR:
            yield from self._tar(source, prefix, depth)
        elif kind in _DECOMPRESSORS:
            yield from self._compressed(source, kind, prefix, depth, container)
        else:
            raise ArchiveRefusedError(Refusal(prefix, RefusalReason.UNSUPPORTED_FORMAT))

    def _admit(self, prefix: str, raw_name: str) -> str:
        """The member's full path, counted; refuses escaping names and too many entries."""
        path = _join(prefix, clean_member_path(raw_name))
        self.budget.count_entry(path)
        return path

    def _first_time(self, path: str) -> bool:
        if path in self.budget.seen_paths:
            return False
        self.budget.seen_paths.add(path)
        return True

    def _member(self, stream: MemberStream, depth: int) -> Iterator[Event]:
        """The member itself, or, when it is an archive, the members inside it."""
        if not self._first_time(stream.path):
            yield Refusal(stream.path, RefusalReason.DUPLICATE)
            return
        kind = detect_archive(stream.head())
        if kind is None or kind in (ArchiveKind.SEVEN_ZIP, ArchiveKind.RAR):
            yield stream.path, stream  # 7z/RAR cannot be opened here: kept whole, as a file
            return
        with self._spool(stream) as spooled:
            if kind is ArchiveKind.ZIP and is_document_package(spooled):
                spooled.seek(0)
                yield stream.path, MemberStream(spooled, stream.path)  # counted while spooling
                return
            spooled.seek(0)
            yield from self.archive(spooled, kind, stream.path, depth + 1, stream.path)

    @contextmanager
    def _spool(self, stream: MemberStream) -> Iterator[BinaryIO]:
        """The member copied (through its limits) to an anonymous temporary file."""
        directory = str(self.spool_dir) if self.spool_dir else None
        with tempfile.SpooledTemporaryFile(max_size=self.limits.spool_memory_bytes, dir=directory) as spooled:
            shutil.copyfileobj(stream, spooled, COPY_CHUNK)
            yield cast(BinaryIO, spooled)

    # ZIP -------------------------------------------------------------------------------------

    def _zip(self, source: BinaryIO, prefix: str, depth: int) -> Iterator[Event]:
        room = self.limits.max_members - self.budget.entries
        if _zip_directory_too_big(_zip_directory(source), room):
            raise ArchiveRefusedError(Refusal(prefix, RefusalReason.TOO_MANY_MEMBERS))
        counter = _CountingReader(source)
        with _opened(prefix, lambda: zipfile.ZipFile(cast(BinaryIO, counter))) as archive:
            for info in archive.infolist():
                path = self._admit(prefix, info.filename)
                if info.is_dir():
                    continue
                refusal = _zip_member_refusal(info, path, self.limits)
                if refusal is not None:
                    yield refusal
                    continue
                yield from self._zip_member(archive, info, path, counter, depth)

    def _zip_member(
        self,
        archive: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        path: str,
        counter: _CountingReader,
        depth: int,
    ) -> Iterator[Event]:
        start = counter.consumed
        gauge = _RatioGauge(consumed=lambda: counter.consumed - start)
        with _opened(path, lambda: archive.open(info)) as inner:
            yield from self._member(MemberStream(inner, path, self.budget, gauge), depth)

    # TAR -------------------------------------------------------------------------------------

    def _tar(
        self, source: BinaryIO, prefix: str, depth: int, compression: ArchiveKind | None = None
    ) -> Iterator[Event]:
        """Members of a TAR, decompressed here (not by tarfile, which skips the CRC check)."""
        counter = _CountingReader(source)
        gauge = _RatioGauge(consumed=lambda: counter.consumed)  # one stream: one ratio
        if compression is None:
            yield from self._tar_entries(cast(BinaryIO, counter), prefix, depth, gauge)
            return
        with _opened(prefix, lambda: _decompressing(compression, cast(BinaryIO, counter))) as tar:
            yield from self._tar_entries(cast(BinaryIO, tar), prefix, depth, gauge)
            # Reading to the end makes the decompressor verify its checksum and length.
            MemberStream(tar, prefix, self.budget, gauge).drain()

    def _tar_entries(self, tar: BinaryIO, prefix: str, depth: int, gauge: _RatioGauge) -> Iterator[Event]:
        end_markers: list[bool] = []
        with _opened(prefix, lambda: _open_tar_stream(tar, end_markers)) as archive:
            while (info := _next_tar_entry(archive, prefix)) is not None:
                path = self._admit(prefix, info.name)
                if info.isdir():
                    continue
                refusal = _tar_member_refusal(info, path, self.limits)
                if refusal is not None:
                    yield refusal
                    continue
                inner = archive.extractfile(info)
                if inner is not None:
                    yield from self._member(MemberStream(inner, path, self.budget, gauge), depth)
        # tarfile ends quietly at a cut-off or garbage header; only the zero block is an end.
        if not end_markers or not end_markers[-1]:
            raise ArchiveRefusedError(Refusal(prefix, RefusalReason.CORRUPT))

    # gzip / bzip2 / xz -----------------------------------------------------------------------

    def _compressed(
        self, source: BinaryIO, kind: ArchiveKind, prefix: str, depth: int, container: str
    ) -> Iterator[Event]:
        """A compressed TAR, or a single compressed file (`a.pdf.gz` yields `a.pdf`)."""
        with _opened(prefix, lambda: _decompressing(kind, source)) as peek:
            first_block = _read_quietly(peek, tarfile.BLOCKSIZE, prefix)
        source.seek(0)
        if is_tar_header(first_block):
            yield from self._tar(source, prefix, depth, compression=kind)
            return
        # The name a gzip header carries is attacker-chosen (it may hold a path): not used.
        path = clean_member_path(_decompressed_name(container, kind))
        self.budget.count_entry(path)
        counter = _CountingReader(source)
        gauge = _RatioGauge(consumed=lambda: counter.consumed)
        with _opened(path, lambda: _decompressing(kind, cast(BinaryIO, counter))) as inner:
            yield from self._member(MemberStream(inner, path, self.budget, gauge), depth)


_DECOMPRESSORS = frozenset({ArchiveKind.GZIP, ArchiveKind.BZIP2, ArchiveKind.XZ})


def _decompressing(kind: ArchiveKind, source: BinaryIO) -> io.BufferedIOBase:
    """A decompressing reader over `source`; the caller closes it (through `_opened`)."""
    if kind is ArchiveKind.GZIP:
        return gzip.GzipFile(fileobj=source, mode="rb")
    if kind is ArchiveKind.BZIP2:
        return bz2.BZ2File(source, mode="rb")
    return lzma.LZMAFile(source, mode="rb")


def _open_tar_stream(tar: BinaryIO, end_markers: list[bool]) -> tarfile.TarFile:
    # Stream mode ("r|"): members in order, no seeking back; the input is already decompressed.
    return tarfile.open(fileobj=tar, mode="r|", tarinfo=_recording_tarinfo(end_markers))


def _recording_tarinfo(end_markers: list[bool]) -> type[tarfile.TarInfo]:
    """A TarInfo class noting, for every header block read, whether it is the zero end block."""

    class _RecordingTarInfo(tarfile.TarInfo):
        @classmethod
        def frombuf(cls, buf: bytes | bytearray, encoding: str, errors: str) -> Self:
            end_markers.append(buf == _ZERO_BLOCK)
            return super().frombuf(buf, encoding, errors)

    return _RecordingTarInfo


_COMPRESSED_SUFFIXES = {
    ArchiveKind.GZIP: (".gz", ".gzip", ".z"),
    ArchiveKind.BZIP2: (".bz2", ".bzip2"),
    ArchiveKind.XZ: (".xz",),
}
_SUPPORTED_ZIP_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_ZERO_BLOCK = bytes(tarfile.BLOCKSIZE)
_ENCRYPTED_FLAG = 0x1
_UNIX_SYSTEM = 3
_ZIP_END_RECORD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END_RECORD = b"PK\x06\x06"
_ZIP_END_SEARCH = 22 + 65535  # the end record plus the longest archive comment
# A directory entry is 46 bytes plus name, extra field and comment; 1 KiB each is generous.
_DIRECTORY_BYTES_PER_ENTRY = 1024


def _decompressed_name(container: str, kind: ArchiveKind) -> str:
    """`container` without its compression suffix (unchanged when it has none)."""
    for suffix in _COMPRESSED_SUFFIXES[kind]:
        if container.lower().endswith(suffix) and len(container) > len(suffix):
            return container[: -len(suffix)]
    return container


def _read_quietly(stream: _Readable, size: int, path: str) -> bytes:
    try:
        return stream.read(size)
    except _READ_ERRORS as error:
        raise ArchiveRefusedError(Refusal(path, RefusalReason.CORRUPT)) from error


@contextmanager
def _opened(path: str, opener: Callable[[], _Handle]) -> Iterator[_Handle]:
    """Open a container or member, turning a library's complaint into a CORRUPT refusal."""
    try:
        handle = opener()
    except _READ_ERRORS as error:
        raise ArchiveRefusedError(Refusal(path, RefusalReason.CORRUPT)) from error
    with handle:
        yield handle


def _next_tar_entry(archive: tarfile.TarFile, prefix: str) -> tarfile.TarInfo | None:
    try:
        return archive.next()
    except _READ_ERRORS as error:
        raise ArchiveRefusedError(Refusal(prefix, RefusalReason.CORRUPT)) from error


@dataclass(frozen=True)
class _ZipDirectory:
    entries: int
    size: int


def _zip_directory(source: BinaryIO) -> _ZipDirectory | None:
    """Entry count and size of the central directory, from its end record (zip64 too).

    Read before zipfile parses the directory, which it does whole, into memory, whatever the
    end record says: both numbers are checked against the member limit first.
    """
    size = source.seek(0, io.SEEK_END)
    source.seek(max(size - _ZIP_END_SEARCH, 0))
    tail = source.read()
    source.seek(0)
    end = tail.rfind(_ZIP_END_RECORD)
    if end == -1 or end + 22 > len(tail):
        return None
    entries, directory_size = struct.unpack_from("<HI", tail, end + 10)
    locator = end - 20
    if locator >= 0 and tail[locator : locator + 4] == _ZIP64_LOCATOR:
        (zip64_offset,) = struct.unpack_from("<Q", tail, locator + 8)
        source.seek(zip64_offset)
        record = source.read(56)
        source.seek(0)
        if len(record) == 56 and record[:4] == _ZIP64_END_RECORD:
            entries, directory_size = struct.unpack_from("<QQ", record, 32)
    return _ZipDirectory(entries=int(entries), size=int(directory_size))


def _zip_directory_too_big(directory: _ZipDirectory | None, room: int) -> bool:
    if directory is None:
        return False  # zipfile will find no directory either and refuse the file
    return directory.entries > room or directory.size > room * _DIRECTORY_BYTES_PER_ENTRY


def _zip_member_refusal(info: zipfile.ZipInfo, path: str, limits: ArchiveLimits) -> Refusal | None:
    """Member-level refusals, and whole-archive ones the headers already prove."""
    if info.create_system == _UNIX_SYSTEM:
        special = _special_file_reason(info.external_attr >> 16)
        if special is not None:
            return Refusal(path, special)
    if info.flag_bits & _ENCRYPTED_FLAG:
        return Refusal(path, RefusalReason.ENCRYPTED)
    if info.compress_type not in _SUPPORTED_ZIP_METHODS:
        return Refusal(path, RefusalReason.UNSUPPORTED_COMPRESSION)
    # zipfile stops at the declared size, so a declared size is a true upper bound: a header
    # that already claims too much is refused before a byte is inflated.
    if info.file_size > limits.max_member_bytes:
        raise ArchiveRefusedError(Refusal(path, RefusalReason.MEMBER_TOO_LARGE))
    return None


def _special_file_reason(mode: int) -> RefusalReason | None:
    if stat.S_ISLNK(mode):
        return RefusalReason.SYMLINK
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        return RefusalReason.DEVICE
    if stat.S_ISFIFO(mode):
        return RefusalReason.FIFO
    return None


def _tar_member_refusal(info: tarfile.TarInfo, path: str, limits: ArchiveLimits) -> Refusal | None:
    reasons = (
        (info.issym(), RefusalReason.SYMLINK),
        (info.islnk(), RefusalReason.HARDLINK),
        (info.ischr() or info.isblk(), RefusalReason.DEVICE),
        (info.isfifo(), RefusalReason.FIFO),
        (info.issparse(), RefusalReason.SPARSE),
    )
    for applies, reason in reasons:
        if applies:
            return Refusal(path, reason)
    if not info.isreg():
        return Refusal(path, RefusalReason.DEVICE)  # any other special type: not a document
    if info.size > limits.max_member_bytes:
        raise ArchiveRefusedError(Refusal(path, RefusalReason.MEMBER_TOO_LARGE))
    return None


# --- the two passes ---------------------------------------------------------------------------


def _events(path: Path, kind: ArchiveKind, limits: ArchiveLimits, spool_dir: Path | None) -> Iterator[Event]:
    walk = _Walk(budget=_Budget(limits), spool_dir=spool_dir)
    with path.open("rb") as source:
        yield from walk.archive(source, kind, prefix="", depth=1, container=path.name)


def scan_archive(
    path: Path, *, limits: ArchiveLimits = DEFAULT_LIMITS, spool_dir: Path | None = None
) -> ArchiveScan:
    """First pass: read every member through the limits and decide what may be stored.

    Never raises for archive content; an unreadable or hostile archive is an `ArchiveScan`
    whose `refusal` is set and whose member lists are empty.
    """
    kind = detect_archive_path(path)  # an office document is not an archive, even at the top
    if kind is None or kind in (ArchiveKind.SEVEN_ZIP, ArchiveKind.RAR):
        return ArchiveScan(kind, limits, refusal=Refusal("", RefusalReason.UNSUPPORTED_FORMAT))
    members: list[ArchiveMember] = []
    refused: list[Refusal] = []
    try:
        for event in _events(path, kind, limits, spool_dir):
            if isinstance(event, Refusal):
                refused.append(event)
            else:
                members.append(_hashed(*event))
    except ArchiveRefusedError as error:
        return ArchiveScan(kind, limits, refusal=error.refusal)
    return ArchiveScan(kind, limits, tuple(members), tuple(refused))


def _hashed(path: str, stream: MemberStream) -> ArchiveMember:
    digest = hashlib.sha256()
    while chunk := stream.read(COPY_CHUNK):
        digest.update(chunk)
    return ArchiveMember(path=path, size=stream.produced, sha256=digest.hexdigest())


class VerifiedStream(io.RawIOBase):
    """A member's bytes in the second pass, checked against the scan at end of file."""

    def __init__(self, inner: MemberStream, expected: ArchiveMember) -> None:
        super().__init__()
        self._inner, self._expected = inner, expected
        self._digest = hashlib.sha256()
        self._size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._inner.readinto(buffer)
        if count:
            self._digest.update(buffer[:count])
            self._size += count
        else:
            self._verify()
        return count

    def _verify(self) -> None:
        if self._size != self._expected.size or self._digest.hexdigest() != self._expected.sha256:
            raise ArchiveChangedError(f"{self._expected.path} differs from the scanned archive")


def iter_members(
    path: Path, scan: ArchiveScan, *, spool_dir: Path | None = None
) -> Iterator[tuple[ArchiveMember, BinaryIO]]:
    """Second pass: each accepted member of `scan` with a verified stream over its bytes.

    Read every stream to its end before advancing. Raises ValueError for a refused scan and
    ArchiveChangedError when the archive no longer matches the scan.
    """
    if not scan.accepted or scan.kind is None:
        raise ValueError("a refused archive has no members to extract")
    expected = {member.path: member for member in scan.members}
    try:
        for event in _events(path, scan.kind, scan.limits, spool_dir):
            if isinstance(event, Refusal):
                continue
            member_path, stream = event
            member = expected.get(member_path)
            if member is None:
                raise ArchiveChangedError(f"{member_path} was not in the scanned archive")
            yield member, io.BufferedReader(VerifiedStream(stream, member), COPY_CHUNK)
    except ArchiveRefusedError as error:
        raise ArchiveChangedError(f"archive now refused: {error.refusal}") from error
