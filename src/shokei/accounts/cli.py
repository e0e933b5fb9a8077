from __future__ import annotations

import sys
from typing import Annotated

import typer

from shokei.accounts import services
from shokei.accounts.schemas import UserView
from shokei.cli_help import LocalisedGroup
from shokei.cli_support import (
    Cli,
    command,
    keep_secret,
    one_time_secrets_path,
    print_json,
    print_table,
    say,
    stdout,
    translated,
)
from shokei.errors import N_, Text
from shokei.kernel import role_name

app = typer.Typer(cls=LocalisedGroup, help="Users, roles and API tokens.", no_args_is_help=True)
mfa = typer.Typer(cls=LocalisedGroup, help="The TOTP second factor of web logins.", no_args_is_help=True)
app.add_typer(mfa, name="mfa")


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command."""
    root.add_typer(app, name="user")


def _show_secret(cli: Cli, name: str, kind: str, secret: str, what: str) -> str | None:
    """Print a one-time secret to a terminal only; it is always kept in the owner-only file.
    `what` names it for people: a catalogue message."""
    shown = keep_secret(cli.app.settings, name, kind, secret)
    if not cli.json:
        if shown:
            stdout.print(f"{translated(what)}: {shown}", highlight=False)
        else:
            where = one_time_secrets_path(cli.app.settings)
            say(
                N_("%(what)s: written to %(where)s (owner-only)"),
                highlight=False,
                soft_wrap=True,
                what=translated(what),
                where=where,
            )
    return shown


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
    """Add a user (admins). A generated password is kept in the data dir's owner-only file and
    printed only to a terminal; the user replaces it at the first web login. A ministry account
    also needs a second factor (`shokei user mfa enroll`). A role that reads document contents
    awaits `shokei user approve`."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    credential = services.add_user(
        cli.uow, cli.actor, name, role, company=company, password=password, email=email
    )
    if not cli.json:
        say(N_("user %(username)s (%(role)s) created"), username=credential.username, role=role_name(role))
    shown = None if password_stdin else _show_secret(cli, name, "password", credential.secret, N_("password"))
    if cli.json:
        secrets_file = None if password_stdin else str(one_time_secrets_path(cli.app.settings))
        print_json(
            {"username": credential.username, "role": role, "password": shown, "password_file": secrets_file}
        )


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
    cli.emit(
        user,
        lambda: say(
            N_("%(username)s: e-mail %(email)s"),
            username=user.username,
            email=user.email or translated(N_("(none)")),
        ),
    )


@command(app, "token")
def token(
    cli: Cli,
    name: str,
    days: Annotated[
        int, typer.Option("--days", help="How long the token works (default 90, at most 366).")
    ] = services.TOKEN_LIFETIME_DAYS,
) -> None:
    """Issue an API bearer token (shown once): for yourself, or, as an admin, for another user."""
    credential = services.issue_token(cli.uow, cli.actor, name, days)
    cli.emit({"username": name, "token": credential.secret}, lambda: stdout.print(credential.secret))


@command(app, "tokens")
def tokens(cli: Cli, name: str) -> None:
    """A user's API tokens, with when each expires (admins, or the user)."""
    found = services.list_tokens(cli.uow, cli.actor, name)
    cli.emit(
        found,
        lambda: print_table(
            Text(N_("tokens of %(name)s"), {"name": name}),
            (N_("id"), N_("created"), N_("expires"), N_("active")),
            [
                (t.id, t.created_at.isoformat(), t.expires_at and t.expires_at.isoformat(), t.active)
                for t in found
            ],
        ),
    )


@command(app, "revoke-token")
def revoke_token(cli: Cli, token_id: int) -> None:
    """Revoke an API token at once (admins any, every user their own)."""
    revoked = services.revoke_token(cli.uow, cli.actor, token_id)
    cli.emit(
        revoked,
        lambda: say(N_("token %(id)s of %(username)s revoked"), id=revoked.id, username=revoked.username),
    )


@command(app, "list")
def list_users(cli: Cli) -> None:
    """List users (admins, auditors and program managers)."""
    users = services.list_users(cli.uow, cli.actor)
    cli.emit(
        users,
        lambda: print_table(
            N_("users"),
            (N_("id"), N_("username"), N_("role"), N_("company"), N_("disabled"), N_("approved"), N_("mfa")),
            [
                (
                    u.id,
                    u.username,
                    u.role,
                    u.company_corporate_number,
                    u.disabled,
                    u.content_approved,
                    u.mfa_enrolled,
                )
                for u in users
            ],
        ),
    )


@command(app, "role")
def change_role(
    cli: Cli,
    name: str,
    role: Annotated[str, typer.Option("--role")],
    company: Annotated[str | None, typer.Option("--company")] = None,
) -> None:
    """Move a user to another role (admins); a role that reads contents awaits approval."""
    user = services.change_role(cli.uow, cli.actor, name, role, company)
    cli.emit(
        user,
        lambda: _said(
            user,
            translated(N_("%(username)s is now %(role)s"), username=user.username, role=role_name(user.role)),
        ),
    )


def _said(user: UserView, line: str) -> None:
    stdout.print(line)
    if not user.content_approved:
        say(
            N_("%(username)s reads no document contents until a program manager approves it"),
            username=user.username,
        )


@command(app, "approve")
def approve(cli: Cli, name: str) -> None:
    """Approve a user's role that reads document contents: an approved program manager other
    than the admin who gave it. Without --as, the operator approves an installation's first
    program manager (and nothing else)."""
    if cli.as_user or cli.app.settings.user:
        user = services.approve_user(cli.uow, cli.actor, name)
    else:
        user = services.approve_first_program_manager(cli.uow, name)
    cli.emit(
        user,
        lambda: say(
            N_("%(username)s (%(role)s) approved"), username=user.username, role=role_name(user.role)
        ),
    )


@command(app, "disable")
def disable(cli: Cli, name: str) -> None:
    """Disable a user: no login, no token, no CLI (admins)."""
    user = services.set_disabled(cli.uow, cli.actor, name, disabled=True)
    cli.emit(user, lambda: say(N_("%(username)s disabled"), username=user.username))


@command(app, "enable")
def enable(cli: Cli, name: str) -> None:
    """Enable a disabled user again (admins)."""
    user = services.set_disabled(cli.uow, cli.actor, name, disabled=False)
    cli.emit(user, lambda: say(N_("%(username)s enabled"), username=user.username))


@command(app, "reset-password")
def reset_password(cli: Cli, name: str) -> None:
    """Give a user a one-time password, to be changed at the next login (admins). It is kept in the
    data dir's owner-only file and printed only to a terminal."""
    credential = services.reset_password(cli.uow, cli.actor, name)
    shown = _show_secret(cli, name, "one-time password", credential.secret, N_("one-time password"))
    if cli.json:
        print_json(
            {
                "username": name,
                "password": shown,
                "password_file": str(one_time_secrets_path(cli.app.settings)),
            }
        )


@command(mfa, "enroll")
def enroll(cli: Cli, name: str) -> None:
    """Give a user a TOTP second factor (admins, or the user): the otpauth URI for an authenticator
    app is printed only to a terminal, and kept in the data dir's owner-only file."""
    uri = services.enroll_mfa(cli.uow, cli.actor, name, cli.app.sealer)
    shown = _show_secret(cli, name, "otpauth", uri, N_("otpauth URI"))
    if cli.json:
        print_json(
            {"username": name, "otpauth_uri": shown, "file": str(one_time_secrets_path(cli.app.settings))}
        )
