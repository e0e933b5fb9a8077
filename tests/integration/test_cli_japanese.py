"""Issue 21, "Japanese first": the CLI's lines for people (confirmations, tables, the trace) read
in Japanese when LANG is Japanese and as they always did otherwise; `--json` is the same in both.

The same commands run once under each locale, on one released copy: `user add`, `case list`,
`case show`, `handover disseminate`, `trace` and `audit verify`. Under LANG=ja_JP.UTF-8 no line
may hold an English sentence (the detector of tests/web/test_japanese_messages.py, which sets
codes, paths and proper names aside)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from tests import factories
from tests.conftest import Cli, CliResult
from tests.integration.succession.conftest import make_eligible
from tests.integration.succession.test_recall_cli import _released
from tests.web.test_japanese_messages import english_sentences

# The ministry as a holder in a trace's chain: a name in the data, in both languages.
MINISTRY = "防衛省 / Ministry of Defense"
_USERNAMES = re.compile(r"\b(?:admin|intake|examiner|negotiator|manager|auditor|supplier|successor)\b")
_BOX = re.compile(r"[┏┓┗┛┃━┡┩└┘│─┼┬┴┠┨╇╈┳┻╋┣┫┯┷┿├┤┌┐ ]+")


def _locale(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", lang)


def _without_data(text: str) -> str:
    """The output less the values that are data in any language: the ministry's name and the
    office's user names (a case's officials are listed by name)."""
    return _USERNAMES.sub("", text.replace(MINISTRY, ""))


def _flat(text: str) -> str:
    """The output without the tables' rules and the console's wrapping: words as they read."""
    return _BOX.sub("", text)


def _ran(result: CliResult) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _session(uow: UnitOfWork, cli: Cli, sample_files: Path, tmp_path: Path) -> dict[str, str]:
    """Every command's human output, by command; the case, copy and dissemination set up first."""
    office, case, (first, _second) = _released(uow, cli, sample_files)
    sub = factories.company(uow, "下請精密株式会社")
    make_eligible(uow, office, sub)
    out = tmp_path / "issued.pdf"
    _ran(cli("handover", "download", first, "--out", str(out), "--as", "successor"))
    ask = ("handover", "disseminate", first, "--to", sub.corporate_number or "", "--purpose", "治具製作")
    add = ("user", "add", "hanako", "--role", "auditor", "--password-stdin", "--as", "admin")
    return {
        "user add": _ran(cli(*add, input="a-long-enough-password-1\n")),
        "case list": _ran(cli("case", "list", "--as", "manager")),
        "case show": _ran(cli("case", "show", str(case), "--as", "manager")),
        "disseminate": _ran(cli(*ask, "--as", "successor")),
        "trace": _ran(cli("trace", str(out), "--as", "auditor")),
        "audit verify": _ran(cli("audit", "verify", "--as", "auditor")),
        "copy": first,
        "case": str(case),
        "withdrawing": office.withdrawing.name,
        "successor": office.successor_company.corporate_number or "",
    }  # fmt: skip


def test_the_cli_speaks_japanese_under_a_japanese_locale(
    uow: UnitOfWork, cli: Cli, sample_files: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _locale(monkeypatch, "ja_JP.UTF-8")
    shown = _session(uow, cli, sample_files, tmp_path)
    copy, case = shown["copy"], shown["case"]

    assert shown["user add"].strip() == "利用者 hanako（監査官）を作成しました"
    listed = _flat(shown["case list"])
    assert "案件" in listed
    assert all(header in listed for header in ("番号", "状態", "企業", "撤退予定日", "残り日数"))
    detail = _flat(shown["case show"])
    assert f"案件{case}" in detail
    assert all(label in detail for label in ("項目", "値", "状態", "理由", "次の手続", "目録", "履歴"))
    # The hand-over's reason in the history as the case page says it (文書を引き渡しました, cut to
    # the column's width), never the English kept beside it.
    assert "文書を引き" in detail
    assert not re.search(r"\bdocuments\b", shown["case show"])  # a state's code may begin documents_
    assert re.search(r"再配布申請 \d+ を記録しました", shown["disseminate"])
    trace = shown["trace"].replace("\n", "")
    assert f"写し: {copy}（hash、確度 1.00）" in trace
    assert f"経路: {shown['withdrawing']} (" in trace
    assert f"{MINISTRY} (防衛省) →" in trace
    assert f"候補: {copy}（{shown['successor']}、確度 1.00）: 交付した複製のSHA-256と一致" in trace
    assert "台帳の検証" in _flat(shown["audit verify"])

    for command, output in shown.items():
        for line in _without_data(output).splitlines():
            assert not english_sentences(line), (command, line)


def test_the_same_commands_keep_their_english_lines_otherwise(
    uow: UnitOfWork, cli: Cli, sample_files: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _locale(monkeypatch, "C.UTF-8")
    shown = _session(uow, cli, sample_files, tmp_path)
    copy, case = shown["copy"], shown["case"]

    assert shown["user add"].strip() == "user hanako (Auditor) created"
    listed = _flat(shown["case list"])
    assert all(header in listed for header in ("cases", "id", "state", "company", "exitdate", "daysleft"))
    detail = _flat(shown["case show"])
    assert f"case{case}" in detail
    assert all(label in detail for label in ("field", "value", "state", "reason", "nextsteps", "inventory"))
    assert "documents" in detail  # the hand-over's reason, wrapped in its column
    assert "released" in detail
    assert re.fullmatch(r"dissemination request \d+ recorded\n", shown["disseminate"])
    trace = shown["trace"].replace("\n", "")
    assert f"copy: {copy} (hash, confidence 1.00)" in trace
    assert f"chain: {shown['withdrawing']} (" in trace
    assert f"{MINISTRY} (MoD) →" in trace
    successor = shown["successor"]
    assert f"candidate: {copy} ({successor}, confidence 1.00): SHA-256 of the copy as issued" in trace
    assert "ledgerverification" in _flat(shown["audit verify"])


def test_json_is_the_same_in_either_language(
    uow: UnitOfWork, cli: Cli, sample_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _locale(monkeypatch, "C.UTF-8")
    _office, case, _copies = _released(uow, cli, sample_files)
    english = cli("case", "show", str(case), "--as", "manager", "--json").stdout
    _locale(monkeypatch, "ja_JP.UTF-8")
    assert cli("case", "show", str(case), "--as", "manager", "--json").stdout == english
    assert '"state": "handed_over"' in english


def test_a_refusal_names_itself_an_error_in_the_users_language(
    uow: UnitOfWork, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init").exit_code == 0
    factories.user(uow, Role.AUDITOR, name="auditor")
    _locale(monkeypatch, "ja_JP.UTF-8")
    refused = cli("user", "add", "x", "--role", "auditor", "--as", "auditor")
    assert refused.exit_code == 3
    assert refused.stderr.startswith("エラー: ")
    _locale(monkeypatch, "C.UTF-8")
    assert cli("user", "add", "x", "--role", "auditor", "--as", "auditor").stderr.startswith("error: ")
