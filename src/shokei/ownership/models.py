"""Tables of the ownership feature: who holds what in whom, where it came from, and alerts.

Shares are stored exactly (see `Percent`); the engine reads the lower bound of each direct
shareholding (`OwnershipInterest.stake`) and computes in floating point.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from shokei.db import Base, BigId, JsonDoc

# A percentage is kept as an integer count of millionths of a percent (100 % = 10**8): exact in
# both databases (SQLite has no decimal type) and summable in SQL. Finer shares are rounded.
PERCENT_SCALE = Decimal(1_000_000)


class Percent(TypeDecorator[Decimal]):
    """A `Decimal` percentage stored as an integer number of millionths of a percent."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int((Decimal(value) * PERCENT_SCALE).to_integral_value(ROUND_HALF_EVEN))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)) / PERCENT_SCALE


class OwnershipEntity(Base):
    """A company, person, state or arrangement that can hold or be held.

    `key` is the entity's recordId in BODS exports: the recordId it was first imported under,
    or one made up for entities entered in Shokei. A registry company has `company_id`.
    """

    __tablename__ = "ownership_entities"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(500))
    normalized_name: Mapped[str] = mapped_column(String(500), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OwnershipIdentifier(Base):
    """A register's identifier for an entity, written `SCHEME-ID` (e.g. `JP-JCN-1234567890123`)."""

    __tablename__ = "ownership_identifiers"

    identifier: Mapped[str] = mapped_column(String(300), primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("ownership_entities.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order as published


class OwnershipInterest(Base):
    """One interest of `owner` in `owned`, as declared, with the stake the engine computes with.

    `share` and `voting` keep every bound given (`{"exact": "76.5"}` in percent, as text);
    `stake` is the lower bound of a direct (or unknown-directness) shareholding and is null for
    every other interest, so that one indexed column answers "which stakes count".
    """

    __tablename__ = "ownership_interests"
    __table_args__ = (
        # Covering indexes: walking the graph reads stakes in force from the index alone.
        Index("ix_ownership_interests_owned_walk", "owned_id", "stake", "start_date", "end_date", "owner_id"),
        Index("ix_ownership_interests_owner_walk", "owner_id", "stake", "start_date", "end_date", "owned_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("ownership_entities.id"))
    owned_id: Mapped[int] = mapped_column(ForeignKey("ownership_entities.id"))
    interest_type: Mapped[str | None] = mapped_column(String(64))
    directness: Mapped[str] = mapped_column(String(16))
    share: Mapped[dict[str, str] | None] = mapped_column(JsonDoc)
    voting: Mapped[dict[str, str] | None] = mapped_column(JsonDoc)
    stake: Mapped[Decimal | None] = mapped_column(Percent)
    appoints_board: Mapped[bool] = mapped_column(Boolean, default=False)
    beneficial: Mapped[bool | None] = mapped_column(Boolean)
    details: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(500))
    record_id: Mapped[str | None] = mapped_column(String(200), index=True)  # BODS relationship
    position: Mapped[int] = mapped_column(Integer, default=0)  # order within the relationship
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OwnershipImport(Base):
    """One imported file (BODS or CSV): who, when, its SHA-256, and what came of it."""

    __tablename__ = "ownership_imports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    format: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    imported_by: Mapped[str] = mapped_column(String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)


class OwnershipRecord(Base):
    """The latest published BODS statement of a record: export keeps what Shokei does not model.

    For an entity or person record, `entity_id` is the entity it describes (several records
    can describe one registry company).
    """

    __tablename__ = "ownership_bods_records"

    record_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("ownership_entities.id"), index=True)
    statement: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    import_id: Mapped[int] = mapped_column(ForeignKey("ownership_imports.id"))
    position: Mapped[int] = mapped_column(Integer)  # the statement's place in its package


class OwnershipChange(Base):
    """An ownership event: `owner`'s direct stake in `owned` set from `before` to `after`."""

    __tablename__ = "ownership_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("ownership_entities.id"), index=True)
    owned_id: Mapped[int] = mapped_column(ForeignKey("ownership_entities.id"), index=True)
    before: Mapped[Decimal | None] = mapped_column(Percent)
    after: Mapped[Decimal] = mapped_column(Percent)
    effective_date: Mapped[date] = mapped_column(Date, index=True)
    source: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(64))


class OwnershipAlert(Base):
    """A registry company at or above a foreign-control threshold, open until it drops below.

    At most one open alert per company and threshold (a partial unique index, so two
    concurrent events cannot both raise it).
    """

    __tablename__ = "ownership_alerts"
    __table_args__ = (
        Index(
            "uq_ownership_alerts_open",
            "company_id",
            "threshold",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("ownership_entities.id"))
    threshold: Mapped[Decimal] = mapped_column(Percent)
    status: Mapped[str] = mapped_column(String(16), index=True)
    measures: Mapped[dict[str, float]] = mapped_column(JsonDoc)
    chain: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    cause: Mapped[str] = mapped_column(String(200))
    change_id: Mapped[int | None] = mapped_column(ForeignKey("ownership_changes.id"))
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_cause: Mapped[str | None] = mapped_column(String(200))
    resolved_measures: Mapped[dict[str, float] | None] = mapped_column(JsonDoc)
    # An official's handling of the alert, apart from the fact (open / resolved).
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(64))
    close_reason: Mapped[str | None] = mapped_column(Text)


class OwnershipMatchCandidate(Base):
    """An imported entity that may be a registry company by name: for an official to decide.

    Proposed once per entity and company. After a merge, the accepted candidates of both merged
    entities name the surviving entity, so the pair is not unique in the table.
    """

    __tablename__ = "ownership_match_candidates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("ownership_entities.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(64))


class OwnershipSetting(Base):
    """Feature settings changed at run time (the alert thresholds), with who changed them."""

    __tablename__ = "ownership_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JsonDoc)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64))
