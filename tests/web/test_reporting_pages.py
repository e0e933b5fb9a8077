"""The /reports page: for program managers and auditors only; the figures, the chart and the
downloads equal the program report; the XLSX download reads back to the same figures."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from tests.factories import Office
from tests.integration.examination.flow import Desk
from tests.web.conftest import as_user, web_shokei


@pytest.fixture
def app(uow: UnitOfWork, tmp_path: Path) -> object:
    from shokei.app import create_app

    return create_app(web_shokei(uow, tmp_path / "var"))


def _purchases(uow: UnitOfWork) -> Desk:
    """Two purchases in FY2026: 30,000,000 paid, 45,000,000 committed."""
    desk = Desk(uow)
    desk.fund(2026)
    for amount in (30_000_000, 45_000_000):
        case_id, _ = desk.agreed(amount)
        purchase.approve_purchase(uow, desk.manager, case_id)
        if amount == 30_000_000:
            purchase.pay_purchase(uow, desk.manager, case_id, paid_on=date(2026, 6, 1))
    return desk


def _figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{re.escape(name)}">([^<]*)<', html)
    assert found, name
    return found.group(1)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("auditor", 200),
        ("negotiator", 403),
        ("examiner", 403),
        ("supplier", 403),
        ("admin", 403),
    ],
)
def test_who_sees_the_reports_page(uow: UnitOfWork, app: object, role: str, status: int) -> None:
    Office(uow)
    browser = as_user(app, role)  # type: ignore[arg-type]
    assert browser.get("/reports?fy=2026").status_code == status
    assert browser.get("/reports/program-2026.xlsx").status_code == status
    shown = 'href="/reports"' in browser.get("/").text
    assert shown == (status == 200)


def test_the_page_shows_the_report_with_its_chart_and_downloads(uow: UnitOfWork, app: object) -> None:
    _purchases(uow)
    auditor = as_user(app, "auditor")  # type: ignore[arg-type]
    html = auditor.get("/reports?fy=2026").text
    # by hand: appropriated 1,000,000,000; 45,000,000 committed; 30,000,000 paid
    assert _figure(html, "budget.purchases.appropriated") == "¥1,000,000,000"
    assert _figure(html, "budget.purchases.committed") == "¥45,000,000"
    assert _figure(html, "budget.purchases.paid") == "¥30,000,000"
    assert _figure(html, "budget.purchases.lapsed") == "¥0"
    assert _figure(html, "cases.opened") == "2"
    assert _figure(html, "cases.by_state.purchase_agreed") == "2"
    # bars scale to the largest figure (the appropriation): 600 × 45/1000 = 27, 600 × 30/1000 = 18
    assert re.search(r'class="report-committed" x="250" y="\d+" width="27.0"', html)
    assert re.search(r'class="report-paid" x="250" y="\d+" width="18.0"', html)
    for kind in ("json", "csv", "xlsx", "pdf"):
        assert f'href="/reports/program-2026.{kind}"' in html
    assert "予算: 設計文書買取費" in html
    assert "年度末の状態: 買取承認済" in html  # the cases feature's state label

    # the new sections, by hand: two cases of the withdrawing SME, factory closure, one paid
    assert _figure(html, "cases.exit_reasons.factory_closure") == "2"
    assert _figure(html, "cases.sme.share") == "100.0%"
    assert _figure(html, "alerts.open") == "0"
    assert _figure(html, "measures.taken") == "0"
    assert 'id="cases-chart"' in html
    assert re.search(r'class="report-state" x="250" y="\d+" width="600.0"', html)  # 2 of 2 cases
    paid_case, committed_case = sorted(int(n) for n in re.findall(r'data-case="(\d+)"', html))
    assert _figure(html, f"case_listing.{paid_case}.paid_yen") == "¥30,000,000"
    assert _figure(html, f"case_listing.{committed_case}.committed_yen") == "¥45,000,000"
    assert _figure(html, f"case_listing.{paid_case}.state") == "買取承認済"
    for text in ("撤退理由と中小企業の割合", "工場閉鎖", "退出工業株式会社", "案件一覧"):
        assert text in html

    download = auditor.get("/reports/program-2026.xlsx")
    assert (
        download.headers["content-disposition"] == 'attachment; filename="shokei-program-report-fy2026.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(download.content))["予算"]
    assert [cell.value for cell in sheet[2]] == [
        "設計文書買取費",
        "budget.purchases",
        1_000_000_000,
        45_000_000,
        30_000_000,
        0,
        0,
        0,
    ]
    assert auditor.get("/reports/program-2026.json").json()["budget"]["purchases"]["paid"] == 30_000_000
    assert auditor.get("/reports/program-2026.doc").status_code == 404

    auditor.post("/language", {"lang": "en", "next": "/reports?fy=2026"})
    english = auditor.get("/reports?fy=2026").text
    assert "Budget: purchase of design documents" in english
    assert "Carried over into the next year" in english
    for text in ("Reasons for exit and SME share", "Factory closure", "Case listing"):
        assert text in english
