from __future__ import annotations

from typing import Annotated

import typer

from shokei.cases import services
from shokei.cases.domain import TransitionName
from shokei.cases.domain.assignment import CaseRole
from shokei.cases.schemas import AssignmentView, CaseDetail
from shokei.cli_help import LocalisedGroup
from shokei.cli_remote import Remote
from shokei.cli_support import (
    Cli,
    command,
    echo,
    parse_date,
    print_fields,
    print_table,
    shown,
    translated,
    yen,
)
from shokei.errors import N_, Text

app = typer.Typer(
    cls=LocalisedGroup,
    help="Exit cases: notice, inventory, examination, purchase, succession.",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    """Add this feature's commands to the `shokei` command."""
    root.add_typer(app, name="case")


def _show(case: CaseDetail) -> None:
    print_fields(
        Text(N_("case %(id)s"), {"id": case.id}),
        {
            N_("state"): case.state,
            N_("company"): f"{case.company_name} ({case.company_corporate_number})",
            N_("reason"): case.reason,
            N_("planned exit"): translated(
                N_("%(date)s (%(days)s days, OVERDUE)") if case.overdue else N_("%(date)s (%(days)s days)"),
                date=case.planned_exit_date,
                days=case.days_remaining,
            ),
            N_("successor"): case.successor_name
            or (translated(N_("selected")) if case.successor_selected else None),
            N_("agreed amount"): yen(case.agreed_amount_yen),
            N_("next steps"): ", ".join(case.available_transitions),
            N_("assigned"): None if case.assigned is None else ", ".join(case.assigned) or "-",
        },
    )
    print_table(
        N_("inventory"),
        (N_("id"), N_("title"), N_("drawing"), N_("rev"), N_("examined")),
        [
            (i.id, i.title, i.drawing_number, i.revision, translated(N_("yes")) if i.examined else "")
            for i in case.inventory
        ],
    )
    print_table(
        N_("history"),
        (N_("at"), N_("transition"), N_("to"), N_("by"), N_("reason")),
        [
            (
                h.at.isoformat(timespec="seconds"),
                h.transition,
                h.to_state,
                f"{h.actor} ({h.role})",
                shown(h.reason_text, h.reason),
            )
            for h in case.history
        ],
    )
    if case.flags:
        print_table(
            N_("flags"),
            (N_("raised"), N_("company"), N_("as"), N_("cause"), N_("reason"), N_("resolved")),
            [
                (
                    f.raised_at.isoformat(timespec="seconds"),
                    f"{f.company_name} ({f.corporate_number})",
                    f.involvement,
                    f.cause,
                    shown(f.reason_text, f.reason),
                    f"{f.resolved_at.isoformat(timespec='seconds')}: {f.resolution}"
                    if f.resolved_at
                    else translated(N_("open")),
                )
                for f in case.flags
            ],
        )


@command(app, "open", remote=Remote("POST", "/api/v1/cases"))
def open_case(
    cli: Cli,
    company: Annotated[str, typer.Option("--company", help="Corporate number of the withdrawing company.")],
    reason: Annotated[
        str,
        typer.Option("--reason", help="business_difficulty|factory_closure|restructuring|acquisition|other"),
    ],
    exit_date: Annotated[str, typer.Option("--exit-date", help="Planned exit date, YYYY-MM-DD.")],
) -> None:
    """Open an exit case from an exit notice."""
    case = services.open_case(
        cli.uow,
        cli.actor,
        company=company,
        reason=reason,
        planned_exit_date=parse_date(exit_date),
    )
    for warning in services.notice_warnings(cli.uow, cli.actor, case.id):
        echo(N_("warning: %(warning)s"), warning=warning, err=True)
    cli.emit(case, lambda: _show(case))


@command(app, "add-document", remote=Remote("POST", "/api/v1/cases/{case_id}/documents"))
def add_document(
    cli: Cli,
    case_id: int,
    title: Annotated[str, typer.Option("--title")],
    drawing_number: Annotated[str | None, typer.Option("--drawing-number")] = None,
    revision: Annotated[str | None, typer.Option("--revision")] = None,
    component: Annotated[str | None, typer.Option("--component")] = None,
    weapon_system: Annotated[str | None, typer.Option("--weapon-system")] = None,
) -> None:
    """Add a line to the case's document inventory."""
    line = services.add_inventory_line(
        cli.uow,
        cli.actor,
        case_id,
        title=title,
        drawing_number=drawing_number,
        revision=revision,
        component=component,
        weapon_system=weapon_system,
    )
    cli.emit(
        line,
        lambda: echo(N_("document %(id)s added to case %(case_id)s"), id=line.id, case_id=case_id),
    )


@command(
    app,
    "examine-document",
    remote=Remote("POST", "/api/v1/cases/{case_id}/documents/{document_id}/examination"),
)
def examine_document(
    cli: Cli,
    case_id: int,
    document_id: int,
    note: Annotated[str, typer.Option("--note", help="What the examination found.")],
) -> None:
    """Record that you (an examiner) examined one inventory document."""
    line = services.examine_document(cli.uow, cli.actor, case_id, document_id, note=note)
    cli.emit(line, lambda: echo(N_("document %(id)s examined"), id=line.id))


@command(app, "transition", remote=Remote("POST", "/api/v1/cases/{case_id}/transitions"))
def transition(
    cli: Cli,
    case_id: int,
    name: Annotated[str, typer.Argument(help=" | ".join(TransitionName))],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    successor: Annotated[
        str | None, typer.Option("--successor", help="Corporate number (select_successor).")
    ] = None,
    expected_version: Annotated[int | None, typer.Option("--expected-version")] = None,
) -> None:
    """Move a case along the workflow."""
    case = services.transition_case(
        cli.uow,
        cli.actor,
        case_id,
        name,
        reason=reason,
        successor=successor,
        expected_version=expected_version,
    )
    cli.emit(case, lambda: _show(case))


@command(app, "offer", remote=Remote("POST", "/api/v1/cases/{case_id}/offers"))
def offer(
    cli: Cli,
    case_id: int,
    amount_yen: Annotated[int, typer.Option("--amount", help="Integer yen.")],
    kind: Annotated[str, typer.Option("--kind", help="offer|counter|agreement")] = "offer",
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Record an offer, counter-offer or the agreed amount (negotiators)."""
    made = services.record_offer(cli.uow, cli.actor, case_id, amount_yen=amount_yen, kind=kind, note=note)
    cli.emit(
        made,
        lambda: echo(N_("%(kind)s %(amount_yen)s recorded"), kind=made.kind, amount_yen=yen(made.amount_yen)),
    )


@command(app, "show", remote=Remote("GET", "/api/v1/cases/{case_id}"))
def show(cli: Cli, case_id: int) -> None:
    """One case with its inventory and history."""
    case = services.get_case(cli.uow, cli.actor, case_id)
    cli.emit(case, lambda: _show(case))


@command(app, "list", remote=Remote("GET", "/api/v1/cases"))
def list_cases(
    cli: Cli,
    state: Annotated[str | None, typer.Option("--state")] = None,
) -> None:
    """Cases you may know of."""
    cases = services.list_cases(cli.uow, cli.actor, state=state)
    cli.emit(
        cases,
        lambda: print_table(
            N_("cases"),
            (N_("id"), N_("state"), N_("company"), N_("exit date"), N_("days left")),
            [
                (
                    c.id,
                    c.state,
                    c.company_name,
                    c.planned_exit_date,
                    translated(N_("%(days)s overdue"), days=c.days_remaining)
                    if c.overdue
                    else c.days_remaining,
                )
                for c in cases
            ],
        ),
    )


def _show_assignments(case_id: int, assignments: list[AssignmentView]) -> None:
    print_table(
        Text(N_("assigned to case %(case_id)s"), {"case_id": case_id}),
        (N_("user"), N_("role on case"), N_("by"), N_("at")),
        [
            (a.user, a.role_on_case, a.assigned_by, a.assigned_at.isoformat(timespec="seconds"))
            for a in assignments
        ],
    )


@command(app, "assign", remote=Remote("POST", "/api/v1/cases/{case_id}/assignments"))
def assign(
    cli: Cli,
    case_id: int,
    user: Annotated[str, typer.Option("--user", help="The official or auditor to assign.")],
    role_on_case: Annotated[
        str | None, typer.Option("--role-on-case", help=" | ".join(CaseRole) + " (default: their role)")
    ] = None,
) -> None:
    """Assign an official to a case (program managers): only assigned officials see the case and
    read its contents."""
    assigned = services.assign_official(cli.uow, cli.actor, case_id, user, role_on_case=role_on_case)
    cli.emit(assigned, lambda: _show_assignments(case_id, assigned))


@command(app, "unassign", remote=Remote("DELETE", "/api/v1/cases/{case_id}/assignments/{user}"))
def unassign(
    cli: Cli,
    case_id: int,
    user: Annotated[str, typer.Option("--user", help="The official or auditor to take off the case.")],
) -> None:
    """Take an official off a case (program managers)."""
    assigned = services.unassign_official(cli.uow, cli.actor, case_id, user)
    cli.emit(assigned, lambda: _show_assignments(case_id, assigned))


@command(app, "assignments", remote=Remote("GET", "/api/v1/cases/{case_id}/assignments"))
def assignments(cli: Cli, case_id: int) -> None:
    """Who is assigned to a case (officials and auditors)."""
    assigned = services.assignments_of(cli.uow, cli.actor, case_id)
    cli.emit(assigned, lambda: _show_assignments(case_id, assigned))


@command(app, "break-glass", remote=Remote("POST", "/api/v1/cases/{case_id}/break-glass"))
def break_glass(
    cli: Cli,
    case_id: int,
    reason: Annotated[str, typer.Option("--reason", help="Why you must read this case's contents.")],
) -> None:
    """Read the contents of a case you are not assigned to (program managers, auditors): the
    reason is recorded, the other program managers are told, and the contents open for 24 hours."""
    access = services.break_glass(cli.uow, cli.actor, case_id, reason)
    cli.emit(
        {"case": case_id, "access": access.value},
        lambda: echo(N_("case %(case_id)s: contents open"), case_id=case_id),
    )
