"""What the accounts' use cases share: finding a user, the Actor it acts as, its view, the hasher."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.accounts.models import User
from shokei.accounts.schemas import UserView
from shokei.companies import services as companies
from shokei.errors import N_, Forbidden, NotFound, Text
from shokei.kernel import Actor, Permission, Role
from shokei.kernel.unit_of_work import UnitOfWork

_hasher = PasswordHasher()


def password_hasher() -> PasswordHasher:
    """The argon2 hasher (looked up at each use, so tests may swap in cheaper parameters)."""
    return _hasher


MIN_PASSWORD_LENGTH = 12


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def actor_of(user: User) -> Actor:
    return Actor(
        user.id, user.username, Role(user.role), user.company_id, content_approved=user.content_approved
    )


def find(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def existing(session: Session, username: str) -> User:
    user = find(session, username)
    if user is None:
        raise NotFound(Text(N_("There is no user %(user)s."), {"user": username}))
    return user


def require_admin(actor: Actor) -> None:
    if not actor.can(Permission.USER_MANAGE):
        raise Forbidden(Text(N_("Only an administrator may manage users.")))


def view_of(uow: UnitOfWork, user: User) -> UserView:
    numbers = companies.views_by_id(uow, [user.company_id] if user.company_id else [])
    return UserView(
        id=user.id,
        username=user.username,
        role=user.role,
        disabled=user.disabled,
        company_corporate_number=numbers[user.company_id].corporate_number if user.company_id else None,
        email=user.email,
        content_approved=user.content_approved,
        must_change_password=user.must_change_password,
        mfa_enrolled=user.totp_sealed is not None,
    )
