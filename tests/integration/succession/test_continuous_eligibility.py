"""Continuous eligibility (issue 15, the company side): a company that succeeds in an open case is
suspended in the very transaction of the fact that makes it ineligible (an ownership event, a
certification revoked or expired, a financial-distress report or risk event), the ledger records
the cause, and the program manager can reinstate it only once no rule fails any more.

The antenna scenario: 承継重工業 is the selected successor of an open case; a Chinese firm buys
60 % of 北斗ホールディングス, which holds 20 % of the successor: the successor's integrated foreign
share is 60 % x 20 % = 12 % (≥ the 10 % threshold), so it is suspended with cause "ownership".
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shokei.audit import services as audit
from shokei.clock import FixedClock
from shokei.companies import access, conditions
from shokei.companies import services as companies
from shokei.companies.schemas import CompanyUpdate, CompanyView
from shokei.errors import Conflict
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services as ownership
from shokei.risk import services as risk
from tests import factories
from tests.conftest import TEST_NOW
from tests.factories import Office


class Antenna:
    """An open case with 承継重工業 selected as successor, and the holders around it."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.office = Office(uow)
        self.case_id = self.office.open_case().id
        self.office.to_successor_selection(self.case_id)
        self.office.select_successor(self.case_id)
        self.number = self.office.successor_company.corporate_number or ""
        self.holding = factories.company(uow, "北斗ホールディングス株式会社")
        self.foreign = ownership.add_entity(
            uow, self.office.intake, kind="foreign_company", name="华晨精密机械有限公司", country="CN"
        ).reference

    def stake(self, owner: str, owned: str, share: str) -> int:
        view = ownership.record_interest_change(
            self.uow, self.office.intake, owner=owner, owned=owned, share=share, source="大量保有報告書"
        )
        return view.change_id

    def company(self) -> CompanyView:
        return companies.get_company(self.uow, self.office.manager, self.number)

    def ledger(self, action: str) -> list[audit.AuditEntryView]:
        entries = audit.entries_for_subject(self.uow, "company", str(self.office.successor_company.id))
        return [entry for entry in entries if entry.action == action]


@pytest.fixture
def antenna(uow: UnitOfWork) -> Antenna:
    return Antenna(uow)


def test_a_foreign_takeover_of_a_holding_suspends_the_successor_in_the_same_transaction(
    uow: UnitOfWork, antenna: Antenna
) -> None:
    holding = antenna.holding.corporate_number or ""
    antenna.stake(holding, antenna.number, "20")  # a domestic holding: nothing foreign yet
    assert antenna.company().access == "active"

    # Inside one transaction the suspension is already there; rolled back, both are gone.
    seen: list[str] = []

    def take_over_then_fail() -> None:
        with uow:
            antenna.stake(antenna.foreign, holding, "60")
            seen.append(antenna.company().access)
            raise RuntimeError("roll the ownership event back")

    with pytest.raises(RuntimeError):
        take_over_then_fail()
    assert seen == ["suspended"]
    assert antenna.company().access == "active"
    assert antenna.ledger("company:access:suspend") == []

    change = antenna.stake(antenna.foreign, holding, "60")
    company = antenna.company()
    assert company.access == "suspended"
    assert company.suspension is not None
    assert company.suspension.cause == "ownership"
    assert company.suspension.since == TEST_NOW
    assert company.suspension.reason.startswith(f"ownership event {change}: foreign control reached 1%, 10%")
    assert "foreign_ownership: foreign ownership 12% (integrated)" in company.suspension.reason
    [entry] = antenna.ledger("company:access:suspend")
    assert entry.actor == "system"
    assert entry.event["details"]["cases"] == [antenna.case_id]
    assert entry.event["details"]["copies"] == 0
    assert set(entry.event["details"]["rules"]) == {"foreign_ownership"}

    with pytest.raises(Conflict, match="foreign_ownership: foreign ownership 12%"):
        access.reinstate(uow, antenna.office.manager, antenna.number, "株式売却を確認")
    assert antenna.company().access == "suspended"

    antenna.stake(antenna.foreign, holding, "0")  # the foreign stake is sold
    assert antenna.company().access == "suspended"  # reinstatement is a program manager's act
    reinstated = access.reinstate(uow, antenna.office.manager, antenna.number, "株式売却を確認")
    assert reinstated.access == "active"
    assert reinstated.suspension is None
    [entry] = antenna.ledger("company:access:reinstate")
    assert entry.actor == "manager"
    assert entry.event["details"]["reason"] == "株式売却を確認"


def test_a_company_involved_in_nothing_is_not_suspended(uow: UnitOfWork, antenna: Antenna) -> None:
    holding = antenna.holding.corporate_number or ""
    antenna.office.make_eligible(antenna.holding)
    antenna.stake(antenna.foreign, holding, "60")  # the holding itself: no copies, no case
    assert companies.get_company(uow, antenna.office.manager, holding).access == "active"


def test_a_revoked_certification_suspends_and_reinstatement_waits_for_a_new_one(
    uow: UnitOfWork, antenna: Antenna
) -> None:
    manager = antenna.office.manager
    access.certify(uow, manager, antenna.number, custodian="保全 太郎", until=date(2026, 12, 31))
    assert antenna.company().access == "active"

    revoked = access.revoke_certification(uow, manager, antenna.number, "保全体制の不備")
    assert revoked.access == "suspended"
    assert revoked.certification is None
    assert revoked.suspension is not None
    assert revoked.suspension.cause == "certification"
    assert "security_compliance: certification revoked: 保全体制の不備" in revoked.suspension.reason
    with pytest.raises(Conflict, match="certification revoked"):
        access.reinstate(uow, manager, antenna.number, "再認証")

    access.certify(uow, manager, antenna.number, custodian="保全 花子", until=date(2027, 3, 31))
    assert access.reinstate(uow, manager, antenna.number, "再認証").access == "active"


def test_an_expired_certification_suspends_on_the_sweep(
    uow: UnitOfWork, clock: FixedClock, antenna: Antenna
) -> None:
    manager = antenna.office.manager
    until = date(2026, 6, 10)
    access.certify(uow, manager, antenna.number, custodian="保全 太郎", until=until, scope="radar")
    soon = access.certifications(uow, manager, 9)  # 2026-06-01 + 9 days = 06-10: included
    assert [(line.corporate_number, line.until, line.valid) for line in soon] == [
        (antenna.number, date(2026, 6, 10), True)
    ]
    assert access.certifications(uow, manager, 8) == []
    assert access.expire_certifications(uow, manager) == []  # still valid today

    clock.at = datetime(2026, 6, 11, 0, 0, tzinfo=UTC)  # 09:00 JST on the day after
    [ended] = access.expire_certifications(uow, manager)
    assert ended.corporate_number == antenna.number
    assert ended.valid is False
    company = antenna.company()
    assert company.access == "suspended"
    assert company.suspension is not None
    assert company.suspension.cause == "certification"
    assert "certification expired 2026-06-10" in company.suspension.reason
    with pytest.raises(Conflict, match="certification expired 2026-06-10"):
        access.reinstate(uow, manager, antenna.number, "更新済み")
    access.certify(uow, manager, antenna.number, custodian="保全 太郎", until=date(2027, 6, 10))
    assert access.reinstate(uow, manager, antenna.number, "更新済み").access == "active"


def test_a_financial_distress_report_suspends_until_the_distress_is_cleared(
    uow: UnitOfWork, antenna: Antenna
) -> None:
    report = conditions.report_change(
        uow, antenna.office.successor, antenna.number, kind="financial", details="主要取引銀行が融資を停止"
    )
    assert report.access == "suspended"
    assert report.suspension is not None
    assert report.suspension.cause == "risk"
    assert report.suspension.reason.startswith(f"changed-condition report {report.id} (financial)")
    assert antenna.company().financial_distress is True
    with pytest.raises(Conflict, match="financial_health: in financial distress"):
        access.reinstate(uow, antenna.office.manager, antenna.number, "再建計画を確認")

    companies.update_company(
        uow, antenna.office.manager, antenna.number, CompanyUpdate(financial_distress=False)
    )
    assert access.reinstate(uow, antenna.office.manager, antenna.number, "再建計画を確認").access == "active"


def test_a_credit_event_recorded_by_the_risk_feature_suspends(uow: UnitOfWork, antenna: Antenna) -> None:
    event = risk.record_event(
        uow, antenna.office.intake, antenna.number, kind="credit_event", occurred_on=date(2026, 5, 29)
    )
    company = antenna.company()
    assert company.access == "suspended"
    assert company.suspension is not None
    assert company.suspension.cause == "risk"
    assert company.suspension.reason.startswith(f"risk event {event.id}: credit_event on 2026-05-29")


def test_an_ownership_report_becomes_an_ownership_event_with_its_source(
    uow: UnitOfWork, antenna: Antenna
) -> None:
    report = conditions.report_change(
        uow,
        antenna.office.successor,
        antenna.number,
        kind="ownership",
        details="海外ファンドが第三者割当増資を引受け",
        owner="Pacific Crest Capital",
        owner_country="us",
        share="30",
    )
    assert report.ownership_change is not None
    assert report.owner_country == "US"
    assert report.access == "suspended"
    assert report.suspension is not None
    assert report.suspension.cause == "ownership"
    alerts = ownership.list_alerts(uow, antenna.office.examiner, company=antenna.number)
    assert sorted(alert.threshold for alert in alerts) == [0.01, 0.1, 0.25]
    entries = audit.entries_for_subject(uow, "company", str(antenna.office.successor_company.id))
    [reported] = [entry for entry in entries if entry.action == "company:condition:report"]
    assert reported.actor == "successor"
    assert reported.event["details"]["owner"] == "Pacific Crest Capital"


def test_only_the_company_itself_or_officials_report_and_only_program_managers_suspend(
    uow: UnitOfWork, antenna: Antenna
) -> None:
    from shokei.errors import Forbidden, NotFound

    with pytest.raises(NotFound):  # another company's supplier does not even learn it exists
        conditions.report_change(
            uow, antenna.office.supplier, antenna.number, kind="management", details="社長交代"
        )
    with pytest.raises(Forbidden):
        access.suspend(uow, antenna.office.intake, antenna.number, "調査のため")
    with pytest.raises(Forbidden):
        access.reinstate(uow, antenna.office.examiner, antenna.number, "調査終了")
    suspended = access.suspend(uow, antenna.office.manager, antenna.number, "調査のため")
    assert suspended.suspension is not None
    assert suspended.suspension.cause == "manual"
    with pytest.raises(Conflict, match="already suspended"):
        access.suspend(uow, antenna.office.manager, antenna.number, "調査のため")
    assert access.reinstate(uow, antenna.office.manager, antenna.number, "調査終了").access == "active"
    with pytest.raises(Conflict, match="not suspended"):
        access.reinstate(uow, antenna.office.manager, antenna.number, "調査終了")


def test_a_suspended_company_cannot_be_selected(uow: UnitOfWork) -> None:
    office = Office(uow)
    case_id = office.open_case().id
    office.to_successor_selection(case_id)
    office.make_eligible(office.successor_company)
    number = office.successor_company.corporate_number or ""
    access.suspend(uow, office.manager, number, "調査のため")
    select = {"successor": number, "reason": "選定"}
    with pytest.raises(Conflict, match=r"is suspended \(manual\): 調査のため"):
        office.move(case_id, "select_successor", office.manager, **select)
    access.reinstate(uow, office.manager, number, "調査終了")
    selected = office.move(case_id, "select_successor", office.manager, **select)
    assert selected.successor_corporate_number == number
