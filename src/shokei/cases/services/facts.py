"""The facts the transition guards read: inventory counts, who took which duty, the successor,
the destruction certificates and whether a purchase commitment stands open. Duties,
certificates and the open commitment are pushed in by the features that record them
(examination, purchase, succession), so cases never asks the features above it."""

from __future__ import annotations

from sqlalchemy import func, select

from shokei.cases.domain import DUTY_NAMES, CaseFacts, CaseState, Duty, TransitionName
from shokei.cases.models import CaseDuty, CaseMeasure, CaseTransitionRecord, ExitCase, InventoryLine, Offer
from shokei.db import insert_unless_present
from shokei.errors import N_, Forbidden, Text
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork

_EXAMINER_MOVES = {TransitionName.DETERMINE_PROTECTION_REQUIRED, TransitionName.DETERMINE_NOT_SIGNIFICANT}
_NEGOTIATOR_MOVES = {TransitionName.OPEN_NEGOTIATION, TransitionName.FAIL_NEGOTIATION}


def record_duty(uow: UnitOfWork, case_id: int, user_id: int, duty: Duty) -> None:
    """An official took `duty` in the case (pushed by the feature where it was taken)."""
    with uow:
        insert_unless_present(uow.session, CaseDuty, case_id=case_id, user_id=user_id, duty=duty.value)


def note_destruction_certificate(uow: UnitOfWork, case_id: int) -> None:
    """The supplier's certificate of destruction was recorded (pushed by succession)."""
    with uow:
        case = uow.session.get_one(ExitCase, case_id)
        case.destruction_certificates += 1
        uow.session.flush()


def note_purchase_open(uow: UnitOfWork, case_id: int, *, open: bool) -> None:
    """The case's purchase is committed and not yet paid, cancelled or lapsed (`open`), or no
    longer is (pushed by purchase on approval, payment, cancellation and lapse)."""
    with uow:
        case = uow.session.get_one(ExitCase, case_id)
        case.purchase_open = open
        uow.session.flush()


def note_measure(uow: UnitOfWork, case_id: int, *, measure_id: int, kind: str, status: str) -> None:
    """A measure was decided for the case, or its status changed (pushed by measures)."""
    with uow:
        row = uow.session.get(CaseMeasure, measure_id)
        if row is None:
            uow.session.add(CaseMeasure(measure_id=measure_id, case_id=case_id, kind=kind, status=status))
        else:
            row.status = status
        uow.session.flush()


def _duty_holders(uow: UnitOfWork, case_id: int) -> tuple[frozenset[int], frozenset[int]]:
    """Everyone who examined and everyone who negotiated the case, by user id."""
    with uow:
        facts = case_facts(uow, uow.session.get_one(ExitCase, case_id))
        return facts.examiner_user_ids, facts.negotiator_user_ids


def refuse_if_took(uow: UnitOfWork, actor: Actor, case_id: int, duty: Duty, *, so: Text) -> None:
    """Separation of duties outside the moves (offers, scores, overrides): refuse an official who
    took `duty` in the case; `so` says what that bars, e.g. "so you may not negotiate it"."""
    examiners, negotiators = _duty_holders(uow, case_id)
    if actor.user_id in (examiners if duty is Duty.EXAMINED else negotiators):
        raise Forbidden(
            Text(
                N_("separation of duties: you %(duty)s this case, %(so)s"),
                {"duty": Text(DUTY_NAMES[duty]), "so": so},
            )
        )


def case_facts(uow: UnitOfWork, case: ExitCase) -> CaseFacts:
    session = uow.session
    lines = session.execute(
        select(func.count(), func.count(InventoryLine.examined_by_id)).where(InventoryLine.case_id == case.id)
    ).one()
    moves = session.execute(
        select(CaseTransitionRecord.name, CaseTransitionRecord.actor_id).where(
            CaseTransitionRecord.case_id == case.id
        )
    ).all()
    examined_lines = session.execute(
        select(InventoryLine.examined_by_id).where(
            InventoryLine.case_id == case.id, InventoryLine.examined_by_id.is_not(None)
        )
    ).scalars()
    offer_makers = session.execute(select(Offer.made_by_id).where(Offer.case_id == case.id)).scalars()
    duties = session.execute(select(CaseDuty.user_id, CaseDuty.duty).where(CaseDuty.case_id == case.id)).all()
    examiners = {user for user in examined_lines if user is not None}
    examiners |= {actor for name, actor in moves if name in _EXAMINER_MOVES}
    examiners |= {user for user, duty in duties if duty == Duty.EXAMINED}
    negotiators = set(offer_makers) | {actor for name, actor in moves if name in _NEGOTIATOR_MOVES}
    negotiators |= {user for user, duty in duties if duty == Duty.NEGOTIATED}
    total, examined = lines
    return CaseFacts(
        state=CaseState(case.state),
        company_id=case.company_id,
        inventory_lines=int(total),
        unexamined_documents=int(total) - int(examined),
        agreed_amount_yen=case.agreed_amount_yen,
        examiner_user_ids=frozenset(examiners),
        negotiator_user_ids=frozenset(negotiators),
        successor_company_id=case.successor_company_id,
        destruction_certificates=case.destruction_certificates,
        purchase_open=case.purchase_open,
    )
