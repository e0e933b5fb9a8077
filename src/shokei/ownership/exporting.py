"""The stored ownership data as one BODS document, ready for `bods.export_bods`.

Records imported from BODS keep their recordIds and published statements (export reuses them
while they still say the same). Interests entered in Shokei are grouped into one relationship
per holder and held pair.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.ownership.bods import BodsDocument, Relationship
from shokei.ownership.domain import EntityKind, Party
from shokei.ownership.models import OwnershipEntity, OwnershipIdentifier, OwnershipInterest, OwnershipRecord
from shokei.ownership.store import interest_of


def stored_document(session: Session) -> BodsDocument:
    """Every entity, interest and published statement, as a BODS document."""
    keys, parties = _parties(session)
    # Statements keep the order they were published in: by import, then place in the package.
    published = {
        record.record_id: record.statement
        for record in session.scalars(
            select(OwnershipRecord).order_by(OwnershipRecord.import_id, OwnershipRecord.position)
        )
    }
    relationships = _relationships(session, keys, published)
    return BodsDocument(parties=parties, relationships=relationships, published=published)


def _parties(session: Session) -> tuple[dict[int, str], dict[str, Party]]:
    identifiers: dict[int, list[str]] = {}
    for row in session.scalars(
        select(OwnershipIdentifier).order_by(OwnershipIdentifier.entity_id, OwnershipIdentifier.position)
    ):
        identifiers.setdefault(row.entity_id, []).append(row.identifier)
    keys: dict[int, str] = {}
    parties: dict[str, Party] = {}
    for entity in session.scalars(select(OwnershipEntity).order_by(OwnershipEntity.id)):
        keys[entity.id] = entity.key
        parties[entity.key] = Party(
            entity.key,
            EntityKind(entity.kind),
            entity.name,
            entity.country,
            tuple(identifiers.get(entity.id, ())),
        )
    return keys, parties


def _relationships(
    session: Session, keys: Mapping[int, str], published: Mapping[str, Any]
) -> dict[str, Relationship]:
    grouped: dict[str, list[OwnershipInterest]] = {}
    for row in session.scalars(
        select(OwnershipInterest).order_by(
            OwnershipInterest.record_id, OwnershipInterest.position, OwnershipInterest.id
        )
    ):
        record_id = row.record_id or _pair_record_id(keys[row.owner_id], keys[row.owned_id])
        grouped.setdefault(record_id, []).append(row)
    relationships: dict[str, Relationship] = {}
    for record_id, rows in grouped.items():
        owner, owned = keys[rows[0].owner_id], keys[rows[0].owned_id]
        details = published.get(record_id, {}).get("recordDetails", {})
        relationships[record_id] = Relationship(
            record_id=record_id,
            subject=owned,
            interested_party=owner,
            interests=tuple(interest_of(row, owner, owned) for row in rows),
            is_component=bool(details.get("isComponent", False)),
            component_records=tuple(str(item) for item in details.get("componentRecords", [])),
        )
    for record_id, statement in published.items():  # relationships published without interests
        if statement.get("recordType") == "relationship" and record_id not in relationships:
            details = statement["recordDetails"]
            if details.get("subject") in keys.values() and details.get("interestedParty") in keys.values():
                relationships[record_id] = Relationship(
                    record_id,
                    details["subject"],
                    details["interestedParty"],
                    (),
                    bool(details.get("isComponent", False)),
                    tuple(str(item) for item in details.get("componentRecords", [])),
                )
    return relationships


def _pair_record_id(owner: str, owned: str) -> str:
    """A stable recordId for the relationship of a holder and a held entity entered in Shokei."""
    return "shokei-" + hashlib.sha256(f"{owner}\x1f{owned}".encode()).hexdigest()[:12]
