from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    company_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("companies.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Where notices are e-mailed (notifications feature); none: the in-app inbox only.
    email: Mapped[str | None] = mapped_column(String(254))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Two-person rule: a role that reads document contents, given by an admin, reads nothing until
    # a program manager other than that admin approves it (`approval_requested_by` is the admin).
    content_approved: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    approval_requested_by: Mapped[int | None] = mapped_column(BigInteger)
    # A password an admin reset is a one-time password: the next web login must replace it.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The TOTP shared secret once enrolled, sealed under the vault's master keys with the user's
    # id and name as associated data (`credentials.totp_associated_data`); none: no second factor.
    totp_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The last TOTP time step accepted: a code is good once (a replayed code is refused).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Web sessions carry the generation they began in; a password reset starts a new one, which
    # ends every session begun before it (whoever held one may be why the password was reset).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ApiToken(Base):
    """Only a SHA-256 of the token is kept; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
