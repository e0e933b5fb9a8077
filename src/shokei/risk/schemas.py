"""What the risk use cases return."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from shokei.errors import Text


class FactorView(BaseModel):
    name: str
    contribution: float
    evidence: str  # in English (the API, the CLI, logs)
    text: SkipJsonSchema[Text | None] = Field(default=None, exclude=True)  # the same, for the pages


class WatchlistEntry(BaseModel):
    """One company's leak risk: the score is the sum of the factors' contributions.

    `previous_score`, `change` and `factor_changes` compare with the last recorded run.
    """

    rank: int
    corporate_number: str
    name: str
    score: float
    factors: list[FactorView]
    recommendation: str
    critical: bool
    policy_version: str
    previous_score: float | None
    change: float | None
    factor_changes: dict[str, float]


class EventView(BaseModel):
    id: int
    corporate_number: str
    kind: str
    occurred_on: date
    note: str | None
    recorded_at: datetime
    recorded_by: str


class FinancialsView(BaseModel):
    corporate_number: str
    fiscal_year: int
    revenue_yen: int | None
    operating_profit_yen: int | None
    net_income_yen: int | None
    equity_ratio_percent: float | None


class RecordedScore(BaseModel):
    """A company's place in a recorded run (contributions are kept, evidence is not)."""

    rank: int
    corporate_number: str
    name: str
    score: float
    recommendation: str
    main_factor: str | None  # the factor that contributed most


class RecordedRunView(BaseModel):
    """The top of a recorded run: what the dashboard shows without scoring every company again."""

    run_id: int
    run_at: datetime
    run_by: str
    policy_version: str
    company_count: int
    top: list[RecordedScore]


class HistoryPoint(BaseModel):
    run_id: int
    run_at: datetime
    policy_version: str
    score: float
    recommendation: str
    contributions: dict[str, float]


class SupplierView(BaseModel):
    supplier: str  # corporate number, or COUNTRY-registry id for a foreign supplier
    name: str | None
    foreign: bool
    country: str | None
    tier: int
    sole_source: bool
    sme: bool
    foreign_influenced: bool
    on_watchlist: bool
    risk_score: float | None


class SupplierBaseView(BaseModel):
    """One weapon system's whole supplier base (`shokei system show`)."""

    code: str
    name: str
    parts: int
    companies: int
    by_tier: dict[str, int]
    smes: int
    sole_sources: int
    foreign: int
    foreign_influenced: int
    on_watchlist: int
    survey: dict[str, Any]  # answered, unanswered (and partial, pending, by_tier, campaign_id)
    suppliers: list[SupplierView]
