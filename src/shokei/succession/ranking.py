"""Successor ranking: eligible candidates ordered by a weighted score whose parts are reported
one by one (each with its evidence as a catalogue message), so a program manager (and later an
auditor) can redo the arithmetic by hand. Pure, like the eligibility rules in `domain`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from shokei.companies.geography import region_of
from shokei.errors import N_, BadInput, Text
from shokei.succession.domain import (
    CandidateFacts,
    EligibilityThresholds,
    RuleResult,
    SuccessionCase,
    check_eligibility,
)


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    """How much each part counts; the total is divided by their sum, so it stays within 0-1."""

    capability: Decimal = Decimal("0.4")
    supply_relationships: Decimal = Decimal("0.3")
    geography: Decimal = Decimal("0.1")
    capacity: Decimal = Decimal("0.2")
    capacity_saturation: int = 5  # open slots beyond this add nothing: headroom is "enough"
    same_region: Decimal = Decimal("0.5")  # the geography value of the same region, other prefecture

    def __post_init__(self) -> None:
        weights = (self.capability, self.supply_relationships, self.geography, self.capacity)
        if any(weight < 0 for weight in weights) or sum(weights) <= 0:
            raise BadInput(Text(N_("score weights must not be negative and must not all be zero")))
        if self.capacity_saturation < 1:
            raise BadInput(Text(N_("capacity saturation must be at least one slot")))
        if not Decimal(0) <= self.same_region <= Decimal(1):
            raise BadInput(Text(N_("the same-region value must be between 0 and 1")))

    @property
    def total(self) -> Decimal:
        """The sum the weighted parts are divided by."""
        return self.capability + self.supply_relationships + self.geography + self.capacity


@dataclass(frozen=True, slots=True)
class ScorePart:
    """One part of the score: its value (0-1), its weight and what it adds to the total."""

    name: str
    value: Decimal
    weight: Decimal
    contribution: Decimal
    explanation: Text  # a catalogue message (English with str(), the reader's language on pages)


@dataclass(frozen=True, slots=True)
class Score:
    """The ranking score: the sum of its parts' contributions (0-1)."""

    total: Decimal
    parts: tuple[ScorePart, ...]


def _jaccard(left: frozenset[str], right: frozenset[str]) -> Decimal:
    union = left | right
    return Decimal(len(left & right)) / Decimal(len(union)) if union else Decimal(0)


def _capability_part(facts: CandidateFacts, case: SuccessionCase) -> tuple[Decimal, Text]:
    # Coverage is the eligibility gate; Jaccard ranks the closeness of fit among those who pass,
    # so a specialist in exactly this work comes before a generalist who also covers it.
    required, offered = case.required_capabilities, facts.capabilities
    value = _jaccard(required, offered)
    shared, union = len(required & offered), len(required | offered)
    return value, Text(
        N_("capability overlap (Jaccard) %(shared)s/%(union)s tags"), {"shared": shared, "union": union}
    )


def _supply_part(facts: CandidateFacts, case: SuccessionCase) -> tuple[Decimal, Text]:
    affected = case.affected_weapon_systems
    if not affected:
        return Decimal(0), Text(N_("no affected weapon systems recorded"))
    supplied = sorted(affected & facts.supplied_weapon_systems)
    value = Decimal(len(supplied)) / Decimal(len(affected))
    counts = {"supplied": len(supplied), "affected": len(affected), "names": ", ".join(supplied)}
    if supplied:
        msgid = N_("already supplies %(supplied)s of %(affected)s affected weapon systems (%(names)s)")
    else:
        msgid = N_("already supplies %(supplied)s of %(affected)s affected weapon systems")
    return value, Text(msgid, counts)


def _geography_part(
    facts: CandidateFacts, case: SuccessionCase, weights: ScoreWeights
) -> tuple[Decimal, Text]:
    here, there = facts.prefecture, case.withdrawing_prefecture
    if not here or not there:
        return Decimal(0), Text(N_("location unknown"))
    if here == there:
        return Decimal(1), Text(N_("same prefecture as the withdrawing company (%(here)s)"), {"here": here})
    region = region_of(here)
    if region is not None and region == region_of(there):
        msgid = N_("same region (%(region)s): %(here)s, withdrawing company in %(there)s")
        return weights.same_region, Text(msgid, {"region": region, "here": here, "there": there})
    msgid = N_("different region: %(here)s, withdrawing company in %(there)s")
    return Decimal(0), Text(msgid, {"here": here, "there": there})


def _capacity_part(facts: CandidateFacts, weights: ScoreWeights) -> tuple[Decimal, Text]:
    saturation = weights.capacity_saturation
    usable = max(0, min(facts.open_case_slots, saturation))
    msgid = N_("%(slots)s open slots (full marks at %(saturation)s)")
    return Decimal(usable) / Decimal(saturation), Text(
        msgid, {"slots": facts.open_case_slots, "saturation": saturation}
    )


def score_candidate(
    facts: CandidateFacts, case: SuccessionCase, weights: ScoreWeights | None = None
) -> Score:
    """The ranking score and its parts; contribution = value x weight / sum of weights."""
    chosen = weights or ScoreWeights()
    raw = (
        ("capability", chosen.capability, *_capability_part(facts, case)),
        ("supply_relationships", chosen.supply_relationships, *_supply_part(facts, case)),
        ("geography", chosen.geography, *_geography_part(facts, case, chosen)),
        ("capacity", chosen.capacity, *_capacity_part(facts, chosen)),
    )
    parts = tuple(
        ScorePart(name, value, weight, value * weight / chosen.total, explanation)
        for name, weight, value, explanation in raw
    )
    return Score(sum((part.contribution for part in parts), Decimal(0)), parts)


@dataclass(frozen=True, slots=True)
class CandidateAssessment:
    """One candidate for one case: every rule's result, eligibility and the score."""

    corporate_number: str
    name: str
    rules: tuple[RuleResult, ...]
    score: Score
    eligible: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "eligible", all(rule.passed for rule in self.rules))

    @property
    def refusals(self) -> tuple[RuleResult, ...]:
        """The rules this candidate failed."""
        return tuple(rule for rule in self.rules if not rule.passed)


def assess_candidates(
    case: SuccessionCase,
    candidates: Iterable[CandidateFacts],
    limits: EligibilityThresholds | None = None,
    weights: ScoreWeights | None = None,
) -> list[CandidateAssessment]:
    """Every candidate checked and scored; eligible first, then by score, then corporate number.

    Ineligible candidates are scored too, so a program manager sees what they would have
    offered; they never rank above an eligible one.
    """
    assessed = [
        CandidateAssessment(
            facts.corporate_number,
            facts.name,
            check_eligibility(facts, case, limits),
            score_candidate(facts, case, weights),
        )
        for facts in candidates
    ]
    return sorted(assessed, key=lambda item: (not item.eligible, -item.score.total, item.corporate_number))
