"""The leak-risk watchlist on a small hand-built supplier base, scored with the test policy.

Four companies, each expected score worked out by hand from the facts recorded for it:

- A 北斗通信機 (SME, ¥50M, 40 people): SME 10; losses FY2024-25 15 + equity ratio 5 % 10;
  restructuring announced 15; 华晨精密 bought 12 % in May: foreign control >= 10 % 15 and a
  recent foreign acquisition 15; an open exit case 20; criticality 250 -> 30 * 250/500 = 15.
  115, critical -> temporary acquisition.
- C 相模光学 (large): 华晨精密 bought 55 %: foreign control >= 50 % 40, acquisition 15. 55, not
  critical -> early outreach.
- D 筑波電子 (large): nothing but criticality 600 -> the full 30. Critical, 30 -> early outreach.
- B 信州金属 (large): a credit event 20 -> monitor.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from shokei.accounts import services as accounts
from shokei.cases import services as cases
from shokei.errors import BadInput, Forbidden, Text
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services as ownership
from shokei.risk import services
from shokei.risk.criticality import SUPPLY_CHAIN_SERVICES, SupplyChainCriticality
from shokei.risk.domain import CriticalityFacts
from shokei.risk.schemas import WatchlistEntry
from shokei.supply_chain import services as supply_chain
from shokei.supply_chain.io import SupplyFile, format_of
from shokei.web import i18n
from tests.integration.ownership.conftest import Office
from tests.unit.risk.policy import TEST_POLICY


class FixedCriticality:
    """A stand-in for the supply-chain feature: fixed scores by corporate number."""

    def __init__(self, scores: Mapping[str, float]) -> None:
        self.scores = scores

    def criticality(
        self, uow: UnitOfWork, actor: Actor, corporate_numbers: Sequence[str]
    ) -> Mapping[str, CriticalityFacts]:
        return {
            number: CriticalityFacts(score, Text("2 weapon systems hit"))
            for number, score in self.scores.items()
            if number in corporate_numbers
        }


class Base:
    def __init__(self, uow: UnitOfWork, office: Office, *, with_case: bool = True) -> None:
        self.uow, self.office = uow, office
        self.a = (
            office.company("北斗通信機株式会社", capital_yen=50_000_000, employees=40).corporate_number or ""
        )
        self.b = (
            office.company("信州金属株式会社", capital_yen=9_000_000_000, employees=900).corporate_number
            or ""
        )
        self.c = (
            office.company("相模光学株式会社", capital_yen=4_000_000_000, employees=700).corporate_number
            or ""
        )
        self.d = (
            office.company("筑波電子株式会社", capital_yen=6_000_000_000, employees=1200).corporate_number
            or ""
        )
        intake = office.intake
        for year, profit, ratio in [
            (2023, 10_000_000, 22.0),
            (2024, -20_000_000, 8.0),
            (2025, -35_000_000, 5.0),
        ]:
            services.record_financials(
                uow,
                intake,
                self.a,
                fiscal_year=year,
                revenue_yen=900_000_000,
                operating_profit_yen=profit,
                equity_ratio_percent=ratio,
            )
        services.record_event(
            uow,
            intake,
            self.a,
            kind="restructuring_announced",
            occurred_on=date(2026, 3, 10),
            note="防衛事業からの撤退を含む構造改革",
        )
        services.record_event(uow, intake, self.b, kind="credit_event", occurred_on=date(2025, 12, 1))
        chinese = ownership.add_entity(
            uow,
            intake,
            kind="foreign_company",
            name="华晨精密机械有限公司",
            country="CN",
            identifiers=["CN-USCC-91110000MA01ABCD1X"],
        ).reference
        ownership.record_interest_change(
            uow, intake, owner=chinese, owned=self.a, share="12", on=date(2026, 5, 1)
        )
        ownership.record_interest_change(
            uow, intake, owner=chinese, owned=self.c, share="55", on=date(2026, 4, 15)
        )
        if with_case:
            self._open_case()
        self.criticality = FixedCriticality({self.a: 250, self.d: 600})

    def _open_case(self) -> None:
        accounts.add_user(
            self.uow, self.office.admin, "case-intake", "intake_officer", password="a long enough password"
        )
        cases.open_case(
            self.uow,
            accounts.actor_for_username(self.uow, "case-intake"),
            company=self.a,
            reason="restructuring",
            planned_exit_date=date(2026, 12, 31),
        )

    def watchlist(self, actor: Actor | None = None, **options: object) -> list[WatchlistEntry]:
        return services.watchlist(
            self.uow,
            # The program manager: an open exit case counts, and the manager sees every case's
            # existence (an examiner only the cases assigned to it).
            actor or self.office.manager,
            criticality=self.criticality,
            policy=TEST_POLICY,
            **options,
        )  # type: ignore[arg-type]


def _factors(entry: WatchlistEntry) -> list[tuple[str, float]]:
    return [(factor.name, factor.contribution) for factor in entry.factors]


def test_factors_scores_and_order(uow: UnitOfWork, office: Office) -> None:
    base = Base(uow, office)
    entries = base.watchlist()
    assert [(e.rank, e.corporate_number, e.score, e.recommendation) for e in entries] == [
        (1, base.a, 115, "temporary_acquisition"),
        (2, base.c, 55, "early_outreach"),
        (3, base.d, 30, "early_outreach"),
        (4, base.b, 20, "monitor"),
    ]
    a, c, d, b = entries
    assert _factors(a) == [
        ("financial_distress", 25),
        ("open_exit_case", 20),
        ("foreign_control", 15),
        ("recent_foreign_acquisition", 15),
        ("restructuring", 15),
        ("supply_chain_criticality", 15),
        ("sme", 10),
    ]
    evidence = {factor.name: factor.evidence for factor in a.factors}
    assert evidence["financial_distress"] == (
        "losses in the last 2 fiscal years; equity ratio 5.0 % (FY2025), below 10 %"
    )
    assert evidence["foreign_control"].startswith("foreign control 12.0 % (direct 12.0 %")
    assert "华晨精密机械有限公司 (CN) [12 %] -> 北斗通信機株式会社 (JP)" in evidence["foreign_control"]
    assert evidence["recent_foreign_acquisition"] == "2026-05-01: 华晨精密机械有限公司 (CN) 0 % -> 12 %"
    assert evidence["open_exit_case"].endswith("(notified), planned exit 2026-12-31")
    assert "防衛事業からの撤退" in evidence["restructuring"]
    assert _factors(c) == [("foreign_control", 40), ("recent_foreign_acquisition", 15)]
    assert (_factors(d), d.critical) == ([("supply_chain_criticality", 30)], True)
    assert _factors(b) == [("financial_distress", 20)]
    assert all(e.policy_version == "test-1" and e.previous_score is None for e in entries)
    assert [e.corporate_number for e in base.watchlist(top=2)] == [base.a, base.c]


def test_recorded_runs_show_what_changed(uow: UnitOfWork, office: Office) -> None:
    base = Base(uow, office, with_case=False)
    base.watchlist(office.manager, record=True)
    services.record_event(uow, office.intake, base.b, kind="factory_closure", occurred_on=date(2026, 5, 30))
    again = {e.corporate_number: e for e in base.watchlist(office.manager, record=True)}
    assert (again[base.b].previous_score, again[base.b].score, again[base.b].change) == (20, 40, 20)
    assert again[base.b].factor_changes == {"restructuring": 20}
    assert (again[base.a].change, again[base.a].factor_changes) == (0, {})
    history = services.history(uow, office.auditor, base.b)
    assert [(point.score, point.recommendation) for point in history] == [
        (20, "monitor"),
        (40, "early_outreach"),
    ]
    assert history[1].contributions == {"financial_distress": 20, "restructuring": 20}


def test_the_last_recorded_run_gives_its_top_without_scoring_again(uow: UnitOfWork, office: Office) -> None:
    base = Base(uow, office)
    assert services.latest_recorded_run(uow, office.auditor, top=3) is None
    base.watchlist(office.manager, record=True)
    # Facts that change the live ranking after the run (B: 20 -> 40, above D) leave the record be.
    services.record_event(uow, office.intake, base.b, kind="factory_closure", occurred_on=date(2026, 5, 30))
    run = services.latest_recorded_run(uow, office.auditor, top=3)
    assert run is not None
    assert [(s.rank, s.corporate_number, s.score, s.recommendation, s.main_factor) for s in run.top] == [
        (1, base.a, 115, "temporary_acquisition", "financial_distress"),
        (2, base.c, 55, "early_outreach", "foreign_control"),
        (3, base.d, 30, "early_outreach", "supply_chain_criticality"),
    ]
    assert (run.company_count, run.run_by, run.policy_version) == (4, office.manager.username, "test-1")
    assert [e.corporate_number for e in base.watchlist(top=3)] == [base.a, base.c, base.b]
    for actor in (office.supplier, office.admin):
        with pytest.raises(Forbidden):
            services.latest_recorded_run(uow, actor, top=3)
    with pytest.raises(BadInput):
        services.latest_recorded_run(uow, office.auditor, top=0)


def test_who_may_read_record_and_score(uow: UnitOfWork, office: Office) -> None:
    base = Base(uow, office, with_case=False)
    assert len(base.watchlist(office.auditor)) == 4
    with pytest.raises(Forbidden):
        base.watchlist(office.auditor, record=True)  # auditors change nothing
    for actor in (office.supplier, office.admin):
        with pytest.raises(Forbidden):
            base.watchlist(actor)
    with pytest.raises(Forbidden):
        services.record_event(uow, office.examiner, base.a, kind="credit_event", occurred_on=date(2026, 1, 1))
    with pytest.raises(BadInput, match="not one of"):
        services.record_event(uow, office.intake, base.a, kind="rumour", occurred_on=date(2026, 1, 1))
    with pytest.raises(BadInput, match="future"):
        services.record_event(uow, office.intake, base.a, kind="credit_event", occurred_on=date(2026, 7, 1))


def test_the_supply_chain_adapter_uses_the_feature_when_it_offers_criticality(
    uow: UnitOfWork, office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = Base(uow, office, with_case=False)
    adapter = SupplyChainCriticality()
    fake = ModuleType(SUPPLY_CHAIN_SERVICES)
    monkeypatch.setitem(sys.modules, SUPPLY_CHAIN_SERVICES, fake)
    assert adapter.criticality(uow, office.examiner, [base.a]) == {}  # nothing offered: unknown

    def single_points_of_failure(uow: UnitOfWork, actor: Actor, top: int) -> list[dict[str, object]]:
        return [
            {
                "corporate_number": base.d,
                "criticality": {"score": 600, "systems_hit": 4, "components_lost": 37},
            }
        ][:top]

    fake.single_points_of_failure = single_points_of_failure  # type: ignore[attr-defined]
    found = adapter.criticality(uow, office.examiner, [base.a, base.d])
    assert {number: (facts.score, str(facts.detail)) for number, facts in found.items()} == {
        base.d: (600, "4 weapon systems hit, 37 components lost")
    }
    with i18n.activate("ja"):
        assert found[base.d].detail.render(i18n.gettext) == "影響を受ける装備品4件, 喪失する構成品37件"

    def criticality_by_company(uow: UnitOfWork, actor: Actor, numbers: list[str]) -> dict[str, int]:
        return {number: 250 for number in numbers if number == base.a}

    fake.criticality_by_company = criticality_by_company  # type: ignore[attr-defined]
    entries = services.watchlist(uow, office.examiner, criticality=adapter, policy=TEST_POLICY)
    a = next(entry for entry in entries if entry.corporate_number == base.a)
    assert ("supply_chain_criticality", 15) in _factors(a)


def test_criticality_comes_from_the_real_supply_chain_feature(
    uow: UnitOfWork, office: Office, tmp_path: Path
) -> None:
    # One weapon system whose only top-level component A alone makes: A's exit hits the system
    # (100), loses one component in it (1) at level 1 (10): criticality 111, so A is critical
    # and the factor gives 30 * 111 / 500 = 6.66.
    a = office.company("単独供給工業株式会社", capital_yen=9_000_000_000, employees=900).corporate_number
    files = {
        "systems.csv": "code,name\nSS-9,潜水艦\n",
        "components.csv": "part_number,name\nP-SONAR,ソーナー\n",
        "system_components.csv": "system_code,part_number\nSS-9,P-SONAR\n",
        "bom.csv": "parent_part_number,child_part_number,quantity\n",
        "supply.csv": f"corporate_number,part_number,tier,share,qualified\n{a},P-SONAR,1,1,true\n",
    }
    with ExitStack() as stack:
        opened = []
        for name, text in files.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
            handle = stack.enter_context((tmp_path / name).open("rb"))
            opened.append(SupplyFile(name, handle, format_of(name, None)))
        supply_chain.import_supply_files(uow, office.intake, opened)
    (entry,) = services.watchlist(uow, office.examiner, policy=TEST_POLICY)
    assert (entry.corporate_number, entry.critical) == (a, True)
    (factor,) = entry.factors
    assert (factor.name, factor.contribution) == ("supply_chain_criticality", 6.66)
    assert (
        factor.evidence
        == "criticality 111: 1 weapon systems hit, 1 components lost, 1 sole-sourced components"
    )


def test_one_company_scored_alone_gets_what_the_watchlist_gives_it(
    uow: UnitOfWork, office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = Base(uow, office)
    # Foreign control through a chain: a Japanese holding 60 % held by the Chinese company
    # (foreign-controlled) buys 30 % of D, and sells down a stake in B it held before.
    holding = office.company("筑波ホールディングス株式会社", capital_yen=9_000_000_000, employees=900)
    number = holding.corporate_number or ""
    chinese = "CN-USCC-91110000MA01ABCD1X"
    ownership.record_interest_change(uow, office.intake, owner=chinese, owned=number, share="60")
    ownership.record_interest_change(uow, office.intake, owner=number, owned=base.d, share="30")
    ownership.record_interest_change(
        uow, office.intake, owner=number, owned=base.b, share="20", on=date(2026, 2, 1)
    )
    ownership.record_interest_change(uow, office.intake, owner=number, owned=base.b, share="4")
    services.watchlist(uow, office.manager, criticality=base.criticality, record=True)
    services.record_event(uow, office.intake, base.b, kind="factory_closure", occurred_on=date(2026, 5, 30))

    entries = services.watchlist(uow, office.examiner, criticality=base.criticality)
    assert len(entries) == 5
    for entry in entries:
        alone = services.company_risk(
            uow, office.examiner, entry.corporate_number, criticality=base.criticality
        )
        assert alone.rank == 0  # scored alone: not ranked
        assert alone.model_dump(exclude={"rank"}) == entry.model_dump(exclude={"rank"})
    d = services.company_risk(uow, office.auditor, base.d, criticality=base.criticality)
    evidence = {factor.name: factor.evidence for factor in d.factors}
    # 60 % x 30 % = 18 % integrated; the holding is foreign-controlled, so 30 % attributed.
    assert evidence["foreign_control"].startswith("foreign control 30.0 %")
    assert "筑波ホールディングス株式会社 (JP) 0 % -> 30 %" in evidence["recent_foreign_acquisition"]
    # Against the recorded run: B's factory closure added 20 points since.
    b = services.company_risk(uow, office.auditor, base.b, criticality=base.criticality)
    assert (b.change, b.factor_changes) == (20, {"restructuring": 20})
    with pytest.raises(Forbidden):
        services.company_risk(uow, office.supplier, base.a)

    # The supply-chain adapter ranks as many companies for one company as for all of them.
    fake = ModuleType(SUPPLY_CHAIN_SERVICES)
    monkeypatch.setitem(sys.modules, SUPPLY_CHAIN_SERVICES, fake)

    def single_points_of_failure(uow: UnitOfWork, actor: Actor, top: int) -> list[dict[str, object]]:
        ranking = [(base.d, 600), (base.c, 300), (base.a, 250)]
        return [{"corporate_number": n, "criticality": score} for n, score in ranking][:top]

    fake.single_points_of_failure = single_points_of_failure  # type: ignore[attr-defined]
    adapter = SupplyChainCriticality()
    whole = {e.corporate_number: e for e in services.watchlist(uow, office.examiner, criticality=adapter)}
    alone_a = services.company_risk(uow, office.examiner, base.a, criticality=adapter)
    assert ("supply_chain_criticality", 15) in _factors(alone_a)
    assert alone_a.model_dump(exclude={"rank"}) == whole[base.a].model_dump(exclude={"rank"})
