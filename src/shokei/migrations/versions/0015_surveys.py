"""supply_chain: survey campaigns, respondents, answers, and foreign suppliers in the map

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
    json_doc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.create_table(
        "foreign_supply_relations",
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("registry_id", sa.String(length=64), nullable=False),
        sa.Column("component_id", sa.BigInteger(), nullable=False),
        sa.Column("tier", sa.SmallInteger(), nullable=False),
        sa.Column("share", sa.Float(), nullable=True),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["component_id"],
            ["components.id"],
            name=op.f("fk_foreign_supply_relations_component_id_components"),
        ),
        sa.PrimaryKeyConstraint(
            "country", "registry_id", "component_id", name=op.f("pk_foreign_supply_relations")
        ),
    )
    op.create_index(
        op.f("ix_foreign_supply_relations_component_id"), "foreign_supply_relations", ["component_id"]
    )
    op.create_table(
        "survey_campaigns",
        sa.Column("id", big_id, nullable=False),
        sa.Column("system_id", sa.BigInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["system_id"], ["weapon_systems.id"], name=op.f("fk_survey_campaigns_system_id_weapon_systems")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_campaigns")),
    )
    op.create_index(op.f("ix_survey_campaigns_system_id"), "survey_campaigns", ["system_id"])
    op.create_table(
        "survey_respondents",
        sa.Column("id", big_id, nullable=False),
        sa.Column("campaign_id", sa.BigInteger(), nullable=False),
        sa.Column("corporate_number", sa.String(length=13), nullable=False),
        sa.Column("tier", sa.SmallInteger(), nullable=False),
        sa.Column("asked_by_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("asked_parts", json_doc, nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["survey_campaigns.id"],
            name=op.f("fk_survey_respondents_campaign_id_survey_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_id"],
            ["survey_respondents.id"],
            name=op.f("fk_survey_respondents_asked_by_id_survey_respondents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_respondents")),
        sa.UniqueConstraint(
            "campaign_id", "corporate_number", name=op.f("uq_survey_respondents_campaign_id")
        ),
    )
    op.create_index(op.f("ix_survey_respondents_campaign_id"), "survey_respondents", ["campaign_id"])
    op.create_index(
        op.f("ix_survey_respondents_corporate_number"), "survey_respondents", ["corporate_number"]
    )
    op.create_table(
        "survey_answers",
        sa.Column("id", big_id, nullable=False),
        sa.Column("respondent_id", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("problems", json_doc, nullable=False),
        sa.Column("applied", json_doc, nullable=False),
        sa.Column("supply_keys", json_doc, nullable=False),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["survey_respondents.id"],
            name=op.f("fk_survey_answers_respondent_id_survey_respondents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
    )
    op.create_index(op.f("ix_survey_answers_respondent_id"), "survey_answers", ["respondent_id"])


def downgrade() -> None:
    op.drop_table("survey_answers")
    op.drop_table("survey_respondents")
    op.drop_table("survey_campaigns")
    op.drop_table("foreign_supply_relations")
