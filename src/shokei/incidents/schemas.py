"""What the incidents use cases return."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel


class IncidentView(BaseModel):
    id: int
    state: str
    copy_id: str | None
    recipient: str | None
    chain: list[dict[str, Any]]
    deadline_at: datetime
    seconds_left: int  # on the reporting clock when read (negative: overdue); 0 once closed
    holder_suspended: bool
    found_at: str
    found_on: date | None
    reporter: str | None
    method: str
    confidence: float
    sha256: str
    found_file_id: int
    candidates: list[dict[str, Any]]
    notes: list[str]
    opened_at: datetime
    actions: list[dict[str, Any]]
    closed_at: datetime | None
    outcome: str | None
