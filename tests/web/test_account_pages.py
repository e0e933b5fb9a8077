"""Issue 23, findings 3 and 8 in the pages: a shadow examiner downloads nothing until a program
manager approves it; admins disable, enable, reset passwords and revoke tokens from /users; a
one-time password must be replaced; an enrolled user logs in with a TOTP code."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest
from fastapi import FastAPI

from shokei.accounts import services as accounts
from shokei.app import create_app
from shokei.bootstrap import Shokei
from shokei.clock import FixedClock
from shokei.documents import services as documents
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import PASSWORD, Office
from tests.web.conftest import Browser, as_user, totp_code


def test_a_shadow_examiner_downloads_nothing_until_a_program_manager_approves(
    office: Office, shokei: Shokei, app: FastAPI, uow: UnitOfWork, sample_files: Path
) -> None:
    case = office.open_case()
    stored = documents.submit_documents(
        uow,
        shokei.vault(),
        office.supplier,
        case.id,
        [sample_files / "one-page.pdf"],
        scratch_dir=shokei.scratch_dir,
    )
    document = stored.documents[0].id
    accounts.add_user(
        uow, office.admin, "shadow_examiner", "examiner", password=PASSWORD, must_change_password=False
    )
    # Assigned to the case: what stands between it and the contents is the approval alone.
    office.assign_officials(case.id, accounts.actor_for_username(uow, "shadow_examiner"))
    shadow = as_user(app, "shadow_examiner")
    shadow.get("/")
    assert shadow.post(f"/documents/{document}/download", {"reason": "審査のため"}).status_code == 403
    admin = as_user(app, "admin")
    assert "承認待ち" in admin.get("/users").text
    assert admin.post("/users/shadow_examiner/approve").status_code == 403  # the admin who asked
    manager = as_user(app, "manager")
    assert 'action="/users/shadow_examiner/approve"' in manager.get("/users").text
    assert manager.post("/users/shadow_examiner/approve").status_code == 303
    shadow.get("/")
    downloaded = shadow.post(f"/documents/{document}/download", {"reason": "審査のため"})
    assert downloaded.status_code == 200
    assert downloaded.content.startswith(b"%PDF")


def test_an_admin_disables_and_enables_a_user_from_the_users_page(office: Office, app: FastAPI) -> None:
    examiner = as_user(app, "examiner")
    admin = as_user(app, "admin")
    assert 'action="/users/examiner/disable"' in admin.get("/users").text
    assert admin.post("/users/examiner/disable").status_code == 303
    assert examiner.get("/cases").status_code == 303  # the open session stops at once
    assert Browser(app).login("examiner").status_code == 401
    assert admin.post("/users/examiner/enable").status_code == 303
    assert Browser(app).login("examiner").status_code == 303
    assert as_user(app, "auditor").post("/users/examiner/disable").status_code == 403


def test_a_reset_password_is_shown_once_and_must_be_replaced_at_login(
    office: Office, app: FastAPI, shokei: Shokei
) -> None:
    admin = as_user(app, "admin")
    page = admin.post("/users/examiner/reset-password")
    assert page.status_code == 200
    one_time = page.text.split('id="one-time-password">', 1)[1].split("<", 1)[0]
    assert len(one_time) >= 12
    assert Browser(app).login("examiner").status_code == 401  # the old password is gone
    examiner = Browser(app)
    examiner.get("/login")
    code = totp_code(shokei, "examiner")
    form = {"username": "examiner", "password": one_time, "code": code, "next": "/cases"}
    response = examiner.post("/login", form)
    assert response.headers["location"] == "/password"
    assert examiner.get("/cases").headers["location"] == "/password"
    examiner.get("/password")
    changed = examiner.post("/password", {"current": one_time, "new": "my own long passphrase"})
    assert changed.headers["location"] == "/"
    assert examiner.get("/cases").status_code == 200
    assert Browser(app).login("examiner", "my own long passphrase").status_code == 303


def test_a_reset_ends_the_sessions_and_tokens_the_account_had(
    office: Office, app: FastAPI, uow: UnitOfWork
) -> None:
    """Whoever held the account before the reset (a stolen session, a leaked token) holds nothing after."""
    token = accounts.issue_token(uow, office.examiner, "examiner").secret
    api = Browser(app).client
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/users/me", headers=bearer).status_code == 200
    earlier = as_user(app, "examiner")
    assert earlier.get("/cases").status_code == 200
    other_user = as_user(app, "negotiator")

    admin = as_user(app, "admin")
    assert admin.post("/users/examiner/reset-password").status_code == 200

    assert earlier.get("/cases").headers["location"].startswith("/login")
    assert api.get("/api/v1/users/me", headers=bearer).status_code == 401
    assert other_user.get("/cases").status_code == 200  # nobody else's session ends
    [revoked] = accounts.list_tokens(uow, office.admin, "examiner")
    assert revoked.active is False


def test_an_admin_revokes_a_token_from_its_page(office: Office, app: FastAPI, uow: UnitOfWork) -> None:
    token = accounts.issue_token(uow, office.examiner, "examiner").secret
    api = Browser(app).client
    assert api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    admin = as_user(app, "admin")
    (listed,) = accounts.list_tokens(uow, office.admin, "examiner")
    page = admin.get("/users/examiner/tokens")
    assert f'action="/tokens/{listed.id}/revoke"' in page.text
    assert admin.post(f"/tokens/{listed.id}/revoke").status_code == 303
    assert api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def _totp(shokei: Shokei, office: Office, username: str) -> pyotp.TOTP:
    uri = accounts.enroll_mfa(shokei.uow, office.admin, username, shokei.sealer)
    return pyotp.TOTP(parse_qs(urlsplit(uri).query)["secret"][0])


def _login(app: FastAPI, username: str, code: str = "") -> tuple[Browser, httpx.Response]:
    """A login form posted as typed: the code given, or none (`Browser.login` supplies the right one)."""
    browser = Browser(app)
    browser.get("/login")
    form = {"username": username, "password": PASSWORD, "code": code, "next": "/"}
    return browser, browser.post("/login", form)


def test_an_enrolled_official_logs_in_only_with_a_fresh_totp_code(
    office: Office, app: FastAPI, shokei: Shokei, clock: FixedClock
) -> None:
    totp = _totp(shokei, office, "examiner")
    assert _login(app, "examiner")[1].status_code == 401
    wrong = "000000" if totp.at(clock.at) != "000000" else "111111"
    _, refused = _login(app, "examiner", wrong)
    assert refused.status_code == 401
    assert "ワンタイムコードが正しくないか" in refused.text
    code = totp.at(clock.at)
    assert _login(app, "examiner", code)[1].status_code == 303
    replayer, replayed = _login(app, "examiner", code)
    assert replayed.status_code == 401
    assert replayer.get("/cases").headers["location"].startswith("/login")


def test_by_default_a_ministry_account_without_a_second_factor_reaches_no_page(
    office: Office, app: FastAPI, shokei: Shokei, clock: FixedClock
) -> None:
    """SHOKEI_WEB_MFA_REQUIRED defaults to `officials`: every ministry account (admins and
    auditors too, ASVS 4.3.1) is refused until enrolled, and told what to do; companies' users
    are not asked for a code."""
    for name in ("intake", "examiner", "negotiator", "manager", "auditor", "admin"):
        browser, refused = _login(app, name)
        assert refused.status_code == 401, name
        assert "二要素認証（TOTP）の登録が必要です" in refused.text
        assert "shokei user mfa enroll" in refused.text
        for page in ("/", "/cases", "/users"):
            assert browser.get(page).headers["location"].startswith("/login"), (name, page)
    for name in ("supplier", "successor"):
        browser, response = _login(app, name)
        assert response.status_code == 303, name
        assert browser.get("/").status_code == 200
    totp = _totp(shokei, office, "auditor")
    browser, response = _login(app, "auditor", totp.at(clock.at))
    assert response.status_code == 303
    assert browser.get("/").status_code == 200


def test_in_enrolled_mode_only_those_who_enrolled_are_asked(
    office: Office, shokei: Shokei, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOKEI_WEB_MFA_REQUIRED", "enrolled")
    app = create_app(shokei)
    assert _login(app, "negotiator")[1].status_code == 303
    assert _login(app, "supplier")[1].status_code == 303
    totp = _totp(shokei, office, "examiner")
    assert _login(app, "examiner")[1].status_code == 401
    assert _login(app, "examiner", totp.at(clock.at))[1].status_code == 303


def test_a_company_user_who_enrolled_gives_the_code(
    office: Office, app: FastAPI, shokei: Shokei, clock: FixedClock
) -> None:
    totp = _totp(shokei, office, "supplier")
    assert _login(app, "supplier")[1].status_code == 401
    assert _login(app, "supplier", totp.at(clock.at))[1].status_code == 303


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(office: Office, app: FastAPI) -> None:
    here, elsewhere = as_user(app, "examiner"), as_user(app, "examiner")
    other_user = as_user(app, "negotiator")
    assert elsewhere.get("/cases").status_code == 200
    here.get("/password")
    changed = here.post("/password", {"current": PASSWORD, "new": "my own long passphrase"})
    assert changed.status_code == 303
    assert "set-cookie" in changed.headers  # this session goes on, re-issued in the new generation
    assert here.get("/cases").status_code == 200
    assert elsewhere.get("/cases").headers["location"].startswith("/login")
    assert other_user.get("/cases").status_code == 200
    assert Browser(app).login("examiner", "my own long passphrase").status_code == 303


def test_an_admins_new_user_replaces_the_initial_password_at_the_first_login(
    office: Office, app: FastAPI, uow: UnitOfWork
) -> None:
    initial = accounts.add_user(uow, office.admin, "newcomer", "auditor").secret
    newcomer = Browser(app)
    assert newcomer.login("newcomer", initial).headers["location"] == "/password"
    assert newcomer.get("/cases").headers["location"] == "/password"
    newcomer.get("/password")
    changed = newcomer.post("/password", {"current": initial, "new": "newcomer's own passphrase"})
    assert changed.status_code == 303
    assert newcomer.get("/cases").status_code == 200
