"""The moves the measures feature makes for the cases feature: an escalated case's measure,
however it is asked for (`shokei measure decide`, or `case transition CASE reopen_negotiation`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shokei.cases.domain import DecideMeasure, TransitionName
from shokei.errors import N_, BadInput, Text
from shokei.kernel.bus import MessageBus
from shokei.kernel.imports import on_first_use
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.measures.domain import MeasureKind

if TYPE_CHECKING:
    from shokei.measures import services
    from shokei.measures.schemas import MeasureView
else:
    services = on_first_use("shokei.measures.services")


def decide(uow: UnitOfWork, move: DecideMeasure) -> MeasureView:
    if move.name is not TransitionName.REOPEN_NEGOTIATION:
        raise BadInput(
            Text(
                N_(
                    "'%(move)s' needs the measure's kind: use `shokei measure decide "
                    "%(case_id)s --kind %(items)s`"
                ),
                {
                    "move": move.name,
                    "case_id": move.case_id,
                    "items": "|".join(
                        k.value for k in MeasureKind if k is not MeasureKind.REOPEN_NEGOTIATION
                    ),
                },
            )
        )
    return services.decide_measure(
        uow,
        move.actor,
        move.case_id,
        kind=MeasureKind.REOPEN_NEGOTIATION.value,
        reason=move.reason or "",
        expected_version=move.expected_version,
    )


def register(bus: MessageBus) -> None:
    bus.register(DecideMeasure, decide)
