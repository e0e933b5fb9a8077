"""Exit-case use cases on a real database (SQLite, and PostgreSQL in the second pass)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from shokei.accounts import services as accounts
from shokei.audit.models import AuditEntry
from shokei.cases import services as cases
from shokei.errors import BadInput, Conflict, Forbidden, NotFound, ShokeiError
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from shokei.succession import services as succession
from shokei.web import i18n
from tests.factories import Office, company, user


def _ledger(uow: UnitOfWork) -> list[AuditEntry]:
    with uow.transaction() as session:
        return list(session.execute(select(AuditEntry).order_by(AuditEntry.index)).scalars())


def _ledger_size(uow: UnitOfWork) -> int:
    with uow.transaction() as session:
        return session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def _fund(uow: UnitOfWork, office: Office) -> None:
    """Approvals commit the budget of the fiscal year they happen in (FY2026 for the test clock)."""
    purchase.set_appropriation(uow, office.manager, fiscal_year=2026, amount_yen=1_000_000_000)


def test_a_case_travels_from_exit_notice_to_closed(uow: UnitOfWork) -> None:
    office = Office(uow)
    _fund(uow, office)
    case = office.open_case(documents=2)
    assert case.state == "notified"
    assert case.days_remaining == (date(2026, 9, 30) - date(2026, 6, 1)).days
    office.to_successor_selection(case.id)
    office.select_successor(case.id)
    office.hand_over_on_paper(case.id)
    # Closing needs the supplier's certificate of destruction; recording it closes the case.
    with pytest.raises(BadInput, match="certificate of destruction is not recorded"):
        office.move(case.id, "close", office.manager)
    office.pay(case.id)  # and the purchase's payment
    succession.record_destruction_certificate(uow, office.manager, case.id, reference="廃棄証明 第1号")
    final = cases.get_case(uow, office.manager, case.id)

    assert final.state == "closed"
    assert final.successor_corporate_number == office.successor_company.corporate_number
    assert final.agreed_amount_yen == 30_000_000
    assert [h.to_state for h in final.history] == [
        "notified",
        "documents_submitted",
        "under_examination",
        "protection_required",
        "negotiating",
        "purchase_agreed",
        "successor_selection",
        "successor_selection",
        "handed_over",
        "closed",
    ]
    assert [h.actor for h in final.history][:3] == ["supplier", "supplier", "intake"]


def test_every_change_writes_one_audit_entry_naming_actor_and_states(uow: UnitOfWork) -> None:
    office = Office(uow)
    before = _ledger_size(uow)
    case = office.open_case(documents=1)
    office.move(case.id, "submit", office.supplier)
    entries = _ledger(uow)[before:]
    # The factory's program manager assigns the office's five officials (itself included).
    assigned = ["case:assignment:assign"] * 5
    assert [e.action for e in entries] == [
        "case:case:open",
        "case:inventory:add",
        *assigned,
        "case:status:change",
    ]
    assert all(e.subject_id == str(case.id) for e in entries)
    assert [e.actor_name for e in entries] == ["supplier", "supplier", *["manager"] * 5, "supplier"]
    assert [e.index for e in _ledger(uow)] == list(range(len(_ledger(uow))))
    change = json.loads(entries[-1].leaf)
    assert change["before"]["state"] == "notified"
    assert change["after"]["state"] == "documents_submitted"
    assert change["actor"] == {"id": office.supplier.user_id, "name": "supplier", "role": "supplier"}


def test_refused_actions_write_nothing(uow: UnitOfWork) -> None:
    office = Office(uow)
    case = office.open_case(documents=1)
    size = _ledger_size(uow)
    refusals = [
        lambda: office.move(case.id, "start_examination", office.intake),  # wrong state
        lambda: office.move(case.id, "submit", office.examiner),  # wrong role
        lambda: office.move(case.id, "bogus", office.intake),  # unknown name
        lambda: cases.add_inventory_line(uow, office.examiner, case.id, title="x"),
        lambda: cases.record_offer(uow, office.negotiator, case.id, amount_yen=1),
    ]
    for refuse in refusals:
        with pytest.raises(ShokeiError):
            refuse()
    assert _ledger_size(uow) == size
    assert cases.get_case(uow, office.auditor, case.id).state == "notified"


def test_submission_needs_an_inventory(uow: UnitOfWork) -> None:
    office = Office(uow)
    case = office.open_case(documents=0)
    with pytest.raises(BadInput, match="inventory is empty"):
        office.move(case.id, "submit", office.supplier)


def test_need_to_know_for_suppliers_and_successors(uow: UnitOfWork) -> None:
    office = Office(uow)
    own = office.open_case()
    other_company = company(uow, "他社工業株式会社")
    other = cases.open_case(
        uow,
        office.intake,
        company=other_company.corporate_number or "",
        reason="restructuring",
        planned_exit_date=date(2027, 1, 31),
    )

    assert [c.id for c in cases.list_cases(uow, office.supplier)] == [own.id]
    assert {c.id for c in cases.list_cases(uow, office.auditor)} == {own.id, other.id}
    with pytest.raises(NotFound):
        cases.get_case(uow, office.supplier, other.id)
    with pytest.raises(Forbidden):
        cases.open_case(
            uow,
            office.supplier,
            company=other_company.corporate_number or "",
            reason="other",
            planned_exit_date=date(2027, 1, 1),
        )
    with pytest.raises(Forbidden):
        cases.list_cases(uow, office.admin)

    assert cases.list_cases(uow, office.successor) == []
    _fund(uow, office)
    office.to_successor_selection(own.id)
    assert cases.list_cases(uow, office.successor) == []
    office.select_successor(own.id)
    assert [c.id for c in cases.list_cases(uow, office.successor)] == [own.id]


def test_separation_of_duties_survives_a_change_of_post(uow: UnitOfWork) -> None:
    office = Office(uow)
    _fund(uow, office)
    case = office.open_case()
    office.to_negotiating(case.id)
    purchase.agree_purchase(uow, office.negotiator, case.id, amount_yen=10_000_000)
    # The examiner of this very case is promoted to program manager before approval.
    accounts.change_role(uow, office.admin, "examiner", "program_manager")
    promoted = accounts.actor_for_username(uow, "examiner")
    with pytest.raises(Forbidden, match="you examined this case") as refused:
        office.move(case.id, "approve_purchase", promoted)
    with i18n.activate("ja"):
        assert refused.value.localised(i18n.gettext) == (
            "「買取を承認する」はできません（職務分離）：あなたはこの案件で審査を担当しました"
        )
    accounts.change_role(uow, office.admin, "negotiator", "program_manager")
    with pytest.raises(Forbidden, match="you negotiated this case"):
        office.move(case.id, "approve_purchase", accounts.actor_for_username(uow, "negotiator"))
    assert office.move(case.id, "approve_purchase", office.manager).state == "purchase_agreed"


def test_other_paths_release_and_escalation(uow: UnitOfWork) -> None:
    office = Office(uow)
    released = office.open_case()
    office.to_under_examination(released.id)
    with pytest.raises(BadInput, match="2 document"):
        office.move(released.id, "determine_not_significant", office.examiner, reason="汎用品")
    office.examine_all(released.id)
    office.move(released.id, "determine_not_significant", office.examiner, reason="汎用品")
    assert office.move(released.id, "release", office.manager).state == "closed_released"

    failed = office.open_case()
    office.to_negotiating(failed.id)
    cases.record_offer(uow, office.negotiator, failed.id, amount_yen=20_000_000)
    cases.record_offer(uow, office.negotiator, failed.id, amount_yen=90_000_000, kind="counter")
    with pytest.raises(BadInput, match="'bid' is not one of: offer, counter, agreement"):
        cases.record_offer(uow, office.negotiator, failed.id, amount_yen=80_000_000, kind="bid")
    office.move(failed.id, "fail_negotiation", office.negotiator, reason="価格不一致")
    done = office.move(failed.id, "escalate", office.manager, reason="一時取得を検討")
    assert done.state == "escalated"
    assert [(o.kind, o.amount_yen) for o in done.offers] == [("offer", 20_000_000), ("counter", 90_000_000)]


def test_stale_expected_version_is_a_conflict(uow: UnitOfWork) -> None:
    office = Office(uow)
    case = office.open_case()
    with pytest.raises(Conflict, match="version"):
        office.move(case.id, "submit", office.supplier, expected_version=case.version - 1)
    assert office.move(case.id, "submit", office.supplier, expected_version=case.version).state == (
        "documents_submitted"
    )


def test_concurrent_transitions_exactly_one_wins(uow: UnitOfWork) -> None:
    office = Office(uow)
    case = office.open_case()
    contenders = [office.supplier, office.intake] * 3
    barrier = threading.Barrier(len(contenders))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(actor: object) -> None:
        barrier.wait()
        try:
            cases.transition_case(uow, actor, case.id, "submit")  # type: ignore[arg-type]
            result = "won"
        except Conflict:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(a,)) for a in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(outcomes) == {"won": 1, "conflict": len(contenders) - 1}
    final = cases.get_case(uow, office.auditor, case.id)
    assert final.state == "documents_submitted"
    assert [h.transition for h in final.history].count("submit") == 1
    submits = [e for e in _ledger(uow) if e.action == "case:status:change"]
    assert len(submits) == 1
    assert [e.index for e in _ledger(uow)] == list(range(len(_ledger(uow))))


def test_users_of_company_bound_roles_need_a_company(uow: UnitOfWork) -> None:
    office = Office(uow)
    with pytest.raises(BadInput, match="needs --company"):
        accounts.add_user(uow, office.admin, "lonely", "supplier")
    with pytest.raises(BadInput, match="takes no --company"):
        accounts.add_user(uow, office.admin, "bound", "examiner", company=office.withdrawing.corporate_number)
    with pytest.raises(Forbidden):
        accounts.add_user(uow, office.manager, "sneaky", "admin")
    assert user(uow, Role.AUDITOR).role is Role.AUDITOR
