"""The FastAPI application: routers from every feature under /api/v1, Problem Details errors, and the
web pages (shokei.web) everywhere else."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from shokei import __version__
from shokei.api_support import install_problem_handlers
from shokei.bootstrap import Shokei
from shokei.manifest import parts
from shokei.web.install import install_web


def create_app(shokei: Shokei) -> FastAPI:
    app = FastAPI(title="Shokei 承継", version=__version__, docs_url="/docs")
    app.state.shokei = shokei
    api = APIRouter(prefix="/api/v1")
    for router in parts("api"):
        api.include_router(router)
    app.include_router(api)
    install_problem_handlers(app)
    # The web pages (login, dashboard, every feature's pages) at /, static files at /static.
    install_web(app, shokei)

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
