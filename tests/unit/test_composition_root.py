"""The composition root builds the vaults once per process and again only when the master key
files change, so a rotation run by another process is honoured without a restart."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import create_engine

from shokei.bootstrap import Shokei
from shokei.documents.vault import create_master_key, rotate_master_key
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.settings import Settings


def _shokei(tmp_path: Path) -> Shokei:
    settings = Settings(data_dir=tmp_path / "var")
    settings.keys_dir.mkdir(parents=True, mode=0o700)
    create_master_key(settings.master_key_path)
    return Shokei(settings, UnitOfWork(create_engine("sqlite://")))


def test_vaults_keys_and_scratch_are_built_once(tmp_path: Path) -> None:
    shokei = _shokei(tmp_path)
    assert shokei.vaults is shokei.vaults
    assert shokei.vault() is shokei.vaults.documents
    assert shokei.keyless_vaults is shokei.keyless_vaults
    assert shokei.handover_signing_key is shokei.handover_signing_key
    assert shokei.scratch_dir is shokei.scratch_dir
    assert shokei.scratch_dir.is_dir()


def test_a_rotation_elsewhere_reloads_the_keyring(tmp_path: Path) -> None:
    shokei = _shokei(tmp_path)
    old_key_id = shokei.vaults.documents.put(io.BytesIO(b"drawing"), b"ad").key_id
    new_key_id = rotate_master_key(shokei.settings.keys_dir)  # as `shokei vault rotate-master-key` does
    stored = shokei.vaults.documents.put(io.BytesIO(b"drawing 2"), b"ad")
    assert stored.key_id == new_key_id != old_key_id
    assert shokei.vaults.copies.put(io.BytesIO(b"copy"), b"ad").key_id == new_key_id
