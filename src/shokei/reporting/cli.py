"""`shokei report ...`: the program report of a fiscal year (JSON, CSV, XLSX, PDF) and its
verification against an exported ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from shokei.cli_help import LocalisedGroup
from shokei.cli_support import (
    Cli,
    command,
    fail,
    print_json,
    print_table,
    print_values,
    say,
    translated,
    verbatim,
)
from shokei.errors import N_, BadInput, IntegrityFailure, Text
from shokei.reporting import exports, services

app = typer.Typer(
    cls=LocalisedGroup, help="Program reports computed from the audit ledger.", no_args_is_help=True
)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="report")


@command(app, "program")
def program(
    cli: Cli,
    year: Annotated[int, typer.Option("--fy", help="Fiscal year, e.g. 2026 (2026-04-01 - 2027-03-31).")],
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv, xlsx or pdf (with --out).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="The file to write.")] = None,
) -> None:
    """The fiscal year's program report, with the ledger checkpoint it was computed at
    (program managers and auditors)."""
    if (file_format is None) != (out is None):
        raise BadInput(Text(N_("--format and --out go together")))
    if file_format is not None and file_format not in exports.FORMATS:
        raise BadInput(
            Text(
                N_("unknown report format %(file_format)s; one of: %(formats)s"),
                {"file_format": repr(file_format), "formats": ", ".join(exports.FORMATS)},
            )
        )
    report = services.program_report(cli.uow, cli.actor, fiscal_year=year)
    if file_format is not None and out is not None:
        exports.write(report, file_format, out)
        cli.emit(
            report,
            lambda: say(
                N_("FY%(year)s program report written to %(out)s"), highlight=False, year=year, out=out
            ),
        )
        return
    cli.emit(report, lambda: _show(report))


def _show(report: dict[str, Any]) -> None:
    # A report is a Japanese document: its sections keep their own labels in either language.
    for section in exports.sections(report):
        if section.table is not None and section.title == exports.CASE_LIST:
            table = section.table
            print_table(
                verbatim(section.title),
                table.headers,
                [_cells(line, table.yen_columns) for line in table.lines],
            )
        else:
            print_values(verbatim(section.title), {row.label: row.text for row in section.rows})


def _cells(line: tuple[Any, ...], yen_columns: frozenset[int]) -> list[str]:
    return [exports.money(v) if i in yen_columns else exports.shown(v) for i, v in enumerate(line)]


@command(app, "verify", acting=False, opened=False)
def verify(
    cli: Cli,
    report_file: Annotated[Path, typer.Argument(help="A report written by `report program --json`.")],
    export: Annotated[Path, typer.Option("--export", help="A directory written by `audit export`.")],
) -> None:
    """Recompute the report's figures from an exported ledger (no database); exit 5 naming each
    figure that differs."""
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise BadInput(
            Text(N_("%(report_file)s is not JSON: %(error)s"), {"report_file": report_file, "error": error})
        ) from None
    if not isinstance(report, dict):
        raise BadInput(Text(N_("%(report_file)s is not a program report"), {"report_file": report_file}))
    result = services.verify_report(report, export)
    if cli.json:
        print_json(result)
    else:
        for difference in result.differences:
            say(
                N_("- %(figure)s: reported %(reported)s, recomputed %(recomputed)s"),
                highlight=False,
                soft_wrap=True,
                figure=difference["figure"],
                reported=difference["reported"],
                recomputed=difference["recomputed"],
            )
    if not result.ok:
        names = ", ".join(d["figure"] for d in result.differences)
        raise fail(
            translated(N_("the report differs from the ledger export: %(names)s"), names=names),
            IntegrityFailure.exit_code,
        )
    if not cli.json:
        say(
            N_("every figure of the FY%(fiscal_year)s report equals the ledger export"),
            fiscal_year=result.fiscal_year,
        )
