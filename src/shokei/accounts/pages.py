"""Accounts in the web pages: role names, the user list (admins and auditors), the admin's box."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request, Response
from markupsafe import Markup

from shokei.accounts import services
from shokei.api_support import ShokeiDep
from shokei.errors import Forbidden
from shokei.kernel import Permission, Role
from shokei.web.i18n import N_
from shokei.web.i18n import gettext as _
from shokei.web.registry import DASHBOARD, Box, BoxContext, FeaturePages, NavItem
from shokei.web.routing import TemplatesDep, WebActor, page_router
from shokei.web.templating import render_box

router = page_router()

ROLE_LABELS = {
    Role.SUPPLIER: N_("Supplier (withdrawing company)"),
    Role.INTAKE_OFFICER: N_("Intake officer"),
    Role.EXAMINER: N_("Examiner"),
    Role.NEGOTIATOR: N_("Negotiator"),
    Role.PROGRAM_MANAGER: N_("Program manager"),
    Role.SUCCESSOR: N_("Successor company"),
    Role.AUDITOR: N_("Auditor"),
    Role.ADMIN: N_("System administrator"),
}


def role_label(role: str) -> str:
    try:
        return _(ROLE_LABELS[Role(role)])
    except ValueError:
        return role


@router.get("/users")
def users_page(request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep) -> Response:
    users = services.list_users(shokei.uow, actor)
    return templates.page(request, "accounts/users.html", {"users": users})


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
            lambda actor: actor.can(Permission.USER_MANAGE) or actor.can(Permission.AUDIT_READ),
        ),
    ),
    boxes=(Box(DASHBOARD, "users", _users_box),),
    template_globals={"role_label": role_label},
)
