"""examination_and_purchase: policies used, scores, overrides, determinations, declared interests;
valuations, agreements, fiscal-year budgets and their lines

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sqlite.INTEGER(), "sqlite")
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _fk(table: str, column: str, target: str, target_column: str = "id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.{target_column}"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table) as batch:
        for column in columns:
            batch.create_index(batch.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    _examination()
    _purchase()


def _examination() -> None:
    op.create_table(
        "examination_policies",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_examination_policies")),
    )
    op.create_table(
        "declared_interests",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("company_id", sa.BigInteger(), nullable=False),
        sa.Column("relationship", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("declared_by_id", sa.BigInteger(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        _fk("declared_interests", "company_id", "companies"),
        _fk("declared_interests", "declared_by_id", "users"),
        _fk("declared_interests", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declared_interests")),
        sa.UniqueConstraint(
            "user_id", "company_id", "relationship", name=op.f("uq_declared_interests_user_id")
        ),
    )
    _indexes("declared_interests", "company_id", "user_id")
    op.create_table(
        "examination_overrides",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("determination", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.BigInteger(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        _fk("examination_overrides", "case_id", "exit_cases"),
        _fk("examination_overrides", "decided_by_id", "users"),
        _fk("examination_overrides", "policy_version", "examination_policies", "version"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_examination_overrides")),
    )
    _indexes("examination_overrides", "case_id")
    op.create_table(
        "examination_determinations",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("determination", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("rule_detail", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("snapshot", JSON_DOC, nullable=False),
        sa.Column("override_id", sa.BigInteger(), nullable=True),
        sa.Column("determined_by_id", sa.BigInteger(), nullable=False),
        sa.Column("determined_at", sa.DateTime(timezone=True), nullable=False),
        _fk("examination_determinations", "case_id", "exit_cases"),
        _fk("examination_determinations", "determined_by_id", "users"),
        _fk("examination_determinations", "override_id", "examination_overrides"),
        _fk("examination_determinations", "policy_version", "examination_policies", "version"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_examination_determinations")),
        sa.UniqueConstraint("case_id", name=op.f("uq_examination_determinations_case_id")),
    )
    op.create_table(
        "examination_scores",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("line_id", sa.BigInteger(), nullable=False),
        sa.Column("examiner_id", sa.BigInteger(), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("criterion_values", JSON_DOC, nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        _fk("examination_scores", "case_id", "exit_cases"),
        _fk("examination_scores", "examiner_id", "users"),
        _fk("examination_scores", "line_id", "inventory_lines"),
        _fk("examination_scores", "policy_version", "examination_policies", "version"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_examination_scores")),
    )
    _indexes("examination_scores", "case_id", "examiner_id", "line_id")


def _purchase() -> None:
    op.create_table(
        "budget_years",
        sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("appropriation_yen", sa.BigInteger(), nullable=False),
        sa.Column("set_by_id", sa.BigInteger(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        _fk("budget_years", "set_by_id", "users"),
        sa.PrimaryKeyConstraint("fiscal_year", name=op.f("pk_budget_years")),
    )
    op.create_table(
        "purchase_valuations",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("inputs", JSON_DOC, nullable=False),
        sa.Column("suggested_low_yen", sa.BigInteger(), nullable=False),
        sa.Column("suggested_high_yen", sa.BigInteger(), nullable=False),
        sa.Column("ceiling_yen", sa.BigInteger(), nullable=False),
        sa.Column("valued_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        _fk("purchase_valuations", "case_id", "exit_cases"),
        _fk("purchase_valuations", "recorded_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_valuations")),
    )
    _indexes("purchase_valuations", "case_id")
    op.create_table(
        "purchase_agreements",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("amount_yen", sa.BigInteger(), nullable=False),
        sa.Column("payment_due", sa.Date(), nullable=True),
        sa.Column("rights_transferred", sa.Text(), nullable=False),
        sa.Column("obligations", JSON_DOC, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("proposed_by_id", sa.BigInteger(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.BigInteger(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ceiling_yen", sa.BigInteger(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("ended_by_id", sa.BigInteger(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        _fk("purchase_agreements", "approved_by_id", "users"),
        _fk("purchase_agreements", "case_id", "exit_cases"),
        _fk("purchase_agreements", "ended_by_id", "users"),
        _fk("purchase_agreements", "proposed_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_agreements")),
    )
    _indexes("purchase_agreements", "case_id", "status")
    op.create_table(
        "budget_lines",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("agreement_id", sa.BigInteger(), nullable=False),
        sa.Column("amount_yen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("committed_on", sa.Date(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("released_on", sa.Date(), nullable=True),
        _fk("budget_lines", "agreement_id", "purchase_agreements"),
        _fk("budget_lines", "case_id", "exit_cases"),
        _fk("budget_lines", "fiscal_year", "budget_years", "fiscal_year"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_lines")),
        sa.UniqueConstraint("agreement_id", name=op.f("uq_budget_lines_agreement_id")),
    )
    _indexes("budget_lines", "case_id", "fiscal_year")


def downgrade() -> None:
    for table in (
        "budget_lines",
        "purchase_agreements",
        "purchase_valuations",
        "budget_years",
        "examination_scores",
        "examination_determinations",
        "examination_overrides",
        "declared_interests",
        "examination_policies",
    ):
        op.drop_table(table)
