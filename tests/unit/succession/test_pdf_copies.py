"""PDF copies of generated and real public PDFs: visible stamp on every page, and identification that survives
re-saving by pikepdf (qpdf), re-writing by pypdf and the removal of /Info and XMP."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdf
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shokei.formats.marking import CopyNotMarkable, Mark, StripPolicy, make_copy
from shokei.formats.marking.pdf import make_pdf_copy, read_pdf_marks
from shokei.succession.register import InMemoryKnownCopies, lineage
from shokei.succession.tracing.matching import trace
from tests import samples
from tests.real_files import real
from tests.unit.succession.support import (
    SUBCONTRACTOR,
    SUCCESSOR_A,
    SUCCESSOR_B,
    TERMS,
    known_copy,
    register,
    source_file,
)

# A generated sample first (runs in any clone), then the real public files it stands in for.
PDFS = ["four-pages.pdf", real("pdflatex-4-pages.pdf"), real("google-doc-document.pdf")]
FOUR_PAGES = ["four-pages.pdf", real("pdflatex-4-pages.pdf")]
ONE_PAGE = ["one-page.pdf", real("minimal-document.pdf")]
# Written out here, not built by the code under test.
ENGLISH_A = (
    "Copy ID: SK-A-0001 | Recipient: corporate no. 8010401050387 | Issued: 2026-06-01"
    " | No copying or transfer"
)
JAPANESE_A = (
    "貸与先: 承継電子株式会社（法人番号 8010401050387） 複製番号 SK-A-0001 交付日 2026-06-01 "
    "無断複製・第三者提供禁止"
)
ENGLISH_B = (
    "Copy ID: SK-B-0001 | Recipient: Example Defense KK (corporate no. 5010401067252) | Issued: 2026-06-01"
    " | No copying or transfer"
)


@dataclass(frozen=True)
class _Issued:
    source: Path
    first: Path  # successor A's copy
    second: Path  # successor B's copy
    known: InMemoryKnownCopies


def _two_copies(source: Path, directory: Path) -> _Issued:
    first = make_pdf_copy(source, SUCCESSOR_A, directory / "a.pdf")
    second = make_pdf_copy(source, SUCCESSOR_B, directory / "b.pdf")
    known = register(known_copy(SUCCESSOR_A, first, source), known_copy(SUCCESSOR_B, second, source))
    return _Issued(source, first.path, second.path, known)


def _page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


@pytest.mark.parametrize("name", PDFS)
def test_two_recipients_get_different_copies_with_the_stamp_on_every_page(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    issued = _two_copies(source_file(request, "pdf", name), tmp_path)
    source, first, second = issued.source, issued.first, issued.second
    digests = {hashlib.sha256(path.read_bytes()).hexdigest() for path in (source, first, second)}
    assert len(digests) == 3
    pages = len(pypdf.PdfReader(source).pages)
    first_pages, second_pages = _page_texts(first), _page_texts(second)
    assert len(first_pages) == len(second_pages) == pages
    assert all(ENGLISH_A in text and JAPANESE_A in text for text in first_pages)
    assert all(ENGLISH_B in text and "SK-A-0001" not in text for text in second_pages)


@pytest.mark.parametrize("name", PDFS)
def test_trace_names_each_copy_exactly_by_hash(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    issued = _two_copies(source_file(request, "pdf", name), tmp_path)
    for path, label in ((issued.first, SUCCESSOR_A), (issued.second, SUCCESSOR_B)):
        result = trace(path, issued.known)
        assert (result.copy_id, result.method, result.confidence) == (label.copy_id, "hash", 1.0)
        assert result.candidates[0].recipient_corporate_number == label.recipient_corporate_number


@pytest.mark.parametrize("name", FOUR_PAGES)
def test_same_original_and_label_give_the_same_bytes(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    source = source_file(request, "pdf", name)
    once = make_pdf_copy(source, SUCCESSOR_A, tmp_path / "1.pdf")
    again = make_pdf_copy(source, SUCCESSOR_A, tmp_path / "2.pdf")
    assert once.sha256 == again.sha256
    assert set(once.marks) == {
        Mark.PDF_INFO,
        Mark.PDF_XMP,
        Mark.PDF_PAGE_PROPERTIES,
        Mark.PDF_CONTENT_TEXT,
        Mark.PDF_VISIBLE_STAMP,
    }


# --- what survives ----------------------------------------------------------------------------


def _pikepdf_resave(source: Path, target: Path, **options: object) -> None:
    with pikepdf.open(source) as pdf:
        pdf.save(target, **options)  # type: ignore[arg-type]


def _strip_info_and_xmp(source: Path, target: Path) -> None:
    with pikepdf.open(source) as pdf:
        del pdf.trailer.Info
        del pdf.Root.Metadata
        pdf.save(target)


def _pypdf_clone(source: Path, target: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(source))
    writer.write(target)


def _pypdf_pages_only(source: Path, target: Path) -> None:
    # Copying pages into a new writer leaves the document information and XMP behind.
    writer = pypdf.PdfWriter()
    for page in pypdf.PdfReader(source).pages:
        writer.add_page(page)
    writer.write(target)


TRANSFORMATIONS = {
    "pikepdf resave": _pikepdf_resave,
    "qpdf linearize": lambda source, target: _pikepdf_resave(source, target, linearize=True),
    "qpdf object streams": lambda source, target: _pikepdf_resave(
        source, target, object_stream_mode=pikepdf.ObjectStreamMode.generate
    ),
    "qpdf qdf": lambda source, target: _pikepdf_resave(source, target, qdf=True),
    "qpdf normalize content": lambda source, target: _pikepdf_resave(source, target, normalize_content=True),
    "strip info and xmp": _strip_info_and_xmp,
    "pypdf clone": _pypdf_clone,
    "pypdf pages only": _pypdf_pages_only,
}
STRIPPED = {"strip info and xmp", "pypdf pages only"}


@pytest.mark.parametrize("name", PDFS)
@pytest.mark.parametrize("how", sorted(TRANSFORMATIONS))
def test_trace_finds_the_recipient_after_rewriting(
    request: pytest.FixtureRequest, name: str, how: str, tmp_path: Path
) -> None:
    issued = _two_copies(source_file(request, "pdf", name), tmp_path)
    for path, label in ((issued.first, SUCCESSOR_A), (issued.second, SUCCESSOR_B)):
        rewritten = tmp_path / f"rewritten-{path.name}"
        TRANSFORMATIONS[how](path, rewritten)
        assert rewritten.read_bytes() != path.read_bytes()
        result = trace(rewritten, issued.known)
        assert (result.copy_id, result.method, result.confidence) == (label.copy_id, "marks", 0.95)
        places = {mark.where for mark in read_pdf_marks(rewritten) if mark.copy_id == label.copy_id}
        assert {Mark.PDF_PAGE_PROPERTIES, Mark.PDF_CONTENT_TEXT} <= places
        if how in STRIPPED:
            assert not places & {Mark.PDF_INFO, Mark.PDF_XMP}
        else:
            assert {Mark.PDF_INFO, Mark.PDF_XMP} <= places


@pytest.mark.parametrize("name", FOUR_PAGES)
def test_page_marks_are_counted_on_every_page(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    issued = _two_copies(source_file(request, "pdf", name), tmp_path)
    stripped = tmp_path / "stripped.pdf"
    _strip_info_and_xmp(issued.first, stripped)
    assert {(mark.where, str(mark.detail)) for mark in read_pdf_marks(stripped)} == {
        (Mark.PDF_PAGE_PROPERTIES, "4 of 4 pages"),
        (Mark.PDF_CONTENT_TEXT, "4 of 4 pages"),
    }


@pytest.mark.parametrize("name", PDFS)
def test_pages_merged_from_two_copies_name_no_single_recipient(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    issued = _two_copies(source_file(request, "pdf", name), tmp_path)
    writer = pypdf.PdfWriter()
    writer.add_page(pypdf.PdfReader(issued.first).pages[0])
    writer.add_page(pypdf.PdfReader(issued.second).pages[0])
    merged = tmp_path / "merged.pdf"
    writer.write(merged)
    result = trace(merged, issued.known)
    assert result.copy_id is None
    assert result.method == "marks"
    assert {candidate.copy_id for candidate in result.candidates} == {"SK-A-0001", "SK-B-0001"}
    assert result.confidence == pytest.approx(0.95 / 2)
    assert any("unrelated copies" in str(note) for note in result.notes)


@pytest.mark.parametrize("name", FOUR_PAGES)
def test_subcontractor_copy_is_traced_to_the_subcontractor_and_its_chain(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    source = source_file(request, "pdf", name)
    successor = make_pdf_copy(source, SUCCESSOR_A, tmp_path / "successor.pdf")
    sub = make_pdf_copy(successor.path, SUBCONTRACTOR, tmp_path / "sub.pdf")
    known = register(
        known_copy(SUCCESSOR_A, successor, source),
        known_copy(SUBCONTRACTOR, sub, source, parent=SUCCESSOR_A.copy_id),
    )
    assert all(
        "SK-S-0001" in text and "SK-A-0001" in text for text in _page_texts(sub.path)
    )  # both stamps, stacked
    resaved = tmp_path / "resaved.pdf"
    _pikepdf_resave(sub.path, resaved)
    result = trace(resaved, known)
    assert (result.copy_id, result.method) == ("SK-S-0001", "marks")
    assert [(c.copy_id, c.confidence) for c in result.candidates] == [("SK-S-0001", 0.95), ("SK-A-0001", 0.0)]
    assert [copy.copy_id for copy in lineage("SK-S-0001", known)] == ["SK-A-0001", "SK-S-0001"]


@pytest.mark.parametrize("name", ONE_PAGE)
@pytest.mark.parametrize(("rotate", "edge"), [(0, "bottom"), (90, "right"), (180, "top"), (270, "left")])
def test_stamp_sits_at_the_foot_of_the_page_as_displayed(
    request: pytest.FixtureRequest, name: str, rotate: int, edge: str, tmp_path: Path
) -> None:
    rotated = tmp_path / "rotated.pdf"
    with pikepdf.open(source_file(request, "pdf", name)) as pdf:
        pdf.pages[0].obj.Rotate = rotate
        pdf.save(rotated)
    page = pypdf.PdfReader(make_pdf_copy(rotated, SUCCESSOR_A, tmp_path / "copy.pdf").path).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    starts: list[tuple[float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.startswith("Copy ID:"):
            x, y = tm[4], tm[5]
            starts.append((x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    (x, y), margin = starts[0], 20.0
    near = {"bottom": y < margin, "right": x > width - margin, "top": y > height - margin, "left": x < margin}
    assert near[edge]


@pytest.mark.parametrize("name", ONE_PAGE)
def test_restriction_only_encryption_is_kept_and_the_copy_still_traces(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(source_file(request, "pdf", name)) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="owner-secret", user="", R=6))
    copy = make_pdf_copy(locked, SUCCESSOR_A, tmp_path / "copy.pdf")
    with pikepdf.open(copy.path) as pdf:
        assert pdf.is_encrypted
    assert ENGLISH_A in _page_texts(copy.path)[0]
    assert {mark.copy_id for mark in read_pdf_marks(copy.path)} == {"SK-A-0001"}


@pytest.mark.parametrize("name", ["generated", real("libreoffice-writer-password.pdf")])
def test_password_protected_pdf_is_not_markable_and_goes_into_a_signed_zip(
    request: pytest.FixtureRequest, name: str, tmp_path: Path, signing_key: Ed25519PrivateKey
) -> None:
    if name == "generated":
        source = samples.write_pdf(tmp_path / "locked.pdf", ["secret"], user_password="openpassword")
    else:
        source = source_file(request, "pdf", name)
    with pytest.raises(CopyNotMarkable, match="password"):
        make_pdf_copy(source, SUCCESSOR_A, tmp_path / "never.pdf")
    result = make_copy(source, SUCCESSOR_A, tmp_path, signing_key=signing_key, terms=TERMS)
    assert (result.format, result.path.name) == ("zip", f"SK-A-0001-{source.name}.zip")
    assert "password" in result.notes[0]
    assert not (tmp_path / "never.pdf").exists()


@pytest.mark.parametrize("name", ONE_PAGE)
@pytest.mark.parametrize("replace_authorship", [True, False])
def test_author_is_replaced_or_kept_as_the_policy_says_and_always_recorded(
    request: pytest.FixtureRequest, name: str, replace_authorship: bool, tmp_path: Path
) -> None:
    authored = tmp_path / "authored.pdf"
    with pikepdf.open(source_file(request, "pdf", name)) as pdf:
        pdf.docinfo["/Author"] = "田中 太郎 (撤退工業)"
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as metadata:
            metadata["dc:creator"] = ["田中 太郎"]
        pdf.save(authored)
    policy = StripPolicy(replace_authorship=replace_authorship)
    result = make_pdf_copy(authored, SUCCESSOR_A, tmp_path / "copy.pdf", policy)
    assert result.recorded == {"pdf.info.Author": "田中 太郎 (撤退工業)", "pdf.xmp.dc:creator": "田中 太郎"}
    with pikepdf.open(result.path) as pdf:
        assert ("/Author" in pdf.docinfo) is not replace_authorship
        assert ("dc:creator" in pdf.open_metadata()) is not replace_authorship
