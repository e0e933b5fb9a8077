"""`shokei risk ...`: the leak-risk watchlist and the facts it is scored from (translate only)."""

from __future__ import annotations

from typing import Annotated

import typer

from shokei.cli_help import LocalisedGroup
from shokei.cli_support import Cli, command, echo, parse_date, print_json, print_table, translated
from shokei.errors import N_, Text
from shokei.risk import services
from shokei.risk.schemas import WatchlistEntry

app = typer.Typer(
    cls=LocalisedGroup,
    help="Leak-risk watchlist: explainable scores, financial indicators, company events.",
    no_args_is_help=True,
)

system_app = typer.Typer(cls=LocalisedGroup, help="Weapon systems' supplier bases.", no_args_is_help=True)

Company = Annotated[str, typer.Argument(help="Corporate number.")]


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command (sub-apps and top-level commands)."""
    root.add_typer(app, name="risk")
    root.add_typer(system_app, name="system")


def _show(entries: list[WatchlistEntry]) -> None:
    print_table(
        N_("leak-risk watchlist"),
        (N_("#"), N_("corporate number"), N_("name"), N_("score"), N_("recommendation"), N_("factors")),
        [
            (
                e.rank,
                e.corporate_number,
                e.name,
                f"{e.score:g}",
                e.recommendation,
                "; ".join(f"{f.name} +{f.contribution:g}" for f in e.factors),
            )
            for e in entries
        ],
    )


@command(app, "watchlist")
def watchlist(
    cli: Cli,
    top: Annotated[int | None, typer.Option("--top", min=1, help="Only the N highest.")] = None,
    record: Annotated[bool, typer.Option("--record", help="Keep this run for the history.")] = False,
) -> None:
    """Companies ranked by leak risk, each factor with its contribution and evidence."""
    entries = services.watchlist(cli.uow, cli.actor, top=top, record=record)
    cli.emit(entries, lambda: _show(entries))


@command(app, "show")
def show(cli: Cli, company: Company) -> None:
    """One company scored alone: its score, factors and evidence (rank 0: see the watchlist)."""
    entry = services.company_risk(cli.uow, cli.actor, company)
    if cli.json:
        print_json(entry)
        return
    _show([entry])
    for factor in entry.factors:
        evidence = translated(factor.text) if factor.text is not None else factor.evidence
        typer.echo(f"{factor.name} +{factor.contribution:g}: {evidence}")


@command(app, "event")
def event(
    cli: Cli,
    company: Company,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="restructuring_announced|factory_closure|"
            "credit_event|share_acquisition|foreign_subcontracting|"
            "export_of_related_items|survey_unanswered",
        ),
    ],
    on: Annotated[str, typer.Option("--date", help="When it happened, YYYY-MM-DD.")],
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Record an event that bears on a company's leak risk."""
    view = services.record_event(
        cli.uow, cli.actor, company, kind=kind, occurred_on=parse_date(on), note=note
    )
    cli.emit(
        view,
        lambda: echo(
            N_("recorded %(kind)s on %(occurred_on)s"), kind=view.kind, occurred_on=view.occurred_on
        ),
    )


@command(app, "events")
def events(cli: Cli, company: Company) -> None:
    """A company's recorded events, newest first."""
    rows = services.list_events(cli.uow, cli.actor, company)
    cli.emit(
        rows,
        lambda: print_table(
            N_("events"),
            (N_("date"), N_("kind"), N_("note"), N_("recorded by")),
            [(r.occurred_on, r.kind, r.note, r.recorded_by) for r in rows],
        ),
    )


@command(app, "financials")
def financials(
    cli: Cli,
    company: Company,
    year: Annotated[int, typer.Option("--year", help="Fiscal year (April-March, by its start).")],
    revenue: Annotated[int | None, typer.Option("--revenue", help="Yen.")] = None,
    operating_profit: Annotated[int | None, typer.Option("--operating-profit", help="Yen.")] = None,
    net_income: Annotated[int | None, typer.Option("--net-income", help="Yen.")] = None,
    equity_ratio: Annotated[float | None, typer.Option("--equity-ratio", help="Percent.")] = None,
) -> None:
    """Record (or correct) one fiscal year's financial indicators."""
    view = services.record_financials(
        cli.uow,
        cli.actor,
        company,
        fiscal_year=year,
        revenue_yen=revenue,
        operating_profit_yen=operating_profit,
        net_income_yen=net_income,
        equity_ratio_percent=equity_ratio,
    )
    cli.emit(view, lambda: echo(N_("recorded FY%(fiscal_year)s"), fiscal_year=view.fiscal_year))


@command(app, "history")
def history(cli: Cli, company: Company) -> None:
    """A company's score in every recorded watchlist run."""
    points = services.history(cli.uow, cli.actor, company)
    cli.emit(
        points,
        lambda: print_table(
            N_("history"),
            (N_("run"), N_("at"), N_("policy"), N_("score"), N_("recommendation")),
            [
                (
                    p.run_id,
                    p.run_at.isoformat(timespec="seconds"),
                    p.policy_version,
                    f"{p.score:g}",
                    p.recommendation,
                )
                for p in points
            ],
        ),
    )


@command(system_app, "show")
def system_show(cli: Cli, code: Annotated[str, typer.Argument(help="Weapon system code.")]) -> None:
    """A weapon system's supplier base: by tier, SMEs, sole sources, foreign, on the watchlist."""
    view = services.system_supplier_base(cli.uow, cli.actor, code)

    def show() -> None:
        print_table(
            Text(
                N_("%(code)s %(name)s: %(companies)s suppliers"),
                {"code": view.code, "name": view.name, "companies": view.companies},
            ),
            (N_("tier"), N_("companies")),
            list(view.by_tier.items()),
        )
        echo(
            N_(
                "SMEs %(smes)s, sole sources %(sole_sources)s, foreign %(foreign)s, "
                "foreign-influenced %(foreign_influenced)s, on the watchlist "
                "%(on_watchlist)s; survey answered %(answered)s, unanswered %(unanswered)s"
            ),
            smes=view.smes,
            sole_sources=view.sole_sources,
            foreign=view.foreign,
            foreign_influenced=view.foreign_influenced,
            on_watchlist=view.on_watchlist,
            answered=view.survey["answered"],
            unanswered=view.survey["unanswered"],
        )

    cli.emit(view, show)
