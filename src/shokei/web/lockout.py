"""Back-off after failed logins, per username and per client address.

`failures` wrong passwords for one username (or `ip_failures` from one address) within the
lockout period lock it for that period; each further lockout before a successful login doubles
the period (at most a day; a record quiet for a day is forgotten). While locked, even the
right password is refused, so guessing gains nothing. Failures for unknown usernames count the
same, so a lockout says nothing about which usernames exist. The counts live in the database
(`web_login_failures`), so a restart forgives nothing and every serving process sees the same
ones (the ledger is not the place for anonymous failures).

An attempt is counted before its password is checked, by one atomic `UPDATE ... RETURNING` that
succeeds only while the count is below the limit: however many guesses arrive at once, at most
the limit of them reach the password check (a guess counted and then right clears the count).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import case, delete, select, tuple_, update
from sqlalchemy.orm import Session

from shokei.db import insert_unless_present
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.web.config import WebSettings
from shokei.web.models import LoginFailures, epoch_ms

MAX_LOCK_SECONDS = 24 * 3600


class _Refused(Exception):
    pass


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

    def attempt(self, username: str, address: str) -> bool:
        """Count one attempt for the username and the address, atomically; False (nothing
        counted) when either is locked or already has as many attempts as its limit allows."""
        now = self.clock()
        try:
            with self._uow.transaction() as session:
                self._forget_idle(session, now)
                for kind, key in self._keys(username, address):
                    if not self._count(session, kind, key, now):
                        raise _Refused
        except _Refused:
            return False
        return True

    def _count(self, session: Session, kind: str, key: str, now: float) -> bool:
        fresh = {"failures": 0, "window_start_ms": epoch_ms(now), "locked_until_ms": 0, "lockouts": 0}
        insert_unless_present(session, LoginFailures, kind=kind, key=key, **fresh)
        stale = LoginFailures.window_start_ms < epoch_ms(now - self._period)
        statement = (
            update(LoginFailures)
            .where(
                LoginFailures.kind == kind,
                LoginFailures.key == key,
                LoginFailures.locked_until_ms <= epoch_ms(now),
                stale | (LoginFailures.failures < self._limits[kind]),
            )
            .values(
                failures=case((stale, 1), else_=LoginFailures.failures + 1),
                window_start_ms=case((stale, epoch_ms(now)), else_=LoginFailures.window_start_ms),
            )
            .returning(LoginFailures.failures)
        )
        return session.execute(statement).first() is not None

    def failed(self, username: str, address: str) -> bool:
        """An attempt counted by `attempt` failed: a username or address at its limit is locked.
        True when this failure locked something."""
        now = self.clock()
        locked = False
        with self._uow.transaction() as session:
            for kind, key in self._keys(username, address):
                statement = (
                    update(LoginFailures)
                    .where(
                        LoginFailures.kind == kind,
                        LoginFailures.key == key,
                        LoginFailures.failures >= self._limits[kind],
                    )
                    .values(lockouts=LoginFailures.lockouts + 1, failures=0, window_start_ms=epoch_ms(now))
                    .returning(LoginFailures.lockouts)
                )
                lockouts = session.execute(statement).scalar_one_or_none()
                if lockouts is not None:
                    lock = min(self._period * 2 ** (lockouts - 1), MAX_LOCK_SECONDS)
                    session.execute(
                        update(LoginFailures)
                        .where(LoginFailures.kind == kind, LoginFailures.key == key)
                        .values(locked_until_ms=epoch_ms(now + lock))
                    )
                    locked = True
        return locked

    def succeeded(self, username: str, address: str) -> None:
        """A correct login clears the username's record; the address gives back the attempt it
        counted (an office behind one address logs in all day), keeping its failures."""
        (user_kind, user_key), (ip_kind, ip_key) = self._keys(username, address)
        with self._uow.transaction() as session:
            session.execute(
                delete(LoginFailures).where(LoginFailures.kind == user_kind, LoginFailures.key == user_key)
            )
            session.execute(
                update(LoginFailures)
                .where(LoginFailures.kind == ip_kind, LoginFailures.key == ip_key, LoginFailures.failures > 0)
                .values(failures=LoginFailures.failures - 1)
            )

    def _forget_idle(self, session: Session, now: float) -> None:
        # A record quiet for a day (no lock, no failure) is forgotten, its lockout count with it.
        session.execute(
            delete(LoginFailures).where(
                LoginFailures.locked_until_ms < epoch_ms(now - MAX_LOCK_SECONDS),
                LoginFailures.window_start_ms < epoch_ms(now - MAX_LOCK_SECONDS),
            )
        )
