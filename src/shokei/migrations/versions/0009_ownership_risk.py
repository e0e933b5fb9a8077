"""ownership: covering indexes for walking the ownership graph

An ownership event walks the stakes in force below the company changed and above everything
it reaches, one level of ids at a time. Each step reads a stake's holder, held company, stake
and dates; with them all in the index the walk never touches the table's rows.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_COLUMNS = ("stake", "start_date", "end_date")


def upgrade() -> None:
    op.drop_index("ix_ownership_interests_owned_stake", table_name="ownership_interests")
    op.drop_index("ix_ownership_interests_owner_stake", table_name="ownership_interests")
    op.create_index(
        "ix_ownership_interests_owned_walk", "ownership_interests", ["owned_id", *_COLUMNS, "owner_id"]
    )
    op.create_index(
        "ix_ownership_interests_owner_walk", "ownership_interests", ["owner_id", *_COLUMNS, "owned_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_ownership_interests_owner_walk", table_name="ownership_interests")
    op.drop_index("ix_ownership_interests_owned_walk", table_name="ownership_interests")
    op.create_index("ix_ownership_interests_owner_stake", "ownership_interests", ["owner_id", "stake"])
    op.create_index("ix_ownership_interests_owned_stake", "ownership_interests", ["owned_id", "stake"])
