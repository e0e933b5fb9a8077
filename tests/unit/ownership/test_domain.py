"""Parties, shares, validation and thresholds: every expected value worked by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from shokei.ownership.domain import (
    Direction,
    Directness,
    EntityKind,
    Interest,
    InterestType,
    Party,
    ProblemCode,
    Share,
    ThresholdCrossing,
    Thresholds,
    crossed_thresholds,
    is_foreign,
    validate_interests,
)


@pytest.mark.parametrize(
    ("kind", "country", "foreign"),
    [
        (EntityKind.FOREIGN_COMPANY, "US", True),
        (EntityKind.FOREIGN_COMPANY, None, True),
        (EntityKind.REGISTERED_COMPANY, "JP", False),
        (EntityKind.PERSON, "CN", True),
        (EntityKind.PERSON, "JP", False),
        (EntityKind.PERSON, None, False),
        (EntityKind.STATE, "FI", True),
        (EntityKind.STATE, "JP", False),
        (EntityKind.ARRANGEMENT, "US", False),  # passes ownership through to its holders
        (EntityKind.UNKNOWN, "US", False),
    ],
)
def test_foreign_means_a_non_japanese_company_person_or_state(
    kind: EntityKind, country: str | None, foreign: bool
) -> None:
    assert is_foreign(kind, country) is foreign
    assert Party("k", kind, "name", country).is_foreign is foreign


def test_a_range_computes_with_its_lower_bound() -> None:
    # bods-package-entity-owning-entity.json: {"minimum": 75, "exclusiveMaximum": 100}
    share = Share(minimum=Decimal(75), exclusive_maximum=Decimal(100))
    assert (share.lower, share.upper) == (Decimal(75), Decimal(100))
    assert share.fraction() == 0.75
    assert Share(exclusive_minimum=Decimal(25)).fraction() == 0.25
    assert Share().fraction() is None


def _stake(owner: str, owned: str, percent: str) -> Interest:
    return Interest(owner, owned, share=Share.exactly(percent))


def test_invalid_shares_are_each_reported() -> None:
    problems = validate_interests(
        [
            _stake("p1", "a", "-5"),
            _stake("p2", "b", "120"),
            Interest("p3", "c", share=Share(minimum=Decimal(60), maximum=Decimal(40))),
            Interest("p4", "d", voting=Share.exactly(101)),
        ]
    )
    # Each interest's own problems in order, then the companies whose owners exceed 100 %.
    assert [(problem.code, problem.subject) for problem in problems] == [
        (ProblemCode.NEGATIVE_SHARE, "a"),
        (ProblemCode.SHARE_OVER_100, "b"),
        (ProblemCode.RANGE_INVERTED, "c"),
        (ProblemCode.SHARE_OVER_100, "d"),  # a voting share, which is not a stake
        (ProblemCode.OWNERS_OVER_100, "b"),  # 120 % declared for b alone
    ]


def test_owners_summing_over_100_percent_are_reported_with_the_total() -> None:
    problems = validate_interests([_stake("x", "a", "60"), _stake("y", "a", "50.5")])
    assert [(problem.code, problem.subject) for problem in problems] == [(ProblemCode.OWNERS_OVER_100, "a")]
    assert "110.5" in problems[0].message


def test_decimal_shares_that_make_exactly_100_percent_are_valid() -> None:
    # The Finnish SOE package: 76.5 % + 23.5 % of Gasgrid Finland Oy.
    assert validate_interests([_stake("k", "g", "76.5"), _stake("m", "g", "23.5")]) == []
    # As binary floats 2.2 + 85.9 + 11.9 = 100.00000000000001; as declared it is 100.
    assert (
        validate_interests([_stake("x", "a", "2.2"), _stake("y", "a", "85.9"), _stake("z", "a", "11.9")])
        == []
    )


def test_the_sum_counts_lower_bounds_of_current_direct_stakes_only() -> None:
    interests = [
        _stake("x", "a", "60"),
        Interest("y", "a", share=Share(minimum=Decimal(30), maximum=Decimal(60))),
        replace(_stake("z", "a", "50"), end_date=date(2020, 1, 1)),  # sold: no longer held
        replace(_stake("x", "a", "90"), directness=Directness.INDIRECT),  # declared over a chain
        Interest("x", "a", voting=Share.exactly(80), interest_type=InterestType.VOTING_RIGHTS),
    ]
    assert validate_interests(interests) == []  # 60 + 30 = 90
    on_2019 = validate_interests(interests, on=date(2019, 6, 1))
    assert [problem.code for problem in on_2019] == [ProblemCode.OWNERS_OVER_100]  # 60+30+50


def test_an_interest_ending_before_it_starts_is_reported() -> None:
    problems = validate_interests(
        [replace(_stake("x", "a", "10"), start_date=date(2024, 5, 1), end_date=date(2024, 4, 1))]
    )
    assert [problem.code for problem in problems] == [ProblemCode.ENDS_BEFORE_START]


def test_interest_activity_on_a_date() -> None:
    interest = replace(_stake("x", "a", "10"), start_date=date(2020, 1, 1), end_date=date(2021, 1, 1))
    assert interest.is_active(date(2020, 6, 1))
    assert not interest.is_active(date(2019, 12, 31))
    assert not interest.is_active(date(2021, 1, 1))  # the end date is the first day without it
    assert not interest.is_active()


def test_thresholds_default_to_1_10_25_and_50_percent() -> None:
    assert Thresholds().levels == (0.01, 0.10, 0.25, 0.50)


def test_rising_past_several_thresholds_lists_them_in_order() -> None:
    assert crossed_thresholds(0.005, 0.30) == [
        ThresholdCrossing(0.01, Direction.UP),
        ThresholdCrossing(0.10, Direction.UP),
        ThresholdCrossing(0.25, Direction.UP),
    ]


def test_falling_lists_thresholds_from_the_top() -> None:
    assert crossed_thresholds(0.55, 0.09) == [
        ThresholdCrossing(0.50, Direction.DOWN),
        ThresholdCrossing(0.25, Direction.DOWN),
        ThresholdCrossing(0.10, Direction.DOWN),
    ]


def test_reaching_exactly_50_percent_crosses_control() -> None:
    # OFAC: "50 percent or more"; 0.1 + 0.4 is how the engine arrives at it.
    assert crossed_thresholds(0.49, 0.1 + 0.4) == [ThresholdCrossing(0.50, Direction.UP)]
    assert crossed_thresholds(0.2, 0.5 - 1e-12) == [
        ThresholdCrossing(0.25, Direction.UP),
        ThresholdCrossing(0.50, Direction.UP),
    ]


def test_moving_within_a_band_crosses_nothing() -> None:
    assert crossed_thresholds(0.30, 0.45) == []
    assert crossed_thresholds(0.5, 0.5) == []


def test_custom_thresholds() -> None:
    assert crossed_thresholds(0.0, 0.3, [0.2, 0.05]) == [
        ThresholdCrossing(0.05, Direction.UP),
        ThresholdCrossing(0.2, Direction.UP),
    ]
    assert crossed_thresholds(0.3, 0.0, Thresholds(notification=0.03)) == [
        ThresholdCrossing(0.25, Direction.DOWN),
        ThresholdCrossing(0.10, Direction.DOWN),
        ThresholdCrossing(0.03, Direction.DOWN),
    ]
