"""The interface contract on the demo data, through the `shokei` CLI: `report program --json`
with the figures worked out by hand from the demo's cases; the same figures read back from the
XLSX (openpyxl) and the Japanese headings from the PDF (pypdf); `report verify` against an
`audit export` passes, and fails with exit 5 naming the figure once one number is edited."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pypdf
from openpyxl import load_workbook

from shokei.clock import JST
from shokei.purchase.domain import fiscal_year
from shokei.reporting.exports import YEN_FORMAT
from tests.conftest import Cli

# By hand from shokei.demo.services.DEMO_CASES: ten cases on the main path stop after 0, 0, 1, 2,
# 3, 4, 5, 7, 8 and 9 moves; two on the release path after 3 and 4; two on the failed path after
# 5 and 6. The purchase is approved at the 5th move (48,500,000 each): the cases stopping after
# 5, 7, 8 and 9 moves; the one that closes (9) is paid first.
DEMO_STATES = {
    "notified": 2,
    "documents_submitted": 1,
    "under_examination": 1,
    "not_significant": 1,
    "closed_released": 1,
    "protection_required": 1,
    "negotiating": 1,
    "purchase_agreed": 1,
    "negotiation_failed": 1,
    "escalated": 1,
    "successor_selection": 1,
    "handed_over": 1,
    "closed": 1,
}
DEMO_BUDGET = {
    "appropriated": 1_000_000_000,
    "committed": 3 * 48_500_000,
    "paid": 48_500_000,
    "carried_in": 0,
    "carried_out": 0,
    "lapsed": 0,
}


def _workbook_figures(path: Path) -> dict[str, Any]:
    book = load_workbook(path)
    assert book.sheetnames == ["概要", "案件", "予算", "文書", "複製", "警報", "事故"]
    figures: dict[str, Any] = {}
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        header = [cell.value for cell in sheet[1]]
        if sheet.title == "予算":
            assert header == [
                "予算科目",
                "キー",
                "歳出予算額",
                "契約済(未払)",
                "支出済額",
                "前年度繰越額",
                "翌年度繰越額",
                "不用額",
            ]
            names = ["appropriated", "committed", "paid", "carried_in", "carried_out", "lapsed"]
            for row in sheet.iter_rows(min_row=2):
                assert all(cell.number_format == YEN_FORMAT for cell in row[2:])
                figures |= {
                    f"{row[1].value}.{name}": cell.value for name, cell in zip(names, row[2:], strict=True)
                }
            continue
        assert header == ["項目", "キー", "値"]
        figures |= {key: value for _, key, value in sheet.iter_rows(min_row=2, values_only=True)}
    return figures


def test_the_demo_report_in_every_format_and_its_verification(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    assert cli("demo", "seed", "--json").exit_code == 0
    year = fiscal_year(datetime.now(JST).date())  # the demo runs today

    report = cli("report", "program", "--fy", str(year), "--as", "manager", "--json").json()
    assert isinstance(report, dict)
    assert report["fiscal_year"] == year
    assert set(report["checkpoint"]) == {"tree_size", "root_hash", "signed_note"}
    assert report["checkpoint"]["signed_note"].split("\n")[1] == str(report["checkpoint"]["tree_size"])
    assert (report["cases"]["opened"], report["cases"]["closed"]) == (14, 2)  # closed and closed_released
    assert report["cases"]["by_state"] == DEMO_STATES
    assert report["budget"] == {"purchases": DEMO_BUDGET}
    assert report["incidents"] == []
    assert cli("report", "program", "--fy", str(year), "--as", "negotiator", "--json").exit_code == 3

    xlsx, pdf = tmp_path / "report.xlsx", tmp_path / "report.pdf"
    for kind, out in (("xlsx", xlsx), ("pdf", pdf)):
        written = cli(
            "report", "program", "--fy", str(year), "--as", "auditor", "--format", kind, "--out", str(out)
        )
        assert written.exit_code == 0, written.stderr
    # each file is computed anew, after one more ledger entry (the previous computation)
    expected = flat(report) | {"checkpoint.signed": "有", "incidents": 0}
    del expected["report"], expected["checkpoint.signed_note"]
    in_book = _workbook_figures(xlsx)
    moving = {"checkpoint.tree_size", "checkpoint.root_hash"}
    assert {k: v for k, v in in_book.items() if k not in moving} == {
        k: v for k, v in expected.items() if k not in moving
    }
    assert in_book["checkpoint.tree_size"] == report["checkpoint"]["tree_size"] + 1
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    for heading in (
        f"承継プログラム報告 {year}年度",
        "概要",
        "案件",
        "予算",
        "設計文書買取費",
        "歳出予算額",
        "不用額",
    ):
        assert heading in text
    assert "¥145,500,000" in text

    export = tmp_path / "export"
    assert cli("audit", "export", str(export), "--as", "auditor").exit_code == 0
    saved = tmp_path / "report.json"
    saved.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    verified = cli("report", "verify", str(saved), "--export", str(export), "--json")
    assert (verified.exit_code, verified.json()) == (
        0,
        {"ok": True, "fiscal_year": year, "tree_size": report["checkpoint"]["tree_size"], "differences": []},
    )

    edited = json.loads(saved.read_text(encoding="utf-8"))
    edited["budget"]["purchases"]["paid"] = 48_500_001
    saved.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    refused = cli("report", "verify", str(saved), "--export", str(export), "--json")
    assert refused.exit_code == 5
    assert json.loads(refused.stdout)["differences"] == [
        {"figure": "budget.purchases.paid", "reported": 48_500_001, "recomputed": 48_500_000}
    ]
    assert "budget.purchases.paid" in refused.stderr


def flat(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{dotted name: value} for every leaf figure of a JSON document."""
    found: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            found |= flat(value, f"{prefix}{key}.")
        else:
            found[f"{prefix}{key}"] = value
    return found
