"""Settings of the web shell (environment prefix SHOKEI_WEB_)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOKEI_WEB_", extra="ignore")

    session_idle_minutes: int = Field(
        default=30, ge=1, description="Log out after this long without a request."
    )
    session_max_hours: int = Field(
        default=12, ge=1, description="Log out this long after login, whatever happens."
    )
    secure_cookies: bool = Field(
        default=False,
        description="Always mark cookies Secure (they are anyway when the request arrives over https, "
        "including through a TLS proxy that sets X-Forwarded-Proto).",
    )
    lockout_failures: int = Field(default=5, ge=1, description="Failed logins per username before a lockout.")
    lockout_ip_failures: int = Field(default=20, ge=1, description="Failed logins per client address.")
    lockout_minutes: int = Field(default=15, ge=1, description="How long a lockout lasts.")
    mfa_required: Literal["enrolled", "officials"] = Field(
        default="officials",
        description="Who must give a TOTP code at login: `officials` (the default: every ministry "
        "account, that is officials, auditors and admins, cannot log in until enrolled with "
        "`shokei user mfa enroll`; companies' users only once they enrolled one), or `enrolled` "
        "(only those who enrolled one).",
    )
    max_form_bytes: int = Field(default=1 << 20, description="Largest url-encoded form accepted.")
