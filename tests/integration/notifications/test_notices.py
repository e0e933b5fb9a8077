"""Every step of a case tells its next actors, and nobody else, in the step's own transaction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from shokei.accounts import services as accounts
from shokei.accounts.models import User
from shokei.cases import services as cases
from shokei.clock import FixedClock
from shokei.deadlines import services as deadlines
from shokei.errors import NotFound
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications import services as notifications
from shokei.notifications.models import Notification
from tests import factories
from tests.conftest import TEST_NOW
from tests.factories import Office


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    return Office(uow)


def _notices(uow: UnitOfWork) -> list[tuple[str, str, str]]:
    """(username, occasion, kind) of every notice, in the order written."""
    with uow:
        rows = uow.session.execute(
            select(User.username, Notification.occasion, Notification.kind)
            .join(User, User.id == Notification.user_id)
            .order_by(Notification.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_each_step_notifies_its_next_actors_only(uow: UnitOfWork, office: Office) -> None:
    other = factories.company(uow, "他社工業株式会社")
    factories.user(uow, Role.SUPPLIER, other.corporate_number, "stranger")
    second_intake = factories.user(uow, Role.INTAKE_OFFICER, name="intake2")

    case = office.open_case()
    assert _notices(uow) == [("supplier", "started", "hand_in")]

    office.move(case.id, "submit", office.supplier)
    assert _notices(uow)[1:] == [("intake", "started", "start_examination")]

    office.move(case.id, "start_examination", office.intake)
    assert _notices(uow)[2:] == [("examiner", "started", "examination")]

    office.examine_all(case.id)
    office.move(case.id, "determine_protection_required", office.examiner, reason="固有技術")
    assert _notices(uow)[3:] == [("negotiator", "started", "open_negotiation")]

    office.move(case.id, "open_negotiation", office.negotiator)
    assert _notices(uow)[4:] == [("negotiator", "started", "negotiation")]
    # The other company's supplier, the successor, the auditor, the admin and the intake officer
    # not assigned to the case were told nothing.
    told = {name for name, _, _ in _notices(uow)}
    assert told == {"supplier", "intake", "examiner", "negotiator"}
    assert notifications.inbox(uow, second_intake) == []


def test_a_duty_goes_to_the_officials_assigned_to_the_case_not_to_every_one_of_the_role(
    uow: UnitOfWork, office: Office
) -> None:
    """Issue 23: a duty notice names the case and the duty, so it goes only to the officials of
    the duty's role assigned to the case (the inbox and, with an address, the mail outbox)."""
    outsider = factories.user(uow, Role.EXAMINER, name="examiner2")
    accounts.update_email(uow, office.admin, "examiner2", "examiner2@mod.example.go.jp")
    case = office.open_case()
    office.to_under_examination(case.id)
    assert notifications.inbox(uow, office.examiner)[0].link == f"/cases/{case.id}"
    assert notifications.inbox(uow, outsider) == []
    with uow:
        mailed = uow.session.execute(select(Notification.email).where(Notification.email.is_not(None)))
        assert "examiner2@mod.example.go.jp" not in set(mailed.scalars())


def test_a_duty_on_a_case_with_nobody_of_its_role_assigned_goes_to_every_one_of_the_role(
    uow: UnitOfWork, office: Office
) -> None:
    """The fall-back (docs/security.md): rather than a duty nobody is told of, every user of the
    role is told when the case has nobody of that role assigned yet."""
    second = factories.user(uow, Role.EXAMINER, name="examiner2")
    case = cases.open_case(
        uow,
        office.supplier,
        company=office.withdrawing.corporate_number or "",
        reason="factory_closure",
        planned_exit_date=date(2026, 9, 30),
    )
    cases.add_inventory_line(uow, office.supplier, case.id, title="部品図", drawing_number="D-1")
    cases.assign_official(uow, office.manager, case.id, "intake")
    office.to_under_examination(case.id)
    assert [n.link for n in notifications.inbox(uow, office.examiner)] == [f"/cases/{case.id}"]
    assert [n.link for n in notifications.inbox(uow, second)] == [f"/cases/{case.id}"]


def test_overdue_duty_flags_its_party_and_the_program_managers(
    uow: UnitOfWork, clock: FixedClock, office: Office
) -> None:
    office.open_case()
    clock.at = TEST_NOW + timedelta(days=28)  # within the policy's 3 reminder days of day 30
    assert deadlines.sweep(uow).reminded == 1
    clock.at = TEST_NOW + timedelta(days=31)
    assert deadlines.sweep(uow).flagged == 1

    assert _notices(uow) == [
        ("supplier", "started", "hand_in"),
        ("supplier", "due_soon", "hand_in"),
        ("supplier", "overdue", "hand_in"),
        ("manager", "overdue", "hand_in"),
    ]
    subject = notifications.inbox(uow, office.manager)[0].subject
    assert subject.startswith("【承継】期限超過: 案件")
    assert "期限 2026-07-01" in subject


def test_inbox_read_marks_only_ones_own_notice(uow: UnitOfWork, office: Office) -> None:
    office.open_case()
    notice = notifications.inbox(uow, office.supplier)[0]
    assert notice.read is False
    assert notifications.unread_count(uow, office.supplier) == 1

    with pytest.raises(NotFound):
        notifications.mark_read(uow, office.manager, notice.id)
    assert notifications.mark_read(uow, office.supplier, notice.id).read is True
    assert notifications.inbox(uow, office.supplier)[0].read is True
    assert notifications.unread_count(uow, office.supplier) == 0


def test_users_with_an_address_get_a_pending_email_others_the_inbox_only(
    uow: UnitOfWork, office: Office
) -> None:
    accounts.update_email(uow, office.admin, "supplier", "supplier@taishutsu.example.jp")
    office.open_case()
    with uow:
        row = uow.session.execute(select(Notification)).scalar_one()
        assert (row.email, row.mail_state, row.attempts) == ("supplier@taishutsu.example.jp", "pending", 0)
