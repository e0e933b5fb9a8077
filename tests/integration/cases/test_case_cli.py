"""The exit-case scenario end to end through the `shokei` CLI (the interface contract)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from shokei.clock import JST
from shokei.companies.domain import CorporateNumber
from shokei.purchase.domain import fiscal_year
from tests.cli_probe import run_probed
from tests.conftest import Cli

WITHDRAWING = CorporateNumber.from_base("301010101010").value
SUCCESSOR = CorporateNumber.from_base("301010101011").value


def _setup_office(cli: Cli) -> None:
    init = cli("init", "--json").json()
    assert init["admin_password"] is None  # type: ignore[index]  # not a terminal: kept in the owner-only file
    again = cli("init", "--json").json()
    assert again == {"changed": False, "created": [], "admin_password": None, "admin_otpauth_uri": None}
    company = cli(
        "company",
        "add",
        "--corporate-number",
        WITHDRAWING,
        "--name",
        "退出精密株式会社",
        "--industry",
        "manufacturing",
        "--capital-yen",
        "80000000",
        "--employees",
        "350",
        "--as",
        "admin",
        "--json",
    ).json()
    assert company["corporate_number"] == WITHDRAWING  # type: ignore[index]
    cli("company", "add", "--corporate-number", SUCCESSOR, "--name", "承継重工株式会社", "--as", "admin")
    for name, role in [
        ("intake", "intake_officer"),
        ("examiner", "examiner"),
        ("negotiator", "negotiator"),
        ("manager", "program_manager"),
        ("auditor", "auditor"),
    ]:
        created = cli("user", "add", name, "--role", role, "--as", "admin", "--json").json()
        assert created["password"] is None  # type: ignore[index]  # in the owner-only file instead
        assert created["password_file"]  # type: ignore[index]
    added = cli(
        "user",
        "add",
        "supplier",
        "--role",
        "supplier",
        "--company",
        WITHDRAWING,
        "--password-stdin",
        "--as",
        "admin",
        input="a long enough password\n",
    )
    assert added.exit_code == 0, added.stderr
    assert "password:" not in added.stdout


def test_company_show_contract(cli: Cli) -> None:
    _setup_office(cli)
    shown = cli("company", "show", f"{WITHDRAWING[:1]}-{WITHDRAWING[1:]}", "--as", "intake", "--json").json()
    # capital ¥80M <= ¥300M: an SME although it has 350 people; not small-scale.
    assert shown["corporate_number"] == WITHDRAWING  # type: ignore[index]
    assert shown["sme"] is True  # type: ignore[index]
    assert shown["small_scale"] is False  # type: ignore[index]


def test_case_from_notice_to_closed_through_the_cli(cli: Cli) -> None:
    _setup_office(cli)
    opened = cli(
        "case",
        "open",
        "--company",
        WITHDRAWING,
        "--reason",
        "factory_closure",
        "--exit-date",
        "2026-12-31",
        "--as",
        "supplier",
        "--json",
    ).json()
    assert opened["state"] == "notified"  # type: ignore[index]
    case = str(opened["id"])  # type: ignore[index]
    line = cli(
        "case",
        "add-document",
        case,
        "--title",
        "砲身部品図",
        "--drawing-number",
        "MG-001",
        "--revision",
        "B",
        "--as",
        "supplier",
        "--json",
    ).json()
    assert line["drawing_number"] == "MG-001"  # type: ignore[index]
    # The program manager assigns the officials who will work the case (only they see it).
    for official in ("intake", "examiner", "negotiator"):
        assert cli("case", "assign", case, "--user", official, "--as", "manager").exit_code == 0

    def move(name: str, actor: str, *extra: str) -> dict[str, object]:
        return cli("case", "transition", case, name, "--as", actor, "--json", *extra).json()  # type: ignore[return-value]

    move("submit", "supplier")
    move("start_examination", "intake")
    cli("case", "examine-document", case, str(line["id"]), "--note", "固有技術あり", "--as", "examiner")  # type: ignore[index]
    move("determine_protection_required", "examiner", "--reason", "機関銃部品の固有設計")
    move("open_negotiation", "negotiator")
    cli("case", "offer", case, "--amount", "25000000", "--kind", "agreement", "--as", "negotiator")
    # The CLI runs on the real clock: the approval commits the budget of today's fiscal year.
    this_year = str(fiscal_year(datetime.now(JST).date()))
    assert cli("budget", "set", "--fy", this_year, "--amount", "100000000", "--as", "manager").exit_code == 0
    assert move("approve_purchase", "manager")["state"] == "purchase_agreed"
    move("start_successor_selection", "manager")
    eligibility = [
        "--security-compliant-until",
        "2099-03-31",
        "--capacity",
        "5",
        "--financial-distress",
        "no",
    ]
    eligibility += ["--foreign-share", "0", "--foreign-country", "JP"]
    assert cli("company", "update", SUCCESSOR, *eligibility, "--as", "admin").exit_code == 0
    selected = move("select_successor", "manager", "--successor", SUCCESSOR, "--reason", "技術継承能力を確認")
    assert selected["state"] == "successor_selection"
    assert selected["successor_corporate_number"] == SUCCESSOR
    cli("user", "add", "successor", "--role", "successor", "--company", SUCCESSOR, "--as", "admin")
    assert cli("successor", "accept", case, "--as", "successor").exit_code == 0
    move("hand_over", "manager")
    refused = cli("case", "transition", case, "close", "--as", "manager")
    assert refused.exit_code == 2
    assert "certificate of destruction is not recorded" in refused.stderr
    today = datetime.now(JST).date().isoformat()  # a case closes only once its purchase is paid
    assert cli("purchase", "pay", case, "--date", today, "--as", "manager").exit_code == 0
    certified = cli(
        "handover",
        "destruction-certificate",
        case,
        "--reference",
        "廃棄証明 第1号",
        "--as",
        "manager",
        "--json",
    ).json()
    assert certified["state"] == "closed"  # type: ignore[index]

    shown = cli("case", "show", case, "--as", "auditor", "--json").json()
    assert shown["state"] == "closed"  # type: ignore[index]
    assert len(shown["history"]) == 10  # type: ignore[index]
    listed = cli("case", "list", "--as", "supplier", "--json").json()
    assert [c["id"] for c in listed] == [int(case)]  # type: ignore[union-attr,index]


def test_cli_errors_are_one_line_with_contract_exit_codes(cli: Cli) -> None:
    _setup_office(cli)
    bad_number = cli("company", "add", "--corporate-number", "2180301018771", "--name", "X", "--as", "admin")
    assert bad_number.exit_code == 2
    assert "expected 1" in bad_number.stderr
    assert "Traceback" not in bad_number.stderr + bad_number.stdout
    assert cli("case", "show", "999", "--as", "auditor").exit_code == 3
    assert cli("case", "list", "--as", "admin").exit_code == 3  # admins do not read cases
    assert cli("case", "list", "--as", "nobody").exit_code == 3
    assert cli("case", "list").exit_code == 2  # who are you?
    opened = cli(
        "case",
        "open",
        "--company",
        WITHDRAWING,
        "--reason",
        "other",
        "--exit-date",
        "2026-12-31",
        "--as",
        "intake",
        "--json",
    ).json()
    conflict = cli("case", "transition", str(opened["id"]), "close", "--as", "manager")  # type: ignore[index]
    assert conflict.exit_code == 4
    assert "allowed only from 'Handed over'" in conflict.stderr
    assert (
        cli(
            "case",
            "open",
            "--company",
            WITHDRAWING,
            "--reason",
            "bored",
            "--exit-date",
            "2026-12-31",
            "--as",
            "intake",
        ).exit_code
        == 2
    )
    assert (
        cli(
            "case",
            "open",
            "--company",
            WITHDRAWING,
            "--reason",
            "other",
            "--exit-date",
            "31/12/2026",
            "--as",
            "intake",
        ).exit_code
        == 2
    )


def test_console_script_runs_as_a_real_process(cli: Cli, cli_env: Path) -> None:
    cli("init")
    shokei = Path(sys.executable).parent / "shokei"
    env = {**os.environ, "SHOKEI_USER": "admin"}
    done = subprocess.run(
        [str(shokei), "company", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    missing = subprocess.run(
        [str(shokei), "case", "show", "1", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert missing.returncode == 3
    assert missing.stderr.strip().count("\n") == 0


def test_case_show_loads_only_the_cases_and_what_they_read(cli: Cli, cli_env: Path) -> None:
    """`shokei case show N` (a local read, run by officials' scripts by the hundred) imports the
    cases' feature and the features it reads, not the web, the vaults, other features' commands,
    the ledger's export or the numeric stacks."""
    cli("init")
    cli("company", "add", "--corporate-number", WITHDRAWING, "--name", "退出精密株式会社", "--as", "admin")
    cli("user", "add", "intake", "--role", "intake_officer", "--as", "admin")
    opened = cli(
        *("case", "open", "--company", WITHDRAWING, "--reason", "factory_closure"),
        *("--exit-date", "2031-03-31", "--as", "intake", "--json"),
    ).json()
    case_id = str(opened["id"])  # type: ignore[index]
    command = ["case", "show", case_id, "--json", "--as", "intake"]
    output, status, loaded = run_probed(command, dict(os.environ))
    assert status in (0, None), output
    assert json.loads(output)["id"] == int(case_id)
    modules = set(loaded)
    heavy = {"fastapi", "starlette", "uvicorn", "numpy", "scipy", "alembic", "jinja2", "openpyxl"}
    assert not {module.split(".")[0] for module in modules} & heavy
    clis = {module for module in modules if module.endswith(".cli") and module.startswith("shokei.")}
    assert clis == {"shokei.cli", "shokei.cases.cli"}
    for unused in ("shokei.web", "shokei.documents", "shokei.app", "shokei.audit.services.export"):
        assert not {module for module in modules if module == unused or module.startswith(unused + ".")}
