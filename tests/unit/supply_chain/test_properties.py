"""Properties over many random bases: the engine agrees with the reference, losses are monotone,
updates equal a rebuild, and the synthetic national base has the promised shape."""

from __future__ import annotations

from dataclasses import dataclass
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shokei.supply_chain import engine as engine_module
from shokei.supply_chain.domain import BomCycleError
from shokei.supply_chain.engine import SupplyGraph
from shokei.supply_chain.generator import BOM_LEVELS, generate_national_base
from tests.oracles.supply_chain import ReferenceSupplyGraph


@dataclass(frozen=True)
class RandomBase:
    bom: list[tuple[int, int]]
    supply: list[tuple[int, int, bool]]
    tops: list[tuple[int, int]]
    n_companies: int
    n_components: int
    n_systems: int

    def engine(self) -> SupplyGraph:
        return SupplyGraph.from_edges(
            bom_parent=[p for p, _ in self.bom],
            bom_child=[c for _, c in self.bom],
            supply_company=[s[0] for s in self.supply],
            supply_component=[s[1] for s in self.supply],
            supply_qualified=[s[2] for s in self.supply],
            system_id=[s for s, _ in self.tops],
            system_top_component=[t for _, t in self.tops],
            n_companies=self.n_companies,
            n_components=self.n_components,
            n_systems=self.n_systems,
        )

    def reference(self) -> ReferenceSupplyGraph:
        return ReferenceSupplyGraph(self.bom, self.supply, self.tops, self.n_companies)


@st.composite
def random_bases(draw: st.DrawFn, max_components: int = 16) -> RandomBase:
    """Small acyclic bases: edges always run from earlier to later in a random order, with
    duplicate rows, mixed qualification, shared parts and tops nested in other systems."""
    n_components = draw(st.integers(1, max_components))
    n_companies = draw(st.integers(1, 6))
    n_systems = draw(st.integers(1, 4))
    order = draw(st.permutations(range(n_components)))
    component = st.integers(0, n_components - 1)
    links = draw(st.lists(st.tuples(component, component), max_size=2 * n_components))
    bom = [(order[min(a, b)], order[max(a, b)]) for a, b in links if a != b]
    supply_row = st.tuples(st.integers(0, n_companies - 1), component, st.booleans())
    supply = draw(st.lists(supply_row, max_size=3 * n_components))
    tops = draw(st.lists(st.tuples(st.integers(0, n_systems - 1), component), max_size=6))
    return RandomBase(bom, supply, tops, n_companies, n_components, n_systems)


def companies_of(base: RandomBase) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, base.n_companies - 1), max_size=4)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_engine_and_reference_agree_on_random_bases(data: st.DataObject) -> None:
    base = data.draw(random_bases())
    engine, reference = base.engine(), base.reference()
    exited = data.draw(companies_of(base))

    assert engine.impact(exited) == reference.impact(exited)
    assert engine.single_points_of_failure(10) == reference.single_points_of_failure(10)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_losses_are_monotone_in_the_exiting_set(data: st.DataObject) -> None:
    base = data.draw(random_bases())
    engine = base.engine()
    some, more = data.draw(companies_of(base)), data.draw(companies_of(base))

    fewer_exits, more_exits = engine.impact(some), engine.impact(some + more)

    assert fewer_exits.lost_component_ids <= more_exits.lost_component_ids
    assert set(fewer_exits.hit_system_ids) <= set(more_exits.hit_system_ids)


@settings(max_examples=100, deadline=None)
@given(base=random_bases())
def test_a_company_with_no_qualified_supply_has_zero_impact(base: RandomBase) -> None:
    # One more company, with only unqualified rows for every component.
    idle = base.n_companies
    rows = [(idle, part, False) for part in range(base.n_components)]
    engine = RandomBase(
        base.bom, base.supply + rows, base.tops, idle + 1, base.n_components, base.n_systems
    ).engine()

    report = engine.impact([idle])

    assert report.lost_components == ()
    assert report.systems == ()
    assert report.criticality.score == 0


@settings(max_examples=100, deadline=None)
@given(base=random_bases())
def test_the_spof_ranking_scores_what_a_single_exit_does(base: RandomBase) -> None:
    engine = base.engine()

    for entry in engine.single_points_of_failure(base.n_companies):
        assert entry.criticality == engine.impact([entry.company]).criticality


update = st.tuples(st.booleans(), st.integers(0, 5), st.integers(0, 15), st.booleans())


@settings(max_examples=100, deadline=None)
@given(base=random_bases(), updates=st.lists(update, max_size=12), compact_after=st.integers(1, 6))
def test_incremental_updates_match_a_rebuild(
    base: RandomBase, updates: list[tuple[bool, int, int, bool]], compact_after: int
) -> None:
    engine, reference = base.engine(), base.reference()
    with mock.patch.object(engine_module, "COMPACT_AFTER_CHANGES", compact_after):
        for is_addition, drawn_company, drawn_part, qualified in updates:
            company, part = drawn_company % base.n_companies, drawn_part % base.n_components
            if is_addition:
                engine.add_supply(company, part, qualified)
                reference.add_supply(company, part, qualified)
            else:
                engine.remove_supply(company, part)
                reference.remove_supply(company, part)
    rebuilt = _rebuild(base, reference)

    for company in range(base.n_companies):
        assert engine.impact([company]) == rebuilt.impact([company])
    assert engine.impact(range(base.n_companies)) == reference.impact(range(base.n_companies))
    assert engine.single_points_of_failure(10) == rebuilt.single_points_of_failure(10)


def _rebuild(base: RandomBase, updated: ReferenceSupplyGraph) -> SupplyGraph:
    """A fresh engine over the reference's supply after the same updates."""
    supply = [(company, part, True) for part, companies in updated.suppliers.items() for company in companies]
    return RandomBase(
        base.bom, supply, base.tops, base.n_companies, base.n_components, base.n_systems
    ).engine()


@settings(max_examples=100, deadline=None)
@given(base=random_bases(), cycle=st.lists(st.integers(0, 15), min_size=1, max_size=5, unique=True))
def test_a_cycle_is_always_refused_and_the_named_cycle_is_real(base: RandomBase, cycle: list[int]) -> None:
    parts = [part % base.n_components for part in cycle]
    closing = list(zip(parts, [*parts[1:], parts[0]], strict=True))
    edges = set(base.bom) | set(closing)
    cyclic = RandomBase(
        sorted(edges), base.supply, base.tops, base.n_companies, base.n_components, base.n_systems
    )

    with pytest.raises(BomCycleError) as refused:
        cyclic.engine()

    named = refused.value.cycle
    assert len(set(named)) == len(named)
    assert all(edge in edges for edge in zip(named, [*named[1:], named[0]], strict=True))


# ---- the synthetic national base, at a small scale ----------------------------------------------


@pytest.fixture(scope="module")
def synthetic() -> tuple[engine_module.SupplyEdges, SupplyGraph]:
    base = generate_national_base(companies=400, components=4_000, systems=12, seed=3)
    return base.edges, base.build_graph()


def test_the_synthetic_base_is_reproducible() -> None:
    first = generate_national_base(companies=50, components=500, systems=4, seed=9)
    again = generate_national_base(companies=50, components=500, systems=4, seed=9)

    assert np.array_equal(first.edges.bom_child, again.edges.bom_child)
    assert np.array_equal(first.edges.supply_company, again.edges.supply_company)


def test_the_synthetic_base_has_the_promised_shape(
    synthetic: tuple[engine_module.SupplyEdges, SupplyGraph],
) -> None:
    edges, graph = synthetic
    sourcing = np.bincount([graph.qualified_supplier_count(part) for part in range(4_000)])
    company_degree = np.bincount(edges.supply_company, minlength=400)

    assert 2.7 <= edges.edge_count / edges.n_components <= 3.5
    assert 0.15 < sourcing[1] / 4_000 < 0.5  # single-sourced: a minority
    assert sourcing[2:].sum() / 4_000 > 0.5  # multi-sourced: the rule
    assert company_degree.max() > 10 * np.median(company_degree)  # heavy tail
    assert set(np.unique(edges.system_id).tolist()) == set(range(12))
    assert graph.unsourced_leaf_components().size == 0


def test_synthetic_boms_are_deep_and_share_parts(
    synthetic: tuple[engine_module.SupplyEdges, SupplyGraph],
) -> None:
    _, graph = synthetic
    levels = graph._bom.level

    assert 6 <= levels.max() <= BOM_LEVELS
    assert graph._bom.systems_per_component.max() > 1


def test_engine_and_reference_agree_on_a_synthetic_base(
    synthetic: tuple[engine_module.SupplyEdges, SupplyGraph],
) -> None:
    edges, graph = synthetic
    reference = ReferenceSupplyGraph.from_edges(
        bom_parent=edges.bom_parent.tolist(),
        bom_child=edges.bom_child.tolist(),
        supply_company=edges.supply_company.tolist(),
        supply_component=edges.supply_component.tolist(),
        supply_qualified=edges.supply_qualified.tolist(),
        system_id=edges.system_id.tolist(),
        system_top_component=edges.system_top_component.tolist(),
        n_companies=edges.n_companies,
    )
    ranking = graph.single_points_of_failure(25)

    assert ranking == reference.single_points_of_failure(25)
    for exited in ([entry.company] for entry in ranking[:10]):
        assert graph.impact(exited) == reference.impact(exited)
    biggest_three = [entry.company for entry in ranking[:3]]
    assert graph.impact(biggest_three) == reference.impact(biggest_three)
