"""The Japanese fiscal year, yen as Japan writes it, and the budget's arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from shokei.errors import BadInput, Conflict
from shokei.purchase.domain import (
    BudgetExhausted,
    BudgetPosition,
    check_appropriation,
    check_commitment,
    fiscal_year,
    fiscal_year_span,
    japanese_yen,
    yen,
)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2022, 3, 31), 2021),
        (date(2022, 4, 1), 2022),
        (date(2022, 12, 31), 2022),
        (date(2023, 1, 1), 2022),
        (date(2023, 3, 31), 2022),
        (date(2023, 4, 1), 2023),
        (date(2024, 2, 29), 2023),
    ],
)
def test_the_fiscal_year_runs_april_to_march_named_by_its_start(day: date, year: int) -> None:
    assert fiscal_year(day) == year


def test_fiscal_year_span() -> None:
    assert fiscal_year_span(2022) == (date(2022, 4, 1), date(2023, 3, 31))


@pytest.mark.parametrize(
    ("amount", "western", "japanese"),
    [
        (1_000_000_000, "¥1,000,000,000", "10億円"),
        (48_500_000, "¥48,500,000", "4,850万円"),
        (1_234_567_890, "¥1,234,567,890", "12億3,456万7,890円"),
        (1_500_000_000_000, "¥1,500,000,000,000", "1兆5,000億円"),
        (9_999, "¥9,999", "9,999円"),
        (0, "¥0", "0円"),
        (-30_000_000, "-¥30,000,000", "-3,000万円"),
    ],
)
def test_yen_as_written_in_the_west_and_in_japan(amount: int, western: str, japanese: str) -> None:
    assert (yen(amount), japanese_yen(amount)) == (western, japanese)


def test_available_is_appropriation_less_committed_less_paid() -> None:
    position = BudgetPosition(2022, 1_000_000_000, committed=600_000_000, paid=300_000_000)
    assert position.available == 100_000_000


def test_a_commitment_may_use_the_last_yen_but_not_one_more() -> None:
    position = BudgetPosition(2022, 1_000_000_000, committed=960_000_000, paid=10_000_000)
    check_commitment(position, 30_000_000)
    with pytest.raises(BudgetExhausted, match=r"budget exhausted: FY2022 has ¥30,000,000 available"):
        check_commitment(position, 30_000_001)


def test_an_appropriation_never_goes_below_what_is_spoken_for() -> None:
    position = BudgetPosition(2022, 1_000_000_000, committed=600_000_000, paid=300_000_000)
    check_appropriation(position, 900_000_000)
    with pytest.raises(Conflict, match="already has ¥900,000,000 committed or paid"):
        check_appropriation(position, 899_999_999)
    with pytest.raises(BadInput, match="non-negative"):
        check_appropriation(BudgetPosition(2022, 0, 0, 0), -1)
