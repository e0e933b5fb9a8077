"""The facts eligibility and ranking read, gathered from the database for one or many cases."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from shokei.cases import services as cases
from shokei.cases.domain import CaseRef
from shokei.companies import access
from shokei.companies import services as companies
from shokei.companies.domain import CompanyRecord
from shokei.documents import services as documents
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession.common import company_row
from shokei.succession.domain import (
    CandidateFacts,
    EligibilityThresholds,
    ForeignOwnership,
    ForeignOwnershipSource,
    OwnershipBasis,
    SuccessionCase,
)
from shokei.succession.ownership_source import Exposures, GraphForeignOwnership
from shokei.succession.ranking import CandidateAssessment, assess_candidates
from shokei.succession.schemas import CandidateView, RuleView, ScorePartView, ScoreView
from shokei.supply_chain import services as supply_chain

BATCH = 500


class DirectForeignShares:
    """`ForeignOwnershipSource` over the direct share recorded by `shokei company update`."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def foreign_ownership(self, corporate_number: str) -> ForeignOwnership | None:
        company = companies.record_by_number(self._uow, corporate_number)
        if company is None or company.foreign_share_percent is None:
            return None
        percent = Decimal(company.foreign_share_percent)
        return ForeignOwnership(percent, OwnershipBasis.DIRECT, foreign_controlled=percent > Decimal(50))


def succession_case(uow: UnitOfWork, case: CaseRef) -> SuccessionCase:
    """What the case needs, from its records (see docs/handover.md, "Case facts"):

    - required capabilities: the withdrawing company's capability tags (the documents describe
      its work, so a successor must cover what it did);
    - affected weapon systems: the systems named on the case's inventory lines and documents
      (as system codes where the text is a registered system's code or name) and every system
      the withdrawing company supplies into according to the supply map;
    - the withdrawing company's prefecture and the hand-over date (today).
    """
    withdrawing = company_row(uow, case.company_id)
    named = cases.inventory_weapon_systems(uow, case.id)
    named |= documents.weapon_systems_named(uow, case.id)
    texts = {text.strip() for text in named if text and text.strip()}
    codes = supply_chain.system_codes(uow, texts)
    affected = {codes.get(text, text) for text in texts}
    number = withdrawing.corporate_number or ""
    affected |= supply_chain.systems_supplied(uow, [number]).get(number, frozenset())
    return SuccessionCase(
        case_id=str(case.id),
        withdrawing_corporate_number=number,
        handover_date=uow.clock.today(),
        required_capabilities=withdrawing.capabilities,
        affected_weapon_systems=frozenset(affected),
        withdrawing_prefecture=withdrawing.prefecture,
    )


def candidate_facts(
    uow: UnitOfWork, companies_: Sequence[CompanyRecord], ownership: ForeignOwnershipSource
) -> list[CandidateFacts]:
    """Eligibility and ranking facts of `companies_`, read in bulk (a few queries for any number)."""
    numbers = [company.corporate_number or "" for company in companies_]
    busy = cases.open_succession_counts(uow, [company.id for company in companies_])
    supplied = supply_chain.systems_supplied(uow, numbers)
    certified = access.latest_certifications(uow, [company.id for company in companies_])
    return [
        CandidateFacts(
            corporate_number=number,
            name=company.name,
            country=company.country,
            foreign_ownership=ownership.foreign_ownership(number) if number else None,
            financial_distress=company.financial_distress,
            security_compliant_until=company.security_compliant_until,
            capabilities=company.capabilities,
            open_case_slots=max((company.capacity or 0) - busy.get(company.id, 0), 0),
            supplied_weapon_systems=supplied.get(number, frozenset()),
            prefecture=company.prefecture,
            certification=certified.get(company.id),
        )
        for company, number in zip(companies_, numbers, strict=True)
    ]


def candidate_view(assessment: CandidateAssessment) -> CandidateView:
    return CandidateView(
        corporate_number=assessment.corporate_number,
        name=assessment.name,
        eligible=assessment.eligible,
        rules=[
            RuleView(name=r.name, passed=r.passed, reason=r.reason, text=r.text) for r in assessment.rules
        ],
        score=ScoreView(
            total=assessment.score.total,
            parts=[
                ScorePartView(
                    name=p.name,
                    value=p.value,
                    weight=p.weight,
                    contribution=p.contribution,
                    explanation=str(p.explanation),
                    text=p.explanation,
                )
                for p in assessment.score.parts
            ],
        ),
    )


def registry_candidates(uow: UnitOfWork, exposures: Exposures) -> list[CandidateFacts]:
    """Every registry company with a corporate number, as a candidate (one pass for all cases)."""
    rows = companies.numbered_records(uow)
    return candidate_facts(uow, rows, GraphForeignOwnership(exposures, rows))


def assess(
    uow: UnitOfWork,
    case: CaseRef,
    exposures: Exposures,
    candidates: Sequence[CandidateFacts] | None = None,
) -> list[CandidateAssessment]:
    """Every candidate for `case`, checked and scored (candidates: the registry unless given)."""
    pool = candidates if candidates is not None else registry_candidates(uow, exposures)
    return list(assess_candidates(succession_case(uow, case), pool, EligibilityThresholds()))
