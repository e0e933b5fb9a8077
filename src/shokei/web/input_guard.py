"""The edge every request crosses before any route runs: what no service may ever receive is
refused here with a 422 (413 for an oversized body), for the API and the pages alike.

- the path and the query string: no NUL (PostgreSQL refuses it in text);
- a JSON body: strict JSON as I-JSON (RFC 7493) and JCS (RFC 8785) read it, because it may end
  in the ledger's canonical JSON: no NaN or Infinity (nor a number that overflows to it), no
  integer beyond ±(2^53-1), valid Unicode (no lone surrogate from a `\\ud800` escape), no NUL;
  at most `MAX_JSON_BYTES`;
- a url-encoded form: no NUL in any field.

A body that is not JSON at all is left to the route's own validation (a structured 422). The
bounds every field must also meet (ids, lengths) are the types of `shokei.kernel.bounds`.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from shokei.api_support import PROBLEM_JSON, accepted_language
from shokei.errors import N_, BadInput, ShokeiError, Text, TooLarge
from shokei.kernel.bounds import JSON_INT_MAX, text_fault
from shokei.web import i18n
from shokei.web.body import FORM_TYPE, BodyCut, BodyTooLarge, read_body, replay
from shokei.web.paths import is_web_path
from shokei.web.routing import error_page
from shokei.web.templating import request_language

MAX_JSON_BYTES = 4 * 1024 * 1024
_MAX_INT_DIGITS = len(str(JSON_INT_MAX))


class Refused(BadInput):
    """An input no route may receive."""


def _nul_refusal(where: str) -> Refused:
    return Refused(
        Text(N_("The text in %(where)s contains a NUL character, which is not allowed."), {"where": where})
    )


def _text_refusal(where: str, fault: str) -> Refused:
    if fault == "nul":
        return _nul_refusal(where)
    return Refused(
        Text(N_("The text in %(where)s is not valid Unicode (a lone surrogate)."), {"where": where})
    )


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", maxsplit=1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


class InputGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            receive = await self._check(scope, receive)
        except ShokeiError as error:
            refusal = _page(scope, error) if is_web_path(scope["path"]) else _problem(scope, error)
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _check(self, scope: Scope, receive: Receive) -> Receive:
        if "\x00" in scope["path"]:
            raise _nul_refusal("path")
        query: bytes = scope.get("query_string", b"")
        if b"\x00" in unquote_to_bytes(query.replace(b"+", b" ")):
            raise _nul_refusal("query")
        content_type = Headers(scope=scope).get("content-type", "")
        if _is_json(content_type):
            body = await _read_body(receive)
            _check_json(body)
            return replay(body, receive)
        if content_type.split(";", maxsplit=1)[0].strip().lower() == FORM_TYPE:
            body = await _read_body(receive)
            if b"\x00" in unquote_to_bytes(body.replace(b"+", b" ")):
                raise _nul_refusal("form")
            return replay(body, receive)
        return receive


class _Number(Exception):
    def __init__(self, text: Text) -> None:
        self.text = text


def _parse_int(literal: str) -> int:
    digits = literal.lstrip("-")
    if len(digits) > _MAX_INT_DIGITS or int(digits) > JSON_INT_MAX:
        raise _Number(
            Text(
                N_("The number %(number)s in the body is outside the exact JSON integer range (±%(max)s)."),
                {"number": literal[:40], "max": JSON_INT_MAX},
            )
        )
    return int(literal)


def _parse_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Number(Text(N_("The number %(number)s in the body is too large."), {"number": literal[:40]}))
    return value


def _parse_constant(name: str) -> float:
    raise _Number(Text(N_("%(name)s is not a JSON number: send a finite number."), {"name": name}))


def _check_json(body: bytes) -> None:
    try:
        document = json.loads(
            body, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
        )
    except _Number as refused:
        raise Refused(refused.text) from None
    except ValueError:  # not JSON (or not UTF-8): the route's own validation says so
        return
    _check_strings(document, "body")


def _check_strings(value: Any, where: str) -> None:
    if isinstance(value, str):
        fault = text_fault(value)
        if fault is not None:
            raise _text_refusal(where, fault)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, where)
            _check_strings(item, f"{where}.{_printable(key)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_strings(item, f"{where}[{index}]")


def _printable(key: str) -> str:
    return key if text_fault(key) is None else "?"


async def _read_body(receive: Receive) -> bytes:
    try:
        return await read_body(receive, limit=MAX_JSON_BYTES)
    except BodyTooLarge:
        raise TooLarge(
            Text(N_("The request body is larger than %(limit)s bytes."), {"limit": MAX_JSON_BYTES})
        ) from None
    except BodyCut as cut:  # the client went away: the application sees the same end
        return cut.partial


def _page(scope: Scope, error: ShokeiError) -> Response:
    """The pages' error page, in the session's language."""
    request = Request(scope)
    with i18n.activate(request_language(request)):
        detail = error.localised(i18n.gettext)
    return error_page(request, error.http_status, detail)


def _problem(scope: Scope, error: ShokeiError) -> JSONResponse:
    """RFC 9457 Problem Details in the client's language (Accept-Language, as the API answers)."""
    language = accepted_language(Headers(scope=scope).get("accept-language"))
    with i18n.activate(language):
        detail = error.localised(i18n.gettext)
    return JSONResponse(
        {
            "type": "about:blank",
            "title": error.title,
            "status": error.http_status,
            "detail": detail,
            "instance": scope["path"] if text_fault(scope["path"]) is None else "",
        },
        status_code=error.http_status,
        media_type=PROBLEM_JSON,
    )
