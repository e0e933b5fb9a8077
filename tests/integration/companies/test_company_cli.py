"""The company registry through the CLI: import, list, need-to-know, and tokens for the API."""

from __future__ import annotations

from pathlib import Path

from shokei.companies.domain import CorporateNumber
from tests.conftest import Cli

NUMBERS = [CorporateNumber.from_base(f"40101010101{n}").value for n in range(3)]


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text(
        "corporate_number,name,name_en,industry,capital_yen,employees\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    return path


def test_import_is_all_or_nothing_and_list_shows_sme_status(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    good = _csv(
        tmp_path / "good.csv",
        [
            f"{NUMBERS[0]},北斗精機株式会社,Hokuto Seiki,manufacturing,90000000,120",
            f"{NUMBERS[1]},相模通信機株式会社,,wholesale,200000000,150",
        ],
    )
    bad = _csv(
        tmp_path / "bad.csv",
        [
            f"{NUMBERS[2]},筑波光学株式会社,,manufacturing,1000,10",
            "1234567890123,壊れた番号株式会社,,manufacturing,1,1",
        ],
    )
    refused = cli("company", "import", str(bad), "--as", "admin")
    assert refused.exit_code == 2
    assert "bad.csv:3" in refused.stderr
    assert cli("company", "list", "--as", "admin", "--json").json() == []  # nothing half-imported

    imported = cli("company", "import", str(good), "--as", "admin", "--json").json()
    assert [c["corporate_number"] for c in imported] == NUMBERS[:2]  # type: ignore[union-attr,index]
    listed = {c["corporate_number"]: c for c in cli("company", "list", "--as", "admin", "--json").json()}  # type: ignore[union-attr]
    # manufacturing ¥90M <= ¥300M: SME; wholesale ¥200M > ¥100M and 150 > 100 people: not an SME
    assert listed[NUMBERS[0]]["sme"] is True
    assert listed[NUMBERS[1]]["sme"] is False
    again = cli("company", "import", str(good), "--as", "admin")
    assert again.exit_code == 4  # already registered
    assert cli("company", "import", str(good), "--as", "nobody").exit_code == 3


def test_suppliers_see_only_their_own_company_and_tokens_open_the_api(cli: Cli, tmp_path: Path) -> None:
    cli("init")
    for number, name in zip(NUMBERS, ["甲工業株式会社", "乙工業株式会社", "丙工業株式会社"], strict=True):
        cli("company", "add", "--corporate-number", number, "--name", name, "--as", "admin")
    cli("user", "add", "sup", "--role", "supplier", "--company", NUMBERS[1], "--as", "admin")
    own = cli("company", "list", "--as", "sup", "--json").json()
    assert [c["corporate_number"] for c in own] == [NUMBERS[1]]  # type: ignore[union-attr,index]
    assert cli("company", "show", NUMBERS[0], "--as", "sup").exit_code == 3
    token = cli("user", "token", "sup", "--as", "sup", "--json").json()["token"]  # type: ignore[index]
    assert token.startswith("shk_")
    assert cli("user", "list", "--as", "sup").exit_code == 3
    users = cli("user", "list", "--as", "admin", "--json").json()
    assert {u["username"]: u["company_corporate_number"] for u in users} == {  # type: ignore[union-attr]
        "admin": None,
        "sup": NUMBERS[1],
    }
