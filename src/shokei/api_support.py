"""What every API router shares: the app container, bearer-token auth, Problem Details errors and
the streaming multipart receiver (the pages' uploads use it too)."""

from __future__ import annotations

import errno
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from sqlalchemy.exc import DatabaseError, InterfaceError, OperationalError

from shokei.accounts import services as accounts
from shokei.bootstrap import Shokei
from shokei.documents.scratch import ScratchArea, SealedFile, SealedWriter, area_for
from shokei.errors import N_, BadInput, ShokeiError, Text, Unauthenticated
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.web import i18n

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
        raise Unauthenticated(
            Text(N_("send 'Authorization: Bearer <token>' (create one with `shokei user token`)"))
        )
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


def accepted_language(header: str | None) -> str:
    """The catalogue language an API client asks for with Accept-Language (the first of ja and en
    by preference); English when it names neither, as the API answered before it spoke Japanese."""
    best, best_q = "en", -1.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in i18n.LANGUAGES:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if q > best_q:
            best, best_q = primary, q
    return best


def localised(request: Request, error: ShokeiError) -> str:
    """The error's message in the client's language (shokei.errors)."""
    with i18n.activate(accepted_language(request.headers.get("accept-language"))):
        return error.localised(i18n.gettext)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ShokeiError)
    async def _shokei_error(request: Request, error: ShokeiError) -> JSONResponse:
        return problem(error.http_status, error.title, localised(request, error), request.url.path)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(DatabaseError)
    async def _database_unavailable(request: Request, error: DatabaseError) -> JSONResponse:
        # The database cannot be reached (or opened): 503, and the next request tries again
        # (PostgreSQL connections are pinged before use, so the pool recovers on its own).
        if type(error) is not DatabaseError and not isinstance(error, OperationalError | InterfaceError):
            raise error  # an integrity or data error is a bug or a conflict, not an outage
        detail = "the database is unreachable; try again shortly"
        response = problem(503, "Database unavailable", detail, request.url.path)
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(OSError)
    async def _storage_full(request: Request, error: OSError) -> JSONResponse:
        # The data dir's disk is full (or over quota): 507, what was being written is removed.
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise error
        detail = (
            "no space left on the data disk: the file being stored was not kept "
            "(files stored before it remain); free space and retry"
        )
        return problem(507, "Insufficient storage", detail, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return problem(422, "Invalid input", f"{where}: {first['msg']}", request.url.path)


@dataclass(frozen=True, slots=True)
class ReceivedFile:
    """A file part of a multipart upload, sealed in scratch (`documents.scratch`), named `name`
    by its sender."""

    sealed: SealedFile
    name: str


@asynccontextmanager
async def received_files(request: Request, scratch_dir: Path) -> AsyncIterator[list[ReceivedFile]]:
    """The request's file parts, sealed (encrypted under this process's ephemeral key) in its
    scratch area as they stream in, removed on exit; a crash leaves only unreadable bytes."""
    receiver = _Receiver(area_for(scratch_dir))
    try:
        yield await receiver.receive(request)
    finally:
        receiver.remove()


class _Receiver:
    """Parses multipart/form-data as it streams in; file parts go sealed to disk a chunk at a
    time, never all into memory; other fields are ignored."""

    def __init__(self, area: ScratchArea) -> None:
        self.area = area
        self.files: list[ReceivedFile] = []
        self._writers: list[SealedWriter] = []
        self._headers: dict[bytes, bytes] = {}
        self._header: tuple[list[bytes], list[bytes]] = ([], [])
        self._current: SealedWriter | None = None
        self._name = ""

    async def receive(self, request: Request) -> list[ReceivedFile]:
        content_type, options = parse_options_header(request.headers.get("content-type", ""))
        boundary = options.get(b"boundary")
        if content_type != b"multipart/form-data" or not boundary:
            raise BadInput(Text(N_("send the files as multipart/form-data")))
        parser = MultipartParser(boundary, self._callbacks())  # type: ignore[arg-type]
        try:
            async for chunk in request.stream():
                parser.write(chunk)
            parser.finalize()
        except MultipartParseError as error:
            raise BadInput(Text(N_("malformed multipart upload: %(error)s"), {"error": error})) from None
        if not self.files:
            raise BadInput(Text(N_("no file parts in the upload")))
        return self.files

    def remove(self) -> None:
        for writer in self._writers:
            writer.abort()
        for received in self.files:
            received.sealed.remove()

    def _callbacks(self) -> dict[str, object]:
        names, values = self._header

        def on_part_begin() -> None:
            self._headers = {}

        def on_header_field(data: bytes, start: int, end: int) -> None:
            names.append(data[start:end])

        def on_header_value(data: bytes, start: int, end: int) -> None:
            values.append(data[start:end])

        def on_header_end() -> None:
            self._headers[b"".join(names).lower()] = b"".join(values).strip(b" \t")
            names.clear()
            values.clear()

        def on_headers_finished() -> None:
            _, disposition = parse_options_header(self._headers.get(b"content-disposition", b""))
            if b"filename" not in disposition:
                self._current = None  # a plain form field: not a file
                return
            if self._headers.get(b"content-transfer-encoding", b"binary").lower() not in (b"binary", b"8bit"):
                raise BadInput(Text(N_("upload file parts unencoded (no Content-Transfer-Encoding)")))
            self._name = disposition[b"filename"].decode("utf-8", "replace") or "upload"
            self._current = self.area.sealed("upload-")
            self._writers.append(self._current)

        def on_part_data(data: bytes, start: int, end: int) -> None:
            if self._current is not None:
                self._current.write(data[start:end])

        def on_part_end() -> None:
            if self._current is not None:
                self._writers.remove(self._current)
                self.files.append(ReceivedFile(self._current.close(), self._name))
                self._current = None

        return {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        }
