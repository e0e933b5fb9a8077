"""ownership and risk: entities, interests, BODS records, imports, ownership events, alerts,
the name-match review queue and settings; financial indicators, company events, scoring runs

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sqlite.INTEGER(), "sqlite")
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# shokei.ownership.models.Percent: a percentage as an integer number of millionths of a percent.
PERCENT = sa.BigInteger()


def upgrade() -> None:
    op.create_table(
        "ownership_imports",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("summary", JSON_DOC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ownership_imports")),
    )
    with op.batch_alter_table("ownership_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ownership_imports_sha256"), ["sha256"], unique=False)

    op.create_table(
        "ownership_settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", JSON_DOC, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ownership_settings")),
    )
    op.create_table(
        "risk_runs",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_by", sa.String(length=64), nullable=False),
        sa.Column("policy_version", sa.String(length=32), nullable=False),
        sa.Column("company_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_runs")),
    )
    with op.batch_alter_table("risk_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_runs_run_at"), ["run_at"], unique=False)

    op.create_table(
        "ownership_entities",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("normalized_name", sa.String(length=500), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("company_id", BIG_ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_ownership_entities_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ownership_entities")),
        sa.UniqueConstraint("company_id", name=op.f("uq_ownership_entities_company_id")),
        sa.UniqueConstraint("key", name=op.f("uq_ownership_entities_key")),
    )
    with op.batch_alter_table("ownership_entities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ownership_entities_normalized_name"), ["normalized_name"], unique=False
        )

    op.create_table(
        "risk_events",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("company_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_risk_events_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_events")),
    )
    with op.batch_alter_table("risk_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_events_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_events_occurred_on"), ["occurred_on"], unique=False)

    op.create_table(
        "risk_financials",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("company_id", BIG_ID, nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("revenue_yen", sa.BigInteger(), nullable=True),
        sa.Column("operating_profit_yen", sa.BigInteger(), nullable=True),
        sa.Column("net_income_yen", sa.BigInteger(), nullable=True),
        sa.Column("equity_ratio_percent", sa.Float(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_risk_financials_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_financials")),
        sa.UniqueConstraint("company_id", "fiscal_year", name=op.f("uq_risk_financials_company_id")),
    )
    with op.batch_alter_table("risk_financials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_financials_company_id"), ["company_id"], unique=False)

    op.create_table(
        "risk_scores",
        sa.Column("run_id", BIG_ID, nullable=False),
        sa.Column("company_id", BIG_ID, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("recommendation", sa.String(length=32), nullable=False),
        sa.Column("contributions", JSON_DOC, nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_risk_scores_company_id_companies")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["risk_runs.id"], name=op.f("fk_risk_scores_run_id_risk_runs")),
        sa.PrimaryKeyConstraint("run_id", "company_id", name=op.f("pk_risk_scores")),
    )
    with op.batch_alter_table("risk_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_scores_company_id"), ["company_id"], unique=False)

    op.create_table(
        "ownership_bods_records",
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("record_type", sa.String(length=16), nullable=False),
        sa.Column("entity_id", BIG_ID, nullable=True),
        sa.Column("statement", JSON_DOC, nullable=False),
        sa.Column("import_id", BIG_ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["ownership_entities.id"],
            name=op.f("fk_ownership_bods_records_entity_id_ownership_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["ownership_imports.id"],
            name=op.f("fk_ownership_bods_records_import_id_ownership_imports"),
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_ownership_bods_records")),
    )
    with op.batch_alter_table("ownership_bods_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ownership_bods_records_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "ownership_changes",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("owner_id", BIG_ID, nullable=False),
        sa.Column("owned_id", BIG_ID, nullable=False),
        sa.Column("before", PERCENT, nullable=True),
        sa.Column("after", PERCENT, nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["owned_id"],
            ["ownership_entities.id"],
            name=op.f("fk_ownership_changes_owned_id_ownership_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["ownership_entities.id"],
            name=op.f("fk_ownership_changes_owner_id_ownership_entities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ownership_changes")),
    )
    with op.batch_alter_table("ownership_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ownership_changes_effective_date"), ["effective_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ownership_changes_owned_id"), ["owned_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ownership_changes_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "ownership_identifiers",
        sa.Column("identifier", sa.String(length=300), nullable=False),
        sa.Column("entity_id", BIG_ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["ownership_entities.id"],
            name=op.f("fk_ownership_identifiers_entity_id_ownership_entities"),
        ),
        sa.PrimaryKeyConstraint("identifier", name=op.f("pk_ownership_identifiers")),
    )
    with op.batch_alter_table("ownership_identifiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ownership_identifiers_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "ownership_interests",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("owner_id", BIG_ID, nullable=False),
        sa.Column("owned_id", BIG_ID, nullable=False),
        sa.Column("interest_type", sa.String(length=64), nullable=True),
        sa.Column("directness", sa.String(length=16), nullable=False),
        sa.Column("share", JSON_DOC, nullable=True),
        sa.Column("voting", JSON_DOC, nullable=True),
        sa.Column("stake", PERCENT, nullable=True),
        sa.Column("appoints_board", sa.Boolean(), nullable=False),
        sa.Column("beneficial", sa.Boolean(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("record_id", sa.String(length=200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owned_id"],
            ["ownership_entities.id"],
            name=op.f("fk_ownership_interests_owned_id_ownership_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["ownership_entities.id"],
            name=op.f("fk_ownership_interests_owner_id_ownership_entities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ownership_interests")),
    )
    with op.batch_alter_table("ownership_interests", schema=None) as batch_op:
        batch_op.create_index("ix_ownership_interests_owned_stake", ["owned_id", "stake"], unique=False)
        batch_op.create_index("ix_ownership_interests_owner_stake", ["owner_id", "stake"], unique=False)
        batch_op.create_index(batch_op.f("ix_ownership_interests_record_id"), ["record_id"], unique=False)

    op.create_table(
        "ownership_match_candidates",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("entity_id", BIG_ID, nullable=False),
        sa.Column("company_id", BIG_ID, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_ownership_match_candidates_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["ownership_entities.id"],
            name=op.f("fk_ownership_match_candidates_entity_id_ownership_entities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ownership_match_candidates")),
    )
    with op.batch_alter_table("ownership_match_candidates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ownership_match_candidates_entity_id"), ["entity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ownership_match_candidates_status"), ["status"], unique=False)

    op.create_table(
        "ownership_alerts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("company_id", BIG_ID, nullable=False),
        sa.Column("entity_id", BIG_ID, nullable=False),
        sa.Column("threshold", PERCENT, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("measures", JSON_DOC, nullable=False),
        sa.Column("chain", JSON_DOC, nullable=True),
        sa.Column("cause", sa.String(length=200), nullable=False),
        sa.Column("change_id", BIG_ID, nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_cause", sa.String(length=200), nullable=True),
        sa.Column("resolved_measures", JSON_DOC, nullable=True),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["ownership_changes.id"],
            name=op.f("fk_ownership_alerts_change_id_ownership_changes"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_ownership_alerts_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["ownership_entities.id"],
            name=op.f("fk_ownership_alerts_entity_id_ownership_entities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ownership_alerts")),
    )
    with op.batch_alter_table("ownership_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ownership_alerts_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ownership_alerts_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_ownership_alerts_open",
            ["company_id", "threshold"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )


def downgrade() -> None:
    # Dropping a table drops its indexes; children before parents.
    op.drop_table("ownership_alerts")
    op.drop_table("ownership_match_candidates")
    op.drop_table("ownership_interests")
    op.drop_table("ownership_identifiers")
    op.drop_table("ownership_changes")
    op.drop_table("ownership_bods_records")
    op.drop_table("risk_scores")
    op.drop_table("risk_financials")
    op.drop_table("risk_events")
    op.drop_table("ownership_entities")
    op.drop_table("risk_runs")
    op.drop_table("ownership_settings")
    op.drop_table("ownership_imports")
