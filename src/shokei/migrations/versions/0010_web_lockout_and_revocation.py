"""web: the login lockout and logout revocations in the database

Both lived in the serving process: a restart forgave every lockout and revived every cookie
ended by logout, and a second process would have kept its own. Times are epoch milliseconds.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_login_failures",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start_ms", sa.BigInteger(), nullable=False),
        sa.Column("locked_until_ms", sa.BigInteger(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_web_login_failures")),
    )
    op.create_index(op.f("ix_web_login_failures_locked_until_ms"), "web_login_failures", ["locked_until_ms"])
    op.create_table(
        "web_revoked_sessions",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("until_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sid", name=op.f("pk_web_revoked_sessions")),
    )
    op.create_index(op.f("ix_web_revoked_sessions_until_ms"), "web_revoked_sessions", ["until_ms"])


def downgrade() -> None:
    op.drop_index(op.f("ix_web_revoked_sessions_until_ms"), table_name="web_revoked_sessions")
    op.drop_table("web_revoked_sessions")
    op.drop_index(op.f("ix_web_login_failures_locked_until_ms"), table_name="web_login_failures")
    op.drop_table("web_login_failures")
