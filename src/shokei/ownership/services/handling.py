"""An official's handling of a foreign-control alert, apart from the fact it records (open while
the company is at or above the threshold, resolved when it drops below): acknowledged with a
note, closed with a reason. Both are kept on the alert and in the ledger."""

from __future__ import annotations

from shokei.errors import N_, BadInput, Conflict, NotFound, Text
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership.models import OwnershipAlert
from shokei.ownership.presenters import alert_views
from shokei.ownership.schemas import AlertView
from shokei.ownership.services.alerts import with_holdings
from shokei.ownership.services.support import _require


def _alert(uow: UnitOfWork, alert_id: int) -> OwnershipAlert:
    alert = uow.session.get(OwnershipAlert, alert_id)
    if alert is None:
        raise NotFound(Text(N_("no alert %(alert_id)s"), {"alert_id": alert_id}))
    if alert.closed_at is not None:
        raise Conflict(
            Text(
                N_("alert %(alert_id)s is closed: %(close_reason)s"),
                {"alert_id": alert_id, "close_reason": alert.close_reason},
            )
        )
    return alert


def acknowledge_alert(uow: UnitOfWork, actor: Actor, alert_id: int, *, note: str) -> AlertView:
    """Acknowledge an alert with a note (officials who may write the ownership graph: intake
    officers, program managers). Acknowledging again replaces the note; a closed alert is refused."""
    _require(actor, Permission.OWNERSHIP_WRITE)
    if not note.strip():
        raise BadInput(Text(N_("an acknowledgement carries a note")))
    with uow.transaction() as session:
        alert = _alert(uow, alert_id)
        alert.acknowledged_at, alert.acknowledged_by = uow.clock.now(), actor.username
        alert.acknowledgement_note = note.strip()
        session.flush()
        uow.record(
            "ownership:alert:acknowledge",
            "ownership_alert",
            alert.id,
            actor,
            details={"note": alert.acknowledgement_note, "company_id": alert.company_id},
        )
        return with_holdings(uow, alert_views(uow, [alert]))[0]


def close_alert(uow: UnitOfWork, actor: Actor, alert_id: int, *, reason: str) -> AlertView:
    """Close an alert with a reason: its handling is over (the fact stays: an open alert whose
    company is still above the threshold is not raised again). Same officials; closed once."""
    _require(actor, Permission.OWNERSHIP_WRITE)
    if not reason.strip():
        raise BadInput(Text(N_("closing an alert names its reason")))
    with uow.transaction() as session:
        alert = _alert(uow, alert_id)
        alert.closed_at, alert.closed_by, alert.close_reason = uow.clock.now(), actor.username, reason.strip()
        session.flush()
        uow.record(
            "ownership:alert:close",
            "ownership_alert",
            alert.id,
            actor,
            details={"reason": alert.close_reason, "company_id": alert.company_id},
        )
        return with_holdings(uow, alert_views(uow, [alert]))[0]
