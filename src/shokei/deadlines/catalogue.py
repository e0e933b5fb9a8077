"""What each duty asks for, in Japanese and English (`messages/ja.toml`, `messages/en.toml`): the
duty lists show the Japanese, the notices (notifications) both."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from shokei.deadlines.domain import DutyKind


@cache
def _catalogue(language: str) -> dict[str, dict[str, str]]:
    text = (resources.files("shokei.deadlines") / "messages" / f"{language}.toml").read_text("utf-8")
    return tomllib.loads(text)


def what(kind: DutyKind | str, language: str = "ja") -> str:
    """What a duty of this kind asks its party to do."""
    return _catalogue(language)["what"][DutyKind(kind).value]


def about(kind: DutyKind | str, case_id: int | None, reference: str | None, language: str = "ja") -> str:
    """What the duty is on: its case ("案件12"), or the record it hangs on ("写し C-…"); a
    reference of several parts ("facility:year") is also given split (`{parts[0]}`)."""
    templates = _catalogue(language)["about"]
    if case_id is not None:
        return templates["case"].format(ref=case_id)
    ref = reference or ""
    return templates[DutyKind(kind).value].format(ref=ref, parts=ref.split(":"))
