"""Test data builders that go through the real services (and so the audit ledger)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from shokei.accounts import services as accounts
from shokei.cases import services as cases
from shokei.cases.schemas import CaseDetail
from shokei.companies import services as companies
from shokei.companies.domain import CorporateNumber
from shokei.companies.schemas import CompanyInput, CompanyUpdate, CompanyView
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from shokei.succession import services as succession

_serial = itertools.count(100_000_000_001)
PASSWORD = "correct horse battery"
# The facts successor eligibility reads (what `shokei company update` records) for a sound,
# domestic, cleared company with room for many cases.
ELIGIBLE = CompanyUpdate(
    security_compliant_until=date(2027, 12, 31),
    capabilities=["machining"],
    capacity=1000,
    financial_distress=False,
    foreign_share_percent=Decimal(0),
    foreign_share_country="JP",
)
SELECTION_REASON = "技術継承能力と保全体制を確認のうえ選定"


def admin(uow: UnitOfWork) -> Actor:
    if not accounts.user_exists(uow, "admin"):
        accounts.add_user(uow, None, "admin", "admin", password=PASSWORD, must_change_password=False)
    return accounts.actor_for_username(uow, "admin")


def company(uow: UnitOfWork, name: str = "試験精機株式会社", **fields: object) -> CompanyView:
    number = CorporateNumber.from_base(f"{next(_serial):012d}").value
    data = CompanyInput(corporate_number=number, name=name, **fields)  # type: ignore[arg-type]
    return companies.register_company(uow, admin(uow), data)


def user(uow: UnitOfWork, role: Role, company_number: str | None = None, name: str | None = None) -> Actor:
    username = name or f"{role.value}-{next(_serial) % 100000}"
    # Tests log in with PASSWORD: not a first login's initial password, which must be replaced.
    accounts.add_user(
        uow,
        admin(uow),
        username,
        role.value,
        company=company_number,
        password=PASSWORD,
        must_change_password=False,
    )
    if not accounts.actor_for_username(uow, username).content_approved:
        accounts.approve_user(uow, None, username)  # the second person, as the operator's bootstrap path
    return accounts.actor_for_username(uow, username)


class Office:
    """One user per role plus a withdrawing company and a would-be successor."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.withdrawing = company(uow, "退出工業株式会社", capital_yen=50_000_000, employees=40)
        self.successor_company = company(uow, "承継重工業株式会社", capital_yen=5_000_000_000, employees=5000)
        self.supplier = user(uow, Role.SUPPLIER, self.withdrawing.corporate_number, "supplier")
        self.successor = user(uow, Role.SUCCESSOR, self.successor_company.corporate_number, "successor")
        self.intake = user(uow, Role.INTAKE_OFFICER, name="intake")
        self.examiner = user(uow, Role.EXAMINER, name="examiner")
        self.negotiator = user(uow, Role.NEGOTIATOR, name="negotiator")
        self.manager = user(uow, Role.PROGRAM_MANAGER, name="manager")
        self.auditor = user(uow, Role.AUDITOR, name="auditor")
        self.admin = admin(uow)

    def open_case(self, documents: int = 2) -> CaseDetail:
        case = cases.open_case(
            self.uow,
            self.supplier,
            company=self.withdrawing.corporate_number or "",
            reason="factory_closure",
            planned_exit_date=date(2026, 9, 30),
        )
        for n in range(documents):
            cases.add_inventory_line(
                self.uow, self.supplier, case.id, title=f"部品図 {n + 1}", drawing_number=f"D-{n + 1}"
            )
        self.assign_officials(case.id)
        return cases.get_case(self.uow, self.supplier, case.id)

    def assign_officials(self, case_id: int, *others: Actor) -> None:
        """The program manager assigns the office's officials and auditor to the case (itself
        included), and `others` (officials a test adds), as a program manager does for a new case."""
        for official in (self.intake, self.examiner, self.negotiator, self.manager, self.auditor, *others):
            if official.username not in cases.get_case(self.uow, self.manager, case_id).assigned:  # type: ignore[operator]
                cases.assign_official(self.uow, self.manager, case_id, official.username)

    def move(self, case_id: int, name: str, actor: Actor, **kwargs: object) -> CaseDetail:
        return cases.transition_case(self.uow, actor, case_id, name, **kwargs)  # type: ignore[arg-type]

    def get_state(self, case_id: int) -> str:
        return cases.get_case(self.uow, self.manager, case_id).state

    def to_under_examination(self, case_id: int) -> None:
        self.move(case_id, "submit", self.supplier)
        self.move(case_id, "start_examination", self.intake)

    def examine_all(self, case_id: int) -> None:
        for line in cases.get_case(self.uow, self.examiner, case_id).inventory:
            cases.examine_document(self.uow, self.examiner, case_id, line.id, note="確認済み")

    def to_negotiating(self, case_id: int) -> None:
        self.to_under_examination(case_id)
        self.examine_all(case_id)
        self.move(case_id, "determine_protection_required", self.examiner, reason="固有技術")
        self.move(case_id, "open_negotiation", self.negotiator)

    def fund(self) -> None:
        """An appropriation for the current fiscal year (approvals commit against it)."""
        purchase.seed_demo_budgets(self.uow, self.manager)

    def to_successor_selection(self, case_id: int) -> None:
        self.to_negotiating(case_id)
        purchase.agree_purchase(self.uow, self.negotiator, case_id, amount_yen=30_000_000)
        self.fund()
        self.move(case_id, "approve_purchase", self.manager)
        self.move(case_id, "start_successor_selection", self.manager)

    def make_eligible(self, company: CompanyView, **changes: object) -> CompanyView:
        """Record the eligibility facts of a sound successor (`changes` override single facts)."""
        facts = CompanyUpdate.model_validate({**ELIGIBLE.model_dump(exclude_unset=True), **changes})
        return companies.update_company(self.uow, self.admin, company.corporate_number or "", facts)

    def pay(self, case_id: int) -> None:
        """The manager records the purchase's payment today (a case closes only once it is paid)."""
        purchase.pay_purchase(self.uow, self.manager, case_id, paid_on=self.uow.clock.today())

    def hand_over_on_paper(self, case_id: int) -> CaseDetail:
        """The successor accepts the terms and the manager records the hand-over (no stored documents)."""
        succession.accept_terms(self.uow, self.successor, case_id)
        return self.move(case_id, "hand_over", self.manager)

    def select_successor(self, case_id: int) -> CaseDetail:
        """The office's successor company, made eligible, selected with a reason."""
        self.make_eligible(self.successor_company)
        number = self.successor_company.corporate_number
        return self.move(case_id, "select_successor", self.manager, successor=number, reason=SELECTION_REASON)
