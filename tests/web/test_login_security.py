"""Issue 23, finding 6: X-Forwarded-For only from configured proxies, an atomic lockout counter,
and every login, failure, lockout and logout in the security log (successes in the ledger too)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from shokei.app import create_app
from shokei.audit.models import AuditEntry
from shokei.bootstrap import Shokei
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.logs import SECURITY_LOGGER
from shokei.settings import Settings
from shokei.web.config import WebSettings
from shokei.web.lockout import LoginThrottle
from tests.factories import Office
from tests.web.conftest import Browser, web_shokei

SPOOFED = "203.0.113.9"


def _security(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [r.security for r in caplog.records if r.name == SECURITY_LOGGER]  # type: ignore[attr-defined]


def test_a_hundred_concurrent_wrong_guesses_reach_the_password_check_exactly_five_times(
    uow: UnitOfWork,
) -> None:
    throttle = LoginThrottle(WebSettings(), uow)
    start = threading.Barrier(100)
    checked: list[int] = []
    guard = threading.Lock()

    def guess(n: int) -> None:
        start.wait()
        if throttle.attempt("examiner", "192.0.2.1"):
            with guard:
                checked.append(n)
            throttle.failed("examiner", "192.0.2.1")  # the password was wrong

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) == 5
    assert throttle.locked_for("examiner", "192.0.2.1") > 0


def test_a_right_password_gives_the_address_its_attempt_back(uow: UnitOfWork) -> None:
    throttle = LoginThrottle(WebSettings(lockout_ip_failures=3), uow)
    for n in range(10):  # ten colleagues behind one address log in without a lockout
        assert throttle.attempt(f"user-{n}", "192.0.2.7")
        throttle.succeeded(f"user-{n}", "192.0.2.7")
    for n in range(3):
        assert throttle.attempt(f"guess-{n}", "192.0.2.7")
        throttle.failed(f"guess-{n}", "192.0.2.7")
    assert not throttle.attempt("someone", "192.0.2.7")


def _login_with_forwarded_for(app: FastAPI, password: str) -> None:
    browser = Browser(app)
    browser.get("/login")
    browser.client.headers["X-Forwarded-For"] = SPOOFED
    browser.post("/login", {"username": "intake", "password": password, "next": "/"})


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_configured_proxy(
    office: Office, app: FastAPI, uow: UnitOfWork, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    _login_with_forwarded_for(app, "wrong password")
    assert _security(caplog)[-1]["address"] == "testclient"  # the peer, not the header
    proxied = web_shokei(uow, tmp_path / "proxied")
    settings = Settings(data_dir=proxied.settings.data_dir, trusted_proxies="testclient")
    _login_with_forwarded_for(create_app(Shokei(settings, uow)), "wrong password")
    assert _security(caplog)[-1]["address"] == SPOOFED


def test_logins_failures_lockouts_and_logouts_are_in_the_security_log(
    office: Office, app: FastAPI, uow: UnitOfWork, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    browser = Browser(app)
    assert browser.login("intake").status_code == 303
    browser.post("/logout")
    for _ in range(5):
        browser.login("examiner", "wrong password")
    assert browser.login("examiner").status_code == 429
    events = [(record["event"], record["user"]) for record in _security(caplog)]
    assert events == [
        ("login", "intake"),
        ("logout", "intake"),
        *[("login_failed", "examiner")] * 4,
        ("login_failed", "examiner"),
        ("lockout", "examiner"),
        ("login_refused_locked", "examiner"),
    ]
    with uow.transaction() as session:
        query = select(AuditEntry.actor_name).where(AuditEntry.action == "accounts:login:success")
        assert list(session.execute(query).scalars()) == ["intake"]
