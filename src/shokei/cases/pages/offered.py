"""What the case page offers its viewer: the workflow steps it can make now (and those it cannot
yet, with why), and the company pages it may open."""

from __future__ import annotations

from collections.abc import Callable

from shokei.cases import services
from shokei.cases.domain import TRANSITIONS, Guard, TransitionName
from shokei.cases.schemas import CaseDetail
from shokei.companies import services as companies
from shokei.errors import ShokeiError
from shokei.kernel import Actor, Permission
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.web.i18n import gettext as _


def offered_moves(
    uow: UnitOfWork, actor: Actor, case: CaseDetail, action_label: Callable[[str], str]
) -> tuple[list[dict[str, object]], list[dict[str, str]]]:
    """The generic moves this role can make now, and those it cannot yet, with why.

    Each move is checked as the service would check it when sent (state, role, separation of
    duties, declared interests, guards), so no button is offered only to be refused. A move
    another feature makes (a determination, the purchase's approval or cancellation, the
    succession and measures steps) has one way only: that feature's section of this page.
    """
    moves: list[dict[str, object]] = []
    waiting: list[dict[str, str]] = []
    for name in case.available_transitions:
        transition = TRANSITIONS[TransitionName(name)]
        if actor.role not in transition.roles or transition.owner is not None:
            continue
        needs_reason = Guard.REASON_GIVEN in transition.guards
        action = action_label(name)
        try:
            # A reason is asked for on the form; any stands in for it while checking the rest.
            services.check_move(uow, actor, case.id, transition.name, reason="—" if needs_reason else None)
        except ShokeiError as refused:
            waiting.append({"label": action, "reason": refused.localised(_)})
            continue
        moves.append(
            {
                "name": name,
                "label": action,
                "needs_reason": needs_reason,
                "irreversible": transition.irreversible,
            }
        )
    return moves, waiting


def company_links(uow: UnitOfWork, actor: Actor) -> Callable[[str | None], bool]:
    """Whether the viewer may follow a link to a company's page: officials to any, a company's
    own users to their own company only (another company's page would answer 404)."""
    if not actor.can(Permission.COMPANY_READ):
        return lambda number: False
    if not actor.is_company_bound:
        return bool
    own = companies.list_companies(uow, actor, limit=1)
    mine = own[0].corporate_number if own else None
    return lambda number: bool(number) and number == mine
