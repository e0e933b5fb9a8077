"""Every Foundation use case writes exactly one ledger entry per successful change, none when refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import select

from shokei.accounts import services as accounts
from shokei.audit import services as audit
from shokei.audit.models import AuditEntry
from shokei.cases import services as cases
from shokei.companies import services as companies
from shokei.companies.domain import CorporateNumber
from shokei.companies.schemas import CompanyInput
from shokei.errors import BadInput, Conflict, Forbidden, NotFound, ShokeiError
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession import services as succession
from tests.factories import SELECTION_REASON, Office


def actions(uow: UnitOfWork) -> list[tuple[int, str, str]]:
    with uow.transaction() as session:
        query = select(AuditEntry.index, AuditEntry.action, AuditEntry.actor_name).order_by(AuditEntry.index)
        return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


class Ledger:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    @contextmanager
    def one_entry(self, action: str, actor: str) -> Iterator[None]:
        with self.entries(actor, action):
            yield

    @contextmanager
    def entries(self, actor: str, *actions_in_order: str) -> Iterator[None]:
        """Exactly these entries, one per change the use case makes, and nothing else."""
        before = actions(self.uow)
        yield
        after = actions(self.uow)
        assert after[: len(before)] == before
        added = [(len(before) + n, action, actor) for n, action in enumerate(actions_in_order)]
        assert after[len(before) :] == added

    def refused(self, error: type[ShokeiError], attempt: Callable[[], object]) -> None:
        before = actions(self.uow)
        with pytest.raises(error):
            attempt()
        assert actions(self.uow) == before


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    return Office(uow)


@pytest.fixture
def ledger(uow: UnitOfWork) -> Ledger:
    return Ledger(uow)


def test_building_an_office_audits_each_company_and_user(uow: UnitOfWork, office: Office) -> None:
    assert [action for _, action, _ in actions(uow)] == [
        "accounts:user:create",  # admin
        "company:registry:create",
        "company:registry:create",
        # supplier, successor, intake, examiner, negotiator, manager, auditor: each role that reads
        # document contents approved by a second person (the factory's operator) once created
        "accounts:user:create",
        "accounts:user:approve",
        "accounts:user:create",
        *["accounts:user:create", "accounts:user:approve"] * 5,
    ]


def test_accounts_use_cases(uow: UnitOfWork, office: Office, ledger: Ledger) -> None:
    with ledger.one_entry("accounts:user:create", "admin"):
        accounts.add_user(uow, office.admin, "new-examiner", "examiner", password="long enough password")
    ledger.refused(Forbidden, lambda: accounts.add_user(uow, office.manager, "x", "examiner"))
    ledger.refused(Conflict, lambda: accounts.add_user(uow, office.admin, "new-examiner", "examiner"))
    ledger.refused(BadInput, lambda: accounts.add_user(uow, office.admin, "y", "no-such-role"))
    with ledger.one_entry("accounts:user:role", "admin"):
        accounts.change_role(uow, office.admin, "new-examiner", "negotiator")
    ledger.refused(Forbidden, lambda: accounts.change_role(uow, office.auditor, "new-examiner", "admin"))
    ledger.refused(NotFound, lambda: accounts.change_role(uow, office.admin, "nobody", "examiner"))
    with ledger.one_entry("accounts:token:create", "admin"):
        accounts.issue_token(uow, office.admin, "examiner")
    with ledger.one_entry("accounts:token:create", "examiner"):
        accounts.issue_token(uow, office.examiner, "examiner")
    ledger.refused(Forbidden, lambda: accounts.issue_token(uow, office.examiner, "manager"))


def test_registering_a_company(uow: UnitOfWork, office: Office, ledger: Ledger) -> None:
    number = CorporateNumber.from_base("777777777777").value
    data = CompanyInput(corporate_number=number, name="新規精工株式会社")
    with ledger.one_entry("company:registry:create", "intake"):
        companies.register_company(uow, office.intake, data)
    ledger.refused(Conflict, lambda: companies.register_company(uow, office.admin, data))
    ledger.refused(Forbidden, lambda: companies.register_company(uow, office.examiner, data))


def test_case_use_cases_along_the_purchase_path(uow: UnitOfWork, office: Office, ledger: Ledger) -> None:
    company = office.withdrawing.corporate_number or ""
    ledger.refused(
        Forbidden,
        lambda: cases.open_case(
            uow, office.examiner, company=company, reason="restructuring", planned_exit_date=date(2026, 12, 1)
        ),
    )
    with ledger.one_entry("case:case:open", "supplier"):
        case = cases.open_case(
            uow, office.supplier, company=company, reason="restructuring", planned_exit_date=date(2026, 12, 1)
        )
    with ledger.entries("manager", *["case:assignment:assign"] * 5):
        office.assign_officials(case.id)  # the program manager assigns the officials who work it
    ledger.refused(Forbidden, lambda: cases.add_inventory_line(uow, office.examiner, case.id, title="図面"))
    ledger.refused(BadInput, lambda: cases.add_inventory_line(uow, office.supplier, case.id, title=" "))
    with ledger.one_entry("case:inventory:add", "supplier"):
        line = cases.add_inventory_line(uow, office.supplier, case.id, title="潜水艦用アンテナ組立図")
    ledger.refused(Conflict, lambda: office.move(case.id, "close", office.manager))
    ledger.refused(Forbidden, lambda: office.move(case.id, "submit", office.examiner))
    ledger.refused(
        Conflict, lambda: cases.examine_document(uow, office.examiner, case.id, line.id, note="早すぎる")
    )
    for name, actor in [("submit", office.supplier), ("start_examination", office.intake)]:
        with ledger.one_entry("case:status:change", actor.username):
            office.move(case.id, name, actor)
    ledger.refused(
        Forbidden, lambda: cases.examine_document(uow, office.negotiator, case.id, line.id, note="x")
    )
    with ledger.one_entry("case:document:examine", "examiner"):
        cases.examine_document(uow, office.examiner, case.id, line.id, note="固有技術を含む")
    ledger.refused(BadInput, lambda: office.move(case.id, "determine_protection_required", office.examiner))
    with ledger.one_entry("case:status:change", "examiner"):
        office.move(case.id, "determine_protection_required", office.examiner, reason="固有技術")
    with ledger.one_entry("case:status:change", "negotiator"):
        office.move(case.id, "open_negotiation", office.negotiator)
    ledger.refused(Forbidden, lambda: cases.record_offer(uow, office.manager, case.id, amount_yen=1))
    ledger.refused(BadInput, lambda: cases.record_offer(uow, office.negotiator, case.id, amount_yen=0))
    for kind, amount in [("offer", 20_000_000), ("counter", 35_000_000), ("agreement", 30_000_000)]:
        with ledger.one_entry(f"case:offer:{kind}", "negotiator"):
            cases.record_offer(uow, office.negotiator, case.id, amount_yen=amount, kind=kind)
    # No appropriation for the fiscal year yet: the approval is refused and leaves no entry.
    ledger.refused(Conflict, lambda: office.move(case.id, "approve_purchase", office.manager))
    office.fund()
    successor = office.successor_company.corporate_number
    office.make_eligible(office.successor_company)
    for name, changes, extra in [
        # Approval makes two changes: the case moves, and the fiscal year's budget is committed.
        ("approve_purchase", ("case:status:change", "purchase:budget:commit"), {}),
        ("start_successor_selection", ("case:status:change",), {}),
        # Selection moves the case and notifies the successor (its inbox), in one transaction.
        (
            "select_successor",
            ("case:successor:select", "succession:successor:notify"),
            {"successor": successor, "reason": SELECTION_REASON},
        ),
    ]:
        ledger.refused(
            Forbidden, lambda name=name, extra=extra: office.move(case.id, name, office.negotiator, **extra)
        )
        with ledger.entries("manager", *changes):
            office.move(case.id, name, office.manager, **extra)
    # The hand-over waits for the successor's acceptance of the terms.
    ledger.refused(Conflict, lambda: office.move(case.id, "hand_over", office.manager))
    with ledger.one_entry("succession:terms:accept", "successor"):
        succession.accept_terms(uow, office.successor, case.id)
    ledger.refused(Forbidden, lambda: office.move(case.id, "hand_over", office.negotiator))
    with ledger.one_entry("case:status:change", "manager"):
        office.move(case.id, "hand_over", office.manager)
    # Closing needs the certificate of destruction; recording it closes the case.
    ledger.refused(BadInput, lambda: office.move(case.id, "close", office.manager))
    with ledger.one_entry("purchase:budget:pay", "manager"):
        office.pay(case.id)  # and the purchase's payment
    with ledger.entries("manager", "handover:destruction:record", "case:status:change"):
        succession.record_destruction_certificate(uow, office.manager, case.id, reference="廃棄証明 第1号")
    assert audit.verify_ledger(uow, office.auditor).ok


def test_case_transitions_off_the_purchase_path(uow: UnitOfWork, office: Office, ledger: Ledger) -> None:
    released = office.open_case(documents=1)
    office.to_under_examination(released.id)
    office.examine_all(released.id)
    ledger.refused(BadInput, lambda: office.move(released.id, "determine_not_significant", office.examiner))
    with ledger.one_entry("case:status:change", "examiner"):
        office.move(released.id, "determine_not_significant", office.examiner, reason="汎用品")
    with ledger.one_entry("case:status:change", "manager"):
        office.move(released.id, "release", office.manager)
    failed = office.open_case(documents=1)
    office.to_negotiating(failed.id)
    with ledger.one_entry("case:status:change", "negotiator"):
        office.move(failed.id, "fail_negotiation", office.negotiator, reason="価格不一致")
    ledger.refused(BadInput, lambda: office.move(failed.id, "escalate", office.manager))
    with ledger.one_entry("case:status:change", "manager"):
        office.move(failed.id, "escalate", office.manager, reason="一時取得を検討")
    ledger.refused(Conflict, lambda: office.move(failed.id, "close", office.manager))
    assert audit.verify_ledger(uow, office.auditor).ok


def test_reads_write_nothing(uow: UnitOfWork, office: Office, ledger: Ledger) -> None:
    case = office.open_case()
    before = actions(uow)
    cases.get_case(uow, office.auditor, case.id)
    cases.list_cases(uow, office.manager)
    accounts.list_users(uow, office.admin)
    companies.list_companies(uow, office.examiner)
    audit.list_entries(uow, office.auditor)
    audit.prove_inclusion(uow, office.auditor, 0)
    audit.verify_ledger(uow, office.auditor)
    assert actions(uow) == before
    assert Role.AUDITOR is office.auditor.role
