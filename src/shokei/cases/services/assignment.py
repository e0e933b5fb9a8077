"""Officials' assignment to cases and the break-glass: who reads a case's contents
(`cases.domain.assignment` holds the rule; this module reads and records the facts)."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from shokei.accounts import services as accounts
from shokei.cases.domain.assignment import (
    ALREADY_ASSIGNED,
    ASSIGNABLE_ROLES,
    BAD_CASE_ROLE,
    BREAK_GLASS_NOT_NEEDED,
    BREAK_GLASS_REASON,
    BREAK_GLASS_WINDOW,
    CONTENTS_CLOSED,
    MAX_BREAK_GLASS_REASON_CHARS,
    MIN_BREAK_GLASS_REASON_CHARS,
    NOT_ASSIGNABLE,
    NOT_ON_CASE,
    ONLY_MANAGERS_ASSIGN,
    ONLY_OVERSIGHT_BREAKS_GLASS,
    OVERSIGHT_ROLES,
    AlertCause,
    CaseContentsOpened,
    CaseRole,
    ContentAccess,
    content_access,
    default_case_role,
)
from shokei.cases.models import CaseAssignment, CaseBreakGlass, ExitCase
from shokei.cases.schemas import AssignmentView
from shokei.cases.services.access import load_case, visible_case_ids
from shokei.errors import N_, BadInput, Conflict, Forbidden, NotFound, Text
from shokei.kernel import Actor, Permission, Role, role_name
from shokei.kernel.unit_of_work import UnitOfWork


def _require_manager(actor: Actor) -> None:
    if actor.role is not Role.PROGRAM_MANAGER:
        raise Forbidden(Text(ONLY_MANAGERS_ASSIGN, {"role": role_name(actor.role)}))


def _parse_case_role(value: str | None, official: Actor) -> CaseRole:
    if value is None:
        return default_case_role(official.role)
    try:
        return CaseRole(value)
    except ValueError:
        raise BadInput(Text(BAD_CASE_ROLE, {"value": value, "choices": ", ".join(CaseRole)})) from None


def _official(uow: UnitOfWork, username: str) -> Actor:
    official = accounts.user_by_username(uow, username)
    if official is None:
        raise NotFound(Text(N_("no user %(username)s"), {"username": repr(username)}))
    if official.role not in ASSIGNABLE_ROLES:
        raise BadInput(Text(NOT_ASSIGNABLE, {"user": username, "role": role_name(official.role)}))
    return official


def _row(uow: UnitOfWork, case_id: int, user_id: int) -> CaseAssignment | None:
    return uow.session.execute(
        select(CaseAssignment).where(CaseAssignment.case_id == case_id, CaseAssignment.user_id == user_id)
    ).scalar_one_or_none()


def assign_official(
    uow: UnitOfWork, actor: Actor, case_id: int, username: str, *, role_on_case: str | None = None
) -> list[AssignmentView]:
    """Assign an official or auditor to a case (`role_on_case`: by default their role). Program
    managers only; a program manager assigning themselves is told to the other program managers,
    as a break-glass is. Returns the case's assignments."""
    _require_manager(actor)
    with uow:
        official = _official(uow, username)
        case = load_case(uow, actor, case_id)
        if _row(uow, case.id, official.user_id) is not None:
            raise Conflict(Text(ALREADY_ASSIGNED, {"user": username, "case": case.id}))
        kind = _parse_case_role(role_on_case, official)
        _add(uow, actor, case, official, kind)
        if official.user_id == actor.user_id:
            uow.publish(
                CaseContentsOpened(case.id, actor.user_id, actor.username, AlertCause.SELF_ASSIGNMENT, None)
            )
        return assignments_of(uow, actor, case.id)


def assign_on_opening(uow: UnitOfWork, actor: Actor, case: ExitCase) -> None:
    """The intake officer who opens a case is assigned to it (in the opening's transaction)."""
    if actor.role is Role.INTAKE_OFFICER:
        _add(uow, actor, case, actor, CaseRole.INTAKE_OFFICER)


def _add(uow: UnitOfWork, actor: Actor, case: ExitCase, official: Actor, kind: CaseRole) -> None:
    row = CaseAssignment(
        case_id=case.id,
        user_id=official.user_id,
        role_on_case=kind.value,
        assigned_by_id=actor.user_id,
        assigned_at=uow.clock.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    details = {"user": official.username, "role": official.role.value, "role_on_case": kind.value}
    uow.record("case:assignment:assign", "case", case.id, actor, after=details)


def unassign_official(uow: UnitOfWork, actor: Actor, case_id: int, username: str) -> list[AssignmentView]:
    """Take an official off a case: they no longer see it (an intake officer, examiner or
    negotiator) or read its contents (a program manager or auditor). Program managers only."""
    _require_manager(actor)
    with uow:
        official = accounts.user_by_username(uow, username)
        if official is None:
            raise NotFound(Text(N_("no user %(username)s"), {"username": repr(username)}))
        case = load_case(uow, actor, case_id)
        row = _row(uow, case.id, official.user_id)
        if row is None:
            raise NotFound(Text(NOT_ON_CASE, {"user": username, "case": case.id}))
        before = {"user": official.username, "role": official.role.value, "role_on_case": row.role_on_case}
        uow.session.delete(row)
        uow.session.flush()
        uow.record("case:assignment:unassign", "case", case.id, actor, before=before)
        return assignments_of(uow, actor, case.id)


def assignments_of(uow: UnitOfWork, actor: Actor, case_id: int) -> list[AssignmentView]:
    """Who is assigned to a case, in the order assigned; for officials and auditors who may
    know of the case."""
    with uow:
        case = load_case(uow, actor, case_id)
        if actor.is_company_bound:
            raise Forbidden(Text(ONLY_MANAGERS_ASSIGN, {"role": role_name(actor.role)}))
        return _views(uow, case.id)


def _views(uow: UnitOfWork, case_id: int) -> list[AssignmentView]:
    rows = list(
        uow.session.execute(
            select(CaseAssignment).where(CaseAssignment.case_id == case_id).order_by(CaseAssignment.id)
        ).scalars()
    )
    names = accounts.usernames(uow, {r.user_id for r in rows} | {r.assigned_by_id for r in rows})
    return [
        AssignmentView(
            user=names[r.user_id],
            role_on_case=r.role_on_case,
            assigned_by=names[r.assigned_by_id],
            assigned_at=r.assigned_at,
        )
        for r in rows
    ]


def assigned_names(uow: UnitOfWork, case_id: int) -> list[str]:
    """The usernames assigned to a case (for the case detail an official sees)."""
    with uow:
        return [view.user for view in _views(uow, case_id)]


# -- reading a case's contents ----------------------------------------------------------------


def _break_glass_open(uow: UnitOfWork, actor: Actor, case_id: int) -> bool:
    since = uow.clock.now() - BREAK_GLASS_WINDOW
    found = uow.session.execute(
        select(CaseBreakGlass.id)
        .where(CaseBreakGlass.case_id == case_id, CaseBreakGlass.user_id == actor.user_id)
        .where(CaseBreakGlass.at >= since)
        .limit(1)
    ).first()
    return found is not None


def content_access_of(uow: UnitOfWork, actor: Actor, case_id: int) -> ContentAccess:
    """Whether (and why) `actor` reads the contents of a case it may know of."""
    with uow:
        if actor.is_company_bound:
            return content_access(actor.role, assigned=False, break_glass=False)
        assigned = _row(uow, case_id, actor.user_id) is not None
        glass = not assigned and actor.role in OVERSIGHT_ROLES and _break_glass_open(uow, actor, case_id)
        return content_access(actor.role, assigned=assigned, break_glass=glass)


def require_contents(uow: UnitOfWork, actor: Actor, case_id: int) -> ContentAccess:
    """Refuse an official or auditor who may not read the contents of the case (document
    plaintext, the examination and negotiation records): one neither assigned nor, for a
    program manager or auditor, within a recorded break-glass. Company users pass (their own
    need-to-know is the case's and the documents' business)."""
    with uow:
        load_case(uow, actor, case_id)
        access = content_access_of(uow, actor, case_id)
        if access is ContentAccess.NONE:
            raise Forbidden(Text(CONTENTS_CLOSED, {"case": case_id}))
        return access


def content_case_ids(uow: UnitOfWork, actor: Actor) -> Select[int]:
    """The cases whose contents `actor` reads (for row filters over contents, as search is)."""
    if actor.role not in OVERSIGHT_ROLES:
        return visible_case_ids(actor)
    since = uow.clock.now() - BREAK_GLASS_WINDOW
    glass = select(CaseBreakGlass.case_id).where(
        CaseBreakGlass.user_id == actor.user_id, CaseBreakGlass.at >= since
    )
    assigned = select(CaseAssignment.case_id).where(CaseAssignment.user_id == actor.user_id)
    return select(ExitCase.id).where(or_(ExitCase.id.in_(assigned), ExitCase.id.in_(glass)))


def break_glass(uow: UnitOfWork, actor: Actor, case_id: int, reason: str) -> ContentAccess:
    """Open the contents of a case one is not assigned to, for `BREAK_GLASS_HOURS`, on a
    recorded reason. Program managers and auditors; the other program managers are told."""
    if actor.role not in OVERSIGHT_ROLES:
        raise Forbidden(Text(ONLY_OVERSIGHT_BREAKS_GLASS, {"role": role_name(actor.role)}))
    cleaned = " ".join((reason or "").split())
    if not MIN_BREAK_GLASS_REASON_CHARS <= len(cleaned) <= MAX_BREAK_GLASS_REASON_CHARS:
        limits = {"min": MIN_BREAK_GLASS_REASON_CHARS, "max": MAX_BREAK_GLASS_REASON_CHARS}
        raise BadInput(Text(BREAK_GLASS_REASON, limits))
    with uow:
        case = load_case(uow, actor, case_id)
        if _row(uow, case.id, actor.user_id) is not None:
            raise Conflict(Text(BREAK_GLASS_NOT_NEEDED, {"case": case.id}))
        now = uow.clock.now()
        uow.session.add(CaseBreakGlass(case_id=case.id, user_id=actor.user_id, reason=cleaned, at=now))
        uow.session.flush()
        until = (now + BREAK_GLASS_WINDOW).isoformat()
        uow.record(
            "case:access:break_glass", "case", case.id, actor, details={"reason": cleaned, "until": until}
        )
        uow.publish(
            CaseContentsOpened(case.id, actor.user_id, actor.username, AlertCause.BREAK_GLASS, cleaned)
        )
        return ContentAccess.BREAK_GLASS


def readable_case_ids(uow: UnitOfWork, actor: Actor, case_ids: frozenset[int]) -> frozenset[int]:
    """Which of `case_ids` `actor` reads the contents of (assigned, or within a break-glass; a
    company user: its own cases), for the features that show a case's contents outside the case
    (the ledger's entries). None for a role that reads no case."""
    if not case_ids or not actor.can(Permission.CASE_READ):
        return frozenset()
    with uow:
        readable = content_case_ids(uow, actor)
        found = uow.session.execute(
            select(ExitCase.id).where(ExitCase.id.in_(readable), ExitCase.id.in_(sorted(case_ids)))
        ).scalars()
        return frozenset(found)


def assigned_user_ids(uow: UnitOfWork, case_id: int) -> frozenset[int]:
    """The ids of the users assigned to a case, for the features that address its officials on
    its behalf (a duty's notice), not for a user's read."""
    with uow:
        rows = uow.session.execute(select(CaseAssignment.user_id).where(CaseAssignment.case_id == case_id))
        return frozenset(rows.scalars())
