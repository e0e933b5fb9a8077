from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shokei.db import Base, BigId


class Notification(Base):
    """A notice to one user: the in-app inbox row and, when the user has an e-mail address, the
    outbox row of its e-mail (written in the transaction of the event that asked for it)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_outbox", "mail_state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    occasion: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("exit_cases.id"))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(255))  # a path in the web application
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # -- the outbox ------------------------------------------------------------------------------
    email: Mapped[str | None] = mapped_column(String(254))  # the address when the notice was made
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    mail_state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[str | None] = mapped_column(String(255))  # on record before the first send
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
