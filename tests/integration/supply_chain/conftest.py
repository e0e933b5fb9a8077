"""A hand-built supply map whose answers were worked out on paper, as import files.

Systems and their top-level components: XF-9 → P-AIR, SS-7 → P-HULL, DD-1 → P-DECK.
BOM (parent → child):  P-AIR → P-RADAR,  P-HULL → P-RADAR (P-RADAR is shared by two systems),
                       P-RADAR → P-ANT → P-CHIP (P-CHIP sits at level 4),
                       P-DECK → P-GUN → P-BARREL.
Suppliers (letters stand for companies; only A is in the company registry):
  A: P-AIR, P-HULL, P-DECK (only source of each)       B: P-RADAR (with C), P-ANT (only source)
  C: P-RADAR (with B)                                    D: P-CHIP (only source)
  E, F: P-BARREL (two qualified sources)                 G: P-GUN, not qualified
  H: P-GUN (the only qualified source)

Worked answers (score = 100 per system hit + 1 per lost component per system + 10 × deepest
origin level):
  E alone: nothing (F still makes P-BARREL).  E + F: P-BARREL, P-GUN, P-DECK; DD-1 depth 3.
  D: P-CHIP, P-ANT, P-RADAR, P-AIR, P-HULL; XF-9 and SS-7 each 4 lost, depth 4; score 248.
  B: P-ANT, P-RADAR, P-AIR, P-HULL; XF-9 and SS-7 each 3 lost, depth 3; score 236.
  A: P-AIR, P-HULL, P-DECK; three systems, 1 lost each, depth 1; score 313.
  H: P-GUN, P-DECK; DD-1 2 lost, depth 2; score 122.   C or G alone: nothing.
  Ranking of single points of failure: A 313, D 248, B 236, H 122.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from shokei.companies.domain import CorporateNumber
from shokei.companies.schemas import CompanyView
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain import services
from shokei.supply_chain.io import SupplyFile, format_of
from shokei.supply_chain.schemas import ImportReport
from tests import factories

LETTERS = "BCDEFGH"


@dataclass
class HandBuiltMap:
    registered: CompanyView  # company A
    numbers: dict[str, str]  # letter -> corporate number
    directory: Path

    def files(self) -> list[Path]:
        return [self.directory / f"{name}.csv" for name in FILE_ORDER]

    def write(self, name: str, text: str) -> Path:
        """One more CSV file; `{A}`..`{H}` stand for the companies' corporate numbers."""
        path = self.directory / name
        path.write_text(text.format(**self.numbers), encoding="utf-8")
        return path


FILE_ORDER = ("systems", "components", "system_components", "bom", "supply")
FILES = {
    "systems": "code,name\nXF-9,試作戦闘機\nSS-7,潜水艦\nDD-1,護衛艦\n",
    "components": (
        "part_number,name\nP-AIR,機体\nP-HULL,船体\nP-DECK,甲板\nP-RADAR,レーダー\nP-ANT,アンテナ\n"
        "P-CHIP,半導体\nP-GUN,砲\nP-BARREL,砲身\n"
    ),
    "system_components": "system_code,part_number\nXF-9,P-AIR\nSS-7,P-HULL\nDD-1,P-DECK\n",
    "bom": (
        "parent_part_number,child_part_number,quantity\nP-AIR,P-RADAR,1\nP-HULL,P-RADAR,2\n"
        "P-RADAR,P-ANT,4\nP-ANT,P-CHIP,8\nP-DECK,P-GUN,1\nP-GUN,P-BARREL,1\n"
    ),
    "supply": (
        "corporate_number,part_number,tier,share,qualified\n"
        "{A},P-AIR,1,1,true\n{A},P-HULL,1,1,true\n{A},P-DECK,1,1,true\n"
        "{B},P-RADAR,2,0.5,true\n{C},P-RADAR,2,0.5,true\n{B},P-ANT,3,1,true\n{D},P-CHIP,4,,true\n"
        "{E},P-BARREL,3,0.6,true\n{F},P-BARREL,3,0.4,true\n{G},P-GUN,2,,false\n{H},P-GUN,2,1,true\n"
    ),
}


# The users the scenarios act as (each costs a password hash: tests add others they need).
USERS = (("intake", Role.INTAKE_OFFICER), ("auditor", Role.AUDITOR))


@pytest.fixture
def hand_built(uow: UnitOfWork, tmp_path: Path) -> HandBuiltMap:
    registered = factories.company(uow, "退出工業株式会社", capital_yen=50_000_000, employees=40)
    for name, role in USERS:
        factories.user(uow, role, name=name)
    numbers = {
        letter: CorporateNumber.from_base(f"{880_000_000_000 + n:012d}").value
        for n, letter in enumerate(LETTERS)
    }
    numbers["A"] = registered.corporate_number or ""
    directory = tmp_path / "map"
    directory.mkdir()
    built = HandBuiltMap(registered, numbers, directory)
    for name, text in FILES.items():
        built.write(f"{name}.csv", text)
    return built


def import_files(uow: UnitOfWork, actor: Actor, *paths: Path) -> ImportReport:
    """Import files through the service, each in the format its extension names."""
    with ExitStack() as stack:
        files = [
            SupplyFile(path.name, stack.enter_context(path.open("rb")), format_of(path.name, None))
            for path in paths
        ]
        return services.import_supply_files(uow, actor, files)
