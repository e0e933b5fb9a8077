"""Survey rules, pure: the campaign's and respondents' statuses and events, a weapon system's
supplier base counted, and an answer validated in full (`answers`: every problem named by sheet,
row and column as a catalogue message). Other code imports these names from this package.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shokei.kernel import Actor
from shokei.kernel.bus import Event
from shokei.supply_chain.survey.domain.answers import (
    BOM,
    COMPONENTS,
    MAX_LENGTH,
    REQUIRED,
    SHEET_COLUMNS,
    SUPPLY,
    Answer,
    AnswerContext,
    Problem,
    Sheet,
    SupplyRow,
    problem,
    validate,
)

__all__ = [
    "BOM",
    "COMPONENTS",
    "MAX_LENGTH",
    "REQUIRED",
    "SHEET_COLUMNS",
    "SUPPLY",
    "Answer",
    "AnswerContext",
    "CampaignStatus",
    "Problem",
    "RespondentStatus",
    "Sheet",
    "SupplierBase",
    "SupplyFact",
    "SupplyRow",
    "SurveyAnswered",
    "SurveyClosed",
    "SurveyRequested",
    "SurveyUnanswered",
    "answered_status",
    "closing_status",
    "problem",
    "supplier_base",
    "validate",
]


class CampaignStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class RespondentStatus(StrEnum):
    PENDING = "pending"
    ANSWERED = "answered"
    PARTIAL = "partial"  # answered, but left out a part it was asked about
    UNANSWERED = "unanswered"  # still pending when the campaign closed


@dataclass(frozen=True, slots=True)
class SurveyUnanswered(Event):
    """A respondent had not answered when its campaign closed (the risk feature records it)."""

    campaign_id: int
    system_code: str
    corporate_number: str
    closed_on: date
    actor: Actor


@dataclass(frozen=True, slots=True)
class SurveyRequested(Event):
    """A company was asked in a campaign (by the officials or forwarded by a respondent) and owes
    its answer by the due date (the deadlines feature starts its clock and reminders)."""

    campaign_id: int
    system_code: str
    corporate_number: str
    due_on: date


@dataclass(frozen=True, slots=True)
class SurveyAnswered(Event):
    """A respondent's answer was accepted (its answer duty ends)."""

    campaign_id: int
    corporate_number: str


@dataclass(frozen=True, slots=True)
class SurveyClosed(Event):
    """A campaign was closed: no answer is owed any more."""

    campaign_id: int


# -- statuses ------------------------------------------------------------------------------------


def answered_status(asked_parts: Iterable[str], answer: Answer) -> RespondentStatus:
    """Answered, or partial when the answer leaves out a part the respondent was asked about."""
    return RespondentStatus.PARTIAL if set(asked_parts) - answer.parts else RespondentStatus.ANSWERED


def closing_status(status: RespondentStatus) -> RespondentStatus:
    """At closing a respondent still pending did not answer; the others keep their status."""
    return RespondentStatus.UNANSWERED if status is RespondentStatus.PENDING else status


# -- a weapon system's supplier base -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SupplyFact:
    """One supply pair inside a system's BOM: the supplier (corporate number, or `CC-registry`
    for a foreign one), the part, the tier and whether it is qualified."""

    supplier: str
    part_number: str
    tier: int
    qualified: bool
    foreign: bool


@dataclass(frozen=True, slots=True)
class SupplierBase:
    companies: int
    by_tier: dict[int, int]
    sole_sources: int
    foreign: int
    tiers: dict[str, int]  # supplier -> its tier in the system (the smallest it supplies at)
    sole: frozenset[str]  # the sole sources


def supplier_base(facts: Iterable[SupplyFact]) -> SupplierBase:
    """Every supplier of a part in the system's BOM counts once, at the smallest tier it supplies
    at. A sole source is the only qualified supplier (domestic or foreign) of some part."""
    tiers: dict[str, int] = {}
    qualified: dict[str, set[str]] = {}
    foreign: set[str] = set()
    for fact in facts:
        tiers[fact.supplier] = min(fact.tier, tiers.get(fact.supplier, fact.tier))
        if fact.qualified:
            qualified.setdefault(fact.part_number, set()).add(fact.supplier)
        if fact.foreign:
            foreign.add(fact.supplier)
    sole = frozenset(next(iter(sources)) for sources in qualified.values() if len(sources) == 1)
    by_tier: dict[int, int] = {}
    for tier in tiers.values():
        by_tier[tier] = by_tier.get(tier, 0) + 1
    return SupplierBase(len(tiers), dict(sorted(by_tier.items())), len(sole), len(foreign), tiers, sole)
