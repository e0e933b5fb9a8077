from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId


class DutyRecord(Base):
    """One party's open (or closed) duty on a case, in a survey, or on another record (`subject`:
    a recalled copy, a certification), with the due date fixed when it started."""

    __tablename__ = "deadline_duties"
    __table_args__ = (Index("ix_deadline_duties_open", "closed_at", "due"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    # A survey answer belongs to its survey campaign instead of a case.
    survey_campaign_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("survey_campaigns.id"), index=True
    )
    # A duty on another record: what it hangs on ("copy_return:<copy id>", ...), where it is done.
    subject: Mapped[str | None] = mapped_column(String(80), index=True)
    link: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    # The company whose users owe it (supplier, successor); none for officials.
    company_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("companies.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_on: Mapped[date] = mapped_column(Date)
    period_days: Mapped[int] = mapped_column(Integer)
    policy_version: Mapped[str] = mapped_column(String(32))
    due: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    breached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
