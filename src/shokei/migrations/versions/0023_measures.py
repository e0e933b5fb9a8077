"""measures: the measure decided for an escalated case, state-held facilities, budget lines

Issue 17. An escalated case carries a decision on the measure (`measures`, pushed down to the
case as `case_measures`); a facility acquired by the state (Art. 29, `facilities`) commits its
price on the budget's facilities line, separately from document purchases: every line other than
purchases has its own appropriation per fiscal year (`budget_line_appropriations`, keyed by year
and line) and commitments (`budget_line_commitments`). The purchases line keeps its rows where
they were (`budget_years`, `budget_lines`): existing budgets are the purchases line unchanged.
Entrustments of a facility's management and its filed annual reports have their tables.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budget_line_appropriations",
        sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("line", sa.String(length=16), nullable=False),
        sa.Column("appropriation_yen", sa.BigInteger(), nullable=False),
        sa.Column("set_by_id", sa.BigInteger(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_budget_line_appropriations_set_by_id_users")
        ),
        sa.PrimaryKeyConstraint("fiscal_year", "line", name=op.f("pk_budget_line_appropriations")),
    )
    op.create_table(
        "budget_line_commitments",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("amount_yen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("committed_on", sa.Date(), nullable=False),
        sa.Column("committed_by_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["exit_cases.id"], name=op.f("fk_budget_line_commitments_case_id_exit_cases")
        ),
        sa.ForeignKeyConstraint(
            ["committed_by_id"], ["users.id"], name=op.f("fk_budget_line_commitments_committed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["fiscal_year", "line"],
            ["budget_line_appropriations.fiscal_year", "budget_line_appropriations.line"],
            name=op.f("fk_budget_line_commitments_fiscal_year_budget_line_appropriations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line_commitments")),
        sa.UniqueConstraint("subject", name=op.f("uq_budget_line_commitments_subject")),
    )
    with op.batch_alter_table("budget_line_commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_line_commitments_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_budget_line_commitments_fiscal_year"), ["fiscal_year"], unique=False
        )

    op.create_table(
        "case_measures",
        sa.Column("measure_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["exit_cases.id"], name=op.f("fk_case_measures_case_id_exit_cases")
        ),
        sa.PrimaryKeyConstraint("measure_id", name=op.f("pk_case_measures")),
    )
    with op.batch_alter_table("case_measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_measures_case_id"), ["case_id"], unique=False)

    op.create_table(
        "measures",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.BigInteger(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["exit_cases.id"], name=op.f("fk_measures_case_id_exit_cases")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_measures_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures")),
    )
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measures_case_id"), ["case_id"], unique=False)

    op.create_table(
        "facilities",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("measure_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("prefecture", sa.String(length=8), nullable=False),
        sa.Column(
            "equipment",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("price_yen", sa.BigInteger(), nullable=False),
        sa.Column("acquired_on", sa.Date(), nullable=False),
        sa.Column("budget_commitment_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("transferee_company_id", sa.BigInteger(), nullable=True),
        sa.Column("transfer_price_yen", sa.BigInteger(), nullable=True),
        sa.Column("transferred_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_commitment_id"],
            ["budget_line_commitments.id"],
            name=op.f("fk_facilities_budget_commitment_id_budget_line_commitments"),
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_facilities_measure_id_measures")
        ),
        sa.ForeignKeyConstraint(
            ["transferee_company_id"],
            ["companies.id"],
            name=op.f("fk_facilities_transferee_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
        sa.UniqueConstraint("budget_commitment_id", name=op.f("uq_facilities_budget_commitment_id")),
    )
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facilities_measure_id"), ["measure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_facilities_status"), ["status"], unique=False)

    op.create_table(
        "facility_entrustments",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("facility_id", sa.BigInteger(), nullable=False),
        sa.Column("company_id", sa.BigInteger(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("entrusted_by_id", sa.BigInteger(), nullable=False),
        sa.Column("entrusted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_facility_entrustments_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["entrusted_by_id"], ["users.id"], name=op.f("fk_facility_entrustments_entrusted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_facility_entrustments_facility_id_facilities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_entrustments")),
    )
    with op.batch_alter_table("facility_entrustments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facility_entrustments_company_id"), ["company_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_facility_entrustments_facility_id"), ["facility_id"], unique=False
        )

    op.create_table(
        "facility_reports",
        sa.Column("facility_id", sa.BigInteger(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("filed_by_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_facility_reports_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_id"], ["users.id"], name=op.f("fk_facility_reports_filed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("facility_id", "fiscal_year", name=op.f("pk_facility_reports")),
    )


def downgrade() -> None:
    op.drop_table("facility_reports")
    with op.batch_alter_table("facility_entrustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_entrustments_facility_id"))
        batch_op.drop_index(batch_op.f("ix_facility_entrustments_company_id"))

    op.drop_table("facility_entrustments")
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facilities_status"))
        batch_op.drop_index(batch_op.f("ix_facilities_measure_id"))

    op.drop_table("facilities")
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measures_case_id"))

    op.drop_table("measures")
    with op.batch_alter_table("case_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_measures_case_id"))

    op.drop_table("case_measures")
    with op.batch_alter_table("budget_line_commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_line_commitments_fiscal_year"))
        batch_op.drop_index(batch_op.f("ix_budget_line_commitments_case_id"))

    op.drop_table("budget_line_commitments")
    op.drop_table("budget_line_appropriations")
