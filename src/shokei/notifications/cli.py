from __future__ import annotations

import functools
import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from shokei.cli_support import Cli, command, print_table, stdout
from shokei.notifications import delivery, services

inbox_app = typer.Typer(help="My notices (the in-app inbox).")


def register(root: typer.Typer) -> None:
    """`shokei inbox [read ID]` and `shokei worker`."""
    root.add_typer(inbox_app, name="inbox")
    command(root, "worker", acting=False)(worker)


def show(cli: Cli, ctx: typer.Context) -> None:
    """My notices, newest first (`shokei inbox --json`); `shokei inbox read ID` marks one read."""
    if ctx.invoked_subcommand is not None:
        return
    items = services.inbox(cli.uow, cli.actor)
    cli.emit(
        items,
        lambda: print_table(
            "inbox",
            ("id", "at", "read", "subject", "link"),
            [(i.id, f"{i.at:%Y-%m-%d %H:%M}", "yes" if i.read else "", i.subject, i.link) for i in items],
        ),
    )


# The group's own callback lists the inbox: registered through `command` (for --as, --json and the
# error-to-exit-code translation) on a scratch app, then installed as the group's callback.
_scratch = typer.Typer()
command(_scratch, "inbox", opened=False)(show)
_listing = _scratch.registered_commands[0].callback
assert _listing is not None
inbox_app.callback(invoke_without_command=True)(_listing)


@command(inbox_app, "read")
def read(cli: Cli, notice: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Mark one of my notices read."""
    item = services.mark_read(cli.uow, cli.actor, notice)
    cli.emit(item, lambda: stdout.print(f"notice {item.id} read"))


def worker(
    cli: Cli,
    once: Annotated[bool, typer.Option("--once", help="Deliver what is due now, then exit.")] = False,
) -> None:
    """Deliver pending notices by e-mail (SHOKEI_SMTP_URL, or the outbox folder), with retries."""
    app = cli.app
    stop = threading.Event()

    def stopping(_signal: int, _frame: FrameType | None) -> None:
        stop.set()

    if not once:
        signal.signal(signal.SIGTERM, stopping)
        signal.signal(signal.SIGINT, stopping)
        where = app.settings.smtp_url or str(app.settings.outbox_dir)
        stdout.print(f"worker: delivering notices to {where} (Ctrl-C stops)")
    mailer = delivery.mailer_for(app.settings)
    while True:
        report = delivery.deliver_round(app.uow, app.settings, mailer)
        if once:
            cli.emit(report.model_dump(), functools.partial(stdout.print, report.model_dump()))
            return
        if report.sent or report.retried or report.failed:
            stdout.print(report.model_dump())
        if stop.wait(app.settings.worker_poll_seconds):
            return
