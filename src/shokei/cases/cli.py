from __future__ import annotations

from typing import Annotated

import typer

from shokei.cases import services
from shokei.cases.domain import TransitionName
from shokei.cases.schemas import CaseDetail
from shokei.cli_support import (
    AsUser,
    JsonOutput,
    acting,
    command,
    parse_date,
    print_fields,
    print_json,
    print_table,
    ready_app,
    yen,
)

app = typer.Typer(
    help="Exit cases: notice, inventory, examination, purchase, succession.", no_args_is_help=True
)


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command."""
    root.add_typer(app, name="case")


def _show(case: CaseDetail) -> None:
    print_fields(
        f"case {case.id}",
        {
            "state": case.state,
            "company": f"{case.company_name} ({case.company_corporate_number})",
            "reason": case.reason,
            "planned exit": f"{case.planned_exit_date} ({case.days_remaining} days"
            f"{', OVERDUE' if case.overdue else ''})",
            "successor": case.successor_name,
            "agreed amount": yen(case.agreed_amount_yen),
            "next steps": ", ".join(case.available_transitions),
        },
    )
    print_table(
        "inventory",
        ("id", "title", "drawing", "rev", "examined"),
        [(i.id, i.title, i.drawing_number, i.revision, "yes" if i.examined else "") for i in case.inventory],
    )
    print_table(
        "history",
        ("at", "transition", "to", "by", "reason"),
        [
            (h.at.isoformat(timespec="seconds"), h.transition, h.to_state, f"{h.actor} ({h.role})", h.reason)
            for h in case.history
        ],
    )


@command(app, "open")
def open_case(
    company: Annotated[str, typer.Option("--company", help="Corporate number of the withdrawing company.")],
    reason: Annotated[
        str,
        typer.Option("--reason", help="business_difficulty|factory_closure|restructuring|acquisition|other"),
    ],
    exit_date: Annotated[str, typer.Option("--exit-date", help="Planned exit date, YYYY-MM-DD.")],
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Open an exit case from an exit notice."""
    shokei = ready_app()
    case = services.open_case(
        shokei.uow,
        acting(shokei, as_user),
        company=company,
        reason=reason,
        planned_exit_date=parse_date(exit_date),
    )
    print_json(case) if json_output else _show(case)


@command(app, "add-document")
def add_document(
    case_id: int,
    title: Annotated[str, typer.Option("--title")],
    drawing_number: Annotated[str | None, typer.Option("--drawing-number")] = None,
    revision: Annotated[str | None, typer.Option("--revision")] = None,
    component: Annotated[str | None, typer.Option("--component")] = None,
    weapon_system: Annotated[str | None, typer.Option("--weapon-system")] = None,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Add a line to the case's document inventory."""
    shokei = ready_app()
    line = services.add_inventory_line(
        shokei.uow,
        acting(shokei, as_user),
        case_id,
        title=title,
        drawing_number=drawing_number,
        revision=revision,
        component=component,
        weapon_system=weapon_system,
    )
    print_json(line) if json_output else typer.echo(f"document {line.id} added to case {case_id}")


@command(app, "examine-document")
def examine_document(
    case_id: int,
    document_id: int,
    note: Annotated[str, typer.Option("--note", help="What the examination found.")],
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Record that you (an examiner) examined one inventory document."""
    shokei = ready_app()
    line = services.examine_document(shokei.uow, acting(shokei, as_user), case_id, document_id, note=note)
    print_json(line) if json_output else typer.echo(f"document {line.id} examined")


@command(app, "transition")
def transition(
    case_id: int,
    name: Annotated[str, typer.Argument(help=" | ".join(TransitionName))],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    successor: Annotated[
        str | None, typer.Option("--successor", help="Corporate number (select_successor).")
    ] = None,
    expected_version: Annotated[int | None, typer.Option("--expected-version")] = None,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Move a case along the workflow."""
    shokei = ready_app()
    case = services.transition_case(
        shokei.uow,
        acting(shokei, as_user),
        case_id,
        name,
        reason=reason,
        successor=successor,
        expected_version=expected_version,
    )
    print_json(case) if json_output else _show(case)


@command(app, "offer")
def offer(
    case_id: int,
    amount_yen: Annotated[int, typer.Option("--amount", help="Integer yen.")],
    kind: Annotated[str, typer.Option("--kind", help="offer|counter|agreement")] = "offer",
    note: Annotated[str | None, typer.Option("--note")] = None,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Record an offer, counter-offer or the agreed amount (negotiators)."""
    shokei = ready_app()
    made = services.record_offer(
        shokei.uow, acting(shokei, as_user), case_id, amount_yen=amount_yen, kind=kind, note=note
    )
    print_json(made) if json_output else typer.echo(f"{made.kind} {yen(made.amount_yen)} recorded")


@command(app, "show")
def show(case_id: int, as_user: AsUser = None, json_output: JsonOutput = False) -> None:
    """One case with its inventory and history."""
    shokei = ready_app()
    case = services.get_case(shokei.uow, acting(shokei, as_user), case_id)
    print_json(case) if json_output else _show(case)


@command(app, "list")
def list_cases(
    state: Annotated[str | None, typer.Option("--state")] = None,
    as_user: AsUser = None,
    json_output: JsonOutput = False,
) -> None:
    """Cases you may know of."""
    shokei = ready_app()
    cases = services.list_cases(shokei.uow, acting(shokei, as_user), state=state)
    if json_output:
        print_json(cases)
        return
    print_table(
        "cases",
        ("id", "state", "company", "exit date", "days left"),
        [
            (
                c.id,
                c.state,
                c.company_name,
                c.planned_exit_date,
                f"{c.days_remaining}{' overdue' if c.overdue else ''}",
            )
            for c in cases
        ],
    )
