"""The FastAPI application: routers from every feature under /api/v1, Problem Details errors, and the
web pages (shokei.web) everywhere else."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from shokei import __version__
from shokei.accounts.api import router as accounts_router
from shokei.api_support import install_problem_handlers
from shokei.audit.api import router as audit_router
from shokei.bootstrap import Shokei
from shokei.cases.api import router as cases_router
from shokei.companies.api import router as companies_router
from shokei.documents.api import router as documents_router
from shokei.examination.api import router as examination_router
from shokei.ownership.api import router as ownership_router
from shokei.purchase.api import router as purchase_router
from shokei.risk.api import router as risk_router
from shokei.succession.api import router as succession_router
from shokei.supply_chain.api import router as supply_chain_router
from shokei.web.install import install_web


def create_app(shokei: Shokei) -> FastAPI:
    app = FastAPI(title="Shokei 承継", version=__version__, docs_url="/docs")
    app.state.shokei = shokei
    api = APIRouter(prefix="/api/v1")
    for router in (
        accounts_router,
        companies_router,
        cases_router,
        documents_router,
        audit_router,
        supply_chain_router,
        ownership_router,
        risk_router,
        examination_router,
        purchase_router,
        succession_router,
    ):
        api.include_router(router)
    app.include_router(api)
    install_problem_handlers(app)
    # The web pages (login, dashboard, every feature's pages) at /, static files at /static.
    install_web(app, shokei)

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
