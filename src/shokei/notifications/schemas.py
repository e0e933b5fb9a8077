from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class InboxItem(BaseModel):
    """One notice in the acting user's inbox (`shokei inbox --json`, GET /api/v1/notifications)."""

    id: int
    at: datetime
    subject: str
    read: bool
    link: str


class OutgoingMail(BaseModel):
    """A claimed e-mail, as the worker sends it."""

    id: int
    to: str
    subject: str
    body: str
    link: str
    message_id: str
    attempts: int


class DeliveryReport(BaseModel):
    sent: int = 0
    retried: int = 0
    failed: int = 0
    reminded: int = 0
    flagged: int = 0
    digests: int = 0
