"""Valuation guidance by the cost approach, and the approval ceiling."""

from __future__ import annotations

from datetime import date

import pytest

from shokei.errors import BadInput
from shokei.purchase.domain import CeilingExceeded, ValuationInputs, check_ceiling, check_payment, value
from shokei.web import i18n

ON = date(2026, 6, 1)


def test_the_cheaper_cost_is_the_basis_and_ceiling_and_age_depreciates_it() -> None:
    guidance = value(ValuationInputs(120_000_000, 2019, 90_000_000), ON)
    # basis: reproduction ¥90M < development ¥120M; age 7: 100% - 7 x 10% = 30% residual
    assert (guidance.basis_yen, guidance.age_years, guidance.residual_percent) == (90_000_000, 7, 30)
    assert guidance.suggested_high_yen == 27_000_000  # 90M x 30%
    assert guidance.suggested_low_yen == 21_600_000  # 80% of 27M
    assert guidance.ceiling_yen == 90_000_000
    assert guidance.method == "cost_approach_v1"
    assert "basis: reproduction cost ¥90,000,000" in str(guidance.explanation[0])
    with i18n.activate("ja"):
        steps = [step.render(i18n.gettext) for step in guidance.explanation]
    assert steps[0].startswith("基準額：再作成費用 ¥90,000,000")
    assert steps[1] == "経過年数7年：年10%の陳腐化、残存価値は最低20%：30%"
    assert steps[2] == "推奨範囲 ¥21,600,000～¥27,000,000（減価後の価値の80%～100%）"


def test_old_designs_keep_a_residual_fifth_and_no_year_means_no_obsolescence() -> None:
    old = value(ValuationInputs(development_cost_yen=50_000_000, development_year=1990), ON)
    assert (old.residual_percent, old.suggested_high_yen) == (20, 10_000_000)
    new = value(ValuationInputs(development_cost_yen=50_000_000), ON)
    assert (new.age_years, new.suggested_high_yen, new.suggested_low_yen) == (0, 50_000_000, 40_000_000)


def test_yen_fractions_are_rounded_down() -> None:
    guidance = value(ValuationInputs(reproduction_cost_yen=33_333_333, development_year=2025), ON)
    assert guidance.suggested_high_yen == 29_999_999  # 33,333,333 x 90% = 29,999,999.7
    assert guidance.suggested_low_yen == 23_999_999  # 29,999,999 x 80% = 23,999,999.2


@pytest.mark.parametrize(
    ("inputs", "complaint"),
    [
        (
            ValuationInputs(development_year=2010),
            "needs a documented development cost or a reproduction cost",
        ),
        (ValuationInputs(development_cost_yen=0), "positive"),
        (ValuationInputs(development_cost_yen=1, development_year=2027), "between 1900 and 2026"),
    ],
)
def test_bad_inputs_are_refused(inputs: ValuationInputs, complaint: str) -> None:
    with pytest.raises(BadInput, match=complaint):
        value(inputs, ON)


def test_above_the_ceiling_needs_a_reason() -> None:
    check_ceiling(90_000_000, 90_000_000, None)
    check_ceiling(95_000_000, None, None)  # no valuation recorded: no ceiling
    check_ceiling(95_000_000, 90_000_000, "唯一の設計資料であり再現不能")
    with pytest.raises(CeilingExceeded, match="above the valuation ceiling ¥90,000,000"):
        check_ceiling(95_000_000, 90_000_000, "  ")


def test_payment_cannot_precede_approval() -> None:
    check_payment(date(2026, 6, 1), date(2026, 6, 1))
    with pytest.raises(BadInput, match="precede"):
        check_payment(date(2026, 5, 31), date(2026, 6, 1))
