"""Purchase records as the services return them: schemas built from rows."""

from __future__ import annotations

from shokei.accounts import services as accounts
from shokei.errors import N_, Text
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase.domain import BudgetPosition, ValuationInputs, value
from shokei.purchase.models import Agreement, BudgetLine, Valuation
from shokei.purchase.schemas import AgreementView, BudgetLineView, BudgetSummary, ValuationView


def usernames(uow: UnitOfWork, ids: set[int | None]) -> dict[int, str]:
    """Usernames from the accounts feature (never a read of its table)."""
    return accounts.usernames(uow, {i for i in ids if i is not None})


def summary(position: BudgetPosition) -> BudgetSummary:
    return BudgetSummary(
        fiscal_year=position.fiscal_year,
        appropriation=position.appropriation,
        committed=position.committed,
        paid=position.paid,
        carried_in=position.carried_in,
        carried_out=position.carried_out,
        lapsed=position.lapsed,
        available=position.available,
        closed=position.closed,
    )


def line_view(line: BudgetLine, company: str, carried_from: int | None = None) -> BudgetLineView:
    return BudgetLineView(
        id=line.id,
        fiscal_year=line.fiscal_year,
        case_id=line.case_id,
        company=company,
        amount_yen=line.amount_yen,
        status=line.status,
        committed_on=line.committed_on,
        paid_on=line.paid_on,
        released_on=line.released_on,
        lapsed_on=line.lapsed_on,
        carried_from_fiscal_year=carried_from,
    )


NO_VALUATION = Text(
    N_(
        "no valuation recorded: a negotiator records the documented development cost, the "
        "development year and/or the reproduction cost (shokei purchase valuation CASE "
        "--development-cost YEN --development-year YEAR --reproduction-cost YEN); until then "
        "no ceiling applies to the approval"
    )
)


def valuation_view(uow: UnitOfWork, row: Valuation) -> ValuationView:
    guidance = value(ValuationInputs(**row.inputs), row.valued_on)
    return ValuationView(
        case_id=row.case_id,
        recorded=True,
        method=row.method,
        inputs=dict(row.inputs),
        suggested_low_yen=row.suggested_low_yen,
        suggested_high_yen=row.suggested_high_yen,
        ceiling_yen=row.ceiling_yen,
        valued_on=row.valued_on,
        recorded_by=usernames(uow, {row.recorded_by_id})[row.recorded_by_id],
        recorded_at=row.recorded_at,
        note=row.note,
        explanation=[step.render() for step in guidance.explanation],
        explanation_text=list(guidance.explanation),
    )


def latest_valuation_view(uow: UnitOfWork, case_id: int, row: Valuation | None) -> ValuationView:
    """The latest valuation, or what to record when there is none."""
    if row is not None:
        return valuation_view(uow, row)
    return ValuationView(
        case_id=case_id,
        recorded=False,
        method=None,
        inputs={},
        suggested_low_yen=None,
        suggested_high_yen=None,
        ceiling_yen=None,
        valued_on=None,
        recorded_by=None,
        recorded_at=None,
        note=None,
        explanation=[NO_VALUATION.render()],
        explanation_text=[NO_VALUATION],
    )


def agreement_view(uow: UnitOfWork, row: Agreement) -> AgreementView:
    names = usernames(uow, {row.proposed_by_id, row.approved_by_id, row.ended_by_id})
    return AgreementView(
        id=row.id,
        case_id=row.case_id,
        status=row.status,
        amount_yen=row.amount_yen,
        payment_due=row.payment_due,
        rights_transferred=row.rights_transferred,
        obligations=list(row.obligations),
        note=row.note,
        proposed_by=names[row.proposed_by_id],
        proposed_at=row.proposed_at,
        approved_by=names.get(row.approved_by_id) if row.approved_by_id else None,
        approved_at=row.approved_at,
        ceiling_yen=row.ceiling_yen,
        override_reason=row.override_reason,
        ended_by=names.get(row.ended_by_id) if row.ended_by_id else None,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
    )
