"""A clock jump backwards (an NTP step, a VM restored from a snapshot) on a real database
(SQLite and PostgreSQL): no ledger or budget damage.

What must happen, decided here:
- the ledger orders by index, never by time: appends go on in strict, gapless index order while
  their timestamps run backwards, and `audit verify` passes (the hash chain does not depend on
  the clock), also against a checkpoint a witness holds from before the jump;
- the ledger keeps signing: a newest checkpoint stamped after now makes the next one due at once,
  and `seal_tail` signs an unsigned entry stamped after now at once, instead of both waiting
  hours for the clock to catch up;
- the budget takes nothing into a fiscal year that was closed before the jump (the approval is
  refused, nothing is committed), a payment dated on the true day lies in the jumped clock's
  future and is refused, and a payment dated before its approval is refused; once the clock is
  right the same acts succeed, booked to the year they belong to. Figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from shokei.audit import services as audit
from shokei.audit.domain import CheckpointPolicy, LedgerConfig
from shokei.audit.models import AuditEntry
from shokei.audit.notes import NoteSigner, generate_signer
from shokei.cases import services as cases
from shokei.clock import FixedClock
from shokei.errors import BadInput
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from shokei.purchase.domain import YearClosed
from tests.integration.examination.flow import BILLION, Desk

ORIGIN = "clock-jump.shokei.example/ledger"


def _tokyo(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour - 9, tzinfo=UTC)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


@pytest.fixture
def signed(uow: UnitOfWork, clock: FixedClock) -> UnitOfWork:
    """The test database with a ledger key: checkpoints every 1,000 entries or 60 minutes."""
    signer, verifier = generate_signer("clock-jump")
    config = LedgerConfig(ORIGIN, verifier, NoteSigner.parse(signer), CheckpointPolicy(1000, 60))
    return UnitOfWork(uow.engine, clock, ledger=config)


def test_a_clock_jump_backwards_leaves_the_ledger_ordered_signed_and_verifiable(
    signed: UnitOfWork, clock: FixedClock
) -> None:
    before_jump = _tokyo(2027, 3, 31, 12)
    clock.at = before_jump
    desk = Desk(signed)
    desk.under_examination()
    published = audit.make_checkpoint(signed, desk.auditor)  # what a witness holds

    jumped = before_jump - timedelta(hours=3)
    clock.at = jumped
    desk.under_examination()  # use cases go on while time runs backwards

    with signed.transaction() as session:
        rows = session.execute(select(AuditEntry.index, AuditEntry.at).order_by(AuditEntry.index)).all()
    assert [index for index, _ in rows] == list(range(len(rows)))
    assert _utc(rows[published.size - 1].at) == before_jump
    assert _utc(rows[published.size].at) == jumped  # the first entry after the jump is "older"
    assert len(rows) > published.size + 1

    # The newest checkpoint was stamped in the future: the first append after the jump signed
    # one at once, and the appends after it (stamped at the same moment) did not.
    checkpoints = audit.list_checkpoints(signed, desk.auditor)
    assert checkpoints[-2].size == published.size
    assert _utc(checkpoints[-1].created_at) == jumped
    assert published.size < checkpoints[-1].size < len(rows)

    tail = audit.verify_ledger(signed, desk.auditor).unsigned_tail
    assert tail is not None
    assert (tail.entries, tail.oldest_seconds) == (len(rows) - checkpoints[-1].size, 0.0)
    assert audit.seal_tail(signed) is None  # stamped now: it waits its 30 s as usual
    clock.at = jumped - timedelta(minutes=1)  # ...until the clock goes back once more
    sealed = audit.seal_tail(signed)
    assert sealed is not None
    assert sealed.size == len(rows)

    report = audit.verify_ledger(signed, desk.auditor, against=[published.note])
    assert report.ok, report.problems
    assert (report.size, report.signed_size) == (len(rows), len(rows))
    assert [c.size for c in audit.list_checkpoints(signed, desk.auditor)][-1] == len(rows)
    assert report.unsigned_tail is not None
    assert report.unsigned_tail.entries == 0


def _budget(uow: UnitOfWork, desk: Desk, year: int) -> dict[str, Any]:
    view = purchase.get_budget(uow, desk.auditor, fiscal_year=year)
    keys = ("appropriation", "committed", "paid", "lapsed", "available", "closed")
    return {key: getattr(view, key) for key in keys}


def _budget_entries(uow: UnitOfWork) -> int:
    with uow.transaction() as session:
        query = (
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("purchase:budget:%"))
        )
        return int(session.execute(query).scalar_one())


def test_a_clock_jump_back_over_the_year_end_books_nothing_into_the_closed_year(
    signed: UnitOfWork, clock: FixedClock
) -> None:
    clock.at = _tokyo(2027, 3, 20)
    desk = Desk(signed)
    desk.fund(2026)
    paid_case, _ = desk.agreed(30_000_000)
    purchase.approve_purchase(signed, desk.manager, paid_case)  # FY2026, committed on 2027-03-20
    purchase.pay_purchase(signed, desk.manager, paid_case, paid_on=date(2027, 3, 20))

    clock.at = _tokyo(2027, 4, 2)
    desk.fund(2027, 500_000_000)
    purchase.close_fiscal_year(signed, desk.manager, fiscal_year=2026)
    waiting, _ = desk.agreed(45_000_000)
    unpaid, _ = desk.agreed(20_000_000)
    purchase.approve_purchase(signed, desk.manager, unpaid)  # FY2027, committed on 2027-04-02
    budgets = {year: _budget(signed, desk, year) for year in (2026, 2027)}
    entries = _budget_entries(signed)

    clock.at = _tokyo(2027, 3, 31)  # the clock jumps back over the year end
    with pytest.raises(YearClosed, match="FY2026 is closed"):
        purchase.approve_purchase(signed, desk.manager, waiting)
    with pytest.raises(BadInput, match="2027-04-02 lies in the future"):
        purchase.pay_purchase(signed, desk.manager, unpaid, paid_on=date(2027, 4, 2))
    with pytest.raises(BadInput, match="precede the approval on 2027-04-02"):
        purchase.pay_purchase(signed, desk.manager, unpaid, paid_on=date(2027, 3, 31))
    assert {year: _budget(signed, desk, year) for year in (2026, 2027)} == budgets
    assert _budget_entries(signed) == entries
    assert cases.get_case(signed, desk.manager, waiting).state == "negotiating"

    clock.at = _tokyo(2027, 4, 3)  # the clock is set right: the same acts go through
    approved = purchase.approve_purchase(signed, desk.manager, waiting)
    assert approved.fiscal_year == 2027
    purchase.pay_purchase(signed, desk.manager, unpaid, paid_on=date(2027, 4, 2))
    # FY2026 as closed: 1,000,000,000 - 30,000,000 paid = 970,000,000
    assert _budget(signed, desk, 2026) == {
        "appropriation": BILLION,
        "committed": 0,
        "paid": 30_000_000,
        "lapsed": 0,
        "available": 970_000_000,
        "closed": True,
    }
    # FY2027: 500,000,000 - 45,000,000 committed - 20,000,000 paid = 435,000,000
    assert _budget(signed, desk, 2027) == {
        "appropriation": 500_000_000,
        "committed": 45_000_000,
        "paid": 20_000_000,
        "lapsed": 0,
        "available": 435_000_000,
        "closed": False,
    }
    assert audit.verify_ledger(signed, desk.auditor).ok
