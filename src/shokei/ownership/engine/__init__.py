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

from shokei.ownership.engine.graph import OwnershipGraph, graph_from_domain
from shokei.ownership.engine.measures import (
    CONTROL_LEVEL,
    MAX_CHAIN_EXPANSIONS,
    TOLERANCE,
    Chain,
    ForeignMeasures,
)

__all__ = [
    "CONTROL_LEVEL",
    "MAX_CHAIN_EXPANSIONS",
    "TOLERANCE",
    "Chain",
    "ForeignMeasures",
    "OwnershipGraph",
    "graph_from_domain",
]
