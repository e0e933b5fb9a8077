"""deadlines: duties on records other than a case or survey (a recalled copy's return, a
certification's renewal): the record they hang on and the page where they are done

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"  # 0021 (survey answer duties) already lets a duty have no case
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadline_duties") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("link", sa.String(length=255), nullable=True))
        batch.create_index(op.f("ix_deadline_duties_subject"), ["subject"])


def downgrade() -> None:
    op.execute("DELETE FROM deadline_duties WHERE subject IS NOT NULL")
    with op.batch_alter_table("deadline_duties") as batch:
        batch.drop_index(op.f("ix_deadline_duties_subject"))
        batch.drop_column("link")
        batch.drop_column("subject")
