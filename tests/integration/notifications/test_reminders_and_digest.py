"""Reminders before the due date and the daily digest, delivered to a real SMTP server (aiosmtpd
on loopback) through the outbox, each exactly once however many rounds run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shokei.accounts import services as accounts
from shokei.clock import FixedClock
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications import services as notifications
from shokei.notifications.delivery import deliver_round
from shokei.settings import Settings
from tests.conftest import TEST_NOW
from tests.factories import Office
from tests.integration.notifications.smtp_server import SmtpServer

FROM = "shokei@mod.example.go.jp"
TO = "supplier@taishutsu.example.jp"
DIGEST = "【承継】本日の対応一覧"


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    office = Office(uow)
    accounts.update_email(uow, office.admin, "supplier", TO)
    return office


def _settings(tmp_path: Path, smtp: SmtpServer, digest_hour: int = 8) -> Settings:
    return Settings(data_dir=tmp_path / "var", smtp_url=smtp.url, mail_from=FROM, digest_hour=digest_hour)


def _subjects(smtp: SmtpServer) -> list[str]:
    return [str(message["Subject"]) for message in smtp.recorder.received]


def test_the_daily_digest_goes_once_a_day_after_its_hour(
    uow: UnitOfWork, clock: FixedClock, office: Office, smtp: SmtpServer, tmp_path: Path
) -> None:
    case = office.open_case()
    # TEST_NOW is 09:00 in Japan: past the digest hour (8).

    first = deliver_round(uow, _settings(tmp_path, smtp))
    assert (first.digests, first.sent) == (1, 2)  # the hand-in notice and the day's digest
    [digest] = [m for m in smtp.recorder.received if str(m["Subject"]).startswith(DIGEST)]
    assert digest["Subject"] == "【承継】本日の対応一覧: 1件（うち期限超過 0件）"
    assert digest["To"] == TO
    body = digest.get_content()
    assert f"・案件{case.id}: 設計文書の提出（期限 2026-07-01、あと30日）" in body
    assert "作業一覧: http://127.0.0.1:8000/" in body
    assert f"- Case {case.id}: hand in the design documents (due 2026-07-01, 30 day(s) left)" in body
    assert "部品図" not in body  # never a document's title, let alone its content

    # However many rounds run that day, the digest is written and sent once.
    assert deliver_round(uow, _settings(tmp_path, smtp)).digests == 0
    assert notifications.send_digests(uow, hour=8) == 0
    assert len(smtp.recorder.received) == 2

    # The next day: nothing before the hour, one digest after it.
    clock.at = datetime(2026, 6, 1, 22, 0, tzinfo=UTC)  # 07:00 on 2 June in Japan
    assert deliver_round(uow, _settings(tmp_path, smtp)).digests == 0
    clock.at = datetime(2026, 6, 1, 23, 0, tzinfo=UTC)  # 08:00 on 2 June in Japan
    assert deliver_round(uow, _settings(tmp_path, smtp)).digests == 1
    assert deliver_round(uow, _settings(tmp_path, smtp)).digests == 0
    assert [s for s in _subjects(smtp) if s.startswith(DIGEST)] == [
        "【承継】本日の対応一覧: 1件（うち期限超過 0件）"
    ] * 2
    # Digests are kept in the inbox as read: the unread count is the hand-in notice alone.
    assert notifications.unread_count(uow, office.supplier) == 1


def test_no_digest_when_it_is_switched_off_or_nothing_waits(
    uow: UnitOfWork, office: Office, smtp: SmtpServer, tmp_path: Path
) -> None:
    accounts.update_email(uow, office.admin, "intake", "intake@mod.example.go.jp")
    office.open_case()
    assert deliver_round(uow, _settings(tmp_path, smtp, digest_hour=-1)).digests == 0
    # Switched on: the supplier's one duty is digested; the intake officer has none waiting.
    assert deliver_round(uow, _settings(tmp_path, smtp)).digests == 1
    assert [m["To"] for m in smtp.recorder.received if str(m["Subject"]).startswith(DIGEST)] == [TO]


def test_a_reminder_goes_once_within_the_policys_lead(
    uow: UnitOfWork, clock: FixedClock, office: Office, smtp: SmtpServer, tmp_path: Path
) -> None:
    case = office.open_case()
    settings = _settings(tmp_path, smtp, digest_hour=-1)
    assert deliver_round(uow, settings).reminded == 0

    clock.at = TEST_NOW + timedelta(days=26)  # 27 June: 4 days left, outside the lead of 3
    assert deliver_round(uow, settings).reminded == 0
    clock.at = TEST_NOW + timedelta(days=27)  # 28 June: 3 days left
    assert deliver_round(uow, settings).reminded == 1
    clock.at = TEST_NOW + timedelta(days=29)
    assert deliver_round(uow, settings).reminded == 0

    reminders = [m for m in smtp.recorder.received if "期限が近づいています" in str(m["Subject"])]
    assert [m["Subject"] for m in reminders] == [
        f"【承継】期限が近づいています: 案件{case.id} 設計文書の提出（期限 2026-07-01）"
    ]
    body = reminders[0].get_content()
    assert f"案件{case.id}の対応期限が近づいています（あと3日）。" in body
    assert f"http://127.0.0.1:8000/cases/{case.id}" in body
