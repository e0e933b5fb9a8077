"""The same scenario through the JSON API: bearer tokens, Problem Details, need-to-know."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import SELECTION_REASON, Office

PROBLEM = "application/problem+json"


def _tokens(uow: UnitOfWork, office: Office) -> dict[str, dict[str, str]]:
    names = ["supplier", "successor", "intake", "examiner", "negotiator", "manager", "auditor", "admin"]
    return {
        name: {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, name).secret}"}
        for name in names
    }


def test_case_travels_notice_to_closed_over_http(uow: UnitOfWork, api: TestClient) -> None:
    office = Office(uow)
    auth = _tokens(uow, office)
    opened = api.post(
        "/api/v1/cases",
        headers=auth["supplier"],
        json={
            "company": office.withdrawing.corporate_number,
            "reason": "business_difficulty",
            "exit_date": "2026-10-01",
        },
    )
    assert opened.status_code == 201, opened.text
    case: dict[str, Any] = opened.json()
    path = f"/api/v1/cases/{case['id']}"
    # The program manager assigns the officials who will work the case (only they see it).
    for name in ("intake", "examiner", "negotiator"):
        assigned = api.post(f"{path}/assignments", headers=auth["manager"], json={"user": name})
        assert assigned.status_code == 201, assigned.text
    doc = api.post(f"{path}/documents", headers=auth["supplier"], json={"title": "アンテナ整合回路図"})
    assert doc.status_code == 201

    def move(name: str, who: str, **body: Any) -> dict[str, Any]:
        response = api.post(f"{path}/transitions", headers=auth[who], json={"name": name, **body})
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    move("submit", "supplier")
    move("start_examination", "intake")
    examined = api.post(
        f"{path}/documents/{doc.json()['id']}/examination",
        headers=auth["examiner"],
        json={"note": "潜水艦用アンテナの固有技術"},
    )
    assert examined.json()["examined"] is True
    move("determine_protection_required", "examiner", reason="固有技術")
    move("open_negotiation", "negotiator")
    offer = api.post(
        f"{path}/offers", headers=auth["negotiator"], json={"amount_yen": 40_000_000, "kind": "agreement"}
    )
    assert offer.status_code == 201
    # The approval commits FY2026's budget (the test clock's fiscal year).
    funded = api.put("/api/v1/budget/2026", headers=auth["manager"], json={"amount_yen": 1_000_000_000})
    assert funded.status_code == 200, funded.text
    move("approve_purchase", "manager")
    move("start_successor_selection", "manager")
    office.make_eligible(office.successor_company)
    move(
        "select_successor",
        "manager",
        successor=office.successor_company.corporate_number,
        reason=SELECTION_REASON,
    )
    accepted = api.post(f"/api/v1/cases/{case['id']}/successor/acceptance", headers=auth["successor"])
    assert accepted.status_code == 200, accepted.text
    move("hand_over", "manager")
    refused = api.post(f"{path}/transitions", headers=auth["manager"], json={"name": "close"})
    assert refused.status_code == 422
    assert "certificate of destruction is not recorded" in refused.json()["detail"]
    paid = api.post(f"{path}/purchase/payment", headers=auth["manager"], json={"paid_on": "2026-06-01"})
    assert paid.status_code == 200, paid.text  # a case closes only once its purchase is paid
    certified = api.post(
        f"{path}/destruction-certificate", headers=auth["manager"], json={"reference": "廃棄証明 第1号"}
    )
    assert certified.status_code == 200, certified.text
    closed = api.get(path, headers=auth["manager"]).json()
    assert closed["state"] == "closed"
    assert [h["transition"] for h in closed["history"]][-3:] == ["select_successor", "hand_over", "close"]

    assert api.get(path, headers=auth["successor"]).json()["state"] == "closed"
    entries = api.get("/api/v1/audit/entries?limit=1000", headers=auth["auditor"]).json()
    about_case = [e for e in entries if (e["subject_type"], e["subject_id"]) == ("case", str(case["id"]))]
    # open, three assignments, document, submit, start, examine, determine, negotiate, offer,
    # approve, start selection, select, notice to the successor, acceptance of the terms, hand
    # over, certificate of destruction, close
    assert len(about_case) == 19


def test_errors_are_problem_details(uow: UnitOfWork, api: TestClient) -> None:
    office = Office(uow)
    auth = _tokens(uow, office)
    case = office.open_case()
    cases_path = f"/api/v1/cases/{case.id}"

    anonymous = api.get(cases_path)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == PROBLEM
    assert api.get(cases_path, headers={"Authorization": "Bearer nope"}).status_code == 401

    wrong_role = api.post(f"{cases_path}/transitions", headers=auth["examiner"], json={"name": "submit"})
    assert wrong_role.status_code == 403
    assert wrong_role.json()["detail"] == (
        "'Submit the documents' needs role Supplier (withdrawing company), Intake officer; you are Examiner"
    )
    assert wrong_role.json()["status"] == 403

    wrong_state = api.post(f"{cases_path}/transitions", headers=auth["manager"], json={"name": "close"})
    assert wrong_state.status_code == 409
    assert api.get(cases_path, headers=auth["successor"]).status_code == 404
    assert api.get("/api/v1/audit/entries", headers=auth["manager"]).status_code == 403
    bad = api.post(
        "/api/v1/cases",
        headers=auth["intake"],
        json={"company": "123", "reason": "other", "exit_date": "2026-12-01"},
    )
    assert bad.status_code == 422
    assert "13" in bad.json()["detail"]
    assert api.post("/api/v1/cases", headers=auth["intake"], json={}).headers["content-type"] == PROBLEM


def test_openapi_is_published(api: TestClient) -> None:
    schema = api.get("/openapi.json").json()
    assert "/api/v1/cases/{case_id}/transitions" in schema["paths"]
    assert api.get("/docs").status_code == 200
