"""Tables of the examination feature: the policies used, examiners' scores, program managers'
overrides, the determinations, and officials' declared interests in companies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId, JsonDoc


class ExaminationPolicyRecord(Base):
    """The text of every policy version ever used: a version's text may never change."""

    __tablename__ = "examination_policies"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    first_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExaminationScore(Base):
    """One examiner's scores of one inventory document; a later score by the same examiner under
    the same policy version supersedes it (both are kept)."""

    __tablename__ = "examination_scores"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    line_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("inventory_lines.id"), index=True)
    examiner_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    policy_version: Mapped[str] = mapped_column(String(64), ForeignKey("examination_policies.version"))
    criterion_values: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    rationale: Mapped[str] = mapped_column(Text)
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExaminationOverride(Base):
    """A program manager's decision of a case's determination, with the reason (latest counts)."""

    __tablename__ = "examination_overrides"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), index=True)
    determination: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    policy_version: Mapped[str] = mapped_column(String(64), ForeignKey("examination_policies.version"))


class ExaminationDetermination(Base):
    """A case's determination as it was made: outcome, deciding rule, policy version and a
    snapshot of the scores and evidence it weighed (never recomputed)."""

    __tablename__ = "examination_determinations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("exit_cases.id"), unique=True)
    determination: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(64))
    rule_detail: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    policy_version: Mapped[str] = mapped_column(String(64), ForeignKey("examination_policies.version"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    override_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("examination_overrides.id"))
    determined_by_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    determined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
