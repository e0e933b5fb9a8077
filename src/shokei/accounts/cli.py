from __future__ import annotations

import sys
from typing import Annotated

import typer

from shokei.accounts import services
from shokei.cli_support import Cli, acting, command, print_json, print_table, stdout

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command."""
    root.add_typer(app, name="user")


@command(app, "add")
def add(
    cli: Cli,
    name: str,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="supplier, intake_officer, examiner, negotiator, program_manager, successor, auditor "
            "or admin (docs/domain.md).",
        ),
    ],
    company: Annotated[
        str | None, typer.Option("--company", help="Corporate number (supplier, successor).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    email: Annotated[str | None, typer.Option("--email", help="Where notices are e-mailed.")] = None,
) -> None:
    """Add a user. Prints a generated password unless --password-stdin is given."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    credential = services.add_user(
        cli.uow, cli.actor, name, role, company=company, password=password, email=email
    )
    shown = None if password_stdin else credential.secret
    if cli.json:
        print_json({"username": credential.username, "role": role, "password": shown})
    elif shown:
        stdout.print(f"user {credential.username} ({role}) created; password: {shown}")
    else:
        stdout.print(f"user {credential.username} ({role}) created")


@command(app, "update")
def update(
    cli: Cli,
    name: str,
    email: Annotated[
        str, typer.Option("--email", help='Where notices are e-mailed ("" for the in-app inbox only).')
    ],
) -> None:
    """Change a user's e-mail address (admins)."""
    user = services.update_email(cli.uow, cli.actor, name, email)
    cli.emit(user, lambda: stdout.print(f"{user.username}: e-mail {user.email or '(none)'}"))


@command(app, "token")
def token(cli: Cli, name: str) -> None:
    """Issue an API bearer token for a user (shown once)."""
    credential = services.issue_token(cli.uow, acting(cli.app, cli.as_user or name), name)
    cli.emit({"username": name, "token": credential.secret}, lambda: stdout.print(credential.secret))


@command(app, "list")
def list_users(cli: Cli) -> None:
    """List users (admins and auditors)."""
    users = services.list_users(cli.uow, cli.actor)
    cli.emit(
        users,
        lambda: print_table(
            "users",
            ("id", "username", "role", "company", "disabled"),
            [(u.id, u.username, u.role, u.company_corporate_number, u.disabled) for u in users],
        ),
    )


@command(app, "role")
def change_role(
    cli: Cli,
    name: str,
    role: Annotated[str, typer.Option("--role")],
    company: Annotated[str | None, typer.Option("--company")] = None,
) -> None:
    """Move a user to another role (admins)."""
    user = services.change_role(cli.uow, cli.actor, name, role, company)
    cli.emit(user, lambda: stdout.print(f"{user.username} is now {user.role}"))
