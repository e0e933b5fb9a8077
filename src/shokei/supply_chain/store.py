"""Bulk SQL for the supply map: upsert a batch by natural keys, keep the revision and change log,
and stream rows out for export. Whole columns at a time, never one ORM object per node.

New rows go in with COPY on PostgreSQL and executemany on SQLite; existing rows are looked up
in chunks of `CHUNK` keys, so an incremental import costs in proportion to its own size.

The parts live next to it: `bulk` (chunked lookups and COPY/executemany inserts) and `upsert`
(writing one import batch). This module keeps the revision state, the change log and the read
paths, and re-exports the names other code uses through `store`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.orm import Session

from shokei.supply_chain.batch import RecordKind
from shokei.supply_chain.bulk import CHUNK, among, chunks, ids_by_key, insert_rows
from shokei.supply_chain.models import (
    BomLine,
    Component,
    SupplyChainState,
    SupplyChange,
    SupplyRelation,
    SystemComponent,
    WeaponSystem,
)
from shokei.supply_chain.upsert import Change, Counts, SupplyChangeRow, WriteOutcome, write_batch

# What other code imports from this module, including the names now defined next to it.
__all__ = [
    "CHUNK",
    "EXPORT_CHUNK",
    "MAX_LOGGED_CHANGES",
    "MAX_LOG_ROWS",
    "Change",
    "Counts",
    "MapState",
    "SupplyChangeRow",
    "WriteOutcome",
    "advance",
    "among",
    "chunks",
    "components_by_id",
    "export_rows",
    "ids_by_key",
    "insert_rows",
    "lock_state",
    "read_changes",
    "read_state",
    "supplies_anything",
    "systems_by_id",
    "write_batch",
]

EXPORT_CHUNK = 50_000
# A supply-only import logs the pairs it changed so cached graphs can apply them; beyond this
# many the log costs more than a reload, so the import counts as structural instead.
MAX_LOGGED_CHANGES = 20_000
# The log is emptied (and every cached graph reloads once) when it would grow past this.
MAX_LOG_ROWS = 200_000
_STATE_ID = 1


# ---- revision state --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MapState:
    generation: str
    revision: int
    log_from_revision: int


def read_state(connection: Connection | Session) -> MapState | None:
    row = connection.execute(
        select(
            SupplyChainState.generation, SupplyChainState.revision, SupplyChainState.log_from_revision
        ).where(SupplyChainState.id == _STATE_ID)
    ).one_or_none()
    return MapState(row.generation, row.revision, row.log_from_revision) if row else None


def lock_state(session: Session) -> SupplyChainState:
    """The state row, locked until the transaction ends so imports apply one at a time."""
    query = select(SupplyChainState).where(SupplyChainState.id == _STATE_ID).with_for_update()
    state = session.execute(query).scalar_one_or_none()
    if state is None:
        state = SupplyChainState(id=_STATE_ID, generation=uuid.uuid4().hex, revision=0, log_from_revision=0)
        session.add(state)
        session.flush()
    return state


def advance(session: Session, state: SupplyChainState, outcome: WriteOutcome) -> int:
    """Bump the revision; log the supply changes, or reset the log when graphs must reload."""
    state.revision += 1
    changes = outcome.supply_changes
    logged = session.execute(select(func.count(SupplyChange.id))).scalar_one()
    if outcome.structural or len(changes) > MAX_LOGGED_CHANGES or logged + len(changes) > MAX_LOG_ROWS:
        session.execute(delete(SupplyChange))
        state.log_from_revision = state.revision
    elif changes:
        rows = [(state.revision, c.corporate_number, c.component_id, c.qualified) for c in changes]
        insert_rows(
            session,
            SupplyChange.__table__,
            ("revision", "corporate_number", "component_id", "qualified"),
            rows,
        )
    session.flush()
    return state.revision


def read_changes(connection: Connection, after: int, upto: int) -> list[SupplyChangeRow]:
    """Logged supply changes with after < revision <= upto, in the order they were made."""
    rows = connection.execute(
        select(SupplyChange.corporate_number, SupplyChange.component_id, SupplyChange.qualified)
        .where(SupplyChange.revision > after, SupplyChange.revision <= upto)
        .order_by(SupplyChange.revision, SupplyChange.id)
    )
    return [SupplyChangeRow(*row) for row in rows]


# ---- reading for the graph, the cycle guard and exports --------------------------------------


def components_by_id(session: Session, component_ids: Iterable[int]) -> dict[int, tuple[str, str | None]]:
    """{id: (part number, name)} for the given components."""
    found: dict[int, tuple[str, str | None]] = {}
    for part in chunks(sorted(set(component_ids))):
        rows = session.execute(
            select(Component.id, Component.part_number, Component.name).where(
                among(session, Component.id, part)
            )
        )
        found.update((row[0], (row[1], row[2])) for row in rows)
    return found


def systems_by_id(session: Session, system_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """{id: (code, name)} for the given weapon systems."""
    found: dict[int, tuple[str, str]] = {}
    for part in chunks(sorted(set(system_ids))):
        rows = session.execute(
            select(WeaponSystem.id, WeaponSystem.code, WeaponSystem.name).where(
                among(session, WeaponSystem.id, part)
            )
        )
        found.update((row[0], (row[1], row[2])) for row in rows)
    return found


def supplies_anything(session: Session, corporate_number: str) -> bool:
    """Does the map hold any supply row (qualified or not) for this company?"""
    query = select(SupplyRelation.component_id).where(SupplyRelation.corporate_number == corporate_number)
    return session.execute(query.limit(1)).first() is not None


def _export_query(kind: RecordKind) -> Any:
    systems, components = WeaponSystem.__table__, Component.__table__
    parent, child = components.alias("parent"), components.alias("child")
    tops, bom, supply = SystemComponent.__table__, BomLine.__table__, SupplyRelation.__table__
    queries = {
        RecordKind.SYSTEMS: select(systems.c.code, systems.c.name).order_by(systems.c.code),
        RecordKind.COMPONENTS: select(components.c.part_number, components.c.name).order_by(
            components.c.part_number
        ),
        RecordKind.SYSTEM_COMPONENTS: select(systems.c.code, components.c.part_number, tops.c.quantity)
        .join_from(tops, systems, tops.c.system_id == systems.c.id)
        .join(components, tops.c.component_id == components.c.id)
        .order_by(systems.c.code, components.c.part_number),
        RecordKind.BOM: select(parent.c.part_number, child.c.part_number, bom.c.quantity)
        .join_from(bom, parent, bom.c.parent_id == parent.c.id)
        .join(child, bom.c.child_id == child.c.id)
        .order_by(parent.c.part_number, child.c.part_number),
        RecordKind.SUPPLY: select(
            supply.c.corporate_number,
            components.c.part_number,
            supply.c.tier,
            supply.c.share,
            supply.c.qualified,
        )
        .join_from(supply, components, supply.c.component_id == components.c.id)
        .order_by(supply.c.corporate_number, components.c.part_number),
    }
    return queries[kind]


def export_rows(session: Session, kind: RecordKind) -> Iterator[list[tuple[Any, ...]]]:
    """Every record of a kind in natural-key order, in chunks of EXPORT_CHUNK rows."""
    result = session.execute(_export_query(kind), execution_options={"yield_per": EXPORT_CHUNK})
    for part in result.partitions(EXPORT_CHUNK):
        yield [tuple(row) for row in part]
