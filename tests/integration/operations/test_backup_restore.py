"""`shokei backup` while a submission runs, then `shokei restore` into a fresh data dir and
database: fsck and verify pass and every document of the backup reads back, byte for byte."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from shokei.documents.models import Document
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import Cli
from tests.factories import Office

SHOKEI = str(Path(sys.executable).parent / "shokei")
FILES = 60
PASSPHRASE = "correct horse battery staple"


def _documents(uow: UnitOfWork) -> int:
    with uow.transaction() as session:
        return session.execute(select(func.count()).select_from(Document)).scalar_one()


@pytest.fixture
def fresh_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind under test, apart from the one the backup is taken of."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'shokei.db'}"
        return
    server = make_url(database_url).set(database="postgres")
    name = f"shokei_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_backup_taken_during_a_submission_restores_whole(
    uow: UnitOfWork,
    cli: Cli,
    cli_env: Path,
    tmp_path: Path,
    fresh_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert cli("init").exit_code == 0
    case = Office(uow).open_case(documents=0).id
    folder = tmp_path / "drawings"
    folder.mkdir()
    originals = {}
    for n in range(FILES):
        content = os.urandom(64 * 1024) + n.to_bytes(4, "big")
        (folder / f"part-{n:03d}.bin").write_bytes(content)
        originals[hashlib.sha256(content).hexdigest()] = content

    submission = subprocess.Popen(
        [SHOKEI, "docs", "submit", str(case), str(folder), "--as", "supplier", "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while _documents(uow) < 5:  # the backup must fall in the middle of the submission
        assert submission.poll() is None, "the submission ended before the backup could start"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    monkeypatch.setenv("SHOKEI_BACKUP_PASSPHRASE", PASSPHRASE)
    destination = tmp_path / "backup"
    taken = cli("backup", str(destination), "--include-keys", "--json").json()
    _, errors = submission.communicate(timeout=300)
    assert submission.returncode == 0, errors
    assert isinstance(taken, dict)
    assert 5 <= taken["documents"] <= FILES
    assert _documents(uow) == FILES  # the submission went on and finished after the snapshot
    manifest = json.loads((destination / "MANIFEST.json").read_text(encoding="utf-8"))
    assert taken["manifest"] == str(destination / "MANIFEST.json")
    assert (manifest["documents"], manifest["ledger_size"]) == (taken["documents"], taken["ledger_size"])
    assert manifest["keys_included"] is True
    assert {(path.stat().st_mode & 0o777) for path in destination.rglob("*") if path.is_file()} == {0o600}
    assert b"master" not in (destination / "keys.enc").read_bytes()  # names and keys are sealed

    restored_dir = tmp_path / "restored-var"
    monkeypatch.setenv("SHOKEI_DATA_DIR", str(restored_dir))
    monkeypatch.setenv("SHOKEI_DATABASE_URL", fresh_database)
    restored = cli("restore", str(destination), "--json")
    assert restored.exit_code == 0, restored.stdout + restored.stderr
    assert json.loads(restored.stdout) == {"fsck_ok": True, "verify_ok": True}

    listed = cli("docs", "list", str(case), "--as", "intake", "--json").json()
    assert isinstance(listed, list)
    assert len(listed) == taken["documents"]
    for document in listed:
        out = tmp_path / f"read-{document['id']}.bin"
        got = cli(
            "docs", "get", str(document["id"]), "--out", str(out), "--reason", "check", "--as", "examiner"
        )
        assert got.exit_code == 0, got.stderr
        assert out.read_bytes() == originals[document["sha256"]]
    assert cli("vault", "fsck", "--deep", "--as", "auditor").exit_code == 0
    assert cli("audit", "verify", "--as", "auditor").exit_code == 0


def test_restore_refuses_a_backup_whose_files_were_changed(
    uow: UnitOfWork,
    cli: Cli,
    cli_env: Path,
    tmp_path: Path,
    fresh_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert cli("init").exit_code == 0
    case = Office(uow).open_case(documents=0).id
    drawing = tmp_path / "drawing.bin"
    drawing.write_bytes(os.urandom(5000))
    assert cli("docs", "submit", str(case), str(drawing), "--as", "supplier").exit_code == 0
    destination = tmp_path / "backup"
    assert cli("backup", str(destination), "--json").json()["documents"] == 1  # type: ignore[index]
    assert not (destination / "keys.enc").exists()  # no keys unless asked for
    blob = next(destination.glob("vault/blobs/*/*/*"))
    blob.write_bytes(blob.read_bytes()[:-1] + b"\x00")
    monkeypatch.setenv("SHOKEI_DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("SHOKEI_DATABASE_URL", fresh_database)
    refused = cli("restore", str(destination), "--json")
    assert refused.exit_code == 5
    assert "does not match its recorded SHA-256" in refused.stderr
    assert not (tmp_path / "elsewhere" / "vault").exists()  # nothing was written


def test_keys_can_live_outside_the_data_dir(
    cli: Cli, cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = tmp_path / "custodian" / "keys"
    monkeypatch.setenv("SHOKEI_KEYS_DIR", str(keys))
    assert cli("init").exit_code == 0
    assert (keys / "vault" / "master.key").is_file()
    assert (keys / "ledger" / "ledger.key").is_file()
    assert not (cli_env / "keys").exists()
    assert not (cli_env / "ledger-keys").exists()
    assert keys.stat().st_mode & 0o777 == 0o700
