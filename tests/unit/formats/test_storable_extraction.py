"""What a parser hands back from a hostile or broken file is made storable before it reaches the
database: PostgreSQL refuses NUL in text, no database encodes a lone surrogate, JSON has no NaN."""

from __future__ import annotations

from shokei.formats.extract import Extraction, storable


def test_nul_surrogates_and_non_finite_numbers_never_reach_the_database() -> None:
    extraction = Extraction(
        metadata={
            "title": "設計\x00図",
            "pages": 3,
            "ratio": float("nan"),
            "authors": ["a\udcffb"],
            "k\x00": {"x": float("inf")},
        },
        text="取扱\x00注意 \ud800",
    )
    cleaned = storable(extraction)
    assert cleaned.text == "取扱注意 \\ud800"
    assert cleaned.metadata == {
        "title": "設計図",
        "pages": 3,
        "ratio": None,
        "authors": ["a\\udcffb"],
        "k": {"x": None},
    }
    cleaned.text.encode("utf-8")  # encodable: no lone surrogate left
