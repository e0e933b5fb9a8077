"""succession: copy status (issued, recalled, destroyed), recall and return; dissemination
rejected with a reason and accepted by the subcontractor; alerts acknowledged and closed

Every issued copy carries its status: `issued`, `recalled` (an official recalled it with a
reason), `destroyed` (its holder recorded a certificate of destruction: a reference and the
scanned certificate's sha256). A dissemination request can be rejected with a reason, and the
subcontractor's user accepts the terms before its copy can be downloaded. A foreign-control
alert is acknowledged (with a note) and closed (with a reason) by an official.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handover_copies") as batch:
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="issued"))
        batch.add_column(sa.Column("recalled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("recalled_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("recall_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("destroyed_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("destruction_reference", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("destruction_sha256", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_handover_copies_status"), ["status"])
    with op.batch_alter_table("dissemination_requests") as batch:
        batch.add_column(sa.Column("decision_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("accepted_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("ownership_alerts") as batch:
        batch.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("acknowledged_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("acknowledgement_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("close_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ownership_alerts") as batch:
        for column in (
            "close_reason",
            "closed_by",
            "closed_at",
            "acknowledgement_note",
            "acknowledged_by",
            "acknowledged_at",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("dissemination_requests") as batch:
        for column in ("accepted_by", "accepted_at", "decision_reason"):
            batch.drop_column(column)
    with op.batch_alter_table("handover_copies") as batch:
        batch.drop_index(batch.f("ix_handover_copies_status"))
        for column in (
            "destruction_sha256",
            "destruction_reference",
            "destroyed_by",
            "destroyed_at",
            "recall_reason",
            "recalled_by",
            "recalled_at",
            "status",
        ):
            batch.drop_column(column)
