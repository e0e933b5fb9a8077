"""The program report as CSV (one line per figure) and XLSX (openpyxl: one sheet per section,
Japanese headers, frozen header rows, yen and percentage formats; the budget lines and the case
listing as tables)."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shokei.reporting.exports.sections import Section, Table, sections

YEN_FORMAT = '"¥"#,##0'
SHARE_FORMAT = "0.0%"
FIGURE_HEADERS = ("項目", "キー", "値")
CSV_HEADERS = ("区分", "項目", "キー", "値")
_SHARES = frozenset({"cases.sme.share"})
_WIDTHS = {"A": 36, "B": 34}


def write_csv(report: Mapping[str, Any], out: Path) -> None:
    """One line per figure, the case listing's cells included: section, label, JSON name, value
    (UTF-8 with a BOM, for Excel). One table with one header, so any CSV reader takes it whole;
    the spreadsheet and the PDF draw the listing as a table of its own."""
    with out.open("w", encoding="utf-8-sig", newline="") as sink:
        writer = csv.writer(sink)
        writer.writerow(CSV_HEADERS)
        for section in sections(report):
            writer.writerows([section.title, row.label, row.key, row.value] for row in section.rows)


def write_xlsx(report: Mapping[str, Any], out: Path) -> None:
    """One sheet per section, its header row bold and frozen."""
    from openpyxl import Workbook  # noqa: PLC0415 - late: only this export needs it

    book = Workbook()
    book.remove(book.active)
    for section in sections(report):
        sheet = book.create_sheet(section.title)
        if section.table is None:
            _figures(sheet, section)
        else:
            _table(sheet, section.table)
        _header(sheet)
    book.save(out)


def _figures(sheet: Any, section: Section) -> None:
    sheet.append(FIGURE_HEADERS)
    for row in section.rows:
        sheet.append([row.label, row.key, row.value])
        cell = sheet.cell(sheet.max_row, 3)
        if row.yen:
            cell.number_format = YEN_FORMAT
        elif row.key in _SHARES:
            cell.number_format = SHARE_FORMAT


def _table(sheet: Any, table: Table) -> None:
    sheet.append(table.headers)
    for line in table.lines:
        sheet.append(list(line))
        for column in table.yen_columns:
            sheet.cell(sheet.max_row, column + 1).number_format = YEN_FORMAT


def _header(sheet: Any) -> None:
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    for index in range(1, sheet.max_column + 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _WIDTHS.get(letter, 18)
