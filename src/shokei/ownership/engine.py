"""Foreign ownership through chains of shareholdings, for every entity at once.

Notation: `A[i, j]` is the fraction of entity j held directly by entity i. Every column sums to
at most 1. What nobody declared, the remainder `r[j] = 1 - sum_i A[i, j]`, is held by holders
unknown to us; they are taken to share j's nationality (a foreign company's unlisted holders are
foreign, a Japanese company's are Japanese). A person or a state has no owners, so r = 1: it is
its own ultimate owner.

Three measures, each a fraction 0..1 of every entity j:

1. Direct foreign share: `d = A^T f`, where `f[i] = 1` for a foreign entity.
2. Integrated foreign share. Ownership multiplies along a chain and adds over all chains, cycles
   included: the Leontief inverse `L = (I - A)^-1 = I + A + A^2 + ...` sums every path, and the
   integrated ownership of j by i is `(A L)[i, j] = (L - I)[i, j]`. The ultimate owners of j are
   the remainders above it: remainder k holds `r[k] L[k, j]` of j, and these add up to exactly 1
   because `r^T = 1^T (I - A)`. The foreign integrated share is the part held by the remainders of
   foreign entities, `x = L^T (r * f)`, found by solving `(I - A^T) x = r * f` with a sparse LU
   factorisation. Summing `(L - I)[i, j]` over all foreign i instead would count twice what a
   foreign parent holds through its foreign subsidiary.
3. Control attribution (OFAC 50 % rule style): S is the least set that holds every foreign
   entity and every entity of which members of S together hold 50 % or more; the measure is
   `c[j] = sum of A[i, j] over i in S` and `foreign_controlled[j]` says whether j is in S.

The series converges, and the system is regular, when every column sums to at most 1 and no
closed loop of entities holds itself entirely (Perron-Frobenius: a strongly connected block has
spectral radius 1 exactly when each of its columns sums to 1 inside the block). Both conditions
are checked on construction and on every change.

Changing one stake of `owned` can move only `owned` and the entities below it (its descendants):
nothing above them depends on them. `apply_interest_change` re-solves just that set, with the
values of everything else held fixed.
"""

from __future__ import annotations

import heapq
import itertools
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, connected_components
from scipy.sparse.linalg import MatrixRankWarning, spsolve

from shokei.ownership.domain import Interest, Party

FloatArray = npt.NDArray[np.float64]
IdArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
ArrayT = TypeVar("ArrayT", bound=np.ndarray[Any, Any])

CONTROL_LEVEL = 0.5
# Shares are declared in decimal percent and computed in binary floating point: 33.33 + 33.33 +
# 33.34 may sum to 1.0000000000000002. Sums and the 50 % test get this much slack.
TOLERANCE = 1e-9
# Best-first path search stops after this many expansions, so that a dense tangle of cross
# holdings cannot make an explanation request run away.
MAX_CHAIN_EXPANSIONS = 20_000


@dataclass(frozen=True)
class ForeignMeasures:
    direct: float
    integrated: float
    controlled_share: float
    foreign_controlled: bool


@dataclass(frozen=True)
class Chain:
    """One path of ownership, from an ultimate owner down to the entity, and the share it carries.

    `share` is the product of the stakes along the path times the part of the first entity that
    nobody else is recorded as holding (1 for a person or a state).
    """

    path: tuple[int, ...]
    share: float
    # stakes[n] is what path[n] holds of path[n + 1]; kept so explaining a chain needs no lookups.
    stakes: tuple[float, ...] = field(default=(), compare=False)


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


class OwnershipGraph:
    """The three foreign-ownership measures for entities `0 .. len(foreign) - 1`.

    `owner`, `owned` and `fraction` are parallel arrays of direct stakes (fractions 0-1;
    repeated pairs are added up). `foreign` flags foreign entities (see
    `shokei.ownership.domain.is_foreign`); `country` gives each entity's ISO code ("" unknown).
    Raises ValueError when a company's owners hold more than 100 % or a closed loop of
    entities holds itself entirely.
    """

    def __init__(
        self,
        owner: npt.ArrayLike,
        owned: npt.ArrayLike,
        fraction: npt.ArrayLike,
        *,
        foreign: npt.ArrayLike,
        country: npt.ArrayLike,
        compute: bool = True,
    ) -> None:
        self._foreign: BoolArray = np.array(foreign, dtype=np.bool_).ravel()  # a private copy
        size = self._foreign.size
        self._country_names, self._country_index = _encode_countries(country, size)
        self._holdings = _stake_matrix(owner, owned, fraction, size)  # row owner -> owned
        self._holders = _transposed(self._holdings)  # row owned -> its owners
        self._column_sum: FloatArray = _row_sums(self._holders)
        _require_at_most_whole(self._column_sum)
        _require_no_closed_loop(self._holdings)
        self._direct: FloatArray = np.zeros(size)
        self._remainder: FloatArray = np.zeros(size)
        self._integrated: FloatArray = np.zeros(size)
        self._controlled: FloatArray = np.zeros(size)
        self._attributed: BoolArray = np.zeros(size, dtype=np.bool_)
        # What each entity's unlisted holders contribute as foreign ultimate owners: read by every
        # chain search, so kept between recomputations instead of rebuilt per search.
        self._foreign_remainder: FloatArray | None = None
        if compute:  # else the caller computes what it needs (`recompute_entities`)
            self.recompute()

    # -- the measures -------------------------------------------------------------------------

    @property
    def entity_count(self) -> int:
        """How many entities the graph spans (ids 0 .. entity_count - 1)."""
        return int(self._foreign.size)

    @property
    def stake_count(self) -> int:
        """How many holder and held pairs carry a stake."""
        return int(self._holdings.nnz)

    @property
    def direct_foreign_share(self) -> FloatArray:
        """Share held directly by foreign entities (measure 1), per entity, read-only."""
        return _read_only(self._direct)

    @property
    def integrated_foreign_share(self) -> FloatArray:
        """Share held by foreign ultimate owners through every chain (measure 2), read-only."""
        return _read_only(self._integrated)

    @property
    def controlled_share(self) -> FloatArray:
        """Share held by foreign entities and by entities attributed foreign (measure 3)."""
        return _read_only(self._controlled)

    @property
    def foreign_controlled(self) -> BoolArray:
        """Foreign, or held 50 % or more by foreign and foreign-controlled entities together."""
        return _read_only(self._attributed)

    def measures(self, entity: int) -> ForeignMeasures:
        """The three measures of one entity."""
        self._require_entity(entity)
        return ForeignMeasures(
            direct=float(self._direct[entity]),
            integrated=float(self._integrated[entity]),
            controlled_share=float(self._controlled[entity]),
            foreign_controlled=bool(self._attributed[entity]),
        )

    def stake(self, owner: int, owned: int) -> float:
        """The direct fraction of `owned` held by `owner` (0 when there is none)."""
        self._require_entity(owner)
        self._require_entity(owned)
        position = _position(self._holdings, owner, owned)
        return 0.0 if position is None else float(self._holdings.data[position])

    # -- recomputation ------------------------------------------------------------------------

    def recompute(self) -> None:
        """Compute every measure for every entity from the stakes."""
        self._recompute(np.arange(self.entity_count, dtype=np.intp))

    def recompute_entities(self, entities: npt.ArrayLike) -> None:
        """Compute the measures of `entities` only, every other entity's values held fixed.

        Exact when every holder of these entities outside them already has its measures: for
        a set closed upwards (all holders of a member are members), or for what lies below
        entities already computed. A graph built with `compute=False` starts at zero.
        """
        nodes = np.unique(np.asarray(entities, dtype=np.intp).ravel())
        if nodes.size and (nodes[0] < 0 or nodes[-1] >= self.entity_count):
            raise ValueError(f"entity ids must run from 0 to {self.entity_count - 1}")
        if nodes.size:
            self._recompute(nodes)

    def apply_interest_change(self, owner: int, owned: int, new_fraction: float) -> IdArray:
        """Set the stake of `owner` in `owned` (0 removes it) and update the affected entities.

        Returns the ids whose measures were recomputed: `owned` and everything below it.
        Raises ValueError, leaving the graph unchanged, when the owners of `owned` would hold
        more than 100 % or the change would close a loop that holds itself entirely.
        """
        self._require_entity(owner)
        self._require_entity(owned)
        if not 0.0 <= new_fraction <= 1.0:
            raise ValueError(f"a stake is a fraction between 0 and 1, not {new_fraction}")
        old_fraction = self.stake(owner, owned)
        if self._column_sum[owned] - old_fraction + new_fraction > 1.0 + TOLERANCE:
            raise ValueError(f"the owners of entity {owned} would hold more than 100 %")
        self._set_stake(owner, owned, new_fraction)
        if self._in_closed_loop(owned):
            self._set_stake(owner, owned, old_fraction)
            raise ValueError(f"entity {owned} would sit in a loop that holds itself entirely")
        affected = self.descendants(owned)
        self._recompute(affected)
        return affected

    def _recompute(self, nodes: IdArray) -> None:
        self._foreign_remainder = None
        inside, boundary = _restrict(self._holders, nodes)
        foreign = self._foreign[nodes]
        self._direct[nodes] = inside @ foreign.astype(np.float64) + boundary.pull(
            self._foreign.astype(np.float64)
        )
        self._remainder[nodes] = np.clip(1.0 - self._column_sum[nodes], 0.0, 1.0)
        held_foreign = self._remainder[nodes] * foreign + boundary.pull(self._integrated)
        self._integrated[nodes] = _solve_leontief(inside, held_foreign)
        controlled, attributed = _attribute(
            inside, foreign, boundary.pull(self._attributed.astype(np.float64))
        )
        self._controlled[nodes] = controlled
        self._attributed[nodes] = attributed

    def _set_stake(self, owner: int, owned: int, fraction: float) -> None:
        in_holdings = _position(self._holdings, owner, owned)
        in_holders = _position(self._holders, owned, owner)
        if in_holdings is not None and in_holders is not None:
            self._holdings.data[in_holdings] = fraction
            self._holders.data[in_holders] = fraction
            if fraction == 0.0:
                self._holdings.eliminate_zeros()
                self._holders.eliminate_zeros()
        elif fraction > 0.0:
            size = self.entity_count
            entry = sp.csr_array(([fraction], ([owner], [owned])), shape=(size, size))
            self._holdings = _canonical(self._holdings + entry)
            self._holders = _canonical(self._holders + entry.T)
        start, end = self._holders.indptr[owned], self._holders.indptr[owned + 1]
        self._column_sum[owned] = float(self._holders.data[start:end].sum())

    def _in_closed_loop(self, entity: int) -> bool:
        if self._column_sum[entity] < 1.0 - TOLERANCE:
            return False  # a loop can only close through a column that is now full
        loop = np.intersect1d(self.descendants(entity), self.ancestors(entity))
        inside, _ = _restrict(self._holders, loop)
        return bool(np.all(_row_sums(inside) >= 1.0 - TOLERANCE))

    # -- explanation --------------------------------------------------------------------------

    def descendants(self, entity: int) -> IdArray:
        """`entity` and every entity it holds, directly or through others (sorted ids)."""
        self._require_entity(entity)
        return _reachable(self._holdings, entity)

    def ancestors(self, entity: int) -> IdArray:
        """`entity` and every entity holding it, directly or through others (sorted ids)."""
        self._require_entity(entity)
        return _reachable(self._holders, entity)

    def integrated_ownership(self, entity: int) -> dict[int, float]:
        """Each entity above `entity` and the share it holds through all chains, `(L - I)[i, j]`."""
        above, through = self._leontief_column(entity)
        return {
            int(holder): float(value)
            for holder, value in zip(above, through, strict=True)
            if holder != entity and value > 0.0
        }

    def ultimate_owners(self, entity: int) -> dict[int, float]:
        """Each remainder above `entity` (unlisted holders) and the share it holds; sums to 1."""
        above, through = self._leontief_column(entity)
        held = self._remainder[above] * through
        return {int(holder): float(value) for holder, value in zip(above, held, strict=True) if value > 0.0}

    def foreign_share_by_country(self, entity: int) -> dict[str, float]:
        """The integrated foreign share of `entity` split by the country of its ultimate owners."""
        by_country: dict[str, float] = {}
        for holder, share in self.ultimate_owners(entity).items():
            if self._foreign[holder]:
                country = str(self._country_names[self._country_index[holder]])
                by_country[country] = by_country.get(country, 0.0) + share
        return by_country

    def chains(self, entity: int, top: int = 5, *, only_foreign: bool = True) -> list[Chain]:
        """The `top` simple paths carrying the most ownership of `entity` to its ultimate owners.

        Paths that go round a cross-holding more than once are counted in the integrated share
        but not listed: each pass round the loop carries less than the one before.
        """
        self._require_entity(entity)
        if not only_foreign:
            return _best_chains(self._holders, self._remainder, entity, top)
        if self._foreign_remainder is None:
            self._foreign_remainder = self._remainder * self._foreign
        return _best_chains(self._holders, self._foreign_remainder, entity, top)

    def _leontief_column(self, entity: int) -> tuple[IdArray, FloatArray]:
        above = self.ancestors(entity)
        inside, _ = _restrict(self._holdings, above)
        unit = (above == entity).astype(np.float64)
        return above, _solve_leontief(inside, unit)

    def _require_entity(self, entity: int) -> None:
        if not 0 <= entity < self.entity_count:
            raise ValueError(f"no entity {entity}: ids run from 0 to {self.entity_count - 1}")


def graph_from_domain(
    parties: Iterable[Party], stakes: Iterable[Interest]
) -> tuple[OwnershipGraph, tuple[str, ...]]:
    """A graph over `parties` (ids in the order given) from stakes with a share.

    Each stake counts with the lower bound of its share. Returns the graph and the party keys,
    so that `keys[id]` names entity `id`. For small and medium sets; at national scale build the
    id arrays straight from stored rows.
    """
    parties = list(parties)
    keys = tuple(party.key for party in parties)
    index = {key: position for position, key in enumerate(keys)}
    rows = [
        (index[stake.owner], index[stake.owned], stake.share.fraction())
        for stake in stakes
        if stake.share is not None and stake.share.fraction() is not None
    ]
    owner, owned, fraction = (list(column) for column in zip(*rows, strict=True)) if rows else ([], [], [])
    graph = OwnershipGraph(
        owner,
        owned,
        fraction,
        foreign=[party.is_foreign for party in parties],
        country=[party.country or "" for party in parties],
    )
    return graph, keys


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
