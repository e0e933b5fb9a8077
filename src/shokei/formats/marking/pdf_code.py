"""Marks that survive the analogue hole: a 2D code and a faint tiled watermark on every page.

Added to a stamped PDF copy after `pdf.make_pdf_copy` wrote it (`add_code_marks`), so the stamp
and the invisible marks stay as they are. On every page as displayed:

- a QR code (segno, error correction M) in the top-right corner, on a white quiet zone, holding
  `SHOKEI1:<copy id>:<MAC>`: the MAC is HMAC-SHA256 of the copy id under the installation's code
  key (`keys/copy-code.key`), truncated to 80 bits and written in base 32. The top corner, not
  the foot: a copy cropped to lose its footer stamp keeps the code. A code whose MAC does not
  verify (a copy id changed, the MAC kept) is read back as forged (`read_code`), never as a copy.
- a watermark: `SHOKEI <copy id>` tiled in rows across the page in light grey Helvetica, so any
  fragment of a page carries the copy id in pixels (OCR reads it back, `formats.pixels`).

Both are vector drawing in the page content (rectangles and text), so a print to PDF, a scan or a
photograph keeps them; only the pixels of a page can carry them through the analogue hole.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import segno
from pikepdf import Dictionary, Name, Page, Pdf

from shokei.formats.marking.base import COPY_ID_PATTERN, CopyLabel, atomic_destination, sha256_file
from shokei.formats.marking.pdf_stamp import page_frame
from shokei.formats.marking.pdf_weave import weave_pages

CODE_PREFIX = "SHOKEI1"
MAC_BYTES = 10  # 80 bits: forging one takes 2**80 tries against a server that never answers
MODULE_POINTS = 2.5  # one QR module: 5 px at 150 dpi, enough for a phone photo or a fax-grade scan
QUIET_MODULES = 3
COVER_MODULES = 37  # QR version 5: 48 ASCII characters of copy id plus prefix and MAC fit
CODE_MARGIN = 10.0
WATERMARK_SIZE = 9.0
WATERMARK_GREY = 0.78  # light enough not to hide the drawing, dark enough to survive a scan
WATERMARK_ROW = 90.0  # points between rows
WATERMARK_COLUMN = 200.0  # points between the starts of two marks in a row
_PAYLOAD = re.compile(rf"{CODE_PREFIX}:({COPY_ID_PATTERN}):([A-Z2-7]{{16}})")


@dataclass(frozen=True, slots=True)
class CodeReading:
    """A code read back: the copy id it names and whether its MAC verified under our key."""

    copy_id: str
    authentic: bool


def code_mac(copy_id: str, key: bytes) -> str:
    """The 16-character base-32 MAC of a copy id (HMAC-SHA256 truncated to 80 bits)."""
    digest = hmac.new(key, copy_id.encode("ascii"), hashlib.sha256).digest()[:MAC_BYTES]
    return base64.b32encode(digest).decode("ascii")


def code_payload(copy_id: str, key: bytes) -> str:
    """What the QR code holds: `SHOKEI1:<copy id>:<MAC>`."""
    return f"{CODE_PREFIX}:{copy_id}:{code_mac(copy_id, key)}"


def read_code(payload: str, key: bytes) -> CodeReading | None:
    """The copy id a decoded payload names and whether it is authentic; None when it is not ours."""
    match = _PAYLOAD.fullmatch(payload.strip())
    if match is None:
        return None
    copy_id, mac = match.groups()
    return CodeReading(copy_id, hmac.compare_digest(mac, code_mac(copy_id, key)))


def add_code_marks(path: Path, label: CopyLabel, key: bytes) -> str:
    """Weave the copy's bits into the pages' own text (`pdf_weave`), then draw the code and the
    watermark on every page of the PDF at `path` (rewritten in place, deterministically); returns
    the new SHA-256."""
    matrix = _qr_modules(code_payload(label.copy_id, key))
    # Read whole, written back through a stream: the copy may be an anonymous file
    # (/proc/self/fd/N), beside which pikepdf could not put its temporary file.
    with Pdf.open(io.BytesIO(path.read_bytes())) as pdf:
        font = pdf.make_indirect(
            Dictionary(
                Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding
            )
        )
        weave_pages(pdf, label.copy_id, key)  # first: only the pages' own streams are woven
        for page in pdf.pages:
            name, stacked = _free_font_name(page)
            page.add_resource(font, Name.Font, name)
            content = _page_content(page, label, matrix, (str(name), stacked))
            page.contents_add(pikepdf.Stream(pdf, content))
        with atomic_destination(path) as temporary, temporary.open("wb") as stream:
            pdf.save(stream, deterministic_id=not pdf.is_encrypted, encryption=pdf.is_encrypted)
    return sha256_file(path)


def _qr_modules(payload: str) -> list[tuple[int, int]]:
    """The dark modules (column, row from the top) of the payload's QR code, without border."""
    code = segno.make_qr(payload, error="m", boost_error=False)
    return [
        (column, row)
        for row, line in enumerate(code.matrix_iter(border=0))
        for column, dark in enumerate(line)
        if dark
    ]


def _free_font_name(page: Page) -> tuple[Name, int]:
    """The watermark font's name on this page, and how many earlier copies marked it already."""
    fonts = page.resources.get(Name.Font)
    taken = {str(key) for key in fonts} if isinstance(fonts, Dictionary) else set()
    number = 1
    while f"/ShokeiW{number}" in taken:
        number += 1
    return Name(f"/ShokeiW{number}"), number - 1


def _displayed_height(page: Page) -> float:
    x0, y0, x1, y1 = (float(value) for value in page.cropbox)
    rotate = int(page.obj.get(Name.Rotate, 0)) % 360
    return abs(x1 - x0) if rotate in (90, 270) else abs(y1 - y0)


def _page_content(
    page: Page, label: CopyLabel, modules: list[tuple[int, int]], font: tuple[str, int]
) -> bytes:
    """A copy of a copy (a subcontractor's) covers the earlier code with its own, and shifts its
    watermark rows between the earlier ones so both stay legible."""
    frame = page_frame(page)
    width, height = frame.width, _displayed_height(page)
    matrix = " ".join(f"{value:g}" for value in frame.matrix)
    return b"\n".join(
        [
            f"q {matrix} cm".encode(),
            _watermark(label, width, height, font),
            _code(modules, width, height),
            b"Q\n",
        ]
    )


def _watermark(label: CopyLabel, width: float, height: float, font: tuple[str, int]) -> bytes:
    name, stacked = font
    text = f"SHOKEI {label.copy_id}".encode("ascii")
    lines = [f"{WATERMARK_GREY:g} g BT {name} {WATERMARK_SIZE:g} Tf".encode()]
    row = 0
    y = WATERMARK_ROW / 2 + (stacked % 3) * WATERMARK_ROW / 3
    while y < height:
        x = (row % 2) * WATERMARK_COLUMN / 2 + 6
        while x < width:
            lines.append(f"1 0 0 1 {x:.1f} {y:.1f} Tm ".encode() + b"(" + text + b") Tj")
            x += WATERMARK_COLUMN
        y += WATERMARK_ROW
        row += 1
    lines.append(b"ET")
    return b"\n".join(lines)


def _code(modules: list[tuple[int, int]], width: float, height: float) -> bytes:
    size = (max(max(column, row) for column, row in modules) + 1) * MODULE_POINTS
    quiet = QUIET_MODULES * MODULE_POINTS
    left = width - CODE_MARGIN - quiet - size
    top = height - CODE_MARGIN - quiet
    # The white box is as large as the largest code a copy id can need, whatever this one's
    # size: it must hide an earlier copy's code completely.
    box = COVER_MODULES * MODULE_POINTS + 2 * quiet
    right = width - CODE_MARGIN
    parts = [f"1 g {right - box:.2f} {height - CODE_MARGIN - box:.2f} {box:.2f} {box:.2f} re f"]
    parts.append("0 g")
    parts.extend(
        f"{left + column * MODULE_POINTS:.2f} {top - (row + 1) * MODULE_POINTS:.2f} "
        f"{MODULE_POINTS:g} {MODULE_POINTS:g} re"
        for column, row in modules
    )
    parts.append("f")
    return "\n".join(parts).encode()
