from __future__ import annotations

from pydantic import BaseModel


class UserView(BaseModel):
    id: int
    username: str
    role: str
    company_corporate_number: str | None
    disabled: bool
    email: str | None = None


class Recipient(BaseModel):
    """A user a notice goes to (notifications feature): who, and where to e-mail it, if anywhere."""

    user_id: int
    username: str
    email: str | None


class NewCredential(BaseModel):
    """A secret shown exactly once (a generated password or an API token)."""

    username: str
    secret: str
