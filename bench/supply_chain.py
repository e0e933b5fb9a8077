"""Supply-chain engine benchmark at national scale, with a networkx baseline in the same run.

    .venv/bin/python -m bench.supply_chain              # 100,000 companies, 1,000,000 components
    .venv/bin/python -m bench.supply_chain --scale 0.1  # a tenth of that
    .venv/bin/python -m bench.supply_chain --json var/bench-supply-chain.json
    .venv/bin/python -m bench.supply_chain --database postgresql   # load from PostgreSQL

Reports: load and graph build time, single-company impact latency (median/p99 over random
companies, and over companies that sole-source something), the full SPOF ranking, update latency,
peak RSS, and the same queries answered by a straightforward networkx implementation, checked
against the engine's answers and reported as a ratio.

The data comes from a loader: `Loader = Callable[[BenchConfig], SupplyEdges]`. The default
generates a synthetic base. With `--database postgresql` the script creates a fresh database on
the server (`--postgres-url`, default $SHOKEI_TEST_POSTGRES_URL or the local one), seeds the same
base into it with `shokei init` + `shokei demo generate` in a child process (the import path,
timed as `seed_s`), and then `load_s` is the load from PostgreSQL into the engine's arrays
(`shokei.supply_chain.loader`). It also times the service's cold start (load + build through
the graph cache) and the `exit_impact` use case end to end (graph query plus naming the result
from the database). The database is dropped at the end, whatever happens.

The networkx baseline answers impact on the full graph. Its SPOF ranking would take hours at
national scale (one impact per sole supplier), so it is timed on a random sample of sole
suppliers and extrapolated linearly to all of them; the sample size is printed with the figure.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shokei.supply_chain.domain import Criticality
from shokei.supply_chain.engine import SupplyEdges, SupplyGraph
from shokei.supply_chain.generator import generate_national_base

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SERVICE_IMPACT_SAMPLES = 200

NATIONAL_COMPANIES = 100_000
NATIONAL_COMPONENTS = 1_000_000
WEAPON_SYSTEMS = 300
# The what-if group: this many of the most critical companies exiting together.
GROUP_EXIT_SIZE = 10


@dataclass(frozen=True)
class BenchConfig:
    scale: float = 1.0
    seed: int = 20220201
    impact_samples: int = 1_000
    spof_top: int = 100
    update_samples: int = 1_000
    baseline_impact_samples: int = 200
    baseline_spof_sample: int = 300
    baseline: bool = True


Loader = Callable[[BenchConfig], SupplyEdges]
Results = dict[str, Any]


def base_size(config: BenchConfig) -> tuple[int, int, int]:
    """(companies, components, systems) at the configured scale."""
    return (
        max(int(NATIONAL_COMPANIES * config.scale), 1),
        max(int(NATIONAL_COMPONENTS * config.scale), WEAPON_SYSTEMS),
        WEAPON_SYSTEMS,
    )


def load_synthetic(config: BenchConfig) -> SupplyEdges:
    """The default loader: a generated base of the configured scale."""
    companies, components, systems = base_size(config)
    return generate_national_base(companies, components, systems, config.seed).edges


@contextmanager
def timed(results: Results, key: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    results[key] = time.perf_counter() - started


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> dict[str, str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [line for line in cpuinfo.read_text().splitlines() if line.startswith("model name")]
        cpu = models[0].split(":", 1)[1].strip() if models else cpu
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


# ---- engine ------------------------------------------------------------------------------------


def sole_suppliers(edges: SupplyEdges) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Companies that are the only qualified supplier of at least one component."""
    company = edges.supply_company[edges.supply_qualified]
    component = edges.supply_component[edges.supply_qualified]
    pairs = np.unique(company * edges.n_components + component)  # rows may repeat a pair
    company, component = pairs // edges.n_components, pairs % edges.n_components
    sole = np.bincount(component, minlength=edges.n_components)[component] == 1
    return np.unique(company[sole])


def latency_ms(graph: SupplyGraph, companies: np.ndarray[Any, Any]) -> list[float]:
    samples = []
    for company in companies.tolist():
        started = time.perf_counter()
        graph.impact([company])
        samples.append((time.perf_counter() - started) * 1e3)
    return samples


def summarise(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": float(np.median(samples)),
        "p99_ms": float(np.percentile(samples, 99)),
        "max_ms": float(np.max(samples)),
    }


def bench_engine(edges: SupplyEdges, config: BenchConfig, results: Results) -> SupplyGraph:
    rng = np.random.default_rng(config.seed)
    with timed(results, "build_s"):
        graph = SupplyGraph(edges)
    uniform = rng.integers(0, edges.n_companies, config.impact_samples)
    sole = sole_suppliers(edges)
    results["sole_supplier_companies"] = int(sole.size)
    results["impact_uniform"] = summarise(latency_ms(graph, uniform))
    results["impact_sole_suppliers"] = summarise(latency_ms(graph, rng.choice(sole, config.impact_samples)))
    with timed(results, "spof_s"):
        ranking = graph.single_points_of_failure(config.spof_top)
    results["worst_company"] = ranking[0].company
    results["group_exit"] = [entry.company for entry in ranking[:GROUP_EXIT_SIZE]]
    with timed(results, "impact_worst_company_s"):
        graph.impact([results["worst_company"]])
    with timed(results, "impact_group_exit_s"):
        report = graph.impact(results["group_exit"])
    results["group_exit_lost_components"] = len(report.lost_components)
    results["group_exit_hit_systems"] = len(report.systems)
    results["peak_rss_engine_mib"] = peak_rss_mib()
    return graph


def bench_updates(
    graph: SupplyGraph,
    edges: SupplyEdges,
    config: BenchConfig,
    *,
    rng: np.random.Generator,
    results: Results,
) -> None:
    """Mean latency of removing existing supply pairs and adding new ones, then a SPOF ranking
    that must fold the overlay in first."""
    rows = rng.integers(0, edges.supply_company.size, config.update_samples)
    changes = zip(
        edges.supply_company[rows].tolist(),
        edges.supply_component[rows].tolist(),
        rng.integers(0, edges.n_companies, config.update_samples).tolist(),
        rng.integers(0, edges.n_components, config.update_samples).tolist(),
        strict=True,
    )
    with timed(results, "updates_s"):
        for old_company, old_part, new_company, new_part in changes:
            graph.remove_supply(old_company, old_part)
            graph.add_supply(new_company, new_part)
    results["update_mean_us"] = results.pop("updates_s") / (2 * config.update_samples) * 1e6
    with timed(results, "spof_after_updates_s"):
        graph.single_points_of_failure(config.spof_top)


# ---- networkx baseline -------------------------------------------------------------------------


class NetworkxBaseline:
    """The same queries written the obvious way on a networkx DiGraph and Python sets."""

    def __init__(self, edges: SupplyEdges) -> None:
        import networkx as nx

        self.nx = nx
        self.bom = nx.DiGraph()
        self.bom.add_nodes_from(range(edges.n_components))
        self.bom.add_edges_from(zip(edges.bom_parent.tolist(), edges.bom_child.tolist(), strict=True))
        self.suppliers: dict[int, set[int]] = {}
        self.supplied: dict[int, set[int]] = {}
        qualified = edges.supply_qualified
        for company, part in zip(
            edges.supply_company[qualified].tolist(),
            edges.supply_component[qualified].tolist(),
            strict=True,
        ):
            self.suppliers.setdefault(part, set()).add(company)
            self.supplied.setdefault(company, set()).add(part)
        self.systems_of_top: dict[int, set[int]] = {}
        for system, top in zip(edges.system_id.tolist(), edges.system_top_component.tolist(), strict=True):
            self.systems_of_top.setdefault(top, set()).add(system)

    def impact(self, exited: set[int]) -> dict[int, tuple[int, int]]:
        """Per hit system: (lost components in it, depth); plus key -1: total lost components."""
        origins = {
            part
            for company in exited
            for part in self.supplied.get(company, ())
            if self.suppliers[part] <= exited
        }
        lost = set(origins)
        for origin in origins:
            lost |= self.nx.ancestors(self.bom, origin)
        # The lost part of a system's BOM is what its lost tops reach inside the lost subgraph.
        lost_graph = self.bom.subgraph(lost)
        tops_by_system: dict[int, set[int]] = {}
        for top in lost:
            for system in self.systems_of_top.get(top, ()):
                tops_by_system.setdefault(system, set()).add(top)
        answer = {-1: (len(lost), 0)}
        for system, tops in tops_by_system.items():
            answer[system] = self._system_impact(lost_graph, tops, origins)
        return answer

    def _system_impact(self, lost_graph: Any, tops: set[int], origins: set[int]) -> tuple[int, int]:
        members = set(tops)
        for top in tops:
            members |= self.nx.descendants(lost_graph, top)
        level = dict.fromkeys(tops, 1)
        for node in self.nx.topological_sort(lost_graph.subgraph(members)):
            for child in lost_graph.successors(node):
                level[child] = max(level.get(child, 0), level[node] + 1)
        return len(members), max(level[node] for node in members & origins)

    def criticality(self, company: int) -> Criticality:
        answer = self.impact({company})
        systems = {key: value for key, value in answer.items() if key >= 0}
        return Criticality(
            systems_hit=len(systems),
            components_lost=answer[-1][0],
            system_component_losses=sum(lost for lost, _ in systems.values()),
            deepest_origin_level=max((depth for _, depth in systems.values()), default=0),
        )


def engine_answer(graph: SupplyGraph, companies: list[int]) -> dict[int, tuple[int, int]]:
    """The engine's report in the baseline's shape, to compare the two."""
    report = graph.impact(companies)
    answer = {-1: (len(report.lost_components), 0)}
    answer.update({s.system: (s.lost_components, s.depth) for s in report.systems})
    return answer


def bench_baseline(graph: SupplyGraph, edges: SupplyEdges, config: BenchConfig, results: Results) -> None:
    rng = np.random.default_rng(config.seed + 1)
    with timed(results, "nx_build_s"):
        baseline = NetworkxBaseline(edges)
    uniform = rng.integers(0, edges.n_companies, config.baseline_impact_samples).tolist()
    sole = sole_suppliers(edges)
    sampled_sole = rng.choice(sole, config.baseline_impact_samples).tolist()
    for label, companies in (("uniform", uniform), ("sole_suppliers", sampled_sole)):
        samples = []
        for company in companies:
            started = time.perf_counter()
            answer = baseline.impact({company})
            samples.append((time.perf_counter() - started) * 1e3)
            assert answer == engine_answer(graph, [company]), f"baseline disagrees for {company}"
        results[f"nx_impact_{label}"] = summarise(samples)
    with timed(results, "nx_impact_worst_company_s"):
        baseline.impact({results["worst_company"]})
    with timed(results, "nx_impact_group_exit_s"):
        answer = baseline.impact(set(results["group_exit"]))
    assert answer == engine_answer(graph, results["group_exit"]), "baseline disagrees on group"
    bench_baseline_spof(graph, baseline, sole, config, rng=rng, results=results)
    results["peak_rss_with_nx_mib"] = peak_rss_mib()


def bench_baseline_spof(
    graph: SupplyGraph,
    baseline: NetworkxBaseline,
    sole: np.ndarray[Any, Any],
    config: BenchConfig,
    *,
    rng: np.random.Generator,
    results: Results,
) -> None:
    """Time the baseline's per-company criticality on a sample; extrapolate to every sole
    supplier. Its answers must match the engine's ranking entry (or, for a company that hits no
    system and so is not ranked, the engine's own impact)."""
    sample = rng.choice(sole, min(config.baseline_spof_sample, sole.size), replace=False).tolist()
    started = time.perf_counter()
    scores = {company: baseline.criticality(company) for company in sample}
    elapsed = time.perf_counter() - started
    ranked = graph.single_points_of_failure(sole.size)
    by_company = {entry.company: entry.criticality for entry in ranked}
    for company, criticality in scores.items():
        expected = by_company.get(company) or graph.impact([company]).criticality
        assert criticality == expected, f"baseline criticality disagrees for {company}"
    results["nx_spof_sample_companies"] = len(sample)
    results["nx_spof_sample_s"] = elapsed
    results["nx_spof_extrapolated_s"] = elapsed / max(len(sample), 1) * sole.size


# ---- PostgreSQL --------------------------------------------------------------------------------


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server for this run; dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(server_url)
    name = f"shokei_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed_database(url: str, config: BenchConfig, results: Results) -> None:
    """`shokei init` + `shokei demo generate` into the database, in child processes (so their
    memory does not count towards this process's peak RSS)."""
    companies, components, systems = base_size(config)
    env = {**os.environ, "SHOKEI_DATABASE_URL": url}
    shokei = [sys.executable, "-m", "shokei.cli"]
    generate = ["demo", "generate", "--companies", str(companies), "--components", str(components)]
    generate += ["--systems", str(systems), "--seed", str(config.seed), "--json"]
    with tempfile.TemporaryDirectory(prefix="shokei-bench-") as data_dir:
        env["SHOKEI_DATA_DIR"] = data_dir
        subprocess.run([*shokei, "init", "--json"], env=env, check=True, capture_output=True)
        with timed(results, "seed_s"):
            done = subprocess.run([*shokei, *generate], env=env, check=True, capture_output=True, text=True)
    report = json.loads(done.stdout)
    results["seed_rows"] = {kind: report[kind]["created"] for kind in ("components", "bom", "supply")}
    results["seed_peak_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def database_loader(url: str) -> Loader:
    """Load the engine's arrays from the database (what the service does on a cold start)."""

    def load(config: BenchConfig) -> SupplyEdges:
        from shokei.db import make_engine
        from shokei.supply_chain.loader import load_edges, snapshot

        engine = make_engine(url)
        try:
            with snapshot(engine) as connection:
                return load_edges(connection)[0]
        finally:
            engine.dispose()

    return load


def bench_service(url: str, config: BenchConfig, results: Results) -> None:
    """The use cases as the API runs them: cold start through the graph cache, then
    `exit_impact` (graph query plus naming systems and parts from the database)."""
    from shokei.db import make_engine
    from shokei.kernel import Actor, Role
    from shokei.kernel.unit_of_work import UnitOfWork
    from shokei.supply_chain import services
    from shokei.supply_chain.cache import cache_for

    engine = make_engine(url)
    uow, auditor = UnitOfWork(engine), Actor(0, "bench", Role.AUDITOR)
    try:
        with timed(results, "service_cold_start_s"), cache_for(engine).current(engine):
            pass
        samples = []
        for number in sampled_sole_suppliers(engine, config):
            started = time.perf_counter()
            services.exit_impact(uow, auditor, [number], limit=100)
            samples.append((time.perf_counter() - started) * 1e3)
        results["service_impact_sole_suppliers"] = summarise(samples)
        results["peak_rss_service_mib"] = peak_rss_mib()
    finally:
        engine.dispose()


def sampled_sole_suppliers(engine: Any, config: BenchConfig) -> list[str]:
    """Corporate numbers of random companies that are some component's only qualified source."""
    from sqlalchemy import text

    query = text(
        "SELECT DISTINCT s.corporate_number FROM supply_relations s JOIN ("
        " SELECT component_id FROM supply_relations WHERE qualified"
        " GROUP BY component_id HAVING count(*) = 1"
        ") sole USING (component_id) WHERE s.qualified ORDER BY 1"
    )
    with engine.connect() as connection:
        numbers = [row[0] for row in connection.execute(query)]
    rng = np.random.default_rng(config.seed + 3)
    return [numbers[i] for i in rng.integers(0, len(numbers), SERVICE_IMPACT_SAMPLES)]


def run_on_postgres(config: BenchConfig, server_url: str) -> Results:
    """Seed a fresh database, then the whole benchmark with its data loaded from it."""
    with fresh_postgres_database(server_url) as url:
        seeded: Results = {}
        seed_database(url, config, seeded)
        results = run(config, database_loader(url))
        bench_service(url, config, results)
        return {**seeded, **results}


# ---- report ------------------------------------------------------------------------------------


def run(config: BenchConfig, loader: Loader = load_synthetic) -> Results:
    """Load, benchmark the engine, then the baseline; return every figure."""
    results: Results = {"config": dataclasses.asdict(config), "machine": machine()}
    with timed(results, "load_s"):
        edges = loader(config)
    results["companies"], results["components"] = edges.n_companies, edges.n_components
    results["systems"], results["edges"] = edges.n_systems, edges.edge_count
    results["bom_edges"], results["supply_edges"] = int(edges.bom_parent.size), int(edges.supply_company.size)
    graph = bench_engine(edges, config, results)
    if config.baseline:
        bench_baseline(graph, edges, config, results)
    # Last: the updates change the graph the baseline is checked against.
    bench_updates(graph, edges, config, rng=np.random.default_rng(config.seed + 2), results=results)
    add_ratios(results)
    return results


def add_ratios(results: Results) -> None:
    """How many times slower the baseline is, per query."""
    if "nx_build_s" not in results:
        return
    results["ratio_build"] = results["nx_build_s"] / results["build_s"]
    for label in ("uniform", "sole_suppliers"):
        for statistic in ("median_ms", "p99_ms"):
            baseline = results[f"nx_impact_{label}"][statistic]
            engine = results[f"impact_{label}"][statistic]
            results[f"ratio_impact_{statistic.removesuffix('_ms')}_{label}"] = baseline / engine
    for query in ("impact_worst_company", "impact_group_exit"):
        results[f"ratio_{query}"] = results[f"nx_{query}_s"] / results[f"{query}_s"]
    results["ratio_spof"] = results["nx_spof_extrapolated_s"] / results["spof_s"]


def print_report(results: Results) -> None:
    for key, value in results.items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
            print(f"{key:34s} {shown}")
        else:
            print(f"{key:34s} {_fmt(value)}")


def _fmt(value: object) -> str:
    return f"{value:,.3f}" if isinstance(value, float) else str(value)


def parse_args(argv: list[str] | None) -> tuple[BenchConfig, Path | None, str | None]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of national scale")
    parser.add_argument("--seed", type=int, default=BenchConfig.seed)
    parser.add_argument("--samples", type=int, default=BenchConfig.impact_samples)
    parser.add_argument("--no-baseline", action="store_true", help="skip networkx")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--database", choices=("none", "postgresql"), default="none", help="load the base from a database"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("SHOKEI_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="server to create (and drop) the benchmark database on",
    )
    args = parser.parse_args(argv)
    config = BenchConfig(
        scale=args.scale, seed=args.seed, impact_samples=args.samples, baseline=not args.no_baseline
    )
    return config, args.json, args.postgres_url if args.database == "postgresql" else None


def main(argv: list[str] | None = None, loader: Loader = load_synthetic) -> None:
    config, json_path, postgres_url = parse_args(argv)
    results = run_on_postgres(config, postgres_url) if postgres_url else run(config, loader)
    print_report(results)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
