"""Import, export, the ledger, the graph cache and the evidence port, on the hand-built map."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from shokei.accounts import services as accounts
from shokei.audit import services as audit
from shokei.errors import Forbidden, NotFound
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain import services
from shokei.supply_chain.cache import cache_for
from shokei.supply_chain.io import FileFormat
from shokei.supply_chain.models import (
    BomLine,
    Component,
    SupplyChainState,
    SupplyChange,
    SupplyRelation,
    SystemComponent,
    WeaponSystem,
)
from tests import factories
from tests.integration.supply_chain.conftest import HandBuiltMap, import_files


def _actor(uow: UnitOfWork, name: str) -> Actor:
    return accounts.actor_for_username(uow, name)


def _imported(uow: UnitOfWork, built: HandBuiltMap) -> Actor:
    intake = _actor(uow, "intake")
    import_files(uow, intake, *built.files())
    return intake


def _lost(uow: UnitOfWork, built: HandBuiltMap, *letters: str) -> list[str]:
    numbers = [built.numbers[letter] for letter in letters]
    return services.exit_impact(uow, _actor(uow, "auditor"), numbers).components


def _supply_row(uow: UnitOfWork, number: str, part: str) -> tuple[int, float | None, bool] | None:
    with uow.transaction() as session:
        row = session.execute(
            select(SupplyRelation.tier, SupplyRelation.share, SupplyRelation.qualified)
            .join(Component, Component.id == SupplyRelation.component_id)
            .where(SupplyRelation.corporate_number == number, Component.part_number == part)
        ).one_or_none()
        return None if row is None else (row[0], row[1], row[2])


def test_imports_are_incremental_upserts_by_natural_key(uow: UnitOfWork, hand_built: HandBuiltMap) -> None:
    intake = _imported(uow, hand_built)
    numbers = hand_built.numbers
    share = hand_built.write("share.csv", "corporate_number,part_number,share\n{B},P-RADAR,0.7\n")
    second_source = hand_built.write("second.csv", "corporate_number,part_number,qualified\n{C},P-ANT,yes\n")
    withdrawn = hand_built.write("withdrawn.csv", "corporate_number,part_number,removed\n{E},P-BARREL,true\n")
    renamed = hand_built.write("renamed.csv", "part_number,name\nP-CHIP,半導体チップ\nP-ANT,\n")

    updated = import_files(uow, intake, share)
    created = import_files(uow, intake, second_source)
    removed = import_files(uow, intake, withdrawn)
    names = import_files(uow, intake, renamed)

    assert (updated.supply.updated, updated.supply.created) == (1, 0)
    # Columns the file leaves out keep their stored values.
    assert _supply_row(uow, numbers["B"], "P-RADAR") == (2, 0.7, True)
    assert created.supply.created == 1
    assert _lost(uow, hand_built, "B") == []  # C now makes P-ANT as well as P-RADAR
    assert removed.supply.removed == 1
    assert _supply_row(uow, numbers["E"], "P-BARREL") is None
    assert _lost(uow, hand_built, "F") == ["P-BARREL", "P-DECK", "P-GUN"]
    assert (names.components.updated, names.components.unchanged) == (1, 1)  # a blank name keeps
    assert [r.revision for r in (updated, created, removed, names)] == [2, 3, 4, 5]

    again = import_files(uow, intake, hand_built.files()[-1])

    # The original supply file puts E back and B's share back; C's extra row is left alone.
    assert again.supply.model_dump() == {"created": 1, "updated": 1, "removed": 0, "unchanged": 9}
    assert _supply_row(uow, numbers["C"], "P-ANT") == (1, None, True)


def test_each_import_is_one_ledger_entry_with_counts_and_digests(
    uow: UnitOfWork, hand_built: HandBuiltMap
) -> None:
    _imported(uow, hand_built)

    entries = audit.list_entries(uow, _actor(uow, "auditor"), action="supply_chain:map:import")

    assert len(entries) == 1
    details = entries[0].event["details"]
    assert entries[0].actor == "intake"
    assert entries[0].subject_id == "1"
    assert details["counts"]["bom"] == {"created": 6, "updated": 0, "removed": 0, "unchanged": 0}
    assert details["counts"]["components"]["created"] == 8
    assert details["sources"] == [
        {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        for path in hand_built.files()
    ]


def _wipe_map(uow: UnitOfWork) -> None:
    with uow.transaction() as session:
        for model in (SupplyChange, SupplyChainState, SupplyRelation, BomLine, SystemComponent):
            session.execute(delete(model))
        session.execute(delete(Component))
        session.execute(delete(WeaponSystem))


def test_csv_and_parquet_exports_round_trip(
    uow: UnitOfWork, hand_built: HandBuiltMap, tmp_path: Path
) -> None:
    intake = _imported(uow, hand_built)
    auditor = _actor(uow, "auditor")
    first_csv = services.export_supply_map(uow, auditor, tmp_path / "csv1", FileFormat.CSV)
    services.export_supply_map(uow, auditor, tmp_path / "parquet", FileFormat.PARQUET)
    parquet_files = sorted((tmp_path / "parquet").iterdir())

    _wipe_map(uow)
    restored = import_files(uow, intake, *parquet_files)
    services.export_supply_map(uow, auditor, tmp_path / "csv2", FileFormat.CSV)
    reimported = import_files(uow, intake, *sorted((tmp_path / "csv2").iterdir()))

    assert first_csv.files == {
        "systems.csv": 3,
        "components.csv": 8,
        "system_components.csv": 3,
        "bom.csv": 6,
        "supply.csv": 11,
    }
    assert [p.name for p in parquet_files] == sorted(
        name.replace(".csv", ".parquet") for name in first_csv.files
    )
    assert restored.supply.created == 11
    for name in first_csv.files:
        assert (tmp_path / "csv2" / name).read_bytes() == (tmp_path / "csv1" / name).read_bytes(), name
    assert all(
        getattr(reimported, kind).model_dump() == {"created": 0, "updated": 0, "removed": 0, "unchanged": n}
        for kind, n in (
            ("systems", 3),
            ("components", 8),
            ("system_components", 3),
            ("bom", 6),
            ("supply", 11),
        )
    )
    assert _lost(uow, hand_built, "D") == ["P-AIR", "P-ANT", "P-CHIP", "P-HULL", "P-RADAR"]
    supply_csv = (tmp_path / "csv1" / "supply.csv").read_text(encoding="utf-8").splitlines()
    assert supply_csv[0] == '"corporate_number","part_number","tier","share","qualified"'
    assert f'"{hand_built.numbers["D"]}","P-CHIP",4,,true' in supply_csv


def test_the_cached_graph_applies_supply_changes_and_reloads_on_new_structure(
    uow: UnitOfWork, hand_built: HandBuiltMap
) -> None:
    intake = _imported(uow, hand_built)
    cache = cache_for(uow.engine)
    with cache.current(uow.engine) as loaded:
        first = loaded
    newcomer = factories.company(uow, "新規参入精機株式会社").corporate_number or ""
    hand_built.numbers["Z"] = newcomer
    import_files(uow, intake, hand_built.write("z.csv", "corporate_number,part_number\n{Z},P-CHIP\n"))

    with cache.current(uow.engine) as loaded:
        after_supply_change = loaded
        assert loaded.revision == 2
    assert _lost(uow, hand_built, "D") == []  # Z is a second source of P-CHIP now
    assert (
        services.exit_impact(uow, _actor(uow, "auditor"), [newcomer]).companies[0].qualified_components == 1
    )

    parts = hand_built.write("parts.csv", "part_number\nP-FUSE\n")
    bom = hand_built.write("fuse.csv", "parent_part_number,child_part_number\nP-CHIP,P-FUSE\n")
    import_files(uow, intake, parts, bom)
    with cache.current(uow.engine) as loaded:
        after_new_structure = loaded

    assert after_supply_change is first  # caught up from the change log, not reloaded
    assert after_new_structure is not first
    assert after_new_structure.revision == 3
    assert _lost(uow, hand_built, "D") == []


def test_exit_impact_evidence_for_the_examination(uow: UnitOfWork, hand_built: HandBuiltMap) -> None:
    _imported(uow, hand_built)
    examiner = Actor(user_id=0, username="examiner", role=Role.EXAMINER)  # services need no stored user
    idle = factories.company(uow, "無関係工業株式会社")

    evidence = services.exit_impact_evidence(uow, examiner, hand_built.registered.id)
    nothing = services.exit_impact_evidence(uow, examiner, idle.id)

    assert evidence.criticality == 313
    assert [(s.id, s.lost_components, s.depth) for s in evidence.systems] == [
        ("DD-1", 1, 1),
        ("SS-7", 1, 1),
        ("XF-9", 1, 1),
    ]
    assert [(c.part_number, c.name) for c in evidence.single_source_components] == [
        ("P-AIR", "機体"),
        ("P-DECK", "甲板"),
        ("P-HULL", "船体"),
    ]
    assert (nothing.criticality, nothing.systems, nothing.single_source_components) == (0, [], [])
    with pytest.raises(NotFound):
        services.exit_impact_evidence(uow, examiner, idle.id + 1000)
    supplier = Actor(user_id=0, username="supplier", role=Role.SUPPLIER, company_id=hand_built.registered.id)
    with pytest.raises(Forbidden):
        services.exit_impact_evidence(uow, supplier, hand_built.registered.id)
