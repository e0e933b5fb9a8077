"""Officials' need-to-know inside the ministry: who is assigned to a case, and what that opens.

Intake officers, examiners and negotiators know of a case only once assigned to it (the intake
officer who opens a case is assigned on opening; a program manager assigns the others). Program
managers and auditors know of every case (its metadata) but read its contents (document
plaintext, the examination and negotiation records) only where assigned, or after recording a
break-glass reason, which the other program managers are told of and which opens the case's
contents to them for `BREAK_GLASS_HOURS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from shokei.cases.domain.states import TransitionName
from shokei.errors import N_
from shokei.kernel import Role
from shokei.kernel.bus import Event

T = TransitionName

# Roles that know of a case only through an assignment.
ASSIGNED_ONLY_ROLES = frozenset({Role.INTAKE_OFFICER, Role.EXAMINER, Role.NEGOTIATOR})
# Roles that know of every case but read its contents only where assigned or after a break-glass.
OVERSIGHT_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.AUDITOR})
ASSIGNABLE_ROLES = ASSIGNED_ONLY_ROLES | OVERSIGHT_ROLES

BREAK_GLASS_HOURS = 24
BREAK_GLASS_WINDOW = timedelta(hours=BREAK_GLASS_HOURS)
MIN_BREAK_GLASS_REASON_CHARS = 4
MAX_BREAK_GLASS_REASON_CHARS = 1000


class CaseRole(StrEnum):
    """What an official is assigned to do on a case (`--role-on-case`); by default their role."""

    INTAKE_OFFICER = "intake_officer"
    EXAMINER = "examiner"
    NEGOTIATOR = "negotiator"
    PROGRAM_MANAGER = "program_manager"
    AUDITOR = "auditor"


class ContentAccess(StrEnum):
    """Why an actor may read a case's contents (or that it may not)."""

    COMPANY = "company"  # a company user, within the companies' need-to-know
    ASSIGNED = "assigned"
    BREAK_GLASS = "break_glass"
    NONE = "none"


class AlertCause(StrEnum):
    """What opened a case's contents to a program manager or auditor without another's say."""

    BREAK_GLASS = "break_glass"
    SELF_ASSIGNMENT = "self_assignment"


@dataclass(frozen=True, slots=True)
class CaseContentsOpened(Event):
    """A program manager or auditor opened a case's contents on their own say: a break-glass
    reason, or a program manager assigning themselves. The other program managers are told
    (published in the transaction that records it)."""

    case_id: int
    actor_id: int
    actor: str
    cause: AlertCause
    reason: str | None


def knows_every_case(role: Role) -> bool:
    """Whether `role` sees every case's metadata without an assignment (company roles aside)."""
    return role in OVERSIGHT_ROLES


def content_access(role: Role, *, assigned: bool, break_glass: bool) -> ContentAccess:
    """Whether (and why) an official or auditor reads a case's contents."""
    if role not in ASSIGNABLE_ROLES:
        return ContentAccess.COMPANY if role in (Role.SUPPLIER, Role.SUCCESSOR) else ContentAccess.NONE
    if assigned:
        return ContentAccess.ASSIGNED
    if break_glass and role in OVERSIGHT_ROLES:
        return ContentAccess.BREAK_GLASS
    return ContentAccess.NONE


def default_case_role(role: Role) -> CaseRole:
    return CaseRole(role.value)


# The fields of the case detail that are its contents: an oversight role without access to the
# contents sees them blank (the examiners' notes, the offers and their notes, and the reasons of
# the moves that carry the examiners' rationale or the price talk).
CONTENT_FIELDS = frozenset({"inventory.examination_note", "offers"})
CONTENT_REASONS = frozenset(
    {
        T.DETERMINE_PROTECTION_REQUIRED,
        T.DETERMINE_NOT_SIGNIFICANT,
        T.RELEASE,
        T.OPEN_NEGOTIATION,
        T.APPROVE_PURCHASE,
        T.CANCEL_PURCHASE,
        T.FAIL_NEGOTIATION,
        T.ESCALATE,
        T.REOPEN_NEGOTIATION,
    }
)

# Refusals, each naming the assignment.
NOT_ASSIGNED = N_(
    "case %(case)s: you are not assigned to this case; a program manager assigns officials to cases"
)
CONTENTS_CLOSED = N_(
    "case %(case)s: you are not assigned to this case, so its contents are closed to you; "
    "ask a program manager to assign you, or record a break-glass reason (the other program "
    "managers are told)"
)
ONLY_MANAGERS_ASSIGN = N_("only a program manager assigns officials to cases; you are %(role)s")
NOT_ASSIGNABLE = N_("%(user)s is %(role)s: only officials and auditors are assigned to cases")
ALREADY_ASSIGNED = N_("%(user)s is already assigned to case %(case)s")
NOT_ON_CASE = N_("%(user)s is not assigned to case %(case)s")
BAD_CASE_ROLE = N_("role on case %(value)s is not one of: %(choices)s")
ONLY_OVERSIGHT_BREAKS_GLASS = N_(
    "only a program manager or an auditor records a break-glass reason; you are %(role)s"
)
BREAK_GLASS_NOT_NEEDED = N_("you are assigned to case %(case)s: its contents are open to you")
BREAK_GLASS_REASON = N_("give a break-glass reason of %(min)s to %(max)s characters")
