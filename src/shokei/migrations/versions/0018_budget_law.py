"""purchase: budget law (carry-over, year close, lapse) and the case's open commitment

Japanese budget execution: a commitment paid in a later fiscal year than it was committed in
needs a recorded carry-over (繰越, `budget_carry_overs`); `budget close` marks the year closed
(`budget_years.closed_at`) and lapses the commitments neither paid nor carried
(`budget_lines.lapsed_on`). A case cannot close while its purchase is committed but neither
paid, cancelled nor lapsed: purchase pushes that fact into the case (`exit_cases.purchase_open`),
filled here from the budget lines already kept.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
    with op.batch_alter_table("budget_years") as batch:
        batch.add_column(sa.Column("closed_by_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            op.f("fk_budget_years_closed_by_id_users"), "users", ["closed_by_id"], ["id"]
        )
    with op.batch_alter_table("budget_lines") as batch:
        batch.add_column(sa.Column("lapsed_on", sa.Date(), nullable=True))
    op.create_table(
        "budget_carry_overs",
        sa.Column("id", big_id, nullable=False),
        sa.Column("line_id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("from_fiscal_year", sa.Integer(), nullable=False),
        sa.Column("to_fiscal_year", sa.Integer(), nullable=False),
        sa.Column("amount_yen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approved_by_id", sa.BigInteger(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_carry_overs")),
        sa.ForeignKeyConstraint(
            ["line_id"], ["budget_lines.id"], name=op.f("fk_budget_carry_overs_line_id_budget_lines")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["exit_cases.id"], name=op.f("fk_budget_carry_overs_case_id_exit_cases")
        ),
        sa.ForeignKeyConstraint(
            ["from_fiscal_year"],
            ["budget_years.fiscal_year"],
            name=op.f("fk_budget_carry_overs_from_fiscal_year_budget_years"),
        ),
        sa.ForeignKeyConstraint(
            ["to_fiscal_year"],
            ["budget_years.fiscal_year"],
            name=op.f("fk_budget_carry_overs_to_fiscal_year_budget_years"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_budget_carry_overs_approved_by_id_users")
        ),
        sa.UniqueConstraint("line_id", name=op.f("uq_budget_carry_overs_line_id")),
    )
    op.create_index(op.f("ix_budget_carry_overs_case_id"), "budget_carry_overs", ["case_id"])
    op.create_index(
        op.f("ix_budget_carry_overs_from_fiscal_year"), "budget_carry_overs", ["from_fiscal_year"]
    )
    op.create_index(op.f("ix_budget_carry_overs_to_fiscal_year"), "budget_carry_overs", ["to_fiscal_year"])
    with op.batch_alter_table("exit_cases") as batch:
        batch.add_column(sa.Column("purchase_open", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        """
        UPDATE exit_cases SET purchase_open = EXISTS (
            SELECT 1 FROM budget_lines b WHERE b.case_id = exit_cases.id AND b.status = 'committed'
        )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("exit_cases") as batch:
        batch.drop_column("purchase_open")
    op.drop_index(op.f("ix_budget_carry_overs_to_fiscal_year"), table_name="budget_carry_overs")
    op.drop_index(op.f("ix_budget_carry_overs_from_fiscal_year"), table_name="budget_carry_overs")
    op.drop_index(op.f("ix_budget_carry_overs_case_id"), table_name="budget_carry_overs")
    op.drop_table("budget_carry_overs")
    with op.batch_alter_table("budget_lines") as batch:
        batch.drop_column("lapsed_on")
    with op.batch_alter_table("budget_years") as batch:
        batch.drop_constraint(op.f("fk_budget_years_closed_by_id_users"), type_="foreignkey")
        batch.drop_column("closed_at")
        batch.drop_column("closed_by_id")
