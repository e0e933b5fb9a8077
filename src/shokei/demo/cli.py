from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs, urlsplit

import typer

from shokei.cli_help import LocalisedGroup
from shokei.cli_support import Cli, command, echo, print_json, print_table
from shokei.demo.services import DemoReport, generate_supply_base, seed_demo
from shokei.errors import N_

app = typer.Typer(cls=LocalisedGroup, help="Demo data.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command."""
    root.add_typer(app, name="demo")


def totp_secret(otpauth_uri: str | None) -> str:
    """The base32 secret of an otpauth URI (what an authenticator app asks for, typed by hand)."""
    if not otpauth_uri:
        return ""
    return parse_qs(urlsplit(otpauth_uri).query).get("secret", [""])[0]


def show_logins(report: DemoReport) -> None:
    print_table(
        N_("demo logins (shown once; also saved in the data dir)"),
        (N_("user"), N_("role"), N_("password"), N_("TOTP secret")),
        [
            (name, role, password, totp_secret(report.otpauth.get(name)))
            for name, (role, password) in report.logins.items()
        ],
    )


@command(app, "seed", acting=False)
def seed(cli: Cli) -> None:
    """Load ~200 fictional companies, one user per role and cases in every state."""
    report = seed_demo(cli.app)
    if cli.json:
        print_json(
            {
                "companies": report.companies,
                "cases": report.cases,
                "logins": {
                    n: {"role": r, "password": p, "otpauth_uri": report.otpauth.get(n)}
                    for n, (r, p) in report.logins.items()
                },
            }
        )
        return
    echo(
        N_("%(companies)s companies, %(cases)s cases"),
        companies=report.companies,
        cases=len(report.cases),
    )
    show_logins(report)


@command(app, "generate", acting=False)
def generate(
    cli: Cli,
    companies: Annotated[int, typer.Option("--companies", min=1, help="Supplier companies.")] = 1_000,
    components: Annotated[
        int, typer.Option("--components", min=1, help="Components (all BOM levels).")
    ] = 10_000,
    systems: Annotated[int, typer.Option("--systems", min=1, help="Weapon systems.")] = 30,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same base.")] = 20220201,
) -> None:
    """Generate a synthetic supply-chain map (deep BOMs, heavy-tailed suppliers) and import it.

    National scale: --companies 100000 --components 1000000 --systems 300.
    """
    report = generate_supply_base(
        cli.app, companies=companies, components=components, systems=systems, seed=seed
    )
    cli.emit(
        report,
        lambda: echo(
            N_(
                "map revision %(revision)s: %(systems)s systems, %(components)s "
                "components, %(bom_lines)s BOM lines, %(relations)s supply relations "
                "created"
            ),
            revision=report.revision,
            systems=report.systems.created,
            components=report.components.created,
            bom_lines=report.bom.created,
            relations=report.supply.created,
        ),
    )
