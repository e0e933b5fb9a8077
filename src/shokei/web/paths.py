"""Which request paths belong to the web pages (sessions, CSRF) and which to the API or assets."""

from __future__ import annotations

STATIC_PREFIX = "/static"
_NOT_WEB = ("/api/", "/static/", "/docs", "/redoc", "/openapi.json", "/healthz")


def is_web_path(path: str) -> bool:
    """API routes authenticate with bearer tokens (no cookies, so no CSRF); assets need neither."""
    return not path.startswith(_NOT_WEB)
