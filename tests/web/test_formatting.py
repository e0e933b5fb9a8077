"""Money, dates and fiscal years as a Japanese official reads them (and as English readers do)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shokei.web import formatting, i18n


@pytest.mark.parametrize(
    ("amount", "japanese", "english"),
    [
        (1_000_000_000, "10億円", "¥1.0 billion"),
        (48_500_000, "4,850万円", "¥48.5 million"),
        (485_000_000, "4億8,500万円", "¥485.0 million"),
        (123_456_789, "1億2,346万円", "¥123.5 million"),
        (9_999, "9,999円", "¥9,999"),
        (10_000, "1万円", "¥10,000"),
        (0, "0円", "¥0"),
        (-30_000_000, "-3,000万円", "-¥30.0 million"),
    ],
)
def test_summaries_use_oku_and_man(amount: int, japanese: str, english: str) -> None:
    with i18n.activate("ja"):
        assert formatting.yen_units(amount) == japanese
    with i18n.activate("en"):
        assert formatting.yen_units(amount) == english


def test_exact_amounts_read_the_same_in_both_languages() -> None:
    for language in i18n.LANGUAGES:
        with i18n.activate(language):
            assert formatting.yen(1_234_567) == "¥1,234,567"
            assert formatting.yen(None) == "—"


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2022, 4, 1), 2022),
        (date(2023, 3, 31), 2022),
        (date(2026, 6, 1), 2026),
        (date(2027, 1, 15), 2026),
    ],
)
def test_fiscal_year_starts_in_april(day: date, year: int) -> None:
    assert formatting.fiscal_year(day) == year


def test_fiscal_year_labels() -> None:
    with i18n.activate("ja"):
        assert formatting.fiscal_year_label(2022) == "2022年度"
    with i18n.activate("en"):
        assert formatting.fiscal_year_label(2022) == "FY2022"


def test_dates_and_times_are_japanese_style_in_japan_time() -> None:
    late_evening_utc = datetime(2026, 5, 31, 16, 30, tzinfo=UTC)  # 01:30 on 1 June in Tokyo
    with i18n.activate("ja"):
        assert formatting.format_date(date(2026, 6, 1)) == "2026年6月1日(月)"
        assert formatting.format_datetime(late_evening_utc) == "2026年6月1日(月) 01:30"
        assert formatting.format_datetime(late_evening_utc.replace(tzinfo=None)) == "2026年6月1日(月) 01:30"
    with i18n.activate("en"):
        assert formatting.format_date(date(2026, 6, 1)) == "Mon 1 Jun 2026"


def test_file_sizes() -> None:
    assert formatting.file_size(512) == "512 B"
    assert formatting.file_size(1536) == "1.5 KB"
    assert formatting.file_size(3 * 1024**3) == "3.0 GB"
