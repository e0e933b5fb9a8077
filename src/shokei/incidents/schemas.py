"""What the incidents use cases return."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from shokei.errors import Text


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
    notes: list[str]  # in English (the API, logs); a trace kept before notes were data: as kept
    # The same, as catalogue messages, for the CLI's and the pages' language (not in the JSON).
    notes_text: SkipJsonSchema[list[Text]] = Field(default_factory=list, exclude=True)
    opened_at: datetime
    actions: list[dict[str, Any]]
    closed_at: datetime | None
    outcome: str | None
