"""Computing part of an ownership graph: what an ownership event does with the graph it loads.

Entities 0 (a foreign company) and 1 (a Japanese person) hold 2; 2 and 3 hold each other (a
cycle); 3 holds 4. {0, 1, 2, 3} is closed upwards (every holder of a member is a member), so its
measures computed alone are exact; 4 is then computed against them.
"""

from __future__ import annotations

import numpy as np
import pytest

from shokei.ownership.engine import OwnershipGraph

OWNER = [0, 1, 2, 3, 3]
OWNED = [2, 2, 3, 2, 4]
FRACTION = [0.6, 0.3, 0.5, 0.1, 0.8]
FOREIGN = [True, False, False, False, False]
COUNTRY = ["CN", "JP", "JP", "JP", "JP"]


def _graph(*, compute: bool) -> OwnershipGraph:
    return OwnershipGraph(OWNER, OWNED, FRACTION, foreign=FOREIGN, country=COUNTRY, compute=compute)


def test_a_set_closed_upwards_then_what_lies_below_gives_the_full_answer() -> None:
    full, part = _graph(compute=True), _graph(compute=False)
    assert part.integrated_foreign_share.tolist() == [0.0] * 5  # nothing computed yet
    part.recompute_entities([3, 0, 2, 1])
    # By hand: 2 is held 60 % by the foreign company and 10 % by 3, which is 50 % held by 2;
    # x2 = 0.6 + 0.1 * x3 and x3 = 0.5 * x2, so x2 = 0.6 / 0.95, x3 = 0.3 / 0.95.
    assert part.integrated_foreign_share[2] == pytest.approx(0.6 / 0.95)
    assert part.integrated_foreign_share[3] == pytest.approx(0.3 / 0.95)
    assert part.integrated_foreign_share[4] == 0.0
    part.recompute_entities([4])
    assert part.integrated_foreign_share[4] == pytest.approx(0.8 * 0.3 / 0.95)
    for measure in ("direct_foreign_share", "integrated_foreign_share", "controlled_share"):
        np.testing.assert_allclose(getattr(part, measure), getattr(full, measure), atol=1e-15)
    assert part.foreign_controlled.tolist() == full.foreign_controlled.tolist()


def test_ids_outside_the_graph_are_refused() -> None:
    with pytest.raises(ValueError, match="run from 0 to 4"):
        _graph(compute=False).recompute_entities([5])
