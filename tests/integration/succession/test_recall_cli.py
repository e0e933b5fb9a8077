"""Recall and return over the CLI (issue 15): `handover recall`, `handover return`, `handover
recalls`, `handover list --json` with each copy's status; a recalled copy cannot be downloaded;
download by a suspended holder exits 3 naming the rule `access`."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession import services
from tests.conftest import Cli
from tests.factories import Office
from tests.integration.succession.conftest import make_eligible


def _released(uow: UnitOfWork, cli: Cli, sample_files: Path) -> tuple[Office, int, list[str]]:
    assert cli("init").exit_code == 0
    office = Office(uow)
    make_eligible(uow, office, office.successor_company)
    case = office.open_case(documents=0).id
    pdf, step = sample_files / "four-pages.pdf", sample_files / "part.stp"
    assert cli("docs", "submit", str(case), str(pdf), str(step), "--as", "supplier").exit_code == 0
    office.to_successor_selection(case)
    services.select_successor(
        uow, office.manager, case, office.successor_company.corporate_number or "", reason="最適"
    )
    services.accept_terms(uow, office.successor, case)
    released = cli("handover", "release", str(case), "--as", "manager", "--json").json()
    assert isinstance(released, list)
    return office, case, [c["copy_id"] for c in released]


def test_recall_return_and_the_register_of_statuses(
    uow: UnitOfWork, cli: Cli, sample_files: Path, tmp_path: Path
) -> None:
    office, case, (first, second) = _released(uow, cli, sample_files)
    listed = cli("handover", "list", str(case), "--as", "manager", "--json").json()
    assert [(c["copy_id"], c["status"]) for c in listed] == [(first, "issued"), (second, "issued")]  # type: ignore[index]

    assert cli("handover", "recall", first, "--reason", "x", "--as", "successor").exit_code == 3
    recalled = cli("handover", "recall", first, "--reason", "保全違反の疑い", "--as", "manager", "--json")
    assert [(r["copy_id"], r["status"], r["recall_reason"]) for r in recalled.json()] == [  # type: ignore[union-attr]
        (first, "recalled", "保全違反の疑い")
    ]
    refused = cli("handover", "download", first, "--out", str(tmp_path / "x.pdf"), "--as", "successor")
    assert refused.exit_code == 4
    assert (
        f"download of copy {first} refused: status: copy {first} is recalled: 保全違反の疑い"
        in refused.stderr
    )
    assert not (tmp_path / "x.pdf").exists()
    out = tmp_path / "second.stp"
    assert cli("handover", "download", second, "--out", str(out), "--as", "successor").exit_code == 0

    outstanding = cli("handover", "recalls", "--as", "manager", "--json").json()
    assert [(r["copy_id"], r["recipient"]) for r in outstanding] == [  # type: ignore[index]
        (first, office.successor_company.corporate_number)
    ]
    assert cli("handover", "recalls", "--as", "successor", "--json").json() == outstanding

    scan = tmp_path / "certificate.pdf"
    scan.write_bytes(b"%PDF-1.4 destruction certificate")
    returned = cli(
        "handover",
        "return",
        first,
        "--reference",
        "廃棄証明 第7号",
        "--file",
        str(scan),
        "--as",
        "successor",
        "--json",
    ).json()
    assert returned["status"] == "destroyed"  # type: ignore[index]
    assert returned["destruction_reference"] == "廃棄証明 第7号"  # type: ignore[index]
    assert returned["destruction_sha256"] == hashlib.sha256(b"%PDF-1.4 destruction certificate").hexdigest()  # type: ignore[index]
    assert returned["destroyed_at"] is not None  # type: ignore[index]  # the CLI runs on the real clock
    assert cli("handover", "return", first, "--reference", "again", "--as", "successor").exit_code == 4
    assert cli("handover", "recalls", "--as", "manager", "--json").json() == []
    listed = cli("handover", "list", str(case), "--as", "manager", "--json").json()
    assert [(c["copy_id"], c["status"]) for c in listed] == [(first, "destroyed"), (second, "issued")]  # type: ignore[index]

    # Every copy of a company at once; a destroyed copy stays destroyed.
    number = office.successor_company.corporate_number or ""
    all_of_it = cli("handover", "recall-company", number, "--reason", "全数回収", "--as", "manager", "--json")
    assert [r["copy_id"] for r in all_of_it.json()] == [second]  # type: ignore[union-attr]
    assert cli("handover", "recall-company", number, "--reason", "再", "--as", "manager").exit_code == 4


def test_download_by_a_suspended_holder_exits_3_naming_the_rule(
    uow: UnitOfWork, cli: Cli, sample_files: Path, tmp_path: Path
) -> None:
    office, _case, (first, _second) = _released(uow, cli, sample_files)
    number = office.successor_company.corporate_number or ""
    assert cli("company", "suspend", number, "--reason", "調査のため", "--as", "manager").exit_code == 0
    refused = cli("handover", "download", first, "--out", str(tmp_path / "a.pdf"), "--as", "successor")
    assert refused.exit_code == 3
    pattern = r"refused: access: 承継重工業株式会社 is suspended since [-\d]+ \(manual\): 調査のため"
    assert re.search(pattern, refused.stderr)
    assert cli("company", "reinstate", number, "--reason", "調査終了", "--as", "manager").exit_code == 0
    # A foreign share recorded on the holder: suspended in that transaction, the rule in the reason.
    make_eligible(uow, office, office.successor_company, foreign_share_percent=40, foreign_share_country="CN")
    again = cli("handover", "download", first, "--out", str(tmp_path / "b.pdf"), "--as", "successor")
    assert again.exit_code == 3
    assert "(changed_condition)" in again.stderr
    assert "foreign_ownership: foreign ownership 40%" in again.stderr
    reinstate = cli("company", "reinstate", number, "--reason", "確認", "--as", "manager")
    assert reinstate.exit_code == 4
    assert "foreign_ownership: foreign ownership 40%" in reinstate.stderr
