"""Users, passwords and API tokens; turning a login or token into an Actor."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.accounts.domain import validate_email, validate_username
from shokei.accounts.models import ApiToken, User
from shokei.accounts.schemas import NewCredential, Recipient, UserView
from shokei.companies import services as companies
from shokei.errors import N_, BadInput, Conflict, Forbidden, NotFound, Text, Unauthenticated
from shokei.kernel import COMPANY_BOUND_ROLES, Actor, Permission, Role
from shokei.kernel.unit_of_work import UnitOfWork

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def _actor(user: User) -> Actor:
    return Actor(user.id, user.username, Role(user.role), user.company_id)


def _parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise BadInput(
            Text(
                N_("role %(value)s is not one of: %(items)s"),
                {"value": repr(value), "items": ", ".join(r.value for r in Role)},
            )
        ) from None


def _check_binding(role: Role, company: str | None) -> None:
    if (role in COMPANY_BOUND_ROLES) != (company is not None):
        raise BadInput(
            Text(
                N_("role %(role)s needs --company")
                if role in COMPANY_BOUND_ROLES
                else N_("role %(role)s takes no --company"),
                {"role": role},
            )
        )


def _find(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _create_user(
    session: Session,
    uow: UnitOfWork,
    actor: Actor | None,
    *,
    username: str,
    role: Role,
    company: str | None,
    password: str,
    email: str | None = None,
) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput(
            Text(
                N_("password must have at least %(min_password_length)s characters"),
                {"min_password_length": MIN_PASSWORD_LENGTH},
            )
        )
    _check_binding(role, company)
    if _find(session, username):
        raise Conflict(Text(N_("user %(username)s already exists"), {"username": repr(username)}))
    company_id = companies.company_id_for(session, company) if company else None
    user = User(
        username=username,
        role=role.value,
        company_id=company_id,
        password_hash=_hasher.hash(password),
        email=email,
        disabled=False,
        created_at=uow.clock.now(),
    )
    session.add(user)
    session.flush()
    after = {"username": username, "role": role.value, "company_id": company_id}
    uow.record("accounts:user:create", "user", user.id, actor, after=after)
    return user


def add_user(
    uow: UnitOfWork,
    actor: Actor | None,
    username: str,
    role: str,
    *,
    company: str | None = None,
    password: str | None = None,
    email: str | None = None,
) -> NewCredential:
    """Create a user. Admins only; `actor=None` is the bootstrap path used by `shokei init`."""
    if actor is not None and not actor.can(Permission.USER_MANAGE):
        raise Forbidden(Text(N_("only an admin may add users")))
    name = validate_username(username)
    secret = password if password is not None else generate_password()
    address = validate_email(email) if email is not None else None
    with uow.transaction() as session:
        _create_user(
            session,
            uow,
            actor,
            username=name,
            role=_parse_role(role),
            company=company,
            password=secret,
            email=address,
        )
    return NewCredential(username=name, secret=secret)


def change_role(
    uow: UnitOfWork, actor: Actor, username: str, role: str, company: str | None = None
) -> UserView:
    """Reassign a user (staff rotate between posts). Admins only; past acts keep their role in history."""
    if not actor.can(Permission.USER_MANAGE):
        raise Forbidden(Text(N_("only an admin may change roles")))
    new_role = _parse_role(role)
    _check_binding(new_role, company)
    with uow.transaction() as session:
        user = _find(session, username)
        if user is None:
            raise NotFound(Text(N_("no user %(username)s"), {"username": repr(username)}))
        before = {"role": user.role, "company_id": user.company_id}
        user.role = new_role.value
        user.company_id = companies.company_id_for(session, company) if company else None
        after = {"role": user.role, "company_id": user.company_id}
        uow.record("accounts:user:role", "user", user.id, actor, before=before, after=after)
        return UserView(
            id=user.id,
            username=user.username,
            role=user.role,
            disabled=user.disabled,
            company_corporate_number=company,
        )


def update_email(uow: UnitOfWork, actor: Actor, username: str, email: str | None) -> UserView:
    """Set (or, with None or "", clear) where a user's notices are e-mailed. Admins only."""
    if not actor.can(Permission.USER_MANAGE):
        raise Forbidden(Text(N_("only an admin may change users")))
    address = validate_email(email) if email else None
    with uow.transaction() as session:
        user = _find(session, username)
        if user is None:
            raise NotFound(Text(N_("no user %(username)s"), {"username": repr(username)}))
        before = {"email": user.email}
        user.email = address
        uow.record("accounts:user:email", "user", user.id, actor, before=before, after={"email": address})
        names = companies.views_by_id(session, [user.company_id] if user.company_id else [])
        return UserView(
            id=user.id,
            username=user.username,
            role=user.role,
            disabled=user.disabled,
            company_corporate_number=names[user.company_id].corporate_number if user.company_id else None,
            email=user.email,
        )


def recipients(uow: UnitOfWork, role: Role, company_id: int | None = None) -> list[Recipient]:
    """The enabled users holding `role` (of `company_id` only, for company-bound roles), for other
    features' notices. A company-bound role with no company has no recipients: a notice for one
    company's users never reaches another's."""
    if role in COMPANY_BOUND_ROLES and company_id is None:
        return []
    with uow.transaction() as session:
        query = select(User).where(User.role == role.value, User.disabled.is_(False))
        if role in COMPANY_BOUND_ROLES:
            query = query.where(User.company_id == company_id)
        users = session.execute(query.order_by(User.id)).scalars()
        return [Recipient(user_id=u.id, username=u.username, email=u.email) for u in users]


def mail_recipients(uow: UnitOfWork) -> list[Recipient]:
    """The enabled users with an e-mail address (the daily digest's addressees)."""
    with uow.transaction() as session:
        query = select(User).where(User.disabled.is_(False), User.email.is_not(None)).order_by(User.id)
        return [
            Recipient(user_id=u.id, username=u.username, email=u.email)
            for u in session.execute(query).scalars()
        ]


def user_exists(uow: UnitOfWork, username: str) -> bool:
    with uow.transaction() as session:
        return _find(session, username) is not None


def actor_for_username(uow: UnitOfWork, username: str) -> Actor:
    """The CLI's identity: whoever can run it on this data dir may act as a named user."""
    with uow.transaction() as session:
        user = _find(session, username)
        if user is None or user.disabled:
            raise NotFound(Text(N_("no active user %(username)s"), {"username": repr(username)}))
        return _actor(user)


def authenticate(uow: UnitOfWork, username: str, password: str) -> Actor:
    """Check a password; the same error for unknown users and wrong passwords."""
    with uow.transaction() as session:
        user = _find(session, username)
        try:
            if user is None or user.disabled:
                raise VerificationError
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise Unauthenticated(Text(N_("wrong username or password"))) from None
        return _actor(user)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(uow: UnitOfWork, actor: Actor, username: str) -> NewCredential:
    """Create an API token for a user: admins for anyone, every user for themself."""
    if actor.username != username and not actor.can(Permission.USER_MANAGE):
        raise Forbidden(Text(N_("only an admin may issue tokens for another user")))
    token = "shk_" + secrets.token_urlsafe(32)
    with uow.transaction() as session:
        user = _find(session, username)
        if user is None:
            raise NotFound(Text(N_("no user %(username)s"), {"username": repr(username)}))
        session.add(
            ApiToken(
                user_id=user.id, token_sha256=_token_digest(token), created_at=uow.clock.now(), revoked=False
            )
        )
        uow.record("accounts:token:create", "user", user.id, actor)
    return NewCredential(username=username, secret=token)


def actor_for_token(uow: UnitOfWork, token: str) -> Actor:
    with uow.transaction() as session:
        row = session.execute(
            select(User)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_sha256 == _token_digest(token), ApiToken.revoked.is_(False))
        ).scalar_one_or_none()
        if row is None or row.disabled:
            raise Unauthenticated(Text(N_("invalid or revoked API token")))
        return _actor(row)


def list_users(uow: UnitOfWork, actor: Actor) -> list[UserView]:
    """All users. Admins and auditors."""
    if not (actor.can(Permission.USER_MANAGE) or actor.can(Permission.AUDIT_READ)):
        raise Forbidden(Text(N_("only an admin or auditor may list users")))
    with uow.transaction() as session:
        users = list(session.execute(select(User).order_by(User.id)).scalars())
        names = companies.views_by_id(session, (u.company_id for u in users if u.company_id))
        return [
            UserView(
                id=u.id,
                username=u.username,
                role=u.role,
                disabled=u.disabled,
                company_corporate_number=names[u.company_id].corporate_number if u.company_id else None,
                email=u.email,
            )
            for u in users
        ]


def usernames(uow: UnitOfWork, user_ids: Iterable[int]) -> dict[int, str]:
    """The username of each user id (for other features' views; ids come from their own rows)."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    with uow.transaction() as session:
        rows = session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
        return {row.id: row.username for row in rows}


def user_by_username(uow: UnitOfWork, username: str) -> Actor | None:
    """The user with this username as an Actor (no company binding needed), or None."""
    with uow.transaction() as session:
        found = _find(session, username)
        return _actor(found) if found is not None else None
