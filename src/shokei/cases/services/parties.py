"""What the features acting on a case's parties (succession) read of cases: the case as a
`CaseRef`, the cases a company withdraws from or succeeds in, the open successions of many
companies at once (set-based: one query per batch of ids, whatever their number), and the weapon
systems a case's inventory names. Each joins the caller's transaction (or opens one)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from shokei.cases.domain import TERMINAL_STATES, CaseRef, CaseState
from shokei.cases.models import ExitCase, InventoryLine
from shokei.cases.services.access import ref_of, visible_cases
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork

BATCH = 500


def _terminal() -> list[str]:
    return [state.value for state in TERMINAL_STATES]


def visible_case_ref(uow: UnitOfWork, actor: Actor, case_id: int) -> CaseRef | None:
    """The case if the actor may know of it, else None (the caller names its own refusal)."""
    with uow:
        case = uow.session.execute(visible_cases(actor).where(ExitCase.id == case_id)).scalar_one_or_none()
        return ref_of(case) if case is not None else None


def case_refs(uow: UnitOfWork, case_ids: Iterable[int]) -> dict[int, CaseRef]:
    """The cases by id (those that exist), for a use case that has already decided who may know."""
    wanted = sorted(set(case_ids))
    found: dict[int, CaseRef] = {}
    with uow:
        for start in range(0, len(wanted), BATCH):
            rows = uow.session.execute(select(ExitCase).where(ExitCase.id.in_(wanted[start : start + BATCH])))
            found.update({case.id: ref_of(case) for case in rows.scalars()})
    return found


def awaiting_successor(uow: UnitOfWork, actor: Actor) -> list[CaseRef]:
    """The cases the actor may know of in successor selection with no successor chosen yet."""
    with uow:
        query = visible_cases(actor).where(
            ExitCase.state == CaseState.SUCCESSOR_SELECTION.value, ExitCase.successor_company_id.is_(None)
        )
        return [ref_of(case) for case in uow.session.execute(query.order_by(ExitCase.id)).scalars()]


def open_succession_counts(uow: UnitOfWork, company_ids: Iterable[int]) -> dict[int, int]:
    """How many cases not yet terminal each company is the successor of (absent: none)."""
    wanted = sorted(set(company_ids))
    counts: dict[int, int] = {}
    with uow:
        for start in range(0, len(wanted), BATCH):
            rows = uow.session.execute(
                select(ExitCase.successor_company_id, func.count())
                .where(
                    ExitCase.successor_company_id.in_(wanted[start : start + BATCH]),
                    ExitCase.state.not_in(_terminal()),
                )
                .group_by(ExitCase.successor_company_id)
            ).all()
            counts.update({int(company): int(count) for company, count in rows if company is not None})
    return counts


def open_successions(uow: UnitOfWork, company_id: int) -> list[int]:
    """The cases not yet terminal of which the company is the selected successor, by id."""
    with uow:
        query = (
            select(ExitCase.id)
            .where(ExitCase.successor_company_id == company_id, ExitCase.state.not_in(_terminal()))
            .order_by(ExitCase.id)
        )
        return list(uow.session.execute(query).scalars())


def cases_of_company(uow: UnitOfWork, company_id: int) -> tuple[list[int], list[int]]:
    """(the cases the company withdraws from, the cases it was selected to succeed in), by id."""
    with uow:
        withdrawing = uow.session.execute(
            select(ExitCase.id).where(ExitCase.company_id == company_id).order_by(ExitCase.id)
        ).scalars()
        succeeding = uow.session.execute(
            select(ExitCase.id).where(ExitCase.successor_company_id == company_id).order_by(ExitCase.id)
        ).scalars()
        return list(withdrawing), list(succeeding)


def inventory_weapon_systems(uow: UnitOfWork, case_id: int) -> set[str]:
    """The weapon systems the case's inventory lines name (as written)."""
    with uow:
        query = select(InventoryLine.weapon_system).where(
            InventoryLine.case_id == case_id, InventoryLine.weapon_system.is_not(None)
        )
        return {name for name in uow.session.execute(query).scalars() if name is not None}
