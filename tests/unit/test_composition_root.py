"""The composition root builds the vaults once per process and again only when the master key
files change, so a rotation run by another process is honoured without a restart."""

from __future__ import annotations

import io
import os
import subprocess
import sys
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


def test_a_read_knows_only_its_tables_and_the_first_flush_registers_every_table(tmp_path: Path) -> None:
    """In a fresh process, as a lazily loaded command runs: building the app imports no other
    feature's tables; the first flush imports them all, before the ORM resolves foreign keys (an
    inventory line names the documents' table)."""
    script = """
import sys
from datetime import UTC, datetime
from sqlalchemy.exc import OperationalError
from shokei.bootstrap import build
from shokei.cases.models import InventoryLine
from shokei.db import Base
from shokei.settings import Settings

app = build(Settings(data_dir=sys.argv[1]))
before = "documents" in Base.metadata.tables
try:
    with app.uow.transaction() as session:
        session.add(InventoryLine(case_id=1, title="t", created_by_id=1, created_at=datetime.now(UTC)))
        session.flush()
except OperationalError:
    pass  # no schema in this empty database: only the registration before the flush matters
print(before, "documents" in Base.metadata.tables)
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "var")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")},
    )
    assert done.stdout.split() == ["False", "True"]
