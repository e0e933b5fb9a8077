"""Budget law in the purchase domain (pure): the payment's fiscal year, carry-over, the year's
close. Expected values are worked out by hand from the Japanese fiscal year (April - March)."""

from __future__ import annotations

from datetime import date

import pytest

from shokei.errors import BadInput, Conflict
from shokei.purchase.domain import (
    BudgetPosition,
    CarryOverRequired,
    YearClosed,
    check_appropriation,
    check_carry_over,
    check_commitment,
    check_year_ended,
    payment_year,
)

TODAY = date(2026, 12, 10)  # FY2026


def test_a_payment_date_after_today_is_refused() -> None:
    # the case: paying on 2027-05-10 in December 2026
    with pytest.raises(BadInput, match="2027-05-10 lies in the future"):
        payment_year(date(2027, 5, 10), TODAY, date(2026, 6, 1), 2026)
    with pytest.raises(BadInput, match="future"):
        payment_year(date(2026, 12, 11), TODAY, date(2026, 6, 1), 2026)
    assert payment_year(TODAY, TODAY, date(2026, 6, 1), 2026) == 2026


def test_a_payment_is_booked_to_the_fiscal_year_of_its_date() -> None:
    today = date(2027, 4, 20)
    # committed in FY2026, carried into FY2027, paid on 1 April 2027: FY2027
    assert payment_year(date(2027, 4, 1), today, date(2026, 6, 1), 2027) == 2027
    # committed in FY2026, paid on 31 March 2027: still FY2026
    assert payment_year(date(2027, 3, 31), today, date(2026, 6, 1), 2026) == 2026


def test_paying_in_a_later_year_needs_a_carry_over_and_a_carried_commitment_is_not_paid_earlier() -> None:
    today = date(2027, 4, 20)
    with pytest.raises(CarryOverRequired, match="falls in FY2027 but the commitment stands in FY2026"):
        payment_year(date(2027, 4, 1), today, date(2026, 6, 1), 2026)
    with pytest.raises(Conflict, match="carried over into FY2027"):
        payment_year(date(2027, 3, 31), today, date(2026, 6, 1), 2027)
    with pytest.raises(BadInput, match="precede the approval"):
        payment_year(date(2026, 5, 31), today, date(2026, 6, 1), 2026)


def test_a_commitment_is_carried_once_into_the_next_year_with_a_reason() -> None:
    check_carry_over(2026, 2027, "納期遅延", already_carried=False)
    with pytest.raises(BadInput, match="into FY2027, not FY2028"):
        check_carry_over(2026, 2028, "納期遅延", already_carried=False)
    with pytest.raises(BadInput, match="needs a reason"):
        check_carry_over(2026, 2027, "  ", already_carried=False)
    with pytest.raises(Conflict, match="carried once"):
        check_carry_over(2027, 2028, "再延期", already_carried=True)


def test_available_counts_carried_authority_in_and_out() -> None:
    # FY2026: 1,000,000,000 appropriated; 45,000,000 carried out; 30,000,000 paid; 0 committed
    # available = 1,000,000,000 - 45,000,000 - 30,000,000 = 925,000,000
    assert BudgetPosition(2026, 1_000_000_000, 0, 30_000_000, carried_out=45_000_000).available == 925_000_000
    # FY2027: 500,000,000 appropriated + 45,000,000 carried in, which stands committed: 500,000,000
    assert BudgetPosition(2027, 500_000_000, 45_000_000, 0, carried_in=45_000_000).available == 500_000_000


def test_a_closed_year_takes_no_commitment_nor_appropriation_change() -> None:
    closed = BudgetPosition(2026, 1_000_000_000, 0, 0, closed=True)
    with pytest.raises(YearClosed, match="FY2026 is closed: no further commitments"):
        check_commitment(closed, 1)
    with pytest.raises(YearClosed, match="appropriation changes"):
        check_appropriation(closed, 2_000_000_000)


def test_an_appropriation_need_not_cover_what_carried_in_authority_funds() -> None:
    # 45,000,000 committed, all of it carried in: an appropriation of 0 still covers it
    check_appropriation(BudgetPosition(2027, 100, 45_000_000, 0, carried_in=45_000_000), 0)
    with pytest.raises(Conflict, match="already has"):
        check_appropriation(BudgetPosition(2027, 100, 45_000_001, 0, carried_in=45_000_000), 0)


def test_a_year_closes_only_once_it_has_ended() -> None:
    with pytest.raises(Conflict, match="FY2026 runs until 2027-03-31: it can be closed from 2027-04-01"):
        check_year_ended(2026, date(2027, 3, 31))
    check_year_ended(2026, date(2027, 4, 1))
