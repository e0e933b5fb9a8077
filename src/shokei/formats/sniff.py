"""Content sniffing: what a file is, judged from its bytes and never from its extension.

Suppliers hand in whatever their file servers hold: `.DAT` files that are IGES, `.txt` files
that are DXF, ZIPs renamed `.pdf`. The intake trusts bytes only. libmagic does not know STEP,
IGES or most DXF (PLATFORM.md), so the sniffers here are our own.

Callers read the first `HEAD_SIZE` bytes (8 KiB) of a file and call `detect_type(head)` and
`detect_archive(head)`. 8 KiB covers every magic number used here, the first two 80-column
IGES records, the opening group-code pairs of a DXF and, for ordinary OOXML files, the first
local headers of the ZIP. For ZIPs the head is only a hint: `detect_type_path(path)` and
`detect_archive_path(path)` read the central directory and are authoritative.

An archive is never a document: `detect_type` answers `OTHER` for it (unless it is an OOXML
package) and `detect_archive` names its kind, so the caller expands it with `documents.archives`.
"""

from __future__ import annotations

import codecs
import struct
import tarfile
import zipfile
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

HEAD_SIZE = 8 * 1024
PDF_HEADER_WINDOW = 1024  # Acrobat accepts junk before %PDF- within the first 1024 bytes.


class DocumentType(StrEnum):
    """What a file holds, as far as the extractors are concerned."""

    PDF = "pdf"
    STEP = "step"
    IGES = "iges"
    DXF = "dxf"
    DOCX = "docx"
    XLSX = "xlsx"
    IMAGE = "image"
    TEXT = "text"
    OTHER = "other"


class ArchiveKind(StrEnum):
    """Containers that `documents.archives` may expand (or refuses to, for 7z and RAR)."""

    ZIP = "zip"
    TAR = "tar"
    GZIP = "gzip"
    BZIP2 = "bzip2"
    XZ = "xz"
    SEVEN_ZIP = "7z"
    RAR = "rar"


_ARCHIVE_MAGIC: tuple[tuple[bytes, ArchiveKind], ...] = (
    (b"PK\x03\x04", ArchiveKind.ZIP),
    (b"PK\x05\x06", ArchiveKind.ZIP),  # an empty ZIP is only an end-of-directory record
    (b"PK\x07\x08PK\x03\x04", ArchiveKind.ZIP),  # spanned-archive marker before entry one
    (b"\x1f\x8b\x08", ArchiveKind.GZIP),  # deflate is the only method gzip defines
    (b"\xfd7zXZ\x00", ArchiveKind.XZ),
    (b"7z\xbc\xaf\x27\x1c", ArchiveKind.SEVEN_ZIP),
    (b"Rar!\x1a\x07", ArchiveKind.RAR),
)
_IMAGE_MAGIC: tuple[bytes, ...] = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG SOI followed by any marker
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",  # TIFF little-endian
    b"MM\x00*",  # TIFF big-endian
    b"II+\x00",  # BigTIFF little-endian
    b"MM\x00+",  # BigTIFF big-endian
)
_BMP_INFO_HEADER_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})
BINARY_DXF_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"  # how every binary DXF begins
_STEP_MAGIC = b"ISO-10303-21;"
_UTF8_BOM = b"\xef\xbb\xbf"
_DXF_SECTIONS = frozenset(
    {"HEADER", "CLASSES", "TABLES", "BLOCKS", "ENTITIES", "OBJECTS", "THUMBNAILIMAGE", "ACDSDATA"}
)
_DXF_COMMENT_CODE = 999
_DXF_OPENING_BYTES = 2048
_IGES_RECORD = 80
_IGES_SECTIONS = frozenset(b"SGDPT")
# Text may hold tabs, newlines, form feeds and a trailing DOS end-of-file mark, nothing else below
# the space character: a NUL or an ESC means binary.
_TEXT_CONTROLS_ALLOWED = frozenset("\t\n\r\f\x1a")
_TEXT_ENCODINGS = ("utf-8", "cp932")  # cp932 is Windows' Shift_JIS, what Japanese offices write
_OOXML_PREFIXES: tuple[tuple[str, DocumentType], ...] = (
    ("word/", DocumentType.DOCX),
    ("xl/", DocumentType.XLSX),
)
_OOXML_PACKAGE_HINTS = ("[Content_Types].xml", "_rels/.rels", "docProps/")
_ZIP_LOCAL_HEADER = b"PK\x03\x04"
_ZIP_LOCAL_HEADER_SIZE = 30


def detect_archive(head: bytes) -> ArchiveKind | None:
    """Name the container format of `head`, or None when it is not an archive.

    A gzip/bzip2/xz answer says only that the stream is compressed: `documents.archives` looks inside
    to tell a compressed tar from a single compressed file. OOXML files are ZIPs too: use
    `detect_archive_path` when the file is at hand, it does not call them archives.
    """
    for magic, kind in _ARCHIVE_MAGIC:
        if head.startswith(magic):
            return kind
    if _is_bzip2(head):
        return ArchiveKind.BZIP2
    if is_tar_header(head):
        return ArchiveKind.TAR
    return None


def detect_type(head: bytes, name: str = "") -> DocumentType:
    """Classify a file from its first bytes (`HEAD_SIZE` is enough).

    `name` is consulted in one case only: a ZIP that looks like an OOXML package but whose head
    shows no `word/` or `xl/` part (a large thumbnail or docProps/ part may come first); then a
    `.docx`/`.xlsx` suffix settles it. `detect_type_path` reads the whole directory instead.
    """
    archive = detect_archive(head)
    if archive is ArchiveKind.ZIP:
        return _ooxml_type_from_head(head, name)
    if archive is not None:
        return DocumentType.OTHER
    for sniffer, doc_type in _SNIFFERS:
        if sniffer(head):
            return doc_type
    return DocumentType.OTHER


def detect_type_path(path: Path) -> DocumentType:
    """Classify a file on disk; for ZIPs, the central directory decides whether it is OOXML."""
    head = read_head(path)
    if detect_archive(head) is not ArchiveKind.ZIP:
        return detect_type(head)
    return _ooxml_type_from_directory(path)


def detect_archive_path(path: Path) -> ArchiveKind | None:
    """Like `detect_archive`, but a ZIP that is an OOXML/ODF document package is not an archive.

    Office packages (docx, xlsx, pptx, odt...) must be kept whole as documents, not expanded.
    """
    kind = detect_archive(read_head(path))
    if kind is ArchiveKind.ZIP and is_document_package(path):
        return None
    return kind


def read_head(path: Path, size: int = HEAD_SIZE) -> bytes:
    """The first `size` bytes of `path` (fewer for a short file)."""
    with path.open("rb") as stream:
        return stream.read(size)


# --- archives ---------------------------------------------------------------------------------


def _is_bzip2(head: bytes) -> bool:
    # "BZh" + block size digit + the block magic (BCD of pi): three letters alone are too weak.
    return head[:3] == b"BZh" and head[3:4] in b"123456789" and head[4:10] == b"1AY&SY"


def is_tar_header(head: bytes) -> bool:
    """True when the first 512 bytes are a tar header with a valid checksum (ustar, GNU or v7)."""
    if len(head) < tarfile.BLOCKSIZE:
        return False
    try:
        tarfile.TarInfo.frombuf(head[: tarfile.BLOCKSIZE], "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


# --- OOXML ------------------------------------------------------------------------------------


def _zip_names_in_head(head: bytes) -> list[str]:
    """Entry names of the local file headers that start inside `head`.

    Sizes in local headers may be zero (streamed ZIPs), so each header is found by its signature
    rather than by skipping data; a false signature inside compressed data only adds a name.
    """
    names = []
    start = head.find(_ZIP_LOCAL_HEADER)
    while start != -1 and start + _ZIP_LOCAL_HEADER_SIZE <= len(head):
        (name_length,) = struct.unpack_from("<H", head, start + 26)
        name_start = start + _ZIP_LOCAL_HEADER_SIZE
        names.append(head[name_start : name_start + name_length].decode("cp437", "replace"))
        start = head.find(_ZIP_LOCAL_HEADER, start + 4)
    return names


def _ooxml_type_from_names(names: list[str]) -> DocumentType | None:
    for prefix, doc_type in _OOXML_PREFIXES:
        if any(name.startswith(prefix) for name in names):
            return doc_type
    return None


def _ooxml_type_from_head(head: bytes, name: str) -> DocumentType:
    names = _zip_names_in_head(head)
    found = _ooxml_type_from_names(names)
    if found is not None:
        return found
    looks_like_package = any(n.startswith(_OOXML_PACKAGE_HINTS) for n in names)
    suffix = Path(name).suffix.lower()
    if looks_like_package and suffix in {".docx", ".xlsx"}:
        return DocumentType(suffix[1:])
    return DocumentType.OTHER


def _zip_directory(source: Path | BinaryIO) -> list[str]:
    try:
        with zipfile.ZipFile(source) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []


def _ooxml_type_from_directory(path: Path) -> DocumentType:
    names = _zip_directory(path)
    if "[Content_Types].xml" not in names:
        return DocumentType.OTHER
    return _ooxml_type_from_names(names) or DocumentType.OTHER


def is_document_package(source: Path | BinaryIO) -> bool:
    """True for a ZIP that is an office document (OOXML or ODF), to be kept whole."""
    # OOXML declares its parts in [Content_Types].xml; ODF starts with a `mimetype` entry.
    names = _zip_directory(source)
    return "[Content_Types].xml" in names or (bool(names) and names[0] == "mimetype")


# --- documents --------------------------------------------------------------------------------


def _is_pdf(head: bytes) -> bool:
    return b"%PDF-" in head[:PDF_HEADER_WINDOW]


def _is_step(head: bytes) -> bool:
    body = head.removeprefix(_UTF8_BOM).lstrip()
    return body[: len(_STEP_MAGIC)].upper() == _STEP_MAGIC


def _is_image(head: bytes) -> bool:
    return head.startswith(_IMAGE_MAGIC) or _is_bmp(head)


def _is_bmp(head: bytes) -> bool:
    # "BM" alone starts plenty of text files; the reserved words and DIB header size must agree.
    if len(head) < 18 or not head.startswith(b"BM"):
        return False
    reserved, info_size = struct.unpack_from("<I", head, 6)[0], struct.unpack_from("<I", head, 14)[0]
    return reserved == 0 and info_size in _BMP_INFO_HEADER_SIZES


def is_binary_dxf(head: bytes) -> bool:
    return head.startswith(BINARY_DXF_SENTINEL)


def _iges_records(head: bytes) -> list[bytes]:
    """The first complete records: newline-terminated lines, or fixed 80-byte records."""
    first_newline = head.find(b"\n")
    if first_newline == -1 or first_newline > _IGES_RECORD + 1:
        return [head[i : i + _IGES_RECORD] for i in range(0, len(head) - _IGES_RECORD + 1, 80)]
    lines = head.split(b"\n")[:-1]  # the last piece may be cut off by the head size
    return [line.rstrip(b"\r") for line in lines]


def _is_iges_record(record: bytes, expected_sequence: int | None) -> bool:
    if len(record) != _IGES_RECORD or record[72] not in _IGES_SECTIONS:
        return False
    sequence = record[73:80]
    zero_padded = sequence.isdigit()
    blank_padded = sequence.lstrip(b" ").isdigit() and sequence.startswith(b" ")
    if not (zero_padded or blank_padded):
        return False
    return expected_sequence is None or int(sequence) == expected_sequence


def _is_iges(head: bytes) -> bool:
    """Column 73 holds S (start) or G (global) and 74-80 the sequence number 1 on record one."""
    records = _iges_records(head)
    if not records or records[0][72:73] not in (b"S", b"G"):
        return False
    if not _is_iges_record(records[0], expected_sequence=1):
        return False
    return len(records) < 2 or _is_iges_record(records[1], expected_sequence=None)


def _dxf_pairs(head: bytes) -> list[tuple[str, str]]:
    # Only the opening pairs matter; str.splitlines would also split at \x85 and friends.
    lines = head[:_DXF_OPENING_BYTES].decode("latin-1").split("\n")
    return [(lines[i].strip(), lines[i + 1].strip()) for i in range(0, len(lines) - 1, 2)]


def _is_ascii_dxf(head: bytes) -> bool:
    """Group-code/value pairs opening with `0 SECTION`, `2 <section name>` (999 comments first)."""
    pairs = [p for p in _dxf_pairs(head.removeprefix(_UTF8_BOM)) if p[0] != str(_DXF_COMMENT_CODE)]
    if len(pairs) < 2:
        return False
    (code0, value0), (code1, value1) = pairs[0], pairs[1]
    return (
        _is_group_code(code0, 0)
        and value0 == "SECTION"
        and _is_group_code(code1, 2)
        and (value1 in _DXF_SECTIONS)
    )


def _is_group_code(text: str, expected: int) -> bool:
    return text.isascii() and text.isdigit() and int(text) == expected


def _is_text(head: bytes) -> bool:
    if not head:
        return False
    return any(_decodes_cleanly(head, encoding) for encoding in _TEXT_ENCODINGS)


def _decodes_cleanly(head: bytes, encoding: str) -> bool:
    # Incremental decoding with final=False forgives a multi-byte character cut by the head size.
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        text = decoder.decode(head.removeprefix(_UTF8_BOM), final=False)
    except UnicodeDecodeError:
        return False
    return not any(ch < " " and ch not in _TEXT_CONTROLS_ALLOWED for ch in text) and "\x7f" not in text


# Order matters: anchored magic numbers first, then the PDF header (which may follow junk), then
# the line-structured CAD formats, and plain text last because IGES and DXF are text too.
_SNIFFERS = (
    (_is_image, DocumentType.IMAGE),
    (is_binary_dxf, DocumentType.DXF),
    (_is_step, DocumentType.STEP),
    (_is_pdf, DocumentType.PDF),
    (_is_iges, DocumentType.IGES),
    (_is_ascii_dxf, DocumentType.DXF),
    (_is_text, DocumentType.TEXT),
)
