"""How the audit feature reacts to the rest: every audit event a unit of work records is appended
to the ledger in the transaction of the change it describes."""

from __future__ import annotations

from shokei.audit import services
from shokei.kernel import AuditEvent
from shokei.kernel.bus import MessageBus, Phase
from shokei.kernel.unit_of_work import UnitOfWork


def append_to_ledger(uow: UnitOfWork, event: AuditEvent) -> None:
    services.record(uow.session, event)


def register(bus: MessageBus) -> None:
    bus.subscribe(AuditEvent, append_to_ledger, phase=Phase.IN_TRANSACTION)
