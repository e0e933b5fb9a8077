"""The woven character spacing: each show operator gets the page's own spacing, rounded to the
grid, a quarter step up or down by the copy's bit; a copy of a copy replaces the bits."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal
from pathlib import Path

import pikepdf

from shokei.formats.marking.pdf_weave import read_woven_bits, weave_pages, woven_agreement

KEY = b"k" * 32
# Three shows without spacing, one after the page's own 0.21 Tc, a 0.25 Tc inside q/Q that is
# restored away (back to 0.21), one show after it; the copy's own stream (the stamp's q wrapper)
# is left alone.
PAGE = b"BT /F1 12 Tf 10 10 Td (abc) Tj [(d) 20 (e)] TJ (f) Tj 0.21 Tc (g) Tj ET q 0.25 Tc Q BT (h) Tj ET"


def _pdf(path: Path, content: bytes) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].obj.Contents = pikepdf.Array([pikepdf.Stream(pdf, b"q\n"), pikepdf.Stream(pdf, content)])
    pdf.save(path)
    return path


def _expected_bits(copy_id: str, count: int) -> list[bool]:
    # Written out from the scheme (HMAC-SHA256 of "shokei-weave:<id>:0"), not taken from the code.
    digest = hmac.new(KEY, f"shokei-weave:{copy_id}:0".encode(), hashlib.sha256).digest()
    return [bool(digest[i // 8] >> (7 - i % 8) & 1) for i in range(count)]


def _weave(source: Path, target: Path, copy_id: str) -> list[Decimal]:
    with pikepdf.open(source) as pdf:
        assert weave_pages(pdf, copy_id, KEY) == 5
        pdf.save(target)
    with pikepdf.open(target) as pdf:
        assert pdf.pages[0].obj.Contents[0].read_bytes() == b"q\n"  # the copy's own stream untouched
        operations = pikepdf.parse_content_stream(pdf.pages[0].obj.Contents[1])
    return [Decimal(str(i.operands[0])) for i in operations if str(i.operator) == "Tc"]


def test_each_show_carries_a_bit_a_quarter_step_off_the_pages_own_spacing(tmp_path: Path) -> None:
    source = _pdf(tmp_path / "page.pdf", PAGE)
    spacings = _weave(source, tmp_path / "a.pdf", "SK-A-0001")
    bits = _expected_bits("SK-A-0001", 5)
    # own spacing 0 for three shows; 0.21 (on the grid of 0.008: 0.208) for the fourth; the 0.25
    # inside q/Q is the page's own, kept; after Q the spacing is 0.21 again for the fifth show.
    grids = [Decimal(0), Decimal(0), Decimal(0), Decimal("0.208"), Decimal("0.208")]
    woven = [value for value in spacings if value != Decimal("0.25")]
    assert Decimal("0.25") in spacings
    assert len(woven) == 5
    for value, grid, bit in zip(woven, grids, bits, strict=True):
        assert value == grid + (Decimal("0.002") if bit else Decimal("-0.002"))
    found = read_woven_bits(tmp_path / "a.pdf")
    assert found.pages == (tuple(bits),)
    assert woven_agreement(found, "SK-A-0001", KEY) == 5


def test_a_copy_of_a_copy_carries_only_its_own_bits(tmp_path: Path) -> None:
    source = _pdf(tmp_path / "page.pdf", PAGE * 8)  # 40 shows
    with pikepdf.open(source) as pdf:
        weave_pages(pdf, "SK-A-0001", KEY)
        pdf.save(tmp_path / "a.pdf")
    with pikepdf.open(tmp_path / "a.pdf") as pdf:
        weave_pages(pdf, "SK-S-0001", KEY)
        pdf.save(tmp_path / "s.pdf")
    found = read_woven_bits(tmp_path / "s.pdf")
    assert found.count == 40
    assert found.pages == (tuple(_expected_bits("SK-S-0001", 40)),)
    assert woven_agreement(found, "SK-A-0001", KEY) < 32


def test_a_file_that_is_not_a_pdf_has_no_bits(tmp_path: Path) -> None:
    other = tmp_path / "x.txt"
    other.write_text("BT 0.002 Tc (a) Tj ET")
    assert read_woven_bits(other).count == 0
