"""Every page and every form, for every role: allowed, forbidden (403) or not found (404).

The services decide; this checks that the pages pass their decisions through unchanged and
never show a role what it may not see. One office and one login per role serve the module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from shokei.accounts import services as accounts_services
from shokei.cases import services as cases
from shokei.clock import FixedClock
from shokei.documents import services as documents
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from tests.conftest import TEST_NOW, _empty_all_tables
from tests.factories import Office
from tests.web.conftest import _FAST_HASHER, Browser, as_user, fund_purchases, web_shokei

ROLES = ["supplier", "successor", "intake", "examiner", "negotiator", "manager", "auditor", "admin"]


@dataclass
class World:
    office: Office
    app: FastAPI
    browsers: dict[str, Browser]
    own_case: int
    other_case: int
    document: int
    withdrawing: str
    successor_company: str


@pytest.fixture(scope="module")
def world(engine: Engine, tmp_path_factory: pytest.TempPathFactory, sample_files: Path) -> Iterator[World]:
    uow = UnitOfWork(engine, FixedClock(TEST_NOW))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts_services.records, "_hasher", _FAST_HASHER)
        office = Office(uow)
        own = office.open_case()
        other = cases.open_case(
            uow,
            office.intake,
            company=office.successor_company.corporate_number or "",
            reason="restructuring",
            planned_exit_date=date(2026, 12, 1),
        )
        shokei = web_shokei(uow, tmp_path_factory.mktemp("web") / "var")
        scratch = shokei.scratch_dir
        stored = documents.submit_documents(
            uow,
            shokei.vault(),
            office.supplier,
            own.id,
            [sample_files / "one-page.pdf"],
            scratch_dir=scratch,
        )
        fund_purchases(uow, office.manager)
        app = create_app_for(shokei)
        browsers = {role: as_user(app, role) for role in ROLES}
        yield World(
            office,
            app,
            browsers,
            own.id,
            other.id,
            stored.documents[0].id,
            office.withdrawing.corporate_number or "",
            office.successor_company.corporate_number or "",
        )
    _empty_all_tables(engine)


def create_app_for(shokei: object) -> FastAPI:
    from shokei.app import create_app

    return create_app(shokei)  # type: ignore[arg-type]


OK, FORBIDDEN, MISSING = 200, 403, 404


def _expect(default: int, **by_role: int) -> dict[str, int]:
    return {role: by_role.get(role, default) for role in ROLES}


CASE_READERS = _expect(OK, admin=FORBIDDEN)
OWN_CASE = _expect(OK, successor=MISSING, admin=FORBIDDEN)

PAGES: dict[str, dict[str, int]] = {
    "/": _expect(OK),
    "/cases": CASE_READERS,
    "/cases?state=notified&q=退出&overdue=true": CASE_READERS,
    "/cases/new": _expect(FORBIDDEN, supplier=OK, intake=OK),
    "/cases/{own}": OWN_CASE,
    # The intake officer opened it (and is assigned); the examiner and negotiator are not.
    "/cases/{other}": _expect(
        OK, supplier=MISSING, successor=MISSING, admin=FORBIDDEN, examiner=FORBIDDEN, negotiator=FORBIDDEN
    ),
    "/cases/{own}/upload": _expect(FORBIDDEN, supplier=OK, intake=OK, successor=MISSING),
    "/cases/{own}/documents": OWN_CASE,
    "/cases/999999": _expect(MISSING, admin=FORBIDDEN),
    "/documents?q=文書": CASE_READERS,
    "/documents/{document}": OWN_CASE,
    "/documents/999999": _expect(MISSING, admin=FORBIDDEN),
    "/companies": _expect(OK),
    "/companies/{withdrawing}": _expect(OK, successor=MISSING),
    "/companies/{successor_company}": _expect(OK, supplier=MISSING),
    "/audit": _expect(FORBIDDEN, auditor=OK),
    "/secrets": _expect(OK, supplier=FORBIDDEN, successor=FORBIDDEN, admin=FORBIDDEN),
    "/secrets?expiring=30": _expect(OK, supplier=FORBIDDEN, successor=FORBIDDEN, admin=FORBIDDEN),
    "/users": _expect(FORBIDDEN, auditor=OK, admin=OK, manager=OK),  # program managers approve roles
    # Surveys: officials' campaigns, a respondent company's tasks; neither for successors or admins.
    "/surveys": _expect(OK, successor=FORBIDDEN, admin=FORBIDDEN),
    "/surveys/999999": _expect(MISSING, successor=MISSING, admin=MISSING),
    "/trace": _expect(OK, supplier=FORBIDDEN, successor=FORBIDDEN, admin=FORBIDDEN),
    "/incidents": _expect(OK, supplier=FORBIDDEN, successor=FORBIDDEN, admin=FORBIDDEN),
    "/incidents/999999": _expect(MISSING, supplier=FORBIDDEN, successor=FORBIDDEN, admin=FORBIDDEN),
    "/systems/NO-SUCH-SYSTEM": _expect(MISSING, supplier=FORBIDDEN, successor=FORBIDDEN, admin=FORBIDDEN),
}


def _path(world: World, template: str) -> str:
    return template.format(
        own=world.own_case,
        other=world.other_case,
        document=world.document,
        withdrawing=world.withdrawing,
        successor_company=world.successor_company,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_page(world: World, page: str, role: str) -> None:
    response = world.browsers[role].get(_path(world, page))
    assert response.status_code == PAGES[page][role], response.text[-600:]
    if response.status_code != OK:
        assert world.office.withdrawing.name not in response.text.split("<main", 1)[1]


# -- forms: each gets what it needs from `setup` (a fresh case where the form changes state) ---

SEE_OTHER, CREATED = 303, 201


@dataclass(frozen=True)
class Form:
    path: str
    data: dict[str, str]
    expected: dict[str, int]
    setup: Callable[[World], int] | None = None  # returns the case id to act on


def _notified(world: World) -> int:
    return world.office.open_case().id


def _submitted(world: World) -> int:
    case = world.office.open_case().id
    world.office.move(case, "submit", world.office.supplier)
    return case


def _under_examination(world: World) -> int:
    case = world.office.open_case().id
    world.office.to_under_examination(case)
    return case


def _negotiating(world: World) -> int:
    case = world.office.open_case().id
    world.office.to_negotiating(case)
    return case


def _agreed(world: World) -> int:
    case = _negotiating(world)
    purchase.agree_purchase(world.office.uow, world.office.negotiator, case, amount_yen=10_000_000)
    return case


def _first_line(world: World, case: int) -> int:
    return cases.get_case(world.office.uow, world.office.intake, case).inventory[0].id


FORMS: dict[str, Form] = {
    "notify exit": Form(
        "/cases",
        {"company": "{withdrawing}", "reason": "restructuring", "planned_exit_date": "2026-12-01"},
        _expect(FORBIDDEN, supplier=SEE_OTHER, intake=SEE_OTHER),
    ),
    "describe a paper document": Form(
        "/cases/{own}/inventory",
        {"title": "部品図"},
        _expect(FORBIDDEN, supplier=SEE_OTHER, intake=SEE_OTHER, successor=FORBIDDEN),
    ),
    "describe in another company's case": Form(
        "/cases/{other}/inventory",
        {"title": "部品図"},
        _expect(FORBIDDEN, supplier=MISSING, intake=SEE_OTHER),
    ),
    "submit": Form(
        "/cases/{case}/transitions",
        {"name": "submit"},
        _expect(FORBIDDEN, supplier=SEE_OTHER, intake=SEE_OTHER, successor=MISSING),
        _notified,
    ),
    "start examination": Form(
        "/cases/{case}/transitions",
        {"name": "start_examination"},
        _expect(FORBIDDEN, intake=SEE_OTHER, successor=MISSING, supplier=FORBIDDEN),
        _submitted,
    ),
    "examine a document": Form(
        "/cases/{case}/inventory/{line}/examination",
        {"note": "確認"},
        _expect(FORBIDDEN, examiner=SEE_OTHER),
        _under_examination,
    ),
    "record an offer": Form(
        "/cases/{case}/offers",
        {"amount": "10,000,000", "kind": "offer"},
        _expect(FORBIDDEN, negotiator=SEE_OTHER),
        _negotiating,
    ),
    "approve the purchase": Form(
        "/cases/{case}/transitions",
        {"name": "approve_purchase"},
        _expect(FORBIDDEN, manager=SEE_OTHER, successor=MISSING),
        _agreed,
    ),
    "describe a stored file": Form(
        "/documents/{document}",
        {"drawing_number": "MG-1"},
        _expect(FORBIDDEN, supplier=SEE_OTHER, intake=SEE_OTHER),
    ),
    "designate a stored file (装備品等秘密)": Form(
        "/documents/{document}/secret",
        {"until": "2026-12-31", "reason": "権限確認"},
        _expect(FORBIDDEN, manager=SEE_OTHER),
    ),
    "designate a case's files": Form(
        "/secrets/cases",
        {"case": "{own}", "until": "2026-12-31", "reason": "権限確認"},
        _expect(FORBIDDEN, manager=SEE_OTHER),
    ),
    "download a file": Form(
        "/documents/{document}/download",
        {"reason": "権限確認"},
        _expect(OK, successor=FORBIDDEN, admin=FORBIDDEN),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("form", FORMS)
def test_form(world: World, form: str, role: str) -> None:
    spec = FORMS[form]
    case = spec.setup(world) if spec.setup else world.own_case
    line = _first_line(world, case) if "{line}" in spec.path else 0
    path = _path(world, spec.path.replace("{case}", str(case)).replace("{line}", str(line)))
    data = {key: _path(world, value) for key, value in spec.data.items()}
    browser = world.browsers[role]
    browser.get("/")
    response = browser.post(path, data)
    assert response.status_code == spec.expected[role], response.text[-600:]
    if response.status_code == SEE_OTHER:  # done, not sent back with a refusal
        shown = browser.get(response.headers["location"]).text
        assert "message-success" in shown, (form, role)
        assert "message-error" not in shown, (form, role)


@pytest.mark.parametrize("role", ROLES)
def test_upload(world: World, role: str, tmp_path: Path) -> None:
    browser = world.browsers[role]
    browser.get("/")
    content = f"{role} の提出書類".encode()
    response = browser.client.post(
        f"/cases/{world.own_case}/files",
        files={"files": (f"{role}.txt", content, "text/plain")},
        headers={"X-CSRF-Token": browser.token or ""},
    )
    allowed = {"supplier": CREATED, "intake": CREATED}
    assert response.status_code == allowed.get(role, FORBIDDEN), response.text
