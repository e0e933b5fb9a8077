"""Response headers that keep the pages to themselves: CSP without inline script, no framing."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shokei.web.paths import STATIC_PREFIX, is_web_path

# No inline script or style anywhere: every script and stylesheet is a file under /static.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
# The API documentation (shokei.web.api_docs) runs vendored Swagger UI and Redoc, which set styles
# at run time (Redoc injects <style> elements, its search runs in a blob: worker). Scripts still
# come only from Shokei, and nothing may be fetched from another site.
API_DOCS_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
_API_DOCS = ("/docs", "/redoc")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        policy = API_DOCS_POLICY if path.startswith(_API_DOCS) else CONTENT_SECURITY_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-security-policy", policy)
                for name, value in _HEADERS.items():
                    headers.setdefault(name, value)
                if is_web_path(path):
                    # Pages show case files: never keep them in a shared or back-button cache.
                    headers.setdefault("cache-control", "no-store")
                elif path.startswith(STATIC_PREFIX):
                    headers.setdefault("cache-control", "private, max-age=3600")
            await send(message)

        await self.app(scope, receive, send_with_headers)
