"""Leak-risk factors, score, recommendation and ranking on hand-built facts.

Every expected number is the policy below worked out by hand: the score is the sum of the
factors' points, so each assertion names which facts earned which points.
"""

from __future__ import annotations

from datetime import date

import pytest

from shokei.errors import Text
from shokei.risk.domain import (
    CaseFact,
    CompanyFacts,
    CriticalityFacts,
    EventFact,
    EventKind,
    FinancialFacts,
    ForeignFacts,
    Recommendation,
    assess,
    changes_since,
    ranked,
    recommend,
)
from shokei.risk.policy import parse_policy
from shokei.risk.services import POLICY_PATH
from tests.unit.risk.policy import TEST_POLICY

TODAY = date(2026, 6, 1)
POLICY = TEST_POLICY


def _factors(facts: CompanyFacts) -> dict[str, float]:
    return {factor.name: factor.contribution for factor in assess(facts, POLICY, TODAY).factors}


def test_a_company_with_no_risk_facts_scores_zero_and_is_monitored() -> None:
    assessment = assess(CompanyFacts("1000000000001", "大手重工株式会社"), POLICY, TODAY)
    assert (assessment.score, assessment.factors, assessment.recommendation) == (
        0,
        (),
        Recommendation.MONITOR,
    )


def test_small_scale_replaces_sme_it_does_not_add_to_it() -> None:
    sme = CompanyFacts("1", "A", sme=True, sme_reason="manufacturing: capital within ¥300,000,000")
    small = CompanyFacts("2", "B", sme=True, small_scale=True, sme_reason="manufacturing: 12 people")
    assert _factors(sme) == {"sme": 10}
    assert _factors(small) == {"sme": 15}
    assert "12 people" in str(assess(small, POLICY, TODAY).factors[0].evidence)


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        # Two loss years in a row: 15. The older profit year does not matter.
        ([(2023, 5), (2024, -1), (2025, -2)], 15),
        # Latest year profitable: the losses before it are not "the last years".
        ([(2023, -1), (2024, -1), (2025, 3)], None),
        # A gap (no 2024 figures) breaks the run: only one loss year is known in a row.
        ([(2023, -1), (2025, -1)], None),
        ([(2025, -1)], None),
    ],
)
def test_losses_count_only_in_consecutive_latest_years(
    years: list[tuple[int, int]], expected: float | None
) -> None:
    financials = tuple(
        FinancialFacts(year, operating_profit_yen=profit * 1_000_000) for year, profit in years
    )
    assert _factors(CompanyFacts("1", "A", financials=financials)).get("financial_distress") == expected


def test_net_income_stands_in_when_operating_profit_is_unknown() -> None:
    financials = (FinancialFacts(2024, net_income_yen=-1), FinancialFacts(2025, net_income_yen=-1))
    assert _factors(CompanyFacts("1", "A", financials=financials)) == {"financial_distress": 15}


def test_distress_signals_add_up_with_the_latest_equity_ratio() -> None:
    # Losses 2024-2025 (15) + negative equity in the latest year (20, not also "low") + a credit
    # event within two years (20) = 55. The 2023 ratio of 30 % is old news.
    facts = CompanyFacts(
        "1",
        "A",
        financials=(
            FinancialFacts(2023, operating_profit_yen=1, equity_ratio_percent=30.0),
            FinancialFacts(2024, operating_profit_yen=-1, equity_ratio_percent=4.0),
            FinancialFacts(2025, operating_profit_yen=-1, equity_ratio_percent=-2.5),
        ),
        events=(EventFact(EventKind.CREDIT_EVENT, date(2025, 11, 20), "手形不渡り"),),
    )
    (factor,) = assess(facts, POLICY, TODAY).factors
    assert (factor.name, factor.contribution) == ("financial_distress", 55)
    assert "negative equity (-2.5 %, FY2025)" in str(factor.evidence)
    assert "credit_event on 2025-11-20 (手形不渡り)" in str(factor.evidence)


def test_low_equity_ratio_alone() -> None:
    facts = CompanyFacts("1", "A", financials=(FinancialFacts(2025, equity_ratio_percent=9.9),))
    assert _factors(facts) == {"financial_distress": 10}


def test_events_count_within_their_window_and_each_kind_once() -> None:
    facts = CompanyFacts(
        "1",
        "A",
        events=(
            EventFact(EventKind.RESTRUCTURING_ANNOUNCED, date(2024, 6, 1)),  # exactly 730 days: in
            EventFact(EventKind.RESTRUCTURING_ANNOUNCED, date(2025, 1, 10)),  # same kind again: once
            EventFact(EventKind.FACTORY_CLOSURE, date(2024, 5, 31)),  # 731 days: out
            EventFact(EventKind.SURVEY_UNANSWERED, date(2025, 5, 31)),  # 366 days: out
            EventFact(EventKind.SURVEY_UNANSWERED, date(2026, 6, 2)),  # future: out
            EventFact(EventKind.FOREIGN_SUBCONTRACTING, date(2026, 1, 5)),
            EventFact(EventKind.EXPORT_OF_RELATED_ITEMS, date(2026, 2, 5)),
        ),
    )
    assert _factors(facts) == {"restructuring": 15, "foreign_subcontracting_or_exports": 20}


@pytest.mark.parametrize(
    ("control", "points"),
    [
        (0.0, None),
        (0.0099, None),
        (0.01, 5),
        (0.0999999999999, 15),
        (0.14, 15),
        (0.25, 25),
        (0.4999, 25),
        (0.5, 40),
        (1.0, 40),
    ],
)
def test_foreign_control_counts_its_highest_band(control: float, points: float | None) -> None:
    # 0.0999999999999 is 10 % computed in floating point (e.g. 0.1 * 0.4 + 0.06): it reaches 10 %.
    facts = CompanyFacts("1", "A", foreign=ForeignFacts(control, control, 0.0, control))
    assert _factors(facts).get("foreign_control") == points


def test_foreign_evidence_names_the_figures_and_the_chain() -> None:
    foreign = ForeignFacts(
        direct=0.05,
        integrated=0.14,
        attributed=0.20,
        control=0.20,
        chain="華晨精密 (CN) -> 北斗ホールディングス (JP) -> 北斗精機 (JP)",
        acquisitions=(
            (date(2026, 5, 1), "北斗ホールディングス (JP) 0 % -> 15 %"),
            (date(2024, 1, 1), "old news"),
        ),
    )
    factors = assess(CompanyFacts("1", "A", foreign=foreign), POLICY, TODAY).factors
    assert [(f.name, f.contribution) for f in factors] == [
        ("foreign_control", 15),
        ("recent_foreign_acquisition", 15),
    ]
    evidence = str(factors[0].evidence)
    assert "foreign control 20.0 % (direct 5.0 %, integrated 14.0 %, attributed 20.0 %)" in evidence
    assert "華晨精密 (CN)" in str(factors[0].evidence)
    assert str(factors[1].evidence) == "2026-05-01: 北斗ホールディングス (JP) 0 % -> 15 %"


def test_a_reported_share_acquisition_counts_without_ownership_data() -> None:
    facts = CompanyFacts(
        "1", "A", events=(EventFact(EventKind.SHARE_ACQUISITION, date(2026, 3, 3), "中国企業が株式取得"),)
    )
    assert _factors(facts) == {"recent_foreign_acquisition": 15}


def test_criticality_scales_up_to_its_full_weight() -> None:
    def points(score: float) -> float | None:
        facts = CompanyFacts("1", "A", criticality=CriticalityFacts(score, Text("2 systems hit")))
        return _factors(facts).get("supply_chain_criticality")

    assert points(0) is None
    assert points(125) == 7.5  # 30 * 125 / 500
    assert points(500) == 30
    assert points(2000) == 30


def test_open_cases_are_named() -> None:
    facts = CompanyFacts("1", "A", open_cases=(CaseFact(7, "negotiating", date(2026, 9, 30)),))
    (factor,) = assess(facts, POLICY, TODAY).factors
    assert (factor.name, factor.contribution) == ("open_exit_case", 20)
    assert str(factor.evidence) == "case 7 (negotiating), planned exit 2026-09-30"


def test_score_is_the_sum_and_factors_come_largest_first() -> None:
    # small-scale 15 + losses 15 + low equity 10 + restructuring 15 + foreign control >= 10 % 15
    # + open case 20 + criticality 30 * 250 / 500 = 15  ->  105.
    facts = CompanyFacts(
        "1",
        "A",
        sme=True,
        small_scale=True,
        financials=(
            FinancialFacts(2024, operating_profit_yen=-5, equity_ratio_percent=8.0),
            FinancialFacts(2025, operating_profit_yen=-3, equity_ratio_percent=6.0),
        ),
        events=(EventFact(EventKind.RESTRUCTURING_ANNOUNCED, date(2026, 4, 1)),),
        foreign=ForeignFacts(0.12, 0.12, 0.12, 0.12),
        criticality=CriticalityFacts(250, Text("1 weapon systems hit")),
        open_cases=(CaseFact(3, "notified", date(2026, 12, 1)),),
    )
    assessment = assess(facts, POLICY, TODAY)
    assert assessment.score == 105
    assert [(f.name, f.contribution) for f in assessment.factors] == [
        ("financial_distress", 25),
        ("open_exit_case", 20),
        ("foreign_control", 15),
        ("restructuring", 15),
        ("sme", 15),
        ("supply_chain_criticality", 15),
    ]
    assert assessment.critical
    assert assessment.recommendation is Recommendation.TEMPORARY_ACQUISITION


@pytest.mark.parametrize(
    ("score", "critical", "expected"),
    [
        (24.9, True, Recommendation.MONITOR),
        (25, False, Recommendation.EARLY_OUTREACH),
        (90, False, Recommendation.EARLY_OUTREACH),  # high risk but nothing depends on it
        (45, True, Recommendation.SUCCESSION_CASE),
        (69.9, True, Recommendation.SUCCESSION_CASE),
        (70, True, Recommendation.TEMPORARY_ACQUISITION),
    ],
)
def test_recommendation_weighs_risk_with_criticality(
    score: float, critical: bool, expected: Recommendation
) -> None:
    assert recommend(score, critical, POLICY) is expected


def test_ranking_by_score_then_criticality_then_number() -> None:
    def company(number: str, sme: bool, criticality: float) -> CompanyFacts:
        return CompanyFacts(number, number, sme=sme, criticality=CriticalityFacts(criticality, Text("")))

    # 3: sme 10 + 30 * 500/500 = 40; 1 and 2: sme 10 + 30 * 50/500 = 13 each, equally critical,
    # so the corporate number decides; 4: 30 * 60/500 = 3.6.
    assessments = [
        assess(c, POLICY, TODAY)
        for c in (
            company("1", True, 50),
            company("2", True, 50),
            company("3", True, 500),
            company("4", False, 60),
        )
    ]
    assert [(a.corporate_number, a.score) for a in ranked(assessments)] == [
        ("3", 40),
        ("1", 13),
        ("2", 13),
        ("4", 3.6),
    ]
    assert [a.corporate_number for a in ranked(assessments, top=2)] == ["3", "1"]


def test_changes_since_the_previous_run_name_each_factor() -> None:
    assessment = assess(
        CompanyFacts("1", "A", sme=True, open_cases=(CaseFact(1, "notified", date(2026, 9, 1)),)),
        POLICY,
        TODAY,
    )
    change = changes_since(assessment, {"sme": 10, "foreign_control": 5}, 15)
    assert change.factors == {"foreign_control": -5, "open_exit_case": 20}
    assert change.score_change(assessment.score) == 15
    assert changes_since(assessment, None, None).score_change(30) is None


def test_the_shipped_policy_parses_and_a_broken_one_is_refused() -> None:
    shipped = parse_policy(POLICY_PATH.read_text(encoding="utf-8"))
    assert shipped.version
    assert shipped.foreign_control_bands[0] == (0.5, 40)
    with pytest.raises(ValueError, match="lacks 'weights'"):
        parse_policy('version = "x"')
    with pytest.raises(ValueError, match="not valid"):
        parse_policy("version = ")
