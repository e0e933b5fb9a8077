"""A refusal names roles as the pages do (kernel.ROLE_NAMES), and what the role may not do in
words, in the reader's language: never a role's code such as `intake_officer`."""

from __future__ import annotations

import re

import pytest

from shokei.errors import Forbidden, Text
from shokei.kernel import Actor, Role, role_name, role_names
from shokei.measures.services.access import require_reader
from shokei.purchase.access import require_manager, require_negotiator
from shokei.web import i18n


def _japanese(message: Text | Forbidden) -> str:
    with i18n.activate("ja"):
        if isinstance(message, Forbidden):
            return message.localised(i18n.gettext)
        return message.render(i18n.gettext)


def _actor(role: Role) -> Actor:
    return Actor(user_id=7, username="suzuki", role=role)


def test_each_role_has_a_japanese_name_and_a_value_that_is_no_role_reads_as_it_is() -> None:
    assert _japanese(role_name(Role.INTAKE_OFFICER)) == "受付担当官"
    assert _japanese(role_name("program_manager")) == "事業管理官"
    assert role_name(Role.INTAKE_OFFICER).render() == "Intake officer"
    assert {_japanese(role_name(role)) for role in Role} == {
        "撤退企業", "受付担当官", "審査官", "交渉担当官",
        "事業管理官", "承継企業", "監査官", "システム管理者",
    }  # fmt: skip
    assert _japanese(role_name("retired_role")) == "retired_role"


def test_roles_are_listed_in_the_catalogue_order_as_each_language_lists() -> None:
    listed = role_names({Role.AUDITOR, Role.EXAMINER, Role.SUPPLIER})
    assert listed.render() == "Supplier (withdrawing company), Examiner, Auditor"
    assert _japanese(listed) == "撤退企業、審査官、監査官"


def test_a_refusal_names_the_readers_role_and_what_it_may_not_do_in_japanese() -> None:
    with pytest.raises(Forbidden) as refused:
        require_manager(_actor(Role.EXAMINER), "record payments")
    assert refused.value.message == "only a program manager may record payments; you are Examiner"
    assert _japanese(refused.value) == "支払の記録は事業管理官のみ行えます（あなたの役割：審査官）"

    with pytest.raises(Forbidden) as refused:
        require_negotiator(_actor(Role.INTAKE_OFFICER))
    assert _japanese(refused.value) == "この操作は交渉担当官のみ行えます（あなたの役割：受付担当官）"

    with pytest.raises(Forbidden) as refused:
        require_reader(_actor(Role.SUCCESSOR))
    assert refused.value.message == "Successor company may not read measures or facilities"
    japanese = _japanese(refused.value)
    assert japanese == "承継企業の権限では措置及び施設を閲覧できません"
    assert not re.search(r"[a-z_]{4,}", japanese)
