"""ledger: Merkle tree nodes and signed checkpoints; backfill the nodes of existing entries

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

# The hashing rules are RFC 9162's and can never change without invalidating every signed
# checkpoint, so reusing the ledger's own implementation here is safe.
from shokei.audit.merkle import CompactRange, StoredNode, leaf_hash

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 10_000


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_audit_checkpoints")),
    )
    nodes = op.create_table(
        "audit_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "index", name=op.f("pk_audit_nodes")),
    )
    _backfill_nodes(op.get_bind(), nodes)


def downgrade() -> None:
    op.drop_table("audit_nodes")
    op.drop_table("audit_checkpoints")


def _backfill_nodes(connection: sa.Connection, nodes: sa.Table) -> None:
    """Store the tree nodes of the entries appended before this revision (0001 kept leaves only)."""
    border, created = CompactRange(), list[StoredNode]()
    for index, leaf in _entries(connection):
        if index != border.size:
            # Refuse to hash a damaged log into a tree that would then look consistent.
            raise RuntimeError(
                f"audit_entries has no entry {border.size} (next is {index}); investigate first"
            )
        border.append_recording(leaf_hash(leaf), created)
        if len(created) >= _BATCH:
            _insert(connection, nodes, created)
    _insert(connection, nodes, created)


def _insert(connection: sa.Connection, nodes: sa.Table, created: list[StoredNode]) -> None:
    if created:
        connection.execute(nodes.insert(), [{"level": lv, "index": ix, "hash": h} for lv, ix, h in created])
        created.clear()


def _entries(connection: sa.Connection) -> Iterator[tuple[int, bytes]]:
    after = -1
    while True:
        rows = connection.execute(
            sa.text(
                'SELECT "index", leaf FROM audit_entries WHERE "index" > :after ORDER BY "index" LIMIT :n'
            ),
            {"after": after, "n": _BATCH},
        ).all()
        if not rows:
            return
        for index, leaf in rows:
            yield int(index), bytes(leaf)
        after = rows[-1][0]
