"""Pages offer only what the viewer may do now: for every role and every state the factories
reach, each workflow step offered on the case page is accepted when it is sent (no step offered
and then refused), the moves another feature makes are offered only in that feature's section,
and a step not possible yet is named with its reason instead of a button."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI

from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office
from tests.web.conftest import Browser, as_user

ROLES = ("supplier", "successor", "intake", "examiner", "negotiator", "manager", "auditor", "admin")
OWNED = {
    "determine_protection_required",
    "determine_not_significant",
    "approve_purchase",
    "cancel_purchase",
    "take_measure",
    "reopen_negotiation",
    "select_successor",
    "hand_over",
}


def _submitted(office: Office) -> int:
    case_id = office.open_case().id
    office.move(case_id, "submit", office.supplier)
    return case_id


def _examining(office: Office) -> int:
    case_id = office.open_case().id
    office.to_under_examination(case_id)
    return case_id


def _examined(office: Office) -> int:
    case_id = _examining(office)
    office.examine_all(case_id)
    return case_id


def _protection_required(office: Office) -> int:
    case_id = _examined(office)
    office.move(case_id, "determine_protection_required", office.examiner, reason="固有技術")
    return case_id


def _negotiating(office: Office) -> int:
    case_id = office.open_case().id
    office.to_negotiating(case_id)
    return case_id


def _selecting(office: Office) -> int:
    case_id = office.open_case().id
    office.to_successor_selection(case_id)
    return case_id


def _selected(office: Office) -> int:
    case_id = _selecting(office)
    office.select_successor(case_id)
    return case_id


def _handed_over(office: Office) -> int:
    case_id = _selected(office)
    office.hand_over_on_paper(case_id)
    return case_id


STATES: dict[str, Callable[[Office], int]] = {
    "notified, empty inventory": lambda office: office.open_case(documents=0).id,
    "notified": lambda office: office.open_case().id,
    "documents submitted": _submitted,
    "under examination, nothing examined": _examining,
    "under examination, all examined": _examined,
    "protection required": _protection_required,
    "negotiating": _negotiating,
    "successor selection": _selecting,
    "successor selected": _selected,
    "handed over": _handed_over,
}

_MOVE = re.compile(r'action="/cases/\d+/transitions".*?name="name" value="(\w+)"', re.S)


def _offered(browser: Browser, case_id: int) -> list[str]:
    response = browser.get(f"/cases/{case_id}")
    return _MOVE.findall(response.text) if response.status_code == 200 else []


def _send(browser: Browser, case_id: int, name: str) -> str:
    page = browser.get(f"/cases/{case_id}").text
    form = next(f for f in re.findall(r"<form.*?</form>", page, re.S) if f'value="{name}"' in f)
    version = re.search(r'name="version" value="(\d+)"', form)
    data = {"name": name, "version": version.group(1) if version else ""}
    if 'name="reason"' in form:
        data["reason"] = "確認のうえ実施"
    response = browser.post(f"/cases/{case_id}/transitions", data)
    assert response.status_code == 303, response.text[-400:]
    return browser.get(response.headers["location"]).text


def test_every_offered_step_is_accepted_for_every_role_and_state(uow: UnitOfWork, app: FastAPI) -> None:
    office = Office(uow)
    office.fund()
    browsers = {role: as_user(app, role) for role in ROLES}
    offered: list[tuple[str, str, str]] = []
    for state, build in STATES.items():
        case_id = build(office)
        for role, browser in browsers.items():
            moves = _offered(browser, case_id)
            assert not OWNED & set(moves), (state, role, moves)  # one way: the feature's section
            offered += [(state, role, move) for move in moves]
    assert len(offered) >= 6, offered  # the walk reaches the generic steps
    for state, role, move in offered:
        case_id = STATES[state](office)  # a fresh case in that state for each step sent
        after = _send(browsers[role], case_id, move)
        assert 'class="message message-error' not in after, (state, role, move, after[-800:])
        assert "message-success" in after, (state, role, move)


def test_a_step_not_possible_yet_is_named_with_its_reason(uow: UnitOfWork, app: FastAPI) -> None:
    office = Office(uow)
    supplier = as_user(app, "supplier")
    empty = office.open_case(documents=0).id
    page = supplier.get(f"/cases/{empty}").text
    assert 'value="submit"' not in page  # the inventory is empty: no button that would be refused
    waiting = re.findall(r"<li class=\"hint\" data-move-waiting>(.*?)</li>", page, re.S)
    assert len(waiting) == 1
    assert "提出" in waiting[0]
    examiner = as_user(app, "examiner")
    examining = _examining(office)
    page = examiner.get(f"/cases/{examining}").text
    assert 'value="determine_protection_required"' not in page
    assert 'value="determine_not_significant"' not in page


def test_every_company_link_on_a_case_page_opens_for_its_viewer(uow: UnitOfWork, app: FastAPI) -> None:
    office = Office(uow)
    office.fund()
    case_id = _selected(office)
    supplier_number = office.withdrawing.corporate_number
    for role in ROLES:
        browser = as_user(app, role)
        page = browser.get(f"/cases/{case_id}")
        if page.status_code != 200:
            continue
        links = set(re.findall(r'href="(/companies/\d{13})"', page.text))
        for link in links:
            assert browser.get(link).status_code == 200, (role, link)
        followed = f"/companies/{supplier_number}" in links
        assert followed == (role not in {"successor"}), (role, links)  # the successor: not its company
