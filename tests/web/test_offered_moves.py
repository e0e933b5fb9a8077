"""Pages offer only what the viewer may do now: for every role and every state the factories
reach, each workflow step offered on the case page is accepted when it is sent (no step offered
and then refused), the moves another feature makes are offered only in that feature's section,
and a step not possible yet is named with its reason instead of a button."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI

from shokei.bootstrap import Shokei
from shokei.cases import services as cases
from shokei.examination import services as examination
from shokei.interests import services as interests
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from shokei.succession import services as succession
from tests import factories
from tests.factories import Office
from tests.web.conftest import Browser, as_user
from tests.web.test_succession_pages import case_awaiting_selection, release

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


# -- the feature forms of the case page ---------------------------------------------------------
# The moves the features own (the policy's determination, the purchase's approval with its budget,
# the successor's selection, the hand-over and its steps) are forms of their own sections: each one
# offered must be accepted too.

FEATURE_FORMS = re.compile(
    r"/(examination/determination|purchase/(?:approval|payment|cancellation)|successor"
    r"|terms/acceptance|handover/(?:record|release|destruction))$"
)
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
_FIELD = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.S)
_OPTION = re.compile(r'<option value="([^"]+)"')
AT_THRESHOLD = {
    "criticality": 2,
    "disclosure": 3,
    "uniqueness": 2,
    "export_control": 3,
    "package_completeness": 4,
    "age": 4,
}


def _scored(office: Office, *, complete: bool) -> int:
    case_id = _examining(office)
    lines = cases.get_case(office.uow, office.intake, case_id).inventory
    for line in lines[: len(lines) if complete else 1]:
        examination.score_document(
            office.uow, office.examiner, case_id, line.id, values=AT_THRESHOLD, rationale="固有の設計"
        )
    return case_id


def _agreed(office: Office, amount: int = 10_000_000) -> int:
    case_id = _negotiating(office)
    purchase.agree_purchase(office.uow, office.negotiator, case_id, amount_yen=amount)
    return case_id


def _approved(office: Office) -> int:
    case_id = _agreed(office)
    purchase.approve_purchase(office.uow, office.manager, case_id)
    return case_id


def _accepted(office: Office) -> int:
    case_id = _selected(office)
    succession.accept_terms(office.uow, office.successor, case_id)
    return case_id


FEATURE_STATES: dict[str, Callable[[Office], int]] = {
    "under examination, one document scored": lambda office: _scored(office, complete=False),
    "under examination, every document scored": lambda office: _scored(office, complete=True),
    "negotiating": _negotiating,
    "negotiating, agreement proposed": _agreed,
    "negotiating, agreement above the budget": lambda office: _agreed(office, 10**15),
    "purchase approved": _approved,
    "successor selection": _selecting,
    "successor selected": _selected,
    "successor accepted the terms": _accepted,
    "handed over": _handed_over,
}


def _feature_forms(html: str) -> dict[str, str]:
    """action -> the form's body, for each feature form on the page (the first of each action)."""
    found: dict[str, str] = {}
    for attributes, body in _FORM.findall(html):
        action = dict(_ATTR.findall(attributes)).get("action", "")
        if FEATURE_FORMS.search(action) and action not in found:
            found[action] = body
    return found


def _filled(body: str, office: Office) -> dict[str, str]:
    """The form as a user fills it: hidden values kept, a choice made, every text field given."""
    data: dict[str, str] = {}
    for kind, attributes in _FIELD.findall(body):
        field = dict(_ATTR.findall(attributes))
        name, kind_of = field.get("name"), field.get("type", "text")
        if not name or name == "csrf_token" or kind_of == "submit":
            continue
        if kind_of == "hidden":
            data[name] = field.get("value", "")
        elif kind == "select":
            options = _OPTION.findall(body.split(attributes, 1)[1].split("</select>", 1)[0])
            data[name] = options[0] if options else ""
        elif kind_of == "checkbox":
            continue
        elif kind_of == "date":
            data[name] = field.get("value") or office.uow.clock.today().isoformat()
        elif name == "corporate_number":
            data[name] = office.successor_company.corporate_number or ""
        else:
            data[name] = field.get("value") or "確認のうえ実施"
    return data


def test_every_feature_form_offered_is_accepted_for_every_role_and_state(
    uow: UnitOfWork, app: FastAPI
) -> None:
    office = Office(uow)
    office.fund()
    office.make_eligible(office.successor_company)
    browsers = {role: as_user(app, role) for role in ROLES}
    offered: list[tuple[str, str, str]] = []
    for state, build in FEATURE_STATES.items():
        case_id = build(office)
        for role, browser in browsers.items():
            page = browser.get(f"/cases/{case_id}")
            if page.status_code == 200:
                offered += [(state, role, action) for action in _feature_forms(page.text)]
    reached = {re.sub(r"/cases/\d+", "", action) for _state, _role, action in offered}
    assert reached >= {
        "/examination/determination",
        "/purchase/approval",
        "/successor",
        "/handover/record",
    }, reached
    refused = []
    for state, role, action in offered:
        case_id = FEATURE_STATES[state](office)  # a fresh case in that state for each form sent
        browser = browsers[role]
        page = browser.get(f"/cases/{case_id}").text
        path = re.sub(r"/cases/\d+", f"/cases/{case_id}", action)
        body = _feature_forms(page)[path]
        response = browser.post(path, _filled(body, office))
        after = browser.get(response.headers["location"]).text if response.status_code == 303 else ""
        if response.status_code != 303 or 'class="message message-error' in after:
            refused.append((state, role, path, response.status_code, _error_of(response.text + after)))
    assert not refused, "offered, then refused:\n" + "\n".join(map(str, refused))


def _error_of(html: str) -> str:
    found = re.search(r'class="message message-error[^>]*>(.*?)</', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else html[-300:]


def test_a_feature_form_not_possible_yet_gives_way_to_its_reason(uow: UnitOfWork, app: FastAPI) -> None:
    office = Office(uow)
    office.fund()
    manager, examiner = as_user(app, "manager"), as_user(app, "examiner")
    costly = _agreed(office, 10**15)
    page = manager.get(f"/cases/{costly}").text
    assert "/purchase/approval" not in page
    assert "まだ買取を承認できません" in page
    half = _scored(office, complete=False)
    page = examiner.get(f"/cases/{half}").text
    assert "/examination/determination" not in page
    assert "方針で判定できるようになると" in page
    whole = _scored(office, complete=True)
    assert f'action="/cases/{whole}/examination/determination"' in examiner.get(f"/cases/{whole}").text
    unpaid = _handed_over(office)  # the purchase is committed, not paid: the case cannot close
    page = manager.get(f"/cases/{unpaid}").text
    assert "/handover/destruction" not in page
    assert "廃棄証明書は、案件を終結できるようになってから記録できます" in page


# -- the case page's other forms and its sub-pages -----------------------------------------------
# The negotiation history's amounts, the measure of an escalated case (each kind the form offers),
# the successor's terms page and a held copy's page (the dissemination request), and the
# dissemination approvals and rejections of the case page: each offered form, sent as a user fills
# it, is accepted.

MORE_FORMS = re.compile(
    r"/(offers|measures|terms/acceptance|disseminations|disseminations/\d+/(?:approval|rejection))$"
)
_SUB_PAGE = re.compile(r'href="(/cases/\d+/terms|/copies/[\w-]+)"')
MEASURE_FIELDS = {
    "succession_support": {"parties", "amount"},
    "state_custody": {"review_on"},
}
_MEASURE_ONLY = {"parties", "amount", "review_on"}


def _normal(path: str) -> str:
    path = re.sub(r"/cases/\d+", "/cases/N", path)
    path = re.sub(r"/copies/[\w-]+", "/copies/C", path)
    return re.sub(r"/disseminations/\d+/", "/disseminations/D/", path)


def _pages(browser: Browser, case_id: int) -> dict[str, str]:
    """The case page and the sub-pages it links to (terms, held copies), by their normal path."""
    first = browser.get(f"/cases/{case_id}")
    if first.status_code != 200:
        return {}
    found = {_normal(f"/cases/{case_id}"): first.text}
    for link in dict.fromkeys(_SUB_PAGE.findall(first.text)):
        page = browser.get(link)
        if page.status_code == 200:
            found.setdefault(_normal(link), page.text)
    return found


def _more_forms(html: str) -> dict[str, tuple[str, str]]:
    """normal action -> (action, body), for each of these forms on the page (the first of each)."""
    found: dict[str, tuple[str, str]] = {}
    for attributes, body in _FORM.findall(html):
        action = dict(_ATTR.findall(attributes)).get("action", "")
        if MORE_FORMS.search(action) and _normal(action) not in found:
            found[_normal(action)] = (action, body)
    return found


def _kinds(body: str) -> list[str]:
    """Each choice of the form's kind (a measure, an offer): one action each."""
    select = re.search(r'<select\b[^>]*name="kind"[^>]*>(.*?)</select>', body, re.S)
    return _OPTION.findall(select.group(1)) if select else [""]


def _filled_as(body: str, kind: str, *, office: Office, subcontractor: str) -> dict[str, str]:
    data: dict[str, str] = {}
    measure = 'name="review_on"' in body
    for tag, attributes in _FIELD.findall(body):
        field = dict(_ATTR.findall(attributes))
        name, type_ = field.get("name", ""), field.get("type", "text")
        if not name or name == "csrf_token" or type_ == "submit":
            continue
        if measure and name in _MEASURE_ONLY and name not in MEASURE_FIELDS.get(kind, ()):
            continue  # "... only": the user leaves the other kinds' fields empty
        if type_ == "hidden":
            data[name] = field.get("value", "")
        elif name == "kind":
            data[name] = kind
        elif type_ == "checkbox":
            if "required" in attributes:
                data[name] = field.get("value", "on")
        elif type_ == "date":
            data[name] = (office.uow.clock.today() + timedelta(days=180)).isoformat()
        elif name == "amount":
            data[name] = "12,000,000"
        elif name == "parties":
            data[name] = f"{office.withdrawing.corporate_number} {office.successor_company.corporate_number}"
        elif name == "to":
            data[name] = subcontractor
        elif tag != "select":
            data[name] = "確認のうえ実施"
    return data


def _escalated(office: Office, build: Callable[[Office], int]) -> int:
    case_id = build(office)
    office.move(case_id, "escalate", office.manager, reason="交渉が不調")
    return case_id


def test_every_other_form_offered_on_the_case_and_its_pages_is_accepted(
    uow: UnitOfWork, app: FastAPI, shokei: Shokei
) -> None:
    office = Office(uow)
    office.fund()
    office.make_eligible(office.successor_company)
    subcontractor = office.make_eligible(factories.company(uow, "下請精密株式会社")).corporate_number or ""
    number = office.successor_company.corporate_number or ""

    def released() -> int:
        case_id = case_awaiting_selection(shokei, office)
        succession.select_successor(uow, office.manager, case_id, number, reason="能力と実績")
        succession.accept_terms(uow, office.successor, case_id)
        release(shokei, office.manager, case_id)
        return case_id

    def requested() -> int:
        case_id = released()
        [copy] = succession.handover_status(uow, office.manager, case_id).copies
        succession.request_dissemination(
            uow, office.successor, copy.copy_id, to=subcontractor, purpose="試作加工"
        )
        return case_id

    def recalled(build: Callable[[], int]) -> int:
        case_id = build()
        [copy] = succession.handover_status(uow, office.manager, case_id).copies
        succession.recall_copy(uow, office.manager, copy.copy_id, reason="保全体制の不備")
        return case_id

    states: dict[str, Callable[[], int]] = {
        "negotiating": lambda: _negotiating(office),
        "negotiating, agreement proposed": lambda: _agreed(office),
        "escalated while negotiating": lambda: _escalated(office, _negotiating),
        "escalated on notification": lambda: _escalated(office, lambda o: o.open_case().id),
        "successor selected": lambda: _selected(office),
        "successor accepted the terms": lambda: _accepted(office),
        "copies released": released,
        "dissemination requested": requested,
        "copy recalled": lambda: recalled(released),
        "dissemination requested, the copy recalled": lambda: recalled(requested),
    }
    browsers = {role: as_user(app, role) for role in ROLES}
    offered: list[tuple[str, str, str, str, str]] = []
    for state, build in states.items():
        case_id = build()
        for role, browser in browsers.items():
            for page, html in _pages(browser, case_id).items():
                for action, (_real, body) in _more_forms(html).items():
                    offered += [(state, role, page, action, kind) for kind in _kinds(body)]
    reached = {(action, kind) for _state, _role, _page, action, kind in offered}
    assert {action for action, _kind in reached} >= {
        "/cases/N/offers",
        "/cases/N/measures",
        "/cases/N/terms/acceptance",
        "/copies/C/disseminations",
        "/disseminations/D/approval",
        "/disseminations/D/rejection",
    }, reached
    assert len({kind for action, kind in reached if action == "/cases/N/measures"}) == 4, reached
    refused = []
    for state, role, page, action, kind in offered:
        case_id = states[state]()  # a fresh case in that state for each form sent
        browser = browsers[role]
        html = _pages(browser, case_id)[page]
        path, body = _more_forms(html)[action]
        data = _filled_as(body, kind, office=office, subcontractor=subcontractor)
        response = browser.post(path, data)
        after = browser.get(response.headers["location"]).text if response.status_code == 303 else ""
        accepted = 'class="message message-error' not in after and "message-success" in after
        if response.status_code != 303 or not accepted:
            error = _error_of(response.text + after)
            refused.append((state, role, action, kind, response.status_code, error))
    assert not refused, "offered, then refused:\n" + "\n".join(map(str, refused))


def test_a_recalled_copy_gives_way_to_its_status(uow: UnitOfWork, app: FastAPI, shokei: Shokei) -> None:
    office = Office(uow)
    office.fund()
    office.make_eligible(office.successor_company)
    subcontractor = office.make_eligible(factories.company(uow, "下請精密株式会社")).corporate_number or ""
    case_id = case_awaiting_selection(shokei, office)
    number = office.successor_company.corporate_number or ""
    succession.select_successor(uow, office.manager, case_id, number, reason="能力と実績")
    succession.accept_terms(uow, office.successor, case_id)
    [copy] = release(shokei, office.manager, case_id)
    succession.request_dissemination(
        uow, office.successor, copy.copy_id, to=subcontractor, purpose="試作加工"
    )
    succession.recall_copy(uow, office.manager, copy.copy_id, reason="保全体制の不備")
    holder, manager = as_user(app, "successor"), as_user(app, "manager")
    page = holder.get(f"/copies/{copy.copy_id}").text
    assert f"/copies/{copy.copy_id}/disseminations" not in page
    assert f"/copies/{copy.copy_id}/download" not in page
    assert "状態：回収指示中。回収または廃棄された写しは" in page
    listed = holder.get(f"/cases/{case_id}").text
    assert f"/copies/{copy.copy_id}/download" not in listed
    page = manager.get(f"/cases/{case_id}").text
    assert "/approval" not in page
    assert "写しがもう発行中ではないため" in page
    assert "/rejection" in page  # the open request can still be closed, with a reason


def test_a_declared_interest_gives_way_to_its_reason(uow: UnitOfWork, app: FastAPI) -> None:
    """The negotiator and the program manager who declared a link to the company are refused its
    amounts and its measure: the page names why instead of offering the forms."""
    office = Office(uow)
    negotiating = _negotiating(office)
    escalated = _escalated(office, _negotiating)
    negotiator, manager = as_user(app, "negotiator"), as_user(app, "manager")
    assert f'action="/cases/{negotiating}/offers"' in negotiator.get(f"/cases/{negotiating}").text
    assert f'action="/cases/{escalated}/measures"' in manager.get(f"/cases/{escalated}").text
    company = office.withdrawing.corporate_number or ""
    for official in (office.negotiator, office.manager):
        interests.declare_interest(uow, official, company=company, relationship="shareholder")
    page = negotiator.get(f"/cases/{negotiating}").text
    assert f'action="/cases/{negotiating}/offers"' not in page
    assert "この案件の金額は記録できません" in page
    page = manager.get(f"/cases/{escalated}").text
    assert f'action="/cases/{escalated}/measures"' not in page
    assert "この案件の措置は決定できません" in page
