"""What every CLI adapter shares: the command context (app, acting user, JSON or table output),
registration with error-to-exit-code translation, the table helpers, and `say`/`translated`,
which give every line for people in the user's language (Japanese when LANG is Japanese).

Importing it loads no database, web or feature code (`shokei --help` imports it): the app, the
accounts and the error types of Pydantic and SQLAlchemy are imported when a command runs."""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, get_type_hints

import typer
from rich.console import Console
from rich.table import Table

from shokei import cli_remote
from shokei.cli_help import LocalisedCommand, cli_language
from shokei.cli_remote import Remote
from shokei.errors import N_, BadInput, ShokeiError, Text

if TYPE_CHECKING:
    from shokei.bootstrap import Shokei
    from shokei.kernel import Actor
    from shokei.kernel.unit_of_work import UnitOfWork
    from shokei.settings import Settings

AsUser = Annotated[
    str | None,
    typer.Option("--as", envvar="SHOKEI_USER", help="Act as this user (or set SHOKEI_USER)."),
]
JsonOutput = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]

stdout = Console()
stderr = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> typer.Exit:
    label = translated(N_("error:"))
    stderr.print(f"[bold red]{label}[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


class Cli:
    """What a command works with, instead of each command opening the app, finding its user and
    choosing its output: `app` (opened and checked on first use), `actor` (from `--as` or
    SHOKEI_USER, found on first use), `uow`, and `emit` (JSON with `--json`, else the human form).

    A command asks for it with a parameter annotated `Cli`; `command` gives the command the
    `--as` and `--json` options in its place (`--as` only when `acting=True`)."""

    def __init__(self, as_user: str | None = None, json_output: bool = False) -> None:
        self.as_user = as_user
        self.json = json_output

    @cached_property
    def app(self) -> Shokei:
        return ready_app()

    @property
    def uow(self) -> UnitOfWork:
        return self.app.uow

    @cached_property
    def actor(self) -> Actor:
        return acting(self.app, self.as_user)

    def emit(self, value: Any, human: Callable[[], object] | None = None) -> None:
        """`value` as one JSON document with `--json`; otherwise call `human`, which prints it for
        people (a table, a line), or nothing when the command has no human form."""
        if self.json:
            print_json(value)
        elif human is not None:
            human()


def command(
    app: typer.Typer,
    name: str | None = None,
    *,
    acting: bool = True,
    opened: bool = True,
    remote: Remote | None = None,
    **options: Any,
) -> Callable[[F], F]:
    """Register a command whose ShokeiErrors become a one-line message and the contract's exit code.

    `remote` is the API route that serves the command when the CLI acts through the API
    (`shokei.cli_remote`: SHOKEI_API_URL and SHOKEI_TOKEN set); there the server's JSON answer is
    printed, and a command without one is refused.

    A parameter annotated `Cli` receives the command's context; the command line shows `--as`
    (unless `acting=False`) and `--json` in its place, last, as every command has them. The app is
    opened and checked before the command runs unless `opened=False` (a command that works
    without the database first, such as offline verification)."""

    def register(function: F) -> F:
        hints = get_type_hints(function, include_extras=True)
        signature = inspect.signature(function)
        context = next((name for name in signature.parameters if hints.get(name) is Cli), None)

        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                _refuse_unreadable_arguments(kwargs.values())
                if context is not None and cli_remote.active():
                    kwargs.pop("as_user", None)  # the token says who acts
                    json_output = kwargs.pop("json_output", False)
                    answer = cli_remote.call(remote, _command_name(function, name), kwargs, cli_language())
                    print_json(answer) if json_output else print_remote(answer)
                    return None
                if context is not None:
                    cli = Cli(kwargs.pop("as_user", None), kwargs.pop("json_output", False))
                    if opened:
                        cli.app  # noqa: B018 - as every command did first: refuse an uninitialised database
                    kwargs[context] = cli
                return function(*args, **kwargs)
            except Exception as error:
                exit_ = _exit_for(error)
                if exit_ is None:
                    raise
                raise exit_ from None
            finally:
                _close_opened()

        if context is not None:
            _show_context_options(guarded, signature, hints, context, acting=acting)
        app.command(name, **({"cls": LocalisedCommand} | options))(guarded)
        return function

    return register


def _command_name(function: Callable[..., Any], name: str | None) -> str:
    """The command as the user typed it (`shokei user list`), for messages."""
    # Typer runs on its own vendored click (private, as shokei.cli notes): its context stack.
    from typer._click.globals import get_current_context  # noqa: PLC0415 - loaded already

    words: list[str] = []
    context: Any = get_current_context(silent=True)
    while context is not None:
        if context.info_name:
            words.insert(0, context.info_name)
        context = context.parent
    return " ".join(words) or name or function.__name__


def print_remote(answer: Any) -> None:
    """The server's answer for people: a record as field/value rows, a list as one table."""
    if isinstance(answer, dict):
        print_values("", {key: _cell(value) for key, value in answer.items()})
    elif isinstance(answer, list) and answer and all(isinstance(row, dict) for row in answer):
        columns = list(answer[0])  # the API's field names, codes shown as they are
        _print_table("", columns, [[_cell(row.get(column)) for column in columns] for row in answer])
    elif answer is not None:
        print_json(answer)


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def _refuse_unreadable_arguments(values: Iterable[Any]) -> None:
    """No argument that is not text reaches a service: a file name that is not UTF-8 (Python
    reads its bytes as lone surrogates, which no database stores) or a NUL is a clear refusal
    naming it, not a traceback."""
    from shokei.kernel.bounds import printable, text_fault  # noqa: PLC0415 - pydantic only when a command runs

    for value in values:
        items = value if isinstance(value, list | tuple) else (value,)
        for item in items:
            if isinstance(item, str | Path) and text_fault(str(item)) is not None:
                raise BadInput(
                    Text(
                        N_("The argument %(value)s is not valid text (a name that is not UTF-8, or a NUL)."),
                        {"value": printable(str(item)).replace("\x00", "\\x00")},
                    )
                )


def _exit_for(error: Exception) -> typer.Exit | None:
    """The one-line message and exit code of an error the contract names; None for any other."""
    # Imported here: every command that can raise them has loaded them already.
    from pydantic import ValidationError  # noqa: PLC0415
    from sqlalchemy.exc import OperationalError  # noqa: PLC0415

    if isinstance(error, ShokeiError):
        return fail(localised(error), error.exit_code)
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return fail(f"{where}: {first['msg']}", BadInput.exit_code)
    if isinstance(error, OperationalError):
        return fail(translated(N_("database unavailable: %(reason)s"), reason=error.orig), 1)
    if isinstance(error, OSError):
        return fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "), 1)
    return None


_Rendered = TypeVar("_Rendered")


def in_cli_language(render: Callable[[Callable[[str], str]], _Rendered]) -> _Rendered:
    """`render` given the gettext of the CLI user's language (`cli_language`): a view holding
    catalogue messages as data (a survey answer's problems) rendered for this user."""
    from shokei.web import i18n  # noqa: PLC0415 - the catalogues are read only when a message is shown

    with i18n.activate(cli_language()):
        return render(i18n.gettext)


def translated(message: str | Text, **params: Any) -> str:
    """A catalogue message (a msgid marked `N_`, filled with `params`, or a `Text`) in the CLI
    user's language (`cli_language`): every line a command writes for people goes through here.
    The English rendering is the msgid itself, so English output reads as it always did."""
    if not message:
        return ""  # the empty msgid is the catalogue's header, never a text
    text = message if isinstance(message, Text) else Text(message, params)
    from shokei.web import i18n  # noqa: PLC0415 - the catalogues are read only when a line is shown

    with i18n.activate(cli_language()):
        return text.render(i18n.gettext)


def shown(message: Text | None, english: str | None) -> str | None:
    """A message a service gave both ways (`reason_text` beside `reason`): its `Text` in the CLI
    user's language, or the English as received when only that came (a remote server's JSON)."""
    return english if message is None else translated(message)


def verbatim(value: object) -> Text:
    """A title that is data (a company's name), shown as it is in every language."""
    return Text("%(value)s", {"value": value})


def yes_no(flag: bool) -> str:
    """A flag shown in a table or a line for people."""
    return translated(N_("yes")) if flag else translated(N_("no"))


def say(
    message: str | Text,
    *,
    highlight: bool | None = None,
    markup: bool | None = None,
    soft_wrap: bool | None = None,
    **params: Any,
) -> None:
    """Print a catalogue message (`translated`) on stdout, with rich's `highlight`, `markup` and
    `soft_wrap` as the line needs them."""
    stdout.print(translated(message, **params), highlight=highlight, markup=markup, soft_wrap=soft_wrap)


def echo(message: str | Text, *, err: bool = False, **params: Any) -> None:
    """Print a catalogue message (`translated`) as one plain line, on stderr with `err`: no Rich
    markup, highlighting or wrapping, for the lines scripts read as they are."""
    typer.echo(translated(message, **params), err=err)


def localised(error: ShokeiError) -> str:
    """The error's message in the CLI user's language (shokei.errors)."""
    if error.text is None:
        return error.message
    from shokei.web import i18n  # noqa: PLC0415 - the catalogues are read only when a refusal is shown

    with i18n.activate(cli_language()):
        return error.localised(i18n.gettext)


def _show_context_options(
    guarded: Callable[..., Any],
    signature: inspect.Signature,
    hints: dict[str, Any],
    context: str,
    *,
    acting: bool,
) -> None:
    """Give Typer the command's own parameters plus --as/--json instead of the context parameter."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    shown = [
        parameter.replace(annotation=hints[parameter.name], kind=keyword)
        for parameter in signature.parameters.values()
        if parameter.name != context
    ]
    if acting:
        shown.append(inspect.Parameter("as_user", keyword, default=None, annotation=AsUser))
    shown.append(inspect.Parameter("json_output", keyword, default=False, annotation=JsonOutput))
    guarded.__signature__ = signature.replace(parameters=shown, return_annotation=None)  # type: ignore[attr-defined]
    guarded.__annotations__ = {parameter.name: parameter.annotation for parameter in shown}


_opened: list[Shokei] = []


def _close_opened() -> None:
    # A command's connections close with it, not whenever the garbage collector gets round to it.
    while _opened:
        _opened.pop().uow.engine.dispose()


def ready_app() -> Shokei:
    """The app for one command, checked to be initialised; closed when the command returns."""
    from shokei.bootstrap import build, ensure_ready  # noqa: PLC0415 - late: see the module's docstring

    app = build()
    _opened.append(app)
    ensure_ready(app)
    return app


def opened_app() -> Shokei:
    """Like ready_app, for commands (init, run) that may find the database empty."""
    from shokei.bootstrap import build  # noqa: PLC0415 - late: see the module's docstring

    app = build()
    _opened.append(app)
    return app


def acting(app: Shokei, as_user: str | None) -> Actor:
    from shokei.accounts import services as accounts  # noqa: PLC0415 - late: see the module's docstring
    from shokei.kernel import LOCAL_OPERATOR  # noqa: PLC0415 - as above

    name = as_user or app.settings.user
    if not name:
        raise BadInput(Text(N_("say who you are: --as USER or SHOKEI_USER")))
    # Whoever can read the data dir can name any user: the ledger records these acts as the
    # operator's local CLI, not as that user's own login (SHOKEI_API_URL is the user's way).
    return replace(accounts.actor_for_username(app.uow, name), via=LOCAL_OPERATOR)


def jsonable(value: Any) -> Any:
    from pydantic import BaseModel  # noqa: PLC0415 - late: see the module's docstring

    def convert(item: Any) -> Any:
        if isinstance(item, BaseModel):
            return item.model_dump(mode="json")
        if isinstance(item, list | tuple):
            return [convert(each) for each in item]
        if isinstance(item, dict):
            return {key: convert(each) for key, each in item.items()}
        return item

    return convert(value)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(value), ensure_ascii=False, indent=2) + "\n")


def print_table(title: str | Text, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A table whose title and column headers are catalogue messages (marked `N_`), shown in the
    CLI user's language; the cells are values, shown as they are."""
    _print_table(translated(title), [translated(column) for column in columns], rows)


def print_fields(title: str | Text, fields: dict[str, Any]) -> None:
    """A record as field/value rows: the title and each field's name are catalogue messages."""
    print_table(
        title, (N_("field"), N_("value")), [(translated(name), value) for name, value in fields.items()]
    )


def print_values(title: str | Text, fields: dict[str, Any]) -> None:
    """Like `print_fields`, for fields named by data (a document's metadata, the server's JSON
    keys), which are shown as they are."""
    print_table(title, (N_("field"), N_("value")), list(fields.items()))


# Rich measures every cell to lay a table out: 2,048 rows (a drawing set handed in) took 1.4 s,
# a fifth of the whole `docs submit`. Longer tables are printed as tab-separated lines instead
# (the title, the header, a row per line), which read in a terminal and paste into a sheet.
LONG_TABLE_ROWS = 200


def _print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if len(rows) > LONG_TABLE_ROWS:
        lines = [title, "\t".join(columns)]
        lines += [
            "\t".join("" if cell is None else str(cell).replace("\t", " ") for cell in row) for row in rows
        ]
        stdout.file.write("\n".join(lines) + "\n")
        stdout.file.flush()
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    stdout.print(table)


def parse_date(value: str) -> date:
    """A command-line date, YYYY-MM-DD, or the contract's bad-input error (exit 2)."""
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise BadInput(Text(N_("date %(value)s must be YYYY-MM-DD"), {"value": repr(value)})) from None


def yen(amount: int | None) -> str:
    return "" if amount is None else f"¥{amount:,}"


ONE_TIME_SECRETS_FILE = "one-time-secrets.txt"


def one_time_secrets_path(settings: Settings) -> Path:
    return settings.data_dir / ONE_TIME_SECRETS_FILE


def keep_secret(settings: Settings, name: str, kind: str, secret: str) -> str | None:
    """Keep a one-time secret (a generated password, an otpauth URI) in the data dir's owner-only
    file, and return it for printing only when stdout is a terminal: a pipe or a redirection ends
    in logs, which must never hold a password."""
    path = one_time_secrets_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.fchmod(fd, 0o600)  # a file left wider by hand is narrowed before a secret goes in
        os.write(fd, f"{name}\t{kind}\t{secret}\n".encode())
    finally:
        os.close(fd)
    return secret if sys.stdout.isatty() else None


def configure_logs(settings: Settings) -> None:
    """Logs of a long-running command (`shokei worker`) as `SHOKEI_LOG_FORMAT` says (`shokei.logs`);
    `shokei serve` hands the same configuration to uvicorn."""
    import logging.config  # noqa: PLC0415 - late: see the module's docstring

    from shokei.logs import logging_config  # noqa: PLC0415 - as above

    logging.config.dictConfig(logging_config(settings.log_format))
