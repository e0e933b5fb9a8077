"""What every CLI adapter shares: the acting user, JSON output and error-to-exit-code translation."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import OperationalError

from shokei.accounts import services as accounts
from shokei.bootstrap import Shokei, build, ensure_ready
from shokei.errors import BadInput, ShokeiError
from shokei.kernel import Actor

AsUser = Annotated[
    str | None,
    typer.Option("--as", envvar="SHOKEI_USER", help="Act as this user (or set SHOKEI_USER)."),
]
JsonOutput = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]

stdout = Console()
stderr = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> typer.Exit:
    stderr.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def command(app: typer.Typer, name: str | None = None, **options: Any) -> Callable[[F], F]:
    """Register a command whose ShokeiErrors become a one-line message and the contract's exit code."""

    def register(function: F) -> F:
        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except ShokeiError as error:
                raise fail(error.message, error.exit_code) from None
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise fail(f"{where}: {first['msg']}", BadInput.exit_code) from None
            except OperationalError as error:
                raise fail(f"database unavailable: {error.orig}", 1) from None
            except OSError as error:
                raise fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "), 1) from None
            finally:
                _close_opened()

        app.command(name, **options)(guarded)
        return function

    return register


_opened: list[Shokei] = []


def _close_opened() -> None:
    # A command's connections close with it, not whenever the garbage collector gets round to it.
    while _opened:
        _opened.pop().uow.engine.dispose()


def ready_app() -> Shokei:
    """The app for one command, checked to be initialised; closed when the command returns."""
    app = build()
    _opened.append(app)
    ensure_ready(app)
    return app


def opened_app() -> Shokei:
    """Like ready_app, for commands (init, run) that may find the database empty."""
    app = build()
    _opened.append(app)
    return app


def acting(app: Shokei, as_user: str | None) -> Actor:
    name = as_user or app.settings.user
    if not name:
        raise BadInput("say who you are: --as USER or SHOKEI_USER")
    return accounts.actor_for_username(app.uow, name)


def jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(value), ensure_ascii=False, indent=2) + "\n")


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    stdout.print(table)


def print_fields(title: str, fields: dict[str, Any]) -> None:
    print_table(title, ("field", "value"), list(fields.items()))


def parse_date(value: str) -> date:
    """A command-line date, YYYY-MM-DD, or the contract's bad-input error (exit 2)."""
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise BadInput(f"date {value!r} must be YYYY-MM-DD") from None


def yen(amount: int | None) -> str:
    return "" if amount is None else f"¥{amount:,}"
