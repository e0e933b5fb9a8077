"""Leak response in headless Chromium: a program manager uploads a scan of a released copy (a real
PDF, rasterised at 150 dpi as an image-only PDF) on /trace, reads the holder and the evidence,
opens the incident (the holder is suspended at once), and finds its clock on the dashboard. A
screenshot of each step (test-artifacts/e2e/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from shokei.succession import services as succession
from tests.e2e.conftest import LiveServer, Screenshots
from tests.e2e.test_browser_journey import BROWSER_ERRORS, check_accessibility, log_in
from tests.factories import Office
from tests.unit.succession import golden_leaks
from tests.web.test_japanese_messages import english_sentence
from tests.web.test_succession_pages import case_awaiting_selection, make_eligible

pytestmark = pytest.mark.real_files


def test_a_found_scan_is_traced_on_the_page_and_opens_an_incident(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots, real_files: Path, tmp_path: Path
) -> None:
    shokei = live_server.shokei
    office = Office(shokei.uow)
    make_eligible(shokei.uow, office, office.successor_company)
    case_id = case_awaiting_selection(shokei, office, real_files / "pdf/minimal-document.pdf")
    number = office.successor_company.corporate_number or ""
    succession.select_successor(shokei.uow, office.manager, case_id, number, reason="最適")
    succession.accept_terms(shokei.uow, office.successor, case_id)
    [copy] = succession.release_copies(
        shokei.uow,
        shokei.vaults.documents,
        office.manager,
        case_id,
        copies=shokei.vaults.copies,
        scratch_dir=shokei.scratch_dir,
        key=shokei.handover_signing_key,
        code_key=shokei.copy_code_key,
    )
    released = tmp_path / "copy.pdf"
    succession.download_copy(shokei.uow, shokei.vaults.copies, office.successor, copy.copy_id, released)
    scan = golden_leaks.image_pdf(released, tmp_path / "found-at-the-fair.pdf")
    titles: set[str] = set()
    BROWSER_ERRORS.clear()

    manager = log_in(chromium, live_server, "manager", titles)
    manager.get_by_role("link", name="発見ファイルの追跡").first.click()
    expect(manager.locator("h1")).to_have_text("発見ファイルの追跡")
    check_accessibility(manager, titles)
    manager.locator("#upload-files").set_input_files(str(scan))
    manager.get_by_role("button", name="追跡する").click()
    result = manager.locator(".trace-result")
    expect(result).to_be_visible(timeout=120_000)
    expect(result.locator(".message-success")).to_contain_text(copy.copy_id)
    expect(result.locator(".message-success")).to_contain_text(number)
    expect(result).to_contain_text("MAC を検証した二次元コード")
    expect(result).to_contain_text("PDFの2次元コード（MACは真正、1ページ目）")  # the evidence, in Japanese
    assert english_sentence(result.inner_text()) is None, result.inner_text()
    screenshots.take(manager, "trace-result")

    manager.get_by_label("発見場所").fill("国際防衛展示会の外国企業ブース")
    manager.get_by_label("報告者").fill("情報本部")
    with manager.expect_navigation():
        manager.get_by_role("button", name="事案を開始し保有者を停止する").click()
    expect(manager.locator(".message-success")).to_contain_text("漏えい事案")
    expect(manager.locator("h1")).to_contain_text("漏えい事案")
    expect(manager.locator(".page-meta")).to_have_text("保有者特定")
    expect(manager.locator("dl.facts")).to_contain_text(copy.copy_id)
    expect(manager.locator("dl.facts")).to_contain_text("残り 72 時間 00 分")
    check_accessibility(manager, titles)
    screenshots.take(manager, "incident-opened")

    manager.goto(f"{live_server.url}/companies/{number}")
    expect(manager.locator("body")).to_contain_text("漏えい事案")
    manager.goto(f"{live_server.url}/")
    box = manager.locator('[data-box="incidents"]')
    expect(box).to_contain_text(copy.copy_id)
    expect(box).to_contain_text("残り 72 時間 00 分")
    screenshots.take(manager, "dashboard-incidents")
    assert BROWSER_ERRORS == [], "no script errors and no Content-Security-Policy violations"
