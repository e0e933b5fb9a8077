"""The hand-over in headless Chromium: the program manager reads the successor ranking with its
reasons and selects the successor with a reason; the successor reads its inbox and accepts the
terms; the program manager releases the copies; the successor downloads its stamped copy (every
page carries the stamp with its corporate number and the copy id) and asks to pass it to a
subcontractor; the program manager approves. A screenshot of each step (test-artifacts/e2e/).

The case is prepared through the services up to successor selection (with a generated four-page PDF). Each
browser step is a function of its own, for the main journey to reuse.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests import factories
from tests.e2e.conftest import LiveServer, Screenshots
from tests.e2e.test_browser_journey import BROWSER_ERRORS, check_accessibility, log_in, reach_by_keyboard
from tests.factories import Office
from tests.web.test_succession_pages import case_awaiting_selection, make_eligible


def _submit(page: Page, button: str | re.Pattern[str]) -> None:
    """Press a button that sends a form (confirmations are accepted by `log_in`'s handler)."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=isinstance(button, str)).first.click()
    expect(page.locator(".message-error")).to_have_count(0)


def select_successor_in_browser(page: Page, case_url: str, corporate_number: str, reason: str) -> None:
    """The program manager picks the successor on the case page, with a reason."""
    page.goto(case_url)
    expect(page.locator("#succession")).to_be_visible()
    page.get_by_label("承継先の法人番号").fill(corporate_number)
    page.get_by_label("選定の理由").fill(reason)
    _submit(page, "承継先を選定する")
    expect(page.locator(".message-success")).to_contain_text("承継先として選定し、通知しました")


def select_candidate_in_browser(page: Page, corporate_number: str, name: str, reason: str) -> None:
    """The program manager picks the successor with the select action on its row of the ranking."""
    row = page.locator(f'tr.candidate[data-corporate-number="{corporate_number}"]')
    row.locator("summary", has_text="選定する").click()
    row.get_by_label(f"{name}を選定する理由").fill(reason)
    with page.expect_navigation():
        row.get_by_role("button", name=f"{name}を選定する").click()
    expect(page.locator(".message-error")).to_have_count(0)
    expect(page.locator(".message-success")).to_contain_text("承継先として選定し、通知しました")


def accept_terms_in_browser(page: Page, server_url: str, case_id: int, titles: set[str]) -> None:
    """The successor opens the terms from its inbox and accepts them with the keyboard."""
    page.goto(f"{server_url}/")
    page.get_by_role("link", name=f"案件 {case_id} の受領条件").first.click()
    expect(page.locator("h1")).to_contain_text("受領条件")
    check_accessibility(page, titles)
    reach_by_keyboard(page, lambda focused: focused["text"] == "受領条件を受諾する")
    page.get_by_label("当社を代表して受諾します").check()
    _submit(page, "受領条件を受諾する")
    expect(page.locator("#terms-status")).to_contain_text("受諾済")


def release_copies_in_browser(page: Page, case_url: str) -> None:
    """The program manager releases a marked copy of every document; the case is handed over."""
    page.goto(case_url)
    expect(page.locator("#terms-status")).to_contain_text("受諾済")
    _submit(page, "写しを交付する")
    expect(page.locator(".page-meta .badge")).to_have_text("引渡済")


def download_copies_in_browser(page: Page, server_url: str, folder: Path) -> dict[str, tuple[Path, str]]:
    """The successor downloads every copy on its "received documents" page: copy id → (file,
    SHA-256 the page shows)."""
    page.goto(f"{server_url}/copies")
    rows = page.locator("tr[data-copy-id]")
    expect(rows.first).to_be_visible()
    found: dict[str, tuple[Path, str]] = {}
    for index in range(rows.count()):
        row = rows.nth(index)
        copy_id = row.get_attribute("data-copy-id") or ""
        shown = row.locator("code.digest").inner_text().strip()
        with page.expect_download() as download:
            row.get_by_role("button", name=f"{copy_id}をダウンロード").click()
        target = folder / (download.value.suggested_filename or f"{copy_id}.bin")
        download.value.save_as(target)
        found[copy_id] = (target, shown)
    return found


def request_dissemination_in_browser(
    page: Page, server_url: str, copy_id: str, subcontractor: str, purpose: str
) -> None:
    """The successor asks to pass one copy to its subcontractor."""
    page.goto(f"{server_url}/copies/{copy_id}")
    page.get_by_label("提供先（下請負者）の法人番号").fill(subcontractor)
    page.get_by_label("目的").fill(purpose)
    _submit(page, "承認を申請する")
    expect(page.locator("table.disseminations")).to_contain_text("承認待ち")


def approve_dissemination_in_browser(page: Page, case_url: str) -> None:
    """The program manager approves the first waiting request on the case page."""
    page.goto(case_url)
    _submit(page, re.compile("申請を承認する"))
    expect(page.locator("table.disseminations")).to_contain_text("承認済")


def test_a_successor_is_selected_accepts_and_downloads_its_stamped_copy(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots, sample_files: Path, tmp_path: Path
) -> None:
    pdf = sample_files / "four-pages.pdf"
    shokei = live_server.shokei
    office = Office(shokei.uow)
    make_eligible(shokei.uow, office, office.successor_company)
    subcontractor = make_eligible(shokei.uow, office, factories.company(shokei.uow, "下請精密株式会社"))
    distressed = make_eligible(
        shokei.uow, office, factories.company(shokei.uow, "経営難工業株式会社"), financial_distress=True
    )
    case_id = case_awaiting_selection(shokei, office, pdf)
    case_url = f"{live_server.url}/cases/{case_id}"
    number = office.successor_company.corporate_number or ""
    titles: set[str] = set()
    BROWSER_ERRORS.clear()

    # 1. The program manager reads the ranking: the eligible companies, a page at a time, each
    #    with a select action; the ineligible counted under a rule they fail.
    manager = log_in(chromium, live_server, "manager", titles)
    manager.goto(case_url)
    check_accessibility(manager, titles)
    ranking = manager.locator("table.ranking tbody tr.candidate")
    expect(ranking.first).to_be_visible()
    ours = manager.locator(f'tr[data-corporate-number="{number}"]')
    expect(ours).to_contain_text("すべての規則に合格")
    ours.locator("details").first.click()
    expect(ours.locator("li.rule-pass").first).to_contain_text("日本の企業で、法人番号")
    expect(manager.locator(f'tr[data-corporate-number="{distressed.corporate_number}"]')).to_have_count(0)
    expect(manager.locator('table.ineligible-summary tr[data-rule="financial_health"]')).to_be_visible()
    screenshots.take(manager, "manager-ranking")
    # Filtered by name, the ineligible company shows the rule it fails.
    manager.get_by_label("企業名").fill("経営難")
    with manager.expect_navigation():
        manager.get_by_role("button", name="絞り込む").click()
    refused = manager.locator(f'li[data-corporate-number="{distressed.corporate_number}"]')
    expect(refused).to_contain_text("不適格")
    expect(refused.locator("li.rule-fail")).to_contain_text("経営難")
    expect(manager.locator("table.ranking tbody tr.candidate")).to_have_count(0)
    screenshots.take(manager, "manager-ranking-by-name")

    # 2. It selects the successor with a reason, from the successor's row.
    manager.goto(case_url)
    select_candidate_in_browser(
        manager, number, office.successor_company.name, "機関銃部品の加工実績と生産能力が最も適合する"
    )
    expect(manager.locator("#terms-status")).to_contain_text("未受諾")
    screenshots.take(manager, "manager-selected")

    # 3. The successor reads the message in its inbox and accepts the terms.
    successor = log_in(chromium, live_server, "successor", titles)
    check_accessibility(successor, titles)
    inbox = successor.locator(".inbox-message").first
    expect(inbox).to_contain_text("承継先に選定されました")
    inbox.locator("summary").click()
    expect(inbox.locator(".message-body")).to_contain_text("機関銃部品の加工実績")
    screenshots.take(successor, "successor-inbox")
    accept_terms_in_browser(successor, live_server.url, case_id, titles)
    screenshots.take(successor, "successor-accepted")

    # 4. The program manager releases the copies.
    release_copies_in_browser(manager, case_url)
    expect(manager.locator("table.copies tbody tr[data-copy-id]")).to_have_count(1)
    screenshots.take(manager, "manager-released")

    # 5. The successor downloads its copy: every page carries the stamp naming it.
    successor.get_by_role("link", name="受領文書", exact=True).first.click()
    check_accessibility(successor, titles)
    downloads = download_copies_in_browser(successor, live_server.url, tmp_path)
    [(copy_id, (path, shown_sha256))] = downloads.items()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == shown_sha256
    pages = PdfReader(path).pages
    assert len(pages) == len(PdfReader(pdf).pages) == 4
    for number_on_page, pdf_page in enumerate(pages, start=1):
        text = pdf_page.extract_text()
        assert f"Copy ID: {copy_id}" in text, f"page {number_on_page}: the stamp names the copy"
        assert f"corporate no. {number}" in text, f"page {number_on_page}: the stamp names the recipient"
        assert "No copying or transfer" in text
    successor.reload()
    expect(successor.locator(f'tr[data-copy-id="{copy_id}"]')).to_contain_text("済（1回）")
    screenshots.take(successor, "successor-downloaded")

    # 6. It asks to pass the copy to its subcontractor; the program manager approves.
    request_dissemination_in_browser(
        successor, live_server.url, copy_id, subcontractor.corporate_number or "", "遊底の試作加工"
    )
    check_accessibility(successor, titles)
    screenshots.take(successor, "successor-dissemination-requested")
    # The program manager sees the waiting request with both answers: approve, or reject with a reason.
    manager.goto(case_url)
    waiting = manager.locator("table.disseminations tbody tr").first
    expect(waiting).to_contain_text("承認待ち")
    expect(waiting.get_by_role("button", name=re.compile("承認する"))).to_be_visible()
    waiting.locator("details summary").click()
    expect(waiting.get_by_role("button", name=re.compile("不承認"))).to_be_visible()
    screenshots.take(manager, "manager-dissemination-waiting")
    approve_dissemination_in_browser(manager, case_url)
    expect(manager.locator("table.copies tbody tr[data-copy-id]")).to_have_count(2)
    expect(manager.locator("table.copies")).to_contain_text(subcontractor.name)
    expect(manager.locator(f'tr[data-copy-id="{copy_id}"]')).to_contain_text("済（1回）")
    screenshots.take(manager, "manager-dissemination-approved")

    assert len(titles) >= 4, f"pages have titles of their own: {sorted(titles)}"
    assert screenshots.count == 10
    assert BROWSER_ERRORS == [], "no script errors and no Content-Security-Policy violations"
