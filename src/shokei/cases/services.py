"""Exit-case use cases. Each: authorise, load, decide (cases.domain), save, audit — one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from shokei.accounts.models import User
from shokei.audit import services as audit
from shokei.cases.domain import (
    INVENTORY_EDITABLE_STATES,
    CaseFacts,
    CaseRef,
    CaseState,
    ExitReason,
    InventoryItem,
    Transition,
    TransitionName,
    TransitionRequest,
    available_transitions,
    days_remaining,
    decide,
    is_overdue,
)
from shokei.cases.models import CaseTransitionRecord, ExitCase, InventoryLine, Offer
from shokei.cases.schemas import CaseDetail, CaseSummary, HistoryItem, InventoryLineView, OfferView
from shokei.companies import services as companies
from shokei.errors import BadInput, Conflict, Forbidden, NotFound
from shokei.kernel import Actor, AuditEvent, Permission, Role
from shokei.kernel.unit_of_work import UnitOfWork

_EXAMINER_MOVES = {TransitionName.DETERMINE_PROTECTION_REQUIRED, TransitionName.DETERMINE_NOT_SIGNIFICANT}
_NEGOTIATOR_MOVES = {TransitionName.OPEN_NEGOTIATION, TransitionName.FAIL_NEGOTIATION}


class OfferKind:
    OFFER = "offer"
    COUNTER = "counter"
    AGREEMENT = "agreement"


# -- need-to-know ----------------------------------------------------------------------------


def visible_cases(actor: Actor) -> Select[ExitCase]:
    """Every case query starts here, so no adapter can forget the row filter."""
    if not actor.can(Permission.CASE_READ):
        raise Forbidden(f"{actor.role} may not read cases")
    query = select(ExitCase)
    if actor.role is Role.SUPPLIER:
        return query.where(ExitCase.company_id == actor.company_id)
    if actor.role is Role.SUCCESSOR:
        return query.where(ExitCase.successor_company_id == actor.company_id)
    return query


def _load(session: Session, actor: Actor, case_id: int) -> ExitCase:
    case = session.execute(visible_cases(actor).where(ExitCase.id == case_id)).scalar_one_or_none()
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


@contextmanager
def write_transaction(uow: UnitOfWork) -> Iterator[Session]:
    """A transaction that changes a case: a concurrent change of the same case is a Conflict.

    Features that build on cases (examination, purchase) open theirs with it too.
    """
    try:
        with uow.transaction() as session:
            yield session
    except StaleDataError:
        raise Conflict("the case was changed by someone else at the same time; reload and retry") from None


def _event(uow: UnitOfWork, actor: Actor, action: str, case: ExitCase, **fields: Any) -> AuditEvent:
    return AuditEvent(action, "case", str(case.id), uow.clock.now(), actor, **fields)


# -- use cases -------------------------------------------------------------------------------


def open_case(
    uow: UnitOfWork, actor: Actor, *, company: str, reason: str, planned_exit_date: date
) -> CaseDetail:
    """Register an exit notice. Intake officers for any company, suppliers for their own."""
    if not actor.can(Permission.CASE_OPEN):
        raise Forbidden(f"{actor.role} may not open cases")
    try:
        exit_reason = ExitReason(reason)
    except ValueError:
        raise BadInput(f"reason {reason!r} is not one of: {', '.join(ExitReason)}") from None
    with write_transaction(uow) as session:
        company_id = companies.company_id_for(session, company)
        if actor.role is Role.SUPPLIER and actor.company_id != company_id:
            raise Forbidden("a supplier may notify exit only for its own company")
        case = ExitCase(
            company_id=company_id,
            state=CaseState.NOTIFIED.value,
            reason=exit_reason.value,
            planned_exit_date=planned_exit_date,
            opened_at=uow.clock.now(),
            opened_by_id=actor.user_id,
        )
        session.add(case)
        session.flush()
        _history(session, uow, actor, case, name="open", source=None, target=CaseState.NOTIFIED, reason=None)
        audit.record(session, _event(uow, actor, "case:case:open", case, after=_snapshot(case)))
        return _detail(session, uow, case)


def add_inventory_line(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    title: str,
    drawing_number: str | None = None,
    revision: str | None = None,
    component: str | None = None,
    weapon_system: str | None = None,
) -> InventoryLineView:
    """Describe one handed-in document. The case's supplier or an intake officer, before examination."""
    if not actor.can(Permission.CASE_INVENTORY_WRITE):
        raise Forbidden(f"{actor.role} may not edit document inventories")
    if not title.strip():
        raise BadInput("a document needs a title")
    with write_transaction(uow) as session:
        case = _load(session, actor, case_id)
        if CaseState(case.state) not in INVENTORY_EDITABLE_STATES:
            raise Conflict(f"the inventory is closed once the case is '{case.state}'")
        line = InventoryLine(
            case_id=case.id,
            title=title.strip(),
            drawing_number=drawing_number,
            revision=revision,
            component=component,
            weapon_system=weapon_system,
            created_by_id=actor.user_id,
            created_at=uow.clock.now(),
        )
        session.add(line)
        session.flush()
        view = _line_view(line)
        audit.record(
            session, _event(uow, actor, "case:inventory:add", case, after=view.model_dump(mode="json"))
        )
        return view


def require_inventory_open(session: Session, actor: Actor, case_id: int) -> int:
    """For the documents feature: the case exists for this actor and still takes documents."""
    if not actor.can(Permission.CASE_INVENTORY_WRITE):
        raise Forbidden(f"{actor.role} may not hand in documents")
    case = _load(session, actor, case_id)
    if CaseState(case.state) not in INVENTORY_EDITABLE_STATES:
        raise Conflict(f"the inventory is closed once the case is '{case.state}'")
    return case.id


def link_stored_document(
    session: Session, uow: UnitOfWork, actor: Actor, case_id: int, *, document_id: int, title: str
) -> int:
    """An inventory line for a stored file, in the caller's transaction (its audit event covers it)."""
    line = InventoryLine(
        case_id=case_id,
        title=title[:500],
        created_by_id=actor.user_id,
        created_at=uow.clock.now(),
        document_id=document_id,
    )
    session.add(line)
    session.flush()
    return line.id


def describe_stored_document(
    session: Session,
    document_id: int,
    *,
    title: str | None,
    drawing_number: str | None,
    revision: str | None,
    component: str | None,
    weapon_system: str | None,
) -> None:
    """Keep a stored file's inventory line in step with its description (caller audits)."""
    line = session.execute(select(InventoryLine).where(InventoryLine.document_id == document_id)).scalar_one()
    if title:
        line.title = title
    line.drawing_number, line.revision = drawing_number, revision
    line.component, line.weapon_system = component, weapon_system


def visible_case_ids(actor: Actor) -> Select[int]:
    """Ids of the cases this actor may know of, for other features' row filters."""
    return visible_cases(actor).with_only_columns(ExitCase.id)


def examine_document(
    uow: UnitOfWork, actor: Actor, case_id: int, line_id: int, *, note: str
) -> InventoryLineView:
    """Record that an examiner has examined one inventory document, with a note.

    The policy's scores (`shokei exam score`) are the full examination; a note-only examination
    lets the examiner determine on judgement alone (see examination.domain.settle).
    """
    if actor.role is not Role.EXAMINER:
        raise Forbidden("only an examiner may examine documents")
    if not note.strip():
        raise BadInput("an examination note is required")
    with write_transaction(uow) as session:
        case = _load(session, actor, case_id)
        _refuse_if_conflicted(session, actor, case.company_id, "examine")
        line = _examinable_line(session, case, line_id)
        line.examined_by_id, line.examined_at, line.examination_note = actor.user_id, uow.clock.now(), note
        audit.record(
            session,
            _event(uow, actor, "case:document:examine", case, details={"document": line_id, "note": note}),
        )
        return _line_view(line)


def _examinable_line(session: Session, case: ExitCase, line_id: int) -> InventoryLine:
    if case.state != CaseState.UNDER_EXAMINATION:
        raise Conflict(f"documents are examined while the case is under examination, not '{case.state}'")
    line = session.get(InventoryLine, line_id)
    if line is None or line.case_id != case.id:
        raise NotFound(f"no document {line_id} in case {case.id}")
    return line


def transition_case(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    name: str,
    *,
    reason: str | None = None,
    successor: str | None = None,
    expected_version: int | None = None,
) -> CaseDetail:
    """Move a case along the workflow; role, state and guards are decided by cases.domain.

    Moves that carry records of another feature are made by that feature, however they are
    asked for: a determination is weighed under the examination policy, an approval commits
    the fiscal year's budget and a cancellation releases it.
    """
    transition_name = _parse_transition(name)
    owner = _owner_of(transition_name)
    if owner is not None:
        owner(uow, actor, case_id, _OwnedMoveRequest(reason, successor, expected_version))
        return get_case(uow, actor, case_id)
    with write_transaction(uow) as session:
        successor_id = _domestic_company_id(session, successor) if successor else None
        move_case(
            session,
            uow,
            actor,
            case_id,
            transition_name,
            reason=reason,
            successor_id=successor_id,
            expected_version=expected_version,
        )
        return _detail(session, uow, _load(session, actor, case_id))


def _parse_transition(name: str) -> TransitionName:
    try:
        return TransitionName(name)
    except ValueError:
        raise BadInput(f"unknown transition {name!r}; one of: {', '.join(TransitionName)}") from None


def record_offer(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    amount_yen: int,
    kind: str = OfferKind.OFFER,
    note: str | None = None,
) -> OfferView:
    """Record an offer, a counter-offer or the agreed amount. Negotiators, while negotiating.

    An agreement is proposed through the purchase feature (with its standard terms), so a
    program manager always approves an agreement on record.
    """
    if kind not in (OfferKind.OFFER, OfferKind.COUNTER, OfferKind.AGREEMENT):
        raise BadInput(f"offer kind {kind!r} is not one of: offer, counter, agreement")
    with write_transaction(uow) as session:
        if kind == OfferKind.AGREEMENT:
            return _propose_agreement(session, uow, actor, case_id, amount_yen=amount_yen, note=note)
        return record_offer_in(session, uow, actor, case_id, amount_yen=amount_yen, kind=kind, note=note)


def agree_purchase(uow: UnitOfWork, actor: Actor, case_id: int, *, amount_yen: int) -> OfferView:
    """The negotiated agreement a program manager must then approve."""
    return record_offer(uow, actor, case_id, amount_yen=amount_yen, kind=OfferKind.AGREEMENT)


def get_case(uow: UnitOfWork, actor: Actor, case_id: int) -> CaseDetail:
    """One case with inventory, offers and history, if the actor may know of it."""
    with uow.transaction() as session:
        return _detail(session, uow, _load(session, actor, case_id))


def list_cases(uow: UnitOfWork, actor: Actor, *, state: str | None = None) -> list[CaseSummary]:
    """Cases the actor may know of, newest first."""
    with uow.transaction() as session:
        query = visible_cases(actor).order_by(ExitCase.id.desc())
        if state:
            query = query.where(ExitCase.state == _parse_state(state).value)
        cases = list(session.execute(query).scalars())
        names = companies.views_by_id(session, (c.company_id for c in cases))
        return [_summary(uow, case, names) for case in cases]


def count_by_state(uow: UnitOfWork, actor: Actor) -> dict[str, int]:
    with uow.transaction() as session:
        visible = visible_cases(actor).subquery()
        rows = session.execute(select(visible.c.state, func.count()).group_by(visible.c.state))
        return {str(state): int(count) for state, count in rows}


# -- for the features that build on cases (examination, purchase) ---------------------------
# They run these inside their own transaction (opened with `write_transaction`), so their
# records and the case's move commit together or not at all.


def case_ref(session: Session, actor: Actor, case_id: int) -> CaseRef:
    """The case, if the actor may know of it."""
    return _ref(_load(session, actor, case_id))


def inventory_items(session: Session, case_id: int) -> list[InventoryItem]:
    lines = session.execute(
        select(InventoryLine).where(InventoryLine.case_id == case_id).order_by(InventoryLine.id)
    ).scalars()
    return [_item(line) for line in lines]


def mark_document_examined(
    session: Session, uow: UnitOfWork, actor: Actor, case_id: int, line_id: int, *, note: str
) -> InventoryItem:
    """The document counts as examined (the determination guard); the caller audits.

    The first examiner stays on the line: later ones are known to the examination feature.
    """
    line = _examinable_line(session, _load(session, actor, case_id), line_id)
    if line.examined_by_id is None:
        line.examined_by_id, line.examined_at, line.examination_note = actor.user_id, uow.clock.now(), note
    return _item(line)


def check_move(
    session: Session,
    actor: Actor,
    case_id: int,
    name: TransitionName,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
) -> None:
    """Raise whatever `move_case` would refuse (state, role, guards), changing nothing."""
    _decide(
        session,
        actor,
        _load(session, actor, case_id),
        name,
        reason=reason,
        successor_id=None,
        expected_version=expected_version,
    )


def move_case(
    session: Session,
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    name: TransitionName,
    *,
    reason: str | None = None,
    successor_id: int | None = None,
    expected_version: int | None = None,
    details: dict[str, Any] | None = None,
) -> CaseRef:
    """Make one move in the caller's transaction: decide, change, history and one audit entry."""
    case = _load(session, actor, case_id)
    transition = _decide(
        session,
        actor,
        case,
        name,
        reason=reason,
        successor_id=successor_id,
        expected_version=expected_version,
    )
    before = _snapshot(case)
    case.state = transition.target.value
    action = "case:status:change"
    if name is TransitionName.SELECT_SUCCESSOR:
        case.successor_company_id = successor_id
        action = "case:successor:select"
    if name is TransitionName.CANCEL_PURCHASE:
        case.agreed_amount_yen = None
    session.flush()
    source = CaseState(before["state"])
    _history(session, uow, actor, case, name=name, source=source, target=transition.target, reason=reason)
    audit.record(
        session,
        _event(
            uow,
            actor,
            action,
            case,
            before=before,
            after=_snapshot(case),
            details={"transition": name.value, "reason": reason, **(details or {})},
        ),
    )
    return _ref(case)


def record_offer_in(
    session: Session,
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    amount_yen: int,
    kind: str,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> OfferView:
    """An offer, counter-offer or agreed amount, audited, in the caller's transaction."""
    if not actor.can(Permission.CASE_NEGOTIATE):
        raise Forbidden("only a negotiator may record offers")
    if amount_yen <= 0:
        raise BadInput("an amount must be a positive number of yen")
    case = _load(session, actor, case_id)
    if case.state != CaseState.NEGOTIATING:
        raise Conflict(f"offers are recorded while negotiating; the case is '{case.state}'")
    if actor.user_id in _facts(session, case).examiner_user_ids:
        raise Forbidden("separation of duties: you examined this case, so you may not negotiate it")
    _refuse_if_conflicted(session, actor, case.company_id, "negotiate")
    offer = Offer(
        case_id=case.id,
        kind=kind,
        amount_yen=amount_yen,
        made_by_id=actor.user_id,
        at=uow.clock.now(),
        note=note,
    )
    session.add(offer)
    before = _snapshot(case)
    if kind == OfferKind.AGREEMENT:
        case.agreed_amount_yen = amount_yen
    session.flush()
    audit.record(
        session,
        _event(
            uow,
            actor,
            f"case:offer:{kind}",
            case,
            before=before,
            after=_snapshot(case),
            details={"amount_yen": amount_yen, **(details or {})},
        ),
    )
    return OfferView(
        id=offer.id, kind=kind, amount_yen=amount_yen, made_by=actor.username, at=offer.at, note=note
    )


def withdraw_agreed_amount(
    session: Session, uow: UnitOfWork, actor: Actor, case_id: int, *, details: dict[str, Any]
) -> None:
    """The proposed agreement is withdrawn before approval: no amount is agreed any more."""
    case = _load(session, actor, case_id)
    before = _snapshot(case)
    case.agreed_amount_yen = None
    session.flush()
    audit.record(
        session,
        _event(
            uow, actor, "case:offer:withdraw", case, before=before, after=_snapshot(case), details=details
        ),
    )


def offers_of(session: Session, case_id: int) -> list[OfferView]:
    offers = list(session.execute(select(Offer).where(Offer.case_id == case_id).order_by(Offer.id)).scalars())
    users = _usernames(session, {o.made_by_id for o in offers})
    return [
        OfferView(
            id=o.id, kind=o.kind, amount_yen=o.amount_yen, made_by=users[o.made_by_id], at=o.at, note=o.note
        )
        for o in offers
    ]


def company_names(session: Session, case_ids: Iterable[int]) -> dict[int, str]:
    """The withdrawing company's name for each case."""
    rows = session.execute(
        select(ExitCase.id, ExitCase.company_id).where(ExitCase.id.in_(set(case_ids)))
    ).all()
    names = companies.views_by_id(session, {company for _, company in rows})
    return {case: names[company].name for case, company in rows}


def duty_holders(session: Session, case_id: int) -> tuple[frozenset[int], frozenset[int]]:
    """Everyone who examined and everyone who negotiated the case, by user id."""
    facts = _facts(session, session.get_one(ExitCase, case_id))
    return facts.examiner_user_ids, facts.negotiator_user_ids


# -- the features that build on cases, reached at call time ---------------------------------
# Examination and purchase load and move cases through this module, so importing them here at
# import time would be a cycle; each is imported where it is called, by the functions below.


def _refuse_if_conflicted(session: Session, actor: Actor, company_id: int, doing: str) -> None:
    from shokei.examination import services as examination  # noqa: PLC0415 - see above

    examination.refuse_if_conflicted(session, actor, company_id, doing)


def _other_duty_holders(session: Session, case_id: int) -> tuple[set[int], set[int]]:
    """Examiners who scored or determined, negotiators who valued or proposed an agreement."""
    from shokei.examination import services as examination  # noqa: PLC0415 - see above
    from shokei.purchase import services as purchase  # noqa: PLC0415 - see above

    return examination.examiner_ids(session, case_id), purchase.negotiator_ids(session, case_id)


def _propose_agreement(
    session: Session, uow: UnitOfWork, actor: Actor, case_id: int, *, amount_yen: int, note: str | None
) -> OfferView:
    from shokei.purchase import services as purchase  # noqa: PLC0415 - see above

    return purchase.propose_agreement_in(session, uow, actor, case_id, amount_yen=amount_yen, note=note)


def _destruction_certificates(session: Session, case: ExitCase) -> int:
    """Certificates of destruction recorded for a handed-over case (asked only then)."""
    if case.state != CaseState.HANDED_OVER.value:
        return 0
    from shokei.succession import services as succession  # noqa: PLC0415 - see above

    return succession.destruction_certificate_count(session, case.id)


@dataclass(frozen=True, slots=True)
class _OwnedMoveRequest:
    reason: str | None
    successor: str | None
    expected_version: int | None


_OwnedMove = Callable[[UnitOfWork, Actor, int, _OwnedMoveRequest], object]


def _owner_of(name: TransitionName) -> _OwnedMove | None:
    """The feature that makes this move, when the move carries that feature's records."""
    from shokei.examination import services as examination  # noqa: PLC0415 - see above
    from shokei.purchase import services as purchase  # noqa: PLC0415 - see above
    from shokei.succession import services as succession  # noqa: PLC0415 - see above

    def determine(requested: str) -> _OwnedMove:
        return lambda uow, actor, case_id, move: examination.determine_case(
            uow,
            actor,
            case_id,
            requested=requested,
            rationale=move.reason,
            expected_version=move.expected_version,
        )

    owners: dict[TransitionName, _OwnedMove] = {
        TransitionName.DETERMINE_PROTECTION_REQUIRED: determine("protection_required"),
        TransitionName.DETERMINE_NOT_SIGNIFICANT: determine("not_significant"),
        TransitionName.APPROVE_PURCHASE: lambda uow, actor, case_id, move: purchase.approve_purchase(
            uow, actor, case_id, override_reason=move.reason, expected_version=move.expected_version
        ),
        TransitionName.CANCEL_PURCHASE: lambda uow, actor, case_id, move: purchase.cancel_purchase(
            uow,
            actor,
            case_id,
            reason=move.reason or "",
            expected_version=move.expected_version,
            approved_only=True,
        ),
        # Eligibility, the reason and the successor's notice belong to the succession feature.
        TransitionName.SELECT_SUCCESSOR: lambda uow, actor, case_id, move: succession.select_successor(
            uow,
            actor,
            case_id,
            move.successor or "",
            reason=move.reason or "",
            expected_version=move.expected_version,
        ),
        # Stored documents are handed over only as marked copies, after the terms are accepted.
        TransitionName.HAND_OVER: lambda uow, actor, case_id, move: succession.record_hand_over(
            uow, actor, case_id, reason=move.reason, expected_version=move.expected_version
        ),
    }
    return owners.get(name)


# -- helpers ---------------------------------------------------------------------------------


def _parse_state(value: str) -> CaseState:
    try:
        return CaseState(value)
    except ValueError:
        raise BadInput(f"state {value!r} is not one of: {', '.join(CaseState)}") from None


def _domestic_company_id(session: Session, identifier: str) -> int:
    # Only Japanese companies have corporate numbers, so resolving one proves domestic registration.
    return companies.company_id_for(session, identifier)


def _facts(session: Session, case: ExitCase) -> CaseFacts:
    lines = list(session.execute(select(InventoryLine).where(InventoryLine.case_id == case.id)).scalars())
    moves = session.execute(
        select(CaseTransitionRecord.name, CaseTransitionRecord.actor_id).where(
            CaseTransitionRecord.case_id == case.id
        )
    ).all()
    offer_makers = session.execute(select(Offer.made_by_id).where(Offer.case_id == case.id)).scalars()
    examiners = {line.examined_by_id for line in lines if line.examined_by_id is not None}
    examiners |= {actor for name, actor in moves if name in _EXAMINER_MOVES}
    negotiators = set(offer_makers) | {actor for name, actor in moves if name in _NEGOTIATOR_MOVES}
    other_examiners, other_negotiators = _other_duty_holders(session, case.id)
    examiners |= other_examiners
    negotiators |= other_negotiators
    return CaseFacts(
        state=CaseState(case.state),
        company_id=case.company_id,
        inventory_lines=len(lines),
        unexamined_documents=sum(1 for line in lines if line.examined_by_id is None),
        agreed_amount_yen=case.agreed_amount_yen,
        examiner_user_ids=frozenset(examiners),
        negotiator_user_ids=frozenset(negotiators),
        successor_company_id=case.successor_company_id,
        destruction_certificates=_destruction_certificates(session, case),
    )


def _decide(
    session: Session,
    actor: Actor,
    case: ExitCase,
    name: TransitionName,
    *,
    reason: str | None,
    successor_id: int | None,
    expected_version: int | None,
) -> Transition:
    if expected_version is not None and expected_version != case.version:
        raise Conflict(f"case {case.id} is at version {case.version}, not {expected_version}")
    return decide(actor, _facts(session, case), TransitionRequest(name, reason, successor_id))


def _ref(case: ExitCase) -> CaseRef:
    return CaseRef(case.id, case.company_id, CaseState(case.state), case.agreed_amount_yen, case.version)


def _item(line: InventoryLine) -> InventoryItem:
    return InventoryItem(
        id=line.id,
        title=line.title,
        drawing_number=line.drawing_number,
        revision=line.revision,
        component=line.component,
        weapon_system=line.weapon_system,
        document_id=line.document_id,
        examined_by_id=line.examined_by_id,
    )


def _usernames(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return {
        row.id: row.username
        for row in session.execute(select(User.id, User.username).where(User.id.in_(user_ids)))
    }


def _snapshot(case: ExitCase) -> dict[str, Any]:
    return {
        "state": case.state,
        "version": case.version,
        "successor_company_id": case.successor_company_id,
        "agreed_amount_yen": case.agreed_amount_yen,
    }


def _history(
    session: Session,
    uow: UnitOfWork,
    actor: Actor,
    case: ExitCase,
    *,
    name: str,
    source: CaseState | None,
    target: CaseState,
    reason: str | None,
) -> None:
    session.add(
        CaseTransitionRecord(
            case_id=case.id,
            name=str(name),
            from_state=source.value if source else None,
            to_state=target.value,
            actor_id=actor.user_id,
            actor_role=actor.role.value,
            at=uow.clock.now(),
            reason=reason,
        )
    )
    session.flush()


def _line_view(line: InventoryLine) -> InventoryLineView:
    return InventoryLineView(
        id=line.id,
        case_id=line.case_id,
        title=line.title,
        drawing_number=line.drawing_number,
        revision=line.revision,
        component=line.component,
        weapon_system=line.weapon_system,
        examined=line.examined_by_id is not None,
        examination_note=line.examination_note,
    )


def _summary(uow: UnitOfWork, case: ExitCase, names: dict[int, Any]) -> CaseSummary:
    company = names[case.company_id]
    today = uow.clock.today()
    return CaseSummary(
        id=case.id,
        state=case.state,
        company_corporate_number=company.corporate_number,
        company_name=company.name,
        reason=case.reason,
        planned_exit_date=case.planned_exit_date,
        days_remaining=days_remaining(case.planned_exit_date, today),
        overdue=is_overdue(CaseState(case.state), case.planned_exit_date, today),
        version=case.version,
    )


def _detail(session: Session, uow: UnitOfWork, case: ExitCase) -> CaseDetail:
    ids = [case.company_id] + ([case.successor_company_id] if case.successor_company_id else [])
    names = companies.views_by_id(session, ids)
    successor = names.get(case.successor_company_id) if case.successor_company_id else None
    lines = session.execute(
        select(InventoryLine).where(InventoryLine.case_id == case.id).order_by(InventoryLine.id)
    ).scalars()
    moves = list(
        session.execute(
            select(CaseTransitionRecord)
            .where(CaseTransitionRecord.case_id == case.id)
            .order_by(CaseTransitionRecord.id)
        ).scalars()
    )
    users = _usernames(session, {m.actor_id for m in moves})
    return CaseDetail(
        **_summary(uow, case, names).model_dump(),
        opened_at=case.opened_at,
        successor_corporate_number=successor.corporate_number if successor else None,
        successor_name=successor.name if successor else None,
        agreed_amount_yen=case.agreed_amount_yen,
        available_transitions=[t.value for t in available_transitions(CaseState(case.state))],
        inventory=[_line_view(line) for line in lines],
        offers=offers_of(session, case.id),
        history=[
            HistoryItem(
                transition=m.name,
                from_state=m.from_state,
                to_state=m.to_state,
                actor=users[m.actor_id],
                role=m.actor_role,
                at=m.at,
                reason=m.reason,
            )
            for m in moves
        ],
    )
