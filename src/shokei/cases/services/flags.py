"""Flags on open cases: a company involved in a case (its supplier, its successor, or a
subcontractor holding a copy derived from it) was suspended. The companies feature publishes the
suspension and the reinstatement (`CompanySuspended`, `CompanyReinstated`); this feature flags the
cases it knows the company in (supplier, successor: `handlers.py`), and succession pushes down the
cases a subcontractor holds copies in (`flag_cases`), so cases imports nothing above it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import or_, select

from shokei.cases.domain import TERMINAL_STATES
from shokei.cases.models import CaseFlag, ExitCase
from shokei.cases.schemas import CaseFlagView
from shokei.companies import services as companies
from shokei.errors import from_stored, stored_english
from shokei.kernel.unit_of_work import UnitOfWork

COMPANY_SUSPENDED = "company_suspended"


def involvement_of(uow: UnitOfWork, company_id: int) -> dict[int, str]:
    """{open case id: "supplier" or "successor"} for the cases this feature knows the company in."""
    terminal = [state.value for state in TERMINAL_STATES]
    rows = uow.session.execute(
        select(ExitCase.id, ExitCase.company_id).where(
            or_(ExitCase.company_id == company_id, ExitCase.successor_company_id == company_id),
            ExitCase.state.not_in(terminal),
        )
    ).all()
    return {case_id: "supplier" if supplier == company_id else "successor" for case_id, supplier in rows}


def flag_cases(
    uow: UnitOfWork, company_id: int, involvement: Mapping[int, str], *, cause: str, reason: str
) -> list[int]:
    """Flag each open case of `involvement` ({case id: supplier | successor | subcontractor})
    for the suspended company, in the suspension's transaction; a case already flagged for the
    company (and not resolved) or no longer open is left as it is. The flagged case ids."""
    if not involvement:
        return []
    with uow.transaction() as session:
        terminal = [state.value for state in TERMINAL_STATES]
        open_ids = set(
            session.execute(
                select(ExitCase.id).where(ExitCase.id.in_(list(involvement)), ExitCase.state.not_in(terminal))
            ).scalars()
        )
        flagged = set(
            session.execute(
                select(CaseFlag.case_id).where(
                    CaseFlag.company_id == company_id,
                    CaseFlag.case_id.in_(list(involvement)),
                    CaseFlag.resolved_at.is_(None),
                )
            ).scalars()
        )
        raised: list[int] = []
        for case_id in sorted(open_ids - flagged):
            flag = CaseFlag(
                case_id=case_id,
                company_id=company_id,
                kind=COMPANY_SUSPENDED,
                involvement=involvement[case_id],
                cause=cause,
                reason=reason,
                raised_at=uow.clock.now(),
            )
            session.add(flag)
            session.flush()
            uow.record(
                "case:flag:raise",
                "case",
                case_id,
                None,
                after={"flag": flag.id, "kind": COMPANY_SUSPENDED, "involvement": flag.involvement},
                details={"company_id": company_id, "cause": cause, "reason": stored_english(reason)},
            )
            raised.append(case_id)
        return raised


def resolve_flags(uow: UnitOfWork, company_id: int, *, resolution: str) -> list[int]:
    """Resolve every open flag raised for the company (it was reinstated), in the reinstatement's
    transaction, with its reason. The cases whose flag was resolved."""
    with uow.transaction() as session:
        rows = list(
            session.execute(
                select(CaseFlag)
                .where(CaseFlag.company_id == company_id, CaseFlag.resolved_at.is_(None))
                .order_by(CaseFlag.id)
            ).scalars()
        )
        for flag in rows:
            flag.resolved_at, flag.resolution = uow.clock.now(), resolution
            session.flush()
            uow.record(
                "case:flag:resolve",
                "case",
                flag.case_id,
                None,
                before={"flag": flag.id, "resolved": False},
                after={"flag": flag.id, "resolved": True},
                details={"company_id": company_id, "resolution": resolution},
            )
        return [flag.case_id for flag in rows]


def flags_of(uow: UnitOfWork, case_id: int) -> list[CaseFlagView]:
    """The case's flags, open ones first, newest first within each (read inside `detail`, which
    applies the need-to-know table)."""
    rows: Sequence[CaseFlag] = list(
        uow.session.execute(select(CaseFlag).where(CaseFlag.case_id == case_id).order_by(CaseFlag.id.desc()))
        .scalars()
        .all()
    )
    names = companies.views_by_id(uow, [row.company_id for row in rows]) if rows else {}
    ordered = sorted(rows, key=lambda row: row.resolved_at is not None)
    return [
        CaseFlagView(
            id=row.id,
            kind=row.kind,
            corporate_number=names[row.company_id].corporate_number if row.company_id in names else None,
            company_name=names[row.company_id].name if row.company_id in names else "",
            involvement=row.involvement,
            cause=row.cause,
            reason=from_stored(row.reason).render(),
            reason_text=from_stored(row.reason),
            raised_at=row.raised_at,
            resolved_at=row.resolved_at,
            resolution=row.resolution,
        )
        for row in ordered
    ]
