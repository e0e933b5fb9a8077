"""`shokei measure ...` (the measure decided for an escalated case) and `shokei facility ...`
(state-held facilities: acquisition, entrustment, transfer, the list and the annual report)."""

from __future__ import annotations

from typing import Annotated

import typer

from shokei.cli_help import LocalisedGroup
from shokei.cli_support import Cli, command, echo, parse_date, print_fields, print_table, translated, yen
from shokei.errors import N_, Text
from shokei.measures import services
from shokei.measures.domain import MeasureKind
from shokei.measures.schemas import FacilityReportEntry, FacilityView, MeasureDetail

app = typer.Typer(
    cls=LocalisedGroup,
    help="Measures for an escalated case: facility acquisition, succession support, custody.",
    no_args_is_help=True,
)
facility_app = typer.Typer(
    cls=LocalisedGroup,
    help="State-held facilities (Art. 29): acquire, entrust, report, transfer.",
    no_args_is_help=True,
)

Date = Annotated[str, typer.Option("--date", help="YYYY-MM-DD.")]
Company = Annotated[str, typer.Option("--to", help="Corporate number.")]
Price = Annotated[int, typer.Option("--price", help="Integer yen.")]


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command."""
    root.add_typer(app, name="measure")
    root.add_typer(facility_app, name="facility")


@command(app, "decide")
def decide(
    cli: Cli,
    case_id: int,
    kind: Annotated[str, typer.Option("--kind", help=" | ".join(MeasureKind))],
    reason: Annotated[str, typer.Option("--reason")],
    party: Annotated[
        list[str] | None,
        typer.Option("--party", help="succession_support: a party's corporate number (repeat)."),
    ] = None,
    amount: Annotated[int | None, typer.Option("--amount", help="succession_support: supported yen.")] = None,
    review_date: Annotated[
        str | None,
        typer.Option("--review-date", help="state_custody: when the custody is reviewed, YYYY-MM-DD."),
    ] = None,
) -> None:
    """Decide the measure for an escalated case (program managers): the case moves on to it, or
    back to negotiation with reopen_negotiation."""
    view = services.decide_measure(
        cli.uow,
        cli.actor,
        case_id,
        kind=kind,
        reason=reason,
        parties=party or [],
        amount_yen=amount,
        review_on=parse_date(review_date) if review_date else None,
    )
    cli.emit(
        view,
        lambda: echo(
            N_("measure %(id)s (%(kind)s) %(status)s for case %(case_id)s"),
            id=view.id,
            kind=view.kind,
            status=view.status,
            case_id=case_id,
        ),
    )


@command(app, "show")
def show(cli: Cli, measure_id: int) -> None:
    """A measure, its details and its facilities."""
    view = services.get_measure(cli.uow, cli.actor, measure_id)
    cli.emit(view, lambda: _show_measure(view))


def _show_measure(view: MeasureDetail) -> None:
    print_fields(
        Text(N_("measure %(id)s"), {"id": view.id}),
        {
            N_("case"): view.case_id,
            N_("company"): view.company_name,
            N_("kind"): view.kind,
            N_("status"): view.status,
            N_("reason"): view.reason,
            N_("decided"): f"{view.decided_by} {view.decided_at:%Y-%m-%d}",
            **view.details,  # the measure's own fields, shown by their codes
        },
    )
    _facilities(view.facilities)


@command(facility_app, "acquire")
def acquire(
    cli: Cli,
    measure_id: int,
    name: Annotated[str, typer.Option("--name")],
    prefecture: Annotated[str, typer.Option("--prefecture", help="Written in full, e.g. 愛知県.")],
    price: Price,
    date: Date,
    equipment: Annotated[
        list[str] | None, typer.Option("--equipment", help="An item of equipment (repeat).")
    ] = None,
) -> None:
    """The state acquires a facility under a facility_acquisition measure; its price is committed
    on the budget's facilities line."""
    view = services.acquire_facility(
        cli.uow,
        cli.actor,
        measure_id,
        name=name,
        prefecture=prefecture,
        price_yen=price,
        acquired_on=parse_date(date),
        equipment=equipment or [],
    )
    cli.emit(view, lambda: _show_facility(view))


@command(facility_app, "entrust")
def entrust(
    cli: Cli,
    facility_id: int,
    to: Company,
    until: Annotated[str, typer.Option("--until", help="Last day of the entrustment, YYYY-MM-DD.")],
    terms: Annotated[str, typer.Option("--terms")],
) -> None:
    """Entrust a state-held facility's management to an eligible contractor."""
    view = services.entrust_facility(
        cli.uow, cli.actor, facility_id, to=to, until=parse_date(until), terms=terms
    )
    cli.emit(view, lambda: _show_facility(view))


@command(facility_app, "transfer")
def transfer(cli: Cli, facility_id: int, to: Company, price: Price, date: Date) -> None:
    """Transfer a state-held facility to an eligible private company: the state's holding ends."""
    view = services.transfer_facility(
        cli.uow, cli.actor, facility_id, to=to, price_yen=price, transferred_on=parse_date(date)
    )
    cli.emit(view, lambda: _show_facility(view))


@command(facility_app, "list")
def list_(cli: Cli, case_id: Annotated[int | None, typer.Option("--case")] = None) -> None:
    """The facilities the state acquired."""
    views = services.list_facilities(cli.uow, cli.actor, case_id=case_id)
    cli.emit(views, lambda: _facilities(views))


@command(facility_app, "show")
def show_facility(cli: Cli, facility_id: int) -> None:
    """One facility, its entrustment and transfer."""
    view = services.get_facility(cli.uow, cli.actor, facility_id)
    cli.emit(view, lambda: _show_facility(view))


@command(facility_app, "report")
def report(
    cli: Cli,
    year: Annotated[int, typer.Option("--fy", help="Fiscal year, e.g. 2026 (2026-04-01 - 2027-03-31).")],
    file: Annotated[
        int | None, typer.Option("--file", help="Record that the report on this facility was filed today.")
    ] = None,
) -> None:
    """The annual report on every facility held during the fiscal year: due three months after
    the year ends, overdue ones flagged."""
    if file is not None:
        services.file_facility_report(cli.uow, cli.actor, file, fiscal_year=year)
    entries = services.facility_report(cli.uow, cli.actor, fiscal_year=year)
    cli.emit(entries, lambda: _report(entries))


def _show_facility(view: FacilityView) -> None:
    entrusted = view.entrustment
    print_fields(
        Text(N_("facility %(id)s (%(status)s)"), {"id": view.id, "status": view.status}),
        {
            N_("name"): view.name,
            N_("prefecture"): view.prefecture,
            N_("equipment"): ", ".join(view.equipment),
            N_("price"): yen(view.price_yen),
            N_("acquired"): f"{view.acquired_on} (FY{view.fiscal_year})",
            N_("case / measure"): f"{view.case_id} / {view.measure_id}",
            N_("entrusted to"): translated(
                N_("%(company)s until %(until)s"), company=entrusted.company_name, until=entrusted.until
            )
            if entrusted
            else "",
            N_("transferred"): f"{view.transferred_to_name} {view.transferred_on}"
            if view.transferred_on
            else "",
        },
    )


def _facilities(views: list[FacilityView]) -> None:
    print_table(
        N_("facilities"),
        (N_("id"), N_("name"), N_("prefecture"), N_("status"), N_("price"), N_("acquired")),
        [(v.id, v.name, v.prefecture, v.status, yen(v.price_yen), v.acquired_on) for v in views],
    )


def _report(entries: list[FacilityReportEntry]) -> None:
    print_table(
        N_("annual report on state-held facilities"),
        (N_("facility"), N_("name"), N_("status"), N_("due"), N_("filed"), N_("overdue")),
        [
            (e.facility_id, e.name, e.status, e.due, e.filed_on, translated(N_("yes")) if e.overdue else "")
            for e in entries
        ],
    )
