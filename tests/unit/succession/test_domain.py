"""Successor eligibility and ranking: each refusal with its reason, each score worked by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from shokei.companies.geography import REGION_OF_PREFECTURE, region_of
from shokei.errors import BadInput
from shokei.succession.domain import (
    CandidateFacts,
    EligibilityThresholds,
    ForeignOwnership,
    OwnershipBasis,
    SuccessionCase,
    check_eligibility,
)
from shokei.succession.ranking import ScoreWeights, assess_candidates, score_candidate
from shokei.web import i18n

# Published corporate numbers (valid check digits); the companies here are fictional.
WITHDRAWING = "1180301018771"
CANDIDATE = "8010401050387"
OTHER = "5010401067252"
PARENT = "7000012050002"
HANDOVER = date(2026, 7, 1)

CASE = SuccessionCase(
    case_id="CASE-1",
    withdrawing_corporate_number=WITHDRAWING,
    handover_date=HANDOVER,
    required_capabilities=frozenset({"rf", "antenna", "marine"}),
    affected_weapon_systems=frozenset({"SYS-A", "SYS-B"}),
    withdrawing_prefecture="神奈川県",
)
SOUND = CandidateFacts(
    corporate_number=CANDIDATE,
    name="承継電子株式会社",
    foreign_ownership=ForeignOwnership(Decimal("5"), OwnershipBasis.DIRECT),
    financial_distress=False,
    security_compliant_until=date(2027, 3, 31),
    capabilities=frozenset({"rf", "antenna", "marine"}),
    open_case_slots=2,
    supplied_weapon_systems=frozenset({"SYS-A"}),
    prefecture="東京都",
)
RULE_NAMES = [
    "domestic",
    "foreign_ownership",
    "financial_health",
    "security_compliance",
    "independence",
    "capability",
    "capacity",
]


def _failed(facts: CandidateFacts, case: SuccessionCase = CASE) -> dict[str, str]:
    return {rule.name: rule.reason for rule in check_eligibility(facts, case) if not rule.passed}


def test_a_sound_candidate_passes_every_rule_with_a_reason() -> None:
    results = check_eligibility(SOUND, CASE)
    assert [rule.name for rule in results] == RULE_NAMES
    assert all(rule.passed for rule in results)
    reasons = {rule.name: rule.reason for rule in results}
    assert reasons["foreign_ownership"] == "foreign ownership 5% (direct) < threshold 10%"
    assert (
        reasons["security_compliance"] == "security compliance valid until 2027-03-31 (hand-over 2026-07-01)"
    )


def test_foreign_controlled_company_is_refused_with_share_and_threshold() -> None:
    owned = replace(SOUND, foreign_ownership=ForeignOwnership(Decimal("34"), OwnershipBasis.INTEGRATED))
    assert _failed(owned) == {"foreign_ownership": "foreign ownership 34% (integrated) ≥ threshold 10%"}


@pytest.mark.parametrize(
    ("percent", "refused"),
    [(Decimal("9.99"), False), (Decimal("10"), True), (Decimal("10.0"), True), (Decimal("0"), False)],
)
def test_the_threshold_itself_is_refused(percent: Decimal, refused: bool) -> None:
    owned = replace(SOUND, foreign_ownership=ForeignOwnership(percent, OwnershipBasis.DIRECT))
    assert ("foreign_ownership" in _failed(owned)) is refused


def test_foreign_control_by_attribution_is_refused_even_below_the_threshold() -> None:
    owned = replace(SOUND, foreign_ownership=ForeignOwnership(Decimal("4"), OwnershipBasis.CONTROLLED, True))
    assert _failed(owned) == {
        "foreign_ownership": "foreign ownership 4% (controlled): foreign-controlled through its owners"
    }


def test_integrated_share_names_its_chain_and_the_attributed_share() -> None:
    controlled = ForeignOwnership(
        Decimal("48"),
        OwnershipBasis.INTEGRATED,
        foreign_controlled=True,
        chain=("海外社", "持株社", "候補社"),
        attributed_percent=Decimal("60"),
    )
    assert _failed(replace(SOUND, foreign_ownership=controlled)) == {
        "foreign_ownership": (
            "foreign ownership 48% (integrated) via 海外社→持株社→候補社: "
            "foreign-controlled through its owners (attributed 60%)"
        )
    }
    minor = ForeignOwnership(Decimal("2.5"), OwnershipBasis.INTEGRATED, chain=("海外社", "候補社"))
    passed = {r.name: r for r in check_eligibility(replace(SOUND, foreign_ownership=minor), CASE)}
    assert passed["foreign_ownership"].passed
    assert passed["foreign_ownership"].reason == (
        "foreign ownership 2.5% (integrated) via 海外社→候補社 < threshold 10%"
    )


def test_configured_threshold_applies() -> None:
    owned = replace(SOUND, foreign_ownership=ForeignOwnership(Decimal("5"), OwnershipBasis.DIRECT))
    strict = EligibilityThresholds(max_foreign_share_percent=Decimal("1"))
    refusals = {rule.name: rule.reason for rule in check_eligibility(owned, CASE, strict) if not rule.passed}
    assert refusals == {"foreign_ownership": "foreign ownership 5% (direct) ≥ threshold 1%"}


def test_missing_ownership_is_a_refusal_not_a_pass() -> None:
    assert _failed(replace(SOUND, foreign_ownership=None)) == {
        "foreign_ownership": "foreign ownership not on record"
    }


def test_distressed_company_is_refused() -> None:
    assert _failed(replace(SOUND, financial_distress=True)) == {
        "financial_health": "in financial distress per the indicators on record"
    }
    assert _failed(replace(SOUND, financial_distress=None)) == {
        "financial_health": "no financial indicators on record"
    }


def test_security_compliance_expired_on_the_handover_date_is_refused() -> None:
    expired = replace(SOUND, security_compliant_until=date(2026, 6, 30))
    assert _failed(expired) == {
        "security_compliance": "security compliance expired 2026-06-30, before hand-over 2026-07-01"
    }
    assert _failed(replace(SOUND, security_compliant_until=HANDOVER)) == {}  # valid through that day
    assert _failed(replace(SOUND, security_compliant_until=None)) == {
        "security_compliance": "no security compliance on record"
    }


def test_the_withdrawing_company_itself_is_refused() -> None:
    itself = replace(SOUND, corporate_number=WITHDRAWING)
    assert _failed(itself) == {"independence": "is the withdrawing company itself"}


@pytest.mark.parametrize(
    ("candidate_group", "withdrawing_group"),
    [
        (frozenset({WITHDRAWING}), frozenset()),  # the candidate lists the withdrawing company
        (frozenset(), frozenset({CANDIDATE})),  # the withdrawing company lists the candidate
        (frozenset({PARENT}), frozenset({PARENT})),  # both under one parent
    ],
)
def test_a_member_of_the_withdrawing_group_is_refused(
    candidate_group: frozenset[str], withdrawing_group: frozenset[str]
) -> None:
    facts = replace(SOUND, group_corporate_numbers=candidate_group)
    case = replace(CASE, withdrawing_group=withdrawing_group)
    reason = _failed(facts, case)["independence"]
    assert reason.startswith(f"same group as the withdrawing company {WITHDRAWING}")


def test_foreign_or_invalid_identity_is_refused() -> None:
    assert _failed(replace(SOUND, country="CN")) == {"domestic": "registered in CN, not in Japan"}
    wrong_digit = "9" + CANDIDATE[1:]
    assert "check digit 9; expected 8" in _failed(replace(SOUND, corporate_number=wrong_digit))["domestic"]


def test_missing_capability_and_no_capacity_are_refused_with_what_is_missing() -> None:
    facts = replace(SOUND, capabilities=frozenset({"rf"}), open_case_slots=0)
    assert _failed(facts) == {
        "capability": "covers 1 of 3 required capabilities; missing antenna, marine",
        "capacity": "0 open case slots, 1 needed",
    }


def test_every_rule_is_evaluated_even_after_a_refusal() -> None:
    hopeless = replace(SOUND, country="US", financial_distress=True, security_compliant_until=None)
    results = check_eligibility(hopeless, CASE)
    assert [rule.name for rule in results] == RULE_NAMES
    assert {rule.name for rule in results if not rule.passed} == {
        "domestic",
        "financial_health",
        "security_compliance",
    }


def test_thresholds_are_validated() -> None:
    with pytest.raises(BadInput):
        EligibilityThresholds(max_foreign_share_percent=Decimal("0"))
    with pytest.raises(BadInput):
        EligibilityThresholds(min_capability_coverage=Decimal("1.5"))
    with pytest.raises(BadInput):
        ScoreWeights(
            capability=Decimal("0"),
            supply_relationships=Decimal("0"),
            geography=Decimal("0"),
            capacity=Decimal("0"),
        )


# --- ranking ----------------------------------------------------------------------------------

X = SOUND  # Jaccard 3/3 = 1, supplies 1 of 2 = 0.5, Tokyo vs Kanagawa: same region 0.5, 2/5 = 0.4
Y = replace(
    SOUND,
    corporate_number=OTHER,
    capabilities=frozenset({"rf", "antenna", "marine", "sonar"}),  # 3/4 = 0.75
    supplied_weapon_systems=frozenset({"SYS-A", "SYS-B", "SYS-C"}),  # 2 of 2 = 1
    prefecture="神奈川県",  # same prefecture = 1
    open_case_slots=7,  # capped at 5: 1
)
Z = replace(
    SOUND,
    corporate_number=PARENT,
    capabilities=frozenset({"rf", "antenna", "marine", "sonar", "radar", "optics"}),  # 3/6 = 0.5
    supplied_weapon_systems=frozenset(),
    prefecture="福岡県",  # another region: 0
    open_case_slots=1,  # 1/5 = 0.2
)


def _parts(facts: CandidateFacts, weights: ScoreWeights | None = None) -> dict[str, Decimal]:
    return {part.name: part.contribution for part in score_candidate(facts, CASE, weights).parts}


def test_score_parts_worked_by_hand_with_default_weights() -> None:
    # Weights 0.4 / 0.3 / 0.1 / 0.2 sum to 1: contribution = value x weight.
    assert _parts(X) == {
        "capability": Decimal("0.4"),
        "supply_relationships": Decimal("0.15"),
        "geography": Decimal("0.05"),
        "capacity": Decimal("0.08"),
    }
    assert score_candidate(X, CASE).total == Decimal("0.68")
    assert score_candidate(Y, CASE).total == Decimal("0.9")  # 0.3 + 0.3 + 0.1 + 0.2
    assert score_candidate(Z, CASE).total == Decimal("0.24")  # 0.2 + 0 + 0 + 0.04


def test_parts_add_up_to_the_total() -> None:
    for facts in (X, Y, Z):
        score = score_candidate(facts, CASE)
        assert sum(part.contribution for part in score.parts) == score.total
        assert all(part.contribution == part.value * part.weight for part in score.parts)  # weights sum to 1


def test_weights_are_normalised_by_their_sum() -> None:
    weights = ScoreWeights(
        capability=Decimal(2), supply_relationships=Decimal(1), geography=Decimal(1), capacity=Decimal(0)
    )
    # X: (1 x 2 + 0.5 x 1 + 0.5 x 1 + 0.4 x 0) / 4 = 3 / 4
    assert _parts(X, weights) == {
        "capability": Decimal("0.5"),
        "supply_relationships": Decimal("0.125"),
        "geography": Decimal("0.125"),
        "capacity": Decimal("0"),
    }
    assert score_candidate(X, CASE, weights).total == Decimal("0.75")


def test_explanations_name_what_was_counted() -> None:
    parts = score_candidate(X, CASE).parts
    explanations = {part.name: str(part.explanation) for part in parts}
    assert explanations == {
        "capability": "capability overlap (Jaccard) 3/3 tags",
        "supply_relationships": "already supplies 1 of 2 affected weapon systems (SYS-A)",
        "geography": "same region (関東): 東京都, withdrawing company in 神奈川県",
        "capacity": "2 open slots (full marks at 5)",
    }
    with i18n.activate("ja"):
        japanese = {part.name: part.explanation.render(i18n.gettext) for part in parts}
    assert japanese["geography"] == "同一地域（関東）：東京都、撤退企業は神奈川県"
    assert japanese["capacity"] == "受入可能な案件数2件（満点は5件）"


def test_ranking_puts_eligible_first_then_by_score() -> None:
    foreign_but_perfect = replace(
        Y,
        corporate_number="4180301018769",
        foreign_ownership=ForeignOwnership(Decimal(60), OwnershipBasis.DIRECT),
    )
    ranked = assess_candidates(CASE, [Z, foreign_but_perfect, X, Y])
    assert [item.corporate_number for item in ranked] == [OTHER, CANDIDATE, PARENT, "4180301018769"]
    assert [item.eligible for item in ranked] == [True, True, True, False]
    assert [rule.name for rule in ranked[-1].refusals] == ["foreign_ownership"]


def test_regions_follow_the_eight_customary_regions() -> None:
    assert region_of("東京都") == region_of("神奈川県") == "関東"
    assert region_of("沖縄県") == "九州・沖縄"
    assert region_of("愛知県") == "中部"
    assert region_of("Atlantis") is None
    assert region_of(None) is None
    assert len(REGION_OF_PREFECTURE) == 47


# -- the holder rules (continuous eligibility) and the certification in the security rule -------


def test_the_security_rule_fails_on_a_revoked_or_expired_certification_and_names_it() -> None:
    from shokei.companies.domain import Certification, CertificationEnd

    valid = Certification("保全 太郎", date(2026, 12, 31))
    passed = check_eligibility(replace(SOUND, certification=valid), CASE)
    [security] = [rule for rule in passed if rule.name == "security_compliance"]
    assert security.passed
    assert security.reason.endswith("; certified until 2026-12-31 (custodian 保全 太郎)")

    lapsed = Certification("保全 太郎", date(2026, 6, 30))  # the day before the hand-over
    [security] = [
        rule
        for rule in check_eligibility(replace(SOUND, certification=lapsed), CASE)
        if rule.name == "security_compliance"
    ]
    assert not security.passed
    assert security.reason.startswith("certification expired 2026-06-30; ")

    revoked = Certification("保全 太郎", date(2027, 1, 1), ended=CertificationEnd.REVOKED, end_reason="不備")
    [security] = [
        rule
        for rule in check_eligibility(replace(SOUND, certification=revoked), CASE)
        if rule.name == "security_compliance"
    ]
    assert not security.passed
    assert security.reason.startswith("certification revoked: 不備; ")


def test_a_company_never_certified_is_judged_on_its_security_compliance_alone() -> None:
    [security] = [rule for rule in check_eligibility(SOUND, CASE) if rule.name == "security_compliance"]
    assert security.passed


def test_the_holder_rules_are_about_the_company_not_its_fit_for_a_case() -> None:
    from shokei.succession.domain import check_holder

    # No capability, no room for a case: a holder of copies need not be a good candidate.
    unfit = replace(SOUND, capabilities=frozenset(), open_case_slots=0)
    results = check_holder(unfit, date(2026, 6, 1))
    assert [rule.name for rule in results] == [
        "domestic",
        "foreign_ownership",
        "financial_health",
        "security_compliance",
    ]
    assert all(rule.passed for rule in results)

    foreign = replace(SOUND, foreign_ownership=ForeignOwnership(Decimal(12), OwnershipBasis.INTEGRATED))
    failing = [rule for rule in check_holder(foreign, date(2026, 6, 1)) if not rule.passed]
    assert [(rule.name, rule.reason) for rule in failing] == [
        ("foreign_ownership", "foreign ownership 12% (integrated) ≥ threshold 10%")
    ]
    expired = [rule for rule in check_holder(SOUND, date(2099, 1, 1)) if not rule.passed]
    assert [rule.name for rule in expired] == ["security_compliance"]
