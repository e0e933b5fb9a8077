"""Users: who they are, their role, whether they are active, and the two-person rule on roles
that read document contents."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.accounts.domain import validate_email, validate_username
from shokei.accounts.models import User
from shokei.accounts.schemas import NewCredential, Recipient, UserView
from shokei.accounts.services.records import (
    MIN_PASSWORD_LENGTH,
    actor_of,
    existing,
    find,
    generate_password,
    password_hasher,
    require_admin,
    view_of,
)
from shokei.companies import services as companies
from shokei.errors import N_, BadInput, Conflict, Forbidden, NotFound, Text
from shokei.kernel import COMPANY_BOUND_ROLES, Actor, Permission, Role
from shokei.kernel.actors import reads_contents
from shokei.kernel.unit_of_work import UnitOfWork


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


def _needs_approval(actor: Actor | None, role: Role) -> bool:
    """An admin giving a content-reading role needs a second person (a program manager); the
    operator's bootstrap path (`actor` None: `shokei init`, the demo) does not."""
    return actor is not None and reads_contents(role)


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
    must_change_password: bool,
) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput(
            Text(
                N_("password must have at least %(min_password_length)s characters"),
                {"min_password_length": MIN_PASSWORD_LENGTH},
            )
        )
    _check_binding(role, company)
    if find(session, username):
        raise Conflict(Text(N_("user %(username)s already exists"), {"username": repr(username)}))
    company_id = companies.company_id_for(uow, company) if company else None
    pending = _needs_approval(actor, role)
    user = User(
        username=username,
        role=role.value,
        company_id=company_id,
        password_hash=password_hasher().hash(password),
        email=email,
        disabled=False,
        created_at=uow.clock.now(),
        content_approved=not pending,
        approval_requested_by=actor.user_id if pending and actor is not None else None,
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    after = {
        "username": username,
        "role": role.value,
        "company_id": company_id,
        "approval_pending": pending,
        "must_change_password": must_change_password,
    }
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
    must_change_password: bool = True,
) -> NewCredential:
    """Create a user. Admins only; `actor=None` is the bootstrap path used by `shokei init`.
    A role that reads document contents reads nothing until a program manager approves it.
    The password (generated, or the one given) is an initial one, known to whoever set it: the
    user replaces it at the first web login. Only the demo's own users keep theirs
    (`must_change_password=False`: `shokei demo seed`, and tests not about this)."""
    if actor is not None:
        require_admin(actor)
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
            must_change_password=must_change_password,
        )
    return NewCredential(username=name, secret=secret)


def change_role(
    uow: UnitOfWork, actor: Actor, username: str, role: str, company: str | None = None
) -> UserView:
    """Reassign a user (staff rotate between posts). Admins only; past acts keep their role in
    history. A move into a role that reads contents awaits a program manager's approval."""
    require_admin(actor)
    new_role = _parse_role(role)
    _check_binding(new_role, company)
    with uow.transaction() as session:
        user = existing(session, username)
        before = {"role": user.role, "company_id": user.company_id, "content_approved": user.content_approved}
        user.role = new_role.value
        user.company_id = companies.company_id_for(uow, company) if company else None
        pending = _needs_approval(actor, new_role)
        user.content_approved = not pending
        user.approval_requested_by = actor.user_id if pending else None
        after = {"role": user.role, "company_id": user.company_id, "content_approved": user.content_approved}
        uow.record("accounts:user:role", "user", user.id, actor, before=before, after=after)
        return view_of(uow, user)


def approve_user(uow: UnitOfWork, actor: Actor | None, username: str) -> UserView:
    """Approve a user's content-reading role (the two-person rule): an approved program manager
    who is not the admin who gave the role. `actor=None` is the operator's bootstrap path (the
    demo, tests' factories)."""
    with uow.transaction() as session:
        user = existing(session, username)
        if actor is not None:
            _check_approver(actor, user)
        if user.content_approved:
            raise Conflict(Text(N_("%(user)s needs no approval."), {"user": username}))
        user.content_approved = True
        requested_by, user.approval_requested_by = user.approval_requested_by, None
        after = {"role": user.role, "requested_by": requested_by, "content_approved": True}
        uow.record("accounts:user:approve", "user", user.id, actor, after=after)
        return view_of(uow, user)


def _check_approver(actor: Actor, user: User) -> None:
    if actor.role is not Role.PROGRAM_MANAGER or not actor.content_approved:
        raise Forbidden(Text(N_("Only an approved program manager may approve a user's role.")))
    if actor.user_id in (user.approval_requested_by, user.id):
        raise Forbidden(
            Text(
                N_("A second person must approve %(user)s: not the one who asked, not the user."),
                {"user": user.username},
            )
        )


def approve_first_program_manager(uow: UnitOfWork, username: str) -> UserView:
    """The operator's approval of an installation's first program manager (no one else could
    approve it); refused once any approved program manager exists."""
    with uow.transaction() as session:
        user = existing(session, username)
        approved = select(User.id).where(
            User.role == Role.PROGRAM_MANAGER.value, User.content_approved.is_(True), User.disabled.is_(False)
        )
        if user.role != Role.PROGRAM_MANAGER.value or session.execute(approved.limit(1)).first():
            raise Forbidden(
                Text(
                    N_("Say who approves (--as): an approved program manager other than the admin who asked.")
                )
            )
    return approve_user(uow, None, username)


def set_disabled(uow: UnitOfWork, actor: Actor, username: str, *, disabled: bool) -> UserView:
    """Disable (or enable again) a user: a disabled user cannot log in, use a token or act in
    the CLI, and its open web sessions stop at their next request. Admins only, never oneself."""
    require_admin(actor)
    if username == actor.username:
        raise Forbidden(Text(N_("You cannot disable or enable your own account.")))
    with uow.transaction() as session:
        user = existing(session, username)
        if user.disabled == disabled:
            raise Conflict(Text(N_("Nothing to change: %(user)s is already so."), {"user": username}))
        user.disabled = disabled
        tag = "accounts:user:disable" if disabled else "accounts:user:enable"
        uow.record(
            tag, "user", user.id, actor, before={"disabled": not disabled}, after={"disabled": disabled}
        )
        return view_of(uow, user)


def update_email(uow: UnitOfWork, actor: Actor, username: str, email: str | None) -> UserView:
    """Set (or, with None or "", clear) where a user's notices are e-mailed. Admins only."""
    require_admin(actor)
    address = validate_email(email) if email else None
    with uow.transaction() as session:
        user = existing(session, username)
        before = {"email": user.email}
        user.email = address
        uow.record("accounts:user:email", "user", user.id, actor, before=before, after={"email": address})
        return view_of(uow, user)


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
        return find(session, username) is not None


def actor_for_username(uow: UnitOfWork, username: str) -> Actor:
    """The CLI's identity: whoever can run it on this data dir may act as a named user."""
    with uow.transaction() as session:
        user = find(session, username)
        if user is None or user.disabled:
            raise NotFound(Text(N_("no active user %(username)s"), {"username": repr(username)}))
        return actor_of(user)


def actor_for_session(uow: UnitOfWork, username: str, generation: int) -> Actor:
    """The web's identity: the session's user, unless disabled or its password was reset after
    the session began (a reset ends every earlier session: `User.session_generation`)."""
    with uow.transaction() as session:
        user = find(session, username)
        if user is None or user.disabled or user.session_generation != generation:
            raise NotFound(Text(N_("no active user %(username)s"), {"username": repr(username)}))
        return actor_of(user)


def list_users(uow: UnitOfWork, actor: Actor) -> list[UserView]:
    """All users. Admins, auditors, and program managers (who approve roles)."""
    allowed = actor.can(Permission.USER_MANAGE) or actor.can(Permission.AUDIT_READ)
    if not (allowed or actor.role is Role.PROGRAM_MANAGER):
        raise Forbidden(Text(N_("only an admin, auditor or program manager may list users")))
    with uow.transaction() as session:
        users = list(session.execute(select(User).order_by(User.id)).scalars())
        return [view_of(uow, u) for u in users]


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
        found = find(session, username)
        return actor_of(found) if found is not None else None
