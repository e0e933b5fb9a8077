"""Writing one import batch into the supply map by natural keys: systems and components added or
renamed, part numbers and system codes resolved (an unknown one refuses the import), and the
link tables (system tops, BOM lines, supply pairs) inserted, updated or deleted row by row in
bulk, reporting counts and the supply pairs whose qualified state changed.
Split from `store` because this is the import's write path with its own rules (blank attributes
keep stored values, removals, refusal of unknown keys), while `store` keeps the revision state
and the read paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from shokei.errors import N_, BadInput, Text
from shokei.supply_chain.batch import COLUMNS, RecordKind, Records, SupplyBatch
from shokei.supply_chain.bulk import among, chunks, ids_by_key, insert_rows
from shokei.supply_chain.models import BomLine, Component, SupplyRelation, SystemComponent, WeaponSystem

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
        Text(
            N_(
                "%(count)s %(kind)s record(s) name a %(what)s that is neither stored "
                "nor in this import's %(where)s: %(shown)s%(more)s"
            ),
            {
                "count": len(unknown),
                "kind": records.kind,
                "what": what,
                "where": where,
                "shown": shown,
                "more": more,
            },
        )
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
