"""The shell's own pages: login, logout, language and the dashboard the features fill."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Form, Request, Response

from shokei.accounts import services as accounts
from shokei.api_support import ShokeiDep
from shokei.errors import Unauthenticated
from shokei.logs import security_event
from shokei.web import i18n
from shokei.web.i18n import gettext as _
from shokei.web.i18n import ngettext
from shokei.web.registry import DASHBOARD, boxes_for
from shokei.web.routing import PASSWORD_PATH, TemplatesDep, WebActor, page_router, redirect, safe_local_path
from shokei.web.sessions import session_of
from shokei.web.state import web_state

router = page_router()


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
    """The peer's address: X-Forwarded-For counts only from SHOKEI_TRUSTED_PROXIES (app.py)."""
    return request.client.host if request.client else "unknown"


@router.post("/login")
def login(
    *,
    request: Request,
    shokei: ShokeiDep,
    templates: TemplatesDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    code: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Password (and TOTP code) login with back-off; the same answer for unknown users and wrong
    passwords. The attempt is counted before the password is checked (`LoginThrottle.attempt`)."""
    state, address = web_state(request), _client_address(request)
    if not state.throttle.attempt(username, address):
        minutes = max(1, round(state.throttle.locked_for(username, address) / 60))
        message = ngettext(
            "Too many failed attempts. Try again in %(minutes)d minute.",
            "Too many failed attempts. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        security_event("login_refused_locked", logging.WARNING, user=username, address=address)
        return _login_page(request, templates, next=next, username=username, error=message, status=429)
    ministry_needs_mfa = state.settings.mfa_required == "officials"
    try:
        outcome = accounts.log_in(
            shokei.uow, username, password, code, sealer=shokei.sealer, ministry_needs_mfa=ministry_needs_mfa
        )
    except Unauthenticated as refusal:
        locked = state.throttle.failed(username, address)
        security_event("login_failed", user=username, address=address, reason=refusal.message)
        if locked:
            security_event("lockout", logging.WARNING, user=username, address=address)
        error = refusal.localised(i18n.gettext)
        return _login_page(request, templates, next=next, username=username, error=error, status=401)
    state.throttle.succeeded(username, address)
    session_of(request).log_in(
        outcome.username,
        state.clock(),
        password_change=outcome.must_change_password,
        generation=outcome.session_generation,
    )
    security_event("login", user=outcome.username, address=address)
    if outcome.must_change_password:
        return redirect(request, PASSWORD_PATH)
    return redirect(request, safe_local_path(next))


@router.post("/logout")
def logout(request: Request) -> Response:
    state, session = web_state(request), session_of(request)
    if session.username is not None:
        until = session.issued + state.settings.session_max_hours * 3600
        state.revoked.revoke(session.sid, until, state.clock())
        security_event("logout", user=session.username, address=_client_address(request))
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
