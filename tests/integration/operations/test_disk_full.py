"""The data dir's filesystem fills up during an HTTP submission (a small tmpfs the test mounts):
a clear 507, nothing half-written (no temp file, no sealed scratch, no extra blob), and the
service keeps serving reads."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.app import create_app
from shokei.bootstrap import Shokei, initialise
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.settings import Settings
from tests.factories import Office

SIZE_MB = 6


@pytest.fixture
def small_data_dir(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "var"
    mount_point.mkdir(mode=0o700)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def _files_under(root: Path, pattern: str) -> list[Path]:
    return [path for path in root.glob(pattern) if path.is_file()]


@pytest.mark.parametrize("upload_mb", [4, 12], ids=["vault-fills", "scratch-fills"])
def test_a_full_disk_refuses_the_upload_cleanly_and_reads_go_on(
    uow: UnitOfWork, small_data_dir: Path, upload_mb: int
) -> None:
    shokei = Shokei(Settings(data_dir=small_data_dir), uow)
    initialise(shokei)
    office = Office(uow)
    supplier, examiner = (
        {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, name).secret}"}
        for name in ("supplier", "examiner")
    )
    case = office.open_case(documents=0)
    first = os.urandom(100_000)
    with TestClient(create_app(shokei)) as client:
        stored = client.post(
            f"/api/v1/cases/{case.id}/files", headers=supplier, files=[("f", ("a.bin", first))]
        )
        assert stored.status_code == 201, stored.text
        document_id = stored.json()["documents"][0]["id"]

        big = os.urandom(upload_mb << 20)
        refused = client.post(
            f"/api/v1/cases/{case.id}/files", headers=supplier, files=[("f", ("big.bin", big))]
        )
        assert refused.status_code == 507, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["title"] == "Insufficient storage"

        assert _files_under(small_data_dir, "vault/tmp/*") == []
        assert _files_under(small_data_dir, "scratch/proc-*/*") == []
        assert len(_files_under(small_data_dir, "vault/blobs/*/*/*")) == 1
        listed = client.get(f"/api/v1/cases/{case.id}/documents/files", headers=examiner).json()
        assert [d["id"] for d in listed] == [document_id]
        read = client.get(f"/api/v1/documents/{document_id}/content?reason=check", headers=examiner)
        assert read.status_code == 200
        assert read.content == first
        assert client.get("/healthz").status_code == 200
        again = client.post(
            f"/api/v1/cases/{case.id}/files", headers=supplier, files=[("f", ("b.bin", b"small"))]
        )
        assert again.status_code == 201, again.text  # the space was given back
