"""Typed settings from the environment (prefix SHOKEI_). Defaults are the embedded single-office setup."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOKEI_", extra="ignore")

    data_dir: Path = Field(default=Path("./var"), description="Where the database, vault and keys live.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file shokei.db in the data dir."
    )
    user: str | None = Field(default=None, description="Acting user for CLI commands (--as overrides).")
    host: str = "127.0.0.1"
    port: int = 8000
    log_format: Literal["text", "json"] = Field(
        default="text", description="`json`: serve's and the worker's logs as one JSON object a line."
    )
    timezone: str = "Asia/Tokyo"
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed; default none: the peer's address is the "
        "client's (login lockouts and logs use it).",
    )

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [item.strip() for item in self.trusted_proxies.split(",") if item.strip()]

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'shokei.db').resolve()}"

    ledger_origin: str = Field(default="shokei.mod.go.jp/ledger", description="Checkpoint origin line.")
    ledger_key_name: str = Field(default="shokei-ledger", description="Signed-note key name.")
    checkpoint_every_entries: int = Field(default=1000, description="Automatic checkpoint interval.")
    checkpoint_every_minutes: int = Field(default=60, description="Automatic checkpoint age limit.")

    # Notifications: e-mail through an SMTP server, or (none configured) files in the outbox folder.
    smtp_url: str | None = Field(
        default=None, description="smtp://[user:password@]host:port or smtps://...; none: the outbox folder."
    )
    smtp_ca_file: Path | None = Field(
        default=None,
        description="PEM file of the CAs the SMTP server's certificate is verified against (the ministry's"
        " internal CA) instead of the system's; the certificate is always verified.",
    )
    mail_from: str = Field(default="shokei@localhost", description="The From address of notices.")
    public_url: str | None = Field(
        default=None, description="The web address links in notices start with; default http://host:port."
    )
    mail_retry_seconds: float = Field(default=30.0, description="First retry delay; doubles each attempt.")
    mail_max_attempts: int = Field(default=8, description="Attempts before a notice's e-mail is given up.")
    mail_lease_seconds: float = Field(
        default=300.0, description="How long a worker holds the notices it claimed before another may."
    )
    worker_poll_seconds: float = Field(default=5.0, description="How often `shokei worker` looks again.")
    digest_hour: int = Field(
        default=8,
        ge=-1,
        le=23,
        description="The daily digest of each user's open duties goes once a day from this hour (Japan"
        " time); -1 sends none.",
    )
    max_upload_bytes: int = Field(
        default=2 * 1024**3,
        gt=0,
        description="The most bytes one upload (one HTTP request's body) may carry; larger ones get 413"
        " before anything is written.",
    )
    max_case_bytes: int = Field(
        default=50 * 1024**3,
        gt=0,
        description="The most bytes of documents one case may hold (what is stored plus the upload).",
    )
    incident_reporting_hours: int = Field(
        default=72, gt=0, description="A leak incident's reporting clock, in hours from its opening."
    )

    @property
    def outbox_dir(self) -> Path:
        """Where e-mail goes when no SMTP server is configured (owner-only)."""
        return self.data_dir / "outbox"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    keys_home: Path | None = Field(
        default=None,
        validation_alias="SHOKEI_KEYS_DIR",
        description="Where the keys live, outside the data dir (vault/ and ledger/ below it); "
        "default: inside the data dir (keys/, ledger-keys/).",
    )

    @property
    def keys_dir(self) -> Path:
        """The vault master keys (and the hand-over signing key)."""
        return self.keys_home / "vault" if self.keys_home else self.data_dir / "keys"

    @property
    def master_key_path(self) -> Path:
        return self.keys_dir / "master.key"

    @property
    def copy_code_key_path(self) -> Path:
        """HMAC key authenticating the 2D code on every page of a hand-over copy."""
        return self.keys_dir / "copy-code.key"

    @property
    def ledger_keys_dir(self) -> Path:
        return self.keys_home / "ledger" if self.keys_home else self.data_dir / "ledger-keys"

    @property
    def ledger_key_path(self) -> Path:
        """Ed25519 signer for ledger checkpoints, kept apart from the vault master keys."""
        return self.ledger_keys_dir / "ledger.key"

    @property
    def ledger_verifier_path(self) -> Path:
        return self.ledger_keys_dir / "ledger.vkey"

    @property
    def scratch_root(self) -> Path:
        return self.data_dir / "scratch"

    @property
    def vault_dir(self) -> Path:
        return self.data_dir / "vault"


def load_settings() -> Settings:
    return Settings()
