"""The register of designations and each one's history (designate, renew, lift)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId


class SecretDesignation(Base):
    """One designation of one document as 装備品等秘密; lifted, never deleted."""

    __tablename__ = "secret_designations"
    __table_args__ = (
        # At most one designation per document that is not lifted.
        Index(
            "uq_secret_designations_standing",
            "document_id",
            unique=True,
            sqlite_where=text("status = 'designated'"),
            postgresql_where=text("status = 'designated'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("documents.id"), index=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16))  # designated | lifted (expired is computed)
    designated_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    designated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lifted_by_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lift_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)

    # Optimistic concurrency: a renewal racing a lift ends in Conflict, not a lost update.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class SecretDesignationEntry(Base):
    """One act on a designation, in order: what was done, the validity after it, why, who, when."""

    __tablename__ = "secret_designation_acts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    designation_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("secret_designations.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    valid_until: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64))  # the username then, as the register shows it
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
