"""Tables of the purchase feature: valuations, agreements, and the fiscal-year budget with one
line per commitment."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, ForeignKeyConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId, JsonDoc


class Valuation(Base):
    """Valuation guidance as recorded: method, inputs and the range and ceiling they gave."""

    __tablename__ = "purchase_valuations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    method: Mapped[str] = mapped_column(String(32))
    inputs: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    suggested_low_yen: Mapped[int] = mapped_column(BigInteger)
    suggested_high_yen: Mapped[int] = mapped_column(BigInteger)
    ceiling_yen: Mapped[int] = mapped_column(BigInteger)
    valued_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Agreement(Base):
    """A proposed purchase agreement and what became of it (approval, cancellation)."""

    __tablename__ = "purchase_agreements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    amount_yen: Mapped[int] = mapped_column(BigInteger)
    payment_due: Mapped[date | None] = mapped_column(Date)
    rights_transferred: Mapped[str] = mapped_column(Text)
    obligations: Mapped[list[Any]] = mapped_column(JsonDoc)
    note: Mapped[str | None] = mapped_column(Text)
    proposed_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_by_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ceiling_yen: Mapped[int | None] = mapped_column(BigInteger)
    override_reason: Mapped[str | None] = mapped_column(Text)
    ended_by_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(Text)


class BudgetYear(Base):
    """One fiscal year's appropriation. Commitments lock this row, so they queue per year."""

    __tablename__ = "budget_years"

    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    appropriation_yen: Mapped[int] = mapped_column(BigInteger)
    set_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set by `budget close`: the year's unexecuted commitments lapsed; nothing changes in it after.
    closed_by_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BudgetLine(Base):
    """One approved agreement's money: committed, then paid, released on cancellation or lapsed
    when its year closed. `fiscal_year` is the year it stands in: a carry-over moves it on."""

    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, ForeignKey("budget_years.fiscal_year"), index=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("purchase_agreements.id"), unique=True)
    amount_yen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    committed_on: Mapped[date] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    released_on: Mapped[date | None] = mapped_column(Date)
    lapsed_on: Mapped[date | None] = mapped_column(Date)


class BudgetCarryOver(Base):
    """A commitment carried over (繰越) into the next fiscal year, approved by a program manager
    before the year it was committed in closed; one per line."""

    __tablename__ = "budget_carry_overs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    line_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("budget_lines.id"), unique=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    from_fiscal_year: Mapped[int] = mapped_column(Integer, ForeignKey("budget_years.fiscal_year"), index=True)
    to_fiscal_year: Mapped[int] = mapped_column(Integer, ForeignKey("budget_years.fiscal_year"), index=True)
    amount_yen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    approved_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LineAppropriation(Base):
    """A fiscal year's appropriation on a budget line other than document purchases (whose
    appropriation stays in `budget_years`). Commitments on the line lock this row, so they queue
    per year and line."""

    __tablename__ = "budget_line_appropriations"

    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    line: Mapped[str] = mapped_column(String(16), primary_key=True)
    appropriation_yen: Mapped[int] = mapped_column(BigInteger)
    set_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LineCommitment(Base):
    """Money committed on a line other than purchases: a measure's price (a facility acquired),
    named by `subject` ("facility:3"), for the case it saves."""

    __tablename__ = "budget_line_commitments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["fiscal_year", "line"],
            ["budget_line_appropriations.fiscal_year", "budget_line_appropriations.line"],
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    line: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    subject: Mapped[str] = mapped_column(String(64), unique=True)
    amount_yen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    committed_on: Mapped[date] = mapped_column(Date)
    committed_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
