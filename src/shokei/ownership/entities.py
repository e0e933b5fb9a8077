"""Finding an entity from what a user types, and creating the entity of a registry company.

A reference is, in the order tried: a corporate number (13 digits, any accepted spelling), a
`SCHEME-ID` identifier as BODS writes it (`FI-PRO-3007894-1`), or a recordId (the BODS record
the entity was imported from, or the key Shokei gave it).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shokei.companies import services as companies
from shokei.companies.domain import CorporateNumber
from shokei.companies.schemas import CompanyView
from shokei.errors import N_, BadInput, NotFound, Text
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership.bods import JAPAN_CORPORATE_NUMBER_SCHEME, format_identifier, parse_identifier
from shokei.ownership.domain import JAPAN, EntityKind
from shokei.ownership.models import OwnershipEntity, OwnershipIdentifier, OwnershipRecord
from shokei.ownership.names import normalize_company_name


def new_key() -> str:
    """A recordId for an entity entered in Shokei (BODS recordIds are opaque strings)."""
    return f"shokei-{uuid.uuid4().hex[:12]}"


def corporate_number_in(reference: str) -> str | None:
    """The corporate number `reference` spells, or None if it is not one."""
    try:
        return CorporateNumber.parse(reference).value
    except BadInput:
        return None


def registry_company(uow: UnitOfWork, corporate_number: str) -> CompanyView | None:
    """The registry company with this corporate number, if registered."""
    return companies.views_by_number(uow, [corporate_number]).get(corporate_number)


def entity_of_company(session: Session, company_id: int) -> OwnershipEntity | None:
    """The entity linked to a registry company."""
    return session.scalars(
        select(OwnershipEntity).where(OwnershipEntity.company_id == company_id)
    ).one_or_none()


def by_identifier(session: Session, identifier: str) -> OwnershipEntity | None:
    """The entity holding a `SCHEME-ID` identifier."""
    row = session.get(OwnershipIdentifier, identifier)
    return None if row is None else session.get(OwnershipEntity, row.entity_id)


def by_record(session: Session, record_id: str) -> OwnershipEntity | None:
    """The entity a BODS record describes, or whose key the recordId is."""
    record = session.get(OwnershipRecord, record_id)
    if record is not None and record.entity_id is not None:
        return session.get(OwnershipEntity, record.entity_id)
    return session.scalars(select(OwnershipEntity).where(OwnershipEntity.key == record_id)).one_or_none()


def find_entity(uow: UnitOfWork, reference: str) -> OwnershipEntity | None:
    """The entity `reference` names, or None (see the module docstring for the forms), read in
    the caller's transaction."""
    session = uow.session
    text = reference.strip()
    number = _corporate_number_named(text)
    found = _by_corporate_number(uow, number) if number else None
    return found or by_identifier(session, text) or by_record(session, text)


def _by_corporate_number(uow: UnitOfWork, number: str) -> OwnershipEntity | None:
    session = uow.session
    company = companies.record_by_number(uow, number)
    linked = entity_of_company(session, company.id) if company is not None else None
    return linked or by_identifier(session, format_identifier(JAPAN_CORPORATE_NUMBER_SCHEME, number))


def entity_for_write(uow: UnitOfWork, reference: str, now: datetime) -> OwnershipEntity:
    """The entity `reference` names, creating the entity of a registry company on first use.

    An entity found by a corporate number that belongs to a registry company is linked to it.
    Raises NotFound for anything else unknown.
    """
    session = uow.session
    entity = find_entity(uow, reference)
    number = _corporate_number_named(reference.strip())
    company = registry_company(uow, number) if number else None
    if company is not None and (entity is None or entity.company_id is None):
        return link_company(session, entity, company, now)
    if entity is None:
        raise NotFound(
            Text(
                N_(
                    "no entity %(reference)s: register the company, import it, or add it "
                    "with `shokei ownership add-entity`"
                ),
                {"reference": repr(reference)},
            )
        )
    return entity


def _corporate_number_named(text: str) -> str | None:
    """The corporate number in a plain number or a `JP-JCN-` identifier."""
    number = corporate_number_in(text)
    if number is not None:
        return number
    try:
        scheme, identifier = parse_identifier(text)
    except ValueError:
        return None
    return corporate_number_in(identifier) if scheme == JAPAN_CORPORATE_NUMBER_SCHEME else None


def link_company(
    session: Session, entity: OwnershipEntity | None, company: CompanyView, now: datetime
) -> OwnershipEntity:
    """Make `entity` (or a new entity) the registry company's: its name, kind, country and number."""
    japanese = company.corporate_number is not None
    if entity is None:
        entity = OwnershipEntity(key=new_key(), created_at=now)
        session.add(entity)
    # The registry describes its companies; an imported spelling of the name stays in its record.
    entity.name, entity.normalized_name = company.name, normalize_company_name(company.name)
    entity.company_id = company.id
    entity.kind = (EntityKind.REGISTERED_COMPANY if japanese else EntityKind.FOREIGN_COMPANY).value
    entity.country = JAPAN if japanese else company.country
    session.flush()
    if company.corporate_number:
        add_identifiers(
            session, entity, [format_identifier(JAPAN_CORPORATE_NUMBER_SCHEME, company.corporate_number)]
        )
    return entity


def add_identifiers(session: Session, entity: OwnershipEntity, identifiers: list[str]) -> list[str]:
    """Give `entity` the identifiers it lacks; returns those already held by another entity."""
    taken = []
    held = session.scalars(
        select(OwnershipIdentifier).where(OwnershipIdentifier.entity_id == entity.id)
    ).all()
    position = max((row.position for row in held), default=-1) + 1
    for identifier in identifiers:
        existing = session.get(OwnershipIdentifier, identifier)
        if existing is None:
            session.add(OwnershipIdentifier(identifier=identifier, entity_id=entity.id, position=position))
            position += 1
        elif existing.entity_id != entity.id:
            taken.append(identifier)
    session.flush()
    return taken
