"""Ownership use cases: the review queue of name matches between imported entities and the registry."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.audit import services as audit
from shokei.companies import services as companies
from shokei.errors import Conflict, NotFound
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import entities
from shokei.ownership.alerting import (
    Outcome,
)
from shokei.ownership.importing import PENDING
from shokei.ownership.merging import merge_into
from shokei.ownership.models import (
    OwnershipEntity,
    OwnershipMatchCandidate,
)
from shokei.ownership.schemas import (
    MatchCandidateView,
    MatchDecision,
)
from shokei.ownership.service_support import _event, _reevaluate, _require
from shokei.ownership.views import (
    alert_views,
    candidate_views,
)

ACCEPTED, REJECTED = "accepted", "rejected"


def list_match_candidates(
    uow: UnitOfWork, actor: Actor, *, status: str | None = PENDING
) -> list[MatchCandidateView]:
    """Imported entities that may be registry companies, best score first. Officials, auditors."""
    _require(actor, Permission.OWNERSHIP_READ)
    with uow.transaction() as session:
        query = select(OwnershipMatchCandidate).order_by(
            OwnershipMatchCandidate.score.desc(), OwnershipMatchCandidate.id
        )
        if status:
            query = query.where(OwnershipMatchCandidate.status == status)
        return candidate_views(session, list(session.scalars(query)))


def decide_match(uow: UnitOfWork, actor: Actor, candidate_id: int, *, accept: bool) -> MatchDecision:
    """Accept (the entity is the registry company: link or merge) or reject a name match.

    Accepting makes the entity's holders count for the company, so its alerts are re-evaluated.
    Intake officers, program managers and admins. Audited.
    """
    _require(actor, Permission.OWNERSHIP_WRITE)
    with uow.transaction() as session:
        candidate = session.get(OwnershipMatchCandidate, candidate_id)
        if candidate is None:
            raise NotFound(f"no match candidate {candidate_id}")
        if candidate.status != PENDING:
            raise Conflict(f"match candidate {candidate_id} is already {candidate.status}")
        before = candidate_views(session, [candidate])[0]
        outcome = _accept(session, uow, actor, candidate) if accept else Outcome()
        candidate.status = ACCEPTED if accept else REJECTED
        candidate.decided_at, candidate.decided_by = uow.clock.now(), actor.username
        session.flush()
        after = candidate_views(session, [candidate])[0]
        event = _event(
            uow,
            actor,
            f"ownership:match:{'accept' if accept else 'reject'}",
            ("ownership_match", candidate.id),
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
        audit.record_many(session, [event, *outcome.events])
        return MatchDecision(
            candidate=after,
            alerts_raised=alert_views(session, outcome.raised),
            alerts_resolved=alert_views(session, outcome.resolved),
        )


def _accept(session: Session, uow: UnitOfWork, actor: Actor, candidate: OwnershipMatchCandidate) -> Outcome:
    entity = session.get(OwnershipEntity, candidate.entity_id)
    company = companies.views_by_id(session, [candidate.company_id])[candidate.company_id]
    if entity is None or entity.company_id is not None:
        raise Conflict("the entity is already linked to a registry company")
    existing = entities.entity_of_company(session, company.id)
    if existing is not None:
        merge_into(session, entity, existing, keep_candidate=candidate)
        target = existing
    else:
        target = entities.link_company(session, entity, company, uow.clock.now())
    for other in session.scalars(
        select(OwnershipMatchCandidate).where(
            OwnershipMatchCandidate.entity_id == target.id,
            OwnershipMatchCandidate.status == PENDING,
            OwnershipMatchCandidate.id != candidate.id,
        )
    ):
        other.status = REJECTED  # one entity is one company
    session.flush()
    return _reevaluate(session, uow, actor, {target.id}, f"match {candidate.id} accepted")
