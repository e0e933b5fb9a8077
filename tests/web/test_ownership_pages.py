"""The company profile's ownership section: foreign control as percentages, by country, and the
picture of the ownership chains (server-rendered SVG with a text list beside it), per role.

The graph, built through the ownership services, is OFAC FAQ 401's third example plus a domestic
holder: X Holdings (CN) holds 50 % of エー工業 and 10 % of ビー精機; エー工業 holds 40 % of
ビー精機; 国内商事 (JP) holds 20 % of ビー精機. For ビー精機, by hand:
direct foreign 10 %; integrated 10 % + 50 % × 40 % = 30 %; attributed (エー工業 is 50 % foreign,
so all its 40 % counts) 10 % + 40 % = 50 %; foreign control max(30, 50) = 50 %; by country CN 30 %.
Chains, largest first: X → エー工業 → ビー精機 carries 20 %, X → ビー精機 10 %.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from shokei.accounts import services as accounts_services
from shokei.app import create_app
from shokei.clock import FixedClock
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services as ownership
from shokei.ownership.domain import EntityKind
from shokei.ownership.pages import declared_share, ownership_picture
from shokei.ownership.schemas import ChainStep, ChainView, ControlView, EntityView, OwnerView
from tests.conftest import TEST_NOW, _empty_all_tables
from tests.factories import Office, company
from tests.integration.ownership.conftest import entity_statement, stake_statement, write_package
from tests.web.conftest import _FAST_HASHER, Browser, as_user, web_shokei

ROLES = ["supplier", "successor", "intake", "examiner", "negotiator", "manager", "auditor", "admin"]
READERS = {"intake", "examiner", "negotiator", "manager", "auditor"}
X_ID = "CN-USCC-91110000MA01XXXX1X"


@dataclass
class World:
    office: Office
    app: FastAPI
    browsers: dict[str, Browser]
    a: str
    b: str
    domestic: str
    plain: str  # a registry company nobody has recorded holders of
    declared: str  # a registry company with an indirect share declared in a BODS package


@pytest.fixture(scope="module")
def world(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    uow = UnitOfWork(engine, FixedClock(TEST_NOW))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts_services.records, "_hasher", _FAST_HASHER)
        office = Office(uow)
        a = company(uow, "エー工業株式会社").corporate_number or ""
        b = company(uow, "ビー精機株式会社").corporate_number or ""
        domestic = company(uow, "国内商事株式会社").corporate_number or ""
        plain = company(uow, "無記録産業株式会社").corporate_number or ""
        x = ownership.add_entity(
            uow, office.intake, kind="foreign_company", name="X Holdings", country="CN", identifiers=[X_ID]
        ).reference
        for owner, owned, share in [(x, a, "50"), (x, b, "10"), (a, b, "40"), (domestic, b, "20")]:
            ownership.record_interest_change(uow, office.intake, owner=owner, owned=owned, share=share)
        declared = company(uow, "シー電機株式会社").corporate_number or ""
        package = _declared_package(tmp_path_factory.mktemp("bods") / "declared.json", declared)
        report = ownership.import_bods(uow, office.intake, package)
        assert report.rejected == []
        app = create_app(web_shokei(uow, tmp_path_factory.mktemp("own") / "var"))
        browsers = {role: as_user(app, role) for role in ROLES}
        yield World(office, app, browsers, a, b, domestic, plain, declared)
    _empty_all_tables(engine)


def _declared_package(path: Path, number: str) -> Path:
    """Y Holdings (US) declares 30 % of シー電機 indirectly, through Z Ltd (GB), which holds 60 % of
    it; the link Y -> Z has no share, so the 30 % can be shown but not computed."""
    subject = entity_statement("rc", "シー電機株式会社", identifiers=[{"scheme": "JP-JCN", "id": number}])
    middle = entity_statement("rz", "Z Ltd", country="GB", identifiers=[{"scheme": "GB-COH", "id": "ZZ0001"}])
    holder = entity_statement(
        "ry", "Y Holdings", country="US", identifiers=[{"scheme": "US-EIN", "id": "99-0000001"}]
    )
    held = stake_statement("r-z-c", "rz", "rc", {"exact": 60})
    unknown = stake_statement("r-y-z", "ry", "rz", {})
    unknown["recordDetails"]["interests"] = [{"type": "shareholding", "directOrIndirect": "unknown"}]
    indirect = stake_statement("r-y-c", "ry", "rc", {"exact": 30})
    indirect["recordDetails"]["interests"][0]["directOrIndirect"] = "indirect"
    return write_package(path, [subject, middle, holder, held, unknown, indirect])


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def _box(html: str) -> str:
    found = re.search(r'<section class="panel ownership-panel".*?</section>', html, re.S)
    assert found, "no ownership section"
    return found.group(0)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# -- who sees it ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_ownership_section_per_role(world: World, role: str) -> None:
    response = world.browsers[role].get(f"/companies/{world.b}")
    if role in ("supplier", "successor"):
        # Company-bound users see their own company only (the registry decides).
        assert response.status_code == 404
        return
    assert response.status_code == 200
    main = _main(response.text)
    if role in READERS:
        assert 'data-box="ownership"' in main
        assert "<svg" in main
    else:  # admins load registers but do not read the analysis: no section, no waiting box
        assert 'data-box="ownership"' not in main
        assert 'data-pending="ownership"' not in main
        assert "X Holdings" not in main


def test_company_bound_users_get_no_ownership_section_on_their_own_company(world: World) -> None:
    for role, number in (
        ("supplier", world.office.withdrawing.corporate_number),
        ("successor", world.office.successor_company.corporate_number),
    ):
        response = world.browsers[role].get(f"/companies/{number}")
        assert response.status_code == 200
        assert 'data-box="ownership"' not in response.text
        assert 'data-pending="ownership"' not in response.text


# -- what it shows ----------------------------------------------------------------------------


def test_the_three_measures_and_the_split_by_country_are_percentages(world: World) -> None:
    box = _box(world.browsers["examiner"].get(f"/companies/{world.b}").text)
    measures = dict(re.findall(r'data-measure="(\w+)">(?:<strong>)?([^<]+)', box))
    assert measures == {"direct": "10%", "integrated": "30%", "attributed": "50%", "control": "50%"}
    assert "外国支配下" in box  # attributed 50 %: foreign-controlled
    countries = re.search(r'<table class="ownership-countries">.*?</table>', box, re.S)
    assert countries is not None
    assert re.findall(r"<tr><td>(\w+)</td><td class=\"number\">([^<]+)</td></tr>", countries.group(0)) == [
        ("CN", "30%")
    ]


def _svg(box: str) -> str:
    found = re.search(r"<svg.*?</svg>", box, re.S)
    assert found, "no picture"
    return found.group(0)


def test_the_picture_shows_every_entity_and_every_share_layered(world: World) -> None:
    svg = _svg(_box(world.browsers["auditor"].get(f"/companies/{world.b}").text))
    assert 'role="img"' in svg
    assert "<title" in svg
    assert "<desc" in svg
    edges = {
        (owner, owned): label
        for owner, owned, label in re.findall(
            r'<g class="ownership-edge" data-owner="([^"]+)" data-owned="([^"]+)">'
            r".*?<text[^>]*>([^<]+)</text>",
            svg,
            re.S,
        )
    }
    assert edges == {
        (X_ID, world.a): "50%",
        (X_ID, world.b): "10%",
        (world.a, world.b): "40%",
        (world.domestic, world.b): "20%",
    }
    nodes = {
        reference: (classes, float(y), _text(body))
        for classes, reference, y, body in re.findall(
            r'<g class="([^"]+)" data-reference="([^"]+)">.*?<rect x="[^"]+" y="([^"]+)"(.*?)</g>', svg, re.S
        )
    }
    assert set(nodes) == {X_ID, world.a, world.b, world.domestic}
    # Ultimate owner at the top, the company at the bottom, エー工業 between them.
    assert nodes[X_ID][1] < nodes[world.a][1] < nodes[world.b][1]
    assert nodes[world.domestic][1] == nodes[world.a][1]
    # Foreign entities are marked with their country, domestic ones are not marked foreign.
    assert "ownership-node-foreign" in nodes[X_ID][0]
    assert "X Holdings" in nodes[X_ID][2]
    assert "CN" in nodes[X_ID][2]
    assert "外国" in nodes[X_ID][2]
    assert "ownership-node-foreign" not in nodes[world.a][0]
    assert "エー工業株式会社" in nodes[world.a][2]
    assert "ownership-node-subject" in nodes[world.b][0]
    assert "ビー精機株式会社" in nodes[world.b][2]


def test_the_text_alternative_lists_the_chains_largest_first(world: World) -> None:
    box = _box(world.browsers["manager"].get(f"/companies/{world.b}").text)
    chains = re.search(r'<ol class="ownership-chains">(.*?)</ol>', box, re.S)
    assert chains is not None
    items = [_text(item) for item in re.findall(r"<li>(.*?)</li>", chains.group(1), re.S)]
    assert items == [
        "X Holdings (CN) → 50% → エー工業株式会社 (JP) → 40% → ビー精機株式会社 (JP) 20%を保有",
        "X Holdings (CN) → 10% → ビー精機株式会社 (JP) 10%を保有",
    ]


def test_a_company_without_recorded_holders_says_so_without_a_picture(world: World) -> None:
    box = _box(world.browsers["intake"].get(f"/companies/{world.plain}").text)
    assert "<svg" not in box
    assert dict(re.findall(r'data-measure="(\w+)">(?:<strong>)?([^<]+)', box))["integrated"] == "0%"
    assert "この会社の上位に外国の保有者は記録されていません。" in box


def test_a_declared_indirect_share_is_shown_beside_what_the_data_computes(world: World) -> None:
    box = _box(world.browsers["examiner"].get(f"/companies/{world.declared}").text)
    declared = re.search(r"<h3>申告された間接保有比率</h3>\s*<ul>(.*?)</ul>", box, re.S)
    assert declared is not None
    assert (
        _text(declared.group(1))
        == "Y Holdings: 申告値 30% / 記録から算出した値 算出不能（保有比率の不明な経路あり）"
    )
    # Z Ltd (GB, a foreign company) holds 60 % directly: what the data does compute.
    assert dict(re.findall(r'data-measure="(\w+)">(?:<strong>)?([^<]+)', box))["direct"] == "60%"


def test_english_percentages_and_labels(world: World) -> None:
    browser = world.browsers["negotiator"]
    browser.post("/language", {"lang": "en", "next": "/"})
    try:
        box = _box(browser.get(f"/companies/{world.b}").text)
    finally:
        browser.post("/language", {"lang": "ja", "next": "/"})
    assert "Integrated foreign share" in box
    assert dict(re.findall(r'data-measure="(\w+)">(?:<strong>)?([^<]+)', box))["integrated"] == "30%"
    assert "Foreign company" in _svg(box)


def test_no_inline_script_or_style_on_the_profile(world: World) -> None:
    html = world.browsers["examiner"].get(f"/companies/{world.b}").text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    assert "<style" not in html


# -- the layout on its own --------------------------------------------------------------------


def _ref(reference: str, name: str, kind: EntityKind, country: str | None) -> dict[str, object]:
    return {"reference": reference, "name": name, "kind": kind.value, "country": country}


def test_long_chains_and_long_names_lay_out_without_overlap() -> None:
    # P (US) → Q 60 % → R 30 % → S 70 %, and P → S 5 % directly; T holds 10 % of S: S is the company.
    subject = EntityView(
        **_ref("S", "エス" * 30, EntityKind.REGISTERED_COMPANY, "JP"),  # type: ignore[arg-type]
        key="k",
        corporate_number="S",
        identifiers=[],
        record_ids=[],
    )

    def step(ref: str, kind: EntityKind, country: str, holds: float | None) -> ChainStep:
        return ChainStep(**_ref(ref, ref, kind, country), holds=holds)  # type: ignore[arg-type]

    chain = ChainView(
        share=0.6 * 0.3 * 0.7,
        path=[
            step("P", EntityKind.FOREIGN_COMPANY, "US", 0.6),
            step("Q", EntityKind.REGISTERED_COMPANY, "JP", 0.3),
            step("R", EntityKind.REGISTERED_COMPANY, "JP", 0.7),
            step("S", EntityKind.REGISTERED_COMPANY, "JP", None),
        ],
    )
    direct = ChainView(
        share=0.05,
        path=[
            step("P", EntityKind.FOREIGN_COMPANY, "US", 0.05),
            step("S", EntityKind.REGISTERED_COMPANY, "JP", None),
        ],
    )
    owners = [
        OwnerView(**_ref("R", "R", EntityKind.REGISTERED_COMPANY, "JP"), direct=0.7, integrated=0.7),  # type: ignore[arg-type]
        OwnerView(**_ref("T", "T", EntityKind.PERSON, "JP"), direct=0.1, integrated=0.1),  # type: ignore[arg-type]
    ]
    view = ControlView(
        entity=subject,
        as_of=TEST_NOW.date(),
        direct_foreign=0.0,
        integrated_foreign=0.126,
        attributed_foreign=0.0,
        foreign_controlled=False,
        foreign_control=0.126,
        by_country={"US": 0.126},
        chains=[chain, direct],
        owners=owners,
        declared_indirect=[],
    )
    picture = ownership_picture(view)
    assert picture is not None
    layer = {node.reference: node.y for node in picture.nodes}
    assert layer["P"] < layer["Q"] < layer["R"] < layer["S"]
    assert layer["T"] == layer["R"]  # a direct holder sits one layer above the company
    boxes = sorted((node.y, node.x) for node in picture.nodes)
    for (y1, x1), (y2, x2) in itertools.pairwise(boxes):
        assert y1 != y2 or x2 - x1 >= 210, "boxes in one layer must not overlap"
    assert all(node.x >= 0 and node.x + 210 <= picture.width for node in picture.nodes)
    subject_node = next(node for node in picture.nodes if node.subject)
    assert subject_node.short_name.endswith("…")
    assert len(subject_node.short_name) <= 13
    assert {(edge.owner, edge.owned): edge.share for edge in picture.edges} == {
        ("P", "Q"): 0.6,
        ("Q", "R"): 0.3,
        ("R", "S"): 0.7,
        ("T", "S"): 0.1,
        ("P", "S"): 0.05,
    }
    # Stakes between adjacent layers are straight; P's direct stake in S passes the layers of Q
    # and R, so it detours to the right of every box there instead of running through them.
    route = {(edge.owner, edge.owned): edge.path for edge in picture.edges}
    assert route[("Q", "R")].count("L") == 1
    detour = [float(value) for value in re.findall(r"-?\d+(?:\.\d+)?", route[("P", "S")])]
    assert len(detour) == 8
    bow = detour[2]
    assert detour[4] == bow
    assert bow > max(node.x + 210 for node in picture.nodes)
    assert bow + 20 <= picture.width


def test_nothing_above_means_no_picture() -> None:
    view = ControlView(
        entity=EntityView(
            **_ref("S", "S", EntityKind.REGISTERED_COMPANY, "JP"),  # type: ignore[arg-type]
            key="k",
            corporate_number="S",
            identifiers=[],
            record_ids=[],
        ),
        as_of=TEST_NOW.date(),
        direct_foreign=0.0,
        integrated_foreign=0.0,
        attributed_foreign=0.0,
        foreign_controlled=False,
        foreign_control=0.0,
        by_country={},
        chains=[],
        owners=[],
        declared_indirect=[],
    )
    assert ownership_picture(view) is None


def test_declared_shares_read_as_published() -> None:
    assert declared_share({"exact": "76.5"}) == "76.5%"
    assert declared_share({"minimum": "10", "exclusive_maximum": "20"}) == "10%–20%"
    assert declared_share({"exclusive_minimum": "50"}) == "50%–100%"
    assert declared_share({}) == "—"
