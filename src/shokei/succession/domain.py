"""Successor eligibility: rules as data, each result with a reason anyone can check.

A candidate is eligible only when every rule passes; eligible candidates are ranked by a
weighted score (`ranking`). Nothing here reads the database: the services layer gathers
`CandidateFacts` and `SuccessionCase` and calls `ranking.assess_candidates`.

Facts that are not on record fail their rule ("not on record" is not "fine"): MoD releases
design documents only on positive evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from shokei.companies.domain import Certification, CorporateNumber
from shokei.errors import N_, BadInput, Text
from shokei.kernel.bus import Event

JAPAN = "JP"


class OwnershipBasis(StrEnum):
    """How a foreign share was measured (the ownership feature supplies the later two)."""

    DIRECT = "direct"  # stakes held directly by foreign parties, as recorded on the company
    INTEGRATED = "integrated"  # through every chain up to the ultimate owners
    CONTROLLED = "controlled"  # held by foreign parties and companies they control


@dataclass(frozen=True, slots=True)
class ForeignOwnership:
    """The foreign share of a company in percent (0-100) and how it was measured."""

    percent: Decimal
    basis: OwnershipBasis
    foreign_controlled: bool = False  # the ownership engine's verdict (50 % by attribution)
    chain: tuple[str, ...] = ()  # the main foreign chain, ultimate owner first, the company last
    attributed_percent: Decimal | None = None  # share held by foreign and foreign-controlled holders

    @property
    def description(self) -> Text:
        """ "foreign ownership 48% (integrated) via A→B→C", as the eligibility reason says it."""
        share, basis = _percent(self.percent), Text(BASIS_LABELS[self.basis])
        if self.chain:
            return Text(
                N_("foreign ownership %(share)s (%(basis)s) via %(chain)s"),
                {"share": share, "basis": basis, "chain": "→".join(self.chain)},
            )
        return Text(N_("foreign ownership %(share)s (%(basis)s)"), {"share": share, "basis": basis})


BASIS_LABELS = {
    OwnershipBasis.DIRECT: N_("direct"),
    OwnershipBasis.INTEGRATED: N_("integrated"),
    OwnershipBasis.CONTROLLED: N_("controlled"),
}


class ForeignOwnershipSource(Protocol):
    """The port eligibility reads foreign ownership through.

    `candidates.DirectForeignShares` returns the direct share recorded with `shokei company update
    --foreign-share`; `ownership_source.GraphForeignOwnership` the ownership engine's integrated
    share (and its attribution verdict) for companies in the ownership graph, else the direct one.
    """

    def foreign_ownership(self, corporate_number: str) -> ForeignOwnership | None:
        """The company's foreign ownership, or None when nothing is on record."""
        ...


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    """What eligibility and ranking know about one candidate successor."""

    corporate_number: str
    name: str
    country: str = JAPAN
    foreign_ownership: ForeignOwnership | None = None
    financial_distress: bool | None = None  # None: no financial indicators on record
    security_compliant_until: date | None = None
    group_corporate_numbers: frozenset[str] = frozenset()  # parents, subsidiaries, affiliates
    capabilities: frozenset[str] = frozenset()
    open_case_slots: int = 0
    supplied_weapon_systems: frozenset[str] = frozenset()
    prefecture: str | None = None
    # The latest certification as a recipient (in force, else the last revoked or expired one);
    # None: never certified.
    certification: Certification | None = None


@dataclass(frozen=True, slots=True)
class SuccessionCase:
    """The case a successor is sought for: who withdraws, what the documents need, and when."""

    case_id: str
    withdrawing_corporate_number: str
    handover_date: date
    required_capabilities: frozenset[str] = frozenset()
    affected_weapon_systems: frozenset[str] = frozenset()
    withdrawing_group: frozenset[str] = frozenset()
    withdrawing_prefecture: str | None = None


@dataclass(frozen=True, slots=True)
class EligibilityThresholds:
    """Configurable limits; defaults are MoD's starting policy, not law."""

    max_foreign_share_percent: Decimal = Decimal(10)  # eligible only strictly below this
    min_capability_coverage: Decimal = Decimal(1)  # share of the required tags (1 = all)
    min_open_case_slots: int = 1

    def __post_init__(self) -> None:
        if not Decimal(0) < self.max_foreign_share_percent <= Decimal(100):
            raise BadInput(Text(N_("the foreign share threshold must be above 0 %% and at most 100 %%")))
        if not Decimal(0) <= self.min_capability_coverage <= Decimal(1):
            raise BadInput(Text(N_("the minimum capability coverage must be between 0 and 1")))
        if self.min_open_case_slots < 0:
            raise BadInput(Text(N_("the minimum number of open case slots must not be negative")))


@dataclass(frozen=True, slots=True)
class RuleResult:
    """One rule's verdict on one candidate, with the reason shown to people (`reason` in English;
    `text`, where the rule gives it, the same as a catalogue message for the user's language)."""

    name: str
    passed: bool
    reason: str
    text: Text | None = None

    @property
    def evidence(self) -> Text:
        """The reason as a catalogue message (the English reason as is where the rule gives none)."""
        return self.text if self.text is not None else Text("%(reason)s", {"reason": self.reason})


def _verdict(name: str, passed: bool, msgid: str, **params: object) -> RuleResult:
    said = Text(msgid, params)
    return RuleResult(name, passed, said.render(), said)


# --- the rules --------------------------------------------------------------------------------

Rule = Callable[[CandidateFacts, SuccessionCase, EligibilityThresholds], RuleResult]


def _percent(value: Decimal) -> str:
    """34 -> "34%", 9.5 -> "9.5%": as people write it, without float noise."""
    text = format(value.normalize(), "f")
    return f"{text}%"


def check_domestic(facts: CandidateFacts, case: SuccessionCase, limits: EligibilityThresholds) -> RuleResult:
    """A domestic company (country JP) with a corporate number whose check digit is right."""
    del case, limits
    if facts.country.upper() != JAPAN:
        return _verdict(
            "domestic", False, N_("registered in %(country)s, not in Japan"), country=facts.country.upper()
        )
    try:
        number = CorporateNumber.parse(facts.corporate_number)
    except BadInput as error:
        return _verdict(
            "domestic", False, N_("invalid corporate number: %(error)s"), error=error.text or error.message
        )
    return _verdict(
        "domestic", True, N_("Japanese company, corporate number %(number)s is valid"), number=str(number)
    )


def check_foreign_ownership(
    facts: CandidateFacts, case: SuccessionCase, limits: EligibilityThresholds
) -> RuleResult:
    """Foreign share strictly below the threshold, and not foreign-controlled by attribution."""
    del case
    owned = facts.foreign_ownership
    threshold = _percent(limits.max_foreign_share_percent)
    rule = "foreign_ownership"
    if owned is None:
        return _verdict(rule, False, N_("foreign ownership not on record"))
    share = owned.description
    if owned.foreign_controlled:
        attributed = owned.attributed_percent
        if attributed is not None:
            msgid = N_("%(share)s: foreign-controlled through its owners (attributed %(attributed)s)")
            return _verdict(rule, False, msgid, share=share, attributed=_percent(attributed))
        return _verdict(rule, False, N_("%(share)s: foreign-controlled through its owners"), share=share)
    if owned.percent >= limits.max_foreign_share_percent:
        return _verdict(
            rule, False, N_("%(share)s ≥ threshold %(threshold)s"), share=share, threshold=threshold
        )
    return _verdict(rule, True, N_("%(share)s < threshold %(threshold)s"), share=share, threshold=threshold)


def check_financial_health(
    facts: CandidateFacts, case: SuccessionCase, limits: EligibilityThresholds
) -> RuleResult:
    """Not in financial distress according to the indicators on record."""
    del case, limits
    if facts.financial_distress is None:
        return _verdict("financial_health", False, N_("no financial indicators on record"))
    if facts.financial_distress:
        return _verdict("financial_health", False, N_("in financial distress per the indicators on record"))
    return _verdict("financial_health", True, N_("no financial distress per the indicators on record"))


def check_security_compliance(
    facts: CandidateFacts, case: SuccessionCase, limits: EligibilityThresholds
) -> RuleResult:
    """Security compliance (cybersecurity standard, facility clearance) valid on the hand-over
    date, and the company's certification as a recipient, if it was ever certified, valid then
    too (a revoked or expired certification fails the rule)."""
    del limits
    until, handover = facts.security_compliant_until, case.handover_date
    rule, dates = (
        "security_compliance",
        {"until": until.isoformat() if until else "", "handover": handover.isoformat()},
    )
    if until is None:
        return _verdict(rule, False, N_("no security compliance on record"))
    if until < handover:
        return _verdict(
            rule, False, N_("security compliance expired %(until)s, before hand-over %(handover)s"), **dates
        )
    compliance = Text(N_("security compliance valid until %(until)s (hand-over %(handover)s)"), dates)
    certified = facts.certification
    if certified is not None:
        described = certified.describe(handover)
        if not certified.valid_on(handover):
            return _verdict(rule, False, "%(parts)s", parts=(described, compliance))
        return _verdict(rule, True, "%(parts)s", parts=(compliance, described))
    return _verdict(rule, True, compliance.msgid, **compliance.params)


def check_independence(
    facts: CandidateFacts, case: SuccessionCase, limits: EligibilityThresholds
) -> RuleResult:
    """Neither the withdrawing company nor a member of its group (in either direction)."""
    del limits
    candidate, withdrawing = facts.corporate_number, case.withdrawing_corporate_number
    if candidate == withdrawing:
        return _verdict("independence", False, N_("is the withdrawing company itself"))
    candidate_group = facts.group_corporate_numbers | {candidate}
    withdrawing_group = case.withdrawing_group | {withdrawing}
    shared = sorted(candidate_group & withdrawing_group)
    if shared:
        msgid = N_("same group as the withdrawing company %(withdrawing)s (shares %(shared)s)")
        return _verdict("independence", False, msgid, withdrawing=withdrawing, shared=", ".join(shared))
    return _verdict(
        "independence",
        True,
        N_("independent of the withdrawing company %(withdrawing)s"),
        withdrawing=withdrawing,
    )


def capability_coverage(required: frozenset[str], offered: frozenset[str]) -> Decimal:
    """Share of the required tags the candidate offers (1 when nothing is required)."""
    if not required:
        return Decimal(1)
    return Decimal(len(required & offered)) / Decimal(len(required))


def check_capability(
    facts: CandidateFacts, case: SuccessionCase, limits: EligibilityThresholds
) -> RuleResult:
    """Offers enough of the capability tags the case's documents need."""
    required = case.required_capabilities
    coverage = capability_coverage(required, facts.capabilities)
    counts = {"covered": len(required & facts.capabilities), "required": len(required)}
    missing = ", ".join(sorted(required - facts.capabilities))
    passed = coverage >= limits.min_capability_coverage
    if missing:
        msgid = N_("covers %(covered)s of %(required)s required capabilities; missing %(missing)s")
        return _verdict("capability", passed, msgid, **counts, missing=missing)
    return _verdict(
        "capability", passed, N_("covers %(covered)s of %(required)s required capabilities"), **counts
    )


def check_capacity(facts: CandidateFacts, case: SuccessionCase, limits: EligibilityThresholds) -> RuleResult:
    """Has room to take on one more case."""
    del case
    slots, needed = facts.open_case_slots, limits.min_open_case_slots
    if slots < needed:
        return _verdict(
            "capacity", False, N_("%(slots)s open case slots, %(needed)s needed"), slots=slots, needed=needed
        )
    return _verdict(
        "capacity", True, N_("%(slots)s open case slots (%(needed)s needed)"), slots=slots, needed=needed
    )


# The order is the order people read: identity and ownership first, then fitness for the work.
ELIGIBILITY_RULES: tuple[Rule, ...] = (
    check_domestic,
    check_foreign_ownership,
    check_financial_health,
    check_security_compliance,
    check_independence,
    check_capability,
    check_capacity,
)


# What a company that holds copies (or succeeds in an open case) must keep satisfying: the rules
# about the company itself, not about its fit for one case (independence, capability, capacity).
HOLDER_RULES: tuple[Rule, ...] = (
    check_domestic,
    check_foreign_ownership,
    check_financial_health,
    check_security_compliance,
)


def check_holder(
    facts: CandidateFacts, on: date, limits: EligibilityThresholds | None = None
) -> tuple[RuleResult, ...]:
    """The holder rules' results for this company on the day `on` (every rule evaluated)."""
    standing = SuccessionCase(case_id="", withdrawing_corporate_number="", handover_date=on)
    return check_eligibility(facts, standing, limits, HOLDER_RULES)


def check_eligibility(
    facts: CandidateFacts,
    case: SuccessionCase,
    limits: EligibilityThresholds | None = None,
    rules: Sequence[Rule] = ELIGIBILITY_RULES,
) -> tuple[RuleResult, ...]:
    """Every rule's result for this candidate (all are evaluated, so every reason is shown)."""
    chosen = limits or EligibilityThresholds()
    return tuple(rule(facts, case, chosen) for rule in rules)


# -- events: the clocks (deadlines) subscribe to them -----------------------------------------


@dataclass(frozen=True, slots=True)
class CopyRecalled(Event):
    """An issued copy was recalled: its holder owes its return (certificate of destruction)."""

    copy_id: str
    case_id: int
    holder_company_id: int


@dataclass(frozen=True, slots=True)
class CopyReturned(Event):
    """A recalled (or issued) copy's certificate of destruction was recorded."""

    copy_id: str
