"""What every per-recipient copy shares: the label, the marker text, the result and the policy.

Every format writes the same marker, `SHOKEI-COPY:<copy id>`, into its own places, so one
regular expression finds it in any of them (and in text extracted from them). A copy id is
ASCII letters, digits, `-` and `_` only: it must survive 7-bit CAD headers, PDF names and
Hollerith strings unescaped, and a full stop after it in a sentence is not part of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from shokei.errors import N_, BadInput, Text

MARKER_PREFIX = "SHOKEI-COPY:"
COPY_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{2,47}"
_COPY_ID = re.compile(COPY_ID_PATTERN)
MARKER = re.compile(re.escape(MARKER_PREFIX) + r"(" + COPY_ID_PATTERN + r")(?![A-Za-z0-9_-])")
NO_COPYING_EN = "No copying or transfer"
NO_COPYING_JA = "無断複製・第三者提供禁止"
# The statutory marking of a designated secret (装備品等秘密, Art. 27 of 令和5年法律第54号).
STATUTORY_MARK_JA = "装備品等秘密"
STATUTORY_MARK_EN = "DESIGNATED SECRET (Equipment Secret)"
_HASH_CHUNK = 1024 * 1024
_CORPORATE_NUMBER = re.compile(r"[0-9]{13}")


@dataclass(frozen=True, slots=True)
class CopyLabel:
    """Who a copy is for: the copy id the register knows it by, the recipient and the date.

    The corporate number must be written as 13 ASCII digits (it goes into 7-bit CAD headers);
    whether its check digit is right is the caller's business (succession validates it).
    """

    copy_id: str
    recipient_name: str
    recipient_corporate_number: str
    issued_on: date
    # The last day of the document's designation as 装備品等秘密, when it is designated: the copy
    # then carries the statutory marking with that validity (`secret_marking_lines`).
    secret_until: date | None = None

    def __post_init__(self) -> None:
        if not _COPY_ID.fullmatch(self.copy_id):
            raise BadInput(
                Text(
                    N_("copy id %(copy_id)s must be 3-48 ASCII letters, digits, '-' or '_'"),
                    {"copy_id": repr(self.copy_id)},
                )
            )
        if not _CORPORATE_NUMBER.fullmatch(self.recipient_corporate_number):
            raise BadInput(Text(N_("the recipient's corporate number must be given as 13 ASCII digits")))
        if not self.recipient_name.strip():
            raise BadInput(Text(N_("the recipient's name is empty")))

    @property
    def marker(self) -> str:
        """`SHOKEI-COPY:<copy id>`, the text every format embeds."""
        return MARKER_PREFIX + self.copy_id


def secret_marking_lines(until: date) -> tuple[str, str]:
    """The statutory marking of a designated secret with its validity: (Japanese, English ASCII)."""
    day = until.isoformat()
    return (
        f"{STATUTORY_MARK_JA}（防衛生産基盤強化法第27条） 有効期限 {day}",
        f"{STATUTORY_MARK_EN} - Act No. 54 of 2023, Art. 27 - valid until {day}",
    )


@dataclass(frozen=True, slots=True)
class DeliveryTerms:
    """The terms a recipient accepted, as a ZIP delivery states them: the version and digest
    (in the signed manifest) and the full wording (in the README), Japanese then English."""

    version: str
    sha256: str
    text: str


class Mark(StrEnum):
    """A place a copy carries its identification (written by `copies`, read back by `trace`)."""

    PDF_VISIBLE_STAMP = "pdf:visible-stamp"
    PDF_INFO = "pdf:info"
    PDF_XMP = "pdf:xmp"
    PDF_CONTENT_TEXT = "pdf:content-text"  # an invisible text run in each page's content stream
    PDF_PAGE_PROPERTIES = "pdf:page-properties"  # a marked-content property list in each page
    STEP_FILE_DESCRIPTION = "step:file-description"
    STEP_HEADER_COMMENT = "step:header-comment"
    IGES_START_SECTION = "iges:start-section"
    IGES_GLOBAL_FILE_NAME = "iges:global-file-name"
    DXF_XDATA = "dxf:xdata"
    DXF_CUSTOM_PROPERTY = "dxf:custom-property"
    ZIP_MANIFEST = "zip:signed-manifest"
    EXTRACTED_TEXT = "text"  # the marker or a stamp line found in the file's extracted text
    PDF_CODE = "pdf:2d-code"  # a QR code with the copy id and its MAC on every page (pdf_code)
    PDF_WATERMARK = "pdf:watermark"  # the copy id tiled in light grey across every page (pdf_code)
    OCR_TEXT = "ocr"  # a copy id read by OCR from a page's pixels (stamp or watermark)
    DXF_VISIBLE_TEXT = "dxf:visible-text"  # the stamp line as TEXT on layer SHOKEI-COPY (dxf_visible)
    STEP_ANNOTATION = "step:annotation"  # a SHOKEI-COPY representation among the data (step_annotation)
    IGES_GENERAL_NOTE = "iges:general-note"  # a general note entity (212) labelled SHOKEI (iges_note)
    PDF_CONTENT_SPACING = "pdf:content-spacing"  # bits in the pages' own character spacing (pdf_weave)


# A mark's name for a reader: the msgid is the mark's code (what the trace's JSON says), the
# catalogues name it in words (what the trace page says).
MARK_NAMES: Mapping[Mark, str] = {
    Mark.PDF_VISIBLE_STAMP: N_("pdf:visible-stamp"),
    Mark.PDF_INFO: N_("pdf:info"),
    Mark.PDF_XMP: N_("pdf:xmp"),
    Mark.PDF_CONTENT_TEXT: N_("pdf:content-text"),
    Mark.PDF_PAGE_PROPERTIES: N_("pdf:page-properties"),
    Mark.STEP_FILE_DESCRIPTION: N_("step:file-description"),
    Mark.STEP_HEADER_COMMENT: N_("step:header-comment"),
    Mark.IGES_START_SECTION: N_("iges:start-section"),
    Mark.IGES_GLOBAL_FILE_NAME: N_("iges:global-file-name"),
    Mark.DXF_XDATA: N_("dxf:xdata"),
    Mark.DXF_CUSTOM_PROPERTY: N_("dxf:custom-property"),
    Mark.ZIP_MANIFEST: N_("zip:signed-manifest"),
    Mark.EXTRACTED_TEXT: N_("text"),
    Mark.PDF_CODE: N_("pdf:2d-code"),
    Mark.PDF_WATERMARK: N_("pdf:watermark"),
    Mark.OCR_TEXT: N_("ocr"),
    Mark.DXF_VISIBLE_TEXT: N_("dxf:visible-text"),
    Mark.STEP_ANNOTATION: N_("step:annotation"),
    Mark.IGES_GENERAL_NOTE: N_("iges:general-note"),
    Mark.PDF_CONTENT_SPACING: N_("pdf:content-spacing"),
}


def mark_name(mark: Mark) -> Text:
    """The mark as a message: its code in English renderings, its name on the pages."""
    return Text(MARK_NAMES[mark])


def mark_evidence(mark: Mark, detail: Text | None) -> Text:
    """The mark and how it was found, as a trace's evidence: `mark (detail)` in English, and
    with full-width brackets, as Japanese writes them, on the Japanese pages."""
    if detail is None:
        return mark_name(mark)
    return Text(N_("%(mark)s (%(detail)s)"), {"mark": mark_name(mark), "detail": detail})


@dataclass(frozen=True, slots=True)
class FoundMark:
    """A copy id read back from a file, and where it was found."""

    copy_id: str
    where: Mark
    detail: Text | None = None  # how it was found (pages, a signature's state), as a message
    trusted: bool = True  # False when the carrier failed its own check (a bad manifest signature)


@dataclass(frozen=True, slots=True)
class StripPolicy:
    """What happens to the withdrawing company's authorship in CAD headers.

    With `replace_authorship`, author and organisation fields get `author` / `organization`
    (ASCII: IGES and old DXF cannot carry more) and the originals are returned in
    `CopyResult.recorded` for the ledger; without it they are kept and still recorded.
    `strip_local_paths` cuts file names down to their last component (no C:\\Users\\...).
    """

    replace_authorship: bool = True
    author: str = ""
    organization: str = "Ministry of Defense, Japan"
    strip_local_paths: bool = True

    def __post_init__(self) -> None:
        if not (self.author + self.organization).isascii():
            raise BadInput(Text(N_("replacement author and organisation must be ASCII")))


@dataclass(frozen=True, slots=True)
class CopyResult:
    """A written copy: where, its SHA-256, which marks it carries and what was recorded."""

    path: Path
    sha256: str
    format: str
    marks: tuple[Mark, ...]
    recorded: Mapping[str, str] = field(default_factory=dict)  # original header values, by field
    notes: tuple[str, ...] = ()
    name: str = ""  # the copy's file name (set by `make_copy`; `path` may be an anonymous file)


class CopyNotMarkable(Exception):
    """The format-specific copier cannot mark this file (encrypted, damaged, unexpected layout)."""


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def find_markers(text: str) -> list[str]:
    """Every copy id written as `SHOKEI-COPY:<id>` in `text`, in order, without repeats."""
    return list(dict.fromkeys(MARKER.findall(text)))


def last_path_component(name: str) -> str:
    """`C:\\Users\\tanaka\\part.stp` or `/home/x/part.stp` -> `part.stp` (both separators)."""
    return re.split(r"[\\/]", name)[-1]


# An anonymous file (a memfd, an O_TMPFILE) is reached at /proc/self/fd/N: it has no name on any
# filesystem, so nothing half-written can be seen there and its owner discards it on failure.
ANONYMOUS_FILES = Path("/proc/self/fd")


@contextlib.contextmanager
def atomic_destination(destination: Path) -> Iterator[Path]:
    """A temporary path next to `destination`, moved into place only if the block succeeds; an
    anonymous file (`ANONYMOUS_FILES`) is written in place."""
    if destination.parent == ANONYMOUS_FILES:
        yield destination
        return
    temporary = destination.with_name(f".{destination.name}.{os.getpid()}.partial")
    try:
        yield temporary
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)


def recorded_values(pairs: Mapping[str, str]) -> dict[str, str]:
    """Only the non-empty originals: an empty author field is nothing to record."""
    return {name: value for name, value in pairs.items() if value}
