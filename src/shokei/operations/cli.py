"""`shokei backup`, `shokei restore`, `shokei vault fsck` and `shokei vault gc`: the installation
as a whole (see `operations.services`)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Annotated

import typer

from shokei.cli_help import LocalisedGroup
from shokei.cli_support import (
    Cli,
    command,
    echo,
    opened_app,
    print_json,
    ready_app,
    say,
    shown,
    stdout,
    translated,
)
from shokei.errors import N_, Text
from shokei.operations import services

PASSPHRASE_VARIABLE = "SHOKEI_BACKUP_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret


db_app = typer.Typer(
    cls=LocalisedGroup,
    help="The database: PostgreSQL roles for migrations and for the service.",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    """Add `backup`, `restore` and `db` to the `shokei` command, `fsck` and `gc` to `vault`."""
    command(root, "backup", acting=False)(backup)
    command(root, "restore", acting=False, opened=False)(restore)
    command(db_app, "roles", acting=False)(roles)
    root.add_typer(db_app, name="db")
    # fsck and gc cover the copies vault (succession's) with the documents': they join the
    # `vault` group the documents feature registered before this one.
    [vault_app] = [group.typer_instance for group in root.registered_groups if group.name == "vault"]
    assert vault_app is not None
    command(vault_app, "fsck")(fsck)
    command(vault_app, "gc")(gc)


def _passphrase(confirm: bool) -> str:
    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given:
        return given
    prompted: str = typer.prompt("backup passphrase", hide_input=True, confirmation_prompt=confirm, err=True)
    return prompted


def backup(
    cli: Cli,
    destination: Annotated[Path, typer.Argument(help="A new or empty directory.")],
    include_keys: Annotated[
        bool,
        typer.Option(
            "--include-keys",
            help=f"Add the key files, wrapped under a passphrase ({PASSPHRASE_VARIABLE} or asked).",
        ),
    ] = False,
) -> None:
    """Write a consistent, signed backup: the database snapshot, the blobs it refers to, and a
    manifest of hashes; keys only with --include-keys."""
    passphrase = _passphrase(confirm=True) if include_keys else None
    report = services.backup(cli.app, destination, passphrase=passphrase)
    cli.emit(
        {"manifest": report.manifest, "documents": report.documents, "ledger_size": report.ledger_size},
        lambda: say(
            N_("backup of %(documents)s documents, %(ledger_size)s ledger entries: %(manifest)s"),
            documents=report.documents,
            ledger_size=report.ledger_size,
            manifest=report.manifest,
        ),
    )


def restore(
    cli: Cli,
    source: Annotated[Path, typer.Argument(help="A backup directory written by `shokei backup`.")],
    key: Annotated[
        Path | None, typer.Option("--key", help="The ledger verifier key you trust (default: the backup's).")
    ] = None,
) -> None:
    """Restore a backup into an empty data dir and database, then run `vault fsck --deep` and
    `audit verify` on the result (exit 5 when either fails)."""
    trusted = key.read_text(encoding="utf-8").strip() if key else None
    app = opened_app()
    keys_included = services.read_manifest(source, trusted_key=trusted).get("keys_included")
    passphrase = _passphrase(confirm=False) if keys_included else None
    services.restore(app.settings, source, passphrase=passphrase, trusted_key=trusted)
    report = services.check_restored(ready_app())
    cli.emit(
        {"fsck_ok": report.fsck_ok, "verify_ok": report.verify_ok},
        lambda: say(
            N_(
                "restored %(documents)s documents, %(ledger_size)s ledger entries: "
                "fsck %(fsck)s, verify %(verify)s"
            ),
            documents=report.documents,
            ledger_size=report.ledger_size,
            fsck=_ok_or_failed(report.fsck_ok),
            verify=_ok_or_failed(report.verify_ok),
        ),
    )
    if not (report.fsck_ok and report.verify_ok):
        for problem in report.problems[:20]:
            stdout.print(f"- {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(5)


def fsck(
    cli: Cli,
    deep: Annotated[bool, typer.Option("--deep", help="Also decrypt and check plaintext hashes.")] = False,
) -> None:
    """Check every blob of the documents' and the copies' vault; report missing, corrupt and
    orphan blobs, dead processes' scratch and temp files of dead writes (exit 5 on any problem)."""
    vaults = cli.app.vaults if deep else cli.app.keyless_vaults
    checked = services.check_vaults(
        cli.uow, vaults, cli.actor, deep=deep, scratch_root=cli.app.settings.scratch_root
    )
    if cli.json:
        print_json(
            {
                **checked.documents.model_dump(),
                "ok": checked.ok,
                "copies": checked.copies,
                "leftovers": checked.leftovers,
            }
        )
    else:
        for what, found in ((N_("documents"), checked.documents), (N_("copies"), checked.copies)):
            echo(
                N_("%(checked)s %(what)s checked (deep): %(result)s")
                if deep
                else N_("%(checked)s %(what)s checked: %(result)s"),
                checked=found.checked,
                what=Text(what),
                result=translated(N_("OK"))
                if found.ok
                else translated(N_("%(count)s problem(s)"), count=len(found.problems)),
            )
            for problem in found.problems:
                typer.echo(f"  {problem.kind}: {shown(problem.detail_text, problem.detail)}")
        for problem in checked.leftovers:
            typer.echo(f"  {problem.kind}: {shown(problem.detail_text, problem.detail)}")
    if not checked.ok:
        raise typer.Exit(5)


def gc(
    cli: Cli,
    grace_hours: Annotated[
        float,
        typer.Option("--grace-hours", min=0, help="Keep orphan blobs and temp files younger than this."),
    ] = services.DEFAULT_GRACE_HOURS,
) -> None:
    """Remove dead processes' scratch, and temp files of dead writes and orphan blobs older than
    the grace period from the documents' and the copies' vault (never a blob a row refers to);
    the run is audited."""
    vaults = cli.app.keyless_vaults  # no key needed, and no start-up sweep: gc counts what it removes
    report = services.collect_garbage(
        cli.uow, cli.actor, vaults, scratch_root=cli.app.settings.scratch_root, grace_hours=grace_hours
    )
    removed = report.removed
    cli.emit(
        report,
        lambda: echo(
            N_("removed %(scratch)s scratch, %(temp)s temp, %(orphans)s orphan(s): %(bytes)s bytes"),
            scratch=removed.scratch,
            temp=removed.temp,
            orphans=removed.orphans,
            bytes=format(report.bytes, ","),
        ),
    )


def roles(
    cli: Cli,
    owner: Annotated[
        str, typer.Option("--owner", help="The role that owns the schema and runs `shokei init`.")
    ],
    app: Annotated[
        str, typer.Option("--app", help="The role the service, the worker and commands connect as.")
    ],
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the SQL statements; change nothing.")
    ] = False,
) -> None:
    """Apply the PostgreSQL roles: OWNER owns the database and every table; APP may read and write
    rows but create nothing, and may only insert into and read the ledger tables (no UPDATE,
    DELETE or TRUNCATE). Creates missing roles (LOGIN, no password). Run it after `shokei init`
    and again after every migration, connected as a superuser or as OWNER."""
    report = services.database_roles(cli.uow, owner=owner, app=app, apply=not print_only)
    if cli.json:
        print_json(dataclasses.asdict(report))
    elif print_only:
        for statement in report.statements:
            typer.echo(f"{statement};")
    else:
        echo(
            N_("%(count)s statements applied: %(owner)s owns the schema, %(app)s has row rights only"),
            count=len(report.statements),
            owner=owner,
            app=app,
        )


def _ok_or_failed(ok: bool) -> str:
    return translated(N_("OK")) if ok else translated(N_("FAILED"))
