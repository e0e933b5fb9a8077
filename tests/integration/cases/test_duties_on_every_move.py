"""Separation of duties and declared interests hold on every move, generic transitions included
(the red team's findings, reproduced through the real services)."""

from __future__ import annotations

import pytest

from shokei.accounts import services as accounts
from shokei.errors import Forbidden
from shokei.interests import services as interests
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office


def test_an_examiner_rotated_to_negotiator_may_not_open_or_fail_the_negotiation(uow: UnitOfWork) -> None:
    office = Office(uow)
    case = office.open_case()
    office.to_under_examination(case.id)
    office.examine_all(case.id)
    office.move(case.id, "determine_protection_required", office.examiner, reason="固有技術")
    accounts.change_role(uow, office.admin, office.examiner.username, "negotiator")
    rotated = accounts.actor_for_username(uow, office.examiner.username)
    with pytest.raises(Forbidden, match="you examined this case"):
        office.move(case.id, "open_negotiation", rotated)
    office.move(case.id, "open_negotiation", office.negotiator)
    with pytest.raises(Forbidden, match="you examined this case"):
        office.move(case.id, "fail_negotiation", rotated, reason="決裂")
    assert (
        office.move(case.id, "fail_negotiation", office.negotiator, reason="決裂").state
        == "negotiation_failed"
    )


def test_a_negotiator_with_a_declared_shareholding_may_not_open_the_negotiation(uow: UnitOfWork) -> None:
    office = Office(uow)
    case = office.open_case()
    office.to_under_examination(case.id)
    office.examine_all(case.id)
    office.move(case.id, "determine_protection_required", office.examiner, reason="固有技術")
    interests.declare_interest(
        uow, office.negotiator, company=office.withdrawing.corporate_number or "", relationship="shareholder"
    )
    with pytest.raises(Forbidden, match="conflict of interest"):
        office.move(case.id, "open_negotiation", office.negotiator)
    assert office.get_state(case.id) == "protection_required"


def test_a_program_manager_with_a_family_link_may_not_escalate(uow: UnitOfWork) -> None:
    office = Office(uow)
    case = office.open_case()
    office.to_negotiating(case.id)
    office.move(case.id, "fail_negotiation", office.negotiator, reason="決裂")
    interests.declare_interest(
        uow, office.manager, company=office.withdrawing.corporate_number or "", relationship="family"
    )
    with pytest.raises(Forbidden, match="conflict of interest"):
        office.move(case.id, "escalate", office.manager, reason="国による取得を検討")
    assert office.get_state(case.id) == "negotiation_failed"
