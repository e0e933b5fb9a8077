"""Ownership use cases: the review queue of name matches between imported entities and the
registry, and merging an imported entity into the registry company's entity once an official
confirms they are one company (every interest, event, record and identifier moves over)."""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from shokei.companies import services as companies
from shokei.errors import N_, Conflict, NotFound, Text
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import entities
from shokei.ownership.loaders import PENDING
from shokei.ownership.models import (
    OwnershipAlert,
    OwnershipChange,
    OwnershipEntity,
    OwnershipIdentifier,
    OwnershipInterest,
    OwnershipMatchCandidate,
    OwnershipRecord,
)
from shokei.ownership.presenters import (
    alert_views,
    candidate_views,
)
from shokei.ownership.schemas import (
    MatchCandidateView,
    MatchDecision,
)
from shokei.ownership.services.alerts import (
    Outcome,
    _reevaluate,
)
from shokei.ownership.services.support import _event, _require

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
        return candidate_views(uow, list(session.scalars(query)))


def decide_match(uow: UnitOfWork, actor: Actor, candidate_id: int, *, accept: bool) -> MatchDecision:
    """Accept (the entity is the registry company: link or merge) or reject a name match.

    Accepting makes the entity's holders count for the company, so its alerts are re-evaluated.
    Intake officers, program managers and admins. Audited.
    """
    _require(actor, Permission.OWNERSHIP_WRITE)
    with uow.transaction() as session:
        candidate = session.get(OwnershipMatchCandidate, candidate_id)
        if candidate is None:
            raise NotFound(Text(N_("no match candidate %(candidate_id)s"), {"candidate_id": candidate_id}))
        if candidate.status != PENDING:
            raise Conflict(
                Text(
                    N_("match candidate %(candidate_id)s is already %(status)s"),
                    {"candidate_id": candidate_id, "status": candidate.status},
                )
            )
        before = candidate_views(uow, [candidate])[0]
        outcome = _accept(session, uow, actor, candidate) if accept else Outcome()
        candidate.status = ACCEPTED if accept else REJECTED
        candidate.decided_at, candidate.decided_by = uow.clock.now(), actor.username
        session.flush()
        after = candidate_views(uow, [candidate])[0]
        event = _event(
            uow,
            actor,
            f"ownership:match:{'accept' if accept else 'reject'}",
            ("ownership_match", candidate.id),
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
        uow.record_many([event, *outcome.events])
        return MatchDecision(
            candidate=after,
            alerts_raised=alert_views(uow, outcome.raised),
            alerts_resolved=alert_views(uow, outcome.resolved),
        )


def _accept(session: Session, uow: UnitOfWork, actor: Actor, candidate: OwnershipMatchCandidate) -> Outcome:
    entity = session.get(OwnershipEntity, candidate.entity_id)
    company = companies.views_by_id(uow, [candidate.company_id])[candidate.company_id]
    if entity is None or entity.company_id is not None:
        raise Conflict(Text(N_("the entity is already linked to a registry company")))
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


def merge_into(
    session: Session,
    source: OwnershipEntity,
    target: OwnershipEntity,
    *,
    keep_candidate: OwnershipMatchCandidate,
) -> None:
    """Move everything of `source` to `target` and delete `source`.

    An interest of one in the other would become an interest in itself: it is dropped. Of the
    source's match candidates only `keep_candidate` (the one being accepted) stays, moved over.
    """
    interest, change = OwnershipInterest, OwnershipChange
    session.execute(
        delete(interest).where(
            or_(
                (interest.owner_id == source.id) & (interest.owned_id == target.id),
                (interest.owner_id == target.id) & (interest.owned_id == source.id),
            )
        )
    )
    for held in (interest, change):
        session.execute(update(held).where(held.owner_id == source.id).values(owner_id=target.id))
        session.execute(update(held).where(held.owned_id == source.id).values(owned_id=target.id))
    held_by_target = set(
        session.scalars(
            select(OwnershipIdentifier.identifier).where(OwnershipIdentifier.entity_id == target.id)
        )
    )
    session.execute(
        delete(OwnershipIdentifier).where(
            OwnershipIdentifier.entity_id == source.id, OwnershipIdentifier.identifier.in_(held_by_target)
        )
    )
    for described in (OwnershipIdentifier, OwnershipRecord, OwnershipAlert):
        session.execute(update(described).where(described.entity_id == source.id).values(entity_id=target.id))
    session.execute(
        delete(OwnershipMatchCandidate).where(
            OwnershipMatchCandidate.entity_id == source.id, OwnershipMatchCandidate.id != keep_candidate.id
        )
    )
    keep_candidate.entity_id = target.id
    session.flush()
    session.delete(source)
    session.flush()
