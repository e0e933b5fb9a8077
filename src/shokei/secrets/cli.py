from __future__ import annotations

from typing import Annotated

import typer

from shokei.cli_help import LocalisedGroup
from shokei.cli_support import Cli, command, echo, parse_date, print_fields, print_table
from shokei.errors import N_, BadInput, Text
from shokei.secrets import services
from shokei.secrets.schemas import DesignationView

app = typer.Typer(
    cls=LocalisedGroup,
    help="Designated secrets (装備品等秘密, Art. 27): designate, renew, lift, the register.",
    no_args_is_help=True,
)

Until = Annotated[str, typer.Option("--until", help="Last day the designation is valid, YYYY-MM-DD.")]


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command."""
    root.add_typer(app, name="secret")


def _holders(view: DesignationView) -> str:
    return ", ".join(f"{holder.name} ({holder.corporate_number})" for holder in view.holders)


def _show(view: DesignationView) -> None:
    print_fields(
        Text(
            N_("document %(document_id)s: %(document_title)s"),
            {"document_id": view.document_id, "document_title": view.document_title},
        ),
        {
            N_("case"): view.case_id,
            N_("status"): view.status,
            N_("valid until"): view.until,
            N_("reason"): view.reason,
            N_("lifted"): f"{view.lifted_at:%Y-%m-%d} ({view.lift_reason})" if view.lifted_at else None,
            N_("holders"): _holders(view) or None,
        },
    )


@command(app, "designate")
def designate(
    cli: Cli,
    until: Until,
    reason: Annotated[str, typer.Option("--reason", help="Why it is designated (recorded).")],
    document: Annotated[int | None, typer.Argument(help="The document to designate.")] = None,
    case: Annotated[int | None, typer.Option("--case", help="Designate every document of this case.")] = None,
) -> None:
    """Designate a document (or with --case every document of a case) as 装備品等秘密 (program manager)."""
    if (document is None) == (case is None):
        raise BadInput(Text(N_("name one document, or one case with --case")))
    if case is not None:
        made = services.designate_case(cli.uow, cli.actor, case, until=parse_date(until), reason=reason)
        cli.emit(
            made,
            lambda: echo(
                N_("%(count)s document(s) of case %(case)s designated until %(until)s"),
                count=len(made),
                case=case,
                until=until,
            ),
        )
        return
    assert document is not None
    view = services.designate_document(cli.uow, cli.actor, document, until=parse_date(until), reason=reason)
    cli.emit(view, lambda: _show(view))


@command(app, "renew")
def renew(
    cli: Cli,
    document: int,
    until: Until,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it is renewed.")] = None,
) -> None:
    """Extend a document's designation to a later last day (program manager)."""
    view = services.renew_designation(cli.uow, cli.actor, document, until=parse_date(until), reason=reason)
    cli.emit(view, lambda: _show(view))


@command(app, "lift")
def lift(
    cli: Cli,
    document: int,
    reason: Annotated[str, typer.Option("--reason", help="Why it is lifted (recorded).")],
) -> None:
    """Lift a document's designation; it stays on the register, marked lifted (program manager)."""
    view = services.lift_designation(cli.uow, cli.actor, document, reason=reason)
    cli.emit(view, lambda: _show(view))


@command(app, "list")
def list_(
    cli: Cli,
    expiring_within: Annotated[
        int | None,
        typer.Option(
            "--expiring-within", min=0, help="Only those in force ending within DAYS (expired too)."
        ),
    ] = None,
    case: Annotated[int | None, typer.Option("--case", help="Only this case's documents.")] = None,
) -> None:
    """The register of designations, soonest to end first, with the companies holding copies."""
    rows = services.list_designations(cli.uow, cli.actor, expiring_within_days=expiring_within, case_id=case)
    cli.emit(
        rows,
        lambda: print_table(
            N_("designated secrets (装備品等秘密)"),
            (N_("document"), N_("case"), N_("title"), N_("until"), N_("status"), N_("holders")),
            [(r.document_id, r.case_id, r.document_title, r.until, r.status, _holders(r)) for r in rows],
        ),
    )
