"""Low-level bulk SQL the supply-map store is built on: keys in chunks, inserts by COPY on
PostgreSQL (executemany elsewhere), `IN` as `= ANY(array)` on PostgreSQL, and natural-key to id
lookups.
Shared by the batch upsert (`upsert`) and the state and read paths (`store`); none of it knows
about supply-chain records, only about moving whole columns of rows cheaply.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, any_, bindparam, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

CHUNK = 5_000


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
