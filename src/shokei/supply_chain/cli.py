"""`shokei supply import|export`, `shokei impact` and `shokei spof`: translate to the services."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from shokei.cli_support import AsUser, JsonOutput, acting, command, print_json, print_table, ready_app, stdout
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
    files: Annotated[list[Path], typer.Argument(help="CSV or Parquet files (see docs/supply_chain.md).")],
    file_format: FormatOption = None,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Import (upsert) systems, components, BOM lines and supply relations; all files or none."""
    shokei = ready_app()
    actor = acting(shokei, as_user)
    with ExitStack() as stack:
        opened = [
            SupplyFile(str(path), stack.enter_context(path.open("rb")), format_of(str(path), file_format))
            for path in files
        ]
        report = services.import_supply_files(shokei.uow, actor, opened)
    print_json(report) if json_output else _show_import(report)


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
    directory: Annotated[Path, typer.Argument(help="Directory to write one file per record kind into.")],
    file_format: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Export the whole map in the import format."""
    shokei = ready_app()
    chosen = format_of(str(directory), file_format)
    report = services.export_supply_map(shokei.uow, acting(shokei, as_user), directory, chosen)
    if json_output:
        print_json(report)
        return
    for name, rows in report.files.items():
        stdout.print(f"{directory / name}: {rows} rows")


def impact(
    corporate_numbers: Annotated[list[str], typer.Argument(help="Companies exiting together.")],
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="List at most this many lost components.")
    ] = 100,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Exit impact: components that lose every qualified source, and the weapon systems hit."""
    shokei = ready_app()
    view = services.exit_impact(shokei.uow, acting(shokei, as_user), corporate_numbers, limit=limit)
    print_json(view) if json_output else _show_impact(view)


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
    top: Annotated[int, typer.Option("--top", min=1, help="How many companies to rank.")] = 20,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Single points of failure: the companies whose exit alone does the most damage."""
    shokei = ready_app()
    entries = services.single_points_of_failure(shokei.uow, acting(shokei, as_user), top=top)
    if json_output:
        print_json(entries)
        return
    print_table(
        "single points of failure",
        ("rank", "corporate number", "name", "criticality", "systems hit", "components lost", "sole-sourced"),
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
    )
