from __future__ import annotations

import sys
from typing import Annotated

import typer

from shokei.accounts import services
from shokei.cli_support import AsUser, JsonOutput, acting, command, print_json, print_table, ready_app, stdout

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command."""
    root.add_typer(app, name="user")


@command(app, "add")
def add(
    name: str,
    role: Annotated[str, typer.Option("--role", help="One of the roles in DOMAIN.md.")],
    company: Annotated[
        str | None, typer.Option("--company", help="Corporate number (supplier, successor).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Add a user. Prints a generated password unless --password-stdin is given."""
    shokei = ready_app()
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    credential = services.add_user(
        shokei.uow, acting(shokei, as_user), name, role, company=company, password=password
    )
    shown = None if password_stdin else credential.secret
    if json_output:
        print_json({"username": credential.username, "role": role, "password": shown})
    elif shown:
        stdout.print(f"user {credential.username} ({role}) created; password: {shown}")
    else:
        stdout.print(f"user {credential.username} ({role}) created")


@command(app, "token")
def token(name: str, as_user: AsUser = None, json_output: JsonOutput = False) -> None:
    """Issue an API bearer token for a user (shown once)."""
    shokei = ready_app()
    credential = services.issue_token(shokei.uow, acting(shokei, as_user or name), name)
    if json_output:
        print_json({"username": name, "token": credential.secret})
    else:
        stdout.print(credential.secret)


@command(app, "list")
def list_users(as_user: AsUser = None, json_output: JsonOutput = False) -> None:
    """List users (admins and auditors)."""
    shokei = ready_app()
    users = services.list_users(shokei.uow, acting(shokei, as_user))
    if json_output:
        print_json(users)
        return
    print_table(
        "users",
        ("id", "username", "role", "company", "disabled"),
        [(u.id, u.username, u.role, u.company_corporate_number, u.disabled) for u in users],
    )


@command(app, "role")
def change_role(
    name: str,
    role: Annotated[str, typer.Option("--role")],
    company: Annotated[str | None, typer.Option("--company")] = None,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Move a user to another role (admins)."""
    shokei = ready_app()
    user = services.change_role(shokei.uow, acting(shokei, as_user), name, role, company)
    print_json(user) if json_output else stdout.print(f"{user.username} is now {user.role}")
