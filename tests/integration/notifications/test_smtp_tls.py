"""Mail goes out over TLS with the server's certificate verified (issue 23, ASVS 9.2.1): a
STARTTLS server whose certificate no trusted CA signed is refused before a message is sent; the
same server is trusted once its CA is configured (`SHOKEI_SMTP_CA_FILE`, for the ministry's
internal CA); plain SMTP is taken only on loopback. Against a real aiosmtpd server."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shokei.notifications.mailer import SmtpMailer
from tests.integration.notifications.smtp_server import Recorder, free_port


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA) and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shokei-test-smtp")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class _TlsServer:
    def __init__(self, cert: Path, key: Path) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(
            self.recorder, hostname="127.0.0.1", port=self.port, tls_context=context, require_starttls=True
        )

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[_TlsServer, Path]]:
    cert, key = _self_signed(tmp_path)
    server = _TlsServer(cert, key)
    server.controller.start()
    yield server, cert
    server.controller.stop()


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = (
        "shokei@mod.example.go.jp",
        "a@mod.example.go.jp",
        "件名",
    )
    message["Message-ID"] = "<tls-test@shokei>"
    message.set_content("本文", charset="utf-8")
    return message


def test_a_starttls_server_with_an_untrusted_certificate_is_refused(
    tls_server: tuple[_TlsServer, Path],
) -> None:
    server, _ = tls_server
    with pytest.raises(ssl.SSLCertVerificationError):
        SmtpMailer(server.url).send(_message())
    assert server.recorder.received == []


def test_the_configured_ca_file_makes_the_same_server_trusted(tls_server: tuple[_TlsServer, Path]) -> None:
    server, cert = tls_server
    SmtpMailer(server.url, ca_file=cert).send(_message())
    assert [str(m["Subject"]) for m in server.recorder.received] == ["件名"]


@pytest.mark.parametrize(
    ("url", "plain_allowed"),
    [
        ("smtp://127.0.0.1:25", True),
        ("smtp://[::1]:25", True),
        ("smtp://localhost:25", True),
        ("smtp://127.0.0.1:25?starttls=required", False),
        ("smtp://mail.mod.example.go.jp:25", False),
        ("smtp://10.0.0.5:587", False),
    ],
)
def test_plain_smtp_is_taken_only_on_loopback(url: str, plain_allowed: bool) -> None:
    assert SmtpMailer(url).plain_allowed is plain_allowed


def test_a_server_that_offers_no_starttls_off_loopback_gets_nothing(tmp_path: Path) -> None:
    """A plain server reached under a name that is not loopback: refused before MAIL FROM (the
    test binds 127.0.0.1, so the mailer is told the name is elsewhere)."""
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mailer = SmtpMailer(f"smtp://127.0.0.1:{port}?starttls=required")
        with pytest.raises(Exception, match="STARTTLS"):
            mailer.send(_message())
    finally:
        controller.stop()
    assert recorder.received == []
