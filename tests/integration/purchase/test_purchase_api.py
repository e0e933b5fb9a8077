"""The same path over the JSON API (test clock: 1 June 2026, FY2026), with Problem Details."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.kernel.unit_of_work import UnitOfWork
from tests.integration.examination.flow import HIGH, Desk

PROBLEM = "application/problem+json"


def _tokens(uow: UnitOfWork, desk: Desk) -> dict[str, dict[str, str]]:
    names = ["supplier", "intake", "examiner", "negotiator", "manager", "auditor"]
    return {
        name: {"Authorization": f"Bearer {accounts.issue_token(uow, desk.admin, name).secret}"}
        for name in names
    }


def test_notice_to_purchase_agreed_over_http(uow: UnitOfWork, api: TestClient, desk: Desk) -> None:
    auth = _tokens(uow, desk)
    case: dict[str, Any] = api.post(
        "/api/v1/cases",
        headers=auth["supplier"],
        json={
            "company": desk.withdrawing.corporate_number,
            "reason": "business_difficulty",
            "exit_date": "2026-12-01",
        },
    ).json()
    path = f"/api/v1/cases/{case['id']}"
    for official in ("intake", "examiner", "negotiator", "auditor"):  # the program manager assigns them
        assigned = api.post(f"{path}/assignments", headers=auth["manager"], json={"user": official})
        assert assigned.status_code == 201, assigned.text
    line = api.post(
        f"{path}/documents", headers=auth["supplier"], json={"title": "潜水艦用アンテナ整合回路図"}
    ).json()
    for name, who in [("submit", "supplier"), ("start_examination", "intake")]:
        assert api.post(f"{path}/transitions", headers=auth[who], json={"name": name}).status_code == 200

    policy = api.get("/api/v1/examination/policy", headers=auth["examiner"]).json()
    assert {"version", "criteria"} <= set(policy)
    assert all({"name", "min", "max", "weight"} <= set(c) for c in policy["criteria"])
    score = api.post(
        f"{path}/examination/scores",
        headers=auth["examiner"],
        json={"document_id": line["id"], "criteria": HIGH, "rationale": "国内唯一の整合技術"},
    )
    assert score.status_code == 201, score.text
    determined = api.post(f"{path}/examination/determination", headers=auth["examiner"], json={})
    assert determined.status_code == 201, determined.text
    assert {k: determined.json()[k] for k in ("determination", "rule", "policy_version")} == {
        "determination": "protection_required",
        "rule": "score_threshold",
        "policy_version": "2022.1",
    }
    assert (
        api.get(f"{path}/examination", headers=auth["auditor"]).json()["case_state"] == "protection_required"
    )

    for route, amount in [("offers", 20_000_000), ("counter-offers", 50_000_000)]:
        made = api.post(f"{path}/purchase/{route}", headers=auth["negotiator"], json={"amount_yen": amount})
        assert made.status_code == 201, made.text
    fractional = api.post(
        f"{path}/purchase/agreement", headers=auth["negotiator"], json={"amount_yen": 35_000_000.5}
    )
    assert (fractional.status_code, fractional.headers["content-type"]) == (422, PROBLEM)
    agreed = api.post(
        f"{path}/purchase/agreement",
        headers=auth["negotiator"],
        json={"amount_yen": 35_000_000, "payment_due": "2026-09-30"},
    )
    assert agreed.status_code == 201, agreed.text

    unfunded = api.post(f"{path}/purchase/approval", headers=auth["manager"], json={})
    assert (unfunded.status_code, unfunded.json()["title"]) == (409, "No appropriation")
    assert (
        api.put("/api/v1/budget/2026", headers=auth["negotiator"], json={"amount_yen": 1}).status_code == 403
    )
    funded = api.put("/api/v1/budget/2026", headers=auth["manager"], json={"amount_yen": 1_000_000_000})
    assert funded.json()["available"] == 1_000_000_000
    assert api.post(f"{path}/purchase/approval", headers=auth["negotiator"], json={}).status_code == 403
    approved = api.post(f"{path}/purchase/approval", headers=auth["manager"], json={})
    assert approved.status_code == 200, approved.text
    assert (approved.json()["state"], approved.json()["fiscal_year"]) == ("purchase_agreed", 2026)

    budget = api.get("/api/v1/budget/2026", headers=auth["auditor"]).json()
    assert (budget["appropriation"], budget["committed"], budget["paid"], budget["available"]) == (
        1_000_000_000,
        35_000_000,
        0,
        965_000_000,
    )
    assert [line["case_id"] for line in budget["lines"]] == [case["id"]]
    paid = api.post(f"{path}/purchase/payment", headers=auth["manager"], json={"paid_on": "2026-06-01"})
    assert paid.json()["budget_line"]["status"] == "paid"
    refused = api.post(f"{path}/purchase/cancellation", headers=auth["manager"], json={"reason": "誤り"})
    assert (refused.status_code, refused.headers["content-type"]) == (409, PROBLEM)
    assert api.get("/api/v1/budget/2026", headers=auth["supplier"]).status_code == 403
    assert api.get(path, headers=auth["auditor"]).json()["state"] == "purchase_agreed"
