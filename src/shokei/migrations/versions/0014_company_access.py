"""companies: access (suspension), the register of certified recipients, changed-condition reports

A company that holds copies of design documents, or succeeds in an open case, loses its access
in the transaction of the fact that makes it ineligible (or by an official's hand); the
suspension is kept on the company. Certifications (named custodian, valid until, scope) are a
register of their own, ended by revocation, expiry or a newer certification. Changed-condition
reports are what the companies themselves report.

Revision ID: 0014
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
    with op.batch_alter_table("companies") as batch:
        batch.add_column(sa.Column("suspended_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("suspension_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("suspension_cause", sa.String(length=32), nullable=True))
    op.create_table(
        "company_certifications",
        sa.Column("id", big_id, nullable=False),
        sa.Column("company_id", sa.BigInteger(), nullable=False),
        sa.Column("custodian", sa.String(length=255), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("scope", JSON_DOC, nullable=False),
        sa.Column("certified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("certified_by", sa.String(length=64), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_kind", sa.String(length=16), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("ended_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_certifications")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_company_certifications_company_id_companies")
        ),
    )
    op.create_index(op.f("ix_company_certifications_company_id"), "company_certifications", ["company_id"])
    op.create_index(op.f("ix_company_certifications_valid_until"), "company_certifications", ["valid_until"])
    op.create_table(
        "company_change_reports",
        sa.Column("id", big_id, nullable=False),
        sa.Column("company_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=True),
        sa.Column("owner_country", sa.String(length=2), nullable=True),
        sa.Column("share", sa.Numeric(6, 3), nullable=True),
        sa.Column("ownership_change_id", sa.BigInteger(), nullable=True),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_change_reports")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_company_change_reports_company_id_companies")
        ),
    )
    op.create_index(op.f("ix_company_change_reports_company_id"), "company_change_reports", ["company_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_company_change_reports_company_id"), table_name="company_change_reports")
    op.drop_table("company_change_reports")
    op.drop_index(op.f("ix_company_certifications_valid_until"), table_name="company_certifications")
    op.drop_index(op.f("ix_company_certifications_company_id"), table_name="company_certifications")
    op.drop_table("company_certifications")
    with op.batch_alter_table("companies") as batch:
        batch.drop_column("suspension_cause")
        batch.drop_column("suspension_reason")
        batch.drop_column("suspended_since")
