"""Sending one e-mail: through the SMTP server SHOKEI_SMTP_URL names, or (none configured) as an
.eml file in the owner-only outbox folder under the data dir, so a demo shows what would be sent."""

from __future__ import annotations

import ipaddress
import os
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from shokei.errors import N_, Text
from shokei.notifications.schemas import OutgoingMail


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


def build_message(mail: OutgoingMail, mail_from: str, at: datetime) -> EmailMessage:
    """The e-mail of a notice: Japanese subject, UTF-8 body, its idempotency key as Message-ID."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(at)
    message["X-Shokei-Notice"] = str(mail.id)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body, charset="utf-8")
    return message


_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine (a relay on the same host: plain SMTP is allowed there)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class StartTlsNotOffered(smtplib.SMTPException):
    """The server offers no STARTTLS and is not a loopback relay: nothing is sent. Its `text` is
    kept with the notice's failed attempt, so that an operator reads it in their language."""

    def __init__(self, host: str) -> None:
        self.text = Text(
            N_("%(host)s does not offer STARTTLS: plain SMTP is taken only from a loopback relay"),
            {"host": host},
        )
        super().__init__(self.text.render())


class SmtpMailer:
    """smtp://[user:password@]host[:port] with STARTTLS, or smtps://... for implicit TLS; the
    server's certificate is always verified (the system's CAs, or `ca_file` alone: the ministry's
    internal CA, `SHOKEI_SMTP_CA_FILE`). Plain SMTP is taken only from a loopback relay that
    offers no STARTTLS; `?starttls=required` insists on it there too."""

    def __init__(self, url: str, timeout: float = 30.0, ca_file: Path | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"SHOKEI_SMTP_URL must be smtp://host:port or smtps://host:port, not {url!r}")
        self.tls = parts.scheme == "smtps"
        self.host, self.port = parts.hostname, parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.starttls_required = "starttls=required" in parts.query
        self.plain_allowed = not self.tls and not self.starttls_required and is_loopback(self.host)
        self.timeout = timeout
        self.ca_file = ca_file

    def _context(self) -> ssl.SSLContext:
        """Certificates and host names checked, TLS 1.2 at least (Python's defaults)."""
        if self.ca_file is not None:
            return ssl.create_default_context(cafile=str(self.ca_file))
        return ssl.create_default_context()

    def send(self, message: EmailMessage) -> None:
        if self.tls:
            with smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._context()
            ) as client:
                self._deliver(client, message)
            return
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as client:
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=self._context())
                client.ehlo()
            elif not self.plain_allowed:
                raise StartTlsNotOffered(self.host)
            self._deliver(client, message)

    def _deliver(self, client: smtplib.SMTP, message: EmailMessage) -> None:
        if self.user is not None:
            client.login(self.user, self.password or "")
        client.send_message(message)


class FolderMailer:
    """Each message as `<Message-ID>.eml` in an owner-only folder. Written to a temporary name and
    renamed, so a re-sent message replaces its earlier copy: the folder holds each once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.folder.chmod(0o700)
        name = str(message["Message-ID"]).strip("<>").replace("/", "_")
        target = self.folder / f"{name}.eml"
        temporary = target.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(message.as_bytes())
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
