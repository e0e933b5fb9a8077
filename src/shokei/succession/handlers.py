"""The moves the succession feature makes for the cases feature: selecting a successor (its
eligibility, the reason and the successor's notice) and recording a hand-over (the successor's
acceptance of the terms), however they are asked for.

And continuous eligibility: when a fact another feature records (an ownership event, a risk
event, a certification ended, a changed condition) makes a company that holds copies or
succeeds in an open case ineligible, it is suspended in the same transaction; the companies
feature asks here which rules a company fails before reinstating it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shokei.cases.domain import RecordHandOver, SelectSuccessor
from shokei.companies.domain import (
    CertificationEnded,
    CheckHolderEligibility,
    CompanyConditionChanged,
    CompanySuspended,
    SuspensionCause,
)
from shokei.errors import N_, Text
from shokei.kernel.bus import MessageBus, Phase
from shokei.kernel.imports import on_first_use
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership.domain import CompanyHoldings, ForeignControlCrossed
from shokei.risk.domain import DistressRecorded
from shokei.secrets.domain import DocumentHolders

# Each handler takes the one module it calls, not the feature's services: a holder's eligibility
# check (every company change asks it) needs the holders' rules, not the selection's optimiser,
# the dissemination terms or the format readers.
if TYPE_CHECKING:
    from shokei.succession import holders, holdings, release, selection
    from shokei.succession.schemas import SelectionView
else:
    holders = on_first_use("shokei.succession.holders")
    holdings = on_first_use("shokei.succession.holdings")
    release = on_first_use("shokei.succession.release")
    selection = on_first_use("shokei.succession.selection")


def select(uow: UnitOfWork, move: SelectSuccessor) -> SelectionView:
    return selection.select_successor(
        uow,
        move.actor,
        move.case_id,
        move.successor or "",
        reason=move.reason or "",
        expected_version=move.expected_version,
    )


def hand_over(uow: UnitOfWork, move: RecordHandOver) -> None:
    release.record_hand_over(
        uow, move.actor, move.case_id, reason=move.reason, expected_version=move.expected_version
    )


def failing_rules(uow: UnitOfWork, check: CheckHolderEligibility) -> list[tuple[str, Text]]:
    return [(rule.name, rule.evidence) for rule in holders.holder_refusals(uow, check.company_id)]


def company_holdings(uow: UnitOfWork, ask: CompanyHoldings) -> dict[int, tuple[int, tuple[int, ...]]]:
    with uow.transaction() as session:
        return holdings.holdings_summary(session, ask.company_ids)


def document_holders(uow: UnitOfWork, ask: DocumentHolders) -> dict[int, list[tuple[str, str, str]]]:
    with uow.transaction() as session:
        return holdings.document_holders(session, ask.document_ids)


def on_foreign_control(uow: UnitOfWork, event: ForeignControlCrossed) -> None:
    if event.raised:
        levels = ", ".join(f"{level.normalize():f}%" for level in event.raised)
        trigger = Text(
            N_("%(cause)s: foreign control reached %(levels)s"), {"cause": event.cause, "levels": levels}
        )
        holders.protect_holder(uow, event.company_id, cause=SuspensionCause.OWNERSHIP, trigger=trigger)


def on_distress(uow: UnitOfWork, event: DistressRecorded) -> None:
    trigger = Text(
        N_("risk event %(id)s: %(kind)s on %(date)s"),
        {"id": event.event_id, "kind": event.kind.value, "date": event.occurred_on.isoformat()},
    )
    holders.protect_holder(uow, event.company_id, cause=SuspensionCause.RISK, trigger=trigger)


def on_certification_ended(uow: UnitOfWork, event: CertificationEnded) -> None:
    holders.protect_holder(uow, event.company_id, cause=SuspensionCause.CERTIFICATION, trigger=event.summary)


def on_condition_changed(uow: UnitOfWork, event: CompanyConditionChanged) -> None:
    holders.protect_holder(uow, event.company_id, cause=event.cause, trigger=event.summary)


def on_suspended(uow: UnitOfWork, event: CompanySuspended) -> None:
    """The cases the company holds a subcontractor's copy in are flagged too (cases flags the ones
    it is supplier or successor in)."""
    holdings.flag_subcontracted_cases(uow, event.company_id, cause=event.cause.value, reason=event.reason)


def register(bus: MessageBus) -> None:
    bus.register(SelectSuccessor, select)
    bus.register(RecordHandOver, hand_over)
    bus.register(CheckHolderEligibility, failing_rules)
    bus.register(CompanyHoldings, company_holdings)
    bus.register(DocumentHolders, document_holders)
    inside = Phase.IN_TRANSACTION
    bus.subscribe(ForeignControlCrossed, on_foreign_control, phase=inside)
    bus.subscribe(DistressRecorded, on_distress, phase=inside)
    bus.subscribe(CertificationEnded, on_certification_ended, phase=inside)
    bus.subscribe(CompanyConditionChanged, on_condition_changed, phase=inside)
    bus.subscribe(CompanySuspended, on_suspended, phase=inside)
