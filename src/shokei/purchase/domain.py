"""Purchase of design documents: the Japanese fiscal year, the budget's arithmetic, valuation
guidance and the agreement's standard terms. Pure: amounts are integer yen, dates are dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shokei.errors import BadInput, Conflict

# Japanese fiscal years (会計年度) run 1 April - 31 March and are named by the year they start in.
FISCAL_YEAR_FIRST_MONTH = 4


def fiscal_year(day: date) -> int:
    """FY of a date: 2022-03-31 is FY2021, 2022-04-01 and 2023-03-31 are FY2022."""
    return day.year if day.month >= FISCAL_YEAR_FIRST_MONTH else day.year - 1


def fiscal_year_span(year: int) -> tuple[date, date]:
    """First and last day of a fiscal year."""
    return date(year, FISCAL_YEAR_FIRST_MONTH, 1), date(year + 1, FISCAL_YEAR_FIRST_MONTH - 1, 31)


# -- money as people read it -----------------------------------------------------------------

_JAPANESE_UNITS = ((10**12, "兆"), (10**8, "億"), (10**4, "万"))


def yen(amount: int) -> str:
    """¥1,000,000,000."""
    return f"-¥{-amount:,}" if amount < 0 else f"¥{amount:,}"


def japanese_yen(amount: int) -> str:
    """10億円, 4,850万円, 12億3,456万7,890円: how Japanese budgets write amounts."""
    if amount < 0:
        return "-" + japanese_yen(-amount)
    parts, rest = [], amount
    for size, unit in _JAPANESE_UNITS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count:,}{unit}")
    if rest or not parts:
        parts.append(f"{rest:,}")
    return "".join(parts) + "円"


# -- the budget ------------------------------------------------------------------------------


class LineStatus(StrEnum):
    COMMITTED = "committed"
    PAID = "paid"
    RELEASED = "released"  # the agreement was cancelled before payment


class BudgetExhausted(Conflict):
    """The fiscal year's appropriation cannot carry this commitment."""

    title = "Budget exhausted"


class NoAppropriation(Conflict):
    title = "No appropriation"


@dataclass(frozen=True, slots=True)
class BudgetPosition:
    fiscal_year: int
    appropriation: int
    committed: int
    paid: int

    @property
    def available(self) -> int:
        return self.appropriation - self.committed - self.paid


def check_commitment(position: BudgetPosition, amount: int) -> None:
    """Refuse a commitment the appropriation cannot carry: the budget is never over-committed."""
    if amount > position.available:
        raise BudgetExhausted(
            f"budget exhausted: FY{position.fiscal_year} has {yen(position.available)} available "
            f"(appropriation {yen(position.appropriation)}, committed {yen(position.committed)}, "
            f"paid {yen(position.paid)}); this purchase needs {yen(amount)}"
        )


def check_appropriation(position: BudgetPosition, amount: int) -> None:
    """An appropriation is a non-negative amount no smaller than what is already spoken for."""
    if amount < 0:
        raise BadInput("an appropriation is a non-negative number of yen")
    spoken_for = position.committed + position.paid
    if amount < spoken_for:
        raise Conflict(
            f"FY{position.fiscal_year} already has {yen(spoken_for)} committed or paid; "
            f"the appropriation cannot be {yen(amount)}"
        )


# -- valuation guidance ----------------------------------------------------------------------

VALUATION_METHOD = "cost_approach_v1"
# Design documents lose value as the design ages (straight line), down to a residual value they
# keep while the system they serve is in service.
ANNUAL_OBSOLESCENCE_PERCENT = 10
RESIDUAL_FLOOR_PERCENT = 20
# Negotiations open below the depreciated value: the range's low end.
RANGE_LOW_PERCENT = 80
_EARLIEST_YEAR = 1900


@dataclass(frozen=True, slots=True)
class ValuationInputs:
    development_cost_yen: int | None = None  # documented cost of developing the design
    development_year: int | None = None  # year the design was completed
    reproduction_cost_yen: int | None = None  # estimate of recreating the documents today


@dataclass(frozen=True, slots=True)
class ValuationGuidance:
    method: str
    basis_yen: int
    age_years: int
    residual_percent: int
    suggested_low_yen: int
    suggested_high_yen: int
    ceiling_yen: int
    explanation: tuple[str, ...]


def value(inputs: ValuationInputs, valued_on: date) -> ValuationGuidance:
    """Cost approach: the cheaper of what the design cost and what recreating it would cost is
    the basis and the ceiling (MoD never pays more); age-based obsolescence gives the suggested
    value, the top of the suggested range."""
    _check_inputs(inputs, valued_on)
    costs = {
        "documented development cost": inputs.development_cost_yen,
        "reproduction cost": inputs.reproduction_cost_yen,
    }
    basis_name, basis = min(((n, c) for n, c in costs.items() if c is not None), key=lambda item: item[1])
    age = valued_on.year - inputs.development_year if inputs.development_year is not None else 0
    residual = max(RESIDUAL_FLOOR_PERCENT, 100 - ANNUAL_OBSOLESCENCE_PERCENT * age)
    high = basis * residual // 100
    low = high * RANGE_LOW_PERCENT // 100
    explanation = (
        f"basis: {basis_name} {yen(basis)} (the lower of the costs given); it is also the ceiling",
        f"age {age} year(s): {ANNUAL_OBSOLESCENCE_PERCENT}% obsolescence a year, at least "
        f"{RESIDUAL_FLOOR_PERCENT}% residual value: {residual}%"
        + ("" if inputs.development_year is not None else " (no development year given)"),
        f"suggested range {yen(low)} - {yen(high)} ({RANGE_LOW_PERCENT}% to 100% of the depreciated value)",
    )
    return ValuationGuidance(VALUATION_METHOD, basis, age, residual, low, high, basis, explanation)


def _check_inputs(inputs: ValuationInputs, valued_on: date) -> None:
    costs = [c for c in (inputs.development_cost_yen, inputs.reproduction_cost_yen) if c is not None]
    if not costs:
        raise BadInput("a valuation needs a documented development cost or a reproduction cost")
    if any(cost <= 0 for cost in costs):
        raise BadInput("costs are positive numbers of yen")
    year = inputs.development_year
    if year is not None and not _EARLIEST_YEAR <= year <= valued_on.year:
        raise BadInput(f"development year {year} must lie between {_EARLIEST_YEAR} and {valued_on.year}")


class CeilingExceeded(BadInput):
    title = "Above the valuation ceiling"


def check_ceiling(amount: int, ceiling: int | None, override_reason: str | None) -> None:
    """An amount above the valuation's ceiling needs the approver's explicit reason."""
    if ceiling is not None and amount > ceiling and not (override_reason and override_reason.strip()):
        raise CeilingExceeded(
            f"the agreed {yen(amount)} is above the valuation ceiling {yen(ceiling)}: "
            "approve with an override reason"
        )


# -- the agreement ---------------------------------------------------------------------------


class AgreementStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    SUPERSEDED = "superseded"  # a later proposal replaced it
    WITHDRAWN = "withdrawn"  # cancelled before approval
    CANCELLED = "cancelled"  # cancelled after approval: its commitment is released


# What every purchase binds the supplier to: the documents leave the company for good.
STANDARD_OBLIGATIONS: tuple[str, ...] = (
    "no_retained_copies",
    "certified_destruction_of_supplier_copies",
    "no_transfer_abroad",
)
STANDARD_RIGHTS = (
    "all rights in the documents and the technology they record, including the right to provide "
    "them free of charge to a successor"
)


def check_amount(amount: int) -> int:
    if amount <= 0:
        raise BadInput("an amount must be a positive number of yen")
    return amount


def check_payment(paid_on: date, approved_on: date) -> None:
    if paid_on < approved_on:
        raise BadInput(f"payment on {paid_on} would precede the approval on {approved_on}")
