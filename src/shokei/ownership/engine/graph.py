"""`OwnershipGraph`: the three foreign measures of every entity, kept current stake by stake, and
the graph built from domain parties and interests (see `shokei.ownership.engine` for the
notation and the conditions it checks)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from shokei.ownership.domain import Interest, Party
from shokei.ownership.engine.measures import (
    TOLERANCE,
    BoolArray,
    Chain,
    FloatArray,
    ForeignMeasures,
    IdArray,
)
from shokei.ownership.engine.sparse import (
    _attribute,
    _best_chains,
    _canonical,
    _encode_countries,
    _position,
    _reachable,
    _read_only,
    _require_at_most_whole,
    _require_no_closed_loop,
    _restrict,
    _row_sums,
    _solve_leontief,
    _stake_matrix,
    _transposed,
)


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
