"""The clocks start and stop with the case: in the transaction of each move (and of the opening,
seen as its ledger entry, since opening a case is not a move)."""

from __future__ import annotations

from shokei.cases.domain import CaseMoved
from shokei.deadlines import services
from shokei.kernel import AuditEvent
from shokei.kernel.bus import MessageBus, Phase
from shokei.kernel.unit_of_work import UnitOfWork

CASE_OPENED = "case:case:open"  # the ledger tag cases records when a case is opened


def on_case_moved(uow: UnitOfWork, event: CaseMoved) -> None:
    services.case_moved(uow, event)


def on_recorded(uow: UnitOfWork, event: AuditEvent) -> None:
    if event.action == CASE_OPENED:
        services.case_opened(uow, int(event.subject_id))


def register(bus: MessageBus) -> None:
    bus.subscribe(CaseMoved, on_case_moved, phase=Phase.IN_TRANSACTION)
    bus.subscribe(AuditEvent, on_recorded, phase=Phase.IN_TRANSACTION)
