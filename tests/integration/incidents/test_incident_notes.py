"""Issue 21: an incident keeps its trace's notes as messages (errors.stored), so `incident show`
reads them in the CLI user's language while the JSON keeps the English."""

from __future__ import annotations

from pathlib import Path

import pytest

from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import Cli
from tests.factories import Office


def _opened_from_a_scrap(cli: Cli, tmp_path: Path) -> int:
    scrap = tmp_path / "scrap.txt"
    scrap.write_text("見つかった紙片\n", encoding="utf-8")
    opened = cli(
        "incident", "open", "--file", str(scrap), "--found-at", "展示会", "--as", "manager", "--json"
    )
    assert opened.exit_code == 0, opened.stderr
    shown = opened.json()
    assert isinstance(shown, dict)
    assert shown["notes"] == ["too little text to compare"]
    return int(shown["id"])


def test_an_incidents_notes_read_in_japanese_under_a_japanese_locale_and_in_english_otherwise(
    uow: UnitOfWork, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init").exit_code == 0
    Office(uow)
    incident = _opened_from_a_scrap(cli, tmp_path)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)

    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    japanese = cli("incident", "show", str(incident), "--as", "auditor")
    assert japanese.exit_code == 0, japanese.stderr
    assert "比較できるだけの本文がありません" in japanese.stdout
    assert "too little text" not in japanese.stdout

    monkeypatch.setenv("LANG", "C.UTF-8")
    english = cli("incident", "show", str(incident), "--as", "auditor")
    assert "note: too little text to compare" in english.stdout
    as_json = cli("incident", "show", str(incident), "--as", "auditor", "--json").json()
    assert isinstance(as_json, dict)
    assert as_json["notes"] == ["too little text to compare"]
