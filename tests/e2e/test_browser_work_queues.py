"""Work queues and the inbox in headless Chromium: each role's dashboard opens on its own queue
(the first box: what is waiting for that user, an overdue duty marked, every party's breach for
the program manager and the auditor, nothing of another company's for a subcontractor), the
header counts my duties and notices on every page, and the inbox marks a notice read."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Browser, Page, expect

from shokei.deadlines import services as deadlines
from shokei.kernel import Role
from tests import factories
from tests.conftest import TEST_NOW
from tests.e2e.conftest import LiveServer, Screenshots
from tests.e2e.test_browser_journey import BROWSER_ERRORS, check_accessibility, log_in
from tests.factories import Office


def _first_box(page: Page) -> str:
    first = page.locator(".dashboard-grid > section").first
    expect(first).to_have_id("work-queue")
    return first.inner_text()


def test_each_role_opens_on_its_own_queue_and_the_inbox_marks_a_notice_read(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots
) -> None:
    BROWSER_ERRORS.clear()
    uow = live_server.shokei.uow
    clock = uow.clock
    office = Office(uow)
    late = office.open_case()  # its hand-in is due on day 30
    clock.at = TEST_NOW + timedelta(days=31)  # type: ignore[attr-defined]
    examined, negotiated, selecting, submitted = (office.open_case().id for _ in range(4))
    office.to_under_examination(examined)
    office.to_negotiating(negotiated)
    office.to_successor_selection(selecting)
    office.select_successor(selecting)
    office.move(submitted, "submit", office.supplier)
    assert deadlines.sweep(uow).flagged == 1  # the late hand-in, flagged once
    sub = factories.company(uow, "下請精工株式会社")
    factories.user(uow, Role.SUCCESSOR, sub.corporate_number, "subcontractor")
    titles: set[str] = set()

    expected = {
        "supplier": [
            "設計文書の提出",
            f"案件{late.id}",
            "期限超過 1日",
            "期限超過をプログラムマネージャーに通知済み",
        ],
        "intake": ["提出内容の確認と審査の開始", f"案件{submitted}", "あと14日"],
        "examiner": ["文書の審査と判定", f"案件{examined}", "あと60日"],
        "negotiator": ["買取の合意または交渉不成立の記録", f"案件{negotiated}", "あと90日"],
        "manager": ["承継先の選定と引渡し", f"案件{selecting}", "全関係者の期限超過", f"案件{late.id}"],
        "auditor": ["あなたの対応を待っている事項はありません。", "全関係者の期限超過", f"案件{late.id}"],
        "successor": ["承継条件の受諾", f"案件{selecting}", "あと14日"],
        "subcontractor": ["あなたの対応を待っている事項はありません。"],
    }
    for username, texts in expected.items():
        page = log_in(chromium, live_server, username, titles)
        check_accessibility(page, titles)
        first = _first_box(page)
        for text in texts:
            assert text in first, f"{username}: {text!r} not in the first box:\n{first}"
        if username == "subcontractor":
            assert "設計文書の提出" not in first
            assert "全関係者" not in first
        if username == "supplier":
            expect(page.locator("#work-queue tr.row-overdue")).to_have_count(1)
            expect(page.locator('a[data-count="/duties"] .count-badge')).to_have_text("1")
        if username in ("supplier", "manager", "subcontractor"):
            screenshots.take(page, f"{username}-dashboard")
        page.context.close()

    # The supplier's inbox: five hand-in notices (one per case) and, newest, the overdue one, all
    # unread; the overdue one is marked read.
    page = log_in(chromium, live_server, "supplier", titles)
    badge = page.locator('a[data-count="/notifications"] .count-badge')
    expect(badge).to_have_text("6")
    with page.expect_navigation():
        page.locator('a[data-count="/notifications"]').click()
    check_accessibility(page, titles)
    expect(page.locator("h1")).to_have_text("お知らせ")
    expect(page.locator("tr.row-unread")).to_have_count(6)
    expect(page.locator("tr.row-unread").first).to_contain_text(f"期限超過: 案件{late.id}")
    screenshots.take(page, "supplier-inbox-unread")
    with page.expect_navigation():
        page.locator("tr.row-unread").first.get_by_role("button", name="既読にする").click()
    expect(page.locator(".message-success")).to_contain_text("お知らせを既読にしました。")
    expect(page.locator("tr.row-unread")).to_have_count(5)
    expect(page.locator("tbody tr").first).not_to_have_class("row-unread")
    expect(badge).to_have_text("5")
    expect(page.locator(".page-meta")).to_have_text("未読 5件")
    screenshots.take(page, "supplier-inbox-one-read")
    # The notice links to the page it is about.
    with page.expect_navigation():
        page.locator("table.inbox a").first.click()
    assert page.url.endswith(f"/cases/{late.id}")
    expect(page.locator("[data-box='duties']")).to_contain_text("設計文書の提出")
    screenshots.take(page, "supplier-case-duties")
    assert BROWSER_ERRORS == [], "no script errors and no Content-Security-Policy violations"
