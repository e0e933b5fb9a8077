"""The end of a fiscal year under Japanese budget law: carrying a commitment over into the next
year (繰越明許費), and closing the year (決算), which lapses every commitment neither paid nor
carried over and refuses any later commitment, payment or appropriation change in it.
Split from `budget` as what happens once a year; it uses the same locked budget rows.

Lock order as everywhere in purchase: the budget years (ascending), then the case, then the
ledger head.
"""

from __future__ import annotations

from sqlalchemy import select

from shokei.cases import services as cases
from shokei.errors import N_, Conflict, Text
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import presenters
from shokei.purchase.access import require_manager
from shokei.purchase.approval import approved_line
from shokei.purchase.budget import budget_position, carried_from, locked_position, locked_year
from shokei.purchase.domain import (
    LineStatus,
    NoAppropriation,
    check_carry_over,
    check_open,
    check_year_ended,
    yen,
)
from shokei.purchase.models import BudgetCarryOver, BudgetLine
from shokei.purchase.schemas import CarryOverView, YearCloseView


def carry_over(
    uow: UnitOfWork, actor: Actor, case_id: int, *, to_fiscal_year: int, reason: str
) -> CarryOverView:
    """Carry the case's unpaid commitment over into the next fiscal year, with a reason, before
    the year it stands in closes; it is then paid (or lapses) in that next year, whose budget
    authority it brings along. Once per commitment. Program managers."""
    require_manager(actor, N_("carry commitments over"))
    with uow.transaction() as session:
        case = cases.case_ref(uow, actor, case_id)
        line = approved_line(session, case, "carry over")
        if line.status != LineStatus.COMMITTED:
            raise Conflict(
                Text(
                    N_("the commitment of case %(id)s is %(status)s: only a standing one is carried over"),
                    {"id": case.id, "status": line.status},
                )
            )
        already = bool(carried_from(session, [line.id]))
        check_carry_over(line.fiscal_year, to_fiscal_year, reason, already_carried=already)
        source = line.fiscal_year
        check_open(locked_position(session, source), Text(N_("carry-overs")))
        check_open(locked_position(session, to_fiscal_year), Text(N_("carry-overs")))
        row = BudgetCarryOver(
            line_id=line.id,
            case_id=case.id,
            from_fiscal_year=source,
            to_fiscal_year=to_fiscal_year,
            amount_yen=line.amount_yen,
            reason=reason.strip(),
            approved_by_id=actor.user_id,
            approved_at=uow.clock.now(),
        )
        session.add(row)
        line.fiscal_year = to_fiscal_year
        session.flush()
        uow.record(
            "purchase:budget:carry_over",
            "budget",
            to_fiscal_year,
            actor,
            details={
                "case": case.id,
                "agreement": line.agreement_id,
                "amount_yen": line.amount_yen,
                "from_fiscal_year": source,
                "fiscal_year": to_fiscal_year,
                "reason": row.reason,
            },
        )
        return CarryOverView(
            case_id=case.id,
            agreement_id=line.agreement_id,
            amount_yen=line.amount_yen,
            from_fiscal_year=source,
            to_fiscal_year=to_fiscal_year,
            reason=row.reason,
            approved_by=actor.username,
            approved_at=row.approved_at,
        )


def close_fiscal_year(uow: UnitOfWork, actor: Actor, *, fiscal_year: int) -> YearCloseView:
    """Close an ended fiscal year: every commitment still standing in it (neither paid nor
    carried over) lapses, its case is told so (and may close), and the year takes no further
    commitment, payment, carry-over or appropriation change. Program managers."""
    require_manager(actor, N_("close fiscal years"))
    check_year_ended(fiscal_year, uow.clock.today())
    with uow.transaction() as session:
        row = locked_year(session, fiscal_year)
        if row is None:
            raise NoAppropriation(
                Text(
                    N_("no appropriation was ever set for FY%(fiscal_year)s: there is nothing to close"),
                    {"fiscal_year": fiscal_year},
                )
            )
        check_open(budget_position(session, fiscal_year, row), Text(N_("closing")))
        standing = list(
            session.execute(
                select(BudgetLine)
                .where(BudgetLine.fiscal_year == fiscal_year, BudgetLine.status == LineStatus.COMMITTED)
                .order_by(BudgetLine.id)
            ).scalars()
        )
        today = uow.clock.today()
        for line in standing:
            line.status, line.lapsed_on = LineStatus.LAPSED, today
            uow.record(
                "purchase:budget:lapse",
                "budget",
                fiscal_year,
                actor,
                details={
                    "case": line.case_id,
                    "agreement": line.agreement_id,
                    "amount_yen": line.amount_yen,
                    "fiscal_year": fiscal_year,
                },
            )
            cases.note_purchase_open(uow, line.case_id, open=False)
        row.closed_by_id, row.closed_at = actor.user_id, uow.clock.now()
        session.flush()
        final = budget_position(session, fiscal_year, row)
        uow.record(
            "purchase:budget:close",
            "budget",
            fiscal_year,
            actor,
            details={
                "fiscal_year": fiscal_year,
                "appropriation": final.appropriation,
                "paid": final.paid,
                "carried_in": final.carried_in,
                "carried_out": final.carried_out,
                "lapsed": final.lapsed,
                "lapsed_cases": [line.case_id for line in standing],
                "unspent": final.available,
                "summary": f"FY{fiscal_year} closed: {yen(final.lapsed)} lapsed",
            },
        )
        names = cases.company_names(uow, {line.case_id for line in standing})
        return YearCloseView(
            budget=presenters.summary(final),
            lapsed_lines=[presenters.line_view(line, names[line.case_id]) for line in standing],
        )
