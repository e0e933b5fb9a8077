"""The leak incidents table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId, JsonDoc


class LeakIncident(Base):
    """A found file, whose copy it was, the holder suspended, the clock and the outcome."""

    __tablename__ = "leak_incidents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    state: Mapped[str] = mapped_column(String(24), index=True)
    found_at: Mapped[str] = mapped_column(Text)  # where: a trade fair, a seized laptop, a bid
    found_on: Mapped[date | None] = mapped_column(Date)
    reporter: Mapped[str | None] = mapped_column(Text)
    found_file_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("found_files.id"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    copy_id: Mapped[str | None] = mapped_column(String(48), index=True)
    recipient: Mapped[str | None] = mapped_column(String(13))
    method: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    trace: Mapped[dict[str, Any]] = mapped_column(JsonDoc)  # the trace's whole answer, chain included
    holder_suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    reporting_hours: Mapped[int] = mapped_column(Integer)
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actions: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)  # [{at, by, action}]
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(Text)
