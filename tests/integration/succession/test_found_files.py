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
from shokei.documents.vault import create_master_key
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.settings import Settings
from shokei.succession import services
from shokei.succession.models import FoundFile
from tests.factories import Office
from tests.integration.succession.conftest import case_with_documents, make_eligible
from tests.unit.succession import golden_leaks

pytestmark = pytest.mark.real_files


@pytest.fixture
def shokei(uow: UnitOfWork, tmp_path: Path) -> Shokei:
    settings = Settings(data_dir=tmp_path / "var")
    settings.keys_dir.mkdir(parents=True, mode=0o700)
    create_master_key(settings.master_key_path)
    return Shokei(settings, uow)


def _released_copy(uow: UnitOfWork, office: Office, shokei: Shokei, source: Path, out: Path) -> str:
    make_eligible(uow, office, office.successor_company)
    case_id = case_with_documents(uow, office, shokei.vaults.documents, shokei.scratch_dir, source)
    number = office.successor_company.corporate_number or ""
    services.select_successor(uow, office.manager, case_id, number, reason="最適")
    services.accept_terms(uow, office.successor, case_id)
    [copy] = services.release_copies(
        uow,
        shokei.vaults.documents,
        office.manager,
        case_id,
        copies=shokei.vaults.copies,
        scratch_dir=shokei.scratch_dir,
        key=shokei.handover_signing_key,
        code_key=shokei.copy_code_key,
    )
    assert {"pdf:2d-code", "pdf:watermark"} <= set(copy.marks)
    services.download_copy(uow, shokei.vaults.copies, office.successor, copy.copy_id, out)
    return copy.copy_id


def test_a_scan_posted_to_the_api_names_its_holder_and_is_kept_as_evidence(
    uow: UnitOfWork, shokei: Shokei, real_files: Path, tmp_path: Path
) -> None:
    office = Office(uow)
    copy_id = _released_copy(uow, office, shokei, real_files / "pdf/minimal-document.pdf", tmp_path / "c.pdf")
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
