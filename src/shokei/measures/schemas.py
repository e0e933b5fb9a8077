from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel


class MeasureView(BaseModel):
    id: int
    kind: str
    status: str


class MeasureDetail(MeasureView):
    case_id: int
    company_name: str
    reason: str
    details: dict[str, Any]
    decided_by: str
    decided_at: datetime
    facilities: list[FacilityView] = []


class EntrustmentView(BaseModel):
    company_corporate_number: str | None
    company_name: str
    until: date
    terms: str
    entrusted_at: datetime


class FacilityView(BaseModel):
    id: int
    status: str
    measure_id: int
    case_id: int
    name: str
    prefecture: str
    equipment: list[str]
    price_yen: int
    acquired_on: date
    fiscal_year: int
    entrustment: EntrustmentView | None = None
    transferred_to: str | None = None
    transferred_to_name: str | None = None
    transfer_price_yen: int | None = None
    transferred_on: date | None = None


class FacilityReportEntry(BaseModel):
    facility_id: int
    name: str
    prefecture: str
    fiscal_year: int
    status: str
    entrusted_to: str | None
    due: date
    filed_on: date | None
    overdue: bool


MeasureDetail.model_rebuild()
