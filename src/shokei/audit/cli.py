"""`shokei audit ...`: checkpoints, proofs, verification and export of the ledger."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from shokei.audit import services
from shokei.audit.offline import VerificationReport, verify_export
from shokei.cli_help import LocalisedGroup
from shokei.cli_support import Cli, command, print_json, print_values, say, stdout, translated
from shokei.errors import N_, IntegrityFailure, Text

app = typer.Typer(cls=LocalisedGroup, help="The tamper-evident audit ledger.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command."""
    root.add_typer(app, name="audit")


def _show(title: str | Text, view: Any, json_output: bool) -> None:
    fields = dataclasses.asdict(view)
    if json_output:
        print_json(
            {
                key: value.isoformat() if hasattr(value, "isoformat") else value
                for key, value in fields.items()
            }
        )
        return
    # The fields are the record's own names (tree_size, root_hash), shown as codes.
    print_values(
        title, {key: "\n".join(value) if isinstance(value, list) else value for key, value in fields.items()}
    )


@command(app, "checkpoint")
def checkpoint(cli: Cli) -> None:
    """Sign the ledger's current size and root now (auditors and admins)."""
    _show(N_("checkpoint"), services.make_checkpoint(cli.uow, cli.actor), cli.json)


@command(app, "prove")
def prove(
    cli: Cli,
    entry: Annotated[int, typer.Argument(help="Index of the entry to prove.")],
    size: Annotated[int | None, typer.Option("--size", help="Tree size; default: the whole ledger.")] = None,
) -> None:
    """Print an RFC 9162 inclusion proof of ENTRY (auditors)."""
    proof = services.prove_inclusion(cli.uow, cli.actor, entry, size)
    _show(Text(N_("inclusion of entry %(entry)s"), {"entry": entry}), proof, cli.json)


@command(app, "consistency")
def consistency(
    cli: Cli,
    old: Annotated[int, typer.Argument(help="The older tree size.")],
    new: Annotated[int, typer.Argument(help="The newer tree size.")],
) -> None:
    """Print an RFC 9162 consistency proof from tree size OLD to NEW (auditors)."""
    proof = services.prove_consistency(cli.uow, cli.actor, old, new)
    _show(Text(N_("consistency %(old)s -> %(new)s"), {"old": old, "new": new}), proof, cli.json)


@command(app, "verify", opened=False)
def verify(
    cli: Cli,
    offline: Annotated[
        Path | None, typer.Option("--offline", help="Verify an export directory: no database, no secret.")
    ] = None,
    key: Annotated[
        Path | None, typer.Option("--key", help="With --offline: the verifier key obtained independently.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes reading the log (default: automatic).")
    ] = None,
    against: Annotated[
        list[Path] | None,
        typer.Option(
            "--against",
            help="A published checkpoint note (`shokei audit publish`): the ledger must extend it.",
        ),
    ] = None,
) -> None:
    """Recompute the whole tree and check every entry, node and checkpoint (auditors); report the
    unsigned tail; with --against, check consistency with checkpoints published outside.

    Exits 5 and names the first bad index when anything fails.
    """
    if offline is not None:
        _verify_offline(offline, key, cli.json)
        return
    notes = [path.read_text(encoding="utf-8") for path in against or []]
    report = services.verify_ledger(cli.uow, cli.actor, workers=workers, against=notes)
    _report(dataclasses.asdict(report), cli.json, texts=report.problem_texts)
    if not report.ok:
        raise IntegrityFailure(
            Text(
                N_("the ledger failed verification; first bad index %(first_bad_index)s"),
                {"first_bad_index": report.first_bad_index},
            )
        )


def _verify_offline(directory: Path, key: Path | None, json_output: bool) -> None:
    trusted = key.read_text(encoding="utf-8") if key else None
    report: VerificationReport = verify_export(directory, trusted_verifier_key=trusted)
    _report(dataclasses.asdict(report), json_output, texts=report.problem_texts)
    if not report.ok:
        raise IntegrityFailure(
            Text(
                N_("the export failed verification; first bad index %(first_bad_index)s"),
                {"first_bad_index": report.first_bad_index},
            )
        )


def _report(fields: dict[str, Any], json_output: bool, *, texts: list[Text] | None = None) -> None:
    """The report as JSON (problems in English), or for people: its problems in the user's language
    where they came as messages (`texts`), else as the verifier words them."""
    fields.pop("problem_texts", None)  # the messages are for people; the JSON keeps the English
    if json_output:
        print_json(fields)
        return
    problems = fields.pop("problems")
    print_values(N_("ledger verification"), fields)
    for problem in [translated(text) for text in texts] if texts else problems:
        stdout.print(f"- {problem}", highlight=False, soft_wrap=True)


@command(app, "publish")
def publish(
    cli: Cli,
    destination: Annotated[Path, typer.Argument(help="Where to write the latest signed checkpoint note.")],
) -> None:
    """Sign the ledger's current size and root and write the signed note to DESTINATION (public:
    give it, with the verifier key ledger.vkey, to a witness for `audit verify --against`)."""
    view = services.make_checkpoint(cli.uow, cli.actor)
    destination.write_text(view.note, encoding="utf-8")
    cli.emit(
        {"path": str(destination), "size": view.size, "root": view.root},
        lambda: say(
            N_("checkpoint of %(size)s entries written to %(destination)s"),
            size=view.size,
            destination=destination,
        ),
    )


@command(app, "export")
def export(
    cli: Cli,
    directory: Annotated[Path, typer.Argument(help="A new or empty directory.")],
) -> None:
    """Write entries.jsonl, checkpoints/ and key.vkey for an outside auditor (auditors)."""
    summary = services.export_ledger(cli.uow, cli.actor, directory)
    cli.emit(
        dataclasses.asdict(summary),
        lambda: say(
            N_("exported %(entries)s entries and %(checkpoints)s checkpoints to %(directory)s"),
            entries=summary.entries,
            checkpoints=summary.checkpoints,
            directory=summary.directory,
        ),
    )
