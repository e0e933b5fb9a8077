"""The clocks start and stop with the case: in the transaction of its opening and of each move."""

from __future__ import annotations

from shokei.cases.domain import CaseMoved, CaseOpened
from shokei.deadlines import services
from shokei.kernel.bus import MessageBus, Phase
from shokei.kernel.unit_of_work import UnitOfWork


def on_case_opened(uow: UnitOfWork, event: CaseOpened) -> None:
    services.case_opened(uow, event.case_id)


def on_case_moved(uow: UnitOfWork, event: CaseMoved) -> None:
    services.case_moved(uow, event)


def register(bus: MessageBus) -> None:
    bus.subscribe(CaseOpened, on_case_opened, phase=Phase.IN_TRANSACTION)
    bus.subscribe(CaseMoved, on_case_moved, phase=Phase.IN_TRANSACTION)
