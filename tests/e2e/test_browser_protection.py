"""Protection over time in headless Chromium (issue 15), in Japanese: the copies of a case are
released to 承継重工業; a Chinese firm buys 60 % of 北斗ホールディングス, which holds 20 % of it
(12 % integrated, over the 10 % threshold), so it is suspended in that transaction. The program
manager sees the alert with what the company holds, opens the company page (access, cause,
holdings), tries to reinstate (refused in Japanese, naming the rule), and, once the stake is sold,
reinstates; then suspends by hand and reinstates again. The case page shows the flag. A screenshot
of each step (test-artifacts/e2e/)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from shokei.ownership import services as ownership
from shokei.succession import services as succession
from tests import factories
from tests.e2e.conftest import LiveServer, Screenshots
from tests.e2e.test_browser_journey import BROWSER_ERRORS, check_accessibility, log_in
from tests.factories import Office
from tests.web.test_succession_pages import case_awaiting_selection, make_eligible, release


def _press(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def test_the_manager_suspends_and_reinstates_from_the_alert_and_the_company_page(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots
) -> None:
    BROWSER_ERRORS.clear()
    shokei, uow = live_server.shokei, live_server.shokei.uow
    office = Office(uow)
    make_eligible(uow, office, office.successor_company)
    number = office.successor_company.corporate_number or ""
    case_id = case_awaiting_selection(shokei, office)
    succession.select_successor(uow, office.manager, case_id, number, reason="能力と地理的継続性")
    succession.accept_terms(uow, office.successor, case_id)
    [copy] = release(shokei, office.manager, case_id)
    holding = factories.company(uow, "北斗ホールディングス株式会社").corporate_number or ""
    foreign = ownership.add_entity(
        uow, office.intake, kind="foreign_company", name="华晨精密机械有限公司", country="CN"
    ).reference
    ownership.record_interest_change(uow, office.intake, owner=holding, owned=number, share="20")
    ownership.record_interest_change(uow, office.intake, owner=foreign, owned=holding, share="60")
    titles: set[str] = set()

    page = log_in(chromium, live_server, "manager", titles)
    page.goto(f"{live_server.url}/alerts")
    check_accessibility(page, titles)
    row = page.locator("table.risk-alerts tbody tr", has_text="承継重工業株式会社").first
    holdings = row.locator('[data-column="holdings"]')
    expect(holdings).to_contain_text("この企業は1件の案件で1部の写しを保有しています")
    expect(holdings.get_by_role("link", name=f"案件 {case_id}")).to_have_attribute(
        "href", f"/cases/{case_id}"
    )
    screenshots.take(page, "manager-alert-with-holdings")

    row.get_by_role("link", name="承継重工業株式会社").click()
    expect(page.locator("h1")).to_have_text("承継重工業株式会社")
    check_accessibility(page, titles)
    access = page.locator("[data-access]")
    expect(access).to_have_attribute("data-access", "suspended")
    expect(access).to_contain_text("停止中")
    expect(access).to_contain_text("foreign_ownership")
    expect(page.locator(f'[data-box="holdings"] tr[data-copy-id="{copy.copy_id}"]')).to_have_attribute(
        "data-status", "issued"
    )
    expect(page.locator('[data-box="holdings"] li[data-case-id]')).to_have_attribute("data-as", "successor")
    screenshots.take(page, "manager-company-suspended")

    # Reinstatement while the foreign stake is held: refused, in Japanese, naming the rule.
    page.get_by_label("回復の理由").fill("株式売却の報告を受けた")
    _press(page, "アクセスを回復")
    refusal = page.locator(".message-error")
    expect(refusal).to_contain_text("承継重工業株式会社は要件を満たしていないため、アクセスを回復できません")
    expect(refusal).to_contain_text("foreign_ownership：外国資本比率12%（間接保有を含む、経路")
    expect(refusal).to_contain_text("（基準10%以上）")
    expect(access).to_have_attribute("data-access", "suspended")
    screenshots.take(page, "manager-reinstatement-refused")

    # The case the company succeeds in is flagged.
    page.goto(f"{live_server.url}/cases/{case_id}")
    flag = page.locator("#flags li[data-kind='company_suspended']")
    expect(flag).to_have_attribute("data-resolved", "no")
    expect(flag).to_contain_text(
        "承継重工業株式会社はアクセス停止中です（選定された承継先として）：所有関係の変更"
    )
    screenshots.take(page, "manager-case-flagged")

    ownership.record_interest_change(uow, office.intake, owner=foreign, owned=holding, share="0")  # sold
    page.goto(f"{live_server.url}/companies/{number}")
    page.get_by_label("回復の理由").fill("外国資本の株式売却を確認")
    _press(page, "アクセスを回復")
    expect(page.locator(".message-success")).to_have_text("承継重工業株式会社のアクセスを回復しました。")
    expect(access).to_have_attribute("data-access", "active")
    expect(access).to_contain_text("有効")
    screenshots.take(page, "manager-company-reinstated")

    # By hand: suspend with a reason (a confirmation), then reinstate.
    page.get_by_label("停止の理由").fill("立入検査で保全体制の不備を確認")
    _press(page, "アクセスを停止")
    expect(page.locator(".message-success")).to_contain_text("承継重工業株式会社を停止しました")
    expect(access).to_have_attribute("data-access", "suspended")
    expect(access).to_contain_text("立入検査で保全体制の不備を確認")
    screenshots.take(page, "manager-company-suspended-by-hand")
    page.get_by_label("回復の理由").fill("是正を確認")
    _press(page, "アクセスを回復")
    expect(access).to_have_attribute("data-access", "active")

    page.goto(f"{live_server.url}/cases/{case_id}")
    expect(page.locator("#flags li[data-resolved='yes']")).to_have_count(2)
    expect(page.locator("#flags")).to_contain_text("是正を確認")
    expect(page.locator("#flags li").first).to_contain_text(
        "承継重工業株式会社はアクセスを停止されていました（選定された承継先として）：職員による停止"
    )
    screenshots.take(page, "manager-case-flags-resolved")
    assert BROWSER_ERRORS == []
