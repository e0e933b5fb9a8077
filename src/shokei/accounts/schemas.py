from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class UserView(BaseModel):
    id: int
    username: str
    role: str
    company_corporate_number: str | None
    disabled: bool
    email: str | None = None
    content_approved: bool = True  # False: awaits a program manager's approval (two-person rule)
    must_change_password: bool = False
    mfa_enrolled: bool = False


class Recipient(BaseModel):
    """A user a notice goes to (notifications feature): who, and where to e-mail it, if anywhere."""

    user_id: int
    username: str
    email: str | None


class NewCredential(BaseModel):
    """A secret shown exactly once (a generated password or an API token)."""

    username: str
    secret: str


class TokenView(BaseModel):
    """An API token's record (never the token itself)."""

    id: int
    username: str
    created_at: datetime
    expires_at: datetime | None
    revoked: bool
    revoked_at: datetime | None
    active: bool


class LoginOutcome(BaseModel):
    """A successful password (and, where needed, second-factor) check."""

    username: str
    must_change_password: bool
    session_generation: int = 0
