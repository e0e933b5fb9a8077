"""CSRF protection for every state-changing web request, whatever route it reaches.

A request that is not GET/HEAD/OPTIONS must carry the session's token, in the `X-CSRF-Token`
header (htmx and the upload script send it) or as the `csrf_token` field of a url-encoded form.
Requests the browser marks as coming from another site are refused before the token is read.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from shokei.web.body import FORM_TYPE, BodyCut, BodyTooLarge, read_body, replay
from shokei.web.paths import is_web_path
from shokei.web.sessions import SCOPE_KEY, WebSession

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEADER = "x-csrf-token"
FIELD = "csrf_token"


class CsrfRejected(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


def _same_site(headers: Headers) -> bool:
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = headers.get("origin")
    return origin is None or urlsplit(origin).netloc == headers.get("host")


class CsrfMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_form_bytes: int, rejection: Callable[[Scope, int], Response]
    ) -> None:
        self.app, self.max_form_bytes, self.rejection = app, max_form_bytes, rejection

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS or not is_web_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        try:
            receive = await self._check(scope, receive)
        except CsrfRejected as rejected:
            await self.rejection(scope, rejected.status)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _check(self, scope: Scope, receive: Receive) -> Receive:
        session = scope.get(SCOPE_KEY)
        headers = Headers(scope=scope)
        if not isinstance(session, WebSession) or not _same_site(headers):
            raise CsrfRejected(403)
        token = headers.get(HEADER)
        if token is None and headers.get("content-type", "").split(";")[0].strip() == FORM_TYPE:
            body = await self._read_body(receive)
            token = parse_qs(body.decode("latin-1")).get(FIELD, [None])[0]
            receive = replay(body, receive)
        if not token or not hmac.compare_digest(token.encode(), session.csrf.encode()):
            raise CsrfRejected(403)
        return receive

    async def _read_body(self, receive: Receive) -> bytes:
        try:
            return await read_body(receive, limit=self.max_form_bytes)
        except BodyTooLarge:
            raise CsrfRejected(413) from None
        except BodyCut:
            raise CsrfRejected(400) from None
