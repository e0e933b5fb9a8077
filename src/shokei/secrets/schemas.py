from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class HolderView(BaseModel):
    """A company holding copies (issued or recalled, not destroyed) of a designated document."""

    corporate_number: str
    name: str
    copies: list[str] = Field(default_factory=list)


class HistoryEntryView(BaseModel):
    action: str  # domain.DesignationAction
    until: date
    reason: str | None
    by: str
    at: datetime


class DesignationView(BaseModel):
    """One line of the register of 装備品等秘密."""

    id: int
    document_id: int
    case_id: int
    document_title: str
    until: date
    status: str  # domain.DesignationStatus, as of today
    reason: str
    designated_at: datetime
    lifted_at: datetime | None = None
    lift_reason: str | None = None
    days_left: int  # until - today (negative: expired)
    holders: list[HolderView] = Field(default_factory=list)
    history: list[HistoryEntryView] = Field(default_factory=list)
