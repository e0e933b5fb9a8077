"""cases: flags on the open cases a suspended company is involved in, resolved on reinstatement

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
    op.create_table(
        "case_flags",
        sa.Column("id", big_id, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("company_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("involvement", sa.String(length=16), nullable=False),
        sa.Column("cause", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_flags")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["exit_cases.id"], name=op.f("fk_case_flags_case_id_exit_cases")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_case_flags_company_id_companies")
        ),
    )
    op.create_index(op.f("ix_case_flags_case_id"), "case_flags", ["case_id"])
    op.create_index(op.f("ix_case_flags_company_id"), "case_flags", ["company_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_case_flags_company_id"), table_name="case_flags")
    op.drop_index(op.f("ix_case_flags_case_id"), table_name="case_flags")
    op.drop_table("case_flags")
