"""The reference implementation's own parts: its cycle finder, its loading and its updates.

Its answers on hand-built BOMs are checked beside the engine's in test_engine.py.
"""

from __future__ import annotations

import pytest

from shokei.supply_chain.domain import BomCycleError, canonical_cycle
from tests.oracles.supply_chain import ReferenceSupplyGraph, find_cycle


def test_an_acyclic_graph_has_no_cycle() -> None:
    # A diamond: two paths meet at 3, which is not a cycle.
    assert find_cycle({0: {1, 2}, 1: {3}, 2: {3}}) is None


def test_the_cycle_is_named_from_its_smallest_component_in_bom_order() -> None:
    assert find_cycle({0: {5}, 5: {7}, 7: {3}, 3: {5}}) == [3, 5, 7]


def test_a_self_contained_component_is_a_cycle_of_one() -> None:
    assert find_cycle({4: {4}}) == [4]


def test_a_cycle_reached_late_in_the_search_is_found() -> None:
    children = {0: {1}, 1: {2}, 2: set(), 10: {11}, 11: {12}, 12: {10}}

    assert find_cycle(children) == [10, 11, 12]


def test_one_of_two_cycles_is_named_and_it_is_a_real_cycle() -> None:
    children = {0: {1}, 1: {0}, 5: {6}, 6: {5}}

    assert find_cycle(children) in ([0, 1], [5, 6])


def test_a_long_cycle_needs_no_recursion() -> None:
    length = 5_000
    children = {node: {(node + 1) % length} for node in range(length)}

    assert find_cycle(children) == list(range(length))


def test_canonical_cycle_rotates_to_the_smallest_id() -> None:
    assert canonical_cycle([7, 2, 9]) == [2, 9, 7]


def test_from_edges_reads_the_engines_columns() -> None:
    graph = ReferenceSupplyGraph.from_edges(
        bom_parent=[0],
        bom_child=[1],
        supply_company=[0, 1],
        supply_component=[1, 1],
        supply_qualified=[True, False],
        system_id=[0],
        system_top_component=[0],
        n_companies=2,
    )

    assert graph.impact([0]).lost_component_ids == {0, 1}
    assert graph.impact([1]).lost_component_ids == frozenset()


def test_from_edges_refuses_a_cycle() -> None:
    with pytest.raises(BomCycleError) as refused:
        ReferenceSupplyGraph.from_edges(
            bom_parent=[0, 1],
            bom_child=[1, 0],
            supply_company=[],
            supply_component=[],
            supply_qualified=[],
            system_id=[],
            system_top_component=[],
            n_companies=0,
        )
    assert refused.value.cycle == [0, 1]


def test_updates_change_who_counts_as_a_source() -> None:
    graph = ReferenceSupplyGraph(bom=[], supply=[(0, 0, True)], system_tops=[(0, 0)], n_companies=2)

    graph.add_supply(1, 0)
    saved_by_second_source = graph.impact([0]).lost_component_ids
    graph.add_supply(1, 0, qualified=False)
    lost_after_disqualifying = graph.impact([0]).lost_component_ids
    graph.remove_supply(0, 0)

    assert saved_by_second_source == frozenset()
    assert lost_after_disqualifying == {0}
    assert graph.impact([0, 1]).lost_component_ids == frozenset()  # nobody supplies it now
