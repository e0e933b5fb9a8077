"""The sparse linear algebra under `OwnershipGraph`: building and checking the stake matrix,
solving the Leontief system and attributing control on a node set, and the best-first search
for the chains that carry the most ownership (see `shokei.ownership.engine` for the notation)."""

from __future__ import annotations

import heapq
import itertools
import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, connected_components
from scipy.sparse.linalg import MatrixRankWarning, spsolve

from shokei.ownership.engine.measures import (
    CONTROL_LEVEL,
    MAX_CHAIN_EXPANSIONS,
    TOLERANCE,
    ArrayT,
    BoolArray,
    Chain,
    FloatArray,
    IdArray,
)


@dataclass(frozen=True)
class _Boundary:
    """Stakes held in a node set by entities outside it, whose values stay fixed."""

    local_rows: IdArray
    holders: IdArray
    weights: FloatArray
    size: int

    def pull(self, values: FloatArray) -> FloatArray:
        weighted = self.weights * values[self.holders]
        return np.bincount(self.local_rows, weights=weighted, minlength=self.size).astype(np.float64)


# -- building and checking the stake matrix ----------------------------------------------------


def _encode_countries(country: npt.ArrayLike, size: int) -> tuple[npt.NDArray[np.str_], IdArray]:
    codes = np.asarray(country, dtype=np.str_).ravel()
    if codes.size != size:
        raise ValueError(f"{codes.size} country codes for {size} entities")
    names, index = np.unique(codes, return_inverse=True)
    return names, index.astype(np.intp).ravel()


def _stake_matrix(
    owner: npt.ArrayLike, owned: npt.ArrayLike, fraction: npt.ArrayLike, size: int
) -> sp.csr_array:
    owners = np.asarray(owner, dtype=np.intp).ravel()
    owned_ids = np.asarray(owned, dtype=np.intp).ravel()
    fractions = np.asarray(fraction, dtype=np.float64).ravel()
    if not owners.size == owned_ids.size == fractions.size:
        raise ValueError("owner, owned and fraction must have the same length")
    if owners.size and (min(owners.min(), owned_ids.min()) < 0 or max(owners.max(), owned_ids.max()) >= size):
        raise ValueError(f"entity ids must run from 0 to {size - 1}")
    if not np.all(np.isfinite(fractions) & (fractions >= 0.0) & (fractions <= 1.0)):
        raise ValueError("every stake must be a fraction between 0 and 1")
    return _canonical(sp.coo_array((fractions, (owners, owned_ids)), shape=(size, size)))


def _canonical(matrix: sp.sparray) -> sp.csr_array:
    canonical = sp.csr_array(matrix)
    canonical.sum_duplicates()  # also sorts the column indices, which _position relies on
    canonical.eliminate_zeros()
    return canonical


def _transposed(matrix: sp.csr_array) -> sp.csr_array:
    return _canonical(matrix.T)


def _row_sums(matrix: sp.csr_array) -> FloatArray:
    return np.asarray(matrix.sum(axis=1), dtype=np.float64).ravel()


def _require_at_most_whole(column_sum: FloatArray) -> None:
    over = np.flatnonzero(column_sum > 1.0 + TOLERANCE)
    if over.size:
        raise ValueError(
            f"the declared owners of {over.size} entities hold more than 100 %, "
            f"e.g. entities {over[:10].tolist()}"
        )


def _require_no_closed_loop(holdings: sp.csr_array) -> None:
    count, label = connected_components(holdings, directed=True, connection="strong")
    stakes = holdings.tocoo()
    within = label[stakes.row] == label[stakes.col]
    held_within = np.bincount(stakes.col[within], weights=stakes.data[within], minlength=holdings.shape[0])
    least = np.full(count, np.inf)
    np.minimum.at(least, label, held_within)
    closed = np.flatnonzero((least >= 1.0 - TOLERANCE)[label])
    if closed.size:
        raise ValueError(f"entities {closed[:10].tolist()} form a loop that holds itself entirely")


# -- solving on a node set ---------------------------------------------------------------------


def _restrict(matrix: sp.csr_array, nodes: IdArray) -> tuple[sp.csr_array, _Boundary]:
    """Rows `nodes` of `matrix`: the block among `nodes`, and the entries from outside them."""
    rows = sp.csr_array(matrix[nodes]).tocoo()
    local = np.minimum(np.searchsorted(nodes, rows.col), nodes.size - 1)
    inside = nodes[local] == rows.col
    block = sp.csr_array(
        (rows.data[inside], (rows.row[inside], local[inside])), shape=(nodes.size, nodes.size)
    )
    outside = ~inside
    boundary = _Boundary(
        local_rows=rows.row[outside].astype(np.intp),
        holders=rows.col[outside].astype(np.intp),
        weights=rows.data[outside].astype(np.float64),
        size=int(nodes.size),
    )
    return block, boundary


def _solve_leontief(block: sp.sparray, right_hand_side: FloatArray) -> FloatArray:
    """Solve `(I - block) x = b`, and refuse an answer that does not satisfy the equations."""
    if block.nnz == 0:
        return right_hand_side.astype(np.float64)
    system = sp.csc_array(sp.identity(block.shape[0], format="csc") - block)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MatrixRankWarning)
        try:
            solution = np.atleast_1d(np.asarray(spsolve(system, right_hand_side), dtype=np.float64))
        except MatrixRankWarning as singular:
            raise ArithmeticError("the ownership system is singular") from singular
    residual = np.abs(system @ solution - right_hand_side).max(initial=0.0)
    if not np.all(np.isfinite(solution)) or residual > TOLERANCE:
        raise ArithmeticError(f"the ownership system did not solve (residual {residual:.3g})")
    return solution


def _attribute(
    block: sp.csr_array, foreign: BoolArray, held_from_outside: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """Least fixed point of the 50 % rule on a node set, grown wave by wave from its seeds."""
    holds = sp.csr_array(block.T)  # row = local holder -> the local entities it holds
    controlled = held_from_outside.astype(np.float64)
    attributed = np.zeros(foreign.size, dtype=np.bool_)
    wave = np.flatnonzero(foreign | (controlled >= CONTROL_LEVEL - TOLERANCE))
    while wave.size:
        attributed[wave] = True
        held = sp.csr_array(holds[wave])
        controlled += np.bincount(held.indices, weights=held.data, minlength=foreign.size)
        wave = np.flatnonzero(~attributed & (controlled >= CONTROL_LEVEL - TOLERANCE))
    return controlled, attributed


# -- graph helpers -----------------------------------------------------------------------------


def _position(matrix: sp.csr_array, row: int, column: int) -> int | None:
    start, end = int(matrix.indptr[row]), int(matrix.indptr[row + 1])
    hit = start + int(np.searchsorted(matrix.indices[start:end], column))
    return hit if hit < end and int(matrix.indices[hit]) == column else None


def _reachable(matrix: sp.csr_array, start: int) -> IdArray:
    order = breadth_first_order(matrix, start, directed=True, return_predecessors=False)
    return np.sort(np.asarray(order, dtype=np.intp))


def _read_only(values: ArrayT) -> ArrayT:
    view = values.view()
    view.flags.writeable = False
    return view


def _best_chains(holders: sp.csr_array, contributes: FloatArray, entity: int, top: int) -> list[Chain]:
    """Best-first search upwards; a finished path's key is exact, an open path's an upper bound."""
    tie_breaker = itertools.count()
    frontier: list[tuple[float, int, bool, tuple[int, ...], tuple[float, ...]]] = [
        (-1.0, next(tie_breaker), False, (entity,), ())
    ]
    found: list[Chain] = []
    expansions = 0
    while frontier and len(found) < top and expansions < MAX_CHAIN_EXPANSIONS:
        negative_key, _, finished, path, stakes = heapq.heappop(frontier)
        if finished:
            found.append(Chain(path=path, share=float(-negative_key), stakes=stakes))
            continue
        expansions += 1
        head = path[0]
        if contributes[head] > 0.0:
            heapq.heappush(
                frontier, (negative_key * contributes[head], next(tie_breaker), True, path, stakes)
            )
        start, end = holders.indptr[head], holders.indptr[head + 1]
        for holder, stake in zip(holders.indices[start:end], holders.data[start:end], strict=True):
            if int(holder) not in path:
                heapq.heappush(
                    frontier,
                    (
                        negative_key * float(stake),
                        next(tie_breaker),
                        False,
                        (int(holder), *path),
                        (float(stake), *stakes),
                    ),
                )
    return found
