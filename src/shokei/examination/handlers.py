"""The move the examination feature makes for the cases feature: a determination, weighed under
the examination policy however it is asked for (`case transition determine_...`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shokei.cases.domain import DetermineCase, TransitionName
from shokei.examination.domain import Determination
from shokei.kernel.bus import MessageBus
from shokei.kernel.imports import on_first_use
from shokei.kernel.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from shokei.examination import services
    from shokei.examination.schemas import DeterminationView
else:
    services = on_first_use("shokei.examination.services")

_REQUESTED = {
    TransitionName.DETERMINE_PROTECTION_REQUIRED: Determination.PROTECTION_REQUIRED,
    TransitionName.DETERMINE_NOT_SIGNIFICANT: Determination.NOT_SIGNIFICANT,
}


def determine(uow: UnitOfWork, move: DetermineCase) -> DeterminationView:
    return services.determine_case(
        uow,
        move.actor,
        move.case_id,
        requested=_REQUESTED[move.name].value,
        rationale=move.reason,
        expected_version=move.expected_version,
    )


def register(bus: MessageBus) -> None:
    bus.register(DetermineCase, determine)
