from __future__ import annotations

from pydantic import BaseModel


class UserView(BaseModel):
    id: int
    username: str
    role: str
    company_corporate_number: str | None
    disabled: bool


class NewCredential(BaseModel):
    """A secret shown exactly once (a generated password or an API token)."""

    username: str
    secret: str
