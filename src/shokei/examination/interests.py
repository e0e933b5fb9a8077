"""Conflicts of interest: officials declare their links to companies, and every feature refuses
a linked official (declared, or employed by the company) through `refuse_if_conflicted`.
Split from `services` because it is asked by other features too (purchase refuses conflicted
negotiators and approvers) and has rules of its own (who may record another official's link).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shokei.accounts.models import User
from shokei.audit import services as audit
from shokei.companies import services as companies
from shokei.errors import BadInput, Conflict, Forbidden, NotFound
from shokei.examination import views
from shokei.examination.domain import Relationship, refuse_conflict
from shokei.examination.models import DeclaredInterest
from shokei.examination.schemas import InterestView
from shokei.kernel import Actor, AuditEvent, Role
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
        raise Forbidden("only officials declare interests in companies")
    kind = _parse_relationship(relationship)
    with uow.transaction() as session:
        official = _official(session, actor, user)
        company_id = companies.company_id_for(session, company)
        row = DeclaredInterest(
            user_id=official.id,
            company_id=company_id,
            kind=kind.value,
            note=note,
            declared_by_id=actor.user_id,
            declared_at=uow.clock.now(),
        )
        _insert_once(session, row, f"{official.username} already declared {kind} with {company}")
        details = {"company_id": company_id, "relationship": kind.value, "note": note}
        event = AuditEvent(
            "examination:interest:declare", "user", str(official.id), row.declared_at, actor, details=details
        )
        audit.record(session, event)
        return views.interest_view(session, row)


def refuse_if_conflicted(session: Session, actor: Actor, company_id: int, doing: str) -> None:
    """For any feature: refuse an official linked to the company (declared, or bound to it)."""
    kinds = session.execute(
        select(DeclaredInterest.kind).where(
            DeclaredInterest.user_id == actor.user_id, DeclaredInterest.company_id == company_id
        )
    ).scalars()
    declared = [Relationship(kind) for kind in kinds]
    if actor.company_id == company_id:
        declared.append(Relationship.EMPLOYED)
    if declared:
        name = companies.views_by_id(session, [company_id])[company_id].name
        refuse_conflict(name, declared, doing)


def _parse_relationship(value: str) -> Relationship:
    try:
        return Relationship(value)
    except ValueError:
        raise BadInput(f"relationship {value!r} is not one of: {', '.join(Relationship)}") from None


def _official(session: Session, actor: Actor, username: str | None) -> User:
    if username is not None and username != actor.username and actor.role is not Role.PROGRAM_MANAGER:
        raise Forbidden("only a program manager may record another official's interest")
    found = session.execute(
        select(User).where(User.username == (username or actor.username))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no user {username}")
    if Role(found.role) not in {Role.INTAKE_OFFICER, Role.EXAMINER, Role.NEGOTIATOR, Role.PROGRAM_MANAGER}:
        raise BadInput(f"{found.username} is not an official")
    return found


def _insert_once(session: Session, row: object, duplicate: str) -> None:
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict(duplicate) from None
