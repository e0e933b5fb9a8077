from __future__ import annotations

import typer

from shokei.cli_support import JsonOutput, command, print_json, print_table, ready_app
from shokei.demo.services import DemoReport, seed_demo

app = typer.Typer(help="Demo data.", no_args_is_help=True)


def show_logins(report: DemoReport) -> None:
    print_table(
        "demo logins (shown once; also saved in the data dir)",
        ("user", "role", "password"),
        [(name, role, password) for name, (role, password) in report.logins.items()],
    )


@command(app, "seed")
def seed(json_output: JsonOutput = False) -> None:
    """Load ~200 fictional companies, one user per role and cases in every state."""
    shokei = ready_app()
    report = seed_demo(shokei)
    if json_output:
        print_json(
            {
                "companies": report.companies,
                "cases": report.cases,
                "logins": {n: {"role": r, "password": p} for n, (r, p) in report.logins.items()},
            }
        )
        return
    typer.echo(f"{report.companies} companies, {len(report.cases)} cases")
    show_logins(report)
