"""The program report as files: CSV, XLSX and PDF. Every file carries the same figures as the
JSON report, each beside its dotted JSON name, so a reader can match any cell to
`report verify`'s names: `sections` lays them out, `spreadsheet` and `pdf` write them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shokei.errors import N_, BadInput, Text
from shokei.formats.fonts import FONT_VARIABLE
from shokei.reporting.exports.pdf import font_path, write_pdf
from shokei.reporting.exports.sections import (
    BUDGET_HEADERS,
    BUDGET_LINE_LABELS,
    CASE_LIST,
    LISTING_COLUMNS,
    REASON_LABELS,
    STATE_LABELS,
    Row,
    Section,
    Table,
    money,
    sections,
    shown,
    title,
)
from shokei.reporting.exports.spreadsheet import SHARE_FORMAT, YEN_FORMAT, write_csv, write_xlsx

FORMATS = ("csv", "xlsx", "pdf")

__all__ = [
    "BUDGET_HEADERS",
    "BUDGET_LINE_LABELS",
    "CASE_LIST",
    "FONT_VARIABLE",
    "FORMATS",
    "LISTING_COLUMNS",
    "REASON_LABELS",
    "SHARE_FORMAT",
    "STATE_LABELS",
    "YEN_FORMAT",
    "Row",
    "Section",
    "Table",
    "font_path",
    "money",
    "sections",
    "shown",
    "title",
    "write",
    "write_csv",
    "write_pdf",
    "write_xlsx",
]


def write(report: Mapping[str, Any], kind: str, out: Path) -> Path:
    """Write the report as `kind` (csv, xlsx or pdf) to `out`."""
    writers = {"csv": write_csv, "xlsx": write_xlsx, "pdf": write_pdf}
    if kind not in writers:
        raise BadInput(
            Text(
                N_("unknown report format %(kind)s; one of: %(formats)s"),
                {"kind": repr(kind), "formats": ", ".join(FORMATS)},
            )
        )
    writers[kind](report, out)
    return out
