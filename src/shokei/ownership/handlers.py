"""The ownership feature's bus subscriptions: the ownership changes companies report about
themselves (changed-condition reports) become ownership events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shokei.companies.domain import RecordReportedOwnership
from shokei.kernel.bus import MessageBus
from shokei.kernel.imports import on_first_use
from shokei.kernel.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from shokei.ownership import services
else:
    services = on_first_use("shokei.ownership.services")


def record_reported(uow: UnitOfWork, report: RecordReportedOwnership) -> int:
    return services.record_reported_interest(uow, report)


def register(bus: MessageBus) -> None:
    bus.register(RecordReportedOwnership, record_reported)
