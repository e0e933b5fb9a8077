"""Building the bill-of-materials side of the supply graph: the loader's edge arrays, their
validation, topological waves (Kahn's algorithm, naming a cycle when there is one), and the
per-component facts computed once at build time (deepest BOM level, systems containing it),
kept together as the graph's `BomIndex`.
Kept apart from `engine` because it runs once per graph build (or once per import, as the
`check_acyclic` guard), whereas the engine's queries run on every request.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from shokei.supply_chain.arrays import BoolArray, Csr, IdArray, IntArray, counts_per_value, unique_pairs
from shokei.supply_chain.domain import BomCycleError, canonical_cycle

# Systems propagated together down the BOM as the bits of one uint64 word.
_SYSTEMS_PER_WORD = 64


@dataclass(frozen=True, slots=True)
class SupplyEdges:
    """The integer-id arrays a loader (synthetic or database) hands to `SupplyGraph`."""

    bom_parent: IntArray
    bom_child: IntArray
    supply_company: IntArray
    supply_component: IntArray
    supply_qualified: BoolArray
    system_id: IntArray
    system_top_component: IntArray
    n_companies: int
    n_components: int
    n_systems: int

    @property
    def edge_count(self) -> int:
        """BOM plus supply rows, as loaded (before de-duplication)."""
        return int(self.bom_parent.size + self.supply_company.size)


def check_acyclic(bom_parent: IdArray, bom_child: IdArray, n_components: int) -> None:
    """Raise BomCycleError naming one cycle when the BOM is not acyclic (the import guard: it
    costs a topological sort, not a whole graph build)."""
    parents, children = unique_pairs(as_ids(bom_parent), as_ids(bom_child), n_components)
    topological_waves(
        Csr.from_pairs(parents, children, n_components),
        Csr.from_pairs(children, parents, n_components),
        n_components,
    )


def as_ids(values: IdArray) -> IntArray:
    array = np.asarray(values)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise ValueError(f"ids must be a 1-D integer array, not {array.dtype} {array.shape}")
    return array.astype(np.int64, copy=False)


def as_int64(edges: SupplyEdges) -> SupplyEdges:
    """Widen every id column to int64: pair keys (row * width + column) overflow 32 bits."""
    return replace(
        edges,
        bom_parent=as_ids(edges.bom_parent),
        bom_child=as_ids(edges.bom_child),
        supply_company=as_ids(edges.supply_company),
        supply_component=as_ids(edges.supply_component),
        supply_qualified=np.asarray(edges.supply_qualified, dtype=bool),
        system_id=as_ids(edges.system_id),
        system_top_component=as_ids(edges.system_top_component),
    )


def check_id(value: int, bound: int, what: str) -> None:
    if not 0 <= value < bound:
        raise ValueError(f"{what} id {value} is outside 0..{bound - 1}")


def validate_edges(edges: SupplyEdges) -> None:
    """Refuse mismatched lengths and ids outside their ranges, naming the offending column."""
    groups = {
        "bom": (edges.bom_parent, edges.bom_child),
        "supply": (edges.supply_company, edges.supply_component, edges.supply_qualified),
        "system": (edges.system_id, edges.system_top_component),
    }
    for name, columns in groups.items():
        if len({column.shape for column in columns}) != 1 or columns[0].ndim != 1:
            raise ValueError(f"the {name} columns must be 1-D arrays of one length")
    bounds = {
        "bom_parent": (edges.bom_parent, edges.n_components),
        "bom_child": (edges.bom_child, edges.n_components),
        "supply_company": (edges.supply_company, edges.n_companies),
        "supply_component": (edges.supply_component, edges.n_components),
        "system_id": (edges.system_id, edges.n_systems),
        "system_top_component": (edges.system_top_component, edges.n_components),
    }
    for name, (column, bound) in bounds.items():
        if column.size and (column.min() < 0 or column.max() >= bound):
            raise ValueError(f"{name} holds ids outside 0..{bound - 1}")


def topological_waves(children: Csr, parents: Csr, n_components: int) -> list[IntArray]:
    """Kahn's algorithm, one wave at a time: each wave's components have all parents in earlier
    waves. Raises BomCycleError naming one cycle when some components never become free."""
    waiting = np.diff(parents.indptr)
    frontier = np.flatnonzero(waiting == 0).astype(np.int64)
    waves: list[IntArray] = []
    while frontier.size:
        waves.append(frontier)
        _, reached = children.gather(frontier)
        candidates, arrivals = counts_per_value(reached)
        waiting[candidates] -= arrivals
        frontier = candidates[waiting[candidates] == 0]
    if sum(wave.size for wave in waves) < n_components:
        raise BomCycleError(_find_cycle(parents, waiting > 0))
    return waves


def _find_cycle(parents: Csr, blocked: BoolArray) -> list[int]:
    """One cycle among the components Kahn could not free, in parent → child order.

    Every blocked component has a blocked parent, so walking to blocked parents must revisit one.
    """
    node = int(np.flatnonzero(blocked)[0])
    seen_at: dict[int, int] = {}
    path: list[int] = []
    while node not in seen_at:
        seen_at[node] = len(path)
        path.append(node)
        row = parents.row(node)
        node = int(row[blocked[row]][0])
    child_to_parent = path[seen_at[node] :]
    return canonical_cycle(child_to_parent[::-1])


def _wave_edges(children: Csr, waves: list[IntArray]) -> list[tuple[IntArray, IntArray]]:
    edges = []
    for wave in waves:
        owner, child = children.gather(wave)
        edges.append((wave[owner], child))
    return edges


def deepest_levels(children: Csr, waves: list[IntArray], tops: IntArray) -> IntArray:
    """Per component, its deepest level below any system's top-level component (0: in no system).

    Processing waves in order finalises every parent before its children are updated.
    """
    level = np.zeros(children.indptr.size - 1, dtype=np.int64)
    level[tops] = 1
    for parent, child in _wave_edges(children, waves):
        inside = level[parent] > 0
        np.maximum.at(level, child[inside], level[parent[inside]] + 1)
    return level


def systems_per_component(
    children: Csr, waves: list[IntArray], systems: IntArray, tops: IntArray
) -> IntArray:
    """Per component, how many systems' BOMs contain it.

    Systems sharing parts makes path counting overcount, so each block of 64 systems is pushed
    down the BOM as bits of one word and the bits are counted: memory stays one word per component.
    """
    n_components = children.indptr.size - 1
    count = np.zeros(n_components, dtype=np.int64)
    edges = _wave_edges(children, waves)
    for block_start in range(0, int(systems.max(initial=-1)) + 1, _SYSTEMS_PER_WORD):
        in_block = (systems >= block_start) & (systems < block_start + _SYSTEMS_PER_WORD)
        bits = np.zeros(n_components, dtype=np.uint64)
        shift = (systems[in_block] - block_start).astype(np.uint64)
        np.bitwise_or.at(bits, tops[in_block], np.left_shift(np.uint64(1), shift))
        for parent, child in edges:
            np.bitwise_or.at(bits, child, bits[parent])
        count += np.bitwise_count(bits)
    return count


@dataclass(frozen=True, slots=True)
class BomIndex:
    """The bill-of-materials side of a built graph, fixed from the build on: the BOM as CSR rows
    both ways, the systems each top-level component heads, and the per-component facts. What the
    per-query (`impact`) and whole-base (`spof`) arithmetic read of the map besides supply."""

    children: Csr  # parent → the components it contains
    parents: Csr  # child → the components containing it
    systems_by_top: Csr  # top-level component → the systems it heads
    level: IntArray  # deepest BOM level below any system's top (0: in no system)
    systems_per_component: IntArray  # how many systems' BOMs contain the component
    n_components: int
    n_systems: int

    @classmethod
    def build(cls, edges: SupplyEdges) -> BomIndex:
        """Index validated int64 edges. Raises BomCycleError (naming one cycle) when the BOM is
        not acyclic."""
        n = edges.n_components
        parent_ids, child_ids = unique_pairs(edges.bom_parent, edges.bom_child, n)
        children = Csr.from_pairs(parent_ids, child_ids, n)
        parents = Csr.from_pairs(child_ids, parent_ids, n)
        waves = topological_waves(children, parents, n)
        systems, tops = unique_pairs(edges.system_id, edges.system_top_component, n)
        return cls(
            children=children,
            parents=parents,
            systems_by_top=Csr.from_pairs(tops, systems, n),
            level=deepest_levels(children, waves, tops),
            systems_per_component=systems_per_component(children, waves, systems, tops),
            n_components=n,
            n_systems=edges.n_systems,
        )
