"""The ownership interface contract through the `shokei` command, as an official would type it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shokei.companies.domain import CorporateNumber
from tests.conftest import Cli

SME = CorporateNumber.from_base("401010101010").value
HOLDING = CorporateNumber.from_base("401010101011").value


def _office(cli: Cli) -> None:
    assert cli("init", "--json").exit_code == 0
    for number, name, capital, people in [
        (SME, "北斗通信機株式会社", "50000000", "40"),
        (HOLDING, "北斗ホールディングス株式会社", "5000000000", "800"),
    ]:
        added = cli(
            "company",
            "add",
            "--corporate-number",
            number,
            "--name",
            name,
            "--capital-yen",
            capital,
            "--employees",
            people,
            "--as",
            "admin",
        )
        assert added.exit_code == 0, added.stderr
    for name, role in [("intake", "intake_officer"), ("auditor", "auditor")]:
        assert cli("user", "add", name, "--role", role, "--as", "admin").exit_code == 0


def test_import_control_event_alerts_and_export(cli: Cli, bods_dir: Path, tmp_path: Path) -> None:
    _office(cli)
    imported = cli(
        "ownership", "import-bods", str(bods_dir / "bods-package-fi-soe.json"), "--as", "intake", "--json"
    ).json()
    assert isinstance(imported, dict)
    assert (imported["read"], imported["rejected"]) == (9, [])
    assert imported["imported"]["relationships"] == 5

    control = cli("ownership", "control", "FI-PRO-3007894-1", "--as", "auditor", "--json").json()
    assert isinstance(control, dict)
    assert {"direct_foreign", "integrated_foreign", "attributed_foreign", "by_country", "chains"} <= set(
        control
    )
    assert control["integrated_foreign"] == pytest.approx(1.0)
    assert control["declared_indirect"][0]["computed"] is None

    foreign = cli(
        "ownership",
        "add-entity",
        "--kind",
        "foreign_company",
        "--name",
        "华晨精密机械有限公司",
        "--country",
        "CN",
        "--identifier",
        "CN-USCC-91110000MA01ABCD1X",
        "--as",
        "intake",
        "--json",
    ).json()
    assert isinstance(foreign, dict)
    assert foreign["reference"] == "CN-USCC-91110000MA01ABCD1X"
    for owner, owned, share in [
        ("CN-USCC-91110000MA01ABCD1X", HOLDING, "60"),
        ("CN-USCC-91110000MA01ABCD1X", SME, "5"),
    ]:
        assert (
            cli(
                "ownership",
                "add-interest",
                "--owner",
                owner,
                "--owned",
                owned,
                "--share",
                share,
                "--as",
                "intake",
            ).exit_code
            == 0
        )
    event = cli(
        "ownership",
        "add-interest",
        "--owner",
        HOLDING,
        "--owned",
        f"JP-JCN-{SME}",
        "--share",
        "15",
        "--date",
        "2026-05-20",
        "--as",
        "intake",
        "--json",
    ).json()
    assert isinstance(event, dict)
    (raised,) = event["alerts_raised"]
    assert (raised["corporate_number"], raised["threshold"]) == (SME, 0.10)
    assert [step["name"] for step in raised["chain"]["path"]] == [
        "华晨精密机械有限公司",
        "北斗ホールディングス株式会社",
        "北斗通信機株式会社",
    ]

    cli("ownership", "add-interest", "--owner", HOLDING, "--owned", SME, "--share", "3", "--as", "intake")
    alerts = cli("alerts", "list", "--as", "auditor", "--json").json()
    assert isinstance(alerts, list)
    by_key = {(alert["corporate_number"], alert["threshold"]): alert["status"] for alert in alerts}
    assert by_key[(SME, 0.10)] == "resolved"
    assert by_key[(SME, 0.01)] == "open"

    out = tmp_path / "export.json"
    assert cli("ownership", "export-bods", str(out), "--as", "auditor").exit_code == 0
    statements = json.loads(out.read_bytes())
    assert {s["recordType"] for s in statements} == {"entity", "relationship"}
    assert any(s["recordDetails"].get("name") == "北斗通信機株式会社" for s in statements)


def test_errors_map_to_exit_codes(cli: Cli) -> None:
    _office(cli)
    assert cli("ownership", "control", "nobody", "--as", "auditor").exit_code == 3  # not found
    assert (
        cli(
            "ownership",
            "add-interest",
            "--owner",
            HOLDING,
            "--owned",
            SME,
            "--share",
            "150",
            "--as",
            "intake",
        ).exit_code
        == 2
    )  # bad input
    assert (
        cli(
            "ownership", "add-interest", "--owner", HOLDING, "--owned", SME, "--share", "5", "--as", "auditor"
        ).exit_code
        == 3
    )  # forbidden
    assert cli("alerts", "list", "--status", "closed", "--as", "auditor").exit_code == 2
