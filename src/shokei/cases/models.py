from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId


class ExitCase(Base):
    __tablename__ = "exit_cases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("companies.id"), index=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    planned_exit_date: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    successor_company_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("companies.id"), index=True
    )
    agreed_amount_yen: Mapped[int | None] = mapped_column(BigInteger)
    # Pushed by the succession feature when it records the supplier's certificate (the close guard).
    destruction_certificates: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Pushed by the purchase feature: a commitment stands neither paid, cancelled nor lapsed (the
    # close guard).
    purchase_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer)

    # Optimistic concurrency: an UPDATE that finds another version raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class InventoryLine(Base):
    __tablename__ = "inventory_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    drawing_number: Mapped[str | None] = mapped_column(String(100))
    revision: Mapped[str | None] = mapped_column(String(50))
    component: Mapped[str | None] = mapped_column(String(255))
    weapon_system: Mapped[str | None] = mapped_column(String(255))
    created_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    examined_by_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    examined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    examination_note: Mapped[str | None] = mapped_column(Text)
    # Set when the line describes a stored file (documents feature); free-text lines have none.
    document_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("documents.id"), unique=True)


class CaseTransitionRecord(Base):
    """The case's own history, one row per move (the ledger holds the same, tamper-evident)."""

    __tablename__ = "case_transitions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)


class Offer(Base):
    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount_yen: Mapped[int] = mapped_column(BigInteger)
    made_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)


class CaseDuty(Base):
    """An official's part in a case (examined, negotiated), pushed by the feature where it was
    taken (examination scores and determinations, purchase valuations and agreements), so the
    separation-of-duties guards read it here without asking the features built on cases."""

    __tablename__ = "case_duties"
    __table_args__ = (UniqueConstraint("case_id", "user_id", "duty"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    duty: Mapped[str] = mapped_column(String(16))


class CaseMeasure(Base):
    """A measure decided for the case after its escalation (issue 17), pushed by the measures
    feature when it decides one and whenever its status changes, so the case shows where it went
    without asking the feature built on it."""

    __tablename__ = "case_measures"

    measure_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))


class CaseFlag(Base):
    """A warning on a case: a company involved in it (supplier, successor, subcontractor) lost its
    access to copies. Raised in the transaction of the suspension, resolved on reinstatement."""

    __tablename__ = "case_flags"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    company_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("companies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    involvement: Mapped[str] = mapped_column(String(16))
    cause: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(Text)


class CaseAssignment(Base):
    """An official or auditor assigned to a case: intake officers, examiners and negotiators know
    of the case only through it; program managers and auditors read its contents through it.
    Unassigning deletes the row (the ledger keeps both acts)."""

    __tablename__ = "case_assignments"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    role_on_case: Mapped[str] = mapped_column(String(32))
    assigned_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseBreakGlass(Base):
    """A program manager's or auditor's recorded reason to read the contents of a case they are
    not assigned to; it opens them for `BREAK_GLASS_HOURS` from `at`."""

    __tablename__ = "case_break_glass"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
