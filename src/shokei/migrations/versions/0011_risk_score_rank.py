"""risk: each recorded score keeps its place in the run's ranking

The dashboard shows the top of the last recorded run instead of scoring every company on each
view; the rank (the live ranking's order, ties included) is what it reads, by index.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("risk_scores") as batch:
        batch.add_column(sa.Column("rank", sa.Integer(), nullable=True))
    op.create_index("ix_risk_scores_run_id_rank", "risk_scores", ["run_id", "rank"])


def downgrade() -> None:
    op.drop_index("ix_risk_scores_run_id_rank", table_name="risk_scores")
    with op.batch_alter_table("risk_scores") as batch:
        batch.drop_column("rank")
