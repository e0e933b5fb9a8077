"""The clocks start and stop with the case (in the transaction of its opening and of each move),
and with the supply-chain surveys (a company asked, its answer accepted, the survey closed)."""

from __future__ import annotations

from shokei.cases.domain import CaseMoved, CaseOpened
from shokei.deadlines import services
from shokei.kernel.bus import MessageBus, Phase
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain.survey.domain import SurveyAnswered, SurveyClosed, SurveyRequested


def on_case_opened(uow: UnitOfWork, event: CaseOpened) -> None:
    services.case_opened(uow, event.case_id)


def on_case_moved(uow: UnitOfWork, event: CaseMoved) -> None:
    services.case_moved(uow, event)


def on_survey_requested(uow: UnitOfWork, event: SurveyRequested) -> None:
    services.survey_requested(uow, event)


def on_survey_answered(uow: UnitOfWork, event: SurveyAnswered) -> None:
    services.survey_settled(uow, event.campaign_id, event.corporate_number)


def on_survey_closed(uow: UnitOfWork, event: SurveyClosed) -> None:
    services.survey_settled(uow, event.campaign_id)


def register(bus: MessageBus) -> None:
    bus.subscribe(CaseOpened, on_case_opened, phase=Phase.IN_TRANSACTION)
    bus.subscribe(CaseMoved, on_case_moved, phase=Phase.IN_TRANSACTION)
    bus.subscribe(SurveyRequested, on_survey_requested, phase=Phase.IN_TRANSACTION)
    bus.subscribe(SurveyAnswered, on_survey_answered, phase=Phase.IN_TRANSACTION)
    bus.subscribe(SurveyClosed, on_survey_closed, phase=Phase.IN_TRANSACTION)
