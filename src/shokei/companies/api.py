from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field

from shokei.api_support import ActorDep, UowDep
from shokei.companies import access, conditions, services
from shokei.companies.schemas import (
    CertifiedRecipientView,
    ChangeReportView,
    CompanyInput,
    CompanyView,
)
from shokei.kernel.bounds import Count, Note, Title

router = APIRouter(prefix="/companies", tags=["companies"])


class ReasonInput(BaseModel):
    reason: Note = Field(min_length=1)


class CertificationInput(BaseModel):
    custodian: Title = Field(min_length=1)
    until: date
    scope: list[str] = Field(default_factory=list)


class ChangeReportInput(BaseModel):
    kind: Title
    details: Note = Field(min_length=1)
    owner: Title | None = None
    owner_country: Title | None = None
    share: Title | None = None


@router.get("/certifications")
def certifications(
    uow: UowDep, actor: ActorDep, expiring_within: Count | None = None
) -> list[CertifiedRecipientView]:
    return access.certifications(uow, actor, expiring_within)


@router.post("", status_code=201)
def register_company(data: CompanyInput, uow: UowDep, actor: ActorDep) -> CompanyView:
    return services.register_company(uow, actor, data)


@router.get("")
def list_companies(
    uow: UowDep, actor: ActorDep, search: str | None = None, limit: Count = 500, offset: Count = 0
) -> list[CompanyView]:
    return services.list_companies(uow, actor, search=search, limit=min(limit, 5000), offset=offset)


@router.get("/{corporate_number}")
def get_company(corporate_number: str, uow: UowDep, actor: ActorDep) -> CompanyView:
    return services.get_company(uow, actor, corporate_number)


@router.post("/{corporate_number}/suspend")
def suspend(corporate_number: str, data: ReasonInput, uow: UowDep, actor: ActorDep) -> CompanyView:
    return access.suspend(uow, actor, corporate_number, data.reason)


@router.post("/{corporate_number}/reinstate")
def reinstate(corporate_number: str, data: ReasonInput, uow: UowDep, actor: ActorDep) -> CompanyView:
    return access.reinstate(uow, actor, corporate_number, data.reason)


@router.post("/{corporate_number}/certification")
def certify(corporate_number: str, data: CertificationInput, uow: UowDep, actor: ActorDep) -> CompanyView:
    return access.certify(
        uow, actor, corporate_number, custodian=data.custodian, until=data.until, scope=data.scope
    )


@router.post("/{corporate_number}/certification/revoke")
def revoke_certification(
    corporate_number: str, data: ReasonInput, uow: UowDep, actor: ActorDep
) -> CompanyView:
    return access.revoke_certification(uow, actor, corporate_number, data.reason)


@router.post("/{corporate_number}/change-reports", status_code=201)
def report_change(
    corporate_number: str, data: ChangeReportInput, uow: UowDep, actor: ActorDep
) -> ChangeReportView:
    return conditions.report_change(
        uow,
        actor,
        corporate_number,
        kind=data.kind,
        details=data.details,
        owner=data.owner,
        owner_country=data.owner_country,
        share=data.share,
    )
