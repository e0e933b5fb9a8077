"""PDF copies: a visible stamp on every page and invisible identification in four places.

Visible: the stamp of `pdf_stamp` (recipient, corporate number, copy id, date and the
prohibition, in English and Japanese, the Japanese font embedded) at the foot of every page.

Invisible, read back by `read_pdf_marks`:
- the document information dictionary (`/ShokeiCopyId`, `/ShokeiRecipient`);
- XMP metadata (`dc:rights` with the marker, and `shokei:CopyId`);
- on every page, a marked-content sequence whose property list (in the page's /Properties
  resources) names the copy id, around an invisible text run (rendering mode 3, 0.01 pt)
  holding the marker. These live in the page objects, so they survive rewriting by pikepdf,
  qpdf or pypdf and the removal of /Info and /Metadata.

The trailer /ID is not used: pikepdf keeps its first half when rewriting, so copies of one
original share it (PLATFORM.md). Copies are saved with a content-derived /ID, so one original
and one label give the same bytes, except for a PDF with (restriction-only) encryption, whose
encryption is kept and whose /ID qpdf then has to draw at random.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Page, Pdf, String
from pikepdf.models.metadata import PdfMetadata

from shokei.errors import N_, Text
from shokei.formats.marking.base import (
    MARKER_PREFIX,
    NO_COPYING_EN,
    NO_COPYING_JA,
    CopyLabel,
    CopyNotMarkable,
    CopyResult,
    FoundMark,
    Mark,
    StripPolicy,
    atomic_destination,
    find_markers,
    recorded_values,
    sha256_file,
)
from shokei.formats.marking.pdf_font import JapaneseFont
from shokei.formats.marking.pdf_stamp import StampNames, page_frame, stamp_content, stamp_fonts

INFO_COPY_ID = Name("/ShokeiCopyId")
INFO_RECIPIENT = Name("/ShokeiRecipient")
PROPERTY_COPY_ID = Name("/ShokeiCopyId")
XMP_NAMESPACE = "urn:x-shokei:handover:1/"
XMP_PREFIX = "shokei"
XMP_COPY_ID = f"{{{XMP_NAMESPACE}}}CopyId"

MARKED_PAGES = (Mark.PDF_PAGE_PROPERTIES, Mark.PDF_CONTENT_TEXT, Mark.PDF_VISIBLE_STAMP)


@dataclass(frozen=True, slots=True)
class _Resources:
    """The objects every stamped page refers to (indirect, so shared, not repeated)."""

    latin: pikepdf.Object
    japanese: JapaneseFont
    properties: pikepdf.Object


def make_pdf_copy(
    source: Path, label: CopyLabel, destination: Path, policy: StripPolicy | None = None
) -> CopyResult:
    """Write `label`'s stamped and marked copy of the PDF `source` to `destination`.

    With the policy's `replace_authorship`, /Author and XMP dc:creator get the policy's author
    (or go, when it is empty); the originals are returned in `recorded`. Raises
    `CopyNotMarkable` for a PDF that needs a password or that qpdf cannot read.
    """
    chosen = policy or StripPolicy()
    try:
        pdf = Pdf.open(source)
    except pikepdf.PasswordError as error:
        raise CopyNotMarkable("the PDF needs a password to open") from error
    except pikepdf.PdfError as error:
        raise CopyNotMarkable(f"the PDF cannot be read: {error}") from error
    with pdf:
        try:
            recorded = _replace_info_author(pdf, chosen)
            _mark_document(pdf, label)
            xmp = _write_xmp(pdf, label, chosen, recorded)
            _save(pdf, destination)
        except pikepdf.PdfError as error:  # damage qpdf meets only on the way through the pages
            raise CopyNotMarkable(f"the PDF cannot be rewritten: {error}") from error
    marks = (Mark.PDF_INFO, *((xmp,) if xmp else ()), *MARKED_PAGES)
    return CopyResult(destination, sha256_file(destination), "pdf", marks, recorded_values(recorded))


def _save(pdf: Pdf, destination: Path) -> None:
    with atomic_destination(destination) as temporary:
        # Restriction-only encryption (empty user password) is kept as the supplier set it; qpdf
        # cannot derive the /ID from the content of an encrypted file, so that /ID is random.
        encrypted = pdf.is_encrypted
        # Saved through a stream: given a path, pikepdf writes a temporary file beside it, and
        # beside an anonymous file (/proc/self/fd/N) there is no directory to write in.
        with temporary.open("wb") as stream:
            pdf.save(stream, deterministic_id=not encrypted, encryption=encrypted)


def _mark_document(pdf: Pdf, label: CopyLabel) -> None:
    resources = _stamp_resources(pdf, label)
    pages = list(pdf.pages)
    # Counted before any page is stamped: pages may share one /Resources dictionary.
    earlier = [_earlier_stamps(page) for page in pages]
    names_by_dictionary: dict[tuple[int, int], StampNames] = {}
    for page, stacked in zip(pages, earlier, strict=True):
        names = _add_resources(page, resources, names_by_dictionary)
        _stamp_page(pdf, page, label, names, stacked, font=resources.japanese)
    pdf.docinfo[INFO_COPY_ID] = String(label.copy_id)
    pdf.docinfo[INFO_RECIPIENT] = String(label.recipient_corporate_number)


def _replace_info_author(pdf: Pdf, policy: StripPolicy) -> dict[str, str]:
    info = pdf.trailer.get(Name.Info)
    author = str(info.get(Name.Author, "")) if isinstance(info, Dictionary) else ""
    if policy.replace_authorship and author:
        if policy.author:
            pdf.docinfo[Name.Author] = String(policy.author)
        else:
            del pdf.docinfo[Name.Author]
    return {"pdf.info.Author": author}


def _write_xmp(pdf: Pdf, label: CopyLabel, policy: StripPolicy, recorded: dict[str, str]) -> Mark | None:
    """dc:rights and shokei:CopyId in the XMP packet; None when the packet cannot be edited."""
    PdfMetadata.register_xml_namespace(XMP_NAMESPACE, XMP_PREFIX)
    rights = f"{NO_COPYING_JA} / {NO_COPYING_EN}. {label.marker} ({label.recipient_corporate_number})"
    try:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as metadata:
            metadata["dc:rights"] = rights
            metadata[XMP_COPY_ID] = label.copy_id
            creators = metadata.get("dc:creator")
            if creators:
                recorded["pdf.xmp.dc:creator"] = "; ".join(str(creator) for creator in creators)
                if policy.replace_authorship:
                    _replace_creator(metadata, policy.author)
    except (ValueError, KeyError, pikepdf.PdfError):
        return None  # a damaged packet: the page marks and /Info still identify the copy
    return Mark.PDF_XMP


def _replace_creator(metadata: PdfMetadata, author: str) -> None:
    del metadata["dc:creator"]
    if author:
        metadata["dc:creator"] = [author]


# --- stamping ---------------------------------------------------------------------------------


def _stamp_resources(pdf: Pdf, label: CopyLabel) -> _Resources:
    properties = Dictionary(
        {
            str(PROPERTY_COPY_ID): String(label.copy_id),
            "/ShokeiRecipient": String(label.recipient_corporate_number),
        }
    )
    latin, japanese = stamp_fonts(pdf, label)
    return _Resources(latin, japanese, pdf.make_indirect(properties))


def _earlier_stamps(page: Page) -> int:
    properties = page.resources.get(Name.Properties)
    if not isinstance(properties, Dictionary):
        return 0
    return sum(
        1 for value in properties.values() if isinstance(value, Dictionary) and PROPERTY_COPY_ID in value
    )


def _free_name(resources: Dictionary, base: str) -> Name:
    """`/<base>1`, `/<base>2`...: the first name no resource category of the page uses yet.

    Deterministic (unlike random names), so one original and one label give the same bytes.
    """
    taken = {
        str(key) for category in resources.values() if isinstance(category, Dictionary) for key in category
    }
    number = 1
    while f"/{base}{number}" in taken:
        number += 1
    return Name(f"/{base}{number}")


def _add_resources(page: Page, shared: _Resources, done: dict[tuple[int, int], StampNames]) -> StampNames:
    dictionary = page.resources
    key = dictionary.objgen
    if key != (0, 0) and key in done:  # an indirect /Resources shared with a page stamped already
        return done[key]
    names = StampNames(
        _free_name(dictionary, "ShokeiF"),
        _free_name(dictionary, "ShokeiJ"),
        _free_name(dictionary, "ShokeiCopy"),
    )
    page.add_resource(shared.latin, Name.Font, names.latin)
    page.add_resource(shared.japanese.font, Name.Font, names.japanese)
    page.add_resource(shared.properties, Name.Properties, names.properties)
    if key != (0, 0):
        done[key] = names
    return names


def _stamp_page(
    pdf: Pdf, page: Page, label: CopyLabel, names: StampNames, stacked: int, *, font: JapaneseFont
) -> None:
    content = stamp_content(page_frame(page), label, names, stacked, font)
    # The page's own content is wrapped in q/Q so whatever state it leaves cannot move the stamp.
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"Q\n" + content))


# --- reading marks back -----------------------------------------------------------------------


def read_pdf_marks(path: Path) -> list[FoundMark]:
    """Copy ids found in the info dictionary, the XMP packet and every page's marks.

    A file that does not open (not a PDF, needs a password) yields no marks, not an error.
    """
    try:
        pdf = Pdf.open(path)
    except (pikepdf.PdfError, pikepdf.PasswordError, OSError, ValueError):
        return []
    with pdf:
        return [*_info_marks(pdf), *_xmp_marks(pdf), *_page_marks(pdf)]


def _info_marks(pdf: Pdf) -> list[FoundMark]:
    info = pdf.trailer.get(Name.Info)
    value = info.get(INFO_COPY_ID) if isinstance(info, Dictionary) else None
    return [FoundMark(str(value), Mark.PDF_INFO)] if value is not None else []


def _xmp_marks(pdf: Pdf) -> list[FoundMark]:
    stream = pdf.Root.get(Name.Metadata)
    if not isinstance(stream, pikepdf.Stream):
        return []
    try:
        packet = stream.read_bytes().decode("utf-8", "replace")
    except pikepdf.PdfError:
        return []
    return [FoundMark(copy_id, Mark.PDF_XMP) for copy_id in find_markers(packet)]


def _page_marks(pdf: Pdf) -> list[FoundMark]:
    pages_by_mark: dict[tuple[str, Mark], list[int]] = {}
    for number, page in enumerate(pdf.pages, start=1):
        for copy_id in _property_copy_ids(page):
            pages_by_mark.setdefault((copy_id, Mark.PDF_PAGE_PROPERTIES), []).append(number)
        for copy_id in _content_copy_ids(page):
            pages_by_mark.setdefault((copy_id, Mark.PDF_CONTENT_TEXT), []).append(number)
    total = len(pdf.pages)
    return [
        FoundMark(
            copy_id,
            where,
            Text(N_("%(found)s of %(total)s pages"), {"found": len(pages), "total": total}),
        )
        for (copy_id, where), pages in pages_by_mark.items()
    ]


def _property_copy_ids(page: Page) -> list[str]:
    properties = page.resources.get(Name.Properties)
    if not isinstance(properties, Dictionary):
        return []
    return [
        str(value[PROPERTY_COPY_ID])
        for value in properties.values()
        if isinstance(value, Dictionary) and PROPERTY_COPY_ID in value
    ]


def _content_copy_ids(page: Page) -> list[str]:
    contents = page.obj.get(Name.Contents)
    streams = list(contents) if isinstance(contents, Array) else [contents]
    found: list[str] = []
    for stream in streams:
        if not isinstance(stream, pikepdf.Stream):
            continue
        try:
            data = stream.read_bytes()
        except pikepdf.PdfError:
            continue
        if MARKER_PREFIX.encode() in data:
            found.extend(find_markers(data.decode("latin-1")))
    return list(dict.fromkeys(found))
