"""Refusals as catalogue messages (shokei.errors.Text): English by default, the user's language
through the ja/en catalogues, nested evidence translated too; how each adapter picks the language."""

from __future__ import annotations

import pytest

from shokei.api_support import accepted_language
from shokei.cli_support import cli_language, localised
from shokei.errors import Conflict, Text
from shokei.web import i18n

EVIDENCE = (
    Text(
        "%(rule)s: %(evidence)s",
        {"rule": "financial_health", "evidence": Text("no financial indicators on record")},
    ),
    Text(
        "%(rule)s: %(evidence)s",
        {"rule": "security_compliance", "evidence": Text("no security compliance on record")},
    ),
)
REFUSAL = Text(
    "%(name)s cannot be reinstated while a rule still fails: %(rules)s", {"name": "甲精機", "rules": EVIDENCE}
)


def test_english_is_the_message_and_japanese_comes_from_the_catalogue() -> None:
    error = Conflict(REFUSAL)
    assert error.message == (
        "甲精機 cannot be reinstated while a rule still fails: financial_health: no financial indicators on "
        "record; security_compliance: no security compliance on record"
    )
    with i18n.activate("ja"):
        japanese = error.localised(i18n.gettext)
    assert japanese == (
        "甲精機は要件を満たしていないため、アクセスを回復できません："
        "financial_health：財務指標の記録がありません; "
        "security_compliance：情報保全体制の記録がありません"
    )
    assert Conflict("plain words").localised(i18n.gettext) == "plain words"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("ja", "ja"),
        ("ja-JP,en;q=0.5", "ja"),
        ("en-GB,ja;q=0.3", "en"),
        ("fr,ja;q=0.2", "ja"),
        ("fr", "en"),
    ],
)
def test_the_api_answers_in_the_language_asked_for(header: str | None, language: str) -> None:
    assert accepted_language(header) == language


def test_the_cli_speaks_japanese_under_a_japanese_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert cli_language() == "en"
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert cli_language() == "ja"
    assert localised(Conflict(Text("a reason is required"))) == "理由を入力してください"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")  # LC_ALL wins, as in gettext
    assert cli_language() == "en"


@pytest.mark.parametrize(
    ("msgid", "params", "japanese"),
    [
        ("%(rule)s: %(evidence)s", {"rule": "capacity", "evidence": "余力なし"}, "capacity：余力なし"),
        ("%(when)s: %(what)s", {"when": "2026-04-15", "what": "55%取得"}, "2026-04-15：55%取得"),
        ("%(by)s: %(reason)s", {"by": "manager", "reason": "国内唯一"}, "manager：国内唯一"),
        (
            "%(error)s (%(held)s)",
            {"error": "保有比率が不正です", "held": "甲社"},
            "保有比率が不正です（甲社）",
        ),
    ],
)
def test_a_label_and_its_detail_are_joined_as_japanese_punctuates(
    msgid: str, params: dict[str, str], japanese: str
) -> None:
    """The services join a label and its detail through the catalogue: full-width in Japanese,
    the English punctuation as written."""
    with i18n.activate("ja"):
        assert Text(msgid, params).render(i18n.gettext) == japanese
    assert Text(msgid, params).render() == msgid % params
