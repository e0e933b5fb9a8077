"""The case page's assignment section: who is assigned to the case; a program manager assigns and
unassigns officials; a program manager or auditor not assigned records a break-glass reason to
read the contents. `cases.services` decides who may do each; the box only chooses what to offer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from markupsafe import Markup

from shokei.api_support import ShokeiDep
from shokei.cases import services
from shokei.cases.domain.assignment import OVERSIGHT_ROLES, CaseRole, ContentAccess
from shokei.kernel import ROLE_NAMES, Role
from shokei.web.i18n import gettext as _
from shokei.web.i18n import label
from shokei.web.registry import BoxContext
from shokei.web.routing import WebActor, flash, page_router, redirect
from shokei.web.templating import render_box

router = page_router()

# A role on a case is called as the role of the same name.
CASE_ROLE_LABELS: dict[str, str] = {role: ROLE_NAMES[Role(role.value)] for role in CaseRole}


def assignment_box(context: BoxContext) -> Markup | None:
    """For officials and auditors: who is assigned; the forms their role may use."""
    actor, case = context.actor, context.subject
    if actor.is_company_bound or case.assigned is None:
        return None
    uow = context.shokei.uow
    assignments = services.assignments_of(uow, actor, case.id)
    closed = services.content_access_of(uow, actor, case.id) is ContentAccess.NONE
    return render_box(
        context.request,
        "cases/_assignment_box.html",
        {
            "case": case,
            "assignments": assignments,
            "role_label": lambda value: label(CASE_ROLE_LABELS, value),
            "case_roles": [(role.value, label(CASE_ROLE_LABELS, role.value)) for role in CaseRole],
            "can_assign": actor.role is Role.PROGRAM_MANAGER,
            "may_break_glass": closed and actor.role in OVERSIGHT_ROLES,
            "contents_closed": closed,
        },
    )


@router.post("/cases/{case_id}/assignments")
def assign(
    case_id: int,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    user: Annotated[str, Form(max_length=150)],
    role_on_case: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    name = user.strip()
    services.assign_official(shokei.uow, actor, case_id, name, role_on_case=role_on_case or None)
    flash(request, "success", _("%(user)s is now assigned to this case.") % {"user": name})
    return redirect(request, f"/cases/{case_id}#assignment")


@router.post("/cases/{case_id}/assignments/{username}/remove")
def unassign(
    case_id: int, username: str, *, request: Request, shokei: ShokeiDep, actor: WebActor
) -> Response:
    services.unassign_official(shokei.uow, actor, case_id, username)
    flash(request, "success", _("%(user)s is no longer assigned to this case.") % {"user": username})
    return redirect(request, f"/cases/{case_id}#assignment")


@router.post("/cases/{case_id}/break-glass")
def break_glass(
    case_id: int,
    *,
    request: Request,
    shokei: ShokeiDep,
    actor: WebActor,
    reason: Annotated[str, Form(max_length=1000)],
) -> Response:
    services.break_glass(shokei.uow, actor, case_id, reason)
    flash(
        request,
        "success",
        _("Your reason is recorded and the other program managers are told; the contents are open for 24h."),
    )
    return redirect(request, f"/cases/{case_id}")
