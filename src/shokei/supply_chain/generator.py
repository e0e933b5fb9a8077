"""A synthetic national supplier base with a realistic shape, for benchmarks, demos and tests.

Shape (each choice is a named constant below):
- weapon systems own a handful to dozens of top-level components, a few shared between systems;
- BOMs are 8 levels deep at most, each level ~2.2x wider than the one above; parents pick their
  children unevenly, so some branches stop early (leaves at levels 3-7) and others fan out;
- about one component in eight is also used by other assemblies (standard parts), often in other
  systems and at other depths;
- supplier degrees are heavy-tailed (lognormal company sizes): a few primes supply thousands of
  components, most companies a handful;
- most components have two or more suppliers, a minority exactly one; some extra suppliers are
  not qualified yet; a few assemblies have no supplier (built in-house by the prime).
Ids are shuffled so that nothing downstream can rely on BOM order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shokei.supply_chain.engine import IntArray, SupplyEdges, SupplyGraph, distinct_sorted

BOM_LEVELS = 8
LEVEL_GROWTH = 2.2
FAN_OUT_SIGMA = 1.0  # lognormal spread of how many sub-components an assembly has
SHARED_PART_RATE = 0.12  # components that are also sub-components of other assemblies
SHARED_PARENT_NEXT_LEVEL = 0.7  # a shared part's extra parent is usually one level up
SHARED_TOP_RATE = 0.05  # top-level components that a second system also uses
SYSTEM_SIZE_SIGMA = 1.0  # lognormal spread of top-level components per system
IN_HOUSE_ASSEMBLY_RATE = 0.05  # assemblies with no supplier rows (the prime builds them)
SUPPLIER_ROWS_PROBABILITIES = (0.30, 0.50, 0.13, 0.05, 0.02)  # 1..5 supplier rows per component
UNQUALIFIED_RATE = 0.10  # extra supplier rows not (yet) qualified; the first one always is
COMPANY_SIZE_SIGMA = 1.6  # lognormal spread of company sizes: the heavy tail of supplier degree
MAX_TIER = 4


@dataclass(frozen=True, slots=True)
class SyntheticBase:
    """Generated base: the engine's input arrays plus the columns a database would also hold."""

    edges: SupplyEdges
    component_level: npt.NDArray[np.int8]  # nominal BOM level per component (1 = top-level)
    bom_quantity: npt.NDArray[np.int32]  # per BOM row: how many of the child one parent takes
    supply_tier: npt.NDArray[np.int8]  # per supply row: 1 = supplies the prime directly
    supply_share: npt.NDArray[np.float32]  # per supply row: share of the component's volume

    def build_graph(self) -> SupplyGraph:
        """The in-memory engine over this base."""
        return SupplyGraph(self.edges)


@dataclass(frozen=True, slots=True)
class _Bom:
    level_sizes: list[int]
    parent: IntArray  # positions in level order (position p is at level level_of[p])
    child: IntArray
    level_of: npt.NDArray[np.int8]


def generate_national_base(companies: int, components: int, systems: int, seed: int) -> SyntheticBase:
    """A reproducible synthetic base (same arguments, same arrays) of the given size.

    About 3 edges per component in total: ~1.15 BOM rows and ~1.9 supply rows.
    """
    if min(companies, systems) < 1 or components < systems:
        raise ValueError("need at least one company and system, and a component per system")
    rng = np.random.default_rng(seed)
    bom = _generate_bom(rng, components, systems)
    ids = rng.permutation(components).astype(np.int64)
    system_id, top_position = _assign_tops(rng, bom.level_sizes[0], systems)
    supply_company, supply_position, qualified = _generate_supply(rng, bom, companies)
    edges = SupplyEdges(
        bom_parent=ids[bom.parent],
        bom_child=ids[bom.child],
        supply_company=supply_company,
        supply_component=ids[supply_position],
        supply_qualified=qualified,
        system_id=system_id,
        system_top_component=ids[top_position],
        n_companies=companies,
        n_components=components,
        n_systems=systems,
    )
    level_by_id = np.empty(components, dtype=np.int8)
    level_by_id[ids] = bom.level_of
    return SyntheticBase(
        edges=edges,
        component_level=level_by_id,
        bom_quantity=np.minimum(rng.geometric(0.4, bom.parent.size), 99).astype(np.int32),
        supply_tier=np.minimum(bom.level_of[supply_position], MAX_TIER).astype(np.int8),
        supply_share=_volume_shares(rng, supply_position, components),
    )


def _level_sizes(components: int, systems: int) -> list[int]:
    """Components per BOM level, top first: geometric growth, at least one top per system."""
    weights = LEVEL_GROWTH ** np.arange(BOM_LEVELS)
    tops = max(systems, int(components * weights[0] / weights.sum()))
    below = np.floor((components - tops) * weights[1:] / weights[1:].sum()).astype(np.int64)
    below[-1] += components - tops - int(below.sum())
    return [tops, *(int(size) for size in below if size > 0)]


def _generate_bom(rng: np.random.Generator, components: int, systems: int) -> _Bom:
    sizes = _level_sizes(components, systems)
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    level_of = np.repeat(np.arange(1, len(sizes) + 1, dtype=np.int8), sizes)
    parents = [_primary_parents(rng, starts, level) for level in range(1, len(sizes))]
    child = np.arange(starts[1], components, dtype=np.int64)
    shared_parent, shared_child = _shared_parts(rng, starts, level_of)
    keys = distinct_sorted(
        np.concatenate([*parents, shared_parent]) * components + np.concatenate([child, shared_child])
    )
    return _Bom(sizes, keys // components, keys % components, level_of)


def _primary_parents(rng: np.random.Generator, starts: IntArray, level: int) -> IntArray:
    """One parent from the level above for every component of `level` (0-based), unevenly."""
    above = int(starts[level] - starts[level - 1])
    fan_out = rng.lognormal(0.0, FAN_OUT_SIGMA, above)
    count = int(starts[level + 1] - starts[level])
    chosen = rng.choice(above, size=count, p=fan_out / fan_out.sum())
    parents: IntArray = chosen.astype(np.int64) + int(starts[level - 1])
    return parents


def _shared_parts(
    rng: np.random.Generator, starts: IntArray, level_of: npt.NDArray[np.int8]
) -> tuple[IntArray, IntArray]:
    """Extra parents for standard parts, from any shallower level (mostly the one just above)."""
    non_top = np.arange(starts[1], level_of.size, dtype=np.int64)
    shared = non_top[rng.random(non_top.size) < SHARED_PART_RATE]
    child = np.repeat(shared, rng.geometric(0.6, shared.size))
    level = level_of[child].astype(np.int64) - 1  # 0-based level of the child
    random_shallower = (rng.random(child.size) * level).astype(np.int64)
    next_up = rng.random(child.size) < SHARED_PARENT_NEXT_LEVEL
    parent_level = np.where(next_up, level - 1, random_shallower)
    width = starts[parent_level + 1] - starts[parent_level]
    parent = starts[parent_level] + (rng.random(child.size) * width).astype(np.int64)
    return parent, child


def _assign_tops(rng: np.random.Generator, tops: int, systems: int) -> tuple[IntArray, IntArray]:
    """(system, top-level position) rows: every system gets one, the rest go to systems by a
    heavy-tailed size, and a few tops are used by a second system too."""
    order = rng.permutation(tops).astype(np.int64)
    size = rng.lognormal(0.0, SYSTEM_SIZE_SIGMA, systems)
    owner = np.concatenate(
        [np.arange(systems), rng.choice(systems, size=tops - systems, p=size / size.sum())]
    ).astype(np.int64)
    shared = order[rng.random(tops) < SHARED_TOP_RATE]
    second_owner = rng.integers(0, systems, shared.size)
    keys = distinct_sorted(np.concatenate([owner, second_owner]) * tops + np.concatenate([order, shared]))
    return keys // tops, keys % tops


def _generate_supply(
    rng: np.random.Generator, bom: _Bom, companies: int
) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
    """(company, component position, qualified) rows, one per distinct pair, in component order."""
    n = bom.level_of.size
    is_assembly = np.bincount(bom.parent, minlength=n) > 0
    in_house = is_assembly & (rng.random(n) < IN_HOUSE_ASSEMBLY_RATE)
    supplied = np.flatnonzero(~in_house).astype(np.int64)
    rows_per = rng.choice(len(SUPPLIER_ROWS_PROBABILITIES), supplied.size, p=SUPPLIER_ROWS_PROBABILITIES)
    component = np.repeat(supplied, rows_per + 1)
    size = rng.lognormal(0.0, COMPANY_SIZE_SIGMA, companies)
    company = rng.choice(companies, size=component.size, p=size / size.sum()).astype(np.int64)
    first_row = np.append(True, component[1:] != component[:-1])
    qualified = first_row | (rng.random(component.size) >= UNQUALIFIED_RATE)
    # Drawing suppliers independently can repeat one; keep each pair's first (qualified) row.
    pair_order = np.argsort(company * n + component, kind="stable")
    pair_keys = (company * n + component)[pair_order]
    keep = np.sort(pair_order[np.append(True, pair_keys[1:] != pair_keys[:-1])])
    return company[keep], component[keep], qualified[keep]


def _volume_shares(
    rng: np.random.Generator, component: IntArray, n_components: int
) -> npt.NDArray[np.float32]:
    """Random shares of each component's volume across its suppliers, summing to 1."""
    weight = rng.exponential(1.0, component.size)
    total = np.bincount(component, weights=weight, minlength=n_components)
    return (weight / total[component]).astype(np.float32)
