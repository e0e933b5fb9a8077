"""Signed session cookies: who is logged in, the CSRF token, the language, one-shot messages.

The cookie holds a small JSON document signed with HMAC-SHA256 under the key `shokei init`
writes (`web.secret`); nothing in it is secret, everything in it is tamper-evident. Idle and
absolute timeouts are enforced here on every request; logout also revokes the session id in
this process, so a copied cookie stops working at once (until the process restarts, after which
the timeouts still bound it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from sqlalchemy import delete, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shokei.kernel.unit_of_work import UnitOfWork
from shokei.web.config import WebSettings
from shokei.web.models import RevokedSession, epoch_ms
from shokei.web.paths import is_web_path

COOKIE_NAME = "shokei_session"
SCOPE_KEY = "shokei.session"
_CONTEXT = b"shokei.web.session.v1."
# A cookie holds about 4 KB: a few short messages at most.
_MAX_FLASHES = 3
_MAX_FLASH_CHARS = 300
# Refresh "last seen" at most once a minute, so not every response has to set the cookie.
_TOUCH_EVERY_SECONDS = 60


def _token() -> str:
    return secrets.token_urlsafe(32)


@dataclass
class WebSession:
    """One browser's session; `username` is None until a login succeeds."""

    sid: str = field(default_factory=_token)
    csrf: str = field(default_factory=_token)
    lang: str | None = None
    username: str | None = None
    issued: float = 0.0
    seen: float = 0.0
    password_change: bool = False  # logged in with a one-time password: replace it before anything else
    generation: int = 0  # the user's session generation at login (a password reset ends older ones)
    flashes: list[tuple[str, str]] = field(default_factory=list)
    modified: bool = field(default=False, compare=False)

    def flash(self, level: str, text: str) -> None:
        self.flashes = [*self.flashes, (level, text[:_MAX_FLASH_CHARS])][-_MAX_FLASHES:]
        self.modified = True

    def pop_flashes(self) -> list[tuple[str, str]]:
        found, self.flashes = self.flashes, []
        if found:
            self.modified = True
        return found

    def log_in(
        self, username: str, now: float, *, password_change: bool = False, generation: int = 0
    ) -> None:
        """A fresh id and CSRF token at login: a session planted before it is worth nothing after."""
        self.sid, self.csrf, self.username = _token(), _token(), username
        self.issued = self.seen = now
        self.password_change, self.generation = password_change, generation
        self.modified = True

    def log_out(self) -> None:
        """Back to an anonymous session (the language stays)."""
        self.sid, self.csrf, self.username, self.issued, self.seen = _token(), _token(), None, 0.0, 0.0
        self.flashes, self.modified, self.password_change = [], True, False

    def payload(self) -> dict[str, Any]:
        data = asdict(self)
        del data["modified"]
        return data


class SessionCodec:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._key, _CONTEXT + body, hashlib.sha256).digest()

    def dumps(self, session: WebSession) -> str:
        body = base64.urlsafe_b64encode(
            json.dumps(session.payload(), ensure_ascii=False, separators=(",", ":")).encode()
        )
        signature = base64.urlsafe_b64encode(self._sign(body))
        return (body + b"." + signature).decode().replace("=", "")

    def loads(self, cookie: str) -> WebSession | None:
        """The session in a cookie, or None when it is malformed or its signature does not verify."""
        try:
            body_text, signature_text = cookie.split(".", 1)
            body = _unpad(body_text)
            if not hmac.compare_digest(base64.urlsafe_b64decode(_unpad(signature_text)), self._sign(body)):
                return None
            data = json.loads(base64.urlsafe_b64decode(body))
            data["flashes"] = [(str(level), str(text)) for level, text in data.get("flashes", [])]
            return WebSession(**data)
        except (ValueError, TypeError, KeyError):
            return None


def _unpad(text: str) -> bytes:
    return (text + "=" * (-len(text) % 4)).encode()


class RevokedSessions:
    """Ids of sessions ended by logout, kept (in `web_revoked_sessions`, so every serving process
    and every restart honours them) until they would have expired anyway."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def revoke(self, sid: str, until: float, now: float) -> None:
        with self._uow.transaction() as session:
            session.execute(delete(RevokedSession).where(RevokedSession.until_ms < epoch_ms(now)))
            session.merge(RevokedSession(sid=sid, until_ms=epoch_ms(until)))

    def is_revoked(self, sid: str, now: float) -> bool:
        query = select(RevokedSession.sid).where(
            RevokedSession.sid == sid, RevokedSession.until_ms >= epoch_ms(now)
        )
        with self._uow.transaction() as session:
            return session.execute(query).first() is not None


class SessionMiddleware:
    """Loads the session into the ASGI scope for web paths and writes it back when it changed."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        codec: SessionCodec,
        settings: WebSettings,
        revoked: RevokedSessions,
        on_expiry: Callable[[WebSession], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app, self.codec, self.settings, self.revoked = app, codec, settings, revoked
        self.on_expiry, self.clock = on_expiry, clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_web_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        # The revocation check reads the database: off the event loop, like a sync endpoint.
        session = await run_in_threadpool(self._load, Request(scope).cookies.get(COOKIE_NAME))
        scope[SCOPE_KEY] = session
        secure = self.settings.secure_cookies or scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and session.modified:
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", self._cookie(session, secure).encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _load(self, cookie: str | None) -> WebSession:
        now = self.clock()
        session = self.codec.loads(cookie) if cookie else None
        # Only a signed-in session can have been ended by logout (logging out signs the cookie
        # out too): anonymous requests never touch the database here.
        if session is None or (session.username is not None and self.revoked.is_revoked(session.sid, now)):
            return WebSession(modified=True)
        if session.username is not None and self._expired(session, now):
            fresh = WebSession(lang=session.lang, modified=True)
            self.on_expiry(fresh)
            return fresh
        if session.username is not None and now - session.seen > _TOUCH_EVERY_SECONDS:
            session.seen, session.modified = now, True
        return session

    def _expired(self, session: WebSession, now: float) -> bool:
        idle = now - session.seen > self.settings.session_idle_minutes * 60
        too_old = now - session.issued > self.settings.session_max_hours * 3600
        return idle or too_old

    def _cookie(self, session: WebSession, secure: bool) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[COOKIE_NAME] = self.codec.dumps(session)
        morsel = cookie[COOKIE_NAME]
        morsel["path"], morsel["httponly"], morsel["samesite"] = "/", True, "Lax"
        if secure:
            morsel["secure"] = True
        return morsel.OutputString()


def session_of(request: Request) -> WebSession:
    session = request.scope.get(SCOPE_KEY)
    if not isinstance(session, WebSession):
        raise RuntimeError("the web session middleware is not installed for this path")
    return session
