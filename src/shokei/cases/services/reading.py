"""Opening a case and reading cases: detail, lists and counts, through the need-to-know filter."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import func, select

from shokei.accounts import services as accounts
from shokei.cases.domain import (
    HISTORY_REASONS_SEEN_BY,
    CaseOpened,
    CaseState,
    ExitReason,
    available_transitions,
    days_remaining,
    is_overdue,
    may_see,
)
from shokei.cases.domain.assignment import CONTENT_REASONS, ContentAccess
from shokei.cases.models import CaseMeasure, CaseTransitionRecord, ExitCase, InventoryLine
from shokei.cases.schemas import CaseDetail, CaseSummary, HistoryItem, InventoryLineView, MeasureRef
from shokei.cases.services.access import load_case, snapshot, visible_cases
from shokei.cases.services.assignment import assign_on_opening, assigned_names, content_access_of
from shokei.cases.services.flags import flags_of
from shokei.cases.services.offers import offers_of
from shokei.companies import services as companies
from shokei.errors import N_, BadInput, Forbidden, Text, from_stored, stored_english
from shokei.kernel import Actor, Permission, Role, role_name
from shokei.kernel.unit_of_work import UnitOfWork

M = TypeVar("M", bound=BaseModel)


def open_case(
    uow: UnitOfWork, actor: Actor, *, company: str, reason: str, planned_exit_date: date
) -> CaseDetail:
    """Register an exit notice. Intake officers for any company, suppliers for their own."""
    if not actor.can(Permission.CASE_OPEN):
        raise Forbidden(Text(N_("%(role)s may not open cases"), {"role": role_name(actor.role)}))
    try:
        exit_reason = ExitReason(reason)
    except ValueError:
        raise BadInput(
            Text(
                N_("reason %(reason)s is not one of: %(exitreason)s"),
                {"reason": repr(reason), "exitreason": ", ".join(ExitReason)},
            )
        ) from None
    with uow:
        company_id = companies.company_id_for(uow, company)
        if actor.role is Role.SUPPLIER and actor.company_id != company_id:
            raise Forbidden(Text(N_("a supplier may notify exit only for its own company")))
        case = ExitCase(
            company_id=company_id,
            state=CaseState.NOTIFIED.value,
            reason=exit_reason.value,
            planned_exit_date=planned_exit_date,
            opened_at=uow.clock.now(),
            opened_by_id=actor.user_id,
        )
        uow.session.add(case)
        uow.session.flush()
        history(uow, actor, case, name="open", source=None, target=CaseState.NOTIFIED, reason=None)
        uow.record("case:case:open", "case", case.id, actor, after=snapshot(case), details=opening(uow, case))
        assign_on_opening(uow, actor, case)
        uow.publish(CaseOpened(case.id, case.company_id, actor.user_id))
        return detail(uow, actor, case)


def opening(uow: UnitOfWork, case: ExitCase) -> dict[str, Any]:
    """What the ledger keeps of a case's opening for program reports: the exit reason and the
    supplier as it stood then (name, corporate number, SME status)."""
    supplier = companies.views_by_id(uow, [case.company_id])[case.company_id]
    return {
        "reason": case.reason,
        "company": supplier.corporate_number or supplier.foreign_id,
        "company_name": supplier.name,
        "sme": supplier.sme,
    }


def get_case(uow: UnitOfWork, actor: Actor, case_id: int) -> CaseDetail:
    """One case with inventory, offers and history, if the actor may know of it."""
    with uow:
        return detail(uow, actor, load_case(uow, actor, case_id))


def list_cases(uow: UnitOfWork, actor: Actor, *, state: str | None = None) -> list[CaseSummary]:
    """Cases the actor may know of, newest first."""
    with uow:
        query = visible_cases(actor).order_by(ExitCase.id.desc())
        if state:
            query = query.where(ExitCase.state == _parse_state(state).value)
        cases = list(uow.session.execute(query).scalars())
        names = companies.views_by_id(uow, (c.company_id for c in cases))
        return [_summary(uow, case, names) for case in cases]


def count_by_state(uow: UnitOfWork, actor: Actor) -> dict[str, int]:
    with uow:
        visible = visible_cases(actor).subquery()
        rows = uow.session.execute(select(visible.c.state, func.count()).group_by(visible.c.state))
        return {str(state): int(count) for state, count in rows}


def _parse_state(value: str) -> CaseState:
    try:
        return CaseState(value)
    except ValueError:
        raise BadInput(
            Text(
                N_("state %(value)s is not one of: %(casestate)s"),
                {"value": repr(value), "casestate": ", ".join(CaseState)},
            )
        ) from None


def history(
    uow: UnitOfWork,
    actor: Actor,
    case: ExitCase,
    *,
    name: str,
    source: CaseState | None,
    target: CaseState,
    reason: str | None,
) -> None:
    """The case's own history row for a move (the ledger keeps the full record)."""
    uow.session.add(
        CaseTransitionRecord(
            case_id=case.id,
            name=str(name),
            from_state=source.value if source else None,
            to_state=target.value,
            actor_id=actor.user_id,
            actor_role=actor.role.value,
            at=uow.clock.now(),
            reason=reason,
        )
    )
    uow.session.flush()


def line_view(line: InventoryLine) -> InventoryLineView:
    return InventoryLineView(
        id=line.id,
        case_id=line.case_id,
        title=line.title,
        drawing_number=line.drawing_number,
        revision=line.revision,
        component=line.component,
        weapon_system=line.weapon_system,
        examined=line.examined_by_id is not None,
        examination_note=line.examination_note,
        document_id=line.document_id,
    )


def _summary(uow: UnitOfWork, case: ExitCase, names: dict[int, Any]) -> CaseSummary:
    company = names[case.company_id]
    today = uow.clock.today()
    return CaseSummary(
        id=case.id,
        state=case.state,
        company_corporate_number=company.corporate_number,
        company_name=company.name,
        reason=case.reason,
        planned_exit_date=case.planned_exit_date,
        days_remaining=days_remaining(case.planned_exit_date, today),
        overdue=is_overdue(CaseState(case.state), case.planned_exit_date, today),
        version=case.version,
    )


def detail(uow: UnitOfWork, actor: Actor, case: ExitCase) -> CaseDetail:
    """The case as `actor` may see it: the need-to-know table of `cases.domain` blanks the rest."""
    session = uow.session
    ids = [case.company_id] + ([case.successor_company_id] if case.successor_company_id else [])
    names = companies.views_by_id(uow, ids)
    successor = names.get(case.successor_company_id) if case.successor_company_id else None
    lines = session.execute(
        select(InventoryLine).where(InventoryLine.case_id == case.id).order_by(InventoryLine.id)
    ).scalars()
    moves = list(
        session.execute(
            select(CaseTransitionRecord)
            .where(CaseTransitionRecord.case_id == case.id)
            .order_by(CaseTransitionRecord.id)
        ).scalars()
    )
    users = accounts.usernames(uow, {m.actor_id for m in moves})
    measures = session.execute(
        select(CaseMeasure).where(CaseMeasure.case_id == case.id).order_by(CaseMeasure.measure_id)
    ).scalars()
    full = CaseDetail(
        **_summary(uow, case, names).model_dump(),
        opened_at=case.opened_at,
        successor_selected=successor is not None,
        successor_corporate_number=successor.corporate_number if successor else None,
        successor_name=successor.name if successor else None,
        agreed_amount_yen=case.agreed_amount_yen,
        available_transitions=[t.value for t in available_transitions(CaseState(case.state))],
        inventory=[line_view(line) for line in lines],
        offers=offers_of(uow, case.id),
        history=[
            HistoryItem(
                transition=m.name,
                from_state=m.from_state,
                to_state=m.to_state,
                actor=users[m.actor_id],
                role=m.actor_role,
                at=m.at,
                reason=stored_english(m.reason),
                reason_text=from_stored(m.reason) if m.reason else None,
            )
            for m in moves
        ],
        measures=[MeasureRef(id=m.measure_id, kind=m.kind, status=m.status) for m in measures],
        flags=flags_of(uow, case.id),
    )
    if not actor.is_company_bound:
        full.assigned = assigned_names(uow, case.id)
        if content_access_of(uow, actor, case.id) is ContentAccess.NONE:
            full = without_contents(full)
    return need_to_know(full, actor.role)


def without_contents(view: CaseDetail) -> CaseDetail:
    """The case's metadata only, for a program manager or auditor not assigned to it: no
    examiners' notes, no offers, no reasons of the moves that carry the rationale or the price."""
    return view.model_copy(
        update={
            "inventory": [line.model_copy(update={"examination_note": None}) for line in view.inventory],
            "offers": [],
            "history": [
                item.model_copy(update={"reason": None, "reason_text": None})
                if item.transition in CONTENT_REASONS
                else item
                for item in view.history
            ],
        }
    )


def need_to_know(view: CaseDetail, role: Role) -> CaseDetail:
    """`view` with every field `role` may not see blanked, nested views included."""
    shown = _blank_hidden(view, role, "")
    shown.history = [
        item
        if may_see(role, item.transition, HISTORY_REASONS_SEEN_BY)
        else item.model_copy(update={"reason": None, "reason_text": None})
        for item in shown.history
    ]
    return shown


def _blank_hidden(view: M, role: Role, prefix: str) -> M:
    update: dict[str, Any] = {}
    for name in type(view).model_fields:
        value = getattr(view, name)
        if not may_see(role, prefix + name):
            update[name] = [] if isinstance(value, list) else False if isinstance(value, bool) else None
        elif isinstance(value, list):
            update[name] = [
                _blank_hidden(v, role, f"{prefix}{name}.") if isinstance(v, BaseModel) else v for v in value
            ]
    return view.model_copy(update=update)
