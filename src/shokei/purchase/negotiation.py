"""Valuation and negotiation: valuation guidance (the cost approach), offers and counter-offers,
and the proposed agreement with the program's standard terms, for a program manager to approve.
Split from `services` as the negotiator's side of a purchase; it also holds the two queries the
approval side reads back (a case's agreements by status, its latest valuation).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.cases import services as cases
from shokei.cases.domain import CaseRef, CaseState, Duty, ProposeAgreement, TransitionName
from shokei.cases.schemas import OfferView
from shokei.cases.services import OfferKind
from shokei.errors import N_, BadInput, Conflict, Text
from shokei.interests import services as interests
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import presenters
from shokei.purchase.access import require_negotiator, require_reader
from shokei.purchase.domain import (
    STANDARD_OBLIGATIONS,
    STANDARD_RIGHTS,
    AgreementStatus,
    ValuationInputs,
    check_amount,
    value,
)
from shokei.purchase.models import Agreement, Valuation
from shokei.purchase.schemas import AgreementView, ValuationView

_VALUATION_STATES = frozenset({CaseState.PROTECTION_REQUIRED, CaseState.NEGOTIATING})


# -- valuation -------------------------------------------------------------------------------


def record_valuation(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    development_cost_yen: int | None = None,
    development_year: int | None = None,
    reproduction_cost_yen: int | None = None,
    note: str | None = None,
) -> ValuationView:
    """Record valuation guidance: method, inputs, suggested range and ceiling (the cost approach
    of purchase.domain.value). Negotiators, once protection is required and until approval."""
    require_negotiator(actor)
    inputs = ValuationInputs(development_cost_yen, development_year, reproduction_cost_yen)
    guidance = value(inputs, uow.clock.today())
    with uow.transaction() as session:
        case = _negotiable_case(uow, actor, case_id, _VALUATION_STATES)
        row = Valuation(
            case_id=case.id,
            method=guidance.method,
            inputs={
                "development_cost_yen": development_cost_yen,
                "development_year": development_year,
                "reproduction_cost_yen": reproduction_cost_yen,
            },
            suggested_low_yen=guidance.suggested_low_yen,
            suggested_high_yen=guidance.suggested_high_yen,
            ceiling_yen=guidance.ceiling_yen,
            valued_on=uow.clock.today(),
            note=note,
            recorded_by_id=actor.user_id,
            recorded_at=uow.clock.now(),
        )
        session.add(row)
        session.flush()
        cases.record_duty(uow, case.id, actor.user_id, Duty.NEGOTIATED)
        view = presenters.valuation_view(uow, row)
        details = view.model_dump(mode="json")
        uow.record("purchase:valuation:record", "case", case.id, actor, details=details)
        return view


def get_valuation(uow: UnitOfWork, actor: Actor, case_id: int) -> ValuationView:
    """The latest valuation of a case (or what to record when there is none). Officials, auditors."""
    require_reader(actor)
    with uow.transaction() as session:
        case = cases.case_ref(uow, actor, case_id)
        cases.require_contents(uow, actor, case.id)  # the negotiation record: assigned officials
        return presenters.latest_valuation_view(uow, case.id, latest_valuation(session, case.id))


# -- negotiation -----------------------------------------------------------------------------


def make_offer(
    uow: UnitOfWork, actor: Actor, case_id: int, *, amount_yen: int, note: str | None = None
) -> OfferView:
    """MoD's offer to the supplier. Negotiators; the first offer opens the negotiation."""
    return _negotiate(uow, actor, case_id, kind=OfferKind.OFFER, amount_yen=amount_yen, note=note)


def make_counter_offer(
    uow: UnitOfWork, actor: Actor, case_id: int, *, amount_yen: int, note: str | None = None
) -> OfferView:
    """The supplier's counter-offer, as recorded by the negotiator."""
    return _negotiate(uow, actor, case_id, kind=OfferKind.COUNTER, amount_yen=amount_yen, note=note)


def agree_purchase(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    amount_yen: int,
    payment_due: date | None = None,
    note: str | None = None,
) -> AgreementView:
    """The accepted price as a proposed agreement with the program's standard terms (all rights
    transferred; no retained copies, certified destruction of the supplier's copies, no transfer
    abroad), for a program manager to approve. Negotiators; replaces an earlier proposal."""
    with uow:
        _open_negotiation_if_needed(uow, actor, case_id)
        _, agreement = _propose(
            uow, actor, case_id, amount_yen=amount_yen, payment_due=payment_due, note=note
        )
        return presenters.agreement_view(uow, agreement)


def propose_agreement(uow: UnitOfWork, command: ProposeAgreement) -> OfferView:
    """`case offer --kind agreement` (the cases feature's command): the same proposal, without
    opening the negotiation, in the caller's transaction (or one of its own)."""
    with uow:
        offer, _ = _propose(
            uow,
            command.actor,
            command.case_id,
            amount_yen=command.amount_yen,
            payment_due=None,
            note=command.note,
        )
        return offer


def _negotiate(
    uow: UnitOfWork, actor: Actor, case_id: int, *, kind: str, amount_yen: int, note: str | None
) -> OfferView:
    check_amount(amount_yen)
    with uow:
        _open_negotiation_if_needed(uow, actor, case_id)
        return cases.record_offer(uow, actor, case_id, amount_yen=amount_yen, kind=kind, note=note)


def _open_negotiation_if_needed(uow: UnitOfWork, actor: Actor, case_id: int) -> None:
    case = cases.case_ref(uow, actor, case_id)
    if case.state is CaseState.PROTECTION_REQUIRED and actor.can(Permission.CASE_NEGOTIATE):
        cases.move_case(uow, actor, case.id, TransitionName.OPEN_NEGOTIATION)


def _propose(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    amount_yen: int,
    payment_due: date | None,
    note: str | None,
) -> tuple[OfferView, Agreement]:
    if payment_due is not None and payment_due < uow.clock.today():
        raise BadInput(Text(N_("the payment date %(payment_due)s has passed"), {"payment_due": payment_due}))
    terms: dict[str, Any] = {
        "payment_due": payment_due.isoformat() if payment_due else None,
        "rights_transferred": STANDARD_RIGHTS,
        "obligations": list(STANDARD_OBLIGATIONS),
    }
    offer = cases.record_agreed_amount(uow, actor, case_id, amount_yen=amount_yen, note=note, details=terms)
    cases.record_duty(uow, case_id, actor.user_id, Duty.NEGOTIATED)
    now = uow.clock.now()
    for earlier in agreements(uow.session, case_id, AgreementStatus.PROPOSED):
        earlier.status, earlier.ended_by_id, earlier.ended_at = AgreementStatus.SUPERSEDED, actor.user_id, now
        earlier.end_reason = f"superseded by the agreement of {now.date()}"
    agreement = Agreement(
        case_id=case_id,
        status=AgreementStatus.PROPOSED,
        amount_yen=amount_yen,
        payment_due=payment_due,
        rights_transferred=STANDARD_RIGHTS,
        obligations=list(STANDARD_OBLIGATIONS),
        note=note,
        proposed_by_id=actor.user_id,
        proposed_at=now,
    )
    uow.session.add(agreement)
    uow.session.flush()
    return offer, agreement


def _negotiable_case(uow: UnitOfWork, actor: Actor, case_id: int, states: frozenset[CaseState]) -> CaseRef:
    case = cases.case_ref(uow, actor, case_id)
    if case.state not in states:
        raise Conflict(
            Text(
                N_("case %(id)s is '%(state)s'; this needs %(states)s"),
                {"id": case.id, "state": case.state, "states": " or ".join(sorted(states))},
            )
        )
    cases.refuse_if_took(uow, actor, case.id, Duty.EXAMINED, so=Text(N_("so you may not negotiate it")))
    interests.refuse_if_conflicted(uow, actor, case.company_id, "negotiate")
    return case


def agreements(session: Session, case_id: int, status: AgreementStatus) -> list[Agreement]:
    query = select(Agreement).where(Agreement.case_id == case_id, Agreement.status == status)
    return list(session.execute(query.order_by(Agreement.id)).scalars())


def latest_valuation(session: Session, case_id: int) -> Valuation | None:
    query = select(Valuation).where(Valuation.case_id == case_id).order_by(Valuation.id.desc()).limit(1)
    return session.execute(query).scalar_one_or_none()
