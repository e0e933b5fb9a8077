"""What succession use cases return (CLI --json and API bodies)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from shokei.errors import Text


class RuleView(BaseModel):
    name: str
    passed: bool
    reason: str  # in English (the API, the CLI, logs)
    text: SkipJsonSchema[Text | None] = Field(default=None, exclude=True)  # the same, for the pages' language


class ScorePartView(BaseModel):
    name: str
    value: Decimal
    weight: Decimal
    contribution: Decimal
    explanation: str  # in English (the API, the CLI)
    text: SkipJsonSchema[Text | None] = Field(default=None, exclude=True)  # the same, for the pages


class ScoreView(BaseModel):
    total: Decimal
    parts: list[ScorePartView]


class CandidateView(BaseModel):
    corporate_number: str
    name: str
    eligible: bool
    rules: list[RuleView]
    score: ScoreView


class AssignmentLineView(BaseModel):
    """One proposed pair: the case, the successor, its score there and where it ranked."""

    case_id: int
    corporate_number: str
    name: str
    score: Decimal
    rank_in_case: int  # 1 = the case's own best eligible candidate
    eligible_candidates: int


class AssignmentProposalView(BaseModel):
    """A portfolio proposal for a program manager: confirm each line with `successor select`."""

    assignments: list[AssignmentLineView]
    unassigned: list[int]  # cases left without an eligible successor with room
    total_score: Decimal
    capacities: dict[str, int]  # open case slots of each successor used or eligible


class SelectionView(BaseModel):
    case_id: int
    successor: str
    successor_name: str
    state: str


class InboxMessageView(BaseModel):
    id: int
    case_id: int | None
    subject: str  # in English (a message stored before messages were data: as stored)
    body: str
    at: datetime
    # The same as catalogue messages, for the pages (not in the JSON).
    subject_text: SkipJsonSchema[Text | None] = Field(default=None, exclude=True)
    body_text: SkipJsonSchema[Text | None] = Field(default=None, exclude=True)


class AcceptanceView(BaseModel):
    case_id: int
    company: str
    terms_version: str
    terms_digest: str
    accepted_at: datetime


class CopyView(BaseModel):
    copy_id: str
    document: int
    file_name: str
    sha256: str
    recipient: str
    recipient_name: str
    format: str
    marks: list[str]
    parent_copy_id: str | None = None
    status: str = "issued"  # issued, recalled, destroyed


class DisseminationView(BaseModel):
    id: int
    copy_id: str
    to: str
    purpose: str
    status: str  # requested, approved, rejected, accepted
    new_copy: CopyView | None = None
    reason: str | None = None  # why it was rejected


class ApprovedDissemination(BaseModel):
    """An approved request: `copy_id` is the subcontractor's new copy, derived from the holder's
    `parent_copy_id`; it can be downloaded once the subcontractor's user accepted the terms."""

    id: int
    copy_id: str
    parent_copy_id: str
    to: str
    purpose: str
    status: str
    new_copy: CopyView


class RecallView(BaseModel):
    """A copy's recall and return (`recall.py`)."""

    copy_id: str
    case_id: int
    recipient: str
    recipient_name: str
    parent_copy_id: str | None
    status: str  # issued, recalled, destroyed
    recalled_at: datetime | None
    recalled_by: str | None
    recall_reason: str | None
    destroyed_at: datetime | None
    destruction_reference: str | None
    destruction_sha256: str | None


class HolderView(BaseModel):
    role: str  # supplier, mod, successor, subcontractor
    corporate_number: str | None
    name: str
    copy_id: str | None = None


class TraceCandidateView(BaseModel):
    copy_id: str
    recipient: str
    document: str
    confidence: float
    evidence: list[str]  # in English (the API, the CLI, logs)
    # The same, as catalogue messages, for the pages' language (not in the JSON).
    evidence_text: SkipJsonSchema[list[Text] | None] = Field(default=None, exclude=True)


class TraceView(BaseModel):
    copy_id: str | None
    recipient: str | None
    chain: list[HolderView]
    method: str
    confidence: float
    sha256: str
    candidates: list[TraceCandidateView]
    unknown_marks: list[str]
    notes: list[str]  # in English (the API, the CLI, logs)
    # The same, as catalogue messages, for the pages' language (not in the JSON).
    notes_text: SkipJsonSchema[list[Text] | None] = Field(default=None, exclude=True)
    # Recipients (corporate numbers) the evidence cannot tell apart: no copy is named then.
    cannot_tell_apart: list[str] = []
    found_file_id: int | None = None  # the evidence row, when the found file was kept


class DestructionView(BaseModel):
    case_id: int
    reference: str
    file_sha256: str | None
    recorded_at: datetime
    state: str


# -- where a hand-over stands (handover_status.py) ----------------------------------------------


class CopyStatus(BaseModel):
    copy_id: str
    case_id: int
    document: int
    file_name: str
    sha256: str
    size: int
    format: str
    recipient: str
    recipient_name: str
    parent_copy_id: str | None
    status: str  # issued, recalled, destroyed
    issued_at: datetime
    downloads: int
    last_downloaded_at: datetime | None


class DisseminationStatus(BaseModel):
    id: int
    case_id: int
    copy_id: str
    to: str
    to_name: str
    purpose: str
    status: str
    requested_at: datetime
    decided_at: datetime | None
    new_copy_id: str | None
    reason: str | None = None  # why it was rejected, for the requester and the officials alike


class DestructionStatus(BaseModel):
    reference: str
    file_sha256: str | None
    recorded_at: datetime


class HandoverStatus(BaseModel):
    case_id: int
    state: str
    successor: str | None
    successor_name: str | None
    terms_version: str
    accepted: bool  # the successor accepted the current version of the terms
    accepted_at: datetime | None
    copies: list[CopyStatus]
    disseminations: list[DisseminationStatus]
    destruction: DestructionStatus | None
    # Held in the vault: handed over as released copies; with none, the hand-over is on paper.
    stored_documents: int = 0


class CopyDetail(BaseModel):
    item: CopyStatus
    disseminations: list[DisseminationStatus]
    may_disseminate: bool  # the actor's company holds it, and it is still issued
    held: bool = False  # the actor's company holds it (issued or not)


# -- the holdings register (holdings.py) --------------------------------------------------------


class HeldCopy(BaseModel):
    copy_id: str
    case_id: int
    document: int
    parent_copy_id: str | None  # a subcontractor's copy: the holder's copy it was derived from
    status: str  # issued, recalled, destroyed


class HeldCase(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    id: int
    as_: str = Field(alias="as")  # supplier, successor, subcontractor
    state: str


class HoldingsView(BaseModel):
    corporate_number: str
    copies: list[HeldCopy]
    cases: list[HeldCase]


class CandidateFilter(BaseModel):
    """What a program manager narrows the candidates to (all optional), and which page."""

    name: str = Field(default="", max_length=100)
    prefecture: str = Field(default="", max_length=8)
    capability: str = Field(default="", max_length=64)
    page: int = Field(default=1, ge=1)
    per_page: int = Field(default=20, ge=1, le=100)


class IneligibleCount(BaseModel):
    """How many matching companies are ineligible, counted once each under a rule they fail."""

    rule: str
    companies: int


class CandidatePageView(BaseModel):
    """One page of the eligible candidates, best first, and a summary of the rest."""

    candidates: list[CandidateView]
    eligible: int  # eligible companies matching the filter, on all pages
    matching: int  # registered companies matching the filter, eligible or not
    ineligible: list[IneligibleCount]
    ineligible_named: list[CandidateView]  # looked for by name: why they are not offered
    page: int
    pages: int
    per_page: int
    prefectures: list[str]  # what the prefecture filter offers
    capabilities: list[str]  # what the capability filter offers
