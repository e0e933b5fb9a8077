"""Eligibility and ranking read their facts from the other features: integrated foreign ownership
from the ownership graph, supply relationships from the supply map, required capabilities and
geography from the registry; and the case closes only with a certificate of destruction."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select

from shokei.accounts import services as accounts
from shokei.audit.models import AuditEntry
from shokei.cases import services as cases
from shokei.companies.schemas import CompanyView
from shokei.documents.vault import FilesystemVault
from shokei.errors import BadInput, Conflict, Forbidden
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import services as ownership
from shokei.succession import services
from shokei.succession.models import HandoverCopy
from shokei.succession.schemas import CandidateView
from shokei.supply_chain import services as supply
from shokei.supply_chain.io import SupplyFile, format_of
from tests import factories
from tests.conftest import Cli
from tests.factories import Office
from tests.integration.succession.conftest import case_with_documents, make_eligible

PDF = "four-pages.pdf"  # generated (tests/samples.py): the facts, not the format, are tested


def _number(company: CompanyView) -> str:
    return company.corporate_number or ""


def _by_number(ranked: list[CandidateView]) -> dict[str, CandidateView]:
    return {candidate.corporate_number: candidate for candidate in ranked}


def _rule(candidate: CandidateView, name: str) -> tuple[bool, str]:
    [rule] = [rule for rule in candidate.rules if rule.name == name]
    return rule.passed, rule.reason


def _parts(candidate: CandidateView) -> dict[str, float]:
    return {part.name: float(part.value) for part in candidate.score.parts}


# -- 1. foreign ownership through the ownership graph ------------------------------------------


def test_a_company_controlled_through_a_domestic_holding_is_refused_with_the_chain(uow: UnitOfWork) -> None:
    office = Office(uow)
    make_eligible(uow, office, office.successor_company)
    # 国内部品: no foreign share of its own (0 % recorded), but 60 % held by 国内持株, which
    # is 80 % held by a Chinese company.
    domestic = factories.company(uow, "国内部品工業株式会社")
    holding = factories.company(uow, "国内持株株式会社")
    make_eligible(uow, office, domestic)
    make_eligible(uow, office, holding)
    foreign = ownership.add_entity(
        uow,
        office.intake,
        kind="foreign_company",
        name="华晨控股有限公司",
        country="CN",
        identifiers=["CN-USCC-91110000MA01ABCD1X"],
    ).reference
    ownership.record_interest_change(uow, office.intake, owner=foreign, owned=_number(holding), share="80")
    ownership.record_interest_change(
        uow, office.intake, owner=_number(holding), owned=_number(domestic), share="60"
    )
    # A registry company in the graph with only a domestic holder: integrated 0 %, eligible.
    clean = factories.company(uow, "純国産精機株式会社")
    make_eligible(uow, office, clean)
    ownership.record_interest_change(
        uow, office.intake, owner=_number(holding), owned=_number(clean), share="30"
    )
    case = office.open_case(documents=1).id
    office.to_successor_selection(case)

    ranked = _by_number(services.rank_candidates(uow, office.manager, case))

    # Integrated: 80 % x 60 % = 48 % held abroad (the other 40 % and the holding's other 20 %
    # are domestic). Attributed: the holding is 80 % foreign-held, so it counts as foreign in
    # full, and it holds 60 % of 国内部品: foreign-controlled although 48 % and 0 % direct.
    passed, reason = _rule(ranked[_number(domestic)], "foreign_ownership")
    assert not passed
    assert reason == (
        "foreign ownership 48% (integrated) via 华晨控股有限公司→国内持株株式会社→国内部品工業株式会社: "
        "foreign-controlled through its owners (attributed 60%)"
    )
    assert ranked[_number(domestic)].eligible is False
    # The holding itself: 80 % integrated, foreign-controlled.
    passed, reason = _rule(ranked[_number(holding)], "foreign_ownership")
    assert not passed
    assert reason.startswith("foreign ownership 80% (integrated) via 华晨控股有限公司→国内持株株式会社")
    # 30 % held by the foreign-controlled holding: integrated 24 %, attributed 30 % (< 50 %),
    # above the 10 % threshold.
    passed, reason = _rule(ranked[_number(clean)], "foreign_ownership")
    assert not passed
    assert reason.startswith("foreign ownership 24% (integrated) via ")
    assert reason.endswith("≥ threshold 10%")
    # Not in the ownership graph: the direct share recorded on the company (0 %).
    passed, reason = _rule(ranked[_number(office.successor_company)], "foreign_ownership")
    assert passed
    assert reason == "foreign ownership 0% (direct) < threshold 10%"

    with pytest.raises(Conflict, match="foreign-controlled through its owners"):
        services.select_successor(uow, office.manager, case, _number(domestic), reason="近い")


def test_a_domestic_holder_without_foreign_owners_passes_on_the_integrated_share(uow: UnitOfWork) -> None:
    office = Office(uow)
    # Recorded direct share 40 % (stale), but the ownership graph knows only a domestic holder:
    # the graph's integrated 0 % is what counts.
    company = factories.company(uow, "国内完結工業株式会社")
    make_eligible(uow, office, company, foreign_share_percent="40", foreign_share_country="US")
    parent = factories.company(uow, "国内親会社株式会社")
    ownership.record_interest_change(
        uow, office.intake, owner=_number(parent), owned=_number(company), share="100"
    )
    case = office.open_case(documents=1).id
    office.to_successor_selection(case)

    ranked = _by_number(services.rank_candidates(uow, office.manager, case))

    passed, reason = _rule(ranked[_number(company)], "foreign_ownership")
    assert passed
    assert reason == "foreign ownership 0% (integrated) < threshold 10%"


# -- 2. case facts from data: capabilities, weapon systems, geography --------------------------

SYSTEMS = "code,name\nXF-9,試作戦闘機\nSS-7,潜水艦\nDD-1,護衛艦\n"
COMPONENTS = (
    "part_number,name\nP-AIR,機体\nP-HULL,船体\nP-DECK,甲板\nP-RADAR,レーダー\nP-ANT,アンテナ\n"
    "P-GUN,砲\nP-BARREL,砲身\n"
)
SYSTEM_COMPONENTS = "system_code,part_number\nXF-9,P-AIR\nSS-7,P-HULL\nDD-1,P-DECK\n"
BOM = (
    "parent_part_number,child_part_number,quantity\n"
    "P-AIR,P-RADAR,1\nP-HULL,P-RADAR,2\nP-RADAR,P-ANT,4\nP-DECK,P-GUN,1\nP-GUN,P-BARREL,1\n"
)


def _import_map(uow: UnitOfWork, office: Office, tmp_path: Path, supply_rows: str) -> None:
    texts = {
        "systems.csv": SYSTEMS,
        "components.csv": COMPONENTS,
        "system_components.csv": SYSTEM_COMPONENTS,
        "bom.csv": BOM,
        "supply.csv": "corporate_number,part_number,tier,share,qualified\n" + supply_rows,
    }
    with ExitStack() as stack:
        files = []
        for name, text in texts.items():
            path = tmp_path / name
            path.write_text(text, encoding="utf-8")
            files.append(SupplyFile(name, stack.enter_context(path.open("rb")), format_of(name, None)))
        supply.import_supply_files(uow, office.manager, files)


def test_ranking_reads_capabilities_weapon_systems_and_geography_from_the_records(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    office = Office(uow)
    withdrawing, near, regional = (
        office.withdrawing,
        office.successor_company,
        factories.company(uow, "岐阜加工株式会社"),
    )
    partial = factories.company(uow, "単能工業株式会社")
    make_eligible(uow, office, withdrawing, capabilities=["machining", "optics"], prefecture="愛知県")
    make_eligible(uow, office, near, capabilities=["machining", "optics"], prefecture="愛知県", capacity=3)
    make_eligible(
        uow,
        office,
        regional,
        capabilities=["castings", "machining", "optics"],
        prefecture="岐阜県",
        capacity=5,
    )
    make_eligible(uow, office, partial, capabilities=["machining"], prefecture="北海道", capacity=2)
    _import_map(
        uow,
        office,
        tmp_path,
        # The withdrawing company makes the radar (in the fighter and the submarine); 近 makes its
        # antenna; 岐阜 makes the gun barrel (destroyer) and is an unqualified source of the
        # airframe, which does not count.
        f"{_number(withdrawing)},P-RADAR,2,1,true\n"
        f"{_number(near)},P-ANT,3,1,true\n"
        f"{_number(regional)},P-BARREL,3,1,true\n"
        f"{_number(regional)},P-AIR,1,,false\n",
    )
    case = office.open_case(documents=1).id
    # The inventory names the destroyer by its registered name: it is affected too.
    cases.add_inventory_line(uow, office.supplier, case, title="砲塔据付図", weapon_system="護衛艦")
    office.to_successor_selection(case)

    ranked = services.rank_candidates(uow, office.manager, case)
    by_number = _by_number(ranked)

    # Required: the withdrawing company's tags {machining, optics}; affected systems: XF-9 and
    # SS-7 (its radar) and DD-1 (the inventory) = 3.
    # 近 (愛知県, 3 slots): Jaccard 2/2 = 1; supplies XF-9, SS-7 through the antenna = 2/3;
    # same prefecture = 1; capacity 3/5. Total 0.4·1 + 0.3·2/3 + 0.1·1 + 0.2·0.6 = 0.82.
    assert _parts(by_number[_number(near)]) == pytest.approx(
        {"capability": 1.0, "supply_relationships": 2 / 3, "geography": 1.0, "capacity": 0.6}
    )
    assert float(by_number[_number(near)].score.total) == pytest.approx(0.82)
    # 岐阜 (same region 中部, 5 slots): Jaccard 2/3; supplies DD-1 only = 1/3 (the unqualified
    # airframe source adds nothing); 0.5; 5/5 = 1. Total 0.4·2/3 + 0.3·1/3 + 0.1·0.5 + 0.2 = 0.61667.
    assert _parts(by_number[_number(regional)]) == pytest.approx(
        {"capability": 2 / 3, "supply_relationships": 1 / 3, "geography": 0.5, "capacity": 1.0}
    )
    assert float(by_number[_number(regional)].score.total) == pytest.approx(0.4 * 2 / 3 + 0.1 + 0.05 + 0.2)
    supply_reason = {p.name: str(p.explanation) for p in by_number[_number(regional)].score.parts}
    assert supply_reason["supply_relationships"] == "already supplies 1 of 3 affected weapon systems (DD-1)"
    # 単能 covers only machining: refused on capability, with what is missing.
    passed, reason = _rule(by_number[_number(partial)], "capability")
    assert not passed
    assert reason == "covers 1 of 2 required capabilities; missing optics"
    assert _parts(by_number[_number(partial)])["geography"] == 0.0  # 北海道: another region
    # Eligible first, by score.
    assert [c.corporate_number for c in ranked[:2]] == [_number(near), _number(regional)]


def test_prefecture_is_validated_and_can_be_cleared(uow: UnitOfWork) -> None:
    office = Office(uow)
    with pytest.raises(BadInput, match="47 prefectures"):
        make_eligible(uow, office, office.successor_company, prefecture="愛知")
    assert make_eligible(uow, office, office.successor_company, prefecture="東京都").prefecture == "東京都"
    assert make_eligible(uow, office, office.successor_company, prefecture="").prefecture is None


# -- 3. portfolio assignment -------------------------------------------------------------------


def test_assignment_spreads_cases_over_successors_within_capacity(uow: UnitOfWork) -> None:
    office = Office(uow)
    big, small = office.successor_company, factories.company(uow, "小規模承継株式会社")
    make_eligible(uow, office, big, capacity=2, prefecture="愛知県")
    make_eligible(uow, office, small, capacity=1)
    case_ids = []
    for _ in range(4):
        case_ids.append(office.open_case(documents=1).id)
        office.to_successor_selection(case_ids[-1])

    proposal = services.propose_assignment(uow, office.manager, case_ids)

    # Three slots for four cases: three placed, each successor within its capacity, one left.
    placed = [line.corporate_number for line in proposal.assignments]
    assert len(placed) == 3
    assert placed.count(_number(big)) == 2
    assert placed.count(_number(small)) == 1
    assert len(proposal.unassigned) == 1
    assert sorted([line.case_id for line in proposal.assignments] + proposal.unassigned) == sorted(case_ids)
    assert proposal.capacities == {_number(big): 2, _number(small): 1}
    assert proposal.total_score == sum(line.score for line in proposal.assignments)
    # A proposal selects nobody; it is kept in the ledger.
    assert all(cases.get_case(uow, office.manager, c).successor_corporate_number is None for c in case_ids)
    with uow.transaction() as session:
        [leaf] = session.execute(
            select(AuditEntry.leaf).where(AuditEntry.action == "succession:assignment:propose")
        ).scalars()
    assert json.loads(leaf)["details"]["cases"] == case_ids
    with pytest.raises(Forbidden):
        services.propose_assignment(uow, office.supplier, case_ids)
    notified = office.open_case(documents=1).id  # not yet in successor selection
    with pytest.raises(Conflict, match=f"{notified} \\(notified\\)"):
        services.propose_assignment(uow, office.manager, [case_ids[0], notified], all_open=True)


# -- 4 and 5. the copies vault check and closing with a certificate ----------------------------


def test_copies_fsck_and_closing_needs_the_certificate(
    uow: UnitOfWork,
    vault: FilesystemVault,
    copy_vault: FilesystemVault,
    scratch: Path,
    key: Ed25519PrivateKey,
    sample_files: Path,
) -> None:
    office = Office(uow)
    make_eligible(uow, office, office.successor_company)
    case = case_with_documents(uow, office, vault, scratch, sample_files / PDF, sample_files / "memo.pdf")
    services.select_successor(uow, office.manager, case, _number(office.successor_company), reason="最適")
    services.accept_terms(uow, office.successor, case)
    first, second = services.release_copies(
        uow, vault, office.manager, case, copies=copy_vault, scratch_dir=scratch, key=key
    )
    auditor = factories.user(uow, Role.AUDITOR, name="auditor2")
    clean = services.check_copies(uow, copy_vault, auditor, deep=True)
    assert (clean.ok, clean.checked, clean.problems) == (True, 2, [])

    paths = {p.name: p for p in (copy_vault.root / "blobs").rglob("*") if p.is_file()}
    # Which blob is whose: the vault names blobs by ciphertext hash, the rows record it.
    with uow.transaction() as session:
        blob_of = dict(session.execute(select(HandoverCopy.copy_id, HandoverCopy.blob_id)).all())
    tampered = paths[blob_of[first.copy_id]]
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    paths[blob_of[second.copy_id]].unlink()
    with (scratch / "stray.bin").open("wb") as stray:
        stray.write(b"not a copy")
    with (scratch / "stray.bin").open("rb") as stray:
        orphan = copy_vault.put(stray, b"nobody").blob_id

    report = services.check_copies(uow, copy_vault, auditor)
    found = {(p.kind, p.blob_id) for p in report.problems}
    assert not report.ok
    assert found == {
        ("corrupt", blob_of[first.copy_id]),
        ("missing", blob_of[second.copy_id]),
        ("orphan", orphan),
    }
    assert any(first.copy_id in p.detail for p in report.problems if p.kind == "corrupt")
    with pytest.raises(Forbidden):
        services.check_copies(uow, copy_vault, office.manager)

    # A handed-over case does not close without the supplier's certificate of destruction.
    with pytest.raises(BadInput, match="certificate of destruction is not recorded"):
        office.move(case, "close", office.manager)
    assert cases.get_case(uow, office.manager, case).state == "handed_over"
    office.pay(case)  # nor before its purchase is paid
    closed = services.record_destruction_certificate(uow, office.manager, case, reference="廃棄証明 第3号")
    assert closed.state == "closed"
    assert cases.get_case(uow, office.manager, case).state == "closed"


def test_successor_assign_cli_proposes_pairs_for_a_program_manager(uow: UnitOfWork, cli: Cli) -> None:
    office = Office(uow)
    make_eligible(uow, office, office.successor_company, capacity=1)
    other = factories.company(uow, "第二承継工業株式会社")
    make_eligible(uow, office, other, capacity=1)
    first, second = office.open_case(documents=1).id, office.open_case(documents=1).id
    for case in (first, second):
        office.to_successor_selection(case)

    proposal = cli("successor", "assign", str(first), str(second), "--as", "manager", "--json").json()
    assert isinstance(proposal, dict)
    # One slot each: the two cases go to different successors.
    pairs = {line["case_id"]: line["corporate_number"] for line in proposal["assignments"]}
    assert set(pairs) == {first, second}
    assert set(pairs.values()) == {_number(office.successor_company), _number(other)}
    assert proposal["unassigned"] == []
    every_open = cli("successor", "assign", "--all-open", "--as", "auditor", "--json").json()
    assert isinstance(every_open, dict)
    assert {line["case_id"] for line in every_open["assignments"]} == {first, second}
    table = cli("successor", "assign", str(first), "--as", "manager")
    assert table.exit_code == 0
    assert "successor select" in table.stdout
    assert cli("successor", "assign", str(first), "--as", "supplier").exit_code == 3
    assert cli("successor", "assign", "--as", "manager").exit_code == 2  # no case named
    # Nothing was selected: confirmation is `successor select` per case.
    assert cases.get_case(uow, office.manager, first).successor_corporate_number is None


def test_assignment_and_destruction_certificate_over_http(uow: UnitOfWork, api: TestClient) -> None:
    office = Office(uow)
    make_eligible(uow, office, office.successor_company, capacity=1)
    auth = {
        n: {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, n).secret}"}
        for n in ("supplier", "manager")
    }
    first, second = office.open_case(documents=1).id, office.open_case(documents=1).id
    for case in (first, second):
        office.to_successor_selection(case)

    body = {"case_ids": [first, second]}
    proposal = api.post("/api/v1/successor-assignments", json=body, headers=auth["manager"])
    assert proposal.status_code == 200, proposal.text
    # One successor with one slot: one case placed, the other left for the manager.
    assert len(proposal.json()["assignments"]) == 1
    assert len(proposal.json()["unassigned"]) == 1
    assert api.post("/api/v1/successor-assignments", json=body, headers=auth["supplier"]).status_code == 403

    office.select_successor(first)
    office.hand_over_on_paper(first)
    path = f"/api/v1/cases/{first}"
    refused = api.post(f"{path}/transitions", json={"name": "close"}, headers=auth["manager"])
    assert refused.status_code == 422
    office.pay(first)
    certificate = {"reference": "廃棄証明 第9号"}
    closed = api.post(f"{path}/destruction-certificate", json=certificate, headers=auth["manager"])
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed"
    assert api.get(path, headers=auth["manager"]).json()["state"] == "closed"
