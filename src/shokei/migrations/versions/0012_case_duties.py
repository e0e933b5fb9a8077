"""cases: duties and destruction certificates pushed into the case by the features that record them

Separation of duties and the close guard used to ask examination, purchase and succession at
call time (cases imported the features built on it). Those features now push the facts into
the case: who examined or negotiated it (`case_duties`), how many certificates of destruction
were recorded (`exit_cases.destruction_certificates`). Both are filled here from the records
already kept.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
    op.create_table(
        "case_duties",
        sa.Column("id", big_id, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("duty", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_duties")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["exit_cases.id"], name=op.f("fk_case_duties_case_id_exit_cases")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_case_duties_user_id_users")),
        sa.UniqueConstraint("case_id", "user_id", "duty", name=op.f("uq_case_duties_case_id")),
    )
    op.create_index(op.f("ix_case_duties_case_id"), "case_duties", ["case_id"])
    with op.batch_alter_table("exit_cases") as batch:
        batch.add_column(
            sa.Column("destruction_certificates", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(
        """
        INSERT INTO case_duties (case_id, user_id, duty)
        SELECT case_id, examiner_id, 'examined' FROM examination_scores
        UNION SELECT case_id, determined_by_id, 'examined' FROM examination_determinations
        UNION SELECT case_id, recorded_by_id, 'negotiated' FROM purchase_valuations
        UNION SELECT case_id, proposed_by_id, 'negotiated' FROM purchase_agreements
        """
    )
    op.execute(
        """
        UPDATE exit_cases SET destruction_certificates = (
            SELECT count(*) FROM destruction_certificates d WHERE d.case_id = exit_cases.id
        )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("exit_cases") as batch:
        batch.drop_column("destruction_certificates")
    op.drop_index(op.f("ix_case_duties_case_id"), table_name="case_duties")
    op.drop_table("case_duties")
