"""Refusals of issue 15 in the user's language (shokei.errors.Text through the ja/en catalogues):
the CLI speaks Japanese under a Japanese locale (exit codes unchanged), the API when the client
asks for Japanese (Accept-Language), English otherwise, as before. The rule that failed and its
evidence are translated too. (The pages' flashes: tests/e2e/test_browser_protection.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.bootstrap import initialise
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import Cli
from tests.factories import Office
from tests.integration.succession.conftest import make_eligible
from tests.integration.succession.test_recall_cli import _released


@pytest.fixture
def japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")


def test_copy_refusals_in_japanese_on_the_cli(
    uow: UnitOfWork, cli: Cli, sample_files: Path, tmp_path: Path, japanese: None
) -> None:
    office, case, (first, second) = _released(uow, cli, sample_files)
    number = office.successor_company.corporate_number or ""
    assert cli("company", "suspend", number, "--reason", "調査のため", "--as", "manager").exit_code == 0

    refused = cli("handover", "download", first, "--out", str(tmp_path / "a.pdf"), "--as", "successor")
    assert refused.exit_code == 3
    assert (
        f"写し{first}のダウンロードは拒否されました：アクセス停止中：承継重工業株式会社は" in refused.stderr
    )
    assert "から停止されています（手動）：調査のため" in refused.stderr
    assert "refused" not in refused.stderr

    # Reinstatement while a rule fails: the rule named, its evidence in Japanese, exit 4.
    make_eligible(uow, office, office.successor_company, foreign_share_percent=40, foreign_share_country="CN")
    refused = cli("company", "reinstate", number, "--reason", "確認", "--as", "manager")
    assert refused.exit_code == 4
    assert "承継重工業株式会社は要件を満たしていないため、アクセスを回復できません" in refused.stderr
    assert "foreign_ownership：外国資本比率40%（" in refused.stderr
    assert "（基準10%以上）" in refused.stderr

    # A recall of a copy that is no longer issued.
    assert cli("handover", "recall", second, "--reason", "回収", "--as", "manager").exit_code == 0
    again = cli("handover", "recall", second, "--reason", "再回収", "--as", "manager")
    assert again.exit_code == 4
    assert f"写し{second}の回収は拒否されました：すでに回収中です" in again.stderr

    # The supplier's reading of its handed-in files ends with the purchase.
    shown = cli("case", "show", str(case), "--as", "manager", "--json").json()
    assert isinstance(shown, dict)
    document = next(line["document_id"] for line in shown["inventory"] if line["document_id"])
    read = cli("docs", "get", str(document), "--out", str(tmp_path / "d.pdf"), "--as", "supplier")
    assert read.exit_code == 3
    assert f"文書{document}：案件が引渡済となったため、提出企業は提出したファイルを閲覧できません" in (
        read.stderr
    )


def test_the_same_refusal_stays_english_under_an_english_locale(
    uow: UnitOfWork, cli: Cli, sample_files: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    office, _case, (first, _second) = _released(uow, cli, sample_files)
    number = office.successor_company.corporate_number or ""
    assert cli("company", "suspend", number, "--reason", "調査のため", "--as", "manager").exit_code == 0
    refused = cli("handover", "download", first, "--out", str(tmp_path / "a.pdf"), "--as", "successor")
    assert refused.exit_code == 3
    assert (
        f"download of copy {first} refused: access: 承継重工業株式会社 is suspended since" in refused.stderr
    )
    assert "(manual): 調査のため" in refused.stderr


def test_problem_details_in_the_language_the_client_asks_for(uow: UnitOfWork, api: TestClient) -> None:
    initialise(api.app.state.shokei)  # type: ignore[attr-defined]
    office = Office(uow)
    number = office.successor_company.corporate_number
    token = accounts.issue_token(uow, office.admin, "manager").secret
    base = f"/api/v1/companies/{number}"
    assert api.post(
        f"{base}/suspend", json={"reason": "調査"}, headers={"Authorization": f"Bearer {token}"}
    ).is_success

    def reinstate(language: str | None) -> dict[str, object]:
        headers = {"Authorization": f"Bearer {token}"} | ({"Accept-Language": language} if language else {})
        answer = api.post(f"{base}/reinstate", json={"reason": "確認"}, headers=headers)
        assert answer.status_code == 409
        body = answer.json()
        assert isinstance(body, dict)
        return body

    japanese = reinstate("ja,en;q=0.5")["detail"]
    assert isinstance(japanese, str)
    assert japanese.startswith("承継重工業株式会社は要件を満たしていないため、アクセスを回復できません：")
    assert "financial_health：財務指標の記録がありません" in japanese
    english = reinstate("en-GB,ja;q=0.3")["detail"]
    assert english.startswith("承継重工業株式会社 cannot be reinstated while a rule still fails: ")  # type: ignore[union-attr]
    assert "financial_health: no financial indicators on record" in english  # type: ignore[operator]
    assert reinstate(None)["detail"] == english
