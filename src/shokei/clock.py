"""The clock port: services ask it for 'now' so tests and demos can fix time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol

JST = timezone(timedelta(hours=9), "JST")


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back timestamps without their zone; Shokei stores UTC, so say so."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        # Deadlines and fiscal years are Japanese calendar dates.
        return datetime.now(JST).date()


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.astimezone(JST).date()
