"""The ledger keeps the officials' need-to-know (issue 23): an auditor who is not assigned to a
case reads its entries (action, time, actor, index, the leaf hash) but not what the examiners
and program managers wrote in them (a scoring rationale, a determination's or an override's
reason); an assigned auditor, or one within a break-glass, reads it all. The count of entries
is the same for both, so nothing leaks through it; proofs still verify every entry. Through the
services, the case page's audit section and the API, on both databases."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.audit import services as audit
from shokei.audit.domain import REDACTED, canonical_json
from shokei.audit.merkle import leaf_hash
from shokei.cases import services as cases
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office, user

SECRET_REASON = "審査所見-固有の熱処理工程は他社に無い"


def _determined_case(uow: UnitOfWork) -> tuple[Office, int]:
    office = Office(uow)
    case = office.open_case(documents=1).id
    office.to_under_examination(case)
    office.examine_all(case)
    office.move(case, "determine_protection_required", office.examiner, reason=SECRET_REASON)
    return office, case


def _text(entries: list[audit.AuditEntryView]) -> str:
    return json.dumps([entry.event for entry in entries], ensure_ascii=False)


def test_an_unassigned_auditor_reads_the_entries_but_not_the_examiners_words(uow: UnitOfWork) -> None:
    office, case = _determined_case(uow)
    outsider = user(uow, Role.AUDITOR, name="auditor2")

    mine = audit.list_entries(uow, office.auditor, limit=1000)
    theirs = audit.list_entries(uow, outsider, limit=1000)
    assert SECRET_REASON in _text(mine)
    assert SECRET_REASON not in _text(theirs)
    # The same entries, in the same order, with what identifies and proves them.
    assert [(e.index, e.action, e.actor, e.at, e.subject_type, e.subject_id) for e in theirs] == [
        (e.index, e.action, e.actor, e.at, e.subject_type, e.subject_id) for e in mine
    ]
    determined = next(
        e for e in theirs if e.event["details"].get("transition") == "determine_protection_required"
    )
    assert determined.redacted
    assert determined.event["details"]["reason"] == REDACTED
    assert determined.event["details"]["transition"] == "determine_protection_required"
    proof = audit.prove_inclusion(uow, outsider, determined.index)
    assert proof.leaf_hash == determined.leaf_hash
    original = next(e for e in mine if e.index == determined.index)
    assert not original.redacted
    assert leaf_hash(canonical_json(original.event)).hex() == original.leaf_hash

    # The case page's audit section: the same rule.
    detail = cases.get_case(uow, outsider, case)
    documents = [line.id for line in detail.inventory]
    section = audit.entries_about_case(uow, outsider, case, documents, detail.opened_at)
    assert section
    assert SECRET_REASON not in _text(section)
    assert SECRET_REASON in _text(
        audit.entries_about_case(uow, office.auditor, case, documents, detail.opened_at)
    )

    # Assigned, the outsider reads it all; a break-glass opens it too.
    cases.assign_official(uow, office.manager, case, "auditor2")
    assert SECRET_REASON in _text(audit.list_entries(uow, outsider, limit=1000))
    cases.unassign_official(uow, office.manager, case, "auditor2")
    assert SECRET_REASON not in _text(audit.list_entries(uow, outsider, limit=1000))
    cases.break_glass(uow, outsider, case, "監査のため確認する")
    assert SECRET_REASON in _text(audit.list_entries(uow, outsider, limit=1000))


def test_entries_of_other_subjects_that_name_the_case_are_redacted_too(uow: UnitOfWork) -> None:
    office, case = _determined_case(uow)
    outsider = user(uow, Role.AUDITOR, name="auditor2")
    other_manager = user(uow, Role.PROGRAM_MANAGER, name="manager2")
    cases.break_glass(uow, other_manager, case, "他の管理者の理由書き")  # on the case itself
    with uow:  # what documents/records.py writes when an official reads a file of the case
        uow.record(
            "document:content:read",
            "document",
            1,
            office.examiner,
            details={"case": case, "reason": "図面の読み理由"},
        )
    theirs = _text(audit.list_entries(uow, outsider, limit=1000))
    mine = _text(audit.list_entries(uow, office.auditor, limit=1000))
    for secret in ("他の管理者の理由書き", "図面の読み理由"):
        assert secret not in theirs
        assert secret in mine
    read = next(
        e for e in audit.list_entries(uow, outsider, limit=1000) if e.action == "document:content:read"
    )
    assert read.event["details"] == {"case": case, "reason": REDACTED}


def test_the_api_redacts_for_an_unassigned_auditor(uow: UnitOfWork, api: TestClient) -> None:
    office, _ = _determined_case(uow)
    user(uow, Role.AUDITOR, name="auditor2")
    headers = {
        name: {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, name).secret}"}
        for name in ("auditor", "auditor2")
    }
    mine = api.get("/api/v1/audit/entries?limit=1000", headers=headers["auditor"])
    theirs = api.get("/api/v1/audit/entries?limit=1000", headers=headers["auditor2"])
    assert mine.status_code == theirs.status_code == 200
    assert SECRET_REASON in mine.text
    assert SECRET_REASON not in theirs.text
    assert len(mine.json()) == len(theirs.json())
    assert [e["leaf_hash"] for e in mine.json()] == [e["leaf_hash"] for e in theirs.json()]
    assert any(e["redacted"] for e in theirs.json())
