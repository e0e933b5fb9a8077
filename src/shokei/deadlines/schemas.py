from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class DutyView(BaseModel):
    """One open duty, as `shokei duties --json` and GET /api/v1/duties show it."""

    kind: str
    case_id: int | None  # None: a survey answer, a recalled copy's return, a certification's renewal
    due: date
    overdue: bool
    what: str
    survey_campaign_id: int | None = None  # the survey a survey answer is owed in


class DutyDetail(DutyView):
    """With who owes it and the time left (pages and the human list)."""

    id: int
    role: str
    days_left: int
    policy_version: str
    about: str  # what it is on: "案件12", "写し …"
    reference: str | None  # the record's own number (copy id, survey, corporate number); None on a case
    link: str  # the page where it is done
    breached: bool  # flagged past its date (its party and the program managers were told)
