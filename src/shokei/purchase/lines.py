"""The budget's lines other than document purchases (issue 17): a measure's money (a facility
acquired under Art. 29) is committed against its own line's appropriation for the fiscal year,
separately from document purchases, whose appropriation and commitments stay in `budget`.

The same integrity as the purchases line: a commitment locks its year's row on its line
(`SELECT ... FOR UPDATE` on PostgreSQL; BEGIN IMMEDIATE on SQLite) and only then sums the line's
commitments, so two acquisitions can never both spend the same yen.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shokei.errors import N_, BadInput, Conflict, Text
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase.access import require_manager, require_reader
from shokei.purchase.domain import (
    BudgetLineName,
    BudgetPosition,
    LineStatus,
    NoAppropriation,
    check_appropriation,
    check_commitment,
    check_fiscal_year,
    fiscal_year,
    fiscal_year_span,
)
from shokei.purchase.models import LineAppropriation, LineCommitment
from shokei.purchase.schemas import LineBudgetView, LineCommitmentView


def _other_line(line: BudgetLineName) -> BudgetLineName:
    if line is BudgetLineName.PURCHASES:
        raise BadInput(Text(N_("the purchases line is kept by `budget`, not here")))
    return line


def set_line_appropriation(
    uow: UnitOfWork, actor: Actor, *, fiscal_year: int, line: BudgetLineName, amount_yen: int
) -> LineBudgetView:
    """Set a fiscal year's appropriation on a line other than purchases; never below what is
    already committed on it. Program managers."""
    require_manager(actor, N_("set appropriations"))
    check_fiscal_year(fiscal_year)
    _other_line(line)
    with uow.transaction() as session:
        row = _locked(session, fiscal_year, line)
        check_appropriation(_position(session, fiscal_year, line, row), amount_yen)
        before = {"appropriation": row.appropriation_yen} if row else None
        now = uow.clock.now()
        if row is None:
            row = LineAppropriation(fiscal_year=fiscal_year, line=line.value)
            row.appropriation_yen, row.set_by_id, row.set_at = amount_yen, actor.user_id, now
            _add(session, row)
        row.appropriation_yen, row.set_by_id, row.set_at = amount_yen, actor.user_id, now
        session.flush()
        uow.record(
            "purchase:budget:set",
            "budget",
            fiscal_year,
            actor,
            before=before,
            after={"appropriation": amount_yen},
            details={"fiscal_year": fiscal_year, "line": line.value},
        )
        return _view(session, fiscal_year, line)


def get_line_budget(
    uow: UnitOfWork, actor: Actor, *, fiscal_year: int, line: BudgetLineName
) -> LineBudgetView:
    """A fiscal year's appropriation, committed and available amounts on a line other than
    purchases, and its commitments. Officials and auditors."""
    require_reader(actor)
    check_fiscal_year(fiscal_year)
    with uow.transaction() as session:
        return _view(session, fiscal_year, _other_line(line))


def commit_on_line(
    uow: UnitOfWork,
    actor: Actor,
    *,
    line: BudgetLineName,
    on: date,
    amount_yen: int,
    case_id: int,
    subject: str,
) -> LineCommitmentView:
    """Commit `amount_yen` on `line` in the fiscal year of `on`, for `subject` ("facility:3"),
    inside the caller's transaction; refused (Conflict) when the line's appropriation cannot carry
    it. Program managers (the measures feature calls it inside its own use case)."""
    require_manager(actor, N_("commit a budget"))
    if amount_yen <= 0:
        raise BadInput(Text(N_("an amount committed is a positive number of yen")))
    year = check_fiscal_year(fiscal_year(on))
    with uow.transaction() as session:
        row = _locked(session, year, _other_line(line))
        if row is None:
            raise NoAppropriation(
                Text(
                    N_(
                        "no appropriation is set for FY%(year)s on the %(line)s line: a "
                        "program manager sets it with `shokei budget set --fy %(year)s "
                        "--amount YEN --line %(line)s`"
                    ),
                    {"year": year, "line": line.value},
                )
            )
        check_commitment(_position(session, year, line, row), amount_yen, f"{subject} ({line.value})")
        commitment = LineCommitment(
            fiscal_year=year,
            line=line.value,
            case_id=case_id,
            subject=subject,
            amount_yen=amount_yen,
            status=LineStatus.COMMITTED.value,
            committed_on=on,
            committed_by_id=actor.user_id,
        )
        session.add(commitment)
        session.flush()
        # The fields the ledger's readers (reporting) replay a commitment from, as the purchases
        # line records them; `agreement` is the key that joins a commitment to what follows it.
        details = {
            "case": case_id,
            "agreement": f"{line.value}:{commitment.id}",
            "commitment": commitment.id,
            "amount_yen": amount_yen,
            "fiscal_year": year,
            "line": line.value,
            "subject": subject,
            "available_after": _position(session, year, line, row).available,
        }
        uow.record("purchase:budget:commit", "budget", year, actor, details=details)
        return _commitment_view(commitment)


# -- helpers -----------------------------------------------------------------------------------


def _locked(session: Session, year: int, line: BudgetLineName) -> LineAppropriation | None:
    """The year's row on the line, locked until the transaction ends: commitments queue here."""
    query = (
        select(LineAppropriation)
        .where(LineAppropriation.fiscal_year == year, LineAppropriation.line == line.value)
        .with_for_update()
    )
    return session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()


def _position(
    session: Session, year: int, line: BudgetLineName, row: LineAppropriation | None
) -> BudgetPosition:
    committed = session.execute(
        select(func.coalesce(func.sum(LineCommitment.amount_yen), 0)).where(
            LineCommitment.fiscal_year == year,
            LineCommitment.line == line.value,
            LineCommitment.status == LineStatus.COMMITTED.value,
        )
    ).scalar_one()
    return BudgetPosition(year, row.appropriation_yen if row else 0, int(committed), 0)


def _add(session: Session, row: LineAppropriation) -> None:
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict(
            Text(
                N_("FY%(fiscal_year)s (%(line)s) was set by someone else at the same time; retry"),
                {"fiscal_year": row.fiscal_year, "line": row.line},
            )
        ) from None


def _commitment_view(row: LineCommitment) -> LineCommitmentView:
    return LineCommitmentView(
        id=row.id,
        fiscal_year=row.fiscal_year,
        line=row.line,
        case_id=row.case_id,
        subject=row.subject,
        amount_yen=row.amount_yen,
        status=row.status,
        committed_on=row.committed_on,
    )


def _view(session: Session, year: int, line: BudgetLineName) -> LineBudgetView:
    row = session.get(LineAppropriation, (year, line.value))
    position = _position(session, year, line, row)
    rows = session.execute(
        select(LineCommitment)
        .where(LineCommitment.fiscal_year == year, LineCommitment.line == line.value)
        .order_by(LineCommitment.id)
    ).scalars()
    starts, ends = fiscal_year_span(year)
    return LineBudgetView(
        fiscal_year=year,
        line=line.value,
        starts=starts,
        ends=ends,
        appropriation_set=row is not None,
        appropriation=position.appropriation,
        committed=position.committed,
        paid=position.paid,
        available=position.available,
        commitments=[_commitment_view(r) for r in rows],
    )
