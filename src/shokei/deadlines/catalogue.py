"""What each duty asks for, in Japanese and English (`messages/ja.toml`, `messages/en.toml`): the
duty lists show the Japanese, the notices (notifications) both."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from shokei.deadlines.domain import DutyKind


@cache
def _whats(language: str) -> dict[str, str]:
    text = (resources.files("shokei.deadlines") / "messages" / f"{language}.toml").read_text("utf-8")
    whats: dict[str, str] = tomllib.loads(text)["what"]
    return whats


def what(kind: DutyKind | str, language: str = "ja") -> str:
    """What a duty of this kind asks its party to do."""
    return _whats(language)[DutyKind(kind).value]
