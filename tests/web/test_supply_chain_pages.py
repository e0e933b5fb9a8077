"""The company profile's supply-chain section: weapon systems hit, single point of failure and
the impact of the company's exit, per role.

The map, imported through the supply-chain service, and what each exit does, by hand:

    SS-9 潜水艦:  P-SONAR ソーナー (top level) ← P-ARRAY 受波アレイ (level 2)
                  P-MOUNT 架台 (top level)
    AC-1 哨戒機:  P-RADAR レーダー (top level)

    退出工業 (W) supplies P-ARRAY (alone) and P-RADAR; 承継重工業 (S) supplies P-MOUNT (alone) and
    P-RADAR. Both are qualified everywhere, so P-RADAR is multi-sourced.

- W's exit: P-ARRAY loses its only source, so P-SONAR above it is lost too: 2 components, one
  system (SS-9) hit, the loss originating at BOM level 2 (indirect supply). Criticality = 100 per
  system + 1 per lost component per system (2) + 10 × deepest origin level (2) = 122. A single
  point of failure (sole source of P-ARRAY). Qualified supplier of 2 components.
- S's exit: P-MOUNT lost, SS-9 hit at level 1 (direct): 100 + 1 + 10 = 111; sole source of
  P-MOUNT; qualified supplier of 2 components.
- 無関係工業 supplies nothing: no component, no system.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from shokei.accounts import services as accounts_services
from shokei.app import create_app
from shokei.clock import FixedClock
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain import services as supply_chain
from shokei.supply_chain.io import SupplyFile, format_of
from tests.conftest import TEST_NOW, _empty_all_tables
from tests.factories import Office, company
from tests.web.conftest import _FAST_HASHER, Browser, as_user, web_shokei

ROLES = ["supplier", "successor", "intake", "examiner", "negotiator", "manager", "auditor", "admin"]
READERS = {"intake", "examiner", "negotiator", "manager", "auditor"}


@dataclass
class World:
    office: Office
    app: FastAPI
    browsers: dict[str, Browser]
    w: str
    s: str
    unrelated: str


def _import_map(uow: UnitOfWork, office: Office, folder: Path, w: str, s: str) -> None:
    files = {
        "systems.csv": "code,name\nSS-9,潜水艦\nAC-1,哨戒機\n",
        "components.csv": (
            "part_number,name\nP-SONAR,ソーナー\nP-ARRAY,受波アレイ\nP-MOUNT,架台\nP-RADAR,レーダー\n"
        ),
        "system_components.csv": "system_code,part_number\nSS-9,P-SONAR\nSS-9,P-MOUNT\nAC-1,P-RADAR\n",
        "bom.csv": "parent_part_number,child_part_number,quantity\nP-SONAR,P-ARRAY,1\n",
        "supply.csv": (
            "corporate_number,part_number,tier,share,qualified\n"
            f"{w},P-ARRAY,2,1,true\n{w},P-RADAR,1,0.5,true\n"
            f"{s},P-MOUNT,1,1,true\n{s},P-RADAR,1,0.5,true\n"
        ),
    }
    with ExitStack() as stack:
        opened = []
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
            handle = stack.enter_context((folder / name).open("rb"))
            opened.append(SupplyFile(name, handle, format_of(name, None)))
        supply_chain.import_supply_files(uow, office.intake, opened)


@pytest.fixture(scope="module")
def world(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    uow = UnitOfWork(engine, FixedClock(TEST_NOW))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts_services.records, "_hasher", _FAST_HASHER)
        office = Office(uow)
        w = office.withdrawing.corporate_number or ""
        s = office.successor_company.corporate_number or ""
        unrelated = company(uow, "無関係工業株式会社").corporate_number or ""
        _import_map(uow, office, tmp_path_factory.mktemp("map"), w, s)
        app = create_app(web_shokei(uow, tmp_path_factory.mktemp("sc") / "var"))
        browsers = {role: as_user(app, role) for role in ROLES}
        yield World(office, app, browsers, w, s, unrelated)
    _empty_all_tables(engine)


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def _box(html: str) -> str:
    found = re.search(r'<section class="panel"[^>]*data-box="supply_chain">.*?</section>', html, re.S)
    assert found, "no supply-chain section"
    return found.group(0)


def _figures(box: str) -> dict[str, str]:
    return {
        name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", value)).strip()
        for name, value in re.findall(r'data-figure="([\w-]+)">(.*?)</(?:dd|p)>', box, re.S)
    }


@pytest.mark.parametrize("role", ROLES)
def test_the_section_per_role(world: World, role: str) -> None:
    for number, bound in ((world.w, "supplier"), (world.s, "successor")):
        response = world.browsers[role].get(f"/companies/{number}")
        other_bound = role in ("supplier", "successor") and role != bound
        assert response.status_code == (404 if other_bound else 200)
        if response.status_code != 200:
            continue
        main = _main(response.text)
        assert ('data-box="supply_chain"' in main) == (role in READERS)
        assert 'data-pending="supply_chain"' not in main  # the feature has its pages now
        if role not in READERS:
            assert "潜水艦" not in main


def test_a_sole_source_deep_in_the_bill_of_materials(world: World) -> None:
    box = _box(world.browsers["examiner"].get(f"/companies/{world.w}").text)
    figures = _figures(box)
    assert figures["qualified"] == "2"
    assert figures["single-point"].startswith("該当")
    assert "1件の構成品の唯一の適格供給者" in figures["single-point"]
    assert (figures["systems"], figures["lost"], figures["criticality"]) == ("1", "2", "122")
    systems = re.findall(r'<tr data-system="([\w-]+)">(.*?)</tr>', box, re.S)
    assert [code for code, _ in systems] == ["SS-9"]
    row = systems[0][1]
    assert "潜水艦" in row
    assert "間接（部品表の第2階層）" in row
    assert "P-SONAR" in row
    assert re.search(r'<td class="number">2</td>', row)
    assert "AC-1" not in box  # P-RADAR keeps its other qualified supplier
    assert re.findall(r"<li><span class=\"nowrap\">([\w-]+)</span> (\S+)</li>", box) == [
        ("P-ARRAY", "受波アレイ")
    ]


def test_a_sole_source_of_a_top_level_component(world: World) -> None:
    box = _box(world.browsers["auditor"].get(f"/companies/{world.s}").text)
    figures = _figures(box)
    assert (figures["qualified"], figures["systems"], figures["lost"], figures["criticality"]) == (
        "2",
        "1",
        "1",
        "111",
    )
    assert "直接（最上位構成品）" in box
    assert re.findall(r"<li><span class=\"nowrap\">([\w-]+)</span> (\S+)</li>", box) == [("P-MOUNT", "架台")]


def test_a_company_outside_the_map(world: World) -> None:
    box = _box(world.browsers["manager"].get(f"/companies/{world.unrelated}").text)
    assert "not-mapped" in box
    assert "いずれの構成品の適格供給者にも記録されていない" in box
    assert "<table" not in box


def test_english_and_no_inline_code(world: World) -> None:
    browser = world.browsers["negotiator"]
    browser.post("/language", {"lang": "en", "next": "/"})
    try:
        html = browser.get(f"/companies/{world.w}").text
    finally:
        browser.post("/language", {"lang": "ja", "next": "/"})
    box = _box(html)
    assert "Indirectly (bill-of-materials level 2)" in box
    assert "the only qualified source of 1 component" in box
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert not re.search(r"\sstyle\s*=", html)
