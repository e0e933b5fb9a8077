"""What one import brings, as pure columnar records: the five record kinds, their columns, and
the rules a batch must keep before anything is written (no key given twice).

The same batch is produced from CSV or Parquet files (`supply_chain.io`) and from a generated
synthetic base (`supply_chain.synthetic`), and written by one bulk path (`supply_chain.store`).
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shokei.errors import N_, BadInput, Text


class RecordKind(StrEnum):
    """The kinds of record an import file holds (one kind per file), in the order applied."""

    SYSTEMS = "systems"
    COMPONENTS = "components"
    SYSTEM_COMPONENTS = "system_components"
    BOM = "bom"
    SUPPLY = "supply"


class ColumnType(StrEnum):
    TEXT = "text"
    CORPORATE_NUMBER = "corporate_number"
    POSITIVE_NUMBER = "positive_number"
    SHARE = "share"  # 0..1
    TIER = "tier"  # 1..MAX_TIER
    BOOLEAN = "boolean"


MAX_TIER = 9
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0"})


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an import file. A blank or absent value is None in the records: a new
    record then takes `default`, an existing one keeps what is stored."""

    name: str
    type: ColumnType
    required: bool = False
    default: object = None
    max_length: int | None = None


_REMOVED = Column("removed", ColumnType.BOOLEAN, default=False)

COLUMNS: dict[RecordKind, tuple[Column, ...]] = {
    RecordKind.SYSTEMS: (
        Column("code", ColumnType.TEXT, required=True, max_length=64),
        Column("name", ColumnType.TEXT, required=True, max_length=255),
    ),
    RecordKind.COMPONENTS: (
        Column("part_number", ColumnType.TEXT, required=True, max_length=100),
        Column("name", ColumnType.TEXT, max_length=255),
    ),
    RecordKind.SYSTEM_COMPONENTS: (
        Column("system_code", ColumnType.TEXT, required=True, max_length=64),
        Column("part_number", ColumnType.TEXT, required=True, max_length=100),
        Column("quantity", ColumnType.POSITIVE_NUMBER, default=1.0),
        _REMOVED,
    ),
    RecordKind.BOM: (
        Column("parent_part_number", ColumnType.TEXT, required=True, max_length=100),
        Column("child_part_number", ColumnType.TEXT, required=True, max_length=100),
        Column("quantity", ColumnType.POSITIVE_NUMBER, default=1.0),
        _REMOVED,
    ),
    RecordKind.SUPPLY: (
        Column("corporate_number", ColumnType.CORPORATE_NUMBER, required=True),
        Column("part_number", ColumnType.TEXT, required=True, max_length=100),
        Column("tier", ColumnType.TIER, default=1),
        Column("share", ColumnType.SHARE),
        Column("qualified", ColumnType.BOOLEAN, default=True),
        _REMOVED,
    ),
}

# The columns that together identify a record: given twice in one import is an error.
KEY_COLUMNS: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.SYSTEMS: ("code",),
    RecordKind.COMPONENTS: ("part_number",),
    RecordKind.SYSTEM_COMPONENTS: ("system_code", "part_number"),
    RecordKind.BOM: ("parent_part_number", "child_part_number"),
    RecordKind.SUPPLY: ("corporate_number", "part_number"),
}


def kind_of(header: list[str], source: str) -> RecordKind:
    """Which kind of record a file holds, from its header alone; unknown columns are refused
    (a misspelt optional column would otherwise be silently replaced by its default)."""
    names = set(header)
    for kind in sorted(RecordKind, key=lambda k: -len(KEY_COLUMNS[k])):
        if set(KEY_COLUMNS[kind]) <= names:
            _refuse_unknown_columns(kind, names, source)
            return kind
    expected = "; ".join(f"{kind}: {', '.join(KEY_COLUMNS[kind])}" for kind in RecordKind)
    raise BadInput(
        Text(
            N_("%(source)s: cannot tell what the file holds from its columns; expected (%(expected)s)"),
            {"source": source, "expected": expected},
        )
    )


def _refuse_unknown_columns(kind: RecordKind, names: set[str], source: str) -> None:
    known = {column.name for column in COLUMNS[kind]}
    unknown = sorted(names - known)
    if unknown:
        raise BadInput(
            Text(
                N_(
                    "%(source)s: unknown column(s) %(unknown)s for %(kind)s records; the "
                    "columns are %(items)s"
                ),
                {
                    "source": source,
                    "unknown": ", ".join(unknown),
                    "kind": kind,
                    "items": ", ".join(column.name for column in COLUMNS[kind]),
                },
            )
        )


@dataclass(frozen=True, slots=True)
class Segment:
    """Records from index `start` on came from `source`, numbered from `first_row` in `unit`s
    (CSV: lines, the header being line 1; Parquet: rows from 1)."""

    source: str
    start: int
    first_row: int
    unit: str


@dataclass
class Records:
    """Columnar records of one kind, remembering which file and row each came from."""

    kind: RecordKind
    columns: dict[str, list[Any]] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)

    def __post_init__(self) -> None:
        for column in COLUMNS[self.kind]:
            self.columns.setdefault(column.name, [])

    def __len__(self) -> int:
        return len(self.columns[COLUMNS[self.kind][0].name])

    def append_columns(
        self, source: str, columns: dict[str, list[Any]], *, first_row: int = 1, unit: str = "row"
    ) -> None:
        """Add a file's rows (every column of this kind, of equal length)."""
        self.segments.append(Segment(source, len(self), first_row, unit))
        for name, values in self.columns.items():
            values.extend(columns[name])

    def where(self, index: int) -> str:
        """Where the record at `index` came from, e.g. `bom.csv line 7`."""
        starts = [segment.start for segment in self.segments]
        segment = self.segments[bisect.bisect_right(starts, index) - 1]
        return f"{segment.source} {segment.unit} {segment.first_row + index - segment.start}"

    def keys(self) -> Iterator[tuple[Any, ...]]:
        return zip(*(self.columns[name] for name in KEY_COLUMNS[self.kind]), strict=True)


@dataclass
class SupplyBatch:
    """Everything one import brings; `sources` name the files (or generator) for the ledger."""

    sources: list[str] = field(default_factory=list)
    records: dict[RecordKind, Records] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kind in RecordKind:
            self.records.setdefault(kind, Records(kind))

    def __getitem__(self, kind: RecordKind) -> Records:
        return self.records[kind]

    @property
    def row_count(self) -> int:
        return sum(len(records) for records in self.records.values())

    def check(self) -> None:
        """Refuse a batch that gives any record's key twice, naming both places."""
        for records in self.records.values():
            _refuse_duplicates(records)


def _refuse_duplicates(records: Records) -> None:
    seen: dict[Hashable, int] = {}
    for index, key in enumerate(records.keys()):
        earlier = seen.setdefault(key, index)
        if earlier != index:
            shown = ", ".join(str(part) for part in key)
            raise BadInput(
                Text(
                    N_(
                        "%(where)s: %(kind)s record (%(shown)s) was already given at "
                        "%(where2)s; give each record once per import"
                    ),
                    {
                        "where": records.where(index),
                        "kind": records.kind,
                        "shown": shown,
                        "where2": records.where(earlier),
                    },
                )
            )
