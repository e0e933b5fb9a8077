"""cases: officials assigned to cases, and break-glass reasons to read an unassigned case's contents

Revision ID: 0028
Revises: 0027
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
    op.create_table(
        "case_assignments",
        sa.Column("id", big_id, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role_on_case", sa.String(length=32), nullable=False),
        sa.Column("assigned_by_id", sa.BigInteger(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_assignments")),
        sa.UniqueConstraint("case_id", "user_id", name=op.f("uq_case_assignments_case_id")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["exit_cases.id"], name=op.f("fk_case_assignments_case_id_exit_cases")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_case_assignments_user_id_users")),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["users.id"], name=op.f("fk_case_assignments_assigned_by_id_users")
        ),
    )
    op.create_index(op.f("ix_case_assignments_case_id"), "case_assignments", ["case_id"])
    op.create_index(op.f("ix_case_assignments_user_id"), "case_assignments", ["user_id"])
    op.create_table(
        "case_break_glass",
        sa.Column("id", big_id, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_break_glass")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["exit_cases.id"], name=op.f("fk_case_break_glass_case_id_exit_cases")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_case_break_glass_user_id_users")),
    )
    op.create_index(op.f("ix_case_break_glass_case_id"), "case_break_glass", ["case_id"])
    op.create_index(op.f("ix_case_break_glass_user_id"), "case_break_glass", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_case_break_glass_user_id"), table_name="case_break_glass")
    op.drop_index(op.f("ix_case_break_glass_case_id"), table_name="case_break_glass")
    op.drop_table("case_break_glass")
    op.drop_index(op.f("ix_case_assignments_user_id"), table_name="case_assignments")
    op.drop_index(op.f("ix_case_assignments_case_id"), table_name="case_assignments")
    op.drop_table("case_assignments")
