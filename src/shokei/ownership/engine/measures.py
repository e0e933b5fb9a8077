"""The engine's vocabulary: array types, tolerances and limits, and the values it answers with
(an entity's foreign measures, a chain of ownership)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

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
