"""`shokei docs submit` with file names that are not UTF-8 (as a Japanese Windows share or an old
archive gives them): a clear refusal naming the file, exit 2 or a listed refusal, never a
traceback; nothing is stored for such a file (no row, no blob)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select

from shokei.documents.models import Document
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import Cli
from tests.factories import Office


def _case(uow: UnitOfWork, cli: Cli) -> int:
    assert cli("init").exit_code == 0
    return Office(uow).open_case(documents=0).id


def _documents(uow: UnitOfWork) -> int:
    with uow.transaction() as session:
        return session.execute(select(func.count()).select_from(Document)).scalar_one()


def _blobs(data_dir: Path) -> list[Path]:
    vault = data_dir / "vault"
    return [p for p in vault.rglob("*") if p.is_file() and "tmp" not in p.relative_to(vault).parts]


def test_a_file_named_in_shift_jis_given_on_the_command_line_is_a_clear_refusal(
    uow: UnitOfWork, cli: Cli, cli_env: Path, tmp_path: Path
) -> None:
    case = _case(uow, cli)
    name = os.fsdecode(os.fsencode(tmp_path) + b"/" + "設計図.txt".encode("shift_jis"))
    Path(name).write_text("設計", encoding="utf-8")
    result = cli("docs", "submit", str(case), name, "--as", "supplier")
    assert result.exit_code == 2
    assert "not valid text" in result.stderr or "not valid text" in result.stdout
    assert _documents(uow) == 0
    assert _blobs(cli_env) == []


def test_a_folder_holding_a_non_utf8_name_refuses_that_file_and_keeps_the_others(
    uow: UnitOfWork, cli: Cli, cli_env: Path, tmp_path: Path
) -> None:
    case = _case(uow, cli)
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "ok.txt").write_text("正常", encoding="utf-8")
    Path(os.fsdecode(os.fsencode(folder) + b"/\xff\xfe.txt")).write_text("bad", encoding="utf-8")
    submitted = cli("docs", "submit", str(case), str(folder), "--as", "supplier", "--json").json()
    refused = submitted["refused"]  # type: ignore[index]
    assert [r["reason"] for r in refused] == ["invalid_name"]
    assert "\\xff" in refused[0]["path"] or "\\udcff" in refused[0]["path"]
    assert [d["path"].rsplit("/", 1)[-1] for d in submitted["documents"]] == ["ok.txt"]  # type: ignore[index]
    assert _documents(uow) == 1
