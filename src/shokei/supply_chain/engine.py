"""In-memory exit-impact engine for the national supply chain, on integer ids and numpy arrays.

Loss rules: see `shokei.supply_chain.domain`. Ids are dense integers (0..n-1) that the loader maps
to and from database keys. The graph is held as compressed sparse rows (CSR): for each node, a
slice of one flat neighbour array. A query touches only the rows it needs, so one company's exit
costs in proportion to what it actually loses, not to the size of the base.

Queries only read; `add_supply`/`remove_supply` mutate, and `single_points_of_failure` may
compact the update overlay. Callers that share one graph between threads serialise mutations
against queries (one lock in the service layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from shokei.supply_chain.domain import (
    ORIGIN_DEPTH_WEIGHT,
    SYSTEM_COMPONENT_LOSS_WEIGHT,
    SYSTEM_HIT_WEIGHT,
    BomCycleError,
    ComponentLoss,
    Criticality,
    ImpactReport,
    SpofEntry,
    SystemImpact,
    canonical_cycle,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
IdArray = IntArray | npt.NDArray[np.int32] | Sequence[int]

# Overlay of incremental supply changes kept before folding them into the CSR arrays: the fold
# re-sorts every supply pair (~0.3 s at national scale), so it is amortised over many updates.
COMPACT_AFTER_CHANGES = 100_000
# Sole-sourced components whose companies are closed over together in one SPOF batch: bounds the
# (company, component) pair arrays to tens of MB whatever the base looks like.
SPOF_ORIGINS_PER_BATCH = 200_000
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


@dataclass(frozen=True, slots=True)
class Csr:
    """Row-compressed adjacency: the neighbours of row r are indices[indptr[r]:indptr[r+1]]."""

    indptr: IntArray
    indices: IntArray

    @classmethod
    def from_pairs(cls, rows: IntArray, columns: IntArray, n_rows: int) -> Csr:
        """Group (row, column) pairs by row; within a row columns keep their input order."""
        order = np.argsort(rows, kind="stable")
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
        return cls(indptr, columns[order].astype(np.int64))

    def gather(self, rows: IntArray) -> tuple[IntArray, IntArray]:
        """Every (position in `rows`, neighbour) pair for the given rows, in one vector."""
        starts = self.indptr[rows]
        counts = self.indptr[rows + 1] - starts
        owner = np.repeat(np.arange(rows.size, dtype=np.int64), counts)
        # Offset of each neighbour within its row, then shifted to the row's start.
        row_offsets = np.repeat(np.cumsum(counts) - counts, counts)
        within = np.arange(owner.size, dtype=np.int64) - row_offsets
        return owner, self.indices[starts[owner] + within]

    def row(self, row: int) -> IntArray:
        """The neighbours of one row."""
        return self.indices[self.indptr[row] : self.indptr[row + 1]]


@dataclass(slots=True)
class _SupplyOverlay:
    """Qualified pairs added or removed since the CSR arrays were last built, by company."""

    added: dict[int, set[int]] = field(default_factory=dict)
    removed: dict[int, set[int]] = field(default_factory=dict)
    changes: int = 0

    def contains(self, side: dict[int, set[int]], company: int, component: int) -> bool:
        return component in side.get(company, ())

    def pair_keys(self, side: dict[int, set[int]], companies: IntArray, width: int) -> IntArray:
        """Keys company * width + component of the side's pairs belonging to `companies`."""
        if companies.size <= len(side):
            rows = [(company, side.get(company, ())) for company in companies.tolist()]
        else:
            wanted = set(companies.tolist())
            rows = [(company, found) for company, found in side.items() if company in wanted]
        keys = [company * width + component for company, found in rows for component in found]
        return np.array(keys, dtype=np.int64)

    def put(self, side: dict[int, set[int]], company: int, component: int) -> None:
        side.setdefault(company, set()).add(component)
        self.changes += 1

    def take(self, side: dict[int, set[int]], company: int, component: int) -> None:
        side[company].discard(component)
        self.changes += 1


class SupplyGraph:
    """The supply-chain map in memory: BOM, qualified supply and systems, answering exit impact."""

    def __init__(self, edges: SupplyEdges) -> None:
        """Validate and index a loader's edges (any integer dtypes). Raises ValueError on
        malformed input and BomCycleError (naming one cycle) when the BOM is not acyclic."""
        edges = _as_int64(edges)
        _validate(edges)
        self.n_companies = edges.n_companies
        self.n_components = edges.n_components
        self.n_systems = edges.n_systems
        parents, children = _unique_pairs(edges.bom_parent, edges.bom_child, edges.n_components)
        self._children = Csr.from_pairs(parents, children, edges.n_components)
        self._parents = Csr.from_pairs(children, parents, edges.n_components)
        waves = _topological_waves(self._children, self._parents, edges.n_components)
        systems, tops = _unique_pairs(
            edges.system_id, edges.system_top_component, edges.n_components
        )
        self._systems_by_top = Csr.from_pairs(tops, systems, edges.n_components)
        self._bom_level = _deepest_levels(self._children, waves, tops)
        self._systems_per_component = _systems_per_component(self._children, waves, systems, tops)
        qualified = edges.supply_qualified.astype(bool)
        companies, components = _unique_pairs(
            edges.supply_company[qualified], edges.supply_component[qualified], edges.n_components
        )
        self._index_supply(companies, components)

    @classmethod
    def from_edges(
        cls,
        *,
        bom_parent: IdArray,
        bom_child: IdArray,
        supply_company: IdArray,
        supply_component: IdArray,
        supply_qualified: Sequence[bool] | BoolArray,
        system_id: IdArray,
        system_top_component: IdArray,
        n_companies: int,
        n_components: int,
        n_systems: int,
    ) -> SupplyGraph:
        """Build the graph from parallel id arrays: BOM (parent contains child), supply rows
        (company supplies component, qualified or not) and system → top-level component rows.

        Duplicate rows are merged; a pair is qualified if any of its rows is. Raises ValueError on
        malformed input and BomCycleError (naming one cycle) when the BOM is not acyclic.
        """
        return cls(
            SupplyEdges(
                bom_parent=np.asarray(bom_parent),
                bom_child=np.asarray(bom_child),
                supply_company=np.asarray(supply_company),
                supply_component=np.asarray(supply_component),
                supply_qualified=np.asarray(supply_qualified, dtype=bool),
                system_id=np.asarray(system_id),
                system_top_component=np.asarray(system_top_component),
                n_companies=n_companies,
                n_components=n_components,
                n_systems=n_systems,
            )
        )

    # ---- queries ------------------------------------------------------------------------------

    def qualified_supplier_count(self, component: int) -> int:
        """How many distinct qualified suppliers the component has now."""
        _check_id(component, self.n_components, "component")
        return int(self._qualified_count[component])

    def unsourced_leaf_components(self) -> IntArray:
        """Leaves with no qualified supplier: a data gap no exit can widen (see domain rules)."""
        leaves = np.diff(self._children.indptr) == 0
        return np.flatnonzero(leaves & (self._qualified_count == 0)).astype(np.int64)

    def components_supplied_by(self, company: int) -> IntArray:
        """The components `company` is a qualified supplier of now, ascending."""
        _check_id(company, self.n_companies, "company")
        _, supplied = self._qualified_pairs_of(np.array([company], dtype=np.int64))
        return np.sort(supplied)

    def impact(self, company_ids: IdArray) -> ImpactReport:
        """What is lost, and which systems are hit how deeply, if these companies exit together."""
        exited = distinct_sorted(_ids(company_ids))
        if exited.size and (exited[0] < 0 or exited[-1] >= self.n_companies):
            raise ValueError(f"company ids must lie in 0..{self.n_companies - 1}")
        supplier, supplied = self._qualified_pairs_of(exited)
        origins = self._components_losing_every_supplier(supplied)
        if origins.size == 0:
            # A company that is nobody's last qualified source loses nothing: skip the BOM walk.
            return ImpactReport(tuple(exited.tolist()), (), ())
        lost = self._ancestors_or_self(origins)
        loss_view = _LostSubgraph.build(self, lost, origins)
        return ImpactReport(
            exited_companies=tuple(exited.tolist()),
            lost_components=loss_view.component_losses(supplier, supplied),
            systems=loss_view.system_impacts(),
        )

    def single_points_of_failure(self, top: int) -> list[SpofEntry]:
        """The `top` companies whose exit alone does the most damage, by criticality score.

        Only a company that is the sole qualified supplier of something can cause a loss on its
        own, so only those are examined; companies whose exit hits no weapon system are left out.
        """
        if top < 0:
            raise ValueError("top must not be negative")
        self._compact()
        table = _spof_table(self)
        order = np.lexsort((table.companies, -table.scores))
        chosen = order[table.scores[order] > 0][:top]
        return [table.entry(int(position)) for position in chosen]

    # ---- incremental updates ------------------------------------------------------------------

    def add_supply(self, company: int, component: int, qualified: bool = True) -> None:
        """Record that `company` supplies `component`; `qualified=False` marks the pair
        unqualified (it then no longer counts, even if it did before)."""
        if not qualified:
            self.remove_supply(company, component)
            return
        self._check_pair(company, component)
        if self._is_qualified(company, component):
            return
        if self._overlay.contains(self._overlay.removed, company, component):
            self._overlay.take(self._overlay.removed, company, component)
        else:
            self._overlay.put(self._overlay.added, company, component)
        self._qualified_count[component] += 1
        self._compact_if_large()

    def remove_supply(self, company: int, component: int) -> None:
        """Drop the (company, component) supply pair; a no-op when it was not qualified."""
        self._check_pair(company, component)
        if not self._is_qualified(company, component):
            return
        if self._overlay.contains(self._overlay.added, company, component):
            self._overlay.take(self._overlay.added, company, component)
        else:
            self._overlay.put(self._overlay.removed, company, component)
        self._qualified_count[component] -= 1
        self._compact_if_large()

    # ---- supply internals ---------------------------------------------------------------------

    def _index_supply(self, companies: IntArray, components: IntArray) -> None:
        self._components_of = Csr.from_pairs(companies, components, self.n_companies)
        self._suppliers_of = Csr.from_pairs(components, companies, self.n_components)
        self._qualified_count = np.diff(self._suppliers_of.indptr).astype(np.int64)
        self._overlay = _SupplyOverlay()

    def _check_pair(self, company: int, component: int) -> None:
        _check_id(company, self.n_companies, "company")
        _check_id(component, self.n_components, "component")

    def _is_qualified(self, company: int, component: int) -> bool:
        overlay = self._overlay
        if overlay.contains(overlay.added, company, component):
            return True
        if overlay.contains(overlay.removed, company, component):
            return False
        return bool(np.any(self._components_of.row(company) == component))

    def _qualified_pairs_of(self, companies: IntArray) -> tuple[IntArray, IntArray]:
        """Current qualified (company, component) pairs of the given companies: the CSR rows,
        less the overlay's removals, plus its additions."""
        owner, supplied = self._components_of.gather(companies)
        supplier = companies[owner]
        if self._overlay.changes == 0:
            return supplier, supplied
        width = self.n_components
        keys = supplier * width + supplied
        removed = self._overlay.pair_keys(self._overlay.removed, companies, width)
        added = self._overlay.pair_keys(self._overlay.added, companies, width)
        keys = np.concatenate([keys[~_positions_in(np.sort(removed), keys)[1]], added])
        return keys // width, keys % width

    def _compact_if_large(self) -> None:
        if self._overlay.changes >= COMPACT_AFTER_CHANGES:
            self._compact()

    def _compact(self) -> None:
        """Fold the overlay into fresh CSR arrays (the counts are already current)."""
        if self._overlay.changes == 0:
            return
        everyone = np.arange(self.n_companies, dtype=np.int64)
        companies, components = self._qualified_pairs_of(everyone)
        counts = self._qualified_count
        self._index_supply(*_unique_pairs(companies, components, self.n_components))
        assert np.array_equal(counts, self._qualified_count), "overlay and counts disagree"

    # ---- loss propagation ---------------------------------------------------------------------

    def _components_losing_every_supplier(self, supplied: IntArray) -> IntArray:
        """Components whose every qualified supplier is among the exiting pairs (sorted)."""
        components, exiting = _counts_per_value(supplied)
        losing: IntArray = components[self._qualified_count[components] == exiting]
        return losing

    def _ancestors_or_self(self, seeds: IntArray) -> IntArray:
        """Every component that contains a seed at any depth, plus the seeds (sorted).

        Loss only ever travels up the BOM, so the lost set is exactly this upward closure: a
        breadth-first walk over the parent rows that touches only affected components.
        """
        reached = np.zeros(self.n_components, dtype=bool)
        reached[seeds] = True
        frontier = seeds
        while frontier.size:
            _, parents = self._parents.gather(frontier)
            frontier = distinct_sorted(parents[~reached[parents]])
            reached[frontier] = True
        return np.flatnonzero(reached).astype(np.int64)


@dataclass(frozen=True, slots=True)
class _LostSubgraph:
    """The lost components renumbered 0..L-1, with the BOM edges between them."""

    graph: SupplyGraph
    lost: IntArray  # sorted global ids; local id = position
    is_origin: BoolArray  # per local id: lost through its own suppliers
    children: Csr  # local parent → local lost children

    @classmethod
    def build(cls, graph: SupplyGraph, lost: IntArray, origins: IntArray) -> _LostSubgraph:
        owner, children = graph._children.gather(lost)
        local_child, inside = _positions_in(lost, children)
        local_children = Csr.from_pairs(owner[inside], local_child[inside], lost.size)
        return cls(graph, lost, _positions_in(origins, lost)[1], local_children)

    def component_losses(self, supplier: IntArray, supplied: IntArray) -> tuple[ComponentLoss, ...]:
        """One ComponentLoss per lost component, ascending by id."""
        origin_ids = self.lost[self.is_origin]
        by_origin = _group_by(supplied, supplier, origin_ids)
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
        hit, lost_counts = _counts_per_value(pair_system)
        depth = np.zeros(hit.size, dtype=np.int64)
        origin_pair = self.is_origin[pair_local]
        np.maximum.at(depth, np.searchsorted(hit, pair_system[origin_pair]), levels[origin_pair])
        tops = _group_by(system, self.lost[top_local], hit)
        return tuple(
            SystemImpact(system=s, lost_components=n, depth=d, lost_top_components=tops[s])
            for s, n, d in zip(hit.tolist(), lost_counts.tolist(), depth.tolist(), strict=True)
        )

    def _lost_tops(self) -> tuple[IntArray, IntArray]:
        """(local id of a lost top-level component, system it is top-level in) pairs."""
        return self.graph._systems_by_top.gather(self.lost)


def check_acyclic(bom_parent: IdArray, bom_child: IdArray, n_components: int) -> None:
    """Raise BomCycleError naming one cycle when the BOM is not acyclic (the import guard: it
    costs a topological sort, not a whole graph build)."""
    parents, children = _unique_pairs(_ids(bom_parent), _ids(bom_child), n_components)
    _topological_waves(
        Csr.from_pairs(parents, children, n_components),
        Csr.from_pairs(children, parents, n_components),
        n_components,
    )


# ---- build helpers ----------------------------------------------------------------------------


def _ids(values: IdArray) -> IntArray:
    array = np.asarray(values)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise ValueError(f"ids must be a 1-D integer array, not {array.dtype} {array.shape}")
    return array.astype(np.int64, copy=False)


def _as_int64(edges: SupplyEdges) -> SupplyEdges:
    """Widen every id column to int64: pair keys (row * width + column) overflow 32 bits."""
    return replace(
        edges,
        bom_parent=_ids(edges.bom_parent),
        bom_child=_ids(edges.bom_child),
        supply_company=_ids(edges.supply_company),
        supply_component=_ids(edges.supply_component),
        supply_qualified=np.asarray(edges.supply_qualified, dtype=bool),
        system_id=_ids(edges.system_id),
        system_top_component=_ids(edges.system_top_component),
    )


def _check_id(value: int, bound: int, what: str) -> None:
    if not 0 <= value < bound:
        raise ValueError(f"{what} id {value} is outside 0..{bound - 1}")


def _validate(edges: SupplyEdges) -> None:
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


def _unique_pairs(rows: IntArray, columns: IntArray, n_columns: int) -> tuple[IntArray, IntArray]:
    """Distinct (row, column) pairs, sorted by row then column."""
    width = max(n_columns, 1)
    keys = distinct_sorted(rows * width + columns)
    return keys // width, keys % width


def distinct_sorted(values: IntArray) -> IntArray:
    """The distinct values, ascending.

    Sorting, because numpy 2's hash-based np.unique (which np.isin and np.union1d call too) is
    ~50-100x slower on millions of mostly-distinct int64 keys (measured with numpy 2.4).
    """
    ordered = np.sort(values)
    return ordered[_run_starts(ordered)]


def _run_starts(ordered: IntArray) -> BoolArray:
    """True where a sorted array's value differs from the previous one."""
    starts = np.ones(ordered.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return starts


def _runs(ordered: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(value, first position, length) of each run of equal values in a sorted array."""
    first = np.flatnonzero(_run_starts(ordered)).astype(np.int64)
    return ordered[first], first, np.diff(np.append(first, ordered.size))


def _counts_per_value(values: IntArray) -> tuple[IntArray, IntArray]:
    """Distinct values (ascending) and how often each occurs."""
    distinct, _, counts = _runs(np.sort(values))
    return distinct, counts


def _positions_in(sorted_ids: IntArray, values: IntArray) -> tuple[IntArray, BoolArray]:
    """Position of each value in a sorted id array, and whether it is there at all."""
    positions = np.searchsorted(sorted_ids, values)
    if sorted_ids.size == 0:
        return positions, np.zeros(values.size, dtype=bool)
    clipped = np.minimum(positions, sorted_ids.size - 1)
    present = (positions < sorted_ids.size) & (sorted_ids[clipped] == values)
    return clipped, present


def _group_by(keys: IntArray, values: IntArray, wanted: IntArray) -> dict[int, tuple[int, ...]]:
    """Sorted values per key, for the keys in `wanted` only."""
    keep = _positions_in(wanted, keys)[1] if wanted.size else np.zeros(keys.size, dtype=bool)
    order = np.lexsort((values[keep], keys[keep]))
    grouped_keys, grouped_values = keys[keep][order].tolist(), values[keep][order].tolist()
    groups: dict[int, list[int]] = {}
    for key, value in zip(grouped_keys, grouped_values, strict=True):
        groups.setdefault(key, []).append(value)
    return {key: tuple(group) for key, group in groups.items()}


def _topological_waves(children: Csr, parents: Csr, n_components: int) -> list[IntArray]:
    """Kahn's algorithm, one wave at a time: each wave's components have all parents in earlier
    waves. Raises BomCycleError naming one cycle when some components never become free."""
    waiting = np.diff(parents.indptr)
    frontier = np.flatnonzero(waiting == 0).astype(np.int64)
    waves: list[IntArray] = []
    while frontier.size:
        waves.append(frontier)
        _, reached = children.gather(frontier)
        candidates, arrivals = _counts_per_value(reached)
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


def _deepest_levels(children: Csr, waves: list[IntArray], tops: IntArray) -> IntArray:
    """Per component, its deepest level below any system's top-level component (0: in no system).

    Processing waves in order finalises every parent before its children are updated.
    """
    level = np.zeros(children.indptr.size - 1, dtype=np.int64)
    level[tops] = 1
    for parent, child in _wave_edges(children, waves):
        inside = level[parent] > 0
        np.maximum.at(level, child[inside], level[parent[inside]] + 1)
    return level


def _systems_per_component(
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
        keys, levels = _max_per_key(
            (frontier_keys // size)[owner] * size + child, frontier_levels[owner] + 1
        )
        position, known = _positions_in(best_keys, keys)
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


# ---- single points of failure -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SpofTable:
    """Criticality parts per company that sole-sources anything (parallel arrays)."""

    companies: IntArray
    sole_sourced: IntArray
    systems_hit: IntArray
    components_lost: IntArray
    system_component_losses: IntArray
    deepest_origin_level: IntArray

    @property
    def scores(self) -> IntArray:
        """`Criticality.score` for every row at once (same weights)."""
        return (
            SYSTEM_HIT_WEIGHT * self.systems_hit
            + SYSTEM_COMPONENT_LOSS_WEIGHT * self.system_component_losses
            + ORIGIN_DEPTH_WEIGHT * self.deepest_origin_level
        )

    def entry(self, row: int) -> SpofEntry:
        criticality = Criticality(
            systems_hit=int(self.systems_hit[row]),
            components_lost=int(self.components_lost[row]),
            system_component_losses=int(self.system_component_losses[row]),
            deepest_origin_level=int(self.deepest_origin_level[row]),
        )
        return SpofEntry(int(self.companies[row]), int(self.sole_sourced[row]), criticality)


def _spof_table(graph: SupplyGraph) -> _SpofTable:
    """Each sole supplier's single-company impact, computed for batches of companies at once."""
    sole = np.flatnonzero(graph._qualified_count == 1).astype(np.int64)
    supplier = graph._suppliers_of.indices[graph._suppliers_of.indptr[sole]]
    order = np.argsort(supplier, kind="stable")
    sole, supplier = sole[order], supplier[order]
    companies, first, sole_counts = _runs(supplier)
    batches = [
        _spof_batch(graph, supplier[start:stop], sole[start:stop])
        for start, stop in _batch_bounds(first, supplier.size)
    ]
    if not batches:
        return _SpofTable(companies, sole_counts, *[np.zeros(0, np.int64)] * 4)
    columns = [np.concatenate(column) for column in zip(*batches, strict=True)]
    return _SpofTable(companies, sole_counts, *columns)


def _batch_bounds(first: IntArray, total: int) -> list[tuple[int, int]]:
    """Slices of the supplier-sorted origins of about SPOF_ORIGINS_PER_BATCH each, cut only
    where a company's origins start (one huge company makes one larger batch)."""
    window = first // SPOF_ORIGINS_PER_BATCH
    starts = first[np.flatnonzero(np.diff(window, prepend=-1))].tolist()
    if not starts:
        return []
    return list(zip(starts, [*starts[1:], total], strict=True))


def _spof_batch(graph: SupplyGraph, supplier: IntArray, origin: IntArray) -> tuple[IntArray, ...]:
    """(systems hit, components lost, system-component losses, deepest level) per company."""
    companies, _, origins_per_company = _runs(supplier)
    owner = np.repeat(np.arange(companies.size, dtype=np.int64), origins_per_company)
    n = graph.n_components
    lost_keys = _closure_keys(graph, owner.astype(np.int64) * n + origin)
    lost_owner, lost_node = lost_keys // n, lost_keys % n
    components_lost = np.bincount(lost_owner, minlength=companies.size)
    per_system = graph._systems_per_component[lost_node]
    losses = np.bincount(lost_owner, weights=per_system, minlength=companies.size)
    top_owner, system = graph._systems_by_top.gather(lost_node)
    hit_keys = distinct_sorted(lost_owner[top_owner] * max(graph.n_systems, 1) + system)
    systems_hit = np.bincount(hit_keys // max(graph.n_systems, 1), minlength=companies.size)
    deepest = np.zeros(companies.size, dtype=np.int64)
    np.maximum.at(deepest, owner, graph._bom_level[origin])
    return systems_hit, components_lost, np.rint(losses).astype(np.int64), deepest


def _closure_keys(graph: SupplyGraph, seed_keys: IntArray) -> IntArray:
    """Upward closure of (owner, component) pairs, as sorted keys owner * n + component."""
    n = graph.n_components
    closed = distinct_sorted(seed_keys)
    frontier = closed
    while frontier.size:
        owner, parents = graph._parents.gather(frontier % n)
        candidates = distinct_sorted((frontier // n)[owner] * n + parents)
        frontier = candidates[~_positions_in(closed, candidates)[1]]
        closed = np.sort(np.concatenate([closed, frontier]))
    return closed
