"""The CLI through the API: with `SHOKEI_API_URL` and `SHOKEI_TOKEN` set, a command that declares
its route (`command(..., remote=Remote(...))`) sends its arguments to the server and prints the
server's answer, so an official never needs the data dir, its keys or its database. The token says
who acts; the server's services decide, exactly as for the web and the API.

A command without a route (initialisation, backup, key rotation: the operator's work on the
installation itself) is refused in this mode rather than run against a data dir the user may not
have. Refusals keep the CLI's exit codes (2 bad input, 3 forbidden or not found, 4 conflict)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shokei.errors import N_, BadInput, Conflict, Forbidden, NotFound, ShokeiError, Text, Unauthenticated

API_URL = "SHOKEI_API_URL"
API_TOKEN = "SHOKEI_TOKEN"  # noqa: S105 - the name of the variable, not a secret

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Remote:
    """Where a command is served: `method` and `path` (its `{placeholders}` are the command's
    parameters of those names). The other parameters that are set go in the query (GET) or the
    JSON body, renamed by `names` (command parameter -> API field); `file` names the parameter
    holding a path sent as the multipart field `file`; `omit` the parameters the API does not take."""

    method: str
    path: str
    names: Mapping[str, str] = field(default_factory=dict)
    file: str | None = None
    omit: frozenset[str] = frozenset()


def active() -> bool:
    return bool(os.environ.get(API_URL))


def call(remote: Remote | None, command_name: str, arguments: dict[str, Any], language: str) -> Any:
    """The server's JSON answer to the command, or the ShokeiError its refusal stands for."""
    if remote is None:
        raise BadInput(
            Text(
                N_("'%(command)s' runs only on the server itself (unset SHOKEI_API_URL there)"),
                {"command": command_name},
            )
        )
    token = os.environ.get(API_TOKEN)
    if not token:
        raise BadInput(Text(N_("set SHOKEI_TOKEN to the API token issued to you")))
    import httpx  # noqa: PLC0415 - only the remote mode needs an HTTP client

    path_names = set(_PLACEHOLDER.findall(remote.path))
    path = _PLACEHOLDER.sub(lambda found: str(arguments[found.group(1)]), remote.path)
    values = {
        remote.names.get(name, name): _plain(value)
        for name, value in arguments.items()
        if name not in path_names and name != remote.file and name not in remote.omit and value is not None
    }
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": language}
    url = os.environ[API_URL].rstrip("/") + path
    try:
        with httpx.Client(headers=headers, timeout=httpx.Timeout(30.0, read=600.0)) as client:
            if remote.file is not None:
                upload = Path(arguments[remote.file])
                with upload.open("rb") as content:
                    response = client.request(
                        remote.method, url, data=values, files={"file": (upload.name, content)}
                    )
            elif remote.method == "GET":
                response = client.request(remote.method, url, params=values)
            else:
                response = client.request(remote.method, url, json=values)
    except httpx.HTTPError as error:
        message = N_("the server at %(url)s did not answer: %(error)s")
        raise ShokeiError(Text(message, {"url": url, "error": str(error)})) from None
    if response.status_code >= 400:
        raise _refusal(response)
    return response.json() if response.content else None


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Path) else value


_REFUSALS: dict[int, type[ShokeiError]] = {
    400: BadInput,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: BadInput,
    422: BadInput,
}


def _refusal(response: Any) -> ShokeiError:
    """The error a Problem Details answer stands for, with the server's (already localised) detail."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    if not isinstance(detail, str):
        detail = f"{response.status_code} {response.reason_phrase}"
    kind = _REFUSALS.get(response.status_code, ShokeiError)
    return kind(detail)
