"""The program report as PDF (fpdf2): A4, a Japanese TrueType font embedded (subset, so pypdf
and any reader extract the Japanese text), one heading per section with its figures, bar
charts of the cases by state at the year's end and of each budget line, and the case listing
as a table on landscape pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from shokei.errors import N_, ShokeiError, Text
from shokei.formats.fonts import FONT_VARIABLE, japanese_font_path
from shokei.reporting.domain import BUDGET_FIGURES
from shokei.reporting.exports.sections import (
    BUDGET,
    BUDGET_HEADERS,
    CASES,
    Section,
    Table,
    line_label,
    money,
    sections,
    shown,
    state_label,
    title,
)

FONT = "IPAexGothic"
_LONG_VALUE, _LONG_VALUE_SIZE = 30, 5  # a root hash fits its cell in a smaller size
_COLOURS = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (148, 103, 189), (140, 86, 75), (214, 39, 40))
_BAR_LABEL, _BAR_SPACE, _BAR_HEIGHT = 40, 110, 5
# the case listing on a landscape page (277 mm wide): id, supplier, number, SME, state, dates,
# reason, committed, paid
_LISTING_WIDTHS = (14, 62, 30, 14, 30, 22, 22, 23, 30, 30)


def font_path() -> Path:
    """The Japanese TrueType font embedded in PDF reports (`SHOKEI_REPORT_FONT` overrides)."""
    found = japanese_font_path()
    if found is not None:
        return found
    raise ShokeiError(
        Text(
            N_(
                "no Japanese font for PDF reports: install Debian's fonts-ipaexfont "
                "(`make browser` does) or point %(font_variable)s at a TrueType font"
            ),
            {"font_variable": FONT_VARIABLE},
        )
    )


def write_pdf(report: Mapping[str, Any], out: Path) -> None:
    """Every section in order; the case listing last, on its own landscape pages."""
    from fpdf import FPDF  # noqa: PLC0415 - late: only this export needs it

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(title(report))
    pdf.add_font(FONT, fname=str(font_path()))
    pdf.add_page()
    pdf.set_font(FONT, size=15)
    pdf.cell(0, 10, title(report), new_x="LMARGIN", new_y="NEXT")
    for section in sections(report):
        if section.table is not None and section.title != BUDGET:
            pdf.add_page(orientation="L")
            _heading(pdf, section.title)
            _table(pdf, section.table)
            continue
        _heading(pdf, section.title)
        _rows(pdf, section)
        if section.title == CASES:
            by_state = report["cases"]["by_state"]
            _bars(
                pdf,
                "年度末の状態別の案件数 (グラフ)",
                [(state_label(s), n, str(n)) for s, n in by_state.items()],
            )
        if section.title == BUDGET:
            for line, figures in report["budget"].items():
                bars = [(BUDGET_HEADERS[k], figures[k], money(figures[k])) for k in BUDGET_FIGURES]
                _bars(pdf, f"{line_label(line)} (グラフ)", bars)
    pdf.output(str(out))


def _heading(pdf: Any, text: str) -> None:
    pdf.set_font(FONT, size=12)
    pdf.cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")


def _rows(pdf: Any, section: Section) -> None:
    for row in section.rows:
        value = row.text
        pdf.set_font(FONT, size=8)
        pdf.cell(75, 5, row.label, border="B")
        pdf.cell(50, 5, row.key, border="B")
        pdf.set_font(FONT, size=_LONG_VALUE_SIZE if len(value) > _LONG_VALUE else 8)
        pdf.cell(0, 5, value, border="B", align="R", new_x="LMARGIN", new_y="NEXT")


def _table(pdf: Any, table: Table) -> None:
    def header() -> None:
        pdf.set_font(FONT, size=7)
        pdf.set_fill_color(230, 230, 230)
        for width, text in zip(_LISTING_WIDTHS, table.headers, strict=True):
            pdf.cell(width, 6, text, border=1, fill=True)
        pdf.ln()

    header()
    for line in table.lines:
        if pdf.get_y() + 5 > pdf.page_break_trigger:
            pdf.add_page(orientation="L")
            header()
        pdf.set_font(FONT, size=7)
        for column, (width, value) in enumerate(zip(_LISTING_WIDTHS, line, strict=True)):
            yen = column in table.yen_columns
            text = money(value) if yen else shown(value)
            pdf.cell(width, 5, _fit(pdf, text, width), border=1, align="R" if yen else "L")
        pdf.ln()


def _fit(pdf: Any, text: str, width: float) -> str:
    """The text cut to its cell (a long supplier name), with an ellipsis."""
    while len(text) > 1 and pdf.get_string_width(text) > width - 2:
        text = text[:-2] + "…"
    return text


def _bars(pdf: Any, caption: str, bars: Sequence[tuple[str, int, str]]) -> None:
    """Horizontal bars scaled to the largest value, each with its label and its printed value."""
    if pdf.get_y() + (len(bars) + 2) * _BAR_HEIGHT > pdf.page_break_trigger:
        pdf.add_page()
    largest = max([value for _, value, _ in bars] + [1])
    pdf.ln(2)
    pdf.set_font(FONT, size=9)
    pdf.cell(0, 6, caption, new_x="LMARGIN", new_y="NEXT")
    for index, (text, value, printed) in enumerate(bars):
        y = pdf.get_y()
        pdf.set_font(FONT, size=8)
        pdf.cell(_BAR_LABEL, _BAR_HEIGHT, text)
        pdf.set_fill_color(*_COLOURS[index % len(_COLOURS)])
        width = _BAR_SPACE * value / largest
        if width > 0:
            pdf.rect(pdf.l_margin + _BAR_LABEL, y + 1, width, _BAR_HEIGHT - 2, style="F")
        pdf.set_x(pdf.l_margin + _BAR_LABEL + _BAR_SPACE + 2)
        pdf.cell(0, _BAR_HEIGHT, printed, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
