"""Purchase of design documents: the Japanese fiscal year, the budget's arithmetic, valuation
guidance and the agreement's standard terms. Pure: amounts are integer yen, dates are dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from shokei.errors import N_, BadInput, Conflict, Text

# Japanese fiscal years (会計年度) run 1 April - 31 March and are named by the year they start in.
FISCAL_YEAR_FIRST_MONTH = 4


def fiscal_year(day: date) -> int:
    """FY of a date: 2022-03-31 is FY2021, 2022-04-01 and 2023-03-31 are FY2022."""
    return day.year if day.month >= FISCAL_YEAR_FIRST_MONTH else day.year - 1


# The fiscal years the program's records may name (budgets, payments, reports).
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 2000, 2100


def check_fiscal_year(year: int) -> int:
    """`year`, if the program can name it; BadInput otherwise."""
    if not FIRST_FISCAL_YEAR <= year <= LAST_FISCAL_YEAR:
        raise BadInput(
            Text(
                N_("fiscal year %(year)s must lie between %(first_fiscal_year)s and %(last_fiscal_year)s"),
                {"year": year, "first_fiscal_year": FIRST_FISCAL_YEAR, "last_fiscal_year": LAST_FISCAL_YEAR},
            )
        )
    return year


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
    LAPSED = "lapsed"  # neither paid nor carried over when its fiscal year closed (不用)


class BudgetExhausted(Conflict):
    """The fiscal year's appropriation cannot carry this commitment."""

    title = "Budget exhausted"


class NoAppropriation(Conflict):
    title = "No appropriation"


class YearClosed(Conflict):
    """The fiscal year is closed (決算): nothing more is committed, paid or appropriated in it."""

    title = "Fiscal year closed"


class CarryOverRequired(Conflict):
    """A payment in a later fiscal year than its commitment's needs a recorded carry-over (繰越)."""

    title = "Carry-over required"


@dataclass(frozen=True, slots=True)
class BudgetPosition:
    """A fiscal year's figures. A carry-over (繰越明許費) moves a commitment and the budget
    authority that funds it into the next year: out of this year's available amount, into the
    next one's. Lapsed commitments (不用) are neither committed nor paid any more."""

    fiscal_year: int
    appropriation: int
    committed: int
    paid: int
    carried_in: int = 0
    carried_out: int = 0
    lapsed: int = 0
    closed: bool = False

    @property
    def available(self) -> int:
        return self.appropriation + self.carried_in - self.carried_out - self.committed - self.paid


class BudgetLineName(StrEnum):
    """The budget's lines (予算の目): document purchases, the program's first line (kept in
    `budget_years`), and the measures taken when a purchase is not enough (issue 17), each with
    its own appropriation per fiscal year (`budget_line_appropriations`)."""

    PURCHASES = "purchases"
    FACILITIES = "facilities"


def check_line(value: str) -> BudgetLineName:
    try:
        return BudgetLineName(value)
    except ValueError:
        raise BadInput(
            Text(
                N_("budget line %(value)s is not one of: %(budgetlinename)s"),
                {"value": repr(value), "budgetlinename": ", ".join(BudgetLineName)},
            )
        ) from None


def check_open(position: BudgetPosition, doing: Text) -> None:
    """Fiscal-year independence (会計年度独立の原則): a closed year takes no further change."""
    if position.closed:
        raise YearClosed(
            Text(
                N_("FY%(fiscal_year)s is closed: no further %(doing)s in it"),
                {"fiscal_year": position.fiscal_year, "doing": doing},
            )
        )


def check_commitment(position: BudgetPosition, amount: int, needing: str | Text | None = None) -> None:
    """Refuse a commitment the appropriation cannot carry: the budget is never over-committed."""
    check_open(position, Text(N_("commitments")))
    if amount > position.available:
        raise BudgetExhausted(
            Text(
                N_(
                    "budget exhausted: FY%(fiscal_year)s has %(yen)s available "
                    "(appropriation %(yen2)s, committed %(yen3)s, paid %(yen4)s); "
                    "%(needing)s needs %(yen5)s"
                ),
                {
                    "fiscal_year": position.fiscal_year,
                    "yen": yen(position.available),
                    "yen2": yen(position.appropriation),
                    "yen3": yen(position.committed),
                    "yen4": yen(position.paid),
                    "needing": Text(N_("this purchase")) if needing is None else needing,
                    "yen5": yen(amount),
                },
            )
        )


def check_appropriation(position: BudgetPosition, amount: int) -> None:
    """An appropriation is a non-negative amount no smaller than what is already spoken for."""
    check_open(position, Text(N_("appropriation changes")))
    if amount < 0:
        raise BadInput(Text(N_("an appropriation is a non-negative number of yen")))
    # What carried-in authority does not fund must come from the appropriation.
    spoken_for = position.committed + position.paid + position.carried_out - position.carried_in
    if amount < spoken_for:
        raise Conflict(
            Text(
                N_(
                    "FY%(fiscal_year)s already has %(yen)s committed or paid; the "
                    "appropriation cannot be %(yen2)s"
                ),
                {"fiscal_year": position.fiscal_year, "yen": yen(spoken_for), "yen2": yen(amount)},
            )
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
    explanation: tuple[Text, ...]  # the steps, as catalogue messages (English with str())


def value(inputs: ValuationInputs, valued_on: date) -> ValuationGuidance:
    """Cost approach: the cheaper of what the design cost and what recreating it would cost is
    the basis and the ceiling (MoD never pays more); age-based obsolescence gives the suggested
    value, the top of the suggested range."""
    _check_inputs(inputs, valued_on)
    costs = {
        N_("documented development cost"): inputs.development_cost_yen,
        N_("reproduction cost"): inputs.reproduction_cost_yen,
    }
    basis_name, basis = min(((n, c) for n, c in costs.items() if c is not None), key=lambda item: item[1])
    age = valued_on.year - inputs.development_year if inputs.development_year is not None else 0
    residual = max(RESIDUAL_FLOOR_PERCENT, 100 - ANNUAL_OBSOLESCENCE_PERCENT * age)
    high = basis * residual // 100
    low = high * RANGE_LOW_PERCENT // 100
    ageing = {
        "age": age,
        "obsolescence": ANNUAL_OBSOLESCENCE_PERCENT,
        "floor": RESIDUAL_FLOOR_PERCENT,
        "residual": residual,
    }
    explanation = (
        Text(
            N_("basis: %(basis_name)s %(basis)s (the lower of the costs given); it is also the ceiling"),
            {"basis_name": Text(basis_name), "basis": yen(basis)},
        ),
        Text(
            N_(
                "age %(age)s year(s): %(obsolescence)s%% obsolescence a year, at least %(floor)s%% "
                "residual value: %(residual)s%%"
            )
            if inputs.development_year is not None
            else N_(
                "age %(age)s year(s): %(obsolescence)s%% obsolescence a year, at least %(floor)s%% "
                "residual value: %(residual)s%% (no development year given)"
            ),
            ageing,
        ),
        Text(
            N_("suggested range %(low)s - %(high)s (%(low_percent)s%% to 100%% of the depreciated value)"),
            {"low": yen(low), "high": yen(high), "low_percent": RANGE_LOW_PERCENT},
        ),
    )
    return ValuationGuidance(VALUATION_METHOD, basis, age, residual, low, high, basis, explanation)


def _check_inputs(inputs: ValuationInputs, valued_on: date) -> None:
    costs = [c for c in (inputs.development_cost_yen, inputs.reproduction_cost_yen) if c is not None]
    if not costs:
        raise BadInput(Text(N_("a valuation needs a documented development cost or a reproduction cost")))
    if any(cost <= 0 for cost in costs):
        raise BadInput(Text(N_("costs are positive numbers of yen")))
    year = inputs.development_year
    if year is not None and not _EARLIEST_YEAR <= year <= valued_on.year:
        raise BadInput(
            Text(
                N_("development year %(year)s must lie between %(earliest_year)s and %(year2)s"),
                {"year": year, "earliest_year": _EARLIEST_YEAR, "year2": valued_on.year},
            )
        )


class CeilingExceeded(BadInput):
    title = "Above the valuation ceiling"


def check_ceiling(amount: int, ceiling: int | None, override_reason: str | None) -> None:
    """An amount above the valuation's ceiling needs the approver's explicit reason."""
    if ceiling is not None and amount > ceiling and not (override_reason and override_reason.strip()):
        raise CeilingExceeded(
            Text(
                N_(
                    "the agreed %(yen)s is above the valuation ceiling %(yen2)s: approve "
                    "with an override reason"
                ),
                {"yen": yen(amount), "yen2": yen(ceiling)},
            )
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
        raise BadInput(Text(N_("an amount must be a positive number of yen")))
    return amount


def check_payment(paid_on: date, approved_on: date) -> None:
    if paid_on < approved_on:
        raise BadInput(
            Text(
                N_("payment on %(paid_on)s would precede the approval on %(approved_on)s"),
                {"paid_on": paid_on, "approved_on": approved_on},
            )
        )


def payment_year(paid_on: date, today: date, committed_on: date, line_year: int) -> int:
    """The fiscal year a payment is booked to: the year of its date, which must be the year its
    commitment stands in (the year it was committed to, or the one it was carried over into).

    A payment date after today is refused (a payment is recorded once made); a date in a later
    year than the commitment's needs a carry-over first; a date in an earlier year than a
    carried-over commitment's contradicts the carry-over.
    """
    if paid_on > today:
        raise BadInput(
            Text(
                N_(
                    "payment date %(paid_on)s lies in the future (today is %(today)s): "
                    "record a payment once made"
                ),
                {"paid_on": paid_on, "today": today},
            )
        )
    check_payment(paid_on, committed_on)
    year = fiscal_year(paid_on)
    if year > line_year:
        raise CarryOverRequired(
            f"a payment on {paid_on} falls in FY{year} but the commitment stands in FY{line_year}: "
            f"a program manager first records its carry-over (shokei budget carry-over CASE --to-fy {year} "
            "--reason TEXT) before FY" + str(line_year) + " closes"
        )
    if year < line_year:
        raise Conflict(
            Text(
                N_(
                    "a payment on %(paid_on)s falls in FY%(year)s but the commitment was "
                    "carried over into FY%(line_year)s"
                ),
                {"paid_on": paid_on, "year": year, "line_year": line_year},
            )
        )
    return year


def check_carry_over(line_year: int, to_year: int, reason: str, *, already_carried: bool) -> None:
    """A commitment is carried over once, into the next fiscal year, with a reason (繰越明許費)."""
    if not reason.strip():
        raise BadInput(Text(N_("a carry-over needs a reason")))
    if already_carried:
        raise Conflict(
            Text(
                N_("the commitment was already carried over into FY%(line_year)s; it is carried once"),
                {"line_year": line_year},
            )
        )
    if to_year != line_year + 1:
        raise BadInput(
            Text(
                N_("a commitment of FY%(line_year)s is carried over into FY%(value)s, not FY%(to_year)s"),
                {"line_year": line_year, "value": line_year + 1, "to_year": to_year},
            )
        )


def check_year_ended(year: int, today: date) -> None:
    """A fiscal year closes once it has ended."""
    last_day = fiscal_year_span(year)[1]
    if today <= last_day:
        raise Conflict(
            Text(
                N_("FY%(year)s runs until %(last_day)s: it can be closed from %(value)s"),
                {"year": year, "last_day": last_day, "value": last_day + timedelta(days=1)},
            )
        )
