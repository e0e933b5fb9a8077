"""The program report on a real database (SQLite and PostgreSQL), computed from the ledger:
budget figures after a payment, a carry-over and a lapse, case counts and days in each state,
the checkpoint it states, and who may read it. Expected figures are worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from shokei.audit.merkle import leaf_hash, root_from_leaf_hashes
from shokei.audit.models import AuditEntry
from shokei.cases import services as cases
from shokei.clock import FixedClock
from shokei.errors import BadInput, Forbidden
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from shokei.reporting import services as reporting
from tests.integration.examination.flow import Desk

APRIL_2027 = datetime(2027, 4, 10, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo


def _approved(uow: UnitOfWork, desk: Desk, amount: int) -> int:
    case_id, _ = desk.agreed(amount)
    purchase.approve_purchase(uow, desk.manager, case_id)
    return case_id


def test_budget_figures_after_a_payment_a_carry_over_and_a_lapse(
    uow: UnitOfWork, desk: Desk, clock: FixedClock
) -> None:
    desk.fund(2026)
    desk.fund(2027, 500_000_000)
    paid = _approved(uow, desk, 30_000_000)
    carried = _approved(uow, desk, 45_000_000)
    _approved(uow, desk, 120_000_000)
    purchase.pay_purchase(uow, desk.manager, paid, paid_on=date(2026, 6, 1))
    purchase.carry_over(uow, desk.manager, carried, to_fiscal_year=2027, reason="部品供給の遅延")
    clock.at = APRIL_2027
    purchase.close_fiscal_year(uow, desk.manager, fiscal_year=2026)

    fy2026 = reporting.program_report(uow, desk.auditor, fiscal_year=2026)
    # 30,000,000 paid; 45,000,000 carried into FY2027; 120,000,000 neither: lapsed
    assert fy2026["budget"] == {
        "purchases": {
            "appropriated": 1_000_000_000,
            "committed": 0,
            "paid": 30_000_000,
            "carried_in": 0,
            "carried_out": 45_000_000,
            "lapsed": 120_000_000,
        }
    }
    # three cases opened on 2026-06-01, each moved on to purchase_agreed that day
    assert (fy2026["cases"]["opened"], fy2026["cases"]["closed"]) == (3, 0)
    assert fy2026["cases"]["by_state"] == {"purchase_agreed": 3}
    assert (fy2026["copies"], fy2026["incidents"]) == (
        {"issued": 0, "recalled": 0, "destroyed": 0, "outstanding": 0},
        [],
    )
    fy2027 = reporting.program_report(uow, desk.manager, fiscal_year=2027)
    assert fy2027["budget"]["purchases"] == {
        "appropriated": 500_000_000,
        "committed": 45_000_000,
        "paid": 0,
        "carried_in": 45_000_000,
        "carried_out": 0,
        "lapsed": 0,
    }
    assert fy2027["cases"]["opened"] == 0
    # the same figures `budget show` gives
    shown = purchase.get_budget(uow, desk.auditor, fiscal_year=2027)
    assert (shown.committed, shown.paid, shown.carried_in, shown.carried_out, shown.lapsed) == (
        45_000_000,
        0,
        45_000_000,
        0,
        0,
    )


def test_the_report_states_the_ledger_size_and_root_it_was_computed_at(uow: UnitOfWork, desk: Desk) -> None:
    desk.fund(2026)
    _approved(uow, desk, 30_000_000)
    with uow.transaction() as session:
        leaves = list(session.execute(select(AuditEntry.leaf).order_by(AuditEntry.index)).scalars())
    report = reporting.program_report(uow, desk.auditor, fiscal_year=2026)
    assert report["checkpoint"] == {
        "tree_size": len(leaves),
        "root_hash": root_from_leaf_hashes(leaf_hash(leaf) for leaf in leaves).hex(),
        "signed_note": None,  # no signing key in this test's ledger configuration
    }
    with uow.transaction() as session:
        last = session.execute(select(AuditEntry.action).order_by(AuditEntry.index.desc()).limit(1)).scalar()
    assert last == "reporting:program:compute"  # the computation is recorded after what it read


def test_median_and_90th_percentile_days_in_a_state(uow: UnitOfWork, desk: Desk, clock: FixedClock) -> None:
    start = clock.at
    opened = [desk.open_case().id for _ in range(3)]  # all on 2026-06-01
    for case_id, days in zip(opened, (10, 20, 60), strict=True):
        clock.at = start + timedelta(days=days)
        desk.move(case_id, "submit", desk.supplier)
    report = reporting.program_report(uow, desk.manager, fiscal_year=2026)
    # stays in notified: 10, 20, 60 days; median 20; nearest-rank p90: the ceil(0.9 * 3) = 3rd
    assert report["cases"]["days_in_state"] == {"notified": {"stays": 3, "median": 20.0, "p90": 60.0}}
    assert report["cases"]["by_state"] == {"documents_submitted": 3}


def test_reasons_for_exit_sme_share_and_the_case_listing(uow: UnitOfWork, desk: Desk) -> None:
    desk.fund(2026)
    paid = _approved(uow, desk, 30_000_000)  # the withdrawing SME's case: factory closure
    committed = _approved(uow, desk, 45_000_000)
    purchase.pay_purchase(uow, desk.manager, paid, paid_on=date(2026, 6, 1))
    large = desk.successor_company  # 5,000,000,000 yen of capital, 5,000 people: not an SME
    other = cases.open_case(
        uow,
        desk.intake,
        company=large.corporate_number or "",
        reason="restructuring",
        planned_exit_date=date(2027, 1, 1),
    ).id

    report = reporting.program_report(uow, desk.auditor, fiscal_year=2026)
    assert report["cases"]["exit_reasons"] == {"factory_closure": 2, "restructuring": 1}
    # two suppliers: the withdrawing SME (two cases) and the large company
    assert report["cases"]["sme"] == {"suppliers": 2, "sme": 1, "not_sme": 1, "unknown": 0, "share": 0.5}
    withdrawing = {
        "supplier": "退出工業株式会社",
        "corporate_number": desk.withdrawing.corporate_number,
        "sme": True,
        "state": "purchase_agreed",
        "opened": "2026-06-01",
        "closed": None,
        "exit_reason": "factory_closure",
    }
    assert report["case_listing"] == [
        {"id": paid, **withdrawing, "committed_yen": 0, "paid_yen": 30_000_000},
        {"id": committed, **withdrawing, "committed_yen": 45_000_000, "paid_yen": 0},
        {
            "id": other,
            "supplier": "承継重工業株式会社",
            "corporate_number": large.corporate_number,
            "sme": False,
            "state": "notified",
            "opened": "2026-06-01",
            "closed": None,
            "exit_reason": "restructuring",
            "committed_yen": 0,
            "paid_yen": 0,
        },
    ]


def test_only_program_managers_and_auditors_read_reports(uow: UnitOfWork, desk: Desk) -> None:
    for actor in (desk.negotiator, desk.examiner, desk.intake, desk.supplier, desk.admin):
        with pytest.raises(Forbidden, match="program managers and auditors"):
            reporting.program_report(uow, actor, fiscal_year=2026)
    with pytest.raises(BadInput, match="fiscal year 1999"):
        reporting.program_report(uow, desk.manager, fiscal_year=1999)
