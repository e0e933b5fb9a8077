"""What a submission is made of: files, folders walked recursively, and archive members.

Archives are scanned whole first (`archives.scan_archive`); a hostile archive yields a single
refusal and nothing of it is stored. Members of an accepted archive are spooled one at a time
to a sealed scratch file (`documents.scratch`: encrypted under a key only this process holds),
handed to the caller, and removed as soon as the caller is done. HTTP uploads arrive sealed the
same way (`Upload.sealed`); a crash leaves nothing readable behind.
"""

from __future__ import annotations

import shutil
import stat
from collections.abc import Generator, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from shokei.documents.archives import ArchiveChangedError, ArchiveScan, iter_members, scan_archive
from shokei.documents.domain import Refusal, RefusalReason, member_path
from shokei.documents.scratch import ScratchArea, SealedFile
from shokei.formats.sniff import (
    HEAD_SIZE,
    ArchiveKind,
    detect_archive,
    detect_archive_path,
    is_document_package,
)
from shokei.kernel.bounds import printable, text_fault

COPY_CHUNK = 1 << 20


class PlansBytes(Protocol):
    def planned(self, total_bytes: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Incoming:
    """One file to store: its original path (label) and a readable copy, local or sealed."""

    label: str
    local_path: Path | SealedFile
    size: int
    transient: bool = False  # an archive member's spooled copy: gone once the next item is read

    def open(self) -> BinaryIO:
        return self.local_path.open("rb")

    def as_path(self) -> AbstractContextManager[Path]:
        """A path to the plaintext for readers that open files by name (sniffing, extraction)."""
        if isinstance(self.local_path, SealedFile):
            return self.local_path.plaintext_path()
        return nullcontext(self.local_path)


@dataclass(frozen=True, slots=True)
class _Plain:
    label: str
    path: Path | SealedFile
    size: int


@dataclass(frozen=True, slots=True)
class _Archive:
    label: str
    path: Path | SealedFile
    scan: ArchiveScan


@dataclass(frozen=True, slots=True)
class Upload:
    """A file received over HTTP, sealed in scratch, known to its sender as `name`."""

    sealed: SealedFile
    name: str


def _walk(root: Path, label: str) -> Iterator[tuple[Path, str] | Refusal]:
    """Regular files below `root` with their labels, never following links; a name that is not
    text (not UTF-8, as the file system gave it) is refused, not stored."""
    if text_fault(label) is not None:
        yield Refusal(printable(label), RefusalReason.INVALID_NAME)
        return
    try:
        mode = root.lstat().st_mode
    except OSError as error:
        yield Refusal(label, f"{RefusalReason.UNREADABLE}: {error.strerror}")
        return
    if stat.S_ISDIR(mode):
        for child in sorted(root.iterdir()):
            yield from _walk(child, f"{label}/{child.name}")
    elif stat.S_ISREG(mode):
        yield root, label
    else:
        yield Refusal(label, RefusalReason.NOT_A_REGULAR_FILE)


def _classify(path: Path, label: str, spool_dir: Path) -> _Plain | _Archive:
    kind = detect_archive_path(path)
    if kind is None:
        return _Plain(label, path, path.stat().st_size)
    return _Archive(label, path, scan_archive(path, spool_dir=spool_dir))


def _classify_sealed(sealed: SealedFile, label: str, spool_dir: Path) -> _Plain | _Archive:
    with sealed.open() as stream:
        kind = detect_archive(stream.read(HEAD_SIZE))
        if kind is ArchiveKind.ZIP and is_document_package(stream):
            kind = None
    if kind is None:
        return _Plain(label, sealed, sealed.size)
    return _Archive(label, sealed, scan_archive(sealed, spool_dir=spool_dir))


def _archive_refusals(item: _Archive) -> list[Refusal]:
    scan = item.scan
    if scan.refusal is not None:
        where = f" at {scan.refusal.member_path}" if scan.refusal.member_path else ""
        reason = f"{RefusalReason.ARCHIVE_REFUSED}: {scan.refusal.reason}{where}"
        return [Refusal(printable(item.label), printable(reason))]
    return [
        Refusal(
            printable(member_path(item.label, r.member_path)), f"{RefusalReason.MEMBER_REFUSED}: {r.reason}"
        )
        for r in scan.refused_members
    ]


def _members(item: _Archive, area: ScratchArea, scratch: Path) -> Iterator[Incoming | Refusal]:
    try:
        for member, stream in iter_members(item.path, item.scan, spool_dir=scratch):
            sink = area.sealed("member-")
            try:
                shutil.copyfileobj(stream, sink, COPY_CHUNK)
            except BaseException:
                sink.abort()
                raise
            spooled = sink.close()
            try:
                yield Incoming(member_path(item.label, member.path), spooled, member.size, transient=True)
            finally:
                spooled.remove()
    except ArchiveChangedError as error:
        yield Refusal(item.label, f"{RefusalReason.CHANGED_WHILE_READING}: {error}")


def expand_inputs(
    inputs: list[Path | Upload], area: ScratchArea, progress: PlansBytes
) -> Generator[Incoming | Refusal, None, None]:
    """Everything the given paths hold, archives expanded, with refusals in between."""
    scratch = area.workdir("submission-")
    try:
        planned: list[_Plain | _Archive] = []
        for given in inputs:
            if isinstance(given, Upload):
                planned.append(_classify_sealed(given.sealed, given.name, scratch))
                continue
            for found in _walk(given, str(given)):
                if isinstance(found, Refusal):
                    yield found
                else:
                    planned.append(_classify(*found, scratch))
        progress.planned(
            sum(p.size if isinstance(p, _Plain) else sum(m.size for m in p.scan.members) for p in planned)
        )
        for item in planned:
            if isinstance(item, _Plain):
                yield Incoming(item.label, item.path, item.size)
                continue
            yield from _archive_refusals(item)
            if item.scan.accepted:
                yield from _members(item, area, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
