"""accounts: the TOTP secret sealed under the vault's master keys instead of plain text

Revision ID: 0029
Revises: 0028

Migrations see the database, never the keys, so a plain secret cannot be sealed here: the plain
column is dropped and whoever had enrolled a second factor before this revision enrols again
(`shokei user mfa enroll NAME`; with `SHOKEI_WEB_MFA_REQUIRED=officials`, the default, the login
page tells a ministry account so). The last accepted step goes with it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_sealed", sa.LargeBinary(), nullable=True))
        batch.drop_column("totp_secret")
    op.execute(sa.text("UPDATE users SET totp_last_step = NULL"))


def downgrade() -> None:
    # Sealed secrets cannot be unsealed without the keys either: everyone enrols again.
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.drop_column("totp_sealed")
    op.execute(sa.text("UPDATE users SET totp_last_step = NULL"))
