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

The parts live next to this module (it holds the two passes and re-exports every name other code
imports from it): `archive_rules` (limits, refusals, member names), `archive_metering` (counting
bytes through the limits), `archive_formats` (ZIP/TAR/compression specifics) and `archive_walk`
(the traversal both passes share).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from shokei.documents.archive_metering import MemberStream
from shokei.documents.archive_rules import (
    COPY_CHUNK,
    DEFAULT_LIMITS,
    WHOLE_ARCHIVE_REASONS,
    ArchiveChangedError,
    ArchiveLimits,
    ArchiveMember,
    ArchiveRefusedError,
    ArchiveScan,
    GiB,
    KiB,
    MiB,
    Refusal,
    RefusalReason,
    clean_member_path,
)
from shokei.documents.archive_walk import Event, events
from shokei.documents.sniff import ArchiveKind, detect_archive_path

# What other code imports from this module, including the names now defined next to it.
__all__ = [
    "COPY_CHUNK",
    "DEFAULT_LIMITS",
    "WHOLE_ARCHIVE_REASONS",
    "ArchiveChangedError",
    "ArchiveLimits",
    "ArchiveMember",
    "ArchiveRefusedError",
    "ArchiveScan",
    "Event",
    "GiB",
    "KiB",
    "MemberStream",
    "MiB",
    "Refusal",
    "RefusalReason",
    "VerifiedStream",
    "clean_member_path",
    "iter_members",
    "scan_archive",
]


# --- the two passes ---------------------------------------------------------------------------


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
        for event in events(path, kind, limits, spool_dir):
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
        for event in events(path, scan.kind, scan.limits, spool_dir):
            if isinstance(event, Refusal):
                continue
            member_path, stream = event
            member = expected.get(member_path)
            if member is None:
                raise ArchiveChangedError(f"{member_path} was not in the scanned archive")
            yield member, io.BufferedReader(VerifiedStream(stream, member), COPY_CHUNK)
    except ArchiveRefusedError as error:
        raise ArchiveChangedError(f"archive now refused: {error.refusal}") from error
