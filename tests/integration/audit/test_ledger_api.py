"""The ledger over HTTP: auditors read and prove, auditors and admins checkpoint, nobody edits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.app import create_app
from shokei.audit.merkle import verify_consistency, verify_inclusion
from shokei.bootstrap import Shokei
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.settings import Settings
from tests.factories import Office

READS = [
    "/api/v1/audit/entries",
    "/api/v1/audit/checkpoints",
    "/api/v1/audit/proofs/inclusion/0",
    "/api/v1/audit/proofs/consistency?old=1&new=2",
]
ROLES = ["supplier", "successor", "intake", "examiner", "negotiator", "manager", "auditor", "admin"]


@pytest.fixture
def client(signed_uow: UnitOfWork, tmp_path: object) -> Iterator[TestClient]:
    app = create_app(Shokei(Settings(data_dir=tmp_path), signed_uow))  # type: ignore[arg-type]
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def auth(signed_uow: UnitOfWork) -> dict[str, dict[str, str]]:
    office = Office(signed_uow)
    return {
        name: {"Authorization": f"Bearer {accounts.issue_token(signed_uow, office.admin, name).secret}"}
        for name in ROLES
    }


def test_auditors_read_entries_checkpoints_and_proofs(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    made = client.post("/api/v1/audit/checkpoints", headers=auth["auditor"])
    assert made.status_code == 201, made.text
    size = made.json()["size"]
    root = bytes.fromhex(made.json()["root"])

    entries = client.get("/api/v1/audit/entries", headers=auth["auditor"], params={"limit": 5})
    assert [e["index"] for e in entries.json()] == [0, 1, 2, 3, 4]
    assert client.get("/api/v1/audit/checkpoints", headers=auth["auditor"]).json()[-1] == made.json()

    inclusion = client.get(f"/api/v1/audit/proofs/inclusion/4?size={size}", headers=auth["auditor"]).json()
    assert inclusion["checkpoint"] == made.json()["note"]
    proof = [bytes.fromhex(h) for h in inclusion["proof"]]
    assert verify_inclusion(bytes.fromhex(inclusion["leaf_hash"]), 4, size, proof, root)

    consistency = client.get(
        f"/api/v1/audit/proofs/consistency?old=3&new={size}", headers=auth["auditor"]
    ).json()
    old_root = bytes.fromhex(consistency["old_root"])
    assert verify_consistency(3, size, old_root, root, [bytes.fromhex(h) for h in consistency["proof"]])


@pytest.mark.parametrize("role", [r for r in ROLES if r != "auditor"])
def test_everyone_else_is_forbidden_to_read(
    client: TestClient, auth: dict[str, dict[str, str]], role: str
) -> None:
    for path in READS:
        response = client.get(path, headers=auth[role])
        assert response.status_code == 403, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"


def test_checkpoints_are_for_auditors_and_admins_only(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    statuses = {
        role: client.post("/api/v1/audit/checkpoints", headers=auth[role]).status_code for role in ROLES
    }
    assert statuses == {role: 201 if role in ("auditor", "admin") else 403 for role in ROLES}


def test_no_route_changes_or_removes_ledger_rows(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    audit_routes = {
        (method.upper(), path)
        for path, item in paths.items()
        if path.startswith("/api/v1/audit")
        for method in item
    }
    assert {method for method, _ in audit_routes} == {"GET", "POST"}
    assert {path for method, path in audit_routes if method == "POST"} == {"/api/v1/audit/checkpoints"}


def test_the_api_refuses_a_checkpoint_without_the_key(uow: UnitOfWork, api: TestClient) -> None:
    office = Office(uow)
    token = accounts.issue_token(uow, office.admin, "admin").secret
    response = api.post("/api/v1/audit/checkpoints", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert "signing key" in response.json()["detail"]
