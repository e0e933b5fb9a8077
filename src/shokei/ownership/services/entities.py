"""Ownership use cases: entities entered by hand, and reading one."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from shokei.companies.schemas import CompanyView
from shokei.errors import N_, BadInput, Conflict, NotFound, Text
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.ownership import entities
from shokei.ownership.bods import (
    parse_identifier,
)
from shokei.ownership.domain import (
    EntityKind,
)
from shokei.ownership.models import (
    OwnershipEntity,
)
from shokei.ownership.names import normalize_company_name
from shokei.ownership.presenters import (
    entity_view,
)
from shokei.ownership.registry import RegistryIndex
from shokei.ownership.schemas import (
    EntityView,
)
from shokei.ownership.services.support import _event, _registry, _require


def add_entity(
    uow: UnitOfWork,
    actor: Actor,
    *,
    kind: str,
    name: str,
    country: str | None = None,
    identifiers: Sequence[str] = (),
    company: str | None = None,
) -> EntityView:
    """Enter a holder Shokei does not know yet: a foreign company, a person, a state...

    `company` links a registry company (corporate number, or foreign id `CC-ID` as the registry
    shows it). Intake officers, program managers and admins.
    """
    _require(actor, Permission.OWNERSHIP_WRITE)
    entity_kind = _kind(kind)
    linked = _registry_company(_registry(uow, actor), company) if company else None
    with uow.transaction() as session:
        entity = _new_entity(session, uow, entity_kind, name=name, country=country, identifiers=identifiers)
        if linked is not None:
            if entities.entity_of_company(session, linked.id) is not None:
                raise Conflict(
                    Text(N_("%(linked)s already has an ownership entity"), {"linked": linked.name})
                )
            entities.link_company(session, entity, linked, uow.clock.now())
        view = entity_view(uow, entity)
        uow.record_many(
            [
                _event(
                    uow,
                    actor,
                    "ownership:entity:create",
                    ("ownership_entity", entity.id),
                    after=view.model_dump(mode="json"),
                )
            ]
        )
        return view


def get_entity(uow: UnitOfWork, actor: Actor, reference: str) -> EntityView:
    """One entity with its identifiers and records. Officials and auditors."""
    _require(actor, Permission.OWNERSHIP_READ)
    with uow:
        entity = entities.find_entity(uow, reference)
        if entity is None:
            raise NotFound(Text(N_("no entity %(reference)s"), {"reference": repr(reference)}))
        return entity_view(uow, entity)


def _kind(text: str) -> EntityKind:
    try:
        return EntityKind(text)
    except ValueError:
        raise BadInput(
            Text(
                N_("kind %(text)s is not one of: %(entitykind)s"),
                {"text": repr(text), "entitykind": ", ".join(EntityKind)},
            )
        ) from None


def _registry_company(registry: RegistryIndex, reference: str) -> CompanyView:
    number = entities.corporate_number_in(reference)
    found = (
        registry.by_number.get(number) if number else registry.by_foreign_id.get(reference.strip().upper())
    )
    if found is None:
        raise NotFound(Text(N_("no registry company %(reference)s"), {"reference": repr(reference)}))
    return found


def _new_entity(
    session: Session,
    uow: UnitOfWork,
    kind: EntityKind,
    *,
    name: str,
    country: str | None,
    identifiers: Sequence[str],
) -> OwnershipEntity:
    if not name.strip():
        raise BadInput(Text(N_("an entity needs a name")))
    code = country.strip().upper() if country else None
    if code is not None and (len(code) != 2 or not code.isalpha()):
        raise BadInput(
            Text(
                N_("country %(country)s must be an ISO 3166-1 alpha-2 code such as CN"),
                {"country": repr(country)},
            )
        )
    entity = OwnershipEntity(
        key=entities.new_key(),
        kind=kind.value,
        name=name.strip(),
        normalized_name=normalize_company_name(name),
        country=code,
        created_at=uow.clock.now(),
    )
    session.add(entity)
    session.flush()
    taken = entities.add_identifiers(session, entity, [_identifier(text) for text in identifiers])
    if taken:
        raise Conflict(
            Text(N_("identifier(s) %(taken)s already belong to another entity"), {"taken": ", ".join(taken)})
        )
    return entity


def _identifier(text: str) -> str:
    try:
        parse_identifier(text.strip())
    except ValueError as error:
        raise BadInput(str(error)) from None
    return text.strip()
