from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shokei.companies.schemas import CompanyView
from shokei.documents import services as documents
from shokei.documents.vault import FilesystemVault
from shokei.documents.vault.crypto import MasterKeyring, create_master_key
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from tests import factories
from tests.factories import Office


def make_eligible(uow: UnitOfWork, office: Office, company: CompanyView, **changes: object) -> CompanyView:
    """A sound successor with room for three cases (the capacity rule is tested against it)."""
    return office.make_eligible(company, **{"capabilities": ["machining"], "capacity": 3, **changes})


def successor_company(uow: UnitOfWork, office: Office, name: str, username: str) -> tuple[CompanyView, Actor]:
    company = factories.company(uow, name)
    make_eligible(uow, office, company)
    return company, factories.user(uow, Role.SUCCESSOR, company.corporate_number, username)


def case_with_documents(
    uow: UnitOfWork, office: Office, vault: FilesystemVault, scratch: Path, *files: Path
) -> int:
    case_id = office.open_case(documents=0).id
    result = documents.submit_documents(
        uow, vault, office.supplier, case_id, list(files), scratch_dir=scratch
    )
    assert len(result.documents) == len(files), result.refused
    office.to_successor_selection(case_id)
    return case_id


@pytest.fixture
def vault(tmp_path: Path) -> FilesystemVault:  # the documents' vault
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    create_master_key(keys / "master.key")
    return FilesystemVault(tmp_path / "vault", MasterKeyring.from_directory(keys))


@pytest.fixture
def copy_vault(tmp_path: Path) -> FilesystemVault:
    return FilesystemVault(tmp_path / "copies", MasterKeyring.from_directory(tmp_path / "keys"))


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    path = tmp_path / "scratch"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()
