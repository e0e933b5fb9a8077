"""The evidence panel's supply-chain port: the adapter over the supply-chain feature's answer."""

from __future__ import annotations

import pytest

from shokei.examination import evidence
from shokei.examination.domain import NO_SUPPLY_CHAIN, SupplyChainFindings
from shokei.examination.evidence import EvidenceUnavailable, SupplyChainServiceEvidence, normalise
from shokei.kernel import Actor, Role
from shokei.supply_chain.schemas import ComponentRef, ExitImpactEvidence, SystemImpactView

EXAMINER = Actor(1, "examiner", Role.EXAMINER)


def test_the_supply_chain_features_answer_becomes_named_systems_and_components() -> None:
    answer = ExitImpactEvidence(
        company_id=7,
        corporate_number="1180301018771",
        criticality=230,
        systems=[
            SystemImpactView(id="F-2", name="支援戦闘機", lost_components=3, depth=2, lost_top_components=[])
        ],
        single_source_components=[
            ComponentRef(part_number="P-100", name="導波管"),
            ComponentRef(part_number="P-7", name=None),
        ],
        lost_components=3,
    )
    assert normalise(answer) == SupplyChainFindings(True, ("F-2 (支援戦闘機)",), ("P-100 (導波管)", "P-7"))


def test_mappings_plain_names_and_an_empty_answer_are_understood() -> None:
    answer = {"weapon_systems": ["護衛艦"], "single_source_components": ["P-1", "P-1", {"code": "P-2"}]}
    assert normalise(answer) == SupplyChainFindings(True, ("護衛艦",), ("P-1", "P-2"))
    assert normalise(None) == SupplyChainFindings(
        True, note="the supply chain holds nothing about this company"
    )


def test_an_answer_in_an_unknown_shape_stops_the_examination_rather_than_hiding_evidence() -> None:
    with pytest.raises(EvidenceUnavailable, match="without weapon_systems or single_source_components"):
        normalise({"criticality": 230})


def test_without_the_supply_chain_service_the_panel_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evidence, "PROVIDER_MODULE", "shokei.no_such_feature.services")
    assert SupplyChainServiceEvidence().findings(None, EXAMINER, 7) is NO_SUPPLY_CHAIN  # type: ignore[arg-type]
    monkeypatch.setattr(
        evidence, "PROVIDER_MODULE", "shokei.examination.domain"
    )  # no provider function there
    assert SupplyChainServiceEvidence().findings(None, EXAMINER, 7) is NO_SUPPLY_CHAIN  # type: ignore[arg-type]
