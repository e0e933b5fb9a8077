"""Accounts in headless Chromium (issue 23), in Japanese: an examiner enrolled in TOTP is refused
without the code and logs in with it; an official without a second factor is told to have one
enrolled; the admin resets its password from /users and the examiner, logging in with the
one-time password, must choose its own first. A screenshot of each step."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pyotp
from playwright.sync_api import Browser, Page, expect

from shokei.accounts import services as accounts
from tests.conftest import TEST_NOW
from tests.e2e.conftest import LiveServer, Screenshots
from tests.e2e.test_browser_journey import BROWSER_ERRORS, CODE_LABEL, check_accessibility, log_in
from tests.factories import PASSWORD, Office
from tests.web.conftest import totp_code


def _login_page(chromium: Browser, server: LiveServer) -> Page:
    page = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()
    page.on("pageerror", lambda error: BROWSER_ERRORS.append(str(error)))
    page.goto(f"{server.url}/login")
    return page


def _submit(page: Page, username: str, password: str, code: str = "") -> None:
    page.get_by_label("利用者名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_label(CODE_LABEL).fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン").click()


def test_an_enrolled_examiner_logs_in_with_a_totp_code(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots
) -> None:
    BROWSER_ERRORS.clear()
    uow = live_server.shokei.uow
    office = Office(uow)
    uri = accounts.enroll_mfa(uow, office.admin, "examiner", live_server.shokei.sealer)
    totp = pyotp.TOTP(parse_qs(urlsplit(uri).query)["secret"][0])
    titles: set[str] = set()

    page = _login_page(chromium, live_server)
    check_accessibility(page, titles)
    _submit(page, "examiner", PASSWORD)
    expect(page.locator("#login-error")).to_have_text("ワンタイムコードが正しくないか、入力されていません。")
    screenshots.take(page, "totp-missing-code")
    _submit(page, "examiner", PASSWORD, totp.at(TEST_NOW))
    expect(page.locator(".user-name")).to_have_text("examiner")
    screenshots.take(page, "totp-logged-in")
    assert not BROWSER_ERRORS


def test_an_official_without_a_second_factor_is_told_to_have_one_enrolled(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots
) -> None:
    BROWSER_ERRORS.clear()
    Office(live_server.shokei.uow)
    page = _login_page(chromium, live_server)
    _submit(page, "auditor", PASSWORD)
    expect(page.locator("#login-error")).to_contain_text("二要素認証（TOTP）の登録が必要です")
    expect(page.locator("#login-error")).to_contain_text("shokei user mfa enroll")
    screenshots.take(page, "second-factor-needed")
    page.goto(f"{live_server.url}/cases")
    expect(page.locator("h1")).to_have_text("ログイン")  # no page without the second factor
    assert not BROWSER_ERRORS


def test_a_reset_password_must_be_replaced_at_the_next_login(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots
) -> None:
    BROWSER_ERRORS.clear()
    Office(live_server.shokei.uow)
    titles: set[str] = set()
    admin = log_in(chromium, live_server, "admin", titles)
    admin.goto(f"{live_server.url}/users")
    check_accessibility(admin, titles)
    row = admin.locator("#user-negotiator")
    with admin.expect_navigation():
        row.get_by_role("button", name="パスワードを再発行").click()
    one_time = admin.locator("#one-time-password").inner_text()
    screenshots.take(admin, "one-time-password")

    page = _login_page(chromium, live_server)
    _submit(page, "negotiator", one_time, totp_code(live_server.shokei, "negotiator"))
    expect(page.locator("h1")).to_have_text("パスワードの変更")
    check_accessibility(page, titles)
    screenshots.take(page, "forced-password-change")
    page.get_by_label("現在のパスワード").fill(one_time)
    page.get_by_label("新しいパスワード（12文字以上）").fill("negotiator's own passphrase")
    with page.expect_navigation():
        page.get_by_role("button", name="パスワードを変更").click()
    expect(page.locator(".user-name")).to_have_text("negotiator")
    assert not BROWSER_ERRORS
