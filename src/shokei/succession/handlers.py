"""The moves the succession feature makes for the cases feature: selecting a successor (its
eligibility, the reason and the successor's notice) and recording a hand-over (the successor's
acceptance of the terms), however they are asked for."""

from __future__ import annotations

from shokei.cases.domain import RecordHandOver, SelectSuccessor
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


def register(bus: MessageBus) -> None:
    bus.register(SelectSuccessor, select)
    bus.register(RecordHandOver, hand_over)
