"""Metadata and text extraction for every document type the intake recognises.

`extract(path, doc_type)` never raises for a bad file: whatever a supplier hands in, the result
is an `Extraction`, flagged `unparseable` (with the error class) when the file could not be read.
Library warnings about malformed files are silenced here, where they are expected, not globally.
"""

from __future__ import annotations

import importlib
import math
import warnings
from collections.abc import Callable
from pathlib import Path

from shokei.formats.extract.base import Extraction, Flag, JSONValue, failed_extraction
from shokei.formats.sniff import DocumentType

__all__ = ["DEFAULT_MAX_TEXT_CHARS", "Extraction", "Flag", "JSONValue", "extract", "storable"]

DEFAULT_MAX_TEXT_CHARS = 1_000_000

Extractor = Callable[[Path, int], Extraction]

# Imported on first use: ezdxf, openpyxl and pypdf together cost a second of start-up that a
# command handing in only archives of drawings, or no files at all, should not pay.
_EXTRACTORS: dict[DocumentType, tuple[str, str]] = {
    DocumentType.PDF: ("pdf", "extract_pdf"),
    DocumentType.STEP: ("step", "extract_step"),
    DocumentType.IGES: ("iges", "extract_iges"),
    DocumentType.DXF: ("dxf", "extract_dxf"),
    DocumentType.DOCX: ("office", "extract_docx"),
    DocumentType.XLSX: ("office", "extract_xlsx"),
    DocumentType.IMAGE: ("image", "extract_image"),
    DocumentType.TEXT: ("text", "extract_text"),
}


def _extractor(doc_type: DocumentType) -> Extractor | None:
    located = _EXTRACTORS.get(doc_type)
    if located is None:
        return None
    module = importlib.import_module(f"{__name__}.{located[0]}")
    function: Extractor = getattr(module, located[1])
    return function


def extract(
    path: Path, doc_type: DocumentType, *, max_text_chars: int = DEFAULT_MAX_TEXT_CHARS
) -> Extraction:
    """Metadata, text (at most `max_text_chars`) and flags of the file at `path`.

    `doc_type` comes from `sniff.detect_type_path`; `OTHER` yields an empty extraction. Never
    raises for file content; a negative `max_text_chars` is a programming error (ValueError).
    """
    if max_text_chars < 0:
        raise ValueError("max_text_chars must not be negative")
    extractor = _extractor(doc_type)
    if extractor is None:
        return Extraction()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return storable(extractor(path, max_text_chars))
    # A parser fed hostile bytes can fail in any way (RecursionError, MemoryError, struct.error,
    # library-specific errors...): each becomes a flagged result, never a failed intake.
    except Exception as error:
        return storable(failed_extraction(error))


def _storable_text(value: str) -> str:
    # A parser may hand back NUL (PostgreSQL refuses it in text) or a lone surrogate (no database
    # can encode it) from a hostile or broken file: dropped and escaped, never a failed intake.
    return value.replace("\x00", "").encode("utf-8", "backslashreplace").decode("utf-8")


def _storable_value(value: JSONValue) -> JSONValue:
    if isinstance(value, str):
        return _storable_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN or Infinity
    if isinstance(value, list):
        return [_storable_value(item) for item in value]
    if isinstance(value, dict):
        return {_storable_text(key): _storable_value(item) for key, item in value.items()}
    return value


def storable(extraction: Extraction) -> Extraction:
    """`extraction` as every database stores it: no NUL, no lone surrogate, finite numbers."""
    extraction.text = _storable_text(extraction.text)
    extraction.metadata = {_storable_text(k): _storable_value(v) for k, v in extraction.metadata.items()}
    return extraction
