"""Leak incidents: open one from a found file, contain it, close it, read them (officials).

Opening traces the file (succession keeps it in the vault as evidence and audits the trace), then,
in one transaction, records the incident and suspends the holder the trace names (companies'
automatic suspension, cause `leak`): either both are in the ledger or neither is.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.clock import as_utc
from shokei.companies import access
from shokei.companies.domain import Access, SuspensionCause
from shokei.documents.services import Vault
from shokei.errors import N_, BadInput, Forbidden, NotFound, Text, from_stored, stored, stored_english
from shokei.incidents.domain import (
    DEFAULT_REPORTING_HOURS,
    TERMINAL,
    IncidentOpened,
    IncidentSettled,
    IncidentState,
    opening_state,
    reporting_deadline,
    seconds_left,
    transition,
)
from shokei.incidents.models import LeakIncident
from shokei.incidents.schemas import IncidentView
from shokei.kernel import Actor, Role, role_name
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession import services as succession
from shokei.succession.schemas import TraceView

MAX_TEXT = 4000


@dataclass(frozen=True, slots=True)
class FoundReport:
    """Where and when the file was found, and who reported it."""

    found_at: str
    found_on: date | None = None
    reporter: str | None = None
    # Also suspend every holder above the traced one (a subcontractor's copy: its successor).
    suspend_chain: bool = False


@dataclass(frozen=True, slots=True)
class TraceKeys:
    """What tracing needs from the installation: the copies vault (evidence) and the keys."""

    vault: Vault
    signing_key: Ed25519PrivateKey
    code_key: bytes | None


def _require_official(actor: Actor, doing: str) -> None:
    if not actor.is_official:
        raise Forbidden(
            Text(N_("%(role)s may not %(doing)s"), {"role": role_name(actor.role), "doing": Text(doing)})
        )


def may_read(actor: Actor) -> bool:
    """Who may trace found files and read leak incidents: officials and auditors (the pages ask
    this for their menu; every use case below enforces it)."""
    return actor.is_official or actor.role is Role.AUDITOR


def require_reader(actor: Actor) -> None:
    if not may_read(actor):
        raise Forbidden(Text(N_("%(role)s may not read leak incidents"), {"role": role_name(actor.role)}))


def _text(value: str, what: str) -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > MAX_TEXT:
        raise BadInput(
            Text(N_("%(what)s must be 1-%(max_text)s characters"), {"what": what, "max_text": MAX_TEXT})
        )
    return cleaned


def open_incident(
    uow: UnitOfWork,
    actor: Actor,
    path: Path,
    *,
    file_name: str,
    report: FoundReport,
    keys: TraceKeys,
    reporting_hours: int = DEFAULT_REPORTING_HOURS,
) -> IncidentView:
    """Open a leak incident from a found file (officials): trace it, keep it as evidence, and
    suspend the holder the trace names in the incident's own transaction."""
    _require_official(actor, N_("open a leak incident"))
    found_at = _text(report.found_at, "where the file was found")
    trace = succession.trace_found_file(
        uow, actor, path, file_name=file_name, vault=keys.vault, key=keys.signing_key, code_key=keys.code_key
    )
    assert trace.found_file_id is not None  # trace_found_file always keeps the file
    with uow.transaction() as session:
        now = uow.clock.now()
        row = LeakIncident(
            state=opening_state(trace.recipient is not None).value,
            found_at=found_at,
            found_on=report.found_on,
            reporter=report.reporter.strip() if report.reporter else None,
            found_file_id=trace.found_file_id,
            sha256=trace.sha256,
            copy_id=trace.copy_id,
            recipient=trace.recipient,
            method=trace.method,
            confidence=trace.confidence,
            trace=_kept(trace),
            holder_suspended=False,
            reporting_hours=reporting_hours,
            deadline_at=reporting_deadline(now, reporting_hours),
            opened_by_id=actor.user_id,
            opened_at=now,
            actions=[],
        )
        session.add(row)
        session.flush()
        row.holder_suspended = _suspend_holder(uow, actor, row.id, trace)
        chain = _suspend_chain(uow, actor, row.id, trace) if report.suspend_chain else []
        if chain:
            row.actions = [
                {"at": now.isoformat(), "by": actor.username, "action": "suspend-chain", "companies": chain}
            ]
        uow.record(
            "incident:incident:open",
            "leak_incident",
            row.id,
            actor,
            after={"state": row.state, "deadline_at": row.deadline_at.isoformat()},
            details={
                "sha256": trace.sha256,
                "found_file_id": trace.found_file_id,
                "copy_id": trace.copy_id,
                "recipient": trace.recipient,
                "method": trace.method,
                "confidence": trace.confidence,
                "found_at": found_at,
                "holder_suspended": row.holder_suspended,
                "chain_suspended": chain,
            },
        )
        uow.publish(IncidentOpened(row.id, row.deadline_at))
        return _view(row, uow)


def open_incident_from_evidence(
    uow: UnitOfWork,
    actor: Actor,
    found_file_id: int,
    *,
    report: FoundReport,
    keys: TraceKeys,
    scratch_dir: Path,
    reporting_hours: int = DEFAULT_REPORTING_HOURS,
) -> IncidentView:
    """Open an incident from a found file already traced and kept (the web page's second step):
    the kept file is traced again, so the incident records the answer as of its opening."""
    _require_official(actor, N_("open a leak incident"))
    scratch_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="incident-", dir=scratch_dir) as directory:
        path = Path(directory) / "found"
        name = succession.export_found_file(uow, actor, found_file_id, keys.vault, path)
        return open_incident(
            uow, actor, path, file_name=name, report=report, keys=keys, reporting_hours=reporting_hours
        )


def _suspend_holder(uow: UnitOfWork, actor: Actor, incident_id: int, trace: TraceView) -> bool:
    """Suspend the traced holder (automatic cause `leak`, in this transaction); True when it is
    suspended now, whether by this incident or already before."""
    if trace.recipient is None:
        return False
    company = access.suspend(
        uow,
        actor,
        trace.recipient,
        Text(
            N_("leak incident %(incident)s: a found file traced to copy %(copy)s"),
            {"incident": incident_id, "copy": trace.copy_id},
        ),
        SuspensionCause.LEAK,
        details={"incident": incident_id, "copy_id": trace.copy_id, "sha256": trace.sha256},
    )
    return company.access == Access.SUSPENDED.value


def _suspend_chain(uow: UnitOfWork, actor: Actor, incident_id: int, trace: TraceView) -> list[str]:
    """Suspend the holders above the traced one on its line of descent (the successor whose copy
    the subcontractor's was made from), in this transaction; their corporate numbers."""
    above = [
        link.corporate_number
        for link in trace.chain
        if link.role in {"successor", "subcontractor"}
        and link.corporate_number
        and link.corporate_number != trace.recipient
    ]
    for number in above:
        access.suspend(
            uow,
            actor,
            number,
            Text(
                N_("leak incident %(incident)s: above the holder of copy %(copy)s in its chain"),
                {"incident": incident_id, "copy": trace.copy_id},
            ),
            SuspensionCause.LEAK,
            details={
                "incident": incident_id,
                "copy_id": trace.copy_id,
                "sha256": trace.sha256,
                "chain": True,
            },
        )
    return above


def contain_incident(uow: UnitOfWork, actor: Actor, incident_id: int, action: str) -> IncidentView:
    """Record an action taken (recall, referral, notification) and mark the incident contained
    (officials)."""
    _require_official(actor, N_("contain a leak incident"))
    done = _text(action, "the action")
    with uow.transaction() as session:
        row = _incident(session, incident_id)
        before = row.state
        row.state = transition(IncidentState(row.state), IncidentState.CONTAINED).value
        row.actions = [
            *row.actions,
            {"at": uow.clock.now().isoformat(), "by": actor.username, "action": done},
        ]
        uow.record(
            "incident:state:contain",
            "leak_incident",
            row.id,
            actor,
            before={"state": before},
            after={"state": row.state},
            details={"action": done},
        )
        uow.publish(IncidentSettled(row.id, IncidentState(row.state)))
        return _view(row, uow)


def close_incident(
    uow: UnitOfWork, actor: Actor, incident_id: int, outcome: str, *, resolved: bool = True
) -> IncidentView:
    """Close the incident with its outcome (officials); `resolved=False` closes it unresolved."""
    _require_official(actor, N_("close a leak incident"))
    text = _text(outcome, "the outcome")
    target = IncidentState.CLOSED if resolved else IncidentState.UNRESOLVED
    with uow.transaction() as session:
        row = _incident(session, incident_id)
        before = row.state
        row.state = transition(IncidentState(row.state), target).value
        row.outcome, row.closed_at = text, uow.clock.now()
        uow.record(
            "incident:incident:close",
            "leak_incident",
            row.id,
            actor,
            before={"state": before},
            after={"state": row.state, "outcome": text},
        )
        uow.publish(IncidentSettled(row.id, IncidentState(row.state)))
        return _view(row, uow)


def get_incident(uow: UnitOfWork, actor: Actor, incident_id: int) -> IncidentView:
    """One incident (officials, auditors)."""
    require_reader(actor)
    with uow.transaction() as session:
        return _view(_incident(session, incident_id), uow)


def list_incidents(uow: UnitOfWork, actor: Actor, *, open_only: bool = False) -> list[IncidentView]:
    """Incidents, the nearest deadline first (officials, auditors)."""
    require_reader(actor)
    query = select(LeakIncident).order_by(LeakIncident.deadline_at, LeakIncident.id)
    if open_only:
        query = query.where(LeakIncident.state.not_in([state.value for state in TERMINAL]))
    with uow.transaction() as session:
        return [_view(row, uow) for row in session.execute(query).scalars()]


def _incident(session: Session, incident_id: int) -> LeakIncident:
    row = session.get(LeakIncident, incident_id)
    if row is None:
        raise NotFound(Text(N_("no leak incident %(incident_id)s"), {"incident_id": incident_id}))
    return row


def _kept(trace: TraceView) -> dict[str, Any]:
    """The trace as the incident keeps it: its JSON, with its notes as stored messages, so that
    each reader reads them in their language (errors.stored)."""
    kept = trace.model_dump(mode="json")
    if trace.notes_text is not None:
        kept["notes"] = [stored(note) for note in trace.notes_text]
    return kept


def _view(row: LeakIncident, uow: UnitOfWork) -> IncidentView:
    trace = row.trace or {}
    closed = IncidentState(row.state) in TERMINAL
    return IncidentView(
        id=row.id,
        state=row.state,
        copy_id=row.copy_id,
        recipient=row.recipient,
        chain=list(trace.get("chain", [])),
        deadline_at=as_utc(row.deadline_at),
        seconds_left=0 if closed else seconds_left(row.deadline_at, uow.clock.now()),
        holder_suspended=row.holder_suspended,
        found_at=row.found_at,
        found_on=row.found_on,
        reporter=row.reporter,
        method=row.method,
        confidence=row.confidence,
        sha256=row.sha256,
        found_file_id=row.found_file_id,
        candidates=list(trace.get("candidates", [])),
        notes=[stored_english(note) or "" for note in trace.get("notes", [])],
        notes_text=[from_stored(note) for note in trace.get("notes", [])],
        opened_at=as_utc(row.opened_at),
        actions=list(row.actions or []),
        closed_at=row.closed_at,
        outcome=row.outcome,
    )
