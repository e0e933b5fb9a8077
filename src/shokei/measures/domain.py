"""The measures taken for an escalated case, and the state-held facilities (Art. 29 of the Act on
strengthening the defense production and technology base, 令和5年法律第54号). Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shokei.cases.domain import TransitionName
from shokei.errors import N_, BadInput, Conflict, Text
from shokei.kernel.bus import Event
from shokei.purchase.domain import fiscal_year_span


class MeasureKind(StrEnum):
    FACILITY_ACQUISITION = "facility_acquisition"  # Art. 29: the state acquires the facility
    SUCCESSION_SUPPORT = "succession_support"  # Art. 4: a whole business changes hands
    STATE_CUSTODY = "state_custody"  # documents held by the state until a successor is found
    REOPEN_NEGOTIATION = "reopen_negotiation"  # back to the workflow


class MeasureStatus(StrEnum):
    DECIDED = "decided"  # decided, its record not yet made (no facility acquired yet)
    IN_EFFECT = "in_effect"  # a facility is held by the state
    COMPLETED = "completed"  # negotiation reopened, or every facility transferred


class FacilityStatus(StrEnum):
    STATE_HELD = "state_held"
    ENTRUSTED = "entrusted"  # held by the state, managed by a contractor
    TRANSFERRED = "transferred"  # transferred to a private company: the state's holding ended


def parse_kind(value: str) -> MeasureKind:
    try:
        return MeasureKind(value)
    except ValueError:
        raise BadInput(
            Text(
                N_("measure kind %(value)s is not one of: %(measurekind)s"),
                {"value": repr(value), "measurekind": ", ".join(MeasureKind)},
            )
        ) from None


def case_move(kind: MeasureKind) -> TransitionName:
    """The move a decided measure makes on its case: back to negotiation, or on to the measure."""
    if kind is MeasureKind.REOPEN_NEGOTIATION:
        return TransitionName.REOPEN_NEGOTIATION
    return TransitionName.TAKE_MEASURE


def status_on_decision(kind: MeasureKind) -> MeasureStatus:
    return MeasureStatus.COMPLETED if kind is MeasureKind.REOPEN_NEGOTIATION else MeasureStatus.DECIDED


def require_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise BadInput(Text(N_("a reason is required")))
    return text


def details_for(
    kind: MeasureKind, *, parties: list[str], amount_yen: int | None, review_on: date | None
) -> dict[str, object]:
    """What a measure records beyond its kind: a succession plan's parties and supported amount
    (Art. 4), a custody's review date; refused on the kinds they do not belong to."""
    if parties or amount_yen is not None:
        if kind is not MeasureKind.SUCCESSION_SUPPORT:
            raise BadInput(Text(N_("parties and a supported amount belong to a succession_support measure")))
        if amount_yen is not None and amount_yen < 0:
            raise BadInput(Text(N_("a supported amount is a non-negative number of yen")))
    if review_on is not None and kind is not MeasureKind.STATE_CUSTODY:
        raise BadInput(Text(N_("a review date belongs to a state_custody measure")))
    details: dict[str, object] = {}
    if kind is MeasureKind.SUCCESSION_SUPPORT:
        details = {"parties": parties, "supported_amount_yen": amount_yen}
    if kind is MeasureKind.STATE_CUSTODY:
        details = {"review_on": review_on.isoformat() if review_on else None}
    return details


def check_can_acquire(kind: MeasureKind, status: MeasureStatus) -> None:
    if kind is not MeasureKind.FACILITY_ACQUISITION:
        raise Conflict(
            Text(
                N_("a facility is acquired under a facility_acquisition measure, not %(kind)s"),
                {"kind": kind},
            )
        )
    if status is MeasureStatus.COMPLETED:
        raise Conflict(Text(N_("the measure is completed: its facilities were transferred")))


def check_price(price_yen: int) -> int:
    if price_yen <= 0:
        raise BadInput(Text(N_("a price is a positive number of yen")))
    return price_yen


def check_can_entrust(status: FacilityStatus, until: date, today: date) -> None:
    if status is FacilityStatus.TRANSFERRED:
        raise Conflict(Text(N_("the facility was transferred: the state no longer holds it")))
    if until <= today:
        raise BadInput(
            Text(N_("an entrustment runs until a day after today (%(today)s)"), {"today": today.isoformat()})
        )


def check_can_transfer(status: FacilityStatus, acquired_on: date, on: date) -> None:
    if status is FacilityStatus.TRANSFERRED:
        raise Conflict(Text(N_("the facility was already transferred")))
    if on < acquired_on:
        raise BadInput(
            Text(
                N_("a transfer cannot precede the acquisition (%(acquired_on)s)"),
                {"acquired_on": acquired_on.isoformat()},
            )
        )


# -- the annual report on state-held facilities ----------------------------------------------

REPORT_MONTHS_AFTER_YEAR_END = 3  # due within three months after each fiscal year ends


def report_due(year: int) -> date:
    """The annual report on FY`year` is due three months after the year ends: 30 June of the
    next calendar year (FY2026 ends 2027-03-31, its report is due 2027-06-30)."""
    return date(year + 1, 3 + REPORT_MONTHS_AFTER_YEAR_END, 30)


def held_during(year: int, acquired_on: date, transferred_on: date | None) -> bool:
    """Whether the state held the facility on some day of the fiscal year."""
    first, last = fiscal_year_span(year)
    return acquired_on <= last and (transferred_on is None or transferred_on >= first)


@dataclass(frozen=True, slots=True)
class ReportDuty:
    fiscal_year: int
    due: date
    filed_on: date | None

    def overdue(self, today: date) -> bool:
        return self.filed_on is None and today > self.due


# -- events: a feature keeping deadlines starts and stops the report's clock on them -----------


@dataclass(frozen=True, slots=True)
class FacilityReportOwed(Event):
    """The state holds a facility during FY`fiscal_year`: its report on that year is owed by
    `due` (published on acquisition, and for the next year when a year's report is filed)."""

    facility_id: int
    fiscal_year: int
    due: date


@dataclass(frozen=True, slots=True)
class FacilityReportFiled(Event):
    """The report on a facility for FY`fiscal_year` was filed (published in its transaction)."""

    facility_id: int
    fiscal_year: int
