"""`shokei docs ...` and `shokei vault ...` as the interface contract says, and a killed submission."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from shokei.documents.models import Document
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import Cli
from tests.factories import Office


def _office_with_case(uow: UnitOfWork, cli: Cli) -> int:
    assert cli("init").exit_code == 0
    return Office(uow).open_case(documents=0).id


def test_submit_show_list_get_search_and_fsck(
    uow: UnitOfWork, cli: Cli, sample_files: Path, tmp_path: Path
) -> None:
    case = _office_with_case(uow, cli)
    note = tmp_path / "note.txt"
    note.write_text("【取扱注意】\n防衛装備品 整合回路の調整手順", encoding="utf-8")
    pdf = sample_files / "four-pages.pdf"
    submitted = cli("docs", "submit", str(case), str(pdf), str(note), "--as", "supplier", "--json").json()
    docs = submitted["documents"]  # type: ignore[index]
    assert submitted["refused"] == []  # type: ignore[index]
    by_type = {d["type"]: d for d in docs}
    assert set(by_type) == {"pdf", "text"}
    for document in docs:
        assert {"id", "path", "type", "size", "sha256", "markings", "flags"} <= set(document)
    assert by_type["pdf"]["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert by_type["pdf"]["size"] == len(pdf.read_bytes())
    assert by_type["text"]["markings"]

    shown = cli("docs", "show", str(by_type["pdf"]["id"]), "--as", "examiner", "--json").json()
    assert shown["metadata"]["page_count"] == 4  # type: ignore[index]
    assert shown["page_count"] == 4  # type: ignore[index]
    listed = cli("docs", "list", str(case), "--as", "intake", "--json").json()
    assert sorted(d["id"] for d in listed) == sorted(d["id"] for d in docs)  # type: ignore[union-attr]
    found = cli("docs", "search", "整合回路", "--case", str(case), "--as", "examiner", "--json").json()
    assert [d["id"] for d in found] == [by_type["text"]["id"]]  # type: ignore[union-attr]

    out = tmp_path / "copy.pdf"
    no_reason = cli("docs", "get", str(by_type["pdf"]["id"]), "--out", str(out), "--as", "examiner")
    assert no_reason.exit_code == 2
    got = cli(
        "docs", "get", str(by_type["pdf"]["id"]), "--out", str(out), "--reason", "審査", "--as", "examiner"
    )
    assert got.exit_code == 0, got.stderr
    assert out.read_bytes() == pdf.read_bytes()

    fsck = cli("vault", "fsck", "--deep", "--as", "auditor", "--json").json()
    assert fsck["ok"] is True  # type: ignore[index]
    assert fsck["checked"] == 2  # type: ignore[index]
    rotated = cli("vault", "rotate-master-key", "--as", "admin", "--json").json()
    assert rotated["rewrapped"] == 2  # type: ignore[index]
    assert (
        cli(
            "docs",
            "get",
            str(by_type["text"]["id"]),
            "--out",
            str(tmp_path / "n.txt"),
            "--reason",
            "r",
            "--as",
            "examiner",
        ).exit_code
        == 0
    )


def test_fsck_exits_non_zero_on_a_corrupt_blob(
    uow: UnitOfWork, cli: Cli, cli_env: Path, tmp_path: Path
) -> None:
    case = _office_with_case(uow, cli)
    file = tmp_path / "a.txt"
    file.write_text("設計図" * 1000, encoding="utf-8")
    cli("docs", "submit", str(case), str(file), "--as", "supplier")
    blob = next(p for p in (cli_env / "vault" / "blobs").rglob("*") if p.is_file())
    data = bytearray(blob.read_bytes())
    data[-1] ^= 0xFF
    blob.write_bytes(bytes(data))
    result = cli("vault", "fsck", "--as", "auditor")
    assert result.exit_code == 5
    assert "corrupt" in result.stdout


def _documents(uow: UnitOfWork) -> int:
    with uow.transaction() as session:
        return session.execute(select(func.count()).select_from(Document)).scalar_one()


def test_a_submission_killed_midway_then_rerun_leaves_no_duplicate_or_orphan_row(
    uow: UnitOfWork, cli: Cli, cli_env: Path, tmp_path: Path
) -> None:
    case = _office_with_case(uow, cli)
    folder = tmp_path / "many"
    folder.mkdir()
    total = 120
    for n in range(total):
        (folder / f"part-{n:03d}.bin").write_bytes(os.urandom(512 * 1024) + n.to_bytes(4, "big"))
    shokei = str(Path(sys.executable).parent / "shokei")
    command = [shokei, "docs", "submit", str(case), str(folder), "--as", "supplier", "--json"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # Wait for the condition "some documents are committed", then kill without warning.
    while _documents(uow) < 5 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    interrupted_at = _documents(uow)
    assert 5 <= interrupted_at < total, (
        "the submission must be killed part-way for this test to mean anything"
    )

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert _documents(uow) == total
    fsck = cli("vault", "fsck", "--deep", "--as", "auditor", "--json")
    report = json.loads(fsck.stdout)
    assert {p["kind"] for p in report["problems"]} <= {"orphan"}  # type: ignore[index]
    assert report["checked"] == total  # type: ignore[index]
    assert len(report["problems"]) <= 1  # at most the one blob written when the kill struck  # type: ignore[arg-type]
    out = tmp_path / "check.bin"
    last = cli("docs", "list", str(case), "--as", "intake", "--json").json()[-1]  # type: ignore[index]
    assert (
        cli("docs", "get", str(last["id"]), "--out", str(out), "--reason", "r", "--as", "examiner").exit_code
        == 0
    )
    assert out.read_bytes() == (folder / Path(last["path"]).name).read_bytes()
