"""Trace when the identification is gone: original bytes, unknown marks, and text similarity."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pikepdf
import pypdf
import pytest

from shokei.formats.marking.base import CopyLabel
from shokei.formats.marking.pdf import make_pdf_copy
from shokei.succession.fingerprint import fingerprint_file
from shokei.succession.register import InMemoryKnownCopies
from shokei.succession.tracing.matching import trace
from tests.real_files import real
from tests.unit.succession.support import SUCCESSOR_A, SUCCESSOR_B, known_copy, register, source_file

GOOGLE_TO_A = replace(SUCCESSOR_A, copy_id="SK-A-0002")


@dataclass(frozen=True)
class Originals:
    latex: Path  # issued to A and B
    google: Path  # issued to A only (as SK-A-0002)


@pytest.fixture(
    params=[
        pytest.param(("four-pages.pdf", "memo.pdf"), id="generated"),
        real(("pdflatex-4-pages.pdf", "google-doc-document.pdf"), id="real"),
    ]
)
def originals(request: pytest.FixtureRequest) -> Originals:
    """Two text PDFs: generated ones of words drawn from one vocabulary, or the real pdflatex and
    Google Docs samples."""
    latex, google = request.param
    return Originals(source_file(request, "pdf", latex), source_file(request, "pdf", google))


def _issue(originals: Originals, directory: Path) -> InMemoryKnownCopies:
    """latex to A and B, google to A only; fingerprints of the originals."""
    latex, google = originals.latex, originals.google
    latex_a = make_pdf_copy(latex, SUCCESSOR_A, directory / "latex-a.pdf")
    latex_b = make_pdf_copy(latex, SUCCESSOR_B, directory / "latex-b.pdf")
    google_a = make_pdf_copy(google, GOOGLE_TO_A, directory / "g.pdf")
    return register(
        known_copy(SUCCESSOR_A, latex_a, latex, fingerprint=fingerprint_file(latex)),
        known_copy(SUCCESSOR_B, latex_b, latex, fingerprint=fingerprint_file(latex)),
        known_copy(GOOGLE_TO_A, google_a, google, fingerprint=fingerprint_file(google)),
    )


def _retyped(source: Path, target: Path) -> None:
    """Someone retypes the text, changing every eighth word, and keeps no stamp or id."""
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(source).pages)
    words = text.split(" ")
    target.write_text(" ".join("xxxx" if index % 8 == 7 else word for index, word in enumerate(words)))


def test_retyped_text_of_a_document_held_by_one_recipient_names_that_copy(
    originals: Originals, tmp_path: Path
) -> None:
    known = _issue(originals, tmp_path)
    found = tmp_path / "found.txt"
    _retyped(originals.google, found)
    result = trace(found, known)
    assert (result.copy_id, result.method) == ("SK-A-0002", "text")
    assert 0.0 < result.confidence < 0.8
    assert str(result.candidates[0].evidence[0]).startswith("text similarity ")


def test_retyped_text_of_a_document_held_by_two_recipients_names_both(
    originals: Originals, tmp_path: Path
) -> None:
    known = _issue(originals, tmp_path)
    found = tmp_path / "found.txt"
    _retyped(originals.latex, found)
    result = trace(found, known)
    assert (result.copy_id, result.method) == (None, "text")
    top_two = result.candidates[:2]
    assert {candidate.copy_id for candidate in top_two} == {"SK-A-0001", "SK-B-0001"}
    assert top_two[0].confidence == top_two[1].confidence  # same document, same text: no preference


def test_similarity_is_less_sure_than_an_embedded_mark(originals: Originals, tmp_path: Path) -> None:
    known = _issue(originals, tmp_path)
    resaved = tmp_path / "resaved.pdf"
    with pikepdf.open(tmp_path / "g.pdf") as pdf:
        del pdf.trailer.Info
        pdf.save(resaved)
    retyped = tmp_path / "found.txt"
    _retyped(originals.google, retyped)
    by_mark, by_text = trace(resaved, known), trace(retyped, known)
    assert by_mark.copy_id == by_text.copy_id == "SK-A-0002"
    assert (by_mark.method, by_text.method) == ("marks", "text")
    assert by_text.confidence < by_mark.confidence


def test_the_unmarked_original_points_upstream_of_the_handover(originals: Originals, tmp_path: Path) -> None:
    result = trace(originals.latex, _issue(originals, tmp_path))
    assert (result.copy_id, result.method, result.confidence, result.candidates) == (None, "hash", 0.0, ())
    assert "upstream of the hand-over" in str(result.notes[0])


def test_a_mark_the_register_does_not_know_is_reported_and_similarity_takes_over(
    originals: Originals, tmp_path: Path
) -> None:
    known = _issue(originals, tmp_path)
    stranger = CopyLabel("XX-9999", "Unknown KK", "5010401067252", SUCCESSOR_A.issued_on)
    found = make_pdf_copy(originals.google, stranger, tmp_path / "stranger.pdf").path
    result = trace(found, known)
    assert result.unknown_marks == ("XX-9999",)
    assert (result.copy_id, result.method) == ("SK-A-0002", "text")


def test_a_file_with_no_text_and_no_marks_identifies_nothing(originals: Originals, tmp_path: Path) -> None:
    found = tmp_path / "noise.bin"
    found.write_bytes(bytes(range(256)) * 4)
    result = trace(found, _issue(originals, tmp_path))
    assert (result.copy_id, result.method, result.confidence, result.candidates) == (
        None,
        "text",
        0.0,
        (),
    )
    assert [str(note) for note in result.notes] == ["too little text to compare"]
