"""The report files from hand-written ledger documents: a second budget line (facilities, named by
its events' `details.line`) gets its row in the XLSX budget sheet and its chart in the PDF; the
CSV carries every figure by its JSON name, the case listing's cells included."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pypdf
from openpyxl import load_workbook

from shokei.reporting.domain import program_figures
from shokei.reporting.exports import YEN_FORMAT, write
from tests.unit.reporting.test_figures import CASES, _budget, _event


def _report() -> dict[str, Any]:
    ledger = [
        *CASES,
        _event(
            20,
            "2026-04-02T00:00:00+00:00",
            "purchase:budget:set",
            "2026",
            after={"appropriation": 600_000},
            details={"fiscal_year": 2026, "line": "facilities"},
        ),
        _budget(
            21,
            "2026-05-01T00:00:00+00:00",
            "commit",
            agreement=9,
            amount_yen=250_000,
            fiscal_year=2026,
            line="facilities",
        ),
    ]
    checkpoint = {"tree_size": len(ledger), "root_hash": "00" * 32, "signed_note": None}
    return {"report": "program", "fiscal_year": 2026, "checkpoint": checkpoint} | program_figures(
        ledger, 2026
    )


def test_a_second_budget_line_in_the_xlsx_and_the_pdf(tmp_path: Path) -> None:
    report = _report()
    book = load_workbook(write(report, "xlsx", tmp_path / "r.xlsx"))
    budget = book["予算"]
    assert budget.freeze_panes == "A2"
    rows = [[cell.value for cell in row] for row in budget.iter_rows(min_row=2)]
    # by hand: purchases: case 4's 300 paid, case 2's 500 released since (lines as they stand now);
    # facilities: 600,000 appropriated, 250,000 committed
    assert rows == [
        ["設計文書買取費", "budget.purchases", 0, 0, 300, 0, 0, 0],
        ["施設整備費", "budget.facilities", 600_000, 250_000, 0, 0, 0, 0],
    ]
    assert all(cell.number_format == YEN_FORMAT for row in budget.iter_rows(min_row=2) for cell in row[2:])
    listing = book["案件一覧"]
    assert [cell.value for cell in listing[4]] == [
        4,
        "甲",
        "111",
        "該当",
        "終結",
        "2026-05-03",
        "2026-08-01",
        "工場閉鎖",
        0,
        300,
    ]

    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(write(report, "pdf", tmp_path / "r.pdf")).pages
    )
    for heading in (
        "施設整備費 (グラフ)",
        "設計文書買取費 (グラフ)",
        "年度末の状態別の案件数",
        "案件一覧",
        "¥250,000",
    ):
        assert heading in text


def test_the_csv_names_every_figure(tmp_path: Path) -> None:
    with write(_report(), "csv", tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as source:
        lines = list(csv.reader(source))
    assert lines[0] == ["区分", "項目", "キー", "値"]
    values = {key: value for _, _, key, value in lines[1:]}
    assert values["budget.facilities.committed"] == "250000"
    assert values["cases.exit_reasons.factory_closure"] == "2"
    assert values["case_listing.4.paid_yen"] == "300"
    assert values["case_listing.3.state"] == "書類提出済"
    assert values["cases.sme.share"] == "0.5"
