"""The declared-interest table (its name predates this feature: it began in examination)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId


class DeclaredInterest(Base):
    """An official's declared link to a company (employment, shares, family...): it bars them from
    examining, negotiating or approving that company's case."""

    __tablename__ = "declared_interests"
    __table_args__ = (UniqueConstraint("user_id", "company_id", "relationship"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    company_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("companies.id"), index=True)
    kind: Mapped[str] = mapped_column("relationship", String(32))
    note: Mapped[str | None] = mapped_column(Text)
    declared_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
