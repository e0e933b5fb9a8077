from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId, JsonDoc


class Company(Base):
    __tablename__ = "companies"
    __table_args__ = (UniqueConstraint("foreign_country", "foreign_registry_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    corporate_number: Mapped[str | None] = mapped_column(String(13), unique=True)
    foreign_country: Mapped[str | None] = mapped_column(String(2))
    foreign_registry_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255), index=True)
    name_en: Mapped[str | None] = mapped_column(String(255))
    country: Mapped[str] = mapped_column(String(2), default="JP")
    industry: Mapped[str] = mapped_column(String(32), default="manufacturing")
    capital_yen: Mapped[int | None] = mapped_column(BigInteger)
    employees: Mapped[int | None] = mapped_column(Integer)
    security_compliant_until: Mapped[date | None] = mapped_column(Date)
    capabilities: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)
    # Facts successor eligibility reads (`shokei company update`), until ownership/risk supply them.
    capacity: Mapped[int | None] = mapped_column(Integer)
    financial_distress: Mapped[bool | None] = mapped_column(Boolean)
    foreign_share_percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    foreign_share_country: Mapped[str | None] = mapped_column(String(2))
    # Where the company works (ranking gives continuity credit to a successor nearby): 愛知県.
    prefecture: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Access to copies of design documents: suspended by hand or by the fact that made it
    # ineligible (`domain.SuspensionCause`); all three are set together, or none.
    suspended_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    suspension_cause: Mapped[str | None] = mapped_column(String(32))


class CompanyCertification(Base):
    """One certification of a company as a recipient (the register of certified recipients).

    A company holds at most one certification not ended: a new one supersedes it, a revocation or
    the sweep of expired ones ends it (`ended_at`, `end_kind`, `end_reason`)."""

    __tablename__ = "company_certifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("companies.id"), index=True)
    custodian: Mapped[str] = mapped_column(String(255))
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    scope: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)
    certified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    certified_by: Mapped[str] = mapped_column(String(64))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_kind: Mapped[str | None] = mapped_column(String(16))
    end_reason: Mapped[str | None] = mapped_column(Text)
    ended_by: Mapped[str | None] = mapped_column(String(64))


class ChangeReport(Base):
    """A changed-condition report: the company (or an official) reports a change of ownership,
    management, finances or location."""

    __tablename__ = "company_change_reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("companies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    details: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(255))
    owner_country: Mapped[str | None] = mapped_column(String(2))
    share: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    ownership_change_id: Mapped[int | None] = mapped_column(BigInteger)
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
