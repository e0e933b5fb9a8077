"""Examination of technological significance: the published policy, scores and the determination.

Pure: the policy arrives as TOML text, evidence and scores as values; nothing here reads a file
or a database. The order in which a determination is reached is fixed and explained:

1. a program manager's override, when one is recorded, decides (with its reason);
2. otherwise every document needs the policy's number of examiners' scores;
3. a hard rule that fires (a secrecy marking, a single-source component, a criterion at its
   gravest) requires protection whatever the scores;
4. examiners who disagree beyond the tolerance are flagged: a program manager must decide;
5. otherwise the highest document score against the threshold decides.

The policy itself (parsing, validation, scores on its scales) is in `policy_rules`, next to this
module; its names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from shokei.errors import N_, BadInput, Text
from shokei.examination.policy_rules import (
    Criterion,
    HardRule,
    HardRuleKind,
    Policy,
    PolicyError,
    parse_policy,
    shown,
    validate_values,
    weighted_score,
)

# Public names, including those now defined in `policy_rules`.
__all__ = [
    "NO_SUPPLY_CHAIN",
    "RULE_BELOW_THRESHOLD",
    "RULE_EXAMINER_JUDGEMENT",
    "RULE_OVERRIDE",
    "RULE_SCORE_THRESHOLD",
    "Assessment",
    "Criterion",
    "Determination",
    "DeterminationRefused",
    "DocumentFacts",
    "DocumentResult",
    "ExaminerScore",
    "Finding",
    "HardRule",
    "HardRuleKind",
    "Outcome",
    "Override",
    "Policy",
    "PolicyError",
    "SupplyChainFindings",
    "assess",
    "parse_policy",
    "settle",
    "shown",
    "validate_values",
    "weighted_score",
]


class Determination(StrEnum):
    PROTECTION_REQUIRED = "protection_required"
    NOT_SIGNIFICANT = "not_significant"


# Rules that decide when no hard rule does.
RULE_OVERRIDE = "program_manager_override"
RULE_SCORE_THRESHOLD = "score_threshold"
RULE_BELOW_THRESHOLD = "below_threshold"
# The examiner's own judgement on note-only examinations (no policy scores to weigh).
RULE_EXAMINER_JUDGEMENT = "examiner_judgement"
# Its detail, stored with the determination in English and shown through the catalogue.
EXAMINER_JUDGEMENT_DETAIL = N_("determined on the examiners' notes, without scores")


class DeterminationRefused(BadInput):
    """The determination asked for cannot be made (yet): scores missing, flags, policy says otherwise."""


# -- evidence and assessment -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    """One inventory document as the examination sees it."""

    line_id: int
    label: str
    markings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SupplyChainFindings:
    """What the supply chain says about the withdrawing company (the evidence panel's port)."""

    available: bool
    weapon_systems: tuple[str, ...] = ()
    single_source_components: tuple[str, ...] = ()
    note: str = ""


NO_SUPPLY_CHAIN = SupplyChainFindings(False, note="the supply-chain feature is not available here")


@dataclass(frozen=True, slots=True)
class ExaminerScore:
    """One examiner's current score of one document (their latest, under the policy in force)."""

    line_id: int
    examiner_id: int
    examiner: str
    values: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Override:
    determination: Determination
    reason: str
    decided_by: str


@dataclass(frozen=True, slots=True)
class Outcome:
    determination: Determination
    rule: str
    detail: Text  # why, as a catalogue message (stored with the determination: `errors.stored`)


@dataclass(frozen=True, slots=True)
class DocumentResult:
    line_id: int
    label: str
    scores: tuple[tuple[str, Fraction], ...]  # (examiner, weighted score)

    @property
    def mean(self) -> Fraction | None:
        if not self.scores:
            return None
        return sum((s for _, s in self.scores), Fraction(0)) / len(self.scores)

    @property
    def spread(self) -> Fraction:
        values = [s for _, s in self.scores]
        return max(values) - min(values) if values else Fraction(0)


@dataclass(frozen=True, slots=True)
class Finding:
    """A hard rule that fired, and on what."""

    rule: str
    detail: Text


@dataclass(frozen=True, slots=True)
class Assessment:
    documents: tuple[DocumentResult, ...]
    missing: tuple[Text, ...]
    disagreements: tuple[Text, ...]
    findings: tuple[Finding, ...]
    outcome: Outcome | None
    blocked_by: Text | None = None

    @property
    def unscored(self) -> bool:
        return all(not result.scores for result in self.documents)


def assess(
    policy: Policy,
    documents: Sequence[DocumentFacts],
    scores: Iterable[ExaminerScore],
    supply_chain: SupplyChainFindings,
    override: Override | None = None,
) -> Assessment:
    """Everything the policy says about a case now, and the determination it reaches, if any."""
    by_line: dict[int, list[ExaminerScore]] = {d.line_id: [] for d in documents}
    for score in scores:
        by_line.setdefault(score.line_id, []).append(score)
    results = tuple(
        DocumentResult(
            d.line_id,
            d.label,
            tuple((s.examiner, weighted_score(policy, s.values)) for s in by_line[d.line_id]),
        )
        for d in documents
    )
    missing = tuple(_missing(policy, results))
    disagreements = tuple(_disagreements(policy, results))
    findings = tuple(
        _fired(policy, documents, [s for group in by_line.values() for s in group], supply_chain)
    )
    outcome, blocked = _conclude(
        policy, results, missing=missing, disagreements=disagreements, findings=findings, override=override
    )
    return Assessment(results, missing, disagreements, findings, outcome, blocked)


def _missing(policy: Policy, results: Iterable[DocumentResult]) -> Iterator[Text]:
    for result in results:
        if len(result.scores) < policy.examiners_required:
            yield Text(
                N_("document %(line)s (%(label)s): %(count)s of %(required)s examiners' scores"),
                {
                    "line": result.line_id,
                    "label": result.label,
                    "count": len(result.scores),
                    "required": policy.examiners_required,
                },
            )


def _disagreements(policy: Policy, results: Iterable[DocumentResult]) -> Iterator[Text]:
    for result in results:
        if len(result.scores) > 1 and result.spread > policy.disagreement_tolerance:
            scores = " vs ".join(f"{name} {shown(score)}" for name, score in result.scores)
            yield Text(
                N_(
                    "document %(line)s (%(label)s): examiners disagree by %(spread)s points "
                    "(%(scores)s; tolerance %(tolerance)s)"
                ),
                {
                    "line": result.line_id,
                    "label": result.label,
                    "spread": shown(result.spread),
                    "scores": scores,
                    "tolerance": policy.disagreement_tolerance,
                },
            )


def _fired(
    policy: Policy,
    documents: Sequence[DocumentFacts],
    scores: Sequence[ExaminerScore],
    supply_chain: SupplyChainFindings,
) -> Iterator[Finding]:
    for rule in policy.hard_rules:
        detail = _rule_detail(rule, documents, scores, supply_chain)
        if detail:
            yield Finding(rule.name, detail)


def _rule_detail(
    rule: HardRule,
    documents: Sequence[DocumentFacts],
    scores: Sequence[ExaminerScore],
    supply_chain: SupplyChainFindings,
) -> Text | None:
    """Why the rule fires, or None when it does not."""
    match rule.kind:
        case HardRuleKind.MARKING:
            hits = _marked(rule.markings, documents)
        case HardRuleKind.SINGLE_SOURCE:
            hits = _single_sourced(supply_chain)
        case HardRuleKind.CRITERION:
            hits = _scored_at_least(rule, scores)
    return Text("%(hits)s", {"hits": tuple(hits)}) if hits else None


def _marked(markings: frozenset[str], documents: Sequence[DocumentFacts]) -> list[Text]:
    return [
        Text(
            N_("document %(line)s (%(label)s) bears %(markings)s"),
            {
                "line": d.line_id,
                "label": d.label,
                "markings": ", ".join(m for m in d.markings if m in markings),
            },
        )
        for d in documents
        if markings.intersection(d.markings)
    ]


def _single_sourced(supply_chain: SupplyChainFindings) -> list[Text]:
    # Losing parts no weapon system uses is no defense risk: the rule needs a system hit.
    if not (supply_chain.single_source_components and supply_chain.weapon_systems):
        return []
    return [
        Text(
            N_("sole source of %(components)s (weapon systems hit: %(systems)s)"),
            {
                "components": ", ".join(supply_chain.single_source_components),
                "systems": ", ".join(supply_chain.weapon_systems),
            },
        )
    ]


def _scored_at_least(rule: HardRule, scores: Sequence[ExaminerScore]) -> list[Text]:
    name, floor = rule.criterion or "", rule.at_least if rule.at_least is not None else 0
    return [
        Text(
            N_("%(examiner)s scored %(criterion)s=%(value)s on document %(line)s"),
            {"examiner": s.examiner, "criterion": name, "value": s.values[name], "line": s.line_id},
        )
        for s in scores
        if name in s.values and s.values[name] >= floor
    ]


def _conclude(
    policy: Policy,
    results: Sequence[DocumentResult],
    *,
    missing: Sequence[Text],
    disagreements: Sequence[Text],
    findings: Sequence[Finding],
    override: Override | None,
) -> tuple[Outcome | None, Text | None]:
    if override is not None:
        detail = Text(N_("%(by)s: %(reason)s"), {"by": override.decided_by, "reason": override.reason})
        return Outcome(override.determination, RULE_OVERRIDE, detail), None
    if not results:
        return None, Text(N_("the document inventory is empty"))
    if missing:
        return None, Text(N_("scores are missing: %(missing)s"), {"missing": tuple(missing)})
    if findings:
        first = findings[0]
        return Outcome(Determination.PROTECTION_REQUIRED, first.rule, first.detail), None
    if disagreements:
        return None, Text(
            N_("flagged for a program manager: %(disagreements)s"), {"disagreements": tuple(disagreements)}
        )
    return _by_threshold(policy, results), None


def _by_threshold(policy: Policy, results: Sequence[DocumentResult]) -> Outcome:
    top = max(results, key=lambda r: (r.mean or Fraction(0), -r.line_id))
    score = top.mean or Fraction(0)
    detail = Text(
        N_("highest score %(score)s (document %(line)s, %(label)s); threshold %(threshold)s"),
        {"score": shown(score), "line": top.line_id, "label": top.label, "threshold": str(policy.threshold)},
    )
    if score >= policy.threshold:
        return Outcome(Determination.PROTECTION_REQUIRED, RULE_SCORE_THRESHOLD, detail)
    return Outcome(Determination.NOT_SIGNIFICANT, RULE_BELOW_THRESHOLD, detail)


def settle(policy: Policy, assessment: Assessment, requested: Determination | None) -> Outcome:
    """The determination to record, or why none can be.

    `requested` is the examiner's own call when they move the case by hand (`case transition
    determine_...`). Once any document is scored the policy decides and the call must agree.
    On note-only examinations the call stands (rule `examiner_judgement`) unless a hard rule
    requires protection; a policy that needs two examiners accepts no note-only examination.
    """
    outcome = assessment.outcome
    if requested is not None and outcome is None and _judgement_allowed(policy, assessment):
        return _judgement(assessment, requested)
    if outcome is None:
        msgid = N_("policy %(version)s cannot determine yet: %(blocked_by)s")
        raise DeterminationRefused(
            Text(msgid, {"version": policy.version, "blocked_by": assessment.blocked_by})
        )
    if requested is not None and outcome.determination is not requested:
        raise DeterminationRefused(
            Text(
                N_(
                    "policy %(version)s determines %(determination)s (rule %(rule)s: "
                    "%(detail)s); a program manager may override with a reason"
                ),
                {
                    "version": policy.version,
                    "determination": outcome.determination,
                    "rule": outcome.rule,
                    "detail": outcome.detail,
                },
            )
        )
    return outcome


def _judgement_allowed(policy: Policy, assessment: Assessment) -> bool:
    return assessment.unscored and policy.examiners_required == 1


def _judgement(assessment: Assessment, requested: Determination) -> Outcome:
    if assessment.findings:
        first = assessment.findings[0]
        if requested is Determination.NOT_SIGNIFICANT:
            raise DeterminationRefused(
                Text(
                    N_(
                        "hard rule %(rule)s requires protection (%(detail)s); a program "
                        "manager may override with a reason"
                    ),
                    {"rule": first.rule, "detail": first.detail},
                )
            )
        return Outcome(requested, first.rule, first.detail)
    return Outcome(requested, RULE_EXAMINER_JUDGEMENT, Text(EXAMINER_JUDGEMENT_DETAIL))
