"""Accounts in the web pages: role names, the user list with the admin's actions (disable, enable,
reset a password, tokens) and the program manager's approval, one's own password, the admin's box."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Form, Request, Response
from markupsafe import Markup

from shokei.accounts import services
from shokei.api_support import ShokeiDep
from shokei.errors import Forbidden
from shokei.kernel import Permission, Role, role_name
from shokei.web.i18n import N_
from shokei.web.i18n import gettext as _
from shokei.web.registry import DASHBOARD, Box, BoxContext, FeaturePages, NavItem
from shokei.web.routing import PASSWORD_PATH, TemplatesDep, WebActor, flash, page_router, redirect
from shokei.web.sessions import session_of
from shokei.web.templating import render_box

router = page_router()

Username = Annotated[str, Form(max_length=64)]


def role_label(role: str) -> str:
    """A role's name in the page's language (`kernel.ROLE_NAMES`, which the refusals use too)."""
    return role_name(role).render(_)


@router.get("/users")
def users_page(request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep) -> Response:
    users = services.list_users(shokei.uow, actor)
    context = {
        "users": users,
        "can_manage": actor.can(Permission.USER_MANAGE),
        "can_approve": actor.role is Role.PROGRAM_MANAGER and actor.content_approved,
        "me": actor.username,
    }
    return templates.page(request, "accounts/users.html", context)


@router.post("/users/{username}/disable")
def disable_user(request: Request, shokei: ShokeiDep, actor: WebActor, username: str) -> Response:
    services.set_disabled(shokei.uow, actor, username, disabled=True)
    flash(request, "success", _("%(user)s is disabled.") % {"user": username})
    return redirect(request, "/users")


@router.post("/users/{username}/enable")
def enable_user(request: Request, shokei: ShokeiDep, actor: WebActor, username: str) -> Response:
    services.set_disabled(shokei.uow, actor, username, disabled=False)
    flash(request, "success", _("%(user)s is enabled.") % {"user": username})
    return redirect(request, "/users")


@router.post("/users/{username}/approve")
def approve_user(request: Request, shokei: ShokeiDep, actor: WebActor, username: str) -> Response:
    services.approve_user(shokei.uow, actor, username)
    flash(request, "success", _("%(user)s may now read document contents.") % {"user": username})
    return redirect(request, "/users")


@router.post("/users/{username}/reset-password")
def reset_password(
    request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep, username: str
) -> Response:
    """The one-time password is shown on this response only (never in the cookie's messages)."""
    credential = services.reset_password(shokei.uow, actor, username)
    return templates.page(
        request, "accounts/one_time_password.html", {"username": username, "password": credential.secret}
    )


@router.get("/users/{username}/tokens")
def tokens_page(
    request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep, username: str
) -> Response:
    tokens = services.list_tokens(shokei.uow, actor, username)
    return templates.page(request, "accounts/tokens.html", {"username": username, "tokens": tokens})


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, shokei: ShokeiDep, actor: WebActor, token_id: int) -> Response:
    revoked = services.revoke_token(shokei.uow, actor, token_id)
    flash(request, "success", _("Token %(token)s is revoked.") % {"token": revoked.id})
    return redirect(request, f"/users/{revoked.username}/tokens")


@router.get(PASSWORD_PATH)
def password_form(request: Request, actor: WebActor, templates: TemplatesDep) -> Response:
    forced = session_of(request).password_change
    return templates.page(request, "accounts/password.html", {"forced": forced})


@router.post(PASSWORD_PATH)
def change_password(
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    current: Annotated[str, Form(max_length=1024)],
    new: Annotated[str, Form(max_length=1024)],
) -> Response:
    generation = services.change_password(shokei.uow, actor, current, new)
    # The change ends every other session of the account; this one goes on in the new generation.
    session = session_of(request)
    session.password_change, session.generation, session.modified = False, generation, True
    flash(request, "success", _("Your password is changed."))
    return redirect(request, "/")


def _users_box(context: BoxContext) -> Markup | None:
    if not context.actor.can(Permission.USER_MANAGE):
        return None
    try:
        users = services.list_users(context.shokei.uow, context.actor)
    except Forbidden:
        return None
    counts: dict[str, int] = {}
    for user in users:
        if not user.disabled:
            counts[user.role] = counts.get(user.role, 0) + 1
    return render_box(context.request, "accounts/_users_box.html", {"counts": counts, "total": len(users)})


pages = FeaturePages(
    name="accounts",
    router=router,
    templates=Path(__file__).parent / "templates",
    nav=(
        NavItem(
            N_("Users"),
            "/users",
            lambda actor: (
                actor.can(Permission.USER_MANAGE)
                or actor.can(Permission.AUDIT_READ)
                or actor.role is Role.PROGRAM_MANAGER
            ),
        ),
    ),
    boxes=(Box(DASHBOARD, "users", _users_box),),
    template_globals={"role_label": role_label},
)
