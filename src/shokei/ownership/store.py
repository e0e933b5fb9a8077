"""Stored ownership rows to domain objects and engine graphs, and the way back.

The engine needs, for any entity, every holder above it: the set of ancestors is closed upwards,
so the measures computed on it are exact. `reach` walks the interests with a recursive query
(control queries, declared indirect interests included); `walk_down` and `walk_up` walk the
stakes in force level by level straight on the driver's cursor, through covering indexes
(ownership events, one company's exposure: `affected_closure`, `graph_above`); `whole_graph`
reads every stake in two queries for the national recomputation.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    ARRAY,
    CTE,
    BigInteger,
    ColumnElement,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

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
StakeRow = tuple[int, int, int]  # owner id, owned id, stake in millionths of a percent
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


def ids_in(
    session: Session, column: ColumnElement[int] | InstrumentedAttribute[int], ids: Collection[int]
) -> ColumnElement[bool]:
    """`column IN ids` with every id in one bound parameter: an array on PostgreSQL
    (`= ANY(...)`, the array literal written in C and read behind a sub-select, as `_Walk`
    does), a JSON array read by `json_each` on SQLite. No parameter limit to batch around, and
    one cached statement whatever the number of ids."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        literal = "{" + repr(list(ids))[1:-1] + "}"
        listed = cast(bindparam(None, literal, type_=Text), ARRAY(BigInteger))
        return column == any_(func.array(select(func.unnest(listed)).scalar_subquery()))
    values = sorted(ids)
    if dialect == "sqlite":
        table = func.json_each(json.dumps(values)).table_valued("value")
        return column.in_(select(table.c.value))
    return column.in_(values)


_IN_FORCE = {  # as `active_on`, for stakes, in each driver's parameter style
    "postgresql": "stake IS NOT NULL AND (start_date IS NULL OR start_date <= %(day)s)"
    " AND (end_date IS NULL OR end_date > %(day)s)",
    "sqlite": "stake IS NOT NULL AND (start_date IS NULL OR start_date <= :day)"
    " AND (end_date IS NULL OR end_date > :day)",
}
_LISTED = {  # a bound list of ids as a set SQL can test membership in
    # PostgreSQL: the array behind a sub-select, so that the planner neither estimates the
    # selectivity of each of tens of thousands of ids (40-100 ms of planning per level of a
    # national event, measured) nor turns a long list into a sequential scan: the covering
    # indexes answer every level.
    "postgresql": "= ANY(ARRAY(SELECT unnest(CAST(%(ids)s AS BIGINT[]))))",
    "sqlite": "IN (SELECT value FROM json_each(:ids))",
}


class _Walk:
    """One level of a walk over the stakes in force, straight on the driver's cursor (in the
    session's transaction): the ids go in one bound parameter, the statement is read through the
    covering indexes, and the rows come back as plain tuples, hundreds of thousands of them
    for a national event."""

    def __init__(self, session: Session, day: date) -> None:
        connection = session.connection()
        self.dialect = connection.dialect.name
        if self.dialect not in _LISTED:
            raise NotImplementedError(f"walking ownership on {self.dialect}")
        self.driver = connection.connection  # the DBAPI connection, in the session's transaction
        # SQLite keeps dates as ISO text (as SQLAlchemy's Date writes them).
        self.day: date | str = day if self.dialect == "postgresql" else day.isoformat()

    def rows(self, select_list: str, column: str, ids: Collection[int]) -> list[Any]:
        """`select_list` of the stakes in force whose `column` is one of `ids`."""
        return self._fetch(
            f"SELECT {select_list} FROM ownership_interests "  # noqa: S608 - our own column names
            f"WHERE {column} {_LISTED[self.dialect]} AND {_IN_FORCE[self.dialect]}",
            ids,
            day=self.day,
        )

    def entities(self, ids: Collection[int]) -> list[Any]:
        """(id, kind, country, company_id) of the entities `ids`, ascending by id."""
        return self._fetch(
            "SELECT id, kind, country, company_id FROM ownership_entities "  # noqa: S608 - as above
            f"WHERE id {_LISTED[self.dialect]} ORDER BY id",
            ids,
        )

    def _fetch(self, statement: str, ids: Collection[int], **parameters: Any) -> list[Any]:
        cursor = self.driver.cursor()
        try:
            # The ids as one text parameter: a PostgreSQL array literal (cast by the statement)
            # or a JSON array, written in C by the list's repr ("[1, 2]"); psycopg's list dumper,
            # element by element, was a third of a national event's time, and sorting the ids and
            # joining their strings another tenth. Unsorted: both databases order the probes.
            listed = repr(list(ids))
            values = "{" + listed[1:-1] + "}" if self.dialect == "postgresql" else listed
            cursor.execute(statement, {"ids": values, **parameters})
            return list(cursor.fetchall())
        finally:
            cursor.close()


def walk_down(session: Session, seeds: Iterable[int], day: date) -> set[int]:
    """`seeds` and every entity they hold through stakes in force on `day`, level by level
    (one query per level, answered from the covering index on holders)."""
    walk = _Walk(session, day)
    reached = set(seeds)
    frontier = set(reached)
    while frontier:
        found = {owned for (owned,) in walk.rows("owned_id", "owner_id", frontier)}
        frontier = found - reached
        reached |= frontier
    return reached


def walk_up(session: Session, starts: Iterable[int], day: date) -> tuple[set[int], list[StakeRow]]:
    """`starts` and every holder above them through stakes in force on `day`, with those stakes
    as (owner, owned, stake in millionths of a percent): every stake held in any of the entities
    reached, so the set is closed upwards and the stakes are all the engine needs. One query per
    level, answered from the covering index on held companies."""
    walk = _Walk(session, day)
    reached = set(starts)
    frontier = set(reached)
    stakes: list[StakeRow] = []
    while frontier:
        level = walk.rows("owner_id, owned_id, stake", "owned_id", frontier)
        stakes.extend(level)
        frontier = {row[0] for row in level} - reached
        reached |= frontier
    return reached, stakes


@dataclass(frozen=True)
class Affected:
    """What a change at some entities can move: the graph of them, everything below them and all
    their holders (`loaded`), the ids below the changed entities (`below`, themselves included),
    and the registry company of each Japanese registry company among `below` (`companies`)."""

    loaded: LoadedGraph
    below: set[int]
    companies: dict[int, int]


def affected_closure(
    session: Session,
    seeds: Iterable[int],
    day: date,
    *,
    also_above: Iterable[int] = (),
    changing: bool = False,
) -> Affected:
    """What a change at `seeds` can move, and the graph to recompute it on.

    The graph spans the entities below `seeds` (seeds included), every holder above them and
    above `also_above` (a new holder, whose own holders then count too), with the stakes among
    them. Read with plain rows, level by level: the ids below, the stakes above them, then each
    entity's kind, country and registry company. Raises ValueError when the stakes are
    inconsistent.

    The measures are computed for every entity, except with `changing` (the caller changes one
    stake of the single seed next, through `apply_interest_change`, which computes everything
    below it): then only for the entities not below the seed, so nothing is solved twice.
    """
    below = walk_down(session, seeds, day)
    reached, stakes = walk_up(session, below | set(also_above), day)
    rows = _Walk(session, day).entities(reached)
    registered = EntityKind.REGISTERED_COMPANY.value
    companies = {
        entity_id: company_id
        for entity_id, kind, _, company_id in rows
        if company_id is not None and kind == registered and entity_id in below
    }
    loaded = _graph_of_rows(rows, stakes, compute=False)
    below_local = np.searchsorted(loaded.ids, np.fromiter(below, dtype=np.int64, count=len(below)))
    is_below = np.zeros(loaded.ids.size, dtype=np.bool_)
    is_below[below_local] = True
    # What is not below the change is closed upwards and stays as it is: computed once, as the
    # fixed values the entities below are recomputed against.
    loaded.graph.recompute_entities(np.flatnonzero(~is_below))
    if not changing:
        loaded.graph.recompute_entities(below_local)
    return Affected(loaded, below, companies)


def graph_above(session: Session, entity_ids: Iterable[int], day: date) -> LoadedGraph:
    """The engine graph of `entity_ids` and every holder above them, with the stakes in force on
    `day` among them, every measure computed: exact for these entities (the set is closed
    upwards), as the national graph would give them. Raises ValueError when the stakes are
    inconsistent."""
    reached, stakes = walk_up(session, entity_ids, day)
    return _graph_of_rows(_Walk(session, day).entities(reached), stakes)


def _graph_of_rows(entities: Sequence[Any], stakes: Sequence[Any], *, compute: bool = True) -> LoadedGraph:
    """Rows (id, kind, country, ...) ascending by id and (owner, owned, stake in millionths of a
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
        compute=compute,
    )
    return LoadedGraph(graph, ids)


def _foreign_flags(rows: Sequence[Any]) -> tuple[npt.NDArray[np.bool_], list[str]]:
    # The rule lives in domain.is_foreign; it is asked once per distinct (kind, country).
    pairs = [(item[1], item[2]) for item in rows]
    verdicts = {pair: is_foreign(EntityKind(pair[0]), pair[1]) for pair in set(pairs)}
    foreign = np.fromiter(map(verdicts.__getitem__, pairs), dtype=np.bool_, count=len(pairs))
    return foreign, [country or "" for _, country in pairs]
