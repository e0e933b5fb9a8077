from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field

from shokei.api_support import ActorDep, UowDep
from shokei.cases import services
from shokei.cases.schemas import AssignmentView, CaseDetail, CaseSummary, InventoryLineView, OfferView
from shokei.kernel.bounds import Id, JsonInt, Note, Title

router = APIRouter(prefix="/cases", tags=["cases"])


class OpenCase(BaseModel):
    company: Title = Field(description="Corporate number of the withdrawing company")
    reason: Note
    exit_date: date


class NewInventoryLine(BaseModel):
    title: Title
    drawing_number: Title | None = None
    revision: Title | None = None
    component: Title | None = None
    weapon_system: Title | None = None


class Examination(BaseModel):
    note: Note


class TransitionBody(BaseModel):
    name: Title
    reason: Note | None = None
    successor: Title | None = None
    expected_version: JsonInt | None = None


class OfferBody(BaseModel):
    amount_yen: JsonInt
    kind: Title = "offer"
    note: Note | None = None


class AssignmentBody(BaseModel):
    user: str = Field(max_length=150)
    role_on_case: str | None = Field(default=None, max_length=32)


class BreakGlassBody(BaseModel):
    reason: str = Field(max_length=1000)


class BreakGlassResult(BaseModel):
    case: int
    access: str


@router.post("", status_code=201)
def open_case(body: OpenCase, uow: UowDep, actor: ActorDep) -> CaseDetail:
    return services.open_case(
        uow, actor, company=body.company, reason=body.reason, planned_exit_date=body.exit_date
    )


@router.get("")
def list_cases(uow: UowDep, actor: ActorDep, state: str | None = None) -> list[CaseSummary]:
    return services.list_cases(uow, actor, state=state)


@router.get("/{case_id}")
def get_case(case_id: Id, uow: UowDep, actor: ActorDep) -> CaseDetail:
    return services.get_case(uow, actor, case_id)


@router.post("/{case_id}/documents", status_code=201)
def add_document(case_id: Id, body: NewInventoryLine, uow: UowDep, actor: ActorDep) -> InventoryLineView:
    return services.add_inventory_line(uow, actor, case_id, **body.model_dump())


@router.post("/{case_id}/documents/{document_id}/examination")
def examine_document(
    case_id: Id, document_id: Id, body: Examination, uow: UowDep, actor: ActorDep
) -> InventoryLineView:
    return services.examine_document(uow, actor, case_id, document_id, note=body.note)


@router.post("/{case_id}/transitions")
def transition(case_id: Id, body: TransitionBody, uow: UowDep, actor: ActorDep) -> CaseDetail:
    return services.transition_case(
        uow,
        actor,
        case_id,
        body.name,
        reason=body.reason,
        successor=body.successor,
        expected_version=body.expected_version,
    )


@router.post("/{case_id}/offers", status_code=201)
def record_offer(case_id: Id, body: OfferBody, uow: UowDep, actor: ActorDep) -> OfferView:
    return services.record_offer(
        uow, actor, case_id, amount_yen=body.amount_yen, kind=body.kind, note=body.note
    )


@router.get("/{case_id}/assignments")
def assignments(case_id: int, uow: UowDep, actor: ActorDep) -> list[AssignmentView]:
    return services.assignments_of(uow, actor, case_id)


@router.post("/{case_id}/assignments", status_code=201)
def assign(case_id: int, body: AssignmentBody, uow: UowDep, actor: ActorDep) -> list[AssignmentView]:
    return services.assign_official(uow, actor, case_id, body.user, role_on_case=body.role_on_case)


@router.delete("/{case_id}/assignments/{username}")
def unassign(case_id: int, username: str, uow: UowDep, actor: ActorDep) -> list[AssignmentView]:
    return services.unassign_official(uow, actor, case_id, username)


@router.post("/{case_id}/break-glass", status_code=201)
def break_glass(case_id: int, body: BreakGlassBody, uow: UowDep, actor: ActorDep) -> BreakGlassResult:
    access = services.break_glass(uow, actor, case_id, body.reason)
    return BreakGlassResult(case=case_id, access=access.value)
