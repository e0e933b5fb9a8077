"""Where the deadline policy in force comes from: the file shipped with Shokei, or the one
configuration names (SHOKEI_DEADLINES_POLICY). What a policy means is `deadlines.domain`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from shokei.deadlines.domain import DeadlinePolicy, PolicyError, parse_policy
from shokei.errors import N_, Text

SHIPPED_POLICY = "v1.toml"


class DeadlineSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOKEI_DEADLINES_", extra="ignore")

    policy: Path | None = None  # SHOKEI_DEADLINES_POLICY: a policy file replacing the shipped one


def current_policy() -> DeadlinePolicy:
    """The policy in force: the configured file, or the one shipped with Shokei."""
    configured = DeadlineSettings().policy
    if configured is None:
        shipped = resources.files("shokei.deadlines") / "policy" / SHIPPED_POLICY
        return parse_policy(shipped.read_text(encoding="utf-8"))
    try:
        text = configured.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(
            Text(
                N_("cannot read the deadline policy %(configured)s: %(strerror)s"),
                {"configured": configured, "strerror": error.strerror},
            )
        ) from None
    return parse_policy(text)
