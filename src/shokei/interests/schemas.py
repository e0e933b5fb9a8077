"""What the interests feature shows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class InterestView(BaseModel):
    id: int
    user: str
    company: str
    relationship: str
    note: str | None
    declared_by: str
    declared_at: datetime
