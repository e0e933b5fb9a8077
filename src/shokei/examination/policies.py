"""Where the examination policy in force comes from: the file shipped with Shokei, or the one
configuration names (SHOKEI_EXAMINATION_POLICY). Reading files is all this module does; what a
policy means is `examination.domain`."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from shokei.errors import N_, Text
from shokei.examination.domain import Policy, PolicyError, parse_policy

SHIPPED_POLICY = "v1.toml"


class ExaminationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOKEI_EXAMINATION_", extra="ignore")

    policy: Path | None = None  # SHOKEI_EXAMINATION_POLICY: a policy file replacing the shipped one


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    policy: Policy
    text: str  # recorded with the version on first use
    source: str  # where it was read from, for people


def current_policy() -> LoadedPolicy:
    """The policy in force: the configured file, or the one shipped with Shokei."""
    configured = ExaminationSettings().policy
    if configured is None:
        shipped = resources.files("shokei.examination") / "policy" / SHIPPED_POLICY
        text = shipped.read_text(encoding="utf-8")
        return LoadedPolicy(parse_policy(text), text, f"shipped policy/{SHIPPED_POLICY}")
    try:
        text = configured.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(
            Text(
                N_("cannot read the examination policy %(configured)s: %(strerror)s"),
                {"configured": configured, "strerror": error.strerror},
            )
        ) from None
    return LoadedPolicy(parse_policy(text), text, str(configured))
