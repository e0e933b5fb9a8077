"""The supply map from the database into the engine's integer arrays, in five column queries.

Database keys are sparse (component and system ids, corporate numbers); the engine wants dense
ids 0..n-1. `MapIndex` holds the sorted keys, so a dense id is a key's position in its array and
both directions are one `searchsorted` or one index away.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from sqlalchemy import BigInteger, ClauseElement, Connection, Engine, cast, select

from shokei.supply_chain.engine import IntArray, SupplyEdges, distinct_sorted
from shokei.supply_chain.models import BomLine, Component, SupplyRelation, SystemComponent, WeaponSystem

_FETCH_ROWS = 200_000


@dataclass(frozen=True, slots=True)
class MapIndex:
    """Sorted database keys whose positions are the engine's dense ids."""

    component_ids: IntArray  # components.id
    system_ids: IntArray  # weapon_systems.id
    companies: IntArray  # corporate numbers (as integers) with at least one qualified supply row


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction that sees one consistent state of the map (PostgreSQL reads each
    statement from a fresh snapshot unless told otherwise; SQLite's transaction already is one)."""
    with engine.connect() as opened:
        connection = opened
        if opened.dialect.name == "postgresql":
            connection = opened.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def load_edges(connection: Connection, *, company_headroom: int = 0) -> tuple[SupplyEdges, MapIndex]:
    """Every system, BOM line and qualified supply pair as the engine's input.

    `company_headroom` spare company ids let a cached graph take in companies that appear in
    later supply changes without a reload.
    """
    component_ids = _fetch(connection, select(Component.id).order_by(Component.id), 1)[:, 0]
    system_ids = _fetch(connection, select(WeaponSystem.id).order_by(WeaponSystem.id), 1)[:, 0]
    tops = _fetch(connection, select(SystemComponent.system_id, SystemComponent.component_id), 2)
    bom = _fetch(connection, select(BomLine.parent_id, BomLine.child_id), 2)
    supply = _fetch(connection, _qualified_supply(), 2)
    companies = distinct_sorted(supply[:, 0])
    index = MapIndex(component_ids, system_ids, companies)
    edges = SupplyEdges(
        bom_parent=np.searchsorted(component_ids, bom[:, 0]),
        bom_child=np.searchsorted(component_ids, bom[:, 1]),
        supply_company=np.searchsorted(companies, supply[:, 0]),
        supply_component=np.searchsorted(component_ids, supply[:, 1]),
        supply_qualified=np.ones(supply.shape[0], dtype=bool),
        system_id=np.searchsorted(system_ids, tops[:, 0]),
        system_top_component=np.searchsorted(component_ids, tops[:, 1]),
        n_companies=int(companies.size) + company_headroom,
        n_components=int(component_ids.size),
        n_systems=int(system_ids.size),
    )
    return edges, index


def load_bom(connection: Connection) -> tuple[IntArray, IntArray, IntArray]:
    """(sorted component ids, parent positions, child positions) for the cycle guard."""
    component_ids = _fetch(connection, select(Component.id).order_by(Component.id), 1)[:, 0]
    bom = _fetch(connection, select(BomLine.parent_id, BomLine.child_id), 2)
    return component_ids, np.searchsorted(component_ids, bom[:, 0]), np.searchsorted(component_ids, bom[:, 1])


def _qualified_supply() -> ClauseElement:
    # Corporate numbers are 13 digits, the first (the check digit) never 0: as integers they are
    # exact, sort like the text, and load as one int64 column.
    number = cast(SupplyRelation.corporate_number, BigInteger)
    return select(number, SupplyRelation.component_id).where(SupplyRelation.qualified)


def _fetch(connection: Connection, statement: ClauseElement, width: int) -> IntArray:
    """An all-integer query as an (n, width) array, straight from the driver's tuples in batches
    (no Row objects, no per-row Python beyond the driver's own)."""
    sql = str(statement.compile(dialect=connection.dialect))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        parts = []
        while rows := cursor.fetchmany(_FETCH_ROWS):
            flat = itertools.chain.from_iterable(rows)
            parts.append(np.fromiter(flat, dtype=np.int64, count=len(rows) * width))
    finally:
        cursor.close()
    if not parts:
        return np.zeros((0, width), dtype=np.int64)
    return np.concatenate(parts).reshape(-1, width)
