"""`shokei audit ...`: checkpoints, proofs, verification and export of the ledger."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from shokei.audit import services
from shokei.audit.offline import VerificationReport, verify_export
from shokei.cli_support import (
    AsUser,
    JsonOutput,
    acting,
    command,
    print_fields,
    print_json,
    ready_app,
    stdout,
)
from shokei.errors import IntegrityFailure

app = typer.Typer(help="The tamper-evident audit ledger.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command."""
    root.add_typer(app, name="audit")


def _show(title: str, view: Any, json_output: bool) -> None:
    fields = dataclasses.asdict(view)
    if json_output:
        print_json(
            {
                key: value.isoformat() if hasattr(value, "isoformat") else value
                for key, value in fields.items()
            }
        )
        return
    print_fields(
        title, {key: "\n".join(value) if isinstance(value, list) else value for key, value in fields.items()}
    )


@command(app, "checkpoint")
def checkpoint(as_user: AsUser = None, json_output: JsonOutput = False) -> None:
    """Sign the ledger's current size and root now (auditors and admins)."""
    shokei = ready_app()
    _show("checkpoint", services.make_checkpoint(shokei.uow, acting(shokei, as_user)), json_output)


@command(app, "prove")
def prove(
    entry: Annotated[int, typer.Argument(help="Index of the entry to prove.")],
    size: Annotated[int | None, typer.Option("--size", help="Tree size; default: the whole ledger.")] = None,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Print an RFC 9162 inclusion proof of ENTRY (auditors)."""
    shokei = ready_app()
    proof = services.prove_inclusion(shokei.uow, acting(shokei, as_user), entry, size)
    _show(f"inclusion of entry {entry}", proof, json_output)


@command(app, "consistency")
def consistency(
    old: Annotated[int, typer.Argument(help="The older tree size.")],
    new: Annotated[int, typer.Argument(help="The newer tree size.")],
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Print an RFC 9162 consistency proof from tree size OLD to NEW (auditors)."""
    shokei = ready_app()
    proof = services.prove_consistency(shokei.uow, acting(shokei, as_user), old, new)
    _show(f"consistency {old} -> {new}", proof, json_output)


@command(app, "verify")
def verify(
    offline: Annotated[
        Path | None, typer.Option("--offline", help="Verify an export directory: no database, no secret.")
    ] = None,
    key: Annotated[
        Path | None, typer.Option("--key", help="With --offline: the verifier key obtained independently.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes reading the log (default: automatic).")
    ] = None,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Recompute the whole tree and check every entry, node and checkpoint (auditors).

    Exits 5 and names the first bad index when anything fails.
    """
    if offline is not None:
        _verify_offline(offline, key, json_output)
        return
    shokei = ready_app()
    report = services.verify_ledger(shokei.uow, acting(shokei, as_user), workers=workers)
    _report(dataclasses.asdict(report), json_output)
    if not report.ok:
        raise IntegrityFailure(f"the ledger failed verification; first bad index {report.first_bad_index}")


def _verify_offline(directory: Path, key: Path | None, json_output: bool) -> None:
    trusted = key.read_text(encoding="utf-8") if key else None
    report: VerificationReport = verify_export(directory, trusted_verifier_key=trusted)
    _report(dataclasses.asdict(report), json_output)
    if not report.ok:
        raise IntegrityFailure(f"the export failed verification; first bad index {report.first_bad_index}")


def _report(fields: dict[str, Any], json_output: bool) -> None:
    if json_output:
        print_json(fields)
        return
    problems = fields.pop("problems")
    print_fields("ledger verification", fields)
    for problem in problems:
        stdout.print(f"- {problem}", highlight=False, soft_wrap=True)


@command(app, "export")
def export(
    directory: Annotated[Path, typer.Argument(help="A new or empty directory.")],
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Write entries.jsonl, checkpoints/ and key.vkey for an outside auditor (auditors)."""
    shokei = ready_app()
    summary = services.export_ledger(shokei.uow, acting(shokei, as_user), directory)
    if json_output:
        print_json(dataclasses.asdict(summary))
        return
    stdout.print(
        f"exported {summary.entries} entries and {summary.checkpoints} checkpoints to {summary.directory}"
    )
