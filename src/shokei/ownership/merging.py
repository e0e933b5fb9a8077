"""Merging an imported entity into the registry company's entity once an official confirms they
are one company: every interest, event, record and identifier moves over."""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from shokei.ownership.models import (
    OwnershipAlert,
    OwnershipChange,
    OwnershipEntity,
    OwnershipIdentifier,
    OwnershipInterest,
    OwnershipMatchCandidate,
    OwnershipRecord,
)


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
