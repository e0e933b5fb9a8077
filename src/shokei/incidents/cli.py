"""`shokei incident`: open a leak incident from a found file, contain it, close it, read them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from shokei.cli_help import LocalisedGroup
from shokei.cli_remote import Remote
from shokei.cli_support import Cli, command, print_table, say, yes_no
from shokei.errors import N_, BadInput, Text
from shokei.incidents import services
from shokei.incidents.schemas import IncidentView

app = typer.Typer(
    cls=LocalisedGroup,
    help="Leak incidents: a found file traced, its holder suspended, the clock.",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="incident")


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise BadInput(
            Text(N_("--found-on must be YYYY-MM-DD, not %(text)s"), {"text": repr(text)})
        ) from error


def _hours_left(view: IncidentView) -> str:
    return f"{view.seconds_left / 3600:.1f}"


def _show(view: IncidentView) -> None:
    say(N_("incident %(id)s: %(state)s"), id=view.id, state=view.state)
    say(
        N_("copy %(copy)s held by %(holder)s (%(method)s, %(confidence)s)"),
        copy=view.copy_id or "-",
        holder=view.recipient or "-",
        method=view.method,
        confidence=format(view.confidence, ".2f"),
    )
    say(N_("holder suspended: %(suspended)s"), suspended=yes_no(view.holder_suspended))
    say(
        N_("report due %(due)s (%(hours)s h left)"),
        due=view.deadline_at.isoformat(),
        hours=_hours_left(view),
    )
    for note in view.notes_text or view.notes:
        say(N_("note: %(note)s"), note=note)


@command(app, "open")
def open_incident(
    cli: Cli,
    file: Annotated[Path, typer.Option("--file", exists=True, dir_okay=False, help="The file found.")],
    found_at: Annotated[str, typer.Option("--found-at", help="Where it was found.")],
    found_on: Annotated[str | None, typer.Option("--found-on", help="When, YYYY-MM-DD.")] = None,
    reporter: Annotated[str | None, typer.Option("--reporter", help="Who reported it.")] = None,
    suspend_chain: Annotated[
        bool, typer.Option("--suspend-chain", help="Also suspend the holders above it (its successor).")
    ] = False,
) -> None:
    """Open a leak incident: trace the file, keep it as evidence, suspend its holder (officials)."""
    view = services.open_incident(
        cli.uow,
        cli.actor,
        file,
        file_name=file.name,
        report=services.FoundReport(found_at, _day(found_on), reporter, suspend_chain),
        keys=services.TraceKeys(cli.app.vaults.copies, cli.app.handover_signing_key, cli.app.copy_code_key),
        reporting_hours=cli.app.settings.incident_reporting_hours,
    )
    cli.emit(view, lambda: _show(view))


@command(app, "show", remote=Remote("GET", "/api/v1/incidents/{incident_id}"))
def show(cli: Cli, incident_id: int) -> None:
    """One leak incident with its clock (officials, auditors)."""
    view = services.get_incident(cli.uow, cli.actor, incident_id)
    cli.emit(view, lambda: _show(view))


@command(app, "list", remote=Remote("GET", "/api/v1/incidents", names={"only_open": "open_only"}))
def list_incidents(
    cli: Cli,
    only_open: Annotated[bool, typer.Option("--open", help="Only incidents not yet closed.")] = False,
) -> None:
    """Leak incidents, the nearest reporting deadline first (officials, auditors)."""
    views = services.list_incidents(cli.uow, cli.actor, open_only=only_open)
    cli.emit(
        views,
        lambda: print_table(
            N_("leak incidents"),
            (N_("id"), N_("state"), N_("copy"), N_("holder"), N_("due"), N_("hours left")),
            [
                (v.id, v.state, v.copy_id or "-", v.recipient or "-", v.deadline_at, _hours_left(v))
                for v in views
            ],
        ),
    )


@command(app, "contain", remote=Remote("POST", "/api/v1/incidents/{incident_id}/containment"))
def contain(
    cli: Cli, incident_id: int, action: Annotated[str, typer.Option("--action", help="What was done.")]
) -> None:
    """Record an action (recall, referral) and mark the incident contained (officials)."""
    view = services.contain_incident(cli.uow, cli.actor, incident_id, action)
    cli.emit(view, lambda: _show(view))


@command(app, "close")
def close(
    cli: Cli,
    incident_id: int,
    outcome: Annotated[str, typer.Option("--outcome", help="How it ended.")],
    unresolved: Annotated[bool, typer.Option("--unresolved", help="Close it as unresolved.")] = False,
) -> None:
    """Close a leak incident with its outcome (officials)."""
    view = services.close_incident(cli.uow, cli.actor, incident_id, outcome, resolved=not unresolved)
    cli.emit(view, lambda: _show(view))
