"""The interface contract on the demo data, through the `shokei` CLI: `report program --json`
with the figures worked out by hand from the demo's cases; the same figures read back from the
XLSX (openpyxl) and the Japanese headings from the PDF (pypdf); `report verify` against an
`audit export` passes, and fails with exit 5 naming the figure once one number is edited."""

from __future__ import annotations

import json
from collections import Counter
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


SHEETS = [
    "概要",
    "案件",
    "滞留日数",
    "撤退理由",
    "中小企業",
    "予算",
    "文書",
    "複製",
    "警報",
    "事故",
    "措置",
    "案件一覧",
]
LISTING_HEADER = [
    "案件番号",
    "事業者",
    "法人番号",
    "中小企業",
    "年度末の状態",
    "開始日",
    "終結日",
    "撤退理由",
    "契約済(未払)",
    "支払済額",
]


def _workbook_figures(path: Path) -> tuple[dict[str, Any], list[list[Any]]]:
    """The figures of every sheet by their JSON name, and the case listing's lines."""
    book = load_workbook(path)
    assert book.sheetnames == SHEETS
    figures: dict[str, Any] = {}
    listing: list[list[Any]] = []
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
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
        if sheet.title == "案件一覧":
            assert header == LISTING_HEADER
            for row in sheet.iter_rows(min_row=2):
                assert (row[8].number_format, row[9].number_format) == (YEN_FORMAT, YEN_FORMAT)
                listing.append([cell.value for cell in row])
            continue
        assert header == ["項目", "キー", "値"]
        figures |= {key: value for _, key, value in sheet.iter_rows(min_row=2, values_only=True)}
    return figures, listing


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
    assert report["measures"] == {"taken": 0, "by_tag": {}}
    # the demo's suppliers are fourteen distinct SMEs
    assert report["cases"]["sme"] == {"suppliers": 14, "sme": 14, "not_sme": 0, "unknown": 0, "share": 1.0}
    # reasons, states and suppliers as the cases feature lists them from its own tables
    listed = cli("case", "list", "--as", "auditor", "--json").json()
    assert isinstance(listed, list)
    assert report["cases"]["exit_reasons"] == dict(Counter(case["reason"] for case in listed))
    assert [
        (line["id"], line["supplier"], line["corporate_number"], line["state"], line["exit_reason"])
        for line in report["case_listing"]
    ] == sorted(
        (c["id"], c["company_name"], c["company_corporate_number"], c["state"], c["reason"]) for c in listed
    )
    amounts = {line["state"]: (line["committed_yen"], line["paid_yen"]) for line in report["case_listing"]}
    # approved at the 5th move: the closed case was paid, three are committed and unpaid
    assert {state: money for state, money in amounts.items() if money != (0, 0)} == {
        "purchase_agreed": (48_500_000, 0),
        "successor_selection": (48_500_000, 0),
        "handed_over": (48_500_000, 0),
        "closed": (0, 48_500_000),
    }
    closed = {line["state"]: line["closed"] for line in report["case_listing"] if line["closed"]}
    assert set(closed) == {"closed", "closed_released"}
    assert cli("report", "program", "--fy", str(year), "--as", "negotiator", "--json").exit_code == 3

    xlsx, pdf = tmp_path / "report.xlsx", tmp_path / "report.pdf"
    for kind, out in (("xlsx", xlsx), ("pdf", pdf)):
        written = cli(
            "report", "program", "--fy", str(year), "--as", "auditor", "--format", kind, "--out", str(out)
        )
        assert written.exit_code == 0, written.stderr
    # each file is computed anew, after one more ledger entry (the previous computation)
    expected = flat(report) | {"checkpoint.signed": "有", "incidents": 0}
    del expected["report"], expected["checkpoint.signed_note"], expected["case_listing"]
    in_book, listing = _workbook_figures(xlsx)
    moving = {"checkpoint.tree_size", "checkpoint.root_hash"}
    assert {k: v for k, v in in_book.items() if k not in moving} == {
        k: v for k, v in expected.items() if k not in moving
    }
    assert in_book["checkpoint.tree_size"] == report["checkpoint"]["tree_size"] + 1
    assert [line[0] for line in listing] == [line["id"] for line in report["case_listing"]]
    for line, case in zip(listing, report["case_listing"], strict=True):
        assert line[1:3] == [case["supplier"], case["corporate_number"]]
        assert (line[3], line[5], line[6], line[8], line[9]) == (
            "該当",  # every demo supplier is an SME
            case["opened"],
            case["closed"],
            case["committed_yen"],
            case["paid_yen"],
        )
    # states and reasons in Japanese: the closed case, by hand from the catalogue
    assert [line[4] for line in listing if line[6]] == ["終結", "終結（保護不要）"]
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    for heading in (
        f"承継プログラム報告 {year}年度",
        "概要",
        "案件",
        "予算",
        "設計文書買取費",
        "歳出予算額",
        "不用額",
        "撤退理由",
        "工場閉鎖",
        "中小企業の割合",
        "年度末の状態別の案件数",
        "案件一覧",
        report["case_listing"][0]["supplier"],
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

    closed_case = next(line for line in report["case_listing"] if line["state"] == "closed")
    edited = json.loads(json.dumps(report))
    next(line for line in edited["case_listing"] if line["id"] == closed_case["id"])["paid_yen"] = 1
    saved.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    refused = cli("report", "verify", str(saved), "--export", str(export), "--json")
    assert refused.exit_code == 5
    assert json.loads(refused.stdout)["differences"] == [
        {"figure": f"case_listing.{closed_case['id']}.paid_yen", "reported": 1, "recomputed": 48_500_000}
    ]


def flat(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{dotted name: value} for every leaf figure of a JSON document."""
    found: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            found |= flat(value, f"{prefix}{key}.")
        else:
            found[f"{prefix}{key}"] = value
    return found
