"""What the risk watchlist needs of ownership: every registry company's foreign exposure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership.domain import THRESHOLD_TOLERANCE, EntityKind, foreign_control, is_foreign
from shokei.ownership.engine import Chain, ForeignMeasures
from shokei.ownership.models import OwnershipChange, OwnershipEntity
from shokei.ownership.presenters import Namer, percent_text
from shokei.ownership.schemas import AcquisitionView, CompanyForeignExposure
from shokei.ownership.services.alerts import watched_companies
from shokei.ownership.store import BATCH, LoadedGraph, batches


def company_exposures(
    uow: UnitOfWork,
    loaded: LoadedGraph,
    *,
    acquisitions_since: date,
    chains_from: float,
    watched: Mapping[int, int] | None = None,
) -> dict[int, CompanyForeignExposure]:
    """Each watched company's measures from `loaded`, main chain and acquisitions.

    `watched` (entity id -> registry company id) limits it to some companies; `loaded` must
    then hold them, everything above them and the holders of their recent changes. By default
    every watched company, from the whole graph.
    """
    session = uow.session
    if watched is None:
        watched = {entity: company for entity, company in session.execute(watched_companies()) if company}
    figures = {entity: loaded.graph.measures(loaded.local(entity)) for entity in watched}
    chains = _main_chains(loaded, figures, chains_from)
    namer = Namer(uow)
    namer.load(loaded.entity(local) for chain in chains.values() for local in chain.path)
    acquisitions = foreign_acquisitions(session, loaded, set(watched), acquisitions_since, namer)
    return {
        company: CompanyForeignExposure(
            company_id=company,
            direct_foreign=figures[entity].direct,
            integrated_foreign=figures[entity].integrated,
            attributed_foreign=figures[entity].controlled_share,
            foreign_control=foreign_control(figures[entity].integrated, figures[entity].controlled_share),
            chain=namer.chain(loaded, chains[entity]) if entity in chains else None,
            acquisitions=acquisitions.get(entity, []),
        )
        for entity, company in watched.items()
    }


def _main_chains(
    loaded: LoadedGraph, figures: dict[int, ForeignMeasures], chains_from: float
) -> dict[int, Chain]:
    least = max(chains_from - THRESHOLD_TOLERANCE, 0.0)
    found: dict[int, Chain] = {}
    for entity, measures in figures.items():
        control = foreign_control(measures.integrated, measures.controlled_share)
        if control > 0 and control >= least:
            chains = loaded.graph.chains(loaded.local(entity), top=1)
            if chains:
                found[entity] = chains[0]
    return found


def acquisition_holders(session: Session, entity_id: int, since: date) -> set[int]:
    """Who raised a stake in `entity_id` since `since` (whether foreign or not is for the graph
    to say): the holders a single company's graph must also reach."""
    change = OwnershipChange
    return set(
        session.scalars(
            select(change.owner_id).where(
                change.owned_id == entity_id, change.effective_date >= since, change.after > 0
            )
        )
    )


def foreign_acquisitions(
    session: Session, loaded: LoadedGraph, watched: set[int], since: date, namer: Namer
) -> dict[int, list[AcquisitionView]]:
    """Rises of a foreign or foreign-controlled holder's stake in a watched entity since `since`,
    by the entity held."""
    query = (
        select(OwnershipChange)
        .where(OwnershipChange.effective_date >= since)
        .order_by(OwnershipChange.effective_date, OwnershipChange.id)
    )
    if len(watched) <= BATCH:  # a few companies: only their changes
        query = query.where(OwnershipChange.owned_id.in_(sorted(watched)))
    changes = session.scalars(query)
    rises = [
        change
        for change in changes
        if change.owned_id in watched and change.after > (change.before or Decimal(0))
    ]
    owners = {
        entity.id: entity
        for batch in batches({c.owner_id for c in rises})
        for entity in session.scalars(select(OwnershipEntity).where(OwnershipEntity.id.in_(batch)))
    }
    found: dict[int, list[AcquisitionView]] = {}
    for change in rises:
        owner = owners[change.owner_id]
        if is_foreign(EntityKind(owner.kind), owner.country) or bool(
            loaded.graph.foreign_controlled[loaded.local(owner.id)]
        ):
            found.setdefault(change.owned_id, []).append(
                AcquisitionView(
                    owner=namer.ref(owner.id),
                    before=percent_text(change.before),
                    after=percent_text(change.after) or "0",
                    effective_date=change.effective_date,
                )
            )
    return found
