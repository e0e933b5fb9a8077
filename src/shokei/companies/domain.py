"""Company identity and size rules: the corporate number (法人番号) and the SME Basic Act tiers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from shokei.errors import BadInput

CORPORATE_NUMBER_LENGTH = 13
_SEPARATORS = re.compile(r"[\s\-‐‑–—ー－]")


def corporate_check_digit(base12: str) -> int:
    """National Tax Agency rule: 9 - (Σ Pn×Qn mod 9), n counted from the right, Qn = 1 odd / 2 even."""
    total = sum(int(d) * (1 if n % 2 == 1 else 2) for n, d in enumerate(reversed(base12), start=1))
    return 9 - total % 9


@dataclass(frozen=True, slots=True)
class CorporateNumber:
    """A validated 13-digit corporate number, normalised to ASCII digits."""

    value: str

    @classmethod
    def parse(cls, raw: str) -> CorporateNumber:
        # NFKC turns full-width digits (１２３) into ASCII; separators are how people write it.
        text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
        if not text:
            raise BadInput("corporate number is empty; it must have 13 digits")
        if not text.isascii() or not text.isdigit():
            raise BadInput(f"corporate number {raw!r} must contain only digits")
        if len(text) != CORPORATE_NUMBER_LENGTH:
            raise BadInput(
                f"corporate number {raw!r} has {len(text)} digits; it must have {CORPORATE_NUMBER_LENGTH}"
            )
        expected = corporate_check_digit(text[1:])
        if int(text[0]) != expected:
            raise BadInput(f"corporate number {raw!r} has check digit {text[0]}; expected {expected}")
        return cls(text)

    @classmethod
    def from_base(cls, base12: str) -> CorporateNumber:
        """Build a valid number from its 12 base digits (demo data, tests)."""
        return cls(f"{corporate_check_digit(base12)}{base12}")

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class ForeignId:
    """A foreign entity: ISO 3166-1 alpha-2 country plus its own registry's id."""

    country: str
    registry_id: str

    @classmethod
    def parse(cls, country: str, registry_id: str) -> ForeignId:
        code = country.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise BadInput(f"country {country!r} must be an ISO 3166-1 alpha-2 code such as CN or US")
        if code == "JP":
            raise BadInput("a Japanese company is identified by its corporate number, not a foreign id")
        if not registry_id.strip():
            raise BadInput("a foreign entity needs its registry id")
        return cls(code, registry_id.strip())

    def __str__(self) -> str:
        return f"{self.country}-{self.registry_id}"


class Industry(StrEnum):
    MANUFACTURING = "manufacturing"
    WHOLESALE = "wholesale"
    RETAIL = "retail"
    SERVICES = "services"


@dataclass(frozen=True, slots=True)
class SmeThreshold:
    capital_yen: int
    employees: int
    small_scale_employees: int


# 中小企業基本法 第2条: capital OR employees; 小規模企業者 by employees only.
SME_THRESHOLDS: dict[Industry, SmeThreshold] = {
    Industry.MANUFACTURING: SmeThreshold(300_000_000, 300, 20),
    Industry.WHOLESALE: SmeThreshold(100_000_000, 100, 5),
    Industry.RETAIL: SmeThreshold(50_000_000, 50, 5),
    Industry.SERVICES: SmeThreshold(50_000_000, 100, 5),
}


@dataclass(frozen=True, slots=True)
class SmeStatus:
    sme: bool
    small_scale: bool
    reason: str


def classify_sme(industry: Industry, capital_yen: int | None, employees: int | None) -> SmeStatus:
    """SME if capital ≤ threshold OR employees ≤ threshold; unknown figures never qualify."""
    limit = SME_THRESHOLDS[industry]
    by_capital = capital_yen is not None and capital_yen <= limit.capital_yen
    by_employees = employees is not None and employees <= limit.employees
    small = employees is not None and employees <= limit.small_scale_employees
    if by_capital or by_employees:
        basis = "capital" if by_capital else "employees"
        reason = f"{industry}: {basis} within ¥{limit.capital_yen:,} / {limit.employees} people"
        return SmeStatus(True, small, reason)
    return SmeStatus(False, False, f"{industry}: above ¥{limit.capital_yen:,} and {limit.employees} people")
