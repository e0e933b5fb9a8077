"""The clocks start and stop with the records that ask someone to act: a case (its opening and
each move), a recalled copy, a survey's respondent, a certification; in the transaction of the
change that starts or ends the duty."""

from __future__ import annotations

from shokei.cases.domain import CaseMoved, CaseOpened
from shokei.companies.domain import CertificationEnded, CompanyCertified
from shokei.deadlines import services
from shokei.kernel.bus import MessageBus, Phase
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession.domain import CopyRecalled, CopyReturned
from shokei.supply_chain.survey.domain import SurveyAnswered, SurveyClosed, SurveyRequested


def on_case_opened(uow: UnitOfWork, event: CaseOpened) -> None:
    services.case_opened(uow, event.case_id)


def on_case_moved(uow: UnitOfWork, event: CaseMoved) -> None:
    services.case_moved(uow, event)


def on_copy_recalled(uow: UnitOfWork, event: CopyRecalled) -> None:
    services.copy_recalled(uow, event.copy_id, event.holder_company_id)


def on_copy_returned(uow: UnitOfWork, event: CopyReturned) -> None:
    services.copy_returned(uow, event.copy_id)


def on_survey_requested(uow: UnitOfWork, event: SurveyRequested) -> None:
    services.survey_requested(uow, event)


def on_survey_answered(uow: UnitOfWork, event: SurveyAnswered) -> None:
    services.survey_settled(uow, event.campaign_id, event.corporate_number)


def on_survey_closed(uow: UnitOfWork, event: SurveyClosed) -> None:
    services.survey_settled(uow, event.campaign_id)


def on_company_certified(uow: UnitOfWork, event: CompanyCertified) -> None:
    services.company_certified(uow, event.company_id, event.corporate_number, event.valid_until)


def on_certification_ended(uow: UnitOfWork, event: CertificationEnded) -> None:
    services.certification_ended(uow, event.company_id)


def register(bus: MessageBus) -> None:
    bus.subscribe(CaseOpened, on_case_opened, phase=Phase.IN_TRANSACTION)
    bus.subscribe(CaseMoved, on_case_moved, phase=Phase.IN_TRANSACTION)
    bus.subscribe(CopyRecalled, on_copy_recalled, phase=Phase.IN_TRANSACTION)
    bus.subscribe(CopyReturned, on_copy_returned, phase=Phase.IN_TRANSACTION)
    bus.subscribe(SurveyRequested, on_survey_requested, phase=Phase.IN_TRANSACTION)
    bus.subscribe(SurveyAnswered, on_survey_answered, phase=Phase.IN_TRANSACTION)
    bus.subscribe(SurveyClosed, on_survey_closed, phase=Phase.IN_TRANSACTION)
    bus.subscribe(CompanyCertified, on_company_certified, phase=Phase.IN_TRANSACTION)
    bus.subscribe(CertificationEnded, on_certification_ended, phase=Phase.IN_TRANSACTION)
