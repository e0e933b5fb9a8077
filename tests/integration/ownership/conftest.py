"""Shared set-up for the ownership tests: the officials who act, companies, BODS packages.

Use cases take the acting user as an `Actor`; these tests build actors directly rather than
user accounts (hashing a password per user would cost seconds per test). The CLI tests, which
log in by name, create real accounts.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from shokei.companies import services as companies
from shokei.companies.domain import CorporateNumber
from shokei.companies.schemas import CompanyInput, CompanyView
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork

_serial = itertools.count(200_000_000_001)


class Office:
    """One official per role, a supplier bound to a company, and a way to register companies."""

    intake = Actor(9001, "intake", Role.INTAKE_OFFICER)
    examiner = Actor(9002, "examiner", Role.EXAMINER)
    manager = Actor(9003, "manager", Role.PROGRAM_MANAGER)
    auditor = Actor(9004, "auditor", Role.AUDITOR)
    admin = Actor(9005, "admin", Role.ADMIN)
    supplier = Actor(9006, "supplier", Role.SUPPLIER, company_id=1)

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def company(self, name: str, **fields: Any) -> CompanyView:
        """Register a Japanese company with a fresh valid corporate number."""
        number = CorporateNumber.from_base(f"{next(_serial):012d}").value
        return companies.register_company(
            self.uow, self.admin, CompanyInput(corporate_number=number, name=name, **fields)
        )


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    return Office(uow)


@pytest.fixture
def bods_dir(real_files: Path) -> Path:
    return real_files / "bods"


def write_package(path: Path, statements: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(statements, ensure_ascii=False), encoding="utf-8")
    return path


def entity_statement(
    record_id: str, name: str, *, country: str | None = "JP", identifiers: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """A BODS 0.4 registered-entity statement, as a register would publish it."""
    details: dict[str, Any] = {"isComponent": False, "entityType": {"type": "registeredEntity"}, "name": name}
    if country:
        details["jurisdiction"] = {"name": country, "code": country}
    if identifiers:
        details["identifiers"] = identifiers
    return {
        "statementId": f"s-{record_id}",
        "recordId": record_id,
        "recordType": "entity",
        "recordStatus": "new",
        "declarationSubject": record_id,
        "statementDate": "2026-04-01",
        "publicationDetails": {
            "publicationDate": "2026-04-01",
            "bodsVersion": "0.4",
            "publisher": {"name": "test register"},
        },
        "recordDetails": details,
    }


def stake_statement(record_id: str, holder: str, held: str, share: dict[str, Any]) -> dict[str, Any]:
    """A BODS 0.4 relationship statement: `holder` holds `share` of `held` directly."""
    return {
        "statementId": f"s-{record_id}",
        "recordId": record_id,
        "recordType": "relationship",
        "recordStatus": "new",
        "declarationSubject": held,
        "statementDate": "2026-04-01",
        "publicationDetails": {
            "publicationDate": "2026-04-01",
            "bodsVersion": "0.4",
            "publisher": {"name": "test register"},
        },
        "recordDetails": {
            "isComponent": False,
            "subject": held,
            "interestedParty": holder,
            "interests": [{"type": "shareholding", "directOrIndirect": "direct", "share": share}],
        },
    }
