"""The Japanese font of a PDF copy's stamp: IPAex Gothic, subset to the stamp's characters and
embedded (a CIDFontType2 under Identity-H with a ToUnicode map), so every viewer draws the stamp
and every extractor reads it back, 「無断複製・第三者提供禁止」 included.

Without a Japanese TrueType font on the machine (`formats.fonts`), the stamp falls back to the
predefined, not embedded CJK font HeiseiKakuGo-W5 (UniJIS-UCS2-H), which viewers substitute.
The subset is deterministic (no time stamp, a tag derived from its characters), so one original
and one label still give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont
from pikepdf import Array, Dictionary, Name, Pdf, String

from shokei.formats.fonts import japanese_font_path

UCS2_LIMIT = 0xFFFF
GETA_MARK = "〓"  # what Japanese typesetting prints for a character it cannot show


@dataclass(frozen=True, slots=True)
class JapaneseFont:
    """The font object pages share, how to write a text for it and how wide a text is (em)."""

    font: pikepdf.Object
    show: Callable[[str], bytes]
    width_em: Callable[[str], float]
    embedded: bool


def japanese_font(pdf: Pdf, text: str) -> JapaneseFont:
    """The stamp's Japanese font for `text`: IPAex Gothic embedded when present, else predefined."""
    path = japanese_font_path()
    if path is None:
        return _predefined(pdf)
    return _embedded(pdf, path, text)


# --- embedded -----------------------------------------------------------------------------------


def _embedded(pdf: Pdf, path: Path, text: str) -> JapaneseFont:
    font = TTFont(path, recalcTimestamp=False)
    wanted = sorted({*text, GETA_MARK} - {"\n"})
    options = Options()
    options.layout_features = []  # the stamp is set glyph by glyph, no shaping
    options.name_IDs = [1, 2]  # family and style: enough to name it
    options.notdef_outline = True
    subsetter = Subsetter(options)
    subsetter.populate(unicodes=[ord(character) for character in wanted])
    subsetter.subset(font)
    cmap = font.getBestCmap()
    glyph_ids: dict[str, int] = {ch: font.getGlyphID(cmap[ord(ch)]) for ch in wanted if ord(ch) in cmap}
    scale = 1000 / font["head"].unitsPerEm
    widths: dict[int, int] = {
        gid: round(font["hmtx"][font.getGlyphName(gid)][0] * scale) for gid in glyph_ids.values()
    }
    geta = glyph_ids.get(GETA_MARK, 0)
    program = io.BytesIO()
    font.save(program)
    base = _subset_tag(wanted) + "+" + _postscript_name(font)
    type0 = _type0(pdf, base, font, program=program.getvalue(), widths=widths, glyph_ids=glyph_ids)

    def show(shown: str) -> bytes:
        codes = b"".join(glyph_ids.get(ch, geta).to_bytes(2, "big") for ch in shown)
        return b"<" + codes.hex().upper().encode("ascii") + b">"

    def width_em(shown: str) -> float:
        return sum(widths.get(glyph_ids.get(ch, geta), 1000) for ch in shown) / 1000

    return JapaneseFont(type0, show, width_em, embedded=True)


def _subset_tag(characters: list[str]) -> str:
    """Six capitals (PDF 9.6.4) derived from the characters, so the same subset has the same tag."""
    digest = hashlib.sha256("".join(characters).encode()).digest()
    return "".join(chr(ord("A") + byte % 26) for byte in digest[:6])


def _postscript_name(font: TTFont) -> str:
    name = font["name"].getDebugName(6) or font["name"].getDebugName(1) or "JapaneseGothic"
    return "".join(ch for ch in name if (ch.isascii() and ch.isalnum()) or ch == "-")


def _type0(
    pdf: Pdf, base: str, font: TTFont, *, program: bytes, widths: dict[int, int], glyph_ids: dict[str, int]
) -> pikepdf.Object:
    head, hhea = font["head"], font["hhea"]
    scale = 1000 / head.unitsPerEm
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=Name("/" + base),
        Flags=4,
        FontBBox=Array([round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]),
        ItalicAngle=0,
        Ascent=round(hhea.ascent * scale),
        Descent=round(hhea.descent * scale),
        CapHeight=round(hhea.ascent * scale),
        StemV=80,
        FontFile2=pikepdf.Stream(pdf, program),
    )
    descendant = Dictionary(
        Type=Name.Font,
        Subtype=Name.CIDFontType2,
        BaseFont=Name("/" + base),
        CIDSystemInfo=Dictionary(Registry=String("Adobe"), Ordering=String("Identity"), Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=1000,
        W=Array([item for gid in sorted(widths) for item in (gid, Array([widths[gid]]))]),
        CIDToGIDMap=Name.Identity,
    )
    type0 = Dictionary(
        Type=Name.Font,
        Subtype=Name.Type0,
        BaseFont=Name("/" + base),
        Encoding=Name("/Identity-H"),
        DescendantFonts=Array([pdf.make_indirect(descendant)]),
        ToUnicode=pikepdf.Stream(pdf, _to_unicode(glyph_ids)),
    )
    return pdf.make_indirect(type0)


def _to_unicode(glyph_ids: dict[str, int]) -> bytes:
    pairs = sorted((gid, ch) for ch, gid in glyph_ids.items())
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for start in range(0, len(pairs), 100):  # at most 100 entries a block (PDF 9.10.3)
        block = pairs[start : start + 100]
        lines.append(f"{len(block)} beginbfchar")
        lines.extend(f"<{gid:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for gid, ch in block)
        lines.append("endbfchar")
    lines.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    return "\n".join(lines).encode("ascii")


# --- predefined (no font on the machine) --------------------------------------------------------


def _predefined(pdf: Pdf) -> JapaneseFont:
    """HeiseiKakuGo-W5 with UniJIS-UCS2-H (Adobe-Japan1), not embedded: viewers substitute it."""
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=Name("/HeiseiKakuGo-W5"),
        Flags=4,
        FontBBox=Array([-92, -250, 1010, 922]),
        ItalicAngle=0,
        Ascent=752,
        Descent=-221,
        CapHeight=737,
        StemV=114,
    )
    descendant = Dictionary(
        Type=Name.Font,
        Subtype=Name.CIDFontType0,
        BaseFont=Name("/HeiseiKakuGo-W5"),
        CIDSystemInfo=Dictionary(Registry=String("Adobe"), Ordering=String("Japan1"), Supplement=2),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=1000,
        W=Array([1, 95, 500]),  # CIDs 1-95 are the half-width ASCII glyphs UniJIS-UCS2-H maps to
    )
    japanese = Dictionary(
        Type=Name.Font,
        Subtype=Name.Type0,
        BaseFont=Name("/HeiseiKakuGo-W5-UniJIS-UCS2-H"),
        Encoding=Name("/UniJIS-UCS2-H"),
        DescendantFonts=Array([pdf.make_indirect(descendant)]),
    )
    return JapaneseFont(pdf.make_indirect(japanese), _ucs2_hex, _ucs2_width_em, embedded=False)


def _ucs2_hex(text: str) -> bytes:
    shown = "".join(ch if ord(ch) <= UCS2_LIMIT else GETA_MARK for ch in text)
    return b"<" + shown.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _ucs2_width_em(text: str) -> float:
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)
