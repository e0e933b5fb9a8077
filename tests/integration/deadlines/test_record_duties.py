"""Duties on records other than a case, on real databases: a recalled copy's return, a survey's
answer, a certification's renewal. Each starts on its feature's event (through the bus), shows in
the owing users' `shokei duties --json` with `case_id` null, tells that company's users only, and
ends when the record moves on."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from shokei.accounts.models import User
from shokei.clock import JST, FixedClock
from shokei.companies import access
from shokei.deadlines import services as deadlines
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications.models import Notification
from shokei.supply_chain.survey import services as survey
from tests import factories
from tests.conftest import TEST_NOW, Cli
from tests.factories import Office
from tests.integration.succession.test_recall_cli import _released
from tests.integration.supply_chain import survey_scenario as scenario

TODAY = date(2026, 6, 1)  # TEST_NOW in Japan


def _kinds(uow: UnitOfWork, actor: object, **options: bool) -> list[tuple[str, object]]:
    return [(d.kind, d.case_id) for d in deadlines.open_duties(uow, actor, **options)]  # type: ignore[arg-type]


def _told(uow: UnitOfWork, kind: str) -> list[str]:
    with uow:
        rows = uow.session.execute(
            select(User.username)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.kind == kind)
            .order_by(Notification.id)
        )
        return list(rows.scalars())


def test_a_recalled_copy_is_owed_back_by_its_holder_until_returned(
    uow: UnitOfWork, cli: Cli, sample_files: Path
) -> None:
    _office, _case, (first, _second) = _released(uow, cli, sample_files)
    stranger_company = factories.company(uow, "他社精機株式会社")
    factories.user(uow, Role.SUCCESSOR, stranger_company.corporate_number, "stranger")

    assert cli("handover", "recall", first, "--reason", "保全違反の疑い", "--as", "manager").exit_code == 0
    recalled_on = datetime.now(JST).date()  # the CLI runs on the system clock

    owed = cli("duties", "--json", "--as", "successor").json()
    assert owed == [
        {
            "kind": "copy_return",
            "case_id": None,
            "due": (recalled_on + timedelta(days=14)).isoformat(),  # copy_return: 14 days (v1.toml)
            "overdue": False,
            "what": f"回収された写しの返却（廃棄証明）（写し {first}）",
            "survey_campaign_id": None,  # added to the list by the survey-answer duties (issue 19)
        }
    ]
    assert cli("duties", "--json", "--as", "stranger").json() == []
    everyone = cli("duties", "--all", "--json", "--as", "manager").json()
    assert ("copy_return", None) in [(d["kind"], d["case_id"]) for d in everyone]  # type: ignore[index]
    assert _told(uow, "copy_return") == ["successor"]  # the holder's users, nobody else's

    returned = cli("handover", "return", first, "--reference", "廃棄証明 第7号", "--as", "successor")
    assert returned.exit_code == 0
    assert cli("duties", "--json", "--as", "successor").json() == []


def test_each_asked_company_owes_its_answer_until_it_answers_or_the_survey_closes(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    cast = scenario.build(uow, tmp_path / "map")
    users, n = cast.users, cast.number
    created = survey.create_campaign(
        uow, users["intake"], "FX-1", due_on=scenario.DUE, respondents=[n("A"), n("B"), n("C")]
    )
    for letter in "ABC":
        [duty] = deadlines.open_duties(uow, users[letter])
        assert (duty.kind, duty.case_id, duty.due) == ("survey_answer", None, scenario.DUE)
        assert duty.overdue is False
        assert duty.what == f"サプライチェーン調査への回答（調査{created.id}）"
    assert deadlines.open_duties(uow, users["D"]) == []
    assert _told(uow, "survey_answer") == ["user-a", "user-b", "user-c"]

    assert survey.answer_survey(uow, users["A"], created.id, "a.xlsx", scenario.answer_of_a(cast)).accepted
    assert deadlines.open_duties(uow, users["A"]) == []
    # A forwards the survey to its suppliers D and E (tier 2): they owe an answer now.
    survey.cascade(uow, users["A"], created.id, [n("D"), n("E")])
    assert [d.kind for d in deadlines.open_duties(uow, users["D"])] == ["survey_answer"]

    survey.close_campaign(uow, users["intake"], created.id)
    for letter in "BCD":
        assert deadlines.open_duties(uow, users[letter]) == [], letter


def test_a_certification_is_renewed_by_its_last_valid_day(uow: UnitOfWork, clock: FixedClock) -> None:
    office = Office(uow)
    number = office.successor_company.corporate_number or ""
    until = date(2026, 12, 31)
    access.certify(uow, office.manager, number, custodian="保全 太郎", until=until)

    # certification_renewal = 60 days: in the manager's queue from 2026-11-01 on, not before.
    assert _kinds(uow, office.manager) == []
    clock.at = TEST_NOW + timedelta(days=(date(2026, 11, 1) - TODAY).days)
    [duty] = deadlines.open_duties(uow, office.manager)
    assert (duty.kind, duty.case_id, duty.due, duty.days_left) == ("certification_renewal", None, until, 60)
    assert duty.link == f"/companies/{number}"
    assert deadlines.open_duties(uow, office.successor) == []

    # A renewal replaces the duty with the next one's; a revocation ends it.
    access.certify(uow, office.manager, number, custodian="保全 太郎", until=date(2027, 12, 31))
    assert _kinds(uow, office.manager) == []
    access.revoke_certification(uow, office.manager, number, "保全体制の不備")
    clock.at = TEST_NOW + timedelta(days=500)
    assert _kinds(uow, office.manager, everyone=True) == []
