"""The worker's round: sweep the clocks (reminders, breaches: their notices are written in the
sweep's transaction), write the day's digests once the digest hour has come, then deliver the
e-mails due now.

Each e-mail is claimed (its Message-ID committed) before it is sent and marked sent after the
server accepted it. A worker killed between the server's acceptance and that mark leaves the
claim to expire; the next worker sends the message again with the same Message-ID. Delivery is
therefore at least once, and exactly once as the recipient sees it wherever duplicates are
suppressed by Message-ID; no message that was marked sent is ever sent again, and only the one
in flight when a worker dies can go twice. docs/notifications.md explains why no SMTP client can
promise more.
"""

from __future__ import annotations

import logging
import smtplib

from shokei.deadlines import services as deadlines
from shokei.errors import Text
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications import services
from shokei.notifications.domain import MailState
from shokei.notifications.mailer import FolderMailer, Mailer, SmtpMailer, StartTlsNotOffered, build_message
from shokei.notifications.schemas import DeliveryReport
from shokei.settings import Settings

log = logging.getLogger(__name__)


def mailer_for(settings: Settings) -> Mailer:
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url, ca_file=settings.smtp_ca_file)
    return FolderMailer(settings.outbox_dir)


def deliver_round(uow: UnitOfWork, settings: Settings, mailer: Mailer | None = None) -> DeliveryReport:
    """One round: the sweep, then every e-mail due now (claimed a batch at a time)."""
    swept = deadlines.sweep(uow)
    digests = services.send_digests(uow, hour=settings.digest_hour)
    report = DeliveryReport(reminded=swept.reminded, flagged=swept.flagged, digests=digests)
    mailer = mailer or mailer_for(settings)
    while batch := services.claim(
        uow, mail_from=settings.mail_from, lease_seconds=settings.mail_lease_seconds
    ):
        for mail in batch:
            try:
                mailer.send(build_message(mail, settings.mail_from, uow.clock.now()))
            except (OSError, smtplib.SMTPException) as error:
                state = services.mark_failed(
                    uow,
                    mail,
                    _failure(error),
                    retry_seconds=settings.mail_retry_seconds,
                    max_attempts=settings.mail_max_attempts,
                )
                log.warning("notice %s: attempt %s failed: %s", mail.id, mail.attempts, error)
                if state is MailState.FAILED:
                    report.failed += 1
                else:
                    report.retried += 1
                continue
            services.mark_sent(uow, mail)
            report.sent += 1
    return report


def _failure(error: OSError | smtplib.SMTPException) -> str | Text:
    """What the failed attempt keeps: our own refusal as a catalogue message; a server's or the
    network's error as it was reported (it comes from outside and has no translation)."""
    if isinstance(error, StartTlsNotOffered):
        return error.text
    return f"{type(error).__name__}: {error}"
