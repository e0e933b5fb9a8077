"""The demo's foreign shareholders, recorded through the real services on the demo registry.

What the demo records (src/shokei/demo/ownership.py), and what follows by hand:

- 华晨精密 (CN) held 2 % of 若狭電子 (a sonar SME: ¥51M, 53 people) and bought up to 17 % a
  month ago: foreign control 17 % -> alerts at 1 % and 10 %, chain 华晨精密 [17 %] -> 若狭電子;
  in the watchlist SME 10, foreign control >= 10 % 15, a recent foreign acquisition 15.
- Pacific Components (US) holds 60 % of 信州特殊鋼, which holds 55 % of 日向電子: 信州特殊鋼 is
  foreign-controlled (60 %), so 日向電子 is attributed 55 % (>= 50 %: 40 points, alerts at
  1, 10, 25 and 50 %) and integrated 60 % x 55 % = 33 %.
- Straits Industrial Capital (SG) bought 1.5 % of 東邦重工業: one alert, at 1 %.

The registry is the demo's own (the same seeded generator `demo seed` registers), so the
companies the demo names are the demo's.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from shokei.accounts import services as accounts
from shokei.bootstrap import Shokei
from shokei.companies import services as companies
from shokei.companies.schemas import CompanyInput
from shokei.demo.ownership import seed_ownership
from shokei.demo.services import _FOREIGN, _company_inputs
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services as ownership
from shokei.risk import services as risk
from shokei.risk.criticality import NoCriticality
from shokei.risk.schemas import WatchlistEntry
from shokei.settings import Settings

SONAR_SME = "7209483577741"
HOLDING = "9605980613427"
TIER2 = "5616759442735"
PRIME = "8402591361608"
ADMIN = Actor(9101, "demo-admin", Role.ADMIN)
AUDITOR = Actor(9102, "demo-auditor", Role.AUDITOR)


def _factors(entry: WatchlistEntry) -> dict[str, tuple[float, str]]:
    return {factor.name: (factor.contribution, factor.evidence) for factor in entry.factors}


def test_the_demo_shows_foreign_control_in_alerts_and_the_watchlist(uow: UnitOfWork, tmp_path: Path) -> None:
    for data in _company_inputs(random.Random(2022), 200):  # the demo registry, as `demo seed` makes it
        companies.register_company(uow, ADMIN, data)
    for country, registry_id, name, name_en in _FOREIGN:
        companies.register_company(
            uow,
            ADMIN,
            CompanyInput(
                foreign_country=country, foreign_registry_id=registry_id, name=name, name_en=name_en
            ),
        )
    accounts.add_user(uow, None, "intake", "intake_officer", password="a long enough password")
    seed_ownership(Shokei(Settings(data_dir=tmp_path / "var"), uow))

    alerts = ownership.list_alerts(uow, AUDITOR, status="open")
    assert sorted((alert.corporate_number or "", alert.threshold) for alert in alerts) == sorted(
        [(SONAR_SME, 0.01), (SONAR_SME, 0.10), (PRIME, 0.01)]
        + [(number, level) for number in (HOLDING, TIER2) for level in (0.01, 0.10, 0.25, 0.50)]
    )
    (sonar,) = [a for a in alerts if (a.corporate_number, a.threshold) == (SONAR_SME, 0.10)]
    assert sonar.company_name == "若狭電子株式会社"
    assert sonar.measures["foreign_control"] == pytest.approx(0.17)
    assert sonar.chain is not None
    assert [(step.name, step.country, step.holds) for step in sonar.chain.path] == [
        ("华晨精密机械有限公司", "CN", pytest.approx(0.17)),
        ("若狭電子株式会社", "JP", None),
    ]
    (tier2,) = [a for a in alerts if (a.corporate_number, a.threshold) == (TIER2, 0.50)]
    assert tier2.measures["attributed"] == pytest.approx(0.55)
    assert tier2.measures["integrated"] == pytest.approx(0.33)
    assert tier2.chain is not None
    assert [step.country for step in tier2.chain.path] == ["US", "JP", "JP"]

    watchlist = risk.watchlist(uow, AUDITOR, criticality=NoCriticality())
    by_number = {entry.corporate_number: entry for entry in watchlist}
    sme = by_number[SONAR_SME]
    factors = _factors(sme)
    assert {name: points for name, (points, _) in factors.items()} == {
        "sme": 10,
        "foreign_control": 15,
        "recent_foreign_acquisition": 15,
    }
    assert "华晨精密机械有限公司 (CN) [17 %] -> 若狭電子株式会社 (JP)" in factors["foreign_control"][1]
    assert "2 % -> 17 %" in factors["recent_foreign_acquisition"][1]
    assert _factors(by_number[TIER2])["foreign_control"][0] == 40
    # Only the companies with foreign holders score more than the sonar SME's 40 here.
    assert sme.score == 40
    assert {entry.corporate_number for entry in watchlist[: sme.rank - 1]} <= {HOLDING, TIER2}
    # One company scored alone agrees with the watchlist.
    alone = risk.company_risk(uow, AUDITOR, SONAR_SME, criticality=NoCriticality())
    assert alone.model_dump(exclude={"rank"}) == sme.model_dump(exclude={"rank"})
