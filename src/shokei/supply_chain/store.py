"""Bulk SQL for the supply map: upsert a batch by natural keys, keep the revision and change log,
and stream rows out for export. Whole columns at a time, never one ORM object per node.

New rows go in with COPY on PostgreSQL and executemany on SQLite; existing rows are looked up
in chunks of `CHUNK` keys, so an incremental import costs in proportion to its own size.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, any_, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from shokei.errors import BadInput
from shokei.supply_chain.batch import COLUMNS, RecordKind, Records, SupplyBatch
from shokei.supply_chain.models import (
    BomLine,
    Component,
    SupplyChainState,
    SupplyChange,
    SupplyRelation,
    SystemComponent,
    WeaponSystem,
)

CHUNK = 5_000
EXPORT_CHUNK = 50_000
# A supply-only import logs the pairs it changed so cached graphs can apply them; beyond this
# many the log costs more than a reload, so the import counts as structural instead.
MAX_LOGGED_CHANGES = 20_000
# The log is emptied (and every cached graph reloads once) when it would grow past this.
MAX_LOG_ROWS = 200_000
_STATE_ID = 1
_UNKNOWN_SHOWN = 5


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class SupplyChangeRow:
    """A supply pair's qualified state after an import (False when removed or unqualified)."""

    corporate_number: str
    component_id: int
    qualified: bool


@dataclass
class WriteOutcome:
    counts: dict[RecordKind, Counts] = field(default_factory=dict)
    supply_changes: list[SupplyChangeRow] = field(default_factory=list)

    @property
    def structural(self) -> bool:
        """Did the import change what the graph is built from besides supply pairs?"""
        entities = (self.counts[RecordKind.SYSTEMS], self.counts[RecordKind.COMPONENTS])
        links = (self.counts[RecordKind.SYSTEM_COMPONENTS], self.counts[RecordKind.BOM])
        return any(c.created for c in entities) or any(c.created or c.removed for c in links)

    @property
    def bom_grew(self) -> bool:
        """Only new BOM lines can close a cycle."""
        return self.counts[RecordKind.BOM].created > 0


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


# ---- low-level bulk helpers ------------------------------------------------------------------


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def insert_rows(
    session: Session, table: Any, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert many rows: COPY on PostgreSQL (an order of magnitude faster), executemany elsewhere."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        _copy_rows(session, table, columns, rows)
        return
    for part in chunks(rows, 50_000):
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in part])


def _copy_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    driver = session.connection().connection.driver_connection
    assert driver is not None
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def among(session: Session, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL as `= ANY(array)`, one parameter instead of thousands
    (the driver's per-parameter query rewriting dominated large lookups)."""
    condition: ColumnElement[bool]
    if session.get_bind().dialect.name == "postgresql":
        condition = column == any_(bindparam("values", list(values), type_=ARRAY(column.type)))
    else:
        condition = column.in_(values)
    return condition


def ids_by_key(session: Session, key: Any, ident: Any, keys: Iterable[Any]) -> dict[Any, int]:
    """{natural key: id} for those of `keys` that are stored."""
    found: dict[Any, int] = {}
    for part in chunks(sorted(set(keys))):
        rows = session.execute(select(key, ident).where(among(session, key, part)))
        # A Result has .keys(): dict.update would take it for a mapping, so unpack the rows.
        found.update((row[0], row[1]) for row in rows)
    return found


# ---- writing a batch -------------------------------------------------------------------------


def write_batch(session: Session, batch: SupplyBatch) -> WriteOutcome:
    """Upsert every record of the batch (systems and components first, then the links)."""
    outcome = WriteOutcome()
    outcome.counts[RecordKind.SYSTEMS] = _upsert_named(
        session, WeaponSystem, WeaponSystem.code, batch[RecordKind.SYSTEMS], "code"
    )
    outcome.counts[RecordKind.COMPONENTS] = _upsert_named(
        session, Component, Component.part_number, batch[RecordKind.COMPONENTS], "part_number"
    )
    parts = _resolve_parts(session, batch)
    outcome.counts[RecordKind.SYSTEM_COMPONENTS] = _write_tops(session, batch, parts)
    outcome.counts[RecordKind.BOM] = _write_bom(session, batch, parts)
    outcome.counts[RecordKind.SUPPLY], outcome.supply_changes = _write_supply(session, batch, parts)
    return outcome


def _upsert_named(session: Session, model: Any, key: Any, records: Records, key_column: str) -> Counts:
    """Systems by code, components by part number: add the new, rename the renamed.

    A blank name keeps the stored one (a BOM extract often has part numbers only)."""
    counts = Counts()
    keys, names = records.columns[key_column], records.columns["name"]
    stored: dict[str, tuple[int, str | None]] = {}
    for part in chunks(sorted(set(keys))):
        rows = session.execute(select(key, model.id, model.name).where(among(session, key, part)))
        stored.update((row[0], (row[1], row[2])) for row in rows)
    new_rows, renamed = [], []
    for natural_key, name in zip(keys, names, strict=True):
        if natural_key not in stored:
            new_rows.append((natural_key, name))
        elif name is not None and name != stored[natural_key][1]:
            renamed.append({"id": stored[natural_key][0], "name": name})
        else:
            counts.unchanged += 1
    insert_rows(session, model.__table__, (key_column, "name"), new_rows)
    if renamed:
        session.execute(update(model), renamed)
    counts.created, counts.updated = len(new_rows), len(renamed)
    return counts


def _resolve_parts(session: Session, batch: SupplyBatch) -> dict[str, int]:
    """Component id for every part number the links name; an unknown one refuses the import
    (a misspelt part number would otherwise become a phantom component nobody supplies)."""
    wanted = {
        RecordKind.SYSTEM_COMPONENTS: ("part_number",),
        RecordKind.BOM: ("parent_part_number", "child_part_number"),
        RecordKind.SUPPLY: ("part_number",),
    }
    named = {value for kind, columns in wanted.items() for c in columns for value in batch[kind].columns[c]}
    parts = ids_by_key(session, Component.part_number, Component.id, named)
    for kind, columns in wanted.items():
        for column in columns:
            _refuse_unknown(batch[kind], column, parts, "part number", "components")
    return parts


def _refuse_unknown(records: Records, column: str, known: dict[str, int], what: str, where: str) -> None:
    unknown = [index for index, value in enumerate(records.columns[column]) if value not in known]
    if not unknown:
        return
    shown = "; ".join(
        f"{records.where(index)}: {records.columns[column][index]!r}" for index in unknown[:_UNKNOWN_SHOWN]
    )
    more = f" (and {len(unknown) - _UNKNOWN_SHOWN} more)" if len(unknown) > _UNKNOWN_SHOWN else ""
    raise BadInput(
        f"{len(unknown)} {records.kind} record(s) name a {what} that is neither stored nor in this "
        f"import's {where}: {shown}{more}"
    )


@dataclass(frozen=True, slots=True)
class _Links:
    """One link table: its record kind, two key columns, the attributes an import sets, and the
    indexed key column existing rows are looked up by."""

    kind: RecordKind
    table: Any
    keys: tuple[str, str]
    attributes: tuple[str, ...]
    lookup: str

    @property
    def defaults(self) -> tuple[Any, ...]:
        """What a new row gets for an attribute the import leaves blank."""
        default = {column.name: column.default for column in COLUMNS[self.kind]}
        return tuple(default[name] for name in self.attributes)


_TOPS = _Links(
    RecordKind.SYSTEM_COMPONENTS,
    SystemComponent.__table__,
    ("system_id", "component_id"),
    ("quantity",),
    "system_id",
)
_BOM = _Links(RecordKind.BOM, BomLine.__table__, ("parent_id", "child_id"), ("quantity",), "parent_id")
_SUPPLY = _Links(
    RecordKind.SUPPLY,
    SupplyRelation.__table__,
    ("corporate_number", "component_id"),
    ("tier", "share", "qualified"),
    "component_id",
)


def _write_tops(session: Session, batch: SupplyBatch, parts: dict[str, int]) -> Counts:
    records = batch[RecordKind.SYSTEM_COMPONENTS]
    codes = records.columns["system_code"]
    systems = ids_by_key(session, WeaponSystem.code, WeaponSystem.id, codes)
    _refuse_unknown(records, "system_code", systems, "system code", "systems")
    keys = [(systems[c], parts[p]) for c, p in zip(codes, records.columns["part_number"], strict=True)]
    values = [(quantity,) for quantity in records.columns["quantity"]]
    return _upsert_links(session, _TOPS, keys, values, records.columns["removed"])[0]


def _write_bom(session: Session, batch: SupplyBatch, parts: dict[str, int]) -> Counts:
    records = batch[RecordKind.BOM]
    pairs = zip(records.columns["parent_part_number"], records.columns["child_part_number"], strict=True)
    keys = [(parts[parent], parts[child]) for parent, child in pairs]
    values = [(quantity,) for quantity in records.columns["quantity"]]
    return _upsert_links(session, _BOM, keys, values, records.columns["removed"])[0]


def _write_supply(
    session: Session, batch: SupplyBatch, parts: dict[str, int]
) -> tuple[Counts, list[SupplyChangeRow]]:
    records = batch[RecordKind.SUPPLY]
    columns = records.columns
    keys = [
        (number, parts[part])
        for number, part in zip(columns["corporate_number"], columns["part_number"], strict=True)
    ]
    values = list(zip(columns["tier"], columns["share"], columns["qualified"], strict=True))
    counts, changed = _upsert_links(session, _SUPPLY, keys, values, columns["removed"])
    qualified_at = _SUPPLY.attributes.index("qualified")
    changes = [
        SupplyChangeRow(key[0], key[1], bool(after and after[qualified_at]))
        for key, before, after in changed
        if bool(before and before[qualified_at]) != bool(after and after[qualified_at])
    ]
    return counts, changes


Change = tuple[tuple[Any, ...], tuple[Any, ...] | None, tuple[Any, ...] | None]


def _upsert_links(
    session: Session,
    links: _Links,
    keys: list[tuple[Any, ...]],
    values: list[tuple[Any, ...]],
    removed: list[bool],
) -> tuple[Counts, list[Change]]:
    """Insert, update or delete each keyed row; returns the counts and (key, before, after) of
    every row that changed. A blank attribute keeps the stored value (or takes the default in a
    new row), so an incremental file need only carry the columns it changes."""
    stored = _stored_links(session, links, keys)
    counts, changes = Counts(), list[Change]()
    new_rows: list[tuple[Any, ...]] = []
    updates: list[dict[str, Any]] = []
    deletions: list[dict[str, Any]] = []
    defaults = links.defaults
    for key, given, remove in zip(keys, values, removed, strict=True):
        before = stored.get(key)
        value = _filled(given, defaults if before is None else before)
        if remove and before is not None:
            deletions.append(dict(zip(("key_a", "key_b"), key, strict=True)))
            changes.append((key, before, None))
        elif remove or before == value:
            counts.unchanged += 1
        elif before is None:
            new_rows.append((*key, *value))
            changes.append((key, None, value))
        else:
            updates.append(dict(zip(links.keys + links.attributes, (*key, *value), strict=True)))
            changes.append((key, before, value))
    _apply_links(session, links, new_rows, updates, deletions)
    counts.created, counts.updated, counts.removed = len(new_rows), len(updates), len(deletions)
    return counts, changes


def _filled(given: tuple[Any, ...], fallback: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(fallback[i] if value is None else value for i, value in enumerate(given))


def _stored_links(
    session: Session, links: _Links, keys: list[tuple[Any, ...]]
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    table = links.table
    lookup_at = links.keys.index(links.lookup)
    columns = [table.c[name] for name in (*links.keys, *links.attributes)]
    stored: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for part in chunks(sorted({key[lookup_at] for key in keys})):
        for row in session.execute(select(*columns).where(among(session, table.c[links.lookup], part))):
            stored[(row[0], row[1])] = tuple(row[2:])
    return stored


def _apply_links(
    session: Session,
    links: _Links,
    new_rows: list[tuple[Any, ...]],
    updates: list[dict[str, Any]],
    deletions: list[dict[str, Any]],
) -> None:
    table = links.table
    key_a, key_b = (table.c[name] for name in links.keys)
    if deletions:
        removal = delete(table).where(key_a == bindparam("key_a"), key_b == bindparam("key_b"))
        session.execute(removal, deletions)
    if updates:
        # Bound names differ from the column names: SQLAlchemy reserves those for SET values.
        targets: dict[str, Any] = {name: bindparam(f"new_{name}") for name in links.attributes}
        change = (
            update(table)
            .where(key_a == bindparam(f"new_{links.keys[0]}"), key_b == bindparam(f"new_{links.keys[1]}"))
            .values(targets)
        )
        session.execute(change, [{f"new_{name}": value for name, value in row.items()} for row in updates])
    insert_rows(session, table, links.keys + links.attributes, new_rows)


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
