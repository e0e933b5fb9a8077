"""`shokei company update`, `shokei successor ...`, `shokei handover ...` and `shokei trace` as the
interface contract says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from shokei.audit.models import AuditEntry
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.succession.models import HandoverCopy
from tests import factories
from tests.conftest import Cli
from tests.factories import Office

GOOD = ("--security-compliant-until", "2027-03-31", "--capabilities", "machining,welding", "--capacity", "2")
DOMESTIC = ("--financial-distress", "no", "--foreign-share", "0", "--foreign-country", "JP")


def _update(cli: Cli, number: str, *options: str) -> None:
    result = cli("company", "update", number, *options, "--as", "admin", "--json")
    assert result.exit_code == 0, result.stderr


def _rules(candidate: dict[str, Any]) -> dict[str, tuple[bool, str]]:
    return {rule["name"]: (rule["passed"], rule["reason"]) for rule in candidate["rules"]}


def test_rank_select_accept_release_download_disseminate_and_trace(
    uow: UnitOfWork,
    cli: Cli,
    cli_env: Path,
    sample_files: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert cli("init").exit_code == 0
    office = Office(uow)
    successor = office.successor_company.corporate_number or ""
    withdrawing = office.withdrawing.corporate_number or ""
    foreign = factories.company(uow, "外資支配工業株式会社").corporate_number or ""
    distressed = factories.company(uow, "経営難製作所株式会社").corporate_number or ""
    expired = factories.company(uow, "期限切れ電機株式会社").corporate_number or ""
    sub = factories.company(uow, "下請加工株式会社").corporate_number or ""
    factories.user(uow, Role.SUCCESSOR, sub, "sub")
    _update(cli, successor, *GOOD, *DOMESTIC)
    _update(cli, withdrawing, *GOOD, *DOMESTIC)
    _update(cli, sub, *GOOD, *DOMESTIC)
    _update(
        cli, foreign, *GOOD, "--financial-distress", "no", "--foreign-share", "51", "--foreign-country", "CN"
    )
    _update(
        cli,
        distressed,
        *GOOD,
        "--financial-distress",
        "yes",
        "--foreign-share",
        "0",
        "--foreign-country",
        "JP",
    )
    _update(cli, expired, *DOMESTIC, "--security-compliant-until", "2026-03-31", "--capacity", "1")
    assert (
        cli("company", "update", successor, "--foreign-share", "5", "--as", "admin").exit_code == 2
    )  # no country

    case = office.open_case(documents=0).id
    pdf = sample_files / "four-pages.pdf"
    assert cli("docs", "submit", str(case), str(pdf), "--as", "supplier").exit_code == 0
    office.to_successor_selection(case)

    ranked = cli("successor", "rank", str(case), "--as", "manager", "--json").json()
    assert isinstance(ranked, list)
    by_number = {c["corporate_number"]: c for c in ranked}
    for candidate in ranked:
        assert {"corporate_number", "eligible", "rules", "score"} <= set(candidate)
    assert by_number[successor]["eligible"] is True
    assert by_number[sub]["eligible"] is True
    assert ranked[0]["eligible"] is True
    refusals = {
        foreign: ("foreign_ownership", "foreign-controlled"),
        distressed: ("financial_health", "in financial distress"),
        expired: ("security_compliance", "expired 2026-03-31"),
        withdrawing: ("independence", "withdrawing company itself"),
    }
    for number, (rule, words) in refusals.items():
        assert by_number[number]["eligible"] is False
        passed, reason = _rules(by_number[number])[rule]
        assert not passed
        assert words in reason, (rule, reason)

    refused = cli("successor", "select", str(case), foreign, "--reason", "安い", "--as", "manager")
    assert refused.exit_code == 4
    assert "foreign-controlled" in refused.stderr
    assert (
        cli("successor", "select", str(case), successor, "--reason", "x", "--as", "successor").exit_code == 3
    )
    assert (
        cli("successor", "select", str(case), successor, "--reason", "能力一致", "--as", "manager").exit_code
        == 0
    )
    inbox = cli("successor", "inbox", "--as", "successor", "--json").json()
    assert isinstance(inbox, list)
    assert str(case) in inbox[0]["subject"]

    # Nothing to download before release; the release needs the successor's acceptance.
    assert (
        cli(
            "handover", "download", "SK1-000000000000", "--out", str(tmp_path / "x"), "--as", "successor"
        ).exit_code
        == 3
    )
    assert cli("handover", "release", str(case), "--as", "manager").exit_code == 4
    not_yet = cli("handover", "destruction-certificate", str(case), "--reference", "第1号", "--as", "manager")
    assert not_yet.exit_code == 4  # certificates of destruction follow the hand-over
    assert cli("successor", "accept", str(case), "--as", "sub").exit_code == 3  # not the selected successor
    assert cli("successor", "accept", str(case), "--as", "successor").exit_code == 0
    copies = cli("handover", "release", str(case), "--as", "manager", "--json").json()
    assert isinstance(copies, list)
    assert len(copies) == 1
    copy = copies[0]
    assert {"copy_id", "document", "sha256"} <= set(copy)
    case_view = cli("case", "show", str(case), "--as", "manager", "--json").json()
    assert case_view["state"] == "handed_over"  # type: ignore[index]

    out = tmp_path / "mine.pdf"
    assert cli("handover", "download", copy["copy_id"], "--out", str(out), "--as", "sub").exit_code == 3
    assert not out.exists()
    assert cli("handover", "download", copy["copy_id"], "--out", str(out), "--as", "successor").exit_code == 0
    traced = cli("trace", str(out), "--as", "auditor", "--json").json()
    assert traced["copy_id"] == copy["copy_id"]
    assert traced["recipient"] == successor
    assert traced["method"] == "hash"
    assert traced["confidence"] == 1.0
    assert traced["candidates"][0]["evidence"] == ["SHA-256 of the copy as issued"]  # type: ignore[index]
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    shown = cli("trace", str(out), "--as", "auditor").stdout.replace("\n", "")  # as the console wraps
    assert f"候補: {copy['copy_id']}（{successor}、確度 1.00）: 交付した複製のSHA-256と一致" in shown
    monkeypatch.delenv("LANG")

    request = cli(
        "handover",
        "disseminate",
        copy["copy_id"],
        "--to",
        sub,
        "--purpose",
        "治具製作",
        "--as",
        "successor",
        "--json",
    ).json()
    assert cli("handover", "approve-dissemination", str(request["id"]), "--as", "successor").exit_code == 3  # type: ignore[index]
    approved = cli(
        "handover", "approve-dissemination", str(request["id"]), "--as", "manager", "--json"
    ).json()  # type: ignore[index]
    sub_copy = approved["new_copy"]["copy_id"]  # type: ignore[index]
    assert approved["copy_id"] == sub_copy  # type: ignore[index]
    sub_out = tmp_path / "sub.pdf"
    refused = cli("handover", "download", sub_copy, "--out", str(sub_out), "--as", "sub")
    assert refused.exit_code == 4
    assert "terms: the subcontractor has not accepted" in refused.stderr
    accepted = cli("handover", "accept-dissemination", str(request["id"]), "--as", "sub", "--json")  # type: ignore[index]
    assert accepted.json()["status"] == "accepted"  # type: ignore[index]
    assert cli("handover", "download", sub_copy, "--out", str(sub_out), "--as", "sub").exit_code == 0
    traced = cli("trace", str(sub_out), "--as", "manager", "--json").json()
    assert traced["copy_id"] == sub_copy
    assert traced["recipient"] == sub
    assert [h["corporate_number"] for h in traced["chain"]] == [withdrawing, None, successor, sub]  # type: ignore[index]

    with uow.transaction() as session:
        actions = list(session.execute(select(AuditEntry.action)).scalars())
    assert actions.count("handover:copy:download") == 2  # the refused attempt is not a download
    assert actions.count("handover:copy:issue") == 2
    # Copies live apart from the documents' vault: its fsck still finds every blob accounted for.
    assert cli("vault", "fsck", "--deep", "--as", "admin").exit_code == 0
    # ... and the copies vault is checked with it: a tampered copy blob is reported by copy id.
    with uow.transaction() as session:
        blob = session.execute(
            select(HandoverCopy.blob_id).where(HandoverCopy.copy_id == sub_copy)
        ).scalar_one()
    stored = cli_env / "copies" / "blobs" / blob[:2] / blob[2:4] / blob
    stored.write_bytes(stored.read_bytes()[:-1] + bytes([stored.read_bytes()[-1] ^ 1]))
    tampered = cli("vault", "fsck", "--as", "auditor", "--json")
    assert tampered.exit_code == 5
    report = json.loads(tampered.stdout)
    assert report["ok"] is False
    assert report["problems"] == []  # the documents' vault is intact
    assert [(p["kind"], p["blob_id"]) for p in report["copies"]["problems"]] == [("corrupt", blob)]
    assert sub_copy in report["copies"]["problems"][0]["detail"]
    # Closing needs the supplier's certificate of destruction; recording it closes the case.
    refused_close = cli("case", "transition", str(case), "close", "--as", "manager")
    assert refused_close.exit_code == 2
    assert "certificate of destruction is not recorded" in refused_close.stderr
    # a case closes only once its purchase is paid (approved on the office's 2026-06-01)
    assert cli("purchase", "pay", str(case), "--date", "2026-06-01", "--as", "manager").exit_code == 0
    certified = cli(
        "handover", "destruction-certificate", str(case), "--reference", "廃棄証明 第7号", "--as", "manager"
    )
    assert certified.exit_code == 0, certified.stderr
    assert cli("case", "show", str(case), "--as", "manager", "--json").json()["state"] == "closed"  # type: ignore[index]


def test_trace_notes_read_in_the_cli_users_language(
    uow: UnitOfWork, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plain-text trace prints its notes in the user's language; the JSON keeps the English."""
    assert cli("init").exit_code == 0
    Office(uow)
    found = tmp_path / "found.txt"
    found.write_text("短い", encoding="utf-8")
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    shown = cli("trace", str(found), "--as", "auditor")
    assert shown.exit_code == 0, shown.stderr
    assert "備考: 比較できるだけの本文がありません" in shown.stdout, shown.stdout
    assert "too little text" not in shown.stdout
    notes = cli("trace", str(found), "--as", "auditor", "--json").json()["notes"]  # type: ignore[index]
    assert "too little text to compare" in notes
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert "note: too little text to compare" in cli("trace", str(found), "--as", "auditor").stdout
