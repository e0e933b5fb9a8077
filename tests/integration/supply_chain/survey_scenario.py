"""The issue's campaign, built through the services with values worked out by hand.

System FX-1 and its BOM (parent → child):
    FX-1 tops: P-FRAME (prime A), P-ENGINE (prime B), P-AVIONICS (prime C)
    P-FRAME → P-SPAR, P-FRAME → P-RIVET, P-ENGINE → P-BLADE, P-AVIONICS → P-CHIP
Before the survey the map knows only the primes: A P-FRAME, B P-ENGINE, C P-AVIONICS (tier 1).
A answers: itself for P-FRAME, D (60 %) and the foreign US-4471 (40 %) for P-SPAR, E for
P-RIVET; A forwards to D and E. D answers (CSV); E never does. B first sends an answer with
five problems, then a correct one naming G (not registered) for P-BLADE. C never answers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from shokei.companies.domain import CorporateNumber
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.supply_chain import services
from shokei.supply_chain.io import SupplyFile, format_of
from tests import factories

MAP = {
    "systems": "code,name\nFX-1,次期戦闘機\n",
    "components": (
        "part_number,name\nP-FRAME,機体構造\nP-ENGINE,エンジン\nP-AVIONICS,電子機器\nP-SPAR,桁\n"
        "P-RIVET,リベット\nP-BLADE,タービン翼\nP-CHIP,半導体\n"
    ),
    "system_components": "system_code,part_number\nFX-1,P-FRAME\nFX-1,P-ENGINE\nFX-1,P-AVIONICS\n",
    "bom": (
        "parent_part_number,child_part_number\nP-FRAME,P-SPAR\nP-FRAME,P-RIVET\nP-ENGINE,P-BLADE\n"
        "P-AVIONICS,P-CHIP\n"
    ),
    "supply": (
        "corporate_number,part_number,tier,share,qualified\n{A},P-FRAME,1,1,true\n"
        "{B},P-ENGINE,1,1,true\n{C},P-AVIONICS,1,1,true\n"
    ),
}
SYSTEM_PARTS = {"P-FRAME", "P-ENGINE", "P-AVIONICS", "P-SPAR", "P-RIVET", "P-BLADE", "P-CHIP"}
DUE = date(2026, 6, 30)


@dataclass
class Cast:
    numbers: dict[str, str]  # letter -> corporate number
    users: dict[str, Actor]  # letter (or "intake", "auditor") -> actor

    def number(self, letter: str) -> str:
        return self.numbers[letter]


def build(uow: UnitOfWork, directory: Path) -> Cast:
    large = {"capital_yen": 5_000_000_000, "employees": 5000}
    numbers, users = {}, {}
    for letter in "ABCDE":
        fields = {"capital_yen": 30_000_000, "employees": 40} if letter == "D" else large
        company = factories.company(uow, f"{letter}工業株式会社", **fields)
        numbers[letter] = company.corporate_number or ""
        users[letter] = factories.user(uow, Role.SUPPLIER, numbers[letter], f"user-{letter.lower()}")
    numbers["G"] = CorporateNumber.from_base("770000000001").value
    users["intake"] = factories.user(uow, Role.INTAKE_OFFICER, name="intake")
    users["auditor"] = factories.user(uow, Role.AUDITOR, name="auditor")
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in MAP.items():
        path = directory / f"{name}.csv"
        path.write_text(text.format(**numbers), encoding="utf-8")
        paths.append(path)
    files = [SupplyFile(p.name, io.BytesIO(p.read_bytes()), format_of(p.name, None)) for p in paths]
    services.import_supply_files(uow, users["intake"], files)
    return Cast(numbers, users)


def xlsx(**sheets: list[list[object]]) -> bytes:
    """A workbook with one sheet per keyword (its first row the header) and an instructions sheet."""
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "説明"
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SUPPLY_HEADER = ["corporate_number", "country", "registry_id", "part_number", "tier", "share", "qualified"]


def answer_of_a(cast: Cast) -> bytes:
    n = cast.number
    return xlsx(
        supply=[
            SUPPLY_HEADER,
            [n("A"), None, None, "P-FRAME", 1, 1, "true"],
            [n("D"), None, None, "P-SPAR", None, 0.6, "true"],
            [None, "US", "4471", "P-SPAR", 2, 0.4, "true"],
            [n("E"), None, None, "P-RIVET", 2, 1, "true"],
        ]
    )


def wrong_check_digit(number: str) -> str:
    """The number with its check digit changed (so it fails), and the digit it should have."""
    return f"{(int(number[0]) % 9) + 1}{number[1:]}"


def faulty_answer_of_b(cast: Cast) -> bytes:
    n = cast.number
    return xlsx(
        supply=[
            SUPPLY_HEADER,
            [n("B"), None, None, "P-ENGINE", 1, 1, "true"],  # row 2: fine
            [wrong_check_digit(n("G")), None, None, "P-BLADE", 2, 0.7, "true"],  # row 3: check digit
            [n("G"), None, None, "P-NOPE", 2, 1, "true"],  # row 4: unknown component
            [n("B"), None, None, "P-ENGINE", 1, 1, "true"],  # row 5: duplicate of row 2
            [n("D"), None, None, "P-BLADE", 2, 0.5, "true"],  # row 6: fine alone
            [n("E"), None, None, "P-BLADE", 2, 0.6, "true"],  # row 7: shares of P-BLADE 110 %
        ],
        bom=[["parent_part_number", "child_part_number", "quantity"], ["P-BLADE", "P-ENGINE", 1]],  # cycle
    )


def correct_answer_of_b(cast: Cast) -> bytes:
    n = cast.number
    return xlsx(
        supply=[
            SUPPLY_HEADER,
            [n("B"), None, None, "P-ENGINE", 1, 1, "true"],
            [n("G"), None, None, "P-BLADE", 2, 1, "true"],
        ]
    )


def answer_of_d(cast: Cast) -> bytes:
    return (
        f"corporate_number,part_number,tier,share,qualified\n{cast.number('D')},P-SPAR,2,0.6,true\n".encode()
    )
