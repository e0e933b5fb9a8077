"""The risk watchlist, the alerts and a company's ownership picture in headless Chromium, with
screenshots (test-artifacts/e2e/) and the accessibility basics of the journey test.

Built through the services: X Holdings (CN) holds 50 % of エー工業, which holds 40 % of ビー精機;
X Holdings also holds 10 % of ビー精機 directly. ビー精機's integrated foreign share is
10 % + 50 % × 40 % = 30 %; attributed 50 %. The supply map of tests/web/test_supply_chain_pages.py
makes the withdrawing company the sole source of a level-2 component of SS-9 (criticality 122).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from shokei.ownership import services as ownership
from tests.e2e.conftest import LiveServer, Screenshots
from tests.e2e.test_browser_journey import BROWSER_ERRORS, check_accessibility, log_in, reach_by_keyboard
from tests.factories import Office, company
from tests.web.test_supply_chain_pages import _import_map


def test_the_watchlist_and_an_ownership_picture(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots, tmp_path: Path
) -> None:
    BROWSER_ERRORS.clear()
    uow = live_server.shokei.uow
    office = Office(uow)
    office.open_case()
    a = company(uow, "エー工業株式会社").corporate_number or ""
    b = company(uow, "ビー精機株式会社", capital_yen=9_000_000_000, employees=900).corporate_number or ""
    x = ownership.add_entity(
        uow,
        office.intake,
        kind="foreign_company",
        name="X Holdings",
        country="CN",
        identifiers=["CN-USCC-91110000MA01XXXX1X"],
    ).reference
    for owner, owned, share in [(x, a, "50"), (x, b, "10"), (a, b, "40")]:
        ownership.record_interest_change(uow, office.intake, owner=owner, owned=owned, share=share)
    withdrawing = office.withdrawing.corporate_number or ""
    _import_map(uow, office, tmp_path, withdrawing, office.successor_company.corporate_number or "")
    titles: set[str] = set()

    page = log_in(chromium, live_server, "examiner", titles)
    expect(page.locator('[data-box="risk_watchlist"]')).to_be_visible()
    expect(page.locator('[data-box="alerts"]')).to_contain_text("X Holdings")
    screenshots.take(page, "examiner-dashboard-risk")

    page.goto(f"{live_server.url}/risk?top=1")
    check_accessibility(page, titles)
    rows = page.locator("table.risk-watchlist tbody tr")
    expect(rows).to_have_count(1)
    page.select_option("#risk-top", "10")  # htmx swaps the table in place
    expect(page).to_have_url(f"{live_server.url}/risk?top=10")
    expect(rows).to_have_count(4)  # four registry companies: the Office's two, エー工業 and ビー精機
    expect(page.locator("#watchlist-results")).to_contain_text("4社中4社を表示")
    screenshots.take(page, "examiner-watchlist")
    reach_by_keyboard(page, lambda focused: focused["tag"] == "SELECT")

    page.goto(f"{live_server.url}/alerts")
    check_accessibility(page, titles)
    expect(page.locator("table.risk-alerts tbody tr[data-status='open']").first).to_be_visible()
    screenshots.take(page, "examiner-alerts")

    page.goto(f"{live_server.url}/companies/{b}")
    check_accessibility(page, titles)
    picture = page.locator("svg.ownership-svg")
    expect(picture).to_be_visible()
    expect(picture.locator("g.ownership-node-foreign")).to_have_count(1)
    expect(picture).to_contain_text("X Holdings")
    expect(picture).to_contain_text("エー工業株式会社")
    for share in ("50%", "40%", "10%"):
        expect(picture.locator("g.ownership-edge text", has_text=share)).to_have_count(1)
    box = picture.bounding_box()
    assert box is not None
    assert box["width"] > 200
    assert box["height"] > 150
    expect(page.locator('[data-measure="integrated"]')).to_have_text("30%")
    expect(page.locator("ol.ownership-chains li")).to_have_count(2)
    picture.scroll_into_view_if_needed()
    screenshots.take(page, "examiner-company-ownership")

    page.goto(f"{live_server.url}/companies/{withdrawing}")
    check_accessibility(page, titles)
    section = page.locator('[data-box="supply_chain"]')
    expect(section.locator('[data-figure="criticality"]')).to_have_text("122")
    expect(section.locator("tr[data-system]")).to_have_count(1)
    expect(page.locator('[data-box="risk"] [data-factor="supply_chain_criticality"]')).to_be_visible()
    section.scroll_into_view_if_needed()
    screenshots.take(page, "examiner-company-supply-chain-and-risk")
    assert BROWSER_ERRORS == [], BROWSER_ERRORS
