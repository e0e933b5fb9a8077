"""Designations through the services (issue 17): an expired designation no longer protects (no
certification needed, no marking) and may be renewed; a lifted one stays listed and copies made
after it carry no marking; who may do what; the API."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shokei.accounts import services as accounts
from shokei.clock import FixedClock
from shokei.companies import access
from shokei.documents import services as documents
from shokei.documents.vault import FilesystemVault
from shokei.errors import BadInput, Conflict, Forbidden
from shokei.kernel.bus import MessageBus, Phase
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.manifest import wire
from shokei.secrets import services as secrets
from shokei.secrets.domain import DesignationChanged
from shokei.succession import services as succession
from tests.factories import Office
from tests.integration.succession.conftest import case_with_documents
from tests.pdf_text import visible_text

MARK = "装備品等秘密"


def _ready(uow: UnitOfWork, vault: FilesystemVault, scratch: Path, pdf: Path) -> tuple[Office, int, int]:
    office = Office(uow)
    case_id = case_with_documents(uow, office, vault, scratch, pdf)
    office.select_successor(case_id)
    succession.accept_terms(uow, office.successor, case_id)
    [document] = documents.list_documents(uow, office.manager, case_id)
    return office, case_id, document.id


def _release_and_read(
    uow: UnitOfWork,
    office: Office,
    case_id: int,
    stores: tuple[FilesystemVault, FilesystemVault],
    scratch: Path,
    key: Ed25519PrivateKey,
    out: Path,
) -> list[str]:
    vault, copies = stores
    [copy] = succession.release_copies(
        uow, vault, office.manager, case_id, copies=copies, scratch_dir=scratch, key=key
    )
    succession.download_copy(uow, copies, office.successor, copy.copy_id, out)
    return [visible_text(page) for page in pypdf.PdfReader(out).pages]


def test_an_expired_designation_protects_nothing_and_can_be_renewed(
    uow: UnitOfWork,
    clock: FixedClock,
    vault: FilesystemVault,
    copy_vault: FilesystemVault,
    scratch: Path,
    key: Ed25519PrivateKey,
    sample_files: Path,
    tmp_path: Path,
) -> None:
    office, case_id, document_id = _ready(uow, vault, scratch, sample_files / "four-pages.pdf")
    secrets.designate_document(uow, office.manager, document_id, until=date(2026, 6, 10), reason="試験")
    [listed] = secrets.list_designations(uow, office.auditor, expiring_within_days=9)
    assert (listed.status, listed.days_left) == ("designated", 9)
    assert secrets.list_designations(uow, office.auditor, expiring_within_days=8) == []

    clock.at = datetime(2026, 6, 11, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo, the day after the last day
    [expired] = secrets.list_designations(uow, office.auditor, expiring_within_days=0)
    assert (expired.status, expired.days_left) == ("expired", -1)
    pages = _release_and_read(uow, office, case_id, (vault, copy_vault), scratch, key, tmp_path / "c.pdf")
    assert len(pages) == 4
    assert all(MARK not in text for text in pages)  # released to an uncertified successor, unmarked

    with pytest.raises(BadInput):
        secrets.renew_designation(uow, office.manager, document_id, until=date(2026, 6, 11))
    renewed = secrets.renew_designation(uow, office.manager, document_id, until=date(2026, 12, 31))
    assert renewed.status == "designated"
    assert [h.corporate_number for h in renewed.holders] == [office.successor_company.corporate_number]


def test_a_lifted_designation_stays_listed_and_copies_after_it_are_unmarked(
    uow: UnitOfWork,
    vault: FilesystemVault,
    copy_vault: FilesystemVault,
    scratch: Path,
    key: Ed25519PrivateKey,
    sample_files: Path,
    tmp_path: Path,
) -> None:
    office, case_id, document_id = _ready(uow, vault, scratch, sample_files / "four-pages.pdf")
    for who in (office.intake, office.examiner, office.negotiator, office.auditor, office.supplier):
        with pytest.raises(Forbidden):
            secrets.designate_document(uow, who, document_id, until=date(2026, 12, 31), reason="x")
    with pytest.raises(BadInput):
        secrets.designate_document(uow, office.manager, document_id, until=date(2026, 12, 31), reason=" ")
    secrets.designate_document(uow, office.manager, document_id, until=date(2026, 12, 31), reason="指定")
    with pytest.raises(Conflict, match="designated_secret_certification"):
        _release_and_read(uow, office, case_id, (vault, copy_vault), scratch, key, tmp_path / "x.pdf")
    for who in (office.supplier, office.successor):
        with pytest.raises(Forbidden):
            secrets.list_designations(uow, who)
    lifted = secrets.lift_designation(uow, office.manager, document_id, reason="解除")
    assert lifted.status == "lifted"
    pages = _release_and_read(uow, office, case_id, (vault, copy_vault), scratch, key, tmp_path / "c.pdf")
    assert all(MARK not in text for text in pages)
    [listed] = secrets.list_designations(uow, office.examiner)
    assert (listed.status, listed.lift_reason) == ("lifted", "解除")
    # Designated again: a new designation; the lifted one stays, both in the document's history.
    secrets.designate_document(uow, office.manager, document_id, until=date(2027, 3, 31), reason="再指定")
    history = secrets.document_designations(uow, office.auditor, document_id)
    assert [(d.status, [h.action for h in d.history]) for d in history] == [
        ("designated", ["designate"]),
        ("lifted", ["designate", "lift"]),
    ]


def test_the_api_designates_lists_and_refuses(
    uow: UnitOfWork, api: Any, vault: FilesystemVault, scratch: Path, sample_files: Path
) -> None:
    office = Office(uow)
    case_id = case_with_documents(uow, office, vault, scratch, sample_files / "four-pages.pdf")
    [document] = documents.list_documents(uow, office.manager, case_id)
    auth = {
        name: {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, name).secret}"}
        for name in ("manager", "auditor", "supplier")
    }
    body = {"until": "2026-12-31", "reason": "指定"}
    assert api.post(f"/api/v1/secrets/cases/{case_id}", json=body, headers=auth["auditor"]).status_code == 403
    made = api.post(f"/api/v1/secrets/cases/{case_id}", json=body, headers=auth["manager"])
    assert made.status_code == 201
    assert [entry["document_id"] for entry in made.json()] == [document.id]
    listed = api.get("/api/v1/secrets?expiring_within=213", headers=auth["auditor"]).json()
    assert [(e["document_id"], e["until"], e["status"], e["holders"]) for e in listed] == [
        (document.id, "2026-12-31", "designated", [])
    ]
    assert api.get("/api/v1/secrets?expiring_within=212", headers=auth["auditor"]).json() == []
    assert api.get("/api/v1/secrets", headers=auth["supplier"]).status_code == 403
    lift = {"reason": "解除"}
    lifted = api.post(f"/api/v1/secrets/documents/{document.id}/lift", json=lift, headers=auth["manager"])
    assert lifted.json()["status"] == "lifted"


def test_two_designations_of_one_document_at_once_make_one(
    uow: UnitOfWork, vault: FilesystemVault, scratch: Path, sample_files: Path
) -> None:
    office = Office(uow)
    case_id = case_with_documents(uow, office, vault, scratch, sample_files / "four-pages.pdf")
    [document] = documents.list_documents(uow, office.manager, case_id)
    start, outcomes = threading.Barrier(2), []

    def designate() -> None:
        start.wait()
        try:
            secrets.designate_document(
                uow, office.manager, document.id, until=date(2026, 12, 31), reason="同時"
            )
            outcomes.append("designated")
        except Conflict:
            outcomes.append("conflict")

    racers = [threading.Thread(target=designate) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert sorted(outcomes) == ["conflict", "designated"]
    assert len(secrets.document_designations(uow, office.auditor, document.id)) == 1


def test_every_act_publishes_the_designation_change(
    uow: UnitOfWork, clock: FixedClock, vault: FilesystemVault, scratch: Path, sample_files: Path
) -> None:
    office = Office(uow)
    case_id = case_with_documents(uow, office, vault, scratch, sample_files / "four-pages.pdf")
    [document] = documents.list_documents(uow, office.manager, case_id)
    bus, heard = wire(MessageBus()), []
    bus.subscribe(DesignationChanged, lambda _uow, event: heard.append(event), phase=Phase.AFTER_COMMIT)
    listening = UnitOfWork(uow.engine, clock, ledger=uow.ledger, bus=bus)
    secrets.designate_document(
        listening, office.manager, document.id, until=date(2026, 12, 31), reason="指定"
    )
    secrets.renew_designation(listening, office.manager, document.id, until=date(2027, 3, 31))
    secrets.lift_designation(listening, office.manager, document.id, reason="解除")
    assert [(e.document_id, e.case_id, e.action.value, e.until, e.status.value) for e in heard] == [
        (document.id, case_id, "designate", date(2026, 12, 31), "designated"),
        (document.id, case_id, "renew", date(2027, 3, 31), "designated"),
        (document.id, case_id, "lift", date(2027, 3, 31), "lifted"),
    ]


def test_a_holder_whose_certification_no_longer_covers_secrets_cannot_open_its_copy(
    uow: UnitOfWork,
    vault: FilesystemVault,
    copy_vault: FilesystemVault,
    scratch: Path,
    key: Ed25519PrivateKey,
    sample_files: Path,
    tmp_path: Path,
) -> None:
    office, case_id, document_id = _ready(uow, vault, scratch, sample_files / "four-pages.pdf")
    number = office.successor_company.corporate_number or ""
    secrets.designate_document(uow, office.manager, document_id, until=date(2026, 12, 31), reason="指定")
    certify = {"custodian": "保全 太郎", "until": date(2027, 3, 31)}
    access.certify(uow, office.manager, number, **certify, scope="designated_secret")
    pages = _release_and_read(uow, office, case_id, (vault, copy_vault), scratch, key, tmp_path / "c.pdf")
    assert all("装備品等秘密（防衛生産基盤強化法第27条） 有効期限 2026-12-31" in text for text in pages)
    access.certify(uow, office.manager, number, **certify, scope="drawings")
    [copy] = succession.list_copies(uow, office.manager, case_id)
    with pytest.raises(Conflict, match=r"download of copy .* refused: designated_secret_certification"):
        succession.download_copy(uow, copy_vault, office.successor, copy.copy_id, tmp_path / "again.pdf")
    assert not (tmp_path / "again.pdf").exists()
