"""Survey answers and templates as files: XLSX (openpyxl) with one sheet per record kind, or a
CSV holding one kind (told by its header). Reading never refuses a file outright when it can
name a problem instead: an unreadable file is one problem at row 0.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from shokei.errors import N_
from shokei.supply_chain.survey.domain import BOM, COMPONENTS, SHEET_COLUMNS, SUPPLY, Problem, Sheet, problem

INSTRUCTIONS_SHEET = "説明"
_XLSX_MAGIC = b"PK\x03\x04"


def read_answer(name: str, data: bytes) -> tuple[list[Sheet], list[Problem]]:
    """The answer's sheets (those named like a record kind; others, such as 説明, are skipped)."""
    if data.startswith(_XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    return _read_csv(data)


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed into Excel: 1 stays "1", a corporate number keeps its digits
    return str(value).strip() or None


def _sheet(name: str, rows: Iterable[Sequence[Any]]) -> Sheet | None:
    iterator = iter(rows)
    header_row = next(iterator, None)
    if header_row is None:
        return None
    header = tuple((_cell(value) or "").lower() for value in header_row)
    body = []
    for number, values in enumerate(iterator, start=2):
        cells = {column: _cell(value) for column, value in zip(header, values, strict=False) if column}
        if any(cells.values()):
            body.append((number, cells))
    return Sheet(name, tuple(column for column in header if column), tuple(body))


def _read_xlsx(data: bytes) -> tuple[list[Sheet], list[Problem]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return [], [problem(SUPPLY, 0, "", N_("not a readable XLSX file"))]
    sheets = []
    try:
        for title in book.sheetnames:
            kind = title.strip().lower()
            if kind in SHEET_COLUMNS:
                sheet = _sheet(kind, book[title].iter_rows(values_only=True))
                if sheet is not None:
                    sheets.append(sheet)
    finally:
        book.close()
    return sheets, []


def _read_csv(data: bytes) -> tuple[list[Sheet], list[Problem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [problem(SUPPLY, 0, "", N_("not a readable CSV file: save it as UTF-8"))]
    rows = list(csv.reader(io.StringIO(text)))
    header = {(value or "").strip().lower() for value in rows[0]} if rows else set()
    if "parent_part_number" in header:
        kind = BOM
    elif header and header <= set(SHEET_COLUMNS[COMPONENTS]):
        kind = COMPONENTS
    else:
        kind = SUPPLY
    sheet = _sheet(kind, rows)
    return ([sheet] if sheet is not None else []), []


# -- the template --------------------------------------------------------------------------------

INSTRUCTIONS = (
    "サプライチェーン調査 回答様式",
    "",
    "この様式は `shokei supply import` と同じ列で作られています。記入後、ポータルまたは"
    " `shokei survey answer` で提出してください。",
    "提出された回答は全体を検査してから反映されます。誤りがあれば、シート・行・列ごとに"
    "指摘し、何も反映しません。",
    "",
    "supply シート: 貴社が供給する部品と、その部品の構成品を貴社に供給する企業を1行ずつ記入します。",
    "  corporate_number: 国内企業の法人番号（13桁、先頭はチェックデジット）。",
    "  country / registry_id: 海外企業の場合は法人番号の代わりに国名コード（例: US）と登録番号。",
    "  part_number: 部品番号。components シートまたは既存の地図にない番号は誤りとなります。",
    "  tier: 階層（1 = 元請に供給）。空欄なら貴社の行は貴社の階層、供給元は一つ下の階層。",
    "  share: 供給シェア（0〜1 または 0%〜100%）。同じ部品のシェアの合計は100%以下。",
    "  qualified: 認定済みか（true / false）。空欄は true。",
    "bom シート: 部品（parent_part_number）がどの構成品（child_part_number）から作られるか。"
    "循環（部品が自分自身を含む）は誤りです。",
    "components シート: 新しい部品番号と名称。",
    "",
    "同じ行を二度記入しないでください。再提出すると前回の回答を置き換えます"
    "（前回あって今回ない供給関係は削除されます）。",
    "回答は機密として扱われ、他の回答者には開示されません。",
)


def write_template(
    *,
    system_code: str,
    due_on: date,
    respondent: str | None,
    components: Sequence[tuple[str, str | None]],
    bom: Sequence[tuple[str, str, float]],
    supply: Sequence[tuple[str | None, str | None, str | None, str, int, float | None, bool]],
) -> bytes:
    """An XLSX answer form: instructions in Japanese, then the three sheets, pre-filled."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = INSTRUCTIONS_SHEET
    header = [
        f"対象装備品: {system_code}",
        f"回答期限: {due_on.isoformat()}",
        f"回答者（法人番号）: {respondent or '-'}",
    ]
    for line in (*header, "", *INSTRUCTIONS):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    _add(book, SUPPLY, supply)
    _add(book, BOM, bom)
    _add(book, COMPONENTS, components)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _add(book: Workbook, kind: str, rows: Iterable[Sequence[Any]]) -> None:
    sheet = book.create_sheet(kind)
    sheet.append(list(SHEET_COLUMNS[kind]))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, _ in enumerate(SHEET_COLUMNS[kind], start=1):
        # Text cells: corporate and part numbers keep their digits and leading zeros.
        sheet.column_dimensions[chr(64 + index)].width = 20
        sheet.column_dimensions[chr(64 + index)].number_format = "@"
    for row in rows:
        sheet.append(["" if value is None else value for value in row])
