"""A found file traced over the API: a scan of a released copy of a real PDF names its holder by
the 2D code, the file is kept in the copies vault as evidence (once per content, checked by
fsck), and the trace is in the ledger with the file's hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shokei.accounts import services as accounts
from shokei.app import create_app
from shokei.audit.models import AuditEntry
from shokei.bootstrap import Shokei
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession import services
from shokei.succession.models import FoundFile
from tests.factories import Office
from tests.integration.conftest import ReleaseCopy
from tests.unit.succession import golden_leaks

pytestmark = pytest.mark.real_files


def test_a_scan_posted_to_the_api_names_its_holder_and_is_kept_as_evidence(
    uow: UnitOfWork, shokei: Shokei, released_copy: ReleaseCopy, real_files: Path, tmp_path: Path
) -> None:
    office = Office(uow)
    copy = released_copy(office, shokei, real_files / "pdf/minimal-document.pdf", tmp_path / "c.pdf")
    assert {"pdf:2d-code", "pdf:watermark"} <= set(copy.marks)
    copy_id = copy.copy_id
    scan = golden_leaks.image_pdf(tmp_path / "c.pdf", tmp_path / "scan.pdf")
    digest = hashlib.sha256(scan.read_bytes()).hexdigest()
    token = accounts.issue_token(uow, office.admin, "manager").secret
    with TestClient(create_app(shokei)) as api:
        answers = [
            api.post(
                "/api/v1/traces",
                headers={"Authorization": f"Bearer {token}"},
                files={"file": ("found.pdf", scan.read_bytes(), "application/pdf")},
            )
            for _ in range(2)
        ]
    assert [answer.status_code for answer in answers] == [200, 200], answers[0].text
    first, second = (answer.json() for answer in answers)
    assert (first["copy_id"], first["recipient"], first["method"]) == (
        copy_id,
        office.successor_company.corporate_number,
        "code",
    )
    assert first["confidence"] == 0.97
    assert first["candidates"][0]["evidence"]
    assert first["sha256"] == digest
    assert first["found_file_id"] == second["found_file_id"] is not None  # the same bytes, kept once
    with uow.transaction() as session:
        rows = session.execute(select(FoundFile)).scalars().all()
        assert [(row.sha256, row.file_name) for row in rows] == [(digest, "found.pdf")]
        traces = session.execute(select(AuditEntry).where(AuditEntry.action == "handover:trace")).scalars()
        assert [entry.subject_id for entry in traces] == [digest, digest]
    report = services.check_copies(uow, shokei.vaults.copies, office.admin)
    assert (report.ok, report.checked, report.problems) == (True, 2, [])


def test_the_api_refuses_a_request_without_a_file(uow: UnitOfWork, shokei: Shokei) -> None:
    office = Office(uow)
    token = accounts.issue_token(uow, office.admin, "manager").secret
    with TestClient(create_app(shokei)) as api:
        answer = api.post(
            "/api/v1/traces", headers={"Authorization": f"Bearer {token}"}, data={"note": "no file"}
        )
    assert answer.status_code == 422, answer.text
