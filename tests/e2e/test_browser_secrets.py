"""Designated secrets (装備品等秘密) in headless Chromium, in Japanese: the program manager
designates a handed-in document on its page and renews the designation; the release to a
successor not certified for designated secrets is refused with the rule in Japanese; once
certified, the release works; the register lists the designation with its holder; the dashboard
shows it as ending soon; an auditor reads the register without forms; the program manager lifts
the designation and it stays on the register, marked lifted. Screenshots in test-artifacts/e2e/.

The tests' clock stands at 2026-06-01 (Tokyo); dates below are written out from it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from shokei.companies import access
from shokei.documents import services as documents
from shokei.succession import services as succession
from tests.e2e.conftest import LiveServer, Screenshots
from tests.e2e.test_browser_journey import BROWSER_ERRORS, check_accessibility, log_in
from tests.factories import Office
from tests.web.test_succession_pages import case_awaiting_selection, make_eligible


def _submit(page: Page, button: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=isinstance(button, str)).first.click()


def test_designate_renew_refuse_release_register_dashboard_and_lift(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots, sample_files: Path
) -> None:
    shokei = live_server.shokei
    office = Office(shokei.uow)
    make_eligible(shokei.uow, office, office.successor_company)
    case_id = case_awaiting_selection(shokei, office, sample_files / "four-pages.pdf")
    office.select_successor(case_id)
    succession.accept_terms(shokei.uow, office.successor, case_id)
    [document] = documents.list_documents(shokei.uow, office.manager, case_id)
    document_url = f"{live_server.url}/documents/{document.id}"
    titles: set[str] = set()
    BROWSER_ERRORS.clear()

    # 1. The program manager designates the document on its page.
    manager = log_in(chromium, live_server, "manager", titles)
    manager.goto(document_url)
    check_accessibility(manager, titles)
    box = manager.locator("#designation")
    expect(box.locator("h2")).to_have_text("装備品等秘密")
    expect(box).to_contain_text("この文書は指定されたことがありません。")
    box.get_by_label("有効期限").fill("2026-07-31")
    box.get_by_label("指定の理由").fill("射程性能に直結する設計情報")
    screenshots.take(manager, "designate-form")
    _submit(manager, "装備品等秘密に指定する")
    expect(manager.locator(".message-success")).to_have_text("文書を装備品等秘密に指定しました。")
    expect(box.locator(".badge")).to_have_text("指定中")
    expect(box).to_contain_text("残り60日")

    # 2. ... and renews it (the history keeps both acts).
    box.get_by_text("指定を更新する").click()
    box.get_by_label("新しい有効期限").fill("2026-08-20")
    box.get_by_label("更新の理由").fill("量産移行まで延長")
    _submit(manager, "更新する")
    expect(manager.locator(".message-success")).to_have_text("指定を更新しました。")
    expect(box).to_contain_text("残り80日")
    history = box.locator("table tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(0).locator("td").nth(1)).to_have_text("指定")
    expect(history.nth(1).locator("td").nth(1)).to_have_text("更新")
    screenshots.take(manager, "designated-and-renewed")

    # 3. The release to a successor not certified for designated secrets is refused, in Japanese.
    case_url = f"{live_server.url}/cases/{case_id}"
    manager.goto(case_url)
    designated = manager.locator(f"#designations tr[data-document='{document.id}']")
    expect(designated.locator(".badge")).to_have_text("指定中")
    _submit(manager, "写しを交付する")
    refusal = manager.locator(".message-error")
    expect(refusal).to_contain_text("装備品等秘密の規則により拒否しました")
    expect(refusal).to_contain_text(
        "承継重工業株式会社は認定を受けていません（受領者としての認定を受けたことがない）"
    )
    screenshots.take(manager, "release-refused")

    # 4. Certified with the scope designated_secret, the release works.
    number = office.successor_company.corporate_number or ""
    access.certify(
        shokei.uow,
        office.manager,
        number,
        custodian="保全 太郎",
        until=date(2027, 3, 31),
        scope="designated_secret",
    )
    manager.goto(case_url)
    _submit(manager, "写しを交付する")
    expect(manager.locator(".message-error")).to_have_count(0)
    expect(manager.locator(".page-meta .badge")).to_have_text("引渡済")

    # 5. The register lists the designation with its holder.
    manager.get_by_role("link", name="装備品等秘密").first.click()
    check_accessibility(manager, titles)
    expect(manager.locator("h1")).to_have_text("装備品等秘密の指定台帳")
    row = manager.locator(f"tr[data-document='{document.id}']")
    expect(row.locator(".badge")).to_have_text("指定中")
    expect(row).to_contain_text("2026年8月20日")
    expect(row).to_contain_text("承継重工業株式会社")
    screenshots.take(manager, "register")

    # 6. The dashboard shows it as ending within 90 days.
    manager.goto(f"{live_server.url}/")
    soon = manager.locator(
        "section", has=manager.locator("h2", has_text="90日以内に有効期限を迎える装備品等秘密")
    )
    expect(soon).to_contain_text(document.title or Path(document.path).name)
    screenshots.take(manager, "dashboard")

    # 7. An auditor reads the register and the document's history, with no form.
    auditor = log_in(chromium, live_server, "auditor", titles)
    auditor.goto(f"{live_server.url}/secrets")
    expect(auditor.locator(f"tr[data-document='{document.id}']")).to_be_visible()
    expect(auditor.get_by_role("button", name="指定する")).to_have_count(0)
    auditor.goto(document_url)
    expect(auditor.locator("#designation table tbody tr")).to_have_count(2)
    expect(auditor.locator("#designation form")).to_have_count(0)

    # 8. The program manager lifts it: it stays on the register, marked lifted.
    manager.goto(document_url)
    manager.locator("#designation").get_by_text("指定を解除する").click()
    manager.get_by_label("解除の理由").fill("公知化により解除")
    _submit(manager, "解除する")
    expect(manager.locator(".message-success")).to_contain_text("指定を解除しました")
    manager.goto(f"{live_server.url}/secrets")
    row = manager.locator(f"tr[data-document='{document.id}']")
    expect(row.locator(".badge")).to_have_text("解除済み")
    expect(row).to_contain_text("解除理由: 公知化により解除")
    screenshots.take(manager, "register-lifted")
    assert BROWSER_ERRORS == []
