from __future__ import annotations

from pathlib import Path

import pytest

from shokei.documents.scratch import area_for
from shokei.documents.vault import FilesystemVault
from shokei.documents.vault.crypto import MasterKeyring, create_master_key
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    create_master_key(keys / "master.key")
    return keys


@pytest.fixture
def vault(tmp_path: Path, keys_dir: Path) -> FilesystemVault:
    return FilesystemVault(tmp_path / "vault", MasterKeyring.from_directory(keys_dir))


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """This process's scratch area under a fresh scratch root, as `Shokei.scratch_dir` gives it."""
    return area_for(tmp_path / "scratch").path


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    return Office(uow)
