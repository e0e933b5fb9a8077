"""Stored ownership rows to domain objects and engine graphs, and the way back.

The engine needs, for any entity, every holder above it: the set of ancestors is closed upwards,
so the measures computed on it are exact. `reach` walks the interests breadth-first in batches
of ids, one query per level and batch; `whole_graph` reads every stake in two queries for the
national recomputation.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import CTE, BigInteger, ColumnElement, Select, and_, or_, select, type_coerce
from sqlalchemy.orm import Session

from shokei.ownership.domain import (
    Directness,
    EntityKind,
    Interest,
    InterestType,
    Party,
    Share,
    is_foreign,
)
from shokei.ownership.engine import OwnershipGraph, graph_from_domain
from shokei.ownership.models import PERCENT_SCALE, OwnershipEntity, OwnershipIdentifier, OwnershipInterest

IdArray = npt.NDArray[np.int64]
# Ids per IN (...) list: far below SQLite's and PostgreSQL's parameter limits.
BATCH = 5000
# BODS share field names and the `Share` attributes they fill.
SHARE_FIELDS = {
    "exact": "exact",
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusiveMinimum": "exclusive_minimum",
    "exclusiveMaximum": "exclusive_maximum",
}


def batches(ids: Iterable[int], size: int = BATCH) -> Iterator[list[int]]:
    """`ids` in lists of at most `size`, sorted so that queries touch the index in order."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def active_on(day: date) -> ColumnElement[bool]:
    """Interests in force on `day`: started on or before it and not yet ended."""
    row = OwnershipInterest
    return and_(
        or_(row.start_date.is_(None), row.start_date <= day), or_(row.end_date.is_(None), row.end_date > day)
    )


def walk(seeds: Select[int], day: date, *, upward: bool, stakes_only: bool, name: str) -> CTE:
    """A recursive query: the ids `seeds` selects and every entity above them (`upward`) or
    below them through interests in force on `day`. UNION (not UNION ALL) stops at cycles.

    With `stakes_only` only shareholdings the engine counts are followed; otherwise every
    interest in force, declared indirect ones included. The database walks the graph itself:
    no ids travel back and forth per level.
    """
    row = OwnershipInterest
    start, follow = (row.owned_id, row.owner_id) if upward else (row.owner_id, row.owned_id)
    condition = and_(active_on(day), row.stake.is_not(None)) if stakes_only else active_on(day)
    walked = seeds.cte(name, recursive=True)
    return walked.union(select(follow).join(walked, start == walked.c.id).where(condition))


def seeded(entity_ids: Iterable[int]) -> Select[int]:
    """A query selecting the given entity ids (for `walk`; keep it within one batch)."""
    return select(OwnershipEntity.id.label("id")).where(OwnershipEntity.id.in_(list(entity_ids)))


def reach(session: Session, seeds: Iterable[int], day: date, *, upward: bool, stakes_only: bool) -> set[int]:
    """`seeds` and every entity above them (`upward`) or below them (see `walk`)."""
    reached: set[int] = set()
    for batch in batches(seeds):
        walked = walk(seeded(batch), day, upward=upward, stakes_only=stakes_only, name="reached")
        reached.update(session.scalars(select(walked.c.id)))
    return reached


# -- shares ------------------------------------------------------------------------------------


def share_json(share: Share | None) -> dict[str, str] | None:
    """A share as stored: every bound given, as exact decimal text."""
    if share is None:
        return None
    return {
        field: str(getattr(share, name))
        for field, name in SHARE_FIELDS.items()
        if getattr(share, name) is not None
    }


def share_from_json(value: Mapping[str, str] | None) -> Share | None:
    """The share a stored JSON object describes."""
    if value is None:
        return None
    return Share(**{SHARE_FIELDS[field]: Decimal(text) for field, text in value.items()})


def stake_of(interest: Interest) -> Decimal | None:
    """The percentage the engine computes with, or None when the interest is not a stake."""
    if not interest.counts_as_stake or interest.share is None:
        return None
    return interest.share.lower


# -- rows to domain objects --------------------------------------------------------------------


def party_of(entity: OwnershipEntity, identifiers: Sequence[str] = ()) -> Party:
    """The entity as a domain party keyed by its database id (as text)."""
    return Party(str(entity.id), EntityKind(entity.kind), entity.name, entity.country, tuple(identifiers))


def interest_of(row: OwnershipInterest, owner: str | None = None, owned: str | None = None) -> Interest:
    """A stored interest as a domain interest; parties keyed by id unless named."""
    return Interest(
        owner=owner if owner is not None else str(row.owner_id),
        owned=owned if owned is not None else str(row.owned_id),
        share=share_from_json(row.share),
        voting=share_from_json(row.voting),
        appoints_board=row.appoints_board,
        directness=Directness(row.directness),
        start_date=row.start_date,
        end_date=row.end_date,
        source=row.source,
        interest_type=InterestType(row.interest_type) if row.interest_type else None,
        beneficial=row.beneficial,
        details=row.details,
    )


def identifiers_of(session: Session, entity_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each entity's `SCHEME-ID` identifiers in published order."""
    found: dict[int, list[str]] = {}
    for batch in batches(entity_ids):
        rows = session.execute(
            select(OwnershipIdentifier.entity_id, OwnershipIdentifier.identifier)
            .where(OwnershipIdentifier.entity_id.in_(batch))
            .order_by(OwnershipIdentifier.entity_id, OwnershipIdentifier.position)
        )
        for entity_id, identifier in rows:
            found.setdefault(entity_id, []).append(identifier)
    return found


def entities_by_id(session: Session, entity_ids: Iterable[int]) -> dict[int, OwnershipEntity]:
    """The entity rows for `entity_ids`."""
    found: dict[int, OwnershipEntity] = {}
    for batch in batches(entity_ids):
        for entity in session.scalars(select(OwnershipEntity).where(OwnershipEntity.id.in_(batch))):
            found[entity.id] = entity
    return found


# -- graphs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedGraph:
    """An engine graph over stored entities: engine id `n` is entity `ids[n]` (ascending)."""

    graph: OwnershipGraph
    ids: IdArray

    def local(self, entity_id: int) -> int:
        """The engine id of a stored entity."""
        position = int(np.searchsorted(self.ids, entity_id))
        if position >= self.ids.size or int(self.ids[position]) != entity_id:
            raise KeyError(f"entity {entity_id} is not in the loaded graph")
        return position

    def entity(self, local: int) -> int:
        """The stored id of an engine id."""
        return int(self.ids[local])


@dataclass(frozen=True)
class Closure:
    """Entities closed upwards and the interests in force among them on `day`."""

    day: date
    entities: dict[int, OwnershipEntity]
    interests: list[OwnershipInterest]

    def parties(self) -> list[Party]:
        """Domain parties in ascending id order (the engine's order)."""
        return [party_of(self.entities[entity_id]) for entity_id in sorted(self.entities)]

    def domain_interests(self) -> list[Interest]:
        """The interests as domain objects. Being in force on `day` was decided by the query,
        so end dates are dropped: domain checks read "ended" as "not active"."""
        return [replace(interest_of(row), end_date=None) for row in self.interests]

    def graph(self) -> LoadedGraph:
        """The engine graph of the stakes among these entities.

        Raises ValueError when stored stakes are inconsistent (owners over 100 %, a closed loop).
        """
        stakes = [interest for interest in self.domain_interests() if interest.counts_as_stake]
        graph, keys = graph_from_domain(self.parties(), stakes)
        return LoadedGraph(graph, np.array([int(key) for key in keys], dtype=np.int64))


def load_closure(session: Session, entity_ids: Iterable[int], day: date) -> Closure:
    """The entities `entity_ids` (closed upwards) and every interest in force among them."""
    entities = entities_by_id(session, entity_ids)
    interests: list[OwnershipInterest] = []
    for batch in batches(entities):
        interests.extend(
            session.scalars(
                select(OwnershipInterest)
                .where(OwnershipInterest.owned_id.in_(batch), active_on(day))
                .order_by(OwnershipInterest.id)
            )
        )
    inside = [row for row in interests if row.owner_id in entities]
    return Closure(day, entities, inside)


def whole_graph(session: Session, day: date) -> LoadedGraph:
    """Every entity and every stake in force on `day`, read in bulk (national recomputation)."""
    entity, row = OwnershipEntity, OwnershipInterest
    entities = session.execute(select(entity.id, entity.kind, entity.country).order_by(entity.id)).all()
    stakes = session.execute(
        select(row.owner_id, row.owned_id, type_coerce(row.stake, BigInteger)).where(
            row.stake.is_not(None), active_on(day)
        )
    ).all()
    return _graph_of_rows(entities, stakes)


def affected_graph(
    session: Session, seeds: Iterable[int], day: date, *, also_above: Iterable[int] = ()
) -> tuple[LoadedGraph, set[int]]:
    """What a change at `seeds` can move, and the graph to recompute it on.

    Returns the engine graph of the entities below `seeds` (seeds included), every holder above
    them and above `also_above` (a new holder, whose own holders then count too), with the
    stakes among them; and the ids below the seeds. Two queries, the walks done by the
    database: one reads each entity of the closure with its incoming stakes, one the ids below.
    Raises ValueError when the stakes are inconsistent.
    """
    below = walk(seeded(seeds), day, upward=False, stakes_only=True, name="below")
    starts = select(below.c.id)
    if also_above:  # a recursive query grows from one plain select: the union goes in its own
        starts = select(starts.union(seeded(also_above)).cte("starts").c.id)
    above = walk(starts, day, upward=True, stakes_only=True, name="above")
    entity, row = OwnershipEntity, OwnershipInterest
    held = and_(row.owned_id == entity.id, row.stake.is_not(None), active_on(day))
    rows = session.execute(
        select(entity.id, entity.kind, entity.country, row.owner_id, type_coerce(row.stake, BigInteger))
        .join(above, above.c.id == entity.id)
        .outerjoin(row, held)
        .order_by(entity.id)
    ).all()
    entities = list({item[0]: item[:3] for item in rows}.values())  # ascending, once each
    stakes = [(owner, owned, stake) for owned, _, _, owner, stake in rows if owner is not None]
    return _graph_of_rows(entities, stakes), set(session.scalars(select(below.c.id)))


def _graph_of_rows(entities: Sequence[Any], stakes: Sequence[Any]) -> LoadedGraph:
    """Rows (id, kind, country) ascending by id and (owner, owned, stake in millionths of a
    percent) as an engine graph. Raises ValueError when the stakes are inconsistent."""
    ids = np.fromiter((item[0] for item in entities), dtype=np.int64, count=len(entities))
    foreign, country = _foreign_flags(entities)
    flat = np.fromiter(itertools.chain.from_iterable(stakes), dtype=np.int64, count=3 * len(stakes))
    table = flat.reshape(-1, 3)
    fraction = table[:, 2].astype(np.float64) / (float(PERCENT_SCALE) * 100.0)
    graph = OwnershipGraph(
        np.searchsorted(ids, table[:, 0]),
        np.searchsorted(ids, table[:, 1]),
        fraction,
        foreign=foreign,
        country=country,
    )
    return LoadedGraph(graph, ids)


def _foreign_flags(rows: Sequence[Any]) -> tuple[npt.NDArray[np.bool_], list[str]]:
    # The rule lives in domain.is_foreign; it is asked once per distinct (kind, country).
    verdicts: dict[tuple[str, str | None], bool] = {}
    foreign = np.zeros(len(rows), dtype=np.bool_)
    for position, (_, kind, country) in enumerate(rows):
        key = (kind, country)
        if key not in verdicts:
            verdicts[key] = is_foreign(EntityKind(kind), country)
        foreign[position] = verdicts[key]
    return foreign, [country or "" for _, _, country in rows]
