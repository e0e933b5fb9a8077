"""What the purchase services return (adapters print or serve these). Amounts are integer yen."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from shokei.cases.schemas import OfferView
from shokei.errors import Text


class ValuationView(BaseModel):
    case_id: int
    recorded: bool
    method: str | None
    inputs: dict[str, Any]
    suggested_low_yen: int | None
    suggested_high_yen: int | None
    ceiling_yen: int | None
    valued_on: date | None
    recorded_by: str | None
    recorded_at: datetime | None
    note: str | None
    explanation: list[str]  # in English (the API, the CLI)
    # The same steps, as catalogue messages, for the pages' language (not in the JSON).
    explanation_text: SkipJsonSchema[list[Text] | None] = Field(default=None, exclude=True)


class AgreementView(BaseModel):
    id: int
    case_id: int
    status: str
    amount_yen: int
    payment_due: date | None
    rights_transferred: str
    obligations: list[str]
    note: str | None
    proposed_by: str
    proposed_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    ceiling_yen: int | None
    override_reason: str | None
    ended_by: str | None
    ended_at: datetime | None
    end_reason: str | None


class BudgetLineView(BaseModel):
    id: int
    fiscal_year: int
    case_id: int
    company: str
    amount_yen: int
    status: str
    committed_on: date
    paid_on: date | None
    released_on: date | None
    lapsed_on: date | None = None
    carried_from_fiscal_year: int | None = None


class BudgetSummary(BaseModel):
    fiscal_year: int
    appropriation: int
    committed: int
    paid: int
    carried_in: int
    carried_out: int
    lapsed: int
    available: int
    closed: bool


class BudgetView(BudgetSummary):
    starts: date
    ends: date
    appropriation_set: bool
    closed_at: datetime | None
    lines: list[BudgetLineView]


class CarryOverView(BaseModel):
    """A commitment carried over (繰越) into the next fiscal year."""

    case_id: int
    agreement_id: int
    amount_yen: int
    from_fiscal_year: int
    to_fiscal_year: int
    reason: str
    approved_by: str
    approved_at: datetime


class YearCloseView(BaseModel):
    """A closed fiscal year: its final figures and the commitments that lapsed (with their cases)."""

    budget: BudgetSummary
    lapsed_lines: list[BudgetLineView]


class ApprovalView(BaseModel):
    case_id: int
    state: str
    amount_yen: int
    fiscal_year: int
    approved_on: date
    approved_by: str
    ceiling_yen: int | None
    override_reason: str | None
    budget: BudgetSummary


class PurchaseView(BaseModel):
    case_id: int
    state: str
    valuation: ValuationView
    offers: list[OfferView]
    agreement: AgreementView | None
    budget_line: BudgetLineView | None


class LineCommitmentView(BaseModel):
    """Money committed on a line other than purchases (a facility's price)."""

    id: int
    fiscal_year: int
    line: str
    case_id: int
    subject: str
    amount_yen: int
    status: str
    committed_on: date


class LineBudgetView(BaseModel):
    """One fiscal year's appropriation on a line other than purchases, and what it carries."""

    fiscal_year: int
    line: str
    starts: date
    ends: date
    appropriation_set: bool
    appropriation: int
    committed: int
    paid: int
    available: int
    commitments: list[LineCommitmentView]
