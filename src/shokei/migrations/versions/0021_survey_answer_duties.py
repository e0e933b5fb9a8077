"""deadlines: a survey answer is a duty (reminders before a supply-chain survey's due date)

A company asked in a supply-chain survey owes its answer by the survey's due date: the duty
belongs to the survey campaign (`deadline_duties.survey_campaign_id`) instead of a case, so
`case_id` may be empty. Existing duties all belong to cases and keep their values.

Revision ID: 0021
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadline_duties") as batch:
        batch.add_column(sa.Column("survey_campaign_id", sa.BigInteger(), nullable=True))
        batch.alter_column("case_id", existing_type=sa.BigInteger(), nullable=True)
        batch.create_foreign_key(
            op.f("fk_deadline_duties_survey_campaign_id_survey_campaigns"),
            "survey_campaigns",
            ["survey_campaign_id"],
            ["id"],
        )
        batch.create_index(op.f("ix_deadline_duties_survey_campaign_id"), ["survey_campaign_id"])


def downgrade() -> None:
    op.execute("DELETE FROM deadline_duties WHERE case_id IS NULL")
    with op.batch_alter_table("deadline_duties") as batch:
        batch.drop_index(op.f("ix_deadline_duties_survey_campaign_id"))
        batch.drop_constraint(
            op.f("fk_deadline_duties_survey_campaign_id_survey_campaigns"), type_="foreignkey"
        )
        batch.alter_column("case_id", existing_type=sa.BigInteger(), nullable=False)
        batch.drop_column("survey_campaign_id")
