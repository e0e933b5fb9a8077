from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field

from shokei.api_support import ActorDep, UowDep
from shokei.kernel.bounds import Count, Id, Note
from shokei.secrets import services
from shokei.secrets.schemas import DesignationView

router = APIRouter(prefix="/secrets", tags=["secrets"])


class DesignationInput(BaseModel):
    until: date
    reason: Note = Field(min_length=1)


class RenewalInput(BaseModel):
    until: date
    reason: Note | None = None


class LiftInput(BaseModel):
    reason: Note = Field(min_length=1)


@router.get("")
def register(
    uow: UowDep, actor: ActorDep, expiring_within: Count | None = None, case: Id | None = None
) -> list[DesignationView]:
    """The register of 装備品等秘密 with each document's holders (officials and auditors)."""
    return services.list_designations(uow, actor, expiring_within_days=expiring_within, case_id=case)


@router.get("/documents/{document_id}")
def of_document(document_id: Id, uow: UowDep, actor: ActorDep) -> list[DesignationView]:
    """Every designation of one document, latest first, with its history."""
    return services.document_designations(uow, actor, document_id)


@router.post("/documents/{document_id}", status_code=201)
def designate(document_id: Id, data: DesignationInput, uow: UowDep, actor: ActorDep) -> DesignationView:
    """Designate a document (program manager)."""
    return services.designate_document(uow, actor, document_id, until=data.until, reason=data.reason)


@router.post("/cases/{case_id}", status_code=201)
def designate_case(
    case_id: Id, data: DesignationInput, uow: UowDep, actor: ActorDep
) -> list[DesignationView]:
    """Designate every document of a case (program manager)."""
    return services.designate_case(uow, actor, case_id, until=data.until, reason=data.reason)


@router.post("/documents/{document_id}/renew")
def renew(document_id: Id, data: RenewalInput, uow: UowDep, actor: ActorDep) -> DesignationView:
    """Extend a designation (program manager)."""
    return services.renew_designation(uow, actor, document_id, until=data.until, reason=data.reason)


@router.post("/documents/{document_id}/lift")
def lift(document_id: Id, data: LiftInput, uow: UowDep, actor: ActorDep) -> DesignationView:
    """Lift a designation; it stays on the register (program manager)."""
    return services.lift_designation(uow, actor, document_id, reason=data.reason)
