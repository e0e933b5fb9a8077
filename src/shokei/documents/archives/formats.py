"""Per-format details of ZIP, TAR and gzip/bzip2/xz containers: opening decompressors and TAR
streams (noting the zero end block), reading the ZIP central directory's size before zipfile
does, and the member-level checks on ZIP and TAR headers (links, devices, encryption, sparse
files, unsupported methods, declared sizes).
Kept out of the walk so that each format's quirks sit together and the walk reads as the same
traversal for every format.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import stat
import struct
import tarfile
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Self

from shokei.documents.archives.metering import READ_ERRORS
from shokei.documents.archives.rules import ArchiveLimits, ArchiveRefusedError, Refusal, RefusalReason
from shokei.formats.sniff import ArchiveKind

DECOMPRESSORS = frozenset({ArchiveKind.GZIP, ArchiveKind.BZIP2, ArchiveKind.XZ})


def decompressing(kind: ArchiveKind, source: BinaryIO) -> io.BufferedIOBase:
    """A decompressing reader over `source`; the caller closes it (through `opened`)."""
    if kind is ArchiveKind.GZIP:
        return gzip.GzipFile(fileobj=source, mode="rb")
    if kind is ArchiveKind.BZIP2:
        return bz2.BZ2File(source, mode="rb")
    return lzma.LZMAFile(source, mode="rb")


def open_tar_stream(tar: BinaryIO, end_markers: list[bool]) -> tarfile.TarFile:
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


def decompressed_name(container: str, kind: ArchiveKind) -> str:
    """`container` without its compression suffix (unchanged when it has none)."""
    for suffix in _COMPRESSED_SUFFIXES[kind]:
        if container.lower().endswith(suffix) and len(container) > len(suffix):
            return container[: -len(suffix)]
    return container


def next_tar_entry(archive: tarfile.TarFile, prefix: str) -> tarfile.TarInfo | None:
    try:
        return archive.next()
    except READ_ERRORS as error:
        raise ArchiveRefusedError(Refusal(prefix, RefusalReason.CORRUPT)) from error


@dataclass(frozen=True)
class ZipDirectory:
    entries: int
    size: int


def zip_directory(source: BinaryIO) -> ZipDirectory | None:
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
    return ZipDirectory(entries=int(entries), size=int(directory_size))


def zip_directory_too_big(directory: ZipDirectory | None, room: int) -> bool:
    if directory is None:
        return False  # zipfile will find no directory either and refuse the file
    return directory.entries > room or directory.size > room * _DIRECTORY_BYTES_PER_ENTRY


def zip_member_refusal(info: zipfile.ZipInfo, path: str, limits: ArchiveLimits) -> Refusal | None:
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


def tar_member_refusal(info: tarfile.TarInfo, path: str, limits: ArchiveLimits) -> Refusal | None:
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
