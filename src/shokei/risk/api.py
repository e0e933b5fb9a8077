"""The leak-risk watchlist over HTTP (translate only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from shokei.api_support import ActorDep, UowDep
from shokei.kernel.bounds import Count, JsonInt, Note, Title, Year
from shokei.risk import services
from shokei.risk.schemas import EventView, FinancialsView, HistoryPoint, SupplierBaseView, WatchlistEntry

router = APIRouter(prefix="/risk", tags=["risk"])


class NewEvent(BaseModel):
    kind: Title
    occurred_on: date
    note: Note | None = None


class NewFinancials(BaseModel):
    fiscal_year: Year
    revenue_yen: JsonInt | None = None
    operating_profit_yen: JsonInt | None = None
    net_income_yen: JsonInt | None = None
    equity_ratio_percent: float | None = None


@router.get("/watchlist")
def watchlist(uow: UowDep, actor: ActorDep, top: Count | None = None) -> list[WatchlistEntry]:
    return services.watchlist(uow, actor, top=top)


@router.post("/companies/{corporate_number}/events", status_code=201)
def record_event(corporate_number: str, body: NewEvent, uow: UowDep, actor: ActorDep) -> EventView:
    return services.record_event(
        uow, actor, corporate_number, kind=body.kind, occurred_on=body.occurred_on, note=body.note
    )


@router.put("/companies/{corporate_number}/financials")
def record_financials(
    corporate_number: str, body: NewFinancials, uow: UowDep, actor: ActorDep
) -> FinancialsView:
    return services.record_financials(uow, actor, corporate_number, **body.model_dump())


@router.get("/companies/{corporate_number}/history")
def history(corporate_number: str, uow: UowDep, actor: ActorDep) -> list[HistoryPoint]:
    return services.history(uow, actor, corporate_number)


@router.get("/systems/{code}/supplier-base")
def supplier_base(code: str, uow: UowDep, actor: ActorDep) -> SupplierBaseView:
    return services.system_supplier_base(uow, actor, code)


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/systems/{code}/supplier-base/export")
def supplier_base_export(
    code: str,
    uow: UowDep,
    actor: ActorDep,
    file_format: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    data = services.export_supplier_base(uow, actor, code, file_format)
    disposition = f'attachment; filename="supplier-base-{quote(code)}.{file_format}"'
    return Response(data, media_type=EXPORT_TYPES[file_format], headers={"Content-Disposition": disposition})
