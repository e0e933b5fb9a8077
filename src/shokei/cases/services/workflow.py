"""Moving a case: the generic transition, the moves other features make inside their own use
cases, and the facts the guards read.

Moves that carry another feature's records (a determination, a budget commitment, a successor's
eligibility, a hand-over) are that feature's: the generic transition sends the command named in
the transition table on the bus, and the owning feature (registered at start-up) makes the move.
Separation-of-duties facts and destruction certificates are pushed in by the features that
record them (`record_duty`, `note_destruction_certificate`), so cases never asks above itself.
"""

from __future__ import annotations

from typing import Any

from shokei.cases.domain import (
    TRANSITIONS,
    CaseMoved,
    CaseRef,
    CaseState,
    Guard,
    Transition,
    TransitionName,
    TransitionRequest,
    decide,
)
from shokei.cases.models import ExitCase
from shokei.cases.schemas import CaseDetail
from shokei.cases.services.access import load_case, ref_of, snapshot
from shokei.cases.services.facts import case_facts
from shokei.cases.services.reading import detail, history
from shokei.errors import N_, BadInput, Conflict, Text, stored_english
from shokei.interests import services as interests
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork


def transition_case(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    name: str,
    *,
    reason: str | None = None,
    successor: str | None = None,
    expected_version: int | None = None,
) -> CaseDetail:
    """Move a case along the workflow; role, state and guards are decided by cases.domain.

    A move another feature owns is made by that feature, however it is asked for: its command
    goes on the bus; with no feature wired to make it, the move is refused naming its route.
    """
    transition = TRANSITIONS[_parse_transition(name)]
    if transition.owner is not None:
        # The owning feature's use case opens its own transactions (some read other features or
        # write files between them), exactly as when it is called directly.
        move = transition.owner(actor, case_id, transition.name, reason, successor, expected_version)
        unwired = N_("'%(name)s' is made by its own feature: use %(route)s")
        uow.handle(move, unwired=Text(unwired, {"name": transition.name, "route": transition.route}))
        with uow:
            return detail(uow, actor, load_case(uow, actor, case_id))
    with uow:
        move_case(uow, actor, case_id, transition.name, reason=reason, expected_version=expected_version)
        return detail(uow, actor, load_case(uow, actor, case_id))


def _parse_transition(name: str) -> TransitionName:
    try:
        return TransitionName(name)
    except ValueError:
        raise BadInput(
            Text(
                N_("unknown transition %(name)s; one of: %(transitionname)s"),
                {"name": repr(name), "transitionname": ", ".join(TransitionName)},
            )
        ) from None


def check_move(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    name: TransitionName,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
    assuming: frozenset[Guard] = frozenset(),
) -> None:
    """Raise whatever `move_case` would refuse (state, role, guards), changing nothing.

    `assuming`: guards the caller's own step meets just before the move (the certificate of
    destruction recorded, then the case closed), left unchecked."""
    with uow:
        case = load_case(uow, actor, case_id)
        _decide(
            uow,
            actor,
            case,
            name,
            reason=reason,
            successor_id=None,
            expected_version=expected_version,
            assumed=assuming,
        )


def move_case(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    name: TransitionName,
    *,
    reason: str | None = None,
    successor_id: int | None = None,
    expected_version: int | None = None,
    details: dict[str, Any] | None = None,
) -> CaseRef:
    """Make one move (decided by cases.domain), with its history row and ledger entry.

    The features that own a move call this inside their own use case, so their records and the
    case's move commit together or not at all.
    """
    with uow:
        case = load_case(uow, actor, case_id)
        transition = _decide(
            uow,
            actor,
            case,
            name,
            reason=reason,
            successor_id=successor_id,
            expected_version=expected_version,
        )
        before = snapshot(case)
        case.state = transition.target.value
        action = "case:status:change"
        if name is TransitionName.SELECT_SUCCESSOR:
            case.successor_company_id = successor_id
            action = "case:successor:select"
        if name is TransitionName.CANCEL_PURCHASE:
            case.agreed_amount_yen = None
        uow.session.flush()
        source = CaseState(before["state"])
        history(uow, actor, case, name=name, source=source, target=transition.target, reason=reason)
        uow.record(
            action,
            "case",
            case.id,
            actor,
            before=before,
            after=snapshot(case),
            details={"transition": name.value, "reason": stored_english(reason), **(details or {})},
        )
        uow.publish(CaseMoved(case.id, name, source, transition.target, actor.user_id))
        return ref_of(case)


def _decide(
    uow: UnitOfWork,
    actor: Actor,
    case: ExitCase,
    name: TransitionName,
    *,
    reason: str | None,
    successor_id: int | None,
    expected_version: int | None,
    assumed: frozenset[Guard] = frozenset(),
) -> Transition:
    if expected_version is not None and expected_version != case.version:
        raise Conflict(
            Text(
                N_("case %(id)s is at version %(version)s, not %(expected_version)s"),
                {"id": case.id, "version": case.version, "expected_version": expected_version},
            )
        )
    if actor.is_official:
        # A declared interest in the company excludes an official from every move of its case.
        interests.refuse_if_conflicted(uow, actor, case.company_id, f"make '{name}' on")
    return decide(actor, case_facts(uow, case), TransitionRequest(name, reason, successor_id, assumed))
