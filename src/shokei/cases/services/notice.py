"""What an exit notice should make its reader look twice at: accepted all the same (the notice is
the supplier's statement; refusing it would lose it), but said at once."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import func, select

from shokei.cases.domain import TERMINAL_STATES
from shokei.cases.models import ExitCase
from shokei.cases.services.access import load_case
from shokei.clock import JST
from shokei.errors import N_, Text
from shokei.kernel import Actor
from shokei.kernel.unit_of_work import UnitOfWork


def notice_warnings(uow: UnitOfWork, actor: Actor, case_id: int) -> list[Text]:
    """Warnings about a case's exit notice, for whoever may see the case: a planned exit date
    already past when the notice was registered, and other open cases of the same company."""
    with uow:
        case = load_case(uow, actor, case_id)
        warnings: list[Text] = []
        opened = case.opened_at if case.opened_at.tzinfo else case.opened_at.replace(tzinfo=UTC)  # SQLite
        opened_on = opened.astimezone(JST).date()  # the day in Japan
        if case.planned_exit_date < opened_on:
            msgid = N_("The planned exit date %(date)s was already past when the notice was registered.")
            warnings.append(Text(msgid, {"date": case.planned_exit_date.isoformat()}))
        others = uow.session.execute(
            select(func.count())
            .select_from(ExitCase)
            .where(
                ExitCase.company_id == case.company_id,
                ExitCase.id != case.id,
                ExitCase.state.not_in([state.value for state in TERMINAL_STATES]),
            )
        ).scalar_one()
        if others:
            msgid = N_("This company already has %(count)s other open case(s): is this notice a duplicate?")
            warnings.append(Text(msgid, {"count": others}))
        return warnings
