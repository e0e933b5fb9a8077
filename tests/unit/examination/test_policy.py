"""The published policy: what the shipped file says, what a policy file may not say, and scores."""

from __future__ import annotations

from fractions import Fraction

import pytest

from shokei.errors import BadInput
from shokei.examination.domain import (
    HardRuleKind,
    PolicyError,
    parse_policy,
    shown,
    validate_values,
    weighted_score,
)
from shokei.examination.policies import current_policy

MINIMAL = """
version = "t.1"
threshold = 50
[[criteria]]
name = "a"
min = 0
max = 4
weight = 3
[[criteria]]
name = "b"
min = 1
max = 3
weight = 1
"""


def test_the_shipped_policy_is_2022_1_with_six_weighted_criteria_and_three_hard_rules() -> None:
    policy = current_policy().policy
    assert policy.version == "2022.1"
    assert [(c.name, c.min, c.max, c.weight) for c in policy.criteria] == [
        ("criticality", 0, 5, 30),
        ("disclosure", 0, 5, 25),
        ("uniqueness", 0, 5, 20),
        ("export_control", 0, 3, 10),
        ("package_completeness", 0, 4, 10),
        ("age", 0, 4, 5),
    ]
    assert (policy.threshold, policy.examiners_required, policy.disagreement_tolerance) == (60, 1, 15)
    assert [(r.name, r.kind) for r in policy.hard_rules] == [
        ("secrecy_marking", HardRuleKind.MARKING),
        ("single_source_component", HardRuleKind.SINGLE_SOURCE),
        ("reveals_fielded_performance", HardRuleKind.CRITERION),
    ]
    assert {"秘", "特定秘密", "SECRET"} <= policy.hard_rules[0].markings
    assert "社外秘" not in policy.hard_rules[0].markings  # a company's own stamp is not state secrecy


def test_the_policy_text_is_fingerprinted() -> None:
    first, second = parse_policy(MINIMAL), parse_policy(MINIMAL.replace("threshold = 50", "threshold = 51"))
    assert first.sha256 != second.sha256
    assert first.sha256 == parse_policy(MINIMAL).sha256


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (("threshold = 50", "threshold = 101"), "threshold must lie between 0 and 100"),
        (('name = "b"', 'name = "a"'), "name 'a' is used twice"),
        (("max = 3", "max = 1"), "criterion b: min must be below max"),
        (("weight = 1", "weight = 0"), "criterion b: weight must be positive"),
        (('version = "t.1"', "version = 3"), "'version' must be a non-empty string"),
        (('name = "b"', 'name = "B c"'), "'B c' is not a lower-case identifier"),
        (("threshold = 50", "threshold = 50\nexaminers_required = 3"), "examiners_required must be 1 or 2"),
        (("threshold = 50", "threshold = [50"), "not valid TOML"),
    ],
)
def test_invalid_policies_are_refused_with_the_reason(change: tuple[str, str], complaint: str) -> None:
    with pytest.raises(PolicyError, match=complaint):
        parse_policy(MINIMAL.replace(*change))


@pytest.mark.parametrize(
    ("rule", "complaint"),
    [
        ('kind = "marking"', "list the markings"),
        ('kind = "criterion"\ncriterion = "zz"\nat_least = 1', "name an existing criterion"),
        ('kind = "criterion"\ncriterion = "a"\nat_least = 9', "at_least lies outside 0..4"),
        ('kind = "astrology"', "kind must be one of"),
    ],
)
def test_invalid_hard_rules_are_refused(rule: str, complaint: str) -> None:
    with pytest.raises(PolicyError, match=complaint):
        parse_policy(MINIMAL + f'\n[[hard_rules]]\nname = "r"\n{rule}\n')


def test_weighted_score_places_each_value_on_its_scale() -> None:
    policy = parse_policy(MINIMAL)
    # a: 3 * (2-0)/(4-0) = 1.5; b: 1 * (3-1)/(3-1) = 1; (1.5 + 1) / 4 weights * 100 = 62.5
    assert weighted_score(policy, {"a": 2, "b": 3}) == Fraction(125, 2)
    assert weighted_score(policy, {"a": 0, "b": 1}) == 0
    assert weighted_score(policy, {"a": 4, "b": 3}) == 100


def test_scores_are_exact_so_the_threshold_is_met_or_missed_by_the_values_not_by_rounding() -> None:
    policy = current_policy().policy
    at = {
        "criticality": 2,
        "disclosure": 3,
        "uniqueness": 2,
        "export_control": 3,
        "package_completeness": 4,
        "age": 4,
    }
    below = {
        "criticality": 5,
        "disclosure": 2,
        "uniqueness": 3,
        "export_control": 2,
        "package_completeness": 0,
        "age": 1,
    }
    assert weighted_score(policy, at) == 60  # 12 + 15 + 8 + 10 + 10 + 5
    assert weighted_score(policy, below) == Fraction(719, 12)  # 30 + 10 + 12 + 20/3 + 0 + 5/4
    assert shown(Fraction(719, 12)) == "59.92"
    assert shown(Fraction(1, 8)) == "0.13"  # half up


def test_values_must_cover_every_criterion_within_its_scale() -> None:
    policy = parse_policy(MINIMAL)
    assert validate_values(policy, {"b": 2, "a": 1}) == {"a": 1, "b": 2}
    with pytest.raises(BadInput, match="missing: b"):
        validate_values(policy, {"a": 1})
    with pytest.raises(BadInput, match="unknown criteria c"):
        validate_values(policy, {"a": 1, "b": 2, "c": 3})
    with pytest.raises(BadInput, match=r"b=0 \(scale 1..3\)"):
        validate_values(policy, {"a": 1, "b": 0})
