"""What every API router shares: the app container, bearer-token auth and Problem Details errors."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shokei.accounts import services as accounts
from shokei.bootstrap import Shokei
from shokei.errors import ShokeiError, Unauthenticated
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork

PROBLEM_JSON = "application/problem+json"
_bearer = HTTPBearer(auto_error=False)


def get_shokei(request: Request) -> Shokei:
    shokei: Shokei = request.app.state.shokei
    return shokei


def get_uow(shokei: Annotated[Shokei, Depends(get_shokei)]) -> UnitOfWork:
    return shokei.uow


def current_actor(
    uow: Annotated[UnitOfWork, Depends(get_uow)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None:
        raise Unauthenticated("send 'Authorization: Bearer <token>' (create one with `shokei user token`)")
    return accounts.actor_for_token(uow, credentials.credentials)


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
ShokeiDep = Annotated[Shokei, Depends(get_shokei)]
ActorDep = Annotated[Actor, Depends(current_actor)]


def problem(status: int, title: str, detail: str, instance: str) -> JSONResponse:
    """RFC 9457 Problem Details."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance},
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ShokeiError)
    async def _shokei_error(request: Request, error: ShokeiError) -> JSONResponse:
        return problem(error.http_status, error.title, error.message, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return problem(422, "Invalid input", f"{where}: {first['msg']}", request.url.path)
