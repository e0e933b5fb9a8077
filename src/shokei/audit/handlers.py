"""How the audit feature reacts to the rest: every audit event a unit of work records (one by one,
or as a batch with `uow.record_many`) is appended to the ledger in the transaction of the change
it describes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shokei.kernel import AuditEvent
from shokei.kernel.bus import MessageBus, Phase
from shokei.kernel.imports import on_first_use
from shokei.kernel.ledger import AuditBatch
from shokei.kernel.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from shokei.audit import services
else:
    services = on_first_use("shokei.audit.services")


def append_to_ledger(uow: UnitOfWork, event: AuditEvent) -> None:
    services.record(uow.session, event)


def append_batch_to_ledger(uow: UnitOfWork, batch: AuditBatch) -> None:
    services.record_many(uow.session, batch.events)


def register(bus: MessageBus) -> None:
    bus.subscribe(AuditEvent, append_to_ledger, phase=Phase.IN_TRANSACTION)
    bus.subscribe(AuditBatch, append_batch_to_ledger, phase=Phase.IN_TRANSACTION)
