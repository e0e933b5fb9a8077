"""Recorded scoring runs: kept when the watchlist is recorded, and read back (the top of the last
run, a company's history, the previous score each entry is compared with)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shokei.companies import services as companies
from shokei.errors import N_, BadInput, Text
from shokei.kernel import Actor, AuditEvent, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.risk.domain import (
    Assessment,
    changes_since,
)
from shokei.risk.models import RiskRun, RiskScore
from shokei.risk.policy import RiskPolicy
from shokei.risk.schemas import (
    FactorView,
    HistoryPoint,
    RecordedRunView,
    RecordedScore,
    WatchlistEntry,
)
from shokei.risk.services.support import _company, _require


def latest_recorded_run(uow: UnitOfWork, actor: Actor, *, top: int) -> RecordedRunView | None:
    """The highest scores of the last recorded run (None before any run). Officials and auditors.

    Reads what a run kept instead of scoring every company again (seconds at national scale), so
    a page can show the watchlist's top at once, dated by the run.
    """
    _require(actor, Permission.RISK_READ)
    if top < 1:
        raise BadInput(Text(N_("top must be at least 1")))
    with uow.transaction() as session:
        run = session.scalar(select(RiskRun).order_by(RiskRun.id.desc()).limit(1))
        if run is None:
            return None
        scores = list(
            session.scalars(
                select(RiskScore)
                .where(RiskScore.run_id == run.id)
                .order_by(RiskScore.rank.is_(None), RiskScore.rank, RiskScore.score.desc())
                .limit(top)
            )
        )
        names = companies.views_by_id(uow, [score.company_id for score in scores])
        return RecordedRunView(
            run_id=run.id,
            run_at=run.run_at,
            run_by=run.run_by,
            policy_version=run.policy_version,
            company_count=run.company_count,
            top=[
                RecordedScore(
                    rank=rank,
                    corporate_number=names[score.company_id].corporate_number or "",
                    name=names[score.company_id].name,
                    score=score.score,
                    recommendation=score.recommendation,
                    main_factor=_main_factor(score.contributions),
                )
                for rank, score in enumerate(scores, start=1)
            ],
        )


def _main_factor(contributions: Mapping[str, float]) -> str | None:
    named = [(points, name) for name, points in contributions.items() if points > 0]
    return max(named, key=lambda item: (item[0], item[1]))[1] if named else None


def history(uow: UnitOfWork, actor: Actor, corporate_number: str) -> list[HistoryPoint]:
    """A company's score in every recorded run, oldest first. Officials and auditors."""
    _require(actor, Permission.RISK_READ)
    with uow.transaction() as session:
        company = _company(uow, corporate_number)
        rows = session.execute(
            select(RiskRun, RiskScore)
            .join(RiskScore, RiskScore.run_id == RiskRun.id)
            .where(RiskScore.company_id == company.id)
            .order_by(RiskRun.id)
        )
        return [
            HistoryPoint(
                run_id=run.id,
                run_at=run.run_at,
                policy_version=run.policy_version,
                score=score.score,
                recommendation=score.recommendation,
                contributions=score.contributions,
            )
            for run, score in rows
        ]


def _last_run(session: Session, company_id: int | None = None) -> dict[int, RiskScore]:
    """The scores of the last recorded run, by company (only `company_id`'s if given)."""
    run_id = session.scalar(select(RiskRun.id).order_by(RiskRun.id.desc()).limit(1))
    if run_id is None:
        return {}
    query = select(RiskScore).where(RiskScore.run_id == run_id)
    if company_id is not None:
        query = query.where(RiskScore.company_id == company_id)
    return {score.company_id: score for score in session.scalars(query)}


def _entry(
    rank: int, assessment: Assessment, policy: RiskPolicy, previous: RiskScore | None
) -> WatchlistEntry:
    change = changes_since(
        assessment, previous.contributions if previous else None, previous.score if previous else None
    )
    return WatchlistEntry(
        rank=rank,
        corporate_number=assessment.corporate_number,
        name=assessment.name,
        score=assessment.score,
        factors=[
            FactorView(
                name=f.name, contribution=f.contribution, evidence=f.evidence.render(), text=f.evidence
            )
            for f in assessment.factors
        ],
        recommendation=assessment.recommendation.value,
        critical=assessment.critical,
        policy_version=policy.version,
        previous_score=change.previous_score,
        change=change.score_change(assessment.score),
        factor_changes=change.factors,
    )


def _record_run(
    session: Session,
    uow: UnitOfWork,
    actor: Actor,
    policy: RiskPolicy,
    *,
    order: Sequence[Assessment],
    ids: Mapping[str, int],
) -> None:
    run = RiskRun(
        run_at=uow.clock.now(), run_by=actor.username, policy_version=policy.version, company_count=len(order)
    )
    session.add(run)
    session.flush()
    rows = [
        {
            "run_id": run.id,
            "company_id": ids[item.corporate_number],
            "score": item.score,
            "recommendation": item.recommendation.value,
            "contributions": {factor.name: factor.contribution for factor in item.factors},
            "rank": rank,
        }
        for rank, item in enumerate(order, start=1)
    ]
    if rows:
        session.execute(insert(RiskScore), rows)
    top = [{"corporate_number": item.corporate_number, "score": item.score} for item in order[:10]]
    uow.record_many(
        [
            AuditEvent(
                "risk:watchlist:record",
                "risk_run",
                str(run.id),
                uow.clock.now(),
                actor,
                details={"policy_version": policy.version, "companies": len(order), "top": top},
            )
        ]
    )
