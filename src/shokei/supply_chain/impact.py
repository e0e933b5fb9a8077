"""Answering one exit-impact query: the lost components renumbered into a small subgraph, each
lost component's exited suppliers and lost sub-components, and every hit system's loss count and
depth (longest paths by repeated relaxation over the lost subgraph only).
Split from `engine` so the graph object stays about holding and updating the map, while this
module holds the per-query arithmetic that turns a lost set into an `ImpactReport`'s parts. It
reads the map through the graph's `bom.BomIndex` only, so the engine depends on it, never back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shokei.supply_chain.arrays import BoolArray, Csr, IntArray, counts_per_value, group_by, positions_in
from shokei.supply_chain.bom import BomIndex
from shokei.supply_chain.domain import ComponentLoss, SystemImpact


@dataclass(frozen=True, slots=True)
class LostSubgraph:
    """The lost components renumbered 0..L-1, with the BOM edges between them."""

    bom: BomIndex
    lost: IntArray  # sorted global ids; local id = position
    is_origin: BoolArray  # per local id: lost through its own suppliers
    children: Csr  # local parent → local lost children

    @classmethod
    def build(cls, bom: BomIndex, lost: IntArray, origins: IntArray) -> LostSubgraph:
        owner, children = bom.children.gather(lost)
        local_child, inside = positions_in(lost, children)
        local_children = Csr.from_pairs(owner[inside], local_child[inside], lost.size)
        return cls(bom, lost, positions_in(origins, lost)[1], local_children)

    def component_losses(self, supplier: IntArray, supplied: IntArray) -> tuple[ComponentLoss, ...]:
        """One ComponentLoss per lost component, ascending by id."""
        origin_ids = self.lost[self.is_origin]
        by_origin = group_by(supplied, supplier, origin_ids)
        lost_ids = self.lost.tolist()
        child_ids = self.lost[self.children.indices].tolist()
        bounds = self.children.indptr.tolist()
        return tuple(
            ComponentLoss(
                component=component,
                exited_suppliers=by_origin.get(component, ()),
                lost_sub_components=tuple(sorted(child_ids[bounds[local] : bounds[local + 1]])),
            )
            for local, component in enumerate(lost_ids)
        )

    def system_impacts(self) -> tuple[SystemImpact, ...]:
        """One SystemImpact per hit system, ascending by id."""
        top_local, system = self._lost_tops()
        if system.size == 0:
            return ()
        keys, levels = _deepest_levels_per_system(self.children, system, top_local)
        size = self.lost.size
        pair_system, pair_local = keys // size, keys % size
        hit, lost_counts = counts_per_value(pair_system)
        depth = np.zeros(hit.size, dtype=np.int64)
        origin_pair = self.is_origin[pair_local]
        np.maximum.at(depth, np.searchsorted(hit, pair_system[origin_pair]), levels[origin_pair])
        tops = group_by(system, self.lost[top_local], hit)
        return tuple(
            SystemImpact(system=s, lost_components=n, depth=d, lost_top_components=tops[s])
            for s, n, d in zip(hit.tolist(), lost_counts.tolist(), depth.tolist(), strict=True)
        )

    def _lost_tops(self) -> tuple[IntArray, IntArray]:
        """(local id of a lost top-level component, system it is top-level in) pairs."""
        return self.bom.systems_by_top.gather(self.lost)


def _deepest_levels_per_system(
    children: Csr, system: IntArray, top_local: IntArray
) -> tuple[IntArray, IntArray]:
    """Deepest level of every lost component in every hit system's BOM, as sorted pair keys
    (system * L + local id) and levels.

    Longest paths by repeated relaxation: a pair is expanded again only when its level grows, so
    the rounds are bounded by the BOM depth and each round touches only the lost subgraph.
    """
    size = children.indptr.size - 1
    best_keys, best_levels = _max_per_key(system * size + top_local, np.ones(system.size, np.int64))
    frontier_keys, frontier_levels = best_keys, best_levels
    while frontier_keys.size:
        owner, child = children.gather(frontier_keys % size)
        keys, levels = _max_per_key((frontier_keys // size)[owner] * size + child, frontier_levels[owner] + 1)
        position, known = positions_in(best_keys, keys)
        grew = ~known | (levels > best_levels[position])
        best_levels[position[known & grew]] = levels[known & grew]
        best_keys, best_levels = _merge_sorted(best_keys, best_levels, keys[~known], levels[~known])
        frontier_keys, frontier_levels = keys[grew], levels[grew]
    return best_keys, best_levels


def _max_per_key(keys: IntArray, values: IntArray) -> tuple[IntArray, IntArray]:
    """Distinct keys (sorted) with the largest value seen for each."""
    order = np.lexsort((values, keys))
    keys, values = keys[order], values[order]
    last_of_key = np.append(keys[1:] != keys[:-1], True) if keys.size else np.zeros(0, bool)
    return keys[last_of_key], values[last_of_key]


def _merge_sorted(
    keys: IntArray, values: IntArray, new_keys: IntArray, new_values: IntArray
) -> tuple[IntArray, IntArray]:
    if new_keys.size == 0:
        return keys, values
    merged_keys = np.concatenate([keys, new_keys])
    order = np.argsort(merged_keys, kind="stable")
    return merged_keys[order], np.concatenate([values, new_values])[order]
