"""The examination API under /api/v1 (translate only)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from shokei.api_support import ActorDep, UowDep
from shokei.examination import services
from shokei.examination.schemas import (
    DeterminationView,
    ExaminationView,
    OverrideView,
    PolicyView,
    ScoreView,
)
from shokei.interests.schemas import InterestView
from shokei.kernel.bounds import Id, Note, Title

router = APIRouter(tags=["examination"])


class ScoreBody(BaseModel):
    document_id: Id = Field(description="Inventory document id, as in the case's inventory")
    criteria: dict[str, int] = Field(description="Every criterion of the policy: name -> value")
    rationale: Note


class PackageScoreBody(ScoreBody):
    document_id: Id = Field(description="Any document of the package: all of its component are scored")


class DetermineBody(BaseModel):
    rationale: Note | None = None


class OverrideBody(BaseModel):
    determination: Title
    reason: Note


class InterestBody(BaseModel):
    company: Title = Field(description="Corporate number")
    relationship: Title
    note: Note | None = None
    user: Title | None = Field(default=None, description="Another official (program managers)")


@router.get("/examination/policy")
def get_policy(actor: ActorDep) -> PolicyView:
    return services.get_policy(actor)


@router.get("/cases/{case_id}/examination")
def get_examination(case_id: Id, uow: UowDep, actor: ActorDep) -> ExaminationView:
    return services.get_examination(uow, actor, case_id)


@router.post("/cases/{case_id}/examination/scores", status_code=201)
def score_document(case_id: Id, body: ScoreBody, uow: UowDep, actor: ActorDep) -> ScoreView:
    return services.score_document(
        uow, actor, case_id, body.document_id, values=body.criteria, rationale=body.rationale
    )


@router.post("/cases/{case_id}/examination/package-scores", status_code=201)
def score_package(case_id: Id, body: PackageScoreBody, uow: UowDep, actor: ActorDep) -> list[ScoreView]:
    return services.score_package(
        uow, actor, case_id, body.document_id, values=body.criteria, rationale=body.rationale
    )


@router.post("/cases/{case_id}/examination/determination", status_code=201)
def determine_case(case_id: Id, body: DetermineBody, uow: UowDep, actor: ActorDep) -> DeterminationView:
    return services.determine_case(uow, actor, case_id, rationale=body.rationale)


@router.post("/cases/{case_id}/examination/overrides", status_code=201)
def override_determination(case_id: Id, body: OverrideBody, uow: UowDep, actor: ActorDep) -> OverrideView:
    return services.override_determination(
        uow, actor, case_id, determination=body.determination, reason=body.reason
    )


@router.post("/examination/interests", status_code=201)
def declare_interest(body: InterestBody, uow: UowDep, actor: ActorDep) -> InterestView:
    return services.declare_interest(uow, actor, **body.model_dump())
