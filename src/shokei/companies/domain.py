"""Company identity and size rules: the corporate number (法人番号) and the SME Basic Act tiers;
its access (suspension) and certification as a recipient of design documents."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from shokei.errors import N_, BadInput, Text
from shokei.kernel.actors import Actor
from shokei.kernel.bus import Command, Event

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
            raise BadInput(Text(N_("corporate number is empty; it must have 13 digits")))
        if not text.isascii() or not text.isdigit():
            raise BadInput(Text(N_("corporate number %(raw)s must contain only digits"), {"raw": repr(raw)}))
        if len(text) != CORPORATE_NUMBER_LENGTH:
            raise BadInput(
                Text(
                    N_(
                        "corporate number %(raw)s has %(count)s digits; it must have "
                        "%(corporate_number_length)s"
                    ),
                    {
                        "raw": repr(raw),
                        "count": len(text),
                        "corporate_number_length": CORPORATE_NUMBER_LENGTH,
                    },
                )
            )
        expected = corporate_check_digit(text[1:])
        if int(text[0]) != expected:
            raise BadInput(
                Text(
                    N_("corporate number %(raw)s has check digit %(text)s; expected %(expected)s"),
                    {"raw": repr(raw), "text": text[0], "expected": expected},
                )
            )
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
            raise BadInput(
                Text(
                    N_("country %(country)s must be an ISO 3166-1 alpha-2 code such as CN or US"),
                    {"country": repr(country)},
                )
            )
        if code == "JP":
            raise BadInput(
                Text(N_("a Japanese company is identified by its corporate number, not a foreign id"))
            )
        if not registry_id.strip():
            raise BadInput(Text(N_("a foreign entity needs its registry id")))
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


# -- access: suspension and certification -----------------------------------------------------


class Access(StrEnum):
    """Whether a company may receive, open and pass on copies of design documents."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class SuspensionCause(StrEnum):
    """Why a company's access was cut: by hand, or by the fact that made it ineligible."""

    MANUAL = "manual"
    OWNERSHIP = "ownership"  # an ownership event gave foreign parties too much of it
    RISK = "risk"  # financial distress, restructuring
    CERTIFICATION = "certification"  # its certification was revoked or expired
    CHANGED_CONDITION = "changed_condition"  # a changed-condition report
    LEAK = "leak"  # a leak incident traced a found file to a copy it holds


# The cause as a refusal names it: the code in English, a word in Japanese.
CAUSE_NAMES = {
    SuspensionCause.MANUAL: N_("manual"),
    SuspensionCause.OWNERSHIP: N_("ownership"),
    SuspensionCause.RISK: N_("risk"),
    SuspensionCause.CERTIFICATION: N_("certification"),
    SuspensionCause.CHANGED_CONDITION: N_("changed_condition"),
}


def cause_name(cause: str | None) -> Text:
    """The suspension cause for a refusal, in the user's language."""
    try:
        return Text(CAUSE_NAMES[SuspensionCause(cause or "")])
    except ValueError:
        return Text("%(cause)s", {"cause": cause})


class ChangeKind(StrEnum):
    """What a changed-condition report is about (DCSA's FOCI "changed condition")."""

    OWNERSHIP = "ownership"
    MANAGEMENT = "management"
    FINANCIAL = "financial"
    LOCATION = "location"


class CertificationEnd(StrEnum):
    REVOKED = "revoked"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"  # a new certification replaced it


@dataclass(frozen=True, slots=True)
class Certification:
    """A certified recipient, in the manner of DLA's Joint Certification Program: a named data
    custodian, the last day it is valid, the scope tags it covers; ended when revoked."""

    custodian: str
    until: date
    scope: tuple[str, ...] = ()
    ended: CertificationEnd | None = None
    end_reason: str | None = None

    def valid_on(self, day: date) -> bool:
        return self.ended is None and day <= self.until

    def describe(self, day: date) -> Text:
        """Why it is (not) valid on `day`, as a rule's reason says it (`str()` is the English)."""
        if self.ended is CertificationEnd.REVOKED:
            if self.end_reason:
                return Text(N_("certification revoked: %(reason)s"), {"reason": self.end_reason})
            return Text(N_("certification revoked: no reason given"))
        if self.ended is not None or day > self.until:
            return Text(N_("certification expired %(until)s"), {"until": self.until.isoformat()})
        return Text(
            N_("certified until %(until)s (custodian %(custodian)s)"),
            {"until": self.until.isoformat(), "custodian": self.custodian},
        )


def parse_scope(text: str | None) -> tuple[str, ...]:
    """`--scope TAG,TAG`: trimmed, without empties or duplicates, sorted."""
    return tuple(sorted({tag.strip() for tag in (text or "").split(",") if tag.strip()}))


def check_certification(custodian: str, until: date, today: date) -> None:
    """A certification names its custodian and is valid at least today."""
    if not custodian.strip():
        raise BadInput(Text(N_("a certification names its data custodian")))
    if until < today:
        raise BadInput(
            Text(
                N_("a certification valid until %(until)s has already expired"), {"until": until.isoformat()}
            )
        )


def expiring_within(until: date, today: date, days: int | None) -> bool:
    """`--expiring-within DAYS`: valid until at most `days` days from today (expired included)."""
    if days is None:
        return True
    if days < 0:
        raise BadInput(Text(N_("--expiring-within counts days from today: 0 or more")))
    return until <= today + timedelta(days=days)


def require_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise BadInput(Text(N_("a reason is required")))
    return text


# -- messages other features answer or react to -------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckHolderEligibility(Command):
    """Asks the feature that keeps the eligibility rules (succession) which rules a company that
    may hold copies fails today; answered with `(rule, evidence)` pairs (the evidence a
    `shokei.errors.Text`, shown in the user's language), empty when none fails."""

    company_id: int


@dataclass(frozen=True, slots=True)
class RecordReportedOwnership(Command):
    """A changed-condition report of an ownership change, recorded by the ownership feature as
    an ownership event whose source is the report; answered with the ownership event's id."""

    actor: Actor
    report_id: int
    owned: str  # the reporting company's corporate number
    owner: str  # an entity reference, or the name of a new foreign holder with `owner_country`
    owner_country: str | None
    share: str  # percent now held directly


@dataclass(frozen=True, slots=True)
class CompanyConditionChanged(Event):
    """A fact eligibility reads changed on the company (a report, or an official's update)."""

    company_id: int
    cause: SuspensionCause
    summary: Text


@dataclass(frozen=True, slots=True)
class CertificationEnded(Event):
    """A company's certification was revoked or found expired."""

    company_id: int
    end: CertificationEnd
    summary: Text


@dataclass(frozen=True, slots=True)
class CompanyCertified(Event):
    """A company was certified as a recipient until `valid_until` (its renewal falls due then)."""

    company_id: int
    corporate_number: str | None
    valid_until: date


@dataclass(frozen=True, slots=True)
class CompanySuspended(Event):
    """A company's access was cut (by hand or by the fact that made it ineligible): the cases it is
    involved in are flagged by the features that know them (cases, succession)."""

    company_id: int
    cause: SuspensionCause
    reason: str


@dataclass(frozen=True, slots=True)
class CompanyReinstated(Event):
    """A program manager gave a suspended company its access back: its cases' flags are resolved."""

    company_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class CompanyRecord:
    """A registry row as the features built on companies read it (their use cases decide who may
    know it): identity, the facts eligibility reads, where it works, and its suspension."""

    id: int
    corporate_number: str | None
    name: str
    country: str
    financial_distress: bool | None
    security_compliant_until: date | None
    capabilities: frozenset[str]
    capacity: int | None
    foreign_share_percent: Decimal | None
    prefecture: str | None
    suspended_since: datetime | None
    suspension_cause: str | None
    suspension_reason: str | None


class RowTest(StrEnum):
    """The registry-row tests `RegistryScreen` applies, in this order."""

    FOREIGN = "foreign"  # registered outside Japan (or no country)
    DISTRESSED = "distressed"  # in financial distress (or not known)
    NOT_COMPLIANT = "not_compliant"  # security compliance lapsed by the date (or none)
    EXCLUDED = "excluded"  # the one corporate number screened out


@dataclass(frozen=True, slots=True)
class RegistryScreen:
    """Registry companies with a corporate number matching the filters (`name`: part of it,
    `prefecture`: exactly, `capability_text`: loosely, the caller checks exactly), each tested on
    its row alone: counted under the first `RowTest` it fails, or passing."""

    compliant_on: date
    excluded_number: str
    name: str = ""
    prefecture: str = ""
    capability_text: str = ""
    failing_wanted: int = 0  # how many failing ids (lowest first) to return too


@dataclass(frozen=True, slots=True)
class ScreenedRow:
    id: int
    capabilities: frozenset[str]
    capacity: int | None


@dataclass(frozen=True, slots=True)
class ScreenedRegistry:
    failed: dict[RowTest, int]  # how many fail, by the first test failed
    passing: list[ScreenedRow]  # every company passing the row tests, by id
    failing_ids: list[int]  # the first `failing_wanted` failing, by id
