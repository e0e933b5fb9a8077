"""Ownership use cases: the foreign control of one entity, and every registry company's foreign
exposure for the risk watchlist (or one company's)."""

from __future__ import annotations

from datetime import date

from shokei.companies import services as companies
from shokei.errors import N_, NotFound, Text
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import entities
from shokei.ownership.domain import (
    EntityKind,
    foreign_control,
)
from shokei.ownership.presenters import (
    Namer,
    declared_views,
    entity_view,
    owner_views,
)
from shokei.ownership.schemas import (
    CompanyForeignExposure,
    ControlView,
    EntityView,
)
from shokei.ownership.services.exposure import acquisition_holders, company_exposures
from shokei.ownership.services.support import _computed, _require
from shokei.ownership.store import (
    graph_above,
    load_closure,
    reach,
    whole_graph,
)

TOP_CHAINS = 5
TOP_OWNERS = 10


def foreign_control_of(
    uow: UnitOfWork, actor: Actor, reference: str, *, on: date | None = None
) -> ControlView:
    """The three foreign-control measures of one entity, by country, with the chains behind them
    and any declared indirect share beside what the data computes. Officials and auditors."""
    _require(actor, Permission.OWNERSHIP_READ)
    day = on or uow.clock.today()
    with uow.transaction() as session:
        entity = entities.find_entity(uow, reference)
        if entity is None:
            return _unrecorded_view(uow, reference, day)
        closure = load_closure(session, reach(session, {entity.id}, day, upward=True, stakes_only=False), day)
        loaded = _computed(closure.graph)
        local = loaded.local(entity.id)
        figures = loaded.graph.measures(local)
        namer = Namer(uow)
        return ControlView(
            entity=entity_view(uow, entity),
            as_of=day,
            direct_foreign=figures.direct,
            integrated_foreign=figures.integrated,
            attributed_foreign=figures.controlled_share,
            foreign_controlled=figures.foreign_controlled,
            foreign_control=foreign_control(figures.integrated, figures.controlled_share),
            by_country=dict(sorted(loaded.graph.foreign_share_by_country(local).items())),
            chains=[namer.chain(loaded, chain) for chain in loaded.graph.chains(local, top=TOP_CHAINS)],
            owners=owner_views(loaded, local, namer, TOP_OWNERS),
            declared_indirect=declared_views(closure, entity.id, namer),
        )


def _unrecorded_view(uow: UnitOfWork, reference: str, day: date) -> ControlView:
    """A registry company nobody has recorded holders of: nothing is known to be foreign-held."""
    number = entities.corporate_number_in(reference)
    company = entities.registry_company(uow, number) if number else None
    if company is None:
        raise NotFound(Text(N_("no entity %(reference)s"), {"reference": repr(reference)}))
    view = EntityView(
        reference=number or reference,
        name=company.name,
        kind=EntityKind.REGISTERED_COMPANY.value,
        country=company.country,
        key="",
        corporate_number=company.corporate_number,
        identifiers=[],
        record_ids=[],
    )
    return ControlView(
        entity=view,
        as_of=day,
        direct_foreign=0.0,
        integrated_foreign=0.0,
        attributed_foreign=0.0,
        foreign_controlled=False,
        foreign_control=0.0,
        by_country={},
        chains=[],
        owners=[],
        declared_indirect=[],
    )


def foreign_exposure(
    uow: UnitOfWork, actor: Actor, *, acquisitions_since: date, chains_from: float = 0.0
) -> dict[int, CompanyForeignExposure]:
    """Every Japanese registry company's foreign-control figures, its main foreign chain, and the
    rises of foreign or foreign-controlled holders' stakes since `acquisitions_since`, by company
    id, computed over the whole national graph at once. The chain is looked for only where
    foreign control reaches `chains_from` (a fraction; 0: wherever there is any). Officials and
    auditors."""
    _require(actor, Permission.OWNERSHIP_READ)
    with uow.transaction() as session:
        loaded = _computed(lambda: whole_graph(session, uow.clock.today()))
        return company_exposures(uow, loaded, acquisitions_since=acquisitions_since, chains_from=chains_from)


def company_foreign_exposure(
    uow: UnitOfWork,
    actor: Actor,
    corporate_number: str,
    *,
    acquisitions_since: date,
    chains_from: float = 0.0,
) -> CompanyForeignExposure | None:
    """One Japanese registry company's figures, main foreign chain and recent foreign
    acquisitions, as `foreign_exposure` gives them, computed over the company and what lies
    above it only (and the holders of its recent changes). None when nobody recorded any
    holding of it. Officials and auditors."""
    _require(actor, Permission.OWNERSHIP_READ)
    return exposure_for_invariants(
        uow, corporate_number, acquisitions_since=acquisitions_since, chains_from=chains_from
    )


def exposure_for_invariants(
    uow: UnitOfWork, corporate_number: str, *, acquisitions_since: date, chains_from: float = 0.0
) -> CompanyForeignExposure | None:
    """`company_foreign_exposure` without an actor, for the invariants another feature keeps in
    the transaction of a change (succession re-checks a holder's eligibility after an ownership
    event): nothing it returns is shown to whoever caused the change."""
    today = uow.clock.today()
    with uow.transaction() as session:
        company_id = companies.company_id_for(uow, corporate_number)
        entity = entities.entity_of_company(session, company_id)
        if entity is None or entity.kind != EntityKind.REGISTERED_COMPANY.value:
            return None
        starts = {entity.id} | acquisition_holders(session, entity.id, acquisitions_since)
        loaded = _computed(lambda: graph_above(session, starts, today))
        found = company_exposures(
            uow,
            loaded,
            acquisitions_since=acquisitions_since,
            chains_from=chains_from,
            watched={entity.id: company_id},
        )
        return found.get(company_id)
