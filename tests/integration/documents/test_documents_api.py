"""Documents over HTTP: multipart upload, metadata, verified download, search, permissions."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office


def test_upload_download_and_search_over_http(
    uow: UnitOfWork, api: TestClient, sample_files: Path, tmp_path: Path
) -> None:
    from shokei.bootstrap import initialise

    initialise(api.app.state.shokei)  # type: ignore[attr-defined]
    office = Office(uow)
    auth = {
        n: {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, n).secret}"}
        for n in ("supplier", "examiner", "successor", "admin")
    }
    case = office.open_case(documents=0)
    dxf = (sample_files / "drawing-r12.dxf").read_bytes()
    files = [
        ("files", ("bracket.dxf", dxf, "application/dxf")),
        ("files", ("仕様書.txt", "電波吸収体の製造条件".encode(), "text/plain")),
    ]
    response = api.post(f"/api/v1/cases/{case.id}/files", headers=auth["supplier"], files=files)
    assert response.status_code == 201, response.text
    stored = {d["path"]: d for d in response.json()["documents"]}
    assert set(stored) == {"bracket.dxf", "仕様書.txt"}
    assert stored["bracket.dxf"]["type"] == "dxf"

    dxf_id = stored["bracket.dxf"]["id"]
    no_reason = api.get(f"/api/v1/documents/{dxf_id}/content", headers=auth["examiner"])
    assert no_reason.status_code == 422
    download = api.get(f"/api/v1/documents/{dxf_id}/content?reason=審査", headers=auth["examiner"])
    assert download.status_code == 200
    assert download.content == dxf
    assert api.get(f"/api/v1/documents/{dxf_id}/content?reason=x", headers=auth["admin"]).status_code == 403
    assert api.get(f"/api/v1/documents/{dxf_id}", headers=auth["successor"]).status_code == 404

    found = api.get("/api/v1/documents/search", params={"q": "電波吸収体"}, headers=auth["examiner"]).json()
    assert [d["id"] for d in found] == [stored["仕様書.txt"]["id"]]
    not_multipart = api.post(f"/api/v1/cases/{case.id}/files", headers=auth["supplier"], content=b"raw")
    assert not_multipart.status_code == 422
    assert not_multipart.headers["content-type"] == "application/problem+json"
    area = api.app.state.shokei.scratch_dir  # type: ignore[attr-defined]
    assert list(area.iterdir()) == []  # uploads are removed once stored
