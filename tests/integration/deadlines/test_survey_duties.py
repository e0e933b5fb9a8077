"""A company asked in a supply-chain survey owes its answer by the survey's due date: its supplier
users are told when asked and reminded before the date (the policy's 3 days); an accepted answer
or the survey's closing ends the duty, so nobody answered or closed is reminded. The data is
tests/integration/supply_chain/survey_scenario.py's: today 2026-06-01, due 2026-06-30."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from shokei.accounts.models import User
from shokei.clock import FixedClock
from shokei.deadlines import services as deadlines
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications.models import Notification
from shokei.supply_chain.survey import services as survey
from tests.conftest import TEST_NOW
from tests.integration.supply_chain import survey_scenario as scenario


def _notices(uow: UnitOfWork) -> list[tuple[str, str, str, str]]:
    """(username, occasion, kind, link) of every notice, in the order written."""
    with uow:
        rows = uow.session.execute(
            select(User.username, Notification.occasion, Notification.kind, Notification.link)
            .join(User, User.id == Notification.user_id)
            .order_by(Notification.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_respondents_are_told_reminded_before_the_due_date_and_released_by_answer_or_closing(
    uow: UnitOfWork, clock: FixedClock, tmp_path: Path
) -> None:
    cast = scenario.build(uow, tmp_path / "map")
    users, n = cast.users, cast.number
    campaign = survey.create_campaign(
        uow, users["intake"], "FX-1", due_on=scenario.DUE, respondents=[n("A"), n("B"), n("C")]
    ).id
    link = f"/surveys/{campaign}"
    assert _notices(uow) == [(f"user-{x}", "started", "survey_answer", link) for x in "abc"]
    owed = deadlines.open_duties(uow, users["C"])
    assert [(d.kind, d.case_id, d.survey_campaign_id, d.due, d.days_left) for d in owed] == [
        ("survey_answer", None, campaign, date(2026, 6, 30), 29)
    ]
    assert "サプライチェーン調査への回答" in owed[0].what

    survey.answer_survey(uow, users["A"], campaign, "a.xlsx", scenario.answer_of_a(cast))
    assert deadlines.open_duties(uow, users["A"]) == []  # answered: its duty ended
    survey.cascade(uow, users["A"], campaign, [n("D"), n("E")])
    assert _notices(uow)[3:] == [(f"user-{x}", "started", "survey_answer", link) for x in "de"]
    survey.answer_survey(uow, users["D"], campaign, "d.csv", scenario.answer_of_d(cast))
    survey.answer_survey(uow, users["B"], campaign, "b.xlsx", scenario.correct_answer_of_b(cast))
    survey.cascade(uow, users["B"], campaign, [n("G")])  # G is not registered: nobody to remind
    assert len(_notices(uow)) == 5

    clock.at = TEST_NOW + timedelta(days=25)  # 2026-06-26: four days before, no reminder yet
    assert deadlines.sweep(uow).reminded == 0
    clock.at = TEST_NOW + timedelta(days=26)  # 2026-06-27: three days before
    assert deadlines.sweep(uow).reminded == 2
    assert deadlines.sweep(uow).reminded == 0  # once
    assert _notices(uow)[5:] == [(f"user-{x}", "due_soon", "survey_answer", link) for x in "ce"]
    with uow:
        subject = uow.session.execute(
            select(Notification.subject).where(Notification.occasion == "due_soon")
        ).scalar()
    assert subject == f"【承継】回答期限が近づいています: サプライチェーン調査{campaign}（期限 2026-06-30）"

    survey.close_campaign(uow, users["intake"], campaign)
    clock.at = TEST_NOW + timedelta(days=40)  # past the due date: closed, so nobody is overdue
    assert deadlines.sweep(uow).flagged == 0
    assert deadlines.open_duties(uow, users["auditor"], everyone=True) == []
