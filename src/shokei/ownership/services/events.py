"""Ownership use case: an ownership event (one holder's direct stake in one company set anew)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.companies.domain import RecordReportedOwnership
from shokei.errors import N_, BadInput, NotFound, Text
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import entities
from shokei.ownership.changes import parse_percent, set_stake
from shokei.ownership.domain import JAPAN, EntityKind
from shokei.ownership.models import (
    OwnershipEntity,
)
from shokei.ownership.names import normalize_company_name
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
    return _record_change(uow, actor, owner=owner, owned=owned, share=share, on=on, source=source)


def record_reported_interest(uow: UnitOfWork, report: RecordReportedOwnership) -> int:
    """An ownership change a company reported about itself (a changed-condition report),
    recorded as an ownership event whose source is the report; returns the event's id.

    The reporter's authority is the report's (the company's own users or officials, checked by
    `companies.conditions.report_change`), not the ownership registers' write permission. A
    holder not known yet is entered as a foreign company when its country is given."""
    with uow.transaction() as session:
        owner = _reported_owner(session, uow, report)
        view = _record_change(
            uow,
            report.actor,
            owner=owner,
            owned=report.owned,
            share=report.share,
            on=None,
            source=f"changed-condition report {report.report_id}",
        )
        return view.change_id


def _reported_owner(session: Session, uow: UnitOfWork, report: RecordReportedOwnership) -> str:
    """The reference of the holder the report names, entering a new foreign holder if need be."""
    if entities.find_entity(uow, report.owner) is not None or entities.corporate_number_in(report.owner):
        return report.owner
    country = report.owner_country
    if not country or country == JAPAN:
        raise NotFound(
            Text(
                N_("no entity %(owner)s: name a known holder, or give the country of a foreign one"),
                {"owner": repr(report.owner)},
            )
        )
    name = report.owner.strip()
    known = session.scalars(
        select(OwnershipEntity).where(
            OwnershipEntity.normalized_name == normalize_company_name(name),
            OwnershipEntity.country == country,
        )
    ).first()
    if known is None:
        known = OwnershipEntity(
            key=entities.new_key(),
            kind=EntityKind.FOREIGN_COMPANY.value,
            name=name,
            normalized_name=normalize_company_name(name),
            country=country,
            created_at=uow.clock.now(),
        )
        session.add(known)
        session.flush()
        uow.record_many(
            [
                _event(
                    uow,
                    report.actor,
                    "ownership:entity:create",
                    ("ownership_entity", known.id),
                    after={"name": name, "country": country, "kind": known.kind},
                    details={"source": f"changed-condition report {report.report_id}"},
                )
            ]
        )
    return known.key


def _record_change(
    uow: UnitOfWork,
    actor: Actor,
    *,
    owner: str,
    owned: str,
    share: str,
    on: date | None,
    source: str | None,
) -> InterestChangeView:
    percent = parse_percent(share)
    today = uow.clock.today()
    effective = on or today
    if effective > today:
        raise BadInput(
            Text(
                N_("%(effective)s is in the future: record an event once it has happened"),
                {"effective": effective},
            )
        )
    with uow.transaction() as session:
        holder = entities.entity_for_write(uow, owner, uow.clock.now())
        held = entities.entity_for_write(uow, owned, uow.clock.now())
        if holder.id == held.id:
            raise BadInput(Text(N_("an entity cannot hold shares in itself")))
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
            uow,
            loaded,
            actor,
            uow.clock.now(),
            f"ownership event {change.id}",
            change.id,
            (loaded.local(holder.id), loaded.local(held.id)),
            affected.companies,
        ).run(recomputed)
        view = change_view(uow, change, len(recomputed), raised=outcome.raised, resolved=outcome.resolved)
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
        uow.record_many([event, *outcome.events])
        outcome.publish(uow)
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
        raise BadInput(Text(N_("%(error)s (%(held)s)"), {"error": error, "held": held.name})) from None
    return affected, loaded.ids[recomputed].tolist()
