"""The `shokei` command: every feature's commands (from the manifest) plus init, serve and run.

`shokei --help` lists the features' groups and commands from the manifest without importing any
feature; a feature's cli module is imported only when one of its commands runs (`_Root`)."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from shokei.cli_help import LocalisedGroup
from shokei.cli_support import (
    JsonOutput,
    command,
    keep_secret,
    one_time_secrets_path,
    opened_app,
    print_json,
    ready_app,
    say,
)
from shokei.errors import N_
from shokei.manifest import cli_entries, cli_loaded_with, load

if TYPE_CHECKING:
    from shokei.bootstrap import Shokei


class _Root(LocalisedGroup):
    """The root group: the features' commands first, then the root's own, then the features'
    groups (the order Typer gave them when every feature was registered up front). Until one is
    invoked, each feature's entry is a stand-in carrying only its name and help."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        feature_commands, feature_groups = cli_entries()
        own = dict(self.commands)
        self.commands = {name: TyperCommand(name, help=text) for _, name, text in feature_commands}
        self.commands.update(own)
        self.commands.update({name: TyperCommand(name, help=text) for _, name, text in feature_groups})
        self._lazy = {name for _, name, _ in (*feature_commands, *feature_groups)}

    # Typer's click (vendored: typer._click) is private, hence the loose types of the contexts and
    # commands below.
    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] in self._lazy:
            # Only the invoked one: the other groups loaded with it may lack what features not
            # loaded add to them. Replacing a stand-in keeps its place in the listing.
            self.commands[args[0]] = _commands_with(args[0])[args[0]]
        return super().resolve_command(ctx, args)


_loaded: dict[tuple[str, ...], dict[str, Any]] = {}
_loading = threading.Lock()


def _commands_with(name: str) -> dict[str, Any]:
    """The click groups and commands of the features that make `name` whole (its own, and those
    adding commands to its groups: `manifest.cli_loaded_with`), registered in `shokei --help`
    order on a root of their own, once per process."""
    features = cli_loaded_with(name)
    key = tuple(feature.name for feature in features)
    with _loading:
        if key not in _loaded:
            scratch = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
            for feature in features:
                assert feature.cli is not None
                load(feature.cli)(scratch)
            _loaded[key] = dict(typer.main.get_group(scratch).commands)
        return _loaded[key]


app = typer.Typer(
    cls=_Root,
    help="Shokei (承継): custody and succession of defense design documents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

Host = Annotated[str | None, typer.Option("--host", help="Default 127.0.0.1 (SHOKEI_HOST).")]
Port = Annotated[int | None, typer.Option("--port", help="Default 8000 (SHOKEI_PORT).")]
Workers = Annotated[
    int, typer.Option("--workers", min=1, help="Server processes (each with its own connections).")
]


@command(app, "init")
def init(json_output: JsonOutput = False) -> None:
    """Create the data dir, database schema, master key and the admin user (idempotent)."""
    from shokei.bootstrap import initialise  # noqa: PLC0415 - late: `shokei --help` loads no database code

    shokei = opened_app()
    report = initialise(shokei)
    # The admin's password goes to the owner-only file, and to stdout only when it is a terminal.
    shown = (
        keep_secret(shokei.settings, "admin", "password", report.admin_password)
        if report.admin_password
        else None
    )
    otpauth = (
        keep_secret(shokei.settings, "admin", "otpauth", report.admin_otpauth)
        if report.admin_otpauth
        else None
    )
    if json_output:
        print_json(
            {
                "changed": report.changed,
                "created": report.created,
                "admin_password": shown,
                "admin_otpauth_uri": otpauth,
            }
        )
        return
    if not report.changed:
        say(N_("already initialised: nothing changed"))
        return
    for item in report.created:
        say(N_("created %(item)s"), item=item)
    if shown:
        say(N_("admin password (shown once): [bold]%(shown)s[/]"), highlight=False, shown=shown)
        if otpauth:
            say(
                N_("admin second factor (otpauth URI, shown once): %(otpauth)s"),
                highlight=False,
                soft_wrap=True,
                otpauth=otpauth,
            )
    elif report.admin_password:
        where = one_time_secrets_path(shokei.settings)
        say(
            N_("admin password and second factor: written to %(where)s (owner-only)"),
            highlight=False,
            soft_wrap=True,
            where=where,
        )


def _serve(host: str | None, port: int | None, workers: int = 1) -> None:
    import uvicorn  # noqa: PLC0415 - late: commands that never serve stay quick

    from shokei.app import create_app  # noqa: PLC0415 - as above
    from shokei.logs import logging_config  # noqa: PLC0415 - as above

    shokei = ready_app()
    shokei.sweep_leftovers()  # a start: what dead processes left in scratch and the vaults' tmp
    _seal_ledger_tail_every(shokei, TAIL_SEAL_PERIOD_SECONDS)
    bind_host, bind_port = host or shokei.settings.host, port or shokei.settings.port
    say(
        N_("Shokei is running at http://%(bind_host)s:%(bind_port)s/  (API docs: /docs)"),
        bind_host=bind_host,
        bind_port=bind_port,
    )
    config = logging_config(shokei.settings.log_format)
    # X-Forwarded-For is honoured only from SHOKEI_TRUSTED_PROXIES (create_app), never by uvicorn's
    # own default (which trusts 127.0.0.1, so any local client could choose its address).
    options: dict[str, Any] = {
        "host": bind_host,
        "port": bind_port,
        "log_level": "info",
        "log_config": config,
        "proxy_headers": False,
        # An idle keep-alive connection is kept longer than clients and proxies keep theirs
        # (60 s is common): with uvicorn's 5 s, a client sending on a connection the server was
        # closing got a connection reset, which no client retries for a POST.
        "timeout_keep_alive": 65,
    }
    if workers > 1:
        # Worker processes each build their own app (uvicorn imports the factory by name); this
        # process supervises them and keeps sealing the ledger's tail.
        shokei.uow.engine.dispose()
        uvicorn.run("shokei.cli:worker_app", factory=True, workers=workers, **options)
    else:
        uvicorn.run(create_app(shokei), **options)


def worker_app() -> Any:
    """The web application of one `serve --workers N` process (uvicorn's factory)."""
    from shokei.app import create_app  # noqa: PLC0415 - late, as in _serve

    return create_app(ready_app())


TAIL_SEAL_PERIOD_SECONDS = 10.0


def _seal_ledger_tail_every(shokei: Shokei, period: float) -> None:
    """Beside the server: sign the ledger's unsigned tail once it has waited (`audit.seal_tail`),
    so no entry stays unsigned much longer than a minute even when no request follows it."""

    from shokei.audit import services as audit  # noqa: PLC0415 - late: only `serve` seals

    def loop() -> None:
        while True:
            time.sleep(period)
            try:
                audit.seal_tail(shokei.uow)
            except Exception:  # a database outage: try again next period
                logging.getLogger(__name__).exception("could not sign the ledger's tail")

    threading.Thread(target=loop, name="ledger-tail-sealer", daemon=True).start()


@command(app, "serve")
def serve(host: Host = None, port: Port = None, workers: Workers = 1) -> None:
    """Serve the web application and the JSON API."""
    _serve(host, port, workers)


@command(app, "run")
def run(host: Host = None, port: Port = None) -> None:
    """`make run`: initialise if needed, load demo data on first run, then serve."""
    from shokei.bootstrap import initialise  # noqa: PLC0415 - late, as in init
    from shokei.demo.cli import show_logins  # noqa: PLC0415 - late: only `run` seeds the demo
    from shokei.demo.services import demo_is_seeded, seed_demo  # noqa: PLC0415 - as above

    shokei = opened_app()
    report = initialise(shokei)
    logins = shokei.settings.data_dir / "demo-logins.txt"
    terminal = sys.stdout.isatty()  # passwords on a pipe or in a redirection end in logs
    if report.admin_password:
        _remember(logins, "admin", "admin", report.admin_password, report.admin_otpauth)
        if terminal:
            say(
                N_("admin password: %(admin_password)s"),
                highlight=False,
                admin_password=report.admin_password,
            )
            say(
                N_("admin second factor: %(admin_otpauth)s"),
                highlight=False,
                soft_wrap=True,
                admin_otpauth=report.admin_otpauth,
            )
    if not demo_is_seeded(shokei):
        say(N_("loading demo data (first run)..."))
        demo = seed_demo(shokei)
        if terminal:
            show_logins(demo)
        for name, (role, password) in demo.logins.items():
            _remember(logins, name, role, password, demo.otpauth.get(name))
        say(N_("demo logins: see %(logins)s (owner-only)"), logins=logins)
    else:
        say(N_("demo logins: see %(path)s"), path=shokei.settings.data_dir / "demo-logins.txt")
    _serve(host, port)


def _remember(path: Path, name: str, role: str, password: str, otpauth: str | None = None) -> None:
    """Keep demo logins readable by the owner only, so `make run` can show them again: user, role,
    password and, for a ministry account, the otpauth URI of its second factor (the login page
    asks for its code: an authenticator app, or `pyotp.TOTP(SECRET).now()`, gives it)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(f"{name}\t{role}\t{password}\t{otpauth or ''}\n")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
