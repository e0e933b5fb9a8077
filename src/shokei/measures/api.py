"""The measures API under /api/v1 (translate only): an escalated case's measure, and the
state-held facilities. Amounts are integer yen."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, StrictInt

from shokei.api_support import ActorDep, UowDep
from shokei.kernel.bounds import Id, JsonInt, Note, Title, Year
from shokei.measures import services
from shokei.measures.schemas import FacilityReportEntry, FacilityView, MeasureDetail, MeasureView

router = APIRouter(tags=["measures"])


class MeasureBody(BaseModel):
    kind: Title
    reason: Note
    parties: list[str] = []
    amount_yen: StrictInt | None = None
    review_on: date | None = None
    expected_version: JsonInt | None = None


class AcquisitionBody(BaseModel):
    name: Title
    prefecture: Title
    price_yen: StrictInt
    acquired_on: date
    equipment: list[str] = []


class EntrustmentBody(BaseModel):
    to: Title
    until: date
    terms: Note


class TransferBody(BaseModel):
    to: Title
    price_yen: StrictInt
    transferred_on: date


@router.post("/cases/{case_id}/measures", status_code=201)
def decide_measure(case_id: Id, body: MeasureBody, uow: UowDep, actor: ActorDep) -> MeasureView:
    return services.decide_measure(
        uow,
        actor,
        case_id,
        kind=body.kind,
        reason=body.reason,
        parties=body.parties,
        amount_yen=body.amount_yen,
        review_on=body.review_on,
        expected_version=body.expected_version,
    )


@router.get("/measures/{measure_id}")
def get_measure(measure_id: Id, uow: UowDep, actor: ActorDep) -> MeasureDetail:
    return services.get_measure(uow, actor, measure_id)


@router.post("/measures/{measure_id}/facilities", status_code=201)
def acquire_facility(measure_id: Id, body: AcquisitionBody, uow: UowDep, actor: ActorDep) -> FacilityView:
    return services.acquire_facility(
        uow,
        actor,
        measure_id,
        name=body.name,
        prefecture=body.prefecture,
        price_yen=body.price_yen,
        acquired_on=body.acquired_on,
        equipment=body.equipment,
    )


@router.get("/facilities")
def list_facilities(uow: UowDep, actor: ActorDep, case_id: Id | None = None) -> list[FacilityView]:
    return services.list_facilities(uow, actor, case_id=case_id)


@router.get("/facilities/reports/{fiscal_year}")
def facility_report(fiscal_year: Year, uow: UowDep, actor: ActorDep) -> list[FacilityReportEntry]:
    return services.facility_report(uow, actor, fiscal_year=fiscal_year)


@router.get("/facilities/{facility_id}")
def get_facility(facility_id: Id, uow: UowDep, actor: ActorDep) -> FacilityView:
    return services.get_facility(uow, actor, facility_id)


@router.post("/facilities/{facility_id}/entrustment")
def entrust_facility(facility_id: Id, body: EntrustmentBody, uow: UowDep, actor: ActorDep) -> FacilityView:
    return services.entrust_facility(uow, actor, facility_id, to=body.to, until=body.until, terms=body.terms)


@router.post("/facilities/{facility_id}/transfer")
def transfer_facility(facility_id: Id, body: TransferBody, uow: UowDep, actor: ActorDep) -> FacilityView:
    return services.transfer_facility(
        uow, actor, facility_id, to=body.to, price_yen=body.price_yen, transferred_on=body.transferred_on
    )
