"""Where a hand-over stands: read-only use cases for the succession pages.

These are the succession feature's read use cases, called through `services` like the rest.
`services` answers the steps (rank, select, accept, release, download, disseminate); the pages
also have to show the state of things between the steps: has the successor accepted the
current terms, which copies were issued and downloaded, which dissemination requests wait,
whether the certificate of destruction is on record. Same rules as the services: need-to-know
through `cases.visible_cases`; a successor's users see only their own company's copies and
requests, never another recipient's; suppliers and admins hold no copies and see none.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.audit import services as audit
from shokei.cases import services as cases
from shokei.companies import services as companies
from shokei.companies.domain import CompanyRecord
from shokei.documents import services as documents
from shokei.errors import N_, Forbidden, NotFound, Text
from shokei.kernel import Actor, Role, role_name
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession import terms
from shokei.succession.models import (
    DestructionCertificate,
    DisseminationRequest,
    HandoverCopy,
    TermsAcceptance,
)
from shokei.succession.recall import ISSUED
from shokei.succession.schemas import (
    CopyDetail,
    CopyStatus,
    DestructionStatus,
    DisseminationStatus,
    HandoverStatus,
)

DOWNLOAD_ACTION = "handover:copy:download"


def _reader(actor: Actor) -> bool:
    return actor.is_official or actor.role is Role.AUDITOR


def _require_status_reader(actor: Actor) -> None:
    if not _reader(actor) and actor.role is not Role.SUCCESSOR:
        raise Forbidden(Text(N_("%(role)s may not see hand-over copies"), {"role": role_name(actor.role)}))


def _copy_status(uow: UnitOfWork, row: HandoverCopy) -> CopyStatus:
    downloads = [
        entry
        for entry in audit.entries_for_subject(uow, "copy", row.copy_id)
        if entry.action == DOWNLOAD_ACTION
    ]
    return CopyStatus(
        copy_id=row.copy_id,
        case_id=row.case_id,
        document=row.document_id,
        file_name=row.file_name,
        sha256=row.sha256,
        size=row.size,
        format=row.format,
        recipient=row.recipient_corporate_number,
        recipient_name=row.recipient_name,
        parent_copy_id=row.parent_copy_id,
        status=row.status,
        issued_at=row.issued_at,
        downloads=len(downloads),
        last_downloaded_at=downloads[-1].at if downloads else None,
    )


def _dissemination_status(
    row: DisseminationRequest, target: CompanyRecord, case_id: int
) -> DisseminationStatus:
    return DisseminationStatus(
        id=row.id,
        case_id=case_id,
        copy_id=row.copy_id,
        to=target.corporate_number or "",
        to_name=target.name,
        purpose=row.purpose,
        status=row.status,
        requested_at=row.requested_at,
        decided_at=row.decided_at,
        new_copy_id=row.new_copy_id,
        reason=row.decision_reason,
    )


def _requests_for(session: Session, uow: UnitOfWork, copies: list[HandoverCopy]) -> list[DisseminationStatus]:
    case_of = {row.copy_id: row.case_id for row in copies}
    if not case_of:
        return []
    rows = list(
        session.execute(
            select(DisseminationRequest)
            .where(DisseminationRequest.copy_id.in_(list(case_of)))
            .order_by(DisseminationRequest.id)
        ).scalars()
    )
    targets = companies.records_by_id(uow, {row.to_company_id for row in rows})  # foreign keys
    return [_dissemination_status(row, targets[row.to_company_id], case_of[row.copy_id]) for row in rows]


def handover_status(uow: UnitOfWork, actor: Actor, case_id: int) -> HandoverStatus:
    """The successor, its acceptance, the copies, the requests and the certificate of one case:
    officials and auditors see all of it; the successor's users their own company's part."""
    _require_status_reader(actor)
    with uow.transaction() as session:
        case = cases.visible_case_ref(uow, actor, case_id)
        if case is None:
            raise NotFound(Text(N_("no case %(case_id)s"), {"case_id": case_id}))
        successor = companies.record_of(uow, case.successor_company_id) if case.successor_company_id else None
        acceptance = None
        if successor is not None:
            acceptance = (
                session.execute(
                    select(TermsAcceptance)
                    .where(
                        TermsAcceptance.case_id == case_id,
                        TermsAcceptance.company_id == successor.id,
                        TermsAcceptance.terms_version == terms.TERMS_VERSION,
                        TermsAcceptance.terms_digest == terms.terms_digest(),
                    )
                    .order_by(TermsAcceptance.id)
                )
                .scalars()
                .first()
            )
        query = select(HandoverCopy).where(HandoverCopy.case_id == case_id).order_by(HandoverCopy.id)
        if not _reader(actor):
            query = query.where(HandoverCopy.recipient_company_id == actor.company_id)
        copies = list(session.execute(query).scalars())
        certificate = session.execute(
            select(DestructionCertificate).where(DestructionCertificate.case_id == case_id)
        ).scalar_one_or_none()
        return HandoverStatus(
            case_id=case_id,
            state=case.state.value,
            successor=successor.corporate_number if successor is not None else None,
            successor_name=successor.name if successor is not None else None,
            terms_version=terms.TERMS_VERSION,
            accepted=acceptance is not None,
            accepted_at=acceptance.accepted_at if acceptance is not None else None,
            copies=[_copy_status(uow, row) for row in copies],
            disseminations=_requests_for(session, uow, copies),
            destruction=DestructionStatus(
                reference=certificate.reference,
                file_sha256=certificate.file_sha256,
                recorded_at=certificate.recorded_at,
            )
            if certificate is not None
            else None,
            stored_documents=documents.stored_document_count(uow, case_id),
        )


def held_copies(uow: UnitOfWork, actor: Actor) -> tuple[list[CopyStatus], list[DisseminationStatus]]:
    """Every copy issued to the actor's company (successors and approved subcontractors), with
    the dissemination requests made for them."""
    if actor.role is not Role.SUCCESSOR or actor.company_id is None:
        raise Forbidden(Text(N_("%(role)s holds no hand-over copies"), {"role": role_name(actor.role)}))
    with uow.transaction() as session:
        rows = list(
            session.execute(
                select(HandoverCopy)
                .where(HandoverCopy.recipient_company_id == actor.company_id)
                .order_by(HandoverCopy.case_id, HandoverCopy.id)
            ).scalars()
        )
        return [_copy_status(uow, row) for row in rows], _requests_for(session, uow, rows)


def copy_detail(uow: UnitOfWork, actor: Actor, copy_id: str) -> CopyDetail:
    """One copy with its dissemination requests: its holder's users, officials and auditors."""
    _require_status_reader(actor)
    with uow.transaction() as session:
        row = session.execute(
            select(HandoverCopy).where(HandoverCopy.copy_id == copy_id)
        ).scalar_one_or_none()
        holder = (
            row is not None and actor.role is Role.SUCCESSOR and row.recipient_company_id == actor.company_id
        )
        if row is None or not (holder or _reader(actor)):
            raise NotFound(
                Text(N_("no copy %(copy_id)s"), {"copy_id": copy_id})
            )  # never tell one successor about another's copies
        return CopyDetail(
            item=_copy_status(uow, row),
            disseminations=_requests_for(session, uow, [row]),
            may_disseminate=holder and row.status == ISSUED,  # a recalled copy is not passed on
            held=holder,
        )
