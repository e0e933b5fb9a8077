"""Need-to-know: every case query starts from `visible_cases`, so no adapter can forget it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select

from shokei.cases.domain import CaseRef, CaseState
from shokei.cases.domain.assignment import ASSIGNED_ONLY_ROLES, NOT_ASSIGNED
from shokei.cases.models import CaseAssignment, ExitCase
from shokei.companies import services as companies
from shokei.errors import N_, Forbidden, NotFound, Text
from shokei.kernel import Actor, Permission, Role, role_name
from shokei.kernel.unit_of_work import UnitOfWork


def visible_cases(actor: Actor) -> Select[ExitCase]:
    """Every case query starts here, so no adapter can forget the row filter: a company sees its
    own cases, an intake officer, examiner or negotiator the cases assigned to them, a program
    manager or auditor every case (its contents are decided by `assignment.content_access`)."""
    if not actor.can(Permission.CASE_READ):
        raise Forbidden(Text(N_("%(role)s may not read cases"), {"role": role_name(actor.role)}))
    query = select(ExitCase)
    if actor.role is Role.SUPPLIER:
        return query.where(ExitCase.company_id == actor.company_id)
    if actor.role is Role.SUCCESSOR:
        return query.where(ExitCase.successor_company_id == actor.company_id)
    if actor.role in ASSIGNED_ONLY_ROLES:
        return query.where(ExitCase.id.in_(assigned_case_ids(actor.user_id)))
    return query


def assigned_case_ids(user_id: int) -> Select[int]:
    """The cases `user_id` is assigned to."""
    return select(CaseAssignment.case_id).where(CaseAssignment.user_id == user_id)


def visible_case_ids(actor: Actor) -> Select[int]:
    """Ids of the cases this actor may know of, for other features' row filters."""
    return visible_cases(actor).with_only_columns(ExitCase.id)


def case_parties(uow: UnitOfWork, case_id: int) -> tuple[int, int | None]:
    """The withdrawing company and the successor (None before one is selected), for the features
    that address a case's parties on its behalf (the clocks), not for a user's read."""
    with uow:
        company_id, successor_id = uow.session.execute(
            select(ExitCase.company_id, ExitCase.successor_company_id).where(ExitCase.id == case_id)
        ).one()
        return company_id, successor_id


def load_case(uow: UnitOfWork, actor: Actor, case_id: int, *, for_update: bool = False) -> ExitCase:
    """The case row, if the actor may know of it (inside the open transaction); `for_update`
    locks it until the transaction ends (PostgreSQL; SQLite's writers are already serialised)."""
    query = visible_cases(actor).where(ExitCase.id == case_id)
    case = uow.session.execute(query.with_for_update() if for_update else query).scalar_one_or_none()
    if case is None:
        refuse_unassigned(uow, actor, case_id)
        raise NotFound(Text(N_("no case %(case_id)s"), {"case_id": case_id}))
    return case


def refuse_unassigned(uow: UnitOfWork, actor: Actor, case_id: int) -> None:
    """An official who is not assigned to an existing case is told so (the case's existence is
    no secret inside the ministry; its contents are), rather than that it does not exist."""
    if actor.role in ASSIGNED_ONLY_ROLES and uow.session.get(ExitCase, case_id) is not None:
        raise Forbidden(Text(NOT_ASSIGNED, {"case": case_id}))


def case_ref(uow: UnitOfWork, actor: Actor, case_id: int) -> CaseRef:
    """The case, if the actor may know of it."""
    with uow:
        return ref_of(load_case(uow, actor, case_id))


def company_names(uow: UnitOfWork, case_ids: Iterable[int]) -> dict[int, str]:
    """The withdrawing company's name for each case."""
    with uow:
        rows = uow.session.execute(
            select(ExitCase.id, ExitCase.company_id).where(ExitCase.id.in_(set(case_ids)))
        ).all()
        names = companies.views_by_id(uow, {company for _, company in rows})
        return {case: names[company].name for case, company in rows}


def ref_of(case: ExitCase) -> CaseRef:
    return CaseRef(
        case.id,
        case.company_id,
        CaseState(case.state),
        case.agreed_amount_yen,
        case.version,
        case.successor_company_id,
    )


def snapshot(case: ExitCase) -> dict[str, Any]:
    """The case fields a ledger entry shows before and after a change."""
    return {
        "state": case.state,
        "version": case.version,
        "successor_company_id": case.successor_company_id,
        "agreed_amount_yen": case.agreed_amount_yen,
    }
