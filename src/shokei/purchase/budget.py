"""The fiscal-year budget: setting and reading a year's appropriation, the demo budgets, and the
budget-row helpers every commitment, payment and release goes through (the year's row locked
first, then the year's lines summed, so two approvals can never both spend the same yen).
Split from `services` so that everything about the budget's integrity (locking, totals, the
ledger events tagged `purchase:budget:*`) is in one place; approval and cancellation use its
helpers to commit and release lines.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shokei.cases import services as cases
from shokei.errors import N_, Conflict, Text
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import presenters
from shokei.purchase.access import require_manager, require_reader
from shokei.purchase.domain import (
    BudgetPosition,
    LineStatus,
    NoAppropriation,
    check_appropriation,
    check_fiscal_year,
    fiscal_year,
    fiscal_year_span,
)
from shokei.purchase.models import BudgetCarryOver, BudgetLine, BudgetYear
from shokei.purchase.schemas import BudgetView

DEMO_APPROPRIATION_YEN = 1_000_000_000  # the program's FY2022 request (docs/domain.md)


def set_appropriation(uow: UnitOfWork, actor: Actor, *, fiscal_year: int, amount_yen: int) -> BudgetView:
    """Set a fiscal year's appropriation; never below what is already committed or paid.
    Program managers."""
    require_manager(actor, N_("set appropriations"))
    check_fiscal_year(fiscal_year)
    with uow.transaction() as session:
        row = locked_year(session, fiscal_year)
        check_appropriation(budget_position(session, fiscal_year, row), amount_yen)
        before = {"appropriation": row.appropriation_yen} if row else None
        if row is None:
            row = BudgetYear(
                fiscal_year=fiscal_year,
                appropriation_yen=amount_yen,
                set_by_id=actor.user_id,
                set_at=uow.clock.now(),
            )
            _add_year(session, row)
        row.appropriation_yen, row.set_by_id, row.set_at = amount_yen, actor.user_id, uow.clock.now()
        session.flush()
        uow.record(
            "purchase:budget:set",
            "budget",
            fiscal_year,
            actor,
            before=before,
            after={"appropriation": amount_yen},
            details={"fiscal_year": fiscal_year},
        )
        return _budget_view(uow, fiscal_year)


def get_budget(uow: UnitOfWork, actor: Actor, *, fiscal_year: int) -> BudgetView:
    """A fiscal year's appropriation, committed, paid and available amounts, and its lines.
    Officials and auditors."""
    require_reader(actor)
    check_fiscal_year(fiscal_year)
    with uow.transaction():
        return _budget_view(uow, fiscal_year)


def seed_demo_budgets(uow: UnitOfWork, manager: Actor) -> list[BudgetView]:
    """Demo data: ¥1,000,000,000 for FY2022 (the program's first year) and for the current fiscal
    year, where no appropriation is set yet. Call before the demo approves purchases."""
    years = sorted({2022, fiscal_year(uow.clock.today())})
    for year in years:
        if not get_budget(uow, manager, fiscal_year=year).appropriation_set:
            set_appropriation(uow, manager, fiscal_year=year, amount_yen=DEMO_APPROPRIATION_YEN)
    return [get_budget(uow, manager, fiscal_year=year) for year in years]


# -- helpers: the budget rows -------------------------------------------------------------------


def locked_year(session: Session, year: int) -> BudgetYear | None:
    """The year's row, locked until the transaction ends: commitments to one year queue here."""
    query = select(BudgetYear).where(BudgetYear.fiscal_year == year).with_for_update()
    return session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()


def locked_position(session: Session, year: int) -> BudgetPosition:
    row = locked_year(session, year)
    if row is None:
        raise NoAppropriation(
            Text(
                N_(
                    "no appropriation is set for FY%(year)s: a program manager sets it "
                    "with `shokei budget set --fy %(year)s --amount YEN`"
                ),
                {"year": year},
            )
        )
    return budget_position(session, year, row)


def budget_position(session: Session, year: int, row: BudgetYear | None = None) -> BudgetPosition:
    """The year's totals, summed from its lines and carry-overs (read after the lock, so they
    are current)."""
    row = row or session.get(BudgetYear, year)
    sums = session.execute(
        select(BudgetLine.status, func.sum(BudgetLine.amount_yen))
        .where(BudgetLine.fiscal_year == year)
        .group_by(BudgetLine.status)
    ).all()
    totals = {status: int(total or 0) for status, total in sums}
    carried_in, carried_out = (
        int(
            session.execute(
                select(func.coalesce(func.sum(BudgetCarryOver.amount_yen), 0)).where(column == year)
            ).scalar_one()
        )
        for column in (BudgetCarryOver.to_fiscal_year, BudgetCarryOver.from_fiscal_year)
    )
    return BudgetPosition(
        year,
        row.appropriation_yen if row else 0,
        totals.get(LineStatus.COMMITTED, 0),
        totals.get(LineStatus.PAID, 0),
        carried_in=carried_in,
        carried_out=carried_out,
        lapsed=totals.get(LineStatus.LAPSED, 0),
        closed=row is not None and row.closed_at is not None,
    )


def _add_year(session: Session, row: BudgetYear) -> None:
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict(
            Text(
                N_("FY%(fiscal_year)s was set by someone else at the same time; retry"),
                {"fiscal_year": row.fiscal_year},
            )
        ) from None


def carried_from(session: Session, line_ids: list[int]) -> dict[int, int]:
    """The fiscal year each carried-over line among `line_ids` was carried from."""
    if not line_ids:
        return {}
    rows = session.execute(
        select(BudgetCarryOver.line_id, BudgetCarryOver.from_fiscal_year).where(
            BudgetCarryOver.line_id.in_(line_ids)
        )
    )
    return {int(line_id): int(year) for line_id, year in rows}


def _budget_view(uow: UnitOfWork, year: int) -> BudgetView:
    session = uow.session
    row = session.get(BudgetYear, year)
    position = budget_position(session, year, row)
    lines = list(
        session.execute(
            select(BudgetLine).where(BudgetLine.fiscal_year == year).order_by(BudgetLine.id)
        ).scalars()
    )
    names = cases.company_names(uow, {line.case_id for line in lines})
    carried = carried_from(session, [line.id for line in lines])
    starts, ends = fiscal_year_span(year)
    return BudgetView(
        **presenters.summary(position).model_dump(),
        starts=starts,
        ends=ends,
        appropriation_set=row is not None,
        closed_at=row.closed_at if row else None,
        lines=[presenters.line_view(line, names[line.case_id], carried.get(line.id)) for line in lines],
    )
