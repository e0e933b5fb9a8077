from __future__ import annotations

from typing import Annotated

import typer

from shokei.cli_help import LocalisedGroup
from shokei.cli_support import Cli, command, print_table, stdout, translated
from shokei.deadlines import services
from shokei.deadlines.schemas import DutyView
from shokei.errors import N_

app = typer.Typer(
    cls=LocalisedGroup, help="Deadlines: the policy that sets every duty's period.", no_args_is_help=True
)


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
            N_("duties"),
            (N_("on"), N_("kind"), N_("role"), N_("due"), N_("days left"), N_("what")),
            [
                (
                    d.about,
                    d.kind,
                    d.role,
                    d.due,
                    translated(N_("%(days)s OVERDUE"), days=d.days_left) if d.overdue else d.days_left,
                    d.what,
                )
                for d in found
            ],
        ),
    )


@command(app, "policy", acting=False, opened=False)
def policy(cli: Cli) -> None:
    """The deadline policy in force: version and periods in days."""
    shown = services.policy_in_force()
    cli.emit(shown, lambda: stdout.print_json(data=shown))
