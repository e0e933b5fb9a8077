from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema


class SuspensionView(BaseModel):
    reason: str  # in English (a reason typed by an official: as typed)
    cause: str  # companies.domain.SuspensionCause
    since: datetime
    # The reason as a catalogue message, for the pages (not in the JSON).
    reason_text: SkipJsonSchema[Any] = Field(default=None, exclude=True)


class CertificationView(BaseModel):
    custodian: str
    until: date
    scope: list[str]


class CompanyView(BaseModel):
    id: int
    corporate_number: str | None
    foreign_id: str | None
    name: str
    name_en: str | None
    country: str
    industry: str
    capital_yen: int | None
    employees: int | None
    sme: bool
    small_scale: bool
    sme_reason: str
    security_compliant_until: date | None
    capabilities: list[str]
    capacity: int | None = None
    financial_distress: bool | None = None
    foreign_share_percent: Decimal | None = None
    foreign_share_country: str | None = None
    prefecture: str | None = None
    access: str = "active"  # companies.domain.Access
    suspension: SuspensionView | None = None
    certification: CertificationView | None = None  # the one in force (not revoked or superseded)


class CertifiedRecipientView(BaseModel):
    """One line of the register of certified recipients."""

    corporate_number: str | None
    name: str
    custodian: str
    until: date
    scope: list[str]
    certified_at: datetime
    certified_by: str
    valid: bool  # valid today


class ChangeReportView(BaseModel):
    """A changed-condition report and what it led to."""

    id: int
    corporate_number: str | None
    kind: str
    details: str
    owner: str | None
    owner_country: str | None
    share: Decimal | None
    ownership_change: int | None  # the ownership event recorded from it
    reported_by: str
    reported_at: datetime
    access: str
    suspension: SuspensionView | None


class CompanyUpdate(BaseModel):
    """The eligibility facts `shokei company update` sets; unset fields stay as they are."""

    security_compliant_until: date | None = None
    capabilities: list[str] | None = None
    capacity: int | None = Field(default=None, ge=0)
    financial_distress: bool | None = None
    foreign_share_percent: Decimal | None = Field(default=None, ge=0, le=100)
    foreign_share_country: str | None = Field(default=None, min_length=2, max_length=2)
    prefecture: str | None = Field(default=None, max_length=8)  # written in full: 愛知県, 東京都


class CompanyInput(BaseModel):
    corporate_number: str | None = None
    foreign_country: str | None = None
    foreign_registry_id: str | None = None
    name: str = Field(min_length=1, max_length=255)
    name_en: str | None = None
    industry: str = "manufacturing"
    capital_yen: int | None = Field(default=None, ge=0)
    employees: int | None = Field(default=None, ge=0)
    security_compliant_until: date | None = None
    capabilities: list[str] = Field(default_factory=list)
    prefecture: str | None = Field(default=None, max_length=8)
