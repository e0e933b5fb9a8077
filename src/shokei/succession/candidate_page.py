"""The successor-selection list at registry scale: one page of eligible candidates, best first,
filterable, and the ineligible summarised by a rule they fail.

The registry may hold 100,000 companies; assessing each in full (ownership, supply relations,
score) for every page view would take minutes. The rules that read only the registry row
(domestic, financial health, security compliance, independence from the withdrawing company
itself, capability, capacity) are screened first on light rows, with the domain's thresholds and
in the order of `domain.ELIGIBILITY_RULES`; only companies passing that screen are assessed in
full by the domain (`assess_candidates`), so every company shown as eligible passed every rule,
and every one left out fails at least the rule it is counted under (a company failing several
is counted once, under the first the screen or the assessment finds).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from shokei.companies import services as companies
from shokei.companies.domain import RegistryScreen, RowTest
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession.candidates import BATCH, candidate_facts, candidate_view, succession_case
from shokei.succession.common import require_official, visible_case
from shokei.succession.domain import (
    ELIGIBILITY_RULES,
    EligibilityThresholds,
    SuccessionCase,
    capability_coverage,
)
from shokei.succession.ownership_source import Exposures, GraphForeignOwnership, load_exposures
from shokei.succession.ranking import CandidateAssessment, assess_candidates
from shokei.succession.schemas import CandidateFilter, CandidatePageView, IneligibleCount


def _screen(case_: SuccessionCase, wanted: CandidateFilter) -> RegistryScreen:
    """The registry-row rules (domestic, financial health, security compliance on the hand-over
    date, independence from the withdrawing company) as the registry's row tests."""
    return RegistryScreen(
        compliant_on=case_.handover_date,
        excluded_number=case_.withdrawing_corporate_number,
        name=wanted.name.strip(),
        prefecture=wanted.prefecture.strip(),
        capability_text=wanted.capability.strip(),
        failing_wanted=wanted.per_page if wanted.name.strip() else 0,
    )


# The rule each registry-row test stands for, in the order of `domain.ELIGIBILITY_RULES`.
RULE_OF_TEST = {
    RowTest.FOREIGN: "domestic",
    RowTest.DISTRESSED: "financial_health",
    RowTest.NOT_COMPLIANT: "security_compliance",
    RowTest.EXCLUDED: "independence",
}


def _fit_failure(
    case_: SuccessionCase, limits: EligibilityThresholds, offered: frozenset[str], capacity: int | None
) -> str | None:
    """The capability or capacity rule, where the registry row alone already fails it."""
    if capability_coverage(case_.required_capabilities, offered) < limits.min_capability_coverage:
        return "capability"
    if (capacity or 0) < limits.min_open_case_slots:
        return "capacity"  # no room even before its open cases are counted
    return None


@dataclass
class _Screened:
    passing: list[int] = field(default_factory=list)  # ids passing every registry-row rule
    failing: list[int] = field(default_factory=list)  # some ids failing one (looked for by name)
    failed: Counter[str] = field(default_factory=Counter)  # how many fail, by the rule found
    matched: int = 0
    capabilities: set[str] = field(default_factory=set)  # the tags the screened-in companies offer


def _screened(
    uow: UnitOfWork, case_: SuccessionCase, wanted: CandidateFilter, limits: EligibilityThresholds
) -> _Screened:
    """The registry-row rules: counted in the database for all, the rest read for the few left."""
    capability = wanted.capability.strip()
    registry = companies.screen_registry(uow, _screen(case_, wanted))
    found = _Screened()
    for test, count in registry.failed.items():
        found.failed[RULE_OF_TEST[test]] = count
    found.matched = sum(registry.failed.values()) + len(registry.passing)
    for row in registry.passing:
        found.capabilities |= row.capabilities
        if capability and capability not in row.capabilities:
            found.matched -= 1  # the text match was loose: outside the filter after all
            continue
        rule = _fit_failure(case_, limits, row.capabilities, row.capacity)
        if rule is None:
            found.passing.append(row.id)
        else:
            found.failed[rule] += 1
            found.failing.append(row.id)
    found.failing += registry.failing_ids
    return found


def _assessed(
    uow: UnitOfWork, case_: SuccessionCase, ids: Sequence[int], exposures: Exposures
) -> list[CandidateAssessment]:
    assessed: list[CandidateAssessment] = []
    for start in range(0, len(ids), BATCH):
        rows = list(companies.records_by_id(uow, ids[start : start + BATCH]).values())
        facts = candidate_facts(uow, rows, GraphForeignOwnership(exposures, rows))
        assessed.extend(assess_candidates(case_, facts, EligibilityThresholds()))
    return assessed


def candidate_page(uow: UnitOfWork, actor: Actor, case_id: int, wanted: CandidateFilter) -> CandidatePageView:
    """One page of the case's eligible successors (best score first) among the registered
    companies matching `wanted`, and how many of those are ineligible under each rule; with a
    name in `wanted`, the first matching ineligible companies too, each with every rule's result
    (so a program manager looking for one company learns why it is not offered). Officials and
    auditors, as for the full ranking."""
    require_official(actor)
    exposures = load_exposures(uow, actor)
    limits = EligibilityThresholds()
    with uow:
        case_ = succession_case(uow, visible_case(uow, actor, case_id))
        found = _screened(uow, case_, wanted, limits)
        assessed = _assessed(uow, case_, found.passing, exposures)
        refused = [a for a in assessed if not a.eligible]
        named: list[CandidateAssessment] = []
        if wanted.name.strip():
            named = refused[: wanted.per_page]
            more = wanted.per_page - len(named)
            named += _assessed(uow, case_, found.failing[:more], exposures) if more > 0 else []
        prefectures = companies.prefectures_in_use(uow)
    for assessment in refused:
        found.failed[assessment.refusals[0].name] += 1
    eligible = sorted((a for a in assessed if a.eligible), key=lambda a: (-a.score.total, a.corporate_number))
    pages = max(1, -(-len(eligible) // wanted.per_page))
    page = min(wanted.page, pages)
    shown = eligible[(page - 1) * wanted.per_page : page * wanted.per_page]
    return CandidatePageView(
        candidates=[candidate_view(a) for a in shown],
        eligible=len(eligible),
        matching=found.matched,
        ineligible=[
            IneligibleCount(rule=rule, companies=count) for rule, count in _in_rule_order(found.failed)
        ],
        ineligible_named=[candidate_view(a) for a in named],
        page=page,
        pages=pages,
        per_page=wanted.per_page,
        prefectures=prefectures,
        capabilities=sorted(found.capabilities),
    )


RULE_ORDER = tuple(rule.__name__.removeprefix("check_") for rule in ELIGIBILITY_RULES)


def _in_rule_order(failed: Counter[str]) -> list[tuple[str, int]]:
    return sorted(failed.items(), key=lambda item: RULE_ORDER.index(item[0]) if item[0] in RULE_ORDER else 99)
