"""Approval, payment and cancellation of a purchase, and the purchase as a whole: the proposed
agreement approved against the fiscal-year budget together with the case's move (or not at all),
the payment booked to the fiscal year of its date (the year its commitment stands in), and
withdrawal or cancellation releasing the commitment.
Split from `services` as the program manager's side of a purchase; the budget rows it commits,
pays and releases are handled through `budget`, the agreements it acts on come from `negotiation`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.cases import services as cases
from shokei.cases.domain import CaseRef, TransitionName
from shokei.errors import N_, BadInput, Conflict, Forbidden, Text
from shokei.interests import services as interests
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import presenters
from shokei.purchase.access import require_manager, require_reader
from shokei.purchase.budget import budget_position, carried_from, locked_position
from shokei.purchase.domain import (
    AgreementStatus,
    BudgetPosition,
    LineStatus,
    check_ceiling,
    check_commitment,
    check_open,
    fiscal_year,
    payment_year,
)
from shokei.purchase.models import Agreement, BudgetLine
from shokei.purchase.negotiation import agreements, latest_valuation
from shokei.purchase.schemas import ApprovalView, PurchaseView

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
    with uow.transaction() as session:
        move = TransitionName.APPROVE_PURCHASE
        cases.check_move(uow, actor, case_id, move, reason=override_reason, expected_version=expected_version)
        case = cases.case_ref(uow, actor, case_id)
        interests.refuse_if_conflicted(uow, actor, case.company_id, "approve the purchase in")
        agreement = _proposed(session, case)
        ceiling = _latest_ceiling(session, case.id)
        check_ceiling(agreement.amount_yen, ceiling, override_reason)
        check_commitment(locked_position(session, year), agreement.amount_yen)
        moved = cases.move_case(
            uow,
            actor,
            case.id,
            move,
            reason=override_reason,
            expected_version=expected_version,
            details={"agreement": agreement.id, "amount_yen": agreement.amount_yen, "fiscal_year": year},
        )
        _approve(agreement, actor, uow, ceiling=ceiling, override_reason=override_reason)
        after = _commit(uow, actor, agreement, year=year)
        cases.note_purchase_open(uow, case.id, open=True)
        return ApprovalView(
            case_id=case.id,
            state=moved.state.value,
            amount_yen=agreement.amount_yen,
            fiscal_year=year,
            approved_on=today,
            approved_by=actor.username,
            ceiling_yen=ceiling,
            override_reason=agreement.override_reason,
            budget=presenters.summary(after),
        )


def _approve(
    agreement: Agreement, actor: Actor, uow: UnitOfWork, *, ceiling: int | None, override_reason: str | None
) -> None:
    agreement.status, agreement.approved_by_id = AgreementStatus.APPROVED, actor.user_id
    agreement.approved_at, agreement.ceiling_yen = uow.clock.now(), ceiling
    agreement.override_reason = (override_reason or "").strip() or None


def _commit(uow: UnitOfWork, actor: Actor, agreement: Agreement, *, year: int) -> BudgetPosition:
    """The approved agreement's line in the year's budget, and its ledger entry (the caller holds
    the year's lock and has checked the amount fits)."""
    session = uow.session
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
    after = budget_position(session, year)
    details = {
        "case": agreement.case_id,
        "agreement": agreement.id,
        "amount_yen": agreement.amount_yen,
        "fiscal_year": year,
        "ceiling_yen": agreement.ceiling_yen,
        "override_reason": agreement.override_reason,
        "available_after": after.available,
    }
    uow.record("purchase:budget:commit", "budget", year, actor, details=details)
    return after


def pay_purchase(uow: UnitOfWork, actor: Actor, case_id: int, *, paid_on: date) -> PurchaseView:
    """Record the payment of an approved purchase, once made: its commitment becomes paid,
    booked to the fiscal year of the payment date. That year must be the one the commitment
    stands in (committed to, or carried over into) and still open; a date after today is
    refused. Program managers."""
    require_manager(actor, N_("record payments"))
    with uow.transaction() as session:
        case = cases.case_ref(uow, actor, case_id)
        line = approved_line(session, case, "pay")
        if line.status == LineStatus.PAID:
            raise Conflict(
                Text(N_("case %(id)s was paid on %(paid_on)s"), {"id": case.id, "paid_on": line.paid_on})
            )
        if line.status == LineStatus.LAPSED:
            raise Conflict(
                Text(
                    N_(
                        "the commitment of case %(id)s lapsed when FY%(fiscal_year)s closed: "
                        "it cannot be paid"
                    ),
                    {"id": case.id, "fiscal_year": line.fiscal_year},
                )
            )
        year = payment_year(paid_on, uow.clock.today(), line.committed_on, line.fiscal_year)
        check_open(locked_position(session, year), Text(N_("payments")))
        line.status, line.paid_on = LineStatus.PAID, paid_on
        session.flush()
        details = {
            "case": case.id,
            "agreement": line.agreement_id,
            "amount_yen": line.amount_yen,
            "fiscal_year": year,
            "paid_on": paid_on.isoformat(),
        }
        uow.record("purchase:budget:pay", "budget", year, actor, details=details)
        cases.note_purchase_open(uow, case.id, open=False)
        return _purchase_view(uow, case)


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
    with uow.transaction() as session:
        if approved_only:
            move = TransitionName.CANCEL_PURCHASE
            cases.check_move(uow, actor, case_id, move, reason=reason, expected_version=expected_version)
        if not reason.strip():
            raise BadInput(Text(N_("a reason is required to cancel")))
        case = cases.case_ref(uow, actor, case_id)
        agreement = _live_agreement(session, case)
        if agreement.status == AgreementStatus.PROPOSED:
            _withdraw(uow, actor, case, agreement=agreement, reason=reason.strip())
        else:
            _cancel_approved(
                uow,
                actor,
                case,
                agreement=agreement,
                reason=reason.strip(),
                expected_version=expected_version,
            )
        return _purchase_view(uow, cases.case_ref(uow, actor, case_id))


def _withdraw(uow: UnitOfWork, actor: Actor, case: CaseRef, *, agreement: Agreement, reason: str) -> None:
    if actor.role not in (Role.NEGOTIATOR, Role.PROGRAM_MANAGER):
        raise Forbidden(Text(N_("only a negotiator or a program manager may withdraw a proposed agreement")))
    _end(agreement, AgreementStatus.WITHDRAWN, actor, uow, reason)
    cases.withdraw_agreed_amount(uow, actor, case.id, details={"agreement": agreement.id, "reason": reason})


def _cancel_approved(
    uow: UnitOfWork,
    actor: Actor,
    case: CaseRef,
    *,
    agreement: Agreement,
    reason: str,
    expected_version: int | None,
) -> None:
    move = TransitionName.CANCEL_PURCHASE
    cases.check_move(uow, actor, case.id, move, reason=reason, expected_version=expected_version)
    session = uow.session
    line = _line_of(session, agreement)
    if line.status == LineStatus.PAID:
        raise Conflict(
            Text(
                N_("case %(id)s was paid on %(paid_on)s: a paid purchase cannot be cancelled"),
                {"id": case.id, "paid_on": line.paid_on},
            )
        )
    lapsed = line.status == LineStatus.LAPSED  # its closed year keeps it as lapsed
    if not lapsed:
        check_open(locked_position(session, line.fiscal_year), Text(N_("releases")))
    cases.move_case(
        uow,
        actor,
        case.id,
        move,
        reason=reason,
        expected_version=expected_version,
        details={"agreement": agreement.id, "released_yen": 0 if lapsed else line.amount_yen},
    )
    _end(agreement, AgreementStatus.CANCELLED, actor, uow, reason)
    cases.note_purchase_open(uow, case.id, open=False)
    if lapsed:
        session.flush()
        return
    line.status, line.released_on = LineStatus.RELEASED, uow.clock.today()
    session.flush()
    details = {
        "case": case.id,
        "agreement": agreement.id,
        "amount_yen": line.amount_yen,
        "fiscal_year": line.fiscal_year,
        "reason": reason,
    }
    uow.record("purchase:budget:release", "budget", line.fiscal_year, actor, details=details)


def get_purchase(uow: UnitOfWork, actor: Actor, case_id: int) -> PurchaseView:
    """A case's valuation, offers, agreement and budget line. Officials and auditors."""
    require_reader(actor)
    with uow.transaction():
        case = cases.case_ref(uow, actor, case_id)
        cases.require_contents(uow, actor, case.id)  # the negotiation record: assigned officials
        return _purchase_view(uow, case)


def _proposed(session: Session, case: CaseRef) -> Agreement:
    proposed = agreements(session, case.id, AgreementStatus.PROPOSED)
    if not proposed or proposed[-1].amount_yen != case.agreed_amount_yen:
        raise Conflict(
            Text(
                N_("case %(id)s has no proposed agreement on record: a negotiator proposes one first"),
                {"id": case.id},
            )
        )
    return proposed[-1]


def _live_agreement(session: Session, case: CaseRef) -> Agreement:
    live = [
        a
        for s in (AgreementStatus.PROPOSED, AgreementStatus.APPROVED)
        for a in agreements(session, case.id, s)
    ]
    if not live:
        raise Conflict(Text(N_("case %(id)s has no agreement to cancel"), {"id": case.id}))
    return max(live, key=lambda agreement: agreement.id)


def approved_line(session: Session, case: CaseRef, doing: str) -> BudgetLine:
    """The budget line of the case's approved agreement (to pay it, carry it over...)."""
    approved = agreements(session, case.id, AgreementStatus.APPROVED)
    if not approved:
        raise Conflict(
            Text(N_("case %(id)s has no approved purchase to %(doing)s"), {"id": case.id, "doing": doing})
        )
    return _line_of(session, approved[-1])


def _line_of(session: Session, agreement: Agreement) -> BudgetLine:
    return session.execute(select(BudgetLine).where(BudgetLine.agreement_id == agreement.id)).scalar_one()


def _end(agreement: Agreement, status: AgreementStatus, actor: Actor, uow: UnitOfWork, reason: str) -> None:
    agreement.status, agreement.ended_by_id, agreement.ended_at = status, actor.user_id, uow.clock.now()
    agreement.end_reason = reason


def _latest_ceiling(session: Session, case_id: int) -> int | None:
    valuation = latest_valuation(session, case_id)
    return valuation.ceiling_yen if valuation else None


def _purchase_view(uow: UnitOfWork, case: CaseRef) -> PurchaseView:
    session = uow.session
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
        valuation=presenters.latest_valuation_view(uow, case.id, latest_valuation(session, case.id)),
        offers=cases.offers_of(uow, case.id),
        agreement=presenters.agreement_view(uow, latest) if latest else None,
        budget_line=presenters.line_view(
            line, cases.company_names(uow, [case.id])[case.id], carried_from(session, [line.id]).get(line.id)
        )
        if line
        else None,
    )
