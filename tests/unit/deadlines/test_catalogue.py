from __future__ import annotations

import pytest

from shokei.deadlines.catalogue import what
from shokei.deadlines.domain import DutyKind


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_duty_kind_says_what_it_asks_for(language: str) -> None:
    for kind in DutyKind:
        assert what(kind, language).strip(), kind


def test_the_duty_lists_speak_japanese_and_the_notices_english_half_english() -> None:
    assert what("hand_in") == "設計文書の提出"
    assert what(DutyKind.HAND_IN, "en") == "hand in the design documents"
