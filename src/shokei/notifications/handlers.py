"""Notices are written in the transaction of the event that asks someone to act (the outbox):
if the move rolls back, so do its notices; if it commits, the worker will deliver them."""

from __future__ import annotations

from shokei.deadlines.domain import DutyDueSoon, DutyEvent, DutyOverdue, DutyStarted
from shokei.kernel.bus import MessageBus, Phase
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications import services
from shokei.notifications.domain import Occasion

_OCCASIONS: dict[type[DutyEvent], Occasion] = {
    DutyStarted: Occasion.STARTED,
    DutyDueSoon: Occasion.DUE_SOON,
    DutyOverdue: Occasion.OVERDUE,
}


def on_duty(uow: UnitOfWork, event: DutyEvent) -> None:
    services.notify_duty(uow, event, _OCCASIONS[type(event)])


def register(bus: MessageBus) -> None:
    for event_type in _OCCASIONS:
        bus.subscribe(event_type, on_duty, phase=Phase.IN_TRANSACTION)
