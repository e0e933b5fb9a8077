"""Notices and their delivery rules. Pure: no I/O.

Delivery is a transactional outbox: the notice (and its pending e-mail) is written in the
transaction of the event that asks someone to act; `shokei worker` claims pending e-mails, sends
them and marks them sent. See docs/notifications.md for the at-least-once / exactly-once reasoning.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class Occasion(StrEnum):
    """Why a notice is sent: a duty started, falls due soon, or is overdue; or the daily digest."""

    STARTED = "started"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DIGEST = "digest"
    CONTENTS_OPENED = "contents_opened"  # a case's contents opened on one's own say (to the other PMs)


class MailState(StrEnum):
    NONE = "none"  # the user has no e-mail address: the in-app inbox only
    PENDING = "pending"  # waiting for the worker (first try, or a retry after `next_attempt_at`)
    SENDING = "sending"  # claimed by a worker until `lease_until`; its Message-ID is on record
    SENT = "sent"
    FAILED = "failed"  # given up after the configured attempts


# Claimable: pending, or sending under an expired lease (the worker that claimed it died).
CLAIMABLE = (MailState.PENDING.value, MailState.SENDING.value)


def message_id(key: str, from_address: str) -> str:
    """The Message-ID of a notice's e-mail: the notice's idempotency key, the same on every
    attempt, so a copy re-sent after a crash is recognisably the same message."""
    domain = from_address.rpartition("@")[2] or "localhost"
    return f"<{key}@{domain}>"


def retry_delay(attempts: int, base_seconds: float, cap_seconds: float = 3600.0) -> timedelta:
    """Exponential backoff: base, 2x base, 4x base, ... after the 1st, 2nd, 3rd failed attempt."""
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))


def next_state_after_failure(attempts: int, max_attempts: int) -> MailState:
    return MailState.FAILED if attempts >= max_attempts else MailState.PENDING


def digest_key(user_id: int, day: date) -> str:
    """The idempotency key of a user's digest of one day: at most one such notice ever exists."""
    return f"shokei-digest-{user_id}-{day.isoformat()}"
