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

The package's modules: `passes` (the two passes), `rules` (limits, refusals, member names),
`metering` (counting bytes through the limits), `formats` (ZIP/TAR/compression specifics) and
`walk` (the traversal both passes share). Other code imports from the package itself.
"""

from __future__ import annotations

from shokei.documents.archives.metering import MemberStream
from shokei.documents.archives.passes import VerifiedStream, iter_members, scan_archive
from shokei.documents.archives.rules import (
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
from shokei.documents.archives.walk import Event

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
