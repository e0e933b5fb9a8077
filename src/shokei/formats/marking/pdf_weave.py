"""A mark woven into a PDF page's own content: per-recipient character spacing of its text.

Every text-showing operator (`Tj`, `TJ`) of the page's original content streams is preceded by a
character spacing (`Tc`) that differs from the page's own by a quarter of a step of 0.008 text
units, up or down: the bit of the copy's bit string, HMAC-SHA256 of the copy id under the
installation's code key (`keys/copy-code.key`). The glyphs of a line move by a few thousandths of
a point, invisible to a reader; the bits sit in the operands of the page's own text, so they stay
when every layer a copier can see was added (the stamp, the watermark and code streams, the page
properties, /Info and XMP) is removed, and when another library parses and re-writes the
content streams. They are lost when the page is printed anew (a PDF printer sets its own
positions), rasterised or reduced to text.

Quantisation index modulation: the page's own spacing is rounded to the step and the bit is the
sign of the quarter step added, so the reader needs neither the original nor the recipient list:
it reads a bit from every `Tc` met just before a show operator whose value is a quarter step off
the grid, and `woven_agreement` compares the bits, in page order (each page starts again at the
first bit, so one extracted page carries them too), with a copy's bit string. A copy of a copy
(a subcontractor's) replaces the earlier copy's bits with its own.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pikepdf
from pikepdf import Array, Name, Operator, Page, Pdf

from shokei.formats.marking.base import MARKER_PREFIX

STEP = Decimal("0.008")  # the grid of the woven spacing, in unscaled text space units
QUARTER = STEP / 4
_SHOW = {"Tj", "TJ"}
_TOLERANCE = 0.1  # of a step: a value this close to a quarter off the grid is one of ours
_ADDED_FONTS = (b"/ShokeiW",)
_Instruction = (
    pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage
)  # the watermark font of pdf_code (the stamp carries the marker)


def copy_bits(copy_id: str, key: bytes, count: int) -> list[bool]:
    """The first `count` bits of the copy's bit string (HMAC-SHA256 blocks, most significant first)."""
    bits: list[bool] = []
    block = 0
    while len(bits) < count:
        message = f"shokei-weave:{copy_id}:{block}".encode("ascii")
        digest = hmac.new(key, message, hashlib.sha256).digest()
        bits.extend(bool(byte >> (7 - shift) & 1) for byte in digest for shift in range(8))
        block += 1
    return bits[:count]


def weave_pages(pdf: Pdf, copy_id: str, key: bytes) -> int:
    """Weave the copy's bits into every page's own content streams; returns how many bits went in."""
    woven = 0
    done: set[tuple[int, int]] = set()
    for page in pdf.pages:
        ordinal = 0
        for stream in _own_streams(page):
            if stream.objgen != (0, 0) and stream.objgen in done:  # shared by two pages: once
                continue
            operations = pikepdf.parse_content_stream(stream)
            rewritten, ordinal = _woven(operations, copy_id, key, ordinal)
            stream.write(pikepdf.unparse_content_stream(rewritten))
            done.add(stream.objgen)
        woven += ordinal
    return woven


def _own_streams(page: Page) -> list[pikepdf.Stream]:
    contents = page.obj.get(Name.Contents)
    streams = list(contents) if isinstance(contents, Array) else [contents]
    return [stream for stream in streams if isinstance(stream, pikepdf.Stream) and not _added(stream)]


def _added(stream: pikepdf.Stream) -> bool:
    """A stream a copy added (the stamp's q and Q wrapper, the stamp, the code and watermark)."""
    try:
        data = stream.read_bytes()
    except pikepdf.PdfError:
        return True  # unreadable: left as it is
    return (
        data.strip() == b"q"
        or data.startswith(b"Q\n")
        or MARKER_PREFIX.encode() in data
        or any(font in data for font in _ADDED_FONTS)
    )


def _woven(
    operations: list[_Instruction], copy_id: str, key: bytes, ordinal: int
) -> tuple[list[_Instruction], int]:
    shows = sum(1 for instruction in operations if str(instruction.operator) in _SHOW)
    bits = copy_bits(copy_id, key, ordinal + shows)
    spacing, saved = Decimal(0), []
    out: list[_Instruction] = []
    for index, instruction in enumerate(operations):
        operands, name = list(instruction.operands), str(instruction.operator)
        if name == "q":
            saved.append(spacing)
        elif name == "Q" and saved:
            spacing = saved.pop()
        elif name == "Tc" and len(operands) == 1:
            spacing = _decimal(operands[0])
            if _next_shows(operations, index):
                continue  # replaced by the woven spacing just below
        elif name in _SHOW:
            out.append(pikepdf.ContentStreamInstruction([_encoded(spacing, bits[ordinal])], Operator("Tc")))
            ordinal += 1
        out.append(instruction)
    return out, ordinal


def _next_shows(operations: list[_Instruction], index: int) -> bool:
    return index + 1 < len(operations) and str(operations[index + 1].operator) in _SHOW


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return Decimal(0)


def _encoded(spacing: Decimal, bit: bool) -> Decimal:
    """The page's spacing rounded to the grid, a quarter step up (1) or down (0)."""
    grid = (spacing / STEP).to_integral_value() * STEP
    return (grid + QUARTER if bit else grid - QUARTER).quantize(Decimal("0.0001"))


# --- reading back -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WovenBits:
    """The bits read from each page, in order (pages without any are left out)."""

    pages: tuple[tuple[bool, ...], ...]

    @property
    def count(self) -> int:
        return sum(len(page) for page in self.pages)


def read_woven_bits(path: Path) -> WovenBits:
    """The woven bits of every page of the PDF at `path` (none for a file that does not open)."""
    try:
        pdf = Pdf.open(path)  # read where it lies: a found PDF may be large
    except (pikepdf.PdfError, pikepdf.PasswordError, OSError, ValueError):
        return WovenBits(())
    with pdf:
        pages = []
        for page in pdf.pages:
            try:
                bits = tuple(_page_bits(pikepdf.parse_content_stream(page)))
            except pikepdf.PdfError:
                continue
            if bits:
                pages.append(bits)
        return WovenBits(tuple(pages))


def _page_bits(operations: list[_Instruction]) -> Iterator[bool]:
    for before, instruction in itertools.pairwise(operations):
        if (
            str(instruction.operator) not in _SHOW
            or str(before.operator) != "Tc"
            or len(before.operands) != 1
        ):
            continue
        offset = float(_decimal(before.operands[0]) / STEP)
        off_grid = offset - round(offset)
        if abs(abs(off_grid) - 0.25) <= _TOLERANCE:
            yield off_grid > 0


def woven_agreement(found: WovenBits, copy_id: str, key: bytes) -> int:
    """How many of the bits found agree with the copy's bit string, page by page."""
    longest = max((len(page) for page in found.pages), default=0)
    expected = copy_bits(copy_id, key, longest)
    return sum(bit == expected[index] for page in found.pages for index, bit in enumerate(page))
