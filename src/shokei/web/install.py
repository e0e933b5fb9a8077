"""Mounting the web application on the FastAPI app: middleware, static files, every feature's pages."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Scope

from shokei.bootstrap import Shokei
from shokei.web import i18n
from shokei.web.config import WebSettings
from shokei.web.csrf import CsrfMiddleware
from shokei.web.i18n import gettext as _
from shokei.web.lockout import LoginThrottle
from shokei.web.paths import STATIC_PREFIX, is_web_path
from shokei.web.registry import discover
from shokei.web.routing import ERROR_TITLES, error_page
from shokei.web.secret import load_session_key
from shokei.web.security import SecurityHeadersMiddleware
from shokei.web.sessions import RevokedSessions, SessionCodec, SessionMiddleware, WebSession
from shokei.web.shell import router as shell_router
from shokei.web.state import WebState
from shokei.web.templating import Templates

STATIC_DIR = Path(__file__).parent / "static"


def install_web(app: FastAPI, shokei: Shokei, settings: WebSettings | None = None) -> WebState:
    """Add the pages to `app`. Middleware order, outside in: headers, session, CSRF, routes."""
    settings = settings or WebSettings()
    features = discover()
    state = WebState(
        settings=settings,
        templates=Templates(features),
        features=features,
        throttle=LoginThrottle(settings, shokei.uow),
        revoked=RevokedSessions(shokei.uow),
        clock=time.time,
    )
    app.state.web = state
    app.include_router(shell_router)
    for feature in features:
        app.include_router(feature.router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(CsrfMiddleware, max_form_bytes=settings.max_form_bytes, rejection=_csrf_rejection(app))
    app.add_middleware(
        SessionMiddleware,
        codec=SessionCodec(load_session_key(shokei.settings)),
        settings=settings,
        revoked=state.revoked,
        on_expiry=_expired,
        clock=lambda: state.clock(),  # noqa: PLW0108 - looked up per request: tests move the clock
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_exception_handler(HTTPException, _http_error)
    return state


def _expired(session: WebSession) -> None:
    with i18n.activate(i18n.normalise(session.lang)):
        session.flash("info", _("Your session has ended. Please log in again."))


def _csrf_rejection(app: FastAPI) -> Callable[[Scope, int], Response]:
    def reject(scope: Scope, status: int) -> Response:
        request = Request(scope)
        request.scope["app"] = app
        with i18n.activate(i18n.normalise(getattr(scope.get("shokei.session"), "lang", None))):
            expired = _(
                "This form has expired or did not come from this site. Reload the page and try again."
            )
            detail = expired if status == 403 else None
        return error_page(request, status if status in ERROR_TITLES else 400, detail)

    return reject


async def _http_error(request: Request, error: Exception) -> Response:
    """Unknown paths and wrong methods: an HTML page for browsers, FastAPI's JSON for the API."""
    assert isinstance(error, HTTPException)
    if is_web_path(request.url.path) and error.status_code in ERROR_TITLES:
        return error_page(request, error.status_code)
    return await http_exception_handler(request, error)
