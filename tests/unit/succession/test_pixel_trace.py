"""Golden transformations of a released copy of a real PDF, held by a successor and by its
subcontractor (a copy of the successor's copy): each is traced to the right holder, from the
marks while they last, from the 2D code in the pixels, and by OCR when the code is gone; a code
whose copy id was changed (its MAC kept) is reported as forged, never as that copy."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from pyzbar import pyzbar

from shokei.formats.marking import Mark, make_copy, read_marks
from shokei.succession.fingerprint import fingerprint_file
from shokei.succession.register import InMemoryKnownCopies
from shokei.succession.tracing.matching import trace
from tests.real_files import real_files_dir
from tests.unit.succession import golden_leaks
from tests.unit.succession.support import SUBCONTRACTOR, SUCCESSOR_A, TERMS, known_copy, register

pytestmark = pytest.mark.real_files

CODE_KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
SOURCE = "pdf/pdflatex-4-pages.pdf"


@dataclass(frozen=True)
class Holders:
    successor: Path
    subcontractor: Path
    known: InMemoryKnownCopies


@pytest.fixture(scope="module")
def holders(tmp_path_factory: pytest.TempPathFactory) -> Holders:
    source = real_files_dir() / SOURCE
    directory = tmp_path_factory.mktemp("holders")
    key = Ed25519PrivateKey.generate()
    successor = make_copy(source, SUCCESSOR_A, directory, signing_key=key, terms=TERMS, code_key=CODE_KEY)
    (directory / "sub").mkdir()
    subcontractor = make_copy(
        successor.path, SUBCONTRACTOR, directory / "sub", signing_key=key, terms=TERMS, code_key=CODE_KEY
    )
    assert {Mark.PDF_CODE, Mark.PDF_WATERMARK} <= set(successor.marks)
    # As release records them: the original's text fingerprint with each copy.
    fingerprint = fingerprint_file(source)
    known = register(
        known_copy(SUCCESSOR_A, successor, source, fingerprint=fingerprint),
        known_copy(SUBCONTRACTOR, subcontractor, source, parent=SUCCESSOR_A.copy_id, fingerprint=fingerprint),
    )
    return Holders(successor.path, subcontractor.path, known)


def _copy_of(holders: Holders, holder: str) -> Path:
    return holders.successor if holder == "successor" else holders.subcontractor


EXPECTED = {"successor": SUCCESSOR_A, "subcontractor": SUBCONTRACTOR}

# transformation -> (the method that must name the holder, the lowest confidence accepted)
GOLDEN: dict[str, tuple[Callable[[Path, Path], Path], str, str, float]] = {
    "metadata stripped": (golden_leaks.strip_metadata, "out.pdf", "marks", 0.95),
    "one page extracted": (golden_leaks.one_page, "out.pdf", "marks", 0.95),
    "footer cropped, printed by pdftocairo": (golden_leaks.crop_footer_and_print, "out.pdf", "code", 0.97),
    "150 dpi JPEG q75 image PDF": (golden_leaks.image_pdf, "out.pdf", "code", 0.97),
    "photo: 2 degrees, blurred, JPEG 60": (golden_leaks.photo, "out.jpg", "code", 0.97),
    "code painted out (OCR)": (golden_leaks.code_painted_out, "out.png", "ocr", 0.7),
    "pages re-written by pypdf": (golden_leaks.rewritten_by_pypdf, "out.pdf", "marks", 0.95),
    "added stamp, watermark and code layers removed": (golden_leaks.layers_removed, "out.pdf", "marks", 0.85),
    "layers removed, pages re-written by pypdf": (
        golden_leaks.layers_removed_then_rewritten,
        "out.pdf",
        "marks",
        0.85,
    ),
    "text only (pdftotext)": (golden_leaks.text_only, "out.txt", "marks", 0.95),
}


@pytest.mark.parametrize("holder", ["successor", "subcontractor"])
@pytest.mark.parametrize("transformation", list(GOLDEN))
def test_each_golden_transformation_is_traced_to_its_holder(
    holders: Holders, holder: str, transformation: str, tmp_path: Path
) -> None:
    transform, name, method, confidence = GOLDEN[transformation]
    found = transform(_copy_of(holders, holder), tmp_path / name)
    result = trace(found, holders.known, code_key=CODE_KEY)
    label = EXPECTED[holder]
    assert (result.copy_id, result.method) == (label.copy_id, method), result
    assert result.confidence >= confidence
    assert result.candidates[0].recipient_corporate_number == label.recipient_corporate_number
    assert result.candidates[0].evidence


def test_the_image_pdf_has_no_text_and_no_marks_left(holders: Holders, tmp_path: Path) -> None:
    found = golden_leaks.image_pdf(holders.successor, tmp_path / "scan.pdf")
    text = subprocess.run(["pdftotext", str(found), "-"], capture_output=True, check=True).stdout
    assert text.strip() == b""
    assert trace(found, holders.known).copy_id is None  # without the code key: nothing to go on


def _payload(path: Path) -> str:
    with Image.open(path) as image:
        symbols = pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])
    return symbols[0].data.decode()


def test_a_code_with_another_copy_id_and_the_mac_kept_is_reported_as_forged(
    holders: Holders, tmp_path: Path
) -> None:
    genuine = _payload(golden_leaks.photo(holders.successor, tmp_path / "genuine.jpg"))
    assert genuine.startswith(f"SHOKEI1:{SUCCESSOR_A.copy_id}:")
    forged = genuine.replace(SUCCESSOR_A.copy_id, SUBCONTRACTOR.copy_id)
    found = golden_leaks.forged_code(forged)(holders.successor, tmp_path / "forged.tiff")
    result = trace(found, holders.known, code_key=CODE_KEY)
    assert SUBCONTRACTOR.copy_id not in {candidate.copy_id for candidate in result.candidates}
    assert result.copy_id != SUBCONTRACTOR.copy_id
    assert any(
        str(note).startswith(f"forged 2D code naming {SUBCONTRACTOR.copy_id}") for note in result.notes
    ), result.notes


def test_a_code_made_under_another_key_is_not_believed(holders: Holders, tmp_path: Path) -> None:
    found = golden_leaks.photo(holders.successor, tmp_path / "photo.jpg")
    result = trace(found, holders.known, code_key=OTHER_KEY)
    assert result.method != "code"
    assert any(str(note).startswith(f"forged 2D code naming {SUCCESSOR_A.copy_id}") for note in result.notes)


@pytest.mark.parametrize("holder", ["successor", "subcontractor"])
def test_with_every_added_layer_removed_the_woven_spacing_still_names_the_holder(
    holders: Holders, holder: str, tmp_path: Path
) -> None:
    found = golden_leaks.layers_removed(_copy_of(holders, holder), tmp_path / "bare.pdf")
    text = subprocess.run(["pdftotext", str(found), "-"], capture_output=True, check=True).stdout.decode()
    assert [word for word in ("SHOKEI", "Copy ID", "複製番号") if word in text] == []
    assert read_marks(found) == []
    page = golden_leaks._pages(found, tmp_path)[0]
    assert pyzbar.decode(page, symbols=[pyzbar.ZBarSymbol.QRCODE]) == []
    result = trace(found, holders.known, code_key=CODE_KEY)
    assert result.copy_id == EXPECTED[holder].copy_id
    assert [candidate.copy_id for candidate in result.candidates] == [EXPECTED[holder].copy_id]
    assert str(result.candidates[0].evidence[0]).startswith("pdf:content-spacing (")
    # The bits are keyed: without the installation's key they name nobody.
    assert trace(found, holders.known, code_key=OTHER_KEY).copy_id is None
    assert trace(found, holders.known).copy_id is None


def test_text_alone_without_the_added_layers_cannot_tell_the_two_holders_apart(
    holders: Holders, tmp_path: Path
) -> None:
    """The supplier's words are the same in both copies: text similarity finds the document and
    says honestly that it cannot tell the successor from its subcontractor."""
    found = golden_leaks.layers_removed_then_text_only(holders.subcontractor, tmp_path / "bare.txt")
    result = trace(found, holders.known, code_key=CODE_KEY)
    assert (result.copy_id, result.method) == (None, "text")
    assert {candidate.copy_id for candidate in result.candidates} == {
        SUCCESSOR_A.copy_id,
        SUBCONTRACTOR.copy_id,
    }
    assert result.candidates[0].confidence == pytest.approx(result.candidates[1].confidence)
