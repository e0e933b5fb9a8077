"""What every API router shares: the app container, bearer-token auth, Problem Details errors and
the streaming multipart receiver (the pages' uploads use it too)."""

from __future__ import annotations

import errno
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, TypeVar
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from sqlalchemy.exc import DatabaseError, InterfaceError, OperationalError
from starlette.concurrency import run_in_threadpool

from shokei.accounts import services as accounts
from shokei.bootstrap import Shokei
from shokei.documents.scratch import ScratchArea, SealedFile, SealedWriter, area_for
from shokei.errors import N_, BadInput, Forbidden, ShokeiError, Text, TooLarge, Unauthenticated
from shokei.kernel import Actor
from shokei.kernel.bounds import upload_too_large
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.logs import security_event
from shokei.web import i18n

PROBLEM_JSON = "application/problem+json"
_bearer = HTTPBearer(auto_error=False)


def get_shokei(request: Request) -> Shokei:
    shokei: Shokei = request.app.state.shokei
    return shokei


def get_uow(shokei: Annotated[Shokei, Depends(get_shokei)]) -> UnitOfWork:
    return shokei.uow


def current_actor(
    request: Request,
    uow: Annotated[UnitOfWork, Depends(get_uow)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None:
        raise Unauthenticated(
            Text(N_("send 'Authorization: Bearer <token>' (create one with `shokei user token`)"))
        )
    actor = accounts.actor_for_token(uow, credentials.credentials)
    request.state.actor = actor  # for the security log of a refusal (`log_refusal`)
    return actor


def log_refusal(request: Request, error: ShokeiError) -> None:
    """Put an access-control refusal (403) or a refused API token (401) in the security log, with
    the acting user where one is known, the method, the path without its query string and the
    peer's address; never the token. Other errors are the user's input, not security events.
    The pages log only their 403s (`web.routing`): a page's 401 is a login to come."""
    address = request.client.host if request.client else "unknown"
    where = {"method": request.method, "path": request.url.path, "address": address}
    if isinstance(error, Forbidden):
        actor = getattr(request.state, "actor", None)
        who = {"user": actor.username, "role": actor.role.value} if isinstance(actor, Actor) else {}
        security_event(
            "access_denied", logging.WARNING, **who, **where, status=error.http_status, reason=error.message
        )
    elif isinstance(error, Unauthenticated):
        security_event(
            "token_refused", logging.WARNING, **where, status=error.http_status, reason=error.message
        )


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


_Rendered = TypeVar("_Rendered")


def in_client_language(request: Request, render: Callable[[Callable[[str], str]], _Rendered]) -> _Rendered:
    """`render` given the gettext of the client's language (Accept-Language): a view holding
    catalogue messages as data (a survey answer's problems) rendered for this client."""
    with i18n.activate(accepted_language(request.headers.get("accept-language"))):
        return render(i18n.gettext)


def localised(request: Request, error: ShokeiError) -> str:
    """The error's message in the client's language (shokei.errors)."""
    with i18n.activate(accepted_language(request.headers.get("accept-language"))):
        return error.localised(i18n.gettext)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ShokeiError)
    async def _shokei_error(request: Request, error: ShokeiError) -> JSONResponse:
        log_refusal(request, error)
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


def _file_name(raw: bytes) -> str:
    """The sender's name for a file part, refused (422, before anything is written) when it is not
    UTF-8: which name the sender meant cannot be known. Control characters (NUL included) are
    made printable by `printable_name`."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        refusal = Text(N_("The file name is not valid UTF-8: rename the file and send it again."))
        raise BadInput(refusal) from None


@dataclass(frozen=True, slots=True)
class ReceivedFile:
    """A file part of a multipart upload, sealed in scratch (`documents.scratch`), named `name`
    by its sender (control characters replaced: `printable_name`)."""

    sealed: SealedFile
    name: str


# The body is handed to the parser (which decrypts nothing but encrypts every chunk into scratch)
# in batches this large, each on a worker thread: the event loop only moves bytes.
RECEIVE_BATCH = 1 << 20
# Plain form fields (not files) kept, all together: a few options beside the files.
MAX_FIELD_BYTES = 64 << 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable_name(name: str) -> str:
    """A file name fit to show and to store: control characters (CR, LF, NUL...) become `_`, and
    nothing is left that is not valid Unicode."""
    cleaned = _CONTROL.sub("_", name.encode("utf-8", "replace").decode("utf-8", "replace"))
    return cleaned.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def content_disposition(name: str, disposition: str = "attachment") -> str:
    """RFC 6266: an ASCII `filename` fallback (quotes and backslashes replaced) and the UTF-8
    `filename*` (RFC 8187), for any stored name, control characters included."""
    shown = printable_name(name).replace("/", "_") or "download"
    fallback = "".join(ch if " " <= ch < "\x7f" and ch not in '"\\' else "_" for ch in shown)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(shown, safe='')}"


def declared_length(request: Request) -> int | None:
    """The body's Content-Length, if the client declared it."""
    value = request.headers.get("content-length")
    if value is None:
        return None
    if not value.isascii() or not value.strip().isdigit():
        raise BadInput(Text(N_("The Content-Length header is not a number of bytes.")))
    return int(value)


def refuse_oversized(request: Request, limit: int) -> None:
    """413 before a byte of the body is read, when the declared length is over `limit`."""
    declared = declared_length(request)
    if declared is not None and declared > limit:
        raise upload_too_large(limit)


@dataclass(slots=True)
class Received:
    """A multipart upload's file parts and its plain fields (text, small)."""

    files: list[ReceivedFile]
    fields: dict[str, str]


@asynccontextmanager
async def received_upload(
    request: Request, shokei: Shokei, *, room: int | None = None, too_large: TooLarge | None = None
) -> AsyncIterator[Received]:
    """The request's multipart body, its file parts sealed (encrypted under this process's
    ephemeral key) in its scratch area as they stream in, removed on exit; a crash leaves only
    unreadable bytes.

    Call it only once the actor may do what the upload is for (authorise first: nothing is
    read before). At most `SHOKEI_MAX_UPLOAD_BYTES` (and `room`, when given: then `too_large` is
    the refusal) are read; over either, 413 and what was received is removed. The parsing and
    sealing run on worker threads, a batch at a time, so other requests are served meanwhile.
    """
    limit = shokei.settings.max_upload_bytes
    refusal = upload_too_large(limit)
    if room is not None and room < limit:
        limit, refusal = room, too_large or upload_too_large(room)
    declared = declared_length(request)
    if declared is not None and declared > limit:
        raise refusal
    receiver = _Receiver(area_for(shokei.scratch_dir))
    try:
        yield await receiver.receive(request, limit, refusal)
    finally:
        receiver.remove()  # unlinks only; done here even when the request was cancelled


@asynccontextmanager
async def received_files(
    request: Request, shokei: Shokei, *, room: int | None = None, too_large: TooLarge | None = None
) -> AsyncIterator[list[ReceivedFile]]:
    """`received_upload`'s file parts (at least one)."""
    async with received_upload(request, shokei, room=room, too_large=too_large) as received:
        if not received.files:
            raise BadInput(Text(N_("The upload holds no file.")))
        yield received.files


class _Receiver:
    """Parses multipart/form-data as it streams in; file parts go sealed to disk a chunk at a
    time, never all into memory; other fields are kept up to `MAX_FIELD_BYTES` together."""

    def __init__(self, area: ScratchArea) -> None:
        self.area = area
        self.files: list[ReceivedFile] = []
        self.fields: dict[str, str] = {}
        self._field_bytes = 0
        self._writers: list[SealedWriter] = []
        self._headers: dict[bytes, bytes] = {}
        self._header: tuple[list[bytes], list[bytes]] = ([], [])
        self._current: SealedWriter | None = None
        self._field: tuple[str, bytearray] | None = None
        self._name = ""

    async def receive(self, request: Request, limit: int, refusal: TooLarge) -> Received:
        content_type, options = parse_options_header(request.headers.get("content-type", ""))
        boundary = options.get(b"boundary")
        if content_type != b"multipart/form-data" or not boundary:
            raise BadInput(Text(N_("Send the files as multipart/form-data.")))
        parser = MultipartParser(boundary, self._callbacks())  # type: ignore[arg-type]
        received, batch, batched = 0, list[bytes](), 0
        try:
            async for chunk in request.stream():
                received += len(chunk)
                if received > limit:
                    raise refusal
                batch.append(chunk)
                batched += len(chunk)
                if batched >= RECEIVE_BATCH:
                    await run_in_threadpool(parser.write, b"".join(batch))
                    batch, batched = [], 0
            await run_in_threadpool(self._finish, parser, b"".join(batch))
        except MultipartParseError as error:
            raise BadInput(
                Text(N_("The upload is not well-formed multipart: %(error)s"), {"error": str(error)})
            ) from None
        return Received(self.files, self.fields)

    @staticmethod
    def _finish(parser: MultipartParser, rest: bytes) -> None:
        parser.write(rest)
        parser.finalize()

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
                self._current = None  # a plain form field: kept as text
                self._field = (disposition.get(b"name", b"").decode("utf-8", "replace"), bytearray())
                return
            if self._headers.get(b"content-transfer-encoding", b"binary").lower() not in (b"binary", b"8bit"):
                raise BadInput(Text(N_("Upload file parts unencoded (no Content-Transfer-Encoding).")))
            self._name = printable_name(_file_name(disposition[b"filename"])) or "upload"
            self._field = None
            self._current = self.area.sealed("upload-")
            self._writers.append(self._current)

        def on_part_data(data: bytes, start: int, end: int) -> None:
            if self._current is not None:
                self._current.write(data[start:end])
            elif self._field is not None:
                self._field_bytes += end - start
                if self._field_bytes > MAX_FIELD_BYTES:
                    raise BadInput(Text(N_("The upload's form fields are too long.")))
                self._field[1].extend(data[start:end])

        def on_part_end() -> None:
            if self._current is not None:
                self._writers.remove(self._current)
                self.files.append(ReceivedFile(self._current.close(), self._name))
                self._current = None
            elif self._field is not None:
                name, value = self._field
                self.fields[name] = value.decode("utf-8", "replace")
                self._field = None

        return {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        }
