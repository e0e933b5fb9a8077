"""The error vocabulary every adapter translates: CLI exit codes and HTTP Problem Details."""

from __future__ import annotations


class ShokeiError(Exception):
    """Base of every error a user can cause; `message` is shown to them as is."""

    exit_code = 1
    http_status = 500
    title = "Internal error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(ShokeiError):
    exit_code = 2
    http_status = 422
    title = "Invalid input"


class NotFound(ShokeiError):
    exit_code = 3
    http_status = 404
    title = "Not found"


class Forbidden(ShokeiError):
    """Refused by role, need-to-know or separation of duties."""

    exit_code = 3
    http_status = 403
    title = "Forbidden"


class Unauthenticated(ShokeiError):
    exit_code = 3
    http_status = 401
    title = "Authentication required"


class Conflict(ShokeiError):
    """The world changed under the request: a concurrent change, or a state that forbids it."""

    exit_code = 4
    http_status = 409
    title = "Conflict"


class IntegrityFailure(ShokeiError):
    """Stored data failed a cryptographic or hash check."""

    exit_code = 5
    http_status = 500
    title = "Integrity failure"
