"""Trace when the identification is gone: original bytes, unknown marks, and text similarity."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pikepdf
import pypdf

from shokei.formats.marking.base import CopyLabel
from shokei.formats.marking.pdf import make_pdf_copy
from shokei.succession.fingerprint import fingerprint_file
from shokei.succession.register import InMemoryKnownCopies
from shokei.succession.trace import trace
from tests.unit.succession.support import FIXTURES, SUCCESSOR_A, SUCCESSOR_B, known_copy, register

LATEX = FIXTURES / "pdf" / "pdflatex-4-pages.pdf"
GOOGLE = FIXTURES / "pdf" / "google-doc-document.pdf"


GOOGLE_TO_A = replace(SUCCESSOR_A, copy_id="SK-A-0002")


def _issue(directory: Path) -> InMemoryKnownCopies:
    """pdflatex-4-pages to A and B, google-doc-document to A only; fingerprints of the originals."""
    latex_a = make_pdf_copy(LATEX, SUCCESSOR_A, directory / "latex-a.pdf")
    latex_b = make_pdf_copy(LATEX, SUCCESSOR_B, directory / "latex-b.pdf")
    google_a = make_pdf_copy(GOOGLE, GOOGLE_TO_A, directory / "g.pdf")
    return register(
        known_copy(SUCCESSOR_A, latex_a, LATEX, fingerprint=fingerprint_file(LATEX)),
        known_copy(SUCCESSOR_B, latex_b, LATEX, fingerprint=fingerprint_file(LATEX)),
        known_copy(GOOGLE_TO_A, google_a, GOOGLE, fingerprint=fingerprint_file(GOOGLE)),
    )


def _retyped(source: Path, target: Path) -> None:
    """Someone retypes the text, changing every eighth word, and keeps no stamp or id."""
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(source).pages)
    words = text.split(" ")
    target.write_text(" ".join("xxxx" if index % 8 == 7 else word for index, word in enumerate(words)))


def test_retyped_text_of_a_document_held_by_one_recipient_names_that_copy(tmp_path: Path) -> None:
    known = _issue(tmp_path)
    found = tmp_path / "found.txt"
    _retyped(GOOGLE, found)
    result = trace(found, known)
    assert (result.copy_id, result.method) == ("SK-A-0002", "similarity")
    assert 0.0 < result.confidence < 0.8
    assert result.candidates[0].evidence[0].startswith("text similarity ")


def test_retyped_text_of_a_document_held_by_two_recipients_names_both(tmp_path: Path) -> None:
    known = _issue(tmp_path)
    found = tmp_path / "found.txt"
    _retyped(LATEX, found)
    result = trace(found, known)
    assert (result.copy_id, result.method) == (None, "similarity")
    top_two = result.candidates[:2]
    assert {candidate.copy_id for candidate in top_two} == {"SK-A-0001", "SK-B-0001"}
    assert top_two[0].confidence == top_two[1].confidence  # same document, same text: no preference


def test_similarity_is_less_sure_than_an_embedded_mark(tmp_path: Path) -> None:
    known = _issue(tmp_path)
    resaved = tmp_path / "resaved.pdf"
    with pikepdf.open(tmp_path / "g.pdf") as pdf:
        del pdf.trailer.Info
        pdf.save(resaved)
    retyped = tmp_path / "found.txt"
    _retyped(GOOGLE, retyped)
    by_mark, by_text = trace(resaved, known), trace(retyped, known)
    assert by_mark.copy_id == by_text.copy_id == "SK-A-0002"
    assert (by_mark.method, by_text.method) == ("embedded", "similarity")
    assert by_text.confidence < by_mark.confidence


def test_the_unmarked_original_points_upstream_of_the_handover(tmp_path: Path) -> None:
    result = trace(LATEX, _issue(tmp_path))
    assert (result.copy_id, result.method, result.confidence, result.candidates) == (None, "hash", 0.0, ())
    assert "upstream of the hand-over" in result.notes[0]


def test_a_mark_the_register_does_not_know_is_reported_and_similarity_takes_over(tmp_path: Path) -> None:
    known = _issue(tmp_path)
    stranger = CopyLabel("XX-9999", "Unknown KK", "5010401067252", SUCCESSOR_A.issued_on)
    found = make_pdf_copy(GOOGLE, stranger, tmp_path / "stranger.pdf").path
    result = trace(found, known)
    assert result.unknown_marks == ("XX-9999",)
    assert (result.copy_id, result.method) == ("SK-A-0002", "similarity")


def test_a_file_with_no_text_and_no_marks_identifies_nothing(tmp_path: Path) -> None:
    found = tmp_path / "noise.bin"
    found.write_bytes(bytes(range(256)) * 4)
    result = trace(found, _issue(tmp_path))
    assert (result.copy_id, result.method, result.confidence, result.candidates) == (
        None,
        "similarity",
        0.0,
        (),
    )
    assert result.notes == ("too little text to compare",)
