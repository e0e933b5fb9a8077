"""A weapon system's supplier base page and its CSV/XLSX exports, with the figures of the issue's
campaign worked out by hand in tests/integration/supply_chain/test_survey.py: 7 companies (3 at
tier 1, 4 at tier 2), 5 sole sources, 1 foreign (US-4471), 1 SME (D), none foreign-influenced,
1 on the watchlist (D, after a credit event), survey answered 3 / unanswered 2."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from openpyxl import load_workbook

from shokei.kernel.unit_of_work import UnitOfWork
from shokei.risk import services as risk
from shokei.supply_chain.survey import services as survey
from tests.integration.supply_chain import survey_scenario as scenario
from tests.integration.supply_chain.test_survey import run_campaign
from tests.web.conftest import as_user

BY_HAND = {
    "companies": "7",
    "smes": "1",
    "sole_sources": "5",
    "foreign": "1",
    "foreign_influenced": "0",
    "on_watchlist": "1",
    "survey-answered": "3",
    "survey-unanswered": "2",
}


def _closed_campaign(uow: UnitOfWork, tmp_path: Path) -> scenario.Cast:
    cast = scenario.build(uow, tmp_path / "map")
    campaign = run_campaign(uow, cast)
    survey.close_campaign(uow, cast.users["intake"], campaign)
    risk.record_event(
        uow, cast.users["intake"], cast.number("D"), kind="credit_event", occurred_on=date(2026, 5, 1)
    )
    return cast


def test_the_supplier_base_page_shows_the_counts_and_an_accessible_tier_picture(
    uow: UnitOfWork, app: FastAPI, tmp_path: Path
) -> None:
    cast = _closed_campaign(uow, tmp_path)
    auditor = as_user(app, "auditor")
    page = auditor.get("/systems/FX-1")
    assert page.status_code == 200
    figures = dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', page.text))
    assert {key: figures[key] for key in BY_HAND} == BY_HAND
    svg = page.text.split('<svg class="tier-chart"', 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg
    assert 'aria-labelledby="tier-chart-title tier-chart-desc"' in svg
    assert '<title id="tier-chart-title">次期戦闘機 の供給基盤：階層別の企業数</title>' in svg
    desc = svg.split('<desc id="tier-chart-desc">', 1)[1].split("</desc>", 1)[0]
    assert "第1階層: 3社、調査に回答 2社、無回答 1社" in desc  # A, B answered; C silent
    assert "第2階層: 4社、調査に回答 1社、無回答 1社" in desc  # D answered; E silent
    assert re.findall(r'<g data-tier="(\d)" data-companies="(\d)"', svg) == [("1", "3"), ("2", "4")]
    table = page.text.split('class="supplier-tiers"', 1)[1]
    assert re.findall(r'data-tier="(\d)">.*?data-figure="tier-companies">(\d)<', table, re.S) == [
        ("1", "3"),
        ("2", "4"),
    ]
    assert page.text.count("<tr data-supplier=") == 7
    assert 'href="/systems/FX-1/export.csv"' in page.text

    # Reachable from the survey pages and from a supplier's company page.
    intake = as_user(app, "intake")
    assert 'href="/systems/FX-1"' in intake.get("/surveys").text
    assert 'href="/systems/FX-1"' in intake.get(f"/companies/{cast.number('A')}").text


def test_the_supplier_base_exports_as_csv_and_xlsx(uow: UnitOfWork, app: FastAPI, tmp_path: Path) -> None:
    cast = _closed_campaign(uow, tmp_path)
    manager = as_user(app, "intake")
    exported = manager.get("/systems/FX-1/export.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="supplier-base-FX-1.csv"' in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 7
    assert {row["supplier"]: row["tier"] for row in rows} == {
        cast.number("A"): "1",
        cast.number("B"): "1",
        cast.number("C"): "1",
        cast.number("D"): "2",
        cast.number("E"): "2",
        cast.number("G"): "2",
        "US-4471": "2",
    }
    assert [row["supplier"] for row in rows if row["on_watchlist"] == "true"] == [cast.number("D")]
    assert [row["supplier"] for row in rows if row["foreign"] == "true"] == ["US-4471"]

    book = load_workbook(io.BytesIO(manager.get("/systems/FX-1/export.xlsx").content))
    assert book.sheetnames == ["summary", "suppliers", "survey_by_tier"]
    summary = dict(book["summary"].iter_rows(min_row=2, values_only=True))
    assert (summary["companies"], summary["tier_1"], summary["tier_2"], summary["sole_sources"]) == (
        7,
        3,
        4,
        5,
    )
    assert (summary["survey_answered"], summary["survey_unanswered"]) == (3, 2)
    coverage = list(book["survey_by_tier"].iter_rows(min_row=2, values_only=True))
    assert coverage == [(1, 2, 0, 1, 0), (2, 1, 0, 1, 0)]
    assert manager.get("/systems/FX-1/export.pdf").status_code == 404


def test_the_supplier_base_is_for_officials_and_auditors(
    uow: UnitOfWork, app: FastAPI, tmp_path: Path
) -> None:
    _closed_campaign(uow, tmp_path)
    respondent = as_user(app, "user-a")
    for path in ("/systems/FX-1", "/systems/FX-1/export.csv", "/systems/FX-1/export.xlsx"):
        response = respondent.get(path)
        assert response.status_code == 403, path
        assert "US-4471" not in response.text
    assert as_user(app, "intake").get("/systems/NOPE").status_code == 404
