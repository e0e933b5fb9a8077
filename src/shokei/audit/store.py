"""SQL access to the ledger tables: the Merkle node store, the head lock, batched reads.

Only inserts and reads live here: there is no statement that updates or deletes an entry,
a node or a checkpoint (`audit_head.size` is the one counter that moves).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ClauseElement,
    Connection,
    Executable,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from shokei.audit.domain import StoredEntry
from shokei.audit.merkle import MissingNodeError, NodeKey, StoredNode
from shokei.audit.models import AuditCheckpoint, AuditEntry, AuditHead, AuditNode
from shokei.db import insert_unless_present

HEAD_ID = 1
# Bits a node's leaf range may span: (index + 1) << level must stay a 64-bit integer.
MAX_LEVEL = 62


_NODE_COLUMNS = (AuditNode.level, AuditNode.index, AuditNode.hash)
_NODES_BY_KEY = select(*_NODE_COLUMNS).where(
    tuple_(AuditNode.level, AuditNode.index).in_(bindparam("keys", expanding=True))
)
# An OR chain nests one expression level per term; SQLite allows 1,000.
_SQLITE_KEYS_PER_QUERY = 100


@functools.cache
def _nodes_by_probes(count: int) -> Executable:
    """`count` (level, index) probes as one statement, built once per count."""
    probes = (
        and_(AuditNode.level == bindparam(f"l{k}"), AuditNode.index == bindparam(f"i{k}"))
        for k in range(count)
    )
    return select(*_NODE_COLUMNS).where(or_(*probes))


class SqlNodeStore:
    """`merkle.NodeStore` over audit_nodes in the caller's session, so it sees the nodes the
    current transaction has just appended."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get_node(self, level: int, index: int) -> bytes:
        """Return node (level, index) or raise `MissingNodeError`."""
        found = self.get_nodes([(level, index)])
        if (level, index) not in found:
            raise MissingNodeError(f"no stored node at level {level}, index {index}")
        return found[(level, index)]

    def get_nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        """The stored subset of `keys`: one query (per 100 keys on SQLite), of a shape made once."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        if self._session.get_bind().dialect.name == "postgresql":
            rows = self._session.execute(_NODES_BY_KEY, {"keys": wanted})
            return {(level, index): bytes(value) for level, index, value in rows}
        # SQLite scans the whole table for a row-value IN, but answers an OR of
        # (level = ? AND index = ?) terms with one primary-key probe per term.
        found = dict[NodeKey, bytes]()
        for start in range(0, len(wanted), _SQLITE_KEYS_PER_QUERY):
            pairs = wanted[start : start + _SQLITE_KEYS_PER_QUERY]
            parameters: dict[str, int] = {}
            for k, (level, index) in enumerate(pairs):
                parameters[f"l{k}"], parameters[f"i{k}"] = level, index
            rows = self._session.execute(_nodes_by_probes(len(pairs)), parameters)
            found.update(((level, index), bytes(value)) for level, index, value in rows)
        return found

    def put_nodes(self, nodes: Sequence[StoredNode]) -> None:
        """Insert newly completed nodes; an existing (level, index) is an IntegrityError, not overwritten."""
        if nodes:
            self._session.execute(
                insert(AuditNode),
                [{"level": level, "index": index, "hash": value} for level, index, value in nodes],
            )


# -- head ------------------------------------------------------------------------------------


def lock_head(session: Session) -> int:
    """Lock the head row for the rest of the transaction and return the ledger size.

    PostgreSQL: FOR UPDATE makes every other appender wait here until this transaction ends,
    and then read the size it committed. SQLite: BEGIN IMMEDIATE has already made this
    transaction the only writer, so FOR UPDATE is not needed (and not rendered).
    """
    query = select(AuditHead.size).where(AuditHead.id == HEAD_ID).with_for_update()
    size = session.execute(query).scalar_one_or_none()
    if size is None:
        insert_unless_present(session, AuditHead, id=HEAD_ID, size=0)  # two first appenders may race
        size = session.execute(query).scalar_one()
    return int(size)


def move_head(session: Session, size: int) -> None:
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(size=size))


def head_size(session: Session) -> int:
    size = session.execute(select(AuditHead.size).where(AuditHead.id == HEAD_ID)).scalar_one_or_none()
    return int(size or 0)


# -- entries ---------------------------------------------------------------------------------


def insert_entries(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    session.execute(insert(AuditEntry), list(rows))


@dataclass(frozen=True, slots=True)
class ProofReads:
    """What an inclusion proof reads besides the nodes: the ledger size, the entry's leaf and
    the signed checkpoint at the proof's tree size (None where absent)."""

    head_size: int
    leaf: bytes | None
    checkpoint_root: bytes | None
    checkpoint_note: str | None


def proof_reads(session: Session, index: int, size: int | None) -> ProofReads:
    """One round trip for all three (a proof is a handful of short queries, so each counts)."""
    head = select(AuditHead.size).where(AuditHead.id == HEAD_ID).scalar_subquery()
    tree_size = head if size is None else literal(size, BigInteger)
    at_size = AuditCheckpoint.size == tree_size
    query = select(
        func.coalesce(head, 0),
        select(AuditEntry.leaf).where(AuditEntry.index == index).scalar_subquery(),
        select(AuditCheckpoint.root).where(at_size).scalar_subquery(),
        select(AuditCheckpoint.note).where(at_size).scalar_subquery(),
    )
    head_size, stored_leaf, root, note = session.execute(query).one()
    return ProofReads(
        int(head_size),
        None if stored_leaf is None else bytes(stored_leaf),
        None if root is None else bytes(root),
        note,
    )


def leaves_between(connection: Connection | Session, begin: int, end: int) -> list[bytes]:
    """Leaf bytes of entries [begin, end) in index order (absent entries are simply absent)."""
    rows = connection.execute(
        select(AuditEntry.leaf)
        .where(AuditEntry.index >= begin, AuditEntry.index < end)
        .order_by(AuditEntry.index)
    )
    return [bytes(leaf) for (leaf,) in rows]


def entries_between(connection: Connection, begin: int, end: int) -> list[StoredEntry]:
    """Entries [begin, end) in index order.

    Read straight from the driver (the hot loop of a full verification); SQLite hands back
    its timestamps as ISO text, which become naive datetimes here as SQLAlchemy would make them
    (text that is no timestamp stays text, for the verification to report).
    """
    postgres = connection.dialect.name == "postgresql"
    # psycopg cannot load an infinite timestamp (an edit no append makes): read it as NULL.
    at = case((func.isfinite(AuditEntry.at), AuditEntry.at), else_=null()) if postgres else AuditEntry.at
    query = (
        select(
            AuditEntry.index,
            at,
            AuditEntry.actor_id,
            AuditEntry.actor_name,
            AuditEntry.action,
            AuditEntry.subject_type,
            AuditEntry.subject_id,
            AuditEntry.leaf,
        )
        .where(AuditEntry.index >= begin, AuditEntry.index < end)
        .order_by(AuditEntry.index)
    )
    rows = _driver_rows(connection, query)
    if postgres:
        return [StoredEntry(*row) for row in rows]
    return [
        StoredEntry(index, _sqlite_moment(at), actor_id, actor_name, action, subject_type, subject_id, leaf)
        for index, at, actor_id, actor_name, action, subject_type, subject_id, leaf in rows
    ]


def _sqlite_moment(stored: object) -> datetime | str | None:
    if isinstance(stored, str):
        try:
            return datetime.fromisoformat(stored)
        except ValueError:
            return stored  # not a timestamp: the verification reports it
    return None if stored is None else str(stored)


def _driver_rows(connection: Connection, query: ClauseElement) -> list[tuple[Any, ...]]:
    """Rows as the DB-API driver returns them, skipping SQLAlchemy's per-row result processing
    (half the cost of reading the log for a verification). The query's parameters are
    integers, rendered inline."""
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection has been closed")
    # psycopg's binary format spares decoding every leaf from bytea hex text.
    cursor = driver.cursor(binary=True) if connection.dialect.name == "postgresql" else driver.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


@dataclass(frozen=True, slots=True)
class NodeLevel:
    """The stored nodes of one level in an index range: [first, last] and their hashes in order."""

    first: int
    last: int
    hashes: list[bytes]


def node_levels(connection: Connection, begin: int, end: int, *, max_level: int) -> dict[int, NodeLevel]:
    """Stored nodes of levels 0..max_level whose last leaf lies in [begin, end), per level.

    Node (level, j) is completed by leaf (j + 1) * 2**level - 1, so per level the indices run
    from begin >> level to (end >> level) - 1: one primary-key range each. The hashes come as
    one flat ordered column (no per-row tuples: this is the hot loop of a full verification),
    split by per-level counts.
    """
    ranges = [
        and_(AuditNode.level == level, AuditNode.index.between(begin >> level, (end >> level) - 1))
        for level in range(max_level + 1)
        if (end >> level) - 1 >= begin >> level
    ]
    if not ranges:
        return {}
    where = or_(*ranges)
    bounds = connection.execute(
        select(AuditNode.level, func.count(), func.min(AuditNode.index), func.max(AuditNode.index))
        .where(where)
        .group_by(AuditNode.level)
        .order_by(AuditNode.level)
    ).all()
    ordered = select(AuditNode.hash).where(where).order_by(AuditNode.level, AuditNode.index)
    hashes = [value for (value,) in _driver_rows(connection, ordered)]
    levels, offset = {}, 0
    for level, count, first, last in bounds:
        levels[level] = NodeLevel(first, last, list(hashes[offset : offset + count]))
        offset += count
    return levels


def nodes_of_level(connection: Connection, level: int, first: int, last: int) -> dict[int, bytes]:
    """Index -> hash of the stored nodes of `level` in [first, last] (to say which ones differ)."""
    query = select(AuditNode.index, AuditNode.hash).where(
        AuditNode.level == level, AuditNode.index.between(first, last)
    )
    return {index: bytes(value) for index, value in connection.execute(query)}


def nodes_above(session: Session, level: int) -> dict[NodeKey, bytes]:
    """Every stored node above `level` (a few hundred for a log of millions)."""
    rows = session.execute(select(*_NODE_COLUMNS).where(AuditNode.level > level))
    return {(node_level, index): bytes(value) for node_level, index, value in rows}


def entries_outside_head(session: Session) -> list[int]:
    """Indices of entries no append accounts for (beyond the head or negative), first few only."""
    head = select(AuditHead.size).where(AuditHead.id == HEAD_ID).scalar_subquery()
    query = (
        select(AuditEntry.index)
        .where(or_(AuditEntry.index >= func.coalesce(head, 0), AuditEntry.index < 0))
        .order_by(AuditEntry.index)
        .limit(10)
    )
    return [int(index) for index in session.execute(query).scalars()]


def nodes_outside_head(session: Session) -> list[NodeKey]:
    """Stored nodes that cover a leaf beyond the head (or cannot be a node at all), first few only."""
    head = select(AuditHead.size).where(AuditHead.id == HEAD_ID).scalar_subquery()
    last_leaf_after = (AuditNode.index + 1).op("<<")(AuditNode.level)
    query = (
        select(AuditNode.level, AuditNode.index)
        .where(
            or_(
                AuditNode.index < 0,
                AuditNode.level < 0,
                AuditNode.level > MAX_LEVEL,
                last_leaf_after > func.coalesce(head, 0),
            )
        )
        .order_by(AuditNode.level, AuditNode.index)
        .limit(10)
    )
    return [(int(level), int(index)) for level, index in session.execute(query)]


# -- checkpoints -----------------------------------------------------------------------------


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    query = select(AuditCheckpoint).order_by(AuditCheckpoint.size.desc()).limit(1)
    return session.execute(query).scalar_one_or_none()


def checkpoint_at(session: Session, size: int) -> AuditCheckpoint | None:
    return session.get(AuditCheckpoint, size)


def all_checkpoints(session: Session) -> list[AuditCheckpoint]:
    return list(session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.size)).scalars())


def add_checkpoint(
    session: Session, size: int, root: bytes, note: str, created_at: datetime
) -> AuditCheckpoint:
    checkpoint = AuditCheckpoint(size=size, root=root, note=note, created_at=created_at)
    session.add(checkpoint)
    session.flush()
    return checkpoint


def checkpoint_notes_up_to(session: Session, size: int) -> list[str]:
    query = select(AuditCheckpoint.note).where(AuditCheckpoint.size <= size).order_by(AuditCheckpoint.size)
    return list(session.execute(query).scalars())
