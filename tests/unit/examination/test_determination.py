"""How a determination is reached: override, missing scores, hard rules, flags, threshold; and the
examiner's own call on note-only examinations."""

from __future__ import annotations

import pytest

from shokei.errors import Forbidden
from shokei.examination.domain import (
    NO_SUPPLY_CHAIN,
    RULE_BELOW_THRESHOLD,
    RULE_EXAMINER_JUDGEMENT,
    RULE_OVERRIDE,
    RULE_SCORE_THRESHOLD,
    Determination,
    DeterminationRefused,
    DocumentFacts,
    ExaminerScore,
    Override,
    SupplyChainFindings,
    assess,
    parse_policy,
    settle,
)
from shokei.interests.domain import Relationship, refuse_conflict

P, N = Determination.PROTECTION_REQUIRED, Determination.NOT_SIGNIFICANT

# One criterion 0-10 of weight 1: the weighted score is the value times ten.
POLICY_TEXT = """
version = "unit.1"
threshold = 60
examiners_required = {examiners}
disagreement_tolerance = 15
[[criteria]]
name = "gravity"
min = 0
max = 10
weight = 1
[[hard_rules]]
name = "secrecy_marking"
kind = "marking"
markings = ["秘", "SECRET"]
[[hard_rules]]
name = "single_source_component"
kind = "single_source"
[[hard_rules]]
name = "grave"
kind = "criterion"
criterion = "gravity"
at_least = 10
"""
ONE = parse_policy(POLICY_TEXT.format(examiners=1))
TWO = parse_policy(POLICY_TEXT.format(examiners=2))
DOCS = (DocumentFacts(1, "部品図 D-1"), DocumentFacts(2, "組立図 D-2"))


def _score(line: int, value: int, examiner: str = "e1") -> ExaminerScore:
    return ExaminerScore(line, int(examiner[1:]), examiner, {"gravity": value})


def test_the_highest_document_decides_against_the_threshold_inclusive() -> None:
    at = assess(ONE, DOCS, [_score(1, 2), _score(2, 6)], NO_SUPPLY_CHAIN)
    assert at.outcome is not None
    assert (at.outcome.determination, at.outcome.rule) == (P, RULE_SCORE_THRESHOLD)
    assert "highest score 60.00 (document 2, 組立図 D-2)" in str(at.outcome.detail)
    below = assess(ONE, DOCS, [_score(1, 5), _score(2, 5)], NO_SUPPLY_CHAIN)
    assert below.outcome is not None
    assert (below.outcome.determination, below.outcome.rule) == (N, RULE_BELOW_THRESHOLD)


def test_a_secrecy_marking_requires_protection_whatever_the_scores() -> None:
    marked = (DocumentFacts(1, "部品図 D-1", ("秘",)), DOCS[1])
    result = assess(ONE, marked, [_score(1, 0), _score(2, 1)], NO_SUPPLY_CHAIN)
    assert result.outcome is not None
    assert (result.outcome.determination, result.outcome.rule) == (P, "secrecy_marking")
    assert str(result.outcome.detail) == "document 1 (部品図 D-1) bears 秘"


def test_other_markings_do_not_fire_the_secrecy_rule() -> None:
    company_stamp = (DocumentFacts(1, "部品図", ("社外秘", "CONFIDENTIAL")),)
    result = assess(ONE, company_stamp, [_score(1, 1)], NO_SUPPLY_CHAIN)
    assert result.outcome is not None
    assert result.outcome.rule == RULE_BELOW_THRESHOLD


def test_single_source_fires_only_when_a_weapon_system_is_hit() -> None:
    sole = SupplyChainFindings(True, ("SYS-1 (艦載レーダ)",), ("P-100 (導波管)",))
    fired = assess(ONE, DOCS[:1], [_score(1, 0)], sole)
    assert fired.outcome is not None
    assert (fired.outcome.determination, fired.outcome.rule) == (P, "single_source_component")
    assert (
        str(fired.outcome.detail) == "sole source of P-100 (導波管) (weapon systems hit: SYS-1 (艦載レーダ))"
    )
    unused = SupplyChainFindings(True, (), ("P-100",))
    quiet = assess(ONE, DOCS[:1], [_score(1, 0)], unused)
    assert quiet.outcome is not None
    assert quiet.outcome.rule == RULE_BELOW_THRESHOLD


def test_a_criterion_hard_rule_fires_on_any_examiners_score() -> None:
    result = assess(TWO, DOCS[:1], [_score(1, 10, "e1"), _score(1, 9, "e2")], NO_SUPPLY_CHAIN)
    assert result.outcome is not None
    assert (result.outcome.rule, str(result.outcome.detail)) == (
        "grave",
        "e1 scored gravity=10 on document 1",
    )


def test_an_empty_inventory_decides_nothing() -> None:
    empty = assess(ONE, (), [], NO_SUPPLY_CHAIN)
    assert (empty.outcome, str(empty.blocked_by)) == (None, "the document inventory is empty")


def test_missing_scores_block_even_a_hard_rule() -> None:
    marked = (DocumentFacts(1, "部品図", ("SECRET",)), DocumentFacts(2, "組立図"))
    result = assess(ONE, marked, [_score(1, 3)], NO_SUPPLY_CHAIN)
    assert result.outcome is None
    assert tuple(map(str, result.missing)) == ("document 2 (組立図): 0 of 1 examiners' scores",)
    with pytest.raises(DeterminationRefused, match="scores are missing"):
        settle(ONE, result, None)


def test_two_examiners_disagreeing_beyond_the_tolerance_are_flagged_for_a_program_manager() -> None:
    # 80 vs 60: 20 points apart, tolerance 15
    result = assess(TWO, DOCS[:1], [_score(1, 8, "e1"), _score(1, 6, "e2")], NO_SUPPLY_CHAIN)
    assert result.outcome is None
    assert tuple(map(str, result.disagreements)) == (
        "document 1 (部品図 D-1): examiners disagree by 20.00 points (e1 80.00 vs e2 60.00; tolerance 15)",
    )
    assert result.blocked_by is not None
    assert str(result.blocked_by).startswith("flagged for a program manager")


def test_examiners_within_the_tolerance_are_averaged() -> None:
    # 60 and 50 are 10 points apart (tolerance 15): the document counts (60 + 50) / 2 = 55
    result = assess(TWO, DOCS[:1], [_score(1, 6, "e1"), _score(1, 5, "e2")], NO_SUPPLY_CHAIN)
    assert tuple(map(str, result.disagreements)) == ()
    assert result.outcome is not None
    assert result.outcome.rule == RULE_BELOW_THRESHOLD
    assert "highest score 55.00" in str(result.outcome.detail)


def test_a_hard_rule_decides_despite_disagreement() -> None:
    marked = (DocumentFacts(1, "部品図", ("秘",)),)
    result = assess(TWO, marked, [_score(1, 9, "e1"), _score(1, 1, "e2")], NO_SUPPLY_CHAIN)
    assert result.outcome is not None
    assert result.outcome.rule == "secrecy_marking"
    assert result.disagreements  # still shown


def test_an_override_decides_with_its_reason() -> None:
    override = Override(N, "代替品が市販されている", "manager")
    result = assess(ONE, DOCS[:1], [_score(1, 9)], NO_SUPPLY_CHAIN, override)
    assert result.outcome is not None
    assert (result.outcome.determination, result.outcome.rule) == (N, RULE_OVERRIDE)
    assert str(result.outcome.detail) == "manager: 代替品が市販されている"


def test_an_examiners_call_must_agree_with_the_policy_once_documents_are_scored() -> None:
    result = assess(ONE, DOCS[:1], [_score(1, 9)], NO_SUPPLY_CHAIN)
    assert settle(ONE, result, P).rule == RULE_SCORE_THRESHOLD
    with pytest.raises(DeterminationRefused, match="determines protection_required"):
        settle(ONE, result, N)


def test_note_only_examinations_are_the_examiners_judgement_within_the_hard_rules() -> None:
    unscored = assess(ONE, DOCS, [], NO_SUPPLY_CHAIN)
    assert settle(ONE, unscored, N).rule == RULE_EXAMINER_JUDGEMENT
    assert settle(ONE, unscored, P).determination is P
    marked = assess(ONE, (DocumentFacts(1, "部品図", ("秘",)),), [], NO_SUPPLY_CHAIN)
    with pytest.raises(DeterminationRefused, match="hard rule secrecy_marking requires protection"):
        settle(ONE, marked, N)
    assert settle(ONE, marked, P).rule == "secrecy_marking"
    with pytest.raises(DeterminationRefused, match="scores are missing"):
        settle(TWO, assess(TWO, DOCS, [], NO_SUPPLY_CHAIN), N)  # two examiners: scores needed


def test_a_partly_scored_case_is_not_judged_on_notes() -> None:
    partly = assess(ONE, DOCS, [_score(1, 1)], NO_SUPPLY_CHAIN)
    with pytest.raises(DeterminationRefused, match="document 2"):
        settle(ONE, partly, N)


def test_a_declared_relationship_bars_an_official() -> None:
    refuse_conflict("退出工業", [], "examine")
    with pytest.raises(Forbidden, match=r"conflict of interest: you declared a relationship \(employed\)"):
        refuse_conflict("退出工業", [Relationship.EMPLOYED, Relationship.EMPLOYED], "examine")
