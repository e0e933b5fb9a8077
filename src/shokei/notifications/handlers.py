"""Notices are written in the transaction of the event that asks someone to act (the outbox):
if the move rolls back, so do its notices; if it commits, the worker will deliver them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shokei.cases.domain.assignment import CaseContentsOpened
from shokei.deadlines.domain import DutyDueSoon, DutyEvent, DutyOverdue, DutyStarted
from shokei.kernel.bus import MessageBus, Phase
from shokei.kernel.imports import on_first_use
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications.domain import Occasion

if TYPE_CHECKING:
    from shokei.notifications import services
else:
    services = on_first_use("shokei.notifications.services")

_OCCASIONS: dict[type[DutyEvent], Occasion] = {
    DutyStarted: Occasion.STARTED,
    DutyDueSoon: Occasion.DUE_SOON,
    DutyOverdue: Occasion.OVERDUE,
}


def on_duty(uow: UnitOfWork, event: DutyEvent) -> None:
    services.notify_duty(uow, event, _OCCASIONS[type(event)])


def on_contents_opened(uow: UnitOfWork, event: CaseContentsOpened) -> None:
    services.notify_contents_opened(
        uow,
        case_id=event.case_id,
        actor_id=event.actor_id,
        actor=event.actor,
        cause=event.cause.value,
        reason=event.reason,
    )


def register(bus: MessageBus) -> None:
    for event_type in _OCCASIONS:
        bus.subscribe(event_type, on_duty, phase=Phase.IN_TRANSACTION)
    # In the transaction that opened the contents: no break-glass without its alert.
    bus.subscribe(CaseContentsOpened, on_contents_opened, phase=Phase.IN_TRANSACTION)
