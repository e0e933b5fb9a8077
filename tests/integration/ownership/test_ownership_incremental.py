"""An ownership event recomputes only what it can move, and gets what a full recompute gets.

The graph has two cross-holding cycles (A -> B -> C -> A and B -> D -> E -> B) under a
Japanese person and a Chinese company, and a side branch that the event cannot reach. The
event makes the Chinese company buy into B, inside both cycles. Whatever the incremental path
computes for the entities below B must be, to floating-point precision, what the engine
computes from scratch over every stored stake once the event is saved.
"""

from __future__ import annotations

import numpy as np
import pytest

from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services
from shokei.ownership.domain import foreign_control
from shokei.ownership.entities import find_entity
from shokei.ownership.schemas import InterestChangeView
from shokei.ownership.store import LoadedGraph, affected_closure, whole_graph
from tests.integration.ownership.conftest import Office

# (holder, held, percent): the cycles, the branch below them, and an unrelated side branch.
STAKES = [
    ("P", "A", "50"),
    ("CN", "A", "30"),
    ("A", "B", "60"),
    ("B", "C", "40"),
    ("C", "A", "20"),
    ("B", "D", "50"),
    ("D", "E", "70"),
    ("E", "B", "10"),
    ("E", "F", "90"),
    ("CN", "G", "35"),
    ("G", "H", "55"),
]
REGISTRY = ["A", "B", "C", "D", "E", "F", "G", "H"]


class World:
    def __init__(self, uow: UnitOfWork, office: Office) -> None:
        self.uow, self.office = uow, office
        self.ref = {
            name: office.company(f"循環{name}工業株式会社").corporate_number or "" for name in REGISTRY
        }
        self.ref["P"] = self.entity("person", "山田太郎", "JP")
        self.ref["CN"] = self.entity("foreign_company", "华晨精密机械有限公司", "CN")
        for holder, held, share in STAKES:
            self.record(holder, held, share)

    def entity(self, kind: str, name: str, country: str) -> str:
        return services.add_entity(
            self.uow, self.office.intake, kind=kind, name=name, country=country
        ).reference

    def record(self, holder: str, held: str, share: str) -> InterestChangeView:
        return services.record_interest_change(
            self.uow, self.office.intake, owner=self.ref[holder], owned=self.ref[held], share=share
        )

    def ids(self) -> dict[str, int]:
        with self.uow:
            found = {name: find_entity(self.uow, reference) for name, reference in self.ref.items()}
            return {name: entity.id for name, entity in found.items() if entity is not None}


def _figures(loaded: LoadedGraph, entity_id: int) -> tuple[float, float, float, bool]:
    figures = loaded.graph.measures(loaded.local(entity_id))
    return (figures.direct, figures.integrated, figures.controlled_share, figures.foreign_controlled)


def test_an_event_inside_two_cycles_matches_a_full_recompute(uow: UnitOfWork, office: Office) -> None:
    world = World(uow, office)
    ids = world.ids()
    today = uow.clock.today()
    with uow.transaction() as session:
        affected = affected_closure(session, [ids["B"]], today, also_above=[ids["CN"]], changing=True)
    loaded = affected.loaded
    # Below B: both cycles and F; not G or H (nor the holders P and CN, which are loaded above).
    assert affected.below == {ids[name] for name in ("A", "B", "C", "D", "E", "F")}
    assert set(affected.companies) == affected.below
    recomputed = loaded.graph.apply_interest_change(loaded.local(ids["CN"]), loaded.local(ids["B"]), 0.25)
    assert {loaded.entity(local) for local in recomputed} == affected.below

    event = world.record("CN", "B", "25")
    with uow.transaction() as session:
        full = whole_graph(session, today)
    assert event.recomputed == len(affected.below)
    for name in ("A", "B", "C", "D", "E", "F", "P", "CN"):
        incremental, scratch = _figures(loaded, ids[name]), _figures(full, ids[name])
        assert incremental[:3] == pytest.approx(scratch[:3], abs=1e-12), name
        assert incremental[3] == scratch[3], name
    # The event did move them: B is now a quarter Chinese directly.
    assert _figures(full, ids["B"])[0] == pytest.approx(0.25)
    # The alerts the event raised carry the full recompute's figures.
    by_number = {number: name for name, number in world.ref.items()}
    for alert in event.alerts_raised:
        name = by_number[alert.corporate_number or ""]
        direct, integrated, attributed, _ = _figures(full, ids[name])
        assert alert.measures == pytest.approx(
            {
                "direct": direct,
                "integrated": integrated,
                "attributed": attributed,
                "foreign_control": foreign_control(integrated, attributed),
            },
            abs=1e-12,
        )
    raised = {ids[by_number[alert.corporate_number or ""]] for alert in event.alerts_raised}
    assert raised
    assert raised <= affected.below


def test_the_stored_walk_agrees_with_the_engine_on_what_lies_below(uow: UnitOfWork, office: Office) -> None:
    world = World(uow, office)
    ids = world.ids()
    with uow.transaction() as session:
        full = whole_graph(session, uow.clock.today())
        affected = affected_closure(session, [ids["D"]], uow.clock.today())
    expected = {full.entity(local) for local in full.graph.descendants(full.local(ids["D"]))}
    assert affected.below == expected == {ids[name] for name in ("A", "B", "C", "D", "E", "F")}
    # Without a change to come, every entity of the closure is computed, and as from scratch.
    for entity_id in affected.loaded.ids.tolist():
        assert _figures(affected.loaded, entity_id)[:3] == pytest.approx(
            _figures(full, entity_id)[:3], abs=1e-12
        )
    assert np.all(np.diff(affected.loaded.ids) > 0)
