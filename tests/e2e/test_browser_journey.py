"""A case's journey in headless Chromium, one person at a time, with a screenshot of each step
(test-artifacts/e2e/) and accessibility basics checked on every page visited: a title, one h1,
the page language, a label for every field, and the main action reachable with the keyboard.

Through the pages today: notice, upload with progress, description, submission, examination
notes and determination, negotiation, approval, successor selection and hand-over. Two steps
are done through the services because their pages come with their features: the fiscal year's
appropriation (purchase: the budget page) and the per-document examination scores
(examination). The successor's stamped copy arrives with the succession feature; the
successor's step here is seeing the case handed to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests import samples
from tests.e2e.conftest import LiveServer, Screenshots
from tests.factories import PASSWORD, Office
from tests.web.conftest import fund_purchases, totp_code

CODE_LABEL = "ワンタイムコード（二要素認証を登録している場合）"
UNLABELLED_FIELDS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && !el.closest('[hidden]'))
  .filter(el => !(el.labels && el.labels.length))
  .filter(el => !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML)"""
FOCUSED = """() => ({
  tag: document.activeElement.tagName,
  text: document.activeElement.innerText || document.activeElement.value || ''
})"""


def check_accessibility(page: Page, titles: set[str]) -> None:
    # A link click starts a navigation without waiting for it: wait until the new page has its title.
    expect(page).to_have_title(re.compile(r"^.+ \| (承継|Shokei)$"))
    title = page.title()
    titles.add(title)
    assert page.locator("html").get_attribute("lang") in ("ja", "en")
    assert page.locator("h1").count() == 1, f"{title}: one h1 per page"
    assert page.evaluate(UNLABELLED_FIELDS) == [], f"{title}: every field has a label"


def reach_by_keyboard(page: Page, accept: Callable[[dict[str, str]], bool], limit: int = 120) -> None:
    """Tab from the top of a freshly loaded page until the focused element satisfies `accept`."""
    page.keyboard.press("Tab")
    first = page.evaluate("() => document.activeElement.className")
    assert "skip-link" in first, "the first Tab stop is the skip link"
    for _ in range(limit):
        focused = page.evaluate(FOCUSED)
        if accept(focused):
            return
        page.keyboard.press("Tab")
    raise AssertionError("the action cannot be reached with the Tab key")


BROWSER_ERRORS: list[str] = []  # script errors and console errors (a CSP violation is one)


def log_in(chromium: Browser, server: LiveServer, username: str, titles: set[str]) -> Page:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "this step cannot be undone" confirmations
    page.on("pageerror", lambda error: BROWSER_ERRORS.append(f"{username}: {error}"))
    page.on("console", lambda message: _console(username, message.type, message.text))
    page.goto(f"{server.url}/login")
    check_accessibility(page, titles)
    page.get_by_label("利用者名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    # A ministry account's second factor (required by default): the code its authenticator shows.
    page.get_by_label(CODE_LABEL).fill(totp_code(server.shokei, username))
    with page.expect_navigation():
        page.get_by_label("パスワード").press("Enter")  # the keyboard logs in
    expect(page.locator(".user-name")).to_have_text(username)
    return page


def _console(username: str, kind: str, text: str) -> None:
    if kind == "error":
        BROWSER_ERRORS.append(f"{username}: {text}")


def press(page: Page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    expect(page.locator(".message-error")).to_have_count(0)


def test_a_case_from_exit_notice_to_hand_over(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots, tmp_path: Path
) -> None:
    drawings = [
        samples.write_pdf(tmp_path / f"drawing-{n}.pdf", [samples.prose(n, 120)]) for n in range(1, 5)
    ]
    office = Office(live_server.shokei.uow)
    titles: set[str] = set()
    BROWSER_ERRORS.clear()

    # 1. The supplier notifies its exit.
    supplier = log_in(chromium, live_server, "supplier", titles)
    screenshots.take(supplier, "supplier-dashboard")
    check_accessibility(supplier, titles)
    supplier.get_by_role("link", name="撤退の届出").first.click()
    expect(supplier).to_have_title(re.compile("撤退の届出"))
    check_accessibility(supplier, titles)
    reach_by_keyboard(supplier, lambda focused: focused["text"] == "撤退を届け出る")
    supplier.get_by_label("撤退理由").select_option("factory_closure")
    supplier.get_by_label("撤退予定日").fill("2026-09-30")
    screenshots.take(supplier, "supplier-notify-exit")
    with supplier.expect_navigation():
        supplier.get_by_label("撤退予定日").press("Enter")  # the keyboard sends the form
    expect(supplier.locator(".message-success")).to_contain_text("として受け付けました")
    case_url = supplier.url
    case_id = int(case_url.rsplit("/", 1)[1])
    check_accessibility(supplier, titles)

    # 2. It uploads its design documents, watching the progress bar.
    supplier.get_by_role("link", name="書類のアップロード").click()
    check_accessibility(supplier, titles)
    supplier.get_by_label("提出するファイル").set_input_files([str(path) for path in drawings])
    supplier.get_by_role("button", name="アップロード", exact=True).click()
    expect(supplier.locator("#upload-status")).to_have_text("アップロードが完了しました。", timeout=30_000)
    expect(supplier.locator("#upload-result")).to_contain_text("4件のファイルを保管しました。")
    progress = supplier.locator("#upload-progress")
    assert progress.is_visible()
    assert progress.evaluate("p => p.value === p.max && p.max > 0")
    expect(supplier.locator("#case-documents tbody tr")).to_have_count(4)  # the table refreshed itself
    screenshots.take(supplier, "supplier-uploaded")

    # 3. It describes one document for the inventory.
    supplier.locator("#upload-result").get_by_role("link", name="記入する").first.click()
    check_accessibility(supplier, titles)
    supplier.get_by_label("図面番号・文書番号").fill("MG-17-004")
    supplier.get_by_label("版数").fill("C")
    supplier.get_by_label("構成品").fill("遊底")
    supplier.get_by_label("装備品").fill("機関銃")
    press(supplier, "保存する")
    expect(supplier.locator("dl.facts").first).to_contain_text("MG-17-004")
    screenshots.take(supplier, "supplier-described")

    # 4. It submits the documents.
    supplier.goto(case_url)
    reach_by_keyboard(supplier, lambda focused: focused["text"] == "書類を提出する")
    press(supplier, "書類を提出する")
    expect(supplier.locator(".page-meta .badge")).to_have_text("書類提出済")
    screenshots.take(supplier, "supplier-submitted")

    # The program manager assigns the officials who will work the case (its case-page section
    # is driven in tests/web/test_case_assignment_pages.py): only they see it in their lists.
    office.assign_officials(case_id)

    # 5. The intake officer starts the examination.
    intake = log_in(chromium, live_server, "intake", titles)
    intake.get_by_role("link", name="案件", exact=True).click()
    check_accessibility(intake, titles)
    intake.get_by_role("link", name=f"案件 {case_id}", exact=True).click()
    press(intake, "審査を開始する")
    screenshots.take(intake, "intake-examination-started")

    # 6. The examiner records a note on each document and determines that protection is required.
    examiner = log_in(chromium, live_server, "examiner", titles)
    examiner.goto(case_url)
    check_accessibility(examiner, titles)
    while examiner.locator("summary", has_text="審査結果を記録する").count():
        examiner.locator("summary", has_text="審査結果を記録する").first.click()
        form = examiner.locator("details[open] form")
        form.get_by_label("審査所見").fill("機関銃部品の固有設計を含む。")
        with examiner.expect_navigation():
            form.get_by_role("button", name="審査結果を記録する").click()
    # The page offers one way to determine, by the published policy's scores (driven in the
    # browser by tests/e2e/test_browser_examination.py); this journey records it directly.
    office.move(
        case_id,
        "determine_protection_required",
        office.examiner,
        reason="潜水艦用アンテナ及び機関銃部品の固有技術を含む",
    )
    examiner.goto(case_url)
    screenshots.take(examiner, "examiner-determination")
    expect(examiner.locator(".page-meta .badge")).to_have_text("要保護")

    # 7. The negotiator opens the negotiation and records the agreed amount.
    negotiator = log_in(chromium, live_server, "negotiator", titles)
    negotiator.goto(case_url)
    press(negotiator, "買取交渉を開始する")
    negotiator.get_by_label("種別").select_option("agreement")
    negotiator.get_by_label("金額（円）").fill("48,500,000")
    negotiator.get_by_label("備考").fill("第3回協議で合意")
    press(negotiator, "金額を記録する")
    expect(negotiator.locator("#offers")).to_contain_text("4,850万円")
    screenshots.take(negotiator, "negotiator-agreement")

    # 8. The program manager approves the purchase, selects the successor and hands over.
    fund_purchases(live_server.shokei.uow, office.manager)
    manager = log_in(chromium, live_server, "manager", titles)
    screenshots.take(manager, "manager-dashboard")
    manager.goto(case_url)
    check_accessibility(manager, titles)
    press(manager, "買取を承認し予算を確保する")  # the one way to approve: with the budget
    press(manager, "承継先の選定を開始する")
    # Selection (with a reason), the successor's acceptance and the release of the marked copies
    # are the succession feature's steps (tests/e2e/test_browser_handover.py does them all in the
    # browser). The eligibility facts and, here, the acceptance go through the services.
    from shokei.succession import services as succession
    from tests.e2e.test_browser_handover import release_copies_in_browser, select_successor_in_browser
    from tests.web.test_succession_pages import make_eligible

    make_eligible(live_server.shokei.uow, office, office.successor_company)
    number = office.successor_company.corporate_number or ""
    select_successor_in_browser(manager, case_url, number, "機関銃部品の加工実績と生産能力が最も適合する")
    succession.accept_terms(live_server.shokei.uow, office.successor, case_id)
    release_copies_in_browser(manager, case_url)
    expect(manager.locator(".page-meta .badge")).to_have_text("引渡済")
    screenshots.take(manager, "manager-handed-over")

    # 9. The successor sees the case handed to it.
    successor = log_in(chromium, live_server, "successor", titles)
    expect(successor.locator("main")).to_contain_text("貴社に引き渡された案件")
    screenshots.take(successor, "successor-dashboard")
    successor.get_by_role("link", name=f"案件 {case_id}", exact=True).click()
    expect(successor.locator("h1")).to_contain_text(office.withdrawing.name)
    screenshots.take(successor, "successor-case")

    # 10. The auditor reads the ledger, here and in English.
    auditor = log_in(chromium, live_server, "auditor", titles)
    auditor.goto(case_url)
    expect(auditor.locator("#ledger")).to_contain_text("case:successor:select")
    screenshots.take(auditor, "auditor-case-ledger")
    auditor.get_by_role("link", name="監査台帳", exact=True).click()
    check_accessibility(auditor, titles)
    with auditor.expect_navigation():
        auditor.get_by_role("button", name="English").click()
    expect(auditor.locator("h1")).to_have_text("Audit ledger")
    check_accessibility(auditor, titles)
    screenshots.take(auditor, "auditor-ledger-english")

    assert len(titles) >= 9, f"pages have titles of their own: {sorted(titles)}"
    assert screenshots.count == 14
    assert BROWSER_ERRORS == [], "no script errors and no Content-Security-Policy violations"


def test_cases_filter_in_place_with_htmx(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots
) -> None:
    office = Office(live_server.shokei.uow)
    office.open_case()
    titles: set[str] = set()
    BROWSER_ERRORS.clear()
    intake = log_in(chromium, live_server, "intake", titles)
    intake.goto(f"{live_server.url}/cases")
    check_accessibility(intake, titles)
    marker = intake.evaluate("() => { window.__samePage = true; return true; }")
    intake.get_by_label("企業名・法人番号・案件番号").fill("存在しない会社")
    expect(intake.locator("#case-results caption")).to_have_text("0件")
    intake.get_by_label("企業名・法人番号・案件番号").fill("退出")
    expect(intake.locator("#case-results caption")).to_have_text("1件")
    assert marker, "filtered without reloading the page"
    assert intake.evaluate("() => window.__samePage === true"), "filtered without reloading the page"
    assert "q=" in intake.url, "the filter is in the address, so it can be bookmarked"
    screenshots.take(intake, "cases-filtered")
    assert BROWSER_ERRORS == []
