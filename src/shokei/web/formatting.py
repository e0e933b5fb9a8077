"""How numbers, money and dates read in each language: ¥1,234,567, 4億8,500万円, 2026年6月1日, 2026年度."""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

from shokei.clock import JST
from shokei.web.i18n import current_language, gettext

MAN = 10_000
OKU = 100_000_000
_DATE_PATTERNS = {"ja": "yyyy年M月d日(E)", "en": "EEE d MMM yyyy"}


def number(value: int | None) -> str:
    return "—" if value is None else format_decimal(value, locale=current_language())


def yen(value: int | None) -> str:
    """Exact amounts, as on every form and table: ¥1,234,567."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,}"


def yen_units(value: int | None) -> str:
    """Summaries: 4億8,500万円 in Japanese (rounded to the nearest 万), ¥48.5 million in English."""
    if value is None:
        return "—"
    if current_language() == "ja":
        return _yen_japanese_units(value)
    return _yen_english_units(value)


def _yen_japanese_units(value: int) -> str:
    sign, amount = ("-" if value < 0 else ""), abs(value)
    if amount < MAN:
        return f"{sign}{amount:,}円"
    man_total = (amount + MAN // 2) // MAN
    oku, man = divmod(man_total, OKU // MAN)
    parts = ([f"{oku:,}億"] if oku else []) + ([f"{man:,}万"] if man else [])
    return f"{sign}{''.join(parts)}円"


def _yen_english_units(value: int) -> str:
    sign, amount = ("-" if value < 0 else ""), abs(value)
    for size, word in ((1_000_000_000_000, "trillion"), (1_000_000_000, "billion"), (1_000_000, "million")):
        if amount >= size:
            return f"{sign}¥{amount / size:,.1f} {word}"
    return f"{sign}¥{amount:,}"


def fiscal_year(day: date) -> int:
    """Japan's fiscal year runs 1 April to 31 March and is named after the year it starts in."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_label(year: int) -> str:
    return f"{year}年度" if current_language() == "ja" else f"FY{year}"


def format_date(value: date | None) -> str:
    if value is None:
        return "—"
    language = current_language()
    return babel_format_date(value, _DATE_PATTERNS[language], locale=language)


def _in_japan(value: datetime) -> datetime:
    # Naive values are UTC: that is how the database hands back what the clock wrote.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(JST)


def format_datetime(value: datetime | None) -> str:
    """Japan time, whatever zone the value was stored in."""
    if value is None:
        return "—"
    local = _in_japan(value)
    return f"{format_date(local.date())} {local:%H:%M}"


def iso_datetime(value: datetime) -> str:
    """For <time datetime="...">: machine-readable, in Japan time."""
    return _in_japan(value).isoformat(timespec="minutes")


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size:,} B"
    scaled = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        scaled /= 1024
        if scaled < 1024 or unit == "TB":
            break
    return f"{scaled:,.1f} {unit}"


def percent(fraction: float | None) -> str:
    """A fraction 0-1 as a percentage in the reader's language: 12.5%, 0.01%未満 / <0.01%."""
    if fraction is None:
        return "—"
    if 0 < fraction < 0.0001:
        return gettext("less than %(value)s") % {"value": "0.01%"}
    return f"{format_decimal(round(fraction * 100, 2), format='#,##0.##', locale=current_language())}%"
