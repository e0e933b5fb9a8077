from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class DutyView(BaseModel):
    """One open duty, as `shokei duties --json` and GET /api/v1/duties show it."""

    kind: str
    case_id: int | None  # none for a survey answer
    due: date
    overdue: bool
    what: str
    survey_campaign_id: int | None = None  # the survey a survey answer is owed in


class DutyDetail(DutyView):
    """With who owes it and the time left (pages and the human list)."""

    role: str
    days_left: int
    policy_version: str
