"""The dissemination register: a holder asks to pass its copy to a named subcontractor, a
program manager approves, and the subcontractor gets its own copy derived from the holder's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.companies import services as companies
from shokei.documents import services as documents
from shokei.documents.services import Vault
from shokei.errors import N_, BadInput, Conflict, NotFound, Text
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.secrets import services as secrets
from shokei.succession import terms
from shokei.succession.common import (
    company_row,
    copy_associated_data,
    ledger_event,
    require_role,
    visible_case,
)
from shokei.succession.copying import (
    blob_of,
    copy_event,
    copy_label,
    copy_row,
    copy_view,
    fingerprint_of,
    issue_copy,
    own_copy,
)
from shokei.succession.holders import require_holder
from shokei.succession.models import (
    DisseminationRequest,
    HandoverCopy,
)
from shokei.succession.recall import require_usable
from shokei.succession.schemas import (
    ApprovedDissemination,
    DisseminationView,
)

# A request's status for a refusal: the code in English renderings (the JSON's words), a word in
# Japanese.
REQUEST_STATUS_NAMES = {
    "requested": N_("requested"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "accepted": N_("accepted"),
}


def request_status_name(status: str) -> Text:
    if status in REQUEST_STATUS_NAMES:
        return Text(REQUEST_STATUS_NAMES[status])
    return Text("%(status)s", {"status": status})


def request_dissemination(
    uow: UnitOfWork, actor: Actor, copy_id: str, *, to: str, purpose: str
) -> DisseminationView:
    """The holder of a copy asks to pass it to a named subcontractor, for a purpose."""
    if not purpose.strip():
        raise BadInput(Text(N_("a purpose is required")))
    with uow.transaction() as session:
        row = own_copy(session, actor, copy_id)
        doing = Text(N_("dissemination of copy %(copy)s"), {"copy": copy_id})
        require_usable(row, doing)
        require_holder(uow, row.recipient_company_id, act=doing)
        target = company_row(uow, companies.company_id_for(uow, to))
        if target.id == row.recipient_company_id:
            raise BadInput(Text(N_("a company cannot disseminate to itself")))
        request = DisseminationRequest(
            copy_id=copy_id,
            to_company_id=target.id,
            purpose=purpose.strip(),
            status="requested",
            requested_by_id=actor.user_id,
            requested_at=uow.clock.now(),
        )
        session.add(request)
        session.flush()
        uow.record_many(
            [
                ledger_event(
                    uow,
                    actor,
                    "handover:dissemination:request",
                    "dissemination",
                    str(request.id),
                    copy_id=copy_id,
                    to=target.corporate_number,
                    purpose=request.purpose,
                )
            ]
        )
        return DisseminationView(
            id=request.id,
            copy_id=copy_id,
            to=target.corporate_number or "",
            purpose=request.purpose,
            status="requested",
        )


def _require_parties(
    uow: UnitOfWork, request_id: int, holder_id: int, subcontractor_id: int, document_id: int
) -> date | None:
    """The holder is not suspended and still passes the holder rules; the subcontractor too (the
    security compliance rule reads its certification at this moment: `holders.require_holder`),
    and, when the document is designated 装備品等秘密 today, is certified for it
    (`secrets.require_certified`). Returns the designation's last day (None: not designated)."""
    act = Text(N_("dissemination request %(request)s"), {"request": request_id})
    require_holder(uow, holder_id, act=act)
    require_holder(uow, subcontractor_id, act=act)
    secrets.require_certified(uow, subcontractor_id, [document_id], act=act)
    marking = secrets.markings_in_force(uow, [document_id]).get(document_id)
    return marking.until if marking is not None else None


def approve_dissemination(
    uow: UnitOfWork,
    vault: Vault,
    actor: Actor,
    request_id: int,
    *,
    scratch_dir: Path,
    key: Ed25519PrivateKey,
    code_key: bytes | None = None,
) -> ApprovedDissemination:
    """A program manager approves a request: the subcontractor gets a new copy derived from
    the requester's, marked for it and traced to it.

    Prepare → produce files → commit and re-check (`documents.staging`): the request and the
    subcontractor's eligibility are checked, the new copy is made from the parent copy and staged
    in the copies vault, and the transaction that records it checks again that the request is
    still open (`Conflict` otherwise, and the new copy is discarded).
    """
    require_role(actor, Role.PROGRAM_MANAGER, N_("approve dissemination"))
    with uow.transaction() as session:
        request = session.get(DisseminationRequest, request_id)
        if request is None:
            raise NotFound(Text(N_("no dissemination request %(request_id)s"), {"request_id": request_id}))
        if request.status != "requested":
            raise Conflict(
                Text(
                    N_("dissemination request %(request_id)s is already %(status)s"),
                    {"request_id": request_id, "status": request_status_name(request.status)},
                )
            )
        parent = session.execute(
            select(HandoverCopy).where(HandoverCopy.copy_id == request.copy_id)
        ).scalar_one()
        require_usable(parent, Text(N_("dissemination request %(request)s"), {"request": request_id}))
        target = company_row(uow, request.to_company_id)
        visible_case(uow, actor, parent.case_id)
        secret_until = _require_parties(
            uow, request_id, parent.recipient_company_id, target.id, parent.document_id
        )
        parent_blob, parent_id = blob_of(parent), parent.copy_id
        parent_fields = (parent.case_id, parent.document_id, parent.file_name, parent.document_sha256)
        parent_fingerprint = fingerprint_of(parent.fingerprint)
        recipient = (target.id, target.corporate_number or "", target.name)
    case_id, document_id, file_name, document_sha256 = parent_fields
    prefix = f"{parent_id}-"
    name = file_name[len(prefix) :] if file_name.startswith(prefix) else file_name
    with documents.staged_blobs(vault) as staged:
        # The parent copy's plaintext, like the new copy's, lives only in an anonymous file.
        size = parent_blob.plaintext_size
        with documents.anonymous_file(scratch_dir, size, name="shokei-parent-copy") as source:
            with source.open("wb") as sink:
                vault.read_into(parent_blob, copy_associated_data(parent_id), sink)
            label = copy_label(
                case_id, recipient[2], recipient[1], uow.clock.today(), secret_until=secret_until
            )
            issued = issue_copy(
                staged,
                source,
                label,
                file_name=name,
                scratch_dir=scratch_dir,
                size_hint=size,
                key=key,
                code_key=code_key,
                fingerprint=parent_fingerprint,
                document_sha256=document_sha256,
            )
        with uow.transaction() as session:
            request = session.get(DisseminationRequest, request_id)
            assert request is not None
            if request.status != "requested":
                raise Conflict(
                    Text(
                        N_("dissemination request %(request_id)s is already %(status)s"),
                        {"request_id": request_id, "status": request_status_name(request.status)},
                    )
                )
            holder_id = session.execute(
                select(HandoverCopy.recipient_company_id).where(HandoverCopy.copy_id == parent_id)
            ).scalar_one()
            if _require_parties(uow, request_id, holder_id, recipient[0], document_id) != secret_until:
                raise Conflict(
                    Text(
                        N_(
                            "the designation (装備品等秘密) of document %(document_id)s changed while "
                            "the copy was made"
                        ),
                        {"document_id": document_id},
                    )
                )
            row = copy_row(
                issued,
                uow,
                actor,
                case_id=case_id,
                document_id=document_id,
                recipient_id=recipient[0],
                parent_copy_id=parent_id,
            )
            session.add(row)
            request.status = "approved"
            request.decided_by_id = actor.user_id
            request.decided_at = uow.clock.now()
            request.new_copy_id = row.copy_id
            session.flush()
            uow.record_many(
                [
                    ledger_event(
                        uow,
                        actor,
                        "handover:dissemination:approve",
                        "dissemination",
                        str(request_id),
                        copy_id=parent_id,
                        new_copy_id=row.copy_id,
                        to=recipient[1],
                    ),
                    copy_event(uow, actor, row, secret_until),
                ],
            )
            staged.referenced(issued.stored)
        return ApprovedDissemination(
            id=request_id,
            copy_id=row.copy_id,
            parent_copy_id=parent_id,
            to=recipient[1],
            purpose=request.purpose,
            status=request.status,
            new_copy=copy_view(row),
        )


def _request_view(uow: UnitOfWork, request: DisseminationRequest) -> DisseminationView:
    target = company_row(uow, request.to_company_id)
    return DisseminationView(
        id=request.id,
        copy_id=request.copy_id,
        to=target.corporate_number or "",
        purpose=request.purpose,
        status=request.status,
        reason=request.decision_reason,
    )


def reject_dissemination(uow: UnitOfWork, actor: Actor, request_id: int, *, reason: str) -> DisseminationView:
    """A program manager rejects an open request with a reason (no copy is made)."""
    require_role(actor, Role.PROGRAM_MANAGER, N_("reject dissemination"))
    if not reason.strip():
        raise BadInput(Text(N_("a rejection names its reason")))
    with uow.transaction() as session:
        request = session.get(DisseminationRequest, request_id)
        if request is None:
            raise NotFound(Text(N_("no dissemination request %(request_id)s"), {"request_id": request_id}))
        if request.status != "requested":
            raise Conflict(
                Text(
                    N_("dissemination request %(request_id)s is already %(status)s"),
                    {"request_id": request_id, "status": request_status_name(request.status)},
                )
            )
        request.status, request.decision_reason = "rejected", reason.strip()
        request.decided_by_id, request.decided_at = actor.user_id, uow.clock.now()
        session.flush()
        uow.record(
            "handover:dissemination:reject",
            "dissemination",
            request.id,
            actor,
            before={"status": "requested"},
            after={"status": "rejected"},
            details={"reason": request.decision_reason, "copy_id": request.copy_id},
        )
        return _request_view(uow, request)


def accept_dissemination(uow: UnitOfWork, actor: Actor, request_id: int) -> DisseminationView:
    """The subcontractor's user accepts the terms of an approved dissemination: only then can
    its copy be downloaded. Another company's users learn nothing of the request."""
    with uow.transaction() as session:
        request = session.get(DisseminationRequest, request_id)
        if request is None or actor.role is not Role.SUCCESSOR or actor.company_id != request.to_company_id:
            raise NotFound(Text(N_("no dissemination request %(request_id)s"), {"request_id": request_id}))
        if request.status != "approved":
            raise Conflict(
                Text(
                    N_("dissemination request %(request_id)s is %(status)s, not approved"),
                    {"request_id": request_id, "status": request_status_name(request.status)},
                )
            )
        request.status, request.accepted_at, request.accepted_by = "accepted", uow.clock.now(), actor.username
        session.flush()
        uow.record(
            "handover:dissemination:accept",
            "dissemination",
            request.id,
            actor,
            before={"status": "approved"},
            after={"status": "accepted"},
            details={
                "copy_id": request.new_copy_id,
                "terms_version": terms.TERMS_VERSION,
                "terms_digest": terms.terms_digest(),
            },
        )
        return _request_view(uow, request)


def require_accepted(session: Session, row: HandoverCopy, doing: str | Text) -> None:
    """A subcontractor's copy is opened only once its user accepted the terms (Conflict)."""
    if row.parent_copy_id is None:
        return
    status = session.execute(
        select(DisseminationRequest.status).where(DisseminationRequest.new_copy_id == row.copy_id)
    ).scalar_one_or_none()
    if status != "accepted":
        msgid = N_(
            "%(act)s refused: terms: the subcontractor has not accepted the terms of the dissemination "
            "of copy %(copy)s (`shokei handover accept-dissemination REQUEST_ID`)"
        )
        raise Conflict(Text(msgid, {"act": doing, "copy": row.copy_id}))
