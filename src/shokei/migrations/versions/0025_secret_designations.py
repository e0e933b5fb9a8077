"""secrets: the register of designated secrets (装備品等秘密, Art. 27) and each one's history

One row per designation of one document (`secret_designations`): lifted ones stay, marked
`lifted`; at most one not lifted per document (a partial unique index). Each act (designate,
renew, lift) is a line of `secret_designation_acts`.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
    op.create_table(
        "secret_designations",
        sa.Column("id", big_id, nullable=False),
        sa.Column("document_id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("designated_by_id", sa.BigInteger(), nullable=False),
        sa.Column("designated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_by_id", sa.BigInteger(), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secret_designations")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_secret_designations_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["exit_cases.id"], name=op.f("fk_secret_designations_case_id_exit_cases")
        ),
        sa.ForeignKeyConstraint(
            ["designated_by_id"], ["users.id"], name=op.f("fk_secret_designations_designated_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["users.id"], name=op.f("fk_secret_designations_lifted_by_id_users")
        ),
    )
    op.create_index(op.f("ix_secret_designations_document_id"), "secret_designations", ["document_id"])
    op.create_index(op.f("ix_secret_designations_case_id"), "secret_designations", ["case_id"])
    op.create_index(op.f("ix_secret_designations_valid_until"), "secret_designations", ["valid_until"])
    op.create_index(
        "uq_secret_designations_standing",
        "secret_designations",
        ["document_id"],
        unique=True,
        sqlite_where=sa.text("status = 'designated'"),
        postgresql_where=sa.text("status = 'designated'"),
    )
    op.create_table(
        "secret_designation_acts",
        sa.Column("id", big_id, nullable=False),
        sa.Column("designation_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secret_designation_acts")),
        sa.ForeignKeyConstraint(
            ["designation_id"],
            ["secret_designations.id"],
            name=op.f("fk_secret_designation_acts_designation_id_secret_designations"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_secret_designation_acts_actor_id_users")
        ),
    )
    op.create_index(
        op.f("ix_secret_designation_acts_designation_id"), "secret_designation_acts", ["designation_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_secret_designation_acts_designation_id"), table_name="secret_designation_acts")
    op.drop_table("secret_designation_acts")
    op.drop_index("uq_secret_designations_standing", table_name="secret_designations")
    op.drop_index(op.f("ix_secret_designations_valid_until"), table_name="secret_designations")
    op.drop_index(op.f("ix_secret_designations_case_id"), table_name="secret_designations")
    op.drop_index(op.f("ix_secret_designations_document_id"), table_name="secret_designations")
    op.drop_table("secret_designations")
