"""What every page shares: the logged-in actor, redirects, one-shot messages and error pages.

Routers of pages use `WebRoute`, which turns the service layer's errors into pages: on a form
post, a correctable error (bad input, a conflict) goes back to the form with the message; on a
page, NotFound/Forbidden become 404/403 pages. Permissions themselves are decided by the services.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from pydantic import BeforeValidator
from starlette.exceptions import HTTPException

from shokei.accounts import services as accounts
from shokei.api_support import ShokeiDep, log_refusal
from shokei.errors import BadInput, Conflict, Forbidden, NotFound, ShokeiError, Unauthenticated
from shokei.kernel import Actor
from shokei.kernel.bounds import Count
from shokei.web import i18n
from shokei.web.i18n import N_
from shokei.web.sessions import session_of
from shokei.web.templating import Templates, is_htmx, request_language

ERROR_TITLES = {
    400: N_("The request could not be understood"),
    403: N_("You do not have permission for this"),
    404: N_("Not found"),
    405: N_("This action is not available here"),
    409: N_("Someone changed this in the meantime"),
    413: N_("The request is too large"),
    422: N_("Please check what you entered"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
}


class LoginRequired(Exception):
    """No logged-in user: the page sends the browser to the login form."""


class PasswordChangeRequired(Exception):
    """Logged in with a one-time password: every page but the password form sends the browser there."""


PASSWORD_PATH = "/password"  # noqa: S105 - a page path, not a password


def templates_of(request: Request) -> Templates:
    templates: Templates = request.app.state.web.templates
    return templates


def web_actor(request: Request, shokei: ShokeiDep) -> Actor:
    """The logged-in user, reloaded on every request so a disabled account stops at once."""
    session = session_of(request)
    if session.username is None:
        raise LoginRequired
    try:
        actor = accounts.actor_for_session(shokei.uow, session.username, session.generation)
    except NotFound:
        session.username, session.modified = None, True
        raise LoginRequired from None
    if session.password_change and request.url.path != PASSWORD_PATH:
        raise PasswordChangeRequired
    request.state.actor = actor
    return actor


WebActor = Annotated[Actor, Depends(web_actor)]
TemplatesDep = Annotated[Templates, Depends(templates_of)]

# A form field left empty arrives as "" (a browser sends every named field): for an optional
# number that means "not given", never a 422 the user cannot see the reason of.
_BLANK_IS_NONE = BeforeValidator(lambda value: None if value == "" else value)
OptionalCount = Annotated[Count | None, _BLANK_IS_NONE]


def safe_local_path(target: str | None, default: str = "/") -> str:
    """Only paths on this site: an open redirect would make the login page a phishing tool."""
    if not target:
        return default
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return default
    return target


def redirect(request: Request, url: str) -> Response:
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def flash(request: Request, level: str, text: str) -> None:
    session_of(request).flash(level, text)


def back(request: Request, default: str = "/") -> str:
    """Where a form was posted from, if that was a page of this site."""
    referer = request.headers.get("referer")
    if referer and urlsplit(referer).netloc == request.headers.get("host"):
        parts = urlsplit(referer)
        return safe_local_path(parts.path + (f"?{parts.query}" if parts.query else ""), default)
    return default


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(request, f"/login?next={quote(target)}")


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    templates = templates_of(request)
    with i18n.activate(request_language(request)):
        title = i18n.gettext(ERROR_TITLES.get(status, ERROR_TITLES[500]))
    return templates.page(
        request,
        "web/error.html",
        {"status": status, "title": title, "detail": detail},
        fragment="web/_error.html",
        status=status,
    )


def _error_response(request: Request, error: ShokeiError) -> Response:
    if isinstance(error, Unauthenticated):
        return login_redirect(request)
    if isinstance(error, Forbidden):
        log_refusal(request, error)
    correctable = isinstance(error, BadInput | Conflict)
    if request.method == "POST" and correctable and not is_htmx(request):
        flash(request, "error", error.localised(i18n.gettext))
        return redirect(request, back(request))
    return error_page(request, error.http_status, error.localised(i18n.gettext))


def _invalid_input(request: Request, error: RequestValidationError) -> Response:
    first = error.errors()[0] if error.errors() else {}
    field = str(first.get("loc", ("", ""))[-1])
    detail = f"{field}: {first.get('msg', '')}"
    if request.method == "POST" and not is_htmx(request):
        flash(request, "error", f"{i18n.gettext(ERROR_TITLES[422])} ({detail})")
        return redirect(request, back(request))
    return error_page(request, 422, detail)


class WebRoute(APIRoute):
    """Every page route: the request's language is active, and errors become pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            with i18n.activate(request_language(request)):
                try:
                    return await handle(request)
                except LoginRequired:
                    return login_redirect(request)
                except PasswordChangeRequired:
                    return redirect(request, PASSWORD_PATH)
                except ShokeiError as error:
                    return _error_response(request, error)
                except RequestValidationError as error:
                    return _invalid_input(request, error)
                except HTTPException as error:
                    if error.status_code in ERROR_TITLES:
                        return error_page(request, error.status_code)
                    raise

        return handler


def page_router(**kwargs: Any) -> APIRouter:
    """A router for pages: WebRoute, and no entries in the API's OpenAPI document."""
    return APIRouter(route_class=WebRoute, include_in_schema=False, **kwargs)
