"""The purchase and budget API under /api/v1 (translate only). Amounts are integer yen: a JSON
number with a fraction, or a string, is refused."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, StrictInt

from shokei.api_support import ActorDep, UowDep
from shokei.cases.schemas import OfferView
from shokei.kernel.bounds import Id, JsonInt, Note, Year
from shokei.purchase import services
from shokei.purchase.schemas import (
    AgreementView,
    ApprovalView,
    BudgetView,
    CarryOverView,
    LineBudgetView,
    PurchaseView,
    ValuationView,
    YearCloseView,
)

router = APIRouter(tags=["purchase"])


class ValuationBody(BaseModel):
    development_cost_yen: StrictInt | None = None
    development_year: StrictInt | None = None
    reproduction_cost_yen: StrictInt | None = None
    note: Note | None = None


class OfferBody(BaseModel):
    amount_yen: StrictInt
    note: Note | None = None


class AgreementBody(BaseModel):
    amount_yen: StrictInt
    payment_due: date | None = None
    note: Note | None = None


class ApprovalBody(BaseModel):
    override_reason: Note | None = None
    expected_version: JsonInt | None = None


class PaymentBody(BaseModel):
    paid_on: date


class CancellationBody(BaseModel):
    reason: Note


class AppropriationBody(BaseModel):
    amount_yen: StrictInt


class CarryOverBody(BaseModel):
    to_fiscal_year: StrictInt
    reason: Note


@router.get("/cases/{case_id}/purchase")
def get_purchase(case_id: Id, uow: UowDep, actor: ActorDep) -> PurchaseView:
    return services.get_purchase(uow, actor, case_id)


@router.get("/cases/{case_id}/purchase/valuation")
def get_valuation(case_id: Id, uow: UowDep, actor: ActorDep) -> ValuationView:
    return services.get_valuation(uow, actor, case_id)


@router.post("/cases/{case_id}/purchase/valuation", status_code=201)
def record_valuation(case_id: Id, body: ValuationBody, uow: UowDep, actor: ActorDep) -> ValuationView:
    return services.record_valuation(uow, actor, case_id, **body.model_dump())


@router.post("/cases/{case_id}/purchase/offers", status_code=201)
def make_offer(case_id: Id, body: OfferBody, uow: UowDep, actor: ActorDep) -> OfferView:
    return services.make_offer(uow, actor, case_id, amount_yen=body.amount_yen, note=body.note)


@router.post("/cases/{case_id}/purchase/counter-offers", status_code=201)
def make_counter_offer(case_id: Id, body: OfferBody, uow: UowDep, actor: ActorDep) -> OfferView:
    return services.make_counter_offer(uow, actor, case_id, amount_yen=body.amount_yen, note=body.note)


@router.post("/cases/{case_id}/purchase/agreement", status_code=201)
def agree_purchase(case_id: Id, body: AgreementBody, uow: UowDep, actor: ActorDep) -> AgreementView:
    return services.agree_purchase(uow, actor, case_id, **body.model_dump())


@router.post("/cases/{case_id}/purchase/approval")
def approve_purchase(case_id: Id, body: ApprovalBody, uow: UowDep, actor: ActorDep) -> ApprovalView:
    return services.approve_purchase(uow, actor, case_id, **body.model_dump())


@router.post("/cases/{case_id}/purchase/payment")
def pay_purchase(case_id: Id, body: PaymentBody, uow: UowDep, actor: ActorDep) -> PurchaseView:
    return services.pay_purchase(uow, actor, case_id, paid_on=body.paid_on)


@router.post("/cases/{case_id}/purchase/cancellation")
def cancel_purchase(case_id: Id, body: CancellationBody, uow: UowDep, actor: ActorDep) -> PurchaseView:
    return services.cancel_purchase(uow, actor, case_id, reason=body.reason)


@router.put("/budget/{fiscal_year}")
def set_appropriation(fiscal_year: Year, body: AppropriationBody, uow: UowDep, actor: ActorDep) -> BudgetView:
    return services.set_appropriation(uow, actor, fiscal_year=fiscal_year, amount_yen=body.amount_yen)


@router.get("/budget/{fiscal_year}")
def get_budget(fiscal_year: Year, uow: UowDep, actor: ActorDep) -> BudgetView:
    return services.get_budget(uow, actor, fiscal_year=fiscal_year)


@router.put("/budget/{fiscal_year}/lines/{line}")
def set_line_appropriation(
    fiscal_year: Year, line: str, body: AppropriationBody, uow: UowDep, actor: ActorDep
) -> LineBudgetView:
    """A line other than purchases (facilities); the purchases line is `PUT /budget/{fiscal_year}`."""
    chosen = services.check_line(line)
    return services.set_line_appropriation(
        uow, actor, fiscal_year=fiscal_year, line=chosen, amount_yen=body.amount_yen
    )


@router.get("/budget/{fiscal_year}/lines/{line}")
def get_line_budget(fiscal_year: Year, line: str, uow: UowDep, actor: ActorDep) -> LineBudgetView:
    return services.get_line_budget(uow, actor, fiscal_year=fiscal_year, line=services.check_line(line))


@router.post("/cases/{case_id}/purchase/carry-over", status_code=201)
def carry_over(case_id: Id, body: CarryOverBody, uow: UowDep, actor: ActorDep) -> CarryOverView:
    return services.carry_over(uow, actor, case_id, to_fiscal_year=body.to_fiscal_year, reason=body.reason)


@router.post("/budget/{fiscal_year}/close")
def close_fiscal_year(fiscal_year: Year, uow: UowDep, actor: ActorDep) -> YearCloseView:
    return services.close_fiscal_year(uow, actor, fiscal_year=fiscal_year)
