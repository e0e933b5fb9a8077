"""Foreign ownership for eligibility through the ownership feature (the `ForeignOwnershipSource` port).

A candidate with an entity in the ownership graph is judged by the **integrated** foreign share
(every chain up to the ultimate owners, the Leontief inverse) and by the **attributed** measure
(the OFAC 50 % rule: held 50 % or more by foreign and foreign-controlled holders together makes
it foreign-controlled, whatever the integrated share). A candidate without an entity falls back
to the direct share recorded with `shokei company update --foreign-share`. The reason names
the basis and the main foreign chain, e.g. "foreign ownership 48% (integrated) via 海外社→持株会社→候補社".

One ranking loads the graph once: `load_exposures` asks `ownership.services.foreign_exposure`
for every registry company's figures (one whole-graph computation), before the succession
transaction opens (a use case is one transaction; SQLite allows one writer at a time).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from shokei.companies.domain import CompanyRecord
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services as ownership
from shokei.ownership.schemas import CompanyForeignExposure
from shokei.succession.domain import ForeignOwnership, OwnershipBasis

# The ownership engine's control level and float slack (`ownership.engine`: 50 %, 1e-9).
CONTROL_LEVEL = 0.5
TOLERANCE = 1e-9

Exposures = Mapping[int, CompanyForeignExposure]


def load_exposures(uow: UnitOfWork, actor: Actor) -> Exposures:
    """Every registry company's foreign figures and main foreign chain, by company id, from one
    load of the ownership graph (officials and auditors: ownership read permission)."""
    return ownership.foreign_exposure(uow, actor, acquisitions_since=uow.clock.today(), chains_from=0.0)


def _percent(fraction: float) -> Decimal:
    """A fraction 0-1 as percent with three decimals (0.48 -> 48; float noise rounded off)."""
    return Decimal(str(round(fraction * 100, 3)))


def direct_share(company: CompanyRecord) -> ForeignOwnership | None:
    """The direct foreign share recorded on the company, or None when nothing is recorded."""
    if company.foreign_share_percent is None:
        return None
    percent = Decimal(company.foreign_share_percent)
    return ForeignOwnership(percent, OwnershipBasis.DIRECT, foreign_controlled=percent > Decimal(50))


def integrated_share(exposure: CompanyForeignExposure) -> ForeignOwnership:
    """The ownership engine's figures as eligibility reads them."""
    chain = tuple(step.name for step in exposure.chain.path) if exposure.chain else ()
    return ForeignOwnership(
        _percent(exposure.integrated_foreign),
        OwnershipBasis.INTEGRATED,
        foreign_controlled=exposure.attributed_foreign >= CONTROL_LEVEL - TOLERANCE,
        chain=chain,
        attributed_percent=_percent(exposure.attributed_foreign),
    )


class GraphForeignOwnership:
    """`ForeignOwnershipSource`: integrated share from the ownership graph, else the direct one."""

    def __init__(self, exposures: Exposures, companies: Iterable[CompanyRecord]) -> None:
        self._by_number: dict[str, ForeignOwnership | None] = {}
        for company in companies:
            if not company.corporate_number:
                continue
            exposure = exposures.get(company.id)
            owned = integrated_share(exposure) if exposure is not None else direct_share(company)
            self._by_number[company.corporate_number] = owned

    def foreign_ownership(self, corporate_number: str) -> ForeignOwnership | None:
        return self._by_number.get(corporate_number)
