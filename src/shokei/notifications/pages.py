"""Notifications in the web pages: my notices (the in-app inbox) with read and unread, marking
one read (a form with the CSRF token), a link to the page each is about, and the count of my
unread notices in every page's header."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request, Response

from shokei.api_support import ShokeiDep
from shokei.kernel.bounds import Id
from shokei.notifications import services
from shokei.web.i18n import N_
from shokei.web.i18n import gettext as _
from shokei.web.registry import BoxContext, FeaturePages, HeaderCount
from shokei.web.routing import TemplatesDep, WebActor, flash, page_router, redirect

router = page_router()


@router.get("/notifications")
def inbox_page(request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep) -> Response:
    """My notices, newest first, unread ones marked."""
    items = services.inbox(shokei.uow, actor)
    unread = sum(1 for item in items if not item.read)
    return templates.page(request, "notifications/inbox.html", {"items": items, "unread": unread})


@router.post("/notifications/{notice_id}/read")
def mark_read(notice_id: Id, request: Request, shokei: ShokeiDep, actor: WebActor) -> Response:
    """Mark one of my notices read (another user's is not found)."""
    services.mark_read(shokei.uow, actor, notice_id)
    flash(request, "success", _("The notice is marked as read."))
    return redirect(request, "/notifications")


def _unread_count(context: BoxContext) -> tuple[int, bool]:
    unread = services.unread_count(context.shokei.uow, context.actor)
    return unread, unread > 0


pages = FeaturePages(
    name="notifications",
    router=router,
    templates=Path(__file__).parent / "templates",
    header=(HeaderCount(N_("Notices"), "/notifications", _unread_count),),
)
