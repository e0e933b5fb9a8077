"""Conflict-of-interest use cases: declare a link, and refuse a linked official.

Every feature that lets an official act on a company's case (examination, negotiation,
approval, successor selection, ...) asks `refuse_if_conflicted` first.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shokei.accounts import services as accounts
from shokei.companies import services as companies
from shokei.errors import N_, BadInput, Conflict, Forbidden, NotFound, Text
from shokei.interests.domain import OFFICIAL_ROLES, Relationship, refuse_conflict
from shokei.interests.models import DeclaredInterest
from shokei.interests.schemas import InterestView
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork


def declare_interest(
    uow: UnitOfWork,
    actor: Actor,
    *,
    company: str,
    relationship: str,
    note: str | None = None,
    user: str | None = None,
) -> InterestView:
    """Declare an official's link to a company; from then on they take no part in its cases.

    Officials declare their own; a program manager may record another official's.
    """
    if not actor.is_official:
        raise Forbidden(Text(N_("only officials declare interests in companies")))
    kind = _parse_relationship(relationship)
    with uow:
        official = _official(uow, actor, user)
        company_id = companies.company_id_for(uow, company)
        row = DeclaredInterest(
            user_id=official.user_id,
            company_id=company_id,
            kind=kind.value,
            note=note,
            declared_by_id=actor.user_id,
            declared_at=uow.clock.now(),
        )
        already = N_("%(username)s already declared %(kind)s with %(company)s")
        _insert_once(
            uow, row, Text(already, {"username": official.username, "kind": kind, "company": company})
        )
        details = {"company_id": company_id, "relationship": kind.value, "note": note}
        # The tag keeps its first namespace: entries already in the ledger carry it.
        uow.record("examination:interest:declare", "user", official.user_id, actor, details=details)
        return _view(uow, row)


def refuse_if_conflicted(uow: UnitOfWork, actor: Actor, company_id: int, doing: str) -> None:
    """Refuse an official linked to the company (declared, or bound to it), in any transaction."""
    with uow:
        kinds = uow.session.execute(
            select(DeclaredInterest.kind).where(
                DeclaredInterest.user_id == actor.user_id, DeclaredInterest.company_id == company_id
            )
        ).scalars()
        declared = [Relationship(kind) for kind in kinds]
        if actor.company_id == company_id:
            declared.append(Relationship.EMPLOYED)
        if declared:
            name = companies.views_by_id(uow, [company_id])[company_id].name
            refuse_conflict(name, declared, doing)


def _parse_relationship(value: str) -> Relationship:
    try:
        return Relationship(value)
    except ValueError:
        raise BadInput(
            Text(
                N_("relationship %(value)s is not one of: %(relationship)s"),
                {"value": repr(value), "relationship": ", ".join(Relationship)},
            )
        ) from None


def _official(uow: UnitOfWork, actor: Actor, username: str | None) -> Actor:
    if username is not None and username != actor.username and actor.role is not Role.PROGRAM_MANAGER:
        raise Forbidden(Text(N_("only a program manager may record another official's interest")))
    found = accounts.user_by_username(uow, username or actor.username)
    if found is None:
        raise NotFound(Text(N_("no user %(username)s"), {"username": username}))
    if found.role not in OFFICIAL_ROLES:
        raise BadInput(Text(N_("%(username)s is not an official"), {"username": found.username}))
    return found


def _insert_once(uow: UnitOfWork, row: DeclaredInterest, duplicate: Text) -> None:
    try:
        with uow.session.begin_nested():
            uow.session.add(row)
    except IntegrityError:
        raise Conflict(duplicate) from None


def _view(uow: UnitOfWork, row: DeclaredInterest) -> InterestView:
    company = companies.views_by_id(uow, [row.company_id])[row.company_id]
    names = accounts.usernames(uow, {row.user_id, row.declared_by_id})
    return InterestView(
        id=row.id,
        user=names[row.user_id],
        company=f"{company.name} ({company.corporate_number})" if company.corporate_number else company.name,
        relationship=row.kind,
        note=row.note,
        declared_by=names[row.declared_by_id],
        declared_at=row.declared_at,
    )
