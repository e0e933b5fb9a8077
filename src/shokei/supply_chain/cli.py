"""`shokei supply import|export`, `shokei impact`, `shokei spof` and `shokei survey ...`: translate to
the services."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from shokei.cli_help import LocalisedGroup
from shokei.cli_support import (
    Cli,
    command,
    in_cli_language,
    parse_date,
    print_json,
    print_table,
    say,
    translated,
)
from shokei.errors import N_, Text
from shokei.supply_chain import services
from shokei.supply_chain.io import SupplyFile, format_of
from shokei.supply_chain.schemas import ImpactView, ImportReport
from shokei.supply_chain.survey import services as survey
from shokei.supply_chain.survey.schemas import AnswerReport

supply_app = typer.Typer(
    cls=LocalisedGroup, help="The supply-chain map: weapon systems, BOMs and suppliers.", no_args_is_help=True
)

survey_app = typer.Typer(
    cls=LocalisedGroup,
    help="Supply-chain surveys: campaigns down the tiers, answers validated at the door.",
    no_args_is_help=True,
)
SurveyId = Annotated[int, typer.Argument(help="The survey (campaign) id.")]

FormatOption = Annotated[
    str | None, typer.Option("--format", help="csv or parquet (default: from each file's extension).")
]


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command (sub-apps and top-level commands)."""
    root.add_typer(supply_app, name="supply")
    root.add_typer(survey_app, name="survey")
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
        Text(N_("imported: map revision %(revision)s"), {"revision": report.revision}),
        (N_("records"), N_("created"), N_("updated"), N_("removed"), N_("unchanged")),
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
        say(N_("%(directory)s: %(rows)s rows"), directory=directory / name, rows=rows)


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
    say(
        N_(
            "exit of %(names)s: %(lost_components)s components lost, "
            "%(systems_hit)s weapon systems hit, criticality %(criticality)s"
        ),
        highlight=False,
        names=names,
        lost_components=view.lost_components,
        systems_hit=view.systems_hit,
        criticality=view.criticality,
    )
    if view.systems:
        print_table(
            N_("weapon systems hit"),
            (N_("system"), N_("name"), N_("lost components"), N_("depth"), N_("lost top-level components")),
            [
                (s.id, s.name, s.lost_components, s.depth, ", ".join(s.lost_top_components))
                for s in view.systems
            ],
        )
    if view.single_source_components:
        say(
            N_("lost at the source: %(single_source_components)s"),
            highlight=False,
            single_source_components=", ".join(view.single_source_components),
        )


def spof(
    cli: Cli,
    top: Annotated[int, typer.Option("--top", min=1, help="How many companies to rank.")] = 20,
) -> None:
    """Single points of failure: the companies whose exit alone does the most damage."""
    entries = services.single_points_of_failure(cli.uow, cli.actor, top=top)
    cli.emit(
        entries,
        lambda: print_table(
            N_("single points of failure"),
            (
                N_("rank"),
                N_("corporate number"),
                N_("name"),
                N_("criticality"),
                N_("systems hit"),
                N_("components lost"),
                N_("sole-sourced"),
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


def _split(numbers: str) -> list[str]:
    return [number.strip() for number in numbers.split(",") if number.strip()]


@command(survey_app, "create")
def survey_create(
    cli: Cli,
    system: Annotated[str, typer.Option("--system", help="Weapon system code.")],
    due: Annotated[str, typer.Option("--due", help="Due date, YYYY-MM-DD.")],
    respondents: Annotated[
        str, typer.Option("--respondents", help="Primes' corporate numbers, comma-separated.")
    ],
) -> None:
    """Open a survey of a weapon system and ask its primes (officials)."""
    created = survey.create_campaign(
        cli.uow, cli.actor, system, due_on=parse_date(due), respondents=_split(respondents)
    )
    cli.emit(created, lambda: say(N_("survey %(id)s is %(status)s"), id=created.id, status=created.status))


@command(survey_app, "template")
def survey_template(
    cli: Cli,
    campaign_id: SurveyId,
    out: Annotated[Path, typer.Option("--out", help="The XLSX file to write.")],
) -> None:
    """Write the XLSX answer form (pre-filled for a respondent's user)."""
    data = survey.template(cli.uow, cli.actor, campaign_id)
    out.write_bytes(data)
    cli.emit(
        {"file": str(out), "bytes": len(data)},
        lambda: say(N_("%(out)s: %(bytes)s bytes"), out=out, bytes=len(data)),
    )


@command(survey_app, "answer")
def survey_answer(
    cli: Cli,
    campaign_id: SurveyId,
    file: Annotated[Path, typer.Argument(help="The answer, XLSX or CSV.")],
) -> None:
    """Answer for your company: validated in full, applied only without problems (exit 2 otherwise)."""
    report = survey.answer_survey(cli.uow, cli.actor, campaign_id, file.name, file.read_bytes())
    report = in_cli_language(report.localised)
    cli.emit(report, lambda: _show_answer(report))
    if not report.accepted:
        raise typer.Exit(2)


def _show_answer(report: AnswerReport) -> None:
    if report.accepted:
        say(N_("accepted: map revision %(revision)s"), revision=report.applied.get("revision"))
        return
    print_table(
        N_("problems (nothing was applied)"),
        (N_("sheet"), N_("row"), N_("column"), N_("problem")),
        [(p.sheet, p.row, p.column, p.message) for p in report.problems],
    )


@command(survey_app, "cascade")
def survey_cascade(
    cli: Cli,
    campaign_id: SurveyId,
    to: Annotated[str, typer.Option("--to", help="Your suppliers' corporate numbers, comma-separated.")],
) -> None:
    """Forward the survey to suppliers your answer names (the tier below)."""
    report = survey.cascade(cli.uow, cli.actor, campaign_id, _split(to))

    def show() -> None:
        for added in report.added:
            say(
                N_("asked %(corporate_number)s (tier %(tier)s)"),
                corporate_number=added.corporate_number,
                tier=added.tier,
            )
        for number in report.already_asked:
            say(N_("%(number)s was already asked"), number=number)

    cli.emit(report, show)


@command(survey_app, "status")
def survey_status(cli: Cli, campaign_id: SurveyId) -> None:
    """Who was asked by whom and who answered (a respondent sees its own task only)."""
    view = survey.campaign_status(cli.uow, cli.actor, campaign_id)
    cli.emit(
        view,
        lambda: print_table(
            Text(
                N_("survey %(id)s of %(system)s (%(status)s, due %(due_on)s)"),
                {"id": view.id, "system": view.system, "status": view.status, "due_on": view.due_on},
            ),
            (N_("corporate number"), N_("name"), N_("tier"), N_("status"), N_("asked by")),
            [(r.corporate_number, r.name, r.tier, r.status, r.asked_by) for r in view.respondents],
        ),
    )


@command(survey_app, "show-answer")
def survey_show_answer(
    cli: Cli,
    campaign_id: SurveyId,
    company: Annotated[str, typer.Argument(help="The respondent's corporate number.")],
) -> None:
    """A respondent's answer (its own users and officials only)."""
    view = survey.get_answer(cli.uow, cli.actor, campaign_id, company)
    cli.emit(
        view,
        lambda: print_table(
            Text(
                N_("answer %(answer_id)s of %(corporate_number)s (%(file_name)s)"),
                {
                    "answer_id": view.answer_id,
                    "corporate_number": view.corporate_number,
                    "file_name": view.file_name,
                },
            ),
            (N_("supplier"), N_("part"), N_("tier"), N_("share"), N_("qualified")),
            [(r.supplier, r.part_number, r.tier, r.share, r.qualified) for r in view.supply],
        ),
    )


@command(survey_app, "close")
def survey_close(cli: Cli, campaign_id: SurveyId) -> None:
    """Close a survey: non-answers are marked and recorded as risk events (officials)."""
    report = survey.close_campaign(cli.uow, cli.actor, campaign_id)
    cli.emit(
        report,
        lambda: say(
            N_("survey %(id)s closed; unanswered: %(unanswered)s"),
            id=report.id,
            unanswered=", ".join(report.unanswered) or translated(N_("none")),
        ),
    )
