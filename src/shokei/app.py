"""The FastAPI application: routers from every feature under /api/v1, Problem Details errors, the
web pages (shokei.web) everywhere else, and the probes a load balancer asks: `/healthz` (the
process lives) and `/readyz` (database reachable, migrations at head, vault writable)."""

from __future__ import annotations

import os

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from shokei import __version__
from shokei.api_support import install_problem_handlers
from shokei.bootstrap import Shokei
from shokei.manifest import parts
from shokei.migrate import current_revision, head_revision
from shokei.web.api_docs import install_api_docs
from shokei.web.input_guard import InputGuardMiddleware
from shokei.web.install import install_web

OK = "ok"


def create_app(shokei: Shokei) -> FastAPI:
    app = FastAPI(title="Shokei 承継", version=__version__, docs_url=None, redoc_url=None)
    app.state.shokei = shokei
    api = APIRouter(prefix="/api/v1")
    for router in parts("api"):
        api.include_router(router)
    app.include_router(api)
    install_problem_handlers(app)
    install_api_docs(app)
    # Innermost of the middleware: the session and CSRF checks run first, then no request whose
    # path, query or body holds what no service may receive reaches a route.
    app.add_middleware(InputGuardMiddleware)
    # The web pages (login, dashboard, every feature's pages) at /, static files at /static.
    install_web(app, shokei)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict[str, str]:
        """Liveness: answers while the process can answer at all; touches nothing (answered on the
        event loop itself, without a worker thread: uploads and intake keep those busy)."""
        return {"status": OK, "version": __version__}

    @app.get("/readyz", include_in_schema=False)
    def ready(request: Request) -> JSONResponse:
        """Readiness: 200 when every check is "ok", else 503 with the reason of each."""
        checks = readiness(request.app.state.shokei)
        ok = all(value == OK for value in checks.values())
        return JSONResponse(
            checks, status_code=200 if ok else 503, headers=None if ok else {"Retry-After": "5"}
        )

    proxies = shokei.settings.trusted_proxy_list
    if proxies:
        # Only these peers may say who the client is (X-Forwarded-For) and how it came (-Proto).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    return app


def readiness(shokei: Shokei) -> dict[str, str]:
    """{"database", "vault", "migrations"}: "ok" or why not."""
    engine = shokei.uow.engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = OK
    except SQLAlchemyError as error:
        database = f"unreachable: {_reason(error)}"
    if database == OK:
        try:
            current, head = current_revision(engine), head_revision(engine)
            migrations = (
                OK if current == head else f"at {current or 'none'}, head is {head}: run `shokei init`"
            )
        except SQLAlchemyError as error:
            migrations = f"unknown: {_reason(error)}"
    else:
        migrations = "unknown: the database is unreachable"
    return {"database": database, "vault": _vault_writable(shokei), "migrations": migrations}


def _vault_writable(shokei: Shokei) -> str:
    """Write, sync and drop an unnamed file where blobs are written (the vault's tmp/)."""
    directory = shokei.settings.vault_dir / "tmp"
    try:
        descriptor = os.open(directory, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o600)
        try:
            os.write(descriptor, b"readiness probe")
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as error:
        return f"not writable: {error.strerror or error} ({directory})"
    return OK


def _reason(error: SQLAlchemyError) -> str:
    original = getattr(error, "orig", None) or error
    return str(original).strip().splitlines()[0][:200] if str(original).strip() else type(original).__name__
