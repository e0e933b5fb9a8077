"""Risk's reactions to other features: a survey closed without a company's answer becomes a
`survey_unanswered` risk event, in the closing transaction (the survey publishes
`SurveyUnanswered`; supply_chain never imports risk)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shokei.kernel.bus import MessageBus, Phase
from shokei.kernel.imports import on_first_use
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain.survey.domain import SurveyUnanswered

if TYPE_CHECKING:
    from shokei.risk import services
else:
    services = on_first_use("shokei.risk.services")


def survey_unanswered(uow: UnitOfWork, event: SurveyUnanswered) -> None:
    services.note_survey_unanswered(
        uow,
        event.actor,
        event.corporate_number,
        occurred_on=event.closed_on,
        note=f"survey {event.campaign_id} of {event.system_code} closed unanswered",
    )


def register(bus: MessageBus) -> None:
    bus.subscribe(SurveyUnanswered, survey_unanswered, phase=Phase.IN_TRANSACTION)
