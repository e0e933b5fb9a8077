"""The moves the succession feature makes for the cases feature: selecting a successor (its
eligibility, the reason and the successor's notice) and recording a hand-over (the successor's
acceptance of the terms), however they are asked for.

The companies feature asks here which rules a company fails before reinstating it."""

from __future__ import annotations

from shokei.cases.domain import RecordHandOver, SelectSuccessor
from shokei.companies.domain import CheckHolderEligibility
from shokei.kernel.bus import MessageBus
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession import services
from shokei.succession.schemas import SelectionView


def select(uow: UnitOfWork, move: SelectSuccessor) -> SelectionView:
    return services.select_successor(
        uow,
        move.actor,
        move.case_id,
        move.successor or "",
        reason=move.reason or "",
        expected_version=move.expected_version,
    )


def hand_over(uow: UnitOfWork, move: RecordHandOver) -> None:
    services.record_hand_over(
        uow, move.actor, move.case_id, reason=move.reason, expected_version=move.expected_version
    )


def failing_rules(uow: UnitOfWork, check: CheckHolderEligibility) -> list[tuple[str, str]]:
    return [(rule.name, rule.reason) for rule in services.holder_refusals(uow, check.company_id)]


def register(bus: MessageBus) -> None:
    bus.register(SelectSuccessor, select)
    bus.register(RecordHandOver, hand_over)
    bus.register(CheckHolderEligibility, failing_rules)
