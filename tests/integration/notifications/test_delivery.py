"""The outbox delivered to a real SMTP server (aiosmtpd on loopback): headers, the Japanese
body, retries with backoff while the server is down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from shokei.accounts import services as accounts
from shokei.clock import FixedClock
from shokei.errors import from_stored
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications.delivery import deliver_round
from shokei.notifications.models import Notification
from shokei.settings import Settings
from shokei.web import i18n
from tests.conftest import TEST_NOW
from tests.factories import Office
from tests.integration.notifications.smtp_server import SmtpServer, free_port

FROM = "shokei@mod.example.go.jp"
TO = "supplier@taishutsu.example.jp"


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    office = Office(uow)
    accounts.update_email(uow, office.admin, "supplier", TO)
    return office


def _settings(tmp_path: Path, smtp_url: str | None) -> Settings:
    # No daily digest here: test_reminders_and_digest.py delivers it.
    return Settings(
        data_dir=tmp_path / "var", smtp_url=smtp_url, mail_from=FROM, mail_retry_seconds=30, digest_hour=-1
    )


def _utc(at: datetime | None) -> datetime | None:
    """SQLite gives back naive UTC datetimes, PostgreSQL aware ones."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def _row(uow: UnitOfWork) -> Notification:
    with uow:
        return uow.session.execute(select(Notification)).scalar_one()


def test_the_notice_arrives_in_japanese_with_its_headers(
    uow: UnitOfWork, office: Office, smtp: SmtpServer, tmp_path: Path
) -> None:
    case = office.open_case()

    report = deliver_round(uow, _settings(tmp_path, smtp.url))

    assert report.sent == 1
    [message] = smtp.recorder.received
    row = _row(uow)
    assert message["From"] == FROM
    assert message["To"] == TO
    assert message["Subject"] == f"【承継】案件{case.id}: 設計文書の提出をお願いします（期限 2026-07-01）"
    assert message["Message-ID"] == row.message_id == f"<{row.idempotency_key}@mod.example.go.jp>"
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_content()
    assert f"案件{case.id}について、次の対応をお願いします。" in body
    assert "期限: 2026-07-01" in body
    assert f"http://127.0.0.1:8000/cases/{case.id}" in body
    # Never a document's content, nor even its title.
    assert "部品図" not in body
    assert "D-1" not in body
    assert (row.mail_state, row.attempts, _utc(row.sent_at)) == ("sent", 1, TEST_NOW)
    # Sent is sent: another round sends nothing.
    assert deliver_round(uow, _settings(tmp_path, smtp.url)).sent == 0
    assert len(smtp.recorder.received) == 1


def test_with_the_server_down_the_worker_retries_with_backoff(
    uow: UnitOfWork, clock: FixedClock, office: Office, tmp_path: Path
) -> None:
    office.open_case()
    down = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there

    assert deliver_round(uow, _settings(tmp_path, down)).retried == 1
    row = _row(uow)
    assert (row.mail_state, row.attempts, _utc(row.next_attempt_at)) == (
        "pending",
        1,
        TEST_NOW + timedelta(seconds=30),
    )
    assert row.last_error
    assert row.message_id  # on record before the first attempt, kept for every later one
    first_id = row.message_id

    # Not due again yet: nothing is tried.
    clock.at = TEST_NOW + timedelta(seconds=29)
    assert deliver_round(uow, _settings(tmp_path, down)).retried == 0
    clock.at = TEST_NOW + timedelta(seconds=30)
    assert deliver_round(uow, _settings(tmp_path, down)).retried == 1
    assert _utc(_row(uow).next_attempt_at) == clock.at + timedelta(seconds=60)  # doubled

    server = SmtpServer().start()
    try:
        clock.at += timedelta(seconds=60)
        assert deliver_round(uow, _settings(tmp_path, server.url)).sent == 1
        assert [m["Message-ID"] for m in server.recorder.received] == [first_id]
    finally:
        server.stop()
    assert (_row(uow).mail_state, _row(uow).attempts) == ("sent", 3)


def test_a_server_without_starttls_is_refused_and_the_failure_is_kept_for_either_language(
    uow: UnitOfWork, office: Office, smtp: SmtpServer, tmp_path: Path
) -> None:
    office.open_case()
    insisting = f"{smtp.url}?starttls=required"  # the loopback server offers no STARTTLS

    assert deliver_round(uow, _settings(tmp_path, insisting)).retried == 1

    assert smtp.recorder.received == []
    kept = from_stored(_row(uow).last_error or "")
    assert kept.render() == (
        "127.0.0.1 does not offer STARTTLS: plain SMTP is taken only from a loopback relay"
    )
    with i18n.activate("ja"):
        assert kept.render(i18n.gettext) == (
            "127.0.0.1はSTARTTLSに対応していません。暗号化しないSMTPによる送信は、同一機器上の中継サーバーに対してのみ行います"
        )


def test_without_smtp_the_mail_goes_to_an_owner_only_outbox_folder(
    uow: UnitOfWork, office: Office, tmp_path: Path
) -> None:
    case = office.open_case()
    settings = _settings(tmp_path, None)

    assert deliver_round(uow, settings).sent == 1
    [written] = list(settings.outbox_dir.iterdir())
    assert settings.outbox_dir.stat().st_mode & 0o777 == 0o700
    assert written.stat().st_mode & 0o777 == 0o600
    assert written.name == _row(uow).message_id.strip("<>") + ".eml"  # type: ignore[union-attr]
    assert (
        f"案件{case.id}" in written.read_bytes().decode("utf-8", "replace")
        or b"Subject:" in written.read_bytes()
    )
