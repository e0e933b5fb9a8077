from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


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
