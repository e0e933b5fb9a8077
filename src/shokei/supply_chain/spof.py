"""Ranking single points of failure: every sole supplier's single-company exit impact, computed for
batches of companies at once as (company, component) pair keys, and the criticality table the
engine sorts to pick the most damaging companies.
Split from `engine` because it is a whole-base batch computation with its own memory bound
(`SPOF_ORIGINS_PER_BATCH`), unlike the engine's one-exit queries. It reads the map through the
graph's `bom.BomIndex` and supply arrays handed to it, so the engine depends on it, never back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shokei.supply_chain.arrays import Csr, IntArray, distinct_sorted, positions_in, runs
from shokei.supply_chain.bom import BomIndex
from shokei.supply_chain.domain import (
    ORIGIN_DEPTH_WEIGHT,
    SYSTEM_COMPONENT_LOSS_WEIGHT,
    SYSTEM_HIT_WEIGHT,
    Criticality,
    SpofEntry,
)

# Sole-sourced components whose companies are closed over together in one SPOF batch: bounds the
# (company, component) pair arrays to tens of MB whatever the base looks like.
SPOF_ORIGINS_PER_BATCH = 200_000


@dataclass(frozen=True, slots=True)
class SpofTable:
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


def spof_table(bom: BomIndex, qualified_count: IntArray, suppliers_of: Csr) -> SpofTable:
    """Each sole supplier's single-company impact, computed for batches of companies at once,
    from the qualified supplier count and suppliers of every component (no pending updates)."""
    sole = np.flatnonzero(qualified_count == 1).astype(np.int64)
    supplier = suppliers_of.indices[suppliers_of.indptr[sole]]
    order = np.argsort(supplier, kind="stable")
    sole, supplier = sole[order], supplier[order]
    companies, first, sole_counts = runs(supplier)
    batches = [
        _spof_batch(bom, supplier[start:stop], sole[start:stop])
        for start, stop in _batch_bounds(first, supplier.size)
    ]
    if not batches:
        return SpofTable(companies, sole_counts, *[np.zeros(0, np.int64)] * 4)
    columns = [np.concatenate(column) for column in zip(*batches, strict=True)]
    return SpofTable(companies, sole_counts, *columns)


def _batch_bounds(first: IntArray, total: int) -> list[tuple[int, int]]:
    """Slices of the supplier-sorted origins of about SPOF_ORIGINS_PER_BATCH each, cut only
    where a company's origins start (one huge company makes one larger batch)."""
    window = first // SPOF_ORIGINS_PER_BATCH
    starts = first[np.flatnonzero(np.diff(window, prepend=-1))].tolist()
    if not starts:
        return []
    return list(zip(starts, [*starts[1:], total], strict=True))


def _spof_batch(bom: BomIndex, supplier: IntArray, origin: IntArray) -> tuple[IntArray, ...]:
    """(systems hit, components lost, system-component losses, deepest level) per company."""
    companies, _, origins_per_company = runs(supplier)
    owner = np.repeat(np.arange(companies.size, dtype=np.int64), origins_per_company)
    n = bom.n_components
    lost_keys = _closure_keys(bom, owner.astype(np.int64) * n + origin)
    lost_owner, lost_node = lost_keys // n, lost_keys % n
    components_lost = np.bincount(lost_owner, minlength=companies.size)
    per_system = bom.systems_per_component[lost_node]
    losses = np.bincount(lost_owner, weights=per_system, minlength=companies.size)
    top_owner, system = bom.systems_by_top.gather(lost_node)
    hit_keys = distinct_sorted(lost_owner[top_owner] * max(bom.n_systems, 1) + system)
    systems_hit = np.bincount(hit_keys // max(bom.n_systems, 1), minlength=companies.size)
    deepest = np.zeros(companies.size, dtype=np.int64)
    np.maximum.at(deepest, owner, bom.level[origin])
    return systems_hit, components_lost, np.rint(losses).astype(np.int64), deepest


def _closure_keys(bom: BomIndex, seed_keys: IntArray) -> IntArray:
    """Upward closure of (owner, component) pairs, as sorted keys owner * n + component."""
    n = bom.n_components
    closed = distinct_sorted(seed_keys)
    frontier = closed
    while frontier.size:
        owner, parents = bom.parents.gather(frontier % n)
        candidates = distinct_sorted((frontier // n)[owner] * n + parents)
        frontier = candidates[~positions_in(closed, candidates)[1]]
        closed = np.sort(np.concatenate([closed, frontier]))
    return closed
