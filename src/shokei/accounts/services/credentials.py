"""Credentials: password logins with an optional TOTP second factor, one-time passwords, and API
tokens that expire and can be revoked."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import pyotp
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from shokei.accounts.domain import Sealer
from shokei.accounts.models import ApiToken, User
from shokei.accounts.schemas import LoginOutcome, NewCredential, TokenView
from shokei.accounts.services.records import (
    MIN_PASSWORD_LENGTH,
    actor_of,
    existing,
    find,
    generate_password,
    password_hasher,
    require_admin,
)
from shokei.clock import as_utc
from shokei.errors import N_, BadInput, Conflict, Forbidden, NotFound, Text, Unauthenticated
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork

TOKEN_LIFETIME_DAYS = 90
MAX_TOKEN_LIFETIME_DAYS = 366
TOTP_ISSUER = "Shokei"
_WRONG_PASSWORD = N_("Wrong username or password.")
_WRONG_CODE = N_("Wrong or missing one-time code.")
_NEEDS_SECOND_FACTOR = N_(
    "Your account needs a second factor before it can log in: ask a system administrator to "
    "enroll it (shokei user mfa enroll), then add the otpauth URI you are given to an "
    "authenticator app."
)


def authenticate(uow: UnitOfWork, username: str, password: str) -> Actor:
    """Check a password; the same error for unknown users, disabled users and wrong passwords."""
    with uow.transaction() as session:
        user = find(session, username)
        try:
            if user is None or user.disabled:
                raise VerificationError
            password_hasher().verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise Unauthenticated(Text(_WRONG_PASSWORD)) from None
        return actor_of(user)


def log_in(
    uow: UnitOfWork,
    username: str,
    password: str,
    code: str = "",
    *,
    sealer: Sealer,
    ministry_needs_mfa: bool = False,
) -> LoginOutcome:
    """A web login: the password, then the TOTP code when the user enrolled one. With
    `ministry_needs_mfa` (the web's default, `SHOKEI_WEB_MFA_REQUIRED=officials`) every ministry
    account (officials, auditors, admins: every role not bound to a company) must have enrolled
    one; companies' users stay optional. A code is accepted once. The success is recorded in the
    ledger; failures are the caller's (the lockout and the security log)."""
    actor = authenticate(uow, username, password)
    with uow.transaction() as session:
        user = existing(session, actor.username)
        if user.totp_sealed is None and ministry_needs_mfa and not actor.is_company_bound:
            raise Unauthenticated(Text(_NEEDS_SECOND_FACTOR))
        if user.totp_sealed is not None:
            _accept_code(uow, user, code, sealer)
        uow.record(
            "accounts:login:success",
            "user",
            user.id,
            actor,
            after={"second_factor": user.totp_sealed is not None},
        )
        return LoginOutcome(
            username=user.username,
            must_change_password=user.must_change_password,
            session_generation=user.session_generation,
        )


def totp_associated_data(user: User) -> bytes:
    """What binds a sealed TOTP secret to its user: copied to another row, it does not open."""
    return b"shokei/accounts/totp/v1\x00" + str(user.id).encode() + b"\x00" + user.username.encode()


def _accept_code(uow: UnitOfWork, user: User, code: str, sealer: Sealer) -> None:
    assert user.totp_sealed is not None
    secret = sealer.open(user.totp_sealed, totp_associated_data(user)).decode("ascii")
    totp, now = pyotp.TOTP(secret), uow.clock.now()
    step = totp.timecode(now)
    # The code of this step or the one before (a clock a little behind); never one used already.
    for candidate in (step, step - 1):
        fresh = user.totp_last_step is None or candidate > user.totp_last_step
        if fresh and secrets.compare_digest(totp.generate_otp(candidate), code.strip()):
            user.totp_last_step = candidate
            return
    raise Unauthenticated(Text(_WRONG_CODE))


def enroll_mfa(uow: UnitOfWork, actor: Actor | None, username: str, sealer: Sealer) -> str:
    """Give a user a new TOTP secret (replacing any earlier one), sealed under the installation's
    keys; returns the otpauth URI for an authenticator app, shown once. Admins, or the user for
    themself; `actor=None` is the operator's bootstrap path (`shokei init`, the demo)."""
    if actor is not None and actor.username != username:
        require_admin(actor)
    secret = pyotp.random_base32()
    with uow.transaction() as session:
        user = existing(session, username)
        replaced = user.totp_sealed is not None
        user.totp_sealed = sealer.seal(secret.encode("ascii"), totp_associated_data(user))
        user.totp_last_step = None
        uow.record(
            "accounts:mfa:enroll", "user", user.id, actor, after={"subject": username, "replaced": replaced}
        )
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def reset_password(uow: UnitOfWork, actor: Actor, username: str) -> NewCredential:
    """Give a user a one-time password that must be changed at the next login. Admins only."""
    require_admin(actor)
    secret = generate_password()
    with uow.transaction() as session:
        user = existing(session, username)
        now = uow.clock.now()
        user.password_hash, user.must_change_password = password_hasher().hash(secret), True
        # A reset is what an admin does when an account may be in other hands: whatever that
        # hand holds (web sessions, API tokens) ends with it.
        user.session_generation += 1
        ended = len(
            session.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
                .values(revoked=True, revoked_at=now)
                .returning(ApiToken.id)
            ).all()
        )
        uow.record(
            "accounts:password:reset",
            "user",
            user.id,
            actor,
            after={"must_change_password": True, "tokens_revoked": ended, "sessions_ended": True},
        )
    return NewCredential(username=username, secret=secret)


def change_password(uow: UnitOfWork, actor: Actor, current: str, new: str) -> int:
    """A user replaces their own password (and so a one-time one), knowing the current one. Every
    other web session of the account ends (a new session generation, as a reset starts); returns
    the new generation, which the session that made the change carries on with."""
    authenticate(uow, actor.username, current)
    if len(new) < MIN_PASSWORD_LENGTH:
        raise BadInput(
            Text(
                N_("The new password must have at least %(count)d characters."),
                {"count": MIN_PASSWORD_LENGTH},
            )
        )
    if new == current:
        raise BadInput(Text(N_("The new password must differ from the current one.")))
    with uow.transaction() as session:
        user = existing(session, actor.username)
        user.password_hash, user.must_change_password = password_hasher().hash(new), False
        user.session_generation += 1
        uow.record("accounts:password:change", "user", user.id, actor, after={"sessions_ended": True})
        return user.session_generation


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    uow: UnitOfWork, actor: Actor, username: str, days: int = TOKEN_LIFETIME_DAYS
) -> NewCredential:
    """Create an API token for a user, valid `days` (90 by default): admins for anyone, every user
    for themself. The ledger names both the one who issued it and the one it is for."""
    if actor.username != username and not actor.can(Permission.USER_MANAGE):
        raise Forbidden(Text(N_("Only an administrator may issue a token for another user.")))
    if not 1 <= days <= MAX_TOKEN_LIFETIME_DAYS:
        raise BadInput(Text(N_("A token lasts 1 to %(days)d days."), {"days": MAX_TOKEN_LIFETIME_DAYS}))
    token = "shk_" + secrets.token_urlsafe(32)
    now = uow.clock.now()
    expiry = now + timedelta(days=days)
    with uow.transaction() as session:
        user = existing(session, username)
        if user.disabled:
            raise Conflict(Text(N_("%(user)s is disabled."), {"user": username}))
        row = ApiToken(
            user_id=user.id,
            token_sha256=_token_digest(token),
            created_at=now,
            revoked=False,
            expires_at=expiry,
        )
        session.add(row)
        session.flush()
        after = {
            "token_id": row.id,
            "subject": username,
            "issued_by": actor.username,
            "expires_at": expiry.isoformat(),
        }
        uow.record("accounts:token:create", "user", user.id, actor, after=after)
    return NewCredential(username=username, secret=token)


def revoke_token(uow: UnitOfWork, actor: Actor, token_id: int) -> TokenView:
    """Revoke an API token at once: admins any, every user their own."""
    with uow.transaction() as session:
        row = session.get(ApiToken, token_id)
        owner = session.get(User, row.user_id) if row is not None else None
        if (
            row is None
            or owner is None
            or (owner.id != actor.user_id and not actor.can(Permission.USER_MANAGE))
        ):
            raise NotFound(Text(N_("There is no token %(token)s."), {"token": token_id}))
        if row.revoked:
            raise Conflict(Text(N_("Token %(token)s is already revoked."), {"token": token_id}))
        row.revoked, row.revoked_at = True, uow.clock.now()
        uow.record(
            "accounts:token:revoke",
            "user",
            owner.id,
            actor,
            after={"token_id": row.id, "subject": owner.username},
        )
        return _token_view(row, owner.username, uow)


def list_tokens(uow: UnitOfWork, actor: Actor, username: str) -> list[TokenView]:
    """A user's tokens (never the tokens themselves): admins for anyone, every user their own."""
    if actor.username != username:
        require_admin(actor)
    with uow.transaction() as session:
        user = existing(session, username)
        rows = session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        ).scalars()
        return [_token_view(row, username, uow) for row in rows]


def _token_view(row: ApiToken, username: str, uow: UnitOfWork) -> TokenView:
    expires_at = as_utc(row.expires_at) if row.expires_at is not None else None
    expired = expires_at is not None and expires_at <= uow.clock.now()
    return TokenView(
        id=row.id,
        username=username,
        created_at=as_utc(row.created_at),
        expires_at=expires_at,
        revoked=row.revoked,
        revoked_at=as_utc(row.revoked_at) if row.revoked_at is not None else None,
        active=not (row.revoked or expired),
    )


def actor_for_token(uow: UnitOfWork, token: str) -> Actor:
    """The user an API token acts for: refused when revoked, expired or its user disabled."""
    with uow.transaction() as session:
        found = session.execute(
            select(User, ApiToken)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_sha256 == _token_digest(token))
        ).first()
        if found is None:
            raise Unauthenticated(Text(N_("Invalid, expired or revoked API token.")))
        user, row = found
        expired = row.expires_at is None or as_utc(row.expires_at) <= uow.clock.now()
        if row.revoked or expired or user.disabled:
            raise Unauthenticated(Text(N_("Invalid, expired or revoked API token.")))
        return actor_of(user)
