"""The `shokei` command: every feature's commands (from the manifest) plus init, serve and run."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from shokei.audit import services as audit
from shokei.bootstrap import Shokei, initialise
from shokei.cli_support import JsonOutput, command, opened_app, print_json, ready_app, stdout
from shokei.demo.cli import show_logins
from shokei.demo.services import demo_is_seeded, seed_demo
from shokei.manifest import parts

app = typer.Typer(
    help="Shokei (承継): custody and succession of defense design documents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Every feature's groups and commands, before the root's own (their order in `shokei --help`).
for register in parts("cli"):
    register(app)

Host = Annotated[str | None, typer.Option("--host", help="Default 127.0.0.1 (SHOKEI_HOST).")]
Port = Annotated[int | None, typer.Option("--port", help="Default 8000 (SHOKEI_PORT).")]


@command(app, "init")
def init(json_output: JsonOutput = False) -> None:
    """Create the data dir, database schema, master key and the admin user (idempotent)."""
    report = initialise(opened_app())
    if json_output:
        print_json(
            {"changed": report.changed, "created": report.created, "admin_password": report.admin_password}
        )
        return
    if not report.changed:
        stdout.print("already initialised: nothing changed")
        return
    for item in report.created:
        stdout.print(f"created {item}")
    if report.admin_password:
        stdout.print(f"admin password (shown once): [bold]{report.admin_password}[/]")


def _serve(host: str | None, port: int | None) -> None:
    from shokei.app import create_app  # noqa: PLC0415 - late: commands that never serve stay quick

    shokei = ready_app()
    shokei.sweep_leftovers()  # a start: what dead processes left in scratch and the vaults' tmp
    _seal_ledger_tail_every(shokei, TAIL_SEAL_PERIOD_SECONDS)
    bind_host, bind_port = host or shokei.settings.host, port or shokei.settings.port
    stdout.print(f"Shokei is running at http://{bind_host}:{bind_port}/  (API docs: /docs)")
    uvicorn.run(create_app(shokei), host=bind_host, port=bind_port, log_level="info")


TAIL_SEAL_PERIOD_SECONDS = 10.0


def _seal_ledger_tail_every(shokei: Shokei, period: float) -> None:
    """Beside the server: sign the ledger's unsigned tail once it has waited (`audit.seal_tail`),
    so no entry stays unsigned much longer than a minute even when no request follows it."""

    def loop() -> None:
        while True:
            time.sleep(period)
            try:
                audit.seal_tail(shokei.uow)
            except Exception:  # a database outage: try again next period
                logging.getLogger(__name__).exception("could not sign the ledger's tail")

    threading.Thread(target=loop, name="ledger-tail-sealer", daemon=True).start()


@command(app, "serve")
def serve(host: Host = None, port: Port = None) -> None:
    """Serve the web application and the JSON API."""
    _serve(host, port)


@command(app, "run")
def run(host: Host = None, port: Port = None) -> None:
    """`make run`: initialise if needed, load demo data on first run, then serve."""
    shokei = opened_app()
    report = initialise(shokei)
    if report.admin_password:
        logins = shokei.settings.data_dir / "demo-logins.txt"
        stdout.print(f"admin password: {report.admin_password}")
        _remember(logins, "admin", "admin", report.admin_password)
    if not demo_is_seeded(shokei):
        stdout.print("loading demo data (first run)...")
        demo = seed_demo(shokei)
        show_logins(demo)
        for name, (role, password) in demo.logins.items():
            _remember(shokei.settings.data_dir / "demo-logins.txt", name, role, password)
    else:
        stdout.print(f"demo logins: see {shokei.settings.data_dir / 'demo-logins.txt'}")
    _serve(host, port)


def _remember(path: Path, name: str, role: str, password: str) -> None:
    """Keep demo logins readable by the owner only, so `make run` can show them again."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(f"{name}\t{role}\t{password}\n")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
