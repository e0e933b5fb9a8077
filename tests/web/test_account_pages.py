"""Issue 23, findings 3 and 8 in the pages: a shadow examiner downloads nothing until a program
manager approves it; admins disable, enable, reset passwords and revoke tokens from /users; a
one-time password must be replaced; an enrolled user logs in with a TOTP code."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

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
from tests.web.conftest import Browser, as_user


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
    accounts.add_user(uow, office.admin, "shadow_examiner", "examiner", password=PASSWORD)
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


def test_a_reset_password_is_shown_once_and_must_be_replaced_at_login(office: Office, app: FastAPI) -> None:
    admin = as_user(app, "admin")
    page = admin.post("/users/examiner/reset-password")
    assert page.status_code == 200
    one_time = page.text.split('id="one-time-password">', 1)[1].split("<", 1)[0]
    assert len(one_time) >= 12
    assert Browser(app).login("examiner").status_code == 401  # the old password is gone
    examiner = Browser(app)
    examiner.get("/login")
    response = examiner.post("/login", {"username": "examiner", "password": one_time, "next": "/cases"})
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


def _totp(uow: UnitOfWork, office: Office, username: str) -> pyotp.TOTP:
    uri = accounts.enroll_mfa(uow, office.admin, username)
    return pyotp.TOTP(parse_qs(urlsplit(uri).query)["secret"][0])


def _login(app: FastAPI, username: str, code: str = "") -> int:
    browser = Browser(app)
    browser.get("/login")
    form = {"username": username, "password": PASSWORD, "code": code, "next": "/"}
    return browser.post("/login", form).status_code


def test_an_enrolled_official_logs_in_only_with_a_fresh_totp_code(
    office: Office, app: FastAPI, uow: UnitOfWork, clock: FixedClock
) -> None:
    totp = _totp(uow, office, "examiner")
    assert _login(app, "examiner") == 401
    code = totp.at(clock.at)
    assert _login(app, "examiner", code) == 303
    assert _login(app, "examiner", code) == 401  # replayed
    assert _login(app, "negotiator") == 303  # not enrolled: the default asks no code


def test_officials_must_enroll_when_configured(
    office: Office, shokei: Shokei, uow: UnitOfWork, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOKEI_WEB_MFA_REQUIRED", "officials")
    app = create_app(shokei)
    assert _login(app, "negotiator") == 401
    assert _login(app, "supplier") == 303  # a company's user is not an official
    totp = _totp(uow, office, "negotiator")
    assert _login(app, "negotiator", totp.at(clock.at)) == 303
