"""What the examination use cases share: the role and case-state guards, the check that refuses
a conflicted examiner or one who negotiated the case.
Its own module so that scoring (`scoring`) and determination (`services`) apply exactly the same
guards without importing each other.
"""

from __future__ import annotations

from shokei.cases import services as cases
from shokei.cases.domain import CaseRef, CaseState, Duty
from shokei.errors import N_, Conflict, Forbidden, Text
from shokei.interests import services as interests
from shokei.kernel import Actor, Role, role_name
from shokei.kernel.unit_of_work import UnitOfWork


def require_examiner(actor: Actor) -> None:
    if actor.role is not Role.EXAMINER:
        raise Forbidden(
            Text(
                N_("only an examiner may examine documents and determine cases; you are %(role)s"),
                {"role": role_name(actor.role)},
            )
        )


def require_reader(actor: Actor) -> None:
    if not (actor.is_official or actor.role is Role.AUDITOR):
        raise Forbidden(Text(N_("%(role)s may not read examinations"), {"role": role_name(actor.role)}))


def require_under_examination(case: CaseRef) -> None:
    if case.state is not CaseState.UNDER_EXAMINATION:
        raise Conflict(
            Text(
                N_("case %(id)s is '%(state)s'; this is done while it is under examination"),
                {"id": case.id, "state": case.state},
            )
        )


def refuse_conflicted_examiner(uow: UnitOfWork, actor: Actor, case: CaseRef) -> None:
    interests.refuse_if_conflicted(uow, actor, case.company_id, "examine")
    cases.refuse_if_took(uow, actor, case.id, Duty.NEGOTIATED, so=Text(N_("so you may not examine it")))
