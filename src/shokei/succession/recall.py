"""Recall and return: every issued copy has a status, `issued` → `recalled` → `destroyed`.

An official (program manager) recalls a copy with a reason, or every copy a company holds; the
copies derived from a recalled copy (its subcontractors') are recalled with it. A recalled copy
can no longer be downloaded or passed on. Its holder then records its certificate of
destruction (a reference, and the scanned certificate's sha256), and the copy is `destroyed`.
The recalls still waiting for their certificate are listed (`outstanding_recalls`).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.companies import services as companies
from shokei.errors import N_, BadInput, Conflict, Forbidden, NotFound, Text
from shokei.formats.marking.base import sha256_file
from shokei.kernel import Actor, Role, role_name
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession.common import require_role
from shokei.succession.domain import CopyRecalled, CopyReturned
from shokei.succession.models import HandoverCopy
from shokei.succession.schemas import RecallView

ISSUED, RECALLED, DESTROYED = "issued", "recalled", "destroyed"
STATUSES = (ISSUED, RECALLED, DESTROYED)


def recall_view(row: HandoverCopy) -> RecallView:
    return RecallView(
        copy_id=row.copy_id,
        case_id=row.case_id,
        recipient=row.recipient_corporate_number,
        recipient_name=row.recipient_name,
        parent_copy_id=row.parent_copy_id,
        status=row.status,
        recalled_at=row.recalled_at,
        recalled_by=row.recalled_by,
        recall_reason=row.recall_reason,
        destroyed_at=row.destroyed_at,
        destruction_reference=row.destruction_reference,
        destruction_sha256=row.destruction_sha256,
    )


STATUS_NAMES = {ISSUED: N_("issued"), RECALLED: N_("recalled"), DESTROYED: N_("destroyed")}


def status_name(status: str) -> Text:
    """A copy's status for a refusal: the code in English, a word in Japanese."""
    return Text(STATUS_NAMES[status]) if status in STATUS_NAMES else Text("%(status)s", {"status": status})


def require_usable(row: HandoverCopy, doing: str | Text) -> None:
    """A copy recalled or destroyed is no longer opened or passed on (Conflict, exit 4)."""
    if row.status != ISSUED:
        values = {"act": doing, "copy": row.copy_id, "status": status_name(row.status)}
        if row.recall_reason:
            msgid = N_("%(act)s refused: status: copy %(copy)s is %(status)s: %(reason)s")
            raise Conflict(Text(msgid, {**values, "reason": row.recall_reason}))
        raise Conflict(Text(N_("%(act)s refused: status: copy %(copy)s is %(status)s"), values))


def _copy(session: Session, copy_id: str) -> HandoverCopy:
    row = session.execute(select(HandoverCopy).where(HandoverCopy.copy_id == copy_id)).scalar_one_or_none()
    if row is None:
        raise NotFound(Text(N_("no copy %(copy_id)s"), {"copy_id": copy_id}))
    return row


def _recall(uow: UnitOfWork, actor: Actor, row: HandoverCopy, reason: str, *, by: str | None) -> None:
    row.status, row.recalled_at = RECALLED, uow.clock.now()
    row.recalled_by, row.recall_reason = actor.username, reason
    uow.record(
        "handover:copy:recall",
        "copy",
        row.copy_id,
        actor,
        before={"status": ISSUED},
        after={"status": RECALLED},
        details={
            "reason": reason,
            "case": row.case_id,
            "recipient": row.recipient_corporate_number,
            **({"with": by} if by else {}),
        },
    )
    uow.publish(CopyRecalled(row.copy_id, row.case_id, row.recipient_company_id))


def _recall_with_derived(uow: UnitOfWork, actor: Actor, row: HandoverCopy, reason: str) -> list[HandoverCopy]:
    """Recall `row` and, transitively, the issued copies derived from it."""
    session = uow.session
    recalled, pending = [row], [row.copy_id]
    _recall(uow, actor, row, reason, by=None)
    while pending:
        parent = pending.pop()
        children = session.execute(
            select(HandoverCopy)
            .where(HandoverCopy.parent_copy_id == parent, HandoverCopy.status == ISSUED)
            .order_by(HandoverCopy.id)
        ).scalars()
        for child in children:
            _recall(uow, actor, child, reason, by=row.copy_id)
            recalled.append(child)
            pending.append(child.copy_id)
    return recalled


def recall_copy(uow: UnitOfWork, actor: Actor, copy_id: str, *, reason: str) -> list[RecallView]:
    """Recall an issued copy with a reason, with the copies derived from it (program manager).
    The copies recalled, the one asked for first."""
    require_role(actor, Role.PROGRAM_MANAGER, N_("recall copies"))
    if not reason.strip():
        raise BadInput(Text(N_("a recall names its reason")))
    with uow.transaction() as session:
        row = _copy(session, copy_id)
        if row.status != ISSUED:
            msgid = N_("recall of copy %(copy)s refused: it is already %(status)s")
            raise Conflict(Text(msgid, {"copy": copy_id, "status": status_name(row.status)}))
        recalled = _recall_with_derived(uow, actor, row, reason.strip())
        session.flush()
        return [recall_view(item) for item in recalled]


def recall_company_copies(uow: UnitOfWork, actor: Actor, company: str, *, reason: str) -> list[RecallView]:
    """Recall every issued copy a company holds, with the copies derived from them (program
    manager). Conflict when it holds none."""
    require_role(actor, Role.PROGRAM_MANAGER, N_("recall copies"))
    if not reason.strip():
        raise BadInput(Text(N_("a recall names its reason")))
    with uow.transaction() as session:
        company_id = companies.company_id_for(uow, company)
        rows = list(
            session.execute(
                select(HandoverCopy)
                .where(HandoverCopy.recipient_company_id == company_id, HandoverCopy.status == ISSUED)
                .order_by(HandoverCopy.id)
            ).scalars()
        )
        if not rows:
            raise Conflict(
                Text(N_("company %(company)s holds no issued copy to recall"), {"company": company})
            )
        recalled: list[HandoverCopy] = []
        for row in rows:
            if row.status == ISSUED:  # not recalled already as derived from an earlier one
                recalled.extend(_recall_with_derived(uow, actor, row, reason.strip()))
        session.flush()
        return [recall_view(item) for item in recalled]


def return_copy(
    uow: UnitOfWork, actor: Actor, copy_id: str, *, reference: str, certificate: Path | None = None
) -> RecallView:
    """Record the holder's certificate of destruction of one copy (a reference, and the scanned
    certificate whose sha256 is kept): the copy is `destroyed`. The holder's own users or a
    program manager; a copy already destroyed is refused."""
    if not reference.strip():
        raise BadInput(Text(N_("a certificate of destruction names its reference")))
    digest = sha256_file(certificate) if certificate is not None else None
    with uow.transaction() as session:
        row = _copy(session, copy_id)
        holder = actor.role is Role.SUCCESSOR and actor.company_id == row.recipient_company_id
        if not holder and actor.role is not Role.PROGRAM_MANAGER:
            if actor.is_company_bound:
                raise NotFound(
                    Text(N_("no copy %(copy_id)s"), {"copy_id": copy_id})
                )  # never tell one company about another's copies
            raise Forbidden(
                Text(N_("%(role)s may not record the return of copies"), {"role": role_name(actor.role)})
            )
        if row.status == DESTROYED:
            msgid = N_("return of copy %(copy)s refused: it is already destroyed (%(reference)s)")
            raise Conflict(Text(msgid, {"copy": copy_id, "reference": row.destruction_reference}))
        before = row.status
        row.status, row.destroyed_at, row.destroyed_by = DESTROYED, uow.clock.now(), actor.username
        row.destruction_reference, row.destruction_sha256 = reference.strip(), digest
        session.flush()
        uow.record(
            "handover:copy:return",
            "copy",
            row.copy_id,
            actor,
            before={"status": before},
            after={"status": DESTROYED},
            details={"reference": row.destruction_reference, "file_sha256": digest, "case": row.case_id},
        )
        uow.publish(CopyReturned(row.copy_id))
        return recall_view(row)


def outstanding_recalls(uow: UnitOfWork, actor: Actor) -> list[RecallView]:
    """Copies recalled and not yet returned, oldest recall first: officials and auditors see all,
    a company's users their own company's."""
    with uow.transaction() as session:
        query = select(HandoverCopy).where(HandoverCopy.status == RECALLED)
        if actor.is_company_bound:
            query = query.where(HandoverCopy.recipient_company_id == actor.company_id)
        elif not actor.is_official and actor.role is not Role.AUDITOR:
            raise Forbidden(Text(N_("%(role)s may not list recalls"), {"role": role_name(actor.role)}))
        rows = session.execute(query.order_by(HandoverCopy.recalled_at, HandoverCopy.id)).scalars()
        return [recall_view(row) for row in rows]
