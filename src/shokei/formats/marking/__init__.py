"""Per-recipient copies: one module per format, one entry point choosing between them.

`make_copy` sniffs the source (by content, never by name) and writes a marked PDF, STEP, IGES
or DXF copy; anything else, or a file of those formats that cannot be marked (a PDF that needs
a password, a damaged header), is delivered unchanged inside a ZIP with a signed manifest, and
the result's notes say why. `read_marks` reads back whatever identification a file carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shokei.formats.marking.base import (
    CopyLabel,
    CopyNotMarkable,
    CopyResult,
    DeliveryTerms,
    FoundMark,
    Mark,
    StripPolicy,
    last_path_component,
)
from shokei.formats.marking.dxf import make_dxf_copy, read_dxf_marks
from shokei.formats.marking.iges import make_iges_copy, read_iges_marks
from shokei.formats.marking.manifest import make_zip_copy, read_zip_marks
from shokei.formats.marking.pdf import make_pdf_copy, read_pdf_marks
from shokei.formats.marking.pdf_code import add_code_marks
from shokei.formats.marking.step import make_step_copy, read_step_marks
from shokei.formats.sniff import DocumentType, detect_type_path

__all__ = [
    "CopyLabel",
    "CopyNotMarkable",
    "CopyResult",
    "DeliveryTerms",
    "FoundMark",
    "Mark",
    "StripPolicy",
    "make_copy",
    "read_marks",
]

MarkedCopier = Callable[[Path, CopyLabel, Path, StripPolicy], CopyResult]


_MARKED_COPIERS: dict[DocumentType, MarkedCopier] = {
    DocumentType.PDF: make_pdf_copy,
    DocumentType.STEP: make_step_copy,
    DocumentType.IGES: make_iges_copy,
    DocumentType.DXF: make_dxf_copy,
}
_MARK_READERS: dict[DocumentType, Callable[[Path], list[FoundMark]]] = {
    DocumentType.PDF: read_pdf_marks,
    DocumentType.STEP: read_step_marks,
    DocumentType.IGES: read_iges_marks,
    DocumentType.DXF: read_dxf_marks,
}


def make_copy(
    source: Path,
    label: CopyLabel,
    directory: Path | None,
    *,
    signing_key: Ed25519PrivateKey,
    terms: DeliveryTerms,
    policy: StripPolicy | None = None,
    file_name: str | None = None,
    into: Path | None = None,
    code_key: bytes | None = None,
) -> CopyResult:
    """Write `label`'s copy of `source` into `directory` and describe it.

    The copy is named `<copy id>-<file name>` (plus `.zip` for a ZIP delivery, `result.name`);
    `file_name` defaults to the source's name. `into` writes the copy to that path instead of
    into `directory`, in place: an anonymous file (`/proc/self/fd/N`) its caller opened, so the
    plaintext copy never has a name on disk. `signing_key` signs the manifest of a ZIP delivery,
    which states the `terms` the recipient accepted. With `code_key`, a PDF copy also carries on
    every page a QR code authenticated under that key and a tiled watermark (`pdf_code`), and
    its pages' own text is spaced by the copy's bits under that key (`pdf_weave`).
    """
    if (directory is None) == (into is None):
        raise ValueError("give either a directory or a file to write the copy into")
    name = last_path_component(file_name or source.name)
    copier = _MARKED_COPIERS.get(detect_type_path(source))
    reason = ""
    if copier is not None:
        marked_name = f"{label.copy_id}-{name}"
        try:
            result = copier(source, label, into or _in(directory, marked_name), policy or StripPolicy())
            return _with_code_marks(replace(result, name=marked_name), label, code_key)
        except CopyNotMarkable as error:
            reason = f"not markable ({error}); delivered unchanged in a signed ZIP"
    zip_name = f"{label.copy_id}-{name}.zip"
    result = make_zip_copy(
        source, label, into or _in(directory, zip_name), signing_key, terms=terms, file_name=name
    )
    return replace(result, name=zip_name, notes=(reason,) if reason else result.notes)


def _in(directory: Path | None, name: str) -> Path:
    assert directory is not None
    return directory / name


def _with_code_marks(result: CopyResult, label: CopyLabel, code_key: bytes | None) -> CopyResult:
    if code_key is None or result.format != "pdf":
        return result
    digest = add_code_marks(result.path, label, code_key)
    marks = (*result.marks, Mark.PDF_CODE, Mark.PDF_WATERMARK, Mark.PDF_CONTENT_SPACING)
    return replace(result, sha256=digest, marks=marks)


def read_marks(path: Path, manifest_key: Ed25519PublicKey | None = None) -> list[FoundMark]:
    """Every copy id `path` carries in its format's own places (a ZIP: its manifest)."""
    reader = _MARK_READERS.get(detect_type_path(path))
    if reader is not None:
        return reader(path)
    return read_zip_marks(path, manifest_key)
