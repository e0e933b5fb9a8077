"""Login, session cookies, timeouts, logout and lockout."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from fastapi import FastAPI

from shokei.app import create_app
from shokei.bootstrap import Shokei
from shokei.web.sessions import COOKIE_NAME
from shokei.web.state import WebState
from tests.factories import Office
from tests.web.conftest import Browser, as_user, totp_code


def _cookie_attributes(header: str) -> dict[str, str]:
    parsed = SimpleCookie()
    parsed.load(header)
    morsel = parsed[COOKIE_NAME]
    return {key: str(value) for key, value in morsel.items() if value}


def test_pages_send_an_anonymous_visitor_to_the_login_form(office: Office, browser: Browser) -> None:
    response = browser.get("/cases/1?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/cases/1%3Fx%3D1"
    assert browser.get("/").headers["location"] == "/login?next=/"


def test_login_with_the_right_password_opens_the_dashboard(office: Office, browser: Browser) -> None:
    response = browser.login("intake")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = browser.get("/")
    assert page.status_code == 200
    assert "intake" in page.text
    assert "受付担当官" in page.text


def test_wrong_password_and_unknown_user_get_the_same_answer(office: Office, browser: Browser) -> None:
    wrong = browser.login("intake", "not the password")
    unknown = browser.login("nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "利用者名又はパスワードが正しくありません。" in wrong.text
    assert "利用者名又はパスワードが正しくありません。" in unknown.text


def test_session_cookie_is_httponly_lax_and_secure_only_over_https(office: Office, app: FastAPI) -> None:
    plain = Browser(app)
    response = plain.login("intake")
    attributes = _cookie_attributes(response.headers["set-cookie"])
    assert attributes["httponly"]
    assert attributes["samesite"] == "Lax"
    assert attributes["path"] == "/"
    assert "secure" not in attributes
    tls = Browser(app, base_url="https://testserver")
    response = tls.login("intake")
    assert _cookie_attributes(response.headers["set-cookie"])["secure"]


def test_login_gives_a_new_session_id_and_token(office: Office, browser: Browser) -> None:
    browser.get("/login")
    before = (browser.client.cookies[COOKIE_NAME], browser.token)
    browser.login("intake")
    assert browser.client.cookies[COOKIE_NAME] != before[0]
    assert browser.token != before[1]


def test_a_tampered_cookie_is_an_anonymous_session(office: Office, app: FastAPI) -> None:
    browser = as_user(app, "auditor")
    cookie = browser.client.cookies[COOKIE_NAME]
    body, signature = cookie.split(".")
    forged = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + signature
    browser.client.cookies.clear()
    browser.client.cookies.set(COOKIE_NAME, forged)
    assert browser.get("/audit").status_code == 303
    browser.client.cookies.clear()
    browser.client.cookies.set(COOKIE_NAME, cookie)
    assert browser.get("/audit").status_code == 200


def test_logout_ends_the_session_and_a_copied_cookie_stops_working(office: Office, app: FastAPI) -> None:
    browser = as_user(app, "auditor")
    copied = browser.client.cookies[COOKIE_NAME]
    response = browser.post("/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "ログアウトしました。" in browser.get("/login").text
    assert browser.get("/audit").status_code == 303
    thief = Browser(browser.client.app)  # type: ignore[arg-type]
    thief.client.cookies.set(COOKIE_NAME, copied)
    assert thief.get("/audit").status_code == 303


def test_every_serving_process_honours_a_lockout_and_a_logout(
    office: Office, app: FastAPI, shokei: Shokei
) -> None:
    # A second app over the same database and keys: what a second worker or a restart sees.
    other = create_app(shokei)
    browser = as_user(app, "auditor")
    copied = browser.client.cookies[COOKIE_NAME]
    elsewhere = Browser(other)
    elsewhere.client.cookies.set(COOKIE_NAME, copied)
    assert elsewhere.get("/audit").status_code == 200
    assert browser.post("/logout").status_code == 303
    assert elsewhere.get("/audit").status_code == 303

    for _ in range(5):
        assert Browser(app).login("examiner", "wrong password").status_code == 401
    assert Browser(other).login("examiner").status_code == 429
    assert Browser(other).login("intake").status_code == 303


def _clock(app: FastAPI, offset: list[float]) -> None:
    import time

    state: WebState = app.state.web
    state.clock = lambda: time.time() + offset[0]


def test_idle_sessions_time_out(office: Office, app: FastAPI) -> None:
    offset = [0.0]
    _clock(app, offset)
    browser = as_user(app, "intake")
    offset[0] = 29 * 60
    assert browser.get("/cases").status_code == 200  # activity within the idle limit keeps it alive
    offset[0] = 29 * 60 + 31 * 60
    response = browser.get("/cases")
    assert response.status_code == 303
    assert "セッションの有効期限が切れました" in browser.get("/login").text


def test_sessions_end_after_the_absolute_limit_even_when_busy(office: Office, app: FastAPI) -> None:
    offset = [0.0]
    _clock(app, offset)
    browser = as_user(app, "intake")
    for minutes in range(25, 12 * 60, 25):  # a request every 25 minutes: never idle
        offset[0] = minutes * 60
        assert browser.get("/cases").status_code == 200
    offset[0] = 12 * 3600 + 1
    assert browser.get("/cases").status_code == 303


def test_five_failures_lock_the_username_even_for_the_right_password(office: Office, app: FastAPI) -> None:
    state: WebState = app.state.web
    now = [1000.0]
    state.throttle.clock = lambda: now[0]
    browser = Browser(app)
    for _ in range(5):
        assert browser.login("examiner", "wrong password").status_code == 401
    locked = browser.login("examiner")
    assert locked.status_code == 429
    assert "15分後に再度お試しください" in locked.text
    assert Browser(app).login("intake").status_code == 303  # other users are not affected
    now[0] += 15 * 60 + 1
    assert browser.login("examiner").status_code == 303


def test_a_second_lockout_lasts_twice_as_long(office: Office, app: FastAPI) -> None:
    state: WebState = app.state.web
    now = [1000.0]
    state.throttle.clock = lambda: now[0]
    browser = Browser(app)
    for _ in range(5):
        browser.login("examiner", "wrong password")
    now[0] += 15 * 60 + 1
    for _ in range(5):
        browser.login("examiner", "wrong password")
    now[0] += 15 * 60 + 1
    assert browser.login("examiner").status_code == 429
    now[0] += 15 * 60
    assert browser.login("examiner").status_code == 303


def test_many_failures_from_one_address_lock_that_address(office: Office, app: FastAPI) -> None:
    browser = Browser(app)
    for n in range(20):
        browser.login(f"guess-{n}", "wrong password")
    assert browser.login("negotiator").status_code == 429


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_never_redirects_off_site(
    office: Office, shokei: Shokei, browser: Browser, target: str
) -> None:
    browser.get("/login")
    code = totp_code(shokei, "intake")
    response = browser.post(
        "/login", {"username": "intake", "password": "correct horse battery", "code": code, "next": target}
    )
    assert response.headers["location"] == "/"


def test_language_is_japanese_by_default_and_switchable(office: Office, app: FastAPI) -> None:
    browser = as_user(app, "intake")
    assert '<html lang="ja">' in browser.get("/").text
    browser.post("/language", {"lang": "en", "next": "/cases"})
    page = browser.get("/cases")
    assert '<html lang="en">' in page.text
    assert "Cases" in page.text
    assert "案件" not in page.text.split("<main")[1]
    browser.post("/language", {"lang": "ja", "next": "/"})
    assert "ダッシュボード" in browser.get("/").text


def test_japanese_whatever_the_browser_asks_until_the_user_chooses(office: Office, app: FastAPI) -> None:
    browser = Browser(app)
    assert "ログイン" in browser.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    browser.post("/language", {"lang": "en", "next": "/login"})
    assert "Log in" in browser.get("/login").text
