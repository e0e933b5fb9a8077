"""`shokei purchase ...` (valuation, offers, agreement, approval, payment, cancellation) and
`shokei budget ...` (fiscal-year appropriations)."""

from __future__ import annotations

from typing import Annotated

import typer

from shokei.cli_help import LocalisedGroup
from shokei.cli_support import Cli, command, echo, parse_date, print_fields, print_table, translated
from shokei.errors import N_, Text
from shokei.purchase import services
from shokei.purchase.domain import fiscal_year, japanese_yen, yen
from shokei.purchase.schemas import (
    ApprovalView,
    BudgetView,
    LineBudgetView,
    PurchaseView,
    ValuationView,
    YearCloseView,
)

app = typer.Typer(
    cls=LocalisedGroup,
    help="Purchase of the documents: valuation, negotiation, approval, payment.",
    no_args_is_help=True,
)
budget_app = typer.Typer(
    cls=LocalisedGroup, help="Fiscal-year budget (会計年度: 1 April - 31 March).", no_args_is_help=True
)

Amount = Annotated[int, typer.Option("--amount", help="Integer yen.")]
Note = Annotated[str | None, typer.Option("--note")]
Line = Annotated[
    str,
    typer.Option("--line", help="Budget line: purchases (document purchases) or facilities (Art. 29)."),
]


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command (sub-apps and top-level commands)."""
    root.add_typer(app, name="purchase")
    root.add_typer(budget_app, name="budget")


def _money(amount: int | None) -> str:
    return "" if amount is None else f"{yen(amount)} ({japanese_yen(amount)})"


def _show_valuation(view: ValuationView) -> None:
    print_fields(
        Text(N_("valuation of case %(case_id)s"), {"case_id": view.case_id}),
        {
            N_("method"): view.method,
            N_("suggested range"): f"{_money(view.suggested_low_yen)} - {_money(view.suggested_high_yen)}"
            if view.recorded
            else "",
            N_("ceiling"): _money(view.ceiling_yen),
            N_("recorded"): translated(N_("%(user)s on %(date)s"), user=view.recorded_by, date=view.valued_on)
            if view.recorded
            else translated(N_("no")),
        },
    )
    steps = view.explanation if view.explanation_text is None else map(translated, view.explanation_text)
    for line in steps:
        typer.echo(f"  {line}")


def _show_purchase(view: PurchaseView) -> None:
    agreement = view.agreement
    print_fields(
        Text(N_("purchase of case %(case_id)s (%(state)s)"), {"case_id": view.case_id, "state": view.state}),
        {
            N_("ceiling"): _money(view.valuation.ceiling_yen),
            N_("agreement"): f"{_money(agreement.amount_yen)}, {agreement.status}"
            if agreement
            else translated(N_("none")),
            N_("budget"): f"FY{view.budget_line.fiscal_year} {view.budget_line.status}"
            if view.budget_line
            else "",
        },
    )
    print_table(
        N_("offers"),
        (N_("at"), N_("kind"), N_("amount"), N_("by")),
        [(o.at.date(), o.kind, yen(o.amount_yen), o.made_by) for o in view.offers],
    )


def _show_approval(view: ApprovalView) -> None:
    print_fields(
        Text(
            N_("case %(case_id)s: purchase approved (%(state)s)"),
            {"case_id": view.case_id, "state": view.state},
        ),
        {
            N_("amount"): _money(view.amount_yen),
            N_("committed to"): translated(
                N_("FY%(fiscal_year)s on %(date)s"), fiscal_year=view.fiscal_year, date=view.approved_on
            ),
            N_("override reason"): view.override_reason,
            N_("FY available now"): _money(view.budget.available),
        },
    )


def _show_budget(view: BudgetView) -> None:
    print_fields(
        Text(
            N_("FY%(fiscal_year)s budget (%(starts)s - %(ends)s)"),
            {"fiscal_year": view.fiscal_year, "starts": view.starts, "ends": view.ends},
        ),
        {
            N_("appropriation"): _money(view.appropriation)
            if view.appropriation_set
            else translated(N_("not set")),
            N_("committed"): _money(view.committed),
            N_("paid"): _money(view.paid),
            N_("carried in"): _money(view.carried_in),
            N_("carried out"): _money(view.carried_out),
            N_("lapsed"): _money(view.lapsed),
            N_("available"): _money(view.available),
            N_("closed"): translated(N_("yes, %(date)s"), date=f"{view.closed_at:%Y-%m-%d}")
            if view.closed_at
            else translated(N_("no")),
        },
    )
    print_table(
        N_("lines"),
        (N_("case"), N_("company"), N_("amount"), N_("status"), N_("committed"), N_("paid"), N_("released")),
        [
            (
                line.case_id,
                line.company,
                yen(line.amount_yen),
                line.status,
                line.committed_on,
                line.paid_on,
                line.released_on,
            )
            for line in view.lines
        ],
    )


@command(app, "valuation")
def valuation(
    cli: Cli,
    case_id: int,
    development_cost: Annotated[
        int | None, typer.Option("--development-cost", help="Documented, yen.")
    ] = None,
    development_year: Annotated[int | None, typer.Option("--development-year")] = None,
    reproduction_cost: Annotated[
        int | None, typer.Option("--reproduction-cost", help="Estimate, yen.")
    ] = None,
    note: Note = None,
) -> None:
    """Show the valuation guidance; with costs given, record a new valuation (negotiators)."""
    actor = cli.actor
    if development_cost is None and development_year is None and reproduction_cost is None:
        view = services.get_valuation(cli.uow, actor, case_id)
    else:
        view = services.record_valuation(
            cli.uow,
            actor,
            case_id,
            development_cost_yen=development_cost,
            development_year=development_year,
            reproduction_cost_yen=reproduction_cost,
            note=note,
        )
    cli.emit(view, lambda: _show_valuation(view))


@command(app, "offer")
def offer(
    cli: Cli,
    case_id: int,
    amount: Amount,
    note: Note = None,
) -> None:
    """Record MoD's offer (negotiators); the first one opens the negotiation."""
    made = services.make_offer(cli.uow, cli.actor, case_id, amount_yen=amount, note=note)
    cli.emit(
        made,
        lambda: echo(N_("offer %(amount_yen)s recorded"), amount_yen=yen(made.amount_yen)),
    )


@command(app, "counter")
def counter(
    cli: Cli,
    case_id: int,
    amount: Amount,
    note: Note = None,
) -> None:
    """Record the supplier's counter-offer (negotiators)."""
    made = services.make_counter_offer(cli.uow, cli.actor, case_id, amount_yen=amount, note=note)
    cli.emit(
        made,
        lambda: echo(N_("counter-offer %(amount_yen)s recorded"), amount_yen=yen(made.amount_yen)),
    )


@command(app, "agree")
def agree(
    cli: Cli,
    case_id: int,
    amount: Amount,
    payment_date: Annotated[str | None, typer.Option("--payment-date", help="YYYY-MM-DD.")] = None,
    note: Note = None,
) -> None:
    """Propose the agreed price with the standard terms, for a program manager to approve."""
    made = services.agree_purchase(
        cli.uow,
        cli.actor,
        case_id,
        amount_yen=amount,
        payment_due=parse_date(payment_date) if payment_date else None,
        note=note,
    )
    cli.emit(
        made,
        lambda: echo(N_("agreement %(amount_yen)s proposed"), amount_yen=_money(made.amount_yen)),
    )


@command(app, "approve")
def approve(
    cli: Cli,
    case_id: int,
    override_reason: Annotated[
        str | None, typer.Option("--override-reason", help="Needed above the valuation ceiling.")
    ] = None,
    expected_version: Annotated[int | None, typer.Option("--expected-version")] = None,
) -> None:
    """Approve the agreement: commit the fiscal year's budget; the case becomes purchase_agreed."""
    view = services.approve_purchase(
        cli.uow,
        cli.actor,
        case_id,
        override_reason=override_reason,
        expected_version=expected_version,
    )
    cli.emit(view, lambda: _show_approval(view))


@command(app, "pay")
def pay(
    cli: Cli,
    case_id: int,
    paid_on: Annotated[str, typer.Option("--date", help="Payment date, YYYY-MM-DD.")],
) -> None:
    """Record the payment: the commitment becomes paid (program managers)."""
    view = services.pay_purchase(cli.uow, cli.actor, case_id, paid_on=parse_date(paid_on))
    cli.emit(view, lambda: _show_purchase(view))


@command(app, "cancel")
def cancel(
    cli: Cli,
    case_id: int,
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Cancel the agreement; an approved one releases its budget commitment."""
    view = services.cancel_purchase(cli.uow, cli.actor, case_id, reason=reason)
    cli.emit(view, lambda: _show_purchase(view))


@command(app, "show")
def show(cli: Cli, case_id: int) -> None:
    """A case's valuation, offers, agreement and budget line."""
    view = services.get_purchase(cli.uow, cli.actor, case_id)
    cli.emit(view, lambda: _show_purchase(view))


@command(budget_app, "set")
def set_budget(
    cli: Cli,
    amount: Amount,
    year: Annotated[
        int | None,
        typer.Option("--fy", help="Fiscal year, e.g. 2022 (2022-04-01 - 2023-03-31); default: the current."),
    ] = None,
    line: Line = "purchases",
) -> None:
    """Set a fiscal year's appropriation on a budget line (program managers)."""
    wanted = year if year is not None else fiscal_year(cli.uow.clock.today())
    chosen = services.check_line(line)
    if chosen is services.BudgetLineName.PURCHASES:
        view = services.set_appropriation(cli.uow, cli.actor, fiscal_year=wanted, amount_yen=amount)
        cli.emit(view, lambda: _show_budget(view))
        return
    other = services.set_line_appropriation(
        cli.uow, cli.actor, fiscal_year=wanted, line=chosen, amount_yen=amount
    )
    cli.emit(other, lambda: _show_line_budget(other))


@command(budget_app, "show")
def show_budget(
    cli: Cli,
    year: Annotated[int | None, typer.Option("--fy", help="Fiscal year; default: the current one.")] = None,
    line: Line = "purchases",
) -> None:
    """Appropriation, committed, paid and available amounts, and the lines, of a fiscal year."""
    wanted = year if year is not None else fiscal_year(cli.uow.clock.today())
    chosen = services.check_line(line)
    if chosen is services.BudgetLineName.PURCHASES:
        view = services.get_budget(cli.uow, cli.actor, fiscal_year=wanted)
        cli.emit(view, lambda: _show_budget(view))
        return
    other = services.get_line_budget(cli.uow, cli.actor, fiscal_year=wanted, line=chosen)
    cli.emit(other, lambda: _show_line_budget(other))


def _show_line_budget(view: LineBudgetView) -> None:
    print_fields(
        Text(
            N_("FY%(fiscal_year)s budget, %(line)s line (%(starts)s - %(ends)s)"),
            {"fiscal_year": view.fiscal_year, "line": view.line, "starts": view.starts, "ends": view.ends},
        ),
        {
            N_("appropriation"): _money(view.appropriation)
            if view.appropriation_set
            else translated(N_("not set")),
            N_("committed"): _money(view.committed),
            N_("available"): _money(view.available),
        },
    )
    print_table(
        N_("commitments"),
        (N_("case"), N_("subject"), N_("amount"), N_("status"), N_("committed")),
        [(c.case_id, c.subject, yen(c.amount_yen), c.status, c.committed_on) for c in view.commitments],
    )


@command(budget_app, "carry-over")
def carry_over(
    cli: Cli,
    case_id: int,
    to_year: Annotated[int, typer.Option("--to-fy", help="The next fiscal year.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the payment slips into the next year.")],
) -> None:
    """Carry a case's unpaid commitment over into the next fiscal year (繰越; program managers)."""
    view = services.carry_over(cli.uow, cli.actor, case_id, to_fiscal_year=to_year, reason=reason)
    cli.emit(
        view,
        lambda: echo(
            N_(
                "case %(case_id)s: %(amount_yen)s carried over from "
                "FY%(from_fiscal_year)s into FY%(to_fiscal_year)s"
            ),
            case_id=view.case_id,
            amount_yen=_money(view.amount_yen),
            from_fiscal_year=view.from_fiscal_year,
            to_fiscal_year=view.to_fiscal_year,
        ),
    )


def _show_close(view: YearCloseView) -> None:
    budget = view.budget
    print_fields(
        Text(N_("FY%(fiscal_year)s closed"), {"fiscal_year": budget.fiscal_year}),
        {
            N_("appropriation"): _money(budget.appropriation),
            N_("paid"): _money(budget.paid),
            N_("carried in"): _money(budget.carried_in),
            N_("carried out"): _money(budget.carried_out),
            N_("lapsed"): _money(budget.lapsed),
        },
    )
    print_table(
        N_("lapsed commitments"),
        (N_("case"), N_("company"), N_("amount")),
        [(line.case_id, line.company, yen(line.amount_yen)) for line in view.lapsed_lines],
    )


@command(budget_app, "close")
def close(
    cli: Cli,
    year: Annotated[int, typer.Option("--fy", help="An ended fiscal year.")],
) -> None:
    """Close an ended fiscal year: unpaid, uncarried commitments lapse (program managers)."""
    view = services.close_fiscal_year(cli.uow, cli.actor, fiscal_year=year)
    cli.emit(view, lambda: _show_close(view))
