"""What a submission is made of: files, folders walked recursively, and archive members.

Archives are scanned whole first (`archives.scan_archive`); a hostile archive yields a single
refusal and nothing of it is stored. Members of an accepted archive are spooled one at a time
to an owner-only scratch file, handed to the caller, and removed as soon as the caller is done.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from shokei.documents.archives import ArchiveChangedError, ArchiveScan, iter_members, scan_archive
from shokei.documents.domain import Refusal, RefusalReason, member_path
from shokei.formats.sniff import detect_archive_path

COPY_CHUNK = 1 << 20


class PlansBytes(Protocol):
    def planned(self, total_bytes: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Incoming:
    """One file to store: its original path (label) and a readable local copy."""

    label: str
    local_path: Path
    size: int


@dataclass(frozen=True, slots=True)
class _Plain:
    label: str
    path: Path
    size: int


@dataclass(frozen=True, slots=True)
class _Archive:
    label: str
    path: Path
    scan: ArchiveScan


@dataclass(frozen=True, slots=True)
class Upload:
    """A file received over HTTP: stored locally at `path`, known to its sender as `name`."""

    path: Path
    name: str


def _walk(root: Path, label: str) -> Iterator[tuple[Path, str] | Refusal]:
    """Regular files below `root` with their labels, never following links."""
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


def _archive_refusals(item: _Archive) -> list[Refusal]:
    scan = item.scan
    if scan.refusal is not None:
        where = f" at {scan.refusal.member_path}" if scan.refusal.member_path else ""
        return [Refusal(item.label, f"{RefusalReason.ARCHIVE_REFUSED}: {scan.refusal.reason}{where}")]
    return [
        Refusal(member_path(item.label, r.member_path), f"{RefusalReason.MEMBER_REFUSED}: {r.reason}")
        for r in scan.refused_members
    ]


def _members(item: _Archive, scratch: Path) -> Iterator[Incoming | Refusal]:
    try:
        for member, stream in iter_members(item.path, item.scan, spool_dir=scratch):
            fd, name = tempfile.mkstemp(dir=scratch, prefix="member-")
            spooled = Path(name)
            try:
                with os.fdopen(fd, "wb") as sink:
                    shutil.copyfileobj(stream, sink, COPY_CHUNK)
                yield Incoming(member_path(item.label, member.path), spooled, member.size)
            finally:
                spooled.unlink(missing_ok=True)
    except ArchiveChangedError as error:
        yield Refusal(item.label, f"{RefusalReason.CHANGED_WHILE_READING}: {error}")


def expand_inputs(
    inputs: list[Path | Upload], scratch_dir: Path, progress: PlansBytes
) -> Generator[Incoming | Refusal, None, None]:
    """Everything the given paths hold, archives expanded, with refusals in between."""
    scratch = Path(tempfile.mkdtemp(dir=scratch_dir, prefix="submission-"))
    try:
        planned: list[_Plain | _Archive] = []
        for given in inputs:
            root, label = (given.path, given.name) if isinstance(given, Upload) else (given, str(given))
            for found in _walk(root, label):
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
                yield from _members(item, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
