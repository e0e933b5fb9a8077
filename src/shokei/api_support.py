"""What every API router shares: the app container, bearer-token auth, Problem Details errors and
the streaming multipart receiver (the pages' uploads use it too)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import File, FormParser, parse_options_header

from shokei.accounts import services as accounts
from shokei.bootstrap import Shokei
from shokei.errors import BadInput, ShokeiError, Unauthenticated
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork

PROBLEM_JSON = "application/problem+json"
MEMORY_PART_BYTES = 1 << 20
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


@dataclass(frozen=True, slots=True)
class ReceivedFile:
    """A file part of a multipart upload: stored at `path`, named `name` by its sender."""

    path: Path
    name: str


@asynccontextmanager
async def received_files(request: Request, scratch_dir: Path) -> AsyncIterator[list[ReceivedFile]]:
    """The request's file parts, in an owner-only folder under `scratch_dir` removed on exit."""
    receiving = Path(tempfile.mkdtemp(dir=scratch_dir, prefix="upload-"))
    try:
        yield await _receive_files(request, receiving)
    finally:
        shutil.rmtree(receiving, ignore_errors=True)


async def _receive_files(request: Request, directory: Path) -> list[ReceivedFile]:
    """Parse multipart/form-data as it streams in; file parts go to disk, never all into memory."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise BadInput("send the files as multipart/form-data")
    received: list[File] = []
    config = {
        "UPLOAD_DIR": str(directory),
        "MAX_MEMORY_FILE_SIZE": MEMORY_PART_BYTES,
        "UPLOAD_DELETE_TMP": False,
        "UPLOAD_KEEP_FILENAME": False,
    }
    parser = FormParser(
        "multipart/form-data", on_field=None, on_file=received.append, boundary=boundary, config=config
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except FormParserError as error:
        raise BadInput(f"malformed multipart upload: {error}") from None
    files = []
    for part in received:
        if part.in_memory:
            part.flush_to_disk()
        part.close()
        name = (part.file_name or b"upload").decode("utf-8", "replace")
        files.append(ReceivedFile(Path((part.actual_file_name or b"").decode()), name))
    if not files:
        raise BadInput("no file parts in the upload")
    return files
