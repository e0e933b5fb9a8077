"""`shokei worker` killed with SIGKILL in the middle of a delivery and started again: every
notice reaches the mailbox exactly once (a real SMTP server on loopback counts them).

The server holds the 2nd message after storing it, before answering 250: the worker is killed
there, the one moment no SMTP client can make safe. The restarted worker sends nothing that was
marked sent, sends the never-tried 3rd once, and sends the in-flight 2nd again under the same
Message-ID (at least once), so the mailbox, which keeps one message per Message-ID, holds each
notice exactly once. Synchronisation is on observable conditions with bounded deadlines.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from shokei.accounts import services as accounts
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications.models import Notification
from tests import factories
from tests.factories import Office
from tests.integration.notifications.smtp_server import SmtpServer

SHOKEI = Path(sys.executable).parent / "shokei"


def _until(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def _rows(uow: UnitOfWork) -> list[Notification]:
    with uow:
        return list(uow.session.execute(select(Notification).order_by(Notification.id)).scalars())


def _worker(database_url: str, data_dir: Path, smtp: SmtpServer, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SHOKEI_DATABASE_URL": database_url,
        "SHOKEI_DATA_DIR": str(data_dir),
        "SHOKEI_SMTP_URL": smtp.url,
        "SHOKEI_MAIL_FROM": "shokei@mod.example.go.jp",
        "SHOKEI_MAIL_LEASE_SECONDS": "1",
        "SHOKEI_WORKER_POLL_SECONDS": "0.1",
        "SHOKEI_DIGEST_HOUR": "-1",  # the digest has its own test (test_reminders_and_digest)
    }
    with log.open("wb") as written:  # the child keeps its own descriptor; ours is closed here
        return subprocess.Popen([str(SHOKEI), "worker"], env=env, stdout=subprocess.DEVNULL, stderr=written)


def test_a_worker_killed_mid_delivery_and_restarted_delivers_each_notice_exactly_once(
    uow: UnitOfWork, database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    live = UnitOfWork(uow.engine)  # the worker runs on the real clock: so do these notices
    office = Office(live)
    for name in ("supplier-a", "supplier-b"):
        factories.user(live, Role.SUPPLIER, office.withdrawing.corporate_number, name)
    for n, name in enumerate(("supplier", "supplier-a", "supplier-b")):
        accounts.update_email(live, office.admin, name, f"person{n}@taishutsu.example.jp")
    office.open_case()
    assert [r.mail_state for r in _rows(uow)] == ["pending"] * 3

    smtp.recorder.hold_after(2)
    first = _worker(database_url, tmp_path / "var", smtp, tmp_path / "first.log")
    try:
        assert smtp.recorder.holding.wait(60), (tmp_path / "first.log").read_text()
        first.send_signal(signal.SIGKILL)
        assert first.wait(30) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
    smtp.recorder.release()

    rows = _rows(uow)
    assert [r.mail_state for r in rows][:2] == ["sent", "sending"]
    assert all(r.message_id for r in rows[:2])  # on record before sending

    second = _worker(database_url, tmp_path / "var", smtp, tmp_path / "second.log")
    try:
        _until(lambda: [r.mail_state for r in _rows(uow)] == ["sent"] * 3)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0, (tmp_path / "second.log").read_text()

    rows = _rows(uow)
    ids = [r.message_id for r in rows]
    # The mailbox: each notice exactly once.
    assert sorted(smtp.recorder.mailbox) == sorted(ids)
    # What the server took: the sent 1st never again, the never-tried 3rd once, and only the 2nd,
    # in flight at the kill, twice, under one Message-ID.
    assert Counter(smtp.recorder.ids()) == {ids[0]: 1, ids[1]: 2, ids[2]: 1}
    # Attempts count claims: the 3rd was claimed in the killed worker's batch, then again.
    assert [r.attempts for r in rows] == [1, 2, 2]
