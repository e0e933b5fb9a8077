"""The leak-risk watchlist, the alerts and the company's risk section in the pages, per role.

The world, with the default policy (src/shokei/risk/policy.toml) and no supply-chain map, each
score worked out by hand on 2026-06-01:

- 相模光学 (large): 华晨精密 (CN) bought 55 % on 2026-04-15: foreign control >= 50 % 40, a
  recent foreign acquisition 15 -> 55, early outreach (not critical: no succession case).
- 退出工業 (the Office's withdrawing company, ¥50M, 40 people: an SME) 10 and an open exit
  case 20 -> 30, early outreach.
- 信州金属 (large): a credit event on 2025-12-01 -> financial distress 20, monitor.
- 北斗通信機 (large): 华晨精密 bought 12 % on 2026-05-01 and sold it all on 2026-05-20:
  foreign control now 0, but the rise is a recent foreign acquisition 15 -> monitor.
- 承継重工業 (large, nothing recorded): 0, monitor.

Alerts, one per threshold crossed (defaults 1, 10, 25, 50 %): the 55 % purchase in 相模光学 raised
four, all open; 北斗通信機's 12 % purchase raised two (1 and 10 %) and the sale cleared them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from shokei.accounts import services as accounts_services
from shokei.app import create_app
from shokei.clock import FixedClock
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services as ownership
from shokei.risk import services as risk
from tests.conftest import TEST_NOW, _empty_all_tables
from tests.factories import Office, company
from tests.web.conftest import _FAST_HASHER, Browser, as_user, web_shokei

ROLES = ["supplier", "successor", "intake", "examiner", "negotiator", "manager", "auditor", "admin"]
READERS = {"intake", "examiner", "negotiator", "manager", "auditor"}


@dataclass
class World:
    office: Office
    uow: UnitOfWork
    app: FastAPI
    browsers: dict[str, Browser]
    sagami: str
    shinshu: str
    hokuto: str
    withdrawing: str
    successor: str


@pytest.fixture(scope="module")
def world(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    uow = UnitOfWork(engine, FixedClock(TEST_NOW))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts_services.records, "_hasher", _FAST_HASHER)
        office = Office(uow)
        office.open_case()
        large = {"capital_yen": 9_000_000_000, "employees": 900}
        sagami = company(uow, "相模光学株式会社", **large).corporate_number or ""
        shinshu = company(uow, "信州金属株式会社", **large).corporate_number or ""
        hokuto = company(uow, "北斗通信機株式会社", **large).corporate_number or ""
        intake = office.intake
        risk.record_event(uow, intake, shinshu, kind="credit_event", occurred_on=date(2025, 12, 1))
        chinese = ownership.add_entity(
            uow,
            intake,
            kind="foreign_company",
            name="华晨精密机械有限公司",
            country="CN",
            identifiers=["CN-USCC-91110000MA01ABCD1X"],
        ).reference
        for owned, share, day in [
            (sagami, "55", date(2026, 4, 15)),
            (hokuto, "12", date(2026, 5, 1)),
            (hokuto, "0", date(2026, 5, 20)),
        ]:
            ownership.record_interest_change(uow, intake, owner=chinese, owned=owned, share=share, on=day)
        app = create_app(web_shokei(uow, tmp_path_factory.mktemp("risk") / "var"))
        browsers = {role: as_user(app, role) for role in ROLES}
        yield World(
            office,
            uow,
            app,
            browsers,
            sagami,
            shinshu,
            hokuto,
            office.withdrawing.corporate_number or "",
            office.successor_company.corporate_number or "",
        )
    _empty_all_tables(engine)


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-corporate-number="(\d+)">', html)


def _no_inline_code(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"


# -- who may see what -------------------------------------------------------------------------

PAGES = ["/risk", "/risk?top=2", "/alerts", "/alerts?status=open", "/alerts?status=resolved"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PAGES)
def test_pages_per_role(world: World, path: str, role: str) -> None:
    response = world.browsers[role].get(path)
    assert response.status_code == (200 if role in READERS else 403), response.text[-400:]
    if response.status_code != 200:
        assert "相模光学株式会社" not in _main(response.text)
    else:
        _no_inline_code(response.text)


@pytest.mark.parametrize("role", ROLES)
def test_menu_entries_per_role(world: World, role: str) -> None:
    nav = world.browsers[role].get("/").text.split('aria-label="メインメニュー"', 1)[1].split("</nav>", 1)[0]
    assert ('href="/risk"' in nav) == (role in READERS)
    assert ('href="/alerts"' in nav) == (role in READERS)


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_boxes_per_role(world: World, role: str) -> None:
    html = world.browsers[role].get("/").text
    _no_inline_code(html)
    main = _main(html)
    assert 'data-pending="risk_watchlist"' not in main
    assert 'data-pending="alerts"' not in main
    shown = role in READERS
    assert ('data-box="risk_watchlist"' in main) == shown
    assert ('data-box="alerts"' in main) == shown
    if not shown:
        assert "相模光学株式会社" not in main


@pytest.mark.parametrize("role", ROLES)
def test_the_company_risk_section_per_role(world: World, role: str) -> None:
    response = world.browsers[role].get(f"/companies/{world.withdrawing}")
    expected = 404 if role == "successor" else 200  # company-bound users see their own company only
    assert response.status_code == expected
    if expected == 200:
        main = _main(response.text)
        assert ('data-box="risk"' in main) == (role in READERS)
        assert 'data-pending="risk"' not in main


@pytest.mark.parametrize("role", ROLES)
def test_recording_a_run_is_for_offices_that_record_facts(world: World, role: str) -> None:
    browser = world.browsers[role]
    browser.get("/")
    response = browser.post("/risk/runs", {})
    writers = {"intake", "manager"}  # they read the watchlist and record facts; admins do not read
    assert response.status_code == (303 if role in writers else 403)
    if role in writers:
        assert "5社の評点を記録しました。" in browser.get(response.headers["location"]).text
    if role in READERS:
        assert ("今回の結果を記録" in browser.get("/risk").text) == (role in writers)


def test_recording_a_run_without_the_form_token_is_refused(world: World) -> None:
    manager = world.browsers["manager"]
    before = len(risk.history(world.uow, world.office.manager, world.sagami))
    assert manager.post("/risk/runs", {}, token=False).status_code == 403
    assert manager.post("/risk/runs", {"csrf_token": "not-the-token"}, token=False).status_code == 403
    assert len(risk.history(world.uow, world.office.manager, world.sagami)) == before


# -- the watchlist ----------------------------------------------------------------------------


def test_the_watchlist_ranks_as_worked_out_by_hand_and_as_the_service_does(world: World) -> None:
    html = world.browsers["examiner"].get("/risk").text
    order = _rows(html)
    assert order == [world.sagami, world.withdrawing, world.shinshu, world.hokuto, world.successor]
    service = [entry.corporate_number for entry in risk.watchlist(world.uow, world.office.examiner)]
    assert order == service
    rows = dict(
        zip(order, re.findall(r'<tr data-corporate-number="\d+">(.*?)</tr>', html, re.S), strict=True)
    )
    sagami = rows[world.sagami]
    assert "<strong>55</strong>" in sagami
    assert re.findall(r'data-factor="(\w+)"', sagami) == ["foreign_control", "recent_foreign_acquisition"]
    assert "外国支配比率" in sagami
    assert "40点" in sagami
    assert "外国資本による最近の株式取得" in sagami
    assert "15点" in sagami
    assert "外国支配比率 55.0 %" in sagami  # the evidence, in the reader's language
    assert 'data-recommendation="early_outreach"' in sagami
    assert "早期の働きかけ" in sagami
    assert f'href="/companies/{world.sagami}"' in sagami
    withdrawing = rows[world.withdrawing]
    assert "<strong>30</strong>" in withdrawing
    assert re.findall(r'data-factor="(\w+)"', withdrawing) == ["open_exit_case", "sme"]
    assert 'data-recommendation="monitor"' in rows[world.shinshu]
    assert "<strong>20</strong>" in rows[world.shinshu]
    assert "財務状況の悪化" in rows[world.shinshu]
    assert "<strong>0</strong>" in rows[world.successor]
    assert "該当するリスク要因はありません。" in rows[world.successor]
    assert "時点（この画面を開いた時点で算出）" in html
    assert "2026年6月1日(月) 09:00" in html


def test_the_top_filter_refreshes_the_table_with_htmx(world: World) -> None:
    browser = world.browsers["negotiator"]
    full = browser.get("/risk?top=2")
    fragment = browser.get("/risk?top=2", headers={"HX-Request": "true"})
    assert "<html" in full.text
    assert "<html" not in fragment.text
    assert 'id="watchlist-results"' in full.text
    assert 'hx-get="/risk"' in full.text
    assert _rows(fragment.text) == [world.sagami, world.withdrawing]
    assert "5社中2社を表示" in fragment.text
    assert "HX-Request" in fragment.headers["vary"]
    assert browser.get("/risk?top=0").status_code == 422


def test_the_dashboard_shows_the_top_of_the_watchlist_and_the_latest_alerts(world: World) -> None:
    risk.watchlist(world.uow, world.office.manager, record=True)
    main = _main(world.browsers["auditor"].get("/").text)
    box = re.search(r'<section[^>]*data-box="risk_watchlist".*?</section>', main, re.S)
    assert box is not None
    assert _rows(box.group(0)) == [
        world.sagami,
        world.withdrawing,
        world.shinshu,
        world.hokuto,
        world.successor,
    ]
    assert "manager が記録した算出結果（5社）" in box.group(0)
    alerts = re.search(r'<section[^>]*data-box="alerts".*?</section>', main, re.S)
    assert alerts is not None
    text = _text(alerts.group(0))
    assert "対応中の警報 4件" in text  # one per threshold crossed: 1, 10, 25 and 50 %
    assert "华晨精密机械有限公司 (CN) → 55% → 相模光学株式会社 (JP)" in text


# -- alerts -----------------------------------------------------------------------------------


def _alert_rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr data-alert="(\d+)" data-status="(\w+)">', html)


def test_the_alerts_page_lists_open_and_cleared_alerts_with_their_chain(world: World) -> None:
    html = world.browsers["intake"].get("/alerts").text
    listed = _alert_rows(html)
    expected = [
        (str(alert.id), alert.status) for alert in ownership.list_alerts(world.uow, world.office.intake)
    ]
    assert listed == expected  # newest first, as the service keeps them
    assert {status for _, status in listed} == {"open", "resolved"}
    rows = re.findall(r'<tr data-alert="\d+" data-status="\w+">(.*?)</tr>', html, re.S)
    sagami = [_text(row) for row in rows if "相模光学" in row]
    assert sagami
    assert all("华晨精密机械有限公司 (CN) → 55% → 相模光学株式会社 (JP)" in row for row in sagami)
    assert all("55%" in row and "対応中" in row for row in sagami)
    hokuto = [_text(row) for row in rows if "北斗通信機" in row]
    assert hokuto
    assert all("解除済み" in row and "現在 0%" in row for row in hokuto)
    assert all("12%" in row for row in hokuto)
    thresholds = re.findall(
        r'data-column="threshold">(\d+)%</td>', "".join(r for r in rows if "相模光学" in r)
    )
    assert sorted(int(t) for t in thresholds) == [1, 10, 25, 50]
    thresholds = re.findall(
        r'data-column="threshold">(\d+)%</td>', "".join(r for r in rows if "北斗通信機" in r)
    )
    assert sorted(int(t) for t in thresholds) == [1, 10]


def test_the_status_filter_is_served_as_a_fragment(world: World) -> None:
    browser = world.browsers["examiner"]
    fragment = browser.get("/alerts?status=resolved", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    rows = _alert_rows(fragment.text)
    assert rows
    assert {status for _, status in rows} == {"resolved"}
    open_rows = _alert_rows(browser.get("/alerts?status=open").text)
    assert open_rows
    assert {status for _, status in open_rows} == {"open"}
    assert browser.get("/alerts?status=closed").status_code == 422


# -- the company's section (last: it records runs and a new event) ----------------------------


def _risk_box(html: str) -> str:
    found = re.search(
        r'<section class="panel" aria-labelledby="risk-title" data-box="risk">.*?</section>', html, re.S
    )
    assert found, "no risk section"
    return found.group(0)


def test_the_company_section_shows_the_breakdown_history_and_what_changed(world: World) -> None:
    manager = world.browsers["manager"]
    manager.get("/")
    assert manager.post("/risk/runs", {}).status_code == 303
    before = _risk_box(manager.get(f"/companies/{world.sagami}").text)
    assert 'data-score="55.0"' in before
    # The company is scored alone here (the service leaves the national rank to the watchlist).
    assert "第0位" not in before
    assert 'href="/risk"' in before
    assert re.findall(r'data-factor="(\w+)"', before) == ["foreign_control", "recent_foreign_acquisition"]
    assert "±0点（前回 55点）" in before
    watchlist = manager.get("/risk").text
    assert "増減は2026年6月1日(月) 09:00に記録した結果との比較です。" in watchlist
    assert before.count("<time") >= 1  # the recorded runs
    # A restructuring is announced: +15 for the restructuring factor, 70 in all.
    risk.record_event(
        world.uow,
        world.office.intake,
        world.sagami,
        kind="restructuring_announced",
        occurred_on=date(2026, 5, 25),
    )
    after = _risk_box(world.browsers["auditor"].get(f"/companies/{world.sagami}").text)
    assert 'data-score="70.0"' in after
    assert "+15点（前回 55点）" in after
    changes = re.findall(r'data-factor-change="(\w+)">([^<]+)</li>', after)
    assert changes == [("restructuring", "事業再編又は工場閉鎖: +15点")]
    history = re.search(r'<table class="risk-history">.*?</table>', after, re.S)
    assert history is not None
    runs = len(risk.history(world.uow, world.office.auditor, world.sagami))
    assert history.group(0).count("<time") == runs >= 1


def test_english_pages_have_no_japanese_interface_text(world: World) -> None:
    browser = world.browsers["auditor"]
    browser.post("/language", {"lang": "en", "next": "/"})
    try:
        pages = {path: _main(browser.get(path).text) for path in ("/", "/risk", "/alerts")}
        pages["company"] = _main(browser.get(f"/companies/{world.sagami}").text)
    finally:
        browser.post("/language", {"lang": "ja", "next": "/"})
    assert "Early outreach" in pages["/risk"]
    assert "Foreign control" in pages["/risk"]
    assert "Cleared" in pages["/alerts"]
    assert "Leak risk" in pages["company"]
    for path, main in pages.items():
        # Company names here are kanji only: any kana left is an untranslated text.
        assert not re.search(r"[\u3040-\u30ff]", main), (
            path,
            re.findall(r"[^<>]*[\u3040-\u30ff][^<>]*", main)[:3],
        )
