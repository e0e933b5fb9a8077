"""The succession pages: ranking and selection, terms, release, copies, dissemination, destruction.

Every page and form for every role (allowed / 403 / 404 as the services decide), CSRF on every
form, a successor's download through the pages (its bytes hash to the copy's recorded SHA-256,
another successor's copy and unreleased documents stay out of reach), and the whole hand-over
through the pages.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select

from shokei.accounts import services as accounts_services
from shokei.audit.models import AuditEntry
from shokei.bootstrap import Shokei
from shokei.cases import services as cases
from shokei.clock import FixedClock
from shokei.companies import services as companies
from shokei.companies.schemas import CompanyView
from shokei.documents import services as documents
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession import services as succession
from shokei.succession.schemas import CopyView
from tests import factories, samples
from tests.conftest import TEST_NOW, _empty_all_tables
from tests.factories import Office
from tests.web.conftest import _FAST_HASHER, Browser, as_user, web_shokei

# -- preparing cases through the services (shared with tests/e2e/test_browser_handover.py) -----


def make_eligible(uow: UnitOfWork, office: Office, company: CompanyView, **changes: object) -> CompanyView:
    """Record the facts successor eligibility reads (what `shokei company update` does)."""
    return office.make_eligible(company, **changes)


def case_awaiting_selection(shokei: Shokei, office: Office, *files: Path) -> int:
    """A case with stored documents (`files`, else a generated one-page PDF), purchased and waiting
    for its successor."""
    if not files:
        # Beside the server's data folder, not in it: the pages list what is in there.
        default = shokei.settings.data_dir.parent / "sample-drawing.pdf"
        if not default.exists():
            samples.write_pdf(default, ["Sample drawing. " + samples.prose(7, 80)])
        files = (default,)
    uow = shokei.uow
    case_id = office.open_case(documents=0).id
    stored = documents.submit_documents(
        uow, shokei.vault(), office.supplier, case_id, list(files), scratch_dir=shokei.scratch_dir
    )
    assert not stored.refused, stored.refused
    office.to_successor_selection(case_id)
    return case_id


def release(shokei: Shokei, manager: Actor, case_id: int) -> list[CopyView]:
    """What the page's release button does, for setting up."""
    return succession.release_copies(
        shokei.uow,
        shokei.vault(),
        manager,
        case_id,
        copies=succession.copies_vault(shokei.settings.data_dir, shokei.settings.keys_dir),
        scratch_dir=shokei.scratch_dir,
        key=succession.signing_key(shokei.settings.keys_dir),
    )


def handed_over_case(shokei: Shokei, office: Office, successor: Actor, number: str) -> tuple[int, CopyView]:
    case_id = case_awaiting_selection(shokei, office)
    succession.select_successor(shokei.uow, office.manager, case_id, number, reason="能力と実績")
    succession.accept_terms(shokei.uow, successor, case_id)
    [copy] = release(shokei, office.manager, case_id)
    office.pay(case_id)  # paid, so that recording the certificate closes it
    return case_id, copy


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


# -- one world per module: an office, two successors, a case in each stage ---------------------

ROLES = [
    "supplier",
    "successor",
    "successor2",
    "intake",
    "examiner",
    "negotiator",
    "manager",
    "auditor",
    "admin",
]
OK, SEE_OTHER, FORBIDDEN, MISSING = 200, 303, 403, 404


@dataclass
class World:
    shokei: Shokei
    office: Office
    app: FastAPI
    browsers: dict[str, Browser]
    other: CompanyView
    other_user: Actor
    subcontractor: CompanyView
    selecting: int  # successor selected (office.successor_company), terms not accepted
    handed_over: int  # released to office.successor_company
    copy: CopyView
    other_case: int  # released to the second successor
    other_copy: CopyView
    unreleased_document: int  # a stored document of the selecting case
    shared: dict[str, dict[str, str]] = field(default_factory=dict)  # setups the refused roles share


@pytest.fixture(scope="module")
def world(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    uow = UnitOfWork(engine, FixedClock(TEST_NOW))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts_services.records, "_hasher", _FAST_HASHER)
        office = Office(uow)
        shokei = web_shokei(uow, tmp_path_factory.mktemp("succession-web") / "var")
        make_eligible(uow, office, office.successor_company)
        other = make_eligible(uow, office, factories.company(uow, "第二承継工業株式会社"))
        other_user = factories.user(uow, Role.SUCCESSOR, other.corporate_number, "successor2")
        subcontractor = make_eligible(uow, office, factories.company(uow, "下請精密株式会社"))
        number = office.successor_company.corporate_number or ""

        selecting = case_awaiting_selection(shokei, office)
        succession.select_successor(uow, office.manager, selecting, number, reason="能力と実績")
        unreleased = documents.list_documents(uow, office.manager, selecting)[0].id
        handed_over, copy = handed_over_case(shokei, office, office.successor, number)
        other_case, other_copy = handed_over_case(shokei, office, other_user, other.corporate_number or "")

        from shokei.app import create_app

        app = create_app(shokei)
        browsers = {role: as_user(app, role) for role in ROLES}
        yield World(
            shokei,
            office,
            app,
            browsers,
            other,
            other_user,
            subcontractor,
            selecting,
            handed_over,
            copy,
            other_case,
            other_copy,
            unreleased,
        )
    _empty_all_tables(engine)


def _expect(default: int, **by_role: int) -> dict[str, int]:
    return {role: by_role.get(role, default) for role in ROLES}


# Who reads a hand-over: officials and auditors; the case's successor its own part; suppliers
# and admins never (the supplier's own case page shows no copies).
OFFICIALS_AND = {"intake": OK, "examiner": OK, "negotiator": OK, "manager": OK, "auditor": OK}
PAGES: dict[str, dict[str, int]] = {
    "/cases/{selecting}/terms": _expect(FORBIDDEN, successor=OK, successor2=MISSING, **OFFICIALS_AND),
    "/cases/{handed_over}/terms": _expect(FORBIDDEN, successor=OK, successor2=MISSING, **OFFICIALS_AND),
    "/cases/{other_case}/terms": _expect(FORBIDDEN, successor=MISSING, successor2=OK, **OFFICIALS_AND),
    "/copies": _expect(FORBIDDEN, successor=OK, successor2=OK),
    "/copies/{copy}": _expect(FORBIDDEN, successor=OK, successor2=MISSING, **OFFICIALS_AND),
    "/copies/{other_copy}": _expect(FORBIDDEN, successor=MISSING, successor2=OK, **OFFICIALS_AND),
    "/copies/NO-SUCH-COPY": _expect(MISSING, supplier=FORBIDDEN, admin=FORBIDDEN),
}


def _path(world: World, template: str) -> str:
    return template.format(
        selecting=world.selecting,
        handed_over=world.handed_over,
        other_case=world.other_case,
        copy=world.copy.copy_id,
        other_copy=world.other_copy.copy_id,
        document=world.unreleased_document,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_page(world: World, page: str, role: str) -> None:
    response = world.browsers[role].get(_path(world, page))
    assert response.status_code == PAGES[page][role], response.text[-600:]
    main = _main(response.text)
    if response.status_code != OK:
        assert world.copy.sha256 not in main
        assert world.other_copy.sha256 not in main
        assert world.office.successor_company.name not in main


# What each role sees of the succession section on the case page (the case page itself is the
# cases feature's: successors see only their own cases, admins none).
SECTION = {
    "ranking": {"intake", "examiner", "negotiator", "manager", "auditor"},
    "select form": {"manager"},
    "section": {"successor", "intake", "examiner", "negotiator", "manager", "auditor"},
}


@pytest.mark.parametrize("role", ROLES)
def test_the_case_page_section_by_role(world: World, role: str) -> None:
    response = world.browsers[role].get(f"/cases/{world.selecting}")
    expected = {"supplier": OK, "successor": OK, "successor2": MISSING, "admin": FORBIDDEN}
    assert response.status_code == expected.get(role, OK)
    main = _main(response.text)
    assert ('id="succession"' in main) == (role in SECTION["section"])
    assert ('class="ranking"' in main) == (role in SECTION["ranking"])
    assert (f'action="/cases/{world.selecting}/successor"' in main) == (role in SECTION["select form"])
    assert "data-pending" not in main, "the slot is filled: no 'not available yet' box"
    # the generic buttons no longer offer the succession steps
    assert 'value="select_successor"' not in main
    assert 'value="hand_over"' not in main
    if role in SECTION["ranking"]:
        assert "承継先のランキング" in main
        assert "適格" in main
        assert "合格" in main
        assert "日本の企業で、法人番号" in main  # the rule's reason, in the reader's language


@pytest.mark.parametrize("role", ROLES)
def test_the_handed_over_case_shows_copies_to_officials_and_the_successor(world: World, role: str) -> None:
    response = world.browsers[role].get(f"/cases/{world.handed_over}")
    main = _main(response.text) if response.status_code == OK else ""
    sees_copies = role in SECTION["section"]
    assert (world.copy.copy_id in main) == sees_copies
    assert (world.copy.sha256 in main) == sees_copies
    assert world.other_copy.copy_id not in main
    assert (f'action="/copies/{world.copy.copy_id}/download"' in main) == (role == "successor")
    assert (f'action="/cases/{world.handed_over}/handover/destruction"' in main) == (role == "manager")


# -- forms: each gets a fresh case or copy where the form changes state --------------------------


@dataclass(frozen=True)
class FormSpec:
    path: str
    data: dict[str, str]
    expected: dict[str, int]
    setup: Callable[[World], dict[str, str]]


def _selecting_fresh(world: World) -> dict[str, str]:
    return {"case": str(case_awaiting_selection(world.shokei, world.office))}


def _selected_fresh(world: World) -> dict[str, str]:
    case = case_awaiting_selection(world.shokei, world.office)
    number = world.office.successor_company.corporate_number or ""
    succession.select_successor(world.shokei.uow, world.office.manager, case, number, reason="実績")
    return {"case": str(case)}


def _accepted_fresh(world: World) -> dict[str, str]:
    found = _selected_fresh(world)
    succession.accept_terms(world.shokei.uow, world.office.successor, int(found["case"]))
    return found


def _handed_over_fresh(world: World) -> dict[str, str]:
    found = _accepted_fresh(world)
    [copy] = release(world.shokei, world.office.manager, int(found["case"]))
    world.office.pay(int(found["case"]))  # paid, so that recording the certificate closes it
    return {**found, "copy": copy.copy_id}


def _requested_fresh(world: World) -> dict[str, str]:
    found = _handed_over_fresh(world)
    request = succession.request_dissemination(
        world.shokei.uow,
        world.office.successor,
        found["copy"],
        to=world.subcontractor.corporate_number or "",
        purpose="試作加工",
    )
    return {**found, "request": str(request.id)}


def _existing(world: World) -> dict[str, str]:
    return {"copy": world.copy.copy_id, "case": str(world.handed_over)}


MANAGER_ONLY = _expect(FORBIDDEN, manager=SEE_OTHER)
HOLDER_ONLY = _expect(MISSING, successor=SEE_OTHER)

FORMS: dict[str, FormSpec] = {
    "select the successor": FormSpec(
        "/cases/{case}/successor",
        {"corporate_number": "{successor_number}", "reason": "技術と生産能力が最も適合"},
        MANAGER_ONLY,
        _selecting_fresh,
    ),
    "accept the terms": FormSpec(
        "/cases/{case}/terms/acceptance",
        {"agree": "true"},
        _expect(FORBIDDEN, successor=SEE_OTHER, successor2=MISSING),
        _selected_fresh,
    ),
    "release the copies": FormSpec("/cases/{case}/handover/release", {}, MANAGER_ONLY, _accepted_fresh),
    "record the certificate of destruction": FormSpec(
        "/cases/{case}/handover/destruction",
        {"reference": "廃棄証明第12号"},
        MANAGER_ONLY,
        _handed_over_fresh,
    ),
    "request dissemination": FormSpec(
        "/copies/{copy}/disseminations",
        {"to": "{subcontractor}", "purpose": "試作加工"},
        HOLDER_ONLY,
        _existing,
    ),
    "approve dissemination": FormSpec(
        "/disseminations/{request}/approval", {"case": "{case}"}, MANAGER_ONLY, _requested_fresh
    ),
    "reject dissemination": FormSpec(
        "/disseminations/{request}/rejection",
        {"case": "{case}", "reason": "再委託先の保全体制が未確認"},
        MANAGER_ONLY,
        _requested_fresh,
    ),
}


def _fill(world: World, text: str, found: dict[str, str]) -> str:
    values = {
        "successor_number": world.office.successor_company.corporate_number or "",
        "subcontractor": world.subcontractor.corporate_number or "",
        **found,
    }
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("form", FORMS)
def test_form(world: World, form: str, role: str) -> None:
    """A role that may act gets a fresh case or copy; the refused ones share one (a refusal
    changes nothing, and every purchase spends the fiscal year's budget)."""
    spec = FORMS[form]
    if spec.expected[role] == SEE_OTHER:
        found = spec.setup(world)
    else:
        if form not in world.shared:
            world.shared[form] = spec.setup(world)
        found = world.shared[form]
    browser = world.browsers[role]
    browser.get("/")
    data = {key: _fill(world, value, found) for key, value in spec.data.items()}
    response = browser.post(_fill(world, spec.path, found), data)
    assert response.status_code == spec.expected[role], response.text[-600:]
    if response.status_code == SEE_OTHER:
        shown = browser.get(response.headers["location"]).text
        assert "message-success" in shown, (form, role)
        assert "message-error" not in shown, (form, role)


@pytest.mark.parametrize("role", ROLES)
def test_download(world: World, role: str) -> None:
    """Only the recipient's users get the copy; its bytes are the copy the service recorded."""
    browser = world.browsers[role]
    browser.get("/")
    response = browser.post(f"/copies/{world.copy.copy_id}/download")
    if role != "successor":
        assert response.status_code == MISSING, response.text[-300:]
        assert not response.content.startswith(b"%PDF")
        return
    assert response.status_code == OK
    assert hashlib.sha256(response.content).hexdigest() == world.copy.sha256
    assert response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert world.copy.file_name in response.headers["content-disposition"]


def test_a_successor_cannot_reach_another_copy_or_an_unreleased_document(world: World) -> None:
    successor = world.browsers["successor"]
    successor.get("/")
    stolen = successor.post(f"/copies/{world.other_copy.copy_id}/download")
    assert stolen.status_code == MISSING
    assert world.other_copy.sha256 not in stolen.text
    assert successor.get(f"/copies/{world.other_copy.copy_id}").status_code == MISSING
    asked = successor.post(
        f"/copies/{world.other_copy.copy_id}/disseminations",
        {"to": world.subcontractor.corporate_number or "", "purpose": "横流し"},
    )
    assert asked.status_code == MISSING
    # The selecting case is the successor's, but nothing is released: the stored original stays shut.
    original = successor.post(f"/documents/{world.unreleased_document}/download", {"reason": "確認"})
    assert original.status_code in (FORBIDDEN, MISSING)
    assert not original.content.startswith(b"%PDF")
    listed = _main(successor.get("/copies").text)
    assert world.copy.copy_id in listed
    assert world.other_copy.copy_id not in listed
    other_listed = _main(world.browsers["successor2"].get("/copies").text)
    assert world.other_copy.copy_id in other_listed
    assert world.copy.copy_id not in other_listed


POSTS = [
    ("manager", "/cases/{selecting}/successor", {"corporate_number": "{successor_number}", "reason": "x"}),
    ("successor", "/cases/{selecting}/terms/acceptance", {"agree": "true"}),
    ("manager", "/cases/{selecting}/handover/release", {}),
    ("manager", "/cases/{handed_over}/handover/destruction", {"reference": "x"}),
    ("successor", "/copies/{copy}/download", {}),
    ("successor", "/copies/{copy}/disseminations", {"to": "{subcontractor}", "purpose": "x"}),
    ("manager", "/disseminations/1/approval", {}),
    ("manager", "/disseminations/1/rejection", {"reason": "x"}),
]


@pytest.mark.parametrize(("role", "path", "data"), POSTS)
def test_forms_without_the_token_are_refused(
    world: World, role: str, path: str, data: dict[str, str]
) -> None:
    browser = world.browsers[role]
    found = {
        "selecting": str(world.selecting),
        "handed_over": str(world.handed_over),
        "copy": world.copy.copy_id,
    }
    target = _fill(world, path, found)
    form = {key: _fill(world, value, found) for key, value in data.items()}
    before = world.browsers["manager"].get(f"/cases/{world.handed_over}").text.count("data-request-id")
    for attempt in (form, {**form, "csrf_token": "not-the-token"}):
        response = browser.post(target, attempt, token=False)
        assert response.status_code == FORBIDDEN, target
        assert "このフォームは有効期限が切れているか" in response.text
        assert not response.content.startswith(b"%PDF")
    assert (
        cases.get_case(world.shokei.uow, world.office.manager, world.selecting).state == "successor_selection"
    )
    assert cases.get_case(world.shokei.uow, world.office.manager, world.handed_over).state == "handed_over"
    after = world.browsers["manager"].get(f"/cases/{world.handed_over}").text.count("data-request-id")
    assert before == after


NEW_PAGES = [
    ("manager", "/cases/{selecting}"),
    ("manager", "/cases/{handed_over}"),
    ("successor", "/"),
    ("successor", "/cases/{selecting}/terms"),
    ("successor", "/copies"),
    ("successor", "/copies/{copy}"),
    ("auditor", "/copies/{copy}"),
]


@pytest.mark.parametrize(("role", "path"), NEW_PAGES)
def test_pages_have_no_inline_script_or_style(world: World, role: str, path: str) -> None:
    response = world.browsers[role].get(_path(world, path))
    assert response.status_code == OK
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    html = response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    assert "<style" not in html


# -- the whole hand-over through the pages ---------------------------------------------------------


def test_a_hand_over_through_the_pages(world: World, sample_files: Path) -> None:
    office, shokei = world.office, world.shokei
    uow = shokei.uow
    distressed = make_eligible(
        uow, office, factories.company(uow, "経営難工業株式会社"), financial_distress=True
    )
    foreign = make_eligible(
        uow,
        office,
        factories.company(uow, "外資系部品株式会社"),
        foreign_share_percent=Decimal(60),
        foreign_share_country="CN",
    )
    subcontractor = world.subcontractor
    case_id = case_awaiting_selection(shokei, office, sample_files / "four-pages.pdf")
    number = office.successor_company.corporate_number or ""

    manager = world.browsers["manager"]
    page = _main(manager.get(f"/cases/{case_id}").text)
    # The list offers the eligible companies only; the others are counted under a rule they fail.
    rows = re.findall(r'<tr class="candidate" data-corporate-number="(\d+)"', page)
    assert number in rows
    assert subcontractor.corporate_number in rows
    assert not {
        distressed.corporate_number,
        foreign.corporate_number,
        office.withdrawing.corporate_number,
    } & set(rows)
    summary = dict(re.findall(r'<tr data-rule="(\w+)"><td>[^<]*</td><td class="number">([\d,]+)</td>', page))
    assert {"financial_health", "foreign_ownership"} <= set(summary)

    # Looked for by name, an ineligible company shows every rule it fails with the reason.
    def named(name: str) -> str:
        return _main(manager.get(f"/cases/{case_id}", params={"candidate_name": name}).text)

    assert "記録された財務指標によれば経営難にあります" in named("経営難")
    assert "撤退企業そのものです" in named(office.withdrawing.name)
    assert "外国" in named("外資系")  # 60 % held from abroad: the foreign-ownership rule's reason
    assert f'data-corporate-number="{foreign.corporate_number}"' in named("外資系")

    # A reason is required; an ineligible company is refused with the service's reason.
    missing = manager.post(f"/cases/{case_id}/successor", {"corporate_number": number, "reason": " "})
    assert missing.status_code == SEE_OTHER
    assert "選定の理由を入力してください" in manager.get(f"/cases/{case_id}").text
    wrong = manager.post(
        f"/cases/{case_id}/successor",
        {"corporate_number": distressed.corporate_number or "", "reason": "安い"},
    )
    assert wrong.status_code == SEE_OTHER
    assert "financial_health" in manager.get(f"/cases/{case_id}").text
    # The old generic button is gone and its request is refused: one way to select.
    generic = manager.post(f"/cases/{case_id}/transitions", {"name": "select_successor", "successor": number})
    assert generic.status_code == SEE_OTHER
    assert "「承継先・引渡し」" in manager.get(f"/cases/{case_id}").text
    assert cases.get_case(uow, office.manager, case_id).successor_corporate_number is None

    chosen = manager.post(
        f"/cases/{case_id}/successor", {"corporate_number": number, "reason": "機関銃部品の加工実績"}
    )
    assert chosen.status_code == SEE_OTHER
    page = manager.get(f"/cases/{case_id}").text
    assert "承継先として選定し、通知しました" in page
    assert 'id="terms-status"' in page
    assert "未受諾" in page
    assert f'action="/cases/{case_id}/handover/release"' not in page, "no release before acceptance"

    successor = world.browsers["successor"]
    dashboard = _main(successor.get("/").text)
    assert "受信箱" in dashboard
    assert "承継先に選定されました" in dashboard
    assert "機関銃部品の加工実績" in dashboard  # the reason, in the message body
    assert f"貴社は案件{case_id}の承継先に選定されました" in dashboard  # the notice in Japanese
    assert "Your company was selected" not in dashboard
    assert "Terms of acceptance of succession documents" not in dashboard  # the terms in Japanese only
    assert "msgid" not in dashboard
    assert f"/cases/{case_id}/terms" in dashboard
    terms_page = _main(successor.get(f"/cases/{case_id}/terms").text)
    assert "日本国外に持ち出し" in terms_page
    unticked = successor.post(f"/cases/{case_id}/terms/acceptance", {})
    assert unticked.status_code == SEE_OTHER
    assert "確認欄" in successor.get(f"/cases/{case_id}/terms").text
    accepted = successor.post(f"/cases/{case_id}/terms/acceptance", {"agree": "true"})
    assert accepted.status_code == SEE_OTHER
    terms_page = _main(successor.get(f"/cases/{case_id}/terms").text)
    assert "受諾済" in terms_page
    assert f'action="/cases/{case_id}/terms/acceptance"' not in terms_page

    page = manager.get(f"/cases/{case_id}").text
    assert "受諾済" in page
    released = manager.post(f"/cases/{case_id}/handover/release", {})
    assert released.status_code == SEE_OTHER
    page = _main(manager.get(f"/cases/{case_id}").text)
    assert "1件の写しを承継先に交付しました" in page
    assert cases.get_case(uow, office.manager, case_id).state == "handed_over"
    [copy] = succession.list_copies(uow, office.manager, case_id)
    assert copy.sha256 in page
    row = page.split(f'data-copy-id="{copy.copy_id}"', 1)[1].split("</tr>", 1)[0]
    assert "未了" in row  # not downloaded yet

    successor.get(f"/copies/{copy.copy_id}")
    content = successor.post(f"/copies/{copy.copy_id}/download")
    assert content.status_code == OK
    assert hashlib.sha256(content.content).hexdigest() == copy.sha256
    row = _main(manager.get(f"/cases/{case_id}").text).split(f'data-copy-id="{copy.copy_id}"', 1)[1]
    assert "済（1回）" in row.split("</tr>", 1)[0]

    asked = successor.post(
        f"/copies/{copy.copy_id}/disseminations",
        {"to": subcontractor.corporate_number or "", "purpose": "遊底の試作加工"},
    )
    assert asked.status_code == SEE_OTHER
    assert "承認待ち" in successor.get(f"/copies/{copy.copy_id}").text
    page = manager.get(f"/cases/{case_id}").text
    request_id = int(re.findall(r'action="/disseminations/(\d+)/approval"', page)[0])
    approved = manager.post(f"/disseminations/{request_id}/approval", {"case": str(case_id)})
    assert approved.status_code == SEE_OTHER
    assert approved.headers["location"] == f"/cases/{case_id}#succession"
    page = _main(manager.get(f"/cases/{case_id}").text)
    assert "承認済" in page
    sub_copies = [c for c in succession.list_copies(uow, office.manager, case_id) if c.parent_copy_id]
    assert [c.recipient for c in sub_copies] == [subcontractor.corporate_number]
    assert sub_copies[0].copy_id in page

    office.pay(case_id)  # a case closes only once its purchase is paid
    closed = manager.post(f"/cases/{case_id}/handover/destruction", {"reference": "廃棄証明第7号"})
    assert closed.status_code == SEE_OTHER
    page = _main(manager.get(f"/cases/{case_id}").text)
    assert "廃棄証明第7号" in page
    assert cases.get_case(uow, office.manager, case_id).state == "closed"


def test_a_rejected_dissemination_shows_its_reason_to_the_manager_and_the_requester(world: World) -> None:
    found = _requested_fresh(world)
    case_id, copy_id, request_id = found["case"], found["copy"], found["request"]
    manager, successor = world.browsers["manager"], world.browsers["successor"]
    page = manager.get(f"/cases/{case_id}").text
    row = page.split(f'data-request-id="{request_id}"', 1)[1].split("</tr>", 1)[0]
    assert f'action="/disseminations/{request_id}/rejection"' in row
    assert "不承認の理由" in row  # the reason's label, in Japanese
    assert 'name="reason"' in row
    assert "required" in row
    assert "data-confirm=" in row

    empty = manager.post(f"/disseminations/{request_id}/rejection", {"case": case_id, "reason": "  "})
    assert empty.status_code == SEE_OTHER
    assert "不承認の理由を入力してください" in manager.get(empty.headers["location"]).text
    rejected = manager.post(
        f"/disseminations/{request_id}/rejection", {"case": case_id, "reason": "再委託先の保全体制が未確認"}
    )
    assert rejected.status_code == SEE_OTHER
    assert rejected.headers["location"] == f"/cases/{case_id}#succession"
    page = _main(manager.get(rejected.headers["location"]).text)
    assert f"第{request_id}号の提供申請を不承認としました" in page
    row = page.split(f'data-request-id="{request_id}"', 1)[1].split("</tr>", 1)[0]
    assert "不承認" in row
    assert "理由：再委託先の保全体制が未確認" in row
    assert "/rejection" not in row  # decided: nothing more to offer
    assert "/approval" not in row
    held = _main(successor.get(f"/copies/{copy_id}").text)
    row = held.split(f'data-request-id="{request_id}"', 1)[1].split("</tr>", 1)[0]
    assert "不承認" in row
    assert "理由：再委託先の保全体制が未確認" in row
    again = manager.post(f"/disseminations/{request_id}/rejection", {"case": case_id, "reason": "重ねて"})
    assert again.status_code == SEE_OTHER
    assert f"第{request_id}号の提供申請は、既に不承認です" in manager.get(again.headers["location"]).text


def test_english_succession_pages(world: World) -> None:
    successor = Browser(world.app)
    successor.login("successor")
    successor.post("/language", {"lang": "en", "next": "/"})
    terms_page = _main(successor.get(f"/cases/{world.selecting}/terms").text)
    assert "must not be taken out of Japan" in terms_page
    assert "Japanese text (authoritative)" in terms_page
    manager = Browser(world.app)
    manager.login("manager")
    manager.post("/language", {"lang": "en", "next": "/"})
    page = _main(manager.get(f"/cases/{world.selecting}").text)
    assert "Successor ranking" in page
    assert "Select the successor" in page
    section = page.split('id="succession"', 1)[1]
    names = [c.name for c in companies.list_companies(world.shokei.uow, world.office.manager, limit=1000)]
    for name in sorted(names, key=len, reverse=True):
        section = section.replace(name, "")
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", section), "no Japanese UI text left"


def test_a_hand_over_on_paper_is_recorded_from_the_case_page(world: World) -> None:
    office, uow = world.office, world.shokei.uow
    case_id = office.open_case(documents=2).id  # inventory lines only: nothing in the vault
    office.to_successor_selection(case_id)
    number = office.successor_company.corporate_number or ""
    succession.select_successor(uow, office.manager, case_id, number, reason="紙図面のみの承継")
    manager = world.browsers["manager"]
    assert "/handover/record" not in _main(manager.get(f"/cases/{case_id}").text)  # terms first
    succession.accept_terms(uow, office.successor, case_id)
    page = _main(manager.get(f"/cases/{case_id}").text)
    assert f'action="/cases/{case_id}/handover/record"' in page
    assert "/handover/release" not in page
    # The case holding stored documents offers the release instead.
    assert "/handover/record" not in _main(manager.get(f"/cases/{world.handed_over}").text)

    refused = world.browsers["negotiator"].post(f"/cases/{case_id}/handover/record", {"note": "x"})
    assert refused.status_code == FORBIDDEN
    recorded = manager.post(f"/cases/{case_id}/handover/record", {"note": "11月26日 本省にて手交"})
    assert recorded.status_code == SEE_OTHER
    assert "紙の資料の引渡しを記録しました" in manager.get(f"/cases/{case_id}").text
    assert cases.get_case(uow, office.manager, case_id).state == "handed_over"
    with uow.transaction() as session:
        entry = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.subject_id == str(case_id))
                .order_by(AuditEntry.index.desc())
            )
            .scalars()
            .first()
        )
    assert entry is not None
    assert (entry.action, entry.actor_name) == ("case:status:change", "manager")
    assert "本省にて手交" in entry.leaf.decode()


def test_the_timeline_notes_the_release_in_the_viewers_language(world: World) -> None:
    """The release's note is stored as a catalogue message: Japanese on the case page, English
    in the service's view (the API's JSON)."""
    shown = _main(world.browsers["manager"].get(f"/cases/{world.handed_over}").text)
    assert "文書を引き渡しました" in shown
    assert "documents released" not in shown
    assert "msgid" not in shown
    detail = cases.get_case(world.shokei.uow, world.office.manager, world.handed_over)
    assert "documents released" in [item.reason for item in detail.history]
