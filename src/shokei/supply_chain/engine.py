"""In-memory exit-impact engine for the national supply chain, on integer ids and numpy arrays.

Loss rules: see `shokei.supply_chain.domain`. Ids are dense integers (0..n-1) that the loader maps
to and from database keys. The graph is held as compressed sparse rows (CSR): for each node, a
slice of one flat neighbour array. A query touches only the rows it needs, so one company's exit
costs in proportion to what it actually loses, not to the size of the base.

Queries only read; `add_supply`/`remove_supply` mutate, and `single_points_of_failure` may
compact the update overlay. Callers that share one graph between threads serialise mutations
against queries (one lock in the service layer).

This module holds the graph object, its queries and its incremental updates; the parts live next
to it: `arrays` (CSR and sorted-array primitives), `bom` (edges, validation, topological waves,
levels), `impact` (one exit's losses) and `spof` (the single-point-of-failure ranking). The names
other code imports from here are re-exported below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from shokei.supply_chain.arrays import (
    BoolArray,
    Csr,
    IdArray,
    IntArray,
    counts_per_value,
    distinct_sorted,
    positions_in,
    unique_pairs,
)
from shokei.supply_chain.bom import (
    BomIndex,
    SupplyEdges,
    as_ids,
    as_int64,
    check_acyclic,
    check_id,
    validate_edges,
)
from shokei.supply_chain.domain import ImpactReport, SpofEntry
from shokei.supply_chain.impact import LostSubgraph
from shokei.supply_chain.spof import SPOF_ORIGINS_PER_BATCH, spof_table

# What other code imports from this module, including the names now defined next to it.
__all__ = [
    "COMPACT_AFTER_CHANGES",
    "SPOF_ORIGINS_PER_BATCH",
    "BoolArray",
    "Csr",
    "IdArray",
    "IntArray",
    "SupplyEdges",
    "SupplyGraph",
    "check_acyclic",
    "distinct_sorted",
]

# Overlay of incremental supply changes kept before folding them into the CSR arrays: the fold
# re-sorts every supply pair (~0.3 s at national scale), so it is amortised over many updates.
COMPACT_AFTER_CHANGES = 100_000


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
        edges = as_int64(edges)
        validate_edges(edges)
        self.n_companies = edges.n_companies
        self.n_components = edges.n_components
        self.n_systems = edges.n_systems
        self._bom = BomIndex.build(edges)
        qualified = edges.supply_qualified.astype(bool)
        companies, components = unique_pairs(
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
        check_id(component, self.n_components, "component")
        return int(self._qualified_count[component])

    def unsourced_leaf_components(self) -> IntArray:
        """Leaves with no qualified supplier: a data gap no exit can widen (see domain rules)."""
        leaves = np.diff(self._bom.children.indptr) == 0
        return np.flatnonzero(leaves & (self._qualified_count == 0)).astype(np.int64)

    def components_supplied_by(self, company: int) -> IntArray:
        """The components `company` is a qualified supplier of now, ascending."""
        check_id(company, self.n_companies, "company")
        _, supplied = self._qualified_pairs_of(np.array([company], dtype=np.int64))
        return np.sort(supplied)

    def impact(self, company_ids: IdArray) -> ImpactReport:
        """What is lost, and which systems are hit how deeply, if these companies exit together."""
        exited = distinct_sorted(as_ids(company_ids))
        if exited.size and (exited[0] < 0 or exited[-1] >= self.n_companies):
            raise ValueError(f"company ids must lie in 0..{self.n_companies - 1}")
        supplier, supplied = self._qualified_pairs_of(exited)
        origins = self._components_losing_every_supplier(supplied)
        if origins.size == 0:
            # A company that is nobody's last qualified source loses nothing: skip the BOM walk.
            return ImpactReport(tuple(exited.tolist()), (), ())
        lost = self._ancestors_or_self(origins)
        loss_view = LostSubgraph.build(self._bom, lost, origins)
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
        table = spof_table(self._bom, self._qualified_count, self._suppliers_of)
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
        check_id(company, self.n_companies, "company")
        check_id(component, self.n_components, "component")

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
        keys = np.concatenate([keys[~positions_in(np.sort(removed), keys)[1]], added])
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
        self._index_supply(*unique_pairs(companies, components, self.n_components))
        assert np.array_equal(counts, self._qualified_count), "overlay and counts disagree"

    # ---- loss propagation ---------------------------------------------------------------------

    def _components_losing_every_supplier(self, supplied: IntArray) -> IntArray:
        """Components whose every qualified supplier is among the exiting pairs (sorted)."""
        components, exiting = counts_per_value(supplied)
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
            _, parents = self._bom.parents.gather(frontier)
            frontier = distinct_sorted(parents[~reached[parents]])
            reached[frontier] = True
        return np.flatnonzero(reached).astype(np.int64)
