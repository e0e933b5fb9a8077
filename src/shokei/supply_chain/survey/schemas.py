"""What the survey use cases return (the CLI prints these, the API serves them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from shokei.errors import Text


class CampaignCreated(BaseModel):
    id: int
    status: str


class ProblemView(BaseModel):
    """One problem of an answer: `message` in the reader's language (English as the service
    gives it; each adapter renders it with `localised`), `msgid` and `params` the catalogue
    message it renders."""

    sheet: str
    row: int
    column: str
    message: str
    msgid: str = Field(default="", exclude=True)  # not in the JSON: `message` is rendered for its reader
    params: dict[str, Any] = Field(default_factory=dict, exclude=True)

    def localised(self, gettext: Callable[[str], str]) -> ProblemView:
        if not self.msgid:
            return self  # a problem stored before messages were data: its English as written
        return self.model_copy(update={"message": Text(self.msgid, self.params).render(gettext)})


class AnswerReport(BaseModel):
    """The respondent's report on one upload: accepted and applied, or every problem found."""

    accepted: bool
    problems: list[ProblemView]
    applied: dict[str, Any]  # the supply import's counts, the foreign pairs, the answer id

    def localised(self, gettext: Callable[[str], str]) -> AnswerReport:
        """The report with each problem's message in the language `gettext` translates to."""
        return self.model_copy(update={"problems": [p.localised(gettext) for p in self.problems]})


class RespondentView(BaseModel):
    corporate_number: str
    name: str | None
    tier: int
    status: str
    asked_by: str | None  # the corporate number of the respondent who forwarded the survey
    asked_parts: list[str]


class CampaignStatusView(BaseModel):
    id: int
    system: str
    due_on: date
    status: str
    respondents: list[RespondentView]


class CampaignSummary(BaseModel):
    """A campaign in the officials' list: its system, due date and respondents by status."""

    id: int
    system: str
    system_name: str
    due_on: date
    status: str
    created_at: datetime
    created_by: str
    respondents: int
    by_status: dict[str, int]  # respondent status -> respondents


class TaskView(BaseModel):
    """A survey addressed to the user's company (its portal task list)."""

    campaign_id: int
    system: str
    due_on: date
    campaign_status: str
    tier: int
    status: str
    asked_parts: list[str]


class CascadeReport(BaseModel):
    added: list[RespondentView]
    already_asked: list[str]


class AnswerSupplyRow(BaseModel):
    supplier: str
    part_number: str
    tier: int
    share: float | None
    qualified: bool


class AnswerView(BaseModel):
    """A respondent's answer as received (the respondent itself and officials only)."""

    campaign_id: int
    corporate_number: str
    answer_id: int
    received_at: datetime
    uploaded_by: str
    file_name: str
    sha256: str
    supply: list[AnswerSupplyRow]
    bom: list[tuple[str, str, float]]
    components: list[tuple[str, str | None]]


class ClosingReport(BaseModel):
    id: int
    status: str
    unanswered: list[str]
    partial: list[str]


class SupplierEntry(BaseModel):
    supplier: str  # corporate number, or COUNTRY-registry id for a foreign supplier
    corporate_number: str | None
    country: str | None
    registry_id: str | None
    foreign: bool
    tier: int  # the smallest tier at which it supplies a part of the system
    sole_source: bool  # the only qualified supplier of some part of the system


class SurveyCoverage(BaseModel):
    """The respondents of the system's latest survey by status (answered counts partial ones)."""

    campaign_id: int | None
    answered: int
    partial: int
    unanswered: int
    pending: int
    by_tier: dict[str, dict[str, int]]  # tier -> status -> respondents


class SystemSupplyBase(BaseModel):
    """Who supplies a weapon system, from the map and its surveys (the supply-chain facts of the
    supplier-base view; registry, ownership and risk facts are added above this feature)."""

    code: str
    name: str
    parts: int
    companies: int
    by_tier: dict[str, int]
    sole_sources: int
    foreign: int
    suppliers: list[SupplierEntry]
    survey: SurveyCoverage
