"""Issue 17, the measures half: a supplier misses its hand-in, the case is escalated, a facility
is acquired on the budget's own facilities line, entrusted to an eligible company (an ineligible
one refused naming the rule), reported on for the fiscal year, and transferred; the ledger
verifies. The test clock stands at 2026-06-01 (FY2026)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from shokei.audit import services as audit
from shokei.audit.models import AuditEntry
from shokei.cases import services as cases
from shokei.clock import FixedClock
from shokei.deadlines import services as deadlines
from shokei.errors import BadInput, Conflict, Forbidden
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.measures import services as measures
from shokei.measures.schemas import FacilityView
from shokei.purchase import services as purchase
from shokei.purchase.domain import BudgetExhausted, BudgetLineName, NoAppropriation
from tests import factories
from tests.factories import Office

FACILITIES = BudgetLineName.FACILITIES


def _escalated(office: Office) -> int:
    """A case whose supplier never handed its documents in, escalated by the program manager."""
    case = office.open_case()
    moved = office.move(case.id, "escalate", office.manager, reason="期限までに文書が提出されない")
    assert moved.state == "escalated"
    return case.id


def _facility_measure(uow: UnitOfWork, office: Office) -> tuple[int, int]:
    case_id = _escalated(office)
    measure = measures.decide_measure(
        uow, office.manager, case_id, kind="facility_acquisition", reason="製造施設を国が取得する"
    )
    return case_id, measure.id


def _ledger(uow: UnitOfWork) -> list[tuple[str, str, str]]:
    with uow.transaction() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.subject_type, AuditEntry.subject_id).order_by(
                AuditEntry.index
            )
        )
        return [(action, kind, str(subject)) for action, kind, subject in rows]


def test_an_escalated_case_has_its_next_steps_and_the_measure_it_led_to(uow: UnitOfWork) -> None:
    office = Office(uow)
    case_id = _escalated(office)
    detail = cases.get_case(uow, office.manager, case_id)
    assert detail.available_transitions == ["take_measure", "reopen_negotiation"]

    view = measures.decide_measure(
        uow, office.manager, case_id, kind="facility_acquisition", reason="国が取得"
    )
    assert (view.kind, view.status) == ("facility_acquisition", "decided")
    detail = cases.get_case(uow, office.manager, case_id)
    assert detail.state == "measure_taken"
    assert [m.model_dump() for m in detail.measures] == [
        {"id": view.id, "kind": "facility_acquisition", "status": "decided"}
    ]
    # The company-bound roles do not learn which measure the state took.
    assert cases.get_case(uow, office.supplier, case_id).measures == []
    with pytest.raises(Conflict, match="allowed only from 'Escalated to other measures'"):
        measures.decide_measure(uow, office.manager, case_id, kind="state_custody", reason="再決定")


def test_a_supplier_that_misses_its_hand_in_is_escalated_and_its_duty_ends(
    uow: UnitOfWork, clock: FixedClock
) -> None:
    office = Office(uow)
    case = office.open_case()
    # Opened 2026-06-01; the 2026.1 policy gives the supplier 30 days: due 2026-07-01.
    clock.at = datetime(2026, 7, 6, 3, 0, tzinfo=UTC)
    late = deadlines.open_duties(uow, office.supplier, overdue=True)
    assert [(d.kind, d.case_id, d.due) for d in late] == [("hand_in", case.id, date(2026, 7, 1))]

    moved = office.move(case.id, "escalate", office.manager, reason="提出期限を徒過し、督促にも応じない")
    assert moved.state == "escalated"
    assert deadlines.open_duties(uow, office.supplier) == []
    assert moved.history[-1].reason == "提出期限を徒過し、督促にも応じない"


def test_only_a_program_manager_escalates_and_decides(uow: UnitOfWork) -> None:
    office = Office(uow)
    case = office.open_case()
    with pytest.raises(Forbidden, match="needs role Program manager"):
        office.move(case.id, "escalate", office.intake, reason="提出なし")
    with pytest.raises(BadInput, match="reason is required"):
        office.move(case.id, "escalate", office.manager)
    case_id = _escalated(office)
    with pytest.raises(Forbidden, match="only a program manager"):
        measures.decide_measure(uow, office.negotiator, case_id, kind="state_custody", reason="保管")
    with pytest.raises(BadInput, match="measure kind 'buy' is not one of"):
        measures.decide_measure(uow, office.manager, case_id, kind="buy", reason="保管")
    with pytest.raises(BadInput, match="take_measure' needs the measure's kind"):
        office.move(case_id, "take_measure", office.manager, reason="保管")


def test_reopen_negotiation_sends_a_failed_negotiation_back(uow: UnitOfWork) -> None:
    office = Office(uow)
    case = office.open_case()
    office.to_negotiating(case.id)
    office.move(case.id, "fail_negotiation", office.negotiator, reason="価格が折り合わない")
    office.move(case.id, "escalate", office.manager, reason="上申")
    detail = office.move(case.id, "reopen_negotiation", office.manager, reason="新たな予算で再交渉")
    assert detail.state == "negotiating"
    assert [(m.kind, m.status) for m in detail.measures] == [("reopen_negotiation", "completed")]
    assert ("measure:measure:decide", "measure", str(detail.measures[0].id)) in _ledger(uow)


def test_succession_support_and_custody_record_their_details(uow: UnitOfWork) -> None:
    office = Office(uow)
    number = office.successor_company.corporate_number or ""
    support = measures.decide_measure(
        uow,
        office.manager,
        _escalated(office),
        kind="succession_support",
        reason="事業ごと承継",
        parties=[number],
        amount_yen=25_000_000,
    )
    assert measures.get_measure(uow, office.auditor, support.id).details == {
        "parties": [number],
        "supported_amount_yen": 25_000_000,
    }
    custody = measures.decide_measure(
        uow,
        office.manager,
        _escalated(office),
        kind="state_custody",
        reason="承継先未定",
        review_on=date(2027, 3, 31),
    )
    assert measures.get_measure(uow, office.auditor, custody.id).details == {"review_on": "2027-03-31"}
    with pytest.raises(BadInput, match="review date belongs to a state_custody"):
        measures.decide_measure(
            uow,
            office.manager,
            _escalated(office),
            kind="succession_support",
            reason="x",
            review_on=date(2027, 1, 1),
        )


def test_a_facility_commits_on_its_own_line_never_the_purchases_line(uow: UnitOfWork) -> None:
    office = Office(uow)
    _, measure_id = _facility_measure(uow, office)

    def acquire(price_yen: int, prefecture: str = "愛知県") -> FacilityView:
        return measures.acquire_facility(
            uow,
            office.manager,
            measure_id,
            name="第二工場",
            prefecture=prefecture,
            price_yen=price_yen,
            acquired_on=date(2026, 5, 15),
            equipment=["五軸加工機"],
        )

    with pytest.raises(NoAppropriation, match="--line facilities"):
        acquire(60_000_000)
    purchase.set_appropriation(uow, office.manager, fiscal_year=2026, amount_yen=1_000_000_000)
    purchase.set_line_appropriation(
        uow, office.manager, fiscal_year=2026, line=FACILITIES, amount_yen=100_000_000
    )

    facility = acquire(60_000_000)
    assert (facility.status, facility.prefecture, facility.equipment) == (
        "state_held",
        "愛知県",
        ["五軸加工機"],
    )
    line = purchase.get_line_budget(uow, office.auditor, fiscal_year=2026, line=FACILITIES)
    assert (line.appropriation, line.committed, line.available) == (100_000_000, 60_000_000, 40_000_000)
    purchases = purchase.get_budget(uow, office.auditor, fiscal_year=2026)
    assert (purchases.committed, purchases.available) == (0, 1_000_000_000)
    with pytest.raises(BudgetExhausted, match="FY2026 has ¥40,000,000 available"):
        acquire(50_000_000)
    with pytest.raises(BadInput, match="47 prefectures"):
        acquire(1, "尾張")
    with pytest.raises(Conflict, match="already has ¥60,000,000 committed"):
        purchase.set_line_appropriation(uow, office.manager, fiscal_year=2026, line=FACILITIES, amount_yen=1)
    assert measures.get_measure(uow, office.auditor, measure_id).status == "in_effect"


def _acquired(uow: UnitOfWork, office: Office, on: date = date(2026, 5, 15)) -> int:
    _, measure_id = _facility_measure(uow, office)
    year = on.year if on.month >= 4 else on.year - 1
    purchase.set_line_appropriation(
        uow, office.manager, fiscal_year=year, line=FACILITIES, amount_yen=500_000_000
    )
    facility = measures.acquire_facility(
        uow,
        office.manager,
        measure_id,
        name="第一工場",
        prefecture="広島県",
        price_yen=80_000_000,
        acquired_on=on,
    )
    return facility.id


def test_entrustment_needs_a_company_eligible_as_a_successor(uow: UnitOfWork) -> None:
    office = Office(uow)
    facility_id = _acquired(uow, office)
    stranger = factories.company(uow, "未審査工業株式会社")
    number = stranger.corporate_number or ""
    with pytest.raises(Conflict, match=r"entrustment refused: .*security_compliance"):
        measures.entrust_facility(
            uow, office.manager, facility_id, to=number, until=date(2031, 3, 31), terms="保守"
        )
    withdrawing = office.withdrawing.corporate_number or ""
    with pytest.raises(Conflict, match="independence"):
        measures.entrust_facility(
            uow, office.manager, facility_id, to=withdrawing, until=date(2031, 3, 31), terms="保守"
        )
    office.make_eligible(office.successor_company)
    operator = office.successor_company.corporate_number or ""
    view = measures.entrust_facility(
        uow,
        office.manager,
        facility_id,
        to=operator,
        until=date(2031, 3, 31),
        terms="設備の維持管理と年次報告",
    )
    assert view.status == "entrusted"
    assert [
        f.id for f in measures.facilities_of_company(uow, office.auditor, office.successor_company.id)
    ] == [facility_id]
    assert [f.id for f in measures.facilities_of_company(uow, office.auditor, office.withdrawing.id)] == [
        facility_id
    ]
    assert measures.facilities_of_company(uow, office.auditor, stranger.id) == []
    assert view.entrustment is not None
    assert (view.entrustment.company_corporate_number, view.entrustment.until) == (
        operator,
        date(2031, 3, 31),
    )
    office.make_eligible(office.successor_company, foreign_share_percent="60", foreign_share_country="US")
    other = _acquired(uow, office)
    with pytest.raises(Conflict, match="foreign_ownership"):
        measures.entrust_facility(
            uow, office.manager, other, to=operator, until=date(2031, 3, 31), terms="保守"
        )


def test_the_annual_report_lists_every_facility_held_in_the_year_with_its_due_date(
    uow: UnitOfWork, clock: FixedClock
) -> None:
    office = Office(uow)
    old = _acquired(uow, office, on=date(2024, 7, 1))  # FY2024
    new = _acquired(uow, office, on=date(2026, 5, 15))  # FY2026

    fy2024 = measures.facility_report(uow, office.auditor, fiscal_year=2024)
    assert [(e.facility_id, e.due, e.overdue) for e in fy2024] == [(old, date(2025, 6, 30), True)]
    fy2025 = measures.facility_report(uow, office.auditor, fiscal_year=2025)
    assert [(e.facility_id, e.due, e.overdue) for e in fy2025] == [(old, date(2026, 6, 30), False)]
    fy2026 = measures.facility_report(uow, office.auditor, fiscal_year=2026)
    assert [(e.facility_id, e.due, e.overdue) for e in fy2026] == [
        (old, date(2027, 6, 30), False),
        (new, date(2027, 6, 30), False),
    ]

    filed = measures.file_facility_report(uow, office.manager, old, fiscal_year=2024)
    assert (filed.filed_on, filed.overdue) == (date(2026, 6, 1), False)
    with pytest.raises(Conflict, match="has not ended"):
        measures.file_facility_report(uow, office.manager, new, fiscal_year=2026)

    clock.at = datetime(2027, 7, 1, 3, 0, tzinfo=UTC)  # past 2027-06-30: FY2026's reports are late
    assert [e.overdue for e in measures.facility_report(uow, office.auditor, fiscal_year=2026)] == [
        True,
        True,
    ]


def test_a_transfer_ends_the_states_holding(uow: UnitOfWork) -> None:
    office = Office(uow)
    facility_id = _acquired(uow, office)
    office.make_eligible(office.successor_company)
    number = office.successor_company.corporate_number or ""
    measures.entrust_facility(
        uow, office.manager, facility_id, to=number, until=date(2031, 3, 31), terms="保守"
    )
    with pytest.raises(BadInput, match="cannot precede the acquisition"):
        measures.transfer_facility(
            uow, office.manager, facility_id, to=number, price_yen=1, transferred_on=date(2026, 1, 1)
        )
    view = measures.transfer_facility(
        uow, office.manager, facility_id, to=number, price_yen=70_000_000, transferred_on=date(2026, 10, 1)
    )
    assert (view.status, view.transferred_to, view.transfer_price_yen) == ("transferred", number, 70_000_000)
    assert view.entrustment is None
    assert measures.get_measure(uow, office.auditor, view.measure_id).status == "completed"
    detail = cases.get_case(uow, office.manager, view.case_id)
    assert [(m.kind, m.status) for m in detail.measures] == [("facility_acquisition", "completed")]
    with pytest.raises(Conflict, match="already transferred"):
        measures.transfer_facility(
            uow, office.manager, facility_id, to=number, price_yen=1, transferred_on=date(2026, 10, 2)
        )
    # Held from 2026-05-15 to 2026-10-01: in FY2026's report, not in FY2027's.
    assert [e.facility_id for e in measures.facility_report(uow, office.auditor, fiscal_year=2026)] == [
        facility_id
    ]
    assert measures.facility_report(uow, office.auditor, fiscal_year=2027) == []

    ledger = _ledger(uow)
    facility_history = [
        action for action, kind, subject in ledger if (kind, subject) == ("facility", str(facility_id))
    ]
    assert facility_history == [
        "measure:facility:acquire",
        "measure:facility:entrust",
        "measure:facility:transfer",
    ]
    case_history = [
        action for action, kind, subject in ledger if (kind, subject) == ("case", str(view.case_id))
    ]
    assert case_history == [
        "case:case:open",
        "case:inventory:add",
        "case:inventory:add",
        *["case:assignment:assign"] * 5,  # the office's officials and auditor, by the manager
        "case:status:change",
        "case:status:change",
    ]
    assert audit.verify_ledger(uow, office.auditor).ok


def test_readers_and_writers(uow: UnitOfWork) -> None:
    office = Office(uow)
    facility_id = _acquired(uow, office)
    with pytest.raises(Forbidden):
        measures.list_facilities(uow, office.supplier)
    with pytest.raises(Forbidden, match="only a program manager"):
        measures.transfer_facility(
            uow, office.negotiator, facility_id, to="x", price_yen=1, transferred_on=date(2026, 10, 1)
        )
    assert [f.id for f in measures.list_facilities(uow, office.auditor)] == [facility_id]
