"""Release of the successor's copies (or the record of a hand-over on paper), their download
and listing, and the certificate of destruction that closes the case.

Release follows the multi-phase pattern of document intake (prepare → produce files → commit
and re-check, `documents.staging`): every copy is durable (encrypted) in the copies vault before
the rows that refer to it commit, and the copies, their ledger entries and the case's move to
`handed_over` commit together, so a crash leaves at worst orphan blobs. The originals come from
`documents.export_originals`: this feature never sees where or how they are stored.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.cases import services as cases
from shokei.cases.domain import CaseState, TransitionName
from shokei.companies.domain import CompanyRecord
from shokei.documents import services as documents
from shokei.documents.schemas import FsckReport
from shokei.documents.services import RecordedBlob, Vault
from shokei.errors import N_, BadInput, Conflict, Forbidden, Text, stored
from shokei.formats.marking.base import sha256_file
from shokei.kernel import Actor, Permission, Role, role_name
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.secrets import services as secrets
from shokei.succession import terms
from shokei.succession.common import (
    company_row,
    copy_associated_data,
    found_file_associated_data,
    ledger_event,
    require_role,
    visible_case,
)
from shokei.succession.copying import (
    CopyBlob,
    Issued,
    blob_of,
    copy_event,
    copy_label,
    copy_row,
    copy_view,
    issue_copy,
    own_copy,
)
from shokei.succession.dissemination import require_accepted
from shokei.succession.fingerprint import fingerprint_file
from shokei.succession.holders import require_holder
from shokei.succession.models import (
    DestructionCertificate,
    FoundFile,
    HandoverCopy,
    TermsAcceptance,
)
from shokei.succession.recall import require_usable
from shokei.succession.schemas import (
    CopyView,
    DestructionView,
)


def release_copies(
    uow: UnitOfWork,
    vault: Vault,
    actor: Actor,
    case_id: int,
    *,
    copies: Vault,
    scratch_dir: Path,
    key: Ed25519PrivateKey,
    code_key: bytes | None = None,
) -> list[CopyView]:
    """Issue one marked copy of every document of the case to the accepted successor and move
    the case to `handed_over` (program manager).

    Prepare → produce files → commit and re-check (`documents.staging`): the case, its selected
    successor and the successor's acceptance of the terms are checked, the originals come from
    `documents.export_originals` one at a time and each copy goes into the copies vault as a
    staged blob; the transaction that records the copies and moves the case checks all of it
    again (`Conflict` if anything changed, and the copies made are discarded).
    """
    require_role(actor, Role.PROGRAM_MANAGER, N_("release documents"))
    with uow.transaction() as session:
        recipient = _release_recipient(uow, session, actor, case_id)
        designated = _designated(uow, actor, case_id, recipient[0])
    issued: list[tuple[int, Issued]] = []
    today = uow.clock.today()
    purpose = f"release of marked copies to {recipient[2]} ({recipient[1]})"
    with documents.staged_blobs(copies) as staged:
        with documents.export_originals(
            uow, vault, actor, case_id, scratch_dir=scratch_dir, purpose=purpose
        ) as originals:
            for original in originals:
                copy = issue_copy(
                    staged,
                    original.plaintext,
                    copy_label(
                        case_id,
                        recipient[2],
                        recipient[1],
                        today,
                        secret_until=designated.get(original.document_id),
                    ),
                    file_name=original.name,
                    scratch_dir=scratch_dir,
                    size_hint=original.size,
                    key=key,
                    code_key=code_key,
                    fingerprint=fingerprint_file(original.plaintext),
                    document_sha256=original.sha256,
                )
                issued.append((original.document_id, copy))
        with uow.transaction() as session:
            if _release_recipient(uow, session, actor, case_id) != recipient:
                raise Conflict(
                    Text(
                        N_("the successor of case %(case_id)s changed while its copies were made"),
                        {"case_id": case_id},
                    )
                )
            if _designated(uow, actor, case_id, recipient[0]) != designated:
                raise Conflict(
                    Text(
                        N_(
                            "the designations (装備品等秘密) of case %(case_id)s's documents changed "
                            "while its copies were made; release again"
                        ),
                        {"case_id": case_id},
                    )
                )
            rows = [
                copy_row(
                    item,
                    uow,
                    actor,
                    case_id=case_id,
                    document_id=document_id,
                    recipient_id=recipient[0],
                    parent_copy_id=None,
                )
                for document_id, item in issued
            ]
            session.add_all(rows)
            session.flush()
            uow.record_many(
                [copy_event(uow, actor, row, designated.get(row.document_id)) for row in rows],
            )
            cases.move_case(
                uow, actor, case_id, TransitionName.HAND_OVER, reason=stored(Text(N_("documents released")))
            )
            staged.referenced(*(item.stored for _, item in issued))
            return [copy_view(row) for row in rows]


def _release_recipient(uow: UnitOfWork, session: Session, actor: Actor, case_id: int) -> tuple[int, str, str]:
    """The case may be released now: (successor id, corporate number, name), or Conflict (or
    Forbidden: a suspended successor), naming the rule that fails."""
    case = visible_case(uow, actor, case_id)
    if case.state != CaseState.SUCCESSOR_SELECTION.value or case.successor_company_id is None:
        raise Conflict(
            Text(
                N_("case %(case_id)s is %(state)s without a selected successor to release to"),
                {"case_id": case_id, "state": case.state},
            )
        )
    successor = company_row(uow, case.successor_company_id)
    _require_accepted_terms(session, case_id, successor)
    require_holder(uow, successor.id, act=Text(N_("release of case %(case)s"), {"case": case_id}))
    if not documents.stored_document_count(uow, case_id):
        raise Conflict(
            Text(
                N_(
                    "case %(case_id)s has no stored documents to release; record the "
                    "hand-over of its paper documents instead"
                ),
                {"case_id": case_id},
            )
        )
    return (successor.id, successor.corporate_number or "", successor.name)


def _designated(uow: UnitOfWork, actor: Actor, case_id: int, recipient_id: int) -> dict[int, date]:
    """{document id: last day} of the case's documents designated 装備品等秘密 today, once the
    recipient is found certified for them (`secrets.require_certified`: Conflict naming the rule)."""
    document_ids = [document.id for document in documents.list_documents(uow, actor, case_id)]
    secrets.require_certified(
        uow, recipient_id, document_ids, act=Text(N_("release of case %(case)s"), {"case": case_id})
    )
    return {
        document_id: mark.until for document_id, mark in secrets.markings_in_force(uow, document_ids).items()
    }


def record_hand_over(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
) -> None:
    """Record that the documents of a case that holds none in the vault (drawings on paper)
    were handed to the successor outside Shokei (program manager).

    Stored documents reach the successor only as marked copies (`release_copies`, which records
    the hand-over itself), so a case that holds any is refused here; either way the selected
    successor must first have accepted the current terms.
    """
    require_role(actor, Role.PROGRAM_MANAGER, N_("record hand-overs"))
    with uow.transaction() as session:
        case = visible_case(uow, actor, case_id)
        if case.successor_company_id is not None:
            _require_accepted_terms(session, case_id, company_row(uow, case.successor_company_id))
            require_holder(
                uow, case.successor_company_id, act=Text(N_("hand-over of case %(case)s"), {"case": case_id})
            )
        stored = documents.stored_document_count(uow, case_id)
        if stored:
            raise Conflict(
                Text(
                    N_(
                        "case %(case_id)s holds %(stored)s stored document(s): they are handed "
                        "over by releasing marked copies to the successor (`shokei handover "
                        "release %(case_id)s`), which records the hand-over"
                    ),
                    {"case_id": case_id, "stored": stored},
                )
            )
        cases.move_case(
            uow,
            actor,
            case_id,
            TransitionName.HAND_OVER,
            reason=reason,
            expected_version=expected_version,
        )


def _require_accepted_terms(session: Session, case_id: int, successor: CompanyRecord) -> None:
    accepted = session.execute(
        select(TermsAcceptance.id).where(
            TermsAcceptance.case_id == case_id,
            TermsAcceptance.company_id == successor.id,
            TermsAcceptance.terms_version == terms.TERMS_VERSION,
            TermsAcceptance.terms_digest == terms.terms_digest(),
        )
    ).first()
    if accepted is None:
        raise Conflict(
            Text(
                N_("%(successor)s has not accepted the terms (%(terms_version)s) for case %(case_id)s"),
                {"successor": successor.name, "terms_version": terms.TERMS_VERSION, "case_id": case_id},
            )
        )


def require_downloadable(uow: UnitOfWork, row: HandoverCopy) -> None:
    """`row` is still issued (not recalled or destroyed) and its holder may open it now (see
    `holders.require_holder`), certified for designated secrets if the document is designated
    today (`secrets.require_certified`)."""
    act = Text(N_("download of copy %(copy)s"), {"copy": row.copy_id})
    require_usable(row, act)
    require_accepted(uow.session, row, act)
    require_holder(uow, row.recipient_company_id, act=act)
    secrets.require_certified(uow, row.recipient_company_id, [row.document_id], act=act)


def download_copy(uow: UnitOfWork, vault: Vault, actor: Actor, copy_id: str, out_path: Path) -> CopyView:
    """A successor's (or approved subcontractor's) user downloads its own company's copy from
    `vault`, the copies vault (`copies_vault`)."""
    with uow.transaction() as session:
        row = own_copy(session, actor, copy_id)
        require_downloadable(uow, row)
        view = copy_view(row)
        blob = blob_of(row)
        uow.record_many(
            [
                ledger_event(
                    uow, actor, "handover:copy:download", "copy", copy_id, sha256=row.sha256, case=row.case_id
                )
            ]
        )
    vault.export_to_path(blob, copy_associated_data(copy_id), out_path)
    return view


def stream_copy(
    uow: UnitOfWork, vault: Vault, actor: Actor, copy_id: str
) -> tuple[CopyView, Iterator[bytes]]:
    """Like `download_copy`, as verified plaintext chunks (the API streams them)."""
    with uow.transaction() as session:
        row = own_copy(session, actor, copy_id)
        require_downloadable(uow, row)
        view, blob = copy_view(row), blob_of(row)
        uow.record_many(
            [
                ledger_event(
                    uow, actor, "handover:copy:download", "copy", copy_id, sha256=row.sha256, case=row.case_id
                )
            ]
        )
    return view, vault.iter_plaintext(blob, copy_associated_data(copy_id))


def list_copies(uow: UnitOfWork, actor: Actor, case_id: int) -> list[CopyView]:
    """The copies issued for a case: officials see all, a company-bound user its own."""
    with uow.transaction() as session:
        query = select(HandoverCopy).where(HandoverCopy.case_id == case_id).order_by(HandoverCopy.id)
        if actor.is_company_bound:
            query = query.where(HandoverCopy.recipient_company_id == actor.company_id)
        elif not actor.is_official and actor.role is not Role.AUDITOR:
            raise Forbidden(Text(N_("%(role)s may not list copies"), {"role": role_name(actor.role)}))
        return [copy_view(row) for row in session.execute(query).scalars()]


def record_destruction_certificate(
    uow: UnitOfWork, actor: Actor, case_id: int, *, reference: str, certificate: Path | None = None
) -> DestructionView:
    """Record the supplier's certificate of destruction of its own copies and close the case
    (program manager; the case must have been handed over)."""
    require_role(actor, Role.PROGRAM_MANAGER, N_("record destruction certificates"))
    if not reference.strip():
        raise BadInput(Text(N_("a certificate reference is required")))
    digest = sha256_file(certificate) if certificate is not None else None
    with uow.transaction() as session:
        case = visible_case(uow, actor, case_id)
        if case.state != CaseState.HANDED_OVER.value:
            raise Conflict(
                Text(
                    N_("case %(case_id)s is %(state)s: certificates of destruction follow the hand-over"),
                    {"case_id": case_id, "state": case.state},
                )
            )
        row = DestructionCertificate(
            case_id=case_id,
            reference=reference.strip(),
            file_sha256=digest,
            recorded_by_id=actor.user_id,
            recorded_at=uow.clock.now(),
        )
        session.add(row)
        session.flush()
        cases.note_destruction_certificate(uow, case_id)
        uow.record_many(
            [
                ledger_event(
                    uow,
                    actor,
                    "handover:destruction:record",
                    "case",
                    str(case_id),
                    reference=row.reference,
                    file_sha256=digest,
                )
            ]
        )
        cases.move_case(
            uow,
            actor,
            case_id,
            TransitionName.CLOSE,
            reason=stored(Text(N_("certificate of destruction %(reference)s"), {"reference": row.reference})),
        )
        return DestructionView(
            case_id=case_id,
            reference=row.reference,
            file_sha256=digest,
            recorded_at=row.recorded_at,
            state=CaseState.CLOSED.value,
        )


# -- the copies vault's fixity check (part of `shokei vault fsck`) ----------------------------


def _recorded(row: HandoverCopy) -> RecordedBlob:
    owner = Text(
        N_("copy %(copy)s of document %(document)s for %(recipient)s"),
        {"copy": row.copy_id, "document": row.document_id, "recipient": row.recipient_corporate_number},
    )
    return RecordedBlob(
        blob_of(row), row.ciphertext_sha256, copy_associated_data(row.copy_id), row.document_id, owner
    )


def _recorded_evidence(row: FoundFile) -> RecordedBlob:
    blob = CopyBlob(row.blob_id, row.wrapped_key, row.sha256, row.size)
    owner = Text(N_("found file %(id)s (%(name)s) kept as evidence"), {"id": row.id, "name": row.file_name})
    return RecordedBlob(blob, row.ciphertext_sha256, found_file_associated_data(row.sha256), None, owner)


def check_copies(uow: UnitOfWork, vault: Vault, actor: Actor, *, deep: bool = False) -> FsckReport:
    """Check every issued copy's blob in the copies vault against its recorded hash (deep: decrypt
    and check the plaintext too) and list orphan blobs no copy refers to; nothing is deleted.
    Admins and auditors (vault maintenance); the run is audited."""
    if not actor.can(Permission.VAULT_MAINTAIN):
        raise Forbidden(
            Text(
                N_("%(role)s may not %(vault_maintain)s"),
                {"role": role_name(actor.role), "vault_maintain": Permission.VAULT_MAINTAIN},
            )
        )
    recorded = itertools.chain(
        documents.rows_in_batches(uow, HandoverCopy, _recorded),
        documents.rows_in_batches(uow, FoundFile, _recorded_evidence),
    )
    report = documents.check_blobs(vault, recorded, deep=deep, referrer=Text(N_("copy")))
    with uow:
        details = documents.ledger_details(report)
        uow.record_many([ledger_event(uow, actor, "vault:fsck:run", "vault", "copies", **details)])
    return report


def copies_holder(uow: UnitOfWork, vault: Vault) -> documents.BlobHolder:
    """The copies vault and the copy rows that refer to its blobs, for `shokei vault gc` (which
    removes only orphans older than its grace period that no copy row refers to)."""

    def referenced() -> set[str]:
        with uow.transaction() as session:
            return set(session.execute(select(HandoverCopy.blob_id)).scalars())

    def refers_to(blob_id: str) -> bool:
        with uow.transaction() as session:
            found = select(HandoverCopy.id).where(HandoverCopy.blob_id == blob_id).limit(1)
            return session.execute(found).first() is not None

    return documents.BlobHolder("copies", vault, referenced, refers_to)
