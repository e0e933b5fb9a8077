"""Supply-chain endpoints: import files, exit impact, single points of failure, evidence, surveys."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from shokei.api_support import (
    ActorDep,
    ShokeiDep,
    UowDep,
    in_client_language,
    received_files,
    received_upload,
)
from shokei.kernel.bounds import Id, Title
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
from shokei.supply_chain.survey.services.answers import MAX_ANSWER_BYTES

router = APIRouter(prefix="/supply", tags=["supply_chain"])


@router.post("/imports", status_code=201)
async def import_files(request: Request, shokei: ShokeiDep, actor: ActorDep) -> ImportReport:
    """CSV or Parquet files (multipart, any field name; docs/supply_chain.md), with an optional
    `format` field. Who may import is decided before the body is read."""
    services.admit_import(actor)
    async with received_upload(request, shokei) as received:
        chosen = received.fields.get("format") or None

        def run() -> ImportReport:
            with ExitStack() as stack:
                uploads = [
                    SupplyFile(
                        file.name, stack.enter_context(file.sealed.open()), format_of(file.name, chosen)
                    )
                    for file in received.files
                ]
                return services.import_supply_files(shokei.uow, actor, uploads)

        return await run_in_threadpool(run)


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
def exit_impact_evidence(company_id: Id, uow: UowDep, actor: ActorDep) -> ExitImpactEvidence:
    return services.exit_impact_evidence(uow, actor, company_id)


class NewCampaign(BaseModel):
    system: Title
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
def survey_status(campaign_id: Id, uow: UowDep, actor: ActorDep) -> CampaignStatusView:
    return survey.campaign_status(uow, actor, campaign_id)


@router.get("/surveys/{campaign_id}/template")
def survey_template(campaign_id: Id, uow: UowDep, actor: ActorDep) -> Response:
    data = survey.template(uow, actor, campaign_id)
    disposition = f'attachment; filename="survey-{campaign_id}.xlsx"'
    return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition})


@router.post("/surveys/{campaign_id}/answers", response_model=AnswerReport)
async def answer_survey(
    campaign_id: Id, request: Request, shokei: ShokeiDep, actor: ActorDep
) -> JSONResponse:
    """The answer file (multipart field `file`, XLSX or CSV). 201 with the report when accepted;
    422 with every problem (nothing applied) otherwise. Refused before the body is read when the
    user may not answer this survey."""
    await run_in_threadpool(survey.admit_answer, shokei.uow, actor, campaign_id)
    async with received_files(request, shokei) as files:

        def run() -> AnswerReport:
            with files[0].sealed.open() as source:
                data = source.read(MAX_ANSWER_BYTES + 1)
            return survey.answer_survey(shokei.uow, actor, campaign_id, files[0].name, data)

        report = in_client_language(request, (await run_in_threadpool(run)).localised)
    return JSONResponse(report.model_dump(mode="json"), status_code=201 if report.accepted else 422)


@router.get("/surveys/{campaign_id}/answers/{corporate_number}")
def survey_answer(campaign_id: Id, corporate_number: str, uow: UowDep, actor: ActorDep) -> AnswerView:
    return survey.get_answer(uow, actor, campaign_id, corporate_number)


@router.post("/surveys/{campaign_id}/cascade", status_code=201)
def cascade(campaign_id: Id, body: Forward, uow: UowDep, actor: ActorDep) -> CascadeReport:
    return survey.cascade(uow, actor, campaign_id, body.to)


@router.post("/surveys/{campaign_id}/close")
def close_survey(campaign_id: Id, uow: UowDep, actor: ActorDep) -> ClosingReport:
    return survey.close_campaign(uow, actor, campaign_id)
