"""accounts: two-person approval of content-reading roles, forced password change, TOTP, token expiry

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

TOKEN_LIFETIME = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("content_approved", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(sa.Column("approval_requested_by", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    # Tokens issued before expiry existed expire 90 days after they were issued, like new ones.
    tokens = sa.table(
        "api_tokens",
        sa.column("id", sa.BigInteger()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    for token_id, created_at in connection.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        connection.execute(
            tokens.update().where(tokens.c.id == token_id).values(expires_at=created_at + TOKEN_LIFETIME)
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_secret")
        batch.drop_column("must_change_password")
        batch.drop_column("approval_requested_by")
        batch.drop_column("content_approved")
