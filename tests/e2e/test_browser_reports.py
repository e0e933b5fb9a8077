"""/reports in headless Chromium: the auditor reaches it from the menu, the charts are drawn with
the cases' and the budget's figures, the new sections show, and the XLSX download holds the same
figures (read back with openpyxl)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from shokei.purchase import services as purchase
from tests.e2e.conftest import LiveServer, Screenshots
from tests.e2e.test_browser_journey import BROWSER_ERRORS, check_accessibility, log_in
from tests.integration.examination.flow import Desk


def test_the_reports_page_draws_the_chart_and_downloads_the_xlsx(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots, tmp_path: Path
) -> None:
    BROWSER_ERRORS.clear()
    uow = live_server.shokei.uow
    desk = Desk(uow)
    desk.fund(2026)
    paid, _ = desk.agreed(30_000_000)
    committed, _ = desk.agreed(45_000_000)
    for case_id in (paid, committed):
        purchase.approve_purchase(uow, desk.manager, case_id)
    purchase.pay_purchase(uow, desk.manager, paid, paid_on=date(2026, 6, 1))
    titles: set[str] = set()

    page = log_in(chromium, live_server, "auditor", titles)
    with page.expect_navigation():
        page.get_by_role("link", name="報告", exact=True).click()
    check_accessibility(page, titles)
    expect(page.locator("h1")).to_contain_text("プログラム報告")
    chart = page.locator("#budget-purchases-chart")
    expect(chart).to_be_visible()
    # by hand: bars scale to the appropriation (600 units for 1,000,000,000)
    expect(chart.locator("rect.report-appropriated")).to_have_attribute("width", "600.0")
    expect(chart.locator("rect.report-committed")).to_have_attribute("width", "27.0")
    expect(chart.locator("rect.report-paid")).to_have_attribute("width", "18.0")
    box = chart.locator("rect.report-committed").bounding_box()
    assert box is not None
    assert box["width"] > 0, "the bar is rendered"
    cases_chart = page.locator("#cases-chart")
    expect(cases_chart).to_be_visible()
    # both cases stand in purchase_agreed: one full-length bar
    expect(cases_chart.locator("rect.report-state")).to_have_count(1)
    expect(cases_chart.locator("g[data-kind=purchase_agreed] rect.report-state")).to_have_attribute(
        "width", "600.0"
    )
    state_box = cases_chart.locator("rect.report-state").bounding_box()
    assert state_box is not None
    assert state_box["width"] > 0, "the bar is rendered"
    expect(page.locator('[data-figure="cases.exit_reasons.factory_closure"]')).to_have_text("2")
    expect(page.locator('[data-figure="cases.sme.share"]')).to_have_text("100.0%")
    listing = page.locator("#case-listing tbody tr")
    expect(listing).to_have_count(2)
    expect(page.locator(f'[data-figure="case_listing.{paid}.paid_yen"]')).to_have_text("¥30,000,000")
    screenshots.take(page, "auditor-reports")

    with page.expect_download() as downloading:
        page.locator('#downloads a[data-format="xlsx"]').click()
    download = downloading.value
    assert download.suggested_filename == "shokei-program-report-fy2026.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = load_workbook(saved)
    budget = book["予算"]
    assert [cell.value for cell in budget[2]][2:] == [1_000_000_000, 45_000_000, 30_000_000, 0, 0, 0]
    cases = book["案件一覧"]
    assert cases.freeze_panes == "A2"
    assert [cell.value for cell in cases[1]][:2] == ["案件番号", "事業者"]
    lines = {row[0]: row for row in cases.iter_rows(min_row=2, values_only=True)}
    assert lines[paid][1] == "退出工業株式会社"
    assert lines[paid][4] == "買取承認済"
    assert lines[paid][7:] == ("工場閉鎖", 0, 30_000_000)
    assert lines[committed][8:] == (45_000_000, 0)
    assert book["撤退理由"]["C2"].value == 2
    assert BROWSER_ERRORS == [], "no script errors and no Content-Security-Policy violations"
