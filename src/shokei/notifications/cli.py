from __future__ import annotations

import functools
import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from shokei.bootstrap import Shokei

from shokei.audit import services as audit
from shokei.cli_help import LocalisedGroup
from shokei.cli_support import Cli, command, configure_logs, print_table, say, stdout, translated
from shokei.errors import N_, ShokeiError
from shokei.notifications import delivery, services

inbox_app = typer.Typer(cls=LocalisedGroup, help="My notices (the in-app inbox).")


def register(root: typer.Typer) -> None:
    """`shokei inbox [read ID]` and `shokei worker`."""
    root.add_typer(inbox_app, name="inbox")
    command(root, "worker", acting=False, opened=False)(worker)


def show(cli: Cli, ctx: typer.Context) -> None:
    """My notices, newest first (`shokei inbox --json`); `shokei inbox read ID` marks one read."""
    if ctx.invoked_subcommand is not None:
        return
    items = services.inbox(cli.uow, cli.actor)
    cli.emit(
        items,
        lambda: print_table(
            N_("inbox"),
            (N_("id"), N_("at"), N_("read"), N_("subject"), N_("link")),
            [
                (i.id, f"{i.at:%Y-%m-%d %H:%M}", translated(N_("yes")) if i.read else "", i.subject, i.link)
                for i in items
            ],
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
    cli.emit(item, lambda: say(N_("notice %(id)s read"), id=item.id))


def _opened_when_ready(cli: Cli, *, wait: bool, stop: threading.Event) -> Shokei | None:
    """The app once `shokei init` has made the database current: started beside `shokei run`
    (make run), the worker waits for the first run to initialise it instead of failing."""

    def stopping(_signal: int, _frame: FrameType | None) -> None:
        stop.set()

    if wait:
        signal.signal(signal.SIGTERM, stopping)
        signal.signal(signal.SIGINT, stopping)
    while True:
        try:
            return cli.app
        except (ShokeiError, OperationalError):
            # Not initialised yet (or no data dir at all, before the first `shokei run`).
            if not wait:
                raise
        if stop.wait(1.0):
            return None


def worker(
    cli: Cli,
    once: Annotated[bool, typer.Option("--once", help="Deliver what is due now, then exit.")] = False,
) -> None:
    """Deliver pending notices by e-mail (SHOKEI_SMTP_URL, or the outbox folder), with retries."""
    stop = threading.Event()
    app = _opened_when_ready(cli, wait=not once, stop=stop)
    if app is None:
        return
    if not once:
        where = app.settings.smtp_url or str(app.settings.outbox_dir)
        say(N_("worker: delivering notices to %(where)s (Ctrl-C stops)"), where=where)
    configure_logs(app.settings)
    mailer = delivery.mailer_for(app.settings)
    app.sweep_leftovers()  # scratch and temp files of processes that died
    while True:
        report = delivery.deliver_round(app.uow, app.settings, mailer)
        if not once:
            # Bounds the ledger's unsigned tail in time while the server may be idle.
            audit.seal_tail(app.uow)
        if once:
            cli.emit(report.model_dump(), functools.partial(stdout.print, report.model_dump()))
            return
        if report.sent or report.retried or report.failed:
            stdout.print(report.model_dump())
        if stop.wait(app.settings.worker_poll_seconds):
            return
