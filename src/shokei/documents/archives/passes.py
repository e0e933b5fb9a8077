"""The two passes over an archive: `scan_archive` decides, `iter_members` yields (see the package)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from shokei.documents.archives.metering import MemberStream
from shokei.documents.archives.rules import (
    COPY_CHUNK,
    DEFAULT_LIMITS,
    ArchiveChangedError,
    ArchiveLimits,
    ArchiveMember,
    ArchiveRefusedError,
    ArchiveScan,
    Refusal,
    RefusalReason,
)
from shokei.documents.archives.walk import events
from shokei.documents.scratch import SealedFile
from shokei.formats.sniff import (
    HEAD_SIZE,
    ArchiveKind,
    detect_archive,
    detect_archive_path,
    is_document_package,
)

# --- the two passes ---------------------------------------------------------------------------


def scan_archive(
    path: Path | SealedFile, *, limits: ArchiveLimits = DEFAULT_LIMITS, spool_dir: Path | None = None
) -> ArchiveScan:
    """First pass: read every member through the limits and decide what may be stored.

    Never raises for archive content; an unreadable or hostile archive is an `ArchiveScan`
    whose `refusal` is set and whose member lists are empty.
    """
    kind = _archive_kind(path)  # an office document is not an archive, even at the top
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


def _archive_kind(path: Path | SealedFile) -> ArchiveKind | None:
    if isinstance(path, Path):
        return detect_archive_path(path)
    with path.open() as stream:
        kind = detect_archive(stream.read(HEAD_SIZE))
        return None if kind is ArchiveKind.ZIP and is_document_package(stream) else kind


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
    path: Path | SealedFile, scan: ArchiveScan, *, spool_dir: Path | None = None
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
