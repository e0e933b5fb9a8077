"""The clocks start and stop with the records that ask someone to act: a case (its opening and
each move), a recalled copy, a survey's respondent, a certification, a leak incident, a secret
designation, a state-held facility's annual report; in the transaction of the change that starts
or ends the duty."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shokei.cases.domain import CaseMoved, CaseOpened
from shokei.companies.domain import CertificationEnded, CompanyCertified
from shokei.incidents.domain import IncidentOpened, IncidentSettled
from shokei.kernel.bus import MessageBus, Phase
from shokei.kernel.imports import on_first_use
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.measures.domain import FacilityReportFiled, FacilityReportOwed
from shokei.secrets.domain import DesignationAction, DesignationChanged
from shokei.succession.domain import CopyRecalled, CopyReturned
from shokei.supply_chain.survey.domain import SurveyAnswered, SurveyClosed, SurveyRequested

if TYPE_CHECKING:
    from shokei.deadlines import services
else:
    services = on_first_use("shokei.deadlines.services")


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


def on_incident_opened(uow: UnitOfWork, event: IncidentOpened) -> None:
    services.incident_opened(uow, event.incident_id, event.deadline_at)


def on_incident_settled(uow: UnitOfWork, event: IncidentSettled) -> None:
    services.incident_settled(uow, event.incident_id)


def on_designation_changed(uow: UnitOfWork, event: DesignationChanged) -> None:
    until = None if event.action is DesignationAction.LIFT else event.until
    services.designation_changed(uow, event.designation_id, event.document_id, until)


def on_facility_report_owed(uow: UnitOfWork, event: FacilityReportOwed) -> None:
    services.facility_report_owed(uow, event.facility_id, event.fiscal_year, event.due)


def on_facility_report_filed(uow: UnitOfWork, event: FacilityReportFiled) -> None:
    services.facility_report_filed(uow, event.facility_id, event.fiscal_year)


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
    bus.subscribe(IncidentOpened, on_incident_opened, phase=Phase.IN_TRANSACTION)
    bus.subscribe(IncidentSettled, on_incident_settled, phase=Phase.IN_TRANSACTION)
    bus.subscribe(DesignationChanged, on_designation_changed, phase=Phase.IN_TRANSACTION)
    bus.subscribe(FacilityReportOwed, on_facility_report_owed, phase=Phase.IN_TRANSACTION)
    bus.subscribe(FacilityReportFiled, on_facility_report_filed, phase=Phase.IN_TRANSACTION)
