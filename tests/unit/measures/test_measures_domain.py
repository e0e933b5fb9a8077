"""The measures' pure rules: the annual report's due date and who was held in a fiscal year,
the details each kind records, and the move each kind makes on its case."""

from __future__ import annotations

from datetime import date

import pytest

from shokei.cases.domain import TransitionName
from shokei.errors import BadInput, Conflict
from shokei.measures.domain import (
    FacilityStatus,
    MeasureKind,
    MeasureStatus,
    ReportDuty,
    case_move,
    check_can_acquire,
    check_can_entrust,
    check_can_transfer,
    details_for,
    held_during,
    report_due,
    status_on_decision,
)


@pytest.mark.parametrize(
    ("year", "due"),
    [(2026, date(2027, 6, 30)), (2024, date(2025, 6, 30)), (2099, date(2100, 6, 30))],
)
def test_the_report_is_due_three_months_after_the_fiscal_year_ends(year: int, due: date) -> None:
    assert report_due(year) == due


def test_overdue_only_when_not_filed_and_past_the_due_day() -> None:
    duty = ReportDuty(2026, date(2027, 6, 30), None)
    assert not duty.overdue(date(2027, 6, 30))
    assert duty.overdue(date(2027, 7, 1))
    assert not ReportDuty(2026, date(2027, 6, 30), date(2027, 7, 5)).overdue(date(2027, 8, 1))


@pytest.mark.parametrize(
    ("acquired", "transferred", "held_in_2026"),
    [
        (date(2026, 4, 1), None, True),  # the first day of the year
        (date(2027, 3, 31), None, True),  # the last day
        (date(2027, 4, 1), None, False),  # acquired the year after
        (date(2020, 1, 1), date(2026, 3, 31), False),  # transferred the day before the year
        (date(2020, 1, 1), date(2026, 4, 1), True),  # transferred on its first day
        (date(2020, 1, 1), None, True),  # held throughout
    ],
)
def test_held_during_a_fiscal_year(acquired: date, transferred: date | None, held_in_2026: bool) -> None:
    assert held_during(2026, acquired, transferred) is held_in_2026


def test_each_kind_moves_its_case() -> None:
    assert case_move(MeasureKind.REOPEN_NEGOTIATION) is TransitionName.REOPEN_NEGOTIATION
    for kind in (MeasureKind.FACILITY_ACQUISITION, MeasureKind.SUCCESSION_SUPPORT, MeasureKind.STATE_CUSTODY):
        assert case_move(kind) is TransitionName.TAKE_MEASURE
        assert status_on_decision(kind) is MeasureStatus.DECIDED
    assert status_on_decision(MeasureKind.REOPEN_NEGOTIATION) is MeasureStatus.COMPLETED


def test_details_belong_to_their_kind() -> None:
    support = details_for(MeasureKind.SUCCESSION_SUPPORT, parties=["1"], amount_yen=5, review_on=None)
    assert support == {"parties": ["1"], "supported_amount_yen": 5}
    custody = details_for(MeasureKind.STATE_CUSTODY, parties=[], amount_yen=None, review_on=date(2027, 1, 31))
    assert custody == {"review_on": "2027-01-31"}
    assert details_for(MeasureKind.FACILITY_ACQUISITION, parties=[], amount_yen=None, review_on=None) == {}
    with pytest.raises(BadInput, match="belong to a succession_support"):
        details_for(MeasureKind.STATE_CUSTODY, parties=["1"], amount_yen=None, review_on=None)
    with pytest.raises(BadInput, match="non-negative"):
        details_for(MeasureKind.SUCCESSION_SUPPORT, parties=[], amount_yen=-1, review_on=None)


def test_facility_guards() -> None:
    with pytest.raises(Conflict, match="not succession_support"):
        check_can_acquire(MeasureKind.SUCCESSION_SUPPORT, MeasureStatus.DECIDED)
    with pytest.raises(Conflict, match="completed"):
        check_can_acquire(MeasureKind.FACILITY_ACQUISITION, MeasureStatus.COMPLETED)
    with pytest.raises(BadInput, match="after today"):
        check_can_entrust(FacilityStatus.STATE_HELD, date(2026, 6, 1), date(2026, 6, 1))
    with pytest.raises(Conflict, match="no longer holds"):
        check_can_entrust(FacilityStatus.TRANSFERRED, date(2030, 1, 1), date(2026, 6, 1))
    with pytest.raises(BadInput, match="cannot precede"):
        check_can_transfer(FacilityStatus.ENTRUSTED, date(2026, 6, 1), date(2026, 5, 31))
