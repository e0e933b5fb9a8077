"""Typed settings from the environment (prefix SHOKEI_). Defaults are the embedded single-office setup."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

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
    timezone: str = "Asia/Tokyo"

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'shokei.db').resolve()}"

    ledger_origin: str = Field(default="shokei.mod.go.jp/ledger", description="Checkpoint origin line.")
    ledger_key_name: str = Field(default="shokei-ledger", description="Signed-note key name.")
    checkpoint_every_entries: int = Field(default=1000, description="Automatic checkpoint interval.")
    checkpoint_every_minutes: int = Field(default=60, description="Automatic checkpoint age limit.")

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def master_key_path(self) -> Path:
        return self.keys_dir / "master.key"

    @property
    def ledger_key_path(self) -> Path:
        """Ed25519 signer for ledger checkpoints, kept apart from the vault master keys."""
        return self.data_dir / "ledger-keys" / "ledger.key"

    @property
    def ledger_verifier_path(self) -> Path:
        return self.data_dir / "ledger-keys" / "ledger.vkey"

    @property
    def vault_dir(self) -> Path:
        return self.data_dir / "vault"


def load_settings() -> Settings:
    return Settings()
