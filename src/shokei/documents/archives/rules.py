"""The vocabulary of defensive archive expansion: the limits one archive may use, the reasons for
refusing an archive or a member, the verdict of a scan, and the member-name check that refuses
any path that could escape.
Held apart from the readers so that intake, tests and reports can speak about limits and
refusals without importing the machinery that opens ZIP and TAR files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from shokei.formats.sniff import ArchiveKind
from shokei.kernel.bounds import text_fault

KiB, MiB, GiB = 1024, 1024**2, 1024**3
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


def is_archive_root(raw: str) -> bool:
    """True for the entry of the archive's own top folder (`.` or `./`, as `tar -C dir .` writes):
    a directory that names nothing inside, skipped rather than refused."""
    name = raw.replace("\\", "/")
    return not name.startswith("/") and set(name.split("/")) <= {"", "."}


def zip_member_name(filename: str, flag_bits: int) -> str:
    """A ZIP member's name as its maker meant it. Without the UTF-8 flag (bit 11) `zipfile`
    decodes names as CP437, but Japanese Windows writes them in CP932 (Shift-JIS) and other
    tools in UTF-8 without the flag: the raw bytes are tried as UTF-8, then as CP932 when that
    yields Japanese; otherwise the CP437 reading stays."""
    if flag_bits & _UTF8_FLAG or filename.isascii():
        return filename
    try:
        raw = filename.encode("cp437")
    except UnicodeEncodeError:
        return filename
    for encoding in ("utf-8", "cp932"):
        try:
            decoded = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8" or _JAPANESE.search(decoded):
            return decoded
    return filename


_UTF8_FLAG = 0x800
# Hiragana, katakana, CJK ideographs, full-width forms and the half-width katakana Windows uses.
_JAPANESE = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff9f]")


def clean_member_path(raw: str) -> str:
    """`raw` as a relative `/`-separated path, or ArchiveRefusedError if it could escape.

    Backslashes count as separators (Windows tools write them); `.` and empty components are
    dropped; any `..` is refused even when it would stay inside, as no honest tool writes it.
    """
    name = raw.replace("\\", "/")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name) or text_fault(name) is not None:
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
