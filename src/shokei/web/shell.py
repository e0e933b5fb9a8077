"""The shell's own pages: login, logout, language and the dashboard the features fill."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Form, Request, Response

from shokei.accounts import services as accounts
from shokei.api_support import ShokeiDep
from shokei.errors import Unauthenticated
from shokei.web import i18n
from shokei.web.i18n import gettext as _
from shokei.web.i18n import ngettext
from shokei.web.registry import DASHBOARD, boxes_for
from shokei.web.routing import TemplatesDep, WebActor, page_router, redirect, safe_local_path
from shokei.web.sessions import session_of
from shokei.web.state import web_state

router = page_router()
_log = logging.getLogger("shokei.web.auth")


@router.get("/login")
def login_form(request: Request, templates: TemplatesDep, next: str | None = None) -> Response:
    if session_of(request).username is not None:
        return redirect(request, safe_local_path(next))
    return _login_page(request, templates, next=next)


def _login_page(
    request: Request,
    templates: TemplatesDep,
    *,
    next: str | None,
    username: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {"next": safe_local_path(next), "username": username, "error": error}
    return templates.page(request, "web/login.html", context, status=status)


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login")
def login(
    *,
    request: Request,
    shokei: ShokeiDep,
    templates: TemplatesDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Password login with back-off; the same answer for unknown users and wrong passwords."""
    state, address = web_state(request), _client_address(request)
    wait = state.throttle.locked_for(username, address)
    if wait > 0:
        minutes = max(1, round(wait / 60))
        message = ngettext(
            "Too many failed attempts. Try again in %(minutes)d minute.",
            "Too many failed attempts. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        _log.warning("login refused during lockout: user=%r address=%s", username, address)
        return _login_page(request, templates, next=next, username=username, error=message, status=429)
    try:
        actor = accounts.authenticate(shokei.uow, username, password)
    except Unauthenticated:
        state.throttle.failed(username, address)
        _log.info("failed login: user=%r address=%s", username, address)
        error = _("Wrong username or password.")
        return _login_page(request, templates, next=next, username=username, error=error, status=401)
    state.throttle.succeeded(username)
    session_of(request).log_in(actor.username, state.clock())
    _log.info("login: user=%r address=%s", actor.username, address)
    return redirect(request, safe_local_path(next))


@router.post("/logout")
def logout(request: Request) -> Response:
    state, session = web_state(request), session_of(request)
    if session.username is not None:
        until = session.issued + state.settings.session_max_hours * 3600
        state.revoked.revoke(session.sid, until, state.clock())
    session.log_out()
    session.flash("info", _("You have logged out."))
    return redirect(request, "/login")


@router.post("/language")
def choose_language(
    request: Request,
    lang: Annotated[str, Form(max_length=8)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    session = session_of(request)
    session.lang, session.modified = i18n.normalise(lang), True
    return redirect(request, safe_local_path(next))


@router.get("/")
def dashboard_page(request: Request, shokei: ShokeiDep, actor: WebActor, templates: TemplatesDep) -> Response:
    """Each feature's boxes for this role; slots whose feature has no pages yet say so."""
    boxes = boxes_for(request, DASHBOARD, shokei, actor)
    return templates.page(request, "web/dashboard.html", {"boxes": boxes, "today": shokei.uow.clock.today()})
