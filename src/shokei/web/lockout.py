"""Back-off after failed logins, per username and per client address.

`failures` wrong passwords for one username (or `ip_failures` from one address) within the
lockout period lock it for that period; each further lockout before a successful login doubles
the period (at most a day). While locked, even the right password is refused, so guessing gains
nothing. Failures for unknown usernames count the same, so a lockout says nothing about which
usernames exist. Kept in this process: a restart forgives (the ledger is not the place for
anonymous failures).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from shokei.web.config import WebSettings

MAX_LOCK_SECONDS = 24 * 3600
_MAX_TRACKED = 100_000


@dataclass
class _Record:
    failures: int = 0
    window_start: float = 0.0
    locked_until: float = 0.0
    lockouts: int = 0


class LoginThrottle:
    def __init__(self, settings: WebSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._period = settings.lockout_minutes * 60.0
        self._limits = {"user": settings.lockout_failures, "ip": settings.lockout_ip_failures}
        self._records: dict[tuple[str, str], _Record] = {}
        self._lock = threading.Lock()

    def _keys(self, username: str, address: str) -> list[tuple[str, str]]:
        return [("user", username.strip().lower()), ("ip", address)]

    def locked_for(self, username: str, address: str) -> float:
        """Seconds until a login for this username from this address may be tried (0: now)."""
        now = self.clock()
        with self._lock:
            waits = [
                r.locked_until - now for k in self._keys(username, address) if (r := self._records.get(k))
            ]
        return max([0.0, *waits])

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._records) >= _MAX_TRACKED:
                self._forget_idle(now)
            for key in self._keys(username, address):
                record = self._records.setdefault(key, _Record(window_start=now))
                if now - record.window_start > self._period:
                    record.failures, record.window_start = 0, now
                record.failures += 1
                if record.failures >= self._limits[key[0]]:
                    record.lockouts += 1
                    record.locked_until = now + min(
                        self._period * 2 ** (record.lockouts - 1), MAX_LOCK_SECONDS
                    )
                    record.failures, record.window_start = 0, now

    def succeeded(self, username: str) -> None:
        """A correct password outside a lockout clears the username's record (not the address's)."""
        with self._lock:
            self._records.pop(("user", username.strip().lower()), None)

    def _forget_idle(self, now: float) -> None:
        for key in [
            k
            for k, r in self._records.items()
            if r.locked_until < now and now - r.window_start > self._period
        ]:
            del self._records[key]
