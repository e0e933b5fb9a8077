"""Budget law on a real database (SQLite and PostgreSQL): a payment date in the future is
refused; a payment in FY+1 needs a recorded carry-over and is then booked to FY+1; closing a
year lapses what was neither paid nor carried and refuses later changes; a case whose purchase
is committed but neither paid, cancelled nor lapsed cannot close. Figures worked out by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from shokei.audit.models import AuditEntry
from shokei.cases import services as cases
from shokei.cases.domain import GuardRefused
from shokei.clock import FixedClock
from shokei.errors import BadInput, Conflict, Forbidden
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from shokei.purchase.domain import CarryOverRequired, YearClosed
from shokei.succession import services as succession
from tests.integration.examination.flow import BILLION, Desk

# 10:00 in Tokyo on these days (01:00 UTC)
APRIL_2027 = datetime(2027, 4, 10, 1, 0, tzinfo=UTC)


def _budget(uow: UnitOfWork, desk: Desk, year: int) -> dict[str, Any]:
    view = purchase.get_budget(uow, desk.auditor, fiscal_year=year)
    keys = ("committed", "paid", "carried_in", "carried_out", "lapsed", "available", "closed")
    return {key: getattr(view, key) for key in keys}


def _ledger(uow: UnitOfWork, action: str) -> list[dict[str, Any]]:
    with uow.transaction() as session:
        leaves = session.execute(
            select(AuditEntry.leaf).where(AuditEntry.action == action).order_by(AuditEntry.index)
        ).scalars()
        return [json.loads(leaf)["details"] for leaf in leaves]


def _approved(uow: UnitOfWork, desk: Desk, amount: int) -> int:
    case_id, _ = desk.agreed(amount)
    purchase.approve_purchase(uow, desk.manager, case_id)
    return case_id


def test_a_payment_dated_after_today_is_refused_and_changes_nothing(uow: UnitOfWork, desk: Desk) -> None:
    desk.fund(2026)
    case_id = _approved(uow, desk, 30_000_000)  # today is 2026-06-01 in Tokyo
    with pytest.raises(BadInput, match="2026-06-02 lies in the future"):
        purchase.pay_purchase(uow, desk.manager, case_id, paid_on=date(2026, 6, 2))
    with pytest.raises(BadInput, match="future"):
        purchase.pay_purchase(uow, desk.manager, case_id, paid_on=date(2027, 5, 10))
    assert _budget(uow, desk, 2026)["paid"] == 0
    assert _ledger(uow, "purchase:budget:pay") == []


def test_a_payment_in_the_next_year_needs_a_carry_over_and_is_booked_to_that_year(
    uow: UnitOfWork, desk: Desk, clock: FixedClock
) -> None:
    desk.fund(2026)
    desk.fund(2027, 500_000_000)
    case_id = _approved(uow, desk, 30_000_000)  # committed to FY2026 on 2026-06-01
    clock.at = APRIL_2027
    with pytest.raises(CarryOverRequired, match="falls in FY2027 but the commitment stands in FY2026"):
        purchase.pay_purchase(uow, desk.manager, case_id, paid_on=date(2027, 4, 10))
    with pytest.raises(Forbidden):
        purchase.carry_over(uow, desk.negotiator, case_id, to_fiscal_year=2027, reason="納期遅延")
    with pytest.raises(BadInput, match="into FY2027, not FY2028"):
        purchase.carry_over(uow, desk.manager, case_id, to_fiscal_year=2028, reason="納期遅延")

    carried = purchase.carry_over(uow, desk.manager, case_id, to_fiscal_year=2027, reason="納期遅延")
    assert (carried.from_fiscal_year, carried.to_fiscal_year, carried.amount_yen) == (2026, 2027, 30_000_000)
    with pytest.raises(Conflict, match="carried once"):
        purchase.carry_over(uow, desk.manager, case_id, to_fiscal_year=2028, reason="再延期")
    with pytest.raises(Conflict, match="carried over into FY2027"):
        purchase.pay_purchase(uow, desk.manager, case_id, paid_on=date(2027, 3, 31))
    paid = purchase.pay_purchase(uow, desk.manager, case_id, paid_on=date(2027, 4, 10))
    assert paid.budget_line is not None
    assert (paid.budget_line.fiscal_year, paid.budget_line.carried_from_fiscal_year) == (2027, 2026)

    # FY2026: 1,000,000,000 - 30,000,000 carried out = 970,000,000 available
    assert _budget(uow, desk, 2026) == {
        "committed": 0,
        "paid": 0,
        "carried_in": 0,
        "carried_out": 30_000_000,
        "lapsed": 0,
        "available": 970_000_000,
        "closed": False,
    }
    # FY2027: 500,000,000 + 30,000,000 carried in - 30,000,000 paid = 500,000,000 available
    assert _budget(uow, desk, 2027) == {
        "committed": 0,
        "paid": 30_000_000,
        "carried_in": 30_000_000,
        "carried_out": 0,
        "lapsed": 0,
        "available": 500_000_000,
        "closed": False,
    }
    [carry] = _ledger(uow, "purchase:budget:carry_over")
    assert (carry["amount_yen"], carry["from_fiscal_year"], carry["fiscal_year"]) == (30_000_000, 2026, 2027)
    [pay] = _ledger(uow, "purchase:budget:pay")
    assert (pay["amount_yen"], pay["fiscal_year"], pay["paid_on"]) == (30_000_000, 2027, "2027-04-10")


def test_closing_a_year_lapses_what_was_neither_paid_nor_carried_and_refuses_later_changes(
    uow: UnitOfWork, desk: Desk, clock: FixedClock
) -> None:
    desk.fund(2026)
    desk.fund(2027)
    paid = _approved(uow, desk, 30_000_000)
    carried = _approved(uow, desk, 45_000_000)
    lapsing = _approved(uow, desk, 120_000_000)
    purchase.pay_purchase(uow, desk.manager, paid, paid_on=date(2026, 6, 1))
    purchase.carry_over(uow, desk.manager, carried, to_fiscal_year=2027, reason="部品供給の遅延")
    with pytest.raises(Conflict, match="FY2026 runs until 2027-03-31"):
        purchase.close_fiscal_year(uow, desk.manager, fiscal_year=2026)

    clock.at = APRIL_2027
    with pytest.raises(Forbidden):
        purchase.close_fiscal_year(uow, desk.auditor, fiscal_year=2026)
    closed = purchase.close_fiscal_year(uow, desk.manager, fiscal_year=2026)
    assert [(line.case_id, line.status, line.lapsed_on) for line in closed.lapsed_lines] == [
        (lapsing, "lapsed", date(2027, 4, 10))
    ]
    # FY2026: 1,000,000,000 - 45,000,000 carried out - 30,000,000 paid = 925,000,000 unspent;
    # the 120,000,000 commitment lapsed
    assert _budget(uow, desk, 2026) == {
        "committed": 0,
        "paid": 30_000_000,
        "carried_in": 0,
        "carried_out": 45_000_000,
        "lapsed": 120_000_000,
        "available": 925_000_000,
        "closed": True,
    }
    assert _budget(uow, desk, 2027)["committed"] == 45_000_000  # the carried commitment stands
    [lapse] = _ledger(uow, "purchase:budget:lapse")
    assert (lapse["case"], lapse["amount_yen"], lapse["fiscal_year"]) == (lapsing, 120_000_000, 2026)
    [close] = _ledger(uow, "purchase:budget:close")
    assert (close["paid"], close["carried_out"], close["lapsed"], close["lapsed_cases"]) == (
        30_000_000,
        45_000_000,
        120_000_000,
        [lapsing],
    )

    with pytest.raises(YearClosed, match="FY2026 is closed"):
        purchase.close_fiscal_year(uow, desk.manager, fiscal_year=2026)
    with pytest.raises(YearClosed, match="no further appropriation changes"):
        purchase.set_appropriation(uow, desk.manager, fiscal_year=2026, amount_yen=2 * BILLION)
    with pytest.raises(Conflict, match="lapsed when FY2026 closed"):
        purchase.pay_purchase(uow, desk.manager, lapsing, paid_on=date(2027, 3, 31))
    with pytest.raises(Conflict, match="only a standing one"):
        purchase.carry_over(uow, desk.manager, lapsing, to_fiscal_year=2027, reason="遅すぎる")
    # the carried commitment is paid in FY2027, which is open
    purchase.pay_purchase(uow, desk.manager, carried, paid_on=date(2027, 4, 10))
    assert _budget(uow, desk, 2027)["paid"] == 45_000_000


def test_a_year_closed_refuses_commitments_made_in_it(uow: UnitOfWork, desk: Desk, clock: FixedClock) -> None:
    desk.fund(2026)
    case_id, _ = desk.agreed(10_000_000)
    clock.at = APRIL_2027
    purchase.close_fiscal_year(uow, desk.manager, fiscal_year=2026)
    clock.at = datetime(2027, 3, 31, 1, 0, tzinfo=UTC)  # an approval dated in the closed year
    with pytest.raises(YearClosed, match="no further commitments"):
        purchase.approve_purchase(uow, desk.manager, case_id)
    assert cases.get_case(uow, desk.auditor, case_id).state == "negotiating"


def _handed_over(desk: Desk) -> int:
    case_id = desk.open_case().id
    desk.to_successor_selection(case_id)  # 30,000,000 committed to the current year (FY2026)
    desk.select_successor(case_id)
    desk.hand_over_on_paper(case_id)
    return case_id


def test_a_case_with_a_commitment_neither_paid_cancelled_nor_lapsed_cannot_close(
    uow: UnitOfWork, desk: Desk, clock: FixedClock
) -> None:
    unpaid, paid = _handed_over(desk), _handed_over(desk)
    with pytest.raises(
        GuardRefused, match="its purchase is committed but neither paid, cancelled nor lapsed"
    ):
        succession.record_destruction_certificate(uow, desk.manager, unpaid, reference="廃棄証明 第1号")
    assert desk.get_state(unpaid) == "handed_over"  # the certificate was not kept either
    with pytest.raises(GuardRefused, match="certificate of destruction is not recorded"):
        desk.move(unpaid, "close", desk.manager)  # the refused certificate was rolled back

    purchase.pay_purchase(uow, desk.manager, paid, paid_on=date(2026, 6, 1))
    closed = succession.record_destruction_certificate(uow, desk.manager, paid, reference="廃棄証明 第2号")
    assert closed.state == "closed"

    clock.at = APRIL_2027  # FY2026 closes: the unpaid commitment lapses, and the case may close
    purchase.close_fiscal_year(uow, desk.manager, fiscal_year=2026)
    lapsed = succession.record_destruction_certificate(uow, desk.manager, unpaid, reference="廃棄証明 第3号")
    assert lapsed.state == "closed"
