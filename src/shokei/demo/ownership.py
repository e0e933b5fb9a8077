"""Demo ownership: Japanese suppliers with foreign shareholders, entered through the real services.

So that alerts, the leak-risk watchlist and successor eligibility show foreign control on the
demo data, `seed_demo` ends by recording, as the intake officer would from large-shareholding
reports (大量保有報告書) and securities reports (有価証券報告書):

- the case that shaped the program: 华晨精密 (CN) buys 15 % of 若狭電子, a sonar SME, on top of
  the 2 % it held (alerts at 1 % and 10 %, a recent foreign acquisition in the watchlist);
- Pacific Components Holdings (US) holds 60 % of 信州特殊鋼, which holds 55 % of the tier-2
  supplier 日向電子: 日向電子 is foreign-controlled by attribution (the 50 % rule), 33 % foreign
  by integration;
- Straits Industrial Capital (SG) buys 1.5 % of the prime 東邦重工業: the 1 % FEFTA prior
  notification level for listed companies in designated sectors.

The companies are the demo registry's (`demo.services`, seed 2022), named by corporate number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from shokei.accounts import services as accounts
from shokei.bootstrap import Shokei
from shokei.ownership import services as ownership

SONAR_SME = "7209483577741"  # 若狭電子株式会社: ¥51M capital, 53 people, sonar and propulsion
DOMESTIC_HOLDING = "9605980613427"  # 信州特殊鋼株式会社 (tier 2)
TIER2_SUPPLIER = "5616759442735"  # 株式会社日向電子 (tier 2)
PRIME = "8402591361608"  # 東邦重工業株式会社


@dataclass(frozen=True)
class ForeignHolder:
    """A foreign company of the demo registry (`demo.services._FOREIGN`) as an ownership entity."""

    registry_id: str  # COUNTRY-ID as the registry shows it
    identifier: str  # SCHEME-ID as BODS writes it
    name: str
    country: str


HUACHEN = ForeignHolder("CN-91110000MA01", "CN-USCC-91110000MA01", "华晨精密机械有限公司", "CN")
PACIFIC = ForeignHolder("US-DE-5512873", "US-DE-5512873", "Pacific Components Holdings Inc.", "US")
STRAITS = ForeignHolder("SG-201912345K", "SG-ACRA-201912345K", "Straits Industrial Capital Pte. Ltd.", "SG")

# (holder, held, percent, days before today, source): in the order they happened.
EVENTS: list[tuple[str, str, str, int, str]] = [
    (PACIFIC.identifier, DOMESTIC_HOLDING, "60", 900, "有価証券報告書"),
    (HUACHEN.identifier, SONAR_SME, "2", 500, "大量保有報告書"),
    (DOMESTIC_HOLDING, TIER2_SUPPLIER, "55", 200, "有価証券報告書"),
    (STRAITS.identifier, PRIME, "1.5", 60, "大量保有報告書"),
    (HUACHEN.identifier, SONAR_SME, "17", 30, "大量保有報告書"),
]


def seed_ownership(shokei: Shokei) -> None:
    """Record the demo's foreign shareholders (see the module docstring) as the intake officer."""
    uow = shokei.uow
    intake = accounts.actor_for_username(uow, "intake")
    for holder in (HUACHEN, PACIFIC, STRAITS):
        ownership.add_entity(
            uow,
            intake,
            kind="foreign_company",
            name=holder.name,
            country=holder.country,
            identifiers=[holder.identifier],
            company=holder.registry_id,
        )
    today = uow.clock.today()
    for owner, owned, share, days_ago, source in EVENTS:
        ownership.record_interest_change(
            uow,
            intake,
            owner=owner,
            owned=owned,
            share=share,
            on=today - timedelta(days=days_ago),
            source=source,
        )
