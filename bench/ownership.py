"""Ownership engine and the ownership/risk use cases at national scale: 1,000,000 entities,
1,000,000 stakes with cross-holdings, 100,000 registry companies.

Measures a full recompute of the three foreign-ownership measures, single-stake changes
(typical and heavy), peak memory, and a networkx path-enumeration baseline on a smaller graph
of the same shape, with the speed ratio and the largest difference in results. Then seeds a
fresh database with the same graph and times the use cases through their services (see
"use cases on a database" below): the national foreign-exposure computation, the full risk
watchlist, and one ownership event end to end.

    .venv/bin/python -m bench.ownership                     # the full 1M / 1M run, SQLite
    .venv/bin/python -m bench.ownership --postgres-url postgresql+psycopg://postgres@127.0.0.1/postgres
    .venv/bin/python -m bench.ownership --entities 100000 --stakes 100000 --companies 10000
    .venv/bin/python -m bench.ownership --skip-database     # the engine only

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
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import scipy
from sqlalchemy import Engine, column, create_engine, insert, table, text
from sqlalchemy.engine import make_url

from shokei.clock import FixedClock
from shokei.companies.domain import CorporateNumber
from shokei.db import JsonDoc, make_engine
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.manifest import wire
from shokei.migrate import upgrade_to_head
from shokei.ownership import services as ownership
from shokei.ownership.engine import OwnershipGraph
from shokei.risk import services as risk
from shokei.risk.criticality import NoCriticality

IdArray = npt.NDArray[np.intp]
T = TypeVar("T")
COUNTRIES = np.array(["US", "CN", "KR", "TW", "SG", "GB", "DE", "FR", "NL", "HK"])

# The units of work built below use the default bus: wire the features' handlers into it.
wire()


@dataclass(frozen=True)
class Synthetic:
    owner: IdArray
    owned: IdArray
    fraction: npt.NDArray[np.float64]
    foreign: npt.NDArray[np.bool_]
    country: npt.NDArray[np.str_]
    kind: npt.NDArray[np.int8]  # 0 company, 1 person, 2 state


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
    return Synthetic(owner, owned, fraction, foreign, country, kind)


def _kinds(rng: np.random.Generator, entities: int) -> npt.NDArray[np.int8]:
    kind = np.zeros(entities, dtype=np.int8)
    order = rng.permutation(entities)
    kind[order[: entities // 5]] = 1
    kind[order[entities // 5 : entities // 5 + max(entities // 1000, 1)]] = 2
    return kind


def _groups(rng: np.random.Generator, companies: IdArray, roots: IdArray) -> tuple[IdArray, IdArray]:
    """Each company's group top and its parent (a person/state for a top, else a member)."""
    sizes = np.minimum((rng.pareto(1.3, companies.size) + 1).astype(np.intp), 3000)
    ends = np.cumsum(sizes)
    ends = np.append(ends[ends < companies.size], companies.size)
    starts = np.concatenate([[0], ends[:-1]])
    first = np.repeat(starts, ends - starts)
    offset = np.arange(companies.size) - first
    earlier = first + (rng.random(companies.size) * np.maximum(offset, 1)).astype(np.intp)
    parent = np.where(offset == 0, roots[rng.integers(0, roots.size, companies.size)], companies[earlier])
    return companies[first], parent


def _edges(
    rng: np.random.Generator, structure: tuple[IdArray, IdArray, IdArray, IdArray], stakes: int
) -> tuple[IdArray, IdArray, npt.NDArray[np.float64]]:
    """Group trees, extra co-owners, and cross-holdings of a few percent (the cycles)."""
    companies, roots, top, parent = structure
    extra = max(stakes - companies.size, 0) + stakes // 50  # spare for duplicates
    held = companies[rng.integers(0, companies.size, extra)]
    cross_group = rng.random(extra) < 0.4
    holder = np.where(
        cross_group,
        companies[rng.integers(0, companies.size, extra)],
        roots[rng.integers(0, roots.size, extra)],
    )
    loops = rng.integers(0, companies.size, stakes // 50)
    loop_target = np.where(rng.random(loops.size) < 0.5, parent[loops], top[loops])
    owner = np.concatenate([parent, holder, companies[loops]])
    owned = np.concatenate([companies, held, loop_target])
    # A subsidiary's slice of its parent is small: its relative weight is a twentieth.
    weight = np.concatenate([np.ones(companies.size + extra), np.full(loops.size, 0.05)])
    keep = np.flatnonzero(owner != owned)
    _, first = np.unique(owner[keep].astype(np.int64) * (owned.max() + 1) + owned[keep], return_index=True)
    chosen = keep[first[rng.permutation(first.size)[:stakes]]]
    return owner[chosen].astype(np.intp), owned[chosen].astype(np.intp), weight[chosen]


def _shares(
    rng: np.random.Generator, owned: IdArray, weight: npt.NDArray[np.float64], entities: int
) -> npt.NDArray[np.float64]:
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
    graph, build = timed(
        lambda: OwnershipGraph(
            data.owner, data.owned, data.fraction, foreign=data.foreign, country=data.country
        )
    )
    _, again = timed(graph.recompute)
    return graph, build, again


def incremental_events(
    graph: OwnershipGraph, data: Synthetic, seed: int, count: int
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


def _heaviest_holder(graph: OwnershipGraph, data: Synthetic, rng: np.random.Generator) -> tuple[int, int]:
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
    graph.add_weighted_edges_from(
        zip(data.owner.tolist(), data.owned.tolist(), data.fraction.tolist(), strict=True)
    )
    held = np.bincount(data.owned, weights=data.fraction, minlength=data.foreign.size)
    own = (1.0 - held) * data.foreign  # each foreign entity's unlisted holders
    total = own.copy()
    for source in np.flatnonzero(own > 0):
        share_paths(graph, int(source), float(own[source]), total)
    return np.asarray(total, dtype=np.float64), time.perf_counter() - started


def share_paths(graph: Any, source: int, carried: float, share: npt.NDArray[np.floating[Any]]) -> None:
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
            model = next(
                (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), model
            )
    return (
        f"{model}, {os.cpu_count()} logical CPUs, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}"
    )


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--stakes", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20220201)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--baseline-entities", type=int, default=20_000)
    parser.add_argument("--companies", type=int, default=100_000, help="registry companies")
    parser.add_argument(
        "--postgres-url",
        default=None,
        help="server for a fresh PostgreSQL database (default: SQLite in a temp dir)",
    )
    parser.add_argument("--skip-database", action="store_true", help="the engine only")
    parser.add_argument(
        "--skip-watchlist",
        action="store_true",
        help="on the database, time only the alerts and the ownership events (not the national "
        "exposure and watchlist)",
    )
    parser.add_argument(
        "--event-repeats",
        type=int,
        default=6,
        help="on the database, the heavy event again N times (min, median)",
    )
    arguments = parser.parse_args()
    print(machine())
    data, seconds = timed(lambda: generate(arguments.entities, arguments.stakes, arguments.seed))
    print(f"generated {data.foreign.size:,} entities, {data.owner.size:,} stakes in {seconds:.2f} s")
    graph, build, again = full_recompute(data)
    print(
        f"full recompute (build, checks, all three measures): {build:.2f} s; "
        f"recompute on the built graph: {again:.2f} s"
    )
    _report_shape(graph, data)
    events = incremental_events(graph, data, arguments.seed, arguments.events)
    _report_events(events)
    print(f"peak RSS (engine): {peak_rss_mib():,.0f} MiB")
    heavy = _heaviest_holder(graph, data, np.random.default_rng(arguments.seed + 1))
    del graph
    _report_baseline(arguments)
    if not arguments.skip_database:
        figures = run_use_cases(
            data,
            heavy,
            companies=arguments.companies,
            seed=arguments.seed,
            postgres_url=arguments.postgres_url,
            watchlist=not arguments.skip_watchlist,
            repeats=arguments.event_repeats,
        )
        _report_use_cases(figures, arguments.postgres_url)
        print(f"peak RSS (whole run): {peak_rss_mib():,.0f} MiB")


def _report_use_cases(figures: Figures, postgres_url: str | None) -> None:
    backend = "PostgreSQL" if postgres_url else "SQLite"
    print(f"use cases on {backend}: seeded in {figures.seed_s:.1f} s")
    print(
        f"  every company's alerts evaluated (thresholds set): {figures.alerts_s:.2f} s, "
        f"{figures.open_alerts:,} alerts raised"
    )
    print(
        f"  foreign exposure of every registry company (whole graph from the database): "
        f"{figures.exposure_s:.2f} s"
    )
    print(f"  full watchlist, {figures.companies:,} companies scored and ranked: {figures.watchlist_s:.2f} s")
    print(
        f"  ownership event end to end: typical {figures.typical_event_s * 1000:.0f} ms "
        f"({figures.typical_recomputed:,} recomputed, {figures.typical_alerts} alerts moved), "
        f"heavy {figures.heavy_event_s * 1000:.0f} ms ({figures.heavy_recomputed:,} recomputed, "
        f"{figures.heavy_alerts:,} alerts moved)"
    )
    print(f"  the heavy event's CPU time (this process): {figures.heavy_event_cpu_s * 1000:.0f} ms")
    if figures.heavy_again_s:
        again = figures.heavy_again_s
        print(
            f"  the heavy event {len(again)} times more: min {min(again) * 1000:.0f} ms, "
            f"median {statistics.median(again) * 1000:.0f} ms (target < 1,000 ms)"
        )
    print(f"  one company's risk scored alone (`risk show`): {figures.show_s * 1000:.0f} ms")
    print(f"  top of the watchlist: {figures.top}")
    print(f"  load average at the end: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _report_shape(graph: OwnershipGraph, data: Synthetic) -> None:
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    print(
        f"  foreign-controlled entities: {int(graph.foreign_controlled.sum()):,}; "
        f"mean integrated foreign share {float(graph.integrated_foreign_share.mean()):.4f}"
    )
    size = data.foreign.size
    holdings = sp.csr_array((data.fraction, (data.owner, data.owned)), shape=(size, size))
    _, label = connected_components(holdings, directed=True, connection="strong")
    sizes = np.bincount(label)
    print(
        f"  cycles: {int((sizes > 1).sum()):,} strongly connected groups of 2+ entities, "
        f"largest {int(sizes.max())}"
    )


def _report_events(events: list[tuple[str, float, int]]) -> None:
    changes = [seconds for label, seconds, _ in events if label == "change"]
    affected = [size for label, _, size in events if label == "change"]
    print(
        f"incremental, {len(changes)} random stake changes: median "
        f"{statistics.median(changes) * 1000:.1f} ms, max {max(changes) * 1000:.1f} ms "
        f"(entities recomputed: median {statistics.median(affected):.0f}, max {max(affected)})"
    )
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
    print(
        f"baseline at {size:,} entities / {small.owner.size:,} stakes: networkx simple-path "
        f"enumeration {seconds:.2f} s vs engine {build:.3f} s (x{seconds / build:,.0f})"
    )
    print(
        f"  largest difference where no cycle is above: {difference[~looped].max():.1e}; "
        f"at or below a cycle ({int(looped.sum()):,} entities): {difference[looped].max():.1e}"
        f" (simple paths leave out the rounds of a cross-holding)"
    )


def _below_cycles(data: Synthetic) -> npt.NDArray[np.bool_]:
    """Entities in a cycle or held, directly or not, by an entity in one."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    size = data.foreign.size
    holdings = sp.csr_array((data.fraction, (data.owner, data.owned)), shape=(size, size))
    _, label = connected_components(holdings, directed=True, connection="strong")
    in_cycle = np.flatnonzero(np.bincount(label)[label] > 1)
    # One extra node that holds every cycle member: what it reaches is at or below a cycle.
    hub = sp.csr_array(
        (np.ones(in_cycle.size), (np.full(in_cycle.size, size), in_cycle)), shape=(size + 1, size + 1)
    )
    extended = sp.csr_array(sp.block_diag([holdings, sp.csr_array((1, 1))]) + hub)
    reached = breadth_first_order(extended, size, directed=True, return_predecessors=False)
    below = np.zeros(size + 1, dtype=np.bool_)
    below[reached] = True
    return below[:size]


# -- use cases on a database -------------------------------------------------------------------
#
# Seeds a fresh database (SQLite in a temporary directory, or a new PostgreSQL database dropped
# afterwards) with the same synthetic graph, a registry of Japanese companies drawn from its
# domestic companies, two fiscal years of indicators each and events for a tenth of them.
# Seeding writes rows in bulk (the import use cases would audit every row, which is not what is
# measured); the timed part goes through the services: `ownership.foreign_exposure` (every
# registry company's measures from the whole graph read out of the database, with its main
# foreign chain), `risk.watchlist` (every company scored and ranked: calls the former, the
# registry, the exit cases and its own tables) and `ownership.record_interest_change` (one
# event end to end: load what it affects, incremental recompute, save, alerts, audit).

NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
CHUNK = 50_000
KINDS = ("registered_company", "person", "state")  # the generator's kind codes 0, 1, 2


@dataclass(frozen=True)
class Figures:
    seed_s: float
    alerts_s: float
    open_alerts: int
    exposure_s: float
    watchlist_s: float
    companies: int
    typical_event_s: float
    typical_recomputed: int
    typical_alerts: int
    heavy_event_s: float
    heavy_recomputed: int
    heavy_alerts: int
    top: list[tuple[str, float, str]]
    heavy_event_cpu_s: float
    heavy_again_s: list[float]  # the heavy event repeated (stake back and forth) in this process
    show_s: float


@contextmanager
def database(postgres_url: str | None) -> Iterator[str]:
    """A fresh, empty database for the run: SQLite in a temporary directory, or PostgreSQL."""
    if postgres_url is None:
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/bench.db"
        return
    server = make_url(postgres_url)
    name = f"shokei_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_use_cases(
    data: Synthetic,
    heavy: tuple[int, int],
    *,
    companies: int,
    seed: int,
    postgres_url: str | None,
    watchlist: bool = True,
    repeats: int = 0,
) -> Figures:
    """Seed, then time the use cases. `data` is a `bench.ownership.Synthetic`."""
    with database(postgres_url) as url:
        engine = make_engine(url)
        try:
            upgrade_to_head(engine)
            registry, seed_s = timed(lambda: seed_rows(engine, data, companies, seed))
            _analyze(engine)
            return measure(engine, data, registry, heavy, seed_s, watchlist=watchlist, repeats=repeats)
        finally:
            engine.dispose()


def measure(
    engine: Engine,
    data: Synthetic,
    registry: np.ndarray[Any, Any],
    heavy: tuple[int, int],
    seed_s: float,
    *,
    watchlist: bool = True,
    repeats: int = 0,
) -> Figures:
    uow = UnitOfWork(engine, FixedClock(NOW))
    actor = Actor(1, "bench", Role.PROGRAM_MANAGER)
    # Rows were written in bulk, so no alert exists yet: setting the (default) thresholds
    # evaluates every company once, as the imports would have, and is itself worth timing.
    change, alerts_s = timed(lambda: ownership.set_thresholds(uow, actor, ["1", "10", "25", "50"]))
    open_alerts = len(change.alerts_raised)
    del change
    exposure_s = watchlist_s = float("nan")
    top: list[tuple[str, float, str]] = []
    companies = 0
    if watchlist:
        _, exposure_s = timed(
            lambda: ownership.foreign_exposure(uow, actor, acquisitions_since=date(2025, 6, 1))
        )
        entries, watchlist_s = timed(lambda: risk.watchlist(uow, actor, criticality=NoCriticality()))
        top = [(entry.corporate_number, entry.score, entry.recommendation) for entry in entries[:3]]
        companies = len(entries)
        del entries  # a command's process would be gone; keep the collector from walking 100k views
    typical, typical_s = timed(lambda: _halve(uow, actor, data, _typical_stake(data, registry)))
    cpu = time.process_time()
    heavy_event, heavy_s = timed(lambda: _halve(uow, actor, data, heavy))
    heavy_cpu_s = time.process_time() - cpu
    # The same stake set back and forth: the same closure each time, the figure's spread on this
    # machine now (the first one above also warms the caches).
    again = [timed(lambda n=n: _halve(uow, actor, data, heavy, back=n % 2 == 0))[1] for n in range(repeats)]
    # `risk show` for the registry company with the most entities above it among 200 sampled.
    number = _deep_company(data, registry)
    _, show_s = timed(lambda: risk.company_risk(uow, actor, number, criticality=NoCriticality()))
    return Figures(
        seed_s,
        alerts_s,
        open_alerts,
        exposure_s,
        watchlist_s,
        companies,
        typical_s,
        typical.recomputed,
        len(typical.alerts_raised) + len(typical.alerts_resolved),
        heavy_s,
        heavy_event.recomputed,
        len(heavy_event.alerts_raised) + len(heavy_event.alerts_resolved),
        top,
        heavy_cpu_s,
        again,
        show_s,
    )


def _deep_company(data: Synthetic, registry: np.ndarray[Any, Any]) -> str:
    import scipy.sparse as sp

    size = data.foreign.size
    holders = sp.csr_array((data.fraction, (data.owned, data.owner)), shape=(size, size))
    sample = registry[:: max(registry.size // 200, 1)]
    above = [graph_reach(holders, int(entity)) for entity in sample]
    entity = int(sample[int(np.argmax(above))])
    return CorporateNumber.from_base(f"{entity + 1:012d}").value


def graph_reach(matrix: Any, start: int) -> int:
    from scipy.sparse.csgraph import breadth_first_order

    return int(breadth_first_order(matrix, start, directed=True, return_predecessors=False).size)


def _analyze(engine: Engine) -> None:
    """Planner statistics for the bulk-loaded tables, as autovacuum (PostgreSQL) or a periodic
    ANALYZE (SQLite) would gather them: without them PostgreSQL scans whole tables for the
    IN-list lookups of an ownership event. On PostgreSQL also the visibility map autovacuum
    keeps after a bulk load: without it the covering indexes' index-only scans fetch every
    heap row (98,659 heap fetches for the heavy event's walk up, measured)."""
    statement = "VACUUM (ANALYZE)" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text(statement))


def _typical_stake(data: Synthetic, registry: np.ndarray[Any, Any]) -> tuple[int, int]:
    """The first stake held in a registry company."""
    edge = int(np.flatnonzero(np.isin(data.owned, registry))[0])
    return int(data.owner[edge]), int(data.owned[edge])


def _halve(
    uow: UnitOfWork, actor: Actor, data: Synthetic, stake: tuple[int, int], *, back: bool = False
) -> Any:
    """Set the stake to half its generated value (`back`: to the generated value again)."""
    owner, owned = stake
    current = float(data.fraction[(data.owner == owner) & (data.owned == owned)].sum())
    share = current * (100 if back else 50)
    return ownership.record_interest_change(
        uow, actor, owner=f"bench-{owner}", owned=f"bench-{owned}", share=f"{share:.6f}"
    )


# -- seeding -----------------------------------------------------------------------------------


def seed_rows(engine: Engine, data: Synthetic, companies: int, seed: int) -> np.ndarray[Any, Any]:
    """Write companies, entities, stakes, financials and events in bulk; the registry's ids."""
    rng = np.random.default_rng(seed + 7)
    domestic = np.flatnonzero((data.kind == 0) & ~data.foreign)
    registry = np.sort(rng.choice(domestic, size=min(companies, domestic.size), replace=False))
    with engine.begin() as connection:
        _insert(connection, _companies_table(), _company_rows(registry, rng))
        _insert(connection, _entities_table(), _entity_rows(data, registry))
        _insert(connection, _identifiers_table(), _identifier_rows(registry))
        _insert(connection, _interests_table(), _interest_rows(data))
        _insert(connection, _financials_table(), _financial_rows(registry, rng))
        _insert(connection, _events_table(), _event_rows(registry, rng))
        if engine.dialect.name == "postgresql":
            for name in ("companies", "ownership_entities"):  # ids were given explicitly
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
                    )
                )
    return registry


def _insert(connection: Any, target: Any, rows: Iterator[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            connection.execute(insert(target), batch)
            batch = []
    if batch:
        connection.execute(insert(target), batch)


def _companies_table() -> Any:
    return table(
        "companies",
        *(
            column(name)
            for name in (
                "id",
                "corporate_number",
                "name",
                "country",
                "industry",
                "capital_yen",
                "employees",
                "created_at",
            )
        ),
        column("capabilities", JsonDoc),
    )


def _company_rows(registry: np.ndarray[Any, Any], rng: np.random.Generator) -> Iterator[dict[str, Any]]:
    capital = rng.choice([10_000_000, 50_000_000, 300_000_000, 1_000_000_000, 20_000_000_000], registry.size)
    people = rng.integers(5, 3000, registry.size)
    for position, entity in enumerate(registry):
        yield {
            "id": position + 1,
            "corporate_number": CorporateNumber.from_base(f"{entity + 1:012d}").value,
            "name": f"試験{entity}株式会社",
            "country": "JP",
            "industry": "manufacturing",
            "capital_yen": int(capital[position]),
            "employees": int(people[position]),
            "capabilities": [],
            "created_at": NOW,
        }


def _entities_table() -> Any:
    return table(
        "ownership_entities",
        *(
            column(name)
            for name in (
                "id",
                "key",
                "kind",
                "name",
                "normalized_name",
                "country",
                "company_id",
                "created_at",
            )
        ),
    )


def _entity_rows(data: Synthetic, registry: np.ndarray[Any, Any]) -> Iterator[dict[str, Any]]:
    company_of = {int(entity): position + 1 for position, entity in enumerate(registry)}
    for entity in range(data.foreign.size):
        code = int(data.kind[entity])
        foreign = bool(data.foreign[entity])
        name = f"E{entity}"
        yield {
            "id": entity + 1,
            "key": f"bench-{entity}",
            "kind": "foreign_company" if code == 0 and foreign else KINDS[code],
            "name": name,
            "normalized_name": name.casefold(),
            "country": str(data.country[entity]),
            "company_id": company_of.get(entity),
            "created_at": NOW,
        }


def _identifiers_table() -> Any:
    return table("ownership_identifiers", column("identifier"), column("entity_id"), column("position"))


def _identifier_rows(registry: np.ndarray[Any, Any]) -> Iterator[dict[str, Any]]:
    # A registry company's entity carries its corporate number, as entities.link_company gives it.
    for entity in registry.tolist():
        number = CorporateNumber.from_base(f"{entity + 1:012d}").value
        yield {"identifier": f"JP-JCN-{number}", "entity_id": entity + 1, "position": 0}


def _interests_table() -> Any:
    return table(
        "ownership_interests",
        *(
            column(name)
            for name in (
                "owner_id",
                "owned_id",
                "interest_type",
                "directness",
                "stake",
                "appoints_board",
                "position",
                "created_at",
            )
        ),
        column("share", JsonDoc),
    )


def _interest_rows(data: Synthetic) -> Iterator[dict[str, Any]]:
    # Percent stores millionths of a percent: a fraction f is f * 10**8.
    stakes = np.round(data.fraction * 1e8).astype(np.int64)
    for owner, owned, stake in zip(data.owner.tolist(), data.owned.tolist(), stakes.tolist(), strict=True):
        yield {
            "owner_id": owner + 1,
            "owned_id": owned + 1,
            "interest_type": "shareholding",
            "directness": "direct",
            "stake": stake,
            "share": {"exact": f"{stake / 1e6:.6f}"},
            "appoints_board": False,
            "position": 0,
            "created_at": NOW,
        }


def _financials_table() -> Any:
    return table(
        "risk_financials",
        *(
            column(name)
            for name in (
                "company_id",
                "fiscal_year",
                "revenue_yen",
                "operating_profit_yen",
                "equity_ratio_percent",
                "recorded_at",
                "recorded_by",
            )
        ),
    )


def _financial_rows(registry: np.ndarray[Any, Any], rng: np.random.Generator) -> Iterator[dict[str, Any]]:
    profit = rng.normal(20, 40, (registry.size, 2)) * 1_000_000
    equity = rng.normal(35, 20, (registry.size, 2))
    for position in range(registry.size):
        for offset, year in enumerate((2024, 2025)):
            yield {
                "company_id": position + 1,
                "fiscal_year": year,
                "revenue_yen": 1_000_000_000,
                "operating_profit_yen": int(profit[position, offset]),
                "equity_ratio_percent": float(equity[position, offset]),
                "recorded_at": NOW,
                "recorded_by": "bench",
            }


def _events_table() -> Any:
    return table(
        "risk_events",
        *(column(name) for name in ("company_id", "kind", "occurred_on", "recorded_at", "recorded_by")),
    )


def _event_rows(registry: np.ndarray[Any, Any], rng: np.random.Generator) -> Iterator[dict[str, Any]]:
    kinds = ("restructuring_announced", "factory_closure", "credit_event", "survey_unanswered")
    chosen = rng.choice(registry.size, size=registry.size // 10, replace=False)
    for position in chosen.tolist():
        yield {
            "company_id": position + 1,
            "kind": kinds[position % len(kinds)],
            "occurred_on": date(2025, 1 + position % 12, 1),
            "recorded_at": NOW,
            "recorded_by": "bench",
        }


if __name__ == "__main__":
    main()
