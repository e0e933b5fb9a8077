"""Successor users download their own released copies over HTTP and nothing else."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.bootstrap import initialise
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession.fingerprint import document_text
from tests.factories import Office
from tests.integration.succession.conftest import make_eligible, successor_company


def test_successor_downloads_only_its_own_released_copy(
    uow: UnitOfWork, api: TestClient, sample_files: Path, tmp_path: Path
) -> None:
    initialise(api.app.state.shokei)  # type: ignore[attr-defined]
    office = Office(uow)
    make_eligible(uow, office, office.successor_company)
    successor_company(uow, office, "他社承継株式会社", "rival")
    auth = {
        n: {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, n).secret}"}
        for n in ("supplier", "successor", "rival", "manager")
    }
    case = office.open_case(documents=0).id
    pdf = (sample_files / "four-pages.pdf").read_bytes()
    files = [("files", ("図面.pdf", pdf, "application/pdf"))]
    assert api.post(f"/api/v1/cases/{case}/files", headers=auth["supplier"], files=files).status_code == 201
    office.to_successor_selection(case)

    ranked = api.get(f"/api/v1/cases/{case}/successor-candidates", headers=auth["manager"]).json()
    assert {c["corporate_number"] for c in ranked if c["eligible"]} >= {
        office.successor_company.corporate_number
    }
    assert api.get(f"/api/v1/cases/{case}/successor-candidates", headers=auth["successor"]).status_code == 403
    body = {"corporate_number": office.successor_company.corporate_number, "reason": "能力一致"}
    assert api.post(f"/api/v1/cases/{case}/successor", json=body, headers=auth["manager"]).status_code == 200
    assert (
        api.post(f"/api/v1/cases/{case}/handover", headers=auth["manager"]).status_code == 409
    )  # no acceptance
    assert api.post(f"/api/v1/cases/{case}/successor/acceptance", headers=auth["rival"]).status_code == 404
    assert (
        api.post(f"/api/v1/cases/{case}/successor/acceptance", headers=auth["successor"]).status_code == 200
    )
    [copy] = api.post(f"/api/v1/cases/{case}/handover", headers=auth["manager"]).json()

    assert api.get(f"/api/v1/copies/{copy['copy_id']}/content", headers=auth["rival"]).status_code == 404
    assert api.get(f"/api/v1/copies/{copy['copy_id']}/content", headers=auth["manager"]).status_code == 404
    response = api.get(f"/api/v1/copies/{copy['copy_id']}/content", headers=auth["successor"])
    assert response.status_code == 200
    assert response.headers["x-content-sha256"] == copy["sha256"]
    out = tmp_path / "copy.pdf"
    out.write_bytes(response.content)
    assert f"Copy ID: {copy['copy_id']}" in document_text(out)
    assert api.get(f"/api/v1/cases/{case}/copies", headers=auth["rival"]).json() == []
