from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from shokei.cli_help import LocalisedGroup
from shokei.cli_remote import Remote
from shokei.cli_support import Cli, command, echo, print_json, print_table, stderr, translated
from shokei.documents import services
from shokei.documents.schemas import DocumentDescription, DocumentView
from shokei.errors import N_, Text

app = typer.Typer(cls=LocalisedGroup, help="Hand in, read and search design documents.", no_args_is_help=True)
vault_app = typer.Typer(cls=LocalisedGroup, help="The encrypted document vault.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command."""
    root.add_typer(app, name="docs")
    root.add_typer(vault_app, name="vault")


class _Bar:
    """Rich progress bar on stderr (stdout stays clean for --json)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("submitting", total=None)

    def planned(self, total_bytes: int) -> None:
        self.progress.update(self.task, total=total_bytes)

    def advanced(self, done_bytes: int, label: str) -> None:
        self.progress.update(self.task, advance=done_bytes, description=label[-40:])


def _table(documents: list[DocumentView], title: Text) -> None:
    print_table(
        title,
        (N_("id"), N_("type"), N_("size"), N_("markings"), N_("flags"), N_("path")),
        [(d.id, d.type, f"{d.size:,}", ", ".join(d.markings), ", ".join(d.flags), d.path) for d in documents],
    )


@command(app, "submit")
def submit(
    cli: Cli,
    case_id: int,
    paths: Annotated[list[Path], typer.Argument(help="Files, folders (recursive) and ZIP/TAR archives.")],
) -> None:
    """Hand in documents for a case: each file is encrypted into the vault and inventoried.

    Refused as an upload would be, before any file is read: who may hand in for the case, then
    SHOKEI_MAX_UPLOAD_BYTES for the files together and SHOKEI_MAX_CASE_BYTES for the case."""
    actor = cli.actor
    settings = cli.app.settings
    services.admit_local_submission(
        cli.uow,
        actor,
        case_id,
        paths,
        max_upload_bytes=settings.max_upload_bytes,
        max_case_bytes=settings.max_case_bytes,
    )
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal) as bar:
        result = services.submit_documents(
            cli.uow,
            cli.app.vaults.documents,
            actor,
            case_id,
            paths,
            scratch_dir=cli.app.scratch_dir,
            progress=_Bar(bar),
        )
    if cli.json:
        stored = [*result.documents, *result.duplicates]
        print_json(
            {
                "documents": stored,
                "stored": [d.id for d in result.documents],
                "duplicates": [d.id for d in result.duplicates],
                "refused": result.refused,
            }
        )
        return
    _table(result.documents, Text(N_("%(count)s stored"), {"count": len(result.documents)}))
    if result.duplicates:
        _table(
            result.duplicates,
            Text(N_("%(count)s already in the case (path added)"), {"count": len(result.duplicates)}),
        )
    if result.refused:
        print_table(N_("refused"), (N_("path"), N_("reason")), [(r.path, r.reason) for r in result.refused])


@command(app, "show")
def show(cli: Cli, document_id: int) -> None:
    """A document's inventory record and extracted metadata."""
    document = services.get_document(cli.uow, cli.actor, document_id)
    if cli.json:
        print_json(document)
        return
    _table([document], Text(N_("document %(id)s"), {"id": document.id}))
    print_table(N_("metadata"), (N_("field"), N_("value")), [(k, v) for k, v in document.metadata.items()])


@command(app, "describe")
def describe(
    cli: Cli,
    document_id: int,
    title: Annotated[str | None, typer.Option("--title")] = None,
    drawing_number: Annotated[str | None, typer.Option("--drawing-number")] = None,
    revision: Annotated[str | None, typer.Option("--revision")] = None,
    component: Annotated[str | None, typer.Option("--component")] = None,
    weapon_system: Annotated[str | None, typer.Option("--weapon-system")] = None,
) -> None:
    """Fill in a document's inventory fields (only the options given change)."""
    given = {
        "title": title,
        "drawing_number": drawing_number,
        "revision": revision,
        "component": component,
        "weapon_system": weapon_system,
    }
    fields = DocumentDescription(**{name: value for name, value in given.items() if value is not None})
    document = services.describe_document(cli.uow, cli.actor, document_id, fields)
    cli.emit(document, lambda: _table([document], Text(N_("document %(id)s"), {"id": document.id})))


@command(app, "list")
def list_documents(cli: Cli, case_id: int) -> None:
    """A case's documents."""
    documents = services.list_documents(cli.uow, cli.actor, case_id)
    cli.emit(documents, lambda: _table(documents, Text(N_("case %(id)s"), {"id": case_id})))


@command(app, "get")
def get(
    cli: Cli,
    document_id: int,
    out: Annotated[Path, typer.Option("--out", help="Where to write the decrypted file.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why you read it (officials: required).")
    ] = None,
) -> None:
    """Decrypt a document to a file, verified against its hash while streaming; the read is audited."""
    document = services.export_document(
        cli.uow, cli.app.vaults.documents, cli.actor, document_id, out, reason=reason
    )
    cli.emit(
        {"id": document.id, "out": str(out), "sha256": document.sha256, "size": document.size},
        lambda: echo(
            N_("document %(id)s written to %(out)s (%(size)s bytes, SHA-256 verified)"),
            id=document.id,
            out=out,
            size=format(document.size, ","),
        ),
    )


@command(
    app, "search", remote=Remote("GET", "/api/v1/documents/search", names={"query": "q", "case_id": "case"})
)
def search(
    cli: Cli,
    query: str,
    case_id: Annotated[int | None, typer.Option("--case")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 100,
) -> None:
    """Search every field a document shows: title, drawing number, revision, component, weapon
    system, file name, markings, extracted text (Japanese without spaces and short words work)."""
    found = services.search_documents(cli.uow, cli.actor, query, case_id=case_id, limit=limit)
    cli.emit(
        found,
        lambda: _found_table(
            found, Text(N_("%(count)s found for %(query)s"), {"count": len(found), "query": repr(query)})
        ),
    )


def _found_table(documents: list[DocumentView], title: Text) -> None:
    """The search's rows show the described fields a query matches, as the search page does."""
    print_table(
        title,
        (N_("id"), N_("case"), N_("title"), N_("drawing"), N_("rev."), N_("markings"), N_("file")),
        [
            (
                d.id,
                d.case_id,
                d.title or "",
                d.drawing_number or "",
                d.revision or "",
                ", ".join(d.markings),
                Path(d.path).name,
            )
            for d in documents
        ],
    )


@command(vault_app, "rotate-master-key")
def rotate(cli: Cli) -> None:
    """New master key; rewrap every data key (content is not re-encrypted). Resumable."""
    report = services.rotate_vault_master_key(cli.uow, cli.app.settings.keys_dir, cli.actor)
    cli.emit(
        report,
        lambda: echo(
            N_(
                "master key %(new_key_id)s: %(rewrapped)s data keys rewrapped; retired keys kept: %(retired)s"
            ),
            new_key_id=report.new_key_id,
            rewrapped=report.rewrapped,
            retired=", ".join(report.retired_key_ids) or translated(N_("none")),
        ),
    )
