"""The supply-chain endpoints: multipart import, impact, SPOF ranking, evidence; who may call them."""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from tests import factories
from tests.integration.supply_chain.conftest import HandBuiltMap

PROBLEM = "application/problem+json"


def _auth(uow: UnitOfWork, name: str) -> dict[str, str]:
    token = accounts.issue_token(uow, factories.admin(uow), name).secret
    return {"Authorization": f"Bearer {token}"}


def _upload(api: TestClient, headers: dict[str, str], built: HandBuiltMap) -> Any:
    files = [("files", (path.name, path.read_bytes(), "text/csv")) for path in built.files()]
    return api.post("/api/v1/supply/imports", headers=headers, files=files)


def test_import_then_ask_impact_and_spof_over_http(
    uow: UnitOfWork, api: TestClient, hand_built: HandBuiltMap
) -> None:
    intake, auditor = _auth(uow, "intake"), _auth(uow, "auditor")

    imported = _upload(api, intake, hand_built)
    impact = api.get(
        "/api/v1/supply/impact",
        headers=auditor,
        params={"company": [hand_built.numbers["E"], hand_built.numbers["F"]], "limit": 2},
    )
    ranked = api.get("/api/v1/supply/spof", headers=auditor, params={"top": 3})
    evidence = api.get(f"/api/v1/supply/companies/{hand_built.registered.id}/evidence", headers=auditor)

    assert imported.status_code == 201, imported.text
    assert imported.json()["bom"]["created"] == 6
    assert impact.status_code == 200, impact.text
    body = impact.json()
    assert (body["lost_components"], body["components"], body["criticality"]) == (
        3,
        ["P-BARREL", "P-DECK"],
        133,
    )
    assert [(s["id"], s["lost_components"], s["depth"]) for s in body["systems"]] == [("DD-1", 3, 3)]
    assert [(e["rank"], e["criticality"]) for e in ranked.json()] == [(1, 313), (2, 248), (3, 236)]
    assert ranked.json()[0]["name"] == hand_built.registered.name
    assert [c["part_number"] for c in evidence.json()["single_source_components"]] == [
        "P-AIR",
        "P-DECK",
        "P-HULL",
    ]


def test_a_parquet_upload_with_an_explicit_format(
    uow: UnitOfWork, api: TestClient, hand_built: HandBuiltMap
) -> None:
    intake, auditor = _auth(uow, "intake"), _auth(uow, "auditor")
    assert _upload(api, intake, hand_built).status_code == 201
    # C becomes a second qualified source of P-CHIP, so D's exit no longer loses anything.
    second_source = pa.table({"corporate_number": [hand_built.numbers["C"]], "part_number": ["P-CHIP"]})
    buffer = io.BytesIO()
    pq.write_table(second_source, buffer)

    uploaded = api.post(
        "/api/v1/supply/imports",
        headers=intake,
        files=[("files", ("chip-sources", buffer.getvalue(), "application/octet-stream"))],
        data={"format": "parquet"},
    )
    impact = api.get("/api/v1/supply/impact", headers=auditor, params={"company": hand_built.numbers["D"]})

    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["supply"]["created"] == 1
    assert impact.json()["lost_components"] == 0


def test_refusals_are_problem_details(uow: UnitOfWork, api: TestClient, hand_built: HandBuiltMap) -> None:
    factories.user(uow, Role.SUPPLIER, hand_built.numbers["A"], name="supplier")
    intake, auditor, supplier = _auth(uow, "intake"), _auth(uow, "auditor"), _auth(uow, "supplier")
    assert _upload(api, intake, hand_built).status_code == 201
    number = hand_built.numbers["D"]
    cycle = hand_built.write("cycle.csv", "parent_part_number,child_part_number\nP-CHIP,P-AIR\n")

    outcomes = {
        "supplier reads": api.get("/api/v1/supply/impact", headers=supplier, params={"company": number}),
        "auditor imports": _upload(api, auditor, hand_built),
        "nobody": api.get("/api/v1/supply/spof"),
        "bad number": api.get("/api/v1/supply/impact", headers=auditor, params={"company": "123"}),
        "cycle": api.post(
            "/api/v1/supply/imports",
            headers=intake,
            files=[("files", ("cycle.csv", cycle.read_bytes(), "text/csv"))],
        ),
    }

    assert {name: response.status_code for name, response in outcomes.items()} == {
        "supplier reads": 403,
        "auditor imports": 403,
        "nobody": 401,
        "bad number": 422,
        "cycle": 422,
    }
    assert all(response.headers["content-type"] == PROBLEM for response in outcomes.values())
    assert "P-AIR → P-RADAR → P-ANT → P-CHIP → P-AIR" in outcomes["cycle"].json()["detail"]
