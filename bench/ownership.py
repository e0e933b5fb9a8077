"""Ownership engine at national scale: 1,000,000 entities, 1,000,000 stakes, cross-holdings.

Measures a full recompute of the three foreign-ownership measures, single-stake changes
(typical and heavy), peak memory, and a networkx path-enumeration baseline on a smaller graph
of the same shape, with the speed ratio and the largest difference in results.

    .venv/bin/python bench/ownership.py                     # the full 1M / 1M run
    .venv/bin/python bench/ownership.py --entities 100000 --stakes 100000

The graph is synthetic and seeded: corporate groups of power-law size (a random tree under a
person, a state or a company), extra co-owners, cross-group holdings, and cross-holdings in
which a subsidiary holds a slice of its parent or group top (these make the cycles). Each
company's recorded owners hold between 50 % and 99.9 % of it.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import scipy

from shokei.ownership.engine import OwnershipGraph

IdArray = npt.NDArray[np.intp]
T = TypeVar("T")
COUNTRIES = np.array(["US", "CN", "KR", "TW", "SG", "GB", "DE", "FR", "NL", "HK"])


@dataclass(frozen=True)
class Synthetic:
    owner: IdArray
    owned: IdArray
    fraction: npt.NDArray[np.float64]
    foreign: npt.NDArray[np.bool_]
    country: npt.NDArray[np.str_]


def generate(entities: int, stakes: int, seed: int) -> Synthetic:
    rng = np.random.default_rng(seed)
    kind = _kinds(rng, entities)  # 0 company, 1 person, 2 state
    companies = rng.permutation(np.flatnonzero(kind == 0))
    roots = np.flatnonzero(kind != 0)
    top, parent = _groups(rng, companies, roots)
    owner, owned, weight = _edges(rng, (companies, roots, top, parent), stakes)
    fraction = _shares(rng, owned, weight, entities)
    foreign = _foreign(rng, kind)
    country = np.where(foreign, COUNTRIES[rng.integers(0, COUNTRIES.size, entities)], "JP")
    return Synthetic(owner, owned, fraction, foreign, country)


def _kinds(rng: np.random.Generator, entities: int) -> npt.NDArray[np.int8]:
    kind = np.zeros(entities, dtype=np.int8)
    order = rng.permutation(entities)
    kind[order[: entities // 5]] = 1
    kind[order[entities // 5: entities // 5 + max(entities // 1000, 1)]] = 2
    return kind


def _groups(rng: np.random.Generator, companies: IdArray, roots: IdArray
            ) -> tuple[IdArray, IdArray]:
    """Each company's group top and its parent (a person/state for a top, else a member)."""
    sizes = np.minimum((rng.pareto(1.3, companies.size) + 1).astype(np.intp), 3000)
    ends = np.cumsum(sizes)
    ends = np.append(ends[ends < companies.size], companies.size)
    starts = np.concatenate([[0], ends[:-1]])
    first = np.repeat(starts, ends - starts)
    offset = np.arange(companies.size) - first
    earlier = first + (rng.random(companies.size) * np.maximum(offset, 1)).astype(np.intp)
    parent = np.where(offset == 0, roots[rng.integers(0, roots.size, companies.size)],
                      companies[earlier])
    return companies[first], parent


def _edges(rng: np.random.Generator, structure: tuple[IdArray, IdArray, IdArray, IdArray],
           stakes: int) -> tuple[IdArray, IdArray, npt.NDArray[np.float64]]:
    """Group trees, extra co-owners, and cross-holdings of a few percent (the cycles)."""
    companies, roots, top, parent = structure
    extra = max(stakes - companies.size, 0) + stakes // 50  # spare for duplicates
    held = companies[rng.integers(0, companies.size, extra)]
    cross_group = rng.random(extra) < 0.4
    holder = np.where(cross_group, companies[rng.integers(0, companies.size, extra)],
                      roots[rng.integers(0, roots.size, extra)])
    loops = rng.integers(0, companies.size, stakes // 50)
    loop_target = np.where(rng.random(loops.size) < 0.5, parent[loops], top[loops])
    owner = np.concatenate([parent, holder, companies[loops]])
    owned = np.concatenate([companies, held, loop_target])
    # A subsidiary's slice of its parent is small: its relative weight is a twentieth.
    weight = np.concatenate([np.ones(companies.size + extra), np.full(loops.size, 0.05)])
    keep = np.flatnonzero(owner != owned)
    _, first = np.unique(owner[keep].astype(np.int64) * (owned.max() + 1) + owned[keep],
                         return_index=True)
    chosen = keep[first[rng.permutation(first.size)[:stakes]]]
    return owner[chosen].astype(np.intp), owned[chosen].astype(np.intp), weight[chosen]


def _shares(rng: np.random.Generator, owned: IdArray, weight: npt.NDArray[np.float64],
            entities: int) -> npt.NDArray[np.float64]:
    weight = rng.exponential(size=owned.size) * weight
    column = np.bincount(owned, weights=weight, minlength=entities)
    held = rng.uniform(0.5, 0.999, entities)
    return np.asarray(weight / column[owned] * held[owned], dtype=np.float64)


def _foreign(rng: np.random.Generator, kind: npt.NDArray[np.int8]) -> npt.NDArray[np.bool_]:
    chance = np.select([kind == 1, kind == 2], [0.10, 0.50], default=0.05)
    return np.asarray(rng.random(kind.size) < chance, dtype=np.bool_)


# -- measurements ------------------------------------------------------------------------------


def timed(action: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def full_recompute(data: Synthetic) -> tuple[OwnershipGraph, float, float]:
    graph, build = timed(lambda: OwnershipGraph(
        data.owner, data.owned, data.fraction, foreign=data.foreign, country=data.country))
    _, again = timed(graph.recompute)
    return graph, build, again


def incremental_events(graph: OwnershipGraph, data: Synthetic, seed: int, count: int
                       ) -> list[tuple[str, float, int]]:
    """Random changes of existing stakes, a new stake, a removal, and the heaviest change."""
    rng = np.random.default_rng(seed + 1)
    events = []
    for edge in rng.integers(0, data.owner.size, count):
        owner, owned = int(data.owner[edge]), int(data.owned[edge])
        events.append(("change", owner, owned, graph.stake(owner, owned) * 0.5))
    owner, owned = int(data.owner[0]), int(data.owned[0])
    events.append(("remove", owner, owned, 0.0))
    events.append(("new", owner, owned, float(data.fraction[0])))
    heavy = _heaviest_holder(graph, data, rng)
    events.append(("heavy", heavy[0], heavy[1], graph.stake(*heavy) * 0.5))
    results = []
    for label, owner, owned, fraction in events:
        affected, seconds = timed(partial(graph.apply_interest_change, owner, owned, fraction))
        results.append((label, seconds, int(affected.size)))
    return results


def _heaviest_holder(graph: OwnershipGraph, data: Synthetic, rng: np.random.Generator
                     ) -> tuple[int, int]:
    """Of 2,000 sampled stakes, the one whose company has the most entities below it."""
    sample = rng.integers(0, data.owner.size, 2000)
    below = [graph.descendants(int(data.owned[edge])).size for edge in sample]
    edge = sample[int(np.argmax(below))]
    return int(data.owner[edge]), int(data.owned[edge])


def networkx_baseline(data: Synthetic) -> tuple[npt.NDArray[np.float64], float] | None:
    """Integrated foreign share by enumerating every simple path from each foreign remainder."""
    try:
        import networkx as nx
    except ImportError:
        return None
    started = time.perf_counter()
    graph = nx.DiGraph()
    graph.add_nodes_from(range(data.foreign.size))
    graph.add_weighted_edges_from(zip(data.owner.tolist(), data.owned.tolist(),
                                      data.fraction.tolist(), strict=True))
    held = np.bincount(data.owned, weights=data.fraction, minlength=data.foreign.size)
    own = (1.0 - held) * data.foreign  # each foreign entity's unlisted holders
    total = own.copy()
    for source in np.flatnonzero(own > 0):
        share_paths(graph, int(source), float(own[source]), total)
    return np.asarray(total, dtype=np.float64), time.perf_counter() - started


def share_paths(graph: Any, source: int, carried: float, share: npt.NDArray[np.floating[Any]]
                ) -> None:
    import networkx as nx

    for path in nx.all_simple_paths(graph, source, list(nx.descendants(graph, source))):
        product = carried
        for holder, held in itertools.pairwise(path):
            product *= graph[holder][held]["weight"]
        share[path[-1]] += product


# -- report ------------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo
                          if line.startswith("model name")), model)
    return (f"{model}, {os.cpu_count()} logical CPUs, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, numpy {np.__version__}, "
            f"scipy {scipy.__version__}")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--stakes", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20220201)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--baseline-entities", type=int, default=20_000)
    arguments = parser.parse_args()
    print(machine())
    data, seconds = timed(lambda: generate(arguments.entities, arguments.stakes, arguments.seed))
    print(f"generated {data.foreign.size:,} entities, {data.owner.size:,} stakes "
          f"in {seconds:.2f} s")
    graph, build, again = full_recompute(data)
    print(f"full recompute (build, checks, all three measures): {build:.2f} s; "
          f"recompute on the built graph: {again:.2f} s")
    _report_shape(graph, data)
    events = incremental_events(graph, data, arguments.seed, arguments.events)
    _report_events(events)
    print(f"peak RSS: {peak_rss_mib():,.0f} MiB")
    _report_baseline(arguments)


def _report_shape(graph: OwnershipGraph, data: Synthetic) -> None:
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    print(f"  foreign-controlled entities: {int(graph.foreign_controlled.sum()):,}; "
          f"mean integrated foreign share {float(graph.integrated_foreign_share.mean()):.4f}")
    size = data.foreign.size
    holdings = sp.csr_array((data.fraction, (data.owner, data.owned)), shape=(size, size))
    _, label = connected_components(holdings, directed=True, connection="strong")
    sizes = np.bincount(label)
    print(f"  cycles: {int((sizes > 1).sum()):,} strongly connected groups of 2+ entities, "
          f"largest {int(sizes.max())}")


def _report_events(events: list[tuple[str, float, int]]) -> None:
    changes = [seconds for label, seconds, _ in events if label == "change"]
    affected = [size for label, _, size in events if label == "change"]
    print(f"incremental, {len(changes)} random stake changes: median "
          f"{statistics.median(changes) * 1000:.1f} ms, max {max(changes) * 1000:.1f} ms "
          f"(entities recomputed: median {statistics.median(affected):.0f}, max {max(affected)})")
    for label, seconds, size in events:
        if label != "change":
            print(f"  {label} stake: {seconds * 1000:.1f} ms, {size:,} entities recomputed")


def _report_baseline(arguments: argparse.Namespace) -> None:
    size = arguments.baseline_entities
    small = generate(size, size, arguments.seed)
    graph, build, _ = full_recompute(small)
    baseline = networkx_baseline(small)
    if baseline is None:
        print("networkx is not installed: no baseline")
        return
    share, seconds = baseline
    difference = np.abs(share - graph.integrated_foreign_share)
    looped = _below_cycles(small)
    print(f"baseline at {size:,} entities / {small.owner.size:,} stakes: networkx simple-path "
          f"enumeration {seconds:.2f} s vs engine {build:.3f} s (x{seconds / build:,.0f})")
    print(f"  largest difference where no cycle is above: {difference[~looped].max():.1e}; "
          f"at or below a cycle ({int(looped.sum()):,} entities): {difference[looped].max():.1e}"
          f" (simple paths leave out the rounds of a cross-holding)")


def _below_cycles(data: Synthetic) -> npt.NDArray[np.bool_]:
    """Entities in a cycle or held, directly or not, by an entity in one."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    size = data.foreign.size
    holdings = sp.csr_array((data.fraction, (data.owner, data.owned)), shape=(size, size))
    _, label = connected_components(holdings, directed=True, connection="strong")
    in_cycle = np.flatnonzero(np.bincount(label)[label] > 1)
    # One extra node that holds every cycle member: what it reaches is at or below a cycle.
    hub = sp.csr_array((np.ones(in_cycle.size), (np.full(in_cycle.size, size), in_cycle)),
                       shape=(size + 1, size + 1))
    extended = sp.csr_array(sp.block_diag([holdings, sp.csr_array((1, 1))]) + hub)
    reached = breadth_first_order(extended, size, directed=True, return_predecessors=False)
    below = np.zeros(size + 1, dtype=np.bool_)
    below[reached] = True
    return below[:size]


if __name__ == "__main__":
    main()
