"""Reading the ledger as a reader may see it: entries in order, a subject's entries, and the
need-to-know that redacts what an unassigned auditor may not read (`shown_to`)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from shokei.audit.domain import ReadableCases, case_of, redacted
from shokei.audit.merkle import leaf_hash
from shokei.audit.models import AuditEntry
from shokei.audit.services.ledger import _require_reader
from shokei.clock import as_utc
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class AuditEntryView:
    """One entry as a reader is shown it. `leaf_hash` is the hash of the stored leaf (what an
    inclusion proof proves), so a redacted entry still proves; `redacted` says that values of
    `event` were replaced by `REDACTED` because the reader may not read the case's contents."""

    index: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    event: dict[str, Any]
    leaf_hash: str = ""
    redacted: bool = False


def _view(entry: AuditEntry) -> AuditEntryView:
    return AuditEntryView(
        index=entry.index,
        at=as_utc(entry.at),
        actor=entry.actor_name,
        action=entry.action,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        event=json.loads(entry.leaf),
        leaf_hash=leaf_hash(entry.leaf).hex(),
    )


def shown_to(uow: UnitOfWork, actor: Actor, entries: list[AuditEntryView]) -> list[AuditEntryView]:
    """The entries as `actor` may see them: an entry about a case whose contents the reader may
    not read (an auditor neither assigned to it nor within a break-glass) keeps its index, time,
    actor, action, subject and leaf hash, and its other values become `REDACTED`. Which cases
    the reader reads is asked of the feature that holds the assignments (`ReadableCases`); where
    none answers, every case-scoped entry is redacted (closed, not open)."""
    concerned = {entry.index: case_of(entry.event) for entry in entries}
    wanted = frozenset(case for case in concerned.values() if case is not None)
    readable: frozenset[int] = frozenset()
    if wanted and uow.bus.handles(ReadableCases):
        readable = frozenset(uow.handle(ReadableCases(actor, wanted)))
    shown = []
    for entry in entries:
        case = concerned[entry.index]
        if case is None or case in readable:
            shown.append(entry)
            continue
        event, changed = redacted(entry.event)
        shown.append(dataclasses.replace(entry, event=event, redacted=changed) if changed else entry)
    return shown


def entries_for_subject(uow: UnitOfWork, subject_type: str, subject_id: str) -> list[AuditEntryView]:
    """A subject's entries for a caller that has already checked need-to-know on the subject (in
    the caller's transaction, or one of its own)."""
    with uow:
        rows = uow.session.execute(
            select(AuditEntry)
            .where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
            .order_by(AuditEntry.index)
        ).scalars()
        return [_view(row) for row in rows]


def list_entries(
    uow: UnitOfWork,
    actor: Actor,
    *,
    action: str | None = None,
    limit: int = 100,
    after: int = -1,
    newest_first: bool = False,
    before: int | None = None,
) -> list[AuditEntryView]:
    """Read the ledger, auditors only: in index order from `after` (what the API has always
    given), or with `newest_first` from the head down (from the entry before `before` if given),
    which is what an auditor opening the ledger comes to see. Entries about a case whose
    contents the reader may not read are redacted (`shown_to`), never left out, so the count
    and the indices are the same for every auditor."""
    _require_reader(actor)
    with uow.transaction() as session:
        if newest_first:
            query = select(AuditEntry).order_by(AuditEntry.index.desc())
            if before is not None:
                query = query.where(AuditEntry.index < before)
        else:
            query = select(AuditEntry).where(AuditEntry.index > after).order_by(AuditEntry.index)
        if action:
            query = query.where(AuditEntry.action == action)
        entries = [_view(row) for row in session.execute(query.limit(limit)).scalars()]
        return shown_to(uow, actor, entries)
