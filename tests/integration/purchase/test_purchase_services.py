"""Purchase on a real database: negotiation, approval against the fiscal-year budget, payment,
cancellation, the valuation ceiling and separation of duties."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from shokei.accounts import services as accounts
from shokei.audit.models import AuditEntry
from shokei.cases import services as cases
from shokei.cases.domain import GuardRefused
from shokei.clock import FixedClock
from shokei.errors import BadInput, Conflict, Forbidden
from shokei.examination import services as examination
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from shokei.purchase.domain import STANDARD_OBLIGATIONS, CeilingExceeded, NoAppropriation
from tests.factories import user
from tests.integration.examination.flow import BILLION, HIGH, Desk


def _ledger_size(uow: UnitOfWork) -> int:
    with uow.transaction() as session:
        return session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_the_first_offer_opens_the_negotiation_and_the_agreement_carries_the_standard_terms(
    uow: UnitOfWork, desk: Desk
) -> None:
    case_id = desk.protection_required()
    purchase.make_offer(uow, desk.negotiator, case_id, amount_yen=20_000_000, note="初回提示")
    purchase.make_counter_offer(uow, desk.negotiator, case_id, amount_yen=45_000_000, note="先方希望")
    purchase.agree_purchase(uow, desk.negotiator, case_id, amount_yen=32_000_000)
    agreement = purchase.agree_purchase(
        uow, desk.negotiator, case_id, amount_yen=31_000_000, payment_due=date(2026, 9, 30)
    )

    detail = cases.get_case(uow, desk.auditor, case_id)
    assert detail.state == "negotiating"
    assert [(h.transition, h.actor) for h in detail.history][-1] == ("open_negotiation", "negotiator")
    assert [(o.kind, o.amount_yen) for o in detail.offers] == [
        ("offer", 20_000_000),
        ("counter", 45_000_000),
        ("agreement", 32_000_000),
        ("agreement", 31_000_000),
    ]
    assert detail.agreed_amount_yen == 31_000_000
    assert (agreement.status, agreement.payment_due) == ("proposed", date(2026, 9, 30))
    assert agreement.obligations == list(STANDARD_OBLIGATIONS)
    assert "free of charge to a successor" in agreement.rights_transferred
    shown = purchase.get_purchase(uow, desk.auditor, case_id)
    assert shown.agreement is not None
    assert shown.agreement.id == agreement.id
    assert len(shown.offers) == 4


def test_an_agreement_recorded_as_a_case_offer_is_a_proposed_agreement_too(
    uow: UnitOfWork, desk: Desk
) -> None:
    case_id = desk.protection_required()
    desk.move(case_id, "open_negotiation", desk.negotiator)
    purchase.agree_purchase(uow, desk.negotiator, case_id, amount_yen=25_000_000)
    shown = purchase.get_purchase(uow, desk.manager, case_id)
    assert shown.agreement is not None
    assert (shown.agreement.status, shown.agreement.amount_yen, shown.agreement.proposed_by) == (
        "proposed",
        25_000_000,
        "negotiator",
    )


def test_approval_commits_the_budget_of_the_fiscal_year_of_the_approval_date_in_japan(
    uow: UnitOfWork, clock: FixedClock
) -> None:
    clock.at = datetime(2023, 3, 31, 14, 59, tzinfo=UTC)  # 23:59 on 31 March in Tokyo: FY2022
    desk = Desk(uow)
    desk.fund(2022)
    desk.fund(2023)
    march, _ = desk.agreed(30_000_000)
    approved = purchase.approve_purchase(uow, desk.manager, march)
    assert (approved.fiscal_year, approved.approved_on, approved.state) == (
        2022,
        date(2023, 3, 31),
        "purchase_agreed",
    )

    clock.at = datetime(2023, 3, 31, 15, 0, tzinfo=UTC)  # still 31 March in UTC, 1 April in Tokyo
    april, _ = desk.agreed(40_000_000)
    assert purchase.approve_purchase(uow, desk.manager, april).fiscal_year == 2023

    fy2022 = purchase.get_budget(uow, desk.auditor, fiscal_year=2022)
    fy2023 = purchase.get_budget(uow, desk.auditor, fiscal_year=2023)
    assert [(line.case_id, line.amount_yen) for line in fy2022.lines] == [(march, 30_000_000)]
    assert [(line.case_id, line.amount_yen) for line in fy2023.lines] == [(april, 40_000_000)]
    assert (fy2022.committed, fy2022.available) == (30_000_000, 970_000_000)
    assert (fy2022.starts, fy2022.ends) == (date(2022, 4, 1), date(2023, 3, 31))


def test_budget_totals_follow_commitments_payments_and_releases(uow: UnitOfWork, desk: Desk) -> None:
    desk.fund()
    paid, _ = desk.agreed(30_000_000)
    cancelled, _ = desk.agreed(45_000_000)
    committed, _ = desk.agreed(120_000_000)
    for case_id in (paid, cancelled, committed):
        purchase.approve_purchase(uow, desk.manager, case_id)
    purchase.pay_purchase(uow, desk.manager, paid, paid_on=date(2026, 6, 1))
    after_cancel = purchase.cancel_purchase(uow, desk.manager, cancelled, reason="供給者が契約を辞退")

    budget = purchase.get_budget(uow, desk.auditor, fiscal_year=2026)
    # 1,000,000,000 - 120,000,000 committed - 30,000,000 paid; the 45,000,000 is released
    assert (budget.appropriation, budget.committed, budget.paid, budget.available) == (
        1_000_000_000,
        120_000_000,
        30_000_000,
        850_000_000,
    )
    assert [(line.case_id, line.status, line.paid_on, line.released_on) for line in budget.lines] == [
        (paid, "paid", date(2026, 6, 1), None),
        (cancelled, "released", None, date(2026, 6, 1)),
        (committed, "committed", None, None),
    ]
    assert budget.lines[0].company == "退出工業株式会社"
    assert after_cancel.state == "negotiating"
    assert after_cancel.agreement is not None
    assert (after_cancel.agreement.status, after_cancel.agreement.end_reason) == (
        "cancelled",
        "供給者が契約を辞退",
    )
    with uow.transaction() as session:
        actions = session.execute(
            select(AuditEntry.action).where(
                AuditEntry.subject_type == "budget", AuditEntry.subject_id == "2026"
            )
        ).scalars()
        assert sorted(actions) == sorted(
            ["purchase:budget:set"]
            + ["purchase:budget:commit"] * 3
            + ["purchase:budget:pay", "purchase:budget:release"]
        )


def test_a_cancelled_purchase_is_negotiated_and_approved_again(uow: UnitOfWork, desk: Desk) -> None:
    desk.fund(amount_yen=50_000_000)
    case_id, _ = desk.agreed(40_000_000)
    with pytest.raises(Conflict, match="allowed only from 'Purchase approved'"):
        desk.move(case_id, "cancel_purchase", desk.manager, reason="承認前")  # the move, not a withdrawal
    purchase.approve_purchase(uow, desk.manager, case_id)
    desk.move(
        case_id, "cancel_purchase", desk.manager, reason="価格の再交渉"
    )  # the generic move releases too
    assert cases.get_case(uow, desk.auditor, case_id).agreed_amount_yen is None
    purchase.agree_purchase(uow, desk.negotiator, case_id, amount_yen=45_000_000)
    assert purchase.approve_purchase(uow, desk.manager, case_id).budget.available == 5_000_000


def test_payments_and_cancellations_keep_to_the_rules(uow: UnitOfWork, desk: Desk) -> None:
    desk.fund()
    case_id, _ = desk.agreed(30_000_000)
    with pytest.raises(Conflict, match="no approved purchase to pay"):
        purchase.pay_purchase(uow, desk.manager, case_id, paid_on=date(2026, 6, 2))
    purchase.approve_purchase(uow, desk.manager, case_id)
    with pytest.raises(Forbidden, match="only a program manager may record payments"):
        purchase.pay_purchase(uow, desk.negotiator, case_id, paid_on=date(2026, 6, 2))
    with pytest.raises(BadInput, match="precede the approval on 2026-06-01"):
        purchase.pay_purchase(uow, desk.manager, case_id, paid_on=date(2026, 5, 31))
    purchase.pay_purchase(uow, desk.manager, case_id, paid_on=date(2026, 6, 1))
    size = _ledger_size(uow)
    with pytest.raises(Conflict, match="was paid on 2026-06-01"):
        purchase.pay_purchase(uow, desk.manager, case_id, paid_on=date(2026, 6, 3))
    with pytest.raises(Conflict, match="a paid purchase cannot be cancelled"):
        purchase.cancel_purchase(uow, desk.manager, case_id, reason="誤り")
    with pytest.raises(BadInput, match="reason is required"):
        purchase.cancel_purchase(uow, desk.manager, case_id, reason=" ")
    assert _ledger_size(uow) == size
    assert purchase.get_budget(uow, desk.auditor, fiscal_year=2026).paid == 30_000_000


def test_a_proposed_agreement_is_withdrawn_without_touching_the_budget(uow: UnitOfWork, desk: Desk) -> None:
    desk.fund()
    case_id, _ = desk.agreed(30_000_000)
    with pytest.raises(Forbidden, match="negotiator or a program manager"):
        purchase.cancel_purchase(uow, desk.examiner, case_id, reason="x")
    withdrawn = purchase.cancel_purchase(uow, desk.negotiator, case_id, reason="提示額を撤回")
    assert withdrawn.agreement is not None
    assert (withdrawn.state, withdrawn.agreement.status) == ("negotiating", "withdrawn")
    with pytest.raises(GuardRefused, match="no purchase amount has been agreed"):
        purchase.approve_purchase(uow, desk.manager, case_id)
    assert purchase.get_budget(uow, desk.auditor, fiscal_year=2026).committed == 0


def test_an_amount_above_the_valuation_ceiling_needs_an_override_reason(uow: UnitOfWork, desk: Desk) -> None:
    desk.fund()
    case_id = desk.protection_required()
    valuation = purchase.record_valuation(
        uow,
        desk.negotiator,
        case_id,
        development_cost_yen=120_000_000,
        development_year=2019,
        reproduction_cost_yen=90_000_000,
    )
    # basis ¥90M (the cheaper cost), 7 years old: 30% residual
    assert (valuation.suggested_low_yen, valuation.suggested_high_yen, valuation.ceiling_yen) == (
        21_600_000,
        27_000_000,
        90_000_000,
    )
    assert purchase.get_valuation(uow, desk.auditor, case_id).inputs["development_year"] == 2019
    purchase.agree_purchase(uow, desk.negotiator, case_id, amount_yen=95_000_000)
    with pytest.raises(CeilingExceeded, match=r"¥95,000,000 is above the valuation ceiling ¥90,000,000"):
        purchase.approve_purchase(uow, desk.manager, case_id)
    approved = purchase.approve_purchase(
        uow, desk.manager, case_id, override_reason="再現不能な唯一の設計資料"
    )
    assert (approved.ceiling_yen, approved.override_reason) == (90_000_000, "再現不能な唯一の設計資料")


def test_the_approver_neither_examined_nor_negotiated_nor_is_linked_to_the_company(
    uow: UnitOfWork, desk: Desk
) -> None:
    desk.fund()
    second_examiner = user(uow, Role.EXAMINER, name="examiner2")
    valuer = user(uow, Role.NEGOTIATOR, name="valuer")
    case_id = desk.under_examination()
    desk.assign_officials(case_id, second_examiner, valuer)
    desk.score_all(case_id, HIGH)
    desk.score_all(case_id, HIGH, examiner=second_examiner)  # scored only: the first examiner determines
    desk.determine(case_id)
    purchase.record_valuation(uow, valuer, case_id, reproduction_cost_yen=60_000_000)
    purchase.agree_purchase(uow, desk.negotiator, case_id, amount_yen=30_000_000)

    for name, refusal in [
        ("examiner", "you examined this case"),
        ("examiner2", "you examined this case"),
        ("negotiator", "you negotiated this case"),
        ("valuer", "you negotiated this case"),
    ]:
        accounts.change_role(uow, desk.admin, name, "program_manager")
        promoted = accounts.actor_for_username(uow, name)
        with pytest.raises(Forbidden, match=refusal):
            purchase.approve_purchase(uow, promoted, case_id)
    linked = user(uow, Role.PROGRAM_MANAGER, name="linked-manager")
    examination.declare_interest(
        uow, linked, company=desk.withdrawing.corporate_number or "", relationship="family"
    )
    with pytest.raises(Forbidden, match="conflict of interest"):
        purchase.approve_purchase(uow, linked, case_id)
    with pytest.raises(Forbidden, match="needs role Program manager"):
        purchase.approve_purchase(uow, desk.negotiator, case_id)
    assert purchase.get_budget(uow, desk.auditor, fiscal_year=2026).lines == []
    assert cases.get_case(uow, desk.auditor, case_id).state == "negotiating"

    assert purchase.approve_purchase(uow, desk.manager, case_id).state == "purchase_agreed"


def test_an_examiner_may_not_negotiate_the_case_they_examined(uow: UnitOfWork, desk: Desk) -> None:
    case_id = desk.protection_required()
    accounts.change_role(uow, desk.admin, "examiner", "negotiator")
    moved = accounts.actor_for_username(uow, "examiner")
    with pytest.raises(Forbidden, match="you examined this case"):
        purchase.make_offer(uow, moved, case_id, amount_yen=1_000_000)
    with pytest.raises(Forbidden, match="you examined this case"):
        purchase.record_valuation(uow, moved, case_id, reproduction_cost_yen=1_000_000)


def test_no_appropriation_no_approval_and_appropriations_never_undercut_commitments(
    uow: UnitOfWork, desk: Desk
) -> None:
    case_id, _ = desk.agreed(30_000_000)
    size = _ledger_size(uow)
    with pytest.raises(NoAppropriation, match="no appropriation is set for FY2026"):
        purchase.approve_purchase(uow, desk.manager, case_id)
    assert _ledger_size(uow) == size
    assert cases.get_case(uow, desk.auditor, case_id).state == "negotiating"
    assert purchase.get_budget(uow, desk.auditor, fiscal_year=2026).appropriation_set is False

    with pytest.raises(Forbidden, match="only a program manager may set appropriations"):
        purchase.set_appropriation(uow, desk.negotiator, fiscal_year=2026, amount_yen=BILLION)
    desk.fund(amount_yen=30_000_000)
    purchase.approve_purchase(uow, desk.manager, case_id)
    with pytest.raises(Conflict, match="already has ¥30,000,000 committed or paid"):
        purchase.set_appropriation(uow, desk.manager, fiscal_year=2026, amount_yen=29_999_999)
    raised = purchase.set_appropriation(uow, desk.manager, fiscal_year=2026, amount_yen=BILLION)
    assert (raised.appropriation, raised.committed, raised.available) == (BILLION, 30_000_000, 970_000_000)
    with pytest.raises(Forbidden):
        purchase.get_budget(uow, desk.supplier, fiscal_year=2026)
    with pytest.raises(BadInput, match="between 2000 and 2100"):
        purchase.get_budget(uow, desk.auditor, fiscal_year=22)


def test_demo_budgets_are_seeded_once(uow: UnitOfWork, desk: Desk) -> None:
    seeded = purchase.seed_demo_budgets(uow, desk.manager)
    assert [(b.fiscal_year, b.appropriation) for b in seeded] == [(2022, BILLION), (2026, BILLION)]
    size = _ledger_size(uow)
    purchase.seed_demo_budgets(uow, desk.manager)
    assert _ledger_size(uow) == size
