from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer
from pydantic.json_schema import SkipJsonSchema


class InventoryLineView(BaseModel):
    id: int
    case_id: int
    title: str
    drawing_number: str | None
    revision: str | None
    component: str | None
    weapon_system: str | None
    examined: bool
    examination_note: str | None
    document_id: int | None = None  # the stored file the line describes, if any


class HistoryItem(BaseModel):
    transition: str
    from_state: str | None
    to_state: str
    actor: str
    role: str
    at: datetime
    reason: str | None  # in English (a reason typed by a user: as typed)
    # The reason as a catalogue message, for the pages (not in the JSON).
    reason_text: SkipJsonSchema[Any] = Field(default=None, exclude=True)


class OfferView(BaseModel):
    id: int
    kind: str
    amount_yen: int
    made_by: str
    at: datetime
    note: str | None


class MeasureRef(BaseModel):
    """A measure decided for the case after its escalation (the measures feature keeps it)."""

    id: int
    kind: str
    status: str


class CaseFlagView(BaseModel):
    """A company involved in the case lost its access (`kind` company_suspended); open until the
    company is reinstated (`resolved_at`, `resolution`: the reinstatement's reason)."""

    id: int
    kind: str
    corporate_number: str | None
    company_name: str
    involvement: str  # supplier, successor or subcontractor
    cause: str
    reason: str  # in English
    raised_at: datetime
    resolved_at: datetime | None
    resolution: str | None
    # The reason as a catalogue message, for the pages (not in the JSON).
    reason_text: SkipJsonSchema[Any] = Field(default=None, exclude=True)


class CaseSummary(BaseModel):
    id: int
    state: str
    company_corporate_number: str | None
    company_name: str
    reason: str
    planned_exit_date: date
    days_remaining: int
    overdue: bool
    version: int


class CaseDetail(CaseSummary):
    opened_at: datetime
    successor_selected: bool
    successor_corporate_number: str | None
    successor_name: str | None
    agreed_amount_yen: int | None
    available_transitions: list[str]
    inventory: list[InventoryLineView]
    offers: list[OfferView]
    history: list[HistoryItem]
    measures: list[MeasureRef] = []
    flags: list[CaseFlagView] = []
    # The officials and auditors assigned to the case: shown to officials and auditors only, and
    # absent (not blank) from a company user's view.
    assigned: list[str] | None = None

    @model_serializer(mode="wrap")
    def _without_absent_assignment(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.assigned is None:
            data.pop("assigned", None)
        return data


class AssignmentView(BaseModel):
    """An official or auditor assigned to a case, by whom and when."""

    user: str
    role_on_case: str
    assigned_by: str
    assigned_at: datetime
