"""Escalation → measure → facility in headless Chromium, in Japanese: the program manager
escalates a case whose supplier never handed its documents in, decides the acquisition of the
facility on the case page, acquires it on the measure's page (its price committed on the
facilities line), entrusts its management to an eligible company (an ineligible one is refused
with the rule), and reads the facilities page with the fiscal year's report. A screenshot of each
step (test-artifacts/e2e/)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from shokei.purchase import services as purchase
from shokei.purchase.domain import BudgetLineName
from tests import factories
from tests.e2e.conftest import LiveServer, Screenshots
from tests.e2e.test_browser_journey import BROWSER_ERRORS, check_accessibility, log_in
from tests.factories import Office


def _submit(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).first.click()


def test_escalation_measure_and_facility_pages(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots
) -> None:
    BROWSER_ERRORS.clear()
    uow = live_server.shokei.uow
    office = Office(uow)
    case = office.open_case()
    purchase.set_line_appropriation(
        uow, office.manager, fiscal_year=2026, line=BudgetLineName.FACILITIES, amount_yen=300_000_000
    )
    office.make_eligible(office.successor_company)
    stranger = factories.company(uow, "未審査工業株式会社").corporate_number or ""
    titles: set[str] = set()

    page = log_in(chromium, live_server, "manager", titles)
    page.goto(f"{live_server.url}/cases/{case.id}")
    page.locator("#reason-escalate").fill("期限までに設計文書が提出されない")
    _submit(page, "他の措置へ移行する")
    expect(page.locator(".page-meta .badge")).to_have_text("他の措置へ移行")
    expect(page.locator("#measures")).to_be_visible()
    check_accessibility(page, titles)
    screenshots.take(page, "case-escalated")

    page.locator("#measure-kind").select_option("facility_acquisition")
    page.locator("#measure-reason").fill("製造施設を国が取得し、管理を委託する")
    _submit(page, "措置を決定する")
    expect(page.locator(".message-success")).to_contain_text("措置を決定しました")
    expect(page.locator("h1")).to_contain_text("製造施設等の国による取得（第29条）")
    check_accessibility(page, titles)

    page.get_by_label("施設名").fill("第二工場")
    page.get_by_label("都道府県").fill("愛知県")
    page.get_by_label("価格（円）").fill("120,000,000")
    page.get_by_label("取得日").fill("2026-05-15")
    page.get_by_label("設備（1行に1品目）").fill("五軸加工機\n熱処理炉")
    screenshots.take(page, "measure-acquire-form")
    _submit(page, "施設を取得する")
    expect(page.locator(".message-success")).to_contain_text("施設を取得し")
    expect(page.locator("h1")).to_have_text("第二工場")
    expect(page.locator(".page-meta")).to_contain_text("国が保有")
    check_accessibility(page, titles)
    facility_url = page.url

    page.get_by_label("受託事業者の法人番号").fill(stranger)
    page.get_by_label("委託期限").fill("2031-03-31")
    page.get_by_label("委託条件").fill("設備の維持管理と年次報告")
    _submit(page, "管理を委託する")
    refusal = page.locator(".message-error")
    expect(refusal).to_contain_text("管理の委託はできません")
    expect(refusal).to_contain_text("security_compliance")
    expect(refusal).not_to_contain_text("refused")
    screenshots.take(page, "facility-entrust-refused")

    page.goto(facility_url)
    page.get_by_label("受託事業者の法人番号").fill(office.successor_company.corporate_number or "")
    page.get_by_label("委託期限").fill("2031-03-31")
    page.get_by_label("委託条件").fill("設備の維持管理と年次報告")
    _submit(page, "管理を委託する")
    expect(page.locator(".message-success")).to_contain_text("施設の管理を委託しました")
    expect(page.locator(".page-meta")).to_contain_text("国が保有（管理委託中）")
    screenshots.take(page, "facility-entrusted")

    with page.expect_navigation():
        page.get_by_role("link", name="施設", exact=True).click()
    page.goto(f"{live_server.url}/facilities?fy=2026")
    check_accessibility(page, titles)
    expect(page.locator("h1")).to_have_text("国が保有する施設")
    expect(page.locator("#report tr[data-report]")).to_have_count(1)
    expect(page.locator("#report")).to_contain_text("2027年6月30日")
    screenshots.take(page, "facilities-report")

    page.goto(f"{live_server.url}/companies/{office.successor_company.corporate_number}")
    expect(page.locator("#facilities tr[data-facility]")).to_contain_text("第二工場")
    screenshots.take(page, "contractor-company-page")

    page.goto(f"{live_server.url}/cases/{case.id}")
    expect(page.locator("#measures tr[data-measure]")).to_contain_text("実施中")
    screenshots.take(page, "case-with-measure")
    line = purchase.get_line_budget(uow, office.auditor, fiscal_year=2026, line=BudgetLineName.FACILITIES)
    assert (line.committed, line.available) == (120_000_000, 180_000_000)
    assert BROWSER_ERRORS == [], "no script errors and no Content-Security-Policy violations"
