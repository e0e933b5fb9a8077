"""Portfolio assignment against a brute force written here: capacity held, ineligible pairs never used."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest

from shokei.errors import BadInput
from shokei.succession.assignment import PortfolioProposal, portfolio_assignment

Scores = dict[tuple[str, str], float]


def _brute_force(
    cases: list[str], candidates: list[str], scores: Scores, capacities: dict[str, int]
) -> tuple[int, float]:
    """The best (cases placed, total score) over every way of giving each case a candidate or none."""
    best = (0, 0.0)
    for choice in itertools.product([None, *candidates], repeat=len(cases)):
        used = Counter(candidate for candidate in choice if candidate is not None)
        if any(used[candidate] > capacities.get(candidate, 0) for candidate in used):
            continue
        pairs = [(case, candidate) for case, candidate in zip(cases, choice, strict=True) if candidate]
        if any(pair not in scores for pair in pairs):
            continue
        value = (len(pairs), round(sum(scores[pair] for pair in pairs), 9))
        best = max(best, value)
    return best


def _check_feasible(result: PortfolioProposal, scores: Scores, capacities: dict[str, int]) -> None:
    used = Counter(item.corporate_number for item in result.assignments)
    assert all(used[candidate] <= capacities.get(candidate, 0) for candidate in used)
    assert all((item.case_id, item.corporate_number) in scores for item in result.assignments)


def test_worked_example_prefers_placing_every_case_over_one_best_pair() -> None:
    cases, candidates = ["c1", "c2", "c3"], ["p", "q", "r"]
    scores = {("c1", "p"): 0.9, ("c1", "q"): 0.8, ("c2", "p"): 0.85, ("c2", "q"): 0.3, ("c3", "q"): 0.5,
              ("c3", "r"): 0.99}  # fmt: skip
    capacities = {"p": 1, "q": 2, "r": 0}  # r would be best for c3 but has no open slot
    result = portfolio_assignment(cases, candidates, scores, capacities)
    # By hand: c1->q 0.8 + c2->p 0.85 + c3->q 0.5 = 2.15 beats c1->p 0.9 + c2->q 0.3 + c3->q 0.5 = 1.7.
    assert {(item.case_id, item.corporate_number) for item in result.assignments} == {
        ("c1", "q"),
        ("c2", "p"),
        ("c3", "q"),
    }
    assert result.total_score == pytest.approx(2.15)
    assert result.unassigned == ()
    ranks = {item.case_id: item.rank_in_case for item in result.assignments}
    assert ranks == {"c1": 2, "c2": 1, "c3": 2}  # c1 gave up p for c2; c3's best, r, was full


def test_more_cases_than_one_slot_places_as_many_as_possible() -> None:
    # Greedy by score would give p to c1 (0.9) and leave c2 without a successor.
    scores = {("c1", "p"): 0.9, ("c1", "q"): 0.1, ("c2", "p"): 0.5}
    result = portfolio_assignment(["c1", "c2"], ["p", "q"], scores, {"p": 1, "q": 1})
    assert {(item.case_id, item.corporate_number) for item in result.assignments} == {
        ("c1", "q"),
        ("c2", "p"),
    }


def test_case_without_an_eligible_candidate_is_reported_unassigned() -> None:
    scores = {("c1", "p"): 0.7}
    result = portfolio_assignment(["c1", "c2"], ["p", "q"], scores, {"p": 3, "q": 3})
    assert [(item.case_id, item.corporate_number) for item in result.assignments] == [("c1", "p")]
    assert result.unassigned == ("c2",)


def test_no_capacity_at_all_leaves_every_case_unassigned() -> None:
    result = portfolio_assignment(["c1"], ["p"], {("c1", "p"): 1.0}, {"p": 0})
    assert result == PortfolioProposal((), ("c1",), 0.0)


@pytest.mark.parametrize("seed", range(40))
def test_matches_brute_force_on_random_small_instances(seed: int) -> None:
    generator = np.random.default_rng(seed)
    cases = [f"c{index}" for index in range(int(generator.integers(1, 5)))]
    candidates = [f"p{index}" for index in range(int(generator.integers(1, 4)))]
    capacities = {candidate: int(generator.integers(0, 3)) for candidate in candidates}
    scores = {
        (case, candidate): round(float(generator.uniform(0, 1)), 3)
        for case in cases
        for candidate in candidates
        if generator.uniform() < 0.6  # about 40 % of the pairs are ineligible
    }
    result = portfolio_assignment(cases, candidates, scores, capacities)
    _check_feasible(result, scores, capacities)
    placed, total = _brute_force(cases, candidates, scores, capacities)
    assert len(result.assignments) == placed
    assert result.total_score == pytest.approx(total)
    assert set(result.unassigned) == set(cases) - {item.case_id for item in result.assignments}


def test_duplicates_and_negative_capacity_are_refused() -> None:
    with pytest.raises(BadInput):
        portfolio_assignment(["c1", "c1"], ["p"], {}, {"p": 1})
    with pytest.raises(BadInput):
        portfolio_assignment(["c1"], ["p"], {}, {"p": -1})
