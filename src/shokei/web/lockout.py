"""Back-off after failed logins, per username and per client address.

`failures` wrong passwords for one username (or `ip_failures` from one address) within the
lockout period lock it for that period; each further lockout before a successful login doubles
the period (at most a day; a record quiet for a day is forgotten). While locked, even the
right password is refused, so guessing gains nothing. Failures for unknown usernames count the
same, so a lockout says nothing about which usernames exist. The counts live in the database
(`web_login_failures`), so a restart forgives nothing and every serving process sees the same
ones (the ledger is not the place for anonymous failures).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from shokei.db import insert_unless_present
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.web.config import WebSettings
from shokei.web.models import LoginFailures, epoch_ms

MAX_LOCK_SECONDS = 24 * 3600


class LoginThrottle:
    def __init__(
        self, settings: WebSettings, uow: UnitOfWork, clock: Callable[[], float] = time.time
    ) -> None:
        self.clock = clock  # wall-clock seconds: shared by processes, unlike a monotonic clock
        self._uow = uow
        self._period = settings.lockout_minutes * 60.0
        self._limits = {"user": settings.lockout_failures, "ip": settings.lockout_ip_failures}

    def _keys(self, username: str, address: str) -> list[tuple[str, str]]:
        return [("user", username.strip().lower()[:128]), ("ip", address[:128])]

    def locked_for(self, username: str, address: str) -> float:
        """Seconds until a login for this username from this address may be tried (0: now)."""
        now = self.clock()
        query = select(LoginFailures.locked_until_ms).where(
            tuple_(LoginFailures.kind, LoginFailures.key).in_(self._keys(username, address))
        )
        with self._uow.transaction() as session:
            until = list(session.execute(query).scalars())
        return max([0.0, *(ms / 1000 - now for ms in until)])

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._uow.transaction() as session:
            self._forget_idle(session, now)
            for kind, key in self._keys(username, address):
                record = _locked_record(session, kind, key, now)
                if now - record.window_start_ms / 1000 > self._period:
                    record.failures, record.window_start_ms = 0, epoch_ms(now)
                record.failures += 1
                if record.failures >= self._limits[kind]:
                    record.lockouts += 1
                    lock = min(self._period * 2 ** (record.lockouts - 1), MAX_LOCK_SECONDS)
                    record.locked_until_ms = epoch_ms(now + lock)
                    record.failures, record.window_start_ms = 0, epoch_ms(now)

    def succeeded(self, username: str) -> None:
        """A correct password outside a lockout clears the username's record (not the address's)."""
        kind, key = self._keys(username, "")[0]
        with self._uow.transaction() as session:
            session.execute(delete(LoginFailures).where(LoginFailures.kind == kind, LoginFailures.key == key))

    def _forget_idle(self, session: Session, now: float) -> None:
        # A record quiet for a day (no lock, no failure) is forgotten, its lockout count with it.
        session.execute(
            delete(LoginFailures).where(
                LoginFailures.locked_until_ms < epoch_ms(now - MAX_LOCK_SECONDS),
                LoginFailures.window_start_ms < epoch_ms(now - MAX_LOCK_SECONDS),
            )
        )


def _locked_record(session: Session, kind: str, key: str, now: float) -> LoginFailures:
    # Two processes may count the first failure for a key at once; the row lock then orders
    # their updates.
    fresh = {"failures": 0, "window_start_ms": epoch_ms(now), "locked_until_ms": 0, "lockouts": 0}
    insert_unless_present(session, LoginFailures, kind=kind, key=key, **fresh)
    query = select(LoginFailures).where(LoginFailures.kind == kind, LoginFailures.key == key)
    return session.execute(query.with_for_update()).scalar_one()
