"""Tables of the risk feature: financial indicators and events per company, and scoring runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId, JsonDoc


class FinancialYear(Base):
    """One fiscal year's indicators of a company (yen; the equity ratio in percent)."""

    __tablename__ = "risk_financials"
    __table_args__ = (UniqueConstraint("company_id", "fiscal_year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    revenue_yen: Mapped[int | None] = mapped_column(BigInteger)
    operating_profit_yen: Mapped[int | None] = mapped_column(BigInteger)
    net_income_yen: Mapped[int | None] = mapped_column(BigInteger)
    equity_ratio_percent: Mapped[float | None] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(64))


class CompanyEvent(Base):
    """Something that happened to a company and bears on leak risk (restructuring, credit event...)."""

    __tablename__ = "risk_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(64))


class RiskRun(Base):
    """One recorded scoring of every company, so that scores can be followed over time."""

    __tablename__ = "risk_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    run_by: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[str] = mapped_column(String(32))
    company_count: Mapped[int] = mapped_column(Integer)


class RiskScore(Base):
    """A company's score in one run, with each factor's contribution (evidence is not kept)."""

    __tablename__ = "risk_scores"
    __table_args__ = (Index("ix_risk_scores_run_id_rank", "run_id", "rank"),)

    run_id: Mapped[int] = mapped_column(ForeignKey("risk_runs.id"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), primary_key=True, index=True)
    score: Mapped[float] = mapped_column(Float)
    recommendation: Mapped[str] = mapped_column(String(32))
    contributions: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    # The company's place in the run's ranking (runs recorded before revision 0011 have none).
    rank: Mapped[int | None] = mapped_column(Integer)
