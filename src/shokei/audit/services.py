"""Appending to and reading the audit ledger.

`record()` is called by every other feature's use case inside its own transaction, so a change
and its audit entry commit together or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.accounts.domain import Actor, Permission
from shokei.audit.domain import AuditEvent
from shokei.audit.models import AuditEntry, AuditHead
from shokei.db import UnitOfWork
from shokei.errors import Forbidden

_HEAD_ID = 1


def _locked_head(session: Session) -> AuditHead:
    # FOR UPDATE on PostgreSQL serialises concurrent appenders; SQLite's BEGIN IMMEDIATE already has.
    head = session.execute(
        select(AuditHead).where(AuditHead.id == _HEAD_ID).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=_HEAD_ID, size=0)
        session.add(head)
        session.flush()
    return head


def record(session: Session, event: AuditEvent) -> int:
    """Append one event at the next index of the ledger; returns that index."""
    head = _locked_head(session)
    index = head.size
    session.add(
        AuditEntry(
            index=index,
            at=event.at,
            actor_id=event.actor.user_id if event.actor else None,
            actor_name=event.actor_name,
            action=event.action,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            leaf=event.leaf_bytes(index),
        )
    )
    head.size = index + 1
    return index


@dataclass(frozen=True, slots=True)
class AuditEntryView:
    index: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    event: dict[str, Any]


def _view(entry: AuditEntry) -> AuditEntryView:
    return AuditEntryView(
        index=entry.index,
        at=entry.at,
        actor=entry.actor_name,
        action=entry.action,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        event=json.loads(entry.leaf),
    )


def entries_for_subject(session: Session, subject_type: str, subject_id: str) -> list[AuditEntryView]:
    """A subject's entries for a caller that has already checked need-to-know on the subject."""
    rows = session.execute(
        select(AuditEntry)
        .where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
        .order_by(AuditEntry.index)
    ).scalars()
    return [_view(row) for row in rows]


def list_entries(
    uow: UnitOfWork, actor: Actor, *, action: str | None = None, limit: int = 100, after: int = -1
) -> list[AuditEntryView]:
    """Read the ledger. Auditors only."""
    if not actor.can(Permission.AUDIT_READ):
        raise Forbidden("only an auditor may read the audit ledger")
    with uow.transaction() as session:
        query = select(AuditEntry).where(AuditEntry.index > after).order_by(AuditEntry.index)
        if action:
            query = query.where(AuditEntry.action == action)
        return [_view(row) for row in session.execute(query.limit(limit)).scalars()]


def ledger_size(session: Session) -> int:
    head = session.get(AuditHead, _HEAD_ID)
    return head.size if head else 0
