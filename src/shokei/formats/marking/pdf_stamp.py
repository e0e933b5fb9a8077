"""The visible stamp of a PDF copy and the content stream that draws it (with the invisible mark).

Two lines at the foot of every page as displayed (whatever its /Rotate), over the page content:
English in Helvetica, a standard font every viewer has, and Japanese in IPAex Gothic, subset to
the label's characters and embedded (`pdf_font`; without the font on the machine, the predefined
HeiseiKakuGo-W5, which viewers substitute). A character the font lacks is drawn as 〓 (geta), as
Japanese typesetting does. The English line says it all too.
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf
from pikepdf import Dictionary, Name, Page, Pdf

from shokei.formats.marking.base import NO_COPYING_EN, NO_COPYING_JA, CopyLabel, secret_marking_lines
from shokei.formats.marking.pdf_font import JapaneseFont, japanese_font

STAMP_MAX_FONT_SIZE = 7.0
STAMP_MIN_FONT_SIZE = 3.0
STAMP_MARGIN = 12.0  # points from the displayed page's left and bottom edges
STAMP_BLOCK_HEIGHT = 20.0  # two lines; a copy of a copy stacks its stamp above the earlier one
HELVETICA_AVERAGE_WIDTH = 0.56  # em per character, generous, so a line never runs off the page
MARKED_CONTENT_TAG = "/ShokeiCopy"


@dataclass(frozen=True, slots=True)
class StampNames:
    """The resource names a page's content stream uses for the stamp."""

    latin: Name
    japanese: Name
    properties: Name


@dataclass(frozen=True, slots=True)
class Frame:
    """Where "bottom left, upright" is on a page as displayed: a cm matrix and the usable width."""

    matrix: tuple[float, float, float, float, float, float]
    width: float
    height: float


def stamp_fonts(pdf: Pdf, label: CopyLabel) -> tuple[pikepdf.Object, JapaneseFont]:
    """Helvetica and the Japanese font (embedded, subset to this label's lines), as indirect
    objects pages can share."""
    latin = Dictionary(
        Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding
    )
    shown = japanese_stamp_line(label)
    if label.secret_until is not None:
        shown += secret_marking_lines(label.secret_until)[0]
    return pdf.make_indirect(latin), japanese_font(pdf, shown)


def english_stamp_line(label: CopyLabel) -> str:
    """The stamp's English line (ASCII): copy id, recipient, date and the prohibition."""
    number = label.recipient_corporate_number
    # A Japanese name cannot be shown in Helvetica; the Japanese line carries it.
    recipient = f"corporate no. {number}"
    if label.recipient_name.isascii():
        recipient = f"{label.recipient_name} ({recipient})"
    issued = label.issued_on.isoformat()
    return f"Copy ID: {label.copy_id} | Recipient: {recipient} | Issued: {issued} | {NO_COPYING_EN}"


def japanese_stamp_line(label: CopyLabel) -> str:
    """The stamp's Japanese line: 貸与先, 法人番号, 複製番号, 交付日 and 無断複製・第三者提供禁止."""
    return (
        f"貸与先: {label.recipient_name}（法人番号 {label.recipient_corporate_number}） "
        f"複製番号 {label.copy_id} 交付日 {label.issued_on.isoformat()} {NO_COPYING_JA}"
    )


def _literal(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("cp1252", "replace") + b")"


def _font_size(width: float, widest_em: float) -> float:
    fitting = (width - 2 * STAMP_MARGIN) / max(widest_em, 1.0)
    return max(STAMP_MIN_FONT_SIZE, min(STAMP_MAX_FONT_SIZE, fitting))


# --- the content stream ---------------------------------------------------------------------


def page_frame(page: Page) -> Frame:
    """Bottom-left of the page as displayed, upright, for /Rotate 0, 90, 180 and 270."""
    x0, y0, x1, y1 = (float(value) for value in page.cropbox)
    left, bottom, right, top = min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
    rotate = int(page.obj.get(Name.Rotate, 0)) % 360
    if rotate == 90:
        return Frame((0, 1, -1, 0, right, bottom), top - bottom, right - left)
    if rotate == 180:
        return Frame((-1, 0, 0, -1, right, top), right - left, top - bottom)
    if rotate == 270:
        return Frame((0, -1, 1, 0, left, top), top - bottom, right - left)
    return Frame((1, 0, 0, 1, left, bottom), right - left, top - bottom)


def stamp_content(
    frame: Frame, label: CopyLabel, names: StampNames, stacked: int, font: JapaneseFont
) -> bytes:
    """The stamp (and the invisible mark) for one page; `stacked` earlier stamps sit below it."""
    latin, japanese, property_name = str(names.latin), str(names.japanese), str(names.properties)
    english, native = english_stamp_line(label), japanese_stamp_line(label)
    widest = max(len(english) * HELVETICA_AVERAGE_WIDTH, font.width_em(native))
    size = _font_size(frame.width, widest)
    base = STAMP_MARGIN / 2 + stacked * STAMP_BLOCK_HEIGHT
    matrix = " ".join(f"{value:g}" for value in frame.matrix)
    return b"\n".join(
        [
            f"q {matrix} cm 0.75 0 0 rg".encode(),
            f"BT {latin} {size:.2f} Tf {STAMP_MARGIN:g} {base:.2f} Td ".encode()
            + _literal(english)
            + b" Tj ET",
            f"BT {japanese} {size:.2f} Tf {STAMP_MARGIN:g} {base + size * 1.3:.2f} Td ".encode()
            + font.show(native)
            + b" Tj ET",
            # Invisible (3 Tr), 1/100 pt high, in the margin corner: the machine-readable mark.
            f"{MARKED_CONTENT_TAG} {property_name} BDC BT 3 Tr {latin} 0.01 Tf 1 1 Td ".encode()
            + _literal(label.marker)
            + b" Tj ET EMC",
            *_secret_marking(frame, label, names, stacked, font),
            b"Q\n",
        ]
    )


def _secret_marking(
    frame: Frame, label: CopyLabel, names: StampNames, stacked: int, font: JapaneseFont
) -> list[bytes]:
    """A designated secret's statutory marking and validity, in red at the head of the page as
    displayed (Japanese, then English), below any earlier copy's marking."""
    if label.secret_until is None:
        return []
    native, english = secret_marking_lines(label.secret_until)
    widest = max(len(english) * HELVETICA_AVERAGE_WIDTH, font.width_em(native))
    size = _font_size(frame.width, widest) + 1
    top = frame.height - STAMP_MARGIN - size - stacked * STAMP_BLOCK_HEIGHT
    # `0 Tr`: the invisible mark before this left the text rendering mode at 3 (invisible).
    return [
        b"0.8 0 0 rg",
        f"BT 0 Tr {names.japanese} {size:.2f} Tf {STAMP_MARGIN:g} {top:.2f} Td ".encode()
        + font.show(native)
        + b" Tj ET",
        f"BT 0 Tr {names.latin} {size:.2f} Tf {STAMP_MARGIN:g} {top - size * 1.3:.2f} Td ".encode()
        + _literal(english)
        + b" Tj ET",
    ]
