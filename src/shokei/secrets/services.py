"""Designation of handed-in documents as 装備品等秘密 (Art. 27), their renewal and lifting, the
register with each designated document's holders, and the two checks the release of copies
makes (succession asks: `markings_in_force`, `require_certified`).

Who may: a program manager designates, renews and lifts (`Permission.DESIGNATION_WRITE`); officials
and auditors read the register (`Permission.DESIGNATION_READ`), within need-to-know on the cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shokei.cases import services as cases
from shokei.companies import access as certifications
from shokei.companies import services as companies
from shokei.documents import services as documents
from shokei.errors import N_, Conflict, Forbidden, NotFound, Text
from shokei.kernel import Actor, Permission, role_name
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.secrets.domain import (
    LEDGER_TAGS,
    DesignationAction,
    DesignationChanged,
    DesignationStatus,
    DocumentHolders,
    NotCertifiedForSecrets,
    SecretMarking,
    certification_gap,
    check_designation,
    check_renewal,
    expiring_within,
    in_force,
    require_reason,
    status_on,
)
from shokei.secrets.models import SecretDesignation, SecretDesignationEntry
from shokei.secrets.schemas import DesignationView, HistoryEntryView, HolderView

_STANDING = DesignationStatus.DESIGNATED.value  # stored status of a designation not lifted


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise Forbidden(
            Text(
                N_("%(role)s may not %(permission)s"),
                {"role": role_name(actor.role), "permission": permission},
            )
        )


# -- designate, renew, lift -------------------------------------------------------------------


def designate_document(
    uow: UnitOfWork, actor: Actor, document_id: int, *, until: date, reason: str
) -> DesignationView:
    """Designate one document as 装備品等秘密 until `until` (program manager). A document already
    designated (not lifted) is refused (Conflict): renew it instead."""
    _require(actor, Permission.DESIGNATION_WRITE)
    text = require_reason(reason)
    check_designation(until, uow.clock.today())
    with uow.transaction() as session:
        document = documents.get_document(uow, actor, document_id)
        if _standing(session, document_id) is not None:
            raise Conflict(
                Text(
                    N_("document %(document_id)s is already designated: renew or lift it"),
                    {"document_id": document_id},
                )
            )
        row = _designate(uow, session, actor, document_id, case_id=document.case_id, until=until, reason=text)
        return _views(uow, session, actor, [row], history=True)[0]


def designate_case(
    uow: UnitOfWork, actor: Actor, case_id: int, *, until: date, reason: str
) -> list[DesignationView]:
    """Designate every stored document of a case (program manager); documents already designated
    are left as they are. Returns the designations made now."""
    _require(actor, Permission.DESIGNATION_WRITE)
    text = require_reason(reason)
    check_designation(until, uow.clock.today())
    with uow.transaction() as session:
        found = documents.list_documents(uow, actor, case_id)
        if not found:
            raise Conflict(
                Text(N_("case %(case_id)s has no stored documents to designate"), {"case_id": case_id})
            )
        rows = [
            _designate(uow, session, actor, document.id, case_id=case_id, until=until, reason=text)
            for document in found
            if _standing(session, document.id) is None
        ]
        return _views(uow, session, actor, rows, history=True)


def renew_designation(
    uow: UnitOfWork, actor: Actor, document_id: int, *, until: date, reason: str | None = None
) -> DesignationView:
    """Extend a document's designation to a later last day (program manager); an expired one may
    be renewed, a lifted one not (designate again)."""
    _require(actor, Permission.DESIGNATION_WRITE)
    with uow.transaction() as session:
        documents.get_document(uow, actor, document_id)
        row = _latest(session, document_id)
        check_renewal(row.status, row.valid_until, until, uow.clock.today())
        before = row.valid_until
        row.valid_until = until
        text = reason.strip() if reason and reason.strip() else None
        _act(
            uow,
            session,
            actor,
            row,
            DesignationAction.RENEW,
            reason=text,
            before={"until": before.isoformat()},
        )
        return _views(uow, session, actor, [row], history=True)[0]


def lift_designation(uow: UnitOfWork, actor: Actor, document_id: int, *, reason: str) -> DesignationView:
    """Lift a document's designation with a reason (program manager). It stays on the register,
    marked lifted; copies made afterwards carry no marking."""
    _require(actor, Permission.DESIGNATION_WRITE)
    text = require_reason(reason)
    with uow.transaction() as session:
        documents.get_document(uow, actor, document_id)
        row = _standing(session, document_id)
        if row is None:
            raise Conflict(
                Text(N_("document %(document_id)s has no designation to lift"), {"document_id": document_id})
            )
        row.status = DesignationStatus.LIFTED.value
        row.lifted_by_id, row.lifted_at, row.lift_reason = actor.user_id, uow.clock.now(), text
        _act(uow, session, actor, row, DesignationAction.LIFT, reason=text, before={"status": _STANDING})
        return _views(uow, session, actor, [row], history=True)[0]


def _designate(
    uow: UnitOfWork,
    session: Session,
    actor: Actor,
    document_id: int,
    *,
    case_id: int,
    until: date,
    reason: str,
) -> SecretDesignation:
    row = SecretDesignation(
        document_id=document_id,
        case_id=case_id,
        reason=reason,
        valid_until=until,
        status=_STANDING,
        designated_by_id=actor.user_id,
        designated_at=uow.clock.now(),
    )
    try:
        with session.begin_nested():  # the partial unique index settles a race between two officials
            session.add(row)
    except IntegrityError:
        raise Conflict(
            Text(
                N_("document %(document_id)s is already designated: renew or lift it"),
                {"document_id": document_id},
            )
        ) from None
    _act(uow, session, actor, row, DesignationAction.DESIGNATE, reason=reason, before=None)
    return row


def _act(
    uow: UnitOfWork,
    session: Session,
    actor: Actor,
    row: SecretDesignation,
    action: DesignationAction,
    *,
    reason: str | None,
    before: dict[str, str] | None,
) -> None:
    """The history line, the ledger entry and the event of one act, in its transaction."""
    session.add(
        SecretDesignationEntry(
            designation_id=row.id,
            action=action.value,
            valid_until=row.valid_until,
            reason=reason,
            actor_id=actor.user_id,
            actor_name=actor.username,
            at=uow.clock.now(),
        )
    )
    session.flush()
    uow.record(
        LEDGER_TAGS[action],
        "document",
        row.document_id,
        actor,
        before=before,
        after={"until": row.valid_until.isoformat(), "status": row.status},
        details={"case": row.case_id, "designation": row.id, "reason": reason},
    )
    status = status_on(row.status, row.valid_until, uow.clock.today())
    uow.publish(DesignationChanged(row.id, row.document_id, row.case_id, action, row.valid_until, status))


def _standing(session: Session, document_id: int) -> SecretDesignation | None:
    return session.execute(
        select(SecretDesignation).where(
            SecretDesignation.document_id == document_id, SecretDesignation.status == _STANDING
        )
    ).scalar_one_or_none()


def _latest(session: Session, document_id: int) -> SecretDesignation:
    row = session.execute(
        select(SecretDesignation)
        .where(SecretDesignation.document_id == document_id)
        .order_by(SecretDesignation.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(
            Text(N_("document %(document_id)s was never designated"), {"document_id": document_id})
        )
    return row


# -- reads ------------------------------------------------------------------------------------


def list_designations(
    uow: UnitOfWork,
    actor: Actor,
    *,
    expiring_within_days: int | None = None,
    case_id: int | None = None,
) -> list[DesignationView]:
    """The register: every designation (lifted ones too, marked so) on the cases the actor may
    see, soonest to end first, each with the companies holding copies. `expiring_within_days`:
    only those not lifted ending within that many days (already expired included). Officials
    and auditors."""
    _require(actor, Permission.DESIGNATION_READ)
    today = uow.clock.today()
    with uow.transaction() as session:
        query = select(SecretDesignation).where(SecretDesignation.case_id.in_(cases.visible_case_ids(actor)))
        if case_id is not None:
            query = query.where(SecretDesignation.case_id == case_id)
        rows = list(
            session.execute(query.order_by(SecretDesignation.valid_until, SecretDesignation.id)).scalars()
        )
        if expiring_within_days is not None:
            rows = [
                row
                for row in rows
                if row.status == _STANDING and expiring_within(row.valid_until, today, expiring_within_days)
            ]
        return _views(uow, session, actor, rows, history=False)


def document_designations(uow: UnitOfWork, actor: Actor, document_id: int) -> list[DesignationView]:
    """Every designation of one document, latest first, each with its history (officials and
    auditors; the document must be one they may see)."""
    _require(actor, Permission.DESIGNATION_READ)
    with uow.transaction() as session:
        documents.get_document(uow, actor, document_id)
        rows = list(
            session.execute(
                select(SecretDesignation)
                .where(SecretDesignation.document_id == document_id)
                .order_by(SecretDesignation.id.desc())
            ).scalars()
        )
        return _views(uow, session, actor, rows, history=True)


def _views(
    uow: UnitOfWork, session: Session, actor: Actor, rows: Sequence[SecretDesignation], *, history: bool
) -> list[DesignationView]:
    if not rows:
        return []
    today = uow.clock.today()
    titles = _titles(uow, actor, {row.case_id for row in rows})
    holders = _holders(uow, [row.document_id for row in rows])
    entries = _history(session, [row.id for row in rows]) if history else {}
    return [
        DesignationView(
            id=row.id,
            document_id=row.document_id,
            case_id=row.case_id,
            document_title=titles.get(row.document_id, f"#{row.document_id}"),
            until=row.valid_until,
            status=status_on(row.status, row.valid_until, today).value,
            reason=row.reason,
            designated_at=row.designated_at,
            lifted_at=row.lifted_at,
            lift_reason=row.lift_reason,
            days_left=(row.valid_until - today).days,
            holders=holders.get(row.document_id, []),
            history=entries.get(row.id, []),
        )
        for row in rows
    ]


def _titles(uow: UnitOfWork, actor: Actor, case_ids: Iterable[int]) -> dict[int, str]:
    titles: dict[int, str] = {}
    for case_id in sorted(case_ids):
        for document in documents.list_documents(uow, actor, case_id):
            titles[document.id] = document.title or document.path
    return titles


def _holders(uow: UnitOfWork, document_ids: Sequence[int]) -> dict[int, list[HolderView]]:
    """Who holds copies, asked of the feature keeping the register of copies (none answers: empty)."""
    if not uow.bus.handles(DocumentHolders):
        return {}
    held: dict[int, list[tuple[str, str, str]]] = uow.handle(
        DocumentHolders(tuple(sorted(set(document_ids))))
    )
    found: dict[int, list[HolderView]] = {}
    for document_id, copies in held.items():
        by_company: dict[str, HolderView] = {}
        for number, name, copy_id in copies:
            holder = by_company.setdefault(number, HolderView(corporate_number=number, name=name))
            holder.copies.append(copy_id)
        found[document_id] = list(by_company.values())
    return found


def _history(session: Session, designation_ids: Sequence[int]) -> dict[int, list[HistoryEntryView]]:
    rows = session.execute(
        select(SecretDesignationEntry)
        .where(SecretDesignationEntry.designation_id.in_(list(designation_ids)))
        .order_by(SecretDesignationEntry.id)
    ).scalars()
    found: dict[int, list[HistoryEntryView]] = {}
    for entry in rows:
        found.setdefault(entry.designation_id, []).append(
            HistoryEntryView(
                action=entry.action,
                until=entry.valid_until,
                reason=entry.reason,
                by=entry.actor_name,
                at=entry.at,
            )
        )
    return found


# -- what the release of copies asks ----------------------------------------------------------


def markings_in_force(uow: UnitOfWork, document_ids: Iterable[int]) -> dict[int, SecretMarking]:
    """{document id: its marking} for the documents whose designation is in force today (for the
    feature making copies, inside its own use case: it has checked its actor)."""
    wanted = sorted(set(document_ids))
    if not wanted:
        return {}
    today = uow.clock.today()
    with uow.transaction() as session:
        rows = session.execute(
            select(
                SecretDesignation.document_id, SecretDesignation.valid_until, SecretDesignation.status
            ).where(SecretDesignation.document_id.in_(wanted), SecretDesignation.status == _STANDING)
        ).all()
        return {
            document_id: SecretMarking(document_id, until)
            for document_id, until, status in rows
            if in_force(status, until, today)
        }


def require_certified(
    uow: UnitOfWork, company_id: int, document_ids: Iterable[int], *, act: str | Text
) -> None:
    """Refuse `act` (`NotCertifiedForSecrets`, a Conflict, exit 4) when any of the documents is
    designated today and the company's certification is not in force today or does not cover
    `designated_secret`."""
    designated = tuple(sorted(markings_in_force(uow, document_ids)))
    if not designated:
        return
    with uow:
        certification = certifications.certification_of(uow, company_id)
        gap, why = certification_gap(certification, uow.clock.today())
        if gap is not None:
            name = companies.views_by_id(uow, [company_id])[company_id].name
            raise NotCertifiedForSecrets(act, name, designated, gap, why)
