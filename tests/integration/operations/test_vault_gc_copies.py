"""`vault gc` covers the copies vault too: a successor copy's orphan blob older than the grace
period goes, a young one stays, and a blob a copy row refers to is never removed (however old);
`vault fsck` reports the orphan first and is clean afterwards."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shokei.bootstrap import Vaults
from shokei.documents.vault import FilesystemVault
from shokei.documents.vault.crypto import MasterKeyring, create_master_key
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.operations import services as operations
from shokei.succession import services as succession
from tests.factories import Office
from tests.integration.succession.conftest import case_with_documents, make_eligible

TWO_DAYS = 48 * 3600


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    path = tmp_path / "keys"
    path.mkdir(mode=0o700)
    create_master_key(path / "master.key")
    return path


@pytest.fixture
def vault(tmp_path: Path, keys: Path) -> FilesystemVault:
    return FilesystemVault(tmp_path / "vault", MasterKeyring.from_directory(keys))


@pytest.fixture
def copy_vault(tmp_path: Path, keys: Path) -> FilesystemVault:
    return FilesystemVault(tmp_path / "copies", MasterKeyring.from_directory(keys))


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    path = tmp_path / "scratch"
    path.mkdir(mode=0o700)
    return path


def _age(vault: FilesystemVault, blob_id: str, seconds: float) -> None:
    """Make a blob look written `seconds` ago (its mtime is what gc's grace period reads)."""
    then = time.time() - seconds
    os.utime(vault.blob_path(blob_id), (then, then))


def test_gc_removes_old_orphans_of_the_copies_vault_and_never_a_copy_a_row_refers_to(
    uow: UnitOfWork,
    vault: FilesystemVault,
    copy_vault: FilesystemVault,
    scratch: Path,
    sample_files: Path,
    tmp_path: Path,
) -> None:
    key = Ed25519PrivateKey.generate()
    office = Office(uow)
    make_eligible(uow, office, office.successor_company)
    case_id = case_with_documents(uow, office, vault, scratch, sample_files / "four-pages.pdf")
    number = office.successor_company.corporate_number or ""
    succession.select_successor(uow, office.manager, case_id, number, reason="最適")
    succession.accept_terms(uow, office.successor, case_id)
    [copy] = succession.release_copies(
        uow, vault, office.manager, case_id, copies=copy_vault, scratch_dir=scratch, key=key
    )
    [kept] = list(copy_vault.iter_blob_ids())  # the released copy's blob
    orphan = copy_vault.put(io.BytesIO(b"a copy whose row never committed" * 100), b"aad").blob_id
    young = copy_vault.put(io.BytesIO(b"a release still in flight" * 100), b"aad").blob_id
    _age(copy_vault, orphan, TWO_DAYS)
    _age(copy_vault, kept, TWO_DAYS)  # old, but a copy row refers to it
    vaults = Vaults(vault, copy_vault)
    gc_root = tmp_path / "scratch-root"

    before = operations.check_vaults(uow, vaults, office.admin, deep=False, scratch_root=gc_root)
    assert not before.ok
    assert {(p.kind, p.blob_id) for p in before.copies.problems} == {("orphan", orphan), ("orphan", young)}

    orphan_bytes = copy_vault.blob_path(orphan).stat().st_size
    report = operations.collect_garbage(uow, office.admin, vaults, scratch_root=gc_root, grace_hours=24)
    assert report.model_dump() == {"removed": {"scratch": 0, "temp": 0, "orphans": 1}, "bytes": orphan_bytes}
    assert set(copy_vault.iter_blob_ids()) == {kept, young}

    _age(copy_vault, young, TWO_DAYS)
    again = operations.collect_garbage(uow, office.admin, vaults, scratch_root=gc_root, grace_hours=24)
    assert again.removed.orphans == 1
    assert set(copy_vault.iter_blob_ids()) == {kept}

    after = operations.check_vaults(uow, vaults, office.admin, deep=True, scratch_root=gc_root)
    assert after.ok, (after.copies.problems, after.documents.problems, after.leftovers)
    out = tmp_path / "copy.pdf"
    succession.download_copy(uow, copy_vault, office.successor, copy.copy_id, out)
    assert out.stat().st_size > 0
