"""`shokei incident` as the interface contract says: a scan of a released copy of a real PDF opens
an incident that names the holder and suspends it in the same transaction, runs a 72-hour clock,
closes with an outcome, and the whole history verifies in the ledger."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from shokei.audit.models import AuditEntry
from shokei.bootstrap import Shokei
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.settings import load_settings
from tests.conftest import Cli
from tests.factories import Office
from tests.integration.conftest import ReleaseCopy
from tests.unit.succession import golden_leaks

pytestmark = pytest.mark.real_files


def test_an_incident_opened_from_a_scan_suspends_the_holder_and_verifies_in_the_ledger(
    uow: UnitOfWork, cli: Cli, cli_env: Path, released_copy: ReleaseCopy, real_files: Path, tmp_path: Path
) -> None:
    assert cli("init").exit_code == 0
    office = Office(uow)
    shokei = Shokei(load_settings(), uow)
    holder = office.successor_company.corporate_number
    copy_id = released_copy(
        office, shokei, real_files / "pdf/minimal-document.pdf", tmp_path / "c.pdf"
    ).copy_id
    scan = golden_leaks.image_pdf(tmp_path / "c.pdf", tmp_path / "scan.pdf")

    refused = cli("incident", "open", "--file", str(scan), "--found-at", "展示会", "--as", "successor")
    assert refused.exit_code == 3
    opened_result = cli(
        "incident",
        "open",
        "--file",
        str(scan),
        "--found-at",
        "国際防衛展示会のブース",
        "--found-on",
        "2026-11-30",
        "--reporter",
        "情報本部",
        "--as",
        "manager",
        "--json",
    )
    assert opened_result.exit_code == 0, opened_result.stderr
    opened = opened_result.json()
    assert isinstance(opened, dict)
    assert {"id", "state", "copy_id", "recipient", "chain", "deadline_at", "holder_suspended"} <= set(opened)
    assert (opened["state"], opened["copy_id"], opened["recipient"], opened["holder_suspended"]) == (
        "holder_identified",
        copy_id,
        holder,
        True,
    )
    assert [link["role"] for link in opened["chain"]] == ["supplier", "mod", "successor"]
    opened_at, deadline_at = (datetime.fromisoformat(opened[key]) for key in ("opened_at", "deadline_at"))
    assert deadline_at - opened_at == timedelta(hours=72)
    assert 71 * 3600 < opened["seconds_left"] <= 72 * 3600

    company = cli("company", "show", holder or "", "--as", "manager", "--json").json()
    assert isinstance(company, dict)
    assert company["access"] == "suspended"
    with uow.transaction() as session:
        actions = list(session.execute(select(AuditEntry.action).order_by(AuditEntry.index)).scalars())
    # The suspension, the flags it raises on the holder's open cases, and the incident: one
    # transaction, next to each other in the ledger.
    suspended = len(actions) - 1 - actions[::-1].index("company:access:suspend")
    assert actions[-1] == "incident:incident:open"
    assert set(actions[suspended + 1 : -1]) <= {"case:flag:raise"}

    listed = cli("incident", "list", "--open", "--as", "auditor", "--json").json()
    assert [item["id"] for item in listed] == [opened["id"]]  # type: ignore[index, union-attr]
    assert cli("incident", "close", str(opened["id"]), "--outcome", "x", "--as", "auditor").exit_code == 3
    contained = cli(
        "incident",
        "contain",
        str(opened["id"]),
        "--action",
        "全複製の回収を命令",
        "--as",
        "manager",
        "--json",
    ).json()
    assert contained["state"] == "contained"  # type: ignore[index]
    closed = cli(
        "incident", "close", str(opened["id"]), "--outcome", "回収・刑事告発", "--as", "manager", "--json"
    ).json()
    assert (closed["state"], closed["outcome"]) == ("closed", "回収・刑事告発")  # type: ignore[index]
    assert cli("incident", "close", str(opened["id"]), "--outcome", "再", "--as", "manager").exit_code == 4
    assert cli("incident", "list", "--open", "--as", "manager", "--json").json() == []
    shown = cli("incident", "show", str(opened["id"]), "--as", "auditor", "--json").json()
    assert shown["actions"][0]["action"] == "全複製の回収を命令"  # type: ignore[index]
    verified = cli("audit", "verify", "--as", "auditor", "--json")
    assert verified.exit_code == 0, verified.stdout
