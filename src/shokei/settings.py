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

    @property
    def master_key_path(self) -> Path:
        return self.data_dir / "keys" / "master.key"

    @property
    def ledger_key_path(self) -> Path:
        return self.data_dir / "keys" / "ledger.key"

    @property
    def vault_dir(self) -> Path:
        return self.data_dir / "vault"


def load_settings() -> Settings:
    return Settings()
