"""Ownership, alerts and the watchlist over HTTP: the same use cases behind bearer tokens."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services
from tests.integration.ownership.conftest import Office


def _token(uow: UnitOfWork, office: Office, name: str, role: str) -> dict[str, str]:
    accounts.add_user(uow, office.admin, name, role, password="a long enough password")
    return {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, name).secret}"}


def test_event_control_alerts_and_watchlist_over_http(uow: UnitOfWork, office: Office, api: Any) -> None:
    client: TestClient = api
    sme = office.company("北斗通信機株式会社", capital_yen=50_000_000, employees=40).corporate_number or ""
    investor = services.add_entity(
        uow,
        office.intake,
        kind="foreign_company",
        name="Straits Industrial Capital",
        country="SG",
        identifiers=["SG-ACRA-201912345K"],
    ).reference
    intake = _token(uow, office, "intake", "intake_officer")
    response = client.post(
        "/api/v1/ownership/interests",
        headers=intake,
        json={"owner": investor, "owned": sme, "share": "26", "effective_date": "2026-05-01"},
    )
    assert response.status_code == 201, response.text
    assert [a["threshold"] for a in response.json()["alerts_raised"]] == [0.01, 0.10, 0.25]

    control = client.get(f"/api/v1/ownership/control/{sme}", headers=intake).json()
    assert (control["direct_foreign"], control["by_country"]) == (0.26, {"SG": 0.26})
    alerts = client.get("/api/v1/alerts", headers=intake, params={"status": "open"}).json()
    assert {a["threshold"] for a in alerts} == {0.01, 0.10, 0.25}
    (entry,) = client.get("/api/v1/risk/watchlist", headers=intake, params={"top": 1}).json()
    assert entry["corporate_number"] == sme
    assert {f["name"] for f in entry["factors"]} == {"sme", "foreign_control", "recent_foreign_acquisition"}

    refused = client.post(
        "/api/v1/ownership/interests", headers=intake, json={"owner": investor, "owned": sme, "share": "101"}
    )
    assert (refused.status_code, refused.headers["content-type"]) == (422, "application/problem+json")
    assert client.get("/api/v1/alerts").status_code == 401
