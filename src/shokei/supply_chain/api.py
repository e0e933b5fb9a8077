"""Supply-chain endpoints: import files, exit impact, single points of failure, evidence, surveys."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shokei.api_support import ActorDep, UowDep
from shokei.supply_chain import services
from shokei.supply_chain.io import SupplyFile, format_of
from shokei.supply_chain.schemas import ExitImpactEvidence, ImpactView, ImportReport, SpofEntryView
from shokei.supply_chain.survey import services as survey
from shokei.supply_chain.survey.schemas import (
    AnswerReport,
    AnswerView,
    CampaignCreated,
    CampaignStatusView,
    CampaignSummary,
    CascadeReport,
    ClosingReport,
    TaskView,
)

router = APIRouter(prefix="/supply", tags=["supply_chain"])


@router.post("/imports", status_code=201)
def import_files(
    files: Annotated[list[UploadFile], File(description="CSV or Parquet files (docs/supply_chain.md).")],
    uow: UowDep,
    actor: ActorDep,
    file_format: Annotated[str | None, Form(alias="format")] = None,
) -> ImportReport:
    uploads = [
        SupplyFile(upload.filename or "upload", upload.file, format_of(upload.filename or "", file_format))
        for upload in files
    ]
    return services.import_supply_files(uow, actor, uploads)


@router.get("/impact")
def exit_impact(
    uow: UowDep,
    actor: ActorDep,
    company: Annotated[list[str], Query(description="Corporate numbers of the companies exiting together.")],
    limit: Annotated[int, Query(ge=0, le=100_000)] = 100,
) -> ImpactView:
    return services.exit_impact(uow, actor, company, limit=limit)


@router.get("/spof")
def single_points_of_failure(
    uow: UowDep, actor: ActorDep, top: Annotated[int, Query(ge=1, le=services.MAX_SPOF_TOP)] = 20
) -> list[SpofEntryView]:
    return services.single_points_of_failure(uow, actor, top=top)


@router.get("/companies/{company_id}/evidence")
def exit_impact_evidence(company_id: int, uow: UowDep, actor: ActorDep) -> ExitImpactEvidence:
    return services.exit_impact_evidence(uow, actor, company_id)


class NewCampaign(BaseModel):
    system: str
    due_on: date
    respondents: list[str]


class Forward(BaseModel):
    to: list[str]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post("/surveys", status_code=201)
def create_survey(body: NewCampaign, uow: UowDep, actor: ActorDep) -> CampaignCreated:
    return survey.create_campaign(uow, actor, body.system, due_on=body.due_on, respondents=body.respondents)


@router.get("/surveys")
def list_surveys(uow: UowDep, actor: ActorDep) -> list[CampaignSummary]:
    return survey.list_campaigns(uow, actor)


@router.get("/surveys/tasks")
def my_tasks(uow: UowDep, actor: ActorDep) -> list[TaskView]:
    return survey.my_tasks(uow, actor)


@router.get("/surveys/{campaign_id}")
def survey_status(campaign_id: int, uow: UowDep, actor: ActorDep) -> CampaignStatusView:
    return survey.campaign_status(uow, actor, campaign_id)


@router.get("/surveys/{campaign_id}/template")
def survey_template(campaign_id: int, uow: UowDep, actor: ActorDep) -> Response:
    data = survey.template(uow, actor, campaign_id)
    disposition = f'attachment; filename="survey-{campaign_id}.xlsx"'
    return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition})


@router.post("/surveys/{campaign_id}/answers", response_model=AnswerReport)
def answer_survey(
    campaign_id: int, file: Annotated[UploadFile, File()], uow: UowDep, actor: ActorDep
) -> JSONResponse:
    """201 with the report when accepted; 422 with every problem (nothing applied) otherwise."""
    report = survey.answer_survey(uow, actor, campaign_id, file.filename or "answer", file.file.read())
    return JSONResponse(report.model_dump(mode="json"), status_code=201 if report.accepted else 422)


@router.get("/surveys/{campaign_id}/answers/{corporate_number}")
def survey_answer(campaign_id: int, corporate_number: str, uow: UowDep, actor: ActorDep) -> AnswerView:
    return survey.get_answer(uow, actor, campaign_id, corporate_number)


@router.post("/surveys/{campaign_id}/cascade", status_code=201)
def cascade(campaign_id: int, body: Forward, uow: UowDep, actor: ActorDep) -> CascadeReport:
    return survey.cascade(uow, actor, campaign_id, body.to)


@router.post("/surveys/{campaign_id}/close")
def close_survey(campaign_id: int, uow: UowDep, actor: ActorDep) -> ClosingReport:
    return survey.close_campaign(uow, actor, campaign_id)
