"""One traversal of an archive and the archives nested in it, yielding each member with a metered
stream, or a member refusal: ZIP, TAR, compressed TAR and single compressed files, with nested
archives spooled to anonymous temporary files and opened one layer deeper.
Both passes of `archives` (scan and extraction) run this same walk, which is why it is its own
module: the second pass sees exactly the members, in exactly the order, the first one judged.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from shokei.documents.archives.formats import (
    DECOMPRESSORS,
    decompressed_name,
    decompressing,
    next_tar_entry,
    open_tar_stream,
    tar_member_refusal,
    zip_directory,
    zip_directory_too_big,
    zip_member_refusal,
)
from shokei.documents.archives.metering import (
    Budget,
    CountingReader,
    MemberStream,
    RatioGauge,
    opened,
    read_quietly,
)
from shokei.documents.archives.rules import (
    COPY_CHUNK,
    ArchiveLimits,
    ArchiveRefusedError,
    Refusal,
    RefusalReason,
    clean_member_path,
    is_archive_root,
    zip_member_name,
)
from shokei.documents.scratch import SealedFile
from shokei.formats.sniff import ArchiveKind, detect_archive, is_document_package, is_tar_header


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


Event = tuple[str, MemberStream] | Refusal


@dataclass
class _Walk:
    """One traversal of an archive and its nested archives, yielding members or refusals."""

    budget: Budget
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
        elif kind in DECOMPRESSORS:
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
        if zip_directory_too_big(zip_directory(source), room):
            raise ArchiveRefusedError(Refusal(prefix, RefusalReason.TOO_MANY_MEMBERS))
        counter = CountingReader(source)
        with opened(prefix, lambda: zipfile.ZipFile(cast(BinaryIO, counter))) as archive:
            for info in archive.infolist():
                name = zip_member_name(info.filename, info.flag_bits)
                if info.is_dir() and is_archive_root(name):
                    continue
                path = self._admit(prefix, name)
                if info.is_dir():
                    continue
                refusal = zip_member_refusal(info, path, self.limits)
                if refusal is not None:
                    yield refusal
                    continue
                yield from self._zip_member(archive, info, path, counter, depth)

    def _zip_member(
        self,
        archive: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        path: str,
        counter: CountingReader,
        depth: int,
    ) -> Iterator[Event]:
        start = counter.consumed
        gauge = RatioGauge(consumed=lambda: counter.consumed - start)
        with opened(path, lambda: archive.open(info)) as inner:
            yield from self._member(MemberStream(inner, path, self.budget, gauge), depth)

    # TAR -------------------------------------------------------------------------------------

    def _tar(
        self, source: BinaryIO, prefix: str, depth: int, compression: ArchiveKind | None = None
    ) -> Iterator[Event]:
        """Members of a TAR, decompressed here (not by tarfile, which skips the CRC check)."""
        counter = CountingReader(source)
        gauge = RatioGauge(consumed=lambda: counter.consumed)  # one stream: one ratio
        if compression is None:
            yield from self._tar_entries(cast(BinaryIO, counter), prefix, depth, gauge)
            return
        with opened(prefix, lambda: decompressing(compression, cast(BinaryIO, counter))) as tar:
            yield from self._tar_entries(cast(BinaryIO, tar), prefix, depth, gauge)
            # Reading to the end makes the decompressor verify its checksum and length.
            MemberStream(tar, prefix, self.budget, gauge).drain()

    def _tar_entries(self, tar: BinaryIO, prefix: str, depth: int, gauge: RatioGauge) -> Iterator[Event]:
        end_markers: list[bool] = []
        with opened(prefix, lambda: open_tar_stream(tar, end_markers)) as archive:
            while (info := next_tar_entry(archive, prefix)) is not None:
                if info.isdir() and is_archive_root(info.name):
                    continue  # `tar cf x.tar -C dir .` begins with `./`
                path = self._admit(prefix, info.name)
                if info.isdir():
                    continue
                refusal = tar_member_refusal(info, path, self.limits)
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
        with opened(prefix, lambda: decompressing(kind, source)) as peek:
            first_block = read_quietly(peek, tarfile.BLOCKSIZE, prefix)
        source.seek(0)
        if is_tar_header(first_block):
            yield from self._tar(source, prefix, depth, compression=kind)
            return
        # The name a gzip header carries is attacker-chosen (it may hold a path): not used.
        path = clean_member_path(decompressed_name(container, kind))
        self.budget.count_entry(path)
        counter = CountingReader(source)
        gauge = RatioGauge(consumed=lambda: counter.consumed)
        with opened(path, lambda: decompressing(kind, cast(BinaryIO, counter))) as inner:
            yield from self._member(MemberStream(inner, path, self.budget, gauge), depth)


def events(
    path: Path | SealedFile, kind: ArchiveKind, limits: ArchiveLimits, spool_dir: Path | None
) -> Iterator[Event]:
    walk = _Walk(budget=Budget(limits), spool_dir=spool_dir)
    with path.open("rb") as source:
        yield from walk.archive(source, kind, prefix="", depth=1, container=path.name)
