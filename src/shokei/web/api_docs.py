"""The API documentation (Swagger UI at /docs, Redoc at /redoc) served entirely by Shokei.

Ministry networks are closed: FastAPI's default pages load their scripts from a CDN and stay
blank there. These pages load the vendored copies under /static/vendor (scripts/update-vendor.sh)
and start them from a file, so they also run under a Content-Security-Policy without inline script
or any other origin (see shokei.web.security.API_DOCS_POLICY)."""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from shokei.web.paths import STATIC_PREFIX

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"

_PAGE = """<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{static}/favicon.svg">
{stylesheet}
</head>
<body>
<div id="{holder}" data-openapi="{openapi}"></div>
<script src="{static}/vendor/{library}"></script>
<script src="{static}/js/api-docs.js"></script>
</body>
</html>
"""


def _page(app: FastAPI, *, title: str, holder: str, library: str, stylesheet: str = "") -> HTMLResponse:
    return HTMLResponse(
        _PAGE.format(
            title=escape(f"{app.title} API {title}"),
            static=STATIC_PREFIX,
            stylesheet=stylesheet,
            holder=holder,
            openapi=escape(app.openapi_url or "/openapi.json"),
            library=library,
        )
    )


def install_api_docs(app: FastAPI) -> None:
    """Add /docs and /redoc; the app must be built with docs_url=None and redoc_url=None."""

    @app.get(DOCS_PATH, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _page(
            app,
            title="Swagger UI",
            holder="swagger-ui",
            library="swagger-ui-bundle.js",
            stylesheet=f'<link rel="stylesheet" href="{STATIC_PREFIX}/vendor/swagger-ui.css">',
        )

    @app.get(REDOC_PATH, include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _page(app, title="Redoc", holder="redoc", library="redoc.standalone.js")
