"""The local CLI's submission keeps the same admission limits as an HTTP upload (issue 23):
`SHOKEI_MAX_UPLOAD_BYTES` for one submission and `SHOKEI_MAX_CASE_BYTES` for what a case may
hold, refused (exit 2, the limit named) before any file is stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from shokei.documents import services as documents
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import Cli
from tests.factories import Office


def _files(folder: Path, sizes: dict[str, int]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, size in sizes.items():
        (folder / name).write_bytes(b"x" * size)
    return folder


def test_a_local_submission_over_the_case_limit_is_refused_before_anything_is_stored(
    uow: UnitOfWork, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init").exit_code == 0
    office = Office(uow)
    case = office.open_case(documents=0).id
    monkeypatch.setenv("SHOKEI_MAX_CASE_BYTES", "3000")
    first = cli("docs", "submit", str(case), str(_files(tmp_path / "a", {"a.txt": 2000})), "--as", "supplier")
    assert first.exit_code == 0, first.stderr
    # A folder of 1,500 bytes more would bring the case to 3,500.
    refused = cli(
        "docs",
        "submit",
        str(case),
        str(_files(tmp_path / "b", {"b.txt": 700, "c.txt": 800})),
        "--as",
        "supplier",
    )
    assert refused.exit_code == 2
    assert "3,000" in refused.stderr  # names the case's limit
    assert len(documents.list_documents(uow, office.supplier, case)) == 1
    fits = cli("docs", "submit", str(case), str(_files(tmp_path / "c", {"d.txt": 900})), "--as", "supplier")
    assert fits.exit_code == 0, fits.stderr
    assert len(documents.list_documents(uow, office.supplier, case)) == 2


def test_a_local_submission_over_the_upload_limit_is_refused(
    uow: UnitOfWork, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init").exit_code == 0
    office = Office(uow)
    case = office.open_case(documents=0).id
    monkeypatch.setenv("SHOKEI_MAX_UPLOAD_BYTES", "1000")
    big = _files(tmp_path / "big", {"big.txt": 1001})
    refused = cli("docs", "submit", str(case), str(big / "big.txt"), "--as", "supplier")
    assert refused.exit_code == 2
    assert "1,000" in refused.stderr
    assert documents.list_documents(uow, office.supplier, case) == []


def test_the_local_submission_still_refuses_an_unassigned_intake_officer_first(
    uow: UnitOfWork, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The admission is the HTTP one: who may hand in for which case is decided before sizes."""
    from shokei.kernel import Role
    from tests.factories import user

    assert cli("init").exit_code == 0
    office = Office(uow)
    case = office.open_case(documents=0).id
    user(uow, Role.INTAKE_OFFICER, name="intake2")
    monkeypatch.setenv("SHOKEI_MAX_UPLOAD_BYTES", "10")
    refused = cli("docs", "submit", str(case), str(_files(tmp_path / "x", {"x.txt": 100})), "--as", "intake2")
    assert refused.exit_code == 3
    assert "not assigned" in refused.stderr
