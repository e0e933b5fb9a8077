"""Portfolio assignment: many cases spread over successors under capacity limits.

An assignment problem solved exactly with `scipy.optimize.linear_sum_assignment`: each
candidate is expanded into as many columns ("slots") as it has capacity, each case is a row,
and the cost of a pair is minus its score. Ineligible pairs (absent from `scores`) cost more
than all eligible scores together, so the solver first places as many cases as it can and only
then maximises the total score; a case that ends up on a forbidden pair is reported unassigned.
The result is a proposal: a program manager confirms or changes each line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from shokei.errors import N_, BadInput, Text

CaseCandidate = tuple[str, str]  # (case id, candidate corporate number)


@dataclass(frozen=True, slots=True)
class AssignmentProposal:
    """One proposed (case, successor) pair, with where the successor stood in the case's ranking."""

    case_id: str
    corporate_number: str
    score: float
    rank_in_case: int  # 1 = the case's own best eligible candidate


@dataclass(frozen=True, slots=True)
class PortfolioProposal:
    """Proposed pairs, cases left without an eligible successor with room, and the total score."""

    assignments: tuple[AssignmentProposal, ...]
    unassigned: tuple[str, ...]
    total_score: float


def _slots(candidates: Sequence[str], capacities: Mapping[str, int]) -> list[str]:
    """Each candidate repeated once per open slot (a capacity of 0 gives no column)."""
    slots: list[str] = []
    for candidate in candidates:
        capacity = capacities.get(candidate, 0)
        if capacity < 0:
            raise BadInput(
                Text(
                    N_("capacity of %(candidate)s is negative (%(capacity)s)"),
                    {"candidate": candidate, "capacity": capacity},
                )
            )
        slots.extend([candidate] * capacity)
    return slots


def _cost_matrix(
    cases: Sequence[str], slots: Sequence[str], scores: Mapping[CaseCandidate, float]
) -> tuple[npt.NDArray[np.float64], float]:
    # Any forbidden pair must cost more than the best eligible score sum could ever save.
    forbidden = 1.0 + sum(abs(value) for value in scores.values())
    cost = np.full((len(cases), len(slots)), forbidden)
    for row, case in enumerate(cases):
        for column, candidate in enumerate(slots):
            score = scores.get((case, candidate))
            if score is not None:
                cost[row, column] = -score
    return cost, forbidden


def _rank_in_case(case: str, candidate: str, scores: Mapping[CaseCandidate, float]) -> int:
    mine = scores[(case, candidate)]
    return 1 + sum(1 for (other_case, _), value in scores.items() if other_case == case and value > mine)


def portfolio_assignment(
    cases: Sequence[str],
    candidates: Sequence[str],
    scores: Mapping[CaseCandidate, float],
    capacities: Mapping[str, int],
) -> PortfolioProposal:
    """Place as many cases as possible on eligible successors, then maximise the total score.

    `scores` holds only eligible pairs (case id, corporate number) -> score; a missing pair is
    forbidden. `capacities` gives each candidate's open case slots. Deterministic for equal input.
    """
    if len(set(cases)) != len(cases) or len(set(candidates)) != len(candidates):
        raise BadInput(Text(N_("cases and candidates must each be listed once")))
    slots = _slots(candidates, capacities)
    if not cases or not slots:
        return PortfolioProposal((), tuple(cases), 0.0)
    cost, forbidden = _cost_matrix(cases, slots, scores)
    rows, columns = linear_sum_assignment(cost)
    chosen = {
        cases[row]: slots[column]
        for row, column in zip(rows, columns, strict=True)
        if cost[row, column] < forbidden
    }
    assignments = tuple(
        AssignmentProposal(
            case, chosen[case], scores[(case, chosen[case])], _rank_in_case(case, chosen[case], scores)
        )
        for case in cases
        if case in chosen
    )
    unassigned = tuple(case for case in cases if case not in chosen)
    return PortfolioProposal(assignments, unassigned, sum(item.score for item in assignments))
