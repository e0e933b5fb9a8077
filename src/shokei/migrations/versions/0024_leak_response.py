"""leak response: found files kept as evidence, and leak incidents

`found_files` (succession): each file traced, encrypted in the copies vault once per content.
`leak_incidents` (incidents): where and when a file was found, the trace's answer, the holder
suspended, the reporting clock and the state (opened → holder_identified → contained → closed,
or unresolved).

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "found_files",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("blob_id", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext_sha256", sa.String(length=64), nullable=False),
        sa.Column("ciphertext_size", sa.BigInteger(), nullable=False),
        sa.Column("stored_by_id", sa.BigInteger(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["stored_by_id"], ["users.id"], name=op.f("fk_found_files_stored_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_found_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_found_files_sha256")),
    )
    op.create_table(
        "leak_incidents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("found_at", sa.Text(), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=True),
        sa.Column("reporter", sa.Text(), nullable=True),
        sa.Column("found_file_id", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("copy_id", sa.String(length=48), nullable=True),
        sa.Column("recipient", sa.String(length=13), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("trace", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("holder_suspended", sa.Boolean(), nullable=False),
        sa.Column("reporting_hours", sa.Integer(), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_id", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actions", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["found_file_id"], ["found_files.id"], name=op.f("fk_leak_incidents_found_file_id_found_files")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_leak_incidents_opened_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leak_incidents")),
    )
    with op.batch_alter_table("leak_incidents") as batch:
        batch.create_index(batch.f("ix_leak_incidents_state"), ["state"])
        batch.create_index(batch.f("ix_leak_incidents_sha256"), ["sha256"])
        batch.create_index(batch.f("ix_leak_incidents_copy_id"), ["copy_id"])


def downgrade() -> None:
    op.drop_table("leak_incidents")
    op.drop_table("found_files")
