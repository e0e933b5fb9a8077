"""Stored rows and engine results turned into the views use cases return."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from shokei.companies import services as companies
from shokei.companies.schemas import CompanyView
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership.bods import BodsDocument, IndirectCheck, Relationship, indirect_checks
from shokei.ownership.engine import Chain
from shokei.ownership.models import (
    OwnershipAlert,
    OwnershipChange,
    OwnershipEntity,
    OwnershipMatchCandidate,
    OwnershipRecord,
)
from shokei.ownership.schemas import (
    AlertView,
    ChainStep,
    ChainView,
    DeclaredIndirectView,
    EntityRef,
    EntityView,
    InterestChangeView,
    MatchCandidateView,
    OwnerView,
)
from shokei.ownership.store import Closure, LoadedGraph, batches, entities_by_id, identifiers_of

_E = OwnershipEntity
_JCN = "JP-JCN-"


def company_views(uow: UnitOfWork, company_ids: Iterable[int]) -> dict[int, CompanyView]:
    """Registry views by id, asked for in batches (one IN list per batch keeps within the
    databases' parameter limits however many companies an event touches)."""
    found: dict[int, CompanyView] = {}
    for batch in batches(company_ids):
        found.update(companies.views_by_id(uow, batch))
    return found


def percent_text(value: Decimal | None) -> str | None:
    """A percentage as plain decimal text: 76.5 -> "76.5", 100 -> "100"."""
    if value is None:
        return None
    return format(value.normalize(), "f")


class Namer:
    """References and names for entities, loaded once per batch of ids (in the transaction of
    the unit of work it is given)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.session = uow.session
        self._refs: dict[int, EntityRef] = {}
        self._numbers: dict[int, str | None] = {}

    def load(self, entity_ids: Iterable[int]) -> None:
        """Fetch whatever of `entity_ids` is not known yet (plain rows: this runs per chain)."""
        wanted = {entity_id for entity_id in entity_ids if entity_id not in self._refs}
        if not wanted:
            return
        rows = [
            row
            for batch in batches(wanted)
            for row in self.session.execute(
                select(_E.id, _E.key, _E.name, _E.kind, _E.country, _E.company_id).where(_E.id.in_(batch))
            )
        ]
        identifiers = identifiers_of(self.session, wanted)
        numbers = self._corporate_numbers(rows, identifiers)
        for entity_id, key, name, kind, country, _ in rows:
            self._numbers[entity_id] = numbers.get(entity_id)
            first = identifiers.get(entity_id, [key])[0]
            self._refs[entity_id] = EntityRef(
                reference=numbers.get(entity_id) or first, name=name, kind=kind, country=country
            )

    def _corporate_numbers(self, rows: Sequence[Any], identifiers: dict[int, list[str]]) -> dict[int, str]:
        """Registry companies carry their number as a `JP-JCN-` identifier (see
        `entities.link_company`); the registry is asked only for one that does not."""
        found: dict[int, str] = {}
        unlabelled: dict[int, int] = {}
        for entity_id, _, _, _, _, company_id in rows:
            if company_id is None:
                continue
            label = next((text for text in identifiers.get(entity_id, []) if text.startswith(_JCN)), None)
            if label is not None:
                found[entity_id] = label.removeprefix(_JCN)
            else:
                unlabelled[entity_id] = company_id
        registry = company_views(self.uow, unlabelled.values())
        for entity_id, company_id in unlabelled.items():
            number = registry[company_id].corporate_number if company_id in registry else None
            if number:
                found[entity_id] = number
        return found

    def ref(self, entity_id: int) -> EntityRef:
        """The reference of one entity (loaded on demand)."""
        if entity_id not in self._refs:
            self.load([entity_id])
        return self._refs[entity_id]

    def corporate_number(self, entity_id: int) -> str | None:
        """The corporate number of the registry company an entity is, if it is one."""
        if entity_id not in self._refs:
            self.load([entity_id])
        return self._numbers[entity_id]

    def chain(self, loaded: LoadedGraph, chain: Chain) -> ChainView:
        """An engine chain (engine ids) with names and the stake held at each step."""
        ids = [loaded.entity(local) for local in chain.path]
        self.load(ids)
        steps = []
        for position, _ in enumerate(chain.path):
            holds = chain.stakes[position] if position < len(chain.stakes) else None
            ref = self.ref(ids[position])
            steps.append(
                ChainStep(
                    reference=ref.reference, name=ref.name, kind=ref.kind, country=ref.country, holds=holds
                )
            )
        return ChainView(share=chain.share, path=steps)


def entity_view(uow: UnitOfWork, entity: OwnershipEntity) -> EntityView:
    """One entity with its identifiers and the BODS records that describe it."""
    session = uow.session
    namer = Namer(uow)
    ref = namer.ref(entity.id)
    records = session.scalars(
        select(OwnershipRecord.record_id)
        .where(OwnershipRecord.entity_id == entity.id)
        .order_by(OwnershipRecord.record_id)
    )
    return EntityView(
        **ref.model_dump(),
        key=entity.key,
        corporate_number=namer.corporate_number(entity.id),
        identifiers=identifiers_of(session, [entity.id]).get(entity.id, []),
        record_ids=list(records),
    )


def chain_json(view: ChainView | None) -> dict[str, Any] | None:
    """A chain as stored with an alert."""
    return view.model_dump(mode="json") if view is not None else None


def alert_views(uow: UnitOfWork, alerts: Sequence[OwnershipAlert]) -> list[AlertView]:
    """Alerts with their company's corporate number and name."""
    session = uow.session
    registry = company_views(uow, {alert.company_id for alert in alerts})
    entities = entities_by_id(session, {alert.entity_id for alert in alerts})
    views = []
    for alert in alerts:
        company = registry.get(alert.company_id)
        views.append(
            AlertView(
                id=alert.id,
                corporate_number=company.corporate_number if company else None,
                company_name=company.name if company else entities[alert.entity_id].name,
                threshold=float(alert.threshold / 100),
                status=alert.status,
                foreign_control=alert.measures["foreign_control"],
                measures=alert.measures,
                chain=ChainView.model_validate(alert.chain) if alert.chain else None,
                cause=alert.cause,
                raised_at=alert.raised_at,
                resolved_at=alert.resolved_at,
                resolved_cause=alert.resolved_cause,
                resolved_measures=alert.resolved_measures,
                acknowledged_at=alert.acknowledged_at,
                acknowledged_by=alert.acknowledged_by,
                acknowledgement_note=alert.acknowledgement_note,
                closed_at=alert.closed_at,
                closed_by=alert.closed_by,
                close_reason=alert.close_reason,
            )
        )
    return views


def owner_views(loaded: LoadedGraph, local: int, namer: Namer, top: int) -> list[OwnerView]:
    """The `top` largest holders of an entity through all chains, with their direct stakes."""
    through = sorted(loaded.graph.integrated_ownership(local).items(), key=lambda item: -item[1])
    owners = []
    for holder, share in through[:top]:
        ref = namer.ref(loaded.entity(holder))
        owners.append(
            OwnerView(**ref.model_dump(), direct=loaded.graph.stake(holder, local), integrated=share)
        )
    return owners


def declared_views(closure: Closure, entity_id: int, namer: Namer) -> list[DeclaredIndirectView]:
    """Each indirect share declared in the entity, beside what its chain of stakes computes."""
    interests = closure.domain_interests()
    document = BodsDocument(
        parties={party.key: party for party in closure.parties()},
        relationships={str(n): Relationship(str(n), i.owned, i.owner, (i,)) for n, i in enumerate(interests)},
    )
    checks = [check for check in indirect_checks(document) if check.declared.owned == str(entity_id)]
    return [_declared_view(check, namer) for check in checks]


def _declared_view(check: IndirectCheck, namer: Namer) -> DeclaredIndirectView:
    share = check.declared.share
    declared = (
        {
            name: percent_text(value) or ""
            for name, value in (
                ("exact", share.exact),
                ("minimum", share.minimum),
                ("maximum", share.maximum),
                ("exclusive_minimum", share.exclusive_minimum),
                ("exclusive_maximum", share.exclusive_maximum),
            )
            if value is not None
        }
        if share
        else {}
    )
    return DeclaredIndirectView(
        owner=namer.ref(int(check.declared.owner)),
        declared=declared,
        computed=check.computed,
        missing_links=[
            (namer.ref(int(holder)).reference, namer.ref(int(held)).reference)
            for holder, held in check.missing_links
        ],
    )


def change_view(
    uow: UnitOfWork,
    change: OwnershipChange,
    recomputed: int,
    *,
    raised: Sequence[OwnershipAlert],
    resolved: Sequence[OwnershipAlert],
) -> InterestChangeView:
    """An ownership event as recorded, with the alerts it raised and resolved."""
    namer = Namer(uow)
    return InterestChangeView(
        change_id=change.id,
        owner=namer.ref(change.owner_id),
        owned=namer.ref(change.owned_id),
        before=percent_text(change.before),
        after=percent_text(change.after) or "0",
        effective_date=change.effective_date,
        recomputed=recomputed,
        alerts_raised=alert_views(uow, raised),
        alerts_resolved=alert_views(uow, resolved),
    )


def candidate_views(
    uow: UnitOfWork, candidates: Sequence[OwnershipMatchCandidate]
) -> list[MatchCandidateView]:
    """Name-match candidates with the entity and the registry company they pair."""
    if not candidates:
        return []
    uow.session.flush()
    namer = Namer(uow)
    registry = company_views(uow, {candidate.company_id for candidate in candidates})
    return [
        MatchCandidateView(
            id=candidate.id,
            entity=namer.ref(candidate.entity_id),
            corporate_number=registry[candidate.company_id].corporate_number,
            company_name=registry[candidate.company_id].name,
            score=round(candidate.score, 4),
            status=candidate.status,
        )
        for candidate in candidates
    ]
