"""Purchase use cases: valuation guidance, offers and the agreement, approval against the
fiscal-year budget, payment, cancellation, and the budget itself. Each: authorise, load, decide
(purchase.domain), save, audit — one transaction.

The budget is never over-committed: every commitment, payment, release and appropriation locks
its fiscal year's `budget_years` row (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite every
writing transaction already holds the database's write lock from BEGIN IMMEDIATE) and only then
sums the year's lines, so two approvals can never both spend the same yen.

Lock order, the same in every use case, so PostgreSQL never deadlocks: the budget year, then the
case row, then the ledger head (taken by the first audit append).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shokei.accounts.domain import Actor, Permission, Role
from shokei.audit import services as audit
from shokei.audit.domain import AuditEvent
from shokei.cases import services as cases
from shokei.cases.domain import CaseRef, CaseState, TransitionName
from shokei.cases.schemas import OfferView
from shokei.cases.services import OfferKind
from shokei.db import UnitOfWork
from shokei.errors import BadInput, Conflict, Forbidden
from shokei.examination import services as examination
from shokei.purchase import views
from shokei.purchase.domain import (
    STANDARD_OBLIGATIONS,
    STANDARD_RIGHTS,
    AgreementStatus,
    BudgetPosition,
    LineStatus,
    NoAppropriation,
    ValuationInputs,
    check_amount,
    check_appropriation,
    check_ceiling,
    check_commitment,
    check_payment,
    fiscal_year,
    fiscal_year_span,
    value,
)
from shokei.purchase.models import Agreement, BudgetLine, BudgetYear, Valuation
from shokei.purchase.schemas import (
    AgreementView,
    ApprovalView,
    BudgetView,
    PurchaseView,
    ValuationView,
)

DEMO_APPROPRIATION_YEN = 1_000_000_000  # the program's FY2022 request (DOMAIN.md)
_FIRST_FISCAL_YEAR, _LAST_FISCAL_YEAR = 2000, 2100
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
    _require_negotiator(actor)
    inputs = ValuationInputs(development_cost_yen, development_year, reproduction_cost_yen)
    guidance = value(inputs, uow.clock.today())
    with cases.write_transaction(uow) as session:
        case = _negotiable_case(session, actor, case_id, _VALUATION_STATES)
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
        view = views.valuation_view(session, row)
        audit.record(
            session,
            _case_event(uow, actor, "purchase:valuation:record", case.id, view.model_dump(mode="json")),
        )
        return view


def get_valuation(uow: UnitOfWork, actor: Actor, case_id: int) -> ValuationView:
    """The latest valuation of a case (or what to record when there is none). Officials, auditors."""
    _require_reader(actor)
    with uow.transaction() as session:
        case = cases.case_ref(session, actor, case_id)
        return views.latest_valuation_view(session, case.id, _latest_valuation(session, case.id))


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
    with cases.write_transaction(uow) as session:
        _open_negotiation_if_needed(session, uow, actor, case_id)
        _, agreement = _propose(
            session, uow, actor, case_id, amount_yen=amount_yen, payment_due=payment_due, note=note
        )
        return views.agreement_view(session, agreement)


def propose_agreement_in(
    session: Session,
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    amount_yen: int,
    payment_due: date | None = None,
    note: str | None = None,
) -> OfferView:
    """For `case offer --kind agreement`: the same proposal, in the caller's transaction."""
    offer, _ = _propose(
        session, uow, actor, case_id, amount_yen=amount_yen, payment_due=payment_due, note=note
    )
    return offer


def _negotiate(
    uow: UnitOfWork, actor: Actor, case_id: int, *, kind: str, amount_yen: int, note: str | None
) -> OfferView:
    check_amount(amount_yen)
    with cases.write_transaction(uow) as session:
        _open_negotiation_if_needed(session, uow, actor, case_id)
        return cases.record_offer_in(
            session, uow, actor, case_id, amount_yen=amount_yen, kind=kind, note=note
        )


def _open_negotiation_if_needed(session: Session, uow: UnitOfWork, actor: Actor, case_id: int) -> None:
    case = cases.case_ref(session, actor, case_id)
    if case.state is CaseState.PROTECTION_REQUIRED and actor.can(Permission.CASE_NEGOTIATE):
        cases.move_case(session, uow, actor, case.id, TransitionName.OPEN_NEGOTIATION)


def _propose(
    session: Session,
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    amount_yen: int,
    payment_due: date | None,
    note: str | None,
) -> tuple[OfferView, Agreement]:
    if payment_due is not None and payment_due < uow.clock.today():
        raise BadInput(f"the payment date {payment_due} has passed")
    terms: dict[str, Any] = {
        "payment_due": payment_due.isoformat() if payment_due else None,
        "rights_transferred": STANDARD_RIGHTS,
        "obligations": list(STANDARD_OBLIGATIONS),
    }
    offer = cases.record_offer_in(
        session,
        uow,
        actor,
        case_id,
        amount_yen=amount_yen,
        kind=OfferKind.AGREEMENT,
        note=note,
        details=terms,
    )
    now = uow.clock.now()
    for earlier in _agreements(session, case_id, AgreementStatus.PROPOSED):
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
    session.add(agreement)
    session.flush()
    return offer, agreement


# -- approval, payment, cancellation --------------------------------------------------------


def approve_purchase(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    override_reason: str | None = None,
    expected_version: int | None = None,
) -> ApprovalView:
    """Approve the proposed agreement: commit its amount to the budget of the fiscal year of
    today's date and move the case to purchase_agreed, together or not at all.

    Program managers who neither examined nor negotiated the case and declared no interest in
    the company. An amount above the valuation ceiling needs an override reason. Refused with
    BudgetExhausted when the year's available budget cannot carry it.
    """
    today = uow.clock.today()
    year = fiscal_year(today)
    with cases.write_transaction(uow) as session:
        move = TransitionName.APPROVE_PURCHASE
        cases.check_move(
            session, actor, case_id, move, reason=override_reason, expected_version=expected_version
        )
        case = cases.case_ref(session, actor, case_id)
        examination.refuse_if_conflicted(session, actor, case.company_id, "approve the purchase in")
        agreement = _proposed(session, case)
        ceiling = _latest_ceiling(session, case.id)
        check_ceiling(agreement.amount_yen, ceiling, override_reason)
        check_commitment(_locked_position(session, year), agreement.amount_yen)
        moved = cases.move_case(
            session,
            uow,
            actor,
            case.id,
            move,
            reason=override_reason,
            expected_version=expected_version,
            details={"agreement": agreement.id, "amount_yen": agreement.amount_yen, "fiscal_year": year},
        )
        _approve(agreement, actor, uow, ceiling=ceiling, override_reason=override_reason)
        after = _commit(session, uow, actor, agreement, year=year)
        return ApprovalView(
            case_id=case.id,
            state=moved.state.value,
            amount_yen=agreement.amount_yen,
            fiscal_year=year,
            approved_on=today,
            approved_by=actor.username,
            ceiling_yen=ceiling,
            override_reason=agreement.override_reason,
            budget=views.summary(after),
        )


def _approve(
    agreement: Agreement, actor: Actor, uow: UnitOfWork, *, ceiling: int | None, override_reason: str | None
) -> None:
    agreement.status, agreement.approved_by_id = AgreementStatus.APPROVED, actor.user_id
    agreement.approved_at, agreement.ceiling_yen = uow.clock.now(), ceiling
    agreement.override_reason = (override_reason or "").strip() or None


def _commit(
    session: Session, uow: UnitOfWork, actor: Actor, agreement: Agreement, *, year: int
) -> BudgetPosition:
    """The approved agreement's line in the year's budget, and its ledger entry (the caller holds
    the year's lock and has checked the amount fits)."""
    session.add(
        BudgetLine(
            fiscal_year=year,
            case_id=agreement.case_id,
            agreement_id=agreement.id,
            amount_yen=agreement.amount_yen,
            status=LineStatus.COMMITTED,
            committed_on=uow.clock.today(),
        )
    )
    session.flush()
    after = _position(session, year)
    details: dict[str, Any] = {
        "case": agreement.case_id,
        "agreement": agreement.id,
        "amount_yen": agreement.amount_yen,
    }
    details |= {"ceiling_yen": agreement.ceiling_yen, "override_reason": agreement.override_reason}
    audit.record(
        session,
        _budget_event(
            uow, actor, "purchase:budget:commit", year, details | {"available_after": after.available}
        ),
    )
    return after


def pay_purchase(uow: UnitOfWork, actor: Actor, case_id: int, *, paid_on: date) -> PurchaseView:
    """Record the payment of an approved purchase: its commitment becomes paid, in the fiscal
    year it was committed to. Program managers."""
    _require_manager(actor, "record payments")
    with uow.transaction() as session:
        case = cases.case_ref(session, actor, case_id)
        line = _approved_line(session, case)
        if line.status == LineStatus.PAID:
            raise Conflict(f"case {case.id} was paid on {line.paid_on}")
        check_payment(paid_on, line.committed_on)
        _locked_position(session, line.fiscal_year)
        line.status, line.paid_on = LineStatus.PAID, paid_on
        session.flush()
        details: dict[str, Any] = {
            "case": case.id,
            "agreement": line.agreement_id,
            "amount_yen": line.amount_yen,
        }
        details |= {"paid_on": paid_on.isoformat()}
        audit.record(session, _budget_event(uow, actor, "purchase:budget:pay", line.fiscal_year, details))
        return _purchase_view(session, case)


def cancel_purchase(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    *,
    reason: str,
    expected_version: int | None = None,
    approved_only: bool = False,
) -> PurchaseView:
    """Cancel the case's agreement, with a reason.

    A proposed agreement is withdrawn (negotiators and program managers). An approved, unpaid
    one is cancelled by a program manager: its commitment is released and the case goes back to
    negotiating. A paid purchase cannot be cancelled. `approved_only` is the `cancel_purchase`
    move asked for by name: it applies only to an approved purchase.
    """
    with cases.write_transaction(uow) as session:
        if approved_only:
            move = TransitionName.CANCEL_PURCHASE
            cases.check_move(session, actor, case_id, move, reason=reason, expected_version=expected_version)
        if not reason.strip():
            raise BadInput("a reason is required to cancel")
        case = cases.case_ref(session, actor, case_id)
        agreement = _live_agreement(session, case)
        if agreement.status == AgreementStatus.PROPOSED:
            _withdraw(session, uow, actor, case, agreement=agreement, reason=reason.strip())
        else:
            _cancel_approved(
                session,
                uow,
                actor,
                case,
                agreement=agreement,
                reason=reason.strip(),
                expected_version=expected_version,
            )
        return _purchase_view(session, cases.case_ref(session, actor, case_id))


def _withdraw(
    session: Session, uow: UnitOfWork, actor: Actor, case: CaseRef, *, agreement: Agreement, reason: str
) -> None:
    if actor.role not in (Role.NEGOTIATOR, Role.PROGRAM_MANAGER):
        raise Forbidden("only a negotiator or a program manager may withdraw a proposed agreement")
    _end(agreement, AgreementStatus.WITHDRAWN, actor, uow, reason)
    cases.withdraw_agreed_amount(
        session, uow, actor, case.id, details={"agreement": agreement.id, "reason": reason}
    )


def _cancel_approved(
    session: Session,
    uow: UnitOfWork,
    actor: Actor,
    case: CaseRef,
    *,
    agreement: Agreement,
    reason: str,
    expected_version: int | None,
) -> None:
    move = TransitionName.CANCEL_PURCHASE
    cases.check_move(session, actor, case.id, move, reason=reason, expected_version=expected_version)
    line = _line_of(session, agreement)
    if line.status == LineStatus.PAID:
        raise Conflict(f"case {case.id} was paid on {line.paid_on}: a paid purchase cannot be cancelled")
    _locked_position(session, line.fiscal_year)
    cases.move_case(
        session,
        uow,
        actor,
        case.id,
        move,
        reason=reason,
        expected_version=expected_version,
        details={"agreement": agreement.id, "released_yen": line.amount_yen},
    )
    line.status, line.released_on = LineStatus.RELEASED, uow.clock.today()
    _end(agreement, AgreementStatus.CANCELLED, actor, uow, reason)
    session.flush()
    details = {"case": case.id, "agreement": agreement.id, "amount_yen": line.amount_yen, "reason": reason}
    audit.record(session, _budget_event(uow, actor, "purchase:budget:release", line.fiscal_year, details))


def get_purchase(uow: UnitOfWork, actor: Actor, case_id: int) -> PurchaseView:
    """A case's valuation, offers, agreement and budget line. Officials and auditors."""
    _require_reader(actor)
    with uow.transaction() as session:
        return _purchase_view(session, cases.case_ref(session, actor, case_id))


# -- the budget ------------------------------------------------------------------------------


def set_appropriation(uow: UnitOfWork, actor: Actor, *, fiscal_year: int, amount_yen: int) -> BudgetView:
    """Set a fiscal year's appropriation; never below what is already committed or paid.
    Program managers."""
    _require_manager(actor, "set appropriations")
    _check_fiscal_year(fiscal_year)
    with uow.transaction() as session:
        row = _locked_year(session, fiscal_year)
        check_appropriation(_position(session, fiscal_year, row), amount_yen)
        before = {"appropriation": row.appropriation_yen} if row else None
        if row is None:
            row = BudgetYear(
                fiscal_year=fiscal_year,
                appropriation_yen=amount_yen,
                set_by_id=actor.user_id,
                set_at=uow.clock.now(),
            )
            _add_year(session, row)
        row.appropriation_yen, row.set_by_id, row.set_at = amount_yen, actor.user_id, uow.clock.now()
        session.flush()
        event = AuditEvent(
            "purchase:budget:set",
            "budget",
            str(fiscal_year),
            uow.clock.now(),
            actor,
            before=before,
            after={"appropriation": amount_yen},
        )
        audit.record(session, event)
        return _budget_view(session, fiscal_year)


def get_budget(uow: UnitOfWork, actor: Actor, *, fiscal_year: int) -> BudgetView:
    """A fiscal year's appropriation, committed, paid and available amounts, and its lines.
    Officials and auditors."""
    _require_reader(actor)
    _check_fiscal_year(fiscal_year)
    with uow.transaction() as session:
        return _budget_view(session, fiscal_year)


def seed_demo_budgets(uow: UnitOfWork, manager: Actor) -> list[BudgetView]:
    """Demo data: ¥1,000,000,000 for FY2022 (the program's first year) and for the current fiscal
    year, where no appropriation is set yet. Call before the demo approves purchases."""
    years = sorted({2022, fiscal_year(uow.clock.today())})
    for year in years:
        if not get_budget(uow, manager, fiscal_year=year).appropriation_set:
            set_appropriation(uow, manager, fiscal_year=year, amount_yen=DEMO_APPROPRIATION_YEN)
    return [get_budget(uow, manager, fiscal_year=year) for year in years]


# -- for cases (separation of duties) -----------------------------------------------------------


def negotiator_ids(session: Session, case_id: int) -> set[int]:
    """Everyone who valued the case or proposed its agreement."""
    valuers = session.execute(select(Valuation.recorded_by_id).where(Valuation.case_id == case_id)).scalars()
    proposers = session.execute(
        select(Agreement.proposed_by_id).where(Agreement.case_id == case_id)
    ).scalars()
    return set(valuers) | set(proposers)


# -- helpers: authorisation ---------------------------------------------------------------------


def _require_negotiator(actor: Actor) -> None:
    if not actor.can(Permission.CASE_NEGOTIATE):
        raise Forbidden(f"only a negotiator may do this; you are {actor.role}")


def _require_manager(actor: Actor, doing: str) -> None:
    if actor.role is not Role.PROGRAM_MANAGER:
        raise Forbidden(f"only a program manager may {doing}; you are {actor.role}")


def _require_reader(actor: Actor) -> None:
    if not (actor.is_official or actor.role is Role.AUDITOR):
        raise Forbidden(f"{actor.role} may not read purchases or budgets")


def _negotiable_case(session: Session, actor: Actor, case_id: int, states: frozenset[CaseState]) -> CaseRef:
    case = cases.case_ref(session, actor, case_id)
    if case.state not in states:
        raise Conflict(f"case {case.id} is '{case.state}'; this needs {' or '.join(sorted(states))}")
    if actor.user_id in cases.duty_holders(session, case.id)[0]:
        raise Forbidden("separation of duties: you examined this case, so you may not negotiate it")
    examination.refuse_if_conflicted(session, actor, case.company_id, "negotiate")
    return case


def _check_fiscal_year(year: int) -> None:
    if not _FIRST_FISCAL_YEAR <= year <= _LAST_FISCAL_YEAR:
        raise BadInput(f"fiscal year {year} must lie between {_FIRST_FISCAL_YEAR} and {_LAST_FISCAL_YEAR}")


# -- helpers: agreements and lines -------------------------------------------------------------


def _agreements(session: Session, case_id: int, status: AgreementStatus) -> list[Agreement]:
    query = select(Agreement).where(Agreement.case_id == case_id, Agreement.status == status)
    return list(session.execute(query.order_by(Agreement.id)).scalars())


def _proposed(session: Session, case: CaseRef) -> Agreement:
    proposed = _agreements(session, case.id, AgreementStatus.PROPOSED)
    if not proposed or proposed[-1].amount_yen != case.agreed_amount_yen:
        raise Conflict(f"case {case.id} has no proposed agreement on record: a negotiator proposes one first")
    return proposed[-1]


def _live_agreement(session: Session, case: CaseRef) -> Agreement:
    live = [
        a
        for s in (AgreementStatus.PROPOSED, AgreementStatus.APPROVED)
        for a in _agreements(session, case.id, s)
    ]
    if not live:
        raise Conflict(f"case {case.id} has no agreement to cancel")
    return max(live, key=lambda agreement: agreement.id)


def _approved_line(session: Session, case: CaseRef) -> BudgetLine:
    approved = _agreements(session, case.id, AgreementStatus.APPROVED)
    if not approved:
        raise Conflict(f"case {case.id} has no approved purchase to pay")
    return _line_of(session, approved[-1])


def _line_of(session: Session, agreement: Agreement) -> BudgetLine:
    return session.execute(select(BudgetLine).where(BudgetLine.agreement_id == agreement.id)).scalar_one()


def _end(agreement: Agreement, status: AgreementStatus, actor: Actor, uow: UnitOfWork, reason: str) -> None:
    agreement.status, agreement.ended_by_id, agreement.ended_at = status, actor.user_id, uow.clock.now()
    agreement.end_reason = reason


def _latest_valuation(session: Session, case_id: int) -> Valuation | None:
    query = select(Valuation).where(Valuation.case_id == case_id).order_by(Valuation.id.desc()).limit(1)
    return session.execute(query).scalar_one_or_none()


def _latest_ceiling(session: Session, case_id: int) -> int | None:
    valuation = _latest_valuation(session, case_id)
    return valuation.ceiling_yen if valuation else None


# -- helpers: the budget rows -------------------------------------------------------------------


def _locked_year(session: Session, year: int) -> BudgetYear | None:
    """The year's row, locked until the transaction ends: commitments to one year queue here."""
    query = select(BudgetYear).where(BudgetYear.fiscal_year == year).with_for_update()
    return session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()


def _locked_position(session: Session, year: int) -> BudgetPosition:
    row = _locked_year(session, year)
    if row is None:
        raise NoAppropriation(
            f"no appropriation is set for FY{year}: a program manager sets it with "
            f"`shokei budget set --fy {year} --amount YEN`"
        )
    return _position(session, year, row)


def _position(session: Session, year: int, row: BudgetYear | None = None) -> BudgetPosition:
    """The year's totals, summed from its lines (read after the lock, so they are current)."""
    row = row or session.get(BudgetYear, year)
    sums = session.execute(
        select(BudgetLine.status, func.sum(BudgetLine.amount_yen))
        .where(BudgetLine.fiscal_year == year)
        .group_by(BudgetLine.status)
    ).all()
    totals = {status: int(total or 0) for status, total in sums}
    appropriation = row.appropriation_yen if row else 0
    return BudgetPosition(
        year, appropriation, totals.get(LineStatus.COMMITTED, 0), totals.get(LineStatus.PAID, 0)
    )


def _add_year(session: Session, row: BudgetYear) -> None:
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict(f"FY{row.fiscal_year} was set by someone else at the same time; retry") from None


# -- helpers: views and events --------------------------------------------------------------------


def _case_event(
    uow: UnitOfWork, actor: Actor, action: str, case_id: int, details: dict[str, Any]
) -> AuditEvent:
    return AuditEvent(action, "case", str(case_id), uow.clock.now(), actor, details=details)


def _budget_event(
    uow: UnitOfWork, actor: Actor, action: str, year: int, details: dict[str, Any]
) -> AuditEvent:
    return AuditEvent(action, "budget", str(year), uow.clock.now(), actor, details=details)


def _budget_view(session: Session, year: int) -> BudgetView:
    row = session.get(BudgetYear, year)
    position = _position(session, year, row)
    lines = list(
        session.execute(
            select(BudgetLine).where(BudgetLine.fiscal_year == year).order_by(BudgetLine.id)
        ).scalars()
    )
    names = cases.company_names(session, {line.case_id for line in lines})
    starts, ends = fiscal_year_span(year)
    return BudgetView(
        **views.summary(position).model_dump(),
        starts=starts,
        ends=ends,
        appropriation_set=row is not None,
        lines=[views.line_view(line, names[line.case_id]) for line in lines],
    )


def _purchase_view(session: Session, case: CaseRef) -> PurchaseView:
    latest = session.execute(
        select(Agreement).where(Agreement.case_id == case.id).order_by(Agreement.id.desc()).limit(1)
    ).scalar_one_or_none()
    line = (
        session.execute(select(BudgetLine).where(BudgetLine.agreement_id == latest.id)).scalar_one_or_none()
        if latest
        else None
    )
    return PurchaseView(
        case_id=case.id,
        state=case.state.value,
        valuation=views.latest_valuation_view(session, case.id, _latest_valuation(session, case.id)),
        offers=cases.offers_of(session, case.id),
        agreement=views.agreement_view(session, latest) if latest else None,
        budget_line=views.line_view(line, cases.company_names(session, [case.id])[case.id]) if line else None,
    )
