"""Issue 21, "Japanese first", for `--help`: `shokei --help` and every command's `--help` read in
Japanese when LANG is Japanese (the help texts, Typer's panel titles and notes, the usage line),
and exactly as before otherwise. Every help text is a catalogue message (marked in the generated
`shokei.cli_help_messages`), so a help text without a Japanese translation fails here."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from shokei.web import i18n
from tests.cli_probe import run_probed
from tests.web.test_japanese_messages import english_sentences

REPO = Path(__file__).resolve().parents[2]
HEAVY = {"sqlalchemy", "fastapi", "numpy", "scipy", "pydantic", "alembic", "uvicorn", "starlette"}


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "cli_help_messages_script", REPO / "scripts" / "cli-help-messages.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _locale(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", lang)


def _help(*args: str) -> str:
    from shokei.cli import app

    result = CliRunner().invoke(app, [*args, "--help"], prog_name="shokei", terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.stdout


def _flat(text: str) -> str:
    """The words of a help page without the panels' rules and the console's wrapping."""
    return re.sub(r"[\s│╭╮╰╯─]+", "", text)


def test_the_generated_help_messages_are_up_to_date() -> None:
    generated = (REPO / "src" / "shokei" / "cli_help_messages.py").read_text(encoding="utf-8")
    assert generated == _script().render(), "run scripts/cli-help-messages.py (or scripts/update-messages.sh)"


def test_every_help_text_has_a_japanese_translation() -> None:
    texts = _script().help_texts()
    assert len(texts) > 300
    assert "One case with its inventory and history." in texts  # a docstring
    assert "Act as this user (or set SHOKEI_USER)." in texts  # an option's help=
    assert "The tamper-evident audit ledger." in texts  # a group's help=
    with i18n.po_path("ja").open("rb") as source:
        catalogue = read_po(source, locale="ja")
    missing = [text for text in texts if text not in catalogue or not catalogue[text].string]
    assert not missing, f"untranslated help (run scripts/update-messages.sh, then translate): {missing}"
    fuzzy = [text for text in texts if catalogue[text].fuzzy]
    assert not fuzzy


@pytest.mark.parametrize(
    ("command", "japanese"),
    [
        (
            (),
            [
                "承継（Shokei）：防衛装備品の設計文書の保管及び承継。",
                "撤退案件：届出、目録、審査、買取及び承継。",
            ],
        ),
        (("case", "show"), ["目録及び履歴を含む案件1件。", "この利用者として操作します"]),
        (
            ("docs", "submit"),
            ["案件の文書を提出します。", "ファイル、フォルダ（再帰的）及び ZIP/TAR アーカイブ。"],
        ),
        (
            ("handover",),
            ["承継先への追跡可能な写しの交付及び再配布。", "廃棄証明書の提出を待っている回収済みの写し。"],
        ),
        (("backup",), ["整合性のある署名付きバックアップを書き出します"]),
    ],
    ids=["shokei", "case show", "docs submit", "handover", "backup"],
)
def test_help_reads_in_japanese_under_a_japanese_locale(
    command: tuple[str, ...], japanese: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _locale(monkeypatch, "ja_JP.UTF-8")
    shown = _help(*command)
    assert shown.lstrip().startswith(f"使い方: shokei {' '.join(command)}".rstrip())
    assert "このメッセージを表示して終了します。" in shown
    assert "オプション" in shown
    assert all(_flat(text) in _flat(shown) for text in japanese), shown
    words = shown.replace(" ".join(("shokei", *command)), " ")  # the command line as typed
    for line in words.splitlines():
        assert not english_sentences(line), line


def _every_command() -> list[tuple[str, ...]]:
    """Every group and command of `shokei`, as typed (the root's own, then each feature's)."""
    from shokei.cli import _commands_with
    from shokei.manifest import cli_entries

    def below(command: Any, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        found = [path]
        for name, sub in getattr(command, "commands", {}).items():
            found += below(sub, (*path, name))
        return found

    every: list[tuple[str, ...]] = [(), ("init",), ("serve",), ("run",)]
    feature_commands, feature_groups = cli_entries()
    for _, name, _ in (*feature_commands, *feature_groups):
        every += below(_commands_with(name)[name], (name,))
    return every


def test_every_help_page_is_japanese_under_a_japanese_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """No page left in English: a group made without `cls=LocalisedGroup`, a command registered
    without `cli_support.command` or a text missing from the catalogue shows here."""
    _locale(monkeypatch, "ja_JP.UTF-8")
    monkeypatch.setenv("COLUMNS", "400")  # no line wrapped inside a quoted command
    every = _every_command()
    assert len(every) > 150
    for command in every:
        shown = _help(*command).replace(" ".join(("shokei", *command)), " ")
        assert "使い方:" in shown, command
        for line in shown.splitlines():
            assert not english_sentences(line), (command, line)


def test_help_is_unchanged_otherwise_even_after_a_japanese_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """English is Typer's page as it always was, and a Japanese page shown before in the same
    process leaves nothing translated behind (the texts are put back)."""
    _locale(monkeypatch, "C.UTF-8")
    before = {command: _help(*command) for command in [(), ("case", "show"), ("handover",)]}
    show = before[("case", "show")]
    assert show.lstrip().startswith("Usage: shokei case show [OPTIONS] {case_id}")
    assert "One case with its inventory and history." in show
    assert "─ Arguments ─" in show
    assert "─ Options ─" in show
    assert "[required]" in show
    assert "Act as this user (or set SHOKEI_USER)." in show
    assert "[env var: SHOKEI_USER]" in show
    assert "Show this message and exit." in show
    assert "Release of traced copies to the successor and dissemination." in before[("handover",)]
    assert "─ Commands ─" in before[()]
    assert "│ case  " in before[()]
    assert "Exit cases: notice, inventory, examination" in before[()]

    _locale(monkeypatch, "ja_JP.UTF-8")
    for command in before:
        assert "使い方:" in _help(*command)
    _locale(monkeypatch, "C.UTF-8")
    assert {command: _help(*command) for command in before} == before


def test_a_japanese_root_help_still_imports_no_feature_nor_database_code() -> None:
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "LANG": "ja_JP.UTF-8"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])
    output, status, modules = run_probed(["--help"], env)
    assert status == 0
    assert "撤退案件：届出、目録、審査、買取及び承継。" in output
    assert not {module.split(".")[0] for module in modules} & HEAVY
    assert not [m for m in modules if m.startswith("shokei.") and m.endswith(".cli") and m != "shokei.cli"]
