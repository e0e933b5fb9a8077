"""Access-control failures and API token refusals are in the security log (issue 23, ASVS
7.2.1 / 7.2.2), as the web logins are: one structured record each, with who, what and from
where, and never the token or a query string."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.logs import SECURITY_LOGGER, JsonFormatter
from tests.factories import Office, user
from tests.web.conftest import as_user


def _security(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [r.security for r in caplog.records if r.name == SECURITY_LOGGER]  # type: ignore[attr-defined]


def test_an_api_refusal_for_a_case_one_is_not_assigned_to_is_logged(
    office: Office, app: FastAPI, uow: UnitOfWork, caplog: pytest.LogCaptureFixture
) -> None:
    case = office.open_case(documents=0).id
    user(uow, Role.EXAMINER, name="examiner2")
    token = accounts.issue_token(uow, office.admin, "examiner2").secret
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    with TestClient(app) as client:
        answer = client.get(
            f"/api/v1/cases/{case}?x=secret-term", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 403
    [record] = _security(caplog)
    assert record["event"] == "access_denied"
    assert (record["user"], record["role"], record["method"], record["path"], record["status"]) == (
        "examiner2",
        "examiner",
        "GET",
        f"/api/v1/cases/{case}",
        403,
    )
    assert "not assigned" in record["reason"]
    assert "secret-term" not in str(record)


def test_wrong_expired_or_missing_tokens_are_logged_without_the_token(
    office: Office, app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    guessed = "shk_" + "A" * 40
    with TestClient(app) as client:
        assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {guessed}"}).status_code == 401
        assert client.get("/api/v1/cases").status_code == 401
    records = _security(caplog)
    assert [(r["event"], r["path"], r["status"]) for r in records] == [
        ("token_refused", "/api/v1/cases", 401),
        ("token_refused", "/api/v1/cases", 401),
    ]
    assert all(r["address"] for r in records)
    assert guessed not in str(records)


def test_a_page_refused_to_an_unassigned_examiner_is_logged_as_a_json_line(
    office: Office, app: FastAPI, uow: UnitOfWork, caplog: pytest.LogCaptureFixture
) -> None:
    case = office.open_case(documents=0).id
    user(uow, Role.EXAMINER, name="examiner2")
    browser = as_user(app, "examiner2")
    caplog.set_level(logging.INFO, logger=SECURITY_LOGGER)
    assert browser.get(f"/cases/{case}").status_code == 403
    records = [r for r in caplog.records if r.name == SECURITY_LOGGER]
    assert [r.security["event"] for r in records] == ["access_denied"]  # type: ignore[attr-defined]
    line = JsonFormatter().format(records[0])
    assert '"event": "access_denied"' in line or '"event":"access_denied"' in line
    assert "examiner2" in line
    assert f"/cases/{case}" in line
