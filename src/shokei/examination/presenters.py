"""Examination records as the services return them: schemas built from rows and assessments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, select

from shokei.accounts import services as accounts
from shokei.cases.domain import CaseState, InventoryItem
from shokei.documents.schemas import DocumentView
from shokei.errors import from_stored, stored_english
from shokei.examination.domain import (
    Assessment,
    Determination,
    Policy,
    SupplyChainFindings,
    shown,
    weighted_score,
)
from shokei.examination.models import (
    ExaminationDetermination,
    ExaminationOverride,
    ExaminationScore,
)
from shokei.examination.schemas import (
    CriterionView,
    DeterminationView,
    DocumentExamination,
    HardRuleView,
    OutcomeView,
    OverrideView,
    PolicyView,
    ScoreView,
    SupplyChainView,
)
from shokei.kernel.unit_of_work import UnitOfWork


def snapshot(
    policy: Policy, assessment: Assessment, supply_chain: SupplyChainFindings, requested: Determination | None
) -> dict[str, Any]:
    """What the determination weighed, as it was: never recomputed under a later policy."""
    return {
        "policy_version": policy.version,
        "policy_sha256": policy.sha256,
        "threshold": policy.threshold,
        "examiners_required": policy.examiners_required,
        "documents": [
            {
                "id": result.line_id,
                "label": result.label,
                "scores": {examiner: shown(score) for examiner, score in result.scores},
                "mean": shown(result.mean) if result.mean is not None else None,
            }
            for result in assessment.documents
        ],
        "hard_rules_fired": [{"rule": f.rule, "detail": f.detail.render()} for f in assessment.findings],
        "disagreements": [str(text) for text in assessment.disagreements],
        "supply_chain": supply_chain_view(supply_chain).model_dump(),
        "requested": requested.value if requested else None,
    }


def username(uow: UnitOfWork, user_id: int) -> str:
    return accounts.usernames(uow, [user_id])[user_id]


def policy_view(policy: Policy, source: str) -> PolicyView:
    return PolicyView(
        version=policy.version,
        title=policy.title,
        published=policy.published,
        threshold=policy.threshold,
        examiners_required=policy.examiners_required,
        disagreement_tolerance=policy.disagreement_tolerance,
        criteria=[
            CriterionView(
                name=c.name, title=c.title, min=c.min, max=c.max, weight=c.weight, guidance=c.guidance
            )
            for c in policy.criteria
        ],
        hard_rules=[
            HardRuleView(
                name=r.name,
                title=r.title,
                kind=r.kind.value,
                markings=sorted(r.markings),
                criterion=r.criterion,
                at_least=r.at_least,
            )
            for r in policy.hard_rules
        ],
        sha256=policy.sha256,
        source=source,
    )


def score_view(row: ExaminationScore, examiner: str, policy: Policy, *, current: bool) -> ScoreView:
    return ScoreView(
        id=row.id,
        case_id=row.case_id,
        document_id=row.line_id,
        examiner=examiner,
        values=dict(row.criterion_values),
        weighted_score=float(shown(weighted_score(policy, row.criterion_values))),
        rationale=row.rationale,
        policy_version=row.policy_version,
        current=current,
        scored_at=row.scored_at,
    )


def score_views(
    uow: UnitOfWork, case_id: int, current: Policy, policy_of: Callable[[str], Policy]
) -> list[ScoreView]:
    """Every score of the case, each weighed under the policy version it was made under."""
    query = select(ExaminationScore).where(ExaminationScore.case_id == case_id)
    rows = with_usernames(uow, query.order_by(ExaminationScore.id), "examiner_id")
    latest = {(row.line_id, row.examiner_id, row.policy_version): row.id for row, _ in rows}
    return [
        score_view(
            row,
            name,
            policy_of(row.policy_version),
            current=row.policy_version == current.version
            and latest[(row.line_id, row.examiner_id, row.policy_version)] == row.id,
        )
        for row, name in rows
    ]


def document_view(
    item: InventoryItem, stored: DocumentView | None, scores: Sequence[ScoreView], policy: Policy
) -> DocumentExamination:
    mine = [score for score in scores if score.document_id == item.id]
    counted = [score.weighted_score for score in mine if score.current]
    return DocumentExamination(
        id=item.id,
        title=item.title,
        drawing_number=item.drawing_number,
        revision=item.revision,
        component=item.component,
        weapon_system=item.weapon_system,
        stored_document_id=item.document_id,
        markings=list(stored.markings) if stored else [],
        format=stored.type if stored else None,
        page_count=stored.page_count if stored else None,
        scores=mine,
        mean_score=round(sum(counted) / len(counted), 2) if counted else None,
        examiners_scored=len(counted),
        examiners_required=policy.examiners_required,
    )


def supply_chain_view(findings: SupplyChainFindings) -> SupplyChainView:
    return SupplyChainView(
        available=findings.available,
        weapon_systems=list(findings.weapon_systems),
        single_source_components=list(findings.single_source_components),
        note=findings.note,
    )


def outcome_view(assessment: Assessment) -> OutcomeView | None:
    outcome = assessment.outcome
    if outcome is None:
        return None
    return OutcomeView(
        determination=outcome.determination.value,
        rule=outcome.rule,
        detail=outcome.detail.render(),
        detail_text=outcome.detail,
    )


def override_view(row: ExaminationOverride, decided_by: str) -> OverrideView:
    return OverrideView(
        id=row.id,
        case_id=row.case_id,
        determination=row.determination,
        reason=row.reason,
        decided_by=decided_by,
        decided_at=row.decided_at,
        policy_version=row.policy_version,
    )


def overrides(uow: UnitOfWork, case_id: int) -> list[OverrideView]:
    query = (
        select(ExaminationOverride)
        .where(ExaminationOverride.case_id == case_id)
        .order_by(ExaminationOverride.id)
    )
    return [override_view(row, name) for row, name in with_usernames(uow, query, "decided_by_id")]


def with_usernames(uow: UnitOfWork, query: Select[Any], user_column: str) -> list[tuple[Any, str]]:
    """The rows of `query`, each with the username of the user in `user_column` (usernames come
    from the accounts feature, not from a join on its table)."""
    rows = list(uow.session.execute(query).scalars())
    names = accounts.usernames(uow, {getattr(row, user_column) for row in rows})
    return [(row, names[getattr(row, user_column)]) for row in rows]


def determination_details(row: ExaminationDetermination) -> dict[str, Any]:
    return {
        "determination": row.determination,
        "rule": row.rule,
        "rule_detail": stored_english(row.rule_detail),
        "override": row.override_id,
    }


def determination_view(uow: UnitOfWork, row: ExaminationDetermination, state: CaseState) -> DeterminationView:
    override = uow.session.get(ExaminationOverride, row.override_id) if row.override_id else None
    return DeterminationView(
        case_id=row.case_id,
        case_state=state.value,
        determination=row.determination,
        rule=row.rule,
        rule_detail=from_stored(row.rule_detail).render(),
        rule_detail_text=from_stored(row.rule_detail),
        rationale=from_stored(row.rationale).render(),
        rationale_text=from_stored(row.rationale),
        policy_version=row.policy_version,
        determined_by=username(uow, row.determined_by_id),
        determined_at=row.determined_at,
        override=override_view(override, username(uow, override.decided_by_id)) if override else None,
        snapshot=dict(row.snapshot),
    )
