"""Chains carry the stake held at each step, so explaining one needs no further lookups."""

from __future__ import annotations

import pytest

from shokei.ownership.engine import OwnershipGraph


def test_each_chain_lists_the_stakes_along_its_path() -> None:
    # OFAC FAQ 401 example 3: X (0) holds 50 % of A (1) and 10 % of B (2); A holds 40 % of B.
    graph = OwnershipGraph(
        [0, 0, 1], [1, 2, 2], [0.5, 0.1, 0.4], foreign=[True, False, False], country=["RU", "JP", "JP"]
    )
    chains = graph.chains(2)
    assert [(chain.path, chain.stakes) for chain in chains] == [
        ((0, 1, 2), (pytest.approx(0.5), pytest.approx(0.4))),
        ((0, 2), (pytest.approx(0.1),)),
    ]
    for chain in chains:  # the share is the product of the stakes (X's remainder is 1)
        product = 1.0
        for stake in chain.stakes:
            product *= stake
        assert chain.share == pytest.approx(product)


def test_a_changed_stake_shows_in_the_next_chains() -> None:
    graph = OwnershipGraph(
        [0, 1], [1, 2], [0.5, 0.5], foreign=[True, False, False], country=["CN", "JP", "JP"]
    )
    graph.apply_interest_change(1, 2, 0.8)
    (chain,) = graph.chains(2)
    assert (chain.stakes, chain.share) == ((pytest.approx(0.5), pytest.approx(0.8)), pytest.approx(0.4))
