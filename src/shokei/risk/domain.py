"""Leak risk as explainable factors: each one a contribution in points with its evidence.

Pure rules, no I/O. The weights and the parameters that decide when a factor applies come from
a versioned policy (`policy.toml`, parsed by `parse_policy`); a company's score is the sum of
its factors' contributions, so every point can be traced to a fact. The recommendation weighs
risk together with supply-chain criticality: outreach can be offered to anyone at risk, but a
succession case or the law's last resort (temporary acquisition of facilities) is only worth
it for a company whose exit would hurt weapon systems.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from shokei.errors import N_, Text
from shokei.kernel.bus import Event
from shokei.risk.policy import RiskPolicy

# -- facts -------------------------------------------------------------------------------------


class EventKind(StrEnum):
    """What can happen to a company that bears on leak risk (recorded with `shokei risk event`)."""

    RESTRUCTURING_ANNOUNCED = "restructuring_announced"
    FACTORY_CLOSURE = "factory_closure"
    CREDIT_EVENT = "credit_event"  # default, suspended bank transactions, rescheduled debt
    SHARE_ACQUISITION = "share_acquisition"  # a foreign acquisition reported outside the registers
    FOREIGN_SUBCONTRACTING = "foreign_subcontracting"
    EXPORT_OF_RELATED_ITEMS = "export_of_related_items"
    SURVEY_UNANSWERED = "survey_unanswered"  # the supply-chain survey went unanswered


# Events that put a company in financial distress as eligibility reads it (its financial rule).
DISTRESS_EVENTS = frozenset({EventKind.CREDIT_EVENT, EventKind.RESTRUCTURING_ANNOUNCED})


@dataclass(frozen=True, slots=True)
class DistressRecorded(Event):
    """A credit event or a restructuring was recorded for a company (published in the
    transaction that records it; the company is then marked in financial distress)."""

    company_id: int
    kind: EventKind
    occurred_on: date
    event_id: int


class Recommendation(StrEnum):
    MONITOR = "monitor"
    EARLY_OUTREACH = "early_outreach"
    SUCCESSION_CASE = "succession_case"
    TEMPORARY_ACQUISITION = "temporary_acquisition"


@dataclass(frozen=True)
class FinancialFacts:
    fiscal_year: int
    revenue_yen: int | None = None
    operating_profit_yen: int | None = None
    net_income_yen: int | None = None
    equity_ratio_percent: float | None = None

    @property
    def loss(self) -> bool | None:
        """A loss year by operating profit, else by net income; None when neither is known."""
        figure = self.operating_profit_yen if self.operating_profit_yen is not None else self.net_income_yen
        return None if figure is None else figure < 0


@dataclass(frozen=True)
class EventFact:
    kind: EventKind
    occurred_on: date
    note: str | None = None


@dataclass(frozen=True)
class ForeignFacts:
    """Foreign-control figures (fractions 0-1) and, in words, the chain and acquisitions behind them."""

    direct: float
    integrated: float
    attributed: float
    control: float
    chain: str | None = None
    acquisitions: tuple[tuple[date, str], ...] = ()  # when, and who acquired what


@dataclass(frozen=True)
class CriticalityFacts:
    """Supply-chain criticality of a company's exit (the supply-chain feature's score)."""

    score: float
    detail: Text


@dataclass(frozen=True)
class CaseFact:
    case_id: int
    state: str
    planned_exit_date: date


@dataclass(frozen=True)
class CompanyFacts:
    corporate_number: str
    name: str
    sme: bool = False
    small_scale: bool = False
    sme_reason: str = ""
    financials: tuple[FinancialFacts, ...] = ()
    events: tuple[EventFact, ...] = ()
    foreign: ForeignFacts | None = None
    criticality: CriticalityFacts | None = None
    open_cases: tuple[CaseFact, ...] = ()


@dataclass(frozen=True)
class Factor:
    name: str
    contribution: float
    evidence: Text  # a catalogue message: shown in the reader's language, in English to the API


@dataclass(frozen=True)
class Assessment:
    corporate_number: str
    name: str
    score: float
    factors: tuple[Factor, ...]
    recommendation: Recommendation
    critical: bool
    criticality: float


# -- the factors -------------------------------------------------------------------------------


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.1f} %"


def _within(events: Sequence[EventFact], kinds: set[EventKind], today: date, days: int) -> list[EventFact]:
    if not events:  # most companies have none: skip the date arithmetic
        return []
    since = today - timedelta(days=days)
    return sorted(
        (event for event in events if event.kind in kinds and since <= event.occurred_on <= today),
        key=lambda event: event.occurred_on,
    )


_FOREIGN_CONTROL = N_(
    "foreign control %(control)s (direct %(direct)s, integrated %(integrated)s, attributed %(attributed)s), "
    "at or above %(band)s"
)


def _describe(events: Iterable[EventFact]) -> Text:
    said = {True: N_("%(kind)s on %(date)s (%(note)s)"), False: N_("%(kind)s on %(date)s")}
    return _joined(
        Text(said[bool(e.note)], {"kind": e.kind, "date": e.occurred_on, "note": e.note}) for e in events
    )


def _joined(parts: Iterable[Text]) -> Text:
    """Several pieces of evidence, separated by semicolons."""
    return Text("%(parts)s", {"parts": tuple(parts)})


def sme_factor(facts: CompanyFacts, policy: RiskPolicy, today: date) -> Factor | None:
    """Small firms leak more: fewer controls, fewer people, more pressure to sell."""
    if facts.small_scale:
        return Factor(
            "sme",
            policy.weight("small_scale"),
            Text(N_("small-scale business; %(reason)s"), {"reason": facts.sme_reason}),
        )
    if facts.sme:
        return Factor("sme", policy.weight("sme"), Text(N_("SME; %(reason)s"), {"reason": facts.sme_reason}))
    return None


def financial_distress_factor(facts: CompanyFacts, policy: RiskPolicy, today: date) -> Factor | None:
    """Losses in consecutive years, a low or negative equity ratio, credit events."""
    parts: list[tuple[float, Text]] = []
    losses = _consecutive_losses(facts.financials)
    if losses >= policy.consecutive_loss_years:
        parts.append(
            (
                policy.weight("consecutive_losses"),
                Text(N_("losses in the last %(years)s fiscal years"), {"years": losses}),
            )
        )
    parts.extend(_equity_part(facts.financials, policy))
    credit = _within(facts.events, {EventKind.CREDIT_EVENT}, today, policy.event_window_days)
    if credit:
        parts.append((policy.weight("credit_event"), _describe(credit)))
    if not parts:
        return None
    return Factor(
        "financial_distress", sum(points for points, _ in parts), _joined(text for _, text in parts)
    )


def _consecutive_losses(financials: Sequence[FinancialFacts]) -> int:
    """Loss years counted back from the latest year recorded, without a gap."""
    count, expected = 0, None
    for year in sorted(financials, key=lambda item: -item.fiscal_year):
        if (expected is not None and year.fiscal_year != expected) or not year.loss:
            break
        count, expected = count + 1, year.fiscal_year - 1
    return count


def _equity_part(financials: Sequence[FinancialFacts], policy: RiskPolicy) -> list[tuple[float, Text]]:
    known = [year for year in financials if year.equity_ratio_percent is not None]
    if not known:
        return []
    latest = max(known, key=lambda year: year.fiscal_year)
    ratio = latest.equity_ratio_percent or 0.0
    shown = {
        "ratio": f"{ratio:.1f}",
        "year": latest.fiscal_year,
        "limit": f"{policy.low_equity_ratio_percent:g}",
    }
    if ratio < 0:
        return [
            (policy.weight("negative_equity"), Text(N_("negative equity (%(ratio)s %%, FY%(year)s)"), shown))
        ]
    if ratio < policy.low_equity_ratio_percent:
        low = N_("equity ratio %(ratio)s %% (FY%(year)s), below %(limit)s %%")
        return [(policy.weight("low_equity_ratio"), Text(low, shown))]
    return []


def restructuring_factor(facts: CompanyFacts, policy: RiskPolicy, today: date) -> Factor | None:
    """Restructuring announced or a factory closing: people and papers are on the move."""
    found = _within(
        facts.events,
        {EventKind.RESTRUCTURING_ANNOUNCED, EventKind.FACTORY_CLOSURE},
        today,
        policy.event_window_days,
    )
    if not found:
        return None
    points = sum(policy.weight(str(kind)) for kind in {event.kind for event in found})
    return Factor("restructuring", points, _describe(found))


def foreign_control_factor(facts: CompanyFacts, policy: RiskPolicy, today: date) -> Factor | None:
    """Foreign control through every chain, in bands (the highest band reached counts)."""
    foreign = facts.foreign
    if foreign is None:
        return None
    band = next(
        (
            (level, points)
            for level, points in policy.foreign_control_bands
            if foreign.control >= level - 1e-9
        ),
        None,
    )
    if band is None:
        return None
    shares = {
        name: _percent(getattr(foreign, name)) for name in ("control", "direct", "integrated", "attributed")
    }
    shares["band"] = _percent(band[0])
    evidence = Text(_FOREIGN_CONTROL, shares)
    if foreign.chain:
        evidence = Text(
            N_("%(evidence)s; main chain: %(chain)s"), {"evidence": evidence, "chain": foreign.chain}
        )
    return Factor("foreign_control", band[1], evidence)


def foreign_acquisition_factor(facts: CompanyFacts, policy: RiskPolicy, today: date) -> Factor | None:
    """Foreign investors buying in lately (from ownership events, or events recorded by hand)."""
    since = today - timedelta(days=policy.acquisition_window_days)
    acquisitions = sorted(facts.foreign.acquisitions) if facts.foreign else []
    recorded = [
        Text(N_("%(when)s: %(what)s"), {"when": w, "what": what})
        for w, what in acquisitions
        if since <= w <= today
    ]
    reported = _within(facts.events, {EventKind.SHARE_ACQUISITION}, today, policy.acquisition_window_days)
    if not recorded and not reported:
        return None
    evidence = _joined([*recorded, *([_describe(reported)] if reported else [])])
    return Factor("recent_foreign_acquisition", policy.weight("recent_foreign_acquisition"), evidence)


def foreign_dealings_factor(facts: CompanyFacts, policy: RiskPolicy, today: date) -> Factor | None:
    """Foreign subcontractors or exports of related items: routes by which designs leave."""
    found = _within(
        facts.events,
        {EventKind.FOREIGN_SUBCONTRACTING, EventKind.EXPORT_OF_RELATED_ITEMS},
        today,
        policy.event_window_days,
    )
    if not found:
        return None
    points = sum(policy.weight(str(kind)) for kind in {event.kind for event in found})
    return Factor("foreign_subcontracting_or_exports", points, _describe(found))


def criticality_factor(facts: CompanyFacts, policy: RiskPolicy, today: date) -> Factor | None:
    """What weapon systems lose if the company leaves, scaled up to the full weight."""
    criticality = facts.criticality
    if criticality is None or criticality.score <= 0:
        return None
    scale = min(1.0, criticality.score / policy.criticality_full_at)
    return Factor(
        "supply_chain_criticality",
        round(policy.weight("supply_chain_criticality") * scale, 2),
        Text(
            N_("criticality %(score)s: %(detail)s"),
            {"score": f"{criticality.score:g}", "detail": criticality.detail},
        ),
    )


def survey_factor(facts: CompanyFacts, policy: RiskPolicy, today: date) -> Factor | None:
    """The supply-chain survey is an effort obligation: not answering it is a signal."""
    found = _within(facts.events, {EventKind.SURVEY_UNANSWERED}, today, policy.survey_window_days)
    if not found:
        return None
    return Factor("no_survey_answer", policy.weight("no_survey_answer"), _describe(found))


def open_case_factor(facts: CompanyFacts, policy: RiskPolicy, today: date) -> Factor | None:
    """The company has notified its exit: documents are about to change hands."""
    if not facts.open_cases:
        return None
    said = N_("case %(case)s (%(state)s), planned exit %(date)s")
    evidence = _joined(
        Text(said, {"case": c.case_id, "state": c.state, "date": c.planned_exit_date})
        for c in facts.open_cases
    )
    return Factor("open_exit_case", policy.weight("open_exit_case"), evidence)


FactorRule = Callable[[CompanyFacts, RiskPolicy, date], Factor | None]
FACTORS: tuple[FactorRule, ...] = (
    sme_factor,
    financial_distress_factor,
    restructuring_factor,
    foreign_control_factor,
    foreign_acquisition_factor,
    foreign_dealings_factor,
    criticality_factor,
    survey_factor,
    open_case_factor,
)


# -- score, recommendation, ranking ------------------------------------------------------------


def assess(facts: CompanyFacts, policy: RiskPolicy, today: date) -> Assessment:
    """Every factor that applies, largest first; the score is their sum."""
    factors = sorted(
        (factor for rule in FACTORS if (factor := rule(facts, policy, today))),
        key=lambda factor: (-factor.contribution, factor.name),
    )
    score = round(sum(factor.contribution for factor in factors), 2)
    criticality = facts.criticality.score if facts.criticality else 0.0
    critical = criticality >= policy.critical_from
    return Assessment(
        facts.corporate_number,
        facts.name,
        score,
        tuple(factors),
        recommend(score, critical, policy),
        critical,
        criticality,
    )


def recommend(score: float, critical: bool, policy: RiskPolicy) -> Recommendation:
    """Outreach for anyone at risk; a succession case or temporary acquisition only when the
    company's exit would hurt weapon systems (`critical`) and the risk is high enough."""
    if critical and score >= policy.temporary_acquisition_from:
        return Recommendation.TEMPORARY_ACQUISITION
    if critical and score >= policy.succession_case_from:
        return Recommendation.SUCCESSION_CASE
    if score >= policy.early_outreach_from:
        return Recommendation.EARLY_OUTREACH
    return Recommendation.MONITOR


def ranked(assessments: Iterable[Assessment], top: int | None = None) -> list[Assessment]:
    """Highest score first; ties go to the more critical, then by corporate number."""
    order = sorted(assessments, key=lambda item: (-item.score, -item.criticality, item.corporate_number))
    return order if top is None else order[:top]


@dataclass(frozen=True)
class Change:
    """How a company's score moved since the previous recorded run."""

    previous_score: float | None
    factors: dict[str, float] = field(default_factory=dict)  # factor -> change in points

    def score_change(self, score: float) -> float | None:
        """The change of the score, None without a previous run."""
        return None if self.previous_score is None else round(score - self.previous_score, 2)


def changes_since(
    assessment: Assessment, previous: Mapping[str, float] | None, previous_score: float | None
) -> Change:
    """Each factor whose contribution differs from the previous run's (new, gone or moved)."""
    if previous is None:
        return Change(previous_score)
    now = {factor.name: factor.contribution for factor in assessment.factors}
    moved = {
        name: round(now.get(name, 0.0) - previous.get(name, 0.0), 2)
        for name in sorted(set(now) | set(previous))
    }
    return Change(previous_score, {name: delta for name, delta in moved.items() if delta})
