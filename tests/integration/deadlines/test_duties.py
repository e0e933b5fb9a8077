"""Clocks on real databases: a case's duties start with its moves, fall due by the policy and
show up in the right user's queue only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shokei.clock import FixedClock
from shokei.deadlines import services as deadlines
from shokei.errors import Forbidden
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from tests import factories
from tests.conftest import TEST_NOW
from tests.factories import Office

OPENED = date(2026, 6, 1)  # TEST_NOW, in Japan
DAY_30 = date(2026, 7, 1)  # the shipped policy gives 30 days to hand in


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    return Office(uow)


def _queue(uow: UnitOfWork, actor: object, **options: bool) -> list[dict[str, object]]:
    return [
        d.model_dump(include={"kind", "case_id", "due", "overdue", "what"})
        for d in deadlines.open_duties(uow, actor, **options)
    ]  # type: ignore[arg-type]


def test_opening_a_case_starts_the_suppliers_hand_in_due_on_day_30(uow: UnitOfWork, office: Office) -> None:
    case = office.open_case()

    assert _queue(uow, office.supplier) == [
        {
            "kind": "hand_in",
            "case_id": case.id,
            "due": DAY_30,
            "overdue": False,
            "what": "設計文書の提出",
        }
    ]
    # Nobody else owes it, and the manager's own queue is empty; the manager sees it among everyone's.
    for official in (office.intake, office.examiner, office.negotiator, office.manager):
        assert _queue(uow, official) == []
    assert [d["kind"] for d in _queue(uow, office.manager, everyone=True)] == ["hand_in"]
    assert _queue(uow, office.manager, everyone=True, overdue=True) == []


def test_past_day_30_the_duty_is_overdue_and_on_the_managers_overdue_list(
    uow: UnitOfWork, clock: FixedClock, office: Office
) -> None:
    case = office.open_case()

    clock.at = TEST_NOW + timedelta(days=30)  # day 30: due today, not yet overdue
    assert _queue(uow, office.supplier)[0]["overdue"] is False
    assert _queue(uow, office.manager, everyone=True, overdue=True) == []

    clock.at = TEST_NOW + timedelta(days=31)
    expected = {
        "kind": "hand_in",
        "case_id": case.id,
        "due": DAY_30,
        "overdue": True,
        "what": "設計文書の提出",
    }
    assert _queue(uow, office.supplier, overdue=True) == [expected]
    assert _queue(uow, office.manager, everyone=True, overdue=True) == [expected]
    # The sweep flags it once.
    assert deadlines.sweep(uow).flagged == 1
    assert deadlines.sweep(uow).flagged == 0


def test_a_supplier_never_sees_another_companys_duty(uow: UnitOfWork, office: Office) -> None:
    office.open_case()
    other = factories.company(uow, "他社工業株式会社")
    stranger = factories.user(uow, Role.SUPPLIER, other.corporate_number, "stranger")

    assert _queue(uow, stranger) == []
    with pytest.raises(Forbidden):
        deadlines.open_duties(uow, stranger, everyone=True)


def test_each_move_closes_the_last_duty_and_starts_the_next_actors(
    uow: UnitOfWork, clock: FixedClock, office: Office
) -> None:
    case = office.open_case()
    clock.at = TEST_NOW + timedelta(days=10)  # 2026-06-11
    office.move(case.id, "submit", office.supplier)

    assert _queue(uow, office.supplier) == []
    assert _queue(uow, office.intake) == [
        {
            "kind": "start_examination",
            "case_id": case.id,
            "due": date(2026, 6, 25),  # 14 days from the day it started
            "overdue": False,
            "what": "提出内容の確認と審査の開始",
        }
    ]
    office.move(case.id, "start_examination", office.intake)
    assert _queue(uow, office.intake) == []
    assert [(d["kind"], d["due"]) for d in _queue(uow, office.examiner)] == [
        ("examination", date(2026, 8, 10))
    ]
    assert [d["kind"] for d in _queue(uow, office.manager, everyone=True)] == ["examination"]


def test_the_policy_in_force_is_versioned() -> None:
    shown = deadlines.policy_in_force()
    assert shown["version"] == "2026.1"
    periods = shown["periods_days"]
    assert isinstance(periods, dict)
    assert periods["case_states"]["notified"] == 30
    assert periods["duties"]["successor_acceptance"] == 14
