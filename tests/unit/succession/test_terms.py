"""The terms of acceptance: four conditions in both languages, pinned by a digest."""

from __future__ import annotations

import hashlib

from shokei.succession.terms import ACCEPTANCE_TERMS, TERMS_VERSION, terms_digest, terms_text


def test_four_conditions_in_japanese_and_english() -> None:
    assert [term.key for term in ACCEPTANCE_TERMS] == [
        "no_transfer_abroad",
        "no_further_transfer_without_approval",
        "protection_of_marked_documents",
        "destruction_on_termination",
    ]
    japanese, english = terms_text("ja"), terms_text("en")
    for word in ("日本国外", "承認", "表示", "廃棄"):
        assert word in japanese
    for word in ("out of Japan", "prior approval", "markings", "destroyed"):
        assert word in english
    assert japanese.splitlines()[1].startswith("1. ")
    assert english.splitlines()[4].startswith("4. ")
    assert TERMS_VERSION in japanese
    assert TERMS_VERSION in english


def test_digest_covers_both_languages() -> None:
    expected = hashlib.sha256((terms_text("ja") + "\n" + terms_text("en")).encode()).hexdigest()
    assert terms_digest() == expected
