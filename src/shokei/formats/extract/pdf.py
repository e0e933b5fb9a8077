"""PDF: page count, document information and page text, via pypdf.

Encrypted PDFs are flagged and never guessed at. pypdf itself opens a file with the empty user
password, as every viewer does (that is how "no copying"-restricted PDFs work, not a guess); a
file that needs a real password is reported with its encryption parameters and no content.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError
from pypdf.generic import DictionaryObject

from shokei.formats.extract.base import (
    MAX_LIST_ITEMS,
    Extraction,
    Flag,
    JSONValue,
    TextCollector,
)

_INFO_FIELDS = {
    "/Title": "title",
    "/Author": "author",
    "/Subject": "subject",
    "/Keywords": "keywords",
    "/Creator": "creator",
    "/Producer": "producer",
    "/CreationDate": "created",  # kept as written (D:YYYYMMDDHHmmSS...): writers vary too much
    "/ModDate": "modified",
}
_ENCRYPTION_FIELDS = {"/Filter": "filter", "/V": "version", "/R": "revision", "/Length": "key_bits"}


def extract_pdf(path: Path, max_text_chars: int) -> Extraction:
    """Page count, info dictionary, attachments' names and text of a PDF."""
    result = Extraction()
    with path.open("rb") as stream:  # a stream, so pypdf does not copy a large file into memory
        reader = PdfReader(stream)
        result.metadata["pdf_version"] = reader.pdf_header.removeprefix("%PDF-")
        if reader.is_encrypted:
            result.flag(Flag.ENCRYPTED)
            result.metadata["encryption"] = _encryption_parameters(reader)
        try:
            page_count = len(reader.pages)
        except FileNotDecryptedError:
            return result  # locked by a real password: nothing more can be read honestly
        result.metadata["page_count"] = page_count
        result.metadata.update(_document_information(reader))
        _add_attachments(reader, result)
        _collect_page_text(reader, result, max_text_chars)
    return result


def _encryption_parameters(reader: PdfReader) -> dict[str, JSONValue]:
    # The /Encrypt dictionary itself is never encrypted, so it is readable without a password.
    encrypt = reader.trailer["/Encrypt"].get_object()
    if not isinstance(encrypt, DictionaryObject):
        return {}
    parameters: dict[str, JSONValue] = {}
    for key, name in _ENCRYPTION_FIELDS.items():
        value = encrypt.get(key)
        if value is not None:
            parameters[name] = _plain(value)
    return parameters


def _document_information(reader: PdfReader) -> dict[str, JSONValue]:
    info = reader.metadata
    if info is None:
        return {}
    found: dict[str, JSONValue] = {}
    for key, name in _INFO_FIELDS.items():
        value = info.get(key)
        if value is not None:
            found[name] = str(_plain(value.get_object()))
    return found


def _plain(value: Any) -> JSONValue:
    """A pypdf object as a JSON scalar: names lose their slash, numbers stay numbers."""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value).removeprefix("/")


def _add_attachments(reader: PdfReader, result: Extraction) -> None:
    # Embedded files are documents in their own right; the examiner must know they are there.
    try:
        names = list(reader.attachments)
    except (PdfReadError, KeyError, ValueError, TypeError, AttributeError):
        result.flag(Flag.PARTIAL)
        return
    if names:
        attachments: list[JSONValue] = [str(name) for name in names[:MAX_LIST_ITEMS]]
        result.metadata["attachments"] = attachments


def _collect_page_text(reader: PdfReader, result: Extraction, max_text_chars: int) -> None:
    collector = TextCollector(max_text_chars)
    for page in reader.pages:
        if collector.full:
            break
        try:
            collector.add(page.extract_text())
        except Exception:  # one broken page must not hide the others
            result.flag(Flag.PARTIAL)
    collector.finish(result)
