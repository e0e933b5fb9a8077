from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Integer, Numeric, String, UniqueConstraint
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
