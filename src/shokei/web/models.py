"""What the web shell remembers across requests and serving processes: failed logins (the
lockout) and sessions ended by logout. Times are Unix epoch milliseconds."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base


def epoch_ms(seconds: float) -> int:
    """Unix seconds (what the web clocks give) as the milliseconds these tables keep."""
    return round(seconds * 1000)


class LoginFailures(Base):
    """Failed logins for one username (`kind` "user") or one client address ("ip")."""

    __tablename__ = "web_login_failures"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start_ms: Mapped[int] = mapped_column(BigInteger)
    locked_until_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    lockouts: Mapped[int] = mapped_column(Integer)


class RevokedSession(Base):
    """A session id ended by logout, kept until the session would have expired anyway."""

    __tablename__ = "web_revoked_sessions"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    until_ms: Mapped[int] = mapped_column(BigInteger, index=True)
