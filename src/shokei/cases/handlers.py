"""The cases feature's reactions to other features: a suspended company's open cases are flagged
in the suspension's transaction (as their supplier or successor; succession adds the cases a
subcontractor holds copies in), and the flags are resolved when it is reinstated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shokei.audit.domain import ReadableCases
from shokei.companies.domain import CompanyReinstated, CompanySuspended
from shokei.kernel.bus import MessageBus, Phase
from shokei.kernel.imports import on_first_use
from shokei.kernel.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from shokei.cases import services
else:
    services = on_first_use("shokei.cases.services")


def on_suspended(uow: UnitOfWork, event: CompanySuspended) -> None:
    involvement = services.involvement_of(uow, event.company_id)
    services.flag_cases(uow, event.company_id, involvement, cause=event.cause.value, reason=event.reason)


def on_reinstated(uow: UnitOfWork, event: CompanyReinstated) -> None:
    services.resolve_flags(uow, event.company_id, resolution=event.reason)


def readable_cases(uow: UnitOfWork, command: ReadableCases) -> frozenset[int]:
    """The ledger asks which cases' contents a reader reads (it sits below the assignments)."""
    return services.readable_case_ids(uow, command.actor, command.case_ids)


def register(bus: MessageBus) -> None:
    bus.register(ReadableCases, readable_cases)
    bus.subscribe(CompanySuspended, on_suspended, phase=Phase.IN_TRANSACTION)
    bus.subscribe(CompanyReinstated, on_reinstated, phase=Phase.IN_TRANSACTION)
