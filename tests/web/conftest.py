"""Web test wiring: the real app (API + pages) on the test database, and a browser-like client
that logs in with a password and sends the CSRF token the pages gave it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from shokei.accounts import services as accounts_services
from shokei.accounts.models import User
from shokei.accounts.services.credentials import totp_associated_data
from shokei.app import create_app
from shokei.bootstrap import Shokei
from shokei.documents.vault.crypto import create_master_key
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.settings import Settings
from shokei.web.secret import ensure_session_key
from tests.factories import PASSWORD, Office

# argon2 with its production cost takes ~0.4 s a hash on the CI machine; these tests log in
# hundreds of times. Cheaper parameters keep the same code path (the cost is stored in each hash).
_FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts_services.records, "_hasher", _FAST_HASHER)


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def web_shokei(uow: UnitOfWork, data_dir: Path) -> Shokei:
    """What `shokei init` would have made: data dir, vault master key, session key."""
    settings = Settings(data_dir=data_dir)
    settings.keys_dir.mkdir(parents=True, mode=0o700)
    create_master_key(settings.master_key_path)
    ensure_session_key(settings)
    return Shokei(settings, uow)


class Browser:
    """A TestClient that behaves like a browser on the pages: cookies, no automatic redirects,
    and the CSRF token of the last page it saw."""

    def __init__(self, app: FastAPI, base_url: str = "http://testserver") -> None:
        self.client = TestClient(app, base_url=base_url, follow_redirects=False)
        self.token: str | None = None

    def _remember(self, response: httpx.Response) -> httpx.Response:
        if "text/html" in response.headers.get("content-type", ""):
            found = _TOKEN.search(response.text)
            if found:
                self.token = found.group(1)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self._remember(self.client.get(path, **kwargs))

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, token: bool = True, **kwargs: Any
    ) -> httpx.Response:
        form = dict(data or {})
        if token:
            if self.token is None:
                self.get("/login")
            form["csrf_token"] = self.token
        return self._remember(self.client.post(path, data=form, **kwargs))

    def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        """Log in as a user would: the password and, for a ministry account (which must have a
        second factor: `SHOKEI_WEB_MFA_REQUIRED=officials`, the default), the current TOTP code."""
        self.get("/login")
        code = totp_code(self.client.app.state.shokei, username)  # type: ignore[attr-defined]
        form = {"username": username, "password": password, "code": code, "next": "/"}
        response = self.post("/login", form)
        if response.status_code == 303:
            self.get("/")  # the dashboard: a token of the logged-in session
        return response


def totp_code(shokei: Shokei, username: str) -> str:
    """The current TOTP code of a ministry account, computed with pyotp from its stored (sealed)
    secret; "" for a company's user or an unknown name. A ministry account without a second
    factor is enrolled first, as an admin would (`shokei user mfa enroll`)."""
    uow = shokei.uow
    actor = accounts_services.user_by_username(uow, username)
    if actor is None or actor.is_company_bound:
        return ""
    with uow.transaction() as session:
        enrolled = session.execute(select(User.totp_sealed).where(User.username == username)).scalar_one()
    if enrolled is None:
        accounts_services.enroll_mfa(uow, None, username, shokei.sealer)
    with uow.transaction() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one()
        assert user.totp_sealed is not None
        secret = shokei.sealer.open(user.totp_sealed, totp_associated_data(user)).decode()
        totp = pyotp.TOTP(secret)
        step = totp.timecode(uow.clock.now())
        if user.totp_last_step is not None and user.totp_last_step >= step:
            # The test clock stands still: a second login in the same 30-second step would be a
            # replay (refused, and tested as such); a real user's next login comes a step later.
            user.totp_last_step = step - 1
        return totp.generate_otp(step)


@pytest.fixture
def shokei(uow: UnitOfWork, tmp_path: Path) -> Shokei:
    return web_shokei(uow, tmp_path / "var")


@pytest.fixture
def app(shokei: Shokei) -> FastAPI:
    return create_app(shokei)


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    return Office(uow)


@pytest.fixture
def browser(app: FastAPI) -> Browser:
    return Browser(app)


def fund_purchases(uow: UnitOfWork, manager: Actor, fiscal_year: int = 2026) -> None:
    """Give the fiscal year an appropriation so a program manager can approve purchases (the
    budget page comes with the purchase feature's pages). Written to run before and after the
    purchase feature lands: drop the guard once `purchase.services` is committed."""
    try:
        from shokei.purchase import services as purchase
    except ImportError:
        return
    purchase.set_appropriation(uow, manager, fiscal_year=fiscal_year, amount_yen=1_000_000_000)


def as_user(app: FastAPI, username: str) -> Browser:
    browser = Browser(app)
    response = browser.login(username)
    assert response.status_code == 303, response.text
    return browser
