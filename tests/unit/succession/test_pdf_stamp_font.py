"""The Japanese line of a PDF copy's stamp is set in an embedded font (IPAex Gothic, subset), so
any viewer draws it and any extractor reads 「無断複製・第三者提供禁止」 back."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pikepdf
import pytest

from shokei.formats.marking.pdf import make_pdf_copy
from tests.real_files import real
from tests.unit.succession.support import SUCCESSOR_A, source_file

PDFS = ["four-pages.pdf", real("pdflatex-4-pages.pdf"), real("google-doc-document.pdf")]
PROHIBITION = "無断複製・第三者提供禁止"


def _font_files(path: Path) -> dict[str, bool]:
    """Every Type0 font the pages use: its base name -> whether a font program is embedded."""
    found: dict[str, bool] = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.resources.get("/Font", {}).values():
                if font.get("/Subtype") != "/Type0":
                    continue
                descriptor = font.DescendantFonts[0].FontDescriptor
                found[str(font.BaseFont)] = "/FontFile2" in descriptor or "/FontFile3" in descriptor
    return found


def _poppler_text(path: Path) -> str:
    command = ["pdftotext", "-enc", "UTF-8", str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True).stdout.decode()


@pytest.mark.parametrize("name", PDFS)
def test_the_japanese_stamp_font_is_embedded_and_its_text_extracts_back(
    request: pytest.FixtureRequest, name: str, tmp_path: Path
) -> None:
    copy = make_pdf_copy(source_file(request, "pdf", name), SUCCESSOR_A, tmp_path / "copy.pdf")
    fonts = _font_files(copy.path)
    embedded = [base for base, has_program in fonts.items() if has_program and base.endswith("+IPAexGothic")]
    assert embedded, fonts
    listing = subprocess.run(["pdffonts", str(copy.path)], capture_output=True, check=True, text=True).stdout
    assert any("IPAexGothic" in line and " yes yes yes " in line for line in listing.splitlines()), listing
    text = _poppler_text(copy.path)
    pages = len(pikepdf.open(copy.path).pages)
    assert text.count(PROHIBITION) == pages
    assert "貸与先: 承継電子株式会社（法人番号 8010401050387）" in text


def test_a_designated_secrets_marking_is_drawn_in_the_embedded_font_too(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    label = replace(SUCCESSOR_A, secret_until=date(2031, 3, 31))
    copy = make_pdf_copy(source_file(request, "pdf", "one-page.pdf"), label, tmp_path / "copy.pdf")
    assert any(_font_files(copy.path).values())
    assert "装備品等秘密（防衛生産基盤強化法第27条） 有効期限 2031-03-31" in _poppler_text(copy.path)


def test_a_character_the_font_lacks_is_drawn_as_geta(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    label = replace(SUCCESSOR_A, recipient_name="𠮷野家工業株式会社")  # U+20BB7, beyond IPAex
    copy = make_pdf_copy(source_file(request, "pdf", "one-page.pdf"), label, tmp_path / "copy.pdf")
    assert "貸与先: 〓野家工業株式会社" in _poppler_text(copy.path)
