"""The issue's "Must show" campaign through the use cases, on SQLite and PostgreSQL: three primes,
a cascade to two tier-2 companies, an answer refused by sheet/row/column then corrected, the
silent ones unanswered with `survey_unanswered` in their risk breakdown, and `system show`
equal to counts made by hand from `supply export` (see survey_scenario.py for the data)."""

from __future__ import annotations

import csv
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from shokei.errors import BadInput, Conflict, Forbidden
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.risk import services as risk
from shokei.supply_chain import services as supply
from shokei.supply_chain.survey import services as survey
from tests.integration.supply_chain import survey_scenario as scenario


def _supply_rows(uow: UnitOfWork, cast: scenario.Cast, directory: Path) -> list[dict[str, str]]:
    supply.export_supply_map(uow, cast.users["auditor"], directory)
    with (directory / "supply.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def run_campaign(uow: UnitOfWork, cast: scenario.Cast) -> int:
    users, n = cast.users, cast.number
    created = survey.create_campaign(
        uow, users["intake"], "FX-1", due_on=scenario.DUE, respondents=[n("A"), n("B"), n("C")]
    )
    a = survey.answer_survey(uow, users["A"], created.id, "a.xlsx", scenario.answer_of_a(cast))
    assert a.accepted, a.problems
    survey.cascade(uow, users["A"], created.id, [n("D"), n("E")])
    assert survey.answer_survey(uow, users["D"], created.id, "d.csv", scenario.answer_of_d(cast)).accepted
    refused = survey.answer_survey(uow, users["B"], created.id, "b.xlsx", scenario.faulty_answer_of_b(cast))
    assert not refused.accepted
    assert survey.answer_survey(
        uow, users["B"], created.id, "b2.xlsx", scenario.correct_answer_of_b(cast)
    ).accepted
    return created.id


def test_the_campaign_from_primes_to_tier_2_and_its_closing(uow: UnitOfWork, tmp_path: Path) -> None:
    cast = scenario.build(uow, tmp_path / "map")
    users, n = cast.users, cast.number
    created = survey.create_campaign(
        uow, users["intake"], "FX-1", due_on=scenario.DUE, respondents=[n("A"), n("B"), n("C")]
    )
    assert created.status == "open"

    # A's form is pre-filled with what the map knows about A: P-FRAME and what it is made of.
    form = load_workbook(BytesIO(survey.template(uow, users["A"], created.id)))
    assert form.sheetnames == ["説明", "supply", "bom", "components"]
    assert [row[3] for row in form["supply"].iter_rows(min_row=2, values_only=True)] == ["P-FRAME"]
    assert [row[:2] for row in form["bom"].iter_rows(min_row=2, values_only=True)] == [
        ("P-FRAME", "P-RIVET"),
        ("P-FRAME", "P-SPAR"),
    ]

    a = survey.answer_survey(uow, users["A"], created.id, "a.xlsx", scenario.answer_of_a(cast))
    assert (a.accepted, a.applied["supply"]["created"], a.applied["foreign_supply"]["created"]) == (
        True,
        2,
        1,
    )
    forwarded = survey.cascade(uow, users["A"], created.id, [n("D"), n("E")])
    assert [(r.corporate_number, r.tier, r.asked_by, r.asked_parts) for r in forwarded.added] == sorted(
        [(n("D"), 2, n("A"), ["P-SPAR"]), (n("E"), 2, n("A"), ["P-RIVET"])]
    )
    with pytest.raises(BadInput, match="not named as your suppliers"):
        survey.cascade(uow, users["A"], created.id, [n("G")])
    assert survey.answer_survey(uow, users["D"], created.id, "d.csv", scenario.answer_of_d(cast)).accepted

    before = _supply_rows(uow, cast, tmp_path / "before")
    refused = survey.answer_survey(uow, users["B"], created.id, "b.xlsx", scenario.faulty_answer_of_b(cast))
    expected_digit = n("G")[0]
    assert not refused.accepted
    assert refused.applied == {}
    assert [(p.sheet, p.row, p.column) for p in refused.problems] == [
        ("bom", 2, "child_part_number"),
        ("supply", 3, "corporate_number"),
        ("supply", 4, "part_number"),
        ("supply", 5, "part_number"),
        ("supply", 7, "share"),
    ]
    messages = [p.message for p in refused.problems]
    assert "P-BLADE → P-ENGINE → P-BLADE" in messages[0]
    assert f"expected {expected_digit}" in messages[1]
    assert "unknown component P-NOPE" in messages[2]
    assert "given twice (first in row 2)" in messages[3]
    assert "add up to 110 percent" in messages[4]
    assert _supply_rows(uow, cast, tmp_path / "after-refusal") == before  # nothing applied
    assert survey.answer_survey(
        uow, users["B"], created.id, "b2.xlsx", scenario.correct_answer_of_b(cast)
    ).accepted

    with pytest.raises(Forbidden):
        survey.close_campaign(uow, users["A"], created.id)
    closing = survey.close_campaign(uow, users["intake"], created.id)
    assert closing.unanswered == sorted([n("C"), n("E")])
    with pytest.raises(Conflict):
        survey.answer_survey(uow, users["E"], created.id, "late.csv", scenario.answer_of_d(cast))

    status = survey.campaign_status(uow, users["intake"], created.id)
    assert sorted((r.corporate_number, r.tier, r.status, r.asked_by) for r in status.respondents) == sorted(
        [
            (n("A"), 1, "answered", None),
            (n("B"), 1, "answered", None),
            (n("C"), 1, "unanswered", None),
            (n("D"), 2, "answered", n("A")),
            (n("E"), 2, "unanswered", n("A")),
        ]
    )
    for letter, silent in (("A", False), ("B", False), ("C", True), ("D", False), ("E", True)):
        factors = [f.name for f in risk.company_risk(uow, users["intake"], n(letter)).factors]
        assert ("no_survey_answer" in factors) is silent, letter


def test_system_show_counts_equal_those_made_by_hand_from_supply_export(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    cast = scenario.build(uow, tmp_path / "map")
    campaign = run_campaign(uow, cast)
    survey.close_campaign(uow, cast.users["intake"], campaign)
    # D (an SME) also had a credit event: 10 + 20 points reach early outreach, so D is on the watchlist.
    risk.record_event(
        uow, cast.users["intake"], cast.number("D"), kind="credit_event", occurred_on=date(2026, 5, 1)
    )

    rows = [
        r for r in _supply_rows(uow, cast, tmp_path / "export") if r["part_number"] in scenario.SYSTEM_PARTS
    ]
    foreign = [
        ("US-4471", "P-SPAR", 2, True)
    ]  # the foreign pair A's answer gave (not in the domestic export)
    pairs = [
        (r["corporate_number"], r["part_number"], int(r["tier"]), r["qualified"] == "true") for r in rows
    ]
    pairs += foreign
    tiers: dict[str, int] = {}
    for supplier, _, tier, _ in pairs:
        tiers[supplier] = min(tier, tiers.get(supplier, tier))
    sources: dict[str, set[str]] = {}
    for supplier, part, _, qualified in pairs:
        if qualified:
            sources.setdefault(part, set()).add(supplier)
    by_tier: dict[str, int] = {}
    for tier in tiers.values():
        by_tier[str(tier)] = by_tier.get(str(tier), 0) + 1
    sole = {next(iter(s)) for s in sources.values() if len(s) == 1}

    shown = risk.system_supplier_base(uow, cast.users["auditor"], "FX-1")

    assert (shown.companies, shown.by_tier, shown.sole_sources) == (len(tiers), by_tier, len(sole))
    assert (shown.companies, shown.by_tier, shown.sole_sources) == (7, {"1": 3, "2": 4}, 5)  # by hand
    assert (shown.foreign, shown.smes, shown.foreign_influenced, shown.on_watchlist) == (1, 1, 0, 1)
    assert (shown.survey["answered"], shown.survey["unanswered"]) == (3, 2)
    assert [s.supplier for s in shown.suppliers if s.on_watchlist] == [cast.number("D")]
