"""Tables of the measures feature: the measure decided for an escalated case, the facilities the
state acquires under one (Art. 29), their entrustments and annual reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId, JsonDoc


class Measure(Base):
    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    # succession_support: parties (corporate numbers) and the supported amount; state_custody:
    # the review date.
    details: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    decided_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Facility(Base):
    """A designated manufacturing facility (指定装備品製造施設等) acquired by the state."""

    __tablename__ = "facilities"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    measure_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("measures.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    prefecture: Mapped[str] = mapped_column(String(8))
    equipment: Mapped[list[Any]] = mapped_column(JsonDoc)
    price_yen: Mapped[int] = mapped_column(BigInteger)
    acquired_on: Mapped[date] = mapped_column(Date)
    # The commitment on the budget's facilities line (purchase feature).
    budget_commitment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("budget_line_commitments.id"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    transferee_company_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("companies.id"))
    transfer_price_yen: Mapped[int | None] = mapped_column(BigInteger)
    transferred_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class FacilityEntrustment(Base):
    """The management of a state-held facility entrusted to a contractor, for a term."""

    __tablename__ = "facility_entrustments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    facility_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("facilities.id"), index=True)
    company_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("companies.id"), index=True)
    until: Mapped[date] = mapped_column(Date)
    terms: Mapped[str] = mapped_column(Text)
    entrusted_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    entrusted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_on: Mapped[date | None] = mapped_column(Date)


class FacilityReport(Base):
    """The annual report on a state-held facility for one fiscal year, once filed."""

    __tablename__ = "facility_reports"

    facility_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("facilities.id"), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    filed_on: Mapped[date] = mapped_column(Date)
    filed_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
