from __future__ import annotations

from typing import Annotated

import typer

from shokei.cli_support import Cli, command, print_table, stdout
from shokei.deadlines import services
from shokei.deadlines.schemas import DutyView

app = typer.Typer(help="Deadlines: the policy that sets every duty's period.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """`shokei duties` (what is waiting for me) and the `shokei deadlines` group."""
    command(root, "duties")(duties)
    root.add_typer(app, name="deadlines")


def duties(
    cli: Cli,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only duties past their due date.")] = False,
    everyone: Annotated[
        bool, typer.Option("--all", help="Every party's duties (program managers, auditors).")
    ] = False,
) -> None:
    """What is waiting for me: my open duties on the cases I may see, most urgent first."""
    found = services.open_duties(cli.uow, cli.actor, overdue=overdue, everyone=everyone)
    cli.emit(
        [DutyView.model_validate(d.model_dump()) for d in found],
        lambda: print_table(
            "duties",
            ("on", "kind", "role", "due", "days left", "what"),
            [
                (d.about, d.kind, d.role, d.due, f"{d.days_left}{' OVERDUE' if d.overdue else ''}", d.what)
                for d in found
            ],
        ),
    )


@command(app, "policy", acting=False, opened=False)
def policy(cli: Cli) -> None:
    """The deadline policy in force: version and periods in days."""
    shown = services.policy_in_force()
    cli.emit(shown, lambda: stdout.print_json(data=shown))
