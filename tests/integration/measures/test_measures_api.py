"""Escalation, measure, facilities line and facility over the JSON API (test clock: 1 June 2026),
with Problem Details for the refusals."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.kernel.unit_of_work import UnitOfWork
from tests import factories
from tests.factories import Office

PROBLEM = "application/problem+json"


def test_escalation_to_a_transferred_facility_over_http(uow: UnitOfWork, api: TestClient) -> None:
    office = Office(uow)
    auth = {
        name: {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, name).secret}"}
        for name in ("manager", "auditor", "supplier")
    }
    case = office.open_case()
    path = f"/api/v1/cases/{case.id}"
    escalate = {"name": "escalate", "reason": "文書の提出がない"}
    assert api.post(f"{path}/transitions", headers=auth["manager"], json=escalate).status_code == 200
    measure: dict[str, Any] = api.post(
        f"{path}/measures",
        headers=auth["manager"],
        json={"kind": "facility_acquisition", "reason": "国が取得"},
    ).json()
    assert (measure["kind"], measure["status"]) == ("facility_acquisition", "decided")
    assert api.get(f"/api/v1/measures/{measure['id']}", headers=auth["supplier"]).status_code == 403

    line = api.put(
        "/api/v1/budget/2026/lines/facilities", headers=auth["manager"], json={"amount_yen": 200_000_000}
    )
    assert line.status_code == 200, line.text
    acquisition = {
        "name": "第一工場",
        "prefecture": "岐阜県",
        "price_yen": 150_000_000,
        "acquired_on": "2026-05-01",
    }
    facility = api.post(
        f"/api/v1/measures/{measure['id']}/facilities", headers=auth["manager"], json=acquisition
    )
    assert facility.status_code == 201, facility.text
    assert facility.json()["status"] == "state_held"
    again = api.post(
        f"/api/v1/measures/{measure['id']}/facilities", headers=auth["manager"], json=acquisition
    )
    assert (again.status_code, again.headers["content-type"]) == (409, PROBLEM)
    shown = api.get("/api/v1/budget/2026/lines/facilities", headers=auth["auditor"]).json()
    assert (shown["committed"], shown["available"]) == (150_000_000, 50_000_000)

    stranger = factories.company(uow, "未審査工業株式会社").corporate_number
    facility_path = f"/api/v1/facilities/{facility.json()['id']}"
    entrust = {"to": stranger, "until": "2030-03-31", "terms": "維持管理"}
    refused = api.post(f"{facility_path}/entrustment", headers=auth["manager"], json=entrust)
    assert refused.status_code == 409
    assert "security_compliance" in refused.json()["detail"]
    office.make_eligible(office.successor_company)
    transfer = {
        "to": office.successor_company.corporate_number,
        "price_yen": 1,
        "transferred_on": "2026-06-01",
    }
    done = api.post(f"{facility_path}/transfer", headers=auth["manager"], json=transfer)
    assert done.json()["status"] == "transferred"
    report = api.get("/api/v1/facilities/reports/2026", headers=auth["auditor"]).json()
    assert [(entry["due"], entry["overdue"]) for entry in report] == [("2027-06-30", False)]
