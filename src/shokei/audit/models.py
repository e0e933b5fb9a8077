"""The ledger's tables. Every one is append-only: rows are inserted, never updated or deleted
(`audit_head.size` is the one counter that moves, under its row lock)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base


class AuditEntry(Base):
    """One ledger leaf. `leaf` is the canonical JSON hashed into the tree; other columns index it."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_subject", "subject_type", "subject_id"),)

    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    leaf: Mapped[bytes] = mapped_column(LargeBinary)


class AuditHead(Base):
    """A single row holding the log size; locking it serialises appends (strict, gapless order)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)


class AuditNode(Base):
    """A complete perfect subtree of the Merkle tree: leaves [index * 2**level, (index + 1) * 2**level).

    Level 0 holds the leaf hashes. A node is written once, when its last leaf is appended.
    """

    __tablename__ = "audit_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class AuditCheckpoint(Base):
    """A signed C2SP checkpoint: the log's commitment to its first `size` entries."""

    __tablename__ = "audit_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# What the service's database role may do to each ledger table (`shokei db roles` grants exactly
# this): entries, nodes and checkpoints are only ever inserted; the head's size moves forward
# under its row lock (SELECT ... FOR UPDATE needs UPDATE). Never DELETE or TRUNCATE.
APPLICATION_PRIVILEGES: dict[str, tuple[str, ...]] = {
    AuditEntry.__tablename__: ("SELECT", "INSERT"),
    AuditNode.__tablename__: ("SELECT", "INSERT"),
    AuditCheckpoint.__tablename__: ("SELECT", "INSERT"),
    AuditHead.__tablename__: ("SELECT", "INSERT", "UPDATE"),
}
