"""Foreign ownership through chains: published worked examples and hand-solved systems.

OFAC FAQ 401 (https://ofac.treasury.gov/faqs/401) gives the 50 % rule examples used below;
the Finnish state-owned-enterprise example is the real BODS package from Open Ownership.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shokei.ownership.bods import parse_bods
from shokei.ownership.engine import Chain, ForeignMeasures, OwnershipGraph, graph_from_domain
from tests import samples


@pytest.fixture
def bods(real_files: Path) -> Path:
    return real_files / "bods"


def _graph(names: str, stakes: list[tuple[str, str, float]], foreign: dict[str, str]) -> OwnershipGraph:
    """Entities named by single letters; `foreign` maps each foreign one to its country."""
    index = {name: position for position, name in enumerate(names)}
    return OwnershipGraph(
        [index[owner] for owner, _, _ in stakes],
        [index[owned] for _, owned, _ in stakes],
        [fraction for _, _, fraction in stakes],
        foreign=[name in foreign for name in names],
        country=[foreign.get(name, "JP") for name in names],
    )


X_IS_BLOCKED = {"X": "RU"}


# -- OFAC FAQ 401 ------------------------------------------------------------------------------


def test_ofac_example_1_a_chain_of_50_percent_holdings_is_blocked() -> None:
    # X owns 50 % of A, A owns 50 % of B: B is blocked. Multiplied, X holds 25 % of B.
    graph = _graph("XAB", [("X", "A", 0.5), ("A", "B", 0.5)], foreign=X_IS_BLOCKED)
    assert graph.measures(2) == ForeignMeasures(
        direct=0.0,
        integrated=pytest.approx(0.25),
        controlled_share=pytest.approx(0.5),
        foreign_controlled=True,
    )


def test_ofac_example_2_two_blocked_holdings_aggregate() -> None:
    # X owns 50 % of A and of B; A and B each own 25 % of C: C is blocked (25 + 25).
    # Multiplied: 0.5 * 0.25 + 0.5 * 0.25 = 0.25.
    graph = _graph(
        "XABC", [("X", "A", 0.5), ("X", "B", 0.5), ("A", "C", 0.25), ("B", "C", 0.25)], foreign=X_IS_BLOCKED
    )
    assert graph.measures(3) == ForeignMeasures(
        direct=0.0,
        integrated=pytest.approx(0.25),
        controlled_share=pytest.approx(0.5),
        foreign_controlled=True,
    )


def test_ofac_example_3_direct_and_indirect_holdings_add_up() -> None:
    # X owns 50 % of A and 10 % of B; A owns 40 % of B: B is blocked, A counting in full
    # (10 + 40 = 50). Multiplied: 0.10 + 0.5 * 0.40 = 0.30.
    graph = _graph("XAB", [("X", "A", 0.5), ("X", "B", 0.1), ("A", "B", 0.4)], foreign=X_IS_BLOCKED)
    measures = graph.measures(2)
    assert measures.direct == pytest.approx(0.10)
    assert measures.integrated == pytest.approx(0.30)
    assert measures.controlled_share == pytest.approx(0.50)
    assert measures.foreign_controlled


def test_a_minority_holding_does_not_pass_control_down() -> None:
    # FAQ 401: "indirectly" means through entities 50 % or more owned by blocked persons.
    # X owns 40 % of A and A owns all of B: neither is attributed, yet X holds 40 % of B.
    graph = _graph("XAB", [("X", "A", 0.4), ("A", "B", 1.0)], foreign=X_IS_BLOCKED)
    assert graph.foreign_controlled.tolist() == [True, False, False]
    assert graph.controlled_share.tolist() == [0.0, 0.4, 0.0]
    assert graph.integrated_foreign_share.tolist() == pytest.approx([1.0, 0.4, 0.4])


def test_chains_explain_example_3_biggest_path_first() -> None:
    graph = _graph("XAB", [("X", "A", 0.5), ("X", "B", 0.1), ("A", "B", 0.4)], foreign=X_IS_BLOCKED)
    chains = graph.chains(2)
    assert [chain.path for chain in chains] == [(0, 1, 2), (0, 2)]
    assert [chain.share for chain in chains] == pytest.approx([0.2, 0.1])
    assert graph.chains(2, top=1) == [Chain(path=(0, 1, 2), share=pytest.approx(0.2))]


# -- ultimate owners and countries -------------------------------------------------------------


def test_a_foreign_company_counts_only_its_foreign_held_part() -> None:
    # P (US person) holds 30 % of A; C (CN company) holds 20 % of A; J (JP person) holds 50 %
    # of C, so C's other 50 % is unlisted and taken as Chinese. Foreign share of A:
    # US 0.30, CN 0.20 * 0.50 = 0.10, together 0.40. Directly foreign: 0.30 + 0.20 = 0.50.
    graph = _graph(
        "PCJA", [("P", "A", 0.3), ("C", "A", 0.2), ("J", "C", 0.5)], foreign={"P": "US", "C": "CN"}
    )
    assert graph.foreign_share_by_country(3) == pytest.approx({"US": 0.3, "CN": 0.1})
    assert graph.integrated_foreign_share[3] == pytest.approx(0.4)
    assert graph.direct_foreign_share[3] == pytest.approx(0.5)
    assert graph.foreign_controlled[3]  # C is foreign in full for the 50 % rule: 30 + 20
    # A's own unlisted 50 % is Japanese; with P, J's share through C and C's unlisted half,
    # the ultimate owners hold all of A.
    assert graph.ultimate_owners(3) == pytest.approx({0: 0.3, 1: 0.1, 2: 0.1, 3: 0.5})


# -- a cross-holding cycle, solved by hand -----------------------------------------------------


CROSS = [("F", "A", 0.5), ("A", "B", 0.2), ("B", "A", 0.2)]


def test_cross_holding_converges_to_the_hand_solution() -> None:
    # F (foreign) holds 50 % of A; A and B hold 20 % of each other; nobody else is recorded.
    # Foreign share x: x_A = 0.5 * 1 + 0.2 * x_B and x_B = 0.2 * x_A
    #   => x_A = 0.5 + 0.04 x_A => x_A = 0.5 / 0.96 = 25/48, x_B = 0.2 * 25/48 = 5/48.
    # Remainders: A 0.3, B 0.8, both Japanese. Ultimate owners of A:
    #   F 25/48; A's own remainder 0.3 / 0.96 = 15/48; B's 0.8 * 0.2 / 0.96 = 8/48 (sum 1).
    graph = _graph("FAB", CROSS, foreign={"F": "CN"})
    assert graph.integrated_foreign_share.tolist() == pytest.approx([1.0, 25 / 48, 5 / 48])
    assert graph.ultimate_owners(1) == pytest.approx({0: 25 / 48, 1: 15 / 48, 2: 8 / 48})
    assert graph.integrated_ownership(1) == pytest.approx({0: 25 / 48, 2: 0.2 / 0.96})
    # A is half foreign-held, so attributed; B is held 20 % by A only.
    assert graph.foreign_controlled.tolist() == [True, True, False]
    assert graph.controlled_share.tolist() == pytest.approx([0.0, 0.5, 0.2])
    # Going round the loop again carries less, so only the simple path is listed.
    assert graph.chains(1) == [Chain(path=(0, 1), share=0.5)]


def test_changing_one_stake_recomputes_the_entity_and_what_it_holds() -> None:
    graph = _graph("FAB", CROSS, foreign={"F": "CN"})
    affected = graph.apply_interest_change(0, 1, 0.6)
    assert affected.tolist() == [1, 2]  # F itself is above the change
    # x_A = 0.6 / 0.96 = 0.625, x_B = 0.2 * 0.625 = 0.125
    assert graph.integrated_foreign_share.tolist() == pytest.approx([1.0, 0.625, 0.125])
    graph.apply_interest_change(0, 1, 0.4)
    assert graph.foreign_controlled.tolist() == [True, False, False]
    assert graph.controlled_share.tolist() == pytest.approx([0.0, 0.4, 0.0])
    assert graph.direct_foreign_share.tolist() == pytest.approx([0.0, 0.4, 0.0])


def test_a_new_stake_and_a_removed_stake() -> None:
    graph = _graph("FAB", CROSS, foreign={"F": "CN"})
    graph.apply_interest_change(0, 2, 0.3)  # F buys 30 % of B: x_B = 0.3 + 0.2 x_A, etc.
    # x_A = 0.5 + 0.2 x_B, x_B = 0.3 + 0.2 x_A => x_A = 0.56 / 0.96, x_B = 0.3 + 0.2 x_A
    assert graph.integrated_foreign_share[1] == pytest.approx(0.56 / 0.96)
    assert graph.integrated_foreign_share[2] == pytest.approx(0.3 + 0.2 * 0.56 / 0.96)
    assert graph.stake(0, 2) == 0.3
    graph.apply_interest_change(1, 2, 0.0)  # A sells its 20 % of B: the loop is gone
    assert graph.stake(1, 2) == 0.0
    assert graph.integrated_foreign_share.tolist() == pytest.approx([1.0, 0.56, 0.3])
    assert graph.stake_count == 3


# -- refusals ----------------------------------------------------------------------------------


def test_owners_over_100_percent_are_refused() -> None:
    with pytest.raises(ValueError, match="more than 100 %"):
        _graph("XYA", [("X", "A", 0.6), ("Y", "A", 0.5)], foreign=X_IS_BLOCKED)


def test_a_loop_holding_itself_entirely_is_refused() -> None:
    with pytest.raises(ValueError, match="holds itself entirely"):
        _graph("AB", [("A", "B", 1.0), ("B", "A", 1.0)], foreign={})


def test_a_change_that_would_close_a_loop_is_refused_and_undone() -> None:
    graph = _graph("AB", [("A", "B", 1.0), ("B", "A", 0.5)], foreign={"A": "CN"})
    with pytest.raises(ValueError, match="holds itself entirely"):
        graph.apply_interest_change(1, 0, 1.0)
    assert graph.stake(1, 0) == 0.5
    with pytest.raises(ValueError, match="more than 100 %"):
        graph.apply_interest_change(1, 1, 0.1)  # A already holds all of B
    with pytest.raises(ValueError, match="fraction between 0 and 1"):
        graph.apply_interest_change(0, 1, 1.5)


def test_bad_input_arrays_are_refused() -> None:
    with pytest.raises(ValueError, match="ids must run"):
        OwnershipGraph([0], [2], [0.5], foreign=[False, False], country=["JP", "JP"])
    with pytest.raises(ValueError, match="fraction between 0 and 1"):
        OwnershipGraph([0], [1], [-0.1], foreign=[False, False], country=["JP", "JP"])
    with pytest.raises(ValueError, match="country codes"):
        OwnershipGraph([0], [1], [0.1], foreign=[False, False], country=["JP"])


# -- the Finnish state-owned enterprise (real BODS package) ------------------------------------


def test_finnish_soe_is_wholly_held_by_the_ministry_through_both_paths(bods: Path) -> None:
    # Valtiovarainministeriö holds 100 % of Suomen Kaasuverkko Oy, which holds 76.5 % of
    # Gasgrid Finland Oy; the ministry holds the other 23.5 % directly: 23.5 + 1.0 * 76.5 = 100.
    document = parse_bods((bods / "bods-package-fi-soe.json").read_bytes())
    graph, keys = graph_from_domain(document.parties.values(), document.stakes)
    gasgrid, ministry = keys.index("19f1c5afe9d7"), keys.index("7ff95ba3682c")
    kaasuverkko = keys.index("0199c515a699")
    assert graph.integrated_ownership(gasgrid) == pytest.approx(
        {ministry: 1.0, kaasuverkko: 0.765}, abs=1e-12
    )
    assert graph.integrated_foreign_share[gasgrid] == pytest.approx(1.0, abs=1e-12)
    assert graph.foreign_share_by_country(gasgrid) == pytest.approx({"FI": 1.0}, abs=1e-12)
    assert graph.chains(gasgrid) == [
        Chain(path=(ministry, kaasuverkko, gasgrid), share=pytest.approx(0.765)),
        Chain(path=(ministry, gasgrid), share=pytest.approx(0.235)),
    ]


def test_generated_package_person_holds_all_of_the_company_through_both_paths() -> None:
    # tests/samples.py: the person holds 40 % of Sample Seiki directly and 100 % of the holding
    # company, which holds the other 60 %: 0.4 + 1.0 * 0.6 = 1.0.
    document = parse_bods(json.dumps(samples.bods_package()).encode())
    graph, keys = graph_from_domain(document.parties.values(), document.stakes)
    company, holding, person = keys.index("co-jp"), keys.index("co-gb"), keys.index("person-1")
    assert graph.integrated_ownership(company) == pytest.approx({person: 1.0, holding: 0.6}, abs=1e-12)


# -- against the formula, computed densely in the test -----------------------------------------


@st.composite
def _ownership_systems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    size = draw(st.integers(2, 7))
    stakes = np.array(
        draw(
            st.lists(st.lists(st.integers(0, 4), min_size=size, max_size=size), min_size=size, max_size=size)
        ),
        dtype=float,
    )
    # Scale each column so its owners hold at most 95 %: no loop can hold itself entirely.
    held = np.array(draw(st.lists(st.integers(0, 95), min_size=size, max_size=size))) / 100
    totals = stakes.sum(axis=0)
    stakes = np.divide(stakes * held, totals, out=np.zeros_like(stakes), where=totals > 0)
    foreign = np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)))
    return stakes, foreign


def _dense_expectation(stakes: np.ndarray, foreign: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x = L^T (r * f) with L = (I - A)^-1, and the 50 % rule iterated to its least fixed point."""
    size = len(foreign)
    leontief = np.linalg.inv(np.eye(size) - stakes)
    remainder = 1 - stakes.sum(axis=0)
    integrated = leontief.T @ (remainder * foreign)
    attributed = foreign.copy()
    while True:
        grown = foreign | (stakes.T @ attributed >= 0.5 - 1e-9)
        if (grown == attributed).all():
            return integrated, attributed
        attributed = grown


def _graph_of(stakes: np.ndarray, foreign: np.ndarray) -> OwnershipGraph:
    owner, owned = np.nonzero(stakes)
    return OwnershipGraph(
        owner, owned, stakes[owner, owned], foreign=foreign, country=np.where(foreign, "US", "JP")
    )


@settings(max_examples=60, deadline=None)
@given(_ownership_systems())
def test_matches_the_leontief_formula(system: tuple[np.ndarray, np.ndarray]) -> None:
    stakes, foreign = system
    integrated, attributed = _dense_expectation(stakes, foreign)
    graph = _graph_of(stakes, foreign)
    assert graph.integrated_foreign_share == pytest.approx(integrated, abs=1e-9)
    assert graph.foreign_controlled.tolist() == attributed.tolist()
    assert graph.direct_foreign_share == pytest.approx(stakes.T @ foreign, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(_ownership_systems(), st.data())
def test_an_incremental_change_matches_the_formula(
    system: tuple[np.ndarray, np.ndarray], data: st.DataObject
) -> None:
    stakes, foreign = system
    graph = _graph_of(stakes, foreign)
    size = len(foreign)
    owner, owned = data.draw(st.integers(0, size - 1)), data.draw(st.integers(0, size - 1))
    room = 0.95 - (stakes[:, owned].sum() - stakes[owner, owned])
    new = data.draw(st.floats(0.0, max(room, 0.0)))
    graph.apply_interest_change(owner, owned, new)
    stakes[owner, owned] = new
    integrated, attributed = _dense_expectation(stakes, foreign)
    assert graph.integrated_foreign_share == pytest.approx(integrated, abs=1e-9)
    assert graph.foreign_controlled.tolist() == attributed.tolist()
