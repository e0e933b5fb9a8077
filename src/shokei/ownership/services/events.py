"""Ownership use case: an ownership event (one holder's direct stake in one company set anew)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from shokei.audit import services as audit
from shokei.errors import BadInput
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import entities
from shokei.ownership.changes import parse_percent, set_stake
from shokei.ownership.models import (
    OwnershipEntity,
)
from shokei.ownership.presenters import (
    change_view,
)
from shokei.ownership.schemas import (
    InterestChangeView,
)
from shokei.ownership.services.alerts import (
    Evaluation,
)
from shokei.ownership.services.support import _computed, _event, _require
from shokei.ownership.store import (
    Affected,
    affected_closure,
)


def record_interest_change(
    uow: UnitOfWork,
    actor: Actor,
    *,
    owner: str,
    owned: str,
    share: str,
    on: date | None = None,
    source: str | None = None,
) -> InterestChangeView:
    """Record that `owner` now holds `share` % of `owned` directly (0: sold out) as of `on`.

    Only `owned`, what it holds and their holders are recomputed, through the engine's
    incremental path; an alert is raised for every registry company that reaches a threshold
    and resolved for every one that falls below. Intake officers, program managers and admins.
    """
    _require(actor, Permission.OWNERSHIP_WRITE)
    percent = parse_percent(share)
    today = uow.clock.today()
    effective = on or today
    if effective > today:
        raise BadInput(f"{effective} is in the future: record an event once it has happened")
    with uow.transaction() as session:
        holder = entities.entity_for_write(session, owner, uow.clock.now())
        held = entities.entity_for_write(session, owned, uow.clock.now())
        if holder.id == held.id:
            raise BadInput("an entity cannot hold shares in itself")
        affected, recomputed = _apply_to_graph(session, holder, held, percent, today)
        loaded = affected.loaded
        change = set_stake(
            session,
            holder,
            held,
            percent,
            effective=effective,
            today=today,
            source=source,
            now=uow.clock.now(),
            recorded_by=actor.username,
        )
        outcome = Evaluation(
            session,
            loaded,
            actor,
            uow.clock.now(),
            f"ownership event {change.id}",
            change.id,
            (loaded.local(holder.id), loaded.local(held.id)),
            affected.companies,
        ).run(recomputed)
        view = change_view(session, change, len(recomputed), raised=outcome.raised, resolved=outcome.resolved)
        event = _event(
            uow,
            actor,
            "ownership:interest:change",
            ("ownership_entity", held.id),
            before={"share": view.before},
            after={"share": view.after},
            details={
                "change": change.id,
                "owner": view.owner.reference,
                "owned": view.owned.reference,
                "effective": effective.isoformat(),
                "source": source,
            },
        )
        audit.record_many(session, [event, *outcome.events])
        return view


def _apply_to_graph(
    session: Session, holder: OwnershipEntity, held: OwnershipEntity, percent: Decimal, today: date
) -> tuple[Affected, list[int]]:
    """The graph of everything the change can move, with the change applied incrementally."""
    affected = _computed(
        lambda: affected_closure(session, [held.id], today, also_above=[holder.id], changing=True)
    )
    loaded = affected.loaded
    try:
        recomputed = loaded.graph.apply_interest_change(
            loaded.local(holder.id), loaded.local(held.id), float(percent / 100)
        )
    except ValueError as error:
        raise BadInput(f"{error} ({held.name})") from None
    return affected, loaded.ids[recomputed].tolist()
