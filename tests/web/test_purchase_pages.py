"""Purchase and budget in the pages: the budget page and the dashboard's budget box (figures and
SVG charts equal to the budget worked out here by hand), the case page's valuation, approval,
payment and cancellation forms for every role, refusals back to the form, CSRF, no inline
script or style.

The clock is TEST_NOW (1 June 2026, JST), so the current fiscal year is 2026年度.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from shokei.accounts import services as accounts_services
from shokei.bootstrap import Shokei
from shokei.cases import services as cases
from shokei.clock import FixedClock
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from shokei.settings import Settings
from tests.conftest import TEST_NOW, _empty_all_tables
from tests.factories import Office
from tests.web.conftest import _FAST_HASHER, Browser, as_user, web_shokei

ROLES = ["supplier", "successor", "intake", "examiner", "negotiator", "manager", "auditor", "admin"]
READERS = {"intake", "examiner", "negotiator", "manager", "auditor"}  # officials and auditors
BUDGET_AUDIENCE = {"negotiator", "manager", "auditor"}
OK, SEE_OTHER, FORBIDDEN, MISSING, INVALID = 200, 303, 403, 404, 422
BILLION = 1_000_000_000


def main_of(html: str) -> str:
    return html.split("<main", 1)[1]


@dataclass
class World:
    office: Office
    app: FastAPI
    browsers: dict[str, Browser]
    agreed: int  # negotiating, with a proposed agreement of ¥10,000,000
    data_dir: Path  # its keys seal the officials' second factors: a later app must share them


@pytest.fixture(scope="module")
def world(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    uow = UnitOfWork(engine, FixedClock(TEST_NOW))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts_services.records, "_hasher", _FAST_HASHER)
        office = Office(uow)
        purchase.set_appropriation(uow, office.manager, fiscal_year=2026, amount_yen=100 * BILLION)
        data_dir = tmp_path_factory.mktemp("purchase") / "var"
        shokei = web_shokei(uow, data_dir)
        from shokei.app import create_app

        app = create_app(shokei)
        agreed = _agreed_case(office)
        yield World(office, app, {role: as_user(app, role) for role in ROLES}, agreed, data_dir)
    _empty_all_tables(engine)


def _negotiating(office: Office) -> int:
    case = office.open_case().id
    office.to_negotiating(case)
    return case


def _agreed_case(office: Office, amount: int = 10_000_000) -> int:
    case = _negotiating(office)
    purchase.agree_purchase(office.uow, office.negotiator, case, amount_yen=amount)
    return case


def _approved_case(office: Office, amount: int = 10_000_000) -> int:
    case = _agreed_case(office, amount)
    purchase.approve_purchase(office.uow, office.manager, case)
    return case


# -- pages per role ----------------------------------------------------------------------------

BUDGET_PAGE = {role: OK if role in READERS else FORBIDDEN for role in ROLES}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/budget", "/budget?fy=2025", "/budget?fy=2022"])
def test_the_budget_page_per_role(world: World, role: str, path: str) -> None:
    response = world.browsers[role].get(path)
    assert response.status_code == BUDGET_PAGE[role], response.text[-400:]
    if response.status_code == OK:
        year = path.rsplit("=", 1)[1] if "=" in path else "2026"
        assert f"<h1>予算　{year}年度</h1>" in response.text
    else:
        assert "予算額" not in main_of(response.text)


@pytest.mark.parametrize("role", ROLES)
def test_the_budget_is_in_the_menu_of_its_audience(world: World, role: str) -> None:
    response = world.browsers[role].get("/")
    nav = response.text.split('<nav class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert ('href="/budget"' in nav) is (role in BUDGET_AUDIENCE)


@pytest.mark.parametrize("role", ROLES)
def test_the_dashboard_budget_box_per_role(world: World, role: str) -> None:
    html = main_of(world.browsers[role].get("/").text)
    assert ('id="budget-box"' in html) is (role in BUDGET_AUDIENCE)
    assert 'data-pending="budget"' not in html, "the slot is filled: no waiting box for anyone"


def test_an_impossible_fiscal_year_is_refused(world: World) -> None:
    assert world.browsers["manager"].get("/budget?fy=1999").status_code == INVALID


CASE_PAGE = {"supplier": OK, "successor": MISSING, "admin": FORBIDDEN} | dict.fromkeys(READERS, OK)


@pytest.mark.parametrize("role", ROLES)
def test_the_purchase_box_per_role(world: World, role: str) -> None:
    response = world.browsers[role].get(f"/cases/{world.agreed}")
    assert response.status_code == CASE_PAGE[role]
    html = main_of(response.text) if response.status_code == OK else response.text
    assert ('id="purchase"' in html) is (role in READERS)
    assert 'data-pending="purchase"' not in html
    # only a program manager is offered the approval; only a negotiator the valuation form
    assert (f'action="/cases/{world.agreed}/purchase/approval"' in html) is (role == "manager")
    assert (f'action="/cases/{world.agreed}/purchase/valuation"' in html) is (role == "negotiator")
    if role in READERS:
        assert "¥10,000,000" in html
        assert "1,000万円" in html


def test_no_purchase_box_before_protection_is_required(world: World) -> None:
    case = world.office.open_case().id
    html = main_of(world.browsers["manager"].get(f"/cases/{case}").text)
    assert 'id="purchase"' not in html


# -- forms × roles -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    path: str
    data: dict[str, str]
    expected: dict[str, int]
    setup: str  # which case the form acts on


def _expect(default: int, **by_role: int) -> dict[str, int]:
    return {role: by_role.get(role, default) for role in ROLES}


FORMS = {
    "set an appropriation": Form(
        "/budget", {"fiscal_year": "2030", "amount": "1,000"}, _expect(FORBIDDEN, manager=SEE_OTHER), "none"
    ),
    "record a valuation": Form(
        "/cases/{case}/purchase/valuation",
        {"development_cost": "120000000", "development_year": "2019", "reproduction_cost": "90000000"},
        _expect(FORBIDDEN, negotiator=SEE_OTHER),
        "negotiating",
    ),
    "approve": Form(
        "/cases/{case}/purchase/approval",
        {},
        _expect(FORBIDDEN, manager=SEE_OTHER, successor=MISSING),
        "agreed",
    ),
    "pay": Form(
        "/cases/{case}/purchase/payment",
        {"paid_on": "2026-06-01"},
        _expect(FORBIDDEN, manager=SEE_OTHER),
        "approved",
    ),
    "withdraw a proposal": Form(
        "/cases/{case}/purchase/cancellation",
        {"reason": "条件の再交渉"},
        _expect(FORBIDDEN, negotiator=SEE_OTHER, manager=SEE_OTHER, successor=MISSING),
        "agreed",
    ),
}


def _setup(world: World, kind: str) -> int:
    office = world.office
    return {
        "none": lambda: 0,
        "negotiating": lambda: _negotiating(office),
        "agreed": lambda: _agreed_case(office),
        "approved": lambda: _approved_case(office),
    }[kind]()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", FORMS)
def test_form_per_role(world: World, name: str, role: str) -> None:
    form = FORMS[name]
    case = _setup(world, form.setup)
    before = purchase.get_purchase(world.office.uow, world.office.auditor, case) if case else None
    response = world.browsers[role].post(form.path.format(case=case), form.data)
    assert response.status_code == form.expected[role], response.text[-400:]
    if case:
        after = purchase.get_purchase(world.office.uow, world.office.auditor, case)
        changed = after != before
        assert changed is (response.status_code == SEE_OTHER), "a refusal changes nothing"


@pytest.mark.parametrize("name", FORMS)
def test_forms_without_the_token_are_refused(world: World, name: str) -> None:
    form = FORMS[name]
    case = _setup(world, form.setup)
    allowed = next(role for role, status in form.expected.items() if status == SEE_OTHER)
    browser = world.browsers[allowed]
    before = purchase.get_purchase(world.office.uow, world.office.auditor, case) if case else None
    budget_before = purchase.get_budget(world.office.uow, world.office.auditor, fiscal_year=2030)
    assert browser.post(form.path.format(case=case), form.data, token=False).status_code == 403
    forged = form.data | {"csrf_token": "forged"}
    assert browser.post(form.path.format(case=case), forged, token=False).status_code == 403
    if case:
        assert purchase.get_purchase(world.office.uow, world.office.auditor, case) == before
    assert purchase.get_budget(world.office.uow, world.office.auditor, fiscal_year=2030) == budget_before


# -- what the forms do -----------------------------------------------------------------------------


def test_the_valuation_form_records_the_cost_approach(world: World) -> None:
    case = _negotiating(world.office)
    form = {
        "development_cost": "¥120,000,000",
        "development_year": "２０１９",
        "reproduction_cost": "90000000円",
    }
    assert world.browsers["negotiator"].post(f"/cases/{case}/purchase/valuation", form).status_code == 303
    valuation = purchase.get_valuation(world.office.uow, world.office.auditor, case)
    # docs/examination.md: basis = min(120 M, 90 M) = 90 M = ceiling; 2026 − 2019 = 7 years → 30 %;
    # high = 90 M × 30 % = 27 M; low = 80 % of that = 21.6 M
    assert valuation.ceiling_yen == 90_000_000
    assert (valuation.suggested_low_yen, valuation.suggested_high_yen) == (21_600_000, 27_000_000)
    html = main_of(world.browsers["manager"].get(f"/cases/{case}").text)
    assert "¥21,600,000 – ¥27,000,000" in html
    assert "¥90,000,000（9,000万円）" in html
    # The steps of the calculation in the page's language; the JSON keeps them in English.
    assert "基準額：再作成費用 ¥90,000,000" in html
    assert "経過年数7年" in html
    assert "推奨範囲 ¥21,600,000～¥27,000,000" in html
    assert "the lower of the costs given" not in html
    dumped = valuation.model_dump(mode="json")
    assert dumped["explanation"][0].startswith("basis: reproduction cost ¥90,000,000")
    assert "explanation_text" not in dumped


def test_approval_commits_the_budget_and_moves_the_case(world: World) -> None:
    case = _agreed_case(world.office, 12_345_678)
    before = purchase.get_budget(world.office.uow, world.office.auditor, fiscal_year=2026)
    response = world.browsers["manager"].post(f"/cases/{case}/purchase/approval", {})
    assert response.status_code == 303
    after = purchase.get_budget(world.office.uow, world.office.auditor, fiscal_year=2026)
    assert after.committed - before.committed == 12_345_678
    assert after.available == before.available - 12_345_678
    assert cases.get_case(world.office.uow, world.office.intake, case).state == "purchase_agreed"
    page = world.browsers["manager"].get(f"/cases/{case}").text
    assert "¥12,345,678" in page
    assert "2026年度予算から¥12,345,678を確保しました" in page


def test_above_the_ceiling_the_approval_needs_a_reason(world: World) -> None:
    case = _negotiating(world.office)
    purchase.record_valuation(
        world.office.uow, world.office.negotiator, case, reproduction_cost_yen=5_000_000
    )
    purchase.agree_purchase(world.office.uow, world.office.negotiator, case, amount_yen=6_000_000)
    manager = world.browsers["manager"]
    page = main_of(manager.get(f"/cases/{case}").text)
    assert 'name="override_reason"' in page, (
        "the form asks for the reason when the amount is above the ceiling"
    )
    referer = {"referer": f"http://testserver/cases/{case}"}
    refused = manager.post(f"/cases/{case}/purchase/approval", {"override_reason": ""}, headers=referer)
    assert refused.status_code == 303
    assert refused.headers["location"] == f"/cases/{case}"
    assert "評価上限額" in manager.get(f"/cases/{case}").text  # the refusal, in the manager's Japanese
    assert cases.get_case(world.office.uow, world.office.intake, case).state == "negotiating"
    approved = manager.post(f"/cases/{case}/purchase/approval", {"override_reason": "唯一の製造元"})
    assert approved.status_code == 303
    assert purchase.get_purchase(world.office.uow, world.office.auditor, case).agreement.override_reason == (  # type: ignore[union-attr]
        "唯一の製造元"
    )


def test_a_payment_moves_the_commitment_to_paid(world: World) -> None:
    case = _approved_case(world.office, 7_000_000)
    before = purchase.get_budget(world.office.uow, world.office.auditor, fiscal_year=2026)
    assert (
        world.browsers["manager"]
        .post(f"/cases/{case}/purchase/payment", {"paid_on": "2026-06-01"})
        .status_code
        == 303
    )
    after = purchase.get_budget(world.office.uow, world.office.auditor, fiscal_year=2026)
    assert (after.committed, after.paid) == (before.committed - 7_000_000, before.paid + 7_000_000)
    line = purchase.get_purchase(world.office.uow, world.office.auditor, case).budget_line
    assert line is not None
    assert (line.status, line.paid_on) == ("paid", date(2026, 6, 1))


def test_a_refused_cancellation_names_the_states_in_japanese(world: World) -> None:
    """The page was opened while the purchase stood approved; meanwhile the case moved on: the
    refusal names the move and the states as the case page does, never their codes."""
    case = _approved_case(world.office, 6_000_000)
    manager = world.browsers["manager"]
    assert f'action="/cases/{case}/purchase/cancellation"' in manager.get(f"/cases/{case}").text
    world.office.move(case, "start_successor_selection", world.office.manager)
    referer = {"referer": f"http://testserver/cases/{case}"}
    response = manager.post(
        f"/cases/{case}/purchase/cancellation", {"reason": "価格の再交渉"}, headers=referer
    )
    assert response.status_code == 303
    error = re.search(r'class="message message-error[^>]*>(.*?)</', manager.get(f"/cases/{case}").text, re.S)
    assert error is not None
    assert error.group(1).strip() == (
        "「承認済みの買取を取り消す」は「買取承認済」の状態でのみ行えます（案件の状態：「承継先選定中」）"
    )
    assert cases.get_case(world.office.uow, world.office.auditor, case).state == "successor_selection"


def test_a_bad_amount_comes_back_to_the_form(world: World) -> None:
    manager = world.browsers["manager"]
    referer = {"referer": "http://testserver/budget"}
    response = manager.post("/budget", {"fiscal_year": "2031", "amount": "十億"}, headers=referer)
    assert response.status_code == 303
    assert response.headers["location"] == "/budget"
    assert "金額は円単位の数字で入力してください" in manager.get("/budget").text
    assert not purchase.get_budget(world.office.uow, world.office.auditor, fiscal_year=2031).appropriation_set


# -- the figures and charts, against a budget worked out by hand -----------------------------------


def _segments(svg: str) -> dict[str, tuple[int, float]]:
    """kind -> (data-amount, width) of a stacked bar."""
    found = re.findall(
        r'<rect class="chart-(\w+)" x="[\d.]+" y="\d+" width="([\d.]+)" height="\d+" '
        r'data-kind="\w+" data-amount="(\d+)"',
        svg,
    )
    return {kind: (int(amount), float(width)) for kind, width, amount in found}


def _figures(html: str, table_id: str) -> dict[str, str]:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-figure="(\w+)">.*?<td class="number">(?:<strong>)?([^<]+)', table, re.S)
    return dict(rows)


def _later(world: World, engine: Engine, tmp_path: Path, year: int) -> tuple[Office, FastAPI]:
    """The same office on 1 June of a later year: fiscal years no other test of this module uses,
    so the figures are exactly this test's own."""
    uow = UnitOfWork(engine, FixedClock(datetime(year, 6, 1, tzinfo=UTC)))
    office = copy.copy(world.office)
    office.uow = uow
    from shokei.app import create_app

    return office, create_app(Shokei(Settings(data_dir=world.data_dir), uow))


def test_budget_figures_and_charts_equal_the_budget(world: World, engine: Engine, tmp_path: Path) -> None:
    office, app = _later(world, engine, tmp_path, 2036)
    uow = office.uow
    purchase.set_appropriation(uow, office.manager, fiscal_year=2036, amount_yen=BILLION)
    purchase.set_appropriation(uow, office.manager, fiscal_year=2035, amount_yen=BILLION // 2)
    committed_case = _approved_case(office, 30_000_000)
    paid_case = _approved_case(office, 48_500_000)
    purchase.pay_purchase(uow, office.manager, paid_case, paid_on=date(2036, 6, 1))
    # by hand: FY2036 appropriation 1,000,000,000; committed 30,000,000; paid 48,500,000;
    # available 1,000,000,000 − 30,000,000 − 48,500,000 = 921,500,000
    expected = {
        "appropriation": "¥1,000,000,000",
        "committed": "¥30,000,000",
        "paid": "¥48,500,000",
        "available": "¥921,500,000",
    }
    manager = as_user(app, "manager")

    dashboard = main_of(manager.get("/").text)
    assert _figures(dashboard, "budget-box-figures") == expected
    assert "9億2,150万円" in dashboard  # the summary in 億/万
    bar = dashboard.split('id="budget-box-chart"', 1)[1].split("</svg>", 1)[0]
    # on a 600-unit bar scaled to ¥1,000,000,000: 48.5 M → 29.1, 30 M → 18, 921.5 M → 552.9
    assert _segments(bar) == {
        "paid": (48_500_000, 29.1),
        "committed": (30_000_000, 18.0),
        "available": (921_500_000, 552.9),
    }
    assert "<title" in bar
    assert "<desc" in bar
    assert "¥921,500,000" in bar.split("<desc", 1)[1]

    page = main_of(manager.get("/budget").text)
    assert _figures(page, "selected-figures") == expected
    years = page.split('id="years-chart"', 1)[1].split("</svg>", 1)[0]
    fy2035 = years.split('data-fiscal-year="2035"', 1)[1].split("</g>", 1)[0]
    # FY2035: nothing spent, ¥500,000,000 available: half the width of the largest appropriation
    assert _segments(fy2035) == {"available": (500_000_000, 300.0)}
    fy2036 = years.split('data-fiscal-year="2036"', 1)[1].split("</g>", 1)[0]
    assert _segments(fy2036)["available"] == (921_500_000, 552.9)
    assert "予算額未設定" in years.split('data-fiscal-year="2032"', 1)[1].split("</g>", 1)[0]
    # the commitments list links to the cases
    for case in (committed_case, paid_case):
        assert f'href="/cases/{case}#purchase"' in page
    commitments = page.split('id="commitments"', 1)[1].split("</section>", 1)[0]
    assert commitments.count("<tr data-line=") == 2
    assert "支払済" in commitments
    assert "契約済" in commitments

    fy2035_page = main_of(manager.get("/budget?fy=2035").text)
    assert _figures(fy2035_page, "selected-figures") == {
        "appropriation": "¥500,000,000",
        "committed": "¥0",
        "paid": "¥0",
        "available": "¥500,000,000",
    }
    assert "この年度の契約済額はありません" in fy2035_page


def test_the_budget_box_says_when_no_appropriation_is_set(
    world: World, engine: Engine, tmp_path: Path
) -> None:
    _, app = _later(world, engine, tmp_path, 2040)
    html = main_of(as_user(app, "auditor").get("/").text)
    box = html.split('id="budget-box"', 1)[1].split("</section>", 1)[0]
    assert "2040年度の予算額は設定されていません" in box
    assert "¥" not in box, "no figure where there is none"


# -- page hygiene ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/budget", "/budget?fy=2025", "/cases/{case}"])
def test_no_inline_script_or_style(world: World, path: str) -> None:
    for role in ("manager", "negotiator", "auditor"):
        html = world.browsers[role].get(path.format(case=world.agreed)).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
        assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
        assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
        assert "<style" not in html


def test_the_budget_page_reads_in_english(world: World) -> None:
    browser = as_user(world.app, "auditor")
    browser.post("/language", {"lang": "en", "next": "/"})
    html = main_of(browser.get("/budget").text)
    assert "<h1>Budget　FY2026</h1>" in html
    assert "Budget by fiscal year" in html
