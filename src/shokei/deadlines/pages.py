"""Deadlines in the web pages: "what is waiting for me" first on every role's dashboard (the
user's open duties, most urgent first, with the time left; for program managers and auditors
also every party's breaches), the whole queue at /duties, a case's clocks on its page, and the
count of my duties in every page's header."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request, Response
from markupsafe import Markup

from shokei.api_support import ShokeiDep
from shokei.deadlines import services
from shokei.deadlines.catalogue import about, what
from shokei.deadlines.schemas import DutyDetail
from shokei.kernel import Actor, Permission, Role
from shokei.web.i18n import N_, current_language, ngettext
from shokei.web.i18n import gettext as _
from shokei.web.registry import CASE, DASHBOARD, Box, BoxContext, FeaturePages, HeaderCount
from shokei.web.routing import TemplatesDep, WebActor, page_router
from shokei.web.templating import render_box

router = page_router()

QUEUE_ON_DASHBOARD = 15
DUE_SOON_DAYS = 7  # coloured as due soon within a week


def time_left(duty: DutyDetail) -> tuple[str, str]:
    """How the due date reads today ("あと3日", "5日超過"), and the CSS class that colours it."""
    days = duty.days_left
    if duty.overdue:
        return ngettext("%(num)d day overdue", "%(num)d days overdue", -days) % {"num": -days}, "overdue"
    if days == 0:
        return _("Due today"), "due-soon"
    text = ngettext("%(num)d day left", "%(num)d days left", days) % {"num": days}
    return text, "due-soon" if days <= DUE_SOON_DAYS else ""


def duty_what(duty: DutyDetail) -> str:
    """What the duty asks for, in the page's language (the service's `what` is Japanese)."""
    return what(duty.kind, current_language())


def duty_about(duty: DutyDetail) -> str:
    """Its case or record, in the page's language."""
    return about(duty.kind, duty.case_id, duty.reference, current_language())


def _watches_clocks(actor: Actor) -> bool:
    """Program managers answer for breaches; auditors read every clock."""
    return actor.role in (Role.PROGRAM_MANAGER, Role.AUDITOR)


def _queue(context: BoxContext) -> tuple[list[DutyDetail], list[DutyDetail]]:
    uow, actor = context.shokei.uow, context.actor
    mine = services.open_duties(uow, actor)
    breaches = services.open_duties(uow, actor, everyone=True, overdue=True) if _watches_clocks(actor) else []
    return mine, breaches


@router.get("/duties")
def duties_page(request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep) -> Response:
    """My whole work queue, and every party's breaches for those who watch the clocks."""
    context = BoxContext(request, shokei, actor, shokei.uow.clock.today())
    mine, breaches = _queue(context) if actor.can(Permission.CASE_READ) else ([], [])
    return templates.page(request, "deadlines/duties.html", {"duties": mine, "breaches": breaches})


def _queue_box(context: BoxContext) -> Markup | None:
    if not context.actor.can(Permission.CASE_READ):
        return None
    mine, breaches = _queue(context)
    return render_box(
        context.request,
        "deadlines/_queue_box.html",
        {
            "duties": mine[:QUEUE_ON_DASHBOARD],
            "count": len(mine),
            "overdue": sum(1 for d in mine if d.overdue),
            "breaches": breaches[:QUEUE_ON_DASHBOARD],
            "breach_count": len(breaches),
        },
    )


def _case_box(context: BoxContext) -> Markup | None:
    duties = services.case_duties(context.shokei.uow, context.actor, context.subject.id)
    if not duties:
        return None
    return render_box(context.request, "deadlines/_case_box.html", {"duties": duties})


def _queue_count(context: BoxContext) -> tuple[int, bool] | None:
    if not context.actor.can(Permission.CASE_READ):
        return None
    waiting, overdue = services.count_open(context.shokei.uow, context.actor)
    return waiting, overdue > 0


pages = FeaturePages(
    name="deadlines",
    router=router,
    templates=Path(__file__).parent / "templates",
    boxes=(Box(DASHBOARD, "work_queue", _queue_box), Box(CASE, "duties", _case_box)),
    header=(HeaderCount(N_("My work"), "/duties", _queue_count),),
    template_globals={"duty_time_left": time_left, "duty_what": duty_what, "duty_about": duty_about},
)
