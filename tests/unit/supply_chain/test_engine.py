"""Exit impact on hand-built BOMs whose answers were worked out on paper.

The scenario tests run on both the engine and the reference implementation: each must reach the
hand-worked answer on its own. Engine-only behaviour (input validation, incremental updates,
overlay compaction) follows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from unittest import mock

import numpy as np
import pytest

from shokei.supply_chain import engine as engine_module
from shokei.supply_chain.domain import (
    BomCycleError,
    ComponentLoss,
    Criticality,
    ImpactReport,
    SpofEntry,
    SystemImpact,
)
from shokei.supply_chain.engine import SupplyGraph
from tests.oracles.supply_chain import ReferenceSupplyGraph


@dataclass
class Base:
    """A hand-built base: BOM (parent, child), supply (company, component, qualified), tops."""

    bom: list[tuple[int, int]]
    supply: list[tuple[int, int, bool]]
    tops: list[tuple[int, int]]
    n_companies: int
    n_components: int
    n_systems: int
    extra: dict[str, object] = field(default_factory=dict)

    def engine(self) -> SupplyGraph:
        return SupplyGraph.from_edges(
            bom_parent=[p for p, _ in self.bom],
            bom_child=[c for _, c in self.bom],
            supply_company=[s[0] for s in self.supply],
            supply_component=[s[1] for s in self.supply],
            supply_qualified=[s[2] for s in self.supply],
            system_id=[s for s, _ in self.tops],
            system_top_component=[t for _, t in self.tops],
            n_companies=self.n_companies,
            n_components=self.n_components,
            n_systems=self.n_systems,
        )

    def reference(self) -> ReferenceSupplyGraph:
        return ReferenceSupplyGraph(self.bom, self.supply, self.tops, self.n_companies)


Impl = SupplyGraph | ReferenceSupplyGraph


@pytest.fixture(params=["engine", "reference"])
def build(request: pytest.FixtureRequest) -> Callable[[Base], Impl]:
    if request.param == "engine":
        return Base.engine
    return Base.reference


def loss(component: int, suppliers: tuple[int, ...] = (), subs: tuple[int, ...] = ()) -> ComponentLoss:
    return ComponentLoss(component, exited_suppliers=suppliers, lost_sub_components=subs)


# Top 0 (system 0) contains 1; 1 has two qualified suppliers (0 and 1); 2 supplies the top.
DUAL_SOURCED = Base(
    bom=[(0, 1)],
    supply=[(0, 1, True), (1, 1, True), (2, 0, True)],
    tops=[(0, 0)],
    n_companies=3,
    n_components=2,
    n_systems=1,
)

# Chain 0 → 1 → 2 → 3 under system 0; company k supplies component k, and company 4 is a second
# source of component 1 (which cannot save it when something below it is lost).
CHAIN = Base(
    bom=[(0, 1), (1, 2), (2, 3)],
    supply=[(0, 0, True), (1, 1, True), (4, 1, True), (2, 2, True), (3, 3, True)],
    tops=[(0, 0)],
    n_companies=5,
    n_components=4,
    n_systems=1,
)

# Systems 0, 1, 2 have tops 0, 1, 2. Component 3 is shared: directly under 0, and under 5 which
# is under 1. Component 4 is under 2. Company 0 alone supplies 3, company 1 alone supplies 4,
# companies 2 and 3 both supply the tops and 5. Company 4 alone supplies 6, which no system uses.
SHARED = Base(
    bom=[(0, 3), (1, 5), (5, 3), (2, 4)],
    supply=[
        (0, 3, True),
        (1, 4, True),
        *[(company, part, True) for company in (2, 3) for part in (0, 1, 2, 5)],
        (4, 6, True),
    ],
    tops=[(0, 0), (1, 1), (2, 2)],
    n_companies=5,
    n_components=7,
    n_systems=3,
)


def test_a_second_qualified_source_saves_the_component(build: Callable[[Base], Impl]) -> None:
    graph = build(DUAL_SOURCED)

    assert graph.impact([0]) == ImpactReport((0,), (), ())


def test_losing_every_source_loses_the_component_and_its_assembly(
    build: Callable[[Base], Impl],
) -> None:
    graph = build(DUAL_SOURCED)

    report = graph.impact([1, 0])

    assert report == ImpactReport(
        exited_companies=(0, 1),
        lost_components=(loss(0, subs=(1,)), loss(1, suppliers=(0, 1))),
        systems=(SystemImpact(0, lost_components=2, depth=2, lost_top_components=(0,)),),
    )


def test_loss_propagates_up_every_level_despite_second_sources_above(
    build: Callable[[Base], Impl],
) -> None:
    report = build(CHAIN).impact([3])

    assert report.lost_components == (
        loss(0, subs=(1,)),
        loss(1, subs=(2,)),
        loss(2, subs=(3,)),
        loss(3, suppliers=(3,)),
    )
    assert report.systems == (SystemImpact(0, lost_components=4, depth=4, lost_top_components=(0,)),)


def test_depth_is_the_level_where_the_loss_originated(build: Callable[[Base], Impl]) -> None:
    report = build(CHAIN).impact([1, 4])

    assert report.lost_component_ids == {0, 1}
    assert report.systems == (SystemImpact(0, lost_components=2, depth=2, lost_top_components=(0,)),)


def test_one_of_two_sources_leaving_loses_nothing(build: Callable[[Base], Impl]) -> None:
    assert build(CHAIN).impact([4]).lost_components == ()


def test_a_shared_component_hits_every_system_that_uses_it(build: Callable[[Base], Impl]) -> None:
    report = build(SHARED).impact([0])

    assert report.lost_components == (
        loss(0, subs=(3,)),
        loss(1, subs=(5,)),
        loss(3, suppliers=(0,)),
        loss(5, subs=(3,)),
    )
    # Component 3 sits at level 2 in system 0 but at level 3 in system 1 (1 → 5 → 3).
    assert report.systems == (
        SystemImpact(0, lost_components=2, depth=2, lost_top_components=(0,)),
        SystemImpact(1, lost_components=3, depth=3, lost_top_components=(1,)),
    )
    assert report.criticality == Criticality(
        systems_hit=2, components_lost=4, system_component_losses=5, deepest_origin_level=3
    )
    assert report.criticality.score == 2 * 100 + 5 * 1 + 3 * 10


def test_a_component_reached_along_paths_of_different_length_takes_the_deepest_level(
    build: Callable[[Base], Impl],
) -> None:
    # 2 is both directly under the top (level 2) and under 1 (level 3).
    base = Base(
        bom=[(0, 1), (1, 2), (0, 2)],
        supply=[(0, 2, True), (1, 1, True), (1, 0, True)],
        tops=[(0, 0)],
        n_companies=2,
        n_components=3,
        n_systems=1,
    )

    report = build(base).impact([0])

    assert report.systems == (SystemImpact(0, lost_components=3, depth=3, lost_top_components=(0,)),)


def test_an_unqualified_supplier_does_not_keep_a_component(build: Callable[[Base], Impl]) -> None:
    base = Base(
        bom=[],
        supply=[(0, 0, True), (1, 0, False)],
        tops=[(0, 0)],
        n_companies=2,
        n_components=1,
        n_systems=1,
    )

    report = build(base).impact([0])

    assert report.lost_components == (loss(0, suppliers=(0,)),)
    assert report.hit_system_ids == (0,)


def test_an_unqualified_supplier_leaving_changes_nothing(build: Callable[[Base], Impl]) -> None:
    base = Base(
        bom=[],
        supply=[(0, 0, True), (1, 0, False)],
        tops=[(0, 0)],
        n_companies=2,
        n_components=1,
        n_systems=1,
    )

    assert build(base).impact([1]).lost_components == ()


def test_a_pair_is_qualified_when_any_of_its_rows_is(build: Callable[[Base], Impl]) -> None:
    # Company 1 appears twice for component 0 (say, at two tiers): once qualified.
    base = Base(
        bom=[],
        supply=[(0, 0, True), (1, 0, False), (1, 0, True)],
        tops=[(0, 0)],
        n_companies=2,
        n_components=1,
        n_systems=1,
    )

    assert build(base).impact([0]).lost_components == ()


def test_an_assembly_nobody_supplies_is_lost_only_through_its_parts(
    build: Callable[[Base], Impl],
) -> None:
    # 0 (top) has no supplier rows: the prime builds it from 1 (company 0) and 2 (no supplier).
    base = Base(
        bom=[(0, 1), (0, 2)],
        supply=[(0, 1, True)],
        tops=[(0, 0)],
        n_companies=2,
        n_components=3,
        n_systems=1,
    )
    graph = build(base)

    assert graph.impact([1]).lost_components == ()
    assert graph.impact([0, 1]).lost_components == (loss(0, subs=(1,)), loss(1, suppliers=(0,)))


def test_a_company_that_supplies_nothing_has_no_impact(build: Callable[[Base], Impl]) -> None:
    graph = build(replace(SHARED, n_companies=6))

    assert graph.impact([5]) == ImpactReport((5,), (), ())
    assert graph.impact([]) == ImpactReport((), (), ())


def test_losing_a_part_no_system_uses_hits_no_system(build: Callable[[Base], Impl]) -> None:
    report = build(SHARED).impact([4])

    assert report.lost_components == (loss(6, suppliers=(4,)),)
    assert report.criticality.score == 0


def test_single_points_of_failure_rank_sole_suppliers_by_score(
    build: Callable[[Base], Impl],
) -> None:
    ranking = build(SHARED).single_points_of_failure(10)

    # Company 1 loses 4 and its top 2 (system 2, depth 2); company 4's part is in no system and
    # companies 2 and 3 back each other up, so neither appears.
    assert ranking == [
        SpofEntry(0, sole_sourced_components=1, criticality=Criticality(2, 4, 5, 3)),
        SpofEntry(1, sole_sourced_components=1, criticality=Criticality(1, 2, 2, 2)),
    ]
    assert [entry.score for entry in ranking] == [235, 122]


def test_single_points_of_failure_keep_only_the_top_entries(build: Callable[[Base], Impl]) -> None:
    graph = build(SHARED)

    assert [entry.company for entry in graph.single_points_of_failure(1)] == [0]
    assert graph.single_points_of_failure(0) == []


def test_equal_scores_rank_by_company_id(build: Callable[[Base], Impl]) -> None:
    base = Base(
        bom=[],
        supply=[(2, 0, True), (1, 1, True)],
        tops=[(0, 0), (1, 1)],
        n_companies=3,
        n_components=2,
        n_systems=2,
    )

    assert [entry.company for entry in build(base).single_points_of_failure(5)] == [1, 2]


def test_a_bom_cycle_is_refused_naming_the_cycle(build: Callable[[Base], Impl]) -> None:
    base = Base(
        bom=[(4, 0), (0, 1), (1, 2), (2, 3), (3, 1)],
        supply=[],
        tops=[(0, 4)],
        n_companies=1,
        n_components=5,
        n_systems=1,
    )

    with pytest.raises(BomCycleError, match="1 → 2 → 3 → 1") as refused:
        build(base)
    assert refused.value.cycle == [1, 2, 3]


def test_a_component_containing_itself_is_a_cycle(build: Callable[[Base], Impl]) -> None:
    base = Base(bom=[(0, 1), (1, 1)], supply=[], tops=[], n_companies=1, n_components=2, n_systems=1)

    with pytest.raises(BomCycleError) as refused:
        build(base)
    assert refused.value.cycle == [1]


def test_a_deep_chain_needs_no_recursion(build: Callable[[Base], Impl]) -> None:
    depth = 3_000
    base = Base(
        bom=[(level, level + 1) for level in range(depth - 1)],
        supply=[(0, depth - 1, True)],
        tops=[(0, 0)],
        n_companies=1,
        n_components=depth,
        n_systems=1,
    )

    report = build(base).impact([0])

    assert report.systems == (SystemImpact(0, depth, depth, (0,)),)


# ---- engine only --------------------------------------------------------------------------------


def test_duplicate_rows_count_one_supplier() -> None:
    base = Base(
        bom=[(0, 1), (0, 1)],
        supply=[(0, 1, True), (0, 1, True), (1, 1, True)],
        tops=[(0, 0)],
        n_companies=2,
        n_components=2,
        n_systems=1,
    )
    graph = base.engine()

    assert graph.qualified_supplier_count(1) == 2
    assert graph.impact([0, 1]).systems == (SystemImpact(0, 2, 2, (0,)),)


def test_32_bit_columns_from_a_loader_do_not_overflow_pair_keys() -> None:
    # 70_000 * 100_000 does not fit in 32 bits: the pair keys must be built in 64.
    big = np.array([70_000, 99_999], dtype=np.int32)
    edges = engine_module.SupplyEdges(
        bom_parent=big[:1],
        bom_child=big[1:],
        supply_company=np.array([0, 1], dtype=np.int32),
        supply_component=big,
        supply_qualified=np.array([1, 1], dtype=np.int8),  # 0/1 flags as a database returns them
        system_id=np.array([0], dtype=np.int32),
        system_top_component=big[:1],
        n_companies=2,
        n_components=100_000,
        n_systems=1,
    )

    report = SupplyGraph(edges).impact([1])

    assert report.lost_component_ids == {70_000, 99_999}
    assert report.systems == (SystemImpact(0, 2, 2, (70_000,)),)


def test_numpy_arrays_are_accepted_as_ids() -> None:
    graph = SHARED.engine()

    assert graph.impact(np.array([0], dtype=np.int32)) == graph.impact([0])


def test_unsourced_leaves_are_listed_as_a_data_gap() -> None:
    base = Base(
        bom=[(0, 1), (0, 2)],
        supply=[(0, 1, True), (1, 2, False)],
        tops=[(0, 0)],
        n_companies=2,
        n_components=3,
        n_systems=1,
    )

    assert base.engine().unsourced_leaf_components().tolist() == [2]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bom_child": [3, 5, 3, 9]}, "bom_child holds ids outside 0..6"),
        ({"supply_company": [-1] * 11}, "supply_company holds ids outside 0..4"),
        ({"system_id": [0, 1, 3]}, "system_id holds ids outside 0..2"),
        ({"bom_parent": [0, 1]}, "the bom columns must be 1-D arrays of one length"),
        ({"bom_parent": [0.0, 1.0, 5.0, 2.0]}, "ids must be a 1-D integer array"),
    ],
)
def test_malformed_input_is_refused(change: dict[str, object], message: str) -> None:
    columns: dict[str, object] = {
        "bom_parent": [0, 1, 5, 2],
        "bom_child": [3, 5, 3, 4],
        "supply_company": [0, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4],
        "supply_component": [3, 4, 0, 1, 2, 5, 0, 1, 2, 5, 6],
        "supply_qualified": [True] * 11,
        "system_id": [0, 1, 2],
        "system_top_component": [0, 1, 2],
    }
    columns.update(change)

    with pytest.raises(ValueError, match=re.escape(message)):
        SupplyGraph.from_edges(**columns, n_companies=5, n_components=7, n_systems=3)


def test_impact_refuses_unknown_companies() -> None:
    with pytest.raises(ValueError, match=re.escape("company ids must lie in 0..4")):
        SHARED.engine().impact([5])


def test_removing_the_second_source_makes_the_first_a_single_point_of_failure() -> None:
    graph = DUAL_SOURCED.engine()

    graph.remove_supply(1, 1)

    assert graph.qualified_supplier_count(1) == 1
    assert graph.impact([0]).lost_component_ids == {0, 1}
    assert [entry.company for entry in graph.single_points_of_failure(5)] == [0, 2]


def test_adding_a_second_source_removes_the_single_point_of_failure() -> None:
    graph = CHAIN.engine()

    graph.add_supply(0, 3)

    assert graph.qualified_supplier_count(3) == 2
    assert graph.impact([3]).lost_components == ()
    assert 3 not in [entry.company for entry in graph.single_points_of_failure(10)]


def test_adding_an_existing_pair_twice_counts_it_once() -> None:
    graph = DUAL_SOURCED.engine()

    graph.add_supply(0, 1)
    graph.add_supply(2, 1)
    graph.add_supply(2, 1)

    assert graph.qualified_supplier_count(1) == 3


def test_adding_a_pair_unqualified_withdraws_its_qualification() -> None:
    graph = DUAL_SOURCED.engine()

    graph.add_supply(1, 1, qualified=False)

    assert graph.qualified_supplier_count(1) == 1
    assert graph.impact([0]).lost_component_ids == {0, 1}


def test_removing_a_pair_that_does_not_exist_changes_nothing() -> None:
    graph = DUAL_SOURCED.engine()

    graph.remove_supply(2, 1)

    assert graph.qualified_supplier_count(1) == 2


def test_re_adding_a_removed_pair_restores_it() -> None:
    graph = DUAL_SOURCED.engine()

    graph.remove_supply(1, 1)
    graph.add_supply(1, 1)

    assert graph.impact([0]).lost_components == ()


def test_updates_refuse_unknown_ids() -> None:
    graph = DUAL_SOURCED.engine()

    with pytest.raises(ValueError, match=re.escape("company id 3 is outside 0..2")):
        graph.add_supply(3, 0)
    with pytest.raises(ValueError, match=re.escape("component id 2 is outside 0..1")):
        graph.remove_supply(0, 2)


def test_the_overlay_is_folded_in_once_large_without_changing_answers() -> None:
    graph = SHARED.engine()
    with mock.patch.object(engine_module, "COMPACT_AFTER_CHANGES", 2):
        graph.add_supply(4, 3)  # company 0 is no longer the sole source of 3
        graph.remove_supply(3, 5)
        pending_after_fold = graph._overlay.changes
        graph.remove_supply(2, 5)  # now nobody supplies 5: it can no longer be lost directly

    assert pending_after_fold == 0
    assert graph.impact([0]).lost_components == ()
    assert graph.impact([0, 4]).lost_component_ids == {0, 1, 3, 5, 6}
    assert graph.qualified_supplier_count(5) == 0
    assert [entry.company for entry in graph.single_points_of_failure(5)] == [1]
