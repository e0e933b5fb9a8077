"""What the examination services return (adapters print or serve these)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from shokei.errors import Text


class CriterionView(BaseModel):
    name: str
    title: str
    min: int
    max: int
    weight: int
    guidance: str


class HardRuleView(BaseModel):
    name: str
    title: str
    kind: str
    markings: list[str]
    criterion: str | None
    at_least: int | None


class PolicyView(BaseModel):
    version: str
    title: str
    published: date | None
    threshold: int
    examiners_required: int
    disagreement_tolerance: int
    criteria: list[CriterionView]
    hard_rules: list[HardRuleView]
    sha256: str
    source: str


class ScoreView(BaseModel):
    id: int
    case_id: int
    document_id: int  # the inventory line, as in `shokei case show`
    examiner: str
    values: dict[str, int]
    weighted_score: float  # 0-100, rounded for reading; decisions use the exact value
    rationale: str
    policy_version: str
    current: bool  # under the policy in force, and the examiner's latest for this document
    scored_at: datetime


class DocumentExamination(BaseModel):
    id: int
    title: str
    drawing_number: str | None
    revision: str | None
    component: str | None
    weapon_system: str | None
    stored_document_id: int | None
    markings: list[str]
    format: str | None
    page_count: int | None
    scores: list[ScoreView]
    mean_score: float | None
    examiners_scored: int
    examiners_required: int


class SupplyChainView(BaseModel):
    available: bool
    weapon_systems: list[str]
    single_source_components: list[str]
    note: str


class FindingView(BaseModel):
    rule: str
    detail: str  # in English
    detail_text: SkipJsonSchema[Text | None] = Field(default=None, exclude=True)  # the same, for the pages


class OutcomeView(BaseModel):
    determination: str
    rule: str
    detail: str  # in English
    detail_text: SkipJsonSchema[Text | None] = Field(default=None, exclude=True)  # the same, for the pages


class OverrideView(BaseModel):
    id: int
    case_id: int
    determination: str
    reason: str
    decided_by: str
    decided_at: datetime
    policy_version: str


class DeterminationView(BaseModel):
    case_id: int
    case_state: str
    determination: str
    rule: str
    rule_detail: str  # in English
    rationale: str  # as the examiner wrote it (the deciding rule's, in English, when none was written)
    policy_version: str
    determined_by: str
    determined_at: datetime
    rule_detail_text: SkipJsonSchema[Text | None] = Field(
        default=None, exclude=True
    )  # the same, for the pages
    rationale_text: SkipJsonSchema[Text | None] = Field(default=None, exclude=True)  # the same, for the pages
    override: OverrideView | None
    snapshot: dict[str, Any]


class ExaminationView(BaseModel):
    case_id: int
    case_state: str
    company: str
    policy_version: str
    threshold: int
    examiners_required: int
    documents: list[DocumentExamination]
    supply_chain: SupplyChainView
    hard_rules_fired: list[FindingView]
    missing: list[str]  # in English (the API, the CLI)
    disagreements: list[str]
    # The same as catalogue messages, for the pages.
    missing_text: SkipJsonSchema[list[Text]] = Field(default_factory=list, exclude=True)
    disagreements_text: SkipJsonSchema[list[Text]] = Field(default_factory=list, exclude=True)
    proposed: OutcomeView | None  # what `exam determine` would decide now (under examination only)
    blocked_by: str | None  # in English (the API, the CLI)
    blocked_by_text: SkipJsonSchema[Text | None] = Field(default=None, exclude=True)  # for the pages
    overrides: list[OverrideView]
    determination: DeterminationView | None
