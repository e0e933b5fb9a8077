"""`shokei supply import|export`, `shokei impact` and `shokei spof`: translate to the services."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from shokei.cli_support import Cli, command, print_json, print_table, stdout
from shokei.supply_chain import services
from shokei.supply_chain.io import SupplyFile, format_of
from shokei.supply_chain.schemas import ImpactView, ImportReport

supply_app = typer.Typer(
    help="The supply-chain map: weapon systems, BOMs and suppliers.", no_args_is_help=True
)

FormatOption = Annotated[
    str | None, typer.Option("--format", help="csv or parquet (default: from each file's extension).")
]


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command (sub-apps and top-level commands)."""
    root.add_typer(supply_app, name="supply")
    command(root, "impact")(impact)
    command(root, "spof")(spof)


@command(supply_app, "import")
def import_files(
    cli: Cli,
    files: Annotated[list[Path], typer.Argument(help="CSV or Parquet files (see docs/supply_chain.md).")],
    file_format: FormatOption = None,
) -> None:
    """Import (upsert) systems, components, BOM lines and supply relations; all files or none."""
    actor = cli.actor
    with ExitStack() as stack:
        opened = [
            SupplyFile(str(path), stack.enter_context(path.open("rb")), format_of(str(path), file_format))
            for path in files
        ]
        report = services.import_supply_files(cli.uow, actor, opened)
    cli.emit(report, lambda: _show_import(report))


def _show_import(report: ImportReport) -> None:
    rows = [
        (kind, counts.created, counts.updated, counts.removed, counts.unchanged)
        for kind, counts in (
            ("systems", report.systems),
            ("components", report.components),
            ("system components", report.system_components),
            ("BOM lines", report.bom),
            ("supply relations", report.supply),
        )
    ]
    print_table(
        f"imported: map revision {report.revision}",
        ("records", "created", "updated", "removed", "unchanged"),
        rows,
    )


@command(supply_app, "export")
def export(
    cli: Cli,
    directory: Annotated[Path, typer.Argument(help="Directory to write one file per record kind into.")],
    file_format: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
) -> None:
    """Export the whole map in the import format."""
    chosen = format_of(str(directory), file_format)
    report = services.export_supply_map(cli.uow, cli.actor, directory, chosen)
    if cli.json:
        print_json(report)
        return
    for name, rows in report.files.items():
        stdout.print(f"{directory / name}: {rows} rows")


def impact(
    cli: Cli,
    corporate_numbers: Annotated[list[str], typer.Argument(help="Companies exiting together.")],
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="List at most this many lost components.")
    ] = 100,
) -> None:
    """Exit impact: components that lose every qualified source, and the weapon systems hit."""
    view = services.exit_impact(cli.uow, cli.actor, corporate_numbers, limit=limit)
    cli.emit(view, lambda: _show_impact(view))


def _show_impact(view: ImpactView) -> None:
    names = ", ".join(f"{c.corporate_number} {c.name or ''}".strip() for c in view.companies)
    stdout.print(
        f"exit of {names}: {view.lost_components} components lost, {view.systems_hit} weapon systems hit, "
        f"criticality {view.criticality}",
        highlight=False,
    )
    if view.systems:
        print_table(
            "weapon systems hit",
            ("system", "name", "lost components", "depth", "lost top-level components"),
            [
                (s.id, s.name, s.lost_components, s.depth, ", ".join(s.lost_top_components))
                for s in view.systems
            ],
        )
    if view.single_source_components:
        stdout.print(f"lost at the source: {', '.join(view.single_source_components)}", highlight=False)


def spof(
    cli: Cli,
    top: Annotated[int, typer.Option("--top", min=1, help="How many companies to rank.")] = 20,
) -> None:
    """Single points of failure: the companies whose exit alone does the most damage."""
    entries = services.single_points_of_failure(cli.uow, cli.actor, top=top)
    cli.emit(
        entries,
        lambda: print_table(
            "single points of failure",
            (
                "rank",
                "corporate number",
                "name",
                "criticality",
                "systems hit",
                "components lost",
                "sole-sourced",
            ),
            [
                (
                    e.rank,
                    e.corporate_number,
                    e.name,
                    e.criticality,
                    e.systems_hit,
                    e.components_lost,
                    e.sole_sourced_components,
                )
                for e in entries
            ],
        ),
    )
